-- name: repurchase_rate_90d
-- label.fr: Taux de réachat à 90 jours
-- label.en: 90-day repurchase rate
-- synonyms: réachat, taux de réachat, rachat, fidélité, réachat 90j, repurchase, repurchase rate, repeat rate, retention
-- description.fr: Part des clients acquis sur la période qui ont repassé commande dans les 90 jours suivant leur première commande, par canal d'acquisition.
-- description.en: Share of the customers acquired in the period who ordered again within 90 days of their first order, by acquisition channel.
-- unit: percent
-- value: ratio
-- breakdowns: day, channel
-- chart: bar
SELECT c.first_order_date AS day, c.acquisition_channel AS channel,
       CASE WHEN EXISTS (
           SELECT 1 FROM counted_orders o
           WHERE o.customer_id = c.id
             AND o.id <> c.first_order_id
             AND o.day_no <= c.first_order_day_no + 90
       ) THEN 1 ELSE 0 END AS num,
       1 AS den
FROM customers c
WHERE c.first_order_date BETWEEN :from AND :to

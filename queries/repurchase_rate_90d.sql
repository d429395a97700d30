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
SELECT first_order_date AS day, acquisition_channel AS channel, repurchased_90d AS num, customers AS den
FROM customer_cohort_summary
WHERE first_order_date BETWEEN :from AND :to

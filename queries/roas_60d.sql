-- name: roas_60d
-- label.fr: ROAS à 60 jours
-- label.en: 60-day ROAS
-- synonyms: roas 60j, roas 60 jours, roas à 60 jours, roas cohorte, 60-day roas, roas 60d, cohort roas
-- description.fr: Pour les clients acquis sur la période par le canal : ventes nettes de leurs 60 premiers jours (première commande comprise) ÷ dépenses du canal sur la période. Ne la lire que pour des périodes finies depuis 60 jours.
-- description.en: For the customers the channel acquired in the period: net sales of their first 60 days (first order included) ÷ the channel's spend over the period. Read it only for periods that ended 60 days ago or more.
-- unit: ratio
-- value: ratio
-- breakdowns: day, channel
-- chart: bar
SELECT first_order_date AS day, acquisition_channel AS channel, value_60d_cents AS num, 0 AS den
FROM customer_cohort_summary
WHERE first_order_date BETWEEN :from AND :to AND facts_60d > 0
UNION ALL
SELECT date AS day, channel, 0 AS num, spend_cents AS den
FROM ad_spend
WHERE date BETWEEN :from AND :to

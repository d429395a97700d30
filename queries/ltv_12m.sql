-- name: ltv_12m
-- label.fr: Valeur client à 12 mois
-- label.en: 12-month customer value
-- synonyms: ltv, ltv 12 mois, valeur client, valeur vie client, customer lifetime value, lifetime value, clv, ltv 12m
-- description.fr: Pour les clients acquis sur la période : ventes nettes moyennes par client sur leurs 365 premiers jours (première commande comprise), par canal d'acquisition. Complet seulement pour des périodes finies depuis un an.
-- description.en: For the customers acquired in the period: average net sales per customer over their first 365 days (first order included), by acquisition channel. Complete only for periods that ended a year ago or more.
-- unit: money
-- value: ratio
-- breakdowns: day, channel
-- chart: bar
SELECT first_order_date AS day, acquisition_channel AS channel, value_365d_cents AS num, customers AS den
FROM customer_cohort_summary
WHERE first_order_date BETWEEN :from AND :to

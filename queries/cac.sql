-- name: cac
-- label.fr: Coût d'acquisition client
-- label.en: Customer acquisition cost
-- synonyms: cac, coût d'acquisition, cout d'acquisition, coût par client, customer acquisition cost, acquisition cost
-- description.fr: Dépenses du canal sur la période ÷ nouveaux clients acquis par ce canal sur la période.
-- description.en: The channel's spend over the period ÷ new customers acquired through that channel in the period.
-- unit: money
-- value: ratio
-- breakdowns: day, channel
-- chart: bar
SELECT date AS day, channel, spend_cents AS num, 0 AS den
FROM ad_spend
WHERE date BETWEEN :from AND :to
UNION ALL
SELECT first_order_date AS day, acquisition_channel AS channel, 0 AS num, 1 AS den
FROM customers
WHERE first_order_date BETWEEN :from AND :to

-- name: new_customers
-- label.fr: Nouveaux clients
-- label.en: New customers
-- synonyms: nouveaux clients, clients acquis, acquisitions, new customers, acquired customers, acquisitions
-- description.fr: Clients dont la première commande comptée tombe dans la période, par canal d'acquisition (le canal de cette première commande).
-- description.en: Customers whose first counted order falls in the period, by acquisition channel (that first order's channel).
-- unit: count
-- value: sum
-- breakdowns: day, channel
-- chart: bar
SELECT first_order_date AS day, acquisition_channel AS channel, 1 AS num
FROM customers
WHERE first_order_date BETWEEN :from AND :to

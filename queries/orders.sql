-- name: orders
-- label.fr: Commandes
-- label.en: Orders
-- synonyms: commandes, nombre de commandes, nombre de ventes, orders, order count, number of orders
-- description.fr: Nombre de commandes passées sur la période (annulées et tests exclus), par jour de la boutique.
-- description.en: Number of orders placed in the period (cancelled and test excluded), by shop day.
-- unit: count
-- value: sum
-- breakdowns: day, channel, customer_type
-- chart: line
SELECT day, channel, customer_type, orders AS num
FROM daily_order_summary
WHERE day BETWEEN :from AND :to

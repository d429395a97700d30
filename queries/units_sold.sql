-- name: units_sold
-- label.fr: Unités vendues
-- label.en: Units sold
-- synonyms: unités, unités vendues, quantités, volume, units, units sold, quantity
-- description.fr: Unités vendues dans les commandes de la période (annulées et tests exclus).
-- description.en: Units sold in the period's orders (cancelled and test excluded).
-- unit: count
-- value: sum
-- breakdowns: day, channel, sku, category
-- chart: bar
SELECT day, channel, sku, category, units AS num
FROM sales_facts
WHERE day BETWEEN :from AND :to AND units > 0

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
SELECT day, channel, NULL AS sku, NULL AS category, sold_units AS num
FROM daily_sales_summary
WHERE day BETWEEN :from AND :to AND sold_facts > 0 AND :by NOT IN ('sku', 'category')
UNION ALL
SELECT day, NULL AS channel, sku, category, sold_units AS num
FROM daily_sku_sales_summary
WHERE day BETWEEN :from AND :to AND sold_facts > 0 AND :by IN ('sku', 'category')

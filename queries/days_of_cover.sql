-- name: days_of_cover
-- label.fr: Jours de couverture du stock
-- label.en: Days of stock cover
-- synonyms: couverture, couverture stock, jours de stock, rupture, stock, days of cover, stock cover, cover
-- description.fr: Stock disponible au dernier relevé (au plus tard à la fin de la période) ÷ unités vendues par jour en moyenne sur la période. Non défini pour un article sans vente.
-- description.en: Stock on hand at the latest count (no later than the period's end) ÷ average units sold per day over the period. Undefined for an item without sales.
-- unit: days
-- value: ratio
-- empty: missing
-- breakdowns: sku, category
-- chart: bar
SELECT i.sku, COALESCE(p.category, 'uncategorised') AS category, i.on_hand * :days AS num, 0 AS den
FROM inventory_levels i
LEFT JOIN variants v ON v.sku = i.sku
LEFT JOIN products p ON p.id = v.product_id
WHERE i.date = (SELECT MAX(date) FROM inventory_levels WHERE date <= :to)
UNION ALL
SELECT sku, category, 0 AS num, sold_units AS den
FROM daily_sku_sales_summary
WHERE day BETWEEN :from AND :to AND sold_facts > 0

-- name: stock_turnover
-- label.fr: Rotation du stock
-- label.en: Stock turnover
-- synonyms: rotation, rotation du stock, rotation stock, stock turnover, inventory turnover, turns
-- description.fr: Rotations par an : coût des marchandises vendues sur la période, annualisé ÷ valeur du stock au coût au dernier relevé (au plus tard à la fin de la période).
-- description.en: Turns per year: cost of goods sold over the period, annualised ÷ stock value at cost at the latest count (no later than the period's end).
-- unit: ratio
-- value: ratio
-- empty: missing
-- breakdowns: sku, category
-- chart: bar
SELECT sku, category, sold_cost_cents * 365 AS num, 0 AS den
FROM daily_sku_sales_summary
WHERE day BETWEEN :from AND :to AND sold_facts > 0
UNION ALL
SELECT i.sku, COALESCE(p.category, 'uncategorised') AS category, 0 AS num,
       i.on_hand * COALESCE(v.supplier_cost_cents, 0) * :days AS den
FROM inventory_levels i
LEFT JOIN variants v ON v.sku = i.sku
LEFT JOIN products p ON p.id = v.product_id
WHERE i.date = (SELECT MAX(date) FROM inventory_levels WHERE date <= :to)

-- name: revenue
-- label.fr: Chiffre d'affaires
-- label.en: Revenue
-- synonyms: ca, chiffre d'affaires, chiffre, ventes, ventes nettes, revenue, sales, net sales, turnover
-- description.fr: Ventes nettes : marchandise des commandes passées sur la période, remises déduites, hors TVA et hors frais de port, moins la marchandise remboursée sur la période (au jour du remboursement). Commandes annulées et de test exclues.
-- description.en: Net sales: merchandise of the orders placed in the period, after discounts, excluding VAT and shipping, minus merchandise refunded in the period (on the refund's day). Cancelled and test orders excluded.
-- unit: money
-- value: sum
-- breakdowns: day, channel, sku, category, customer_type
-- chart: line
SELECT day, channel, NULL AS sku, NULL AS category, customer_type, revenue_cents AS num
FROM daily_sales_summary
WHERE day BETWEEN :from AND :to AND :by NOT IN ('sku', 'category')
UNION ALL
SELECT day, NULL AS channel, sku, category, NULL AS customer_type, revenue_cents AS num
FROM daily_sku_sales_summary
WHERE day BETWEEN :from AND :to AND :by IN ('sku', 'category')

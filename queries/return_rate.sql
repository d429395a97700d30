-- name: return_rate
-- label.fr: Taux de retour
-- label.en: Return rate
-- synonyms: retours, taux de retour, remboursements, taux de remboursement, returns, return rate, refund rate, refunds
-- description.fr: Marchandise remboursée sur la période ÷ marchandise vendue sur la période (hors TVA et port), en %. Numérateur = montant remboursé.
-- description.en: Merchandise refunded in the period ÷ merchandise sold in the period (excluding VAT and shipping), in %. Numerator = amount refunded.
-- unit: percent
-- value: ratio
-- breakdowns: day, channel, sku, category
-- chart: bar
SELECT day, channel, NULL AS sku, NULL AS category, refunded_cents AS num, sold_revenue_cents AS den
FROM daily_sales_summary
WHERE day BETWEEN :from AND :to AND :by NOT IN ('sku', 'category')
UNION ALL
SELECT day, NULL AS channel, sku, category, refunded_cents AS num, sold_revenue_cents AS den
FROM daily_sku_sales_summary
WHERE day BETWEEN :from AND :to AND :by IN ('sku', 'category')

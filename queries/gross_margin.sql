-- name: gross_margin
-- label.fr: Marge brute
-- label.en: Gross margin
-- synonyms: marge, marge brute, taux de marge, margin, gross margin, margin rate
-- description.fr: Marge brute en % du chiffre d'affaires : (ventes nettes − coût des marchandises vendues) ÷ ventes nettes. Le coût est celui de la ligne au moment de la vente (sinon le coût fournisseur de la variante) ; un remboursement remis en stock rend le coût. Numérateur = marge en euros.
-- description.en: Gross margin as % of revenue: (net sales − cost of goods sold) ÷ net sales. Cost is the line's cost at the time of sale (else the variant's supplier cost); a restocked refund gives the cost back. Numerator = margin amount.
-- unit: percent
-- value: ratio
-- breakdowns: day, channel, sku, category, customer_type
-- chart: bar
SELECT day, channel, NULL AS sku, NULL AS category, customer_type, margin_cents AS num, revenue_cents AS den
FROM daily_sales_summary
WHERE day BETWEEN :from AND :to AND :by NOT IN ('sku', 'category')
UNION ALL
SELECT day, NULL AS channel, sku, category, NULL AS customer_type, margin_cents AS num, revenue_cents AS den
FROM daily_sku_sales_summary
WHERE day BETWEEN :from AND :to AND :by IN ('sku', 'category')

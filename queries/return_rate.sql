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
SELECT day, channel, sku, category,
       refunded_cents AS num,
       CASE WHEN revenue_cents > 0 THEN revenue_cents ELSE 0 END AS den
FROM sales_facts
WHERE day BETWEEN :from AND :to

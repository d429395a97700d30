-- name: aov
-- label.fr: Panier moyen
-- label.en: Average order value
-- synonyms: panier moyen, panier, valeur moyenne de commande, aov, average order value, basket, average basket
-- description.fr: Panier moyen : marchandise des commandes de la période (remises déduites, hors TVA et port) ÷ nombre de commandes. Les remboursements ultérieurs ne le modifient pas.
-- description.en: Average order value: merchandise of the period's orders (after discounts, excluding VAT and shipping) ÷ number of orders. Later refunds do not change it.
-- unit: money
-- value: ratio
-- breakdowns: day, channel, customer_type
-- chart: bar
SELECT day, channel, customer_type, net_cents AS num, orders AS den
FROM daily_order_summary
WHERE day BETWEEN :from AND :to

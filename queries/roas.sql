-- name: roas
-- label.fr: ROAS
-- label.en: ROAS
-- synonyms: roas, retour sur dépenses publicitaires, rentabilité pub, return on ad spend
-- description.fr: Ventes nettes des commandes dont le dernier clic vient du canal ÷ dépenses du canal sur la période (même définition du CA que « revenue »). Non défini pour un canal sans dépense.
-- description.en: Net sales of orders last-clicked on the channel ÷ the channel's spend over the period (same revenue definition as "revenue"). Undefined for a channel without spend.
-- unit: ratio
-- value: ratio
-- breakdowns: day, channel
-- chart: bar
SELECT day, channel, revenue_cents AS num, 0 AS den
FROM daily_sales_summary
WHERE day BETWEEN :from AND :to
UNION ALL
SELECT date AS day, channel, 0 AS num, spend_cents AS den
FROM ad_spend
WHERE date BETWEEN :from AND :to

-- name: ad_spend
-- label.fr: Dépenses marketing
-- label.en: Ad spend
-- synonyms: dépenses, dépenses pub, budget, budget marketing, spend, ad spend, marketing spend, cost
-- description.fr: Dépenses publicitaires et d'outils d'emailing de la période, par canal et campagne, telles que déclarées par les plateformes.
-- description.en: Advertising and e-mail tool spend in the period, by channel and campaign, as the platforms report it.
-- unit: money
-- value: sum
-- breakdowns: day, channel, campaign
-- chart: bar
SELECT date AS day, channel, campaign, spend_cents AS num
FROM ad_spend
WHERE date BETWEEN :from AND :to

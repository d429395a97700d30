-- name: revenue_target
-- label.fr: Objectif de chiffre d'affaires
-- label.en: Revenue target
-- synonyms: objectif, objectif ca, objectifs, budget ca, target, revenue target, goal
-- description.fr: Somme des objectifs journaliers de chiffre d'affaires (ventes nettes) de la période.
-- description.en: Sum of the daily revenue (net sales) objectives of the period.
-- unit: money
-- value: sum
-- empty: missing
-- breakdowns: day
-- chart: line
SELECT date AS day, revenue_cents AS num
FROM targets
WHERE date BETWEEN :from AND :to

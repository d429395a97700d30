-- name: conversion_rate
-- label.fr: Taux de conversion
-- label.en: Conversion rate
-- synonyms: conversion, taux de conversion, taux de transfo, conversion rate, cr
-- description.fr: Commandes ÷ sessions sur la période, en %. Par canal : commandes du canal (dernier clic) ÷ sessions du canal. Non défini sans source de trafic.
-- description.en: Orders ÷ sessions over the period, in %. By channel: the channel's (last-click) orders ÷ its sessions. Undefined without a traffic source.
-- unit: percent
-- value: ratio
-- breakdowns: day, channel
-- chart: line
SELECT day, channel, orders AS num, 0 AS den
FROM daily_order_summary
WHERE day BETWEEN :from AND :to
UNION ALL
SELECT date AS day, channel, 0 AS num, sessions AS den
FROM traffic
WHERE date BETWEEN :from AND :to

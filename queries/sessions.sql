-- name: sessions
-- label.fr: Sessions
-- label.en: Sessions
-- synonyms: sessions, visites, trafic, visits, traffic
-- description.fr: Sessions du site sur la période (source de trafic, p. ex. export GA4), par canal et par source / support.
-- description.en: Site sessions in the period (traffic source such as a GA4 export), by channel and by source / medium.
-- unit: count
-- value: sum
-- empty: missing
-- breakdowns: day, channel, source
-- chart: line
SELECT date AS day, channel, source || ' / ' || medium AS source, sessions AS num
FROM traffic
WHERE date BETWEEN :from AND :to

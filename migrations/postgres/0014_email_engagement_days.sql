-- ChurnGuard's "silence on e-mails" signal: the days on which each customer opened or clicked
-- an e-mail, so that a report as of a past day D sees only the engagement up to D (the
-- `email_engagement` table of 0012 keeps the latest open and click only, which would leak
-- later opens into a backtest). Written by the Klaviyo sync next to `email_engagement`, and
-- by the demo shop. `customer_key` is the normalised e-mail (`import::order::customer_key`);
-- `day_no` is the event's UTC day as days since 1970-01-01; `kind` is 'open' or 'click'.
-- A row only says "at least one such event that day": re-reading an event changes nothing.
-- Paired with migrations/sqlite/0014_email_engagement_days.sql: same table, same meaning.

CREATE TABLE email_engagement_days (
    customer_key  TEXT NOT NULL,
    day_no        BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    PRIMARY KEY (customer_key, day_no, kind)
);

-- What an earlier sync stored: each customer's latest open and click, as one day each.
INSERT INTO email_engagement_days (customer_key, day_no, kind)
SELECT customer_key, (CAST((last_open_at AT TIME ZONE 'UTC') AS DATE) - DATE '1970-01-01'), 'open' FROM email_engagement WHERE last_open_at IS NOT NULL
UNION
SELECT customer_key, (CAST((last_click_at AT TIME ZONE 'UTC') AS DATE) - DATE '1970-01-01'), 'click' FROM email_engagement WHERE last_click_at IS NOT NULL;

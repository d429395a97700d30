-- API sync (issue 8, Klaviyo): each customer's last e-mail open and last click, from the
-- Klaviyo events "Opened Email" and "Clicked Email", for ChurnGuard's "silence" signal.
-- `customer_key` is the normalised e-mail as `import::order::customer_key` computes it, so it
-- joins `customers` and the orders. A sync only ever moves a time forward.
-- Paired with migrations/sqlite/0012_email_engagement.sql: same table, same meaning.

CREATE TABLE email_engagement (
    customer_key   TEXT PRIMARY KEY,
    last_open_at   TIMESTAMPTZ,
    last_click_at  TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL
);

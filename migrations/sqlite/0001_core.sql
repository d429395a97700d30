-- Core schema of Insight Desk (SPEC §2), SQLite dialect.
-- Money: INTEGER minor units with an ISO currency. Instants: UTC (sqlx encodes them as
-- RFC 3339 text). `local_date`: the calendar day in the shop's time zone, computed once on the
-- way in so that every query groups by the same day on both backends.
-- Paired with migrations/postgres/0001_core.sql: same tables, same columns, same meaning.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    customer_key        TEXT NOT NULL UNIQUE,      -- normalised e-mail, or 'phone:+33…' as fallback
    email               TEXT,
    phone               TEXT,
    first_name          TEXT,
    country             TEXT,
    created_at          TEXT NOT NULL,
    accepts_marketing   INTEGER NOT NULL DEFAULT 0,
    -- Maintained from orders by store::refresh_customer_firsts (never typed in by hand).
    first_order_id      INTEGER,
    first_order_at      TEXT,
    first_order_date    TEXT,
    first_order_day_no  INTEGER,
    acquisition_channel TEXT
);
CREATE INDEX customers_first_order_date ON customers (first_order_date, acquisition_channel);

CREATE TABLE products (
    id         INTEGER PRIMARY KEY,
    handle     TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    category   TEXT NOT NULL,
    vendor     TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE variants (
    sku                     TEXT PRIMARY KEY,
    product_id              INTEGER NOT NULL REFERENCES products (id),
    title                   TEXT NOT NULL,
    price_cents             INTEGER NOT NULL,
    currency                TEXT NOT NULL,
    -- Cost components of the playbook's full-cost template; NULL = not given by the shop.
    supplier_cost_cents     INTEGER,
    packaging_cents         INTEGER,
    inbound_logistics_cents INTEGER,
    fulfilment_cents        INTEGER,
    storage_rate_bp         INTEGER,  -- yearly storage cost, basis points of stock value
    return_rate_bp          INTEGER,  -- historic returns & after-sales rate, basis points
    overhead_cents          INTEGER,
    lead_time_days          INTEGER,
    active                  INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE price_history (
    sku         TEXT NOT NULL REFERENCES variants (sku),
    valid_from  TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    is_promo    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, valid_from)
);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL,              -- 'demo', 'shopify', 'transactions', …
    external_id    TEXT NOT NULL,              -- the source's own id (Shopify: Name)
    customer_id    INTEGER REFERENCES customers (id),
    placed_at      TEXT NOT NULL,
    local_date     TEXT NOT NULL,
    day_no         INTEGER NOT NULL,             -- local_date as days since 1970-01-01: integer date arithmetic on both backends
    currency       TEXT NOT NULL,
    channel        TEXT NOT NULL,              -- last-click channel: meta, google, email, organic, direct, other
    source_name    TEXT,
    discount_code  TEXT,
    gross_cents    INTEGER NOT NULL,           -- Σ line price × quantity, before discounts
    discount_cents INTEGER NOT NULL,
    net_cents      INTEGER NOT NULL,           -- merchandise after discounts, taxes and shipping out
    shipping_cents INTEGER NOT NULL,
    tax_cents      INTEGER NOT NULL,
    total_cents    INTEGER NOT NULL,           -- what the customer paid
    cancelled_at   TEXT,
    is_test        INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX orders_local_date ON orders (local_date);
CREATE INDEX orders_customer ON orders (customer_id, placed_at);

CREATE TABLE order_lines (
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    sku              TEXT,
    title            TEXT NOT NULL,
    quantity         INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    discount_cents   INTEGER NOT NULL,         -- line's share of every discount
    net_cents        INTEGER NOT NULL,         -- quantity × unit price − discount
    unit_cost_cents  INTEGER,                  -- supplier cost at the time of sale (NULL: unknown)
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_sku ON order_lines (sku);

CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    external_id  TEXT,
    refunded_at  TEXT NOT NULL,
    local_date   TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,             -- merchandise refunded, taxes and shipping out
    sku          TEXT,
    quantity     INTEGER,
    restocked    INTEGER NOT NULL DEFAULT 0,
    reason       TEXT
);
CREATE INDEX refunds_local_date ON refunds (local_date);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE inventory_levels (
    sku     TEXT NOT NULL,
    date    TEXT NOT NULL,
    on_hand INTEGER NOT NULL,
    PRIMARY KEY (date, sku)
);

CREATE TABLE purchase_orders (
    id              INTEGER PRIMARY KEY,
    sku             TEXT NOT NULL,
    ordered_date    TEXT NOT NULL,
    expected_date   TEXT NOT NULL,
    received_date   TEXT,
    quantity        INTEGER NOT NULL,
    unit_cost_cents INTEGER NOT NULL
);
CREATE INDEX purchase_orders_sku ON purchase_orders (sku, ordered_date);

CREATE TABLE ad_spend (
    date                   TEXT NOT NULL,
    channel                TEXT NOT NULL,
    campaign               TEXT NOT NULL,
    source                 TEXT NOT NULL,
    currency               TEXT NOT NULL,
    spend_cents            INTEGER NOT NULL,
    impressions            INTEGER,
    clicks                 INTEGER,
    conversions            INTEGER,              -- as the platform reports them
    conversion_value_cents INTEGER,
    PRIMARY KEY (date, channel, campaign)
);

CREATE TABLE traffic (
    date        TEXT NOT NULL,
    source      TEXT NOT NULL,                  -- GA4 session source / medium
    medium      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    sessions    INTEGER NOT NULL,
    conversions INTEGER,
    PRIMARY KEY (date, source, medium)
);

CREATE TABLE touches (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    order_id    INTEGER REFERENCES orders (id) ON DELETE CASCADE,
    touched_at  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    campaign    TEXT
);
CREATE INDEX touches_order ON touches (order_id);
CREATE INDEX touches_customer ON touches (customer_id, touched_at);

CREATE TABLE targets (
    date          TEXT PRIMARY KEY,
    revenue_cents INTEGER NOT NULL
);

CREATE TABLE cash_balances (
    date          TEXT NOT NULL,
    account       TEXT NOT NULL DEFAULT 'main',
    balance_cents INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    PRIMARY KEY (date, account)
);

CREATE TABLE sync_state (
    source                 TEXT PRIMARY KEY,
    cursor                 TEXT,
    last_attempt_at        TEXT,
    last_success_at        TEXT,
    last_error             TEXT,
    rows_total             INTEGER NOT NULL DEFAULT 0,
    data_from              TEXT,
    data_to                TEXT,
    expected_interval_secs INTEGER NOT NULL DEFAULT 86400
);

CREATE TABLE alerts (
    id             TEXT PRIMARY KEY,
    rule           TEXT NOT NULL,
    subject        TEXT NOT NULL,               -- what the alert is about: a SKU, a channel, …
    status         TEXT NOT NULL,               -- open, resolved
    channel_id     TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    last_posted_at TEXT,
    resolved_at    TEXT,
    muted_until    TEXT,
    thread_ts      TEXT,
    evidence       TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, subject) WHERE status = 'open';

CREATE TABLE job_runs (
    id              INTEGER PRIMARY KEY,
    job             TEXT NOT NULL,
    scheduled_for   TEXT NOT NULL,
    status          TEXT NOT NULL,              -- claimed, done, failed, skipped
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     TEXT,
    next_attempt_at TEXT,
    started_at      TEXT,
    finished_at     TEXT,
    outcome         TEXT,
    message_ts      TEXT,
    error           TEXT,
    UNIQUE (job, scheduled_for)
);

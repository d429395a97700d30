-- Summary tables the slow metrics read instead of the line-level views: pre-summed rows of
-- the same views (counted_orders, sales_facts, sale_line_facts, refund_facts), so a figure
-- sums a few thousand rows instead of joining a million lines. They hold nothing of their
-- own: store::refresh_after_load empties and rebuilds them from the views after every load,
-- in the transaction that recomputes customers' first orders (src/store/summaries.rs holds
-- the rebuild SQL; tests/summaries.rs checks every metric against the views).
-- Paired with migrations/postgres/0004_summaries.sql: same tables, same columns, same meaning.

-- sales_facts summed at two grains, so that each breakdown reads few rows: per shop day x
-- channel x customer type (totals, and breakdowns by day, channel or customer type), and per
-- shop day x SKU x category (breakdowns by SKU or category). Both sum the same rows: the
-- `sold_*` columns only the view's rows with units > 0 (sold lines), which units_sold,
-- stock_turnover and days_of_cover read; sold_revenue_cents only its rows with
-- revenue_cents > 0 (return rate's base).
CREATE TABLE daily_sales_summary (
    day                TEXT NOT NULL,
    channel            TEXT NOT NULL,
    customer_type      TEXT NOT NULL,
    revenue_cents      INTEGER NOT NULL,  -- sum of revenue_cents (net sales, refunds negative)
    margin_cents       INTEGER NOT NULL,  -- sum of margin_cents
    refunded_cents     INTEGER NOT NULL,  -- sum of refunded_cents
    sold_revenue_cents INTEGER NOT NULL,  -- sum of revenue_cents over rows with revenue_cents > 0
    sold_facts         INTEGER NOT NULL,  -- rows with units > 0
    sold_units         INTEGER NOT NULL,  -- sum of units over rows with units > 0
    sold_cost_cents    INTEGER NOT NULL,  -- sum of (revenue_cents - margin_cents) over rows with units > 0
    PRIMARY KEY (day, channel, customer_type)
);

CREATE TABLE daily_sku_sales_summary (
    day                TEXT NOT NULL,
    sku                TEXT,            -- NULL for lines without a SKU, as in the view
    category           TEXT NOT NULL,
    revenue_cents      INTEGER NOT NULL,
    margin_cents       INTEGER NOT NULL,
    refunded_cents     INTEGER NOT NULL,
    sold_revenue_cents INTEGER NOT NULL,
    sold_facts         INTEGER NOT NULL,
    sold_units         INTEGER NOT NULL,
    sold_cost_cents    INTEGER NOT NULL
);
CREATE INDEX daily_sku_sales_summary_day ON daily_sku_sales_summary (day);

-- counted_orders summed per shop day x channel x customer type.
CREATE TABLE daily_order_summary (
    day           TEXT NOT NULL,
    channel       TEXT NOT NULL,
    customer_type TEXT NOT NULL,
    orders        INTEGER NOT NULL,  -- counted orders
    net_cents     INTEGER NOT NULL,  -- sum of their net_cents (merchandise after discounts)
    PRIMARY KEY (day, channel, customer_type)
);

-- Customers summed per acquisition day x acquisition channel (customers without a counted
-- order are not in it), with what the cohort metrics need: the net sales of their first 60
-- and 365 days (sale lines and refunds of orders placed no later than first order day + 60
-- or + 365, as ltv_12m and roas_60d define them), and how many ordered again within 90 days.
CREATE TABLE customer_cohort_summary (
    first_order_date    TEXT NOT NULL,
    acquisition_channel TEXT NOT NULL,
    customers           INTEGER NOT NULL,  -- customers acquired that day through that channel
    facts_60d           INTEGER NOT NULL,  -- their sales_facts rows of orders within 60 days
    value_60d_cents     INTEGER NOT NULL,  -- sum of revenue_cents of those rows
    value_365d_cents    INTEGER NOT NULL,  -- same within 365 days
    repurchased_90d     INTEGER NOT NULL,  -- customers with another counted order within 90 days
    PRIMARY KEY (first_order_date, acquisition_channel)
);

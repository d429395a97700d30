-- The Marketing Profit Matrix's sums (issue 6, `report ltv`): the net sales and gross margin
-- of each acquisition day x channel's customers over their first 60 / 365 / 730 days, so that
-- `report ltv` sums a few thousand rows instead of joining every sale line of a million orders
-- (43.6 s at 1 M orders). Like the summaries of migration 0004 it holds nothing of its own:
-- store::refresh_after_load empties it and sums the views again (src/store/value_summary.rs).
--
-- Sold lines count whatever the report's as-of day D (a mature customer's window ends before
-- D), so they are summed once, with refund_date NULL. Refunds count only when made up to D,
-- so they are kept per refund day (one row per day x cohort day x channel with a refund)
-- and the report filters them. The windows are those of ltv.rs: orders placed no later than
-- first order day + 60 / + 365 / + 730, first order included.
-- Paired with migrations/postgres/0008_customer_value_summary.sql: same columns, same meaning.

CREATE TABLE customer_value_summary (
    first_order_day_no  INTEGER NOT NULL,  -- the customers' acquisition day (customers.first_order_day_no)
    acquisition_channel TEXT NOT NULL,     -- their acquisition channel ('' when unknown)
    refund_date         TEXT,              -- NULL: sold lines; a date: refunds made that day
    revenue_60d_cents   INTEGER NOT NULL,  -- sale_line_facts / refund_facts revenue_cents, orders within 60 days
    revenue_365d_cents  INTEGER NOT NULL,  -- same within 365 days
    margin_365d_cents   INTEGER NOT NULL,  -- margin_cents within 365 days
    revenue_730d_cents  INTEGER NOT NULL,  -- revenue_cents within 730 days
    margin_730d_cents   INTEGER NOT NULL   -- margin_cents within 730 days
);

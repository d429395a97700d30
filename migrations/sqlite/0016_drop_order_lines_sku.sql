-- Drops the index of order lines by SKU (0001). No statement reads order lines by SKU: every
-- per-SKU figure (SKU profitability, forecast, elasticity, units and revenue by SKU) reads
-- daily_sku_sales_summary, and the summary rebuild reads every line in order of its order.
-- The index only cost writes: 1 M lines took ~1 s to index again after a first import and
-- ~2 s after a 1 M-order backfill (2 M lines), on every load.
-- Paired with migrations/postgres/0016_drop_order_lines_sku.sql: same statement.

DROP INDEX IF EXISTS order_lines_sku;
-- A backfill killed while it had the index dropped (0015) would build it again: forget it.
DELETE FROM deferred_indexes WHERE name = 'order_lines_sku';

-- API sync (issue 8): Shopify's catalogue and stock are read with its orders; each run also
-- records how many variants and stock levels it read and how many of them were new or
-- changed (the orders' counts stay in records_read … unchanged).
-- Paired with migrations/postgres/0013_sync_runs_catalog.sql: same columns, same meaning.

ALTER TABLE sync_runs ADD COLUMN variants_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN variants_changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN stock_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN stock_changed INTEGER NOT NULL DEFAULT 0;

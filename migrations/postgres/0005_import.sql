-- Import bookkeeping (issue 5). A fingerprint of each imported order's content (header,
-- customer, lines, refund), so that re-importing an export recognises an unchanged order and
-- leaves it alone (its lines are not rewritten, its updated_at does not move), while an order
-- edited upstream is updated in place. NULL for orders not written by an importer.
-- Identical text in migrations/sqlite/0005_import.sql.

ALTER TABLE orders ADD COLUMN content_hash TEXT;

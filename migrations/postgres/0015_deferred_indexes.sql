-- Secondary indexes a bulk load dropped, to build them once at its end (issue 8: the Shopify
-- backfill into an empty store; src/store/deferred_indexes.rs). A row is written in the
-- transaction that drops its index and deleted in the one that builds it again, so a load
-- killed in between leaves the definition here, and the next process to open the store
-- builds it.
-- Paired with migrations/sqlite/0015_deferred_indexes.sql: same table, same meaning.

CREATE TABLE deferred_indexes (
    name       TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    definition TEXT NOT NULL,     -- the CREATE INDEX statement, as pg_indexes held it
    dropped_at TIMESTAMPTZ NOT NULL
);

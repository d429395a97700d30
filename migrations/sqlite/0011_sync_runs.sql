-- API sync (issue 8): every run of a connector, with what it read and wrote, so that
-- `insight-desk sources` and a support question can tell what each sync did. The cursor a
-- connector resumes from lives in `sync_state.cursor` (migration 0001), one JSON text per
-- source, written in the same transaction as the data it covers.
-- Paired with migrations/postgres/0011_sync_runs.sql: same table, same meaning.

CREATE TABLE sync_runs (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,               -- 'shopify', …
    mode          TEXT NOT NULL,               -- 'backfill' (bulk operation) or 'incremental'
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL,               -- running, done, failed
    records_read  INTEGER NOT NULL DEFAULT 0,  -- orders read from the API
    inserted      INTEGER NOT NULL DEFAULT 0,
    updated       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    error         TEXT
);
CREATE INDEX sync_runs_source ON sync_runs (source, started_at);

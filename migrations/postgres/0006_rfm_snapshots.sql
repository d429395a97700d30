-- Daily RFM snapshots (issue 6): the segment and scores of every buying customer as of a
-- day, kept so that a report can say who moved between segments since last week.
-- One row per day with the customers packed into one compact value (src/customers/snapshot.rs:
-- about 4 bytes per customer, ~1.2 MB a day at 300 k customers), because a row per customer
-- per day would be 100 M rows a year for a table only ever read a whole day at a time.
-- Paired with migrations/sqlite/0006_rfm_snapshots.sql.

CREATE TABLE rfm_snapshots (
    as_of       DATE PRIMARY KEY,
    computed_at TIMESTAMPTZ NOT NULL,
    customers   BIGINT NOT NULL,
    rules_hash  TEXT NOT NULL,     -- the segment mapping it was computed with
    data        BYTEA NOT NULL
);

//! What `insight-desk sources` shows: per source, its last import, the rows it holds, the
//! days they cover and whether it is fresh.
//!
//! Each import records itself in `sync_state` (one row per source, the table the API
//! connectors will use too): the attempt, the success or the error, and the rows and date
//! range the store then holds for that source (counted from the data, so the figures cannot
//! drift from what the metrics read).

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use crate::store::Store;
use crate::with_pool;

/// One row of `sync_state`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceState {
    pub source: String,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub rows: i64,
    pub data_from: Option<NaiveDate>,
    pub data_to: Option<NaiveDate>,
    pub expected_interval_secs: i64,
}

impl SourceState {
    /// Fresh when the last success is within the expected interval (plus an hour of slack).
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.last_success_at
            .is_some_and(|at| (now - at).num_seconds() <= self.expected_interval_secs + 3600)
    }
}

/// Rows, first and last day the store holds for what `source` writes:
/// `(table, day column, filter)`, the filter fixed text from this crate.
pub fn coverage_query(table: &str, day: &str, filter: &str) -> String {
    format!(
        "SELECT COUNT(*), CAST(MIN({day}) AS TEXT), CAST(MAX({day}) AS TEXT) FROM {table} {filter}"
    )
}

fn date_of(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.get(..10).and_then(|d| d.parse().ok()))
}

/// Records a successful import of `source`, with what the store now holds for it.
pub async fn record_success(store: &Store, source: &str, coverage_sql: &str) -> anyhow::Result<()> {
    let (rows, from, to): (i64, Option<String>, Option<String>) =
        with_pool!(store, pool => sqlx::query_as(coverage_sql).fetch_one(pool).await)
            .with_context(|| format!("failed to measure what {source} holds"))?;
    let now = Utc::now();
    with_pool!(store, pool => {
        sqlx::query(
            "INSERT INTO sync_state (source, last_attempt_at, last_success_at, last_error, rows_total, data_from, data_to) \
             VALUES ($1, $2, $2, NULL, $3, $4, $5) \
             ON CONFLICT (source) DO UPDATE SET last_attempt_at = excluded.last_attempt_at, \
             last_success_at = excluded.last_success_at, last_error = NULL, rows_total = excluded.rows_total, \
             data_from = excluded.data_from, data_to = excluded.data_to",
        )
        .bind(source)
        .bind(now)
        .bind(rows)
        .bind(date_of(from))
        .bind(date_of(to))
        .execute(pool)
        .await
        .map(|_| ())
    })
    .with_context(|| format!("failed to record the import of {source}"))
}

/// Records a failed import attempt (the data is untouched; the error is kept for `sources`).
pub async fn record_failure(store: &Store, source: &str, error: &str) -> anyhow::Result<()> {
    let message: String = error.chars().take(500).collect();
    with_pool!(store, pool => {
        sqlx::query(
            "INSERT INTO sync_state (source, last_attempt_at, last_error) VALUES ($1, $2, $3) \
             ON CONFLICT (source) DO UPDATE SET last_attempt_at = excluded.last_attempt_at, \
             last_error = excluded.last_error",
        )
        .bind(source)
        .bind(Utc::now())
        .bind(message)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .with_context(|| format!("failed to record the failed import of {source}"))
}

/// Every source the store knows, by name.
pub async fn list(store: &Store) -> anyhow::Result<Vec<SourceState>> {
    type RowT = (
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<String>,
        i64,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<RowT> = with_pool!(store, pool => {
        sqlx::query_as(
            "SELECT source, last_attempt_at, last_success_at, last_error, rows_total, \
             CAST(data_from AS TEXT), CAST(data_to AS TEXT), expected_interval_secs \
             FROM sync_state ORDER BY source",
        )
        .fetch_all(pool)
        .await
    })
    .context("failed to read sync_state")?;
    Ok(rows
        .into_iter()
        .map(|r| SourceState {
            source: r.0,
            last_attempt_at: r.1,
            last_success_at: r.2,
            last_error: r.3,
            rows: r.4,
            data_from: date_of(r.5),
            data_to: date_of(r.6),
            expected_interval_secs: r.7,
        })
        .collect())
}

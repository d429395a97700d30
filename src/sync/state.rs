//! Where a connector stands: its cursor in `sync_state.cursor` (JSON, written in the same
//! transaction as the orders it covers, so a crash can never leave a cursor ahead of the
//! data) and one `sync_runs` row per run with its counts and outcome.

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::import::db::{Tx, Val};
use crate::store::Store;
use crate::with_pool;

/// Reads the stored cursor of `source` (`None`: never synced).
pub async fn load_cursor<T: serde::de::DeserializeOwned>(
    store: &Store,
    source: &str,
) -> anyhow::Result<Option<T>> {
    let text: Option<Option<String>> = with_pool!(store, pool => {
        sqlx::query_scalar("SELECT cursor FROM sync_state WHERE source = $1")
            .bind(source)
            .fetch_optional(pool)
            .await
    })
    .with_context(|| format!("failed to read the cursor of {source}"))?;
    match text.flatten() {
        None => Ok(None),
        Some(t) => serde_json::from_str(&t).map(Some).with_context(|| {
            format!("the stored cursor of {source} is unreadable: `insight-desk sync {source} --full` starts over")
        }),
    }
}

/// Writes the cursor of `source` inside `tx` (with the data it covers).
pub async fn save_cursor<T: serde::Serialize>(
    tx: &mut Tx,
    source: &str,
    cursor: &T,
) -> anyhow::Result<()> {
    let text = serde_json::to_string(cursor)?;
    let sql = if tx.numbered() {
        "INSERT INTO sync_state (source, cursor) VALUES ($1, $2) \
         ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor"
    } else {
        "INSERT INTO sync_state (source, cursor) VALUES (?, ?) \
         ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor"
    };
    tx.execute(sql, vec![Val::Text(source.into()), Val::Text(text)])
        .await
        .with_context(|| format!("failed to save the cursor of {source}"))?;
    Ok(())
}

/// Forgets the cursor of `source` (the next sync starts with a full backfill).
pub async fn clear_cursor(store: &Store, source: &str) -> anyhow::Result<()> {
    with_pool!(store, pool => {
        sqlx::query("UPDATE sync_state SET cursor = NULL WHERE source = $1")
            .bind(source)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .with_context(|| format!("failed to clear the cursor of {source}"))
}

/// What a run wrote, as `sync_runs` records it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunCounts {
    pub records_read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Shopify's catalogue: variants read, and of them new or changed.
    #[serde(default)]
    pub variants_read: u64,
    #[serde(default)]
    pub variants_changed: u64,
    /// Shopify's stock: SKUs whose level was read, and of them new or changed for the day.
    #[serde(default)]
    pub stock_read: u64,
    #[serde(default)]
    pub stock_changed: u64,
}

/// Opens the record of a run; returns its id.
pub async fn start_run(store: &Store, source: &str, mode: &str) -> anyhow::Result<i64> {
    with_pool!(store, pool => {
        sqlx::query_scalar(
            "INSERT INTO sync_runs (source, mode, started_at, status) VALUES ($1, $2, $3, 'running') RETURNING id",
        )
        .bind(source)
        .bind(mode)
        .bind(Utc::now())
        .fetch_one(pool)
        .await
    })
    .with_context(|| format!("failed to record the start of the {source} sync"))
}

/// Closes the record of a run: its counts and, when it failed, why.
pub async fn finish_run(
    store: &Store,
    id: i64,
    mode: &str,
    counts: RunCounts,
    error: Option<&str>,
) -> anyhow::Result<()> {
    let error: Option<String> = error.map(|e| e.chars().take(500).collect());
    with_pool!(store, pool => {
        sqlx::query(
            "UPDATE sync_runs SET finished_at = $1, status = $2, records_read = $3, inserted = $4, \
             updated = $5, unchanged = $6, error = $7, mode = $8, variants_read = $9, \
             variants_changed = $10, stock_read = $11, stock_changed = $12 WHERE id = $13",
        )
        .bind(Utc::now())
        .bind(if error.is_some() { "failed" } else { "done" })
        .bind(counts.records_read as i64)
        .bind(counts.inserted as i64)
        .bind(counts.updated as i64)
        .bind(counts.unchanged as i64)
        .bind(error)
        .bind(mode)
        .bind(counts.variants_read as i64)
        .bind(counts.variants_changed as i64)
        .bind(counts.stock_read as i64)
        .bind(counts.stock_changed as i64)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .context("failed to record the end of the sync")
}

/// One row of `sync_runs`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRecord {
    pub source: String,
    pub mode: String,
    pub started_at: DateTime<Utc>,
    pub status: String,
    pub counts: RunCounts,
    pub error: Option<String>,
}

/// The runs of `source`, oldest first.
pub async fn runs(store: &Store, source: &str) -> anyhow::Result<Vec<RunRecord>> {
    type Raw = (
        String,
        String,
        DateTime<Utc>,
        String,
        i64,
        i64,
        i64,
        i64,
        Option<String>,
        i64,
        i64,
        i64,
        i64,
    );
    let raw: Vec<Raw> = with_pool!(store, pool => {
        sqlx::query_as(
            "SELECT source, mode, started_at, status, records_read, inserted, updated, unchanged, error, \
             variants_read, variants_changed, stock_read, stock_changed \
             FROM sync_runs WHERE source = $1 ORDER BY id",
        )
        .bind(source)
        .fetch_all(pool)
        .await
    })
    .context("failed to read sync_runs")?;
    Ok(raw
        .into_iter()
        .map(|r| RunRecord {
            source: r.0,
            mode: r.1,
            started_at: r.2,
            status: r.3,
            counts: RunCounts {
                records_read: r.4 as u64,
                inserted: r.5 as u64,
                updated: r.6 as u64,
                unchanged: r.7 as u64,
                variants_read: r.9 as u64,
                variants_changed: r.10 as u64,
                stock_read: r.11 as u64,
                stock_changed: r.12 as u64,
            },
            error: r.8,
        })
        .collect())
}

/// The raw cursor text of every source, for `sources`.
pub async fn cursors(store: &Store) -> anyhow::Result<Vec<(String, Option<String>)>> {
    with_pool!(store, pool => {
        sqlx::query_as("SELECT source, cursor FROM sync_state ORDER BY source")
            .fetch_all(pool)
            .await
    })
    .context("failed to read sync_state")
}

/// The `settings` key that says a sync of `source` may have written orders whose summaries
/// were not refreshed yet.
fn summaries_marker(source: &str) -> String {
    format!("sync_summaries_pending:{source}")
}

/// Marks the summaries as possibly behind `source`'s orders, before a sync writes any; returns
/// whether the mark was already there (an earlier sync stopped between its writes and its
/// refresh, so what it wrote is unknown and only a full rebuild is sure to be right).
pub async fn mark_summaries_pending(store: &Store, source: &str) -> anyhow::Result<bool> {
    let key = summaries_marker(source);
    let inserted = with_pool!(store, pool => {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, '1') ON CONFLICT (key) DO NOTHING")
            .bind(&key)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
    .with_context(|| format!("failed to mark the summaries of {source} as pending"))?;
    Ok(inserted == 0)
}

/// Clears the mark once the summaries include everything the sync wrote.
pub async fn clear_summaries_pending(store: &Store, source: &str) -> anyhow::Result<()> {
    let key = summaries_marker(source);
    with_pool!(store, pool => {
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(&key)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .with_context(|| format!("failed to clear the pending-summaries mark of {source}"))
}

/// Writes a connector's ad-report days through the CSV importer's own writer (the same rows
/// and upserts as an export of the same figures), adds what it did to `counts`, then saves the
/// cursor that covers them. The cursor is committed after the data, in its own transaction: a
/// crash in between only re-reads those days, which replaces them with the same figures.
pub(crate) async fn write_ad_days<C: serde::Serialize>(
    store: &Store,
    platform: &crate::import::ad_reports::Platform,
    days: std::collections::BTreeMap<
        (chrono::NaiveDate, String),
        (String, crate::import::ad_reports::Figures),
    >,
    source: &str,
    cursor: &C,
    counts: &mut RunCounts,
) -> anyhow::Result<()> {
    let mut summary = crate::import::ImportSummary::default();
    crate::import::ad_reports::write(
        store,
        platform,
        days,
        &crate::import::ImportOptions::default(),
        &mut summary,
    )
    .await?;
    counts.inserted += summary.inserted;
    counts.updated += summary.updated;
    counts.unchanged += summary.skipped;
    let mut tx = Tx::begin(store).await?;
    save_cursor(&mut tx, source, cursor).await?;
    tx.commit().await.context("failed to commit the cursor")
}

//! The `alerts` table: one row per alert, `open` until its finding clears (`resolved`). At most
//! one open alert per (rule, subject), enforced by a partial unique index, so two evaluations
//! racing each other cannot open it twice.

use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};

use crate::store::Store;
use crate::with_pool;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AlertRow {
    pub id: String,
    pub rule: String,
    pub subject: String,
    pub status: String,
    pub channel_id: String,
    pub opened_at: DateTime<Utc>,
    pub last_posted_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub muted_until: Option<DateTime<Utc>>,
    pub thread_ts: Option<String>,
    pub evidence: String,
}

impl AlertRow {
    pub fn is_muted(&self, now: DateTime<Utc>) -> bool {
        self.muted_until.is_some_and(|until| until > now)
    }

    /// The title recorded with the evidence, for lists.
    pub fn title(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.evidence)
            .ok()
            .and_then(|v| v["title"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{} {}", self.rule, self.subject))
    }
}

fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(0)
}

const COLUMNS: &str = "id, rule, subject, status, channel_id, opened_at, last_posted_at, resolved_at, muted_until, thread_ts, CAST(evidence AS TEXT) AS evidence";

/// The placeholder for a JSON value bound as text: Postgres stores `evidence` as JSONB.
fn json_placeholder(store: &Store, n: usize) -> String {
    match store {
        Store::Sqlite(_) => format!("${n}"),
        Store::Postgres(_) => format!("CAST(${n} AS JSONB)"),
    }
}

/// Every open alert, oldest first.
pub async fn open_alerts(store: &Store) -> anyhow::Result<Vec<AlertRow>> {
    let sql = format!("SELECT {COLUMNS} FROM alerts WHERE status = 'open' ORDER BY opened_at, id");
    let rows = with_pool!(store, pool => sqlx::query_as::<_, AlertRow>(&sql).fetch_all(pool).await)
        .context("failed to read the open alerts")?;
    Ok(rows)
}

pub async fn get(store: &Store, id: &str) -> anyhow::Result<Option<AlertRow>> {
    let sql = format!("SELECT {COLUMNS} FROM alerts WHERE id = $1");
    let row = with_pool!(store, pool => sqlx::query_as::<_, AlertRow>(&sql).bind(id).fetch_optional(pool).await)
        .context("failed to read an alert")?;
    Ok(row)
}

/// Opens an alert; `None` when one is already open for (rule, subject) (another evaluation
/// got there first).
pub async fn open(
    store: &Store,
    rule: &str,
    subject: &str,
    channel: &str,
    evidence: &serde_json::Value,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<AlertRow>> {
    let id = crate::slack::new_reference();
    let sql = format!(
        "INSERT INTO alerts (id, rule, subject, status, channel_id, opened_at, evidence) \
         VALUES ($1, $2, $3, 'open', $4, $5, {}) ON CONFLICT DO NOTHING",
        json_placeholder(store, 6)
    );
    let inserted = with_pool!(store, pool => {
        sqlx::query(&sql)
        .bind(&id)
        .bind(rule)
        .bind(subject)
        .bind(channel)
        .bind(secs(now))
        .bind(evidence.to_string())
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })
    .context("failed to open an alert")?;
    if inserted == 0 {
        return Ok(None);
    }
    get(store, &id).await
}

/// Records that the alert was posted (its thread) or reminded.
pub async fn posted(
    store: &Store,
    id: &str,
    thread_ts: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    with_pool!(store, pool => {
        sqlx::query("UPDATE alerts SET thread_ts = COALESCE(thread_ts, $2), last_posted_at = $3 WHERE id = $1")
            .bind(id)
            .bind(thread_ts)
            .bind(secs(now))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
    .context("failed to record an alert post")?;
    Ok(())
}

pub async fn update_evidence(
    store: &Store,
    id: &str,
    evidence: &serde_json::Value,
) -> anyhow::Result<()> {
    let sql = format!(
        "UPDATE alerts SET evidence = {} WHERE id = $1",
        json_placeholder(store, 2)
    );
    with_pool!(store, pool => {
        sqlx::query(&sql)
            .bind(id)
            .bind(evidence.to_string())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
    .context("failed to update an alert's evidence")?;
    Ok(())
}

pub async fn resolve(store: &Store, id: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    with_pool!(store, pool => {
        sqlx::query("UPDATE alerts SET status = 'resolved', resolved_at = $2 WHERE id = $1 AND status = 'open'")
            .bind(id)
            .bind(secs(now))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
    .context("failed to resolve an alert")?;
    Ok(())
}

/// Mutes an open alert until `until` (`None` unmutes). False when no open alert has that id.
pub async fn mute(store: &Store, id: &str, until: Option<DateTime<Utc>>) -> anyhow::Result<bool> {
    let done = with_pool!(store, pool => {
        sqlx::query("UPDATE alerts SET muted_until = $2 WHERE id = $1 AND status = 'open'")
            .bind(id)
            .bind(until.map(secs))
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
    .context("failed to mute an alert")?;
    Ok(done == 1)
}

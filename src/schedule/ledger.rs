//! The delivery ledger (`job_runs`): one row per (job, fire time), claimed *before* any work,
//! so that two replicas, or a restart, never run the same fire twice.
//!
//! - A new fire is claimed by inserting its row (`ON CONFLICT DO NOTHING`): exactly one
//!   inserter wins, on SQLite and on Postgres alike.
//! - A row comes back to be worked on when its retry is due (`status = 'retry'`) or when the
//!   replica that claimed it stopped renewing it (`status = 'claimed'`, lease expired: it
//!   crashed). Taking it is one conditional `UPDATE`; on Postgres the candidates are picked
//!   with `FOR UPDATE SKIP LOCKED`, so replicas sweeping at the same instant split the rows
//!   instead of queueing on each other's locks. No transaction is held open across a call to
//!   Slack: the lease is the lock.
//! - A row that came back may already have been delivered (crash between "sent" and
//!   "recorded"): the runner checks the channel for the run's metadata before posting again.
//!
//! Times are whole seconds in UTC, so that SQLite's text timestamps compare as instants.

use anyhow::Context;
use chrono::{DateTime, Duration, SubsecRound, Utc};

use crate::store::Store;
use crate::with_pool;

/// A run this replica holds: it may work on it until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: i64,
    pub job: String,
    pub scheduled_for: DateTime<Utc>,
    /// 1 for the first attempt.
    pub attempts: i64,
    /// The row was taken over or retried: something may already have been posted.
    pub resumed: bool,
}

impl Claim {
    /// The id carried in the Slack message's metadata: the same for every attempt of a run.
    pub fn run_id(&self) -> String {
        run_id(&self.job, self.scheduled_for)
    }
}

pub fn run_id(job: &str, scheduled_for: DateTime<Utc>) -> String {
    format!("{job}@{}", scheduled_for.format("%Y-%m-%dT%H:%M:%SZ"))
}

/// One row of the ledger, for `schedule list` and the tests.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RunRow {
    pub job: String,
    pub scheduled_for: DateTime<Utc>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub message_ts: Option<String>,
    pub error: Option<String>,
}

fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(0)
}

/// The latest fire time recorded for `job`, whatever its status.
pub async fn latest_fire(store: &Store, job: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
    let sql = "SELECT MAX(scheduled_for) FROM job_runs WHERE job = $1";
    let latest: Option<DateTime<Utc>> = match store {
        // MAX() of a text column loses sqlx's type information: read it as text.
        Store::Sqlite(pool) => {
            let text: Option<String> = sqlx::query_scalar(sql).bind(job).fetch_one(pool).await?;
            text.map(|t| DateTime::parse_from_rfc3339(&t).map(|d| d.with_timezone(&Utc)))
                .transpose()
                .with_context(|| format!("job_runs holds a bad time for {job}"))?
        }
        Store::Postgres(pool) => sqlx::query_scalar(sql).bind(job).fetch_one(pool).await?,
    };
    Ok(latest)
}

/// Claims the first attempt of (`job`, `fire`). `None`: it already has a row (another replica
/// or an earlier call took it, or it was skipped).
pub async fn claim_new(
    store: &Store,
    job: &str,
    fire: DateTime<Utc>,
    now: DateTime<Utc>,
    lease: Duration,
) -> anyhow::Result<Option<Claim>> {
    let (fire, now) = (secs(fire), secs(now));
    let id: Option<i64> = with_pool!(store, pool => {
        sqlx::query_scalar(
            "INSERT INTO job_runs (job, scheduled_for, status, attempts, lease_until, started_at) \
             VALUES ($1, $2, 'claimed', 1, $3, $4) \
             ON CONFLICT (job, scheduled_for) DO NOTHING RETURNING id",
        )
        .bind(job)
        .bind(fire)
        .bind(now + lease)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
    .with_context(|| format!("failed to claim {job} at {fire}"))?;
    Ok(id.map(|id| Claim {
        id,
        job: job.to_string(),
        scheduled_for: fire,
        attempts: 1,
        resumed: false,
    }))
}

/// Records (`job`, `fire`) as skipped with `reason`, unless it already has a row. True when
/// this call recorded it (so the notice is logged once).
pub async fn skip(
    store: &Store,
    job: &str,
    fire: DateTime<Utc>,
    now: DateTime<Utc>,
    reason: &str,
) -> anyhow::Result<bool> {
    let done = with_pool!(store, pool => {
        sqlx::query(
            "INSERT INTO job_runs (job, scheduled_for, status, attempts, finished_at, outcome) \
             VALUES ($1, $2, 'skipped', 0, $3, $4) ON CONFLICT (job, scheduled_for) DO NOTHING",
        )
        .bind(job)
        .bind(secs(fire))
        .bind(secs(now))
        .bind(reason)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })
    .with_context(|| format!("failed to record the skipped run {job} at {fire}"))?;
    Ok(done == 1)
}

/// Takes every run whose retry is due or whose holder's lease ran out, for this replica.
pub async fn claim_due_retries(
    store: &Store,
    now: DateTime<Utc>,
    lease: Duration,
) -> anyhow::Result<Vec<Claim>> {
    let now = secs(now);
    let due =
        "(status = 'retry' AND next_attempt_at <= $1) OR (status = 'claimed' AND lease_until < $1)";
    let rows: Vec<(i64, String, DateTime<Utc>, i64)> = match store {
        Store::Postgres(pool) => {
            let sql = format!(
                "UPDATE job_runs SET status = 'claimed', attempts = attempts + 1, lease_until = $2, next_attempt_at = NULL \
                 WHERE id IN (SELECT id FROM job_runs WHERE {due} ORDER BY scheduled_for LIMIT 20 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, job, scheduled_for, attempts"
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(now + lease)
                .fetch_all(pool)
                .await?
        }
        // SQLite has one writer at a time: the UPDATE re-checks the condition under its lock.
        Store::Sqlite(pool) => {
            let sql = format!(
                "UPDATE job_runs SET status = 'claimed', attempts = attempts + 1, lease_until = $2, next_attempt_at = NULL \
                 WHERE id IN (SELECT id FROM job_runs WHERE {due} ORDER BY scheduled_for LIMIT 20) \
                 RETURNING id, job, scheduled_for, attempts"
            );
            sqlx::query_as(&sql)
                .bind(now)
                .bind(now + lease)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(id, job, scheduled_for, attempts)| Claim {
            id,
            job,
            scheduled_for,
            attempts,
            resumed: true,
        })
        .collect())
}

/// The run is delivered (or had already been: `outcome` says which).
pub async fn done(
    store: &Store,
    claim: &Claim,
    now: DateTime<Utc>,
    outcome: &str,
    message_ts: Option<&str>,
) -> anyhow::Result<()> {
    finish(
        store,
        claim,
        "done",
        now,
        None,
        Some(outcome),
        message_ts,
        None,
    )
    .await
}

/// This attempt failed; try again at `next`.
pub async fn retry_at(
    store: &Store,
    claim: &Claim,
    next: DateTime<Utc>,
    outcome: &str,
    error: &str,
) -> anyhow::Result<()> {
    finish(
        store,
        claim,
        "retry",
        next,
        Some(next),
        Some(outcome),
        None,
        Some(error),
    )
    .await
}

/// Not an attempt: the run waits (freshness gate) and will be taken again at `next` with the
/// same attempt count.
pub async fn wait_until(
    store: &Store,
    claim: &Claim,
    next: DateTime<Utc>,
    outcome: &str,
) -> anyhow::Result<()> {
    with_pool!(store, pool => {
        sqlx::query(
            "UPDATE job_runs SET status = 'retry', attempts = attempts - 1, next_attempt_at = $2, lease_until = NULL, outcome = $3 WHERE id = $1",
        )
        .bind(claim.id)
        .bind(secs(next))
        .bind(outcome)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })
    .context("failed to record the wait in job_runs")?;
    Ok(())
}

/// The last attempt failed.
pub async fn failed(
    store: &Store,
    claim: &Claim,
    now: DateTime<Utc>,
    error: &str,
) -> anyhow::Result<()> {
    finish(
        store,
        claim,
        "failed",
        now,
        None,
        Some("failed"),
        None,
        Some(error),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    store: &Store,
    claim: &Claim,
    status: &str,
    now: DateTime<Utc>,
    next: Option<DateTime<Utc>>,
    outcome: Option<&str>,
    message_ts: Option<&str>,
    error: Option<&str>,
) -> anyhow::Result<()> {
    let finished = (status != "retry").then_some(secs(now));
    with_pool!(store, pool => {
        sqlx::query(
            "UPDATE job_runs SET status = $2, lease_until = NULL, next_attempt_at = $3, finished_at = $4, \
             outcome = $5, message_ts = COALESCE($6, message_ts), error = $7 WHERE id = $1",
        )
        .bind(claim.id)
        .bind(status)
        .bind(next.map(secs))
        .bind(finished)
        .bind(outcome)
        .bind(message_ts)
        .bind(error)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })
    .with_context(|| format!("failed to record {status} for {}", claim.run_id()))?;
    Ok(())
}

/// The most recent runs, newest first.
pub async fn recent(store: &Store, limit: i64) -> anyhow::Result<Vec<RunRow>> {
    let rows = with_pool!(store, pool => {
        sqlx::query_as::<_, RunRow>(
            "SELECT job, scheduled_for, status, attempts, next_attempt_at, finished_at, outcome, message_ts, error \
             FROM job_runs ORDER BY scheduled_for DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
    .context("failed to read job_runs")?;
    Ok(rows)
}

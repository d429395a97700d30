//! SQLite's full rebuild reads the SKU summary's rows on a second connection while its own
//! transaction runs the other statements, then inserts them.
//!
//! SQLite runs a statement on one core, and the rebuild's statements one after the other, so
//! on a machine with two cores one of them idled through the rebuild. The SKU summary is the
//! one statement that neither depends on what the rebuild changes (customers' acquisitions)
//! nor reads `summary_sales_build`, and it is the second dearest (1.4 s of 5.8 s after a
//! 1 M-line import, 2026-12-06). Its `SELECT` ([`summaries::SKU_SELECT`], the same text as
//! the statement it replaces) runs on a pooled connection from the moment the rebuild's
//! transaction holds the write lock: from then on no other writer can commit, so that read
//! sees exactly what the rebuild's transaction started from. Its rows come back through a
//! channel, a chunk at a time, and are inserted in the rebuild's transaction after its last
//! statement; the channel holds at most [`CHUNKS_AHEAD`] chunks whatever the number of days
//! and SKUs. Measured on the import benchmark (2026-12-06, nothing else running): with room
//! for all 109 k rows and the rebuild's 16 MiB cache, the read aside (1.7 s) ended within
//! `summary_sales_build` (1.9 s) and the insert took 0.2 s; with the settings below (64 k
//! rows, the pool's 8 MiB, for the backfill's peak RSS) the rest of the read and the insert
//! take 0.35–0.45 s after the last statement, where the statement itself took 1.4 s.
//!
//! The second connection comes from the pool: while it waits for one, the rebuild goes on, and
//! only its end waits for the rows.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::summaries;
use crate::import::db::Val;
use crate::import::raw_sqlite::RawConn;

/// One row of [`summaries::SKU_SELECT`]: day, SKU, category and the seven sums.
type SkuRow = (
    String,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// Rows per chunk sent.
const CHUNK: usize = 500;

/// Chunks the reader may send before the rebuild takes any: up to 64 k rows, ~11 MB (a row
/// holds three short strings and seven integers, ~176 bytes). Sorting is only half of the
/// statement's work: SQLite sums the sorted rows as it returns them, which a short channel
/// held back until the rebuild's last statement (0.9 s after it, 2026-12-06). A shop with
/// more day × SKU rows than this waits for the rest at the end, holding no more.
const CHUNKS_AHEAD: usize = 128;

/// The SKU summary's rows being read on another connection.
pub(super) struct SkuAside {
    chunks: mpsc::Receiver<Vec<SkuRow>>,
    reader: JoinHandle<sqlx::Result<Duration>>,
}

impl SkuAside {
    /// Starts reading. Call it once the rebuild's transaction holds the write lock.
    pub(super) fn start(pool: &SqlitePool) -> SkuAside {
        let (sender, chunks) = mpsc::channel(CHUNKS_AHEAD);
        let pool = pool.clone();
        let reader = tokio::spawn(async move {
            let started = Instant::now();
            // The pool's page cache (8 MiB; SQLite's sorter keeps as much in memory): with the
            // rebuild's 16 MiB, the peak RSS of the 1 M-order backfill rose to 196 MB.
            let mut conn = pool.acquire().await?;
            read(&mut conn, &sender).await?;
            Ok(started.elapsed())
        });
        SkuAside { chunks, reader }
    }

    /// Inserts every row into `daily_sku_sales_summary` on the rebuild's connection, as the
    /// reading goes; returns how long the reading took in all. One prepared single-row insert
    /// on the connection itself (src/import/raw_sqlite.rs): through sqlx's multi-row
    /// statements the 109 k rows of the import benchmark took 0.7 s, after the last statement.
    pub(super) async fn insert(mut self, tx: &mut SqliteConnection) -> anyhow::Result<Duration> {
        let sql = format!(
            "{}VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            summaries::SKU_INSERT
        );
        while let Some(chunk) = self.chunks.recv().await {
            let raw = RawConn::lock(&mut *tx).await?;
            let mut insert = raw.prepare(&sql)?;
            for (day, sku, category, a, b, c, d, e, f, g) in chunk {
                insert.run(&[
                    Val::Text(day),
                    sku.into(),
                    Val::Text(category),
                    Val::Int(a),
                    Val::Int(b),
                    Val::Int(c),
                    Val::Int(d),
                    Val::Int(e),
                    Val::Int(f),
                    Val::Int(g),
                ])?;
            }
        }
        self.reader
            .await
            .map_err(|e| anyhow::anyhow!("the SKU summary's reader failed: {e}"))?
            .map_err(anyhow::Error::from)
    }
}

/// Reads [`summaries::SKU_SELECT`] on `conn`, sending its rows a chunk at a time; stops early
/// when the receiver is gone (the rebuild failed and dropped its end).
async fn read(conn: &mut SqliteConnection, sender: &mpsc::Sender<Vec<SkuRow>>) -> sqlx::Result<()> {
    let mut rows = sqlx::query_as::<_, SkuRow>(summaries::SKU_SELECT).fetch(&mut *conn);
    let mut chunk = Vec::with_capacity(CHUNK);
    let started = Instant::now();
    let mut first = true;
    while let Some(row) = rows.try_next().await? {
        if first {
            tracing::debug!(
                elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                "summary rebuild: SKU summary sorted aside"
            );
            first = false;
        }
        chunk.push(row);
        if chunk.len() == CHUNK {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
            if sender.send(full).await.is_err() {
                return Ok(());
            }
        }
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "summary rebuild: SKU summary read aside"
    );
    if !chunk.is_empty() {
        let _ = sender.send(chunk).await;
    }
    Ok(())
}

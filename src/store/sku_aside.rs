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
//! short channel, a chunk at a time, and are inserted in the rebuild's transaction, so memory
//! holds a few chunks whatever the number of days and SKUs.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::summaries;

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

/// Rows per chunk sent and per `INSERT` (ten values each: well under SQLite's 32 766).
const CHUNK: usize = 500;

/// The SKU summary's rows being read on another connection.
pub(super) struct SkuAside {
    chunks: mpsc::Receiver<Vec<SkuRow>>,
    reader: JoinHandle<sqlx::Result<Duration>>,
}

impl SkuAside {
    /// Starts reading. Call it once the rebuild's transaction holds the write lock.
    pub(super) fn start(pool: &SqlitePool) -> SkuAside {
        let (sender, chunks) = mpsc::channel(8);
        let pool = pool.clone();
        let reader = tokio::spawn(async move {
            let started = Instant::now();
            let mut conn = pool.acquire().await?;
            let mut rows = sqlx::query_as::<_, SkuRow>(summaries::SKU_SELECT).fetch(&mut *conn);
            let mut chunk = Vec::with_capacity(CHUNK);
            while let Some(row) = rows.try_next().await? {
                chunk.push(row);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if sender.send(full).await.is_err() {
                        // The rebuild failed and dropped its end: nothing left to read for.
                        return Ok(started.elapsed());
                    }
                }
            }
            if !chunk.is_empty() {
                let _ = sender.send(chunk).await;
            }
            Ok(started.elapsed())
        });
        SkuAside { chunks, reader }
    }

    /// Inserts every row into `daily_sku_sales_summary` on the rebuild's connection, as the
    /// reading goes; returns how long the reading took in all.
    pub(super) async fn insert(mut self, tx: &mut SqliteConnection) -> sqlx::Result<Duration> {
        while let Some(chunk) = self.chunks.recv().await {
            let mut insert = sqlx::QueryBuilder::<Sqlite>::new(summaries::SKU_INSERT);
            insert.push_values(chunk, |mut row, (day, sku, category, a, b, c, d, e, f, g)| {
                row.push_bind(day)
                    .push_bind(sku)
                    .push_bind(category)
                    .push_bind(a)
                    .push_bind(b)
                    .push_bind(c)
                    .push_bind(d)
                    .push_bind(e)
                    .push_bind(f)
                    .push_bind(g);
            });
            insert.build().execute(&mut *tx).await?;
        }
        self.reader
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("the SKU summary's reader failed: {e}")))?
    }
}

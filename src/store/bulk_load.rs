//! What a long bulk load (the Shopify backfill) needs from the store beyond its transactions:
//! secondary indexes dropped while it writes and built once at its end, a lease that tells
//! other processes the load is alive, and a connection of its own.
//!
//! Deferred indexes. A million orders inserted one by one into indexes keyed by day, customer
//! and SKU land at random places in them; building an index once sorts its keys (the CSV
//! import does the same within its single transaction, `Tx::drop_secondary_indexes`). A
//! backfill commits as it goes, to be resumable, so its drop outlives a transaction: the
//! definitions are written to `deferred_indexes` (migration 0015) in the transaction that
//! drops them, and deleted in the one that builds them again ([`build_deferred`]). Whatever
//! the moment a load is killed, the store holds each index or its row there, never neither.
//!
//! The lease. A recorded index is built again by the load at its end, or by the next process
//! that opens the store ([`Store::open`] calls [`restore_abandoned`]), unless the load is still
//! alive: a `report` or `serve` started during a backfill must not build indexes under it
//! (it would take the write lock for seconds and leave the load maintaining them). Alive means
//! holding the lease: on SQLite an OS lock on a file next to the database
//! (`<db>.load-lock`), on Postgres a session advisory lock. Both are released by the OS or the
//! server when the process dies, so a killed load never holds it; a resumed load takes it
//! again and may keep the indexes dropped.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{Connection, PgConnection};

use super::{rebuild_cache_kib, set_sqlite_cache, Store, POOL_CACHE_KIB};

/// The Postgres advisory lock of the lease. Advisory locks are scoped to the database, so a
/// fixed key serves every store.
const PG_LEASE_KEY: i64 = 0x1d15_0015_10ad;

/// Held by the process loading with deferred indexes, for as long as it loads.
pub struct LoadLease {
    _holder: Holder,
}

enum Holder {
    /// The OS lock is released when the file is closed, or the process dies.
    File { _locked: std::fs::File },
    /// The session lock is released when the connection closes, or the process dies.
    Postgres(PgConnection),
    /// An in-memory database: no other process can open it.
    Memory,
}

impl LoadLease {
    /// Releases the lease now (dropping it does too; on Postgres this also waits until the
    /// server has let the lock go).
    pub async fn release(self) {
        if let Holder::Postgres(conn) = self._holder {
            let _ = conn.close().await;
        }
    }
}

/// The file whose OS lock is the lease of a SQLite store; none for an in-memory database.
fn lock_path(store: &Store) -> Option<PathBuf> {
    let Store::Sqlite(pool) = store else {
        return None;
    };
    let options = pool.connect_options();
    let file = options.get_filename();
    let name = file.to_string_lossy();
    if name.is_empty() || name == ":memory:" || name.starts_with("file:") {
        return None;
    }
    let mut lock = file.as_os_str().to_owned();
    lock.push(".load-lock");
    Some(PathBuf::from(lock))
}

/// An exclusive `flock` on `file`, without waiting: false when another open file holds it
/// (another process, or this one through another open). Closing the file releases it.
fn try_flock(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is open for as long as `file` is borrowed; flock only reads it.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Takes the lease if no live process holds it.
pub async fn try_lease(store: &Store) -> anyhow::Result<Option<LoadLease>> {
    let holder = match store {
        Store::Sqlite(_) => match lock_path(store) {
            None => Some(Holder::Memory),
            Some(path) => {
                let file = std::fs::File::options()
                    .create(true)
                    .truncate(false)
                    .read(true)
                    .write(true)
                    .open(&path)
                    .with_context(|| format!("failed to open the load lock {}", path.display()))?;
                match try_flock(&file) {
                    Ok(true) => Some(Holder::File { _locked: file }),
                    Ok(false) => None,
                    Err(e) => {
                        return Err(e).with_context(|| {
                            format!("failed to lock the load lock {}", path.display())
                        })
                    }
                }
            }
        },
        Store::Postgres(pool) => {
            let mut conn = PgConnection::connect_with(&pool.connect_options())
                .await
                .context("failed to connect for the load lease")?;
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(PG_LEASE_KEY)
                .fetch_one(&mut conn)
                .await
                .context("failed to take the load lease")?;
            if got {
                Some(Holder::Postgres(conn))
            } else {
                let _ = conn.close().await;
                None
            }
        }
    };
    Ok(holder.map(|h| LoadLease { _holder: h }))
}

/// Takes the lease, waiting up to `patience` for another holder to let it go (Postgres frees
/// a killed session's lock a moment after its connection drops); `None` if it did not.
pub async fn lease(store: &Store, patience: Duration) -> anyhow::Result<Option<LoadLease>> {
    let started = Instant::now();
    loop {
        if let Some(lease) = try_lease(store).await? {
            return Ok(Some(lease));
        }
        if started.elapsed() >= patience {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many indexes are recorded as dropped.
pub async fn deferred_count(store: &Store) -> anyhow::Result<i64> {
    store.count_rows("deferred_indexes").await
}

/// Builds every recorded index that is missing and forgets the records, in one transaction;
/// returns how many were built. The caller holds the lease (or is the load itself).
///
/// The transaction's first statement is the delete, a write: on SQLite it takes the write
/// lock at once (waiting for another writer), rather than reading first and failing to
/// upgrade when another connection wrote in between.
pub async fn build_deferred(store: &Store) -> anyhow::Result<usize> {
    const TAKE: &str = "DELETE FROM deferred_indexes RETURNING name, definition";
    macro_rules! build {
        ($tx:expr, $exists:expr) => {
            async {
                let mut recorded: Vec<(String, String)> =
                    sqlx::query_as(TAKE).fetch_all(&mut *$tx).await?;
                recorded.sort();
                let mut built = 0;
                for (name, definition) in recorded {
                    let exists: Option<i32> = sqlx::query_scalar($exists)
                        .bind(&name)
                        .fetch_optional(&mut *$tx)
                        .await?;
                    if exists.is_some() {
                        continue;
                    }
                    let started = Instant::now();
                    sqlx::query(&definition).execute(&mut *$tx).await?;
                    built += 1;
                    tracing::debug!(
                        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                        index = name.as_str(),
                        "deferred index built"
                    );
                }
                Ok::<usize, sqlx::Error>(built)
            }
        };
    }
    let built = match store {
        Store::Sqlite(pool) => {
            let mut conn = pool.acquire().await?;
            // The sorter of CREATE INDEX keeps up to the page cache's size in memory.
            set_sqlite_cache(&mut conn, rebuild_cache_kib()).await?;
            let built = async {
                let mut tx = conn.begin().await?;
                let built = build!(
                    tx,
                    "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = $1"
                )
                .await?;
                tx.commit().await?;
                Ok::<usize, sqlx::Error>(built)
            }
            .await;
            let restored = set_sqlite_cache(&mut conn, POOL_CACHE_KIB).await;
            built.and_then(|b| restored.map(|_| b))
        }
        Store::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let built = build!(
                tx,
                "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1"
            )
            .await?;
            tx.commit().await?;
            Ok(built)
        }
    };
    built.context("failed to build the indexes a bulk load deferred")
}

/// At start-up: builds the indexes a killed load left recorded, unless a live load holds
/// the lease (it builds them at its end). Returns how many were built.
pub async fn restore_abandoned(store: &Store) -> anyhow::Result<usize> {
    if deferred_count(store).await? == 0 {
        return Ok(0);
    }
    let Some(lease) = try_lease(store).await? else {
        tracing::info!("a bulk load under way elsewhere builds its deferred indexes at its end");
        return Ok(0);
    };
    let built = build_deferred(store).await;
    lease.release().await;
    let built = built?;
    if built > 0 {
        tracing::warn!(
            built,
            "built the indexes an interrupted bulk load had dropped"
        );
    }
    Ok(built)
}

/// A store of one connection to the same database, for a load's transactions (none where the
/// store itself serves: close it after the load), which checks no foreign keys (below). On
/// SQLite the
/// pool hands out its connections in turn, and a connection that finds the database changed
/// by another one since its last transaction drops its whole page cache: a load committing
/// every few batches on the pool's four connections read its pages back from the OS at every
/// transaction. One connection keeps them. Postgres keeps no cache on the client: the pool
/// itself serves.
pub async fn dedicated(store: &Store) -> anyhow::Result<Option<Store>> {
    match store {
        Store::Sqlite(pool) if lock_path(store).is_some() => {
            // No foreign-key checks: each one looked the parent row up (a random read in
            // `customers` for every order, 3 s of a million-order backfill on a loaded
            // machine). The load writes a child row only with the id its parent's insert or
            // upsert returned in the same transaction (`OrderSink`), and deletes an edited
            // order's lines and refunds itself, relying on no cascade.
            let options = (*pool.connect_options()).clone().foreign_keys(false);
            let single = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .context("failed to open the load's connection")?;
            Ok(Some(Store::Sqlite(single)))
        }
        _ => Ok(None),
    }
}

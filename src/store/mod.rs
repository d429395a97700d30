//! The store: one source of truth, SQLite by default and Postgres at scale.
//!
//! The backend is chosen from the URL (`sqlite:` or `postgres:`), as atuin does. Both
//! backends run the same migrations (paired files under `migrations/sqlite` and
//! `migrations/postgres`) and the same metric SQL, so every caller above this module sees one
//! `Store` and never branches on the backend except through the small helpers here.

pub mod bulk_load;
mod firsts;
mod incremental;
mod settings;
mod sku_aside;
mod summaries;
mod value_summary;

pub use firsts::{
    refresh_after_import, refresh_after_load, refresh_after_load_timed, refresh_customer_firsts,
    StatementTimes,
};
pub use incremental::Touched;
pub use settings::ShopSettings;

use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Context};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The page cache of each pooled SQLite connection, in KiB.
pub const POOL_CACHE_KIB: i64 = 8 * 1024;
const POOL_CACHE_PRAGMA: &str = "-8192";
/// The page cache of a connection doing a bulk load, in KiB: large enough to hold the pages
/// of the indexes a load updates at random (`SQLITE_LOAD_CACHE_KIB` overrides it, for
/// benchmarks).
pub fn load_cache_kib() -> i64 {
    cache_from_env("SQLITE_LOAD_CACHE_KIB", 32 * 1024)
}

/// The page cache of the connection rebuilding the summary tables, in KiB. SQLite's sorter
/// also holds up to the page cache's size in memory before spilling a run to a temporary
/// file, so this counts twice against a load's memory (`SQLITE_REBUILD_CACHE_KIB` overrides
/// it, for benchmarks).
pub fn rebuild_cache_kib() -> i64 {
    cache_from_env("SQLITE_REBUILD_CACHE_KIB", 16 * 1024)
}

fn cache_from_env(var: &str, default: i64) -> i64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|&k| k >= 1024)
        .unwrap_or(default)
}

/// Sets the page cache of one SQLite connection (a negative `cache_size` is in KiB). Setting
/// it lower frees the pages above the new size.
pub async fn set_sqlite_cache(conn: &mut sqlx::SqliteConnection, kib: i64) -> sqlx::Result<()> {
    sqlx::query(&format!("PRAGMA cache_size = -{kib}"))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// A connection pool to the store, on either backend.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same block against whichever pool the store holds. The block sees `$pool` bound
/// to a `&SqlitePool` or a `&PgPool`; the SQL inside must be valid on both.
#[macro_export]
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}

impl Store {
    /// Connects to `url` (`sqlite://path`, `sqlite::memory:` or `postgres://…`). A SQLite file
    /// is created if missing. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("invalid SQLite URL {}", redact_url(url)))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 8 MiB of page cache per connection (4 connections): the metrics read
                // summary tables of a few MB, and the cache was most of a report's memory.
                // Bulk loads raise it on their own connection (`set_sqlite_cache`).
                .pragma("cache_size", POOL_CACHE_PRAGMA)
                // Temporary tables and sorts spill to a temporary file, not to memory: the
                // summary rebuild sorts a million sales rows (169 MB in memory, 31 MB this way,
                // same CPU time, at 1 M orders); the metrics' own sorts are a few thousand rows.
                .pragma("temp_store", "file");
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .with_context(|| format!("failed to open {}", redact_url(url)))?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .with_context(|| format!("invalid Postgres URL {}", redact_url(url)))?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .with_context(|| format!("failed to connect to {}", redact_url(url)))?;
            Ok(Store::Postgres(pool))
        } else {
            bail!(
                "unsupported database URL {}: expected sqlite://FILE or postgres://USER@HOST/DB",
                redact_url(url)
            )
        }
    }

    /// Connects and applies every pending migration; builds the indexes an interrupted bulk
    /// load left dropped (see `bulk_load`).
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        bulk_load::restore_abandoned(&store).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend that are not yet applied.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Store::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Store::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .context("failed to apply migrations")
    }

    /// Number of rows in `table` (a fixed identifier from this crate, never user input).
    pub async fn count_rows(&self, table: &'static str) -> anyhow::Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(&sql).fetch_one(pool).await)
            .with_context(|| format!("failed to count rows of {table}"))?;
        Ok(n)
    }

    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// A database URL with its password replaced, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://bob:s3cret@db:5432/shop"),
            "postgres://bob:***@db:5432/shop"
        );
        assert_eq!(
            redact_url("postgres://bob@db/shop"),
            "postgres://bob@db/shop"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}

//! The importers' side of the store: one transaction, typed bound values, and multi-row
//! statements whose SQL text is built once per size.
//!
//! An import writes a file in one transaction so that `--on-error abort` can leave the store
//! exactly as it was, and `--dry-run` can do every write and roll it back. Rows go in as
//! multi-row statements of power-of-two sizes (at most a few distinct SQL texts per table, all
//! kept in the drivers' prepared-statement caches), with `?` placeholders on SQLite (whose
//! driver looks `$n` up by name, in linear time) and `$n` on Postgres.

use chrono::{DateTime, NaiveDate, Utc};

use crate::store::{load_cache_kib, rebuild_cache_kib, set_sqlite_cache, Store, POOL_CACHE_KIB};

/// One bound value. Nulls carry their type: Postgres refuses an untyped NULL for a
/// `TIMESTAMPTZ` column once the statement was prepared with another type.
#[derive(Debug, Clone)]
pub enum Val {
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Ts(DateTime<Utc>),
    Bool(bool),
    NullInt,
    NullText,
    NullTs,
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        v.map_or(Val::NullInt, Val::Int)
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        v.map_or(Val::NullText, Val::Text)
    }
}

impl From<Option<DateTime<Utc>>> for Val {
    fn from(v: Option<DateTime<Utc>>) -> Val {
        v.map_or(Val::NullTs, Val::Ts)
    }
}

macro_rules! bind_all {
    ($query:expr, $vals:expr) => {{
        let mut q = $query;
        for v in $vals {
            q = match v {
                Val::Int(x) => q.bind(x),
                Val::Text(x) => q.bind(x),
                Val::Date(x) => q.bind(x),
                Val::Ts(x) => q.bind(x),
                Val::Bool(x) => q.bind(x),
                Val::NullInt => q.bind(None::<i64>),
                Val::NullText => q.bind(None::<String>),
                Val::NullTs => q.bind(None::<DateTime<Utc>>),
            };
        }
        q
    }};
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// Begins the import's transaction. On SQLite its connection gets the page cache of a
    /// bulk load (`store::load_cache_kib`) and an in-memory statement journal until the
    /// commit or rollback, which set both back.
    ///
    /// The statement journal: every multi-row statement inside a transaction keeps the pages
    /// it changes in a journal of its own, so that a failing row can undo the statement's
    /// earlier rows. With the pool's `temp_store = FILE` that journal spills to a temporary
    /// file past 64 KiB, and a million-line import spent an eighth of its CPU time in those
    /// `pwrite`s (perf, 2026-11-25). SQLite decides where it goes when the transaction first
    /// writes, so it is set right after `BEGIN`; it holds at most the pages of one statement.
    /// SQLite refuses the change inside a transaction when the connection has temporary
    /// tables open (a summary rebuild ran on it): then the import only runs slower.
    pub async fn begin(store: &Store) -> sqlx::Result<Tx> {
        Ok(match store {
            Store::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                set_sqlite_cache(&mut tx, load_cache_kib()).await?;
                if let Err(e) = sqlx::query("PRAGMA temp_store = MEMORY")
                    .execute(&mut *tx)
                    .await
                {
                    tracing::debug!(error = %e, "statement journal left on file");
                }
                // Foreign keys checked at the commit rather than after each row: an
                // immediate check makes every insert of a line, refund or order keep a
                // statement journal of the pages it changes (6 % of a first import's time,
                // perf 2026-12-06). A violation still fails the import, at its commit,
                // which rolls everything back. SQLite clears the setting at the end of the
                // transaction.
                sqlx::query("PRAGMA defer_foreign_keys = ON")
                    .execute(&mut *tx)
                    .await?;
                Tx::Sqlite(tx)
            }
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Postgres plans the lookups of a long import from the statistics of the tables as they
    /// were before it (often empty), and then scans a table that the import itself keeps
    /// growing: every batch's lookup of its orders by `(source, external_id)` became a
    /// sequential scan, and a million-line import took quadratic time. The lookups are all by
    /// key, so this transaction is told to use the indexes.
    pub async fn prefer_indexes(&mut self) -> sqlx::Result<()> {
        if let Tx::Postgres(tx) = self {
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Drops the secondary (non-unique) indexes of `orders` and `order_lines` and returns
    /// their `CREATE INDEX` statements, read from the schema, for [`Tx::build_indexes`].
    ///
    /// For a first import into an empty store: a million lines inserted one by one into
    /// indexes keyed by customer, day and SKU land at random places in them, whereas building
    /// an index once sorts its keys (what the demo load does, src/demo/sink.rs). The unique
    /// indexes stay: the import's lookups and upserts go through them. The drop is part of
    /// the import's transaction, so a failed import keeps its indexes.
    pub async fn drop_secondary_indexes(&mut self) -> sqlx::Result<Vec<String>> {
        let indexes = self.drop_secondary_indexes_named().await?;
        Ok(indexes.into_iter().map(|(_, _, sql)| sql).collect())
    }

    /// [`Tx::drop_secondary_indexes`] for a load that commits as it goes (the Shopify
    /// backfill): each dropped index is recorded in `deferred_indexes` in this transaction,
    /// for `store::bulk_load::build_deferred` to build again at the load's end, or at the
    /// next start-up if the load is killed first. Returns how many were dropped.
    pub async fn defer_secondary_indexes(&mut self) -> sqlx::Result<usize> {
        let indexes = self.drop_secondary_indexes_named().await?;
        let numbered = self.numbered();
        let sql = format!(
            "INSERT INTO deferred_indexes (name, table_name, definition, dropped_at) VALUES {}",
            tuples(1, 4, numbered, 1)
        );
        for (name, table, definition) in &indexes {
            self.execute(
                &sql,
                vec![
                    Val::Text(name.clone()),
                    Val::Text(table.clone()),
                    Val::Text(definition.clone()),
                    Val::Ts(Utc::now()),
                ],
            )
            .await?;
        }
        Ok(indexes.len())
    }

    /// Drops them; returns each one's name, table and `CREATE INDEX` statement.
    async fn drop_secondary_indexes_named(
        &mut self,
    ) -> sqlx::Result<Vec<(String, String, String)>> {
        let indexes: Vec<(String, String, String)> =
            match self {
                Tx::Sqlite(tx) => sqlx::query_as(
                    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('orders', 'order_lines')",
                )
                .fetch_all(&mut **tx)
                .await?,
                Tx::Postgres(tx) => {
                    sqlx::query_as(
                        "SELECT indexname::TEXT, tablename::TEXT, indexdef FROM pg_indexes \
                     WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' \
                     AND tablename IN ('orders', 'order_lines')",
                    )
                    .fetch_all(&mut **tx)
                    .await?
                }
            };
        for (name, _, _) in &indexes {
            self.execute(&format!("DROP INDEX {name}"), Vec::new())
                .await?;
        }
        Ok(indexes)
    }

    /// Runs the `CREATE INDEX` statements [`Tx::drop_secondary_indexes`] returned. On SQLite
    /// with the summary rebuild's page cache: the sorter keeps up to the cache's size in
    /// memory, and the load's larger cache is still full of pages.
    pub async fn build_indexes(&mut self, statements: &[String]) -> sqlx::Result<()> {
        if statements.is_empty() {
            return Ok(());
        }
        if let Tx::Sqlite(tx) = self {
            set_sqlite_cache(tx, rebuild_cache_kib()).await?;
        }
        for sql in statements {
            let started = std::time::Instant::now();
            self.execute(sql, Vec::new()).await?;
            tracing::debug!(
                elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                statement = sql.as_str(),
                "index built again"
            );
        }
        Ok(())
    }

    /// `$n` placeholders (Postgres) rather than `?` (SQLite).
    pub fn numbered(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }

    pub async fn execute(&mut self, sql: &str, vals: Vec<Val>) -> sqlx::Result<u64> {
        Ok(match self {
            Tx::Sqlite(tx) => bind_all!(sqlx::query(sql), vals)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => bind_all!(sqlx::query(sql), vals)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs a statement returning `(id, key)` rows (`RETURNING id, key` or a lookup).
    pub async fn id_keys(&mut self, sql: &str, vals: Vec<Val>) -> sqlx::Result<Vec<(i64, String)>> {
        match self {
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_as(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_as(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    /// Runs a statement returning `(id, key, text)` rows.
    pub async fn id_key_texts(
        &mut self,
        sql: &str,
        vals: Vec<Val>,
    ) -> sqlx::Result<Vec<(i64, String, Option<String>)>> {
        match self {
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_as(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_as(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    /// Runs a statement returning one integer per row.
    pub async fn i64s(&mut self, sql: &str, vals: Vec<Val>) -> sqlx::Result<Vec<i64>> {
        match self {
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_scalar(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_scalar(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    /// Runs a statement returning one text per row.
    pub async fn texts(&mut self, sql: &str, vals: Vec<Val>) -> sqlx::Result<Vec<String>> {
        match self {
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_scalar(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_scalar(sql), vals)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    /// Runs a statement returning at most one row, read as `T` (a tuple) on either backend.
    pub async fn optional_row<T>(&mut self, sql: &str, vals: Vec<Val>) -> sqlx::Result<Option<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        match self {
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_as(sql), vals)
                    .fetch_optional(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_as(sql), vals)
                    .fetch_optional(&mut **tx)
                    .await
            }
        }
    }

    /// Runs a statement returning at most one integer.
    pub async fn optional_i64(&mut self, sql: &str, vals: Vec<Val>) -> sqlx::Result<Option<i64>> {
        match self {
            Tx::Sqlite(tx) => {
                bind_all!(sqlx::query_scalar(sql), vals)
                    .fetch_optional(&mut **tx)
                    .await
            }
            Tx::Postgres(tx) => {
                bind_all!(sqlx::query_scalar(sql), vals)
                    .fetch_optional(&mut **tx)
                    .await
            }
        }
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(mut tx) => {
                set_sqlite_cache(&mut tx, POOL_CACHE_KIB).await?;
                restore_temp_store(&mut tx).await?;
                tx.commit().await
            }
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Commits, leaving a SQLite connection its load settings (page cache, statement
    /// journal in memory): for a load's intermediate commits on a connection of its own
    /// (`store::bulk_load::dedicated`), whose next transaction finds its pages still cached.
    /// The connection is closed with its pool at the load's end.
    pub async fn commit_keeping_cache(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(mut tx) => {
                set_sqlite_cache(&mut tx, POOL_CACHE_KIB).await?;
                restore_temp_store(&mut tx).await?;
                tx.rollback().await
            }
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Puts the pool's `temp_store = FILE` back (see [`Tx::begin`]): temporary tables and sorts
/// of later statements on this connection go to a file again. The import opens no temporary
/// table, so SQLite accepts the change inside its transaction.
async fn restore_temp_store(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<()> {
    sqlx::query("PRAGMA temp_store = FILE")
        .execute(conn)
        .await
        .map(|_| ())
}

/// `(?, ?), (?, ?)` or `($3, $4), ($5, $6)`: `rows` tuples of `width` placeholders
/// numbered from `first`.
pub fn tuples(rows: usize, width: usize, numbered: bool, first: usize) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(rows * width * 4);
    let mut n = first;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                let _ = write!(sql, "${n}");
            } else {
                sql.push('?');
            }
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// Splits `n` rows into statement sizes: as many `max` as fit, then powers of two, so a
/// table needs at most log2(max) + 1 distinct SQL texts.
pub fn chunk_sizes(mut n: usize, max: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut size = max;
    while n > 0 {
        while size > n {
            size /= 2;
        }
        sizes.push(size);
        n -= size;
    }
    sizes
}

/// Rows per statement for a table of `width` columns: a power of two, at most 256 rows and
/// 4 096 parameters.
pub fn max_rows(width: usize) -> usize {
    let mut n = 256;
    while n * width > 4_096 {
        n /= 2;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_built_from_few_sizes() {
        assert_eq!(tuples(2, 2, true, 2), "($2, $3), ($4, $5)");
        assert_eq!(tuples(1, 3, false, 1), "(?, ?, ?)");
        assert_eq!(chunk_sizes(300, 128), vec![128, 128, 32, 8, 4]);
        assert_eq!(chunk_sizes(0, 128), Vec::<usize>::new());
        assert_eq!(max_rows(21), 128);
        assert_eq!(max_rows(9), 256);
    }
}

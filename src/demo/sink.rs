//! Streams the generated rows into the store, fast and on both backends.
//!
//! Rows arrive as flat vectors of [`Val`] per table and leave as multi-row `INSERT`s with
//! bound parameters (`$n` on Postgres, `?` on SQLite). A full statement carries a fixed
//! number of rows (up to 256, far under both backends' parameter limits); a tail is split into
//! power-of-two statements, so each table needs about ten distinct SQL texts, each built
//! once and kept in the drivers' prepared-statement caches. Parents are always written
//! before their children (customers, then orders, then lines, refunds and touches) because
//! foreign keys are checked per statement. Everything goes into one transaction: a failed
//! run leaves no half-written shop behind (only its settings rows), and one connection
//! (one page cache, raised to `store::load_cache_kib` for the load: the random inserts into
//! the customer and order indexes otherwise evict and re-read pages all along) does all the
//! writing. It costs disk, not memory: SQLite's WAL grows to about the size of the
//! database until the commit checkpoints it.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use super::rows::{Rows, Table, Val, TABLES};
use crate::store::{load_cache_kib, rebuild_cache_kib, set_sqlite_cache, Store, POOL_CACHE_KIB};

/// The tables with the most rows; their secondary indexes are dropped for the load and built
/// again, sorted, at its end (inside the transaction, so a failed load keeps them).
macro_rules! bulk_tables {
    () => {
        "('customers', 'orders', 'order_lines', 'refunds', 'touches')"
    };
}

enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

macro_rules! bind_vals {
    ($query:expr, $vals:expr) => {{
        let mut q = $query;
        for v in $vals {
            q = match v {
                Val::Int(x) => q.bind(x),
                Val::Text(x) => q.bind(x),
                Val::Str(x) => q.bind(x),
                Val::Date(x) => q.bind(x),
                Val::Ts(x) => q.bind(x),
                Val::Bool(x) => q.bind(x),
                Val::NullInt => q.bind(None::<i64>),
                Val::NullText => q.bind(None::<String>),
                Val::NullDate => q.bind(None::<NaiveDate>),
                Val::NullTs => q.bind(None::<DateTime<Utc>>),
            };
        }
        q
    }};
}

impl Tx {
    async fn begin(store: &Store) -> sqlx::Result<Tx> {
        Ok(match store {
            Store::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                set_sqlite_cache(&mut tx, load_cache_kib()).await?;
                Tx::Sqlite(tx)
            }
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    async fn execute(&mut self, sql: &str, vals: impl Iterator<Item = Val>) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => {
                bind_vals!(sqlx::query(sql), vals)
                    .execute(&mut **tx)
                    .await?;
            }
            Tx::Postgres(tx) => {
                bind_vals!(sqlx::query(sql), vals)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// The secondary (non-unique) indexes of the tables the demo fills, as their
    /// `CREATE INDEX` statements, read from the schema the migrations made.
    async fn secondary_indexes(&mut self) -> sqlx::Result<Vec<(String, String)>> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::query_as(concat!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ",
                    bulk_tables!()
                ))
                .fetch_all(&mut **tx)
                .await
            }
            Tx::Postgres(tx) => {
                sqlx::query_as(concat!(
                    "SELECT indexname::TEXT, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                     AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename IN ",
                    bulk_tables!()
                ))
                .fetch_all(&mut **tx)
                .await
            }
        }
    }

    async fn run(&mut self, sql: &str) -> sqlx::Result<()> {
        self.execute(sql, std::iter::empty()).await
    }

    /// Commits; on SQLite the connection goes back to the pool with the pool's page cache
    /// (the pages over it are freed once the commit has written them).
    async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(mut tx) => {
                set_sqlite_cache(&mut tx, POOL_CACHE_KIB).await?;
                tx.commit().await
            }
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Buffers rows and writes them in batches, all in one transaction.
pub struct Writer<'s> {
    store: &'s Store,
    tx: Option<Tx>,
    /// The `CREATE INDEX` statements to run again before the commit.
    dropped_indexes: Vec<String>,
    pending: Rows,
    sql: BTreeMap<(Table, usize), Arc<str>>,
    pub written: [u64; TABLES],
}

const FLUSH_ROWS: usize = 16_384;

impl<'s> Writer<'s> {
    /// Starts the load into an empty store. Building an index once over sorted keys is much
    /// cheaper than a million inserts at random places in it (the customer and order indexes
    /// are keyed by customer), so the bulk tables' secondary indexes are dropped here and
    /// built again in [`Writer::finish`]; unique ones stay, the data is checked against them.
    pub async fn begin(store: &'s Store) -> anyhow::Result<Writer<'s>> {
        let mut tx = Tx::begin(store)
            .await
            .context("failed to start writing the demo shop")?;
        let indexes = tx
            .secondary_indexes()
            .await
            .context("failed to read the indexes of the demo tables")?;
        for (name, _) in &indexes {
            tx.run(&format!("DROP INDEX {name}"))
                .await
                .with_context(|| format!("failed to drop index {name} for the load"))?;
        }
        Ok(Writer {
            store,
            tx: Some(tx),
            dropped_indexes: indexes.into_iter().map(|(_, sql)| sql).collect(),
            pending: Rows::default(),
            sql: BTreeMap::new(),
            written: [0; TABLES],
        })
    }

    pub async fn add(&mut self, mut rows: Rows) -> anyhow::Result<()> {
        for t in Table::ALL {
            self.pending.values[t as usize].append(&mut rows.values[t as usize]);
        }
        if self.pending.len() >= FLUSH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        for table in Table::ALL {
            let values = std::mem::take(&mut self.pending.values[table as usize]);
            let width = table.columns().len();
            let mut left = values.len() / width;
            let mut values = values.into_iter();
            let mut size = table.batch_rows();
            while left > 0 {
                while size > left {
                    size /= 2;
                }
                let sql = self.sql_for(table, size);
                let tx = self.tx.as_mut().expect("an open transaction");
                tx.execute(&sql, values.by_ref().take(size * width))
                    .await
                    .with_context(|| format!("failed to insert demo rows into {}", table.name()))?;
                left -= size;
                self.written[table as usize] += size as u64;
            }
        }
        Ok(())
    }

    /// Writes what is left, builds the dropped indexes again and commits.
    pub async fn finish(mut self) -> anyhow::Result<[u64; TABLES]> {
        self.flush().await?;
        if let Some(mut tx) = self.tx.take() {
            // The index builds sort, and SQLite's sorter keeps up to the page cache's size
            // in memory: back to the rebuild's cache size first, so both do not add up.
            if let Tx::Sqlite(t) = &mut tx {
                set_sqlite_cache(t, rebuild_cache_kib())
                    .await
                    .context("failed to size the page cache")?;
            }
            for sql in &self.dropped_indexes {
                tx.run(sql)
                    .await
                    .with_context(|| format!("failed to build again: {sql}"))?;
            }
            tx.commit().await.context("failed to commit demo rows")?;
        }
        Ok(self.written)
    }

    fn sql_for(&mut self, table: Table, rows: usize) -> Arc<str> {
        let numbered = matches!(self.store, Store::Postgres(_));
        self.sql
            .entry((table, rows))
            .or_insert_with(|| insert_sql(table, rows, numbered).into())
            .clone()
    }
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), …` for `rows` rows; with plain `?`
/// placeholders for SQLite, whose driver looks each `$n` up by name, in linear time.
fn insert_sql(table: Table, rows: usize, numbered: bool) -> String {
    use std::fmt::Write;
    let columns = table.columns();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name(),
        columns.join(", ")
    );
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            n += 1;
            sql.push_str(if c == 0 { "" } else { ", " });
            if numbered {
                let _ = write!(sql, "${n}");
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_stay_under_both_parameter_limits() {
        for t in Table::ALL {
            assert!(t.batch_rows() * t.columns().len() <= 4_096, "{}", t.name());
            assert!(t.batch_rows().is_power_of_two());
        }
        assert_eq!(
            insert_sql(Table::Targets, 2, true),
            "INSERT INTO targets (date, revenue_cents) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(Table::Targets, 1, false),
            "INSERT INTO targets (date, revenue_cents) VALUES (?, ?)"
        );
    }
}

//! Streams the generated rows into the store, fast and on both backends.
//!
//! Rows arrive as flat vectors of [`Val`] per table and leave as multi-row `INSERT`s with
//! bound parameters (`$n` on Postgres, `?` on SQLite). A full statement carries a fixed
//! number of rows (up to 256, far under both backends' parameter limits); a tail is split into
//! power-of-two statements, so each table needs about ten distinct SQL texts, each built
//! once and kept in the drivers' prepared-statement caches. Parents are always written
//! before their children (customers, then orders, then lines, refunds and touches) because
//! foreign keys are checked per statement. Everything goes into one transaction: a failed
//! run leaves no half-written shop behind (only its settings rows), and one connection (one page cache) does
//! all the writing. It costs disk, not memory: SQLite's WAL grows to about the size of the
//! database until the commit checkpoints it.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use crate::store::Store;

/// One bound value. Nulls carry their type: Postgres rejects an untyped NULL parameter for
/// a `DATE` or `TIMESTAMPTZ` column once it has been sent as `INT8`.
pub enum Val {
    Int(i64),
    Text(String),
    Str(&'static str),
    Date(NaiveDate),
    Ts(DateTime<Utc>),
    Bool(bool),
    NullInt,
    NullText,
    NullDate,
    NullTs,
}

/// Every table the generator fills, in the order parents before children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    Products,
    Variants,
    PriceHistory,
    Customers,
    Orders,
    OrderLines,
    Refunds,
    Touches,
    InventoryLevels,
    PurchaseOrders,
    AdSpend,
    Traffic,
    Targets,
    CashBalances,
    SyncState,
}

pub const TABLES: usize = 15;

impl Table {
    pub const ALL: [Table; TABLES] = [
        Table::Products,
        Table::Variants,
        Table::PriceHistory,
        Table::Customers,
        Table::Orders,
        Table::OrderLines,
        Table::Refunds,
        Table::Touches,
        Table::InventoryLevels,
        Table::PurchaseOrders,
        Table::AdSpend,
        Table::Traffic,
        Table::Targets,
        Table::CashBalances,
        Table::SyncState,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Products => "products",
            Table::Variants => "variants",
            Table::PriceHistory => "price_history",
            Table::Customers => "customers",
            Table::Orders => "orders",
            Table::OrderLines => "order_lines",
            Table::Refunds => "refunds",
            Table::Touches => "touches",
            Table::InventoryLevels => "inventory_levels",
            Table::PurchaseOrders => "purchase_orders",
            Table::AdSpend => "ad_spend",
            Table::Traffic => "traffic",
            Table::Targets => "targets",
            Table::CashBalances => "cash_balances",
            Table::SyncState => "sync_state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Products => &["id", "handle", "title", "category", "vendor", "created_at"],
            Table::Variants => &[
                "sku",
                "product_id",
                "title",
                "price_cents",
                "currency",
                "supplier_cost_cents",
                "packaging_cents",
                "inbound_logistics_cents",
                "fulfilment_cents",
                "storage_rate_bp",
                "return_rate_bp",
                "overhead_cents",
                "lead_time_days",
                "active",
            ],
            Table::PriceHistory => &["sku", "valid_from", "price_cents", "is_promo"],
            Table::Customers => &[
                "id",
                "customer_key",
                "email",
                "phone",
                "first_name",
                "country",
                "created_at",
                "accepts_marketing",
            ],
            Table::Orders => &[
                "id",
                "source",
                "external_id",
                "customer_id",
                "placed_at",
                "local_date",
                "day_no",
                "currency",
                "channel",
                "source_name",
                "discount_code",
                "gross_cents",
                "discount_cents",
                "net_cents",
                "shipping_cents",
                "tax_cents",
                "total_cents",
                "cancelled_at",
                "is_test",
                "updated_at",
            ],
            Table::OrderLines => &[
                "order_id",
                "line_no",
                "sku",
                "title",
                "quantity",
                "unit_price_cents",
                "discount_cents",
                "net_cents",
                "unit_cost_cents",
            ],
            Table::Refunds => &[
                "id",
                "order_id",
                "external_id",
                "refunded_at",
                "local_date",
                "amount_cents",
                "sku",
                "quantity",
                "restocked",
                "reason",
            ],
            Table::Touches => &[
                "id",
                "customer_id",
                "order_id",
                "touched_at",
                "channel",
                "campaign",
            ],
            Table::InventoryLevels => &["sku", "date", "on_hand"],
            Table::PurchaseOrders => &[
                "id",
                "sku",
                "ordered_date",
                "expected_date",
                "received_date",
                "quantity",
                "unit_cost_cents",
            ],
            Table::AdSpend => &[
                "date",
                "channel",
                "campaign",
                "source",
                "currency",
                "spend_cents",
                "impressions",
                "clicks",
                "conversions",
                "conversion_value_cents",
            ],
            Table::Traffic => &[
                "date",
                "source",
                "medium",
                "channel",
                "sessions",
                "conversions",
            ],
            Table::Targets => &["date", "revenue_cents"],
            Table::CashBalances => &["date", "account", "balance_cents", "currency"],
            Table::SyncState => &[
                "source",
                "last_attempt_at",
                "last_success_at",
                "rows_total",
                "data_from",
                "data_to",
            ],
        }
    }

    /// Rows per full statement: a power of two, at most 256 rows and 4 096 parameters (big
    /// statements gain nothing and make prepared statements heavy in memory).
    fn batch_rows(self) -> usize {
        let mut n = 256;
        while n * self.columns().len() > 4_096 {
            n /= 2;
        }
        n
    }
}

/// Rows produced by the generator, per table, values flattened row after row.
#[derive(Default)]
pub struct Rows {
    values: [Vec<Val>; TABLES],
    /// Days of history these rows complete (for the progress bar).
    pub days: u64,
}

impl Rows {
    pub fn push<const N: usize>(&mut self, table: Table, row: [Val; N]) {
        debug_assert_eq!(N, table.columns().len(), "{}", table.name());
        self.values[table as usize].extend(row);
    }

    pub fn count(&self, table: Table) -> usize {
        self.values[table as usize].len() / table.columns().len()
    }

    pub fn len(&self) -> usize {
        Table::ALL
            .iter()
            .map(|&t| self.values[t as usize].len() / t.columns().len())
            .sum()
    }
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
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
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

    async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// Buffers rows and writes them in batches, all in one transaction.
pub struct Writer<'s> {
    store: &'s Store,
    tx: Option<Tx>,
    pending: Rows,
    sql: BTreeMap<(Table, usize), Arc<str>>,
    pub written: [u64; TABLES],
}

const FLUSH_ROWS: usize = 16_384;

impl<'s> Writer<'s> {
    pub async fn begin(store: &'s Store) -> anyhow::Result<Writer<'s>> {
        let tx = Tx::begin(store)
            .await
            .context("failed to start writing the demo shop")?;
        Ok(Writer {
            store,
            tx: Some(tx),
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

    /// Writes what is left and commits.
    pub async fn finish(mut self) -> anyhow::Result<[u64; TABLES]> {
        self.flush().await?;
        if let Some(tx) = self.tx.take() {
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

//! Each customer's first counted order, its day and its channel: the customer's acquisition.
//!
//! "New vs returning", CAC, LTV per channel and cohorts all hang on it, so it is derived here,
//! in one statement per backend-neutral SQL, from the orders themselves, and never entered by
//! hand. Every writer of orders (demo generator, importers, sync) calls [`refresh_after_load`]
//! once at the end, which recomputes this and every other derived table.

use anyhow::Context;
use sqlx::Connection;

use std::borrow::Cow;

use super::incremental::{self, Touched};
use super::{summaries, value_summary, Store};
use crate::with_pool;

/// Rows already clear are left alone: after a first import every customer is, and rewriting
/// them all cost a full pass of writes over the table.
const CLEAR: &str = "UPDATE customers SET first_order_id = NULL, first_order_at = NULL, \
                     first_order_date = NULL, first_order_day_no = NULL, acquisition_channel = NULL \
                     WHERE first_order_id IS NOT NULL OR first_order_at IS NOT NULL \
                     OR first_order_date IS NOT NULL OR first_order_day_no IS NOT NULL \
                     OR acquisition_channel IS NOT NULL";

/// Counted orders exclude cancelled and test orders (see docs/metrics.md); ties on the
/// same instant are broken by order id so that the answer is deterministic. `$only` narrows
/// the customers (an `AND` on the orders' `customer_id`): empty for all of them.
macro_rules! set_firsts {
    ($only:literal) => {
        concat!(
            "
UPDATE customers SET
    first_order_id = f.id,
    first_order_at = f.placed_at,
    first_order_date = f.local_date,
    first_order_day_no = f.day_no,
    acquisition_channel = f.channel
FROM (
    SELECT id, customer_id, placed_at, local_date, day_no, channel
    FROM (
        SELECT id, customer_id, placed_at, local_date, day_no, channel,
               ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY placed_at, id) AS rn
        FROM orders
        WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test ",
            $only,
            "
    ) ranked
    WHERE rn = 1
) f
WHERE customers.id = f.customer_id"
        )
    };
}

const SET_FIRSTS: &str = set_firsts!("");

/// [`CLEAR`] and [`SET_FIRSTS`] for the customers listed in the temporary table
/// `refresh_customers` only (src/store/incremental.rs).
pub(super) const CLEAR_TOUCHED: &str = concat!(
    "UPDATE customers SET first_order_id = NULL, first_order_at = NULL, \
     first_order_date = NULL, first_order_day_no = NULL, acquisition_channel = NULL ",
    "WHERE id IN (SELECT id FROM refresh_customers)"
);
pub(super) const SET_FIRSTS_TOUCHED: &str =
    set_firsts!("AND customer_id IN (SELECT id FROM refresh_customers)");

/// Recomputes every customer's acquisition from the orders, in one transaction. Only that:
/// the summary tables still hold the old customer types and cohorts, so writers call
/// [`refresh_after_load`], which does this and rebuilds them.
pub async fn refresh_customer_firsts(store: &Store) -> anyhow::Result<()> {
    with_pool!(store, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(CLEAR).execute(&mut *tx).await?;
        sqlx::query(SET_FIRSTS).execute(&mut *tx).await?;
        tx.commit().await
    })
    .context("failed to recompute customers' first orders")
}

/// Runs `statements` in order on an open transaction of either backend, logging each one's
/// time. Literal-valued statements (owned text, used once) are not kept prepared.
macro_rules! rebuild {
    ($tx:expr, $statements:expr) => {
        async {
            for sql in $statements {
                let started = std::time::Instant::now();
                sqlx::query(&sql)
                    .persistent(matches!(sql, Cow::Borrowed(_)))
                    .execute(&mut *$tx)
                    .await?;
                tracing::debug!(
                    elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                    statement = sql.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
                    "summary rebuild"
                );
            }
            Ok::<(), sqlx::Error>(())
        }
    };
}

/// The statements of the full rebuild, in order.
fn full_rebuild() -> Vec<Cow<'static, str>> {
    [CLEAR, SET_FIRSTS]
        .into_iter()
        .chain(summaries::CLEAR)
        .chain(summaries::REBUILD)
        .chain([value_summary::CLEAR])
        .chain(value_summary::REBUILD)
        .map(Cow::Borrowed)
        .collect()
}

/// Recomputes everything derived from the raw tables, in one transaction: customers'
/// acquisition, then the summary tables the metric queries read (src/store/summaries.rs),
/// which depend on it. Every writer (demo generator, importers, sync) calls this once after
/// its load, inside no transaction of its own. Readers see the old figures until it commits.
///
/// On SQLite the rebuild runs on one connection given a larger page cache for its duration
/// ([`super::rebuild_cache_kib`]): its joins and sorts touch every order and line, and with the
/// pool's small cache they re-read the same pages from the OS many times over. The cache is
/// set back to the pool's size afterwards, which frees the pages, so reports keep their low
/// memory.
pub async fn refresh_after_load(store: &Store) -> anyhow::Result<()> {
    run(store, full_rebuild())
        .await
        .context("failed to recompute customers' first orders and the summary tables")
}

/// What an order writer calls after its load instead of [`refresh_after_load`] when it knows
/// what it wrote ([`Touched`], from `OrderSink::touched`): recomputes the acquisitions and
/// summary rows those orders can have changed (src/store/incremental.rs), or everything when
/// they are a large share of the store (an empty store's first import), which gives the same
/// tables faster. Nothing touched: nothing to do.
pub async fn refresh_after_import(store: &Store, touched: &Touched) -> anyhow::Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    let stored = store.count_rows("orders").await?;
    if !incremental::worth_it(touched.orders.len(), stored) {
        return refresh_after_load(store).await;
    }
    run(store, incremental::statements(touched))
        .await
        .context("failed to recompute the acquisitions and summary rows of the imported orders")
}

async fn run(store: &Store, statements: Vec<Cow<'static, str>>) -> sqlx::Result<()> {
    match store {
        Store::Sqlite(pool) => {
            let mut conn = pool.acquire().await?;
            super::set_sqlite_cache(&mut conn, super::rebuild_cache_kib()).await?;
            // Its sorts spill to a file (the pool's setting, which an import changes on its
            // own connection for the duration of its transaction only).
            sqlx::query("PRAGMA temp_store = FILE")
                .execute(&mut *conn)
                .await?;
            let rebuilt = async {
                let mut tx = conn.begin().await?;
                rebuild!(tx, statements).await?;
                tx.commit().await
            }
            .await;
            let restored = super::set_sqlite_cache(&mut conn, super::POOL_CACHE_KIB).await;
            rebuilt.and(restored)
        }
        Store::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            rebuild!(tx, statements).await?;
            tx.commit().await
        }
    }
}

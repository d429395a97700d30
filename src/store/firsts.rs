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
use super::sku_aside::SkuAside;
use super::{summaries, value_summary, Store};
use crate::with_pool;

/// Counted orders exclude cancelled and test orders (see docs/metrics.md); ties on the
/// same instant are broken by order id so that the answer is deterministic. A customer without
/// a counted order gets NULLs (the sub-select finds no row), so nothing needs clearing first.
/// `$only` narrows the customers (a `WHERE` on `customers`): empty for all of them.
///
/// One look-up per customer in `orders_customer` (customer, placed_at; the order id breaks
/// ties as the index's last column), which stops at the first counted order: on SQLite this
/// is 4–5× faster than numbering every order with `ROW_NUMBER()` and joining the first ones
/// back (0.5 s instead of 2.2 s at 400 k orders, 0.7 s instead of 4.3 s at 1 M).
macro_rules! set_firsts {
    ($only:literal) => {
        concat!(
            "UPDATE customers SET (first_order_id, first_order_at, first_order_date, \
             first_order_day_no, acquisition_channel) = (
    SELECT o.id, o.placed_at, o.local_date, o.day_no, o.channel
    FROM orders o
    WHERE o.customer_id = customers.id AND o.cancelled_at IS NULL AND NOT o.is_test
    ORDER BY o.placed_at, o.id
    LIMIT 1
) ",
            $only
        )
    };
}

const SET_FIRSTS: &str = set_firsts!("");

/// [`SET_FIRSTS`] for the customers listed in the temporary table `refresh_customers` only
/// (src/store/incremental.rs).
pub(super) const SET_FIRSTS_TOUCHED: &str =
    set_firsts!("WHERE id IN (SELECT id FROM refresh_customers)");

/// Recomputes every customer's acquisition from the orders, in one transaction. Only that:
/// the summary tables still hold the old customer types and cohorts, so writers call
/// [`refresh_after_load`], which does this and rebuilds them.
pub async fn refresh_customer_firsts(store: &Store) -> anyhow::Result<()> {
    with_pool!(store, pool => {
        sqlx::query(SET_FIRSTS).execute(pool).await.map(|_| ())
    })
    .context("failed to recompute customers' first orders")
}

/// Runs `statements` in order on an open transaction of either backend, logging each one's
/// time and adding it to `$times`. Literal-valued statements (owned text, used once) are not
/// kept prepared.
macro_rules! rebuild {
    ($tx:expr, $statements:expr, $times:expr) => {
        async {
            for sql in $statements {
                let started = std::time::Instant::now();
                sqlx::query(&sql)
                    .persistent(matches!(sql, Cow::Borrowed(_)))
                    .execute(&mut *$tx)
                    .await?;
                let elapsed = started.elapsed();
                let statement = sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
                tracing::debug!(
                    elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                    statement,
                    "summary rebuild"
                );
                $times.push((statement, elapsed));
            }
            Ok::<(), sqlx::Error>(())
        }
    };
}

/// Each statement of a rebuild (its first words) and how long it took, in order.
pub type StatementTimes = Vec<(String, std::time::Duration)>;

/// The statements of the full rebuild, in order; without the SKU summary's when its rows are
/// read aside (`sku_aside`, src/store/sku_aside.rs). [`SET_FIRSTS`] comes first: it takes the
/// write lock, after which the rows can be read aside.
fn full_rebuild(sku_aside: bool) -> Vec<Cow<'static, str>> {
    let summaries: &[&'static str] = if sku_aside {
        &summaries::REBUILD_AFTER_SKU
    } else {
        &summaries::REBUILD
    };
    [SET_FIRSTS]
        .into_iter()
        .chain(summaries::CLEAR)
        .chain([value_summary::CLEAR])
        .chain(summaries::BUILD)
        .chain(summaries.iter().copied())
        .chain(value_summary::REBUILD)
        .chain([summaries::DROP_BUILD])
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
    refresh_after_load_timed(store).await.map(|_| ())
}

/// [`refresh_after_load`], returning each statement's time (`bench-rebuild`).
pub async fn refresh_after_load_timed(store: &Store) -> anyhow::Result<StatementTimes> {
    let sku_aside = matches!(store, Store::Sqlite(_));
    run(store, full_rebuild(sku_aside), sku_aside)
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
    run(store, incremental::statements(touched), false)
        .await
        .map(|_| ())
        .context("failed to recompute the acquisitions and summary rows of the imported orders")
}

/// Runs `statements` in one transaction. `sku_aside` (SQLite only): the SKU summary's rows
/// are read on another connection once the first statement has taken the write lock, and
/// inserted after the last statement.
async fn run(
    store: &Store,
    statements: Vec<Cow<'static, str>>,
    sku_aside: bool,
) -> anyhow::Result<StatementTimes> {
    let mut times = StatementTimes::new();
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
                let mut statements = statements.into_iter();
                rebuild!(tx, statements.by_ref().take(1), times).await?;
                let aside = sku_aside.then(|| SkuAside::start(pool));
                rebuild!(tx, statements, times).await?;
                if let Some(aside) = aside {
                    let started = std::time::Instant::now();
                    let read = aside.insert(&mut tx).await?;
                    tracing::debug!(
                        read_ms = read.as_secs_f64() * 1000.0,
                        insert_ms = started.elapsed().as_secs_f64() * 1000.0,
                        "summary rebuild: SKU summary inserted"
                    );
                    times.push((
                        "SKU summary (read aside, then inserted)".to_string(),
                        started.elapsed(),
                    ));
                }
                tx.commit().await?;
                anyhow::Ok(())
            }
            .await;
            let restored = super::set_sqlite_cache(&mut conn, super::POOL_CACHE_KIB).await;
            rebuilt?;
            restored?;
        }
        Store::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            rebuild!(tx, statements, times).await?;
            tx.commit().await?;
        }
    }
    Ok(times)
}

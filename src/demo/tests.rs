//! The demo shop's promises, checked on a small generated store (scale 0.05, SQLite): the
//! same seed gives the same data, the books balance, nothing happens after the end date,
//! stock never goes negative, and the three planted situations are there for the cockpit.

use chrono::NaiveDate;
use sqlx::SqlitePool;

use super::{generate, DemoOptions, DemoSummary};
use crate::store::Store;

const END: &str = "2026-11-20";

fn options(seed: u64) -> DemoOptions {
    DemoOptions {
        seed,
        scale: 0.05,
        end_date: NaiveDate::parse_from_str(END, "%Y-%m-%d").unwrap(),
        timezone: chrono_tz::Europe::Paris,
        progress: false,
    }
}

async fn demo_store(dir: &tempfile::TempDir, seed: u64) -> (Store, DemoSummary) {
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let store = Store::open(&url).await.unwrap();
    let summary = generate(&store, &options(seed)).await.unwrap();
    (store, summary)
}

fn pool(store: &Store) -> &SqlitePool {
    match store {
        Store::Sqlite(pool) => pool,
        Store::Postgres(_) => unreachable!("these tests use SQLite"),
    }
}

async fn scalar_f64(store: &Store, sql: &str) -> f64 {
    sqlx::query_scalar::<_, f64>(sql)
        .fetch_one(pool(store))
        .await
        .unwrap()
}

async fn scalar_i64(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool(store))
        .await
        .unwrap()
}

/// Every column of the orders, lines and ad spend, in a fixed order.
async fn fingerprint(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT id || '|' || external_id || '|' || COALESCE(customer_id, '') || '|' || placed_at || '|' || local_date \
         || '|' || day_no || '|' || channel || '|' || COALESCE(discount_code, '') || '|' || gross_cents || '|' \
         || discount_cents || '|' || net_cents || '|' || shipping_cents || '|' || tax_cents || '|' || total_cents \
         || '|' || COALESCE(cancelled_at, '') || '|' || is_test FROM orders ORDER BY id",
        "SELECT order_id || '|' || line_no || '|' || sku || '|' || title || '|' || quantity || '|' || unit_price_cents \
         || '|' || discount_cents || '|' || net_cents || '|' || unit_cost_cents FROM order_lines ORDER BY order_id, line_no",
        "SELECT date || '|' || channel || '|' || campaign || '|' || spend_cents || '|' || impressions || '|' || clicks \
         || '|' || conversions || '|' || conversion_value_cents FROM ad_spend ORDER BY date, channel, campaign",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool(store)).await.unwrap();
        out.extend(rows);
    }
    out
}

#[tokio::test]
async fn the_same_seed_gives_identical_data_and_another_seed_does_not() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (first, summary) = demo_store(&a, 7).await;
    let (second, _) = demo_store(&b, 7).await;
    let (other, _) = demo_store(&c, 8).await;
    let print = fingerprint(&first).await;
    assert!(summary.orders > 3_000, "{summary:?}");
    assert_eq!(
        print.len() as i64,
        summary.orders + summary.order_lines + 730 * 7
    );
    assert!(
        print == fingerprint(&second).await,
        "two runs with seed 7 differ"
    );
    assert!(
        print != fingerprint(&other).await,
        "seeds 7 and 8 gave the same shop"
    );
}

#[tokio::test]
async fn the_demo_shop_is_consistent_and_shows_its_planted_situations() {
    let dir = tempfile::tempdir().unwrap();
    let (store, summary) = demo_store(&dir, 42).await;
    assert_eq!(summary.first_day.to_string(), "2024-11-21");
    assert!(
        summary.skus >= 200 && summary.customers > 1_000,
        "{summary:?}"
    );

    // The books balance, order by order.
    let unbalanced = scalar_i64(
        &store,
        "SELECT COUNT(*) FROM orders o WHERE o.net_cents != (SELECT SUM(l.net_cents) FROM order_lines l WHERE l.order_id = o.id) \
         OR o.net_cents != o.gross_cents - o.discount_cents OR o.total_cents != o.net_cents + o.shipping_cents + o.tax_cents",
    )
    .await;
    assert_eq!(unbalanced, 0, "orders whose lines or totals do not add up");

    // Nothing after the end date; refunds after their order; stock never negative.
    let late = scalar_i64(
        &store,
        &format!("SELECT COUNT(*) FROM refunds WHERE local_date > '{END}'"),
    )
    .await;
    assert_eq!(late, 0, "refunds after the end date");
    let early = scalar_i64(&store, "SELECT COUNT(*) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.refunded_at <= o.placed_at").await;
    assert_eq!(early, 0, "refunds before their order");
    assert!(
        scalar_i64(&store, "SELECT MIN(on_hand) FROM inventory_levels").await >= 0,
        "negative stock"
    );
    assert!(
        scalar_i64(&store, "SELECT MIN(balance_cents) FROM cash_balances").await > 0,
        "cash went negative"
    );
    // E-mail opens: keyed by a customer's e-mail, only subscribers, none before the
    // customer's first order nor after the end date (the silence signal's input).
    let opens = scalar_i64(&store, "SELECT COUNT(*) FROM email_engagement_days").await;
    assert!(opens > 1_000, "{opens} opens");
    let strays = scalar_i64(
        &store,
        "SELECT COUNT(*) FROM email_engagement_days e LEFT JOIN customers c ON c.customer_key = e.customer_key \
         WHERE c.id IS NULL OR NOT c.accepts_marketing \
            OR e.day_no <= (SELECT MIN(o.day_no) FROM orders o WHERE o.customer_id = c.id)",
    )
    .await;
    assert_eq!(
        strays, 0,
        "opens of unknown, unsubscribed or not yet buying customers"
    );
    let after = scalar_i64(
        &store,
        &format!(
            "SELECT COUNT(*) FROM email_engagement_days WHERE day_no > {}",
            crate::domain::day_no(END.parse().unwrap())
        ),
    )
    .await;
    assert_eq!(after, 0, "opens after the end date");
    let bad_touches = scalar_i64(
        &store,
        "SELECT COUNT(*) FROM touches t JOIN orders o ON o.id = t.order_id WHERE t.touched_at >= o.placed_at",
    )
    .await;
    assert_eq!(bad_touches, 0, "touches at or after their order");
    assert_eq!(
        scalar_i64(&store, "SELECT COUNT(*) FROM sync_state").await,
        6
    );

    // (1) A top-5 SKU by revenue under 14 days of cover, with a purchase order on the way.
    let at_risk = scalar_i64(
        &store,
        &format!(
            "WITH top AS (SELECT sku, SUM(revenue_cents) AS revenue, SUM(units) / 28.0 AS per_day FROM sales_facts \
             WHERE day BETWEEN date('{END}', '-27 days') AND '{END}' GROUP BY sku ORDER BY revenue DESC LIMIT 5) \
             SELECT COUNT(*) FROM top JOIN inventory_levels i ON i.sku = top.sku AND i.date = '{END}' \
             WHERE i.on_hand < 14 * top.per_day \
             AND EXISTS (SELECT 1 FROM purchase_orders p WHERE p.sku = top.sku AND p.received_date IS NULL AND p.expected_date > '{END}')"
        ),
    )
    .await;
    assert!(
        at_risk >= 1,
        "no best-seller under 14 days of cover with an open purchase order"
    );

    // (2) Meta's ROAS over the last 5 days has collapsed against the 28 days before.
    let roas = |from: &str, to: &str| {
        format!(
            "SELECT (SELECT SUM(revenue_cents) FROM sales_facts WHERE channel = 'meta' AND day BETWEEN {from} AND {to}) * 1.0 \
             / (SELECT SUM(spend_cents) FROM ad_spend WHERE channel = 'meta' AND date BETWEEN {from} AND {to})"
        )
    };
    let recent = scalar_f64(
        &store,
        &roas(&format!("date('{END}', '-4 days')"), &format!("'{END}'")),
    )
    .await;
    let before = scalar_f64(
        &store,
        &roas(
            &format!("date('{END}', '-32 days')"),
            &format!("date('{END}', '-5 days')"),
        ),
    )
    .await;
    assert!(
        recent < 0.6 * before,
        "meta ROAS {recent:.2} over the last 5 days vs {before:.2} before"
    );

    // (3) The end date is 15–25 % below its objective.
    let vs_target = scalar_f64(
        &store,
        &format!(
            "SELECT (SELECT SUM(revenue_cents) FROM sales_facts WHERE day = '{END}') * 1.0 \
             / (SELECT revenue_cents FROM targets WHERE date = '{END}')"
        ),
    )
    .await;
    assert!(
        (0.75..=0.85).contains(&vs_target),
        "revenue is {vs_target:.3} of the target on the end date"
    );

    // Demo data only goes into an empty store.
    let err = generate(&store, &options(42))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("store already holds") && err.contains("demo.db"),
        "{err}"
    );
}

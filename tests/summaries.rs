//! Every metric that reads a summary table (migration 0004) gives exactly the figure the
//! same metric gave when it read the fact views, on both backends: the view-based SQL each
//! `queries/` file had before the summaries is kept here as the independent reference, and
//! both are run over several periods and every breakdown, on the hand-built shop of
//! tests/cockpit.rs and on a small generated demo shop.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use insight_desk::demo::{generate, DemoOptions};
use insight_desk::domain::{day_no, Period};
use insight_desk::metrics::{MetricDef, Registry};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::with_pool;

use crate::cockpit::load_hand_built_shop;
use crate::db_story;

/// Each summary-reading metric, its shipped file, and the SQL it ran on the views before.
const REFERENCES: [(&str, &str, &str); 13] = [
    (
        "revenue",
        include_str!("../queries/revenue.sql"),
        r#"
SELECT day, channel, sku, category, customer_type, revenue_cents AS num
FROM sales_facts
WHERE day BETWEEN :from AND :to
"#,
    ),
    (
        "gross_margin",
        include_str!("../queries/gross_margin.sql"),
        r#"
SELECT day, channel, sku, category, customer_type, margin_cents AS num, revenue_cents AS den
FROM sales_facts
WHERE day BETWEEN :from AND :to
"#,
    ),
    (
        "return_rate",
        include_str!("../queries/return_rate.sql"),
        r#"
SELECT day, channel, sku, category,
       refunded_cents AS num,
       CASE WHEN revenue_cents > 0 THEN revenue_cents ELSE 0 END AS den
FROM sales_facts
WHERE day BETWEEN :from AND :to
"#,
    ),
    (
        "roas",
        include_str!("../queries/roas.sql"),
        r#"
SELECT day, channel, revenue_cents AS num, 0 AS den
FROM sales_facts
WHERE day BETWEEN :from AND :to
UNION ALL
SELECT date AS day, channel, 0 AS num, spend_cents AS den
FROM ad_spend
WHERE date BETWEEN :from AND :to
"#,
    ),
    (
        "units_sold",
        include_str!("../queries/units_sold.sql"),
        r#"
SELECT day, channel, sku, category, units AS num
FROM sales_facts
WHERE day BETWEEN :from AND :to AND units > 0
"#,
    ),
    (
        "stock_turnover",
        include_str!("../queries/stock_turnover.sql"),
        r#"
SELECT sku, category, (revenue_cents - margin_cents) * 365 AS num, 0 AS den
FROM sales_facts
WHERE day BETWEEN :from AND :to AND units > 0
UNION ALL
SELECT i.sku, COALESCE(p.category, 'uncategorised') AS category, 0 AS num,
       i.on_hand * COALESCE(v.supplier_cost_cents, 0) * :days AS den
FROM inventory_levels i
LEFT JOIN variants v ON v.sku = i.sku
LEFT JOIN products p ON p.id = v.product_id
WHERE i.date = (SELECT MAX(date) FROM inventory_levels WHERE date <= :to)
"#,
    ),
    (
        "days_of_cover",
        include_str!("../queries/days_of_cover.sql"),
        r#"
SELECT i.sku, COALESCE(p.category, 'uncategorised') AS category, i.on_hand * :days AS num, 0 AS den
FROM inventory_levels i
LEFT JOIN variants v ON v.sku = i.sku
LEFT JOIN products p ON p.id = v.product_id
WHERE i.date = (SELECT MAX(date) FROM inventory_levels WHERE date <= :to)
UNION ALL
SELECT sku, category, 0 AS num, units AS den
FROM sales_facts
WHERE day BETWEEN :from AND :to AND units > 0
"#,
    ),
    (
        "orders",
        include_str!("../queries/orders.sql"),
        r#"
SELECT local_date AS day, channel, customer_type, 1 AS num
FROM counted_orders
WHERE local_date BETWEEN :from AND :to
"#,
    ),
    (
        "aov",
        include_str!("../queries/aov.sql"),
        r#"
SELECT local_date AS day, channel, customer_type, net_cents AS num, 1 AS den
FROM counted_orders
WHERE local_date BETWEEN :from AND :to
"#,
    ),
    (
        "conversion_rate",
        include_str!("../queries/conversion_rate.sql"),
        r#"
SELECT local_date AS day, channel, 1 AS num, 0 AS den
FROM counted_orders
WHERE local_date BETWEEN :from AND :to
UNION ALL
SELECT date AS day, channel, 0 AS num, sessions AS den
FROM traffic
WHERE date BETWEEN :from AND :to
"#,
    ),
    (
        "ltv_12m",
        include_str!("../queries/ltv_12m.sql"),
        r#"
SELECT c.first_order_date AS day, c.acquisition_channel AS channel, s.revenue_cents AS num, 0 AS den
FROM customers c
JOIN sale_line_facts s ON s.customer_id = c.id
WHERE c.first_order_date BETWEEN :from AND :to
  AND s.order_day_no <= c.first_order_day_no + 365
UNION ALL
SELECT c.first_order_date AS day, c.acquisition_channel AS channel, s.revenue_cents AS num, 0 AS den
FROM customers c
JOIN refund_facts s ON s.customer_id = c.id
WHERE c.first_order_date BETWEEN :from AND :to
  AND s.order_day_no <= c.first_order_day_no + 365
UNION ALL
SELECT first_order_date AS day, acquisition_channel AS channel, 0 AS num, 1 AS den
FROM customers
WHERE first_order_date BETWEEN :from AND :to
"#,
    ),
    (
        "repurchase_rate_90d",
        include_str!("../queries/repurchase_rate_90d.sql"),
        r#"
SELECT c.first_order_date AS day, c.acquisition_channel AS channel,
       CASE WHEN EXISTS (
           SELECT 1 FROM counted_orders o
           WHERE o.customer_id = c.id
             AND o.id <> c.first_order_id
             AND o.day_no <= c.first_order_day_no + 90
       ) THEN 1 ELSE 0 END AS num,
       1 AS den
FROM customers c
WHERE c.first_order_date BETWEEN :from AND :to
"#,
    ),
    (
        "roas_60d",
        include_str!("../queries/roas_60d.sql"),
        r#"
SELECT c.first_order_date AS day, c.acquisition_channel AS channel, s.revenue_cents AS num, 0 AS den
FROM customers c
JOIN sale_line_facts s ON s.customer_id = c.id
WHERE c.first_order_date BETWEEN :from AND :to
  AND s.order_day_no <= c.first_order_day_no + 60
UNION ALL
SELECT c.first_order_date AS day, c.acquisition_channel AS channel, s.revenue_cents AS num, 0 AS den
FROM customers c
JOIN refund_facts s ON s.customer_id = c.id
WHERE c.first_order_date BETWEEN :from AND :to
  AND s.order_day_no <= c.first_order_day_no + 60
UNION ALL
SELECT date AS day, channel, 0 AS num, spend_cents AS den
FROM ad_spend
WHERE date BETWEEN :from AND :to
"#,
    ),
];

/// The shipped metric with its SQL body replaced by the view-based reference: same header
/// (unit, value rule, empty rule, breakdowns), so only the tables read differ.
fn reference(name: &str, shipped: &str, view_sql: &str) -> MetricDef {
    let header: String = shipped
        .lines()
        .take_while(|l| l.starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    MetricDef::parse(
        &format!("reference/{name}.sql"),
        &format!("{header}{view_sql}"),
    )
    .unwrap_or_else(|e| panic!("reference SQL of {name}: {e}"))
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Runs every summary-reading metric and its view-based reference over each period, total
/// and every breakdown, and asserts the rows are identical (keys, num, den, value). Returns
/// how many (metric, period, breakdown) results had at least one non-zero figure, so a
/// caller can check the comparison was not between two empty stores.
async fn assert_summaries_match_views(store: &Store, periods: &[Period]) -> usize {
    let registry = Registry::embedded().unwrap();
    let none = BTreeMap::new();
    let mut nonzero = 0;
    for (name, shipped, view_sql) in REFERENCES {
        let summary = registry.get(name).unwrap();
        let reference = reference(name, shipped, view_sql);
        let sql = summary.wrapped_sql(None);
        assert!(
            [
                "sales_facts",
                "sale_line_facts",
                "refund_facts",
                "counted_orders"
            ]
            .iter()
            .all(|view| !sql.contains(view)),
            "{name} should read the summary tables, not the views"
        );
        for &period in periods {
            let breakdowns =
                std::iter::once(None).chain(summary.breakdowns.iter().copied().map(Some));
            for by in breakdowns {
                let got = summary.run(store, period, by, &none).await.unwrap();
                let want = reference.run(store, period, by, &none).await.unwrap();
                assert_eq!(
                    got.rows, want.rows,
                    "{name} over {period} by {by:?}: summary (left) and views (right) differ"
                );
                if want
                    .rows
                    .iter()
                    .any(|r| r.num != 0 || r.den.unwrap_or(0) != 0)
                {
                    nonzero += 1;
                }
            }
        }
    }
    nonzero
}

db_story!(summaries_match_the_views_on_the_hand_built_shop, |store| {
    load_hand_built_shop(store).await;
    let periods = [
        Period::day(d("2026-11-19")),
        Period::day(d("2026-11-20")),
        Period::day(d("2026-11-21")),
        Period::new(d("2026-11-19"), d("2026-11-21")).unwrap(),
        Period::trailing(d("2026-11-20"), 30),
        Period::trailing(d("2026-11-20"), 90),
        Period::new(d("2025-11-01"), d("2026-12-31")).unwrap(),
        Period::day(d("2026-11-22")),
    ];
    let nonzero = assert_summaries_match_views(store, &periods).await;
    assert!(nonzero > 100, "only {nonzero} non-empty comparisons");
});

db_story!(summaries_match_the_views_on_a_generated_shop, |store| {
    let end = d("2026-11-20");
    let summary = generate(
        store,
        &DemoOptions {
            seed: 7,
            scale: 0.02,
            end_date: end,
            timezone: chrono_tz::Europe::Paris,
            progress: false,
        },
    )
    .await
    .unwrap();
    assert!(summary.orders > 1000, "{} orders", summary.orders);
    let periods = [
        Period::day(end),
        Period::trailing(end, 7),
        Period::trailing(end, 30),
        Period::trailing(end, 90),
        Period::trailing(end - Days::new(61), 30),
        Period::trailing(end - Days::new(90), 30),
        Period::trailing(end - Days::new(365), 30),
        Period::new(end - Days::new(800), end).unwrap(),
    ];
    let nonzero = assert_summaries_match_views(store, &periods).await;
    assert!(nonzero > 200, "only {nonzero} non-empty comparisons");
});

db_story!(a_second_refresh_rebuilds_rather_than_adds, |store| {
    load_hand_built_shop(store).await;
    refresh_after_load(store).await.unwrap();
    // A late order for Carol on 21 Nov, then the refresh every writer calls.
    with_pool!(store, pool => {
        sqlx::query(
            "INSERT INTO orders (id, source, external_id, customer_id, placed_at, local_date, day_no, currency, channel, \
             gross_cents, discount_cents, net_cents, shipping_cents, tax_cents, total_cents, is_test, updated_at) \
             VALUES (7, 'test', '#7', 3, $1, $2, $3, 'EUR', 'email', 4000, 0, 4000, 0, 800, 4800, $4, $1)",
        )
        .bind(Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap())
        .bind(d("2026-11-21"))
        .bind(day_no(d("2026-11-21")))
        .bind(false)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .unwrap();
    with_pool!(store, pool => {
        sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, sku, title, quantity, unit_price_cents, discount_cents, net_cents, unit_cost_cents) \
             VALUES (7, 1, 'A', 'A', 2, 2000, 0, 4000, 800)",
        )
        .execute(pool)
        .await
        .map(|_| ())
    })
    .unwrap();
    refresh_after_load(store).await.unwrap();
    let registry = Registry::embedded().unwrap();
    let revenue = registry
        .get("revenue")
        .unwrap()
        .run(store, Period::day(d("2026-11-21")), None, &BTreeMap::new())
        .await
        .unwrap();
    // Bob's 50 € (the time-zone edge) and Carol's 40 €, each counted once.
    assert_eq!(revenue.total().unwrap().num, 9000);
    let nonzero =
        assert_summaries_match_views(store, &[Period::trailing(d("2026-11-21"), 30)]).await;
    assert!(nonzero > 10, "only {nonzero} non-empty comparisons");
});

/// One Shopify order export row per line item, in the columns the importer reads.
const SHOP_HEADER: &str = "Name,Email,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,\
Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Cancelled at,Refunded Amount,Source\n";

/// The rows of order `#n`: `lines` lines of SKU-k at (10 + k) € × 1, placed at `day` days
/// after 1 March 2026 (negative: before), by `email`, with a refund of `refund` cents.
fn shop_order(n: i64, email: &str, day: i64, lines: i64, refund: i64, cancelled: bool) -> String {
    let placed = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(day);
    let created = format!("{placed} 10:{:02}:00 +0100", n % 60);
    let subtotal: i64 = (1..=lines).map(|k| (10 + k) * 100).sum();
    let mut rows = String::new();
    for k in 1..=lines {
        let price = format!("{}.00", 10 + k);
        if k == 1 {
            rows.push_str(&format!(
                "#{n},{email},EUR,{}.00,4.90,0.00,{}.{:02},0.00,{created},1,Product {k},{price},SKU-{k},{},{}.{:02},web\n",
                subtotal / 100,
                (subtotal + 490) / 100,
                (subtotal + 490) % 100,
                if cancelled { created.as_str() } else { "" },
                refund / 100,
                refund % 100,
            ));
        } else {
            rows.push_str(&format!("#{n},,,,,,,,,1,Product {k},{price},SKU-{k},,,\n"));
        }
    }
    rows
}

/// The base export: 240 orders over 60 days by 30 customers, some refunded or cancelled.
fn base_order(i: i64) -> String {
    let refund = if i % 17 == 0 { 500 } else { 0 };
    shop_order(
        1000 + i,
        &format!("c{}@example.com", (i * 7) % 30),
        i / 4,
        1 + i % 3,
        refund,
        i % 23 == 0,
    )
}

/// Every summary row and every customer's acquisition, as text, sorted.
pub async fn derived_tables(store: &Store) -> Vec<String> {
    let queries = [
        "SELECT 'sales' || '|' || CAST(day AS TEXT) || '|' || channel || '|' || customer_type || '|' || \
         CAST(revenue_cents AS TEXT) || '|' || CAST(margin_cents AS TEXT) || '|' || CAST(refunded_cents AS TEXT) || '|' || \
         CAST(sold_revenue_cents AS TEXT) || '|' || CAST(sold_facts AS TEXT) || '|' || CAST(sold_units AS TEXT) || '|' || \
         CAST(sold_cost_cents AS TEXT) FROM daily_sales_summary",
        "SELECT 'sku' || '|' || CAST(day AS TEXT) || '|' || COALESCE(sku, '-') || '|' || category || '|' || \
         CAST(revenue_cents AS TEXT) || '|' || CAST(margin_cents AS TEXT) || '|' || CAST(refunded_cents AS TEXT) || '|' || \
         CAST(sold_revenue_cents AS TEXT) || '|' || CAST(sold_facts AS TEXT) || '|' || CAST(sold_units AS TEXT) || '|' || \
         CAST(sold_cost_cents AS TEXT) FROM daily_sku_sales_summary",
        "SELECT 'orders' || '|' || CAST(day AS TEXT) || '|' || channel || '|' || customer_type || '|' || \
         CAST(orders AS TEXT) || '|' || CAST(net_cents AS TEXT) FROM daily_order_summary",
        "SELECT 'cohort' || '|' || CAST(first_order_date AS TEXT) || '|' || acquisition_channel || '|' || \
         CAST(customers AS TEXT) || '|' || CAST(facts_60d AS TEXT) || '|' || CAST(value_60d_cents AS TEXT) || '|' || \
         CAST(value_365d_cents AS TEXT) || '|' || CAST(repurchased_90d AS TEXT) FROM customer_cohort_summary",
        "SELECT 'customer' || '|' || customer_key || '|' || COALESCE(CAST(first_order_id AS TEXT), '-') || '|' || \
         COALESCE(CAST(first_order_date AS TEXT), '-') || '|' || COALESCE(CAST(first_order_day_no AS TEXT), '-') || '|' || \
         COALESCE(acquisition_channel, '-') FROM customers",
        "SELECT 'value' || '|' || CAST(first_order_day_no AS TEXT) || '|' || acquisition_channel || '|' || \
         COALESCE(CAST(refund_date AS TEXT), '-') || '|' || CAST(revenue_60d_cents AS TEXT) || '|' || \
         CAST(revenue_365d_cents AS TEXT) || '|' || CAST(margin_365d_cents AS TEXT) || '|' || \
         CAST(revenue_730d_cents AS TEXT) || '|' || CAST(margin_730d_cents AS TEXT) FROM customer_value_summary",
    ];
    let mut rows = Vec::new();
    for sql in queries {
        let got: Vec<String> =
            with_pool!(store, pool => sqlx::query_scalar(sql).fetch_all(pool).await).unwrap();
        rows.extend(got);
    }
    rows.sort();
    rows
}

/// The day's counted orders in `daily_order_summary`, and its number of rows.
pub async fn orders_of_day(store: &Store, day: &str) -> (i64, i64) {
    with_pool!(store, pool => {
        sqlx::query_as(&format!(
            "SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT), COUNT(*) FROM daily_order_summary \
             WHERE CAST(day AS TEXT) = '{day}'"
        ))
        .fetch_one(pool)
        .await
    })
    .unwrap()
}

pub async fn add_orders_to_day(store: &Store, day: &str, delta: i64) {
    with_pool!(store, pool => {
        sqlx::query(&format!(
            "UPDATE daily_order_summary SET orders = orders + {delta} WHERE CAST(day AS TEXT) = '{day}'"
        ))
        .execute(pool)
        .await
        .map(|_| ())
    })
    .unwrap();
}

// Issue 5: an import that writes a few orders into a large store refreshes only the days and
// customers they touch; the tables must be exactly what the full rebuild makes of them.
db_story!(an_incremental_refresh_equals_the_full_rebuild, |store| {
    use insight_desk::import::{import_file, ImportOptions, Kind};
    let tmp = tempfile::tempdir().unwrap();
    let opts = &ImportOptions::default();
    let import = |name: &'static str, body: String| {
        let path = tmp.path().join(name);
        std::fs::write(&path, format!("{SHOP_HEADER}{body}")).unwrap();
        async move {
            import_file(
                store,
                chrono_tz::Europe::Paris,
                Kind::ShopifyOrders,
                &path,
                opts,
            )
            .await
            .unwrap()
        }
    };
    let base: String = (0..240).map(base_order).collect();
    let s = import("base.csv", base).await;
    assert_eq!(s.inserted, 240, "{s}");
    let before = derived_tables(store).await;

    // A day no order of the next export touches, its row marked: the incremental refresh
    // must leave it as it is, the full rebuild must not.
    let untouched = "2026-04-29";
    let (orders, rows) = orders_of_day(store, untouched).await;
    assert!(orders > 0 && rows > 0);
    add_orders_to_day(store, untouched, 1000).await;

    // A later export overlapping the first: orders #1100–#1110 again, of which #1105 edited
    // (a dearer line and a refund), #1107 now by another customer and #1108 moved 5 days before
    // the shop's first day (its customer's new first order); c0's first order #1030 moved a
    // month later (so #1060, which the export does not hold, becomes c0's first); a new order
    // placing c3's first order earlier, and a new customer's order.
    let mut overlap = shop_order(1030, "c0@example.com", 40, 1, 0, false);
    for i in 100..=110 {
        overlap.push_str(&match i {
            105 => shop_order(1105, "c15@example.com", 26, 3, 700, false),
            107 => shop_order(1107, "c10@example.com", 26, 2, 0, false),
            108 => shop_order(1108, "c6@example.com", -5, 1, 0, false),
            _ => base_order(i),
        });
    }
    overlap.push_str(&shop_order(9001, "c3@example.com", -10, 2, 0, false));
    overlap.push_str(&shop_order(9002, "newcomer@example.com", 30, 1, 0, false));
    let s = import("overlap.csv", overlap).await;
    assert_eq!((s.inserted, s.updated, s.skipped), (2, 4, 8), "{s}");

    // The incremental path was taken: the marked rows of an untouched day are still marked.
    assert_eq!(
        orders_of_day(store, untouched).await,
        (orders + 1000 * rows, rows),
        "the refresh rebuilt every day"
    );
    add_orders_to_day(store, untouched, -1000).await;

    let incremental = derived_tables(store).await;
    assert_ne!(
        incremental, before,
        "the export changed nothing the test can see"
    );
    assert!(
        incremental.iter().any(|r| r.starts_with("customer|")
            && r.contains("c6@example.com")
            && r.contains("|2026-02-24|")),
        "#1108 is c6's first order now"
    );
    assert!(
        incremental.iter().any(|r| r.starts_with("customer|")
            && r.contains("c0@example.com")
            && r.contains("|2026-03-16|")),
        "#1060 is c0's first order now"
    );
    refresh_after_load(store).await.unwrap();
    let full = derived_tables(store).await;
    let differ: Vec<_> = incremental
        .iter()
        .filter(|r| !full.contains(r))
        .chain(full.iter().filter(|r| !incremental.contains(r)))
        .collect();
    assert!(differ.is_empty(), "incremental ≠ full: {differ:#?}");
});

/// The single-step statements the rebuild ran before it read the sales facts once into
/// `summary_sales_build` (and before the acquisitions were found by one look-up per
/// customer): each summary summed straight from the views, kept here as the independent
/// reference of what the tables must hold.
const VIEW_SUMS: [&str; 12] = [
    "UPDATE customers SET first_order_id = NULL, first_order_at = NULL, first_order_date = NULL, \
     first_order_day_no = NULL, acquisition_channel = NULL",
    "UPDATE customers SET first_order_id = f.id, first_order_at = f.placed_at, \
     first_order_date = f.local_date, first_order_day_no = f.day_no, acquisition_channel = f.channel
     FROM (
         SELECT id, customer_id, placed_at, local_date, day_no, channel FROM (
             SELECT id, customer_id, placed_at, local_date, day_no, channel,
                    ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY placed_at, id) AS rn
             FROM orders
             WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test
         ) ranked WHERE rn = 1
     ) f
     WHERE customers.id = f.customer_id",
    "DELETE FROM daily_sales_summary",
    "INSERT INTO daily_sales_summary (day, channel, customer_type, revenue_cents, margin_cents,
         refunded_cents, sold_revenue_cents, sold_facts, sold_units, sold_cost_cents)
     SELECT day, channel, customer_type, SUM(revenue_cents), SUM(margin_cents), SUM(refunded_cents),
            SUM(CASE WHEN revenue_cents > 0 THEN revenue_cents ELSE 0 END),
            SUM(CASE WHEN units > 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN units > 0 THEN units ELSE 0 END),
            SUM(CASE WHEN units > 0 THEN revenue_cents - margin_cents ELSE 0 END)
     FROM sales_facts GROUP BY day, channel, customer_type",
    "DELETE FROM daily_sku_sales_summary",
    "INSERT INTO daily_sku_sales_summary (day, sku, category, revenue_cents, margin_cents,
         refunded_cents, sold_revenue_cents, sold_facts, sold_units, sold_cost_cents)
     SELECT day, sku, category, SUM(revenue_cents), SUM(margin_cents), SUM(refunded_cents),
            SUM(CASE WHEN revenue_cents > 0 THEN revenue_cents ELSE 0 END),
            SUM(CASE WHEN units > 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN units > 0 THEN units ELSE 0 END),
            SUM(CASE WHEN units > 0 THEN revenue_cents - margin_cents ELSE 0 END)
     FROM sales_facts GROUP BY day, sku, category",
    "DELETE FROM daily_order_summary",
    "INSERT INTO daily_order_summary (day, channel, customer_type, orders, net_cents)
     SELECT local_date, channel, customer_type, COUNT(*), SUM(net_cents)
     FROM counted_orders GROUP BY local_date, channel, customer_type",
    "DELETE FROM customer_cohort_summary",
    "INSERT INTO customer_cohort_summary (first_order_date, acquisition_channel, customers,
         facts_60d, value_60d_cents, value_365d_cents, repurchased_90d)
     SELECT c.first_order_date, c.acquisition_channel, COUNT(*),
            SUM((SELECT COUNT(*) FROM sale_line_facts s
                 WHERE s.customer_id = c.id AND s.order_day_no <= c.first_order_day_no + 60)
              + (SELECT COUNT(*) FROM refund_facts s
                 WHERE s.customer_id = c.id AND s.order_day_no <= c.first_order_day_no + 60)),
            SUM((SELECT COALESCE(SUM(s.revenue_cents), 0) FROM sale_line_facts s
                 WHERE s.customer_id = c.id AND s.order_day_no <= c.first_order_day_no + 60)
              + (SELECT COALESCE(SUM(s.revenue_cents), 0) FROM refund_facts s
                 WHERE s.customer_id = c.id AND s.order_day_no <= c.first_order_day_no + 60)),
            SUM((SELECT COALESCE(SUM(s.revenue_cents), 0) FROM sale_line_facts s
                 WHERE s.customer_id = c.id AND s.order_day_no <= c.first_order_day_no + 365)
              + (SELECT COALESCE(SUM(s.revenue_cents), 0) FROM refund_facts s
                 WHERE s.customer_id = c.id AND s.order_day_no <= c.first_order_day_no + 365)),
            SUM(CASE WHEN EXISTS (
                SELECT 1 FROM counted_orders o
                WHERE o.customer_id = c.id AND o.id <> c.first_order_id
                  AND o.day_no <= c.first_order_day_no + 90) THEN 1 ELSE 0 END)
     FROM customers c WHERE c.first_order_date IS NOT NULL
     GROUP BY c.first_order_date, c.acquisition_channel",
    "DELETE FROM customer_value_summary",
    "INSERT INTO customer_value_summary (first_order_day_no, acquisition_channel, refund_date,
         revenue_60d_cents, revenue_365d_cents, margin_365d_cents, revenue_730d_cents, margin_730d_cents)
     SELECT c.first_order_day_no, c.acquisition_channel, NULL,
            CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN s.revenue_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 365 THEN s.revenue_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 365 THEN s.margin_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(s.revenue_cents) AS BIGINT), CAST(SUM(s.margin_cents) AS BIGINT)
     FROM customers c JOIN sale_line_facts s ON s.customer_id = c.id
     WHERE c.first_order_day_no IS NOT NULL AND s.order_day_no <= c.first_order_day_no + 730
     GROUP BY c.first_order_day_no, c.acquisition_channel
     UNION ALL
     SELECT c.first_order_day_no, c.acquisition_channel, s.day,
            CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN s.revenue_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 365 THEN s.revenue_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 365 THEN s.margin_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(s.revenue_cents) AS BIGINT), CAST(SUM(s.margin_cents) AS BIGINT)
     FROM customers c JOIN refund_facts s ON s.customer_id = c.id
     WHERE c.first_order_day_no IS NOT NULL AND s.order_day_no <= c.first_order_day_no + 730
     GROUP BY c.first_order_day_no, c.acquisition_channel, s.day",
];

/// Runs [`VIEW_SUMS`] on the store, replacing what the rebuild wrote.
async fn sum_the_views(store: &Store) {
    for sql in VIEW_SUMS {
        with_pool!(store, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
}

/// Rebuilds the summaries, then sums the views directly: both must give the same rows.
async fn assert_rebuild_equals_view_sums(store: &Store) {
    refresh_after_load(store).await.unwrap();
    let rebuilt = derived_tables(store).await;
    for kind in [
        "sales|",
        "sku|",
        "orders|",
        "cohort|",
        "customer|",
        "value|",
    ] {
        assert!(
            rebuilt.iter().any(|r| r.starts_with(kind)),
            "no {kind} row: {rebuilt:#?}"
        );
    }
    sum_the_views(store).await;
    let summed = derived_tables(store).await;
    let differ: Vec<_> = rebuilt
        .iter()
        .filter(|r| !summed.contains(r))
        .chain(summed.iter().filter(|r| !rebuilt.contains(r)))
        .collect();
    assert!(differ.is_empty(), "rebuild ≠ view sums: {differ:#?}");
}

// Issue 5 (the rebuild's speed): the rebuild that reads the sales facts once and adds up
// their per-customer-day sums gives, row for row, what summing the views directly gives: on a
// generated shop (guests, cancelled and test orders, refunds, several channels, customers
// who came back within 60, 90 and 365 days) and on the hand-built one.
db_story!(
    the_rebuild_equals_the_view_sums_on_a_generated_shop,
    |store| {
        generate(
            store,
            &DemoOptions {
                seed: 11,
                scale: 0.02,
                end_date: d("2026-11-20"),
                timezone: chrono_tz::Europe::Paris,
                progress: false,
            },
        )
        .await
        .unwrap();
        assert_rebuild_equals_view_sums(store).await;
        let rebuilt = derived_tables(store).await;
        assert!(
            rebuilt
                .iter()
                .any(|r| r.starts_with("value|") && !r.contains("|-|")),
            "no refund row in the value summary"
        );
        assert!(
            rebuilt
                .iter()
                .filter(|r| r.starts_with("cohort|"))
                .any(|r| !r.ends_with("|0")),
            "no cohort with a repurchase"
        );
    }
);

db_story!(
    the_rebuild_equals_the_view_sums_on_the_hand_built_shop,
    |store| {
        load_hand_built_shop(store).await;
        assert_rebuild_equals_view_sums(store).await;
    }
);

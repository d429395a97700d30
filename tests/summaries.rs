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

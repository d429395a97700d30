//! The summary tables of migration 0004, rebuilt from the fact views after every load.
//!
//! `daily_sales_summary` and `daily_sku_sales_summary` (two grains), `daily_order_summary`
//! and `customer_cohort_summary` are pre-summed rows of `sales_facts`, `counted_orders` and
//! the cohort joins that `ltv_12m`, `roas_60d` and
//! `repurchase_rate_90d` made at query time. They hold nothing of their own: each rebuild
//! empties them and sums the views again, in the transaction of [`super::refresh_after_load`],
//! so the definitions stay in the views (docs/metrics.md) and a metric reads the same figure
//! from a summary as from the view (tests/summaries.rs checks it on both backends). The SQL is
//! the same text on SQLite and Postgres.

/// Empties every summary table; run before [`REBUILD`].
pub(super) const CLEAR: [&str; 4] = [
    "DELETE FROM daily_sales_summary",
    "DELETE FROM daily_sku_sales_summary",
    "DELETE FROM daily_order_summary",
    "DELETE FROM customer_cohort_summary",
];

/// The sums of one sales summary row, from the columns of `sales_facts`, row by row: the
/// sold_* columns repeat the `units > 0` filter of units_sold, stock_turnover and
/// days_of_cover, sold_revenue_cents the `revenue_cents > 0` base of return_rate.
macro_rules! sales_sums {
    () => {
        "SUM(revenue_cents) AS revenue_cents, SUM(margin_cents) AS margin_cents,
         SUM(refunded_cents) AS refunded_cents,
         SUM(CASE WHEN revenue_cents > 0 THEN revenue_cents ELSE 0 END) AS sold_revenue_cents,
         SUM(CASE WHEN units > 0 THEN 1 ELSE 0 END) AS sold_facts,
         SUM(CASE WHEN units > 0 THEN units ELSE 0 END) AS sold_units,
         SUM(CASE WHEN units > 0 THEN revenue_cents - margin_cents ELSE 0 END) AS sold_cost_cents"
    };
}

/// The same sums added up again from the rows of `sales_summary_build`.
macro_rules! rollup_sums {
    () => {
        "SUM(revenue_cents), SUM(margin_cents), SUM(refunded_cents), SUM(sold_revenue_cents),
         SUM(sold_facts), SUM(sold_units), SUM(sold_cost_cents)"
    };
}

/// The statements that fill the summary tables from the views, in order, each reading only
/// the rows its filters let through: `$sales` filters `sales_facts` (a `WHERE`), `$orders`
/// filters `counted_orders` (a `WHERE`), `$cohort` narrows the acquired customers (an
/// `AND` on `c`). Empty filters give the full rebuild; the incremental refresh of
/// src/store/incremental.rs gives the same statements restricted to the days and cohorts an
/// import touched, so both are the one definition below.
macro_rules! rebuild_statements {
    ($sales:literal, $orders:literal, $cohort:literal) => {
        [
            "DROP TABLE IF EXISTS sales_summary_build",
            concat!(
                "CREATE TEMPORARY TABLE sales_summary_build AS
                 SELECT day, channel, customer_type, sku, category, ",
                sales_sums!(),
                " FROM sales_facts ",
                $sales,
                " GROUP BY day, channel, customer_type, sku, category"
            ),
            concat!(
                "INSERT INTO daily_sales_summary (day, channel, customer_type, revenue_cents, margin_cents,
                     refunded_cents, sold_revenue_cents, sold_facts, sold_units, sold_cost_cents)
                 SELECT day, channel, customer_type, ",
                rollup_sums!(),
                " FROM sales_summary_build
                 GROUP BY day, channel, customer_type"
            ),
            concat!(
                "INSERT INTO daily_sku_sales_summary (day, sku, category, revenue_cents, margin_cents,
                     refunded_cents, sold_revenue_cents, sold_facts, sold_units, sold_cost_cents)
                 SELECT day, sku, category, ",
                rollup_sums!(),
                " FROM sales_summary_build
                 GROUP BY day, sku, category
                 ORDER BY day"
            ),
            "DROP TABLE sales_summary_build",
            concat!(
                "INSERT INTO daily_order_summary (day, channel, customer_type, orders, net_cents)
                 SELECT local_date, channel, customer_type, COUNT(*), SUM(net_cents)
                 FROM counted_orders ",
                $orders,
                " GROUP BY local_date, channel, customer_type"
            ),
            // One row per acquired customer (with whether they ordered again within 90 days),
            // plus one per sale line and refund of their orders placed within 365 days of the
            // first: exactly the rows ltv_12m, roas_60d and repurchase_rate_90d summed per
            // customer.
            concat!(
                "INSERT INTO customer_cohort_summary (first_order_date, acquisition_channel, customers, \
                     facts_60d, value_60d_cents, value_365d_cents, repurchased_90d)
                 SELECT first_order_date, acquisition_channel, SUM(customers), SUM(facts_60d),
                        SUM(value_60d_cents), SUM(value_365d_cents), SUM(repurchased_90d)
                 FROM (
                     SELECT c.first_order_date, c.acquisition_channel, 1 AS customers, 0 AS facts_60d,
                            0 AS value_60d_cents, 0 AS value_365d_cents,
                            CASE WHEN EXISTS (
                                SELECT 1 FROM counted_orders o
                                WHERE o.customer_id = c.id
                                  AND o.id <> c.first_order_id
                                  AND o.day_no <= c.first_order_day_no + 90
                            ) THEN 1 ELSE 0 END AS repurchased_90d
                     FROM customers c
                     WHERE c.first_order_date IS NOT NULL ",
                $cohort,
                "
                     UNION ALL
                     SELECT c.first_order_date, c.acquisition_channel, 0,
                            CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN 1 ELSE 0 END,
                            CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN s.revenue_cents ELSE 0 END,
                            s.revenue_cents, 0
                     FROM customers c
                     JOIN sale_line_facts s ON s.customer_id = c.id
                     WHERE c.first_order_date IS NOT NULL ",
                $cohort,
                "
                       AND s.order_day_no <= c.first_order_day_no + 365
                     UNION ALL
                     SELECT c.first_order_date, c.acquisition_channel, 0,
                            CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN 1 ELSE 0 END,
                            CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN s.revenue_cents ELSE 0 END,
                            s.revenue_cents, 0
                     FROM customers c
                     JOIN refund_facts s ON s.customer_id = c.id
                     WHERE c.first_order_date IS NOT NULL ",
                $cohort,
                "
                       AND s.order_day_no <= c.first_order_day_no + 365
                 ) cohort
                 GROUP BY first_order_date, acquisition_channel"
            ),
        ]
    };
}

/// Fills every summary table from the views, in order; run after the customers' first orders
/// are known (customer types and cohorts depend on them). `sales_facts` is read once, into a
/// temporary table at the finest grain, which both sales summaries add up.
pub(super) const REBUILD: [&str; 7] = rebuild_statements!("", "", "");

/// The same, for the days listed in the temporary table `refresh_days` (sales and orders)
/// and the customers acquired on the days of `refresh_cohort_days` (cohorts): what
/// [`CLEAR_TOUCHED`] emptied.
pub(super) const REBUILD_TOUCHED: [&str; 7] = rebuild_statements!(
    "WHERE day IN (SELECT day FROM refresh_days)",
    "WHERE local_date IN (SELECT day FROM refresh_days)",
    "AND c.first_order_date IN (SELECT day FROM refresh_cohort_days)"
);

/// Empties the summary rows of the days in `refresh_days` and of the acquisition days in
/// `refresh_cohort_days`; run before [`REBUILD_TOUCHED`].
pub(super) const CLEAR_TOUCHED: [&str; 4] = [
    "DELETE FROM daily_sales_summary WHERE day IN (SELECT day FROM refresh_days)",
    "DELETE FROM daily_sku_sales_summary WHERE day IN (SELECT day FROM refresh_days)",
    "DELETE FROM daily_order_summary WHERE day IN (SELECT day FROM refresh_days)",
    "DELETE FROM customer_cohort_summary \
     WHERE first_order_date IN (SELECT day FROM refresh_cohort_days)",
];

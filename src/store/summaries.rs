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
//!
//! **One read of the sales facts for every summary but the SKU one.** SQLite has no hash
//! aggregate: every `GROUP BY` sorts its input, and joining every line to its order, customer,
//! variant and product costs about as much again. The sale lines and refunds are therefore
//! read once, joined to their customer's acquisition, and summed into the temporary table
//! `summary_sales_build` at the grain of one order and fact day (one row per order, plus one
//! per refund day: 1 M lines → 0.4 M rows on the import benchmark); the daily sales, cohort and value
//! summaries add those rows up instead of reading the views again, each a sort of far fewer,
//! narrower rows. Only the SKU summary, whose grain is not a customer's, reads `sales_facts`
//! itself. Every sum is the same `CASE` over the same view columns as before, taken in two
//! steps (a sum of sums), so the figures do not change: tests/summaries.rs compares the
//! tables with the single-step statements over the views (`the_rebuild_equals_the_view_sums_*`).

/// Empties every summary table of migration 0004; run before [`REBUILD`].
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

/// The same sums added up again from rows that hold [`sales_sums`]' columns.
macro_rules! rollup_sums {
    () => {
        "SUM(revenue_cents), SUM(margin_cents), SUM(refunded_cents), SUM(sold_revenue_cents),
         SUM(sold_facts), SUM(sold_units), SUM(sold_cost_cents)"
    };
}

/// One part of `summary_sales_build`: the rows of the fact view `$view` (`sale_line_facts`
/// or `refund_facts`) that `$filter` lets through (a `WHERE`, on the view `s` and the
/// customer `c`), joined to their customer's acquisition and summed per order and fact day.
/// Every other key (customer, order day, channel, customer type, acquisition) is the order's,
/// the same on every row of a group, so `MIN` just carries it: grouped by the order's id
/// (migration 0017) and day alone, SQLite sums the lines as it reads them, order after order,
/// where grouping by those keys sorted every line first (CPU time of the sold-lines part at
/// 1 M lines: 3.2 s → 2.7 s, `perf stat` on the sqlite3 shell, 2026-12-06).
/// `$refund_date` is the refund's day for refunds (the value summary keeps them per refund
/// day) and NULL for sold lines. `facts` counts the view's rows, which the cohort summary's
/// `facts_60d` counts.
macro_rules! build_part {
    ($view:literal, $refund_date:literal, $filter:literal) => {
        concat!(
            "SELECT MIN(s.customer_id) AS customer_id, MIN(s.order_day_no) AS order_day_no,
                    s.day, MIN(s.channel) AS channel, MIN(s.customer_type) AS customer_type, ",
            $refund_date,
            " AS refund_date, MIN(c.first_order_date) AS first_order_date,
                    MIN(c.first_order_day_no) AS first_order_day_no,
                    MIN(c.acquisition_channel) AS acquisition_channel, COUNT(*) AS facts, ",
            sales_sums!(),
            " FROM ",
            $view,
            " s LEFT JOIN customers c ON c.id = s.customer_id ",
            $filter,
            " GROUP BY s.order_id, s.day"
        )
    };
}

/// Both parts of `summary_sales_build`, sold lines and refunds (a refund's row never shares a
/// group with a line's: its `refund_date` is set).
macro_rules! build_select {
    ($filter:literal) => {
        concat!(
            build_part!("sale_line_facts", "NULL", $filter),
            " UNION ALL ",
            build_part!("refund_facts", "s.day", $filter)
        )
    };
}

/// The columns of `daily_sku_sales_summary`, in [`sku_select`]'s order.
macro_rules! sku_columns {
    () => {
        "day, sku, category, revenue_cents, margin_cents, refunded_cents, sold_revenue_cents,
         sold_facts, sold_units, sold_cost_cents"
    };
}

/// The rows of `daily_sku_sales_summary`: `sales_facts` that `$sales` lets through (a
/// `WHERE`), summed per day, SKU and category.
macro_rules! sku_select {
    ($sales:literal) => {
        concat!(
            "SELECT day, sku, category, ",
            sales_sums!(),
            " FROM sales_facts ",
            $sales,
            " GROUP BY day, sku, category"
        )
    };
}

/// The statements that fill the daily summary tables, in order, each reading only the rows its
/// filters let through: `$sales` filters `sales_facts` and `summary_sales_build` (a `WHERE`
/// on `day`), `$orders` filters `counted_orders` (a `WHERE`). Empty filters give the full
/// rebuild; the incremental refresh of src/store/incremental.rs gives the same statements
/// restricted to the days an import touched, so both are the one definition below.
/// `summary_sales_build` must hold the rows of those days ([`BUILD`] or [`BUILD_TOUCHED`]).
macro_rules! daily_statements {
    ($sales:literal, $orders:literal) => {
        [
            concat!(
                "INSERT INTO daily_sku_sales_summary (",
                sku_columns!(),
                ") ",
                sku_select!($sales)
            ),
            concat!(
                "INSERT INTO daily_sales_summary (day, channel, customer_type, revenue_cents, margin_cents,
                     refunded_cents, sold_revenue_cents, sold_facts, sold_units, sold_cost_cents)
                 SELECT day, channel, customer_type, ",
                rollup_sums!(),
                " FROM summary_sales_build ",
                $sales,
                " GROUP BY day, channel, customer_type"
            ),
            concat!(
                "INSERT INTO daily_order_summary (day, channel, customer_type, orders, net_cents)
                 SELECT local_date, channel, customer_type, COUNT(*), SUM(net_cents)
                 FROM counted_orders ",
                $orders,
                " GROUP BY local_date, channel, customer_type"
            ),
        ]
    };
}

/// The cohort summary: one row per acquired customer (with whether they ordered again within
/// 90 days), plus the sums of their sale lines and refunds of orders placed within 365 days of
/// the first: exactly the rows ltv_12m, roas_60d and repurchase_rate_90d summed per customer.
/// `$facts` is the `UNION ALL` part that gives the sales rows' columns `first_order_date`,
/// `acquisition_channel`, `facts_60d`, `value_60d_cents` and `value_365d_cents`; `$cohort`
/// narrows the acquired customers (an `AND` on `c`).
macro_rules! cohort_statement {
    ($cohort:literal, $facts:expr) => {
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
            " UNION ALL ",
            $facts,
            " ) cohort
             GROUP BY first_order_date, acquisition_channel"
        )
    };
}

/// The cohort sums of one fact view `$view` joined to the customers acquired on the cohort
/// days `$cohort` (an `AND` on `c`): the incremental refresh's reading, driven by the
/// customers' acquisition-day index, since a few cohort days hold a small share of the facts.
macro_rules! cohort_view_facts {
    ($view:literal, $cohort:literal) => {
        concat!(
            "SELECT c.first_order_date, c.acquisition_channel, 0,
                    CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN 1 ELSE 0 END,
                    CASE WHEN s.order_day_no <= c.first_order_day_no + 60 THEN s.revenue_cents ELSE 0 END,
                    s.revenue_cents, 0
             FROM customers c
             JOIN ",
            $view,
            " s ON s.customer_id = c.id
             WHERE c.first_order_date IS NOT NULL ",
            $cohort,
            " AND s.order_day_no <= c.first_order_day_no + 365"
        )
    };
}

/// Creates `summary_sales_build` from every sales fact; run after the customers' first orders
/// are known (customer types and cohorts depend on them).
pub(super) const BUILD: [&str; 2] = [
    "DROP TABLE IF EXISTS summary_sales_build",
    concat!(
        "CREATE TEMPORARY TABLE summary_sales_build AS ",
        build_select!("")
    ),
];

/// Fills every summary table of migration 0004 from `summary_sales_build` and the views, in
/// order; run after [`BUILD`]. The window test of the cohort sums reads the order's day, the
/// same for every view row of a build row, so summing the build rows sums the same view rows.
pub(super) const REBUILD: [&str; 4] = {
    let [sku, ..] = daily_statements!("", "");
    let [sales, orders, cohorts] = REBUILD_AFTER_SKU;
    [sku, sales, orders, cohorts]
};

/// [`REBUILD`] without its first statement, the SKU summary's, which SQLite's full rebuild
/// reads on a second connection meanwhile ([`SKU_SELECT`], src/store/firsts.rs).
pub(super) const REBUILD_AFTER_SKU: [&str; 3] = {
    let [_, sales, orders] = daily_statements!("", "");
    [
        sales,
        orders,
        cohort_statement!(
            "",
            "SELECT first_order_date, acquisition_channel, 0,
                    CASE WHEN order_day_no <= first_order_day_no + 60 THEN facts ELSE 0 END,
                    CASE WHEN order_day_no <= first_order_day_no + 60 THEN revenue_cents ELSE 0 END,
                    revenue_cents, 0
             FROM summary_sales_build
             WHERE first_order_date IS NOT NULL
               AND order_day_no <= first_order_day_no + 365"
        ),
    ]
};

/// The rows of the SKU summary, over every fact: what [`REBUILD`]'s first statement inserts.
/// They depend on no customer's acquisition, so another connection can read them from the
/// load's commit while the rebuild's transaction recomputes acquisitions.
pub(super) const SKU_SELECT: &str = sku_select!("");

/// The insert of [`SKU_SELECT`]'s rows, its columns in the same order (`VALUES` follow).
pub(super) const SKU_INSERT: &str = concat!(
    "INSERT INTO daily_sku_sales_summary (",
    sku_columns!(),
    ") "
);

/// Removes `summary_sales_build`, after the value summary has read it too.
pub(super) const DROP_BUILD: &str = "DROP TABLE summary_sales_build";

/// [`BUILD`] for the days listed in the temporary table `refresh_days` only.
pub(super) const BUILD_TOUCHED: [&str; 2] = [
    "DROP TABLE IF EXISTS summary_sales_build",
    concat!(
        "CREATE TEMPORARY TABLE summary_sales_build AS ",
        build_select!("WHERE s.day IN (SELECT day FROM refresh_days)")
    ),
];

/// The same as [`REBUILD`], for the days listed in `refresh_days` (sales and orders) and the
/// customers acquired on the days of `refresh_cohort_days` (cohorts): what [`CLEAR_TOUCHED`]
/// emptied. Run after [`BUILD_TOUCHED`]. The cohorts' facts are read from the views through
/// their customers (those cohort days' customers are seldom the days' customers).
pub(super) const REBUILD_TOUCHED: [&str; 4] = {
    let [sku, sales, orders] = daily_statements!(
        "WHERE day IN (SELECT day FROM refresh_days)",
        "WHERE local_date IN (SELECT day FROM refresh_days)"
    );
    [
        sku,
        sales,
        orders,
        cohort_statement!(
            "AND c.first_order_date IN (SELECT day FROM refresh_cohort_days)",
            concat!(
                cohort_view_facts!(
                    "sale_line_facts",
                    "AND c.first_order_date IN (SELECT day FROM refresh_cohort_days)"
                ),
                " UNION ALL ",
                cohort_view_facts!(
                    "refund_facts",
                    "AND c.first_order_date IN (SELECT day FROM refresh_cohort_days)"
                )
            )
        ),
    ]
};

/// Empties the summary rows of the days in `refresh_days` and of the acquisition days in
/// `refresh_cohort_days`; run before [`REBUILD_TOUCHED`].
pub(super) const CLEAR_TOUCHED: [&str; 4] = [
    "DELETE FROM daily_sales_summary WHERE day IN (SELECT day FROM refresh_days)",
    "DELETE FROM daily_sku_sales_summary WHERE day IN (SELECT day FROM refresh_days)",
    "DELETE FROM daily_order_summary WHERE day IN (SELECT day FROM refresh_days)",
    "DELETE FROM customer_cohort_summary \
     WHERE first_order_date IN (SELECT day FROM refresh_cohort_days)",
];

//! `customer_value_summary` (migration 0008), rebuilt after every load with the other
//! summaries: each acquisition day x channel's net sales and gross margin over the customers'
//! first 60 / 365 / 730 days, the sums `report ltv` (src/customers/ltv.rs) reads instead of
//! joining every sale line of the store to its customers.
//!
//! The rows are the `sale_line_facts` and `refund_facts` rows the report used to sum at query
//! time, grouped: sold lines once per cohort day and channel (`refund_date` NULL: a mature
//! customer's window ends before the report's day, so they never depend on it), refunds per
//! refund day as well, since a report as of D counts only the refunds made up to D. The SQL
//! is the same text on SQLite and Postgres; tests/ltv.rs checks the report built on it against
//! figures worked out by hand, on both backends.

/// Empties the table; run before [`REBUILD`].
pub(super) const CLEAR: &str = "DELETE FROM customer_value_summary";

/// The window sums of one group of rows of a fact view `s` joined to its customers `c`.
macro_rules! window_sums {
    () => {
        "CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 60
                  THEN s.revenue_cents ELSE 0 END) AS BIGINT),
         CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 365
                  THEN s.revenue_cents ELSE 0 END) AS BIGINT),
         CAST(SUM(CASE WHEN s.order_day_no <= c.first_order_day_no + 365
                  THEN s.margin_cents ELSE 0 END) AS BIGINT),
         CAST(SUM(s.revenue_cents) AS BIGINT),
         CAST(SUM(s.margin_cents) AS BIGINT)"
    };
}

/// The two statements that fill the table from the views, for the cohort days `filter`
/// (an `AND …` on `c`, or nothing for every cohort).
macro_rules! rebuild_statements {
    ($filter:expr) => {
        [
            concat!(
                "INSERT INTO customer_value_summary (first_order_day_no, acquisition_channel,
                     refund_date, revenue_60d_cents, revenue_365d_cents, margin_365d_cents,
                     revenue_730d_cents, margin_730d_cents)
                 SELECT c.first_order_day_no, COALESCE(c.acquisition_channel, ''), NULL, ",
                window_sums!(),
                " FROM customers c
                 JOIN sale_line_facts s ON s.customer_id = c.id
                 WHERE c.first_order_day_no IS NOT NULL
                   AND s.order_day_no <= c.first_order_day_no + 730 ",
                $filter,
                " GROUP BY c.first_order_day_no, c.acquisition_channel"
            ),
            concat!(
                "INSERT INTO customer_value_summary (first_order_day_no, acquisition_channel,
                     refund_date, revenue_60d_cents, revenue_365d_cents, margin_365d_cents,
                     revenue_730d_cents, margin_730d_cents)
                 SELECT c.first_order_day_no, COALESCE(c.acquisition_channel, ''), s.day, ",
                window_sums!(),
                " FROM customers c
                 JOIN refund_facts s ON s.customer_id = c.id
                 WHERE c.first_order_day_no IS NOT NULL
                   AND s.order_day_no <= c.first_order_day_no + 730 ",
                $filter,
                " GROUP BY c.first_order_day_no, c.acquisition_channel, s.day"
            ),
        ]
    };
}

/// Fills the table from the views; run after the customers' first orders are known.
pub(super) const REBUILD: [&str; 2] = rebuild_statements!("");

/// [`CLEAR`] and [`REBUILD`] for the cohort days listed in the temporary table
/// `refresh_cohort_day_nos` only (src/store/incremental.rs): every customer acquired on such a
/// day, since a row sums all of them.
pub(super) const CLEAR_TOUCHED: &str = "DELETE FROM customer_value_summary \
     WHERE first_order_day_no IN (SELECT day_no FROM refresh_cohort_day_nos)";
pub(super) const REBUILD_TOUCHED: [&str; 2] =
    rebuild_statements!("AND c.first_order_day_no IN (SELECT day_no FROM refresh_cohort_day_nos)");

//! `customer_value_summary` (migration 0008), rebuilt after every load with the other
//! summaries: each acquisition day x channel's net sales and gross margin over the customers'
//! first 60 / 365 / 730 days, the sums `report ltv` (src/customers/ltv.rs) reads instead of
//! joining every sale line of the store to its customers.
//!
//! The rows are the `sale_line_facts` and `refund_facts` rows the report used to sum at query
//! time (read through the rebuild's `summary_sales_build`, src/store/summaries.rs), grouped: sold lines once per cohort day and channel (`refund_date` NULL: a mature
//! customer's window ends before the report's day, so they never depend on it), refunds per
//! refund day as well, since a report as of D counts only the refunds made up to D. The SQL
//! is the same text on SQLite and Postgres; tests/ltv.rs checks the report built on it against
//! figures worked out by hand, on both backends.

/// Empties the table; run before [`REBUILD`].
pub(super) const CLEAR: &str = "DELETE FROM customer_value_summary";

/// The window sums of a group of `summary_sales_build` rows (src/store/summaries.rs: the
/// `sale_line_facts` and `refund_facts` rows of one customer's orders of one day, joined to
/// the customer's acquisition, already summed). The windows test the order's day, the same for
/// every view row of a build row, so these are the sums of the view rows themselves.
macro_rules! window_sums {
    () => {
        "CAST(SUM(CASE WHEN order_day_no <= first_order_day_no + 60
                  THEN revenue_cents ELSE 0 END) AS BIGINT),
         CAST(SUM(CASE WHEN order_day_no <= first_order_day_no + 365
                  THEN revenue_cents ELSE 0 END) AS BIGINT),
         CAST(SUM(CASE WHEN order_day_no <= first_order_day_no + 365
                  THEN margin_cents ELSE 0 END) AS BIGINT),
         CAST(SUM(revenue_cents) AS BIGINT),
         CAST(SUM(margin_cents) AS BIGINT)"
    };
}

/// The statement that fills the table from `summary_sales_build`. Sold lines have no refund
/// date, so they make one row per cohort day and channel; refunds one per refund day as well.
const FROM_BUILD: &str = concat!(
    "INSERT INTO customer_value_summary (first_order_day_no, acquisition_channel,
                 refund_date, revenue_60d_cents, revenue_365d_cents, margin_365d_cents,
                 revenue_730d_cents, margin_730d_cents)
             SELECT first_order_day_no, COALESCE(acquisition_channel, ''), refund_date, ",
    window_sums!(),
    " FROM summary_sales_build
             WHERE first_order_day_no IS NOT NULL
               AND order_day_no <= first_order_day_no + 730
             GROUP BY first_order_day_no, acquisition_channel, refund_date"
);

/// Fills the table from `summary_sales_build`; run after the customers' first orders are
/// known, between `summaries::BUILD` and `summaries::DROP_BUILD`.
pub(super) const REBUILD: [&str; 1] = [FROM_BUILD];

/// The window sums of one group of rows of a fact view `s` joined to its customers `c`: the
/// same sums as [`window_sums`], on the view rows themselves.
macro_rules! view_window_sums {
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

/// The rows of the cohort days `$filter` (an `AND …` on `c`) summed from one fact view, read
/// through the customers acquired on those days: the incremental refresh's reading, since a
/// few cohort days hold a small share of the facts.
macro_rules! from_view {
    ($view:literal, $refund_date:literal, $group:literal, $filter:literal) => {
        concat!(
            "INSERT INTO customer_value_summary (first_order_day_no, acquisition_channel,
                 refund_date, revenue_60d_cents, revenue_365d_cents, margin_365d_cents,
                 revenue_730d_cents, margin_730d_cents)
             SELECT c.first_order_day_no, COALESCE(c.acquisition_channel, ''), ",
            $refund_date,
            ", ",
            view_window_sums!(),
            " FROM customers c
             JOIN ",
            $view,
            " s ON s.customer_id = c.id
             WHERE c.first_order_day_no IS NOT NULL
               AND s.order_day_no <= c.first_order_day_no + 730 ",
            $filter,
            " GROUP BY c.first_order_day_no, c.acquisition_channel",
            $group
        )
    };
}

/// [`CLEAR`] and [`REBUILD`] for the cohort days listed in the temporary table
/// `refresh_cohort_day_nos` only (src/store/incremental.rs): every customer acquired on such a
/// day, since a row sums all of them.
pub(super) const CLEAR_TOUCHED: &str = "DELETE FROM customer_value_summary \
     WHERE first_order_day_no IN (SELECT day_no FROM refresh_cohort_day_nos)";
pub(super) const REBUILD_TOUCHED: [&str; 2] = [
    from_view!(
        "sale_line_facts",
        "NULL",
        "",
        "AND c.first_order_day_no IN (SELECT day_no FROM refresh_cohort_day_nos)"
    ),
    from_view!(
        "refund_facts",
        "s.day",
        ", s.day",
        "AND c.first_order_day_no IN (SELECT day_no FROM refresh_cohort_day_nos)"
    ),
];

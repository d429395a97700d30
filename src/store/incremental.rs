//! The refresh after an import that touched part of the store: the customers' acquisitions
//! and the summary rows recomputed only where the written orders can have changed them.
//!
//! A full rebuild ([`super::refresh_after_load`]) re-reads every order and line: seconds at a
//! million orders, the same whether the import wrote a million orders or ten. What an order
//! write can change is bounded:
//! - the acquisition of the customers of the written orders (and of an edited order's former
//!   customer), and so the cohort rows of their acquisition days, before and after;
//! - the daily rows of the days of the written orders and of their refunds (before and after
//!   an edit), and, for those customers whose first order changed, of the days of their first
//!   orders and their refunds, before and after (an order that stops or starts being a
//!   customer's first changes its customer type; a customer whose first order stays the same
//!   changes no other order's type, so a nightly sync of the day's orders by returning
//!   customers no longer recomputes the days of all their first orders).
//!
//! Those customers and days go into temporary tables, their rows are deleted and computed
//! again: the daily rows by the same statements as the full rebuild (src/store/summaries.rs,
//! with filters), the cohort and value rows by the same sums read from the views through the
//! customers of those acquisition days (the full rebuild's per-customer-day sums would read
//! every line to find them). The tables hold exactly what a full rebuild gives:
//! tests/summaries.rs compares the two after an overlapping re-import with an edited order,
//! on both backends.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::{firsts, summaries, value_summary};

/// What an import wrote, as [`super::refresh_after_import`] needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// Ids of the orders inserted or changed.
    pub orders: Vec<i64>,
    /// Days the changed orders and their refunds were on before the change.
    pub old_days: Vec<NaiveDate>,
    /// Customers the changed orders belonged to before the change.
    pub old_customers: Vec<i64>,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty() && self.old_days.is_empty() && self.old_customers.is_empty()
    }

    /// Adds what another batch wrote.
    pub fn extend(&mut self, other: Touched) {
        self.orders.extend(other.orders);
        self.old_days.extend(other.old_days);
        self.old_customers.extend(other.old_customers);
    }
}

/// An incremental refresh pays per touched row what the full rebuild pays per row, plus the
/// lookups of the touched days: past this share of the store's orders, the full rebuild is
/// the cheaper (and an empty store's first import always takes it).
pub(super) fn worth_it(touched_orders: usize, stored_orders: i64) -> bool {
    (touched_orders as i64).saturating_mul(4) <= stored_orders
}

const TEMP_TABLES: [&str; 6] = [
    "refresh_orders",
    "refresh_customers",
    "refresh_firsts",
    "refresh_days",
    "refresh_cohort_days",
    "refresh_cohort_day_nos",
];

/// Their types are copied from the columns they hold, so the same text serves both backends.
const CREATE: [&str; 6] = [
    "CREATE TEMPORARY TABLE refresh_orders AS SELECT id FROM orders WHERE 1 = 0",
    "CREATE TEMPORARY TABLE refresh_customers AS SELECT id FROM customers WHERE 1 = 0",
    "CREATE TEMPORARY TABLE refresh_firsts AS SELECT id, first_order_id FROM customers WHERE 1 = 0",
    "CREATE TEMPORARY TABLE refresh_days AS SELECT local_date AS day FROM orders WHERE 1 = 0",
    "CREATE TEMPORARY TABLE refresh_cohort_days AS \
     SELECT first_order_date AS day FROM customers WHERE 1 = 0",
    "CREATE TEMPORARY TABLE refresh_cohort_day_nos AS \
     SELECT first_order_day_no AS day_no FROM customers WHERE 1 = 0",
];

/// The days of the written orders and of their refunds, and their customers.
const FROM_ORDERS: [&str; 3] = [
    "INSERT INTO refresh_customers (id) SELECT customer_id FROM orders \
     WHERE id IN (SELECT id FROM refresh_orders) AND customer_id IS NOT NULL",
    "INSERT INTO refresh_days (day) SELECT local_date FROM orders \
     WHERE id IN (SELECT id FROM refresh_orders)",
    "INSERT INTO refresh_days (day) SELECT local_date FROM refunds \
     WHERE order_id IN (SELECT id FROM refresh_orders)",
];

/// The touched customers' first orders, before their acquisitions are recomputed.
const FIRSTS_BEFORE: &str = "INSERT INTO refresh_firsts (id, first_order_id) \
     SELECT id, first_order_id FROM customers WHERE id IN (SELECT id FROM refresh_customers)";

/// The days of the first orders (and their refunds) that stopped or started being a customer's
/// first: the old first order of a customer whose first order changed, then the new one.
/// Run after the acquisitions are recomputed.
const CHANGED_FIRSTS_DAYS: [&str; 4] = [
    "INSERT INTO refresh_days (day) SELECT o.local_date FROM refresh_firsts f \
     JOIN customers c ON c.id = f.id JOIN orders o ON o.id = f.first_order_id \
     WHERE COALESCE(c.first_order_id, -1) <> f.first_order_id",
    "INSERT INTO refresh_days (day) SELECT r.local_date FROM refresh_firsts f \
     JOIN customers c ON c.id = f.id JOIN refunds r ON r.order_id = f.first_order_id \
     WHERE COALESCE(c.first_order_id, -1) <> f.first_order_id",
    "INSERT INTO refresh_days (day) SELECT o.local_date FROM refresh_firsts f \
     JOIN customers c ON c.id = f.id JOIN orders o ON o.id = c.first_order_id \
     WHERE COALESCE(f.first_order_id, -1) <> c.first_order_id",
    "INSERT INTO refresh_days (day) SELECT r.local_date FROM refresh_firsts f \
     JOIN customers c ON c.id = f.id JOIN refunds r ON r.order_id = c.first_order_id \
     WHERE COALESCE(f.first_order_id, -1) <> c.first_order_id",
];

/// The touched customers' acquisition days: run before the acquisitions are recomputed and
/// again after (their cohort rows hold their orders, which changed, whether or not their
/// acquisition did).
const FROM_FIRSTS: [&str; 2] = [
    "INSERT INTO refresh_cohort_days (day) SELECT first_order_date FROM customers \
     WHERE id IN (SELECT id FROM refresh_customers) AND first_order_date IS NOT NULL",
    "INSERT INTO refresh_cohort_day_nos (day_no) SELECT first_order_day_no FROM customers \
     WHERE id IN (SELECT id FROM refresh_customers) AND first_order_day_no IS NOT NULL",
];

/// Values per `INSERT … VALUES` of the touched ids and days.
const VALUES_PER_INSERT: usize = 500;

/// `INSERT INTO table (column) VALUES (…), (…)` statements of literals. The values are our
/// own integers and dates, never user text, and a literal list serves both backends without
/// a placeholder syntax of each.
fn insert_literals(table: &str, column: &str, values: &[String]) -> Vec<Cow<'static, str>> {
    values
        .chunks(VALUES_PER_INSERT)
        .map(|chunk| {
            let rows: Vec<String> = chunk.iter().map(|v| format!("({v})")).collect();
            Cow::Owned(format!(
                "INSERT INTO {table} ({column}) VALUES {}",
                rows.join(", ")
            ))
        })
        .collect()
}

/// The statements of the incremental refresh, in order, for one transaction.
pub(super) fn statements(touched: &Touched) -> Vec<Cow<'static, str>> {
    let mut sql: Vec<Cow<'static, str>> = Vec::new();
    sql.extend(
        TEMP_TABLES
            .iter()
            .map(|t| Cow::Owned(format!("DROP TABLE IF EXISTS {t}"))),
    );
    sql.extend(CREATE.iter().map(|s| Cow::Borrowed(*s)));
    let ids: Vec<String> = touched.orders.iter().map(i64::to_string).collect();
    sql.extend(insert_literals("refresh_orders", "id", &ids));
    let customers: Vec<String> = touched.old_customers.iter().map(i64::to_string).collect();
    sql.extend(insert_literals("refresh_customers", "id", &customers));
    let days: Vec<String> = touched
        .old_days
        .iter()
        .map(|d| format!("'{}'", d.format("%Y-%m-%d")))
        .collect();
    sql.extend(insert_literals("refresh_days", "day", &days));
    sql.extend(FROM_ORDERS.iter().map(|s| Cow::Borrowed(*s)));
    sql.push(Cow::Borrowed(FIRSTS_BEFORE));
    sql.extend(FROM_FIRSTS.iter().map(|s| Cow::Borrowed(*s)));
    sql.push(Cow::Borrowed(firsts::SET_FIRSTS_TOUCHED));
    sql.extend(CHANGED_FIRSTS_DAYS.iter().map(|s| Cow::Borrowed(*s)));
    sql.extend(FROM_FIRSTS.iter().map(|s| Cow::Borrowed(*s)));
    sql.extend(summaries::CLEAR_TOUCHED.iter().map(|s| Cow::Borrowed(*s)));
    sql.push(Cow::Borrowed(value_summary::CLEAR_TOUCHED));
    sql.extend(summaries::BUILD_TOUCHED.iter().map(|s| Cow::Borrowed(*s)));
    sql.extend(summaries::REBUILD_TOUCHED.iter().map(|s| Cow::Borrowed(*s)));
    sql.extend(
        value_summary::REBUILD_TOUCHED
            .iter()
            .map(|s| Cow::Borrowed(*s)),
    );
    sql.push(Cow::Borrowed(summaries::DROP_BUILD));
    sql.extend(
        TEMP_TABLES
            .iter()
            .map(|t| Cow::Owned(format!("DROP TABLE {t}"))),
    );
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touched_ids_and_days_become_literal_rows() {
        let touched = Touched {
            orders: (1..=501).collect(),
            old_days: vec![NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()],
            old_customers: vec![],
        };
        let sql = statements(&touched);
        let inserts: Vec<&str> = sql
            .iter()
            .filter(|s| s.contains(" VALUES "))
            .map(|s| s.as_ref())
            .collect();
        assert_eq!(inserts.len(), 3, "{inserts:?}");
        assert!(inserts[0].ends_with("(499), (500)"));
        assert_eq!(inserts[1], "INSERT INTO refresh_orders (id) VALUES (501)");
        assert_eq!(
            inserts[2],
            "INSERT INTO refresh_days (day) VALUES ('2026-03-01')"
        );
    }

    #[test]
    fn the_full_rebuild_wins_past_a_quarter_of_the_orders() {
        assert!(worth_it(10, 1_000));
        assert!(worth_it(250, 1_000));
        assert!(!worth_it(251, 1_000));
        assert!(!worth_it(1, 0));
    }
}

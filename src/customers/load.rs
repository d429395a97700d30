//! Reading customers' histories from the store, as of a day: only orders placed on or before
//! it and refunds made on or before it count, so a report "as of D" is what it would have
//! said on the evening of D (this is how users backtest). One aggregate query per backend-
//! neutral SQL text; the scoring itself is pure Rust (`rfm.rs`, `churn.rs`).

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use futures::TryStreamExt;

use super::churn::{sort_orders, EmailActivity, OrderFact};
use super::rfm::CustomerHistory;
use crate::domain::day_no;
use crate::store::Store;
use crate::with_pool;

/// Per customer: counted orders (the `counted_orders` definition: not cancelled, not test)
/// placed up to the as-of day.
const ORDERS_BY_CUSTOMER: &str = "
SELECT customer_id,
       COUNT(*) AS orders,
       CAST(SUM(net_cents) AS BIGINT) AS net_cents,
       MIN(day_no) AS first_day_no,
       MAX(day_no) AS last_day_no
FROM orders
WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test AND day_no <= $1
GROUP BY customer_id";

/// Per customer: refunds made up to the as-of day on those orders.
const REFUNDS_BY_CUSTOMER: &str = "
SELECT o.customer_id, CAST(SUM(r.amount_cents) AS BIGINT) AS refunded_cents
FROM refunds r
JOIN orders o ON o.id = r.order_id
WHERE o.customer_id IS NOT NULL AND o.cancelled_at IS NULL AND NOT o.is_test
  AND o.day_no <= $1 AND r.local_date <= $2
GROUP BY o.customer_id";

/// Every counted order up to the as-of day, in customer order (the covering index of
/// migration 0007 serves it without a sort). Refunds are read apart (a few per cent of
/// orders): joining them here cost more than the whole scan.
const ORDER_FACTS: &str = "
SELECT id, customer_id, day_no, net_cents, discount_cents
FROM orders
WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test AND day_no <= $1
ORDER BY customer_id, day_no";

/// What was refunded per order up to the as-of day.
const REFUNDS_BY_ORDER: &str = "
SELECT order_id, CAST(SUM(amount_cents) AS BIGINT) AS refunded_cents
FROM refunds
WHERE local_date <= $1
GROUP BY order_id";

/// Customers' first counted order after the as-of day and up to `until` (the outcome of a
/// churn backtest). The days are bound as dates: `local_date` is indexed (`day_no` is the
/// same day as a number, but a filter on it read the whole table).
const NEXT_ORDERS: &str = "
SELECT DISTINCT customer_id
FROM orders
WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test
  AND local_date > $1 AND local_date <= $2";

/// Per customer: the days with a counted order after the as-of day and up to `until` (the
/// outcome of a purchase-count holdout test).
const PURCHASE_DAYS: &str = "
SELECT customer_id, COUNT(DISTINCT day_no) AS days
FROM orders
WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test
  AND local_date > $1 AND local_date <= $2
GROUP BY customer_id";

/// The last day with any order (the index on `local_date` answers it without a scan).
const LAST_ORDER_DAY: &str = "SELECT MAX(local_date) FROM orders";

/// Per customer: the last day with an e-mail open or click up to the as-of day, matched on the
/// normalised e-mail (`customer_key`, as the importers and the Klaviyo sync compute it).
const LAST_ENGAGED: &str = "
SELECT c.id, MAX(e.day_no) AS last_day_no
FROM email_engagement_days e
JOIN customers c ON c.customer_key = e.customer_key
WHERE e.day_no <= $1
GROUP BY c.id";

/// Profiles (normalised e-mails) with any open or click up to the as-of day, customers or not.
const ENGAGED_PROFILES: &str =
    "SELECT COUNT(DISTINCT customer_key) FROM email_engagement_days WHERE day_no <= $1";

/// The shop's e-mail campaign sends up to the as-of day: one row per campaign and send day
/// with recipients (`Flow: …` rows are automations triggered per customer, not sends to all).
const CAMPAIGN_SENDS: &str = "
SELECT date FROM ad_spend
WHERE channel = 'email' AND campaign NOT LIKE 'Flow: %' AND impressions > 0 AND date <= $1";

const CONTACTS: &str = "SELECT id, customer_key, email FROM customers";

/// Every buying customer's history as of `as_of`, by customer id.
pub async fn histories(store: &Store, as_of: NaiveDate) -> anyhow::Result<Vec<CustomerHistory>> {
    let as_of_no = day_no(as_of);
    // Streamed into the vector: holding 300 k decoded rows first would double the memory.
    let mut out: Vec<CustomerHistory> = with_pool!(store, pool => {
        sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(ORDERS_BY_CUSTOMER)
            .bind(as_of_no)
            .fetch(pool)
            .map_ok(|(customer_id, orders, value_cents, first_day_no, last_day_no)| {
                CustomerHistory {
                    customer_id,
                    orders,
                    value_cents,
                    first_day_no,
                    last_day_no,
                }
            })
            .try_collect()
            .await
    })
    .context("failed to read customers' orders")?;
    let refunds: Vec<(i64, i64)> = with_pool!(store, pool => {
        sqlx::query_as(REFUNDS_BY_CUSTOMER)
            .bind(as_of_no)
            .bind(as_of)
            .fetch_all(pool)
            .await
    })
    .context("failed to read customers' refunds")?;
    let refunds: HashMap<i64, i64> = refunds.into_iter().collect();
    for c in &mut out {
        if let Some(r) = refunds.get(&c.customer_id) {
            c.value_cents -= r;
        }
    }
    out.sort_unstable_by_key(|c| c.customer_id);
    Ok(out)
}

/// How to reach a customer: the canonical key and the e-mail (when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub key: String,
    pub email: Option<String>,
}

/// Every customer's contact, by id: read only when a report lists customers.
pub async fn contacts(store: &Store) -> anyhow::Result<HashMap<i64, Contact>> {
    let rows: Vec<(i64, String, Option<String>)> = with_pool!(store, pool => {
        sqlx::query_as(CONTACTS).fetch_all(pool).await
    })
    .context("failed to read customers' contacts")?;
    Ok(rows
        .into_iter()
        .map(|(id, key, email)| (id, Contact { key, email }))
        .collect())
}

/// Every counted order of a known customer up to `as_of`, sorted by customer then day.
pub async fn order_facts(store: &Store, as_of: NaiveDate) -> anyhow::Result<Vec<OrderFact>> {
    let refunds: Vec<(i64, i64)> = with_pool!(store, pool => {
        sqlx::query_as(REFUNDS_BY_ORDER).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read refunds")?;
    let refunds: HashMap<i64, i64> = refunds.into_iter().collect();
    let mut facts: Vec<OrderFact> = with_pool!(store, pool => {
        sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(ORDER_FACTS)
            .bind(day_no(as_of))
            .fetch(pool)
            .map_ok(
                |(id, customer_id, day_no, net_cents, discount_cents)| OrderFact {
                    customer_id,
                    day_no,
                    net_cents,
                    discount_cents,
                    refunded_cents: refunds.get(&id).copied().unwrap_or(0),
                },
            )
            .try_collect()
            .await
    })
    .context("failed to read customers' orders")?;
    sort_orders(&mut facts);
    Ok(facts)
}

/// E-mail engagement as the store knows it on `as_of`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmailData {
    /// Profiles with an open or click up to `as_of` (customers or not).
    pub engaged_profiles: i64,
    /// E-mail campaigns sent up to `as_of`.
    pub campaign_sends: i64,
    /// The signal's input when both are there; `None`: silence on e-mails is not available.
    pub activity: Option<EmailActivity>,
}

/// Each customer's last e-mail open or click and the shop's campaign sends, up to `as_of`.
pub async fn email_data(store: &Store, as_of: NaiveDate) -> anyhow::Result<EmailData> {
    let as_of_no = day_no(as_of);
    let engaged_profiles: i64 = with_pool!(store, pool => {
        sqlx::query_scalar(ENGAGED_PROFILES).bind(as_of_no).fetch_one(pool).await
    })
    .context("failed to read the e-mail engagement")?;
    let sends: Vec<NaiveDate> = with_pool!(store, pool => {
        sqlx::query_scalar(CAMPAIGN_SENDS).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read the e-mail campaign sends")?;
    let campaign_sends = sends.len() as i64;
    let activity = if engaged_profiles > 0 && campaign_sends > 0 {
        let rows: Vec<(i64, i64)> = with_pool!(store, pool => {
            sqlx::query_as(LAST_ENGAGED).bind(as_of_no).fetch_all(pool).await
        })
        .context("failed to read customers' last e-mail engagement")?;
        let mut send_days: Vec<i64> = sends.into_iter().map(day_no).collect();
        send_days.sort_unstable();
        Some(EmailActivity {
            last_engaged: rows.into_iter().collect(),
            send_days,
        })
    } else {
        None
    };
    Ok(EmailData {
        engaged_profiles,
        campaign_sends,
        activity,
    })
}

/// The customers who ordered after `as_of` and up to `until`, and the last day with any
/// order in the store (to tell whether the outcome window is complete).
pub async fn ordered_between(
    store: &Store,
    as_of: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<(std::collections::HashSet<i64>, Option<i64>)> {
    let ids: Vec<(i64,)> = with_pool!(store, pool => {
        sqlx::query_as(NEXT_ORDERS)
            .bind(as_of)
            .bind(until)
            .fetch_all(pool)
            .await
    })
    .context("failed to read later orders")?;
    let last: Option<NaiveDate> = with_pool!(store, pool => {
        sqlx::query_scalar(LAST_ORDER_DAY).fetch_one(pool).await
    })
    .context("failed to read the last order day")?;
    Ok((ids.into_iter().map(|(id,)| id).collect(), last.map(day_no)))
}

/// Days with a counted order per customer, after `as_of` and up to `until`.
pub async fn purchase_days_between(
    store: &Store,
    as_of: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = with_pool!(store, pool => {
        sqlx::query_as(PURCHASE_DAYS)
            .bind(as_of)
            .bind(until)
            .fetch_all(pool)
            .await
    })
    .context("failed to read the purchases after the calibration end")?;
    Ok(rows.into_iter().collect())
}

/// The contacts of a few customers (the ones a report names), by id.
pub async fn contacts_of(store: &Store, ids: &[i64]) -> anyhow::Result<HashMap<i64, Contact>> {
    let mut out = HashMap::new();
    // Placeholders only: the ids are bound, never spliced.
    for chunk in ids.chunks(100) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{CONTACTS} WHERE id IN ({})", marks.join(", "));
        let rows: Vec<(i64, String, Option<String>)> = with_pool!(store, pool => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(pool).await
        })
        .context("failed to read customers' contacts")?;
        out.extend(
            rows.into_iter()
                .map(|(id, key, email)| (id, Contact { key, email })),
        );
    }
    Ok(out)
}

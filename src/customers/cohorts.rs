//! Monthly acquisition cohorts (SPEC §6): the customers acquired in a month, and the share of
//! them who bought in each month after (month +0, +1, …), the retention heat-map; and the
//! 90-day repurchase rate per cohort and per acquisition channel.
//!
//! Definitions, the store's own (docs/metrics.md): a customer's cohort is the month (shop
//! time zone) of their first counted order, their channel that order's channel
//! (`customers.first_order_*`); a customer "buys in month +k" with at least one counted order
//! (not cancelled, not a test) in the k-th calendar month after the cohort's. Repurchase at 90
//! days is the cockpit's `repurchase_rate_90d`: another counted order placed within 90 days
//! of the first (day ≤ first + 90).
//!
//! As of D nothing after D is read, and nothing incomplete is shown as a figure: a month
//! +k that has not ended by D has no retention cell (month +0 excepted: 100 % by definition);
//! a cohort whose last customer has not had 90 days yet has no repurchase rate but the day it
//! will have one. `None` there is "too young", never 0 %.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{Datelike, Days, Months, NaiveDate};
use futures::TryStreamExt;
use serde::Serialize;

use crate::domain::day_no;
use crate::store::Store;
use crate::with_pool;

/// Days of the repurchase window (the store's `repurchase_rate_90d`).
pub const REPURCHASE_DAYS: i64 = 90;
/// Cohorts shown by default, and the most a report may ask for.
pub const DEFAULT_COHORT_MONTHS: u32 = 12;
pub const MAX_COHORT_MONTHS: u32 = 36;

/// One customer's acquisition: the input of [`cohort_matrix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acquired {
    pub customer_id: i64,
    pub first_day_no: i64,
    pub channel: String,
}

/// Month +k of a cohort: the customers who bought in it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RetentionCell {
    pub month: u32,
    pub customers: i64,
    pub pct: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    /// `2026-01`.
    pub month: String,
    pub start: NaiveDate,
    pub customers: i64,
    /// Months +0 … +k that have ended by D (+0 always), oldest first.
    pub retention: Vec<RetentionCell>,
    /// Share who ordered again within 90 days; `None` while the cohort is too young.
    pub repurchase_rate_90d: Option<f64>,
    pub repurchased_90d: Option<i64>,
    /// The day the last customer of the cohort has had 90 days.
    pub repurchase_complete_on: NaiveDate,
}

/// The 90-day repurchase of one acquisition channel (or of all: `channel` = `all`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRepurchase {
    pub channel: String,
    /// Customers of the report's cohorts who have had their 90 days by D.
    pub customers: i64,
    pub repurchased: i64,
    pub rate: Option<f64>,
    /// Customers of the report's cohorts acquired less than 90 days before D (not counted).
    pub too_young: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortReport {
    pub as_of: NaiveDate,
    /// Cohorts shown (calendar months, the as-of month last).
    pub months: u32,
    /// Oldest first.
    pub cohorts: Vec<Cohort>,
    /// Largest first.
    pub channels: Vec<ChannelRepurchase>,
    pub overall: ChannelRepurchase,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
}

fn date_of(day_no_value: i64) -> NaiveDate {
    epoch() + Days::new(day_no_value.max(0) as u64)
}

fn month_index(date: NaiveDate) -> i64 {
    date.year() as i64 * 12 + date.month0() as i64
}

fn month_start(index: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        index.div_euclid(12) as i32,
        index.rem_euclid(12) as u32 + 1,
        1,
    )
    .expect("valid month")
}

fn month_end(index: i64) -> NaiveDate {
    month_start(index) + Months::new(1) - Days::new(1)
}

/// The first day of the oldest cohort a report of `months` cohorts as of `as_of` shows.
pub fn first_cohort_day(as_of: NaiveDate, months: u32) -> NaiveDate {
    month_start(month_index(as_of) - i64::from(months.max(1)) + 1)
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// The cohorts from the customers acquired in the window and their counted orders up to D as
/// (customer id, day number), in any order (pure; orders of other customers are ignored).
pub fn cohort_matrix(
    customers: &[Acquired],
    orders: impl IntoIterator<Item = (i64, i64)>,
    as_of: NaiveDate,
    months: u32,
) -> CohortReport {
    let months = months.clamp(1, MAX_COHORT_MONTHS);
    let as_of_no = day_no(as_of);
    let last = month_index(as_of);
    let first = last - i64::from(months) + 1;
    // Per customer: months bought in (bit k = month +k) and orders within 90 days.
    struct State {
        cohort: i64,
        first_day_no: i64,
        active: u64,
        within_90d: u32,
    }
    let mut states: Vec<State> = Vec::with_capacity(customers.len());
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(customers.len());
    for c in customers {
        let cohort = month_index(date_of(c.first_day_no));
        if cohort < first || cohort > last || c.first_day_no > as_of_no {
            continue;
        }
        index.insert(c.customer_id, states.len());
        states.push(State {
            cohort,
            first_day_no: c.first_day_no,
            active: 0,
            within_90d: 0,
        });
    }
    for (customer_id, day) in orders {
        if day > as_of_no {
            continue;
        }
        let Some(&i) = index.get(&customer_id) else {
            continue;
        };
        let s = &mut states[i];
        if day < s.first_day_no {
            continue;
        }
        let offset = month_index(date_of(day)) - s.cohort;
        if (0..64).contains(&offset) {
            s.active |= 1 << offset;
        }
        if day <= s.first_day_no + REPURCHASE_DAYS {
            s.within_90d += 1;
        }
    }

    struct Acc {
        customers: i64,
        /// Customers who bought in month +k, k < months.
        active: Vec<i64>,
        repurchased: i64,
    }
    let mut by_cohort: Vec<Acc> = (0..months)
        .map(|_| Acc {
            customers: 0,
            active: vec![0; months as usize],
            repurchased: 0,
        })
        .collect();
    #[derive(Default)]
    struct ChannelAcc {
        eligible: i64,
        repurchased: i64,
        too_young: i64,
    }
    let mut by_channel: BTreeMap<&str, ChannelAcc> = BTreeMap::new();
    for (c, s) in customers
        .iter()
        .filter_map(|c| index.get(&c.customer_id).map(|&i| (c, &states[i])))
    {
        let acc = &mut by_cohort[(s.cohort - first) as usize];
        acc.customers += 1;
        for (k, n) in acc.active.iter_mut().enumerate() {
            if s.active & (1 << k) != 0 {
                *n += 1;
            }
        }
        let repurchased = s.within_90d >= 2;
        if repurchased {
            acc.repurchased += 1;
        }
        let ch = by_channel.entry(c.channel.as_str()).or_default();
        if s.first_day_no + REPURCHASE_DAYS <= as_of_no {
            ch.eligible += 1;
            ch.repurchased += i64::from(repurchased);
        } else {
            ch.too_young += 1;
        }
    }

    let cohorts = by_cohort
        .iter()
        .enumerate()
        .map(|(i, acc)| {
            let index = first + i as i64;
            let start = month_start(index);
            let complete_on = month_end(index) + Days::new(REPURCHASE_DAYS as u64);
            let retention = (0..(last - index + 1))
                .filter(|&k| k == 0 || month_end(index + k) <= as_of)
                .map(|k| RetentionCell {
                    month: k as u32,
                    customers: acc.active[k as usize],
                    pct: pct(acc.active[k as usize], acc.customers).unwrap_or(0.0),
                })
                .filter(|_| acc.customers > 0)
                .collect();
            let complete = complete_on <= as_of;
            Cohort {
                month: start.format("%Y-%m").to_string(),
                start,
                customers: acc.customers,
                retention,
                repurchase_rate_90d: if complete {
                    pct(acc.repurchased, acc.customers)
                } else {
                    None
                },
                repurchased_90d: complete.then_some(acc.repurchased),
                repurchase_complete_on: complete_on,
            }
        })
        .collect();
    let row = |channel: &str, a: &ChannelAcc| ChannelRepurchase {
        channel: channel.to_string(),
        customers: a.eligible,
        repurchased: a.repurchased,
        rate: pct(a.repurchased, a.eligible),
        too_young: a.too_young,
    };
    let mut channels: Vec<ChannelRepurchase> =
        by_channel.iter().map(|(ch, a)| row(ch, a)).collect();
    channels.sort_by(|a, b| {
        (b.customers + b.too_young)
            .cmp(&(a.customers + a.too_young))
            .then(a.channel.cmp(&b.channel))
    });
    let total = by_channel
        .values()
        .fold(ChannelAcc::default(), |t, a| ChannelAcc {
            eligible: t.eligible + a.eligible,
            repurchased: t.repurchased + a.repurchased,
            too_young: t.too_young + a.too_young,
        });
    CohortReport {
        as_of,
        months,
        cohorts,
        channels,
        overall: row("all", &total),
    }
}

/// Customers acquired between two day numbers, by id.
const ACQUIRED: &str = "
SELECT id, first_order_day_no, acquisition_channel
FROM customers
WHERE first_order_day_no BETWEEN $1 AND $2
ORDER BY id";

/// Counted orders of known customers between two day numbers (the covering index of
/// migration 0007 serves it).
const ORDER_DAYS: &str = "
SELECT customer_id, day_no
FROM orders
WHERE customer_id IS NOT NULL AND cancelled_at IS NULL AND NOT is_test
  AND day_no BETWEEN $1 AND $2";

/// The cohort report as of `as_of`: the `months` cohorts ending with the as-of month.
pub async fn cohort_report(
    store: &Store,
    as_of: NaiveDate,
    months: u32,
) -> anyhow::Result<CohortReport> {
    let months = months.clamp(1, MAX_COHORT_MONTHS);
    let (from, to) = (day_no(first_cohort_day(as_of, months)), day_no(as_of));
    let rows: Vec<(i64, i64, Option<String>)> = with_pool!(store, pool => {
        sqlx::query_as(ACQUIRED).bind(from).bind(to).fetch_all(pool).await
    })
    .context("failed to read customers' acquisitions")?;
    let customers: Vec<Acquired> = rows
        .into_iter()
        .map(|(customer_id, first_day_no, channel)| Acquired {
            customer_id,
            first_day_no,
            channel: channel.unwrap_or_default(),
        })
        .collect();
    // A customer of these cohorts has all their orders in [from, to].
    let orders: Vec<(i64, i64)> = with_pool!(store, pool => {
        sqlx::query_as::<_, (i64, i64)>(ORDER_DAYS)
            .bind(from)
            .bind(to)
            .fetch(pool)
            .try_collect()
            .await
    })
    .context("failed to read customers' orders")?;
    crate::telemetry::spawn_blocking_in_span(move || {
        cohort_matrix(&customers, orders, as_of, months)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn acquired(id: i64, day: &str, channel: &str) -> Acquired {
        Acquired {
            customer_id: id,
            first_day_no: day_no(d(day)),
            channel: channel.into(),
        }
    }

    #[test]
    fn months_and_ninety_days_are_only_shown_once_complete() {
        let customers = [
            acquired(1, "2026-08-10", "meta"),
            acquired(2, "2026-08-20", "google"),
            acquired(3, "2026-10-05", "meta"),
        ];
        let orders = [
            (1, day_no(d("2026-08-10"))),
            (1, day_no(d("2026-09-01"))),
            (2, day_no(d("2026-08-20"))),
            (2, day_no(d("2026-11-25"))),
            (3, day_no(d("2026-10-05"))),
            (3, day_no(d("2026-10-06"))),
        ];
        let r = cohort_matrix(&customers, orders, d("2026-11-20"), 4);
        let months: Vec<&str> = r.cohorts.iter().map(|c| c.month.as_str()).collect();
        assert_eq!(months, ["2026-08", "2026-09", "2026-10", "2026-11"]);
        let aug = &r.cohorts[0];
        assert_eq!(aug.customers, 2);
        // +0, +1 (September), +2 (October) ended; November has not.
        let cells: Vec<(u32, i64)> = aug
            .retention
            .iter()
            .map(|c| (c.month, c.customers))
            .collect();
        assert_eq!(cells, [(0, 2), (1, 1), (2, 0)]);
        // August's last customer has had 90 days on 29 November: too young on the 20th.
        assert_eq!(aug.repurchase_rate_90d, None);
        assert_eq!(aug.repurchase_complete_on, d("2026-11-29"));
        let oct = &r.cohorts[2];
        assert_eq!(oct.retention.len(), 1, "November has not ended");
        assert_eq!(oct.repurchase_rate_90d, None);
        // Per channel: alice (10 Aug) and bob (20 Aug) have had 90 days; carol has not.
        let meta = r.channels.iter().find(|c| c.channel == "meta").unwrap();
        assert_eq!(
            (meta.customers, meta.repurchased, meta.too_young),
            (1, 1, 1)
        );
        let google = r.channels.iter().find(|c| c.channel == "google").unwrap();
        assert_eq!((google.customers, google.repurchased), (1, 0));
        assert_eq!(google.rate, Some(0.0));
        assert_eq!(r.overall.rate, Some(50.0));
        // Empty cohort: no cells.
        assert!(r.cohorts[1].retention.is_empty());
    }
}

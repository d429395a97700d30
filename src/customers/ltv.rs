//! The Marketing Profit Matrix (SPEC §6, playbook ch. 4): per acquisition channel, what a new
//! customer costs (CAC) against what they bring (LTV), so budget moves to the channels whose
//! customers are worth more than they cost, not to the cheapest clicks.
//!
//! Definitions, all from the store's own (docs/metrics.md), as of a day D:
//! - a customer's **acquisition** is their first counted order (`customers.first_order_*`,
//!   maintained by `store::firsts`): its day and its channel. Cancelled and test orders never
//!   count; a customer whose first order is after D does not exist yet.
//! - **new customers** and **spend** (`ad_spend`) over the period P (default: the 365 days to
//!   D); **CAC** = spend ÷ new customers + the configured extra cost per new customer
//!   (`[ltv] extra_cac`). `None` when the channel acquired nobody or costs nothing.
//! - **LTV 12 / 24 months** = average net sales (revenue) and gross margin per customer over
//!   their first 365 / 730 days (first order included: orders placed on day ≤ first + 365),
//!   the `sale_line_facts` / `refund_facts` definitions of the cockpit's margin, refunds made
//!   up to D. Only **mature** customers count: acquired at least 365 / 730 days before D, so
//!   every one of them has had the whole window. A channel without mature customers has no
//!   LTV (`—`), never a partial one.
//! - **LTV/CAC** = margin LTV 12 months ÷ CAC: what a euro of acquisition brings back in margin
//!   within a year (the revenue ratio is given too, as the playbook's example uses revenue).
//! - **ROAS**, on the customers the channel acquired in the part of P whose 60 days are over
//!   (acquired up to D − 60) and the channel's spend over the same days: immediate = their
//!   first orders' net merchandise ÷ spend; 60 days = their net sales over their first 60 days
//!   (the `roas_60d` definition) ÷ spend.
//! - **Predicted LTV** for young customers (acquired in the 365 days to D) comes from outside:
//!   a map customer id → predicted 12-month value (the CLV model, `clv.rs`). Without it the
//!   field is `None` and the report says so.
//!
//! Loading is a few aggregate queries (per channel in SQL; the sales sums read the
//! per-acquisition-day `customer_value_summary` of migration 0008); the matrix itself is the
//! pure [`profit_matrix`].

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::domain::{day_no, Cents, Period};
use crate::store::Store;
use crate::with_pool;

/// Days in the "12 months" and "24 months" windows (the store's `ltv_12m` uses 365).
pub const LTV_12M_DAYS: i64 = 365;
pub const LTV_24M_DAYS: i64 = 730;
/// The cohort ROAS window, as the cockpit's `roas_60d`.
pub const ROAS_DAYS: i64 = 60;

/// How the matrix is computed (from `[ltv]` in the configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct LtvOptions {
    /// Extra acquisition cost per new customer (reactivation, support…), by channel; the key
    /// `*` applies to every channel without its own entry.
    pub extra_cac: BTreeMap<String, Cents>,
    /// The reallocation suggestion moves this share of the weakest channel's period spend.
    pub reallocation_pct: f64,
    /// A channel's LTV is trusted for the suggestion only with this many mature customers.
    pub min_mature_customers: i64,
}

impl Default for LtvOptions {
    fn default() -> Self {
        LtvOptions {
            extra_cac: BTreeMap::new(),
            reallocation_pct: 10.0,
            min_mature_customers: 30,
        }
    }
}

impl LtvOptions {
    pub fn extra_cac_of(&self, channel: &str) -> Cents {
        self.extra_cac
            .get(channel)
            .or_else(|| self.extra_cac.get("*"))
            .copied()
            .unwrap_or_default()
    }
}

/// Sums per channel, as loaded: the input of [`profit_matrix`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelSums {
    /// Customers acquired in the period, and the spend of the period.
    pub new_customers: i64,
    pub spend_cents: i64,
    /// Mature customers and their revenue and margin over their first 365 / 730 days.
    pub mature_12m: i64,
    pub revenue_12m_cents: i64,
    pub margin_12m_cents: i64,
    pub mature_24m: i64,
    pub revenue_24m_cents: i64,
    pub margin_24m_cents: i64,
    /// The ROAS window: customers acquired, spend, first-order and 60-day revenue.
    pub roas_customers: i64,
    pub roas_spend_cents: i64,
    pub first_order_cents: i64,
    pub revenue_60d_cents: i64,
    /// Young customers (acquired in the 365 days to D) and, when a CLV map is given, how many
    /// it covers and the sum of their predicted 12-month values.
    pub young_customers: i64,
    pub predicted_customers: i64,
    pub predicted_cents: i64,
}

/// LTV per customer over a window, from the mature customers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ltv {
    /// Mature customers averaged over.
    pub customers: i64,
    pub revenue: Cents,
    pub margin: Cents,
}

/// One channel's row of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelLtv {
    pub channel: String,
    pub new_customers: i64,
    pub spend: Cents,
    pub extra_cac: Cents,
    /// Spend ÷ new customers + extra cost; `None` without new customers or without any cost.
    pub cac: Option<Cents>,
    pub ltv_12m: Option<Ltv>,
    pub ltv_24m: Option<Ltv>,
    /// Margin LTV 12 months ÷ CAC.
    pub ltv_cac: Option<f64>,
    /// Revenue LTV 12 months ÷ CAC.
    pub ltv_cac_revenue: Option<f64>,
    /// Immediate ROAS (first orders ÷ spend) and 60-day ROAS, over the ROAS window.
    pub roas_immediate: Option<f64>,
    pub roas_60d: Option<f64>,
    pub roas_customers: i64,
    pub roas_spend: Cents,
    /// Customers acquired in the 365 days to D (no 12-month LTV yet).
    pub young_customers: i64,
    /// Average predicted 12-month value of the young customers the CLV model covers; `None`
    /// without a model.
    pub predicted_ltv_12m: Option<Cents>,
    pub predicted_customers: i64,
    /// 1 = best LTV/CAC; `None` when the channel has no ratio.
    pub rank: Option<usize>,
}

/// "Move X € from the weakest to the strongest channel": an estimate at constant CAC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reallocation {
    pub from: String,
    pub to: String,
    pub amount: Cents,
    pub share_pct: f64,
    pub from_ltv_cac: f64,
    pub to_ltv_cac: f64,
    /// amount × (to_ltv_cac − from_ltv_cac): extra 12-month margin if both channels kept
    /// their CAC and LTV at the margin (they will not exactly: an estimate).
    pub expected_extra_margin: Cents,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LtvReport {
    pub as_of: NaiveDate,
    pub currency: String,
    /// New customers, spend and CAC.
    pub period: Period,
    /// Customers acquired (and spend) whose 60 days are over; `None` when P has no such day.
    pub roas_window: Option<Period>,
    /// Customers acquired on or before these days are mature for 12 / 24 months.
    pub mature_12m_until: NaiveDate,
    pub mature_24m_until: NaiveDate,
    /// Whether predicted values were given (the CLV model).
    pub predicted: bool,
    /// Best LTV/CAC first, then the channels without a ratio by new customers.
    pub channels: Vec<ChannelLtv>,
    pub reallocation: Option<Reallocation>,
    pub min_mature_customers: i64,
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Rounded integer division (half away from zero), for per-customer averages in cents.
fn per(num: i64, den: i64) -> Option<Cents> {
    if den <= 0 {
        return None;
    }
    let (num, den) = (num as i128, den as i128);
    let half = if num >= 0 { den } else { -den };
    Some(Cents(((2 * num + half) / (2 * den)) as i64))
}

/// The matrix from per-channel sums (pure).
pub fn profit_matrix(
    sums: &BTreeMap<String, ChannelSums>,
    options: &LtvOptions,
    predicted: bool,
) -> (Vec<ChannelLtv>, Option<Reallocation>) {
    let mut rows: Vec<ChannelLtv> = sums
        .iter()
        .map(|(channel, s)| {
            let extra = options.extra_cac_of(channel);
            // CAC in exact terms (cents, fractional) for the ratios; rounded for display.
            let cac_exact = (s.new_customers > 0)
                .then(|| s.spend_cents as f64 / s.new_customers as f64 + extra.0 as f64)
                .filter(|c| *c > 0.0);
            let ltv = |n: i64, revenue: i64, margin: i64| {
                (n > 0).then(|| Ltv {
                    customers: n,
                    revenue: per(revenue, n).unwrap_or_default(),
                    margin: per(margin, n).unwrap_or_default(),
                })
            };
            let ltv_12m = ltv(s.mature_12m, s.revenue_12m_cents, s.margin_12m_cents);
            let over_cac = |v: i64| {
                cac_exact
                    .zip(ratio(v, s.mature_12m))
                    .map(|(cac, ltv)| ltv / cac)
            };
            ChannelLtv {
                channel: channel.clone(),
                new_customers: s.new_customers,
                spend: Cents(s.spend_cents),
                extra_cac: extra,
                cac: cac_exact.map(|c| Cents(c.round() as i64)),
                ltv_12m,
                ltv_24m: ltv(s.mature_24m, s.revenue_24m_cents, s.margin_24m_cents),
                ltv_cac: over_cac(s.margin_12m_cents),
                ltv_cac_revenue: over_cac(s.revenue_12m_cents),
                roas_immediate: ratio(s.first_order_cents, s.roas_spend_cents),
                roas_60d: ratio(s.revenue_60d_cents, s.roas_spend_cents),
                roas_customers: s.roas_customers,
                roas_spend: Cents(s.roas_spend_cents),
                young_customers: s.young_customers,
                predicted_ltv_12m: if predicted {
                    per(s.predicted_cents, s.predicted_customers)
                } else {
                    None
                },
                predicted_customers: s.predicted_customers,
                rank: None,
            }
        })
        .collect();
    rows.sort_by(|a, b| match (a.ltv_cac, b.ltv_cac) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.channel.cmp(&b.channel)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b
            .new_customers
            .cmp(&a.new_customers)
            .then(a.channel.cmp(&b.channel)),
    });
    for (i, row) in rows.iter_mut().filter(|r| r.ltv_cac.is_some()).enumerate() {
        row.rank = Some(i + 1);
    }
    let reallocation = reallocation(&rows, options);
    (rows, reallocation)
}

/// The weakest and the strongest paid channel with trusted (mature) LTV: move a share of the
/// weakest's spend to the strongest. `None` unless two such channels differ.
fn reallocation(rows: &[ChannelLtv], options: &LtvOptions) -> Option<Reallocation> {
    let candidates: Vec<&ChannelLtv> = rows
        .iter()
        .filter(|r| r.spend.0 > 0 && r.ltv_cac.is_some())
        .filter(|r| {
            r.ltv_12m
                .is_some_and(|l| l.customers >= options.min_mature_customers)
        })
        .collect();
    let best = candidates.first()?;
    let worst = candidates.last()?;
    let (hi, lo) = (best.ltv_cac?, worst.ltv_cac?);
    if best.channel == worst.channel || hi <= lo {
        return None;
    }
    let amount = (worst.spend.0 as f64 * options.reallocation_pct / 100.0).round() as i64;
    if amount <= 0 {
        return None;
    }
    Some(Reallocation {
        from: worst.channel.clone(),
        to: best.channel.clone(),
        amount: Cents(amount),
        share_pct: options.reallocation_pct,
        from_ltv_cac: lo,
        to_ltv_cac: hi,
        expected_extra_margin: Cents((amount as f64 * (hi - lo)).round() as i64),
    })
}

/// Per acquisition channel: mature customers' revenue and margin within 12 / 24 months, and
/// the ROAS window's customers' revenue within 60 days, from `customer_value_summary`
/// (migration 0008: the `sale_line_facts` and `refund_facts` rows of each acquisition day's
/// customers, summed per window at load time). $1 = D (day number), $2..$3 = the ROAS
/// window's acquisition days, $4 = D as a date: refunds count when made up to D; sold lines
/// (`refund_date` NULL) always do, since every window summed here ends on or before D.
const VALUE_SUMS: &str = "
SELECT acquisition_channel,
  CAST(SUM(CASE WHEN first_order_day_no + 365 <= $1 THEN revenue_365d_cents ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN first_order_day_no + 365 <= $1 THEN margin_365d_cents ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN first_order_day_no + 730 <= $1 THEN revenue_730d_cents ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN first_order_day_no + 730 <= $1 THEN margin_730d_cents ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN first_order_day_no BETWEEN $2 AND $3 THEN revenue_60d_cents ELSE 0 END) AS BIGINT)
FROM customer_value_summary
WHERE first_order_day_no <= $1 AND (refund_date IS NULL OR refund_date <= $4)
GROUP BY acquisition_channel";

/// Per acquisition channel: customers mature for 12 and 24 months, young ones.
const CUSTOMER_COUNTS: &str = "
SELECT acquisition_channel,
  CAST(SUM(CASE WHEN first_order_day_no + 365 <= $1 THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN first_order_day_no + 730 <= $1 THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN first_order_day_no + 365 > $1 THEN 1 ELSE 0 END) AS BIGINT)
FROM customers
WHERE first_order_day_no <= $1
GROUP BY acquisition_channel";

/// Customers acquired between two days, and their first orders' net merchandise.
const ACQUIRED: &str = "
SELECT c.acquisition_channel, COUNT(*), CAST(SUM(o.net_cents) AS BIGINT)
FROM customers c
JOIN orders o ON o.id = c.first_order_id
WHERE c.first_order_day_no BETWEEN $1 AND $2
GROUP BY c.acquisition_channel";

const SPEND: &str = "
SELECT channel, CAST(SUM(spend_cents) AS BIGINT)
FROM ad_spend
WHERE date BETWEEN $1 AND $2
GROUP BY channel";

/// Young customers and their acquisition channel (only read to average predicted values).
const YOUNG: &str = "
SELECT id, acquisition_channel
FROM customers
WHERE first_order_day_no <= $1 AND first_order_day_no + 365 > $1";

type Sums6 = (String, i64, i64, i64, i64, i64);
/// [`Sums6`] as read (SQL sums may be NULL).
type RawSums6 = (
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

async fn value_sums(
    store: &Store,
    as_of: NaiveDate,
    roas: (i64, i64),
) -> anyhow::Result<Vec<Sums6>> {
    let rows: Vec<RawSums6> = with_pool!(store, pool => {
        sqlx::query_as(VALUE_SUMS)
            .bind(day_no(as_of))
            .bind(roas.0)
            .bind(roas.1)
            .bind(as_of)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(c, a, b, d, e, f)| {
            let v = |x: Option<i64>| x.unwrap_or(0);
            (c.unwrap_or_default(), v(a), v(b), v(d), v(e), v(f))
        })
        .collect())
}

async fn acquired(store: &Store, from: i64, to: i64) -> anyhow::Result<Vec<(String, i64, i64)>> {
    let rows: Vec<(Option<String>, i64, Option<i64>)> = with_pool!(store, pool => {
        sqlx::query_as(ACQUIRED).bind(from).bind(to).fetch_all(pool).await
    })
    .context("failed to read new customers")?;
    Ok(rows
        .into_iter()
        .map(|(c, n, v)| (c.unwrap_or_default(), n, v.unwrap_or(0)))
        .collect())
}

async fn spend(store: &Store, period: Period) -> anyhow::Result<Vec<(String, i64)>> {
    let rows: Vec<(String, Option<i64>)> = with_pool!(store, pool => {
        sqlx::query_as(SPEND).bind(period.from).bind(period.to).fetch_all(pool).await
    })
    .context("failed to read ad spend")?;
    Ok(rows.into_iter().map(|(c, s)| (c, s.unwrap_or(0))).collect())
}

/// The default period: the 365 days ending on D.
pub fn default_ltv_period(as_of: NaiveDate) -> Period {
    Period::trailing(as_of, LTV_12M_DAYS as u64)
}

/// The Marketing Profit Matrix as of `as_of`, new customers and spend over `period` (which
/// ends on `as_of` at the latest). `predicted` maps customer id → predicted 12-month value
/// (the CLV model); `None` leaves the predicted LTV empty.
pub async fn ltv_report(
    store: &Store,
    as_of: NaiveDate,
    period: Period,
    currency: &str,
    options: &LtvOptions,
    predicted: Option<&HashMap<i64, Cents>>,
) -> anyhow::Result<LtvReport> {
    let period = Period::new(period.from, period.to.min(as_of)).map_err(anyhow::Error::msg)?;
    let as_of_no = day_no(as_of);
    let roas_last = as_of - Days::new(ROAS_DAYS as u64);
    let roas_window = Period::new(period.from, period.to.min(roas_last)).ok();
    // An empty window binds an empty range.
    let roas_days = roas_window
        .map(|w| (day_no(w.from), day_no(w.to)))
        .unwrap_or((1, 0));

    let mut sums: BTreeMap<String, ChannelSums> = BTreeMap::new();
    let rows = value_sums(store, as_of, roas_days)
        .await
        .context("failed to read customers' sales by channel")?;
    for (channel, r12, m12, r24, m24, r60) in rows {
        let s = sums.entry(channel).or_default();
        s.revenue_12m_cents += r12;
        s.margin_12m_cents += m12;
        s.revenue_24m_cents += r24;
        s.margin_24m_cents += m24;
        s.revenue_60d_cents += r60;
    }
    let counts: Vec<(Option<String>, i64, i64, i64)> = with_pool!(store, pool => {
        sqlx::query_as(CUSTOMER_COUNTS).bind(as_of_no).fetch_all(pool).await
    })
    .context("failed to count customers by channel")?;
    for (channel, m12, m24, young) in counts {
        let s = sums.entry(channel.unwrap_or_default()).or_default();
        s.mature_12m = m12;
        s.mature_24m = m24;
        s.young_customers = young;
    }
    for (channel, n, _) in acquired(store, day_no(period.from), day_no(period.to)).await? {
        sums.entry(channel).or_default().new_customers = n;
    }
    for (channel, n, first) in acquired(store, roas_days.0, roas_days.1).await? {
        let s = sums.entry(channel).or_default();
        s.roas_customers = n;
        s.first_order_cents = first;
    }
    for (channel, cents) in spend(store, period).await? {
        sums.entry(channel).or_default().spend_cents = cents;
    }
    if let Some(window) = roas_window {
        for (channel, cents) in spend(store, window).await? {
            sums.entry(channel).or_default().roas_spend_cents = cents;
        }
    }
    if let Some(values) = predicted {
        let young: Vec<(i64, Option<String>)> = with_pool!(store, pool => {
            sqlx::query_as(YOUNG).bind(as_of_no).fetch_all(pool).await
        })
        .context("failed to read young customers")?;
        for (id, channel) in young {
            if let Some(v) = values.get(&id) {
                let s = sums.entry(channel.unwrap_or_default()).or_default();
                s.predicted_customers += 1;
                s.predicted_cents += v.0;
            }
        }
    }
    // A channel with nothing to show (no customer ever, no spend) is noise.
    sums.retain(|_, s| {
        s.new_customers + s.mature_12m + s.young_customers + s.roas_customers > 0
            || s.spend_cents > 0
    });
    let (channels, reallocation) = profit_matrix(&sums, options, predicted.is_some());
    Ok(LtvReport {
        as_of,
        currency: currency.to_string(),
        period,
        roas_window,
        mature_12m_until: as_of - Days::new(LTV_12M_DAYS as u64),
        mature_24m_until: as_of - Days::new(LTV_24M_DAYS as u64),
        predicted: predicted.is_some(),
        channels,
        reallocation,
        min_mature_customers: options.min_mature_customers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(spend: i64, new: i64, mature: i64, margin: i64) -> ChannelSums {
        ChannelSums {
            spend_cents: spend,
            new_customers: new,
            mature_12m: mature,
            revenue_12m_cents: margin * 2,
            margin_12m_cents: margin,
            ..ChannelSums::default()
        }
    }

    #[test]
    fn the_playbooks_example_ranks_instagram_over_google() {
        // Instagram CAC 50 € / LTV 250 € → 5×; Google CAC 25 € / LTV 80 € → 3.2×.
        let mut s = BTreeMap::new();
        s.insert("meta".to_string(), sums(500_000, 100, 40, 40 * 25_000));
        s.insert("google".to_string(), sums(250_000, 100, 40, 40 * 8_000));
        let options = LtvOptions {
            min_mature_customers: 40,
            ..LtvOptions::default()
        };
        let (rows, re) = profit_matrix(&s, &options, false);
        assert_eq!(rows[0].channel, "meta");
        assert_eq!(rows[0].cac, Some(Cents(5_000)));
        assert!((rows[0].ltv_cac.unwrap() - 5.0).abs() < 1e-12);
        assert!((rows[1].ltv_cac.unwrap() - 3.2).abs() < 1e-12);
        let re = re.unwrap();
        // 10 % of Google's 2 500 € = 250 € × (5 − 3.2) = 450 € more margin.
        assert_eq!((re.from.as_str(), re.to.as_str()), ("google", "meta"));
        assert_eq!(re.amount, Cents(25_000));
        assert_eq!(re.expected_extra_margin, Cents(45_000));
        // Not enough mature customers: no suggestion.
        let strict = LtvOptions {
            min_mature_customers: 41,
            ..LtvOptions::default()
        };
        assert_eq!(profit_matrix(&s, &strict, false).1, None);
    }

    #[test]
    fn extra_costs_and_missing_data() {
        let mut s = BTreeMap::new();
        s.insert("organic".to_string(), sums(0, 10, 5, 5_000));
        s.insert("meta".to_string(), sums(10_000, 4, 0, 0));
        let mut options = LtvOptions::default();
        let (rows, re) = profit_matrix(&s, &options, false);
        let organic = rows.iter().find(|r| r.channel == "organic").unwrap();
        assert_eq!(organic.cac, None, "no spend, no extra: no CAC");
        let meta = rows.iter().find(|r| r.channel == "meta").unwrap();
        assert_eq!(meta.cac, Some(Cents(2_500)));
        assert_eq!(meta.ltv_12m, None, "no mature customer: no LTV");
        assert_eq!(meta.ltv_cac, None);
        assert_eq!(re, None);
        options.extra_cac.insert("*".into(), Cents(300));
        options.extra_cac.insert("meta".into(), Cents(500));
        let (rows, _) = profit_matrix(&s, &options, false);
        let organic = rows.iter().find(|r| r.channel == "organic").unwrap();
        assert_eq!(organic.cac, Some(Cents(300)));
        assert_eq!(organic.rank, Some(1));
        let meta = rows.iter().find(|r| r.channel == "meta").unwrap();
        assert_eq!(meta.cac, Some(Cents(3_000)));
    }

    #[test]
    fn averages_round_half_away_from_zero() {
        assert_eq!(per(5, 2), Some(Cents(3)));
        assert_eq!(per(-5, 2), Some(Cents(-3)));
        assert_eq!(per(4, 3), Some(Cents(1)));
        assert_eq!(per(1, 0), None);
    }
}

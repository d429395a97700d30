//! The RFM report: every buying customer scored as of a day, the eight segments with their
//! size, revenue share, average basket and action, the Pareto line, and the movements since
//! the same day a week earlier. `report rfm` and `/rfm` both print this one structure.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::load::histories;
use super::rfm::{pareto, score_all, segment_of, CustomerHistory, RfmRule, ScoreBounds, Scores};
use super::segment::RfmSegment;
use super::snapshot::{self, Movement, SnapshotEntry};
use crate::domain::{day_no, Cents, Lang};
use crate::store::Store;
use crate::telemetry::spawn_blocking_in_span;

/// The share of revenue the Pareto line is drawn at.
pub const PARETO_PCT: u32 = 80;
/// Movements are counted against the snapshot of this many days earlier.
pub const MOVEMENT_DAYS: u64 = 7;

/// How the report is computed.
#[derive(Debug, Clone)]
pub struct RfmOptions {
    pub rules: Vec<RfmRule>,
    /// Save the as-of day's snapshot (and a recomputed week-earlier one).
    pub save_snapshots: bool,
}

/// One customer, scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredCustomer {
    pub customer_id: i64,
    pub orders: i64,
    pub value: Cents,
    pub first_order: NaiveDate,
    pub last_order: NaiveDate,
    pub recency_days: i64,
    pub scores: Scores,
    pub segment: RfmSegment,
}

/// One segment's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentSummary {
    pub segment: RfmSegment,
    pub label: String,
    pub customers: i64,
    pub customers_share_pct: Option<f64>,
    pub revenue: Cents,
    pub revenue_share_pct: Option<f64>,
    pub orders: i64,
    /// Revenue ÷ orders; `None` without orders.
    pub average_basket: Option<Cents>,
    pub action: String,
    /// Customers now minus customers a week earlier (`None` without a comparison).
    pub change_vs_last_week: Option<i64>,
}

/// "14 % of customers make 80 % of revenue".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pareto {
    pub revenue_pct: u32,
    pub customers: usize,
    pub customers_share_pct: f64,
}

/// Movements between segments since `since`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movements {
    pub since: NaiveDate,
    /// `saved`: the snapshot saved that day; `recomputed`: rebuilt from the data as of then.
    pub source: &'static str,
    /// Customers in another segment than then.
    pub moved: i64,
    /// Customers who had not bought yet then.
    pub entered: i64,
    pub moves: Vec<Movement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RfmReport {
    pub as_of: NaiveDate,
    pub currency: String,
    /// Buying customers (at least one counted order up to the as-of day).
    pub customers: i64,
    pub revenue: Cents,
    pub pareto: Option<Pareto>,
    pub segments: Vec<SegmentSummary>,
    pub movements: Option<Movements>,
    /// How to read a score: the values at which each score starts.
    pub score_bounds: ScoreBounds,
    /// Every customer, scored (not in the summary JSON: `--segment` lists them).
    #[serde(skip)]
    pub scored: Vec<ScoredCustomer>,
}

fn date_of(day_no_value: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + Days::new(day_no_value.max(0) as u64)
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Scores and segments the customers, pure (run it off the async runtime at scale).
pub fn score_customers(
    customers: &[CustomerHistory],
    as_of: NaiveDate,
    rules: &[RfmRule],
) -> (Vec<ScoredCustomer>, ScoreBounds) {
    let as_of_no = day_no(as_of);
    let (scores, bounds) = score_all(customers, as_of_no);
    let scored = customers
        .iter()
        .zip(scores)
        .map(|(c, s)| ScoredCustomer {
            customer_id: c.customer_id,
            orders: c.orders,
            value: Cents(c.value_cents),
            first_order: date_of(c.first_day_no),
            last_order: date_of(c.last_day_no),
            recency_days: as_of_no - c.last_day_no,
            scores: s,
            segment: segment_of(s, rules),
        })
        .collect();
    (scored, bounds)
}

/// The per-segment figures, every segment listed (empty ones too: a CEO should see that
/// nobody is a Champion), in the playbook's order.
pub fn summarise(scored: &[ScoredCustomer], lang: Lang) -> (Vec<SegmentSummary>, i64, Cents) {
    let total_customers = scored.len() as i64;
    let total_revenue: i64 = scored.iter().map(|c| c.value.0).sum();
    let segments = RfmSegment::ALL
        .iter()
        .map(|&segment| {
            let (mut customers, mut revenue, mut orders) = (0i64, 0i64, 0i64);
            for c in scored.iter().filter(|c| c.segment == segment) {
                customers += 1;
                revenue += c.value.0;
                orders += c.orders;
            }
            SegmentSummary {
                segment,
                label: segment.label(lang).to_string(),
                customers,
                customers_share_pct: pct(customers, total_customers),
                revenue: Cents(revenue),
                revenue_share_pct: pct(revenue, total_revenue),
                orders,
                average_basket: (orders > 0)
                    .then(|| Cents((revenue as f64 / orders as f64).round() as i64)),
                action: segment.action(lang).to_string(),
                change_vs_last_week: None,
            }
        })
        .collect();
    (segments, total_customers, Cents(total_revenue))
}

fn entries(scored: &[ScoredCustomer]) -> Vec<SnapshotEntry> {
    scored
        .iter()
        .map(|c| SnapshotEntry {
            customer_id: c.customer_id,
            segment: c.segment,
            scores: c.scores,
        })
        .collect()
}

/// Scores the customers as of `as_of` from the store, off the async runtime.
async fn scored_as_of(
    store: &Store,
    as_of: NaiveDate,
    rules: &[RfmRule],
) -> anyhow::Result<(Vec<ScoredCustomer>, ScoreBounds)> {
    let customers = histories(store, as_of).await?;
    let rules = rules.to_vec();
    spawn_blocking_in_span(move || score_customers(&customers, as_of, &rules)).await
}

/// The RFM report as of `as_of` (a complete day: later orders and refunds are ignored).
pub async fn rfm_report(
    store: &Store,
    as_of: NaiveDate,
    currency: &str,
    lang: Lang,
    options: &RfmOptions,
) -> anyhow::Result<RfmReport> {
    let rules = &options.rules;
    let hash = snapshot::rules_hash(rules);
    let (scored, bounds) = scored_as_of(store, as_of, rules).await?;
    let now = entries(&scored);
    if options.save_snapshots {
        snapshot::save(store, as_of, &hash, &now).await?;
    }
    let since = as_of - Days::new(MOVEMENT_DAYS);
    let (before, source) = match snapshot::load(store, since, &hash).await? {
        Some(saved) => (saved, "saved"),
        None => {
            let (then, _) = scored_as_of(store, since, rules).await?;
            let then = entries(&then);
            if options.save_snapshots {
                snapshot::save(store, since, &hash, &then).await?;
            }
            (then, "recomputed")
        }
    };
    if options.save_snapshots {
        // Daily for 35 days, then weekly, then monthly (snapshot.rs).
        snapshot::prune(store).await?;
    }
    // Summing segments and matching a week's movements is linear but touches every
    // customer: off the async runtime too.
    let (scored, segments, customers, revenue, pareto, movements) =
        spawn_blocking_in_span(move || {
            let (mut segments, customers, revenue) = summarise(&scored, lang);
            let values: Vec<i64> = scored.iter().map(|c| c.value.0).collect();
            let pareto = pareto(&values, PARETO_PCT).map(|(k, share)| Pareto {
                revenue_pct: PARETO_PCT,
                customers: k,
                customers_share_pct: share,
            });
            let movements = (!before.is_empty()).then(|| {
                let (moves, entered) = snapshot::movements(&before, &now);
                let mut was = [0i64; 8];
                for e in &before {
                    was[e.segment.code() as usize] += 1;
                }
                for s in &mut segments {
                    s.change_vs_last_week = Some(s.customers - was[s.segment.code() as usize]);
                }
                Movements {
                    since,
                    source,
                    moved: moves.iter().map(|m| m.customers).sum(),
                    entered,
                    moves,
                }
            });
            (scored, segments, customers, revenue, pareto, movements)
        })
        .await?;
    Ok(RfmReport {
        as_of,
        currency: currency.to_string(),
        customers,
        revenue,
        pareto,
        segments,
        movements,
        score_bounds: bounds,
        scored,
    })
}

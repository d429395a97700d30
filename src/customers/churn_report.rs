//! The ChurnGuard report: every buying customer scored as of a day, the count and value at
//! risk per band with the band's actions, the customers to call first, and, when the store
//! already holds the following 90 days, how well the scores predicted who did not come back
//! (AUC on held-out time). `report churn` and `/churn` print this one structure.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::churn::{auc, churn_scores, shop_rhythm, ChurnBand, ChurnScore};
use super::load::{contacts_of, order_facts, ordered_between, Contact};
use crate::domain::{day_no, Cents, Lang};
use crate::store::Store;
use crate::telemetry::spawn_blocking_in_span;

/// Customers listed to call.
pub const TO_CALL: usize = 10;
/// The backtest's outcome: no order in this many days after the as-of day.
pub const OUTCOME_DAYS: u64 = 90;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandSummary {
    pub band: ChurnBand,
    pub label: String,
    pub range: &'static str,
    pub customers: i64,
    pub customers_share_pct: Option<f64>,
    /// Σ of the customers' net sales over the last 365 days.
    pub value_at_risk: Cents,
    pub action: String,
}

/// A customer to call: the score, its signals and who it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToCall {
    pub email: Option<String>,
    pub customer_key: Option<String>,
    #[serde(flatten)]
    pub score: ChurnScore,
}

/// How the scores of the as-of day ranked the customers who then did not order for 90 days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    pub outcome_from: NaiveDate,
    pub outcome_to: NaiveDate,
    pub customers: i64,
    /// Customers without an order in the outcome window.
    pub churned: i64,
    pub auc: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnReport {
    pub as_of: NaiveDate,
    pub currency: String,
    pub customers: i64,
    /// The one-order customers' rhythm (median days from first to second order).
    pub shop_rhythm_days: f64,
    pub bands: Vec<BandSummary>,
    /// Moderate and high risk, largest value at risk first.
    pub to_call: Vec<ToCall>,
    pub backtest: Option<Backtest>,
    /// Every customer's score (the CSV).
    #[serde(skip)]
    pub scores: Vec<ChurnScore>,
}

/// The bands' figures, every band listed.
pub fn band_summaries(scores: &[ChurnScore], lang: Lang) -> Vec<BandSummary> {
    let total = scores.len() as i64;
    ChurnBand::ALL
        .iter()
        .map(|&band| {
            let members = scores.iter().filter(|s| s.band == band);
            let (customers, value) =
                members.fold((0i64, 0i64), |(n, v), s| (n + 1, v + s.value_at_risk.0));
            BandSummary {
                band,
                label: band.label(lang).to_string(),
                range: band.range(),
                customers,
                customers_share_pct: (total > 0).then(|| customers as f64 * 100.0 / total as f64),
                value_at_risk: Cents(value),
                action: band.action(lang).to_string(),
            }
        })
        .collect()
}

/// Moderate and high risk customers, largest value at risk first (then highest score).
pub fn to_call(scores: &[ChurnScore], n: usize) -> Vec<&ChurnScore> {
    let mut list: Vec<&ChurnScore> = scores
        .iter()
        .filter(|s| s.band >= ChurnBand::Moderate && s.value_at_risk.0 > 0)
        .collect();
    list.sort_by(|a, b| {
        b.value_at_risk
            .cmp(&a.value_at_risk)
            .then(b.score.cmp(&a.score))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    list.truncate(n);
    list
}

/// The ChurnGuard report as of `as_of` (later orders and refunds ignored).
pub async fn churn_report(
    store: &Store,
    as_of: NaiveDate,
    currency: &str,
    lang: Lang,
) -> anyhow::Result<ChurnReport> {
    let facts = order_facts(store, as_of).await?;
    let as_of_no = day_no(as_of);
    let (scores, rhythm) =
        spawn_blocking_in_span(move || (churn_scores(&facts, as_of_no), shop_rhythm(&facts)))
            .await?;
    let bands = band_summaries(&scores, lang);
    let listed = to_call(&scores, TO_CALL);
    let ids: Vec<i64> = listed.iter().map(|s| s.customer_id).collect();
    let contacts: HashMap<i64, Contact> = contacts_of(store, &ids).await?;
    let to_call = listed
        .into_iter()
        .map(|s| {
            let c = contacts.get(&s.customer_id);
            ToCall {
                email: c.and_then(|c| c.email.clone()),
                customer_key: c.map(|c| c.key.clone()),
                score: s.clone(),
            }
        })
        .collect();

    let until = as_of + Days::new(OUTCOME_DAYS);
    let (came_back, last_day) = ordered_between(store, as_of, until).await?;
    let backtest =
        (last_day.is_some_and(|d| d >= day_no(until)) && !scores.is_empty()).then(|| {
            let churned: Vec<bool> = scores
                .iter()
                .map(|s| !came_back.contains(&s.customer_id))
                .collect();
            let values: Vec<u8> = scores.iter().map(|s| s.score).collect();
            Backtest {
                outcome_from: as_of + Days::new(1),
                outcome_to: until,
                customers: scores.len() as i64,
                churned: churned.iter().filter(|&&c| c).count() as i64,
                auc: auc(&values, &churned),
            }
        });
    Ok(ChurnReport {
        as_of,
        currency: currency.to_string(),
        customers: scores.len() as i64,
        shop_rhythm_days: rhythm,
        bands,
        to_call,
        backtest,
        scores,
    })
}

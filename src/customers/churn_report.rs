//! The ChurnGuard report: every buying customer scored as of a day, the count and value at
//! risk per band with the band's actions, the customers to call first, and, when the store
//! already holds the following 90 days, how well the scores predicted who did not come back
//! (AUC on held-out time). `report churn` and `/churn` print this one structure.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::churn::{
    auc, churn_scores_all, churn_scores_with, shop_rhythm, ChurnBand, ChurnScore, OrderFact,
};
use super::clv::{fit_bgnbd, summaries, BgNbd};
use super::load::{contacts_of, email_data, order_facts, ordered_between, Contact};
use crate::domain::{day_no, Cents, Lang};
use crate::store::Store;
use crate::telemetry::spawn_blocking_in_span;

/// Customers listed to call.
pub const TO_CALL: usize = 10;
/// The backtest's outcome: no order in this many days after the as-of day.
pub const OUTCOME_DAYS: u64 = 90;
/// The purchase model joins the score from this many buying customers, of whom at least
/// [`MODEL_MIN_REPEAT`] have bought on two days or more: below, its four parameters would
/// describe a handful of people, and the score keeps to its signals.
pub const MODEL_MIN_CUSTOMERS: usize = 500;
pub const MODEL_MIN_REPEAT: usize = 50;

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
    /// When silence on e-mails is scored: the AUC of the same customers scored without it
    /// (the overdue ratio keeping its points), to show what the signal adds.
    pub auc_without_silence: Option<f64>,
}

/// Silence on e-mails as of the report's day: whether the store can score it, and how many
/// customers it concerns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceSummary {
    /// The signal is scored: the store has opens or clicks and campaign sends up to the day.
    pub available: bool,
    /// Profiles with an open or click up to the day (customers or not).
    pub engaged_profiles: i64,
    /// E-mail campaigns sent up to the day.
    pub campaign_sends: i64,
    /// Buying customers with an open or click up to the day.
    pub engaged_customers: i64,
    /// Of them, silent ([`super::churn::is_silent`]).
    pub silent_customers: i64,
    /// Buying customers without any open or click (scored without the signal: see `churn.rs`).
    pub never_engaged_customers: i64,
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
    /// The BG/NBD parameters fitted on the same orders, when the shop has enough history
    /// for them (the score's model signal); `None`: scored from the signals alone.
    pub model: Option<BgNbd>,
    /// Silence on e-mails: available or not, and whom it concerns.
    pub silence: SilenceSummary,
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
    let email = email_data(store, as_of).await?;
    let as_of_no = day_no(as_of);
    let activity = email.activity;
    let available = activity.is_some();
    let (scores, rhythm, model, without_silence) = spawn_blocking_in_span(move || {
        let model = purchase_model(&facts, as_of_no);
        let scores = churn_scores_all(&facts, as_of_no, model.as_ref(), activity.as_ref());
        // Only for the backtest's comparison; dropped when the signal is not scored.
        let without = activity
            .is_some()
            .then(|| churn_scores_with(&facts, as_of_no, model.as_ref()));
        (scores, shop_rhythm(&facts), model, without)
    })
    .await?;
    let engaged = scores
        .iter()
        .filter(|s| s.last_email_engagement_day_no.is_some())
        .count() as i64;
    let silence = SilenceSummary {
        available,
        engaged_profiles: email.engaged_profiles,
        campaign_sends: email.campaign_sends,
        engaged_customers: engaged,
        silent_customers: scores.iter().filter(|s| s.silent == Some(true)).count() as i64,
        never_engaged_customers: if available {
            scores.len() as i64 - engaged
        } else {
            0
        },
    };
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
            let auc_without_silence = without_silence.as_ref().and_then(|w| {
                let values: Vec<u8> = w.iter().map(|s| s.score).collect();
                auc(&values, &churned)
            });
            Backtest {
                outcome_from: as_of + Days::new(1),
                outcome_to: until,
                customers: scores.len() as i64,
                churned: churned.iter().filter(|&&c| c).count() as i64,
                auc: auc(&values, &churned),
                auc_without_silence,
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
        model,
        silence,
        scores,
    })
}

/// BG/NBD fitted on the orders up to `as_of_no`, when there are enough customers and repeat
/// buyers for it ([`MODEL_MIN_CUSTOMERS`], [`MODEL_MIN_REPEAT`]) and the fit converges; a
/// failed fit is logged and the score keeps to its signals.
pub fn purchase_model(facts: &[OrderFact], as_of_no: i64) -> Option<BgNbd> {
    let data = summaries(facts, as_of_no);
    let repeat = data.iter().filter(|s| s.x > 0).count();
    if data.len() < MODEL_MIN_CUSTOMERS || repeat < MODEL_MIN_REPEAT {
        return None;
    }
    match fit_bgnbd(&data) {
        Ok(fit) => Some(fit.params),
        Err(e) => {
            tracing::warn!(error = %e, "ChurnGuard: the BG/NBD fit failed; scoring without it");
            None
        }
    }
}

//! Customer analytics (SPEC §6, issue 6): stop measuring channels, start understanding
//! customers. Everything here is computed as of a day (later orders and refunds ignored, so a
//! report can be backtested), from the store's orders, in pure functions over loaded data;
//! only `load` and `snapshot` touch the store.
//!
//! - `rfm`: R, F, M quintile scores (ties scored equally), the configurable segment mapping
//!   and the Pareto line; `segment`: the playbook's eight segments, their names and actions;
//! - `snapshot`: daily RFM snapshots (migration 0006) and movements between segments;
//! - `report`: the RFM report `report rfm` and `/rfm` show; `rfm_render`: text, Block Kit, CSV;
//! - `churn`: ChurnGuard's 0–100 score from documented signals, its bands and actions, AUC;
//!   `churn_report` and `churn_render`: `report churn` and `/churn`;
//! - `clv`: BG/NBD and Gamma-Gamma fitted by maximum likelihood, each customer's expected
//!   purchases and value; `clv_report` and `clv_render`: `report clv`;
//! - `attribution`: last-click vs the weighted 30/40/30 model from `touches`
//!   (`report attribution`, `/attribution`);
//! - `cohorts`: monthly acquisition cohorts, retention matrix, 90-day repurchase per cohort and
//!   channel (`report cohorts`, `/cohorts`); `cohorts_render`: text, Block Kit, CSV;
//! - `behaviour`: the behavioural cohorts of document 001 the data allows (`report cohorts
//!   --by behaviour`); `behaviour_report`: loading, text and the members' CSV;
//! - `ltv`: the Marketing Profit Matrix, CAC against LTV per acquisition channel, ROAS
//!   immediate vs 60 days, reallocation estimate (`report ltv`, `/ltv`); `ltv_render`.

mod attribution;
mod attribution_render;
mod behaviour;
mod behaviour_report;
mod churn;
mod churn_render;
mod churn_report;
mod clv;
mod clv_render;
mod clv_report;
mod cohorts;
mod cohorts_render;
mod load;
mod ltv;
mod ltv_render;
mod report;
mod rfm;
mod rfm_render;
mod segment;
mod snapshot;

pub use attribution::{
    attribute, attribution_report, default_period, journeys, weighted_credits, AttributionReport,
    ChannelCredit, Journey,
};
pub use attribution_render::{attribution_csv, attribution_message, attribution_text};
pub use behaviour::{behaviour_cohorts, Behaviour, BehaviourCohort, VIP_PCT};
pub use behaviour_report::{
    behaviour_csv, behaviour_report, behaviour_text, BehaviourReport, NotInData,
};
pub use churn::{
    auc, churn_scores, churn_scores_all, churn_scores_with, is_silent, p_no_order, shop_rhythm,
    sort_orders, ChurnBand, ChurnScore, EmailActivity, OrderFact, MODEL_HORIZON_DAYS,
    SILENCE_MIN_DAYS, SILENCE_MIN_SENDS, WEIGHT_SILENCE,
};
pub use churn_render::{churn_csv, churn_message, churn_text};
pub use churn_report::{
    band_summaries, churn_report, purchase_model, to_call, Backtest, BandSummary, ChurnReport,
    SilenceSummary, ToCall, MODEL_MIN_CUSTOMERS, MODEL_MIN_REPEAT, OUTCOME_DAYS, TO_CALL,
};
pub use clv::{
    fit_bgnbd, fit_bgnbd_from, fit_gamma_gamma, fit_gamma_gamma_from, frequency_value_correlation,
    hyp2f1, summaries, BgNbd, Fit, FitError, GammaGamma, PurchaseSummary, DAYS_PER_PERIOD,
};
pub use clv_render::{clv_csv, clv_message, clv_text};
pub use clv_report::{
    clv_report, predict, ClvReport, CustomerValue, Holdout, HoldoutRow, TopCustomer, HORIZON_DAYS,
};
pub use cohorts::{
    cohort_matrix, cohort_report, first_cohort_day, Acquired, ChannelRepurchase, Cohort,
    CohortReport, RetentionCell, DEFAULT_COHORT_MONTHS, MAX_COHORT_MONTHS, REPURCHASE_DAYS,
};
pub use cohorts_render::{cohorts_csv, cohorts_message, cohorts_text};
pub use load::{
    contacts, contacts_of, email_data, histories, order_facts, purchase_days_between, Contact,
    EmailData,
};
pub use ltv::{
    default_ltv_period, ltv_report, profit_matrix, ChannelLtv, ChannelSums, Ltv, LtvOptions,
    LtvReport, Reallocation, LTV_12M_DAYS, LTV_24M_DAYS, ROAS_DAYS,
};
pub use ltv_render::{ltv_csv, ltv_message, ltv_text, reallocation_sentence};
pub use report::{
    rfm_report, score_customers, summarise, Movements, Pareto, RfmOptions, RfmReport,
    ScoredCustomer, SegmentSummary, MOVEMENT_DAYS, PARETO_PCT,
};
pub use rfm::{
    default_rules, pareto, quintile_scores, segment_of, validate_rules, CustomerHistory, RfmRule,
    ScoreBounds, Scores,
};
pub use rfm_render::{pareto_sentence, rfm_csv, rfm_message, rfm_text, segment_customers};
pub use segment::RfmSegment;
pub use snapshot::{
    movements, prune, retained, rules_hash as snapshot_rules_hash, save as save_snapshot, Movement,
    SnapshotEntry,
};

/// Rows as monospace text columns two spaces apart: the first `left` columns aligned left
/// (labels), the others right (figures). Widths count characters, not bytes. Rows are arrays
/// or vectors (the cohort matrix has as many columns as months).
pub(crate) fn aligned<R: AsRef<[String]>>(rows: &[R], left: usize) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        let row = row.as_ref();
        if widths.len() < row.len() {
            widths.resize(row.len(), 0);
        }
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    rows.iter()
        .map(|row| {
            row.as_ref()
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let pad = " ".repeat(widths[i] - width(cell));
                    if i < left {
                        format!("{cell}{pad}")
                    } else {
                        format!("{pad}{cell}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

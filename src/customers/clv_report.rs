//! The predicted-value report (`report clv`): BG/NBD and Gamma-Gamma fitted on the orders up
//! to the calibration end, each customer's P(alive), expected purchases and value over the
//! horizon, the customers worth most, and, when the store holds the days after the
//! calibration end, the predictions checked against what happened (the papers' holdout test).

use std::collections::HashMap;

use anyhow::Context;
use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::clv::{
    fit_bgnbd, fit_gamma_gamma, frequency_value_correlation, summaries, BgNbd, Fit, FitError,
    GammaGamma, PurchaseSummary, DAYS_PER_PERIOD,
};
use super::load::{contacts_of, order_facts, purchase_days_between, Contact};
use crate::domain::{day_no, Cents};
use crate::store::Store;
use crate::telemetry::spawn_blocking_in_span;

/// Customers listed by predicted value.
pub const TOP: usize = 10;
/// The default horizon of the predictions: 12 months.
pub const HORIZON_DAYS: u32 = 365;

/// One customer's predictions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerValue {
    #[serde(flatten)]
    pub summary: PurchaseSummary,
    pub p_alive: f64,
    /// Expected purchase days over the horizon.
    pub expected_purchases: f64,
    /// Expected value of each of them (Gamma-Gamma), in currency units.
    pub expected_order_value: f64,
    /// Expected purchases × expected value, in currency units.
    pub predicted_value: f64,
}

/// A listed customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopCustomer {
    pub email: Option<String>,
    pub customer_key: Option<String>,
    #[serde(flatten)]
    pub value: CustomerValue,
}

/// Predicted against actual repeat purchases for one group of customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutRow {
    /// Repeat purchases in calibration: "0" … "6", "7+".
    pub x: String,
    pub customers: i64,
    pub predicted: f64,
    pub actual: i64,
}

/// The holdout test: each customer's expected purchase days over the weeks after the
/// calibration end, against the purchase days they made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: f64,
    pub predicted: f64,
    pub actual: i64,
    /// (predicted − actual) ÷ actual, in %.
    pub error_pct: Option<f64>,
    pub by_repeat_purchases: Vec<HoldoutRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClvReport {
    /// Orders up to this day are the calibration data.
    pub calibration_end: NaiveDate,
    pub currency: String,
    pub horizon_days: u32,
    pub customers: i64,
    pub repeat_customers: i64,
    pub bgnbd: Fit<BgNbd>,
    /// `None` when it could not be fitted (`gamma_gamma_problem` says why).
    pub gamma_gamma: Option<Fit<GammaGamma>>,
    pub gamma_gamma_problem: Option<String>,
    /// Gamma-Gamma assumes purchase count and value independent: this checks it.
    pub frequency_value_correlation: Option<f64>,
    pub expected_purchases: f64,
    pub predicted_value: Cents,
    /// Mean P(alive) over the customers.
    pub mean_p_alive: f64,
    pub top: Vec<TopCustomer>,
    pub holdout: Option<Holdout>,
    /// Every customer's predictions (the CSV), by customer id.
    #[serde(skip)]
    pub values: Vec<CustomerValue>,
}

impl ClvReport {
    /// Predicted value at `days` after acquisition of every customer younger than that, in
    /// currency units: what they have spent so far (to the calibration end) plus their expected
    /// purchases over the rest of the `days` × the expected value of each. The profit matrix's
    /// predicted LTV for young cohorts (`days` = 365).
    pub fn predicted_ltv(&self, days: u32) -> HashMap<i64, f64> {
        self.values
            .iter()
            .filter_map(|v| {
                let s = &v.summary;
                let age_days = s.t * DAYS_PER_PERIOD;
                let left = days as f64 - age_days;
                (left > 0.0).then(|| {
                    let spent = s.first_value + s.x as f64 * s.monetary;
                    let ahead = self.bgnbd.params.expected_purchases(
                        left / DAYS_PER_PERIOD,
                        s.x,
                        s.t_x,
                        s.t,
                    );
                    (s.customer_id, spent + ahead * v.expected_order_value)
                })
            })
            .collect()
    }

    /// Predicted value over the horizon per customer id, in currency units: what the profit
    /// matrix uses for young cohorts.
    pub fn predicted_by_customer(&self) -> HashMap<i64, f64> {
        self.values
            .iter()
            .map(|v| (v.summary.customer_id, v.predicted_value))
            .collect()
    }
}

/// Each customer's predictions over `horizon` weeks from fitted models. Without a
/// Gamma-Gamma fit, the value of a purchase is the customer's own mean (their first
/// purchase's value when they have no repeat).
pub fn predict(
    data: &[PurchaseSummary],
    bgnbd: &BgNbd,
    gamma_gamma: Option<&GammaGamma>,
    horizon: f64,
) -> Vec<CustomerValue> {
    // Customers with the same history get the same expectation: computed once per history.
    let mut cache: HashMap<(u32, u64, u64), (f64, f64)> = HashMap::new();
    data.iter()
        .map(|s| {
            let key = (s.x, s.t_x.to_bits(), s.t.to_bits());
            let &mut (p_alive, expected) = cache.entry(key).or_insert_with(|| {
                (
                    bgnbd.p_alive(s.x, s.t_x, s.t),
                    bgnbd.expected_purchases(horizon, s.x, s.t_x, s.t),
                )
            });
            let own = if s.x > 0 { s.monetary } else { s.first_value };
            let order_value = gamma_gamma
                .and_then(|g| g.expected_value(s.x, s.monetary))
                .unwrap_or(own.max(0.0));
            CustomerValue {
                summary: *s,
                p_alive,
                expected_purchases: expected,
                expected_order_value: order_value,
                predicted_value: expected * order_value,
            }
        })
        .collect()
}

fn holdout_rows(
    values: &[CustomerValue],
    actual: &HashMap<i64, i64>,
    weeks: f64,
    bgnbd: &BgNbd,
) -> Vec<HoldoutRow> {
    const LAST: u32 = 7;
    let mut rows: Vec<HoldoutRow> = (0..=LAST)
        .map(|x| HoldoutRow {
            x: if x == LAST {
                format!("{LAST}+")
            } else {
                x.to_string()
            },
            customers: 0,
            predicted: 0.0,
            actual: 0,
        })
        .collect();
    for v in values {
        let s = &v.summary;
        let row = &mut rows[s.x.min(LAST) as usize];
        row.customers += 1;
        row.predicted += bgnbd.expected_purchases(weeks, s.x, s.t_x, s.t);
        row.actual += actual.get(&s.customer_id).copied().unwrap_or(0);
    }
    rows
}

/// Fits both models on the orders up to `calibration_end` and predicts `horizon_days` ahead;
/// when `holdout_end` is later, checks the predictions on the days in between.
pub async fn clv_report(
    store: &Store,
    calibration_end: NaiveDate,
    holdout_end: Option<NaiveDate>,
    horizon_days: u32,
    currency: &str,
) -> anyhow::Result<ClvReport> {
    let facts = order_facts(store, calibration_end).await?;
    let end_no = day_no(calibration_end);
    let horizon = horizon_days as f64 / DAYS_PER_PERIOD;
    let fitted = spawn_blocking_in_span(move || {
        let data = summaries(&facts, end_no);
        drop(facts);
        let bgnbd = fit_bgnbd(&data)?;
        let gg = fit_gamma_gamma(&data);
        let values = predict(
            &data,
            &bgnbd.params,
            gg.as_ref().ok().map(|f| &f.params),
            horizon,
        );
        let correlation = frequency_value_correlation(&data);
        Ok::<_, FitError>((data, bgnbd, gg, values, correlation))
    })
    .await?;
    let (data, bgnbd, gg, values, correlation) = fitted.with_context(|| {
        format!("cannot fit the purchase model on the orders up to {calibration_end}")
    })?;
    let (gamma_gamma, gamma_gamma_problem) = match gg {
        Ok(fit) if fit.params.q > 1.0 => (Some(fit), None),
        Ok(fit) => (
            None,
            Some(format!(
                "the fitted q = {:.3} is not above 1, so spend has no finite mean; each customer's own average is used",
                fit.params.q
            )),
        ),
        Err(e) => (None, Some(e.to_string())),
    };

    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .predicted_value
            .total_cmp(&values[a].predicted_value)
            .then(
                values[a]
                    .summary
                    .customer_id
                    .cmp(&values[b].summary.customer_id),
            )
    });
    order.truncate(TOP);
    let ids: Vec<i64> = order
        .iter()
        .map(|&i| values[i].summary.customer_id)
        .collect();
    let contacts: HashMap<i64, Contact> = contacts_of(store, &ids).await?;
    let top = order
        .iter()
        .map(|&i| {
            let c = contacts.get(&values[i].summary.customer_id);
            TopCustomer {
                email: c.and_then(|c| c.email.clone()),
                customer_key: c.map(|c| c.key.clone()),
                value: values[i].clone(),
            }
        })
        .collect();

    let holdout = match holdout_end.filter(|&d| d > calibration_end) {
        None => None,
        Some(to) => {
            let actual = purchase_days_between(store, calibration_end, to).await?;
            let weeks = (to - calibration_end).num_days() as f64 / DAYS_PER_PERIOD;
            let rows = holdout_rows(&values, &actual, weeks, &bgnbd.params);
            let predicted: f64 = rows.iter().map(|r| r.predicted).sum();
            let actual: i64 = rows.iter().map(|r| r.actual).sum();
            Some(Holdout {
                from: calibration_end + Days::new(1),
                to,
                weeks,
                predicted,
                actual,
                error_pct: (actual > 0)
                    .then(|| (predicted - actual as f64) * 100.0 / actual as f64),
                by_repeat_purchases: rows,
            })
        }
    };

    let n = values.len();
    Ok(ClvReport {
        calibration_end,
        currency: currency.to_string(),
        horizon_days,
        customers: n as i64,
        repeat_customers: data.iter().filter(|s| s.x > 0).count() as i64,
        bgnbd,
        gamma_gamma,
        gamma_gamma_problem,
        frequency_value_correlation: correlation,
        expected_purchases: values.iter().map(|v| v.expected_purchases).sum(),
        predicted_value: Cents(
            (values.iter().map(|v| v.predicted_value).sum::<f64>() * 100.0).round() as i64,
        ),
        mean_p_alive: values.iter().map(|v| v.p_alive).sum::<f64>() / n.max(1) as f64,
        top,
        holdout,
        values,
    })
}

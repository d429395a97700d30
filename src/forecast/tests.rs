//! The model on hand-built series whose answer is known: a pure weekly pattern, a trend, a
//! step change, a stock-out that must not read as zero demand, intermittent demand, events,
//! and the backtest arithmetic against sums done by hand.

use chrono::NaiveDate;

use super::backtest::{backtest, fold, origins, Accuracy};
use super::model::*;

fn monday() -> NaiveDate {
    // 2024-01-01 is a Monday.
    "2024-01-01".parse().unwrap()
}

fn opts() -> ModelOptions {
    ModelOptions::default()
}

const WEEK: [f64; 7] = [5.0, 5.0, 5.0, 5.0, 10.0, 20.0, 20.0];

#[test]
fn a_pure_weekly_pattern_is_forecast_exactly() {
    let units: Vec<f64> = (0..140).map(|t| WEEK[t % 7]).collect();
    let f = forecast(&DemandSeries::plain(monday(), units), 14, &[], &opts());
    assert_eq!(f.method, Method::SeasonalHolt);
    for h in 0..14 {
        // Day 140 is a Monday again.
        assert!(
            (f.mean[h] - WEEK[h % 7]).abs() < 0.05,
            "day {h}: {} vs {}",
            f.mean[h],
            WEEK[h % 7]
        );
    }
    // No noise: the interval closes on the forecast.
    assert!((f.upper[5] - f.lower[5]).abs() < 0.5);
}

#[test]
fn a_trend_is_followed() {
    let units: Vec<f64> = (0..200).map(|t| 20.0 + 0.5 * t as f64).collect();
    let f = forecast(&DemandSeries::plain(monday(), units), 7, &[], &opts());
    // Next day: 20 + 0.5·200 = 120; the damped trend may lose a little over a week.
    assert!((f.mean[0] - 120.0).abs() < 2.0, "{}", f.mean[0]);
    assert!(f.mean[6] > f.mean[0], "still rising: {:?}", f.mean);
    assert!((f.mean[6] - 123.0).abs() < 4.0, "{}", f.mean[6]);
}

#[test]
fn a_step_change_is_taken_up() {
    let units: Vec<f64> = (0..160)
        .map(|t| if t < 100 { 10.0 } else { 30.0 } + ((t * 7919) % 5) as f64 - 2.0)
        .collect();
    let f = forecast(&DemandSeries::plain(monday(), units), 28, &[], &opts());
    let mean = f.total(28) / 28.0;
    assert!((mean - 30.0).abs() < 3.0, "after the step: {mean}");
}

#[test]
fn a_stock_out_is_missing_demand_not_zero_demand() {
    // 10 a day, then 30 days out of stock (nothing sold), the last 30 days of the history.
    let n = 150;
    let units: Vec<f64> = (0..n).map(|t| if t >= 120 { 0.0 } else { 10.0 }).collect();
    let mut series = DemandSeries::plain(monday(), units);
    for t in 120..n {
        series.available[t] = false;
    }
    let f = forecast(&series, 14, &[], &opts());
    assert!((f.mean[0] - 10.0).abs() < 0.5, "{:?}", &f.mean[..3]);
    // The same sales read as zero demand would forecast (almost) nothing: the test can fail.
    let naive = forecast(
        &DemandSeries::plain(monday(), series.units.clone()),
        14,
        &[],
        &opts(),
    );
    assert!(naive.mean[0] < 2.0, "{}", naive.mean[0]);
}

#[test]
fn intermittent_demand_chooses_croston_or_tsb_at_the_right_rate() {
    // 4 units every 4th day: 1 a day on average, 75 % of days without a sale.
    let units: Vec<f64> = (0..365)
        .map(|t| if t % 4 == 0 { 4.0 } else { 0.0 })
        .collect();
    let f = forecast(&DemandSeries::plain(monday(), units), 30, &[], &opts());
    assert!(
        matches!(f.method, Method::Croston | Method::Tsb),
        "{:?}",
        f.method
    );
    assert!((f.mean[0] - 1.0).abs() < 0.15, "{}", f.mean[0]);
    assert!(f.mean.iter().all(|m| *m == f.mean[0]), "flat rate");
    // A smooth series of the same volume is not intermittent.
    let smooth = forecast(
        &DemandSeries::plain(monday(), vec![1.0; 365]),
        30,
        &[],
        &opts(),
    );
    assert_eq!(smooth.method, Method::SeasonalHolt);
}

#[test]
fn dying_intermittent_demand_prefers_tsb() {
    // Sales every 3rd day for 300 days, then nothing for 120 days (in stock): TSB decays.
    let units: Vec<f64> = (0..420)
        .map(|t| if t < 300 && t % 3 == 0 { 3.0 } else { 0.0 })
        .collect();
    let f = forecast(&DemandSeries::plain(monday(), units), 30, &[], &opts());
    assert_eq!(f.method, Method::Tsb);
    assert!(f.mean[0] < 0.3, "{}", f.mean[0]);
}

#[test]
fn too_short_a_history_forecasts_its_mean() {
    let f = forecast(
        &DemandSeries::plain(monday(), vec![2.0, 4.0, 0.0, 2.0]),
        3,
        &[],
        &opts(),
    );
    assert_eq!(f.method, Method::Mean);
    assert_eq!(f.mean, vec![2.0; 3]);
}

#[test]
fn known_events_lift_the_forecast_on_future_event_days() {
    // 10 a day, tripled on one promotion day every 30 days.
    let n = 300;
    let mut series = DemandSeries::plain(monday(), vec![10.0; n]);
    for t in (20..n).step_by(30) {
        series.units[t] = 30.0;
        series.event[t] = true;
    }
    let mut future = vec![false; 10];
    future[4] = true;
    let f = forecast(&series, 10, &future, &opts());
    assert!((f.mean[0] - 10.0).abs() < 0.5, "{}", f.mean[0]);
    assert!((f.mean[4] - 30.0).abs() < 1.5, "event day: {}", f.mean[4]);
}

#[test]
fn yearly_seasonality_is_learnt_from_two_years() {
    // December sells twice as much as the rest of the year, two years running.
    let start: NaiveDate = "2023-01-01".parse().unwrap();
    let units: Vec<f64> = (0..731)
        .map(|t| {
            let d = start + chrono::Days::new(t as u64);
            if chrono::Datelike::month(&d) == 12 {
                20.0
            } else {
                10.0
            }
        })
        .collect();
    // The history ends on 1 January 2025; forecast to mid-December.
    let f = forecast(&DemandSeries::plain(start, units), 350, &[], &opts());
    let june = f.mean[160];
    let mid_december = f.mean[348];
    assert!(
        mid_december > 1.4 * june,
        "Dec {mid_december} vs June {june}"
    );
}

#[test]
fn poisson_interval_matches_the_table() {
    // Poisson(3): P(X ≤ 1) = 0.199 ≥ 0.1, P(X ≤ 0) = 0.05; P(X ≤ 5) = 0.916 ≥ 0.9, P(X ≤ 4) = 0.815.
    assert_eq!(poisson_interval(3.0), (1.0, 5.0));
    assert_eq!(poisson_interval(0.0), (0.0, 0.0));
}

#[test]
fn backtest_origins_never_overlap_the_fitted_days() {
    // 200 days, horizon 30: origins at 200 − 30 − 56, − 28, − 0 = 114, 142, 170.
    assert_eq!(origins(200, 30, 3, 28), vec![114, 142, 170]);
    // Too short: only origins keeping 56 training days.
    assert_eq!(origins(100, 30, 3, 28), vec![70]);
    let units: Vec<f64> = (0..200).map(|t| WEEK[t % 7]).collect();
    let folds = backtest(&DemandSeries::plain(monday(), units), 30, &opts());
    assert_eq!(folds.len(), 3);
    assert!(folds.iter().all(|f| f.actual.len() == 30));
    // A pure weekly pattern: model and seasonal naive both perfect.
    let a = Accuracy::of_folds(&folds);
    assert!(a.wape_pct().unwrap() < 1.0);
    assert!(a.naive_wape_pct().unwrap() < 1e-9);
}

#[test]
fn wape_and_mase_match_a_hand_computation() {
    // Training: 14 days, a week of 1s then a week of 3s → seasonal naive scale = mean |3 − 1| = 2.
    // Scored: 3 days of actual 4, 0 (out of stock: not scored), 2; forecast 3, 9, 3.
    let mut units = vec![1.0; 7];
    units.extend([3.0; 7]);
    units.extend([4.0, 0.0, 2.0]);
    let mut series = DemandSeries::plain(monday(), units);
    series.available[15] = false;
    let f = fold(&series, 14, 17, &[3.0, 9.0, 3.0]);
    assert_eq!(f.actual, vec![4.0, 2.0]);
    assert_eq!(f.scale, 2.0);
    // Seasonal naive: the last training week's same weekday = 3, 3.
    assert_eq!(f.naive, vec![3.0, 3.0]);
    let a = Accuracy::of_folds(&[f]);
    // |4 − 3| + |2 − 3| = 2 over 6 sold → WAPE 33.3 %; MAE 1 ÷ scale 2 → MASE 0.5.
    assert!((a.wape_pct().unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert!((a.mase().unwrap() - 0.5).abs() < 1e-12);
}

//! Rolling-origin backtests: the model is fitted on the history up to each origin and scored
//! on the days after it, which it never saw.
//!
//! - Origins: the last one `horizon` days before the end, then every `step` days earlier,
//!   `origins` of them, each keeping at least [`MIN_TRAIN_DAYS`] days to fit on.
//! - Scored days: the days in stock after the origin (a stock-out day's true demand is
//!   unknown) up to `horizon` days or the end.
//! - WAPE = Σ|actual − forecast| ÷ Σ actual over the scored days (several SKUs: the sums run
//!   over all of them, so big sellers weigh more).
//! - MASE = mean |actual − forecast| ÷ the in-sample mean |y_t − y_{t−7}| of the seasonal
//!   naive forecast on the same training days (Hyndman & Koehler); several origins pool
//!   their errors and scales; several SKUs: the mean of their MASEs.
//! - The seasonal naive forecast itself (each day = the same weekday of the last training
//!   week in stock) is scored the same way, so the report says how much the model adds.

use super::model::{forecast, DemandSeries, ModelOptions};

/// An origin needs this many days to fit on.
pub const MIN_TRAIN_DAYS: usize = 56;
/// Days between two origins.
pub const ORIGIN_STEP: usize = 28;
/// Origins per SKU.
pub const ORIGINS: usize = 3;

/// One origin's scored days: the forecasts and what happened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fold {
    pub actual: Vec<f64>,
    pub forecast: Vec<f64>,
    pub naive: Vec<f64>,
    /// In-sample seasonal naive MAE of the training days (the MASE scale).
    pub scale: f64,
}

/// Error sums of one SKU or a group: WAPE and MASE come from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Accuracy {
    pub abs_error: f64,
    pub naive_abs_error: f64,
    pub actual: f64,
    pub scored_days: usize,
    /// Σ over the SKUs of their MASE, and how many SKUs had one.
    pub mase_sum: f64,
    pub mase_count: usize,
    pub naive_mase_sum: f64,
}

impl Accuracy {
    pub fn of_folds(folds: &[Fold]) -> Accuracy {
        let mut a = Accuracy::default();
        let mut scale_days = 0.0;
        for f in folds {
            for i in 0..f.actual.len() {
                a.abs_error += (f.actual[i] - f.forecast[i]).abs();
                a.naive_abs_error += (f.actual[i] - f.naive[i]).abs();
                a.actual += f.actual[i];
            }
            a.scored_days += f.actual.len();
            scale_days += f.scale * f.actual.len() as f64;
        }
        if scale_days > 0.0 {
            a.mase_sum = a.abs_error / scale_days;
            a.naive_mase_sum = a.naive_abs_error / scale_days;
            a.mase_count = 1;
        }
        a
    }

    pub fn add(&mut self, other: &Accuracy) {
        self.abs_error += other.abs_error;
        self.naive_abs_error += other.naive_abs_error;
        self.actual += other.actual;
        self.scored_days += other.scored_days;
        self.mase_sum += other.mase_sum;
        self.mase_count += other.mase_count;
        self.naive_mase_sum += other.naive_mase_sum;
    }

    /// In %; `None` without sales on the scored days.
    pub fn wape_pct(&self) -> Option<f64> {
        (self.actual > 0.0).then(|| self.abs_error / self.actual * 100.0)
    }

    pub fn naive_wape_pct(&self) -> Option<f64> {
        (self.actual > 0.0).then(|| self.naive_abs_error / self.actual * 100.0)
    }

    pub fn mase(&self) -> Option<f64> {
        (self.mase_count > 0).then(|| self.mase_sum / self.mase_count as f64)
    }

    pub fn naive_mase(&self) -> Option<f64> {
        (self.mase_count > 0).then(|| self.naive_mase_sum / self.mase_count as f64)
    }
}

/// The training lengths of the origins of a series of `n` days, oldest first.
pub fn origins(n: usize, horizon: usize, count: usize, step: usize) -> Vec<usize> {
    (0..count)
        .rev()
        .filter_map(|k| n.checked_sub(horizon + k * step))
        .filter(|train| *train >= MIN_TRAIN_DAYS)
        .collect()
}

/// Scores the model on `series` at its rolling origins.
pub fn backtest(series: &DemandSeries, horizon: usize, options: &ModelOptions) -> Vec<Fold> {
    origins(series.len(), horizon, ORIGINS, ORIGIN_STEP)
        .into_iter()
        .map(|train| {
            let fit_on = series.head(train);
            let end = (train + horizon).min(series.len());
            let f = forecast(&fit_on, end - train, &series.event[train..end], options);
            fold(series, train, end, &f.mean)
        })
        .collect()
}

/// The scored days of the origin `train` (days `train..end`) for the forecasts `mean`.
pub fn fold(series: &DemandSeries, train: usize, end: usize, mean: &[f64]) -> Fold {
    let naive_week = last_week(series, train);
    let mut out = Fold {
        scale: seasonal_naive_scale(series, train),
        ..Fold::default()
    };
    for t in train..end {
        if series.available[t] {
            out.actual.push(series.units[t]);
            out.forecast.push(mean[t - train]);
            out.naive.push(naive_week[(t - train) % 7]);
        }
    }
    out
}

/// The last 7 training days, a stock-out day replaced by the same weekday a week earlier
/// (or the mean of the days in stock when there is none).
fn last_week(series: &DemandSeries, train: usize) -> [f64; 7] {
    let known: Vec<f64> = (0..train)
        .filter(|t| series.available[*t])
        .map(|t| series.units[t])
        .collect();
    let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
    let mut week = [mean; 7];
    // week[i] forecasts the day train + i, which is the weekday of train + i − 7k.
    for (i, slot) in week.iter_mut().enumerate() {
        let mut t = train + i;
        while t >= 7 {
            t -= 7;
            if t < train && series.available[t] {
                *slot = series.units[t];
                break;
            }
        }
    }
    week
}

/// Mean |y_t − y_{t−7}| over the training days where both days were in stock.
fn seasonal_naive_scale(series: &DemandSeries, train: usize) -> f64 {
    let (mut s, mut c) = (0.0, 0usize);
    for t in 7..train {
        if series.available[t] && series.available[t - 7] {
            s += (series.units[t] - series.units[t - 7]).abs();
            c += 1;
        }
    }
    if c == 0 {
        0.0
    } else {
        s / c as f64
    }
}

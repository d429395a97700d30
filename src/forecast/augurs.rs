//! The `augurs` crates (Grafana's time-series library) as a benchmark opponent of our demand
//! model: `bench-forecast --augurs` fits augurs' AutoETS and MSTL on the same synthetic SKUs
//! and the same rolling origins as ours, and scores them with the same [`fold`] code. Only
//! built with the `augurs-bench` feature; nothing in the bot uses it.
//!
//! - AutoETS: `AutoETS::non_seasonal()` (spec `ZZN`: error, trend and damping chosen by
//!   AICc; augurs-ets 0.10 has no seasonal ETS).
//! - MSTL: `MSTLModel` with periods 7 and, when the training days cover two years, 365,
//!   and a non-seasonal AutoETS on the deseasonalised series (trend + remainder).
//! - Stock-out days (unknown demand) are filled by linear interpolation between the days in
//!   stock around them before fitting (augurs has no notion of a missing day for AutoETS);
//!   promotion days are not told to augurs (it has no regressors). Forecasts are clipped at
//!   zero, as units sold cannot be negative.
//! - A fit that fails or yields a non-finite value is replaced by the training mean and
//!   counted, so the table says how often that happened.

use augurs_core::{Fit, Predict};
use augurs_ets::{trend::AutoETSTrendModel, AutoETS};
use augurs_mstl::MSTLModel;

use super::backtest::{fold, origins, Fold, ORIGINS, ORIGIN_STEP};
use super::model::DemandSeries;

/// The augurs models we compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AugursModel {
    /// `AutoETS::non_seasonal()`.
    AutoEts,
    /// MSTL (periods 7, plus 365 given two years) with an AutoETS trend.
    Mstl,
}

impl AugursModel {
    pub const ALL: [AugursModel; 2] = [AugursModel::AutoEts, AugursModel::Mstl];

    /// The table's label.
    pub fn label(self) -> &'static str {
        match self {
            AugursModel::AutoEts => "augurs-ets 0.10 AutoETS (ZZN, non-seasonal)",
            AugursModel::Mstl => "augurs-mstl 0.10 MSTL(7[,365]) + AutoETS trend",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AugursError {
    #[error("augurs {model:?} could not fit {days} days: {message}")]
    Fit {
        model: AugursModel,
        days: usize,
        message: String,
    },
    #[error("augurs {0:?} returned a non-finite forecast")]
    NotFinite(AugursModel),
}

/// `units` with the stock-out days (`available[t] == false`) filled by linear interpolation
/// between the nearest days in stock (the nearest one at either end; zeros if none).
pub fn fill_stockouts(units: &[f64], available: &[bool]) -> Vec<f64> {
    let known: Vec<usize> = (0..units.len()).filter(|t| available[*t]).collect();
    let (Some(&first), Some(&last)) = (known.first(), known.last()) else {
        return vec![0.0; units.len()];
    };
    let mut out = units.to_vec();
    out[..first].fill(units[first]);
    out[last + 1..].fill(units[last]);
    for w in known.windows(2) {
        let (a, b) = (w[0], w[1]);
        for (k, slot) in out[a + 1..b].iter_mut().enumerate() {
            let x = (k + 1) as f64 / (b - a) as f64;
            *slot = units[a] + x * (units[b] - units[a]);
        }
    }
    out
}

/// The point forecast of `model` for the `horizon` days after `y` (clipped at zero).
pub fn augurs_forecast(
    model: AugursModel,
    y: &[f64],
    horizon: usize,
) -> Result<Vec<f64>, AugursError> {
    let fit_error = |e: &dyn std::fmt::Display| AugursError::Fit {
        model,
        days: y.len(),
        message: e.to_string(),
    };
    let point = match model {
        AugursModel::AutoEts => {
            AutoETS::non_seasonal()
                .fit(y)
                .map_err(|e| fit_error(&e))?
                .predict(horizon, None)
                .map_err(|e| fit_error(&e))?
                .point
        }
        AugursModel::Mstl => {
            let periods = if y.len() >= 2 * 365 {
                vec![7, 365]
            } else {
                vec![7]
            };
            let trend = AutoETSTrendModel::from(AutoETS::non_seasonal());
            MSTLModel::new(periods, trend)
                .fit(y)
                .map_err(|e| fit_error(&e))?
                .predict(horizon, None)
                .map_err(|e| fit_error(&e))?
                .point
        }
    };
    if point.len() != horizon || point.iter().any(|v| !v.is_finite()) {
        return Err(AugursError::NotFinite(model));
    }
    Ok(point.into_iter().map(|v| v.max(0.0)).collect())
}

/// One SKU under `model`: the folds at our rolling origins (scored by our [`fold`]) after
/// the final fit on the whole series, and how many of the fits fell back to the mean.
pub fn backtest_augurs(
    model: AugursModel,
    series: &DemandSeries,
    horizon: usize,
) -> (Vec<Fold>, usize) {
    let filled = fill_stockouts(&series.units, &series.available);
    let mut fallbacks = 0;
    let mut predict = |y: &[f64], h: usize| {
        augurs_forecast(model, y, h).unwrap_or_else(|_| {
            fallbacks += 1;
            vec![y.iter().sum::<f64>() / y.len().max(1) as f64; h]
        })
    };
    let folds = origins(series.len(), horizon, ORIGINS, ORIGIN_STEP)
        .into_iter()
        .map(|train| {
            let end = (train + horizon).min(series.len());
            let mean = predict(&filled[..train], end - train);
            fold(series, train, end, &mean)
        })
        .collect();
    std::hint::black_box(predict(&filled, horizon));
    (folds, fallbacks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy series: a weekly pattern on a slow upward trend, 10 weeks.
    fn toy() -> Vec<f64> {
        let week = [5.0, 6.0, 7.0, 6.0, 8.0, 12.0, 10.0];
        (0..70).map(|t| week[t % 7] + t as f64 * 0.05).collect()
    }

    #[test]
    fn both_augurs_models_forecast_the_horizon_asked_for() {
        for model in AugursModel::ALL {
            let f = augurs_forecast(model, &toy(), 14).expect("a fit on a clean series");
            assert_eq!(f.len(), 14, "{model:?}");
            assert!(f.iter().all(|v| v.is_finite() && *v >= 0.0), "{model:?}");
        }
    }

    #[test]
    fn mstl_keeps_the_weekly_pattern_that_non_seasonal_ets_cannot() {
        let y = toy();
        let mstl = augurs_forecast(AugursModel::Mstl, &y, 7).unwrap();
        // Day 70 is a weekday-0 day (5 + trend), day 75 a weekday-5 day (12 + trend).
        assert!(mstl[5] - mstl[0] > 4.0, "{mstl:?}");
        let ets = augurs_forecast(AugursModel::AutoEts, &y, 7).unwrap();
        let spread = ets.iter().cloned().fold(f64::MIN, f64::max)
            - ets.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread < 1.0, "{ets:?}");
    }

    #[test]
    fn stockout_days_are_interpolated_between_the_days_in_stock() {
        let units = [0.0, 4.0, 0.0, 0.0, 10.0, 0.0];
        let available = [false, true, false, false, true, false];
        assert_eq!(
            fill_stockouts(&units, &available),
            vec![4.0, 4.0, 6.0, 8.0, 10.0, 10.0]
        );
        assert_eq!(fill_stockouts(&[1.0, 2.0], &[false, false]), vec![0.0, 0.0]);
    }

    #[test]
    fn a_failed_fit_says_which_model_and_how_many_days() {
        // Two days are too few for MSTL's weekly period.
        let e = augurs_forecast(AugursModel::Mstl, &[1.0, 2.0], 3).unwrap_err();
        assert!(
            e.to_string().contains("Mstl") && e.to_string().contains("2 days"),
            "{e}"
        );
    }
}

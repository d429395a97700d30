//! Intermittent demand (most days without a sale): Croston with the Syntetos–Boylan
//! correction and TSB, the one with the smaller one-step squared error in the history chosen
//! automatically. Both forecast a flat rate (units per day); stock-out days are skipped, not
//! read as days without demand.

use super::model::{DemandSeries, Method};

const ALPHAS: [f64; 4] = [0.05, 0.1, 0.2, 0.3];
const BETAS: [f64; 4] = [0.02, 0.05, 0.1, 0.2];
/// Days in stock used to start the estimates, not scored.
const BURN_IN: usize = 28;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntermittentFit {
    pub method: Method,
    /// Expected units per day.
    pub rate: f64,
}

/// Fits both methods on the days in stock of `series` and keeps the better one.
pub fn fit_intermittent(series: &DemandSeries) -> IntermittentFit {
    let ys: Vec<f64> = (0..series.len())
        .filter(|t| series.available[*t])
        .map(|t| series.units[t])
        .collect();
    let start = &ys[..BURN_IN.min(ys.len())];
    let hits = start.iter().filter(|v| **v > 0.0).count();
    let size0 = if hits > 0 {
        start.iter().sum::<f64>() / hits as f64
    } else {
        ys.iter().filter(|v| **v > 0.0).sum::<f64>()
            / ys.iter().filter(|v| **v > 0.0).count().max(1) as f64
    };
    let prob0 = (hits.max(1) as f64 / start.len().max(1) as f64).min(1.0);
    let mut best = (
        f64::INFINITY,
        IntermittentFit {
            method: Method::Croston,
            rate: 0.0,
        },
    );
    for alpha in ALPHAS {
        let (sse, rate) = croston(&ys, alpha, size0, 1.0 / prob0);
        if sse < best.0 {
            best = (
                sse,
                IntermittentFit {
                    method: Method::Croston,
                    rate,
                },
            );
        }
        for beta in BETAS {
            let (sse, rate) = tsb(&ys, alpha, beta, size0, prob0);
            if sse < best.0 {
                best = (
                    sse,
                    IntermittentFit {
                        method: Method::Tsb,
                        rate,
                    },
                );
            }
        }
    }
    best.1
}

/// Croston–SBA: size and interval smoothed at each sale; forecast (1 − α/2)·size ÷ interval.
/// Returns (scored squared error, final rate).
fn croston(ys: &[f64], alpha: f64, size0: f64, interval0: f64) -> (f64, f64) {
    let (mut size, mut interval, mut since) = (size0, interval0, 1.0);
    let bias = 1.0 - alpha / 2.0;
    let mut sse = 0.0;
    for (t, y) in ys.iter().enumerate() {
        let f = bias * size / interval;
        if t >= BURN_IN {
            sse += (y - f).powi(2);
        }
        if *y > 0.0 {
            size += alpha * (y - size);
            interval += alpha * (since - interval);
            since = 1.0;
        } else {
            since += 1.0;
        }
    }
    (sse, bias * size / interval)
}

/// TSB: the probability of a sale is updated every day (β), the size on sale days (α);
/// forecast probability × size, which decays when sales stop.
fn tsb(ys: &[f64], alpha: f64, beta: f64, size0: f64, prob0: f64) -> (f64, f64) {
    let (mut size, mut prob) = (size0, prob0);
    let mut sse = 0.0;
    for (t, y) in ys.iter().enumerate() {
        if t >= BURN_IN {
            sse += (y - prob * size).powi(2);
        }
        if *y > 0.0 {
            prob += beta * (1.0 - prob);
            size += alpha * (y - size);
        } else {
            prob -= beta * prob;
        }
    }
    (sse, prob * size)
}

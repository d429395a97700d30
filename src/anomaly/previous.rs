//! The rule the seasonal detector replaces, kept as the yardstick issue 7 asks for: a point is
//! flagged when it lies more than 3 standard deviations from the mean of the 28 points
//! before it. No seasonality (every Saturday looks like a drop next to weekdays), no
//! calendar (Black Friday is an anomaly, and inflates the σ of the four weeks after it),
//! and a mean that one outlier drags.

use serde::Serialize;

use super::{Direction, Flag};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviousRule {
    /// Trailing points the mean and σ are taken over (28 days).
    pub window: usize,
    /// Standard deviations from the mean that flag a point.
    pub sigmas: f64,
}

impl Default for PreviousRule {
    fn default() -> PreviousRule {
        PreviousRule {
            window: 28,
            sigmas: 3.0,
        }
    }
}

impl PreviousRule {
    /// Flags the points of `values` (NaN: missing, skipped) that lie outside mean ± σ·sd of
    /// the previous `window` present points; nothing is judged before `window` points.
    pub fn detect(&self, values: &[f64]) -> Vec<Flag> {
        let window = self.window.max(2);
        let mut history: Vec<f64> = Vec::with_capacity(values.len());
        let mut flags = Vec::new();
        for (index, &value) in values.iter().enumerate() {
            if !value.is_finite() {
                continue;
            }
            if history.len() >= window {
                let recent = &history[history.len() - window..];
                let mean = recent.iter().sum::<f64>() / window as f64;
                let var =
                    recent.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (window - 1) as f64;
                let sd = var.sqrt();
                let residual = value - mean;
                let outside = residual.abs() > self.sigmas * sd;
                if outside {
                    let score = if sd > 0.0 {
                        residual / sd
                    } else {
                        f64::INFINITY.copysign(residual)
                    };
                    flags.push(Flag {
                        index,
                        value,
                        expected: mean,
                        lower: mean - self.sigmas * sd,
                        upper: mean + self.sigmas * sd,
                        score,
                        direction: if residual > 0.0 {
                            Direction::Up
                        } else {
                            Direction::Down
                        },
                    });
                }
            }
            history.push(value);
        }
        flags
    }
}

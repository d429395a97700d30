//! Statistical anomaly detection on business series (issue 4's anomaly alerts, issue 7's
//! upgraded detector), measured rather than assumed.
//!
//! The seasonal detector ([`Detector`]) judges each point only against the points before it
//! (no look-ahead, so an alert raised yesterday is the alert we would have raised yesterday):
//! the expected value is the median of the same season slot over the last few seasons (the
//! last eight Mondays for a Monday, with period 7), moved by how far the last week ran above
//! or below its own slots; the residual scale is the MAD of recent residuals, and a point is
//! flagged when its robust score exceeds the threshold *and* it is
//! far enough from the expectation in relative terms, so a tiny shop does not flap. Medians
//! instead of means: one bad day (or one planted anomaly) does not drag the baseline.
//! Known events ([`Calendar`]: Black Friday week, Christmas, the caller's own dates) are
//! neither judged nor used as a baseline for later days.
//!
//! [`PreviousRule`] is the rule this replaces (trailing 28-point mean ± 3σ, no seasonality,
//! no calendar), kept to compare against. [`score`] counts detected and missed labelled
//! windows and false-alarm events; [`nab`] reads the Numenta Anomaly Benchmark's ad-exchange
//! series; [`inject`] plants known anomalies into a clean series. `insight-desk bench-anomaly`
//! prints the comparison (README, "Anomaly detection").
//!
//! Everything here is pure and synchronous: callers load the series, this module judges it.

mod calendar;
mod detector;
pub mod inject;
pub mod nab;
mod previous;
pub mod score;
#[cfg(test)]
mod tests;

pub use calendar::{black_friday, cyber_monday, Calendar};
pub use detector::{
    daily_grid, Assessment, DailyFlag, Detector, Direction, Flag, Transform, Watch,
};
pub use previous::PreviousRule;

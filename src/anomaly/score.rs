//! Scoring flags against labelled anomaly windows, with the Numenta Anomaly Benchmark's
//! window semantics: a window (both ends included) is detected when at least one flag falls
//! inside it, however many do; a flag inside no window is a false positive; flags in the
//! probationary period at the start of a file (where a detector is still learning) are not
//! scored. NAB then weights early detections within a window; we count events instead,
//! because an alert is an event: consecutive flags outside the windows (no more than
//! `merge_gap` apart) are one false alarm, as they would be one open alert.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

/// A labelled anomaly window, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Window {
    pub fn contains(&self, t: NaiveDateTime) -> bool {
        self.start <= t && t <= self.end
    }
}

/// How flags are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreOptions {
    /// Two false-alarm flags at most this far apart are the same event (one series step).
    pub merge_gap: Duration,
    /// Flags before this instant are not scored (NAB's probationary period).
    pub scored_from: Option<NaiveDateTime>,
}

/// Windows detected and missed, false-alarm events, and what they make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct WindowScore {
    pub windows: usize,
    pub detected: usize,
    pub missed: usize,
    pub false_alarms: usize,
}

impl WindowScore {
    /// Detected windows over all windows; `None` without windows.
    pub fn recall(&self) -> Option<f64> {
        (self.windows > 0).then(|| self.detected as f64 / self.windows as f64)
    }

    /// Detected windows over detected windows plus false-alarm events; `None` when nothing
    /// was raised.
    pub fn precision(&self) -> Option<f64> {
        let raised = self.detected + self.false_alarms;
        (raised > 0).then(|| self.detected as f64 / raised as f64)
    }
}

impl std::ops::Add for WindowScore {
    type Output = WindowScore;
    fn add(self, o: WindowScore) -> WindowScore {
        WindowScore {
            windows: self.windows + o.windows,
            detected: self.detected + o.detected,
            missed: self.missed + o.missed,
            false_alarms: self.false_alarms + o.false_alarms,
        }
    }
}

impl std::iter::Sum for WindowScore {
    fn sum<I: Iterator<Item = WindowScore>>(iter: I) -> WindowScore {
        iter.fold(WindowScore::default(), |a, b| a + b)
    }
}

/// Scores `flags` (instants, any order) against `windows`.
pub fn score_windows(
    flags: &[NaiveDateTime],
    windows: &[Window],
    options: &ScoreOptions,
) -> WindowScore {
    let mut flags: Vec<NaiveDateTime> = flags
        .iter()
        .copied()
        .filter(|t| options.scored_from.map_or(true, |from| *t >= from))
        .collect();
    flags.sort();
    let detected = windows
        .iter()
        .filter(|w| flags.iter().any(|t| w.contains(*t)))
        .count();
    let mut false_alarms = 0;
    let mut previous_outside: Option<NaiveDateTime> = None;
    for t in flags {
        if windows.iter().any(|w| w.contains(t)) {
            previous_outside = None;
            continue;
        }
        if previous_outside.map_or(true, |p| t - p > options.merge_gap) {
            false_alarms += 1;
        }
        previous_outside = Some(t);
    }
    WindowScore {
        windows: windows.len(),
        detected,
        missed: windows.len() - detected,
        false_alarms,
    }
}

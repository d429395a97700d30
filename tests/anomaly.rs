//! The seasonal anomaly detector on real, labelled data: NAB's ad-exchange series in
//! ../shared/data/nab. The bounds are what `bench-anomaly` measured on 2026-11-25 (README,
//! "Anomaly detection"), so a change that loses windows or adds false alarms fails here.

use std::process::Command;

use insight_desk::anomaly::nab::{compare, load_ad_exchange};
use insight_desk::anomaly::score::WindowScore;
use insight_desk::anomaly::{Detector, PreviousRule};

use crate::import_support::shared_data;

/// Measured on 2026-11-25 with `Detector::hourly()`: 13 of 14 windows, 26 false-alarm events
/// (the previous rule: 13 windows, 92 false alarms).
const MIN_DETECTED: usize = 13;
const MAX_FALSE_ALARMS: usize = 26;

#[test]
fn the_seasonal_detector_finds_the_nab_ad_exchange_windows_with_few_false_alarms() {
    let Some(dir) = shared_data("nab") else {
        return;
    };
    let series = load_ad_exchange(&dir).expect("read the NAB ad-exchange series");
    assert_eq!(series.len(), 6);
    assert_eq!(series.iter().map(|s| s.windows.len()).sum::<usize>(), 14);
    let rows = compare(&series, &Detector::hourly(), &PreviousRule::default());
    let seasonal: WindowScore = rows.iter().map(|r| r.seasonal).sum();
    let previous: WindowScore = rows.iter().map(|r| r.previous).sum();
    eprintln!("seasonal {seasonal:?}\nprevious {previous:?}");
    assert!(
        seasonal.detected >= MIN_DETECTED,
        "only {} of 14 windows detected (measured {MIN_DETECTED}): {rows:#?}",
        seasonal.detected
    );
    assert!(
        seasonal.false_alarms <= MAX_FALSE_ALARMS,
        "{} false alarms (measured {MAX_FALSE_ALARMS}): {rows:#?}",
        seasonal.false_alarms
    );
    // The point of the upgrade: as many windows as the old rule, far fewer false alarms.
    assert!(seasonal.detected >= previous.detected, "{rows:#?}");
    assert!(
        seasonal.false_alarms * 2 < previous.false_alarms,
        "{rows:#?}"
    );
}

#[test]
fn bench_anomaly_without_the_nab_data_says_where_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_insight-desk"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off")
        .args(["bench-anomaly", "--nab-dir", "no-such-folder"])
        .output()
        .expect("run insight-desk");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        err.contains("no-such-folder")
            && err.contains("github.com/numenta/NAB")
            && err.contains("--nab-dir"),
        "{err}"
    );
}

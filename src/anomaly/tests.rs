//! Hand-built series whose answers are known: a weekly pattern with one planted drop, a dip
//! that happens every Monday, Black Friday, a future that must not change the past.

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::inject::{inject, InjectPlan};
use super::score::{score_windows, ScoreOptions, Window};
use super::*;

/// Relative demand by weekday, Monday first (the demo shop's).
const WEEKDAY: [f64; 7] = [1.10, 1.07, 1.04, 1.02, 0.95, 0.80, 0.90];

fn d(s: &str) -> NaiveDate {
    crate::domain::parse_date(s).unwrap()
}

/// `days` days of ~1 000 a day with the weekday pattern and ±4 % noise; index 0 is a Monday.
fn weekly(days: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..days)
        .map(|i| 1000.0 * WEEKDAY[i % 7] * (1.0 + rng.gen_range(-0.04..0.04)))
        .collect()
}

fn indices(flags: &[Flag]) -> Vec<usize> {
    flags.iter().map(|f| f.index).collect()
}

#[test]
fn a_planted_drop_is_flagged_on_that_day_only() {
    let mut values = weekly(140, 1);
    values[100] *= 0.6;
    let flags = Detector::daily().detect(&values, &[]);
    assert_eq!(indices(&flags), vec![100]);
    let f = flags[0];
    assert_eq!(f.direction, Direction::Down);
    assert!(f.value < f.lower && f.lower < f.expected && f.expected < f.upper);
    // The expectation is that weekday's usual level, not the week's average.
    let usual = 1000.0 * WEEKDAY[100 % 7];
    assert!((f.expected / usual - 1.0).abs() < 0.05, "{f:?}");
    assert!(f.score < -4.0, "{f:?}");
}

#[test]
fn a_dip_every_monday_is_not_flagged() {
    let mut values = weekly(140, 2);
    for i in (0..values.len()).step_by(7) {
        values[i] *= 0.55;
    }
    assert_eq!(
        indices(&Detector::daily().detect(&values, &[])),
        Vec::<usize>::new()
    );
}

#[test]
fn the_previous_rule_misses_a_real_drop_that_the_weekly_dip_hides() {
    // Why seasonality matters. A dip on one day in seven can never be 3σ from a 28-day mean
    // (its z is at most √6 ≈ 2.45: the dips inflate σ themselves), so the old rule does not
    // flag the Mondays; it is blind instead: the inflated σ swallows a real −40 % Wednesday.
    let mut values = weekly(140, 2);
    for i in (0..values.len()).step_by(7) {
        values[i] *= 0.55;
    }
    values[100] *= 0.6;
    assert_eq!(100 % 7, 2, "a Wednesday");
    let old = PreviousRule::default().detect(&values);
    assert!(!old.iter().any(|f| f.index == 100), "{old:?}");
    assert!(old.iter().all(|f| f.index % 7 != 0), "{old:?}");
    assert_eq!(indices(&Detector::daily().detect(&values, &[])), vec![100]);
}

#[test]
fn black_friday_is_not_flagged_and_does_not_become_a_baseline() {
    let first = d("2025-09-01");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let series: Vec<(NaiveDate, f64)> = (0..120)
        .map(|i| {
            let day = first + Days::new(i);
            let weekday = WEEKDAY[day.weekday().num_days_from_monday() as usize];
            let event = match (day - black_friday(2025)).num_days() {
                0 => 3.4,
                1 => 2.3,
                2 => 2.0,
                3 => 2.2,
                _ => 1.0,
            };
            (
                day,
                1000.0 * weekday * event * (1.0 + rng.gen_range(-0.04..0.04)),
            )
        })
        .collect();
    let detector = Detector::daily();
    let mut calendar = Calendar::new();
    calendar.add_black_friday(2025);
    let flags = detector.detect_daily(&series, &calendar);
    assert!(flags.is_empty(), "{flags:?}");
    // Without the calendar, the same days are spikes.
    let days: Vec<NaiveDate> = detector
        .detect_daily(&series, &Calendar::new())
        .iter()
        .map(|f| f.day)
        .collect();
    assert!(days.contains(&d("2025-11-28")), "{days:?}");
    assert!(days.contains(&d("2025-12-01")), "{days:?}");
    // The previous rule, which knows no calendar, flags Black Friday too.
    let values: Vec<f64> = series.iter().map(|(_, v)| *v).collect();
    let bf_index = (black_friday(2025) - first).num_days() as usize;
    let old = PreviousRule::default().detect(&values);
    assert!(old.iter().any(|f| f.index == bf_index), "{old:?}");
}

#[test]
fn appending_future_points_never_changes_earlier_judgements() {
    let mut values = weekly(200, 4);
    values[60] *= 1.8;
    values[61] = f64::NAN;
    values[130] *= 0.5;
    values[131] *= 0.5;
    let excluded: Vec<bool> = (0..values.len()).map(|i| i == 90).collect();
    let detector = Detector::daily();
    let full = detector.assess(&values, &excluded);
    for cut in [30, 61, 62, 100, 131, 150, 199] {
        let prefix = detector.assess(&values[..cut], &excluded[..cut]);
        assert_eq!(prefix[..], full[..cut], "cut at {cut}");
    }
    // And a wild future does not matter either.
    let mut altered = values.clone();
    for v in &mut altered[150..] {
        *v *= 10.0;
    }
    assert_eq!(detector.assess(&altered, &excluded)[..150], full[..150]);
    assert_eq!(
        indices(&detector.detect(&values, &excluded)),
        vec![60, 130, 131]
    );
}

#[test]
fn a_short_series_gives_no_flags() {
    let detector = Detector::daily();
    let mut values = weekly(27, 5);
    values[26] *= 5.0;
    assert!(detector.detect(&values, &[]).is_empty());
    assert!(detector.detect(&[], &[]).is_empty());
    assert!(detector.detect(&[f64::NAN; 100], &[]).is_empty());
    assert!(detector.detect_daily(&[], &Calendar::new()).is_empty());
    assert!(PreviousRule::default().detect(&values).is_empty());
}

#[test]
fn missing_days_are_skipped_not_read_as_zero() {
    let first = d("2026-01-05");
    let mut series: Vec<(NaiveDate, f64)> = weekly(120, 6)
        .into_iter()
        .enumerate()
        .map(|(i, v)| (first + Days::new(i as u64), v))
        .collect();
    // A week without data (a broken sync), then a real drop; given out of order.
    series.retain(|(day, _)| !(d("2026-03-02")..=d("2026-03-08")).contains(day));
    let drop_day = d("2026-04-01");
    series
        .iter_mut()
        .find(|(day, _)| *day == drop_day)
        .unwrap()
        .1 *= 0.5;
    series.reverse();
    let flags = Detector::daily().detect_daily(&series, &Calendar::new());
    let days: Vec<NaiveDate> = flags.iter().map(|f| f.day).collect();
    assert_eq!(days, vec![drop_day]);
}

#[test]
fn a_flat_series_does_not_flag_a_tiny_change() {
    // MAD 0: only the minimum relative change stands between a 1 % wobble and an alert.
    let mut values = vec![12.0; 60];
    values[40] = 12.1;
    values[50] = 6.0;
    assert_eq!(indices(&Detector::daily().detect(&values, &[])), vec![50]);
}

#[test]
fn watch_drops_ignores_spikes() {
    let mut values = weekly(120, 7);
    values[80] *= 1.7;
    values[100] *= 0.5;
    let drops = Detector {
        watch: Watch::Drops,
        ..Detector::daily()
    };
    assert_eq!(indices(&drops.detect(&values, &[])), vec![100]);
    let spikes = Detector {
        watch: Watch::Spikes,
        ..Detector::daily()
    };
    assert_eq!(indices(&spikes.detect(&values, &[])), vec![80]);
}

#[test]
fn the_log_scale_reads_changes_as_ratios() {
    let mut values = weekly(120, 8);
    values[90] *= 2.5;
    let log = Detector {
        transform: Transform::Log,
        ..Detector::daily()
    };
    let flags = log.detect(&values, &[]);
    assert_eq!(indices(&flags), vec![90]);
    assert!(
        flags[0].lower > 0.0,
        "a band on the log scale stays positive"
    );
}

#[test]
fn black_friday_and_cyber_monday_dates() {
    assert_eq!(black_friday(2024), d("2024-11-29"));
    assert_eq!(cyber_monday(2024), d("2024-12-02"));
    assert_eq!(cyber_monday(2026), d("2026-11-30"));
    let retail = Calendar::retail(2025..=2025);
    assert!(
        retail.is_excluded(d("2025-11-24")),
        "Monday of Black Friday week"
    );
    assert!(retail.is_excluded(d("2025-12-01")), "Cyber Monday");
    assert!(!retail.is_excluded(d("2025-12-02")));
    assert!(retail.is_excluded(d("2025-12-25")) && retail.is_excluded(d("2026-01-01")));
    let mut own = Calendar::new();
    own.add_dates([d("2026-03-14")]);
    assert_eq!(own.days().collect::<Vec<_>>(), vec![d("2026-03-14")]);
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn scoring_counts_windows_and_merges_consecutive_false_alarms() {
    let windows = [
        Window {
            start: at("2011-07-10 00:00"),
            end: at("2011-07-12 00:00"),
        },
        Window {
            start: at("2011-08-01 00:00"),
            end: at("2011-08-02 00:00"),
        },
    ];
    let flags = [
        at("2011-07-02 05:00"), // probation: not scored
        at("2011-07-05 10:00"), // false alarm…
        at("2011-07-05 11:00"), // …the same one
        at("2011-07-05 13:00"), // a second one
        at("2011-07-12 00:00"), // window 1, on its last hour (ends are included)
        at("2011-07-11 03:00"), // window 1 again: still one detection
        at("2011-07-20 08:00"), // a third false alarm
    ];
    let score = score_windows(
        &flags,
        &windows,
        &ScoreOptions {
            merge_gap: Duration::hours(1),
            scored_from: Some(at("2011-07-03 00:00")),
        },
    );
    assert_eq!(
        (
            score.windows,
            score.detected,
            score.missed,
            score.false_alarms
        ),
        (2, 1, 1, 3)
    );
    assert_eq!(score.recall(), Some(0.5));
    assert_eq!(score.precision(), Some(0.25));
}

#[test]
fn missing_nab_data_says_where_to_get_it() {
    let err = super::nab::load_ad_exchange(std::path::Path::new("/no/such/nab")).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("NAB data not found: /no/such/nab/realAdExchange"),
        "{msg}"
    );
    assert!(
        msg.contains("github.com/numenta/NAB") && msg.contains("--nab-dir"),
        "{msg}"
    );
}

#[test]
fn injection_is_deterministic_and_spaced() {
    let values = weekly(700, 9);
    let eligible: Vec<bool> = (0..700).map(|i| i >= 56).collect();
    let plan = InjectPlan {
        drops: 6,
        spikes: 6,
        drop: -0.4,
        spike: 0.6,
        min_spacing: 21,
        seed: 11,
    };
    let (a, planted) = inject(&values, &eligible, &plan);
    let (b, again) = inject(&values, &eligible, &plan);
    assert_eq!(a, b);
    assert_eq!(planted, again);
    assert_eq!(planted.len(), 12);
    assert!(planted.windows(2).all(|p| p[1].index - p[0].index >= 21));
    assert!(planted.iter().all(|p| p.index >= 56));
    let drops = planted.iter().filter(|p| p.planted < p.original).count();
    assert_eq!(drops, 6);
}

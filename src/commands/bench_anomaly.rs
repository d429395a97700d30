//! `bench-anomaly`: how good the anomaly detectors are, measured. Two benchmarks, each run
//! for the seasonal detector and for the previous rule (trailing 28-point mean ± 3σ):
//!
//! 1. NAB's six ad-exchange series (hourly CPC/CPM, 14 labelled windows), scored the NAB way
//!    (a window is found by ≥ 1 flag inside it; flags outside are false alarms, consecutive
//!    ones counted once; the probationary first 15 % not scored).
//! 2. The demo shop's daily revenue and orders (two years, seed 42, ending 2026-12-31 so two
//!    Black Fridays and two Decembers are in), with drops of −40 % and spikes of +60 %
//!    planted on random ordinary days; each planted day is a one-day window. Then whether
//!    each Black Friday is flagged, with and without the calendar.
//!
//! The shop is generated into a SQLite file in a temporary folder, removed afterwards.

use anyhow::Context;
use chrono::{Datelike, Days, Duration, NaiveDate};
use serde::Serialize;

use crate::anomaly::inject::{inject, InjectPlan, Injected};
use crate::anomaly::nab::{compare, load_ad_exchange, NabComparison};
use crate::anomaly::score::{score_windows, ScoreOptions, Window, WindowScore};
use crate::anomaly::{black_friday, daily_grid, Calendar, Detector, PreviousRule, Transform};
use crate::cli::{BenchAnomalyArgs, BenchFormat};
use crate::demo::{generate, DemoOptions};
use crate::store::Store;
use crate::with_pool;

/// The demo history ends here: two Black Fridays (2025, 2026) and two Decembers inside.
const DEMO_END: &str = "2026-12-31";
/// No anomaly is planted in the first eight weeks: both detectors are still learning.
const WARM_UP_DAYS: usize = 56;

#[derive(Debug, Serialize)]
struct Report {
    seasonal_nab: Detector,
    seasonal_daily: Detector,
    previous: PreviousRule,
    nab: Vec<NabComparison>,
    nab_total: NabComparison,
    /// NAB totals of the seasonal detector around the chosen settings (how it was tuned).
    nab_sensitivity: Vec<Sensitivity>,
    plan: InjectPlan,
    demo: Vec<DemoRow>,
    black_friday: Vec<BlackFridayRow>,
}

#[derive(Debug, Serialize)]
struct Sensitivity {
    transform: Transform,
    threshold: f64,
    score: WindowScore,
}

#[derive(Debug, Serialize)]
struct DemoRow {
    series: &'static str,
    days: usize,
    planted: Vec<Injected>,
    seasonal: WindowScore,
    previous: WindowScore,
    /// Days flagged outside the planted ones, to read what the false alarms are.
    seasonal_false_alarm_days: Vec<NaiveDate>,
    previous_false_alarm_days: Vec<NaiveDate>,
}

#[derive(Debug, Serialize)]
struct BlackFridayRow {
    series: &'static str,
    day: NaiveDate,
    value: f64,
    seasonal_with_calendar: bool,
    seasonal_without_calendar: bool,
    previous: bool,
    /// Flags of the seasonal detector with the calendar in the 4 weeks after Cyber Monday.
    seasonal_flags_after: usize,
    previous_flags_after: usize,
}

pub async fn run(args: BenchAnomalyArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.demo_scale > 0.0 && args.demo_scale <= 100.0,
        "--demo-scale {} is out of range: use a value in (0, 100], e.g. 0.3",
        args.demo_scale
    );
    let series = load_ad_exchange(&args.nab_dir)?;
    let seasonal_nab = Detector::hourly();
    let previous = PreviousRule::default();
    let nab = compare(&series, &seasonal_nab, &previous);
    let nab_total = NabComparison {
        series: "total".into(),
        seasonal: nab.iter().map(|r| r.seasonal).sum(),
        previous: nab.iter().map(|r| r.previous).sum(),
    };
    let mut nab_sensitivity = Vec::new();
    for transform in [Transform::Log, Transform::Linear] {
        for threshold in [4.0, 5.0, 6.0, 7.0, 8.0] {
            let detector = Detector {
                transform,
                threshold,
                ..Detector::hourly()
            };
            nab_sensitivity.push(Sensitivity {
                transform,
                threshold,
                score: compare(&series, &detector, &previous)
                    .iter()
                    .map(|r| r.seasonal)
                    .sum(),
            });
        }
    }

    eprintln!(
        "building a demo shop (seed 42, scale {}, to {DEMO_END}) …",
        args.demo_scale
    );
    let (revenue, orders) = demo_series(args.demo_scale).await?;
    let seasonal_daily = Detector::daily();
    let plan = InjectPlan {
        drops: 10,
        spikes: 10,
        drop: -0.4,
        spike: 0.6,
        min_spacing: 14,
        seed: args.seed,
    };
    let mut demo = Vec::new();
    let mut black_fridays = Vec::new();
    for (name, daily) in [("revenue", &revenue), ("orders", &orders)] {
        let (row, bf) = demo_benchmark(name, daily, &seasonal_daily, &previous, &plan)?;
        demo.push(row);
        black_fridays.extend(bf);
    }

    let report = Report {
        seasonal_nab,
        seasonal_daily,
        previous,
        nab,
        nab_total,
        nab_sensitivity,
        plan,
        demo,
        black_friday: black_fridays,
    };
    match args.format {
        BenchFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        BenchFormat::Table => print_tables(&report),
    }
    Ok(())
}

/// Daily revenue (€) and counted orders of a freshly generated demo shop.
async fn demo_series(scale: f64) -> anyhow::Result<(Vec<(NaiveDate, f64)>, Vec<(NaiveDate, f64)>)> {
    let dir =
        std::env::temp_dir().join(format!("insight-desk-bench-anomaly-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let result = async {
        let url = format!("sqlite://{}", dir.join("shop.db").display());
        let store = Store::open(&url).await?;
        generate(
            &store,
            &DemoOptions {
                seed: 42,
                scale,
                end_date: crate::domain::parse_date(DEMO_END).map_err(anyhow::Error::msg)?,
                timezone: chrono_tz::Europe::Paris,
                progress: false,
            },
        )
        .await?;
        let revenue = daily_sums(
            &store,
            "SELECT CAST(day AS TEXT), CAST(SUM(revenue_cents) AS BIGINT) FROM daily_sales_summary GROUP BY day ORDER BY day",
            100.0,
        )
        .await?;
        let orders = daily_sums(
            &store,
            "SELECT CAST(day AS TEXT), CAST(SUM(orders) AS BIGINT) FROM daily_order_summary GROUP BY day ORDER BY day",
            1.0,
        )
        .await?;
        store.close().await;
        anyhow::Ok((revenue, orders))
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn daily_sums(
    store: &Store,
    sql: &'static str,
    divisor: f64,
) -> anyhow::Result<Vec<(NaiveDate, f64)>> {
    let rows: Vec<(String, i64)> = with_pool!(store, pool => {
        sqlx::query_as(sql).fetch_all(pool).await
    })
    .with_context(|| format!("failed to read the demo shop's daily series: {sql}"))?;
    rows.into_iter()
        .map(|(day, v)| {
            let day = crate::domain::parse_date(&day).map_err(anyhow::Error::msg)?;
            Ok((day, v as f64 / divisor))
        })
        .collect()
}

fn demo_benchmark(
    name: &'static str,
    daily: &[(NaiveDate, f64)],
    detector: &Detector,
    previous: &PreviousRule,
    plan: &InjectPlan,
) -> anyhow::Result<(DemoRow, Vec<BlackFridayRow>)> {
    let (first, mut values) =
        daily_grid(daily).with_context(|| format!("the demo shop has no daily {name}"))?;
    // The demo's last day is itself a planted bad day (−20 % orders): left out, so that a
    // flag on it is neither a false alarm nor a detection.
    values.pop();
    let day = |i: usize| first + Days::new(i as u64);
    let last = day(values.len() - 1);
    let calendar = Calendar::retail(Calendar::years_of(first, last));
    let excluded: Vec<bool> = (0..values.len())
        .map(|i| calendar.is_excluded(day(i)))
        .collect();
    let eligible: Vec<bool> = (0..values.len())
        .map(|i| i >= WARM_UP_DAYS && !excluded[i])
        .collect();
    let (planted_values, planted) = inject(&values, &eligible, plan);
    let windows: Vec<Window> = planted
        .iter()
        .map(|p| {
            let at = day(p.index).and_time(chrono::NaiveTime::MIN);
            Window { start: at, end: at }
        })
        .collect();
    let options = ScoreOptions {
        merge_gap: Duration::days(1),
        scored_from: None,
    };
    let instants = |indices: Vec<usize>| -> Vec<chrono::NaiveDateTime> {
        indices
            .into_iter()
            .map(|i| day(i).and_time(chrono::NaiveTime::MIN))
            .collect()
    };
    let seasonal_flags: Vec<usize> = detector
        .detect(&planted_values, &excluded)
        .iter()
        .map(|f| f.index)
        .collect();
    let previous_flags: Vec<usize> = previous
        .detect(&planted_values)
        .iter()
        .map(|f| f.index)
        .collect();
    let unplanted = |flags: &[usize]| -> Vec<NaiveDate> {
        flags
            .iter()
            .filter(|&&i| !planted.iter().any(|p| p.index == i))
            .map(|&i| day(i))
            .collect()
    };
    let row = DemoRow {
        series: name,
        days: values.len(),
        seasonal_false_alarm_days: unplanted(&seasonal_flags),
        previous_false_alarm_days: unplanted(&previous_flags),
        seasonal: score_windows(&instants(seasonal_flags), &windows, &options),
        previous: score_windows(&instants(previous_flags), &windows, &options),
        planted,
    };

    // Black Friday on the clean series: with the calendar, without it, and the old rule.
    let with_calendar: Vec<usize> = detector
        .detect(&values, &excluded)
        .iter()
        .map(|f| f.index)
        .collect();
    let without_calendar: Vec<usize> = detector
        .detect(&values, &[])
        .iter()
        .map(|f| f.index)
        .collect();
    let old: Vec<usize> = previous.detect(&values).iter().map(|f| f.index).collect();
    let mut bf_rows = Vec::new();
    for year in first.year()..=last.year() {
        let bf = black_friday(year);
        if bf < first || bf > last {
            continue;
        }
        let i = (bf - first).num_days() as usize;
        let after = (i + 4)..(i + 4 + 28);
        bf_rows.push(BlackFridayRow {
            series: name,
            day: bf,
            value: values[i],
            seasonal_with_calendar: with_calendar.contains(&i),
            seasonal_without_calendar: without_calendar.contains(&i),
            previous: old.contains(&i),
            seasonal_flags_after: with_calendar
                .iter()
                .filter(|&&j| after.contains(&j))
                .count(),
            previous_flags_after: old.iter().filter(|&&j| after.contains(&j)).count(),
        });
    }
    Ok((row, bf_rows))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "**flagged**"
    } else {
        "not flagged"
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or("–".to_string(), |v| format!("{:.0} %", v * 100.0))
}

fn print_tables(r: &Report) {
    println!(
        "NAB realAdExchange (hourly CPC/CPM) · seasonal: period {}, {} seasons, log scale, threshold {} · previous: trailing {}-point mean ± {}σ",
        r.seasonal_nab.period, r.seasonal_nab.seasons, r.seasonal_nab.threshold, r.previous.window, r.previous.sigmas
    );
    println!();
    println!("| series | windows | seasonal: detected | missed | false alarms | previous rule: detected | missed | false alarms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in r.nab.iter().chain(std::iter::once(&r.nab_total)) {
        let bold = if row.series == "total" { "**" } else { "" };
        println!(
            "| {bold}{}{bold} | {} | {} | {} | {} | {} | {} | {} |",
            row.series,
            row.seasonal.windows,
            row.seasonal.detected,
            row.seasonal.missed,
            row.seasonal.false_alarms,
            row.previous.detected,
            row.previous.missed,
            row.previous.false_alarms
        );
    }
    let (s, p) = (r.nab_total.seasonal, r.nab_total.previous);
    println!(
        "\nNAB events: seasonal recall {} precision {} · previous rule recall {} precision {}",
        percent(s.recall()),
        percent(s.precision()),
        percent(p.recall()),
        percent(p.precision())
    );
    println!();
    println!(
        "NAB totals of the seasonal detector by scale and threshold (the other settings as above)"
    );
    println!();
    println!("| scale | threshold | detected | missed | false alarms | precision |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in &r.nab_sensitivity {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            match row.transform {
                Transform::Log => "log",
                Transform::Linear => "linear",
            },
            row.threshold,
            row.score.detected,
            row.score.missed,
            row.score.false_alarms,
            percent(row.score.precision())
        );
    }
    println!();
    println!(
        "Demo shop (seed 42, daily, {} planted drops of {:+.0} % and {} spikes of {:+.0} %, seed {}, ≥ {} days apart, on ordinary days after the first {WARM_UP_DAYS}) · seasonal: period {}, {} seasons, threshold {}, min change {:.0} %, retail calendar",
        r.plan.drops,
        r.plan.drop * 100.0,
        r.plan.spikes,
        r.plan.spike * 100.0,
        r.plan.seed,
        r.plan.min_spacing,
        r.seasonal_daily.period,
        r.seasonal_daily.seasons,
        r.seasonal_daily.threshold,
        r.seasonal_daily.min_relative_change * 100.0
    );
    println!();
    println!("| series | days | planted | seasonal: detected | missed | false alarms | recall | precision | previous rule: detected | missed | false alarms | recall | precision |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &r.demo {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.series,
            row.days,
            row.planted.len(),
            row.seasonal.detected,
            row.seasonal.missed,
            row.seasonal.false_alarms,
            percent(row.seasonal.recall()),
            percent(row.seasonal.precision()),
            row.previous.detected,
            row.previous.missed,
            row.previous.false_alarms,
            percent(row.previous.recall()),
            percent(row.previous.precision())
        );
    }
    println!();
    println!("Black Friday on the demo shop's clean series (flags in the 4 weeks after Cyber Monday: the baseline must not have learnt Black Friday)");
    println!();
    println!("| series | Black Friday | value | seasonal + calendar | seasonal, no calendar | previous rule | flags in the 4 weeks after: seasonal + calendar | previous rule |");
    println!("|---|---|---:|---|---|---|---:|---:|");
    for b in &r.black_friday {
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} |",
            b.series,
            b.day,
            b.value,
            yes_no(b.seasonal_with_calendar),
            yes_no(b.seasonal_without_calendar),
            yes_no(b.previous),
            b.seasonal_flags_after,
            b.previous_flags_after
        );
    }
}

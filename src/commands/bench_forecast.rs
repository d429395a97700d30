//! `bench-forecast`: the demand model's speed and accuracy on synthetic SKUs (default
//! 1,000 × 730 days, 90-day horizon, three rolling origins + the final fit per SKU), and,
//! given `--python`, statsforecast's AutoETS (weekly season) on the same series and the same
//! origins, scored by the same code; given `--augurs` (build feature `augurs-bench`), augurs'
//! AutoETS and MSTL (Rust crates) likewise. Prints tables; the README's figures come from them.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use comfy_table::{presets::UTF8_FULL, Table};

use crate::cli::BenchForecastArgs;
use crate::forecast::backtest::{fold, origins, Accuracy, Fold, ORIGINS, ORIGIN_STEP};
use crate::forecast::report::par_map;
use crate::forecast::synthetic::{synthetic_skus, SyntheticSku};
use crate::forecast::{backtest, forecast, ModelOptions};

/// Reads the series (unique_id, ds, y) and the origins, fits AutoETS(season_length=7) on
/// each origin's training days and on the whole series (like ours: three backtests and the
/// final forecast), writes the backtest forecasts (unique_id, origin, step, yhat) and prints
/// the timings as JSON. A warm-up fit on two series compiles numba first (not timed).
const AUTOETS_SCRIPT: &str = r#"
import json, sys, time, os
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS
series, origins_arg, horizon, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
origins = [int(o) for o in origins_arg.split(",") if o]
df = pd.read_csv(series)
df["ds"] = pd.to_datetime(df["ds"])
df = df.sort_values(["unique_id", "ds"])
n = df.groupby("unique_id").size().iloc[0]
df["t"] = df.groupby("unique_id").cumcount()
def model():
    return StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=os.cpu_count())
warm = df[df["unique_id"].isin(df["unique_id"].unique()[:2])]
w0 = time.perf_counter()
model().forecast(df=warm[["unique_id", "ds", "y"]], h=7)
warmup = time.perf_counter() - w0
rows = []
t0 = time.perf_counter()
for k, train in enumerate(origins):
    h = min(horizon, n - train)
    fc = model().forecast(df=df[df["t"] < train][["unique_id", "ds", "y"]], h=h)
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    fc["step"] = fc.groupby("unique_id").cumcount()
    fc["origin"] = k
    rows.append(fc[["unique_id", "origin", "step", "AutoETS"]])
model().forecast(df=df[["unique_id", "ds", "y"]], h=horizon)
seconds = time.perf_counter() - t0
pd.concat(rows).to_csv(out, index=False)
import statsforecast
print(json.dumps({"seconds": seconds, "warmup_seconds": warmup, "version": statsforecast.__version__}))
"#;

#[derive(serde::Deserialize)]
struct AutoEtsRun {
    seconds: f64,
    warmup_seconds: f64,
    version: String,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Ours: backtest + final forecast of every SKU, on every core; the folds per SKU.
fn run_ours(skus: &[SyntheticSku], horizon: usize) -> Vec<Vec<Fold>> {
    let options = ModelOptions::default();
    par_map(skus, |s| {
        let folds = backtest(&s.series, horizon, &options);
        let f = forecast(&s.series, horizon, &[], &options);
        std::hint::black_box(f);
        folds
    })
}

/// Accuracy per category (smooth, intermittent) and overall.
fn accuracy(skus: &[SyntheticSku], folds: &[Vec<Fold>]) -> [Accuracy; 3] {
    let mut out = [Accuracy::default(); 3];
    for (s, f) in skus.iter().zip(folds) {
        let a = Accuracy::of_folds(f);
        out[usize::from(s.category == "intermittent")].add(&a);
        out[2].add(&a);
    }
    out
}

fn write_series(skus: &[SyntheticSku], path: &Path) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["unique_id", "ds", "y"])?;
    for (i, s) in skus.iter().enumerate() {
        for t in 0..s.series.len() {
            w.write_record([
                format!("sku{i:05}"),
                s.series.day(t).to_string(),
                format!("{}", s.series.units[t]),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// AutoETS's backtest folds, scored by our `fold` (same scored days, same naive, same scale).
fn read_autoets(
    skus: &[SyntheticSku],
    path: &Path,
    trains: &[usize],
    horizon: usize,
) -> anyhow::Result<Vec<Vec<Fold>>> {
    let mut yhat: Vec<Vec<Vec<f64>>> = skus
        .iter()
        .map(|s| {
            trains
                .iter()
                .map(|t| vec![f64::NAN; horizon.min(s.series.len() - t)])
                .collect()
        })
        .collect();
    let mut r = csv::Reader::from_path(path)?;
    for rec in r.records() {
        let rec = rec?;
        let i: usize = rec[0].trim_start_matches("sku").parse()?;
        let (k, step): (usize, usize) = (rec[1].parse()?, rec[2].parse()?);
        let v: f64 = rec[3].parse()?;
        if let Some(slot) = yhat
            .get_mut(i)
            .and_then(|o| o.get_mut(k))
            .and_then(|o| o.get_mut(step))
        {
            *slot = v.max(0.0);
        }
    }
    skus.iter()
        .zip(&yhat)
        .map(|(s, per_origin)| {
            trains
                .iter()
                .zip(per_origin)
                .map(|(train, mean)| {
                    anyhow::ensure!(
                        mean.iter().all(|v| v.is_finite()),
                        "AutoETS left a forecast out"
                    );
                    Ok(fold(&s.series, *train, train + mean.len(), mean))
                })
                .collect::<anyhow::Result<Vec<Fold>>>()
        })
        .collect()
}

/// A table row: model, time, WAPE smooth / intermittent / all, MASE all.
fn accuracy_row(name: String, time: String, a: &[Accuracy; 3]) -> [String; 6] {
    let pct = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.1} %"));
    [
        name,
        time,
        pct(a[0].wape_pct()),
        pct(a[1].wape_pct()),
        pct(a[2].wape_pct()),
        a[2].mase().map_or("—".into(), |m| format!("{m:.3}")),
    ]
}

/// `a ÷ b` with three decimals, "—" when either is missing.
fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.3}", a / b),
        _ => "—".into(),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// augurs' AutoETS and MSTL against ours on `subset`: same origins, same scoring, same
/// threads (one SKU per task), each timed once (3 backtests + the final fit per SKU).
#[cfg(feature = "augurs-bench")]
fn augurs_comparison(subset: &[SyntheticSku], args: &BenchForecastArgs) -> anyhow::Result<()> {
    use crate::forecast::augurs::{backtest_augurs, AugursModel};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut ours_times = Vec::new();
    let mut ours_folds = Vec::new();
    for _ in 0..args.runs.max(1) {
        let t = Instant::now();
        ours_folds = run_ours(subset, args.horizon);
        ours_times.push(t.elapsed().as_secs_f64());
    }
    let ours_time = median(ours_times);
    let ours = accuracy(subset, &ours_folds);
    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    table.set_header([
        "model",
        "time (3 backtests + final)",
        "WAPE smooth",
        "WAPE intermittent",
        "WAPE all",
        "MASE all",
        "fits failed (→ mean)",
    ]);
    let with = |r: [String; 6], extra: String| {
        let mut v = r.to_vec();
        v.push(extra);
        v
    };
    table.add_row(with(
        accuracy_row(
            format!("insight-desk ({cores} threads)"),
            format!("{ours_time:.2} s"),
            &ours,
        ),
        "—".into(),
    ));
    let mut ratios = Vec::new();
    for model in AugursModel::ALL {
        let t = Instant::now();
        let out = par_map(subset, |s| backtest_augurs(model, &s.series, args.horizon));
        let time = t.elapsed().as_secs_f64();
        let failed: usize = out.iter().map(|(_, f)| f).sum();
        let folds: Vec<Vec<Fold>> = out.into_iter().map(|(f, _)| f).collect();
        let a = accuracy(subset, &folds);
        table.add_row(with(
            accuracy_row(
                format!("{} ({cores} threads)", model.label()),
                format!("{time:.2} s"),
                &a,
            ),
            format!("{failed} of {}", subset.len() * (ORIGINS + 1)),
        ));
        ratios.push(format!(
            "{model:?}: speed {model:?} time ÷ ours = {:.1}×; our WAPE ÷ its WAPE = {} (smooth {}, intermittent {}); our MASE ÷ its MASE = {}",
            time / ours_time,
            ratio(ours[2].wape_pct(), a[2].wape_pct()),
            ratio(ours[0].wape_pct(), a[0].wape_pct()),
            ratio(ours[1].wape_pct(), a[1].wape_pct()),
            ratio(ours[2].mase(), a[2].mase()),
        ));
    }
    println!(
        "\naugurs on the same {} SKUs (the first of the set), the same origins, scored by the same code; load average {}:",
        subset.len(),
        load_average()
    );
    println!("{table}");
    for r in ratios {
        println!("ratios — {r}");
    }
    Ok(())
}

pub async fn run(args: BenchForecastArgs) -> anyhow::Result<()> {
    #[cfg(not(feature = "augurs-bench"))]
    anyhow::ensure!(
        !args.augurs,
        "--augurs needs the augurs crates, which this build left out: rebuild with `cargo build --release --features augurs-bench`"
    );
    anyhow::ensure!(
        args.days >= args.horizon + 56,
        "--days {} is too short for --horizon {}: the backtest needs horizon + 56 days",
        args.days,
        args.horizon
    );
    let end: NaiveDate = "2026-11-30".parse().expect("a date");
    let skus = synthetic_skus(args.skus, args.days, end, args.seed);
    let trains = origins(args.days, args.horizon, ORIGINS, ORIGIN_STEP);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} synthetic SKUs × {} days ({:.0} % intermittent), horizon {} days, origins at days {:?} + the final fit; {} cores; load average {}",
        args.skus,
        args.days,
        skus.iter().filter(|s| s.category == "intermittent").count() as f64 * 100.0 / args.skus.max(1) as f64,
        args.horizon,
        trains,
        cores,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let mut times = Vec::new();
    let mut folds = Vec::new();
    for _ in 0..args.runs.max(1) {
        let t = Instant::now();
        folds = run_ours(&skus, args.horizon);
        times.push(t.elapsed().as_secs_f64());
    }
    let ours_time = median(times);
    let ours = accuracy(&skus, &folds);

    // AutoETS on the first `python_skus` SKUs, and ours timed again on exactly those.
    let subset = &skus[..args.python_skus.clamp(1, skus.len())];
    let theirs = match &args.python {
        None => None,
        Some(python) => {
            let mut sub_times = Vec::new();
            let mut sub_folds = Vec::new();
            for _ in 0..args.runs.max(1) {
                let t = Instant::now();
                sub_folds = run_ours(subset, args.horizon);
                sub_times.push(t.elapsed().as_secs_f64());
            }
            let work = std::env::temp_dir().join(format!(
                "insight-desk-bench-forecast-{}",
                std::process::id()
            ));
            std::fs::create_dir_all(&work)?;
            let (series, out) = (work.join("series.csv"), work.join("autoets.csv"));
            write_series(subset, &series)?;
            let trains_arg: Vec<String> = trains.iter().map(|t| t.to_string()).collect();
            let run = Command::new(python)
                .args(["-c", AUTOETS_SCRIPT])
                .arg(&series)
                .arg(trains_arg.join(","))
                .arg(args.horizon.to_string())
                .arg(&out)
                .output()
                .with_context(|| format!("cannot run {}", python.display()))?;
            anyhow::ensure!(
                run.status.success(),
                "statsforecast failed: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let timing: AutoEtsRun =
                serde_json::from_slice(&run.stdout).context("statsforecast's output")?;
            let their_folds = read_autoets(subset, &out, &trains, args.horizon)?;
            let _ = std::fs::remove_dir_all(&work);
            Some((
                timing,
                accuracy(subset, &their_folds),
                median(sub_times),
                accuracy(subset, &sub_folds),
            ))
        }
    };

    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    table.set_header([
        "model",
        "time (3 backtests + final)",
        "WAPE smooth",
        "WAPE intermittent",
        "WAPE all",
        "MASE all",
    ]);
    let row = accuracy_row;
    table.add_row(row(
        format!(
            "insight-desk ({cores} threads, median of {})",
            args.runs.max(1)
        ),
        format!("{ours_time:.2} s"),
        &ours,
    ));
    let naive = |a: &Accuracy| Accuracy {
        abs_error: a.naive_abs_error,
        mase_sum: a.naive_mase_sum,
        ..*a
    };
    table.add_row(row(
        "seasonal naive (last week)".into(),
        "—".into(),
        &[naive(&ours[0]), naive(&ours[1]), naive(&ours[2])],
    ));
    println!("{table}");
    #[cfg(feature = "augurs-bench")]
    if args.augurs {
        augurs_comparison(&skus[..args.augurs_skus.clamp(1, skus.len())], &args)?;
    }
    let Some((timing, a, sub_time, sub)) = &theirs else {
        println!(
            "(give --python PATH, a Python with statsforecast installed, for the AutoETS comparison)"
        );
        return Ok(());
    };
    println!(
        "\nThe same {} SKUs (the first of the set), the same origins, scored by the same code; load average {}:",
        subset.len(),
        load_average()
    );
    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    table.set_header([
        "model",
        "time (3 backtests + final)",
        "WAPE smooth",
        "WAPE intermittent",
        "WAPE all",
        "MASE all",
    ]);
    table.add_row(row(
        format!("insight-desk ({cores} threads)"),
        format!("{sub_time:.3} s"),
        sub,
    ));
    table.add_row(row(
        format!("statsforecast {} AutoETS(season_length=7)", timing.version),
        format!(
            "{:.1} s (+{:.1} s JIT warm-up)",
            timing.seconds, timing.warmup_seconds
        ),
        a,
    ));
    println!("{table}");
    println!(
        "ratios — speed: AutoETS time ÷ ours = {:.0}×; accuracy: our WAPE ÷ AutoETS WAPE = {} (smooth {}, intermittent {}), our MASE ÷ AutoETS MASE = {}",
        timing.seconds / sub_time,
        ratio(sub[2].wape_pct(), a[2].wape_pct()),
        ratio(sub[0].wape_pct(), a[0].wape_pct()),
        ratio(sub[1].wape_pct(), a[1].wape_pct()),
        ratio(sub[2].mase(), a[2].mase()),
    );
    Ok(())
}

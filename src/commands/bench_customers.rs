//! `bench-customers`: the customer reports timed on the store `DATABASE_URL` names (the
//! issue's targets: ≤ 2 s each at 1 M orders / 200 k customers), and the BG/NBD +
//! Gamma-Gamma fit on CDNOW against the `lifetimes` package's fit of the same data, in the
//! same run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use comfy_table::{presets::UTF8_FULL, Table};
use serde::Deserialize;

use super::App;
use crate::cli::BenchCustomersArgs;
use crate::customers::{
    attribution_report, churn_report, clv_report, cohort_report, default_ltv_period,
    default_period, fit_bgnbd, fit_gamma_gamma, ltv_report, order_facts, rfm_report, summaries,
    PurchaseSummary, DEFAULT_COHORT_MONTHS, HORIZON_DAYS,
};
use crate::domain::day_no;
use crate::import::{import_file, ImportOptions, Kind};
use crate::store::Store;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Min, median and max of `runs` timings of `f`.
async fn timed<F, Fut, T>(runs: usize, mut f: F) -> anyhow::Result<(T, Vec<Duration>)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        last = Some(f().await?);
        times.push(t.elapsed());
    }
    times.sort();
    Ok((last.expect("at least one run"), times))
}

fn spread(times: &[Duration]) -> [String; 3] {
    [
        format!("{:.3} s", secs(times[0])),
        format!("{:.3} s", secs(times[times.len() / 2])),
        format!("{:.3} s", secs(times[times.len() - 1])),
    ]
}

/// The Python side of the comparison: `lifetimes` fits the summary we write, `runs` times.
const LIFETIMES_SCRIPT: &str = r#"
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
df = pd.read_csv(sys.argv[1])
runs = int(sys.argv[2])
out = {"bgnbd_seconds": [], "gg_seconds": []}
for _ in range(runs):
    t = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(df["frequency"], df["recency"], df["T"])
    out["bgnbd_seconds"].append(time.perf_counter() - t)
rep = df[(df.frequency > 0) & (df.monetary_value > 0)]
for _ in range(runs):
    t = time.perf_counter()
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(rep["frequency"], rep["monetary_value"])
    out["gg_seconds"].append(time.perf_counter() - t)
out["bgnbd"] = bgf.params_.to_dict()
out["gg"] = ggf.params_.to_dict()
print(json.dumps(out))
"#;

#[derive(Debug, Deserialize)]
struct LifetimesRun {
    bgnbd_seconds: Vec<f64>,
    gg_seconds: Vec<f64>,
    bgnbd: std::collections::HashMap<String, f64>,
    gg: std::collections::HashMap<String, f64>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// CDNOW_sample.txt turned into the generic transactions file and imported into a fresh
/// SQLite store, as `tests/clv.rs` does; returns the calibration summaries (weeks 1–39).
async fn cdnow_summaries(datasets: &Path, work: &Path) -> anyhow::Result<Vec<PurchaseSummary>> {
    let source = datasets.join("CDNOW_sample.txt");
    let text = std::fs::read_to_string(&source)
        .with_context(|| format!("cannot read {}", source.display()))?;
    let mut csv = String::from("Customer ID,Date,Amount\n");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        anyhow::ensure!(
            f.len() == 5 && f[2].len() == 8,
            "unexpected CDNOW line: {line}"
        );
        let date = f[2];
        csv.push_str(&format!(
            "cdnow-{},{}-{}-{},{}\n",
            f[1],
            &date[..4],
            &date[4..6],
            &date[6..],
            f[4]
        ));
    }
    std::fs::create_dir_all(work)?;
    let file = work.join("cdnow-transactions.csv");
    std::fs::write(&file, csv)?;
    let db = work.join("cdnow.db");
    let _ = std::fs::remove_file(&db);
    let store = Store::open(&format!("sqlite://{}", db.display())).await?;
    import_file(
        &store,
        chrono_tz::UTC,
        Kind::Transactions,
        &file,
        &ImportOptions::default(),
    )
    .await?;
    let end: NaiveDate = "1997-09-30".parse()?;
    let facts = order_facts(&store, end).await?;
    store.close().await;
    Ok(summaries(&facts, day_no(end)))
}

async fn compare_with_lifetimes(args: &BenchCustomersArgs, datasets: &Path) -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("insight-desk-bench-clv-{}", std::process::id()));
    let data = cdnow_summaries(datasets, &work).await?;
    let runs = args.runs.max(3);
    let mut ours_bg = Vec::new();
    let mut ours_gg = Vec::new();
    let (mut bg, mut gg) = (None, None);
    for _ in 0..runs {
        let t = Instant::now();
        bg = Some(fit_bgnbd(&data)?);
        ours_bg.push(secs(t.elapsed()));
        let t = Instant::now();
        gg = Some(fit_gamma_gamma(&data)?);
        ours_gg.push(secs(t.elapsed()));
    }
    let (bg, gg) = (bg.expect("ran"), gg.expect("ran"));

    let summary = work.join("cdnow-summary.csv");
    let mut text = String::from("frequency,recency,T,monetary_value\n");
    for s in &data {
        text.push_str(&format!("{},{},{},{}\n", s.x, s.t_x, s.t, s.monetary));
    }
    std::fs::write(&summary, text)?;
    let theirs: Option<LifetimesRun> = match &args.lifetimes_python {
        None => None,
        Some(python) => {
            let out = Command::new(python)
                .args(["-c", LIFETIMES_SCRIPT])
                .arg(&summary)
                .arg(runs.to_string())
                .output()
                .with_context(|| format!("cannot run {}", python.display()))?;
            anyhow::ensure!(
                out.status.success(),
                "lifetimes failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(serde_json::from_slice(&out.stdout).context("lifetimes' output")?)
        }
    };
    let _ = std::fs::remove_dir_all(&work);

    println!(
        "\nCDNOW sample ({} customers, calibration weeks 1–39), imported with `import transactions`:",
        data.len()
    );
    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    table.set_header(["parameter", "published", "insight-desk", "lifetimes 0.11.3"]);
    let p = |v: f64| format!("{v:.4}");
    let their = |model: &str, key: &str| {
        theirs
            .as_ref()
            .and_then(|t| {
                if model == "bg" {
                    t.bgnbd.get(key)
                } else {
                    t.gg.get(key)
                }
            })
            .map_or("—".into(), |v| p(*v))
    };
    for (name, published, ours, model, key) in [
        ("BG/NBD r", 0.243, bg.params.r, "bg", "r"),
        ("BG/NBD α", 4.414, bg.params.alpha, "bg", "alpha"),
        ("BG/NBD a", 0.793, bg.params.a, "bg", "a"),
        ("BG/NBD b", 2.426, bg.params.b, "bg", "b"),
        ("Gamma-Gamma p", 6.25, gg.params.p, "gg", "p"),
        ("Gamma-Gamma q", 3.74, gg.params.q, "gg", "q"),
        ("Gamma-Gamma γ", 15.44, gg.params.gamma, "gg", "v"),
    ] {
        table.add_row([
            name.to_string(),
            format!("{published}"),
            p(ours),
            their(model, key),
        ]);
    }
    println!("{table}");

    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    table.set_header([
        "fit (median of runs)",
        "insight-desk",
        "lifetimes",
        "lifetimes ÷ insight-desk",
    ]);
    let mut row = |name: &str, ours: &mut Vec<f64>, theirs: Option<&mut Vec<f64>>| {
        let o = median(ours);
        let t = theirs.map(|t| median(t));
        table.add_row([
            name.to_string(),
            format!("{:.2} ms", o * 1000.0),
            t.map_or("—".into(), |t| format!("{:.1} ms", t * 1000.0)),
            t.map_or("—".into(), |t| format!("{:.0}×", t / o)),
        ]);
    };
    let mut theirs = theirs;
    row(
        &format!("BG/NBD, {runs} runs"),
        &mut ours_bg,
        theirs.as_mut().map(|t| &mut t.bgnbd_seconds),
    );
    row(
        &format!("Gamma-Gamma, {runs} runs"),
        &mut ours_gg,
        theirs.as_mut().map(|t| &mut t.gg_seconds),
    );
    println!("{table}");
    if args.lifetimes_python.is_none() {
        println!(
            "(give --lifetimes-python PATH, a Python with lifetimes installed, for its column)"
        );
    }
    Ok(())
}

pub async fn run(app: App, args: BenchCustomersArgs) -> anyhow::Result<()> {
    let store = &app.store;
    let orders = store.count_rows("orders").await?;
    let customers = store.count_rows("customers").await?;
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let currency = app.shop.currency.clone();
    let lang = app.lang;
    let runs = args.runs;
    println!(
        "Store: {orders} orders, {customers} customers ({}), as of {as_of}, {runs} runs each",
        store.backend()
    );

    let mut rows: Vec<(String, Vec<Duration>, &str)> = Vec::new();
    if orders > 0 {
        let options = app.rfm_options();
        // The first run saves the day's snapshot (and the week-earlier one when missing), as
        // the first `/rfm` of a day does; the others find them.
        let (_, times) =
            timed(runs, || rfm_report(store, as_of, &currency, lang, &options)).await?;
        rows.push((
            "report rfm (segments, Pareto, movements)".into(),
            times,
            "≤ 2 s",
        ));
        let (report, times) = timed(runs, || churn_report(store, as_of, &currency, lang)).await?;
        rows.push((
            format!("report churn ({} customers scored)", report.customers),
            times,
            "≤ 2 s",
        ));
        let period = default_period(as_of);
        let (_, times) = timed(runs, || attribution_report(store, period, &currency)).await?;
        rows.push(("report attribution (30 days)".into(), times, "≤ 2 s"));
        let (_, times) = timed(runs, || cohort_report(store, as_of, DEFAULT_COHORT_MONTHS)).await?;
        rows.push(("report cohorts (12 monthly cohorts)".into(), times, "—"));
        let ltv_options = app.config.ltv.options();
        let (_, times) = timed(runs, || async {
            let predicted = super::predicted_ltv(&app, as_of).await;
            ltv_report(
                store,
                as_of,
                default_ltv_period(as_of),
                &currency,
                &ltv_options,
                predicted.as_ref(),
            )
            .await
        })
        .await?;
        rows.push((
            "report ltv (with the CLV model's predicted LTV)".into(),
            times,
            "—",
        ));
        let (report, times) = timed(runs, || {
            clv_report(store, as_of, Some(as_of), HORIZON_DAYS, &currency)
        })
        .await?;
        rows.push((
            format!(
                "report clv: load + BG/NBD + Gamma-Gamma + predict ({} customers)",
                report.customers
            ),
            times,
            "—",
        ));
        let facts = order_facts(store, as_of).await?;
        let data = summaries(&facts, day_no(as_of));
        drop(facts);
        let (_, times) = timed(runs, || async {
            let bg = fit_bgnbd(&data)?;
            let gg = fit_gamma_gamma(&data)?;
            Ok((bg, gg))
        })
        .await?;
        rows.push((
            format!("BG/NBD + Gamma-Gamma fit alone ({} customers)", data.len()),
            times,
            "≤ 2 s",
        ));
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    table.set_header(["report", "min", "median", "max", "target"]);
    for (name, times, target) in &rows {
        let [min, med, max] = spread(times);
        table.add_row([name.clone(), min, med, max, target.to_string()]);
    }
    println!("{table}");
    println!(
        "peak RSS of this process: {:.0} MB",
        super::bench::peak_rss_mb()
    );

    if let Some(datasets) = &args.cdnow {
        compare_with_lifetimes(&args, datasets).await?;
    }
    Ok(())
}

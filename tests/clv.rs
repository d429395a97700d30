//! Predicted customer value (BG/NBD + Gamma-Gamma) against the published CDNOW results, the
//! data imported through `import transactions` as a user would, on SQLite and Postgres; and
//! the model's building blocks on hand-built histories with known answers.
//!
//! The CDNOW sample (2,357 customers, Jan 1997 – Jun 1998) ships in the `lifetimes` package
//! on PyPI: the story downloads its wheel (`pip download`, nothing installed) into the target
//! directory once. Without network it says so loudly and skips, unless
//! `TEST_REQUIRE_CDNOW=1` (CI), which fails.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use chrono::NaiveDate;
use insight_desk::customers::{
    auc, churn_scores, churn_scores_with, clv_report, fit_bgnbd, fit_bgnbd_from,
    fit_gamma_gamma_from, order_facts, purchase_days_between, purchase_model, summaries, BgNbd,
    GammaGamma, OrderFact,
};
use insight_desk::domain::day_no;
use insight_desk::import::{ImportOptions, Kind};
use insight_desk::store::Store;

use crate::db_story;
use crate::import_support::import;

const LIFETIMES: &str = "lifetimes==0.11.3";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

static FETCH: Mutex<()> = Mutex::new(());

/// The unpacked `lifetimes` wheel's datasets folder, downloaded once.
fn lifetimes_datasets() -> Option<PathBuf> {
    let _guard = FETCH.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lifetimes-wheel");
    let datasets = dir.join("unpacked/lifetimes/datasets");
    if datasets.join("CDNOW_sample.txt").is_file() {
        return Some(datasets);
    }
    let fetched = (|| -> Result<(), String> {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let run = |args: &[&str]| -> Result<(), String> {
            let out = Command::new("python3")
                .args(args)
                .output()
                .map_err(|e| format!("python3: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&out.stderr).into_owned())
            }
        };
        let d = dir.to_str().ok_or("non-UTF-8 path")?;
        run(&[
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "-d",
            d,
            LIFETIMES,
        ])?;
        let wheel = std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == "whl"))
            .ok_or("pip left no wheel")?;
        let unpacked = dir.join("unpacked");
        run(&[
            "-m",
            "zipfile",
            "-e",
            wheel.to_str().ok_or("non-UTF-8 path")?,
            unpacked.to_str().ok_or("non-UTF-8 path")?,
        ])
    })();
    match fetched {
        Ok(()) if datasets.join("CDNOW_sample.txt").is_file() => Some(datasets),
        outcome => {
            let msg = format!(
                "the CDNOW sample could not be fetched from PyPI ({LIFETIMES}): {outcome:?}"
            );
            if std::env::var("TEST_REQUIRE_CDNOW").is_ok_and(|v| v == "1") {
                panic!("{msg}; TEST_REQUIRE_CDNOW=1 requires it");
            }
            eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
            None
        }
    }
}

/// CDNOW_sample.txt (`master id, sample id, yyyymmdd, CDs, dollars`, space-aligned) as the
/// generic transactions file a user would write: `Customer ID,Date,Amount`.
fn cdnow_as_transactions(datasets: &Path, out: &Path) -> usize {
    let text = std::fs::read_to_string(datasets.join("CDNOW_sample.txt")).expect("read CDNOW");
    let mut file = std::fs::File::create(out).expect("create the transactions file");
    writeln!(file, "Customer ID,Date,Amount").unwrap();
    let mut rows = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let date = f[2];
        writeln!(
            file,
            "cdnow-{},{}-{}-{},{}",
            f[1],
            &date[..4],
            &date[4..6],
            &date[6..],
            f[4]
        )
        .unwrap();
        rows += 1;
    }
    rows
}

/// The published summary (`ID,x,t_x,T,zbar`) that ships beside the transactions.
fn published_summary(datasets: &Path) -> HashMap<String, (u32, f64, f64, f64)> {
    let mut reader =
        csv::Reader::from_path(datasets.join("cdnow_customers_summary_with_transactions.csv"))
            .expect("read the summary");
    reader
        .records()
        .map(|r| {
            let r = r.expect("summary row");
            let n = |i: usize| r[i].parse::<f64>().expect("number");
            (
                format!("id:cdnow-{:04}", r[0].parse::<u32>().expect("id")),
                (r[1].parse().expect("x"), n(2), n(3), n(4)),
            )
        })
        .collect()
}

fn within(actual: f64, expected: f64, pct: f64) -> bool {
    ((actual - expected) / expected).abs() * 100.0 <= pct
}

/// CDNOW imported, as a user would, and fitted: the papers' parameters within 1 %.
async fn cdnow_story(store: &Store) {
    let Some(datasets) = lifetimes_datasets() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cdnow.csv");
    assert_eq!(cdnow_as_transactions(&datasets, &file), 6919);
    let summary = import(store, Kind::Transactions, &file, &ImportOptions::default()).await;
    assert_eq!(summary.rejected, 0, "{summary:?}");

    // The customers' (x, tₓ, T, mean repeat value) read back from the store equal the
    // summary the package ships (computed by its authors from the same transactions).
    let calibration_end = d("1997-09-30");
    let facts = order_facts(store, calibration_end).await.unwrap();
    let data = summaries(&facts, day_no(calibration_end));
    assert_eq!(data.len(), 2357);
    let keys: HashMap<i64, String> = insight_desk::with_pool!(store, pool => {
        sqlx::query_as::<_, (i64, String)>("SELECT id, customer_key FROM customers").fetch_all(pool).await
    })
    .unwrap()
    .into_iter()
    .collect();
    let published = published_summary(&datasets);
    for s in &data {
        let key = &keys[&s.customer_id];
        let (x, t_x, t, zbar) = published[key];
        assert_eq!(s.x, x, "{key}");
        assert!((s.t_x - t_x).abs() < 0.006, "{key}: tx {} vs {t_x}", s.t_x);
        assert!((s.t - t).abs() < 0.006, "{key}: T {} vs {t}", s.t);
        assert!(
            (s.monetary - zbar).abs() < 0.006,
            "{key}: {} vs {zbar}",
            s.monetary
        );
    }

    let report = clv_report(store, calibration_end, Some(d("1998-06-30")), 273, "USD")
        .await
        .unwrap();
    // Fader, Hardie & Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426; LL −9582.4.
    let b = report.bgnbd.params;
    for (name, got, want) in [
        ("r", b.r, 0.243),
        ("alpha", b.alpha, 4.414),
        ("a", b.a, 0.793),
        ("b", b.b, 2.426),
    ] {
        assert!(
            within(got, want, 1.0),
            "BG/NBD {name} = {got}, published {want}"
        );
    }
    assert!(
        (report.bgnbd.log_likelihood - -9582.4).abs() < 0.5,
        "LL {}",
        report.bgnbd.log_likelihood
    );
    // Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat customers.
    let g = report.gamma_gamma.as_ref().expect("Gamma-Gamma fitted");
    assert_eq!(g.customers, 946);
    for (name, got, want) in [
        ("p", g.params.p, 6.25),
        ("q", g.params.q, 3.74),
        ("gamma", g.params.gamma, 15.44),
    ] {
        assert!(
            within(got, want, 1.0),
            "Gamma-Gamma {name} = {got}, published {want}"
        );
    }
    // The paper's worked customer: x = 2, tₓ = 30.43, T = 38.86 → 1.226 purchases expected
    // in the next 39 weeks.
    let e = b.expected_purchases(39.0, 2, 30.43, 38.86);
    assert!(within(e, 1.226, 1.0), "E[Y(39)] = {e}");

    // The holdout (weeks 40–78): the total the store holds, counted here independently, and
    // the model's prediction within 5 % of it (the paper's figure 3 shows them overlapping).
    let h = report.holdout.as_ref().expect("holdout");
    let later = purchase_days_between(store, calibration_end, d("1998-06-30"))
        .await
        .unwrap();
    let mut by_hand = 0i64;
    let text = std::fs::read_to_string(datasets.join("CDNOW_sample.txt")).unwrap();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f[2] > "19970930" && seen.insert((f[1], f[2])) {
            by_hand += 1;
        }
    }
    assert_eq!(later.values().sum::<i64>(), by_hand);
    assert_eq!(h.actual, by_hand);
    // The predictions equal the `lifetimes` package's on the same fit (0.11.3:
    // `conditional_expected_number_of_purchases_up_to_time(39, …)`, summed per x group).
    assert!(
        within(h.predicted, 1653.42, 0.5),
        "holdout predicted {}",
        h.predicted
    );
    let lifetimes_by_x = [
        317.60, 229.65, 223.45, 152.03, 134.16, 100.85, 101.62, 394.07,
    ];
    for (row, want) in h.by_repeat_purchases.iter().zip(lifetimes_by_x) {
        assert!(
            within(row.predicted, want, 0.5),
            "x = {}: {} vs {want}",
            row.x,
            row.predicted
        );
    }

    // ChurnGuard on held-out time: scored at week 39, outcome no purchase in weeks 40–78.
    let all = order_facts(store, d("1998-06-30")).await.unwrap();
    let calib: Vec<OrderFact> = all
        .iter()
        .filter(|o| o.day_no <= day_no(calibration_end))
        .copied()
        .collect();
    // As `report churn` scores: with the BG/NBD model fitted on the same orders (2,357
    // customers: enough for it), and without it (the signals alone).
    let model = purchase_model(&calib, day_no(calibration_end)).expect("CDNOW is large enough");
    let churn_auc = |scores: &[insight_desk::customers::ChurnScore]| {
        let churned: Vec<bool> = scores
            .iter()
            .map(|s| !later.contains_key(&s.customer_id))
            .collect();
        let values: Vec<u8> = scores.iter().map(|s| s.score).collect();
        auc(&values, &churned).expect("both outcomes present")
    };
    let scores = churn_scores_with(&calib, day_no(calibration_end), Some(&model));
    let with_model = churn_auc(&scores);
    let signals_only = churn_auc(&churn_scores(&calib, day_no(calibration_end)));
    eprintln!(
        "ChurnGuard AUC on CDNOW (cut-off week 39, outcome weeks 40–78): {with_model:.3} \
         (signals alone: {signals_only:.3})"
    );
    // The aim is 0.75 (README: 0.770 with the model, 0.749 without).
    assert!(
        with_model >= 0.75,
        "ChurnGuard AUC on CDNOW {with_model:.3}"
    );
    assert!(
        signals_only >= 0.74,
        "signals-only AUC on CDNOW {signals_only:.3}"
    );
    // BG/NBD's expected purchases over the same 39 weeks rank the same outcome better
    // (lifetimes' own predictions give 0.773): AUC by pairs, written here.
    let expected: HashMap<i64, f64> = report
        .values
        .iter()
        .map(|v| (v.summary.customer_id, v.expected_purchases))
        .collect();
    let (mut wins, mut pairs) = (0.0, 0.0);
    let gone: Vec<f64> = scores
        .iter()
        .filter(|s| !later.contains_key(&s.customer_id))
        .map(|s| expected[&s.customer_id])
        .collect();
    let stayed: Vec<f64> = scores
        .iter()
        .filter(|s| later.contains_key(&s.customer_id))
        .map(|s| expected[&s.customer_id])
        .collect();
    for g in &gone {
        for k in &stayed {
            pairs += 1.0;
            if g < k {
                wins += 1.0;
            } else if g == k {
                wins += 0.5;
            }
        }
    }
    let model_auc = wins / pairs;
    eprintln!("BG/NBD expected purchases AUC on CDNOW: {model_auc:.3}");
    assert!(within(model_auc, 0.7725, 0.5), "BG/NBD AUC {model_auc:.4}");
}

db_story!(cdnow_fit_reproduces_the_published_parameters, |store| {
    cdnow_story(store).await;
});

/// The fit lands on the same optimum from starting points far from it.
#[test]
fn cdnow_fit_converges_from_poor_starting_points() {
    let Some(datasets) = lifetimes_datasets() else {
        return;
    };
    let data: Vec<insight_desk::customers::PurchaseSummary> = published_summary(&datasets)
        .into_values()
        .enumerate()
        .map(
            |(i, (x, t_x, t, zbar))| insight_desk::customers::PurchaseSummary {
                customer_id: i as i64,
                x,
                t_x,
                t,
                monetary: zbar,
                first_value: zbar,
                first_day_no: 0,
            },
        )
        .collect();
    let best = fit_bgnbd(&data).unwrap();
    for start in [
        BgNbd {
            r: 20.0,
            alpha: 0.01,
            a: 50.0,
            b: 0.05,
        },
        BgNbd {
            r: 0.001,
            alpha: 500.0,
            a: 0.01,
            b: 100.0,
        },
        BgNbd {
            r: 1.0,
            alpha: 1.0,
            a: 1.0,
            b: 1.0,
        },
    ] {
        let fit = fit_bgnbd_from(&data, start).unwrap();
        for (got, want) in [
            (fit.params.r, best.params.r),
            (fit.params.alpha, best.params.alpha),
            (fit.params.a, best.params.a),
            (fit.params.b, best.params.b),
        ] {
            assert!(within(got, want, 0.1), "from {start:?}: {:?}", fit.params);
        }
    }
    for start in [
        GammaGamma {
            p: 0.01,
            q: 100.0,
            gamma: 0.1,
        },
        GammaGamma {
            p: 100.0,
            q: 1.01,
            gamma: 1000.0,
        },
    ] {
        let fit = fit_gamma_gamma_from(&data, start).unwrap();
        assert!(
            within(fit.params.p, 6.25, 1.0),
            "from {start:?}: {:?}",
            fit.params
        );
        assert!(
            within(fit.params.q, 3.74, 1.0),
            "from {start:?}: {:?}",
            fit.params
        );
        assert!(
            within(fit.params.gamma, 15.44, 1.0),
            "from {start:?}: {:?}",
            fit.params
        );
    }
}

fn order(customer_id: i64, day: &str, net_cents: i64, refunded_cents: i64) -> OrderFact {
    OrderFact {
        customer_id,
        day_no: day_no(d(day)),
        net_cents,
        discount_cents: 0,
        refunded_cents,
    }
}

/// The summaries on hand-built histories: two orders of one day are one purchase, the first
/// purchase is left out of the mean value, refunds come off, later orders are ignored.
#[test]
fn summaries_follow_the_papers_definitions() {
    let orders = vec![
        order(1, "2026-01-01", 5_000, 0),
        order(1, "2026-01-01", 1_000, 0),
        order(1, "2026-01-15", 3_000, 1_000),
        order(1, "2026-02-12", 4_000, 0),
        order(1, "2026-04-01", 9_900, 0),
        order(2, "2026-03-05", 2_500, 0),
        order(3, "2026-04-01", 7_000, 0),
    ];
    let got = summaries(&orders, day_no(d("2026-03-12")));
    assert_eq!(got.len(), 2, "customer 3 starts after the end: {got:?}");
    let c1 = got[0];
    assert_eq!(c1.x, 2);
    assert!((c1.t_x - 6.0).abs() < 1e-12, "42 days = 6 weeks");
    assert!((c1.t - 10.0).abs() < 1e-12, "70 days = 10 weeks");
    assert!((c1.monetary - 30.0).abs() < 1e-12, "(20 + 40) / 2");
    assert!((c1.first_value - 60.0).abs() < 1e-12);
    let c2 = got[1];
    assert_eq!((c2.x, c2.t_x, c2.monetary), (0, 0.0, 0.0));
    assert!((c2.t - 1.0).abs() < 1e-12);
}

/// P(alive) and expectations from the closed forms, worked here by hand.
#[test]
fn predictions_match_the_closed_forms() {
    let m = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    // Without a repeat purchase a customer is alive by assumption.
    assert_eq!(m.p_alive(0, 0.0, 30.0), 1.0);
    // x = 2, tₓ = 30.43, T = 38.86: 1 / (1 + a/(b+1) · ((α+T)/(α+tₓ))^(r+2)).
    let odds = 0.793 / (2.426 + 1.0) * ((4.414f64 + 38.86) / (4.414 + 30.43)).powf(2.243);
    assert!((m.p_alive(2, 30.43, 38.86) - 1.0 / (1.0 + odds)).abs() < 1e-12);
    // A customer with no repeat: E[Y(t)] = (a+b−1)/(a−1) · [1 − ((α+T)/(α+T+t))^r ₂F₁(r, b; a+b−1; t/(α+T+t))].
    let (t, big_t) = (52.0, 20.0);
    let z: f64 = t / (4.414 + big_t + t);
    let mut f = 1.0;
    let mut term = 1.0;
    for k in 0..10_000 {
        let k = k as f64;
        term *= (0.243 + k) * (2.426 + k) / ((0.793 + 2.426 - 1.0 + k) * (k + 1.0)) * z;
        f += term;
    }
    let by_hand = (0.793 + 2.426 - 1.0) / (0.793 - 1.0)
        * (1.0 - ((4.414 + big_t) / (4.414 + big_t + t)).powf(0.243) * f);
    assert!((m.expected_purchases(t, 0, 0.0, big_t) - by_hand).abs() < 1e-9);
    // Gamma-Gamma's expected value: (pγ + p·x·m̄) / (p·x + q − 1).
    let g = GammaGamma {
        p: 6.25,
        q: 3.74,
        gamma: 15.44,
    };
    let want = (6.25 * 15.44 + 6.25 * 3.0 * 40.0) / (6.25 * 3.0 + 3.74 - 1.0);
    assert!((g.expected_value(3, 40.0).unwrap() - want).abs() < 1e-9);
    assert!((g.population_mean().unwrap() - 6.25 * 15.44 / 2.74).abs() < 1e-9);
}

//! `bench-profit`: `report profit` and `report elasticity` timed step by step (the issue's
//! target: profit and quadrants for 1,000 SKUs at 1 M orders ≤ 1 s).
//!
//! By default on a generated SQLite store of N SKUs × D days written straight into the
//! tables the reports read (variants, `daily_sku_sales_summary`, `inventory_levels`,
//! `price_history`, `ad_spend`): every SKU sells every day, so the summary holds N × D rows,
//! the most a shop of N SKUs can have over D days whatever its order count (at 1,000 SKUs
//! and 730 days the generated units are those of about 1.2 M two-unit orders). `--existing`
//! times the store `DATABASE_URL` names instead (the demo shop at `--scale 9`: 1 M orders).

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use comfy_table::{presets::UTF8_FULL, Table};

use super::App;
use crate::charts::profit_chart;
use crate::cli::BenchProfitArgs;
use crate::config::Config;
use crate::domain::{Lang, Period};
use crate::profit::{
    assemble, default_elasticity_period, default_profit_period, elasticity_report, load_sums,
    profit_report, DEFAULT_MIN_UNITS,
};
use crate::store::Store;
use crate::with_pool;

/// The generated history ends here (a fixed day: runs compare).
const END: &str = "2026-11-30";

/// Min, median and max of `runs` timings of `f`.
async fn timed<F, Fut, T>(runs: usize, mut f: F) -> anyhow::Result<(T, [Duration; 3])>
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
    let n = times.len();
    Ok((
        last.expect("at least one run"),
        [times[0], times[n / 2], times[n - 1]],
    ))
}

/// Writes the generated catalogue: SQL only (recursive CTEs), so generation is seconds.
async fn generate(store: &Store, skus: u32, days: u32) -> anyhow::Result<()> {
    let end: NaiveDate = END.parse().expect("a date");
    let start = end - chrono::Days::new(u64::from(days) - 1);
    let statements: [&str; 6] = [
        "INSERT INTO products (id, handle, title, category, created_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         SELECT i, 'p-' || i, 'Product ' || i, 'cat-' || (i % 8), '2024-01-01T00:00:00Z' FROM n",
        // A tenth of the SKUs give no components (defaults); prices 10–100 €, costs 20–44 %.
        "INSERT INTO variants (sku, product_id, title, price_cents, currency, supplier_cost_cents,
             packaging_cents, inbound_logistics_cents, fulfilment_cents, storage_rate_bp,
             return_rate_bp, overhead_cents, lead_time_days, active)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         SELECT printf('B-%05d', i), i, 'Standard', 1000 + (i * 7919) % 9000, 'EUR',
                (1000 + (i * 7919) % 9000) * (20 + i % 25) / 100,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 30 + i % 90 END,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 15 + i % 75 END,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 120 + i % 140 END,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 1200 + i % 1300 END,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 150 + i % 450 END,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 80 + i % 270 END,
                20, 1
         FROM n",
        // Every SKU every day: a Zipf-like head (250 / rank) over a floor of one or two units.
        "INSERT INTO daily_sku_sales_summary (day, sku, category, revenue_cents, margin_cents,
             refunded_cents, sold_revenue_cents, sold_facts, sold_units, sold_cost_cents)
         WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < $2 - 1),
         s AS (SELECT v.sku, p.id AS i, p.category, v.price_cents AS price,
                      v.supplier_cost_cents AS cost
               FROM variants v JOIN products p ON p.id = v.product_id),
         u AS (SELECT date($3, '+' || k || ' days') AS day, s.*, 1 + 250 / i + (k + i) % 2 AS units
               FROM d CROSS JOIN s)
         SELECT day, sku, category, units * price * 97 / 100, units * (price - cost) - units * price * 3 / 100,
                units * price * 3 / 100, units * price, units, units, units * cost
         FROM u",
        "INSERT INTO inventory_levels (sku, date, on_hand)
         WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < $2 - 1)
         SELECT v.sku, date($3, '+' || k || ' days'), 40 + (v.product_id * 13 + k) % 120
         FROM d CROSS JOIN variants v",
        // One to three regular changes for two SKUs in three, and a Black-Friday-like promo.
        "INSERT INTO price_history (sku, valid_from, price_cents, is_promo)
         SELECT sku, $3, price_cents, 0 FROM variants
         UNION ALL SELECT sku, date($3, '+' || (90 + product_id % 200) || ' days'), price_cents * 105 / 100, 0
           FROM variants WHERE product_id % 3 <> 0
         UNION ALL SELECT sku, date($3, '+' || (400 + product_id % 150) || ' days'), price_cents * 95 / 100, 0
           FROM variants WHERE product_id % 3 = 1
         UNION ALL SELECT sku, date($3, '+330 days'), price_cents * 80 / 100, 1
           FROM variants WHERE product_id % 5 = 0
         UNION ALL SELECT sku, date($3, '+338 days'), price_cents * 105 / 100, 0
           FROM variants WHERE product_id % 5 = 0 AND product_id % 3 <> 0",
        "INSERT INTO ad_spend (date, channel, campaign, source, currency, spend_cents)
         WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < $2 - 1)
         SELECT date($3, '+' || k || ' days'), 'meta', 'bench', 'bench', 'EUR', 1500000 FROM d",
    ];
    for sql in statements {
        // Statements that do not use every placeholder still get all three bound on SQLite.
        with_pool!(store, pool => {
            sqlx::query(sql)
                .bind(i64::from(skus))
                .bind(i64::from(days))
                .bind(start.to_string())
                .execute(pool)
                .await
                .map(|_| ())
        })
        .with_context(|| {
            format!(
                "failed to generate the bench catalogue: {}",
                sql.lines().next().unwrap_or("")
            )
        })?;
    }
    Ok(())
}

pub async fn run(
    config: Config,
    lang: Lang,
    url: &str,
    args: BenchProfitArgs,
) -> anyhow::Result<()> {
    let db = std::env::temp_dir().join(format!(
        "insight-desk-bench-profit-{}.db",
        std::process::id()
    ));
    let (app, as_of, label) = if args.existing {
        let app = App::open(config, lang, url).await?;
        let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
        (
            app,
            as_of,
            format!("store {}", crate::store::redact_url(url)),
        )
    } else {
        remove_db(&db);
        let bench_url = format!("sqlite://{}", db.display());
        let app = App::open(config, lang, &bench_url).await?;
        let t = Instant::now();
        generate(&app.store, args.skus, args.days).await?;
        eprintln!(
            "generated {} SKUs × {} days in {:.1} s",
            args.skus,
            args.days,
            t.elapsed().as_secs_f64()
        );
        let as_of: NaiveDate = END.parse().expect("a date");
        (
            app,
            as_of,
            format!("generated: {} SKUs × {} days", args.skus, args.days),
        )
    };
    let store = &app.store;
    let summary_rows = store.count_rows("daily_sku_sales_summary").await?;
    let orders = store.count_rows("orders").await?;
    let period = default_profit_period(as_of);
    let options = app.config.profit.options();
    let currency = app.shop.currency.clone();
    let runs = args.runs;

    let ((sums, shop, unsold), load) = timed(runs, || load_sums(store, period)).await?;
    let (report, compute) = timed(runs, || {
        let (sums, unsold) = (&sums, unsold.clone());
        let currency = &currency;
        let options = &options;
        async move {
            Ok(assemble(
                as_of, period, currency, options, sums, &shop, unsold,
            ))
        }
    })
    .await?;
    let (chart, draw) = timed(runs, || {
        let report = &report;
        async move { profit_chart(report, lang) }
    })
    .await?;
    let (_, whole) = timed(runs, || async {
        let report = profit_report(store, as_of, period, &currency, &options).await?;
        let chart = profit_chart(&report, lang)?;
        let messages = crate::profit::profit_message(&report, Some(&chart), lang);
        Ok(messages.len())
    })
    .await?;
    let (elasticity, elastic) = timed(runs, || {
        elasticity_report(
            store,
            as_of,
            default_elasticity_period(as_of),
            DEFAULT_MIN_UNITS,
        )
    })
    .await?;

    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL)
        .set_header(["step", "what", "min", "median", "max"]);
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let sold = report.skus.len();
    for (step, what, t) in [
        (
            "load",
            format!("{summary_rows} summary rows → {sold} SKUs sold"),
            load,
        ),
        (
            "full cost + quadrants",
            format!(
                "{sold} SKUs, {} losing best-sellers",
                report.losing_best_sellers.len()
            ),
            compute,
        ),
        (
            "scatter chart",
            format!(
                "{} × {} PNG, {} KB",
                chart.width,
                chart.height,
                chart.png.len() / 1024
            ),
            draw,
        ),
        (
            "report profit (all)",
            "load + compute + chart + message".to_string(),
            whole,
        ),
        (
            "report elasticity",
            format!(
                "{} SKUs estimated of {}",
                elasticity.estimated().count(),
                elasticity.skus.len()
            ),
            elastic,
        ),
    ] {
        table.add_row([step.to_string(), what, ms(t[0]), ms(t[1]), ms(t[2])]);
    }
    println!(
        "bench-profit · {label} · {orders} orders in the store · as of {as_of} · period {} · {runs} runs",
        Period::new(period.from, period.to).map_or(String::new(), |p| p.to_string())
    );
    println!("{table}");
    println!(
        "target: profit and quadrants for 1,000 SKUs at 1 M orders ≤ 1 s → {}",
        if whole[1] <= Duration::from_secs(1) {
            "met (median)"
        } else {
            "not met (median)"
        }
    );
    if args.existing {
        if let Some(check) = demo_check(&app, &elasticity).await? {
            println!("{check}");
        }
    } else {
        app.store.close().await;
        remove_db(&db);
    }
    Ok(())
}

/// Removes a SQLite file and its journal files.
fn remove_db(db: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// On a demo store (it records its seed and end date): the estimates against the elasticity
/// built into each SKU, by confidence. `None` on any other store.
async fn demo_check(
    app: &App,
    report: &crate::profit::ElasticityReport,
) -> anyhow::Result<Option<String>> {
    let setting = |key: &'static str| async move {
        with_pool!(&app.store, pool => {
            sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await
        })
        .with_context(|| format!("failed to read setting {key}"))
    };
    let (Some(seed), Some(end)) = (setting("demo_seed").await?, setting("demo_end_date").await?)
    else {
        return Ok(None);
    };
    let (Ok(seed), Ok(end)) = (seed.parse::<u64>(), end.parse::<NaiveDate>()) else {
        return Ok(None);
    };
    let truth: std::collections::HashMap<String, f64> =
        crate::demo::built_in_elasticities(seed, end, app.shop.timezone)
            .into_iter()
            .collect();
    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_header([
        "confidence",
        "SKUs estimated",
        "built-in e inside the 95 % interval",
        "median |estimate − built-in|",
        "median built-in e",
    ]);
    use crate::profit::Confidence;
    for level in [Confidence::High, Confidence::Medium, Confidence::Low] {
        let mut errors = Vec::new();
        let mut truths = Vec::new();
        let mut inside = 0;
        for s in report.estimated() {
            let (Some(e), Some(&t)) = (s.estimate.as_ref(), truth.get(&s.sku)) else {
                continue;
            };
            if e.confidence != level {
                continue;
            }
            errors.push((e.elasticity - t).abs());
            truths.push(t);
            if e.low <= t && t <= e.high {
                inside += 1;
            }
        }
        let n = errors.len();
        let med =
            |v: &mut Vec<f64>| crate::profit::median(v).map_or("—".into(), |m| format!("{m:.2}"));
        table.add_row([
            format!("{level:?}").to_lowercase(),
            n.to_string(),
            if n > 0 {
                format!("{inside} ({:.0} %)", inside as f64 * 100.0 / n as f64)
            } else {
                "—".into()
            },
            med(&mut errors),
            med(&mut truths),
        ]);
    }
    Ok(Some(format!(
        "demo shop (seed {seed}, ending {end}): report elasticity against the elasticity built into each SKU\n{table}"
    )))
}

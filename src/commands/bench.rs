//! `bench`: measures what the speed and memory targets name, and prints a table.
//!
//! Each measurement runs in a fresh child process (`bench-report`, hidden) so that peak RSS
//! is the peak of that job alone: one child generates the shop, another times the cockpit
//! warm (compute + charts + Block Kit + text, end to end). Not a test: timings on a shared
//! machine are for reading, not asserting.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{render_cockpit, App};
use crate::cli::{BenchArgs, BenchReportArgs};
use crate::config::Config;
use crate::demo::{generate, DemoOptions};
use crate::store::{redact_url, Store};

/// The fixed "yesterday" of every bench shop, so runs compare.
const BENCH_DATE: &str = "2026-11-20";

#[derive(Debug, Serialize, Deserialize, Default)]
struct ChildReport {
    orders: i64,
    customers: i64,
    generate_s: Option<f64>,
    cold_ms: Option<f64>,
    warm_median_ms: Option<f64>,
    warm_p95_ms: Option<f64>,
    compute_median_ms: Option<f64>,
    charts: Vec<(String, f64, f64, usize)>,
    peak_rss_mb: f64,
}

/// This process's peak resident memory (`VmHWM`), in MB.
pub(super) fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

fn p95(mut v: Vec<Duration>) -> f64 {
    v.sort();
    let i = ((v.len() as f64) * 0.95).ceil() as usize;
    v.get(i.saturating_sub(1).min(v.len().saturating_sub(1)))
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

/// The child: generates the shop (`--generate-scale`) and/or times the cockpit (`--iterations`).
pub async fn run_report(config: Config, args: BenchReportArgs) -> anyhow::Result<()> {
    let mut report = ChildReport::default();
    let app = App::open(config, crate::domain::Lang::Fr, &args.database_url).await?;
    if let Some(scale) = args.generate_scale {
        let started = Instant::now();
        generate(
            &app.store,
            &DemoOptions {
                seed: 42,
                scale,
                end_date: args.date,
                timezone: app.shop.timezone,
                progress: false,
            },
        )
        .await?;
        report.generate_s = Some(started.elapsed().as_secs_f64());
    }
    report.orders = app.store.count_rows("orders").await?;
    report.customers = app.store.count_rows("customers").await?;
    if args.iterations > 0 {
        let started = Instant::now();
        let first = render_cockpit(&app, args.date).await?;
        report.cold_ms = Some(started.elapsed().as_secs_f64() * 1000.0);
        let mut total = Vec::new();
        let mut compute = Vec::new();
        for _ in 0..args.iterations {
            let started = Instant::now();
            let rendered = render_cockpit(&app, args.date).await?;
            total.push(started.elapsed());
            std::hint::black_box(rendered);
            let started = Instant::now();
            let c = crate::cockpit::compute_cockpit(
                &app.store,
                &app.registry,
                &app.shop,
                args.date,
                &app.cockpit_options(),
            )
            .await?;
            compute.push(started.elapsed());
            std::hint::black_box(c);
        }
        report.warm_median_ms = Some(median(total.clone()));
        report.warm_p95_ms = Some(p95(total));
        report.compute_median_ms = Some(median(compute));
        report.charts =
            crate::charts::bench_cockpit_charts(&first.cockpit, app.lang, args.iterations.max(5))
                .into_iter()
                .map(|(name, render, encode, bytes)| {
                    (
                        name,
                        render.as_secs_f64() * 1000.0,
                        encode.as_secs_f64() * 1000.0,
                        bytes,
                    )
                })
                .collect();
    }
    report.peak_rss_mb = peak_rss_mb();
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn child(url: &str, iterations: usize, generate_scale: Option<f64>) -> anyhow::Result<ChildReport> {
    let exe = std::env::current_exe().context("cannot find the insight-desk executable")?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "bench-report",
        "--database-url",
        url,
        "--date",
        BENCH_DATE,
        "--iterations",
        &iterations.to_string(),
    ]);
    if let Some(s) = generate_scale {
        cmd.args(["--generate-scale", &s.to_string()]);
    }
    run_child(cmd, url)
}

/// Runs a bench child process and reads the JSON report it prints as its last line.
pub(super) fn run_child<T: serde::de::DeserializeOwned>(
    mut cmd: Command,
    url: &str,
) -> anyhow::Result<T> {
    let output = cmd.output().context("failed to run the bench child")?;
    anyhow::ensure!(
        output.status.success(),
        "bench child failed on {}: {}",
        redact_url(url),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("bench child printed {line:?}"))
}

/// A fresh store URL per scale: a file in a directory, or a database on a Postgres server.
async fn fresh_store(
    target: &str,
    scale: f64,
) -> anyhow::Result<(String, Option<(String, String)>)> {
    let tag = format!("{scale}").replace('.', "_");
    if target.starts_with("postgres:") || target.starts_with("postgresql:") {
        let name = format!("insight_desk_bench_{tag}");
        let admin = Store::connect(target).await?;
        if let Store::Postgres(pool) = &admin {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(pool)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await?;
        }
        admin.close().await;
        let base = target.rsplit_once('/').map(|(b, _)| b).unwrap_or(target);
        Ok((format!("{base}/{name}"), Some((target.to_string(), name))))
    } else {
        let dir = PathBuf::from(target);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
        let file = dir.join(format!("bench-{tag}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        Ok((format!("sqlite://{}", file.display()), None))
    }
}

pub async fn run(_config: Config, args: BenchArgs) -> anyhow::Result<()> {
    let date: NaiveDate = BENCH_DATE.parse().expect("valid bench date");
    let backend = if args.target.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let mut rows = Vec::new();
    for &scale in &args.scales {
        let (url, cleanup) = fresh_store(&args.target, scale).await?;
        eprintln!("scale {scale}: generating into {} …", redact_url(&url));
        let generated = child(&url, 0, Some(scale))?;
        eprintln!(
            "scale {scale}: timing the cockpit of {date} ({} warm runs) …",
            args.iterations
        );
        let report = child(&url, args.iterations, None)?;
        rows.push((scale, generated, report));
        if let Some((admin_url, name)) = cleanup {
            let admin = Store::connect(&admin_url).await?;
            if let Store::Postgres(pool) = &admin {
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(pool)
                    .await?;
            }
        }
    }
    println!(
        "insight-desk bench · {backend} · cockpit of {BENCH_DATE} · {} warm runs · {}",
        args.iterations,
        machine()
    );
    println!();
    println!("| backend | scale | orders | customers | generate | gen peak RSS | cockpit cold | cockpit warm (median / p95) | of which queries | report peak RSS |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let f = |v: Option<f64>| {
        v.map(|v| format!("{v:.0} ms"))
            .unwrap_or_else(|| "—".into())
    };
    for (scale, g, r) in &rows {
        println!(
            "| {backend} | {scale} | {} | {} | {:.1} s | {:.0} MB | {} | {} / {} | {} | {:.0} MB |",
            r.orders,
            r.customers,
            g.generate_s.unwrap_or(f64::NAN),
            g.peak_rss_mb,
            f(r.cold_ms),
            f(r.warm_median_ms),
            f(r.warm_p95_ms),
            f(r.compute_median_ms),
            r.peak_rss_mb
        );
    }
    println!();
    println!("| chart | scale | render (median) | PNG encode (median) | PNG size |");
    println!("|---|---:|---:|---:|---:|");
    for (scale, _, r) in &rows {
        for (name, render, encode, bytes) in &r.charts {
            println!(
                "| {name} | {scale} | {render:.2} ms | {encode:.2} ms | {} KB |",
                bytes / 1024
            );
        }
    }
    Ok(())
}

pub(super) fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    format!(
        "{cpus} CPUs {model} · {}",
        chrono::Utc::now().format("%Y-%m-%d")
    )
}

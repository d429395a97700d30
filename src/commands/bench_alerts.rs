//! `bench-alerts`: how long one evaluation of every alert rule takes on the store
//! `DATABASE_URL` names (the target: ≤ 500 ms for 250 SKUs × 5 channels at 1 M
//! orders), rule by rule, and what an idle scheduler costs in CPU.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use comfy_table::{presets::UTF8_FULL, Table};

use super::App;
use crate::alerts::rules::evaluate;
use crate::cli::BenchAlertsArgs;
use crate::schedule::{AlertRule, AlertRuleConfig, RuleKind, ScheduleConfig, Scheduler};
use crate::slack::fake::FakeSlack;
use crate::slack::{Secret, SlackApi};
use crate::store::Store;
use crate::with_pool;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    ms(sorted[i])
}

async fn scalar(store: &Store, sql: &str) -> anyhow::Result<Option<String>> {
    let v: Option<String> =
        with_pool!(store, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
            .with_context(|| sql.to_string())?;
    Ok(v)
}

/// Every rule, with the anomaly rule watching revenue, orders, conversion and each paid
/// channel's ROAS.
async fn all_rules(app: &App) -> anyhow::Result<(Vec<AlertRule>, usize)> {
    let channels: Vec<String> = with_pool!(&app.store, pool => {
        sqlx::query_scalar("SELECT DISTINCT channel FROM ad_spend ORDER BY channel").fetch_all(pool).await
    })?;
    let mut rules: Vec<AlertRule> = super::schedule::default_rules()
        .into_iter()
        .filter(|r| r.kind != RuleKind::Anomaly)
        .collect();
    let mut series: Vec<String> = ["revenue", "orders", "conversion_rate"]
        .map(String::from)
        .to_vec();
    series.extend(channels.iter().map(|c| format!("roas:{c}")));
    let base = |rule| AlertRuleConfig {
        rule,
        channel: "C0000000000".into(),
        days: None,
        drop_pct: None,
        below_pct: None,
        threshold: None,
        series: None,
        repeat_hours: None,
    };
    rules.push(
        AlertRuleConfig {
            threshold: Some(50_000.0),
            ..base(RuleKind::CashBelow)
        }
        .parse()
        .map_err(anyhow::Error::msg)?,
    );
    rules.push(
        AlertRuleConfig {
            series: Some(series),
            ..base(RuleKind::Anomaly)
        }
        .parse()
        .map_err(anyhow::Error::msg)?,
    );
    Ok((rules, channels.len()))
}

/// CPU time (user + system) this process has used.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is 14th, stime 15th.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10) // USER_HZ = 100 on Linux
}

pub async fn run(app: App, args: BenchAlertsArgs) -> anyhow::Result<()> {
    let store = &app.store;
    let date = match args.date {
        Some(d) => d,
        None => scalar(store, "SELECT CAST(MAX(local_date) AS TEXT) FROM orders")
            .await?
            .and_then(|d| NaiveDate::parse_from_str(&d[..10], "%Y-%m-%d").ok())
            .context("the store holds no orders: fill it first (insight-desk demo --scale 9)")?,
    };
    let orders = store.count_rows("orders").await?;
    let skus = store.count_rows("variants").await?;
    let (rules, channels) = all_rules(&app).await?;
    let now = Utc::now();

    let started = Instant::now();
    let first = evaluate(&app, &rules, date, now).await?;
    let cold = started.elapsed();
    let mut warm = Vec::new();
    for _ in 0..args.runs {
        let t = Instant::now();
        evaluate(&app, &rules, date, now).await?;
        warm.push(t.elapsed());
    }
    warm.sort();
    let mut per_rule = Vec::new();
    for rule in &rules {
        let mut times = Vec::new();
        for _ in 0..args.runs.clamp(1, 5) {
            let t = Instant::now();
            evaluate(&app, std::slice::from_ref(rule), date, now).await?;
            times.push(t.elapsed());
        }
        times.sort();
        per_rule.push((rule.kind.as_str(), quantile(&times, 0.5)));
    }

    let idle = idle_scheduler(Duration::from_secs(args.idle_seconds)).await?;

    println!(
        "bench-alerts on {} ({} orders, {} SKUs, {} paid channels), rules evaluated for {date}; {} finding(s)\n",
        store.backend(),
        orders,
        skus,
        channels,
        first.findings.len()
    );
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL)
        .set_header(["measure", "value", "target"]);
    table.add_row([
        "all rules, first run (ms)".to_string(),
        format!("{:.0}", ms(cold)),
        "".into(),
    ]);
    table.add_row([
        format!("all rules, warm median of {} (ms)", warm.len()),
        format!("{:.0}", quantile(&warm, 0.5)),
        "≤ 500".into(),
    ]);
    table.add_row([
        "all rules, warm p95 (ms)".to_string(),
        format!("{:.0}", quantile(&warm, 0.95)),
        "".into(),
    ]);
    for (rule, median) in &per_rule {
        table.add_row([
            format!("  {rule} alone, median (ms)"),
            format!("{median:.0}"),
            "".into(),
        ]);
    }
    table.add_row([
        format!(
            "idle scheduler CPU over {} s (ms, % of one core)",
            args.idle_seconds
        ),
        format!(
            "{:.0} ({:.3} %)",
            ms(idle),
            ms(idle) / (args.idle_seconds as f64 * 10.0)
        ),
        "negligible".into(),
    ]);
    println!("{table}");
    Ok(())
}

/// Runs a scheduler with a daily digest and hourly alert evaluation (nothing due: the ledger
/// already holds the last fires) on a scratch SQLite store for `span`, and returns the CPU
/// time the process used meanwhile.
async fn idle_scheduler(span: Duration) -> anyhow::Result<Duration> {
    let dir = tempfile_dir()?;
    let url = format!("sqlite://{}", dir.join("idle.db").display());
    let store = Store::open(&url).await?;
    let fake = FakeSlack::start().await;
    let mut config = crate::config::Config::default();
    config.slack.api_url = fake.api_url();
    config.slack.bot_token = Some(Secret::new("xoxb-bench"));
    config.schedules = vec![ScheduleConfig {
        name: "morning".into(),
        cron: "0 9 * * *".into(),
        timezone: None,
        channel: "C0000000000".into(),
        report: "alerts".into(),
        wait_for: Vec::new(),
        wait_minutes: 60,
    }];
    let registry = config.registry()?;
    let shop = config.shop_settings(&store).await?;
    let app = App {
        config,
        lang: crate::domain::Lang::En,
        store: store.clone(),
        registry,
        shop,
    };
    let api = SlackApi::new(&app.config.slack)?;
    let scheduler = Arc::new(Scheduler::new(Arc::new(app), api)?);
    // Whatever is due now runs once here, so the measured span is idle.
    scheduler.run_due(Utc::now()).await?;
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(scheduler.clone().run_forever(rx));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = cpu_time();
    tokio::time::sleep(span).await;
    let used = cpu_time().saturating_sub(before);
    let _ = stop.send(true);
    let _ = task.await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(used)
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("insight-desk-bench-alerts-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

//! `sync` and `bench-sync`: thin wrappers over `crate::sync`. `sync` prints one summary line
//! per source (progress on a terminal while a backfill runs) and fails when any source did,
//! after the others ran. `bench-sync` runs the real binary's `sync shopify` against the fake
//! Shopify in this process and prints a table.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::App;
use crate::cli::{BenchSyncArgs, ChangedOrders, SyncArgs};
use crate::sync::fake_shopify::{generated_epoch, generated_order_node, FakeShopify};
use crate::sync::{configured, sync_sources, SourceOutcome, SyncOptions};

pub async fn run(app: &App, args: SyncArgs) -> anyhow::Result<()> {
    let sources = configured(&app.config.sync, args.source)?;
    let opts = SyncOptions {
        progress: !args.json && std::io::stderr().is_terminal(),
        full: args.full,
        ..SyncOptions::default()
    };
    let outcomes = sync_sources(
        &app.store,
        app.shop.timezone,
        &app.config.sync,
        &sources,
        &opts,
    )
    .await;
    if args.json {
        let report = ChildReport {
            outcomes: outcomes.clone(),
            peak_rss_mb: super::bench::peak_rss_mb(),
        };
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for o in &outcomes {
            println!("{o}");
        }
    }
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.error.is_some())
        .map(|o| o.source.as_str())
        .collect();
    match (failed.len(), outcomes.len()) {
        (0, _) => {}
        (1, 1) => anyhow::bail!("{} failed to sync (see above)", failed[0]),
        (n, total) => anyhow::bail!(
            "{n} of {total} sources failed to sync ({}): see above; the others are up to date",
            failed.join(", ")
        ),
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct ChildReport {
    outcomes: Vec<SourceOutcome>,
    peak_rss_mb: f64,
}

const BENCH_TOKEN: &str = "shpat_bench_token";

/// One `insight-desk sync shopify` in a fresh process against the fake.
fn child(config: &std::path::Path, url: &str) -> anyhow::Result<(ChildReport, f64)> {
    let exe = std::env::current_exe().context("cannot find the insight-desk executable")?;
    let mut cmd = Command::new(exe);
    cmd.arg("--config")
        .arg(config)
        .args(["sync", "shopify", "--json"])
        .env("DATABASE_URL", url)
        .env(crate::sync::config::SHOPIFY_TOKEN_ENV, BENCH_TOKEN)
        // Its log (RUST_LOG=insight_desk=debug times each phase) goes to the terminal.
        .stderr(std::process::Stdio::inherit());
    let started = Instant::now();
    let output = cmd.output().context("failed to run the sync child")?;
    let wall = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        output.status.success(),
        "the sync child failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let report =
        serde_json::from_str(line).with_context(|| format!("the sync child printed {line:?}"))?;
    Ok((report, wall))
}

pub async fn bench(args: BenchSyncArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.orders >= 1, "--orders must be at least 1");
    anyhow::ensure!(
        args.changed <= args.orders,
        "--changed ({}) cannot exceed --orders ({})",
        args.changed,
        args.orders
    );
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("insight-desk-bench-sync-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let db = dir.join("bench-sync.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db.display())));
    }
    let url = format!("sqlite://{}", db.display());
    let fake = FakeShopify::start_generated(BENCH_TOKEN, args.orders).await?;
    fake.set_running_polls(1);
    let config = dir.join("bench-sync.toml");
    std::fs::write(
        &config,
        format!(
            "[sync.shopify]\nshop = \"bench.myshopify.com\"\nbase_url = \"{}\"\nbulk_poll_secs = 0.2\npage_size = 250\n",
            fake.base_url()
        ),
    )?;
    eprintln!(
        "backfill of {} generated orders from the fake's bulk file…",
        args.orders
    );
    let (backfill, backfill_wall) = child(&config, &url)?;
    // Change orders after the backfill: a later updatedAt and a new total, as an edit would.
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    let step = (args.orders / args.changed.max(1)).max(1);
    for k in 0..args.changed {
        let i = match args.changed_orders {
            ChangedOrders::Recent => args.orders - args.changed + k,
            ChangedOrders::Spread => k * step,
        };
        let mut node = generated_order_node(i);
        node["updatedAt"] = serde_json::json!(now.to_rfc3339());
        node["tags"] = serde_json::json!(["edited"]);
        node["totalShippingPriceSet"]["shopMoney"]["amount"] = serde_json::json!("9.90");
        fake.upsert_order(node);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    eprintln!("incremental sync of {} changed orders…", args.changed);
    let (incremental, incremental_wall) = child(&config, &url)?;
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            "run",
            "orders read",
            "inserted",
            "updated",
            "wall (s)",
            "of which summaries (s)",
            "orders/s",
            "peak RSS (MB)",
        ]);
    for (name, r, wall) in [
        ("backfill (bulk JSONL)", &backfill, backfill_wall),
        (
            "incremental (GraphQL pages)",
            &incremental,
            incremental_wall,
        ),
    ] {
        let o = r
            .outcomes
            .first()
            .ok_or_else(|| anyhow::anyhow!("the sync child reported no source"))?;
        anyhow::ensure!(
            o.error.is_none(),
            "{name} failed: {}",
            o.error.as_deref().unwrap_or("")
        );
        table.add_row([
            name.to_string(),
            o.counts.records_read.to_string(),
            o.counts.inserted.to_string(),
            o.counts.updated.to_string(),
            format!("{wall:.2}"),
            format!("{:.2}", o.refresh_secs),
            format!("{:.0}", o.counts.records_read as f64 / wall.max(1e-6)),
            format!("{:.0}", r.peak_rss_mb),
        ]);
    }
    println!(
        "bench-sync: {} generated orders (1-3 line items each, first created {}), {} changed ({:?}); SQLite at {}",
        args.orders,
        generated_epoch().date_naive(),
        args.changed,
        args.changed_orders,
        db.display()
    );
    println!("{table}");
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// `sources`' API part: per configured source, where its cursor stands, its last run and
/// when `serve` runs it next.
pub async fn print_api_sources(app: &App) -> anyhow::Result<()> {
    let jobs = crate::sync::scheduled_jobs(&app.config.sync, app.shop.timezone)?;
    let Ok(sources) = configured(&app.config.sync, None) else {
        return Ok(());
    };
    let states = crate::import::sources::list(&app.store).await?;
    let now = chrono::Utc::now();
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            "API source",
            "cursor",
            "last success (UTC)",
            "rows",
            "last run",
            "next run",
        ]);
    for source in sources {
        let name = source.name();
        let cursor_text = match source {
            crate::sync::Source::Shopify => {
                let cursor: Option<crate::sync::shopify::ShopifyCursor> =
                    crate::sync::state::load_cursor(&app.store, name)
                        .await
                        .unwrap_or(None);
                match cursor {
                    None => "never synced (next: backfill)".to_string(),
                    Some(c) => match (&c.backfill, c.updated_since) {
                        (Some(b), _) => {
                            format!("backfill under way: {} orders stored", b.orders_done)
                        }
                        (None, Some(t)) if c.after.is_some() => {
                            format!(
                                "updated since {} (interrupted mid-way)",
                                t.format("%Y-%m-%d %H:%M:%S")
                            )
                        }
                        (None, Some(t)) => {
                            format!("updated since {}", t.format("%Y-%m-%d %H:%M:%S"))
                        }
                        (None, None) => "never synced (next: backfill)".to_string(),
                    },
                }
            }
            crate::sync::Source::GoogleAds => {
                let cursor: Option<crate::sync::google_ads::GoogleAdsCursor> =
                    crate::sync::state::load_cursor(&app.store, name)
                        .await
                        .unwrap_or(None);
                match cursor.and_then(|c| c.last_day) {
                    Some(day) => format!("days up to {day}"),
                    None => "never synced (next: backfill)".to_string(),
                }
            }
            crate::sync::Source::Meta => {
                let cursor: Option<crate::sync::meta::MetaCursor> =
                    crate::sync::state::load_cursor(&app.store, name)
                        .await
                        .unwrap_or(None);
                match cursor.and_then(|c| c.last_day) {
                    Some(day) => format!("days up to {day}"),
                    None => "never synced (next: backfill)".to_string(),
                }
            }
            crate::sync::Source::Klaviyo => {
                let cursor: Option<crate::sync::klaviyo::KlaviyoCursor> =
                    crate::sync::state::load_cursor(&app.store, name)
                        .await
                        .unwrap_or(None);
                match cursor {
                    Some(crate::sync::klaviyo::KlaviyoCursor {
                        last_day: Some(day),
                        opened_until,
                        ..
                    }) => format!(
                        "days up to {day}; opens up to {}",
                        opened_until
                            .map_or("-".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
                    ),
                    _ => "never synced (next: backfill)".to_string(),
                }
            }
        };
        let state = states.iter().find(|s| s.source == name);
        let last_run = crate::sync::state::runs(&app.store, name)
            .await?
            .pop()
            .map_or("-".to_string(), |r| {
                format!(
                    "{} {} {}: {} read, {} new, {} changed",
                    r.started_at.format("%m-%d %H:%M"),
                    r.mode,
                    r.status,
                    r.counts.records_read,
                    r.counts.inserted,
                    r.counts.updated
                )
            });
        let next = jobs
            .iter()
            .find(|j| j.key == format!("sync:{}", source.command_name()))
            .and_then(|j| {
                let tz = j.cron.timezone();
                j.cron.next_fires(now, 1).first().map(|t| {
                    format!(
                        "{} ({})",
                        t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
                        j.cron.expr()
                    )
                })
            })
            .unwrap_or_else(|| "not scheduled (sync.<source>.schedule)".to_string());
        table.add_row([
            name.to_string(),
            cursor_text,
            state
                .and_then(|s| s.last_success_at)
                .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
            state.map_or("0".into(), |s| s.rows.to_string()),
            last_run,
            next,
        ]);
    }
    println!("{table}");
    Ok(())
}

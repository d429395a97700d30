//! `import` and `sources`: thin wrappers that open the store, call `crate::import`, and
//! print a summary line per file or a table per source.

use std::io::IsTerminal;

use anyhow::bail;
use chrono::Utc;
use comfy_table::{presets::UTF8_BORDERS_ONLY, Table};

use super::App;
use crate::cli::ImportArgs;
use crate::import::{import_file, sources, ImportOptions};

pub async fn run(app: &App, args: ImportArgs) -> anyhow::Result<()> {
    let opts = ImportOptions {
        on_error: args.on_error,
        dry_run: args.dry_run,
        progress: std::io::stderr().is_terminal(),
        rejects_dir: args.rejects_dir,
        period: args.period,
    };
    let total = args.files.len();
    if total == 1 {
        let summary = import_file(
            &app.store,
            app.shop.timezone,
            args.kind,
            &args.files[0],
            &opts,
        )
        .await?;
        println!("{summary}");
        return Ok(());
    }
    // Keep going, report at the end: one bad file does not stop the others.
    let mut failed = 0;
    for file in &args.files {
        match import_file(&app.store, app.shop.timezone, args.kind, file, &opts).await {
            Ok(summary) => println!("{summary}"),
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
            }
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {total} files were not imported (see the errors above; the others were)"
        );
    }
    Ok(())
}

pub async fn sources(app: &App) -> anyhow::Result<()> {
    let states = sources::list(&app.store).await?;
    if states.is_empty() {
        println!(
            "no source imported yet: try `insight-desk import shopify-orders orders_export.csv`"
        );
        return Ok(());
    }
    let now = Utc::now();
    let mut table = Table::new();
    table.load_preset(UTF8_BORDERS_ONLY).set_header([
        "source",
        "last import (UTC)",
        "rows",
        "from",
        "to",
        "freshness",
    ]);
    for s in &states {
        let freshness = match (&s.last_success_at, &s.last_error) {
            (_, Some(err)) => format!(
                "last attempt failed: {}",
                err.chars().take(80).collect::<String>()
            ),
            (None, None) => "never imported".to_string(),
            (Some(at), None) => {
                let age = now - *at;
                let age = if age.num_hours() >= 48 {
                    format!("{} d ago", age.num_days())
                } else {
                    format!("{} h ago", age.num_hours())
                };
                if s.is_fresh(now) {
                    format!("fresh ({age})")
                } else {
                    format!(
                        "stale ({age}, expected every {} h)",
                        s.expected_interval_secs / 3600
                    )
                }
            }
        };
        let show = |d: Option<chrono::NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
        table.add_row([
            s.source.clone(),
            s.last_success_at
                .or(s.last_attempt_at)
                .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
            s.rows.to_string(),
            show(s.data_from),
            show(s.data_to),
            freshness,
        ]);
    }
    println!("{table}");
    super::sync::print_api_sources(app).await
}

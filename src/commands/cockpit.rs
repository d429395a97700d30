//! `report cockpit`: the CEO's 1-slide for one day, as text, JSON or the Block Kit message,
//! with its charts. `demo` and (next) `/cockpit` and the morning digest go through
//! [`render_cockpit`], so what is printed here is what the bot posts.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::charts::{cockpit_charts, write_png_files, Chart};
use crate::cli::{CockpitArgs, ReportFormat};
use crate::cockpit::{compute_cockpit, Cockpit, CockpitOptions};
use crate::render::{cockpit_message, cockpit_text, Message};
use crate::telemetry::spawn_blocking_in_span;

/// A cockpit with everything that goes out: the Block Kit message(s), the charts, the text.
pub struct RenderedCockpit {
    pub cockpit: Cockpit,
    pub messages: Vec<Message>,
    pub charts: Vec<Chart>,
    pub text: String,
}

impl App {
    pub fn cockpit_options(&self) -> CockpitOptions {
        CockpitOptions {
            stock_cover_days: self.config.cockpit.stock_cover_days,
            cash_critical_threshold: self.config.cash_critical_threshold(),
        }
    }
}

/// Computes the cockpit of `date` and renders it; the charts are drawn off the async runtime.
pub async fn render_cockpit(app: &App, date: NaiveDate) -> anyhow::Result<RenderedCockpit> {
    let cockpit = compute_cockpit(
        &app.store,
        &app.registry,
        &app.shop,
        date,
        &app.cockpit_options(),
    )
    .await
    .with_context(|| format!("failed to compute the cockpit of {date}"))?;
    let lang = app.lang;
    let for_charts = cockpit.clone();
    let charts = spawn_blocking_in_span(move || cockpit_charts(&for_charts, lang)).await??;
    let messages = cockpit_message(&cockpit, lang);
    let text = cockpit_text(&cockpit, lang);
    Ok(RenderedCockpit {
        cockpit,
        messages,
        charts,
        text,
    })
}

/// Writes cockpit.json, cockpit.blocks.json (one file per message if Slack's limits split it:
/// cockpit.blocks-2.json, …) and the PNG charts into `dir`. Returns the files written.
pub fn write_cockpit_files(rendered: &RenderedCockpit, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let mut written = Vec::new();
    let json_path = dir.join("cockpit.json");
    write_json(&json_path, &rendered.cockpit)?;
    written.push(json_path);
    for (i, message) in rendered.messages.iter().enumerate() {
        let name = if i == 0 {
            "cockpit.blocks.json".to_string()
        } else {
            format!("cockpit.blocks-{}.json", i + 1)
        };
        let path = dir.join(name);
        write_json(&path, message)?;
        written.push(path);
    }
    written.extend(write_png_files(&rendered.charts, dir)?);
    Ok(written)
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))
}

pub async fn run(app: &App, args: CockpitArgs) -> anyhow::Result<()> {
    let date = args.date.unwrap_or_else(|| app.yesterday());
    let rendered = render_cockpit(app, date).await?;
    match args.format {
        ReportFormat::Text => print!("{}", rendered.text),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&rendered.cockpit)?),
        ReportFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    if let Some(dir) = args.out {
        for path in write_cockpit_files(&rendered, &dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

//! `report profit`: SKU profitability as of a day, as text, JSON, CSV or the Block Kit
//! message `/profit` posts, with the quadrant scatter. `/profit` goes through
//! [`render_profit`], so what is printed here is what the bot posts.

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::charts::{profit_chart, write_png_files, Chart};
use crate::cli::{CustomerFormat, ProfitArgs};
use crate::domain::Period;
use crate::profit::{
    default_profit_period, profit_csv, profit_message, profit_report, profit_text, ProfitReport,
};
use crate::render::Message;
use crate::telemetry::spawn_blocking_in_span;

/// A profit report with what goes out: the message(s) and the scatter.
pub struct RenderedProfit {
    pub report: ProfitReport,
    pub messages: Vec<Message>,
    pub chart: Option<Chart>,
}

/// Computes the report as of `as_of` over `period` (default: the 365 days to `as_of`) and
/// renders it; a chart that fails costs the picture, not the answer.
pub async fn render_profit(
    app: &App,
    as_of: NaiveDate,
    period: Option<Period>,
) -> anyhow::Result<RenderedProfit> {
    let period = period.unwrap_or_else(|| default_profit_period(as_of));
    let report = profit_report(
        &app.store,
        as_of,
        period,
        &app.shop.currency,
        &app.config.profit.options(),
    )
    .await
    .with_context(|| format!("failed to compute SKU profitability as of {as_of}"))?;
    let lang = app.lang;
    let copy = report.clone();
    let chart = match spawn_blocking_in_span(move || profit_chart(&copy, lang)).await {
        Ok(Ok(chart)) => Some(chart),
        Ok(Err(e)) | Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "profit chart failed");
            None
        }
    };
    let messages = profit_message(&report, chart.as_ref(), lang);
    Ok(RenderedProfit {
        report,
        messages,
        chart,
    })
}

pub async fn run(app: &App, args: ProfitArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let period = match args.from {
        Some(from) => Some(
            Period::new(from, as_of)
                .map_err(|e| anyhow::anyhow!("--from {from}: {e} (--as-of is {as_of})"))?,
        ),
        None => None,
    };
    let rendered = render_profit(app, as_of, period).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", profit_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", profit_csv(r)?),
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    if let Some(dir) = args.out {
        for path in write_png_files(rendered.chart.as_slice(), &dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

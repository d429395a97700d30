//! `report attribution`: revenue per channel under last-click and under the weighted
//! 30/40/30 model, side by side, as text, JSON, CSV or the Block Kit message `/attribution`
//! posts.

use anyhow::Context;

use super::App;
use crate::cli::{AttributionArgs, CustomerFormat};
use crate::customers::{
    attribution_csv, attribution_message, attribution_report, attribution_text, default_period,
    AttributionReport,
};
use crate::domain::Period;
use crate::render::Message;

pub struct RenderedAttribution {
    pub report: AttributionReport,
    pub messages: Vec<Message>,
}

pub async fn render_attribution(app: &App, period: Period) -> anyhow::Result<RenderedAttribution> {
    let report = attribution_report(&app.store, period, &app.shop.currency)
        .await
        .with_context(|| format!("failed to attribute the revenue of {period}"))?;
    let messages = attribution_message(&report, app.lang);
    Ok(RenderedAttribution { report, messages })
}

pub async fn run(app: &App, args: AttributionArgs) -> anyhow::Result<()> {
    let to = args.to.unwrap_or_else(|| app.yesterday());
    let period = match args.from {
        Some(from) => Period::new(from, to).map_err(anyhow::Error::msg)?,
        None => default_period(to),
    };
    let rendered = render_attribution(app, period).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", attribution_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", attribution_csv(r)?),
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    Ok(())
}

//! `report ltv`: the Marketing Profit Matrix as of a day, as text, JSON, CSV or the Block Kit
//! message `/ltv` posts.
//!
//! Predicted LTV for young customers comes from the CLV model (BG/NBD + Gamma-Gamma): pass its
//! map customer id → predicted 12-month value to [`render_ltv`]; `None` shows "—" and says so.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::cli::{CustomerFormat, LtvArgs};
use crate::customers::{default_ltv_period, ltv_csv, ltv_message, ltv_report, ltv_text, LtvReport};
use crate::domain::{Cents, Period};
use crate::render::Message;

pub struct RenderedLtv {
    pub report: LtvReport,
    pub messages: Vec<Message>,
}

/// The matrix as of `as_of` over `period` (default: the 365 days to `as_of`). `predicted`:
/// customer id → predicted 12-month value from the CLV model, or `None`.
pub async fn render_ltv(
    app: &App,
    as_of: NaiveDate,
    period: Option<Period>,
    predicted: Option<&HashMap<i64, Cents>>,
) -> anyhow::Result<RenderedLtv> {
    let period = period.unwrap_or_else(|| default_ltv_period(as_of));
    let report = ltv_report(
        &app.store,
        as_of,
        period,
        &app.shop.currency,
        &app.config.ltv.options(),
        predicted,
    )
    .await
    .with_context(|| format!("failed to compute the LTV/CAC matrix as of {as_of}"))?;
    let messages = ltv_message(&report, app.lang);
    Ok(RenderedLtv { report, messages })
}

pub async fn run(app: &App, args: LtvArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let period = match args.from {
        Some(from) => Some(Period::new(from, as_of).map_err(anyhow::Error::msg)?),
        None => None,
    };
    // The CLV model's predictions plug in here once `clv.rs` is merged.
    let rendered = render_ltv(app, as_of, period, None).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", ltv_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", ltv_csv(r)?),
        CustomerFormat::Blocks => {
            let value = match rendered.messages.as_slice() {
                [one] => serde_json::to_value(one)?,
                many => serde_json::to_value(many)?,
            };
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
    }
    Ok(())
}

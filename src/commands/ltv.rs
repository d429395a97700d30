//! `report ltv`: the Marketing Profit Matrix as of a day, as text, JSON, CSV or the Block Kit
//! message `/ltv` posts.
//!
//! Predicted LTV for young customers comes from the CLV model (BG/NBD + Gamma-Gamma,
//! [`predicted_ltv`]): its map customer id → predicted 12-month value goes to [`render_ltv`];
//! `None` shows "—" and says so.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::cli::{CustomerFormat, LtvArgs};
use crate::customers::{
    clv_report, default_ltv_period, ltv_csv, ltv_message, ltv_report, ltv_text, LtvReport,
    HORIZON_DAYS, LTV_12M_DAYS,
};
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

/// The CLV model's predicted 12-month value (revenue) of the customers acquired less than a
/// year before `as_of`: spent so far plus expected. `None`, with a warning in the log, when
/// the model cannot be fitted (no repeat customers yet, say): the matrix then shows "—".
pub async fn predicted_ltv(app: &App, as_of: NaiveDate) -> Option<HashMap<i64, Cents>> {
    match clv_report(&app.store, as_of, None, HORIZON_DAYS, &app.shop.currency).await {
        Ok(report) => Some(
            report
                .predicted_ltv(LTV_12M_DAYS as u32)
                .into_iter()
                .map(|(id, v)| (id, Cents((v * 100.0).round() as i64)))
                .collect(),
        ),
        Err(e) => {
            tracing::warn!("predicted LTV unavailable: {e:#}");
            None
        }
    }
}

pub async fn run(app: &App, args: LtvArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let period = match args.from {
        Some(from) => Some(Period::new(from, as_of).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let predicted = predicted_ltv(app, as_of).await;
    let rendered = render_ltv(app, as_of, period, predicted.as_ref()).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", ltv_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", ltv_csv(r)?),
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    Ok(())
}

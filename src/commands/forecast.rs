//! `report forecast`, `report stock` and `report sku`: the demand forecast, the stock
//! position and one SKU's card as text, JSON, CSV or the Block Kit messages `/stock` and
//! `/sku` post (they go through [`render_stock`] and [`render_sku`], so what is printed here
//! is what the bot posts).

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::charts::{sku_forecast_chart, write_png_files, Chart, SkuForecastChart};
use crate::cli::{CustomerFormat, ForecastArgs, ReportFormat, SkuArgs, StockArgs};
use crate::domain::Period;
use crate::forecast::card::{card_message, card_text, ProfitSlot, SkuCard};
use crate::forecast::load::SkuHistory;
use crate::forecast::render::{
    forecast_csv, forecast_message, forecast_text, stock_csv, stock_message, stock_text,
};
use crate::forecast::report::{Rotation, StockReport};
use crate::forecast::run::{forecast_from_store, stock_from_store};
use crate::forecast::stock::stock_line;
use crate::metrics::Dimension;
use crate::profit::{
    default_elasticity_period, default_profit_period, elasticity_report, profit_report,
    DEFAULT_MIN_UNITS,
};
use crate::render::Message;
use crate::telemetry::spawn_blocking_in_span;

/// Stock turns per category over the 90 days ending on `as_of`, from the catalogue's
/// `stock_turnover` metric (the cockpit's figure); empty, with a warning, if it fails.
async fn rotation(app: &App, as_of: NaiveDate) -> Vec<Rotation> {
    let Some(def) = app.registry.get("stock_turnover") else {
        return Vec::new();
    };
    match def
        .run(
            &app.store,
            Period::trailing(as_of, 90),
            Some(Dimension::Category),
            &BTreeMap::new(),
        )
        .await
    {
        Ok(res) => res
            .rows
            .iter()
            .map(|r| Rotation {
                category: r.key.clone().unwrap_or_default(),
                turns_per_year: r.value,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "stock rotation unavailable");
            Vec::new()
        }
    }
}

pub struct RenderedStock {
    pub report: StockReport,
    pub messages: Vec<Message>,
}

/// The stock position as of `as_of` and the `/stock` message.
pub async fn render_stock(app: &App, as_of: NaiveDate) -> anyhow::Result<RenderedStock> {
    let policy = app.config.stock_policy();
    let mut report = stock_from_store(&app.store, as_of, &policy)
        .await
        .with_context(|| format!("failed to compute the stock position as of {as_of}"))?;
    report.rotation = rotation(app, as_of).await;
    let messages = stock_message(&report, &app.shop.currency, 90, app.lang);
    Ok(RenderedStock { report, messages })
}

pub struct RenderedSku {
    pub card: SkuCard,
    pub messages: Vec<Message>,
    pub chart: Option<Chart>,
}

/// Units sold per day of the history, `None` on stock-out days.
fn history_points(h: &SkuHistory) -> Vec<(NaiveDate, Option<f64>)> {
    let s = &h.series;
    (0..s.len())
        .map(|t| (s.day(t), s.available[t].then_some(s.units[t])))
        .collect()
}

/// The SKU's elasticity and quadrant, from the same reports as `report elasticity` and
/// `report profit` on their default periods. A failure costs those two figures, not the card.
async fn profit_slot(app: &App, as_of: NaiveDate, sku: &str) -> ProfitSlot {
    let mut slot = ProfitSlot::default();
    let profit = profit_report(
        &app.store,
        as_of,
        default_profit_period(as_of),
        &app.shop.currency,
        &app.config.profit.options(),
    )
    .await;
    match profit {
        Ok(r) => slot.quadrant = r.sku(sku).map(|p| p.quadrant.label(app.lang).to_string()),
        Err(e) => tracing::warn!(error = %format!("{e:#}"), sku, "profit for the SKU card failed"),
    }
    let elasticity = elasticity_report(
        &app.store,
        as_of,
        default_elasticity_period(as_of),
        DEFAULT_MIN_UNITS,
    )
    .await;
    match elasticity {
        Ok(r) => {
            if let Some(e) = r.sku(sku).and_then(|s| s.estimate.as_ref()) {
                slot.elasticity = Some(e.elasticity);
                slot.elasticity_confidence = Some(e.confidence.label(app.lang).to_string());
            }
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), sku, "elasticity for the SKU card failed")
        }
    }
    slot
}

/// One SKU's card as of `as_of` (`query`: its code or part of its name), with its chart.
pub async fn render_sku(app: &App, as_of: NaiveDate, query: &str) -> anyhow::Result<RenderedSku> {
    let policy = app.config.stock_policy();
    // The card's forecast is the report's 90 days; a lead time + order cover beyond them
    // repeats the last day (stock_line).
    let (histories, report) = forecast_from_store(&app.store, as_of, 90, true, Some(query))
        .await
        .with_context(|| format!("failed to forecast SKU {query:?}"))?;
    let (h, s) = (&histories[0], &report.skus[0]);
    let line = stock_line(h, &s.forecast, as_of, &policy);
    let shown = s.forecast.clone();
    let mut card = SkuCard::new(as_of, h, line, shown, s.accuracy, report.origins);
    card.profit = profit_slot(app, as_of, &card.sku).await;
    let lang = app.lang;
    let points = history_points(h);
    let (f, acc, code, name) = (
        card.forecast.clone(),
        card.accuracy,
        card.sku.clone(),
        card.name.clone(),
    );
    let chart = match spawn_blocking_in_span(move || {
        sku_forecast_chart(
            &SkuForecastChart {
                sku: &code,
                name: &name,
                history: points,
                forecast: &f,
                accuracy: Some(acc),
            },
            lang,
        )
    })
    .await
    {
        Ok(Ok(chart)) => Some(chart),
        Ok(Err(e)) | Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "SKU chart failed");
            None
        }
    };
    let messages = card_message(&card, &app.shop.currency, lang);
    Ok(RenderedSku {
        card,
        messages,
        chart,
    })
}

pub async fn run_forecast(app: &App, args: ForecastArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let horizon = args.horizon as usize;
    let (histories, report) =
        forecast_from_store(&app.store, as_of, horizon, true, args.sku.as_deref()).await?;
    match args.format {
        CustomerFormat::Text => print!("{}", forecast_text(&report, app.lang, args.top)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        CustomerFormat::Csv => print!("{}", forecast_csv(&report)?),
        CustomerFormat::Blocks => super::print_messages(&forecast_message(&report, app.lang))?,
    }
    if let (Some(dir), Some(_)) = (&args.out, &args.sku) {
        let (h, s) = (&histories[0], &report.skus[0]);
        let chart = sku_forecast_chart(
            &SkuForecastChart {
                sku: &s.sku,
                name: &s.name,
                history: history_points(h),
                forecast: &s.forecast,
                accuracy: Some(s.accuracy),
            },
            app.lang,
        )?;
        for path in write_png_files(&[chart], dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

pub async fn run_stock(app: &App, args: StockArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let rendered = render_stock(app, as_of).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", stock_text(r, &app.shop.currency, 90, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", stock_csv(r)?),
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    Ok(())
}

pub async fn run_sku(app: &App, args: SkuArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let rendered = render_sku(app, as_of, &args.sku).await?;
    match args.format {
        ReportFormat::Text => print!(
            "{}",
            card_text(&rendered.card, &app.shop.currency, app.lang)
        ),
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&rendered.card)?),
        ReportFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    if let Some(dir) = args.out {
        for path in write_png_files(rendered.chart.as_slice(), &dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

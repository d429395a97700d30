//! `report rfm`: the RFM segments as of a day, as text, JSON, CSV (a segment's customers for
//! an e-mail tool) or the Block Kit message `/rfm` posts, with the segments chart. `/rfm` goes
//! through [`render_rfm`], so what is printed here is what the bot posts.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::charts::{rfm_chart, write_png_files, Chart};
use crate::cli::{CustomerFormat, RfmArgs};
use crate::customers::{
    contacts, rfm_csv, rfm_message, rfm_report, rfm_text, segment_customers, Contact, RfmOptions,
    RfmReport, RfmSegment,
};
use crate::render::Message;
use crate::telemetry::spawn_blocking_in_span;

/// An RFM report with what goes out: the message(s), the chart, the contacts when customers
/// are listed.
pub struct RenderedRfm {
    pub report: RfmReport,
    pub messages: Vec<Message>,
    pub chart: Option<Chart>,
    pub contacts: HashMap<i64, Contact>,
}

impl App {
    pub fn rfm_options(&self) -> RfmOptions {
        RfmOptions {
            rules: self.config.rfm.rules.clone(),
            save_snapshots: true,
        }
    }
}

/// Computes the RFM report as of `as_of` (saving its snapshot) and renders it; the chart is
/// drawn off the async runtime and a chart that fails costs the picture, not the answer.
pub async fn render_rfm(
    app: &App,
    as_of: NaiveDate,
    segment: Option<RfmSegment>,
) -> anyhow::Result<RenderedRfm> {
    let mut report = rfm_report(
        &app.store,
        as_of,
        &app.shop.currency,
        app.lang,
        &app.rfm_options(),
    )
    .await
    .with_context(|| format!("failed to compute the RFM segments as of {as_of}"))?;
    let contacts = match segment {
        Some(_) => contacts(&app.store).await?,
        None => HashMap::new(),
    };
    let lang = app.lang;
    // The chart reads only the summary: hand it a copy without the per-customer rows.
    let scored = std::mem::take(&mut report.scored);
    let summary = report.clone();
    report.scored = scored;
    let chart = match spawn_blocking_in_span(move || rfm_chart(&summary, lang)).await {
        Ok(Ok(chart)) => Some(chart),
        Ok(Err(e)) | Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "rfm chart failed");
            None
        }
    };
    let messages = rfm_message(
        &report,
        segment.map(|s| (s, &contacts)),
        chart.as_ref(),
        lang,
    );
    Ok(RenderedRfm {
        report,
        messages,
        chart,
        contacts,
    })
}

pub async fn run(app: &App, args: RfmArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let mut rendered = render_rfm(app, as_of, args.segment).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!(
            "{}",
            rfm_text(r, args.segment.map(|s| (s, &rendered.contacts)), app.lang)
        ),
        CustomerFormat::Json => {
            let mut value = serde_json::to_value(r)?;
            if let Some(segment) = args.segment {
                let customers: Vec<serde_json::Value> = segment_customers(r, segment)
                    .into_iter()
                    .map(|c| {
                        let contact = rendered.contacts.get(&c.customer_id);
                        let mut v = serde_json::to_value(c).unwrap_or_default();
                        v["email"] = contact.and_then(|k| k.email.clone()).into();
                        v["customer_key"] = contact.map(|k| k.key.clone()).into();
                        v
                    })
                    .collect();
                value["customers"] = customers.into();
            }
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        CustomerFormat::Csv => {
            if args.segment.is_none() {
                rendered.contacts = contacts(&app.store).await?;
            }
            print!("{}", rfm_csv(r, args.segment, &rendered.contacts)?);
        }
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    if let Some(dir) = args.out {
        for path in write_png_files(rendered.chart.as_slice(), &dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

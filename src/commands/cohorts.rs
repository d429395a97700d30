//! `report cohorts`: monthly acquisition cohorts as of a day, as text, JSON, CSV or the Block
//! Kit message `/cohorts` posts, with the retention heat-map. `/cohorts` goes through
//! [`render_cohorts`], so what is printed here is what the bot posts.

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::charts::{cohort_chart, write_png_files, Chart};
use crate::cli::{CohortsArgs, CohortsBy, CustomerFormat};
use crate::customers::{
    behaviour_csv, behaviour_report, behaviour_text, cohort_report, cohorts_csv, cohorts_message,
    cohorts_text, CohortReport,
};
use crate::render::Message;
use crate::telemetry::spawn_blocking_in_span;

/// A cohort report with what goes out: the message(s) and the heat-map.
pub struct RenderedCohorts {
    pub report: CohortReport,
    pub messages: Vec<Message>,
    pub chart: Option<Chart>,
}

/// Computes the cohorts as of `as_of` and renders them; the chart is drawn off the async
/// runtime and a chart that fails costs the picture, not the answer.
pub async fn render_cohorts(
    app: &App,
    as_of: NaiveDate,
    months: u32,
) -> anyhow::Result<RenderedCohorts> {
    let report = cohort_report(&app.store, as_of, months)
        .await
        .with_context(|| format!("failed to compute the cohorts as of {as_of}"))?;
    let lang = app.lang;
    let copy = report.clone();
    let chart = match spawn_blocking_in_span(move || cohort_chart(&copy, lang)).await {
        Ok(Ok(chart)) => Some(chart),
        Ok(Err(e)) | Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "cohort chart failed");
            None
        }
    };
    let messages = cohorts_message(&report, chart.as_ref(), lang);
    Ok(RenderedCohorts {
        report,
        messages,
        chart,
    })
}

/// `report cohorts --by behaviour`: document 001's behavioural cohorts.
async fn run_behaviour(app: &App, as_of: NaiveDate, format: CustomerFormat) -> anyhow::Result<()> {
    let r = behaviour_report(&app.store, as_of, &app.shop.currency, app.lang)
        .await
        .with_context(|| format!("failed to compute the behavioural cohorts as of {as_of}"))?;
    match format {
        CustomerFormat::Text => print!("{}", behaviour_text(&r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        CustomerFormat::Csv => print!("{}", behaviour_csv(&app.store, &r).await?),
        CustomerFormat::Blocks => anyhow::bail!(
            "--by behaviour has no Block Kit form yet: use --format text, json or csv"
        ),
    }
    Ok(())
}

pub async fn run(app: &App, args: CohortsArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    if args.by == CohortsBy::Behaviour {
        return run_behaviour(app, as_of, args.format).await;
    }
    let rendered = render_cohorts(app, as_of, args.months).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", cohorts_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", cohorts_csv(r)?),
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    if let Some(dir) = args.out {
        for path in write_png_files(rendered.chart.as_slice(), &dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

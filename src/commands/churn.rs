//! `report churn`: ChurnGuard as of a day, as text, JSON, CSV (every customer's score and
//! signals) or the Block Kit message `/churn` posts.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;

use super::App;
use crate::cli::{ChurnArgs, CustomerFormat};
use crate::customers::{churn_csv, churn_message, churn_report, churn_text, contacts, ChurnReport};
use crate::render::Message;

/// A ChurnGuard report and its message(s).
pub struct RenderedChurn {
    pub report: ChurnReport,
    pub messages: Vec<Message>,
}

pub async fn render_churn(app: &App, as_of: NaiveDate) -> anyhow::Result<RenderedChurn> {
    let report = churn_report(&app.store, as_of, &app.shop.currency, app.lang)
        .await
        .with_context(|| format!("failed to compute the churn scores as of {as_of}"))?;
    let messages = churn_message(&report, app.lang);
    Ok(RenderedChurn { report, messages })
}

pub async fn run(app: &App, args: ChurnArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let rendered = render_churn(app, as_of).await?;
    let r = &rendered.report;
    match args.format {
        CustomerFormat::Text => print!("{}", churn_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => {
            let contacts: HashMap<_, _> = contacts(&app.store).await?;
            print!("{}", churn_csv(r, &contacts)?);
        }
        CustomerFormat::Blocks => super::print_messages(&rendered.messages)?,
    }
    Ok(())
}

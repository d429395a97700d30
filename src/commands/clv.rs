//! `report clv`: predicted purchases and value per customer, as text, JSON (with the fitted
//! parameters), CSV (every customer) or Block Kit.

use std::collections::HashMap;

use anyhow::Context;

use super::App;
use crate::cli::{ClvArgs, CustomerFormat};
use crate::customers::{clv_csv, clv_message, clv_report, clv_text, contacts};

pub async fn run(app: &App, args: ClvArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let calibration_end = args.calibration_end.unwrap_or(as_of);
    anyhow::ensure!(
        calibration_end <= as_of,
        "--calibration-end {calibration_end} is after --as-of {as_of}: the calibration must end on or before the last day of data"
    );
    let report = clv_report(
        &app.store,
        calibration_end,
        Some(as_of),
        args.horizon_days,
        &app.shop.currency,
    )
    .await
    .with_context(|| {
        format!("failed to predict customer value from the orders up to {calibration_end}")
    })?;
    match args.format {
        CustomerFormat::Text => print!("{}", clv_text(&report, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        CustomerFormat::Csv => {
            let contacts: HashMap<_, _> = contacts(&app.store).await?;
            print!("{}", clv_csv(&report, &contacts)?);
        }
        CustomerFormat::Blocks => super::print_messages(&clv_message(&report, app.lang))?,
    }
    Ok(())
}

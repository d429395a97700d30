//! `report elasticity`: price elasticity per SKU from its own regular price changes, as
//! text, JSON, CSV or Block Kit.

use anyhow::Context;

use super::App;
use crate::cli::{CustomerFormat, ElasticityArgs};
use crate::domain::Period;
use crate::profit::{
    default_elasticity_period, elasticity_csv, elasticity_message, elasticity_report,
    elasticity_text,
};

pub async fn run(app: &App, args: ElasticityArgs) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| app.yesterday());
    let period = match args.from {
        Some(from) => Period::new(from, as_of)
            .map_err(|e| anyhow::anyhow!("--from {from}: {e} (--as-of is {as_of})"))?,
        None => default_elasticity_period(as_of),
    };
    let mut report = elasticity_report(&app.store, as_of, period, args.min_units)
        .await
        .with_context(|| format!("failed to compute price elasticities as of {as_of}"))?;
    if let Some(sku) = &args.sku {
        report.skus.retain(|s| &s.sku == sku);
        anyhow::ensure!(
            !report.skus.is_empty(),
            "unknown SKU {sku:?}: no active variant has this code (`report profit --format csv` lists them)"
        );
    }
    let r = &report;
    match args.format {
        CustomerFormat::Text => print!("{}", elasticity_text(r, app.lang)),
        CustomerFormat::Json => println!("{}", serde_json::to_string_pretty(r)?),
        CustomerFormat::Csv => print!("{}", elasticity_csv(r)?),
        CustomerFormat::Blocks => super::print_messages(&elasticity_message(r, app.lang))?,
    }
    Ok(())
}

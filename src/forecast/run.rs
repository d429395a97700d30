//! The forecast and stock figures straight from the store: load, then fit off the async
//! runtime. What `report forecast`, `report stock`, `/stock`, `/sku`, the cockpit and the
//! stock-cover alert all call, so they agree by construction.

use anyhow::Context;
use chrono::NaiveDate;

use super::load::{load_histories, SkuHistory};
use super::model::ModelOptions;
use super::report::{forecast_report, stock_horizon, stock_report, ForecastReport, StockReport};
use super::stock::StockPolicy;
use crate::store::Store;
use crate::telemetry::spawn_blocking_in_span;

/// Days of history the model sees (two years: the yearly profile needs one full year, two
/// to be trusted).
pub const HISTORY_DAYS: u64 = 730;
/// `report forecast`'s default horizon.
pub const DEFAULT_HORIZON: usize = 90;
/// The longest horizon accepted.
pub const MAX_HORIZON: usize = 365;

/// A SKU the user asked for could not be told apart.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SkuLookupError {
    #[error("no SKU matches {query:?}: give a SKU code or part of a product name (`report stock --format csv` lists them)")]
    NotFound { query: String },
    #[error("{count} SKUs match {query:?} ({examples}): give the SKU code or more of the name")]
    Ambiguous {
        query: String,
        count: usize,
        examples: String,
    },
}

/// The SKU `query` names: its code (any case), else the only SKU whose name contains it.
pub fn find_sku(histories: &[SkuHistory], query: &str) -> Result<usize, SkuLookupError> {
    let q = query.trim().to_lowercase();
    if let Some(i) = histories
        .iter()
        .position(|h| h.info.sku.to_lowercase() == q)
    {
        return Ok(i);
    }
    let hits: Vec<usize> = (0..histories.len())
        .filter(|i| {
            !q.is_empty()
                && (histories[*i].info.name.to_lowercase().contains(&q)
                    || histories[*i].info.sku.to_lowercase().contains(&q))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(SkuLookupError::NotFound {
            query: query.into(),
        }),
        many => Err(SkuLookupError::Ambiguous {
            query: query.into(),
            count: many.len(),
            examples: many
                .iter()
                .take(3)
                .map(|i| format!("{} {}", histories[*i].info.sku, histories[*i].info.name))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Every SKU's forecast (and backtest when asked) as of `as_of`; `sku`: only that one.
pub async fn forecast_from_store(
    store: &Store,
    as_of: NaiveDate,
    horizon: usize,
    backtest: bool,
    sku: Option<&str>,
) -> anyhow::Result<(Vec<SkuHistory>, ForecastReport)> {
    let mut histories = load_histories(store, as_of, HISTORY_DAYS, horizon).await?;
    if let Some(query) = sku {
        let i = find_sku(&histories, query)?;
        histories = vec![histories.swap_remove(i)];
    }
    spawn_blocking_in_span(move || {
        let report = forecast_report(
            as_of,
            &histories,
            horizon,
            backtest,
            &ModelOptions::default(),
        );
        (histories, report)
    })
    .await
    .context("failed to forecast the demand")
}

/// The stock position of every SKU as of `as_of` against its forecast (rotation left empty:
/// it comes from the metric catalogue, see `commands::forecast`).
pub async fn stock_from_store(
    store: &Store,
    as_of: NaiveDate,
    policy: &StockPolicy,
) -> anyhow::Result<StockReport> {
    // Event flags for the longest horizon; the forecasts stop at the one the policy needs.
    let histories = load_histories(store, as_of, HISTORY_DAYS, MAX_HORIZON).await?;
    let horizon = stock_horizon(&histories, policy).min(MAX_HORIZON);
    let policy = *policy;
    spawn_blocking_in_span(move || {
        let report = forecast_report(as_of, &histories, horizon, false, &ModelOptions::default());
        let forecasts: Vec<_> = report.skus.into_iter().map(|s| s.forecast).collect();
        stock_report(as_of, &histories, &forecasts, &policy, Vec::new())
    })
    .await
    .context("failed to compute the stock cover")
}

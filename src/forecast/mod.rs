//! Demand forecast per SKU (issue 7, "Smart Demand Forecast") and what it feeds: days of
//! cover, reorder suggestions, dormant stock (`report forecast`, `report stock`, `/stock`,
//! `/sku`, the stock-cover alert and the cockpit's stock family).
//!
//! [`model`] forecasts one SKU's daily units (weekday and yearly seasonality, promotions and
//! Black Friday, stock-outs read as missing demand, Croston/TSB for intermittent demand) with
//! an 80 % interval; [`backtest`] scores it at rolling origins (WAPE, MASE against the
//! seasonal naive forecast); [`load`] reads the series from the store; [`stock`] turns
//! forecasts into days of cover and reorders. The model and the stock arithmetic are pure;
//! only `load` touches the store.

#[cfg(feature = "augurs-bench")]
pub mod augurs;
pub mod backtest;
pub mod card;
mod intermittent;
pub mod load;
pub mod model;
pub mod render;
pub mod report;
pub mod run;
pub mod stock;
pub mod synthetic;
#[cfg(test)]
mod tests;

pub use backtest::{backtest, Accuracy, Fold};
pub use model::{forecast, DemandSeries, Forecast, Method, ModelOptions};

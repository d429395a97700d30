//! Product profitability (SPEC §6 "Profit Optimizer", playbook ch. 5): the full cost and unit
//! margin of every SKU, the four volume × margin quadrants, and price elasticity from each
//! SKU's own price changes.
//!
//! - `cost`: the full-cost template, its documented defaults ([`ProfitOptions`], `[profit]`
//!   in the configuration) and the quadrants, pure.
//! - `report`: loads per-SKU sums (the daily SKU summary, not the order lines) and builds
//!   the [`ProfitReport`] `report profit` and `/profit` print; `render` lays it out.
//! - `elasticity`: %ΔQ ÷ %ΔP around regular price changes, pure; `elasticity_report`
//!   loads and assembles `report elasticity`; `elasticity_render` lays it out.

mod cost;
mod elasticity;
mod elasticity_render;
mod elasticity_report;
mod render;
mod report;

pub use cost::{
    median, unit_economics, Component, FullCost, ProfitOptions, Quadrant, ShopSums, SkuSums,
    UnitEconomics, MAX_DAYS_IN_STOCK,
};
pub use elasticity::{
    combine, read_changes, regular_changes, ChangeEstimate, Confidence, Estimate, PricePoint,
    Reading, Series, SkipReason, SkippedChange, DEFAULT_MIN_UNITS, WINDOW_DAYS,
};
pub use elasticity_render::{elasticity_csv, elasticity_message, elasticity_text};
pub use elasticity_report::{
    default_elasticity_period, elasticity_report, ElasticityReport, NoEstimate, SkuElasticity,
    DEFAULT_ELASTICITY_DAYS,
};
pub use render::{cost_table, losing_sentence, profit_csv, profit_message, profit_text};
pub use report::{
    assemble, classify, default_profit_period, load_sums, profit_report, ProfitReport,
    QuadrantList, SkuProfit, DEFAULT_PROFIT_DAYS,
};

//! The metric catalogue: every figure the bot shows is a parameterised SQL file in `queries/`.
//!
//! A file is a header of `-- key: value` lines (name, labels, synonyms, typed parameters,
//! unit, value rule, breakdowns, chart) followed by one SELECT that yields *facts*: a `num`
//! column (and `den` for ratios) plus one column per allowed breakdown. The registry wraps
//! that SELECT in the aggregation for the asked breakdown (`SUM(num)`, `SUM(den)` grouped by
//! a dimension column chosen from a closed list), so the cockpit, `query` and `/insight` run
//! the very same SQL and agree by construction. Parameters are written `:from`, `:to`, …,
//! compiled to `$1…$n` and always bound; a parameter the header does not declare, or a
//! declared one the SQL never uses, stops the registry from loading, with file:line:column.

mod display;
mod header;
mod params;
mod registry;
mod run;

pub use display::format_value;
pub use header::{ChartKind, Dimension, EmptyRule, MetricDef, ParamType, Unit, ValueRule};
pub use registry::{Registry, RegistryError};
pub use run::{MetricResult, MetricRow, QueryError};

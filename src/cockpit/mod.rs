//! The CEO's 1-slide: computed from the metric catalogue for one day (SPEC §5).

mod compute;
mod model;
pub mod sample;

pub use compute::{compute_cockpit, data_as_of, data_as_of_metric, CockpitOptions};
pub use model::*;

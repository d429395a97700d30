//! Insight Desk: the library behind the `insight-desk` binary (see README.md).

pub mod alerts;
pub mod anomaly;
pub mod charts;
pub mod cli;
pub mod cockpit;
pub mod commands;
pub mod config;
pub mod customers;
pub mod demo;
pub mod domain;
pub mod forecast;
pub mod import;
pub mod insight;
pub mod metrics;
pub mod profit;
pub mod render;
pub mod reply;
pub mod schedule;
pub mod slack;
pub mod store;
pub mod sync;
pub mod telemetry;

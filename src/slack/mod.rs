//! Slack: the bot's transports over one core.
//!
//! - `command`: [`Invocation`] → [`Command`] → [`dispatch`] → [`Reply`](crate::reply::Reply),
//!   the transport-free core;
//! - `bot`: [`Bot::accept`], the 3-second ack, dedup, allow-lists, audit, apologies;
//! - `api` and `deliver`: the Web API calls with their retry policy, and how a reply is posted
//!   (message, then charts through the three-step upload; or privately via `response_url`);
//! - `http` (axum, signed requests) and `socket` (Socket Mode) are thin adapters;
//! - `config`: tokens as [`Secret`]s, mode, endpoints, per-command policies.

pub mod api;
pub mod bot;
pub mod command;
pub mod config;
pub mod deliver;
pub mod fake;
pub mod http;
mod parse;
pub mod socket;

pub use api::{SlackApi, SlackError};
pub use bot::{Ack, Bot};
pub use command::{dispatch, Command, Invocation, KNOWN_COMMANDS};
pub use config::{CommandPolicy, Secret, SlackConfig, SlackMode};

/// A short random reference for an error, shown to the user and written in the log line.
pub fn new_reference() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

//! Everything a person reads, as Slack Block Kit within Slack's limits, in French or English.
//!
//! - `blocks`: typed Block Kit blocks, a [`Draft`] (what renderers build) and a [`Message`]
//!   (what may be posted).
//! - `limits`: Slack's limits, enforced in one place, [`Draft::finalize`], the only way from
//!   a draft to messages; `check` ([`check_limits`]) re-checks a finished message.
//! - `i18n`: every user-facing word as a French/English pair, and the dates.

mod blocks;
mod check;
mod i18n;
mod limits;

pub use blocks::{
    escape_mrkdwn, Block, Button, ButtonStyle, ContextElement, ContextImage, Draft, ImageSource,
    Message, PlainText, SlackFile, Text,
};
pub use check::check_limits;
pub use i18n::{format_date, format_day_month, format_day_month_year, format_period};
pub use limits::*;

#[cfg(test)]
mod limits_tests;

/// Placeholder until the cockpit renderers land (next commit).
pub fn cockpit_message(_c: &crate::cockpit::Cockpit, _l: crate::domain::Lang) -> Vec<Message> {
    vec![]
}

/// Placeholder until the cockpit renderers land (next commit).
pub fn cockpit_text(c: &crate::cockpit::Cockpit, _l: crate::domain::Lang) -> String {
    format!("{}\n", serde_json::to_string_pretty(c).unwrap_or_default())
}

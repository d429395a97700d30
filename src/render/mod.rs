//! Everything a person reads: the cockpit as Slack Block Kit and as a terminal summary, in
//! French or English.
//!
//! - `blocks`: typed Block Kit blocks, a [`Draft`] (what renderers build) and a [`Message`]
//!   (what may be posted).
//! - `limits`: Slack's limits, enforced in one place, [`Draft::finalize`], the only way from
//!   a draft to messages; `check` ([`check_limits`]) re-checks a finished message.
//! - `view` and `families`: the cockpit's figures formatted once (numbers, ▲/▼, "—"), with
//!   `figures` for the shared rules, so that `slack` ([`cockpit_message`]) and `text`
//!   ([`cockpit_text`]) only lay them out and cannot disagree.
//! - `i18n`: every user-facing word as a French/English pair, and the dates.

mod blocks;
mod check;
mod families;
pub(crate) mod figures;
mod i18n;
mod limits;
mod plain;
mod slack;
mod text;
mod view;

pub use blocks::{
    escape_mrkdwn, Block, Button, ButtonStyle, ContextElement, ContextImage, Draft, ImageSource,
    Message, PlainText, SlackFile, Text,
};
pub use check::check_limits;
pub use i18n::{format_date, format_day_month, format_day_month_year, format_period};
pub use limits::*;
pub use plain::message_text;
pub use slack::{cockpit_draft, cockpit_message};
pub use text::cockpit_text;
pub use view::data_as_of_line;

#[cfg(test)]
mod cockpit_tests;
#[cfg(test)]
mod limits_tests;

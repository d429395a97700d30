//! Alerts: rules evaluated on the store ([`rules::evaluate`]), each giving [`Finding`]s, and
//! their lifecycle in the `alerts` table ([`lifecycle::apply`]): a finding that is new opens
//! an alert and posts it once with its evidence and a suggested action; while it stays open it
//! is not posted again (unless the rule asks for a reminder every N hours); muted, it stays
//! quiet until the mute ends; when the finding is gone, "resolved" is posted in the alert's
//! thread. `/alerts` lists the open ones and mutes them; the alert's button mutes it too.

pub mod anomaly_rule;
pub mod lifecycle;
pub mod render;
pub mod rules;
pub mod state;

use serde::Serialize;

use crate::charts::Chart;
use crate::schedule::RuleKind;

/// What a rule found about one subject (a channel, a source, "stock", "revenue", "cash").
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: RuleKind,
    /// The alert's key within the rule: `meta`, `shopify-orders`, `stock`.
    pub subject: String,
    /// One line: "Meta: 7-day ROAS down 57 %".
    pub title: String,
    /// The value that fired, as shown ("1.4").
    pub value: String,
    /// What it is compared with ("3.2, previous 4 weeks").
    pub baseline: String,
    /// What to do about it.
    pub action: String,
    /// Details posted in the alert's thread (one line each): the SKUs of a stock alert.
    pub details: Vec<String>,
    /// The figures behind it, kept in the `alerts` row.
    pub evidence: serde_json::Value,
    /// The day the data describes (shop time zone).
    pub as_of: chrono::NaiveDate,
    #[serde(skip)]
    pub chart: Option<Chart>,
}

//! What a command answers, before any transport: the Block Kit message(s), the charts to
//! upload with them, and who should see it. `/cockpit`, `/insight`, the local `report` and
//! `ask` commands and (next) the scheduled digests all produce a [`Reply`]; Socket Mode, HTTP
//! and the terminal are thin adapters that deliver it.

use crate::charts::Chart;
use crate::render::Message;

/// Who sees the answer in Slack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Posted in the channel for everyone (`chat.postMessage`).
    InChannel,
    /// Only the person who asked sees it (`response_url` / `chat.postEphemeral`).
    Ephemeral,
}

/// A command's answer: one or more messages (Slack's limits may split a long answer), and the
/// charts that go with the first one.
#[derive(Debug, Clone)]
pub struct Reply {
    pub visibility: Visibility,
    /// Each already within Block Kit limits (built by `Draft::finalize`). Never empty.
    pub messages: Vec<Message>,
    pub charts: Vec<Chart>,
}

impl Reply {
    /// A reply only the asker sees, without charts (help, refusals, "not understood").
    pub fn ephemeral(messages: Vec<Message>) -> Reply {
        Reply {
            visibility: Visibility::Ephemeral,
            messages,
            charts: Vec::new(),
        }
    }
}

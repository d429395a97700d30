//! Typed Block Kit: the few blocks Insight Desk posts, serialising to exactly the JSON Slack
//! expects, and the two stages of a message.
//!
//! A [`Draft`] is what renderers build: any number of blocks of any length. The only way to
//! get a [`Message`] (the `chat.postMessage` body fields `text` and `blocks`) is
//! [`Draft::finalize`], which enforces Slack's limits (see `limits.rs`). Hence `Message` has
//! private fields: a message that has not been through the limits cannot be posted by
//! mistake. slack-morphism has its own block types but validates no limit, so we keep ours
//! and hand Slack the serialised JSON.

use serde::Serialize;

use crate::domain::Lang;

/// One Block Kit block.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Header {
        text: PlainText,
        #[serde(skip_serializing_if = "Option::is_none")]
        block_id: Option<String>,
    },
    /// Text and/or up to 10 fields (shown in two columns).
    Section {
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<Text>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text>,
        #[serde(skip_serializing_if = "Option::is_none")]
        block_id: Option<String>,
    },
    /// Small grey text (and icons) under the content.
    Context {
        elements: Vec<ContextElement>,
        #[serde(skip_serializing_if = "Option::is_none")]
        block_id: Option<String>,
    },
    Divider {
        #[serde(skip_serializing_if = "Option::is_none")]
        block_id: Option<String>,
    },
    Image {
        #[serde(flatten)]
        source: ImageSource,
        /// Required by Slack: what the image shows, for screen readers and notifications.
        alt_text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<PlainText>,
        #[serde(skip_serializing_if = "Option::is_none")]
        block_id: Option<String>,
    },
    Actions {
        elements: Vec<Button>,
        #[serde(skip_serializing_if = "Option::is_none")]
        block_id: Option<String>,
    },
}

/// A text object: Slack's `mrkdwn` (bold, links, code) or plain text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Text {
    #[serde(rename = "mrkdwn")]
    Mrkdwn { text: String },
    #[serde(rename = "plain_text")]
    Plain { text: String, emoji: bool },
}

/// Plain text only, where Slack accepts nothing else (headers, titles, buttons).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "plain_text")]
pub struct PlainText {
    pub text: String,
    pub emoji: bool,
}

/// Where an image comes from: a public URL, or a file already uploaded to Slack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSource {
    ImageUrl(String),
    SlackFile(SlackFile),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackFile {
    pub id: String,
}

/// A context element: text, or a small image.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ContextElement {
    Text(Text),
    Image(ContextImage),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "image")]
pub struct ContextImage {
    pub image_url: String,
    pub alt_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "button")]
pub struct Button {
    pub text: PlainText,
    pub action_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<ButtonStyle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ButtonStyle {
    Primary,
    Danger,
}

impl Text {
    pub fn mrkdwn(text: impl Into<String>) -> Text {
        Text::Mrkdwn { text: text.into() }
    }

    pub fn plain(text: impl Into<String>) -> Text {
        Text::Plain {
            text: text.into(),
            emoji: true,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Mrkdwn { text } | Text::Plain { text, .. } => text,
        }
    }

    pub(crate) fn text_mut(&mut self) -> &mut String {
        match self {
            Text::Mrkdwn { text } | Text::Plain { text, .. } => text,
        }
    }
}

impl PlainText {
    pub fn new(text: impl Into<String>) -> PlainText {
        PlainText {
            text: text.into(),
            emoji: true,
        }
    }
}

impl Button {
    pub fn new(text: impl Into<String>, action_id: impl Into<String>) -> Button {
        Button {
            text: PlainText::new(text),
            action_id: action_id.into(),
            value: None,
            style: None,
        }
    }
}

impl Block {
    pub fn header(text: impl Into<String>) -> Block {
        Block::Header {
            text: PlainText::new(text),
            block_id: None,
        }
    }

    /// A section of `mrkdwn` text.
    pub fn section(mrkdwn: impl Into<String>) -> Block {
        Block::Section {
            text: Some(Text::mrkdwn(mrkdwn)),
            fields: Vec::new(),
            block_id: None,
        }
    }

    /// A section of `mrkdwn` fields, optionally under a text.
    pub fn fields(text: Option<String>, fields: Vec<String>) -> Block {
        Block::Section {
            text: text.map(Text::mrkdwn),
            fields: fields.into_iter().map(Text::mrkdwn).collect(),
            block_id: None,
        }
    }

    /// A context of `mrkdwn` elements.
    pub fn context(elements: Vec<String>) -> Block {
        let elements = elements
            .into_iter()
            .map(|e| ContextElement::Text(Text::mrkdwn(e)));
        Block::Context {
            elements: elements.collect(),
            block_id: None,
        }
    }

    pub fn divider() -> Block {
        Block::Divider { block_id: None }
    }

    pub fn image(source: ImageSource, alt_text: impl Into<String>) -> Block {
        Block::Image {
            source,
            alt_text: alt_text.into(),
            title: None,
            block_id: None,
        }
    }

    pub fn actions(buttons: Vec<Button>) -> Block {
        Block::Actions {
            elements: buttons,
            block_id: None,
        }
    }

    pub fn with_block_id(mut self, id: impl Into<String>) -> Block {
        *self.block_id_mut() = Some(id.into());
        self
    }

    pub fn block_id(&self) -> Option<&str> {
        match self {
            Block::Header { block_id, .. }
            | Block::Section { block_id, .. }
            | Block::Context { block_id, .. }
            | Block::Divider { block_id }
            | Block::Image { block_id, .. }
            | Block::Actions { block_id, .. } => block_id.as_deref(),
        }
    }

    pub(crate) fn block_id_mut(&mut self) -> &mut Option<String> {
        match self {
            Block::Header { block_id, .. }
            | Block::Section { block_id, .. }
            | Block::Context { block_id, .. }
            | Block::Divider { block_id }
            | Block::Image { block_id, .. }
            | Block::Actions { block_id, .. } => block_id,
        }
    }
}

/// Escapes the three characters Slack's `mrkdwn` reserves, for text that comes from data
/// (product names, shop names, error messages): `&`, `<`, `>`.
pub fn escape_mrkdwn(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

/// A message as renderers build it, before Slack's limits are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Language of the "(continued)" markers added when the draft needs several messages.
    pub lang: Lang,
    /// Notification fallback: what push notifications and screen readers show.
    pub text: String,
    pub blocks: Vec<Block>,
}

impl Draft {
    pub fn new(lang: Lang, text: impl Into<String>) -> Draft {
        Draft {
            lang,
            text: text.into(),
            blocks: Vec::new(),
        }
    }

    pub fn push(&mut self, block: Block) -> &mut Draft {
        self.blocks.push(block);
        self
    }
}

/// One `chat.postMessage` body's `text` and `blocks`, within Slack's limits. Built only by
/// [`Draft::finalize`]; serialise it and add `channel` (or flatten it into a larger body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub(super) text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) blocks: Vec<Block>,
}

impl Message {
    /// The notification fallback text.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The body as JSON: `{"text": …, "blocks": [...]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a message always serialises")
    }
}

//! Slack's Block Kit limits, enforced in one place: [`Draft::finalize`], the only way to make
//! a [`Message`]. Slack answers `invalid_blocks` or `msg_blocks_too_long` to a message over
//! any limit and posts nothing, so a long stock-alert list must never cost the CEO the whole
//! cockpit.
//!
//! Policy: text is cut on a character boundary with "…" (never inside a multi-byte
//! character, a `&amp;` entity or an open code fence); a section with too many fields, a
//! context with too many elements and an actions block with too many buttons become several
//! blocks; too many blocks become several messages, the later ones marked "(suite)" /
//! "(continued)". Nothing is dropped except blocks with nothing to show, which Slack rejects.
//!
//! The total size has no documented limit: `msg_blocks_too_long` has been seen at ~13 000
//! characters of text (bolt-js#2509). We budget the blocks' JSON at 12 000 characters,
//! counting each string by its characters rather than its escapes; that bound includes the
//! block containers, so it is stricter than counting text alone.
//!
//! `check.rs` re-checks every limit on the finished messages (debug builds and tests).

use serde_json::Value;

use super::blocks::{Block, ContextElement, Draft, ImageSource, Message, Text};
use super::check::check_limits;
use super::i18n;

pub const MAX_BLOCKS: usize = 50;
pub const MAX_SECTION_TEXT: usize = 3000;
pub const MAX_FIELDS: usize = 10;
pub const MAX_FIELD_TEXT: usize = 2000;
pub const MAX_HEADER_TEXT: usize = 150;
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// A text object's own limit, which applies to context elements.
pub const MAX_CONTEXT_TEXT: usize = 3000;
pub const MAX_ACTIONS_ELEMENTS: usize = 25;
pub const MAX_BLOCK_ID: usize = 255;
pub const MAX_ALT_TEXT: usize = 2000;
pub const MAX_IMAGE_TITLE: usize = 2000;
pub const MAX_IMAGE_URL: usize = 3000;
pub const MAX_BUTTON_TEXT: usize = 75;
pub const MAX_ACTION_ID: usize = 255;
pub const MAX_BUTTON_VALUE: usize = 2000;
/// Budget for the whole `blocks` array, see [`blocks_weight`].
pub const MAX_BLOCKS_CHARS: usize = 12_000;
/// Slack truncates `text` at 40 000 characters; a notification needs far less.
pub const MAX_FALLBACK_TEXT: usize = 4000;
/// Largest block a split may produce, so any block fits in a message next to a
/// continuation header.
const PIECE_BUDGET: usize = 9000;

impl Draft {
    /// Applies every limit and returns the messages to post, in order (normally one).
    pub fn finalize(self) -> Vec<Message> {
        let Draft { lang, text, blocks } = self;
        let blocks: Vec<Block> = blocks.into_iter().flat_map(fit).collect();
        let text = if text.trim().is_empty() {
            first_header(&blocks).unwrap_or_default()
        } else {
            text
        };
        let continuation = continuation_block(&blocks, lang);
        let marker = i18n::CONTINUED.get(lang);

        // Greedy packing; `weight` is the JSON size of `current` as an array, exactly.
        let mut groups: Vec<Vec<Block>> = Vec::new();
        let mut current: Vec<Block> = Vec::new();
        let mut weight = 2;
        for block in blocks {
            let w = value_chars(&to_value(&block));
            let full = current.len() == MAX_BLOCKS || weight + 1 + w > MAX_BLOCKS_CHARS;
            if !current.is_empty() && full {
                groups.push(std::mem::take(&mut current));
                weight = 2 + value_chars(&to_value(&continuation));
                current.push(continuation.clone());
            }
            weight += w + usize::from(!current.is_empty());
            current.push(block);
        }
        groups.push(current);

        let messages: Vec<Message> = groups
            .into_iter()
            .enumerate()
            .map(|(i, blocks)| {
                let text = match i {
                    0 => truncate(&text, MAX_FALLBACK_TEXT),
                    _ => {
                        let room = MAX_FALLBACK_TEXT - marker.chars().count() - 1;
                        format!("{} {marker}", truncate(&text, room))
                    }
                };
                Message { text, blocks }
            })
            .collect();
        for m in &messages {
            debug_assert!(
                check_limits(m).is_ok(),
                "finalize broke a limit: {:?}",
                check_limits(m)
            );
        }
        messages
    }
}

/// Cuts `text` to at most `max` characters, ending with "…" when something was cut.
/// Never splits a character, never leaves half of a `&amp;`/`&lt;`/`&gt;` entity, and closes
/// a code fence the cut left open.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let kept = cut(text, max - 1);
    if kept.matches("```").count() % 2 == 0 || max < 6 {
        return format!("{kept}…");
    }
    let kept = cut(text, max - 5);
    if kept.matches("```").count() % 2 == 0 {
        format!("{kept}…")
    } else {
        format!("{kept}…\n```")
    }
}

/// The longest prefix of `text` with at most `n` characters that ends cleanly.
fn cut(text: &str, n: usize) -> &str {
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    let mut kept = &text[..end];
    if let Some(amp) = kept.rfind('&') {
        let entity = ["&amp;", "&lt;", "&gt;"]
            .iter()
            .any(|e| text[amp..].starts_with(e));
        if entity && !kept[amp..].contains(';') {
            kept = &kept[..amp];
        }
    }
    // A zero-width joiner would glue the next emoji onto the ellipsis.
    kept.trim_end_matches('\u{200d}').trim_end()
}

/// A block_id cut to Slack's limit; ids are for machines, so no ellipsis.
fn fit_id(id: Option<String>, piece: usize) -> Option<String> {
    id.map(|id| {
        let suffix = if piece == 0 {
            String::new()
        } else {
            format!("-{}", piece + 1)
        };
        let base: String = id.chars().take(MAX_BLOCK_ID - suffix.len()).collect();
        base + &suffix
    })
}

fn fit_text(mut text: Text, max: usize) -> Text {
    let t = text.text_mut();
    *t = truncate(t, max);
    text
}

/// One block within the per-block limits, split into several when it holds too many items.
fn fit(block: Block) -> Vec<Block> {
    match block {
        Block::Header { mut text, block_id } => {
            if text.text.trim().is_empty() {
                return Vec::new();
            }
            text.text = truncate(&text.text, MAX_HEADER_TEXT);
            vec![Block::Header {
                text,
                block_id: fit_id(block_id, 0),
            }]
        }
        Block::Section {
            text,
            fields,
            block_id,
        } => {
            let text = text.filter(|t| !t.as_str().trim().is_empty());
            let text = text.map(|t| fit_text(t, MAX_SECTION_TEXT));
            let fields: Vec<Text> = fields
                .into_iter()
                .filter(|f| !f.as_str().trim().is_empty())
                .map(|f| fit_text(f, MAX_FIELD_TEXT))
                .collect();
            if text.is_none() && fields.is_empty() {
                return Vec::new();
            }
            let head = text.as_ref().map_or(0, |t| value_chars(&to_value(t)));
            let mut pieces = chunk(fields, MAX_FIELDS, head);
            if pieces.is_empty() {
                pieces.push(Vec::new());
            }
            let mut text = text;
            let pieces = pieces.into_iter().enumerate();
            pieces
                .map(|(i, fields)| Block::Section {
                    text: text.take(),
                    fields,
                    block_id: fit_id(block_id.clone(), i),
                })
                .collect()
        }
        Block::Context { elements, block_id } => {
            let elements: Vec<ContextElement> = elements
                .into_iter()
                .map(|e| match e {
                    ContextElement::Text(t) => ContextElement::Text(fit_text(t, MAX_CONTEXT_TEXT)),
                    ContextElement::Image(mut image) => {
                        image.alt_text = truncate(&image.alt_text, MAX_ALT_TEXT);
                        ContextElement::Image(image)
                    }
                })
                .collect();
            let pieces = chunk(elements, MAX_CONTEXT_ELEMENTS, 0)
                .into_iter()
                .enumerate();
            pieces
                .map(|(i, elements)| Block::Context {
                    elements,
                    block_id: fit_id(block_id.clone(), i),
                })
                .collect()
        }
        Block::Divider { block_id } => vec![Block::Divider {
            block_id: fit_id(block_id, 0),
        }],
        Block::Image {
            source,
            alt_text,
            title,
            block_id,
        } => {
            let alt_text = truncate(&alt_text, MAX_ALT_TEXT);
            let url_too_long = matches!(&source, ImageSource::ImageUrl(url) if url.chars().count() > MAX_IMAGE_URL);
            if url_too_long {
                // Slack would reject the block; say what the image was rather than drop it.
                return fit(Block::section(format!("🖼 {alt_text}")).with_id(block_id));
            }
            let title = title.map(|mut t| {
                t.text = truncate(&t.text, MAX_IMAGE_TITLE);
                t
            });
            let alt_text = if alt_text.trim().is_empty() {
                "image".to_string()
            } else {
                alt_text
            };
            vec![Block::Image {
                source,
                alt_text,
                title,
                block_id: fit_id(block_id, 0),
            }]
        }
        Block::Actions { elements, block_id } => {
            let elements = elements.into_iter().map(|mut b| {
                b.text.text = truncate(&b.text.text, MAX_BUTTON_TEXT);
                b.action_id = b.action_id.chars().take(MAX_ACTION_ID).collect();
                b.value = b.value.map(|v| v.chars().take(MAX_BUTTON_VALUE).collect());
                b
            });
            let pieces = chunk(elements.collect(), MAX_ACTIONS_ELEMENTS, 0)
                .into_iter()
                .enumerate();
            pieces
                .map(|(i, elements)| Block::Actions {
                    elements,
                    block_id: fit_id(block_id.clone(), i),
                })
                .collect()
        }
    }
}

impl Block {
    fn with_id(self, id: Option<String>) -> Block {
        match id {
            Some(id) => self.with_block_id(id),
            None => self,
        }
    }
}

/// Groups `items` in order: at most `max` per group, and a group's JSON (plus `head`, the
/// rest of the first block) within [`PIECE_BUDGET`]. Every group holds at least one item.
fn chunk<T: serde::Serialize>(items: Vec<T>, max: usize, head: usize) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut weight = 64 + head;
    for item in items {
        let w = value_chars(&to_value(&item)) + 1;
        if !current.is_empty() && (current.len() == max || weight + w > PIECE_BUDGET) {
            groups.push(std::mem::take(&mut current));
            weight = 64;
        }
        weight += w;
        current.push(item);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

fn first_header(blocks: &[Block]) -> Option<String> {
    match blocks.first() {
        Some(Block::Header { text, .. }) => Some(text.text.clone()),
        _ => None,
    }
}

/// What opens a continuation message: the first message's header marked "(suite)", or a
/// context line saying so when there is no header.
fn continuation_block(blocks: &[Block], lang: crate::domain::Lang) -> Block {
    let marker = i18n::CONTINUED.get(lang);
    match first_header(blocks) {
        Some(header) => {
            let room = MAX_HEADER_TEXT - marker.chars().count() - 1;
            Block::header(format!("{} {marker}", truncate(&header, room)))
        }
        None => Block::context(vec![format!("_{marker}_")]),
    }
}

fn to_value<T: serde::Serialize>(item: &T) -> Value {
    serde_json::to_value(item).expect("blocks always serialise")
}

/// Characters of `value` as JSON, counting each string by its characters, not its escapes.
fn value_chars(value: &Value) -> usize {
    let commas = |n: usize| n.saturating_sub(1);
    match value {
        Value::Null => 4,
        Value::Bool(b) => 4 + usize::from(!b),
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => s.chars().count() + 2,
        Value::Array(items) => {
            2 + items.iter().map(value_chars).sum::<usize>() + commas(items.len())
        }
        Value::Object(map) => {
            let members: usize = map
                .iter()
                .map(|(k, v)| k.chars().count() + 3 + value_chars(v))
                .sum();
            2 + members + commas(map.len())
        }
    }
}

/// The size Slack's undocumented total limit is measured against (see the module notes).
pub fn blocks_weight(blocks: &[Block]) -> usize {
    value_chars(&to_value(&blocks))
}

impl Message {
    /// This message with a short context line added at the end (a delivery note such as "chart
    /// unavailable"). When the message has no room for one more block, the note goes into the
    /// notification text instead; the limits still hold either way.
    pub fn with_note(&self, note: &str) -> Message {
        let note = truncate(note, MAX_CONTEXT_TEXT);
        let mut blocks = self.blocks.clone();
        let candidate = Block::context(vec![note.clone()]);
        blocks.push(candidate);
        if blocks.len() <= MAX_BLOCKS && blocks_weight(&blocks) <= MAX_BLOCKS_CHARS {
            return Message {
                text: self.text.clone(),
                blocks,
            };
        }
        Message {
            text: truncate(&format!("{}\n{note}", self.text), MAX_FALLBACK_TEXT),
            blocks: self.blocks.clone(),
        }
    }

    /// A text-only message (no blocks), within the fallback text limit.
    pub fn plain(text: impl Into<String>) -> Message {
        Message {
            text: truncate(&text.into(), MAX_FALLBACK_TEXT),
            blocks: Vec::new(),
        }
    }
}

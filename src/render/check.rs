//! [`check_limits`]: every Block Kit limit re-checked on a finished [`Message`], naming each
//! violation. `Draft::finalize` asserts it in debug builds and the tests call it on every
//! message they make, so the enforcement in `limits.rs` is itself checked from the outside.

use super::blocks::{Block, ContextElement, ImageSource, Message};
use super::limits::*;

/// Every limit of the module notes, checked on a finished message: `Err` lists each
/// violation. [`Draft::finalize`] asserts it in debug builds; tests use it directly.
pub fn check_limits(message: &Message) -> Result<(), String> {
    let mut c = Checker::default();
    c.max("fallback text", &message.text, MAX_FALLBACK_TEXT);
    let weight = blocks_weight(&message.blocks);
    if weight > MAX_BLOCKS_CHARS {
        c.fail(format!(
            "blocks JSON is {weight} characters, max {MAX_BLOCKS_CHARS}"
        ));
    }
    if message.blocks.len() > MAX_BLOCKS {
        c.fail(format!("{} blocks, max {MAX_BLOCKS}", message.blocks.len()));
    }
    let mut ids = std::collections::HashSet::new();
    for (i, block) in message.blocks.iter().enumerate() {
        c.at = i;
        if let Some(id) = block.block_id() {
            c.max("block_id", id, MAX_BLOCK_ID);
            if !ids.insert(id) {
                c.fail(format!("block {i} repeats block_id {id:?}"));
            }
        }
        match block {
            Block::Header { text, .. } => c.text("header", &text.text, MAX_HEADER_TEXT),
            Block::Section { text, fields, .. } => {
                if text.is_none() && fields.is_empty() {
                    c.fail(format!("block {i} (section) has neither text nor fields"));
                }
                if let Some(text) = text {
                    c.text("section text", text.as_str(), MAX_SECTION_TEXT);
                }
                c.count("fields", fields.len(), 0, MAX_FIELDS);
                fields
                    .iter()
                    .for_each(|f| c.text("field", f.as_str(), MAX_FIELD_TEXT));
            }
            Block::Context { elements, .. } => {
                c.count("context elements", elements.len(), 1, MAX_CONTEXT_ELEMENTS);
                for e in elements {
                    match e {
                        ContextElement::Text(t) => {
                            c.text("context text", t.as_str(), MAX_CONTEXT_TEXT)
                        }
                        ContextElement::Image(img) => {
                            c.text("context alt_text", &img.alt_text, MAX_ALT_TEXT)
                        }
                    }
                }
            }
            Block::Divider { .. } => {}
            Block::Image {
                source,
                alt_text,
                title,
                ..
            } => {
                c.text("alt_text", alt_text, MAX_ALT_TEXT);
                if let Some(title) = title {
                    c.text("image title", &title.text, MAX_IMAGE_TITLE);
                }
                if let ImageSource::ImageUrl(url) = source {
                    c.max("image_url", url, MAX_IMAGE_URL);
                }
            }
            Block::Actions { elements, .. } => {
                c.count("buttons", elements.len(), 1, MAX_ACTIONS_ELEMENTS);
                for b in elements {
                    c.text("button text", &b.text.text, MAX_BUTTON_TEXT);
                    c.max("action_id", &b.action_id, MAX_ACTION_ID);
                    c.max(
                        "button value",
                        b.value.as_deref().unwrap_or(""),
                        MAX_BUTTON_VALUE,
                    );
                }
            }
        }
    }
    if c.errors.is_empty() {
        Ok(())
    } else {
        Err(c.errors.join("; "))
    }
}

#[derive(Default)]
struct Checker {
    at: usize,
    errors: Vec<String>,
}

impl Checker {
    fn fail(&mut self, error: String) {
        self.errors.push(error);
    }

    fn max(&mut self, what: &str, s: &str, max: usize) {
        let len = s.chars().count();
        if len > max {
            self.fail(format!(
                "block {} {what} is {len} characters, max {max}",
                self.at
            ));
        }
    }

    /// Text Slack shows: not blank, and within `max`.
    fn text(&mut self, what: &str, s: &str, max: usize) {
        if s.trim().is_empty() {
            self.fail(format!("block {} has an empty {what}", self.at));
        }
        self.max(what, s, max);
    }

    fn count(&mut self, what: &str, n: usize, min: usize, max: usize) {
        if n < min || n > max {
            self.fail(format!(
                "block {} has {n} {what}, expected {min} to {max}",
                self.at
            ));
        }
    }
}

//! Any finished [`Message`] as terminal text, for the local commands that show what the bot
//! would post (`ask`): headers underlined, mrkdwn bold markers and code fences dropped,
//! `&amp;`/`&lt;`/`&gt;` unescaped, fields one per line, context elements joined with " · ".
//! The cockpit has its own richer terminal layout (`text.rs`); this one works for every
//! reply, including ones made of arbitrary blocks.

use super::blocks::{Block, ContextElement, ImageSource, Message, Text};

pub fn message_text(message: &Message) -> String {
    let mut out: Vec<String> = Vec::new();
    for block in message.blocks() {
        match block {
            Block::Header { text, .. } => {
                out.push(text.text.clone());
                out.push("─".repeat(text.text.chars().count().min(72)));
            }
            Block::Section { text, fields, .. } => {
                out.extend(text.iter().map(plain));
                out.extend(fields.iter().map(plain));
                out.push(String::new());
            }
            Block::Context { elements, .. } => {
                let parts: Vec<String> = elements
                    .iter()
                    .map(|e| match e {
                        ContextElement::Text(t) => plain(t),
                        ContextElement::Image(img) => format!("[{}]", img.alt_text),
                    })
                    .collect();
                out.push(parts.join(" · "));
            }
            Block::Divider { .. } => out.push("─".repeat(40)),
            Block::Image {
                source, alt_text, ..
            } => {
                let at = match source {
                    ImageSource::ImageUrl(url) => url.clone(),
                    ImageSource::SlackFile(f) => f.id.clone(),
                };
                out.push(format!("[image: {alt_text} ({at})]"));
            }
            Block::Actions { elements, .. } => {
                let buttons: Vec<String> = elements
                    .iter()
                    .map(|b| format!("[{}]", b.text.text))
                    .collect();
                out.push(buttons.join(" "));
            }
        }
    }
    if message.blocks().is_empty() {
        out.push(message.text().to_string());
    }
    let text = out.join("\n");
    text.trim_end().to_string() + "\n"
}

fn plain(text: &Text) -> String {
    let s = match text {
        Text::Mrkdwn { text } => text
            .lines()
            .filter(|l| l.trim() != "```")
            .collect::<Vec<_>>()
            .join("\n")
            .replace("```", "")
            .replace('*', ""),
        Text::Plain { text, .. } => return text.clone(),
    };
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::render::Draft;

    #[test]
    fn markup_is_dropped_and_entities_unescaped() {
        let mut draft = Draft::new(Lang::En, "x");
        draft.push(Block::header("Revenue"));
        draft.push(Block::section("*12 €* &amp; more\n```\na  1\n```"));
        draft.push(Block::context(vec!["one".into(), "two &lt;3".into()]));
        let text = message_text(&draft.finalize()[0]);
        assert_eq!(
            text,
            "Revenue\n───────\n12 € & more\na  1\n\none · two <3\n"
        );
    }
}

//! The cockpit as Block Kit: the CEO's 1-slide exactly as `/cockpit` and the morning digest
//! post it. One header, one section per family (marketing adds one field per channel, which
//! Slack lays out in two columns on a phone too), then context lines: charts, data freshness,
//! failures. About a dozen blocks and 2–3 k characters: one message, one screen, well inside
//! every limit; [`Draft::finalize`] still guards it, for a shop with 300 stock alerts.
//!
//! Charts are not embedded: the Slack layer uploads them as files next to the message.

use crate::cockpit::Cockpit;
use crate::domain::Lang;

use super::blocks::{escape_mrkdwn as esc, Block, Draft, Message};
use super::i18n;
use super::view::{cockpit_view, ChannelLine, Family, Row};

/// The cockpit message(s) to post, limits applied (normally exactly one).
pub fn cockpit_message(c: &Cockpit, lang: Lang) -> Vec<Message> {
    cockpit_draft(c, lang).finalize()
}

/// The cockpit before limits, for callers that add blocks (e.g. a digest's intro).
pub fn cockpit_draft(c: &Cockpit, lang: Lang) -> Draft {
    let view = cockpit_view(c, lang);
    let mut draft = Draft::new(lang, view.summary);
    draft.push(Block::header(view.title).with_block_id("cockpit-header"));
    for (i, family) in view.families.iter().enumerate() {
        let text = family_text(family, lang);
        let fields: Vec<String> = family
            .channels
            .iter()
            .map(|ch| channel_field(ch, lang))
            .collect();
        draft.push(
            Block::fields(Some(text), fields).with_block_id(format!("cockpit-family-{}", i + 1)),
        );
        if let Some(note) = &family.note {
            draft.push(Block::context(vec![format!("_{}_", esc(note))]));
        }
    }
    draft.push(Block::context(vec![esc(&view.charts)]));
    let mut footer = vec![format!(
        "{} · {}",
        esc(&view.subtitle),
        esc(&view.data_as_of)
    )];
    footer.extend(view.failures.iter().map(|f| esc(f)));
    draft.push(Block::context(footer).with_block_id("cockpit-footer"));
    draft
}

fn family_text(family: &Family, lang: Lang) -> String {
    let mut lines = vec![format!("*{} {}*", family.icon, esc(family.title))];
    lines.extend(family.rows.iter().map(|row| row_text(row, lang)));
    lines.join("\n")
}

fn row_text(row: &Row, lang: Lang) -> String {
    let colon = i18n::COLON.get(lang);
    match row {
        Row::Figure {
            label,
            value,
            detail,
        } => {
            let mut line = format!("{}{colon}", esc(label));
            if !value.is_empty() {
                line.push_str(&format!(" *{}*", esc(value)));
            }
            if !detail.is_empty() {
                line.push_str(&format!(" {}", esc(detail)));
            }
            line
        }
        Row::List {
            label,
            items,
            more,
            bulleted: true,
        } => {
            let mut lines = vec![format!("{}{colon}", esc(label))];
            lines.extend(
                items
                    .iter()
                    .map(|(name, value)| format!("• {} — {}", esc(name), esc(value))),
            );
            lines.extend(more.iter().map(|m| format!("  _{}_", esc(m))));
            lines.join("\n")
        }
        Row::List {
            label,
            items,
            more,
            bulleted: false,
        } => {
            let mut parts: Vec<String> = items
                .iter()
                .map(|(name, value)| format!("{} {}", esc(name), esc(value)))
                .collect();
            parts.extend(more.iter().map(|m| esc(m)));
            format!("{}{colon} {}", esc(label), parts.join(" · "))
        }
    }
}

/// One channel in the marketing section's fields:
/// "*Meta Ads* · 50 000 € (56 %)\nROAS 7 j *1,6* ▼ 9,1 % · 60 j 2,2\nCAC 30 j 42,50 € ▲ 4,2 %".
fn channel_field(ch: &ChannelLine, lang: Lang) -> String {
    let name = format!("*{}*", esc(&ch.name));
    if let Some(no_spend) = &ch.no_spend {
        return format!("{name}\n{}", esc(no_spend));
    }
    let days = i18n::DAYS_UNIT.get(lang);
    // A missing value has no change: no slot, no space before it.
    let change = |change: &str| match change {
        "" => String::new(),
        c => format!(" {}", esc(c)),
    };
    let lines = [
        format!("{name} · {} ({})", esc(&ch.spend), esc(&ch.share)),
        format!(
            "{} *{}*{} · 60\u{a0}{days} {}",
            i18n::ROAS_7D.get(lang),
            esc(&ch.roas),
            change(&ch.roas_change),
            esc(&ch.roas_60d)
        ),
        format!(
            "{} {}{}",
            i18n::CAC_30D.get(lang),
            esc(&ch.cac),
            change(&ch.cac_change)
        ),
    ];
    lines.join("\n")
}

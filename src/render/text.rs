//! The cockpit as a terminal summary, for `insight-desk demo` and
//! `report cockpit --format text`: the same figures, arrows and "—" as the Slack message
//! (both are laid out from `view.rs`), in aligned plain-text columns. Emoji stay in the last
//! column, where their double width cannot break the alignment.

use crate::cockpit::Cockpit;
use crate::domain::Lang;

use super::i18n;
use super::view::{cockpit_view, ChannelLine, Row};

/// Labels longer than this overflow their column rather than push every value right.
const MAX_LABEL_WIDTH: usize = 34;

pub fn cockpit_text(c: &Cockpit, lang: Lang) -> String {
    let view = cockpit_view(c, lang);
    let figure_rows = view
        .families
        .iter()
        .flat_map(|f| &f.rows)
        .filter_map(|r| match r {
            Row::Figure { label, value, .. } => Some((width(label), width(value))),
            Row::List { .. } => None,
        });
    let (label_w, value_w) = figure_rows.fold((0, 0), |(l, v), (rl, rv)| (l.max(rl), v.max(rv)));
    let label_w = label_w.min(MAX_LABEL_WIDTH);

    let mut out = vec![view.title.clone(), view.subtitle.clone()];
    for family in &view.families {
        out.push(String::new());
        out.push(format!("{} {}", family.icon, family.title.to_uppercase()));
        for row in &family.rows {
            match row {
                Row::Figure {
                    label,
                    value,
                    detail,
                } => {
                    let line = format!(
                        "  {}  {}  {detail}",
                        pad_right(label, label_w),
                        pad_left(value, value_w)
                    );
                    out.push(line.trim_end().to_string());
                }
                Row::List {
                    label, items, more, ..
                } => {
                    out.push(format!("  {label}"));
                    let name_w = items
                        .iter()
                        .map(|(n, _)| width(n))
                        .max()
                        .unwrap_or(0)
                        .max(label_w.saturating_sub(2));
                    for (name, value) in items {
                        out.push(format!("    {}  {value}", pad_right(name, name_w)));
                    }
                    out.extend(more.iter().map(|m| format!("    {m}")));
                }
            }
        }
        if !family.channels.is_empty() {
            out.extend(
                channel_table(&family.channels, lang)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
        }
        out.extend(family.note.iter().map(|n| format!("  {n}")));
    }
    out.push(String::new());
    out.push(view.data_as_of);
    out.extend(view.failures);
    out.join("\n") + "\n"
}

/// The marketing channels as an aligned table; channels without spend say so across.
fn channel_table(channels: &[ChannelLine], lang: Lang) -> Vec<String> {
    let header: Vec<String> = [
        i18n::CHANNEL,
        i18n::SPEND_30D,
        i18n::SHARE,
        i18n::ROAS_7D,
        i18n::CHANGE,
        i18n::ROAS_60D,
        i18n::CAC_30D,
        i18n::CHANGE,
    ]
    .iter()
    .map(|t| t.get(lang).to_string())
    .collect();
    let rows: Vec<Vec<String>> = channels
        .iter()
        .map(|ch| match &ch.no_spend {
            Some(note) => vec![ch.name.clone(), ch.spend.clone(), note.clone()],
            None => vec![
                ch.name.clone(),
                ch.spend.clone(),
                ch.share.clone(),
                ch.roas.clone(),
                ch.roas_change.clone(),
                ch.roas_60d.clone(),
                ch.cac.clone(),
                ch.cac_change.clone(),
            ],
        })
        .collect();
    // Short rows (a note) spill over the remaining columns and do not size them.
    let full = std::iter::once(&header).chain(rows.iter().filter(|r| r.len() == header.len()));
    let mut widths = vec![0; header.len()];
    for row in full {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            let last = row.len() - 1;
            let cells = row.iter().enumerate().map(|(i, cell)| match i {
                0 => pad_right(cell, widths[0]),
                _ if i == last && row.len() < header.len() => cell.clone(),
                _ => pad_left(cell, widths[i]),
            });
            cells.collect::<Vec<_>>().join("  ").trim_end().to_string()
        })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

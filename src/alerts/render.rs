//! How alerts read in Slack: the first post (title, value against baseline, suggested action,
//! the alert id and the mute buttons, a small chart), the details in its thread, reminders,
//! "resolved", and the list of open alerts (`/alerts`, the `alerts` digest).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::state::AlertRow;
use super::Finding;
use crate::domain::Lang;
use crate::render::{escape_mrkdwn, Block, Button, Draft, Message};
use crate::reply::{Reply, Visibility};

/// The `action_id` of the mute buttons; their `value` is `<alert id>:<hours>`.
pub const MUTE_ACTION: &str = "alert_mute";

pub fn alert(finding: &Finding, id: &str, lang: Lang) -> Reply {
    let title = format!("🔴 {}", finding.title);
    let mut draft = Draft::new(lang, title.clone());
    draft.push(Block::header(title));
    draft.push(Block::fields(
        None,
        vec![
            format!(
                "*{}*\n{}",
                lang.pick("Valeur", "Value"),
                escape_mrkdwn(&finding.value)
            ),
            format!(
                "*{}*\n{}",
                lang.pick("Référence", "Baseline"),
                escape_mrkdwn(&finding.baseline)
            ),
        ],
    ));
    draft.push(Block::section(format!(
        "*{}* {}",
        lang.pick("Action suggérée :", "Suggested action:"),
        finding.action
    )));
    draft.push(Block::context(vec![format!(
        "{} `{id}` · {} {} · `/alerts mute {id} 24h`",
        lang.pick("Alerte", "Alert"),
        lang.pick("données au", "data as of"),
        finding.as_of
    )]));
    draft.push(Block::actions(vec![
        mute_button(id, 24, lang.pick("Mettre en sourdine 24 h", "Mute 24 h")),
        mute_button(id, 24 * 7, lang.pick("Sourdine 7 jours", "Mute 7 days")),
    ]));
    Reply {
        visibility: Visibility::InChannel,
        messages: draft.finalize(),
        charts: finding.chart.clone().into_iter().collect(),
    }
}

fn mute_button(id: &str, hours: i64, label: &str) -> Button {
    let mut b = Button::new(label, format!("{MUTE_ACTION}_{hours}"));
    b.value = Some(format!("{id}:{hours}"));
    b
}

/// The thread's first reply: one line per item (the SKUs of a stock alert). Empty when the
/// finding has no details.
pub fn details(finding: &Finding, lang: Lang) -> Vec<Message> {
    if finding.details.is_empty() {
        return Vec::new();
    }
    let mut draft = Draft::new(lang, finding.title.clone());
    // Sections of at most ~40 lines, so that no text is cut.
    for chunk in finding.details.chunks(40) {
        draft.push(Block::section(chunk.join("\n")));
    }
    draft.finalize()
}

pub fn reminder(finding: &Finding, row: &AlertRow, lang: Lang) -> Message {
    let text = format!(
        "⏰ {} {} — {} : {}",
        lang.pick("Toujours ouverte depuis le", "Still open since"),
        row.opened_at.format("%Y-%m-%d"),
        escape_mrkdwn(&finding.title),
        escape_mrkdwn(&finding.value)
    );
    one_section(lang, text)
}

pub fn resolved(row: &AlertRow, now: DateTime<Utc>, lang: Lang) -> Message {
    let hours = (now - row.opened_at).num_hours();
    let text = format!(
        "✅ {} {} ({} {} h)",
        lang.pick("Résolue :", "Resolved:"),
        escape_mrkdwn(&row.title()),
        lang.pick("ouverte pendant", "open for"),
        hours
    );
    one_section(lang, text)
}

fn one_section(lang: Lang, text: String) -> Message {
    let mut draft = Draft::new(lang, text.clone());
    draft.push(Block::section(text));
    draft.finalize().remove(0)
}

/// The open alerts, oldest first: `/alerts` and the `alerts` digest.
pub fn open_list(rows: &[AlertRow], now: DateTime<Utc>, tz: Tz, lang: Lang) -> Vec<Message> {
    let title = match lang {
        Lang::Fr => format!("🔔 Alertes ouvertes : {}", rows.len()),
        Lang::En => format!("🔔 Open alerts: {}", rows.len()),
    };
    let mut draft = Draft::new(lang, title.clone());
    draft.push(Block::header(title));
    if rows.is_empty() {
        draft.push(Block::section(
            lang.pick("Aucune alerte ouverte. ✅", "No open alert. ✅")
                .to_string(),
        ));
    }
    for row in rows {
        let since = row.opened_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
        let mut line = format!(
            "`{}` *{}* — {} {since}",
            row.id,
            escape_mrkdwn(&row.title()),
            lang.pick("depuis le", "since")
        );
        if let Some(until) = row.muted_until.filter(|u| *u > now) {
            line.push_str(&format!(
                " · 🔕 {} {}",
                lang.pick("en sourdine jusqu'au", "muted until"),
                until.with_timezone(&tz).format("%Y-%m-%d %H:%M")
            ));
        }
        draft.push(Block::section(line));
    }
    draft.push(Block::context(vec![lang
        .pick(
            "`/alerts mute <id> 24h` met une alerte en sourdine, `/alerts unmute <id>` la réactive.",
            "`/alerts mute <id> 24h` mutes an alert, `/alerts unmute <id>` unmutes it.",
        )
        .to_string()]));
    draft.finalize()
}

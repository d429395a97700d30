//! The cockpit as the words and numbers a person reads, before any layout: every figure of
//! the five families of SPEC §5 formatted once, with its comparison and window. The Slack
//! renderer and the terminal renderer only arrange these strings, so the CEO's phone and the
//! `demo` summary cannot disagree on a number, an arrow or a "—".
//!
//! Strings here are plain text; the Slack renderer escapes and decorates them.

use crate::cockpit::{Cockpit, DataAsOf};
use crate::domain::{format_count, Lang};

use super::families::{commercial, financial, growth, marketing, operations};
use super::figures::{change_pct, money};
use super::i18n::{self, format_date, format_day_month};

pub(crate) struct CockpitView {
    /// "Cockpit — ven. 20 nov. 2026".
    pub title: String,
    /// "Maison Demo · Europe/Paris".
    pub subtitle: String,
    /// The notification fallback: the one line that matters.
    pub summary: String,
    pub families: Vec<Family>,
    pub data_as_of: String,
    /// One line per figure that could not be computed.
    pub failures: Vec<String>,
    pub charts: String,
}

pub(crate) struct Family {
    pub icon: &'static str,
    pub title: &'static str,
    pub rows: Vec<Row>,
    /// Marketing only: one line per channel.
    pub channels: Vec<ChannelLine>,
    /// Windows and cohorts the figures above refer to.
    pub note: Option<String>,
}

pub(crate) enum Row {
    /// "label  value  detail", e.g. "CA  9 123 €  🔴 ▼ 13,1 % vs objectif 10 500 €".
    Figure {
        label: String,
        value: String,
        detail: String,
    },
    /// A label over (name, value) items, with "+k more" when some are left out. `bulleted`
    /// lists (stock alerts) show one item per line everywhere; others fit on one line in Slack.
    List {
        label: String,
        items: Vec<(String, String)>,
        more: Option<String>,
        bulleted: bool,
    },
}

pub(crate) struct ChannelLine {
    pub name: String,
    pub spend: String,
    pub share: String,
    pub roas: String,
    pub roas_change: String,
    pub roas_60d: String,
    pub cac: String,
    pub cac_change: String,
    /// Set for channels without spend: "pas de dépenses · 600 nouveaux clients".
    pub no_spend: Option<String>,
}

pub(super) fn figure(label: &str, value: String, detail: String) -> Row {
    Row::Figure {
        label: label.to_string(),
        value,
        detail,
    }
}

/// "label (reason)" for a missing value: "— (pas de source de trafic)".
pub(super) fn missing(reason: i18n::Tr, lang: Lang) -> String {
    format!("({})", reason.get(lang))
}

pub(crate) fn cockpit_view(c: &Cockpit, lang: Lang) -> CockpitView {
    let title = format!(
        "{} — {}",
        i18n::COCKPIT.get(lang),
        format_date(c.date, lang)
    );
    CockpitView {
        subtitle: format!("{} · {}", c.shop, c.timezone),
        summary: summary(c, &title, lang),
        title,
        families: vec![
            financial(c, lang),
            commercial(c, lang),
            marketing(c, lang),
            operations(c, lang),
            growth(c, lang),
        ],
        data_as_of: data_as_of_line(&c.data_as_of, lang),
        failures: c
            .failures
            .iter()
            .map(|f| {
                let figure = i18n::figure_label(&f.figure, lang);
                format!(
                    "⚠ {figure} {}{} {}",
                    i18n::UNAVAILABLE.get(lang),
                    i18n::COLON.get(lang),
                    f.message
                )
            })
            .collect(),
        charts: i18n::CHARTS.get(lang).to_string(),
    }
}

fn summary(c: &Cockpit, title: &str, lang: Lang) -> String {
    let cur = &c.currency;
    let r = &c.revenue;
    let vs_target = match r.target {
        Some(_) => format!(
            "{} {}",
            change_pct(r.vs_target_pct, lang),
            i18n::VS_TARGET.get(lang)
        ),
        None => i18n::NO_TARGET.get(lang).to_string(),
    };
    let colon = i18n::COLON.get(lang);
    let orders = format!(
        "{} {}",
        format_count(c.orders.total, lang),
        i18n::ORDERS.get(lang).to_lowercase()
    );
    let mut text = format!(
        "{title}{colon} {} {} ({vs_target}), {orders}",
        i18n::REVENUE.get(lang),
        money(r.actual, cur, lang)
    );
    if !c.stock_alerts.is_empty() {
        let days = c.operations.stock_cover_threshold_days;
        text.push_str(&format!(
            ", {}",
            i18n::skus_under_cover(c.stock_alerts.len(), days, lang)
        ));
    }
    text
}

/// "Données : commandes au 20 nov. · ⚠ trésorerie au 18 nov. (en retard)".
pub fn data_as_of_line(d: &DataAsOf, lang: Lang) -> String {
    let late = |name: String, when: String| format!("⚠ {name}{when} ({})", i18n::LATE.get(lang));
    let mut sources: Vec<String> = d
        .sources
        .iter()
        .map(|s| {
            let name = i18n::source_label(&s.source, lang);
            let when = match s.latest {
                Some(day) => format!(" {} {}", i18n::AS_OF.get(lang), format_day_month(day, lang)),
                None => format!(" {}", i18n::NEVER_LOADED.get(lang)),
            };
            match s.stale || d.stale.contains(&s.source) {
                true => late(name, when),
                false => format!("{name}{when}"),
            }
        })
        .collect();
    // A stale source the list does not date is still worth a warning.
    let undated = d
        .stale
        .iter()
        .filter(|key| !d.sources.iter().any(|s| &s.source == *key));
    sources.extend(undated.map(|key| late(i18n::source_label(key, lang), String::new())));
    format!(
        "{}{} {}",
        i18n::DATA_AS_OF.get(lang),
        i18n::COLON.get(lang),
        sources.join(" · ")
    )
}

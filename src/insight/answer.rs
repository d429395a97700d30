//! [`answer`]: a parsed question turned into the [`Reply`] the bot posts.
//!
//! A metric question runs the metric exactly as `query` and the cockpit do (same SQL, same
//! bound parameters): its total over the period, the same total over the previous period
//! of the same length for the ▲/▼ comparison, and the breakdown when one was asked. The
//! message is a header (metric · period), the headline figure and its comparison, the
//! breakdown as an aligned table in a code block (15 rows at most, the rest combined as
//! "+N others" by the metric's value rule), and a context line with the definition and how
//! fresh the data it reads is. The chart is the one `query --chart` draws, rendered off the
//! async runtime; without a breakdown a multi-day period is charted day by day. A chart that
//! fails to draw costs the picture, never the answer.
//!
//! The catalogue, help and "not understood" replies are in `guide.rs`; they and a refused
//! breakdown are ephemeral (only the asker sees them), a figure is posted in the channel.

use std::collections::BTreeMap;

use anyhow::Context;

use super::{guide, MetricQuestion, Question};
use crate::charts::{metric_chart, Chart};
use crate::cockpit::{data_as_of_metric, DataAsOf};
use crate::commands::App;
use crate::domain::{Lang, Period};
use crate::metrics::{
    format_value, Dimension, MetricDef, MetricResult, MetricRow, Unit, ValueRule,
};
use crate::render::figures::{change_pct, change_pts};
use crate::render::{
    data_as_of_line, escape_mrkdwn as esc, format_date, format_period, Block, Draft, Message,
};
use crate::reply::{Reply, Visibility};
use crate::telemetry::spawn_blocking_in_span;

/// Rows of a breakdown shown by name; the rest are combined into one "+N others" row.
pub const MAX_TABLE_ROWS: usize = 15;
/// A breakdown key longer than this is cut, so the table stays narrow enough for a phone.
const MAX_KEY_WIDTH: usize = 22;

/// Answers `question` from the store: the metric's figures (posted in the channel), or the
/// catalogue, help, a refused breakdown or "not understood" (ephemeral). Errors are store
/// failures only; the caller turns them into a short apology.
pub async fn answer(app: &App, question: &Question) -> anyhow::Result<Reply> {
    let lang = app.lang;
    let registry = &app.registry;
    Ok(match question {
        Question::Metric(q) => metric_answer(app, q).await?,
        Question::BreakdownNotAllowed {
            metric,
            by,
            allowed,
        } => guide::breakdown_not_allowed(registry, metric, *by, allowed, lang),
        Question::List => guide::catalogue(registry, lang),
        Question::Help => guide::help(lang),
        Question::NotUnderstood { problem, closest } => {
            guide::not_understood(registry, problem, closest, lang)
        }
    })
}

/// What a metric answer is made of, once the queries have run.
pub(super) struct Figures<'a> {
    pub def: &'a MetricDef,
    pub question: &'a MetricQuestion,
    pub total: MetricResult,
    pub previous: MetricResult,
    pub split: Option<MetricResult>,
    pub data_as_of: DataAsOf,
    pub currency: &'a str,
}

async fn metric_answer(app: &App, q: &MetricQuestion) -> anyhow::Result<Reply> {
    let def = app
        .registry
        .get(&q.metric)
        .with_context(|| format!("metric {} is not in the catalogue", q.metric))?;
    let store = &app.store;
    let none = BTreeMap::new();
    let total = def.run(store, q.period, None, &none).await?;
    let previous = def.run(store, q.period.previous(), None, &none).await?;
    let split = match q.by {
        Some(dim) => Some(def.run(store, q.period, Some(dim), &none).await?),
        None => None,
    };
    let daily = q.by.is_none() && q.period.days() > 1 && def.breakdowns.contains(&Dimension::Day);
    let charted = match (&split, daily) {
        (Some(split), _) => Some(split.clone()),
        (None, true) => Some(
            def.run(store, q.period, Some(Dimension::Day), &none)
                .await?,
        ),
        (None, false) => None,
    };
    // Today's data is still arriving: freshness is judged against yesterday.
    let complete_to = match q.incomplete {
        true => q.period.to.pred_opt().unwrap_or(q.period.to),
        false => q.period.to,
    };
    let data_as_of = data_as_of_metric(store, complete_to, def)
        .await
        .context("failed to read how fresh the data is")?;
    let currency = app.shop.currency.as_str();
    let lang = app.lang;

    let mut chart_failed = false;
    let mut charts = Vec::new();
    if let Some(result) = charted {
        let (def_c, cur) = (def.clone(), currency.to_string());
        let drawn = spawn_blocking_in_span(move || metric_chart(&def_c, &result, &cur, lang))
            .await
            .and_then(|r| r);
        match drawn {
            Ok(chart) => charts.extend(chart),
            Err(e) => {
                tracing::warn!(metric = %def.name, error = %format!("{e:#}"), "insight chart failed");
                chart_failed = true;
            }
        }
    }
    let figures = Figures {
        def,
        question: q,
        total,
        previous,
        split,
        data_as_of,
        currency,
    };
    Ok(Reply {
        visibility: Visibility::InChannel,
        messages: metric_message(&figures, charts.first(), chart_failed, lang),
        charts,
    })
}

/// "par canal" / "by channel".
pub(super) fn by_words(dim: Dimension, lang: Lang) -> &'static str {
    match (dim, lang) {
        (Dimension::Day, Lang::Fr) => "par jour",
        (Dimension::Day, Lang::En) => "by day",
        (Dimension::Channel, Lang::Fr) => "par canal",
        (Dimension::Channel, Lang::En) => "by channel",
        (Dimension::Sku, Lang::Fr) => "par SKU",
        (Dimension::Sku, Lang::En) => "by SKU",
        (Dimension::Category, Lang::Fr) => "par catégorie",
        (Dimension::Category, Lang::En) => "by category",
        (Dimension::CustomerType, Lang::Fr) => "par type de client",
        (Dimension::CustomerType, Lang::En) => "by customer type",
        (Dimension::Source, Lang::Fr) => "par source",
        (Dimension::Source, Lang::En) => "by source",
        (Dimension::Campaign, Lang::Fr) => "par campagne",
        (Dimension::Campaign, Lang::En) => "by campaign",
    }
}

/// The column title of a breakdown key.
fn key_title(dim: Dimension, lang: Lang) -> &'static str {
    match dim {
        Dimension::Day => lang.pick("Jour", "Day"),
        Dimension::Channel => lang.pick("Canal", "Channel"),
        Dimension::Sku => "SKU",
        Dimension::Category => lang.pick("Catégorie", "Category"),
        Dimension::CustomerType => lang.pick("Clients", "Customers"),
        Dimension::Source => "Source",
        Dimension::Campaign => lang.pick("Campagne", "Campaign"),
    }
}

/// "ven. 20 nov. 2026" for one day, "17 nov. – 18 nov. 2026" for several.
fn dates(period: Period, lang: Lang) -> String {
    if period.from == period.to {
        format_date(period.from, lang)
    } else {
        format_period(period, lang)
    }
}

/// The change from `previous` to `current`: in points for a percentage, in % otherwise
/// ("—" when either is missing or the previous one is zero).
fn change(unit: Unit, current: Option<f64>, previous: Option<f64>, lang: Lang) -> String {
    match (current, previous) {
        (Some(c), Some(p)) if unit == Unit::Percent => change_pts(Some(c - p), lang),
        (Some(c), Some(p)) if p != 0.0 => change_pct(Some((c - p) / p.abs() * 100.0), lang),
        _ => change_pct(None, lang),
    }
}

/// The metric answer as Block Kit, limits applied.
pub(super) fn metric_message(
    f: &Figures,
    chart: Option<&Chart>,
    chart_failed: bool,
    lang: Lang,
) -> Vec<Message> {
    let (def, q) = (f.def, f.question);
    let colon = lang.pick("\u{a0}:", ":");
    let title = match q.by {
        Some(dim) => format!("{} {}", def.label(lang), by_words(dim, lang)),
        None => def.label(lang).to_string(),
    };
    let header = format!("{title} · {}", q.period_label(lang));
    let value = format_value(def.unit, f.total.value(), f.currency, lang);
    let prev_value = format_value(def.unit, f.previous.value(), f.currency, lang);
    // A day still in progress against a whole one would always look like a collapse.
    let change = match q.incomplete {
        true => change_pct(None, lang),
        false => change(def.unit, f.total.value(), f.previous.value(), lang),
    };
    let fallback = esc(&format!("{header}{colon} {value} ({change})"));

    let mut draft = Draft::new(lang, fallback);
    draft.push(Block::header(header).with_block_id("insight-header"));
    let mut headline = format!(
        "*{}* · {}\n{} vs {} ({})",
        esc(&value),
        esc(&dates(q.period, lang)),
        esc(&change),
        esc(&dates(f.previous.period, lang)),
        esc(&prev_value),
    );
    if q.incomplete {
        headline.push_str(&format!(
            "\n⏳ {}",
            lang.pick(
                "journée en cours : chiffres partiels",
                "today is still in progress: partial figures"
            )
        ));
    }
    draft.push(Block::section(headline).with_block_id("insight-total"));
    if let Some(split) = &f.split {
        draft.push(Block::section(table(f, split, lang)).with_block_id("insight-table"));
    }

    let mut context = vec![esc(def.description(lang))];
    context.push(esc(&data_as_of_line(&f.data_as_of, lang)));
    if let Some(chart) = chart {
        context.push(format!(
            "📈 {}{colon} {}",
            lang.pick("Graphique joint", "Chart attached"),
            esc(&chart.title)
        ));
    } else if chart_failed {
        context.push(format!(
            "⚠ {}",
            lang.pick("graphique indisponible", "chart unavailable")
        ));
    }
    if !q.ignored.is_empty() {
        let words: Vec<String> = q
            .ignored
            .iter()
            .map(|w| format!("“{}”", esc(&w.chars().take(30).collect::<String>())))
            .collect();
        context.push(format!(
            "{}{colon} {}",
            lang.pick("Mots ignorés", "Ignored words"),
            words.join(", ")
        ));
    }
    draft.push(Block::context(context).with_block_id("insight-context"));
    draft.finalize()
}

/// The breakdown as an aligned table in a code block: key, value, and the share of the total
/// for sums of non-negative figures. Days run in date order (the latest 15 shown); other
/// keys by value, largest first. What does not fit is one "+N others" row.
fn table(f: &Figures, split: &MetricResult, lang: Lang) -> String {
    let def = f.def;
    let dim = split.by.unwrap_or(Dimension::Day);
    if split.rows.is_empty() {
        return format!(
            "_{}_",
            lang.pick("Aucune donnée sur la période.", "No data for this period.")
        );
    }
    let mut rows: Vec<&MetricRow> = split.rows.iter().collect();
    let (shown, rest): (Vec<&MetricRow>, Vec<&MetricRow>) = if dim == Dimension::Day {
        let cut = rows.len().saturating_sub(MAX_TABLE_ROWS);
        let rest = rows.drain(..cut).collect();
        (rows, rest)
    } else {
        rows.sort_by(|a, b| {
            let key = |r: &MetricRow| r.value.unwrap_or(f64::NEG_INFINITY);
            key(b).total_cmp(&key(a))
        });
        let rest = rows.split_off(rows.len().min(MAX_TABLE_ROWS));
        (rows, rest)
    };
    let total_value = f.total.value();
    let with_share = dim != Dimension::Day
        && def.value == ValueRule::Sum
        && total_value.is_some_and(|t| t > 0.0)
        && split.rows.iter().all(|r| r.value.unwrap_or(0.0) >= 0.0);
    let share = |v: Option<f64>| match (v, total_value) {
        (Some(v), Some(t)) if with_share => crate::domain::format_pct(v / t * 100.0, 0, lang),
        _ => String::new(),
    };
    let fmt = |v: Option<f64>| format_value(def.unit, v, f.currency, lang);

    let mut lines: Vec<[String; 3]> = vec![[
        key_title(dim, lang).to_string(),
        def.label(lang).to_string(),
        if with_share {
            lang.pick("Part", "Share").to_string()
        } else {
            String::new()
        },
    ]];
    let others = |n: usize| match (dim, lang) {
        (Dimension::Day, Lang::Fr) => format!("+{n} jour{} avant", if n == 1 { "" } else { "s" }),
        (Dimension::Day, Lang::En) => format!("+{n} earlier day{}", if n == 1 { "" } else { "s" }),
        (_, Lang::Fr) => format!("+{n} autre{}", if n == 1 { "" } else { "s" }),
        (_, Lang::En) => format!("+{n} other{}", if n == 1 { "" } else { "s" }),
    };
    let rest_line = (!rest.is_empty()).then(|| {
        let v = def.combine(&rest);
        [others(rest.len()), fmt(v), share(v)]
    });
    if dim == Dimension::Day {
        lines.extend(rest_line.clone());
    }
    for row in &shown {
        let day = (dim == Dimension::Day)
            .then(|| row.key.as_deref()?.get(..10)?.parse().ok())
            .flatten();
        let key = match (&row.key, day) {
            (_, Some(day)) => format_date(day, lang),
            (Some(k), None) => dim.key_label(k, lang),
            (None, None) => lang.pick("(aucun)", "(none)").to_string(),
        };
        lines.push([key, fmt(row.value), share(row.value)]);
    }
    if dim != Dimension::Day {
        lines.extend(rest_line);
    }
    lines.push(["Total".to_string(), fmt(total_value), share(total_value)]);
    format!("```\n{}\n```", align(lines))
}

/// Columns padded to their widest cell: the key left-aligned (and cut), the figures right.
fn align(lines: Vec<[String; 3]>) -> String {
    let width = |s: &str| s.chars().count();
    let lines: Vec<[String; 3]> = lines
        .into_iter()
        .map(|[key, value, share]| {
            // A backtick in data would close the code block early.
            let key = key.replace('`', "'");
            let key = if width(&key) > MAX_KEY_WIDTH {
                let cut: String = key.chars().take(MAX_KEY_WIDTH - 1).collect();
                format!("{cut}…")
            } else {
                key
            };
            [key, value, share]
        })
        .collect();
    let mut widths = [0; 3];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(width(cell));
        }
    }
    lines
        .iter()
        .map(|[key, value, share]| {
            let pad = |s: &str, w: usize| " ".repeat(w.saturating_sub(width(s)));
            let mut line = format!(
                "{key}{}  {}{value}",
                pad(key, widths[0]),
                pad(value, widths[1])
            );
            if widths[2] > 0 {
                line.push_str(&format!("  {}{share}", pad(share, widths[2])));
            }
            esc(line.trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

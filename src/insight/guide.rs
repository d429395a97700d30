//! The replies that help someone ask: the catalogue (`/insight list`), how to ask
//! (`/insight help`), a breakdown the metric does not have, and "not understood" with the
//! closest metric names and three examples. All are ephemeral: only the asker sees them.
//!
//! The catalogue is built from the registry, so a metric dropped into `queries/` appears
//! here with its label, breakdowns and synonyms; long catalogues are packed into several
//! sections (and, past Slack's limits, several messages) by `Draft::finalize`.

use super::answer::by_words;
use super::{examples, Problem};
use crate::domain::Lang;
use crate::metrics::{Dimension, Registry};
use crate::render::{escape_mrkdwn as esc, format_period, Block, Draft};
use crate::reply::Reply;

/// Characters of catalogue lines per section, well under Slack's 3 000.
const SECTION_BUDGET: usize = 2500;

fn example_lines(lang: Lang) -> String {
    examples(lang)
        .iter()
        .map(|e| format!("• `/insight {e}`"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn footer(lang: Lang) -> Block {
    Block::context(vec![lang
        .pick(
            "`/insight list` : le catalogue · `/insight help` : comment demander",
            "`/insight list`: the catalogue · `/insight help`: how to ask",
        )
        .to_string()])
}

/// "jour, canal" / "day, channel", or "aucun" / "none".
fn breakdown_list(dims: &[Dimension], lang: Lang) -> String {
    if dims.is_empty() {
        return lang.pick("aucun", "none").to_string();
    }
    dims.iter()
        .map(|d| {
            let words = by_words(*d, lang);
            words.split_once(' ').map_or(words, |(_, noun)| noun)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/insight list`: every metric with its label, breakdowns and synonyms.
pub(super) fn catalogue(registry: &Registry, lang: Lang) -> Reply {
    let title = format!(
        "{} ({})",
        lang.pick("Métriques disponibles", "Available metrics"),
        registry.len()
    );
    let mut draft = Draft::new(lang, title.clone());
    draft.push(Block::header(title));
    let mut section = String::new();
    for def in registry.iter() {
        let mut line = format!("*`{}`* — {}", esc(&def.name), esc(def.label(lang)));
        if !def.breakdowns.is_empty() {
            line.push_str(&format!(
                " · {} {}",
                lang.pick("par", "by"),
                breakdown_list(&def.breakdowns, lang)
            ));
        }
        if !def.synonyms.is_empty() {
            line.push_str(&format!("\n      _{}_", esc(&def.synonyms.join(", "))));
        }
        if !section.is_empty() && section.chars().count() + line.chars().count() > SECTION_BUDGET {
            draft.push(Block::section(std::mem::take(&mut section)));
        }
        if !section.is_empty() {
            section.push('\n');
        }
        section.push_str(&line);
    }
    if !section.is_empty() {
        draft.push(Block::section(section));
    }
    draft.push(footer(lang));
    Reply::ephemeral(draft.finalize())
}

/// `/insight help`: what a question is made of, and examples.
pub(super) fn help(lang: Lang) -> Reply {
    let title = lang.pick("Poser une question à Insight Desk", "Asking Insight Desk");
    let mut draft = Draft::new(lang, title);
    draft.push(Block::header(title));
    let how = match lang {
        Lang::Fr => "`/insight <métrique> [découpage] [période]`, en français ou en anglais.\n\
            • *Métrique* : son nom ou un synonyme (`ca`, `marge`, `panier moyen`, `roas`…).\n\
            • *Découpage* : `par canal`, `par produit`, `par catégorie`, `par segment` (nouveaux vs récurrents), `par jour`, `par source`, `par campagne`.\n\
            • *Période* : `hier`, `aujourd'hui`, `7j`, `30 derniers jours`, `cette semaine`, `semaine dernière`, `ce mois`, `mois dernier`, `cette année`, `2026-10`, `octobre`, `2026-11-20`, `du 1 au 15 octobre`. Par défaut : les 30 derniers jours, jusqu'à hier.",
        Lang::En => "`/insight <metric> [breakdown] [period]`, in English or French.\n\
            • *Metric*: its name or a synonym (`revenue`, `margin`, `aov`, `roas`…).\n\
            • *Breakdown*: `by channel`, `by product`, `by category`, `by segment` (new vs returning), `daily`, `by source`, `by campaign`.\n\
            • *Period*: `yesterday`, `today`, `7d`, `last 30 days`, `this week`, `last week`, `this month`, `last month`, `ytd`, `2026-10`, `october`, `2026-11-20`, `from 2026-10-01 to 2026-10-15`. Default: the last 30 days, up to yesterday.",
    };
    draft.push(Block::section(how));
    draft.push(Block::section(format!(
        "*{}*\n{}",
        lang.pick("Exemples", "Examples"),
        example_lines(lang)
    )));
    draft.push(footer(lang));
    Reply::ephemeral(draft.finalize())
}

/// A metric asked with a breakdown it does not have: which ones it has, and an example.
pub(super) fn breakdown_not_allowed(
    registry: &Registry,
    metric: &str,
    by: Dimension,
    allowed: &[Dimension],
    lang: Lang,
) -> Reply {
    let label = registry
        .get(metric)
        .map_or(metric.to_string(), |d| d.label(lang).to_string());
    let mut text = match lang {
        Lang::Fr => format!(
            "*{}* (`{}`) ne se découpe pas {}. Découpages possibles : {}.",
            esc(&label),
            esc(metric),
            by_words(by, lang),
            breakdown_list(allowed, lang)
        ),
        Lang::En => format!(
            "*{}* (`{}`) cannot be broken down {}. Possible breakdowns: {}.",
            esc(&label),
            esc(metric),
            by_words(by, lang),
            breakdown_list(allowed, lang)
        ),
    };
    let example = match allowed.first() {
        Some(dim) => format!(
            "{metric} {} {}",
            by_words(*dim, lang),
            lang.pick("30j", "last 30 days")
        ),
        None => format!("{metric} {}", lang.pick("30j", "last 30 days")),
    };
    text.push_str(&format!(
        "\n{}{} `/insight {}`",
        lang.pick("Essayez", "Try"),
        lang.pick("\u{a0}:", ":"),
        esc(&example)
    ));
    let mut draft = Draft::new(lang, text.clone());
    draft.push(Block::section(text));
    draft.push(footer(lang));
    Reply::ephemeral(draft.finalize())
}

/// What went wrong, the closest metric names and three examples.
pub(super) fn not_understood(
    registry: &Registry,
    problem: &Problem,
    closest: &[String],
    lang: Lang,
) -> Reply {
    let what = match (problem, lang) {
        (Problem::NoMetric, Lang::Fr) => {
            "Je n'ai pas reconnu de métrique dans cette question.".to_string()
        }
        (Problem::NoMetric, Lang::En) => "I did not recognise a metric in this question.".into(),
        (Problem::TooLong { max }, Lang::Fr) => format!(
            "Question trop longue (plus de {max} caractères) : posez-la en quelques mots."
        ),
        (Problem::TooLong { max }, Lang::En) => {
            format!("That question is too long (over {max} characters): ask it in a few words.")
        }
        (Problem::InvalidPeriod(words), Lang::Fr) => format!(
            "Je ne comprends pas la période « {} » : une date qui n'existe pas, ou une durée de plus de dix ans.",
            esc(&words.chars().take(60).collect::<String>())
        ),
        (Problem::InvalidPeriod(words), Lang::En) => format!(
            "I do not understand the period “{}”: a date that does not exist, or more than ten years.",
            esc(&words.chars().take(60).collect::<String>())
        ),
        (Problem::FuturePeriod(p), Lang::Fr) => format!(
            "La période {} est dans le futur : pas encore de données.",
            format_period(*p, lang)
        ),
        (Problem::FuturePeriod(p), Lang::En) => format!(
            "The period {} is in the future: no data yet.",
            format_period(*p, lang)
        ),
    };
    let names: Vec<String> = closest
        .iter()
        .filter_map(|name| registry.get(name))
        .map(|d| format!("`{}` ({})", esc(&d.name), esc(d.label(lang))))
        .collect();
    let mut text = format!("🤔 {what}");
    if !names.is_empty() {
        let intro = match problem {
            Problem::NoMetric | Problem::TooLong { .. } => {
                lang.pick("Métriques les plus proches", "Closest metrics")
            }
            _ => lang.pick("Métrique", "Metric"),
        };
        text.push_str(&format!(
            "\n{intro}{} {}",
            lang.pick("\u{a0}:", ":"),
            names.join(", ")
        ));
    }
    let mut draft = Draft::new(lang, what);
    draft.push(Block::section(text));
    draft.push(Block::section(format!(
        "*{}*\n{}",
        lang.pick("Par exemple", "For example"),
        example_lines(lang)
    )));
    draft.push(footer(lang));
    Reply::ephemeral(draft.finalize())
}

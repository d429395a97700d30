//! [`parse_question`]: the question's tokens read left to right; at each position the longest
//! phrase wins among a metric (its name or a synonym from `queries/`), a breakdown or
//! command keyword, and a period (`when.rs`). So "nouveaux clients" (a metric) and
//! "nouveaux vs récurrents" (a breakdown) never get in each other's way, and "roas 60j" is
//! the 60-day ROAS metric while "roas 30j" is ROAS over 30 days. The first metric, the first
//! breakdown and the first period count; any other word that is not a small filler word is
//! reported back as not understood.

use chrono::NaiveDate;

use super::when::{self, When};
use super::words::{is_filler, tokens, Keyword, KEYWORDS, MAX_QUESTION_CHARS};
use super::{MetricQuestion, Problem, Question};
use crate::metrics::{Dimension, Registry};

/// At most this many ignored words are kept to show back.
const MAX_IGNORED: usize = 8;

/// Metrics offered when the question gives nothing to compare names with, most asked first.
const POPULAR: [&str; 6] = [
    "revenue",
    "gross_margin",
    "orders",
    "aov",
    "roas",
    "conversion_rate",
];

/// Parses `text` (the words after `/insight`) against the catalogue. `today` is the shop's
/// current local date; periods end at yesterday unless the question asks for today.
/// Deterministic, total (never panics), and reads at most [`MAX_QUESTION_CHARS`] characters.
pub fn parse_question(text: &str, registry: &Registry, today: NaiveDate) -> Question {
    if text.chars().count() > MAX_QUESTION_CHARS {
        return Question::NotUnderstood {
            problem: Problem::TooLong {
                max: MAX_QUESTION_CHARS,
            },
            closest: popular(registry, None),
        };
    }
    let t = tokens(text);
    if t.is_empty() {
        return Question::Help;
    }
    let metrics = metric_phrases(registry);
    let keywords: Vec<(Vec<&str>, Keyword)> = KEYWORDS
        .iter()
        .map(|(phrase, k)| (phrase.split(' ').collect(), *k))
        .collect();

    let mut metric: Option<String> = None;
    let mut by: Option<Dimension> = None;
    let mut period: Option<When> = None;
    let mut unknown: Vec<String> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    let mut first_keyword: Option<Keyword> = None;
    let mut seen_anything = false;

    let mut i = 0;
    while i < t.len() {
        let m = longest(&t, i, metrics.iter().map(|(p, name)| (p.as_slice(), name)));
        let k = longest(&t, i, keywords.iter().map(|(p, k)| (p.as_slice(), k)));
        let p = when::parse_at(&t, i, today);
        let (m_len, k_len, p_len) = (
            m.map_or(0, |(n, _)| n),
            k.map_or(0, |(n, _)| n),
            p.as_ref().map_or(0, |(_, n)| *n),
        );
        let best = m_len.max(k_len).max(p_len);
        let words = || t[i..i + best.max(1)].join(" ");
        if best == 0 {
            if !is_filler(&t[i]) {
                unknown.push(t[i].clone());
                seen_anything = true;
            }
            i += 1;
            continue;
        }
        if m_len == best {
            let (_, name) = m.expect("m_len > 0");
            match &metric {
                None => metric = Some(name.to_string()),
                Some(_) => ignored.push(words()),
            }
        } else if k_len == best {
            let (_, keyword) = k.expect("k_len > 0");
            if !seen_anything {
                first_keyword = Some(*keyword);
            }
            match keyword {
                Keyword::By(dim) if by.is_none() => by = Some(*dim),
                Keyword::By(_) => ignored.push(words()),
                Keyword::List | Keyword::Help => {}
            }
        } else {
            let (when, _) = p.expect("p_len > 0");
            match (&period, when) {
                (None, when) => period = Some(when),
                (Some(_), _) => ignored.push(words()),
            }
        }
        seen_anything = true;
        i += best;
    }

    match first_keyword {
        Some(Keyword::List) => return Question::List,
        Some(Keyword::Help) => return Question::Help,
        _ => {}
    }
    let Some(name) = metric else {
        let closest = match unknown.is_empty() {
            true => popular(registry, by),
            false => {
                let typed: String = unknown.join(" ").chars().take(60).collect();
                registry
                    .suggest(&typed, 3)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            }
        };
        return Question::NotUnderstood {
            problem: Problem::NoMetric,
            closest,
        };
    };
    let def = registry.get(&name).expect("phrases come from the registry");
    if let Some(dim) = by.filter(|d| !def.breakdowns.contains(d)) {
        return Question::BreakdownNotAllowed {
            metric: name,
            by: dim,
            allowed: def.breakdowns.clone(),
        };
    }
    let (period, asked, incomplete) = match period.unwrap_or_else(|| when::default_period(today)) {
        When::Found {
            period,
            asked,
            incomplete,
        } => (period, asked, incomplete),
        When::Invalid(words) => {
            return Question::NotUnderstood {
                problem: Problem::InvalidPeriod(words),
                closest: vec![name],
            }
        }
        When::Future(period) => {
            return Question::NotUnderstood {
                problem: Problem::FuturePeriod(period),
                closest: vec![name],
            }
        }
    };
    unknown.extend(ignored);
    unknown.truncate(MAX_IGNORED);
    Question::Metric(MetricQuestion {
        metric: name,
        by,
        period,
        asked,
        incomplete,
        ignored: unknown,
    })
}

/// Every metric's name and synonyms as token sequences, with the metric they mean. A phrase
/// two metrics share means the one [`Registry::resolve`] picks: names first, then synonyms
/// in catalogue order.
fn metric_phrases(registry: &Registry) -> Vec<(Vec<String>, String)> {
    let mut phrases: Vec<(Vec<String>, String)> = Vec::new();
    let names = registry.iter().map(|m| (m.name.as_str(), &m.name));
    let synonyms = registry
        .iter()
        .flat_map(|m| m.synonyms.iter().map(move |s| (s.as_str(), &m.name)));
    for (text, name) in names.chain(synonyms) {
        let phrase = tokens(text);
        if !phrase.is_empty() && !phrases.iter().any(|(p, _)| *p == phrase) {
            phrases.push((phrase, name.clone()));
        }
    }
    phrases
}

/// The longest phrase of `candidates` that `t` has at `i`: its length and its meaning.
fn longest<'a, P, T>(
    t: &[String],
    i: usize,
    candidates: impl Iterator<Item = (&'a [P], T)>,
) -> Option<(usize, T)>
where
    P: AsRef<str> + 'a,
{
    let mut best: Option<(usize, T)> = None;
    for (phrase, meaning) in candidates {
        let n = phrase.len();
        let fits = t.get(i..i + n).is_some_and(|words| {
            words
                .iter()
                .zip(phrase)
                .all(|(w, p)| w.as_str() == p.as_ref())
        });
        if fits && best.as_ref().map_or(true, |(b, _)| n > *b) {
            best = Some((n, meaning));
        }
    }
    best
}

/// The most asked metrics, those that allow `by` first.
fn popular(registry: &Registry, by: Option<Dimension>) -> Vec<String> {
    let allows = |name: &&&str| {
        registry
            .get(name)
            .is_some_and(|m| by.map_or(true, |d| m.breakdowns.contains(&d)))
    };
    let mut names: Vec<String> = POPULAR
        .iter()
        .filter(allows)
        .take(3)
        .map(|s| s.to_string())
        .collect();
    if names.is_empty() {
        names = registry.iter().take(3).map(|m| m.name.clone()).collect();
    }
    names
}

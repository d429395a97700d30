//! `/insight <question>`, without any transport: the question text parsed into a typed
//! [`Question`] ([`parse_question`]), then answered as a [`Reply`](crate::reply::Reply)
//! ([`answer`]) that Slack, HTTP or the local `ask` command deliver as they are.
//!
//! The parser is deterministic and knows French and English: a metric by its name or any
//! synonym of its `queries/` header ("chiffre d'affaires", "panier moyen", "aov"), an
//! optional breakdown ("par canal", "by segment", "nouveaux vs récurrents") and a period
//! ("hier", "7j", "last 30 days", "ce mois", "2026-10", "du 1 au 15 octobre"). Nothing of
//! the text ever reaches SQL: it only selects a metric of the catalogue, one of the fixed
//! [`Dimension`]s and two dates, all bound as parameters. Words it does not know are
//! reported back with the answer rather than guessed at; a question without a metric gets
//! the closest metric names and examples.
//!
//! - `words`: normalisation (case, accents, punctuation) and the fixed vocabulary;
//! - `when`: periods;
//! - `parse`: the question as a whole;
//! - `answer` and `guide`: the replies (a figure with its table, comparison and chart; the
//!   catalogue, help and "not understood").

mod answer;
mod guide;
mod parse;
mod when;
mod words;

use chrono::Datelike;

use crate::domain::{Lang, Period};
use crate::metrics::Dimension;
use crate::render::{format_date, format_period};

pub use answer::answer;
pub use parse::parse_question;
pub use words::MAX_QUESTION_CHARS;

/// What a question asks, parsed once at the edge.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// A figure of the catalogue over a period, optionally broken down.
    Metric(MetricQuestion),
    /// A known metric with a breakdown it does not have ("cash par canal").
    BreakdownNotAllowed {
        metric: String,
        by: Dimension,
        allowed: Vec<Dimension>,
    },
    /// "list", "métriques": the catalogue.
    List,
    /// "help", "aide", or nothing at all.
    Help,
    /// No metric recognised, or a period that cannot be: what went wrong and the closest
    /// metric names (best first, at most three).
    NotUnderstood {
        problem: Problem,
        closest: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuestion {
    /// The metric's canonical name in the catalogue.
    pub metric: String,
    pub by: Option<Dimension>,
    pub period: Period,
    /// How the period was asked, for its label ("ce mois-ci", "last 7 days").
    pub asked: AskedPeriod,
    /// The period includes today, whose figures are still coming in.
    pub incomplete: bool,
    /// Words of the question that were not understood (normalised), shown with the answer.
    pub ignored: Vec<String>,
}

/// How a period was asked. Windows count back from yesterday, the last complete day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskedPeriod {
    /// No period in the question: the last 30 days.
    Default,
    Yesterday,
    DayBeforeYesterday,
    Today,
    LastDays(u32),
    LastWeeks(u32),
    LastMonths(u32),
    ThisWeek,
    LastWeek,
    ThisMonth,
    LastMonth,
    ThisYear,
    LastYear,
    /// A calendar month ("2026-10", "octobre").
    Month,
    /// A calendar year ("2025").
    Year,
    /// One day ("2026-11-20", "20 nov.").
    Day,
    /// Explicit dates ("du 1 au 15 octobre").
    Range,
}

/// Why a question could not be answered as asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// No metric name or synonym in the question.
    NoMetric,
    /// The question is longer than [`MAX_QUESTION_CHARS`]; it was not read.
    TooLong { max: usize },
    /// Something shaped like a period that is not one ("2026-02-30", "99999j"), as typed.
    InvalidPeriod(String),
    /// A period entirely after today.
    FuturePeriod(Period),
}

/// Three questions that work, in `lang`: shown with help and "not understood".
pub fn examples(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Fr => [
            "marge par canal 30j",
            "ca hier",
            "panier moyen nouveaux vs récurrents ce mois",
        ],
        Lang::En => [
            "revenue by channel last 7 days",
            "aov by segment this month",
            "orders yesterday",
        ],
    }
}

const MONTH_NAMES: [(&str, &str); 12] = [
    ("janvier", "January"),
    ("février", "February"),
    ("mars", "March"),
    ("avril", "April"),
    ("mai", "May"),
    ("juin", "June"),
    ("juillet", "July"),
    ("août", "August"),
    ("septembre", "September"),
    ("octobre", "October"),
    ("novembre", "November"),
    ("décembre", "December"),
];

impl MetricQuestion {
    /// The period as the question put it: "30 derniers jours", "hier", "octobre 2026",
    /// "this month", "1 Oct – 15 Oct 2026".
    pub fn period_label(&self, lang: Lang) -> String {
        let plural = |n: u32, fr_one: &str, fr: &str, en_one: &str, en: &str| match (lang, n) {
            (Lang::Fr, 1) => fr_one.to_string(),
            (Lang::Fr, n) => format!("{n} {fr}"),
            (Lang::En, 1) => en_one.to_string(),
            (Lang::En, n) => format!("last {n} {en}"),
        };
        let p = self.period;
        match self.asked {
            AskedPeriod::Default => lang.pick("30 derniers jours", "last 30 days").into(),
            AskedPeriod::Yesterday => lang.pick("hier", "yesterday").into(),
            AskedPeriod::DayBeforeYesterday => {
                lang.pick("avant-hier", "day before yesterday").into()
            }
            AskedPeriod::Today => lang.pick("aujourd'hui", "today").into(),
            AskedPeriod::LastDays(n) => {
                plural(n, "dernier jour", "derniers jours", "last day", "days")
            }
            AskedPeriod::LastWeeks(n) => plural(
                n,
                "dernière semaine",
                "dernières semaines",
                "last week",
                "weeks",
            ),
            AskedPeriod::LastMonths(n) => {
                plural(n, "dernier mois", "derniers mois", "last month", "months")
            }
            AskedPeriod::ThisWeek => lang.pick("cette semaine", "this week").into(),
            AskedPeriod::LastWeek => lang.pick("semaine dernière", "last week").into(),
            AskedPeriod::ThisMonth => lang.pick("ce mois-ci", "this month").into(),
            AskedPeriod::LastMonth => lang.pick("mois dernier", "last month").into(),
            AskedPeriod::ThisYear => lang.pick("depuis le 1er janvier", "year to date").into(),
            AskedPeriod::LastYear => lang.pick("année dernière", "last year").into(),
            AskedPeriod::Month => {
                let (fr, en) = MONTH_NAMES[p.from.month0() as usize];
                format!("{} {}", lang.pick(fr, en), p.from.year())
            }
            AskedPeriod::Year => p.from.year().to_string(),
            AskedPeriod::Day => format_date(p.from, lang),
            AskedPeriod::Range => format_period(p, lang),
        }
    }
}

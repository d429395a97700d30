//! The period of a question: "hier", "7j", "last 30 days", "ce mois", "semaine dernière",
//! "2026-10", "octobre 2026", "oct", "2026-11-20", "20 nov.", "du 1 au 15 octobre",
//! "from 2026-10-01 to 2026-10-15", "1-15 oct", "2025".
//!
//! Everything is relative to `today`, the shop's current local date. Today is incomplete, so
//! periods end at yesterday: "this month" on 25 November is 1–24 November, and a month or a
//! range that reaches past yesterday is cut there. Only "aujourd'hui"/"today" (or a period
//! that starts today) includes today, and the answer says it is incomplete. A date without
//! a year is the most recent one that has begun ("octobre" in November 2026 is October 2026,
//! "décembre" is December 2025). A period entirely in the future is refused, as is a date
//! that does not exist ("2026-02-30") or a window longer than ten years.
//!
//! All arithmetic is checked: no input can make a date overflow.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::words::{month, NUMBER_WORDS};
use super::AskedPeriod;
use crate::domain::Period;

/// The longest window a question may ask for, in days.
const MAX_DAYS: u64 = 3660;

/// What the tokens at a position say about the period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum When {
    Found {
        period: Period,
        asked: AskedPeriod,
        /// The period includes today, whose figures are still moving.
        incomplete: bool,
    },
    /// Looks like a period but is not one (`2026-02-30`, `99999j`): the words as typed.
    Invalid(String),
    /// Every day of it is after today.
    Future(Period),
}

/// A date as written, possibly without its month or year ("du 1 au 15 octobre").
#[derive(Debug, Clone, Copy)]
struct Partial {
    year: Option<i32>,
    month: Option<u32>,
    day: u32,
}

enum Spec {
    Relative(AskedPeriod),
    Month(Option<i32>, u32),
    Year(i32),
    Day(Partial),
    Range(Partial, Partial),
}

const RELATIVE: &[(&str, AskedPeriod)] = &[
    ("hier", AskedPeriod::Yesterday),
    ("yesterday", AskedPeriod::Yesterday),
    ("avant hier", AskedPeriod::DayBeforeYesterday),
    ("day before yesterday", AskedPeriod::DayBeforeYesterday),
    ("aujourd hui", AskedPeriod::Today),
    ("aujourdhui", AskedPeriod::Today),
    ("today", AskedPeriod::Today),
    ("past week", AskedPeriod::LastDays(7)),
    ("past month", AskedPeriod::LastMonths(1)),
    ("past year", AskedPeriod::LastMonths(12)),
    ("cette semaine", AskedPeriod::ThisWeek),
    ("semaine en cours", AskedPeriod::ThisWeek),
    ("this week", AskedPeriod::ThisWeek),
    ("week to date", AskedPeriod::ThisWeek),
    ("wtd", AskedPeriod::ThisWeek),
    ("semaine derniere", AskedPeriod::LastWeek),
    ("semaine passee", AskedPeriod::LastWeek),
    ("semaine precedente", AskedPeriod::LastWeek),
    ("last week", AskedPeriod::LastWeek),
    ("previous week", AskedPeriod::LastWeek),
    ("ce mois ci", AskedPeriod::ThisMonth),
    ("ce mois", AskedPeriod::ThisMonth),
    ("mois en cours", AskedPeriod::ThisMonth),
    ("this month", AskedPeriod::ThisMonth),
    ("month to date", AskedPeriod::ThisMonth),
    ("mtd", AskedPeriod::ThisMonth),
    ("mois dernier", AskedPeriod::LastMonth),
    ("mois passe", AskedPeriod::LastMonth),
    ("mois precedent", AskedPeriod::LastMonth),
    ("last month", AskedPeriod::LastMonth),
    ("previous month", AskedPeriod::LastMonth),
    ("cette annee", AskedPeriod::ThisYear),
    ("annee en cours", AskedPeriod::ThisYear),
    ("this year", AskedPeriod::ThisYear),
    ("year to date", AskedPeriod::ThisYear),
    ("ytd", AskedPeriod::ThisYear),
    ("annee derniere", AskedPeriod::LastYear),
    ("annee passee", AskedPeriod::LastYear),
    ("annee precedente", AskedPeriod::LastYear),
    ("last year", AskedPeriod::LastYear),
    ("previous year", AskedPeriod::LastYear),
];

const DAY_UNITS: &[&str] = &["j", "jr", "jrs", "jour", "jours", "d", "day", "days"];
const WEEK_UNITS: &[&str] = &["sem", "semaine", "semaines", "w", "wk", "week", "weeks"];
const MONTH_UNITS: &[&str] = &["m", "mois", "month", "months"];
const YEAR_UNITS: &[&str] = &["an", "ans", "annee", "annees", "y", "yr", "year", "years"];
/// Between a number and its unit: "30 derniers jours", "7 last days".
const BETWEEN: &[&str] = &["derniers", "dernieres", "last", "past"];
const OPENERS: &[&str] = &["du", "from", "entre", "between"];
const CONNECTORS: &[&str] = &["au", "a", "to", "until", "till", "et", "and", "jusqu"];

/// The period the tokens starting at `i` describe, and how many tokens it takes; `None`
/// when they do not start a period.
pub(crate) fn parse_at(t: &[String], i: usize, today: NaiveDate) -> Option<(When, usize)> {
    let (spec, len) = relative(t, i)
        .or_else(|| window(t, i))
        .or_else(|| range(t, i))
        .or_else(|| single(t, i))?;
    let when = match spec {
        Ok(spec) => resolve(spec, today).unwrap_or_else(|| When::Invalid(t[i..i + len].join(" "))),
        Err(()) => When::Invalid(t[i..i + len].join(" ")),
    };
    Some((when, len))
}

type Parsed = Option<(Result<Spec, ()>, usize)>;

fn starts_with(t: &[String], i: usize, phrase: &str) -> Option<usize> {
    let words: Vec<&str> = phrase.split(' ').collect();
    let slice = t.get(i..i + words.len())?;
    slice
        .iter()
        .zip(&words)
        .all(|(a, b)| a == b)
        .then_some(words.len())
}

fn relative(t: &[String], i: usize) -> Parsed {
    RELATIVE
        .iter()
        .filter_map(|(phrase, asked)| starts_with(t, i, phrase).map(|n| (*asked, n)))
        .max_by_key(|(_, n)| *n)
        .map(|(asked, n)| (Ok(Spec::Relative(asked)), n))
}

/// "7j", "30 jours", "30 derniers jours", "2 weeks", "3 mois", "1 an", "sept jours".
fn window(t: &[String], i: usize) -> Parsed {
    let first = t.get(i)?;
    let (n, unit, len) = match split_number(first) {
        Some((n, suffix)) if !suffix.is_empty() => (n, suffix.to_string(), 1),
        _ => {
            let n = plain_number(first).or_else(|| {
                NUMBER_WORDS
                    .iter()
                    .find(|(w, _)| w == first)
                    .map(|(_, n)| *n)
            })?;
            let mut j = i + 1;
            if t.get(j).is_some_and(|w| BETWEEN.contains(&w.as_str())) {
                j += 1;
            }
            (n, t.get(j)?.clone(), j + 1 - i)
        }
    };
    let per_unit: u64 = if DAY_UNITS.contains(&unit.as_str()) {
        1
    } else if WEEK_UNITS.contains(&unit.as_str()) {
        7
    } else if MONTH_UNITS.contains(&unit.as_str()) {
        31
    } else if YEAR_UNITS.contains(&unit.as_str()) {
        366
    } else {
        return None;
    };
    if n == 0 || u64::from(n) * per_unit > MAX_DAYS {
        return Some((Err(()), len));
    }
    let asked = match per_unit {
        1 => AskedPeriod::LastDays(n),
        7 => AskedPeriod::LastWeeks(n),
        31 => AskedPeriod::LastMonths(n),
        _ => AskedPeriod::LastMonths(n * 12),
    };
    Some((Ok(Spec::Relative(asked)), len))
}

/// "du 1 au 15 octobre", "from 2026-10-01 to 2026-10-15", "1-15 oct", "entre le 3 et le
/// 9 nov.", "2026-10-01 2026-10-15".
fn range(t: &[String], i: usize) -> Parsed {
    let mut j = i;
    if t.get(j).is_some_and(|w| OPENERS.contains(&w.as_str())) {
        j += 1;
    }
    skip_articles(t, &mut j);
    // "1-15 oct [2026]"
    if let Some((a, b)) = t.get(j).and_then(|w| w.split_once('-')) {
        if let (Some(a), Some(b)) = (day_number(a), day_number(b)) {
            let m = t.get(j + 1).and_then(|w| month(w))?;
            let year = t.get(j + 2).and_then(|w| year(w));
            let len = j + 2 + usize::from(year.is_some()) - i;
            let (a, b) = (partial(year, Some(m), a), partial(year, Some(m), b));
            return Some((Ok(Spec::Range(a, b)), len));
        }
    }
    let (a, la) = date_expr(t, j)?;
    let mut k = j + la;
    let a = a.ok()?;
    match t.get(k).map(String::as_str) {
        Some("jusqu") if t.get(k + 1).is_some_and(|w| w == "au" || w == "a") => k += 2,
        Some(w) if CONNECTORS.contains(&w) => k += 1,
        // Two complete dates side by side: "2026-10-01..2026-10-15".
        Some(_) if a.year.is_some() && a.month.is_some() => {}
        _ => return None,
    }
    skip_articles(t, &mut k);
    let (b, lb) = date_expr(t, k)?;
    let b = b.ok()?;
    if a.month.is_none() && b.month.is_none() {
        return None;
    }
    Some((Ok(Spec::Range(a, b)), k + lb - i))
}

fn skip_articles(t: &[String], j: &mut usize) {
    while t.get(*j).is_some_and(|w| w == "le" || w == "the") {
        *j += 1;
    }
}

/// One day, one month or one year: "2026-11-20", "20/11", "20 nov. 2026", "nov 20",
/// "2026-10", "octobre", "oct 2026", "10/2026", "2025".
fn single(t: &[String], i: usize) -> Parsed {
    if let Some((day, len)) = date_expr(t, i) {
        match day {
            Ok(p) if p.month.is_some() => return Some((Ok(Spec::Day(p)), len)),
            Ok(_) => {}
            Err(()) => return Some((Err(()), len)),
        }
    }
    let w = t.get(i)?;
    if let Some((y, m)) = w
        .split_once('-')
        .or_else(|| w.split_once('/'))
        .and_then(|(a, b)| {
            // "2026-10" or "10/2026"
            let (y, m) = if a.len() == 4 { (a, b) } else { (b, a) };
            Some((year(y)?, plain_number(m)?))
        })
    {
        return Some(match (1..=12).contains(&m) {
            true => (Ok(Spec::Month(Some(y), m)), 1),
            false => (Err(()), 1),
        });
    }
    if let Some(m) = month(w) {
        let y = t.get(i + 1).and_then(|w| year(w));
        return Some((Ok(Spec::Month(y, m)), 1 + usize::from(y.is_some())));
    }
    year(w).map(|y| (Ok(Spec::Year(y)), 1))
}

/// A date, possibly partial: "2026-10-01", "20/11/2026", "20/11", "1er octobre 2026",
/// "15 oct", "15", "november 20", "nov 20 2026". `Err` for a date-shaped token that is not a
/// date ("2026-02-30", "32/01").
fn date_expr(t: &[String], i: usize) -> Option<(Result<Partial, ()>, usize)> {
    let w = t.get(i)?;
    let parts: Vec<&str> = w.split(['-', '/']).collect();
    if parts.len() == 3 && parts[0].len() == 4 {
        let full = (|| {
            let date = NaiveDate::from_ymd_opt(
                year(parts[0])?,
                plain_number(parts[1])?,
                plain_number(parts[2])?,
            )?;
            Some(partial(Some(date.year()), Some(date.month()), date.day()))
        })();
        return Some((full.ok_or(()), 1));
    }
    if w.contains('/') && (parts.len() == 2 || parts.len() == 3) {
        let last = parts.last().copied().unwrap_or_default();
        if parts.len() == 2 && last.len() == 4 {
            return None; // "10/2026" is a month
        }
        let dated = (|| {
            let y = if parts.len() == 3 {
                Some(year(parts[2])?)
            } else {
                None
            };
            let m = plain_number(parts[1]).filter(|m| (1..=12).contains(m))?;
            Some(partial(y, Some(m), day_number(parts[0])?))
        })();
        return Some((dated.ok_or(()), 1));
    }
    if let Some(day) = day_number(w) {
        let Some(m) = t.get(i + 1).and_then(|w| month(w)) else {
            return Some((Ok(partial(None, None, day)), 1));
        };
        let y = t.get(i + 2).and_then(|w| year(w));
        return Some((Ok(partial(y, Some(m), day)), 2 + usize::from(y.is_some())));
    }
    let m = month(w)?;
    let day = t.get(i + 1).and_then(|w| day_number(w))?;
    let y = t.get(i + 2).and_then(|w| year(w));
    Some((Ok(partial(y, Some(m), day)), 2 + usize::from(y.is_some())))
}

fn partial(year: Option<i32>, month: Option<u32>, day: u32) -> Partial {
    Partial { year, month, day }
}

fn plain_number(w: &str) -> Option<u32> {
    (!w.is_empty() && w.len() <= 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

/// A number with letters after it: "7j" → (7, "j"), "1er" → (1, "er").
fn split_number(w: &str) -> Option<(u32, &str)> {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    let n = plain_number(&w[..digits])?;
    let rest = &w[digits..];
    rest.bytes()
        .all(|b| b.is_ascii_alphabetic())
        .then_some((n, rest))
}

/// A day of the month, with an optional ordinal suffix: "15", "1er", "1st", "3rd".
fn day_number(w: &str) -> Option<u32> {
    let (n, suffix) = split_number(w)?;
    let ordinal = ["", "er", "re", "e", "eme", "st", "nd", "rd", "th"].contains(&suffix);
    (ordinal && (1..=31).contains(&n)).then_some(n)
}

fn year(w: &str) -> Option<i32> {
    let y = plain_number(w).filter(|_| w.len() == 4)?;
    (1900..=2200).contains(&y).then_some(y as i32)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    ymd(y, m, 1)?
        .checked_add_months(Months::new(1))?
        .checked_sub_days(Days::new(1))
}

/// The period a spec means on `today`; `None` when its dates do not exist.
fn resolve(spec: Spec, today: NaiveDate) -> Option<When> {
    let yesterday = today.checked_sub_days(Days::new(1))?;
    let back = |n: u64| today.checked_sub_days(Days::new(n));
    let (from, to, asked) = match spec {
        Spec::Relative(asked) => {
            let (from, to) = match asked {
                AskedPeriod::Default => (back(30)?, yesterday),
                AskedPeriod::Yesterday => (yesterday, yesterday),
                AskedPeriod::DayBeforeYesterday => (back(2)?, back(2)?),
                AskedPeriod::Today => (today, today),
                AskedPeriod::LastDays(n) => (back(u64::from(n))?, yesterday),
                AskedPeriod::LastWeeks(n) => (back(7 * u64::from(n))?, yesterday),
                AskedPeriod::LastMonths(n) => {
                    (today.checked_sub_months(Months::new(n))?, yesterday)
                }
                AskedPeriod::ThisWeek => {
                    let monday = back(u64::from(today.weekday().num_days_from_monday()))?;
                    (monday, yesterday)
                }
                AskedPeriod::LastWeek => {
                    let monday = back(u64::from(today.weekday().num_days_from_monday()) + 7)?;
                    (monday, monday.checked_add_days(Days::new(6))?)
                }
                AskedPeriod::ThisMonth => (today.with_day(1)?, yesterday),
                AskedPeriod::LastMonth => {
                    let first = today.with_day(1)?.checked_sub_months(Months::new(1))?;
                    (first, last_of_month(first.year(), first.month())?)
                }
                AskedPeriod::ThisYear => (ymd(today.year(), 1, 1)?, yesterday),
                AskedPeriod::LastYear => {
                    (ymd(today.year() - 1, 1, 1)?, ymd(today.year() - 1, 12, 31)?)
                }
                AskedPeriod::Month | AskedPeriod::Year | AskedPeriod::Day | AskedPeriod::Range => {
                    return None
                }
            };
            (from, to, asked)
        }
        Spec::Month(y, m) => {
            let y = y.unwrap_or_else(|| {
                let started = ymd(today.year(), m, 1).is_some_and(|d| d <= yesterday);
                if started {
                    today.year()
                } else {
                    today.year() - 1
                }
            });
            (ymd(y, m, 1)?, last_of_month(y, m)?, AskedPeriod::Month)
        }
        Spec::Year(y) => (ymd(y, 1, 1)?, ymd(y, 12, 31)?, AskedPeriod::Year),
        Spec::Day(p) => {
            let day = complete(p, None, today)?;
            (day, day, AskedPeriod::Day)
        }
        Spec::Range(a, b) => {
            let to = complete(b, None, today)?;
            let mut from = complete(a, Some(to), today)?;
            if from > to && a.year.is_none() {
                from = from.checked_sub_months(Months::new(12))?;
            }
            if from > to {
                return None;
            }
            (from, to, AskedPeriod::Range)
        }
    };
    if (to - from).num_days() + 1 > MAX_DAYS as i64 {
        return None;
    }
    Some(clip(from, to, asked, today, yesterday))
}

/// The period of a question that names none: the last 30 complete days.
pub(crate) fn default_period(today: NaiveDate) -> When {
    resolve(Spec::Relative(AskedPeriod::Default), today).unwrap_or(When::Invalid(String::new()))
}

/// Cuts a period at yesterday; a period that starts today is today, incomplete.
fn clip(
    from: NaiveDate,
    to: NaiveDate,
    asked: AskedPeriod,
    today: NaiveDate,
    yesterday: NaiveDate,
) -> When {
    let found = |from, to, incomplete| When::Found {
        period: Period { from, to },
        asked,
        incomplete,
    };
    if from > today {
        When::Future(Period { from, to })
    } else if from == today {
        found(today, today, true)
    } else {
        found(from, to.min(yesterday), false)
    }
}

/// A partial date made whole: the month and year from `like` (the other end of a range)
/// when given, else the most recent such date that is not after today.
fn complete(p: Partial, like: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    let m = p.month.or(like.map(|d| d.month()))?;
    if let Some(y) = p.year.or(like.map(|d| d.year())) {
        return ymd(y, m, p.day);
    }
    match ymd(today.year(), m, p.day) {
        Some(d) if d <= today => Some(d),
        _ => ymd(today.year() - 1, m, p.day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::words::tokens;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn when(text: &str, today: &str) -> When {
        let t = tokens(text);
        let (when, len) = parse_at(&t, 0, d(today)).expect(text);
        assert_eq!(len, t.len(), "{text:?} read only {len} tokens");
        when
    }

    fn period(text: &str, today: &str) -> (String, String) {
        match when(text, today) {
            When::Found { period, .. } => (period.from.to_string(), period.to.to_string()),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    fn p(from: &str, to: &str) -> (String, String) {
        (from.to_string(), to.to_string())
    }

    #[test]
    fn calendar_edges() {
        // Sunday 22 Nov 2026: last week is Mon 9 – Sun 15; this week is Mon 16 – Sat 21.
        assert_eq!(
            period("semaine dernière", "2026-11-22"),
            p("2026-11-09", "2026-11-15")
        );
        assert_eq!(
            period("this week", "2026-11-22"),
            p("2026-11-16", "2026-11-21")
        );
        // New Year's Day: the year so far is today, in progress; last year is whole.
        assert!(matches!(
            when("cette année", "2027-01-01"),
            When::Found { incomplete: true, period, .. } if period == Period::day(d("2027-01-01"))
        ));
        assert_eq!(
            period("last year", "2027-01-01"),
            p("2026-01-01", "2026-12-31")
        );
        // A leap February, and last month across a year end.
        assert_eq!(
            period("février", "2028-03-01"),
            p("2028-02-01", "2028-02-29")
        );
        assert_eq!(
            period("mois dernier", "2027-01-15"),
            p("2026-12-01", "2026-12-31")
        );
        assert_eq!(
            period("past week", "2026-11-25"),
            p("2026-11-18", "2026-11-24")
        );
    }

    #[test]
    fn impossible_and_future_periods_are_refused() {
        assert_eq!(
            when("29 février 2026", "2026-11-25"),
            When::Invalid("29 fevrier 2026".into())
        );
        assert!(matches!(when("11 ans", "2026-11-25"), When::Invalid(_)));
        assert!(matches!(when("0j", "2026-11-25"), When::Invalid(_)));
        assert!(matches!(
            when("from 2026-10-15 to 2026-10-01", "2026-11-25"),
            When::Invalid(_)
        ));
        assert!(matches!(when("2030", "2026-11-25"), When::Future(_)));
        // A range reaching past yesterday stops there.
        assert_eq!(
            period("du 20 au 30 novembre 2026", "2026-11-25"),
            p("2026-11-20", "2026-11-24")
        );
    }
}

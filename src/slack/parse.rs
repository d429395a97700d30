//! Slash-command text parsed once into a typed [`Command`]: days (`hier`, `2026-11-20`,
//! `20/11`), RFM segments, SKUs, `/alerts` actions and mute durations. Nothing past this
//! module re-reads the text; a text it does not understand becomes a [`Usage`] answer.

use chrono::{Datelike, Days, NaiveDate};

use super::command::{CockpitDay, Command, Invocation};
use crate::customers::RfmSegment;
/// `/alerts`, `/alerts mute <id> 24h`, `/alerts unmute <id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertsAction {
    List,
    Mute { id: String, hours: i64 },
    Unmute { id: String },
}

/// The longest mute: a forgotten mute must not hide a problem for months.
pub const MAX_MUTE_HOURS: i64 = 24 * 30;

fn parse_alerts(text: &str) -> Result<AlertsAction, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let id_ok = |id: &str| id.len() <= 32 && id.chars().all(|c| c.is_ascii_alphanumeric());
    match words.as_slice() {
        [] | ["list" | "liste" | "ls"] => Ok(AlertsAction::List),
        ["mute" | "sourdine", id, rest @ ..] if id_ok(id) => {
            let hours = match rest {
                [] => 24,
                [d] => parse_mute_duration(d)?,
                _ => return Err("expected `/alerts mute <id> 24h`".into()),
            };
            Ok(AlertsAction::Mute {
                id: id.to_string(),
                hours,
            })
        }
        ["unmute" | "réactiver" | "reactiver", id] if id_ok(id) => Ok(AlertsAction::Unmute {
            id: id.to_string(),
        }),
        _ => Err(format!(
            "{:?} is not an /alerts action: expected nothing (the open alerts), `mute <id> 24h` or `unmute <id>`",
            truncate_chars(text.trim(), 40)
        )),
    }
}

/// `24h`, `2d`/`2j`, `90m` (rounded up to whole hours), at most [`MAX_MUTE_HOURS`].
pub fn parse_mute_duration(text: &str) -> Result<i64, String> {
    let t = text.trim().to_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: expected 24h, 3d or 90m"))?;
    let hours = match unit {
        "h" | "" => n,
        "d" | "j" => n * 24,
        "m" | "min" => (n + 59) / 60,
        _ => {
            return Err(format!(
                "{text:?} is not a duration: expected 24h, 3d or 90m"
            ))
        }
    };
    if !(1..=MAX_MUTE_HOURS).contains(&hours) {
        return Err(format!("a mute lasts from 1 hour to 30 days, not {text}"));
    }
    Ok(hours)
}

/// Why a command could not be parsed: shown to the asker with the usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub command: String,
    pub problem: String,
}

impl Command {
    /// Parses `inv`. `today` is the shop's current local date (for "hier", day-month dates).
    pub fn parse(inv: &Invocation, today: NaiveDate) -> Result<Command, Usage> {
        match inv.command.as_str() {
            "cockpit" => parse_cockpit_day(&inv.text, today)
                .map(Command::Cockpit)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "insight" => Ok(Command::Insight(inv.text.clone())),
            "attribution" => parse_days(&inv.text)
                .map(Command::Attribution)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "ltv" => parse_cockpit_day(&inv.text, today)
                .map(Command::Ltv)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "profit" => parse_cockpit_day(&inv.text, today)
                .map(Command::Profit)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "cohorts" => parse_cockpit_day(&inv.text, today)
                .map(Command::Cohorts)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "churn" => parse_cockpit_day(&inv.text, today)
                .map(Command::Churn)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "rfm" => parse_rfm(&inv.text, today)
                .map(|(as_of, segment)| Command::Rfm { as_of, segment })
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "stock" => parse_cockpit_day(&inv.text, today)
                .map(Command::Stock)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "sku" => parse_sku(&inv.text, today)
                .map(|(query, as_of)| Command::Sku { query, as_of })
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            "alerts" => parse_alerts(&inv.text)
                .map(Command::Alerts)
                .map_err(|problem| Usage {
                    command: inv.command.clone(),
                    problem,
                }),
            other => Err(Usage {
                command: other.to_string(),
                problem: format!("/{other} is not a command of this bot"),
            }),
        }
    }
}

/// `/attribution`, `/attribution 90`, `/attribution 7j`, `/attribution 14 days`.
fn parse_days(text: &str) -> Result<u32, String> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return Ok(30);
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = t[digits.len()..].trim();
    let unit_ok = ["", "j", "d", "jours", "days", "jour", "day"].contains(&rest);
    match digits.parse::<u32>() {
        Ok(n) if unit_ok && (1..=730).contains(&n) => Ok(n),
        _ => Err(format!(
            "{:?} is not a number of days: expected nothing (30 days), 7j, 90 or 14 days (1 to 730)",
            truncate_chars(text.trim(), 40)
        )),
    }
}

/// `/rfm [day] [segment]` in any order: `""`, `at-risk`, `à risque 2026-11-20`, `hier`.
fn parse_rfm(text: &str, today: NaiveDate) -> Result<(CockpitDay, Option<RfmSegment>), String> {
    if text.chars().count() > 200 {
        return Err("the text is too long: expected a day and/or a segment".into());
    }
    let mut day = CockpitDay::Yesterday;
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        let is_day = lower.chars().next().is_some_and(|c| c.is_ascii_digit())
            || ["hier", "yesterday", "avant-hier", "today", "aujourd'hui"]
                .contains(&lower.as_str());
        if is_day {
            day = parse_cockpit_day(word, today)?;
        } else {
            rest.push(word);
        }
    }
    let segment = match rest.join(" ") {
        words if words.is_empty() => None,
        words => Some(words.parse::<RfmSegment>()?),
    };
    Ok((day, segment))
}

/// `/sku ML-SER-01`, `/sku sérum vitamine C`, `/sku ML-SER-01 2026-11-20`: the SKU code or
/// part of the name, then optionally a day.
fn parse_sku(text: &str, today: NaiveDate) -> Result<(String, CockpitDay), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if text.chars().count() > 200 {
        return Err("the text is too long: expected a SKU code or part of a product name".into());
    }
    let (query, day) = match words.split_last() {
        Some((last, rest))
            if !rest.is_empty()
                && last.starts_with(|c: char| c.is_ascii_digit())
                && last.contains(['-', '/']) =>
        {
            (rest.join(" "), parse_cockpit_day(last, today)?)
        }
        _ => (words.join(" "), CockpitDay::Yesterday),
    };
    if query.is_empty() {
        return Err("which SKU? give its code or part of the product name".into());
    }
    Ok((query, day))
}

/// `""`, `hier`, `yesterday`, `avant-hier`, `2026-11-20`, `20/11/2026`, `20/11`.
fn parse_cockpit_day(text: &str, today: NaiveDate) -> Result<CockpitDay, String> {
    let t = text.trim().to_lowercase();
    let yesterday = today - Days::new(1);
    let day = match t.as_str() {
        "" | "hier" | "yesterday" => return Ok(CockpitDay::Yesterday),
        "avant-hier" | "avant hier" => yesterday - Days::new(1),
        "aujourd'hui" | "aujourd’hui" | "today" => {
            return Err("today is not over yet: the cockpit shows complete days".into())
        }
        _ => parse_day(&t, today).ok_or_else(|| {
            format!(
                "{:?} is not a day: expected nothing (yesterday), hier, 2026-11-20 or 20/11",
                truncate_chars(text.trim(), 40)
            )
        })?,
    };
    if day > yesterday {
        return Err(format!(
            "{day} is not over yet: the last complete day is {yesterday}"
        ));
    }
    Ok(if day == yesterday {
        CockpitDay::Yesterday
    } else {
        CockpitDay::Date(day)
    })
}

fn parse_day(t: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%d/%m/%Y") {
        return Some(d);
    }
    let (day, month) = t.split_once('/')?;
    let (day, month) = (day.parse().ok()?, month.parse().ok()?);
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    // "20/11" typed in early January means last November.
    Some(if this_year >= today {
        NaiveDate::from_ymd_opt(today.year() - 1, month, day)?
    } else {
        this_year
    })
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn cockpit_days_in_french_and_english() {
        let today = d("2026-11-21");
        let ok = |t: &str| parse_cockpit_day(t, today).unwrap();
        assert_eq!(ok(""), CockpitDay::Yesterday);
        assert_eq!(ok(" Hier "), CockpitDay::Yesterday);
        assert_eq!(ok("yesterday"), CockpitDay::Yesterday);
        assert_eq!(ok("2026-11-20"), CockpitDay::Yesterday);
        assert_eq!(ok("avant-hier"), CockpitDay::Date(d("2026-11-19")));
        assert_eq!(ok("2026-10-03"), CockpitDay::Date(d("2026-10-03")));
        assert_eq!(ok("03/10/2026"), CockpitDay::Date(d("2026-10-03")));
        assert_eq!(ok("3/10"), CockpitDay::Date(d("2026-10-03")));
        // Early January: "20/12" is last December.
        assert_eq!(
            parse_cockpit_day("20/12", d("2027-01-05")).unwrap(),
            CockpitDay::Date(d("2026-12-20"))
        );
    }

    #[test]
    fn alerts_actions_and_mute_durations() {
        assert_eq!(parse_alerts(""), Ok(AlertsAction::List));
        assert_eq!(
            parse_alerts("mute ab12cd34 3d"),
            Ok(AlertsAction::Mute {
                id: "ab12cd34".into(),
                hours: 72
            })
        );
        assert_eq!(
            parse_alerts("sourdine ab12cd34"),
            Ok(AlertsAction::Mute {
                id: "ab12cd34".into(),
                hours: 24
            })
        );
        assert_eq!(
            parse_alerts("unmute ab12cd34"),
            Ok(AlertsAction::Unmute {
                id: "ab12cd34".into()
            })
        );
        assert_eq!(parse_mute_duration("90m"), Ok(2));
        assert!(parse_mute_duration("400d").unwrap_err().contains("30 days"));
        assert!(parse_mute_duration("soon").is_err());
        assert!(parse_alerts("mute x'; DROP 24h").is_err());
        assert!(parse_alerts("delete all")
            .unwrap_err()
            .contains("not an /alerts action"));
    }

    #[test]
    fn attribution_takes_a_number_of_days() {
        assert_eq!(parse_days(""), Ok(30));
        assert_eq!(parse_days("7j"), Ok(7));
        assert_eq!(parse_days(" 90 "), Ok(90));
        assert_eq!(parse_days("14 days"), Ok(14));
        assert!(parse_days("0").is_err());
        assert!(parse_days("hier").is_err());
        assert!(parse_days("99999999999").is_err());
    }

    #[test]
    fn rfm_takes_a_day_and_a_segment_in_any_order() {
        let today = d("2026-11-21");
        assert_eq!(parse_rfm("", today).unwrap(), (CockpitDay::Yesterday, None));
        assert_eq!(
            parse_rfm("à risque 2026-11-01", today).unwrap(),
            (CockpitDay::Date(d("2026-11-01")), Some(RfmSegment::AtRisk))
        );
        assert_eq!(
            parse_rfm("20/11 champions", today).unwrap(),
            (CockpitDay::Yesterday, Some(RfmSegment::Champions))
        );
        assert!(parse_rfm("vip", today)
            .unwrap_err()
            .contains("unknown segment"));
        assert!(parse_rfm("2026-11-21", today)
            .unwrap_err()
            .contains("not over"));
        assert!(parse_rfm(&"x ".repeat(500), today).is_err());
    }

    #[test]
    fn cockpit_refuses_days_that_are_not_over_or_not_days() {
        let today = d("2026-11-21");
        assert!(parse_cockpit_day("today", today)
            .unwrap_err()
            .contains("not over"));
        assert!(parse_cockpit_day("2026-11-21", today)
            .unwrap_err()
            .contains("not over"));
        let err = parse_cockpit_day("; DROP TABLE orders", today).unwrap_err();
        assert!(err.contains("is not a day"), "{err}");
        let long = "x".repeat(10_000);
        assert!(parse_cockpit_day(&long, today).unwrap_err().len() < 200);
    }
}

//! [`CronSchedule`]: a five-field crontab expression and the time zone it is read in, parsed
//! once at the edge (config) so that the scheduler only ever asks "which instants fire between
//! A and B?".
//!
//! The `cron` crate does the calendar arithmetic, in the schedule's time zone (so `0 9 * * *`
//! Europe/Paris is 08:00 UTC in winter and 07:00 UTC in summer). Its syntax is Quartz's, not
//! crontab's: it wants a seconds field, and it numbers weekdays 1 = Sunday … 7 = Saturday where
//! crontab has 0/7 = Sunday, 1 = Monday. Handing it `1-5` would run a "working days" digest
//! Sunday to Thursday, so the weekday field is expanded here and passed as names (`MON,TUE,…`),
//! which both read the same way.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A crontab expression (`0 9 * * 1-5`) in a time zone.
#[derive(Clone)]
pub struct CronSchedule {
    expr: String,
    tz: Tz,
    schedule: cron::Schedule,
}

impl std::fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CronSchedule({:?} {})", self.expr, self.tz)
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr && self.tz == other.tz
    }
}

const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const HELP: &str = "expected five crontab fields \"minute hour day-of-month month day-of-week\", e.g. \"0 9 * * 1-5\" (09:00 Monday to Friday), or @daily, @weekly, @monthly";

impl CronSchedule {
    /// Parses a five-field crontab expression (or `@hourly`, `@daily`, `@weekly`, `@monthly`,
    /// `@yearly`) read in `tz`. The message of an error says what was expected.
    pub fn parse(expr: &str, tz: Tz) -> Result<CronSchedule, String> {
        let expanded = match expr.trim() {
            "@hourly" => "0 * * * *",
            "@daily" | "@midnight" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            "@yearly" | "@annually" => "0 0 1 1 *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, dom, month, dow] = fields[..] else {
            return Err(format!(
                "cron {expr:?} has {} field(s): {HELP}",
                fields.len()
            ));
        };
        check_field(expr, "minute", minute, 0, 59, &[])?;
        check_field(expr, "hour", hour, 0, 23, &[])?;
        check_field(expr, "day-of-month", dom, 1, 31, &[])?;
        let months = expand(expr, "month", month, 1, 12, &MONTHS, 1)?;
        let days = expand(expr, "day-of-week", dow, 0, 7, &WEEKDAYS, 0)?;
        if dom != "*" && dow != "*" {
            // crontab fires when *either* matches; the cron crate when both do. Refuse rather
            // than silently differ from what the user knows.
            return Err(format!(
                "cron {expr:?} restricts both the day of the month ({dom}) and the day of the week ({dow}): crontab would fire on either, which this scheduler does not do; use two schedules"
            ));
        }
        let month_field = match months {
            None => "*".to_string(),
            Some(set) => join(set.iter().map(|m| MONTHS[*m as usize - 1])),
        };
        let dow_field = match days {
            None => "*".to_string(),
            // 7 is Sunday too.
            Some(set) => join(
                set.iter()
                    .map(|d| *d % 7)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .map(|d| WEEKDAYS[d as usize]),
            ),
        };
        let quartz = format!("0 {minute} {hour} {dom} {month_field} {dow_field}");
        let schedule = cron::Schedule::from_str(&quartz)
            .map_err(|e| format!("cron {expr:?} is not valid ({e}): {HELP}"))?;
        Ok(CronSchedule {
            expr: expr.trim().to_string(),
            tz,
            schedule,
        })
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The instants in `(after, until]` at which this schedule fires, oldest first. The same
    /// instant is never given twice (a wall-clock time that occurs twice on the autumn
    /// changeover day fires once, at its first occurrence).
    pub fn fires_between(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut out: Vec<DateTime<Utc>> = Vec::new();
        let mut seen_local = BTreeSet::new();
        for fire in self.schedule.after(&after.with_timezone(&self.tz)) {
            let utc = fire.with_timezone(&Utc);
            if utc > until {
                break;
            }
            if seen_local.insert(fire.naive_local()) && utc > after {
                out.push(utc);
            }
        }
        out
    }

    /// The next `n` fire instants after `after`.
    pub fn next_fires(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out: Vec<DateTime<Utc>> = Vec::new();
        let mut seen_local = BTreeSet::new();
        for fire in self.schedule.after(&after.with_timezone(&self.tz)) {
            if out.len() == n {
                break;
            }
            if seen_local.insert(fire.naive_local()) {
                out.push(fire.with_timezone(&Utc));
            }
        }
        out
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(",")
}

/// Checks a numeric field (minute, hour, day of month) without expanding it.
fn check_field(
    expr: &str,
    name: &str,
    field: &str,
    min: u32,
    max: u32,
    names: &[&str],
) -> Result<(), String> {
    expand(expr, name, field, min, max, names, min).map(|_| ())
}

/// Expands one crontab field into the set of values it names; `None` for `*`. `names[i]` is
/// value `i + first_name_value` (JAN = 1, SUN = 0).
fn expand(
    expr: &str,
    name: &str,
    field: &str,
    min: u32,
    max: u32,
    names: &[&str],
    first_name_value: u32,
) -> Result<Option<BTreeSet<u32>>, String> {
    if field == "*" {
        return Ok(None);
    }
    let bad = |why: String| format!("cron {expr:?}: {name} field {field:?} {why}: {HELP}");
    let value = |s: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(i as u32 + first_name_value);
        }
        let v: u32 = s
            .parse()
            .map_err(|_| bad(format!("has {s:?}, not a number")))?;
        if v < min || v > max {
            return Err(bad(format!("has {v}, outside {min}–{max}")));
        }
        Ok(v)
    };
    let mut set = BTreeSet::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| bad(format!("has step {s:?}, not a positive number")))?;
                (r, step)
            }
            None => (item, 1),
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                None if step > 1 => (value(r)?, max),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        if lo > hi {
            return Err(bad(format!("has the range {range:?} backwards")));
        }
        set.extend((lo..=hi).step_by(step as usize));
    }
    Ok(Some(set))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike, Weekday};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn working_days_are_monday_to_friday_as_in_crontab() {
        let s = CronSchedule::parse("0 9 * * 1-5", chrono_tz::Europe::Paris).unwrap();
        // 2026-11-23 is a Monday.
        let fires = s.fires_between(utc("2026-11-22T00:00:00Z"), utc("2026-11-29T23:59:00Z"));
        let days: Vec<Weekday> = fires.iter().map(|f| f.weekday()).collect();
        assert_eq!(
            days,
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri
            ]
        );
        assert!(fires.iter().all(|f| f.hour() == 8 && f.minute() == 0));
        // 0 and 7 are both Sunday, names work, lists and steps too.
        for expr in ["0 9 * * 0", "0 9 * * 7", "0 9 * * sun", "0 9 * * SUN"] {
            let s = CronSchedule::parse(expr, chrono_tz::UTC).unwrap();
            let f = s.next_fires(utc("2026-11-23T00:00:00Z"), 1);
            assert_eq!(f[0], utc("2026-11-29T09:00:00Z"), "{expr}");
        }
        let s = CronSchedule::parse("30 7,18 * * mon-fri", chrono_tz::UTC).unwrap();
        assert_eq!(
            s.next_fires(utc("2026-11-27T19:00:00Z"), 2),
            [utc("2026-11-30T07:30:00Z"), utc("2026-11-30T18:30:00Z")]
        );
        let s = CronSchedule::parse("*/15 * * * *", chrono_tz::UTC).unwrap();
        assert_eq!(
            s.fires_between(utc("2026-11-23T10:00:00Z"), utc("2026-11-23T11:00:00Z"))
                .len(),
            4
        );
    }

    #[test]
    fn nine_o_clock_paris_follows_daylight_saving() {
        let s = CronSchedule::parse("0 9 * * *", chrono_tz::Europe::Paris).unwrap();
        // Spring forward: Sunday 2026-03-29. Fall back: Sunday 2026-10-25.
        let spring = s.fires_between(utc("2026-03-27T12:00:00Z"), utc("2026-03-30T12:00:00Z"));
        assert_eq!(
            spring,
            [
                utc("2026-03-28T08:00:00Z"),
                utc("2026-03-29T07:00:00Z"),
                utc("2026-03-30T07:00:00Z")
            ]
        );
        let autumn = s.fires_between(utc("2026-10-23T12:00:00Z"), utc("2026-10-26T12:00:00Z"));
        assert_eq!(
            autumn,
            [
                utc("2026-10-24T07:00:00Z"),
                utc("2026-10-25T08:00:00Z"),
                utc("2026-10-26T08:00:00Z")
            ]
        );
    }

    #[test]
    fn times_inside_the_changeover_hour_fire_at_most_once_a_day() {
        // 02:30 does not exist on 29 March and exists twice on 25 October in Paris.
        let s = CronSchedule::parse("30 2 * * *", chrono_tz::Europe::Paris).unwrap();
        for (from, to) in [
            ("2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"),
            ("2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z"),
        ] {
            let fires = s.fires_between(utc(from), utc(to));
            assert!(fires.len() <= 1, "{fires:?}");
        }
    }

    #[test]
    fn bad_expressions_say_what_was_expected() {
        let tz = chrono_tz::UTC;
        let err = |e: &str| CronSchedule::parse(e, tz).unwrap_err();
        assert!(err("0 9 * *").contains("4 field(s)"));
        assert!(
            err("0 0 9 * * *").contains("6 field(s)"),
            "seconds are not crontab"
        );
        assert!(err("0 25 * * *").contains("outside 0–23"));
        assert!(err("0 9 * * 1-8").contains("outside 0–7"));
        assert!(err("0 9 * * fri-mon").contains("backwards"));
        assert!(err("0 9 * * x").contains("not a number"));
        assert!(err("0 9 1 * 1").contains("either"));
        assert!(err("*/0 * * * *").contains("step"));
    }

    #[test]
    fn macros_and_months() {
        let s = CronSchedule::parse("@monthly", chrono_tz::UTC).unwrap();
        assert_eq!(
            s.next_fires(utc("2026-11-23T00:00:00Z"), 1),
            [utc("2026-12-01T00:00:00Z")]
        );
        let s = CronSchedule::parse("0 8 1 jan,jul *", chrono_tz::UTC).unwrap();
        let f = s.next_fires(utc("2026-11-23T00:00:00Z"), 2);
        assert_eq!((f[0].month(), f[1].month()), (1, 7));
    }
}

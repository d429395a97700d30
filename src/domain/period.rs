//! Calendar periods in the shop's time zone: an inclusive range of days.

use chrono::{Days, NaiveDate};
use serde::Serialize;

/// An inclusive range of calendar days, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, String> {
        if from > to {
            return Err(format!(
                "period starts {from} after it ends {to}: swap the dates"
            ));
        }
        Ok(Period { from, to })
    }

    pub fn day(day: NaiveDate) -> Period {
        Period { from: day, to: day }
    }

    /// The `days` days ending on `to`, `to` included.
    pub fn trailing(to: NaiveDate, days: u64) -> Period {
        assert!(days >= 1, "a trailing period has at least one day");
        Period {
            from: to - Days::new(days - 1),
            to,
        }
    }

    /// The period of the same length that ends the day before this one starts.
    pub fn previous(self) -> Period {
        let len = self.days() as u64;
        let to = self.from - Days::new(1);
        Period {
            from: to - Days::new(len - 1),
            to,
        }
    }

    /// The same days shifted back by `days`.
    pub fn shifted_back(self, days: u64) -> Period {
        Period {
            from: self.from - Days::new(days),
            to: self.to - Days::new(days),
        }
    }

    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn iter_days(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take(self.days() as usize)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}..{}", self.from, self.to)
        }
    }
}

/// Parses a calendar date written `YYYY-MM-DD`, with a message that says what was expected.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|e| format!("invalid date {text:?} ({e}): expected YYYY-MM-DD, e.g. 2026-11-20"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn trailing_and_previous_periods_tile_the_calendar() {
        let week = Period::trailing(d("2026-11-20"), 7);
        assert_eq!(week.from, d("2026-11-14"));
        assert_eq!(
            week.previous(),
            Period {
                from: d("2026-11-07"),
                to: d("2026-11-13")
            }
        );
        assert_eq!(week.days(), 7);
        assert_eq!(week.iter_days().count(), 7);
    }

    #[test]
    fn bad_dates_say_what_was_expected() {
        let err = parse_date("2026-13-01").unwrap_err();
        assert!(err.contains("expected YYYY-MM-DD"), "{err}");
        assert!(Period::new(d("2026-11-02"), d("2026-11-01")).is_err());
    }
}

/// The calendar day of `instant` in the shop's time zone, and that day as days since
/// 1970-01-01 (the `day_no` columns). An order placed 2026-11-20 23:30 UTC in Paris belongs
/// to 21 November.
pub fn local_day(instant: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> (NaiveDate, i64) {
    let date = instant.with_timezone(&tz).date_naive();
    (date, day_no(date))
}

/// Days since 1970-01-01.
pub fn day_no(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid epoch")).num_days()
}

#[cfg(test)]
mod local_day_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_late_utc_order_belongs_to_the_next_paris_day() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 23, 30, 0)
            .unwrap();
        let (date, n) = local_day(at, chrono_tz::Europe::Paris);
        assert_eq!(date, NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
        assert_eq!(n, day_no(date));
        assert_eq!(day_no(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    }
}

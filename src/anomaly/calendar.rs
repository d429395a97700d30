//! Days that are known to be unusual: the detector neither judges them (Black Friday is not
//! an anomaly, it is Black Friday) nor lets them into the baseline of later days (the Monday
//! after Black Friday is not judged against Black Friday).
//!
//! Black Friday's date comes from the demo shop's calendar, which already models it; the
//! retail calendar adds the days around it and the Christmas break, the two stretches every
//! e-commerce shop sees each year. Shops add their own sales, launches and holidays.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use chrono::{Datelike, Days, NaiveDate};

pub use crate::demo::black_friday;

/// The Monday after Black Friday.
pub fn cyber_monday(year: i32) -> NaiveDate {
    black_friday(year) + Days::new(3)
}

/// A set of excluded days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// No excluded day.
    pub fn new() -> Calendar {
        Calendar::default()
    }

    /// The usual retail events of each year in `years`: Black Friday week (the Monday before
    /// Black Friday to Cyber Monday, when demand runs at 1.3× to 3.4× an ordinary day) and
    /// the Christmas break (21 December to 3 January: the last shipping days, then
    /// Christmas and New Year's Day, down to a third of an ordinary day).
    pub fn retail(years: RangeInclusive<i32>) -> Calendar {
        let mut calendar = Calendar::new();
        for year in years {
            calendar.add_black_friday_week(year);
            calendar.add_christmas_break(year);
        }
        calendar
    }

    /// Black Friday and Cyber Monday of `year` (and the weekend between).
    pub fn add_black_friday(&mut self, year: i32) -> &mut Calendar {
        self.add_range(black_friday(year), cyber_monday(year))
    }

    /// The Monday before Black Friday to Cyber Monday of `year`.
    pub fn add_black_friday_week(&mut self, year: i32) -> &mut Calendar {
        self.add_range(black_friday(year) - Days::new(4), cyber_monday(year))
    }

    /// 21 December of `year` to 3 January of the next year.
    pub fn add_christmas_break(&mut self, year: i32) -> &mut Calendar {
        let from = NaiveDate::from_ymd_opt(year, 12, 21).expect("21 December");
        let to = NaiveDate::from_ymd_opt(year + 1, 1, 3).expect("3 January");
        self.add_range(from, to)
    }

    /// Every day from `from` to `to`, both included (nothing when `to` is before `from`).
    pub fn add_range(&mut self, from: NaiveDate, to: NaiveDate) -> &mut Calendar {
        self.days
            .extend(from.iter_days().take_while(|day| *day <= to));
        self
    }

    /// The caller's own dates (a sale, a launch, a site outage already explained).
    pub fn add_dates(&mut self, dates: impl IntoIterator<Item = NaiveDate>) -> &mut Calendar {
        self.days.extend(dates);
        self
    }

    pub fn is_excluded(&self, day: NaiveDate) -> bool {
        self.days.contains(&day)
    }

    /// The excluded days, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.days.iter().copied()
    }

    /// The years a series of days spans, for [`Calendar::retail`] (the year before the first
    /// day too, so a series starting on 2 January knows about the Christmas break).
    pub fn years_of(first: NaiveDate, last: NaiveDate) -> RangeInclusive<i32> {
        (first.year() - 1)..=last.year()
    }
}

//! The demo shop's calendar: how busy each shop day is, and when in the day people buy.
//!
//! Demand is the product of a weekday pattern (weekdays strong, Saturday the weakest day), a
//! yearly curve (summer dip, strong autumn, December high until the 20th then a sharp drop),
//! retail events (Mother's Day week, Black Friday week peaking ×3–4 on the Friday, Cyber
//! Monday) and a slight growth trend. Everything is precomputed per day index (0 = first day
//! of the history) so the simulation only reads arrays. Instants are built in the shop's time
//! zone and converted to UTC, so an order at 00:30 Paris time is stored at 23:30 UTC the day
//! before and still belongs to its Paris day.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::Rng;

/// Relative demand by weekday, Monday first: people order from the office, not on Saturdays.
const WEEKDAY: [f64; 7] = [1.10, 1.07, 1.04, 1.02, 0.95, 0.80, 0.90];

/// Yearly curve, one anchor per month at mid-month, interpolated in between.
const MONTH: [f64; 12] = [
    0.92, 0.90, 1.00, 1.00, 1.04, 0.95, 0.80, 0.74, 0.98, 1.02, 1.06, 1.28,
];

/// Share of a day's orders per local hour: lunch and evening peaks, quiet nights.
const HOURS: [f64; 24] = [
    1.6, 0.9, 0.5, 0.3, 0.3, 0.5, 1.2, 2.4, 3.4, 4.4, 5.0, 5.5, 6.4, 6.5, 5.5, 5.0, 5.0, 5.5, 6.0,
    7.0, 8.0, 8.5, 6.2, 3.6,
];

/// Growth over the two years: +11 % a year, linear.
const GROWTH_PER_YEAR: f64 = 0.11;

pub struct Calendar {
    pub first_day: NaiveDate,
    pub days: usize,
    pub tz: Tz,
    demand: Vec<f64>,
    max_demand: f64,
    hour_cdf: [f64; 24],
}

impl Calendar {
    pub fn new(end_date: NaiveDate, days: usize, tz: Tz) -> Calendar {
        let first_day = end_date - Days::new(days as u64 - 1);
        let demand: Vec<f64> = (0..days)
            .map(|d| day_demand(first_day + Days::new(d as u64)))
            .collect();
        let max_demand = demand.iter().copied().fold(0.0, f64::max);
        let mut hour_cdf = [0.0; 24];
        let total: f64 = HOURS.iter().sum();
        let mut acc = 0.0;
        for (h, w) in HOURS.iter().enumerate() {
            acc += w / total;
            hour_cdf[h] = acc;
        }
        Calendar {
            first_day,
            days,
            tz,
            demand,
            max_demand,
            hour_cdf,
        }
    }

    pub fn date(&self, d: usize) -> NaiveDate {
        self.first_day + Days::new(d as u64)
    }

    /// Seasonal demand of day `d` (weekday × yearly × events), about 1 on an ordinary day.
    pub fn demand(&self, d: usize) -> f64 {
        self.demand[d]
    }

    /// The busiest day's demand, to thin repeat purchases towards busy days.
    pub fn max_demand(&self) -> f64 {
        self.max_demand
    }

    /// Slow growth of the brand's reach over the history.
    pub fn trend(&self, d: usize) -> f64 {
        1.0 + GROWTH_PER_YEAR * d as f64 / 365.0
    }

    /// Whether day `d` is in a Black Friday week (Monday before to Cyber Monday).
    pub fn is_black_friday_week(&self, d: usize) -> bool {
        black_friday_offset(self.date(d)).is_some_and(|o| (-4..=3).contains(&o))
    }

    pub fn is_christmas_run(&self, d: usize) -> bool {
        let date = self.date(d);
        date.month() == 12 && date.day() <= 20
    }

    /// A second of the local day, following the hourly profile.
    pub fn sample_second<R: Rng>(&self, rng: &mut R) -> u32 {
        let u: f64 = rng.gen();
        let hour = self.hour_cdf.iter().position(|&c| u < c).unwrap_or(23) as u32;
        hour * 3600 + rng.gen_range(0..3600)
    }

    /// The UTC instant of local second `second` of day `d` (a second skipped by a DST change
    /// moves one hour later).
    pub fn instant(&self, d: usize, second: u32) -> DateTime<Utc> {
        local_instant(self.tz, self.date(d), second)
    }
}

/// The UTC instant of local `second` (0..86 400, may overflow into the next day) of `date`.
pub fn local_instant(tz: Tz, date: NaiveDate, second: u32) -> DateTime<Utc> {
    let day = date + Days::new(u64::from(second / 86_400));
    let s = second % 86_400;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(s, 0).expect("second of day");
    let local = day.and_time(time);
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .expect("a local time at most one hour from a valid one")
        .with_timezone(&Utc)
}

fn day_demand(date: NaiveDate) -> f64 {
    let weekday = WEEKDAY[date.weekday().num_days_from_monday() as usize];
    weekday * yearly(date) * event(date)
}

/// Linear interpolation between mid-month anchors.
fn yearly(date: NaiveDate) -> f64 {
    let m = date.month0() as usize;
    let pos = (date.day() as f64 - 15.0) / 30.5;
    let (a, b, t) = if pos >= 0.0 {
        (MONTH[m], MONTH[(m + 1) % 12], pos)
    } else {
        (MONTH[(m + 11) % 12], MONTH[m], 1.0 + pos)
    };
    a + (b - a) * t
}

/// Days from this year's Black Friday (negative before it), if within a few weeks of it.
fn black_friday_offset(date: NaiveDate) -> Option<i64> {
    let bf = black_friday(date.year());
    let offset = (date - bf).num_days();
    (offset.abs() <= 21).then_some(offset)
}

/// The day after the fourth Thursday of November.
pub fn black_friday(year: i32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 11, 1).expect("1 November");
    let to_thursday = (7 + Weekday::Thu.num_days_from_monday() as i64
        - first.weekday().num_days_from_monday() as i64)
        % 7;
    first + Days::new((to_thursday + 21 + 1) as u64)
}

/// France's Mother's Day, simplified to the last Sunday of May.
fn mothers_day(year: i32) -> NaiveDate {
    let last = NaiveDate::from_ymd_opt(year, 5, 31).expect("31 May");
    last - Days::new(u64::from(last.weekday().num_days_from_sunday()))
}

fn event(date: NaiveDate) -> f64 {
    if let Some(offset) = black_friday_offset(date) {
        // Shoppers wait the week before; Monday..Cyber Monday is the event.
        let factor = match offset {
            -10..=-5 => Some(0.85),
            -4 => Some(1.30),
            -3 => Some(1.35),
            -2 => Some(1.45),
            -1 => Some(1.70),
            0 => Some(3.40),
            1 => Some(2.30),
            2 => Some(2.00),
            3 => Some(2.20),
            4..=6 => Some(1.10),
            _ => None,
        };
        if let Some(f) = factor {
            return f;
        }
    }
    let to_mothers_day = (mothers_day(date.year()) - date).num_days();
    if (1..=7).contains(&to_mothers_day) {
        return 1.25;
    }
    match (date.month(), date.day()) {
        (12, d) if d <= 20 => 1.08 + 0.012 * d as f64,
        (12, 21..=23) => 0.75,
        (12, 24) => 0.55,
        (12, 25) => 0.35,
        (12, _) => 0.62,
        (1, 1) => 0.55,
        (1, 2..=5) => 0.85,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::domain::parse_date(s).unwrap()
    }

    #[test]
    fn black_friday_is_the_day_after_the_fourth_thursday() {
        assert_eq!(black_friday(2025), d("2025-11-28"));
        assert_eq!(black_friday(2026), d("2026-11-27"));
    }

    #[test]
    fn black_friday_is_three_to_four_times_an_ordinary_friday() {
        let bf = day_demand(d("2026-11-27"));
        let ordinary = day_demand(d("2026-11-06"));
        assert!((3.0..=4.0).contains(&(bf / ordinary)), "{bf} vs {ordinary}");
    }

    #[test]
    fn a_paris_half_past_midnight_is_the_previous_utc_day() {
        let at = local_instant(chrono_tz::Europe::Paris, d("2026-11-21"), 1800);
        assert_eq!(at.to_rfc3339(), "2026-11-20T23:30:00+00:00");
    }
}

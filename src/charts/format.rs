//! The words and numbers charts print: short dates, periods, values in a metric's unit, axis
//! ticks, channel names, in French or English.
//!
//! Numbers go through `crate::domain`'s formatting so a chart says `12 345 €` exactly as the
//! message it is attached to does. What is chart-specific lives here: dates short enough for
//! an axis (`20 nov.`, `Nov 20`), compact money for axis ticks past a million, and "nice"
//! tick steps (1, 2, 2.5, 5 × 10ⁿ) so gridlines fall on round figures.

use chrono::{Datelike, NaiveDate};

use crate::domain::{
    format_count, format_decimal, format_money, format_pct, Cents, Channel, Lang, Period,
};
use crate::metrics::Unit;

const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `20 nov.` (fr) or `Nov 20` (en).
pub(crate) fn short_date(day: NaiveDate, lang: Lang) -> String {
    let month = day.month0() as usize;
    match lang {
        Lang::Fr => format!("{} {}", day.day(), MONTHS_FR[month]),
        Lang::En => format!("{} {}", MONTHS_EN[month], day.day()),
    }
}

/// `21 oct. – 20 nov. 2026` (fr) or `Oct 21 – Nov 20, 2026` (en); one day is `20 nov. 2026`.
pub(crate) fn period_label(period: Period, lang: Lang) -> String {
    let with_year = |d: NaiveDate| match lang {
        Lang::Fr => format!("{} {}", short_date(d, lang), d.year()),
        Lang::En => format!("{}, {}", short_date(d, lang), d.year()),
    };
    if period.from == period.to {
        return with_year(period.to);
    }
    let from = if period.from.year() == period.to.year() {
        short_date(period.from, lang)
    } else {
        with_year(period.from)
    };
    format!("{from} – {}", with_year(period.to))
}

/// A value in its unit, as a message would print it. Money is in minor units.
pub(crate) fn value(unit: Unit, value: f64, currency: &str, lang: Lang) -> String {
    match unit {
        Unit::Money => format_money(Cents(value.round() as i64), currency, lang, true),
        Unit::Count => format_count(value.round() as i64, lang),
        Unit::Percent => format_pct(value, 1, lang),
        Unit::Ratio => ratio(value, lang),
        Unit::Days => days(value, 1, lang),
    }
}

/// An axis tick: like [`value`] but with as few decimals as the tick step needs, and money
/// in millions shortened (`1,5 M€`) so the label column stays narrow.
pub(crate) fn tick(unit: Unit, value: f64, step: f64, currency: &str, lang: Lang) -> String {
    let decimals = decimals_for(step);
    match unit {
        Unit::Money if value.abs() >= 100_000_000.0 => {
            let millions = format_decimal(
                value / 100_000_000.0,
                decimals_for(step / 100_000_000.0),
                lang,
            );
            let symbol = format_money(Cents(0), currency, lang, true).replace('0', "");
            match lang {
                Lang::Fr => format!("{millions}\u{a0}M{}", symbol.trim()),
                Lang::En => format!("{}{millions}M", symbol.trim()),
            }
        }
        Unit::Money => format_money(Cents(value.round() as i64), currency, lang, true),
        Unit::Count => format_decimal(value, decimals, lang),
        Unit::Percent => format_pct(value, decimals, lang),
        Unit::Ratio => format!("{}×", format_decimal(value, decimals, lang)),
        Unit::Days => days(value, decimals, lang),
    }
}

fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 3.0) as usize
    }
}

/// A multiple such as ROAS: `3,4×` (fr) or `3.4×` (en).
pub(crate) fn ratio(value: f64, lang: Lang) -> String {
    format!("{}×", format_decimal(value, 1, lang))
}

fn days(value: f64, decimals: usize, lang: Lang) -> String {
    let n = format_decimal(value, decimals, lang);
    match lang {
        Lang::Fr => format!("{n}\u{a0}j"),
        Lang::En => format!("{n}\u{a0}d"),
    }
}

/// A change with its sign: `+3,2 %`, `-13,1 %`.
pub(crate) fn signed_pct(pct: f64, lang: Lang) -> String {
    let text = format_pct(pct, 1, lang);
    let rounds_to_zero = !text.chars().any(|c| c.is_ascii_digit() && c != '0');
    if pct > 0.0 && !rounds_to_zero {
        format!("+{text}")
    } else {
        text
    }
}

/// What people call a channel stored as `key`; a key the bot does not know is shown as is.
pub(crate) fn channel(key: &str, lang: Lang) -> String {
    Channel::display(key, lang)
}

/// Round tick values for an axis from `lo` to `hi` with about `target` steps: the last
/// tick is at or above `hi` (the axis ends on a labelled gridline), the first at or above
/// `lo`, so a small dip below zero does not add a whole empty step under it.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let (lo, hi) = if (hi - lo).abs() < f64::EPSILON {
        if hi == 0.0 {
            (0.0, 1.0)
        } else {
            (lo.min(0.0), hi.max(0.0))
        }
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step - 1e-9).ceil() * step + 0.0; // + 0.0: no "-0 €" tick
    let last = (hi / step).ceil() * step;
    let count = ((last - first) / step).round() as usize;
    let ticks = (0..=count).map(|i| first + i as f64 * step).collect();
    (ticks, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::domain::parse_date(s).unwrap()
    }

    #[test]
    fn dates_are_short_and_localised() {
        assert_eq!(short_date(d("2026-11-20"), Lang::Fr), "20 nov.");
        assert_eq!(short_date(d("2026-08-01"), Lang::Fr), "1 août");
        assert_eq!(short_date(d("2026-11-20"), Lang::En), "Nov 20");
        let p = Period::new(d("2026-10-22"), d("2026-11-20")).unwrap();
        assert_eq!(period_label(p, Lang::Fr), "22 oct. – 20 nov. 2026");
        assert_eq!(period_label(p, Lang::En), "Oct 22 – Nov 20, 2026");
    }

    #[test]
    fn ticks_fall_on_round_figures() {
        let (ticks, step) = nice_ticks(0.0, 1_129_651.0, 5);
        assert_eq!(step, 250_000.0);
        assert_eq!(ticks.first(), Some(&0.0));
        assert_eq!(ticks.last(), Some(&1_250_000.0));
        assert_eq!(
            tick(Unit::Money, 1_250_000.0, step, "EUR", Lang::Fr),
            "12\u{202f}500\u{a0}€"
        );
        assert_eq!(
            tick(Unit::Money, 250_000_000.0, 50_000_000.0, "EUR", Lang::Fr),
            "2,5\u{a0}M€"
        );
        assert_eq!(
            tick(Unit::Money, 250_000_000.0, 50_000_000.0, "EUR", Lang::En),
            "€2.5M"
        );
        assert_eq!(tick(Unit::Ratio, 2.5, 0.5, "EUR", Lang::En), "2.5×");
        let (flat, _) = nice_ticks(0.0, 0.0, 5);
        assert_eq!((flat.len(), flat[0], flat[5]), (6, 0.0, 1.0));
    }

    #[test]
    fn channels_are_named_and_unknown_keys_kept() {
        assert_eq!(channel("meta", Lang::Fr), "Meta Ads");
        assert_eq!(channel("organic", Lang::Fr), "Organique");
        assert_eq!(channel("tiktok", Lang::En), "tiktok");
        assert_eq!(signed_pct(3.21, Lang::Fr), "+3,2\u{a0}%");
        assert_eq!(signed_pct(-13.11, Lang::En), "-13.1%");
    }
}

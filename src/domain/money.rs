//! Money as integer minor units, and the number formatting every output shares.
//!
//! Amounts are summed as `i64` cents and only become decimals when shown. French output
//! groups thousands with a narrow no-break space and uses a decimal comma (`12 345,67 €`);
//! English output uses `€12,345.67`. The formatting is a few lines, so it is written here
//! rather than pulled from a locale crate that would bring CLDR data for two languages.

use serde::{Serialize, Serializer};

use super::Lang;

/// An amount of money in minor units (cents) of the shop currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub i64);

impl Cents {
    /// Major units as a float, for ratios and charts only (never summed back).
    pub fn as_major(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;
    fn sub(self, rhs: Cents) -> Cents {
        Cents(self.0 - rhs.0)
    }
}

impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(|c| c.0).sum())
    }
}

/// JSON carries money as a number in major units with exactly the cents of the integer
/// value: 1234567 cents → `12345.67`, written from the integer so no float rounding shows.
impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = decimal_text(self.0);
        let number: serde_json::Number = text.parse().map_err(serde::ser::Error::custom)?;
        number.serialize(s)
    }
}

/// "-12345.67" from -1234567.
fn decimal_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

const NARROW_NBSP: char = '\u{202f}';

fn group_thousands(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

fn currency_symbol(currency: &str) -> &str {
    match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        other => other,
    }
}

/// A float with `decimals` decimals, thousands grouped, in the language's style.
pub fn format_decimal(value: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let (group, point) = match lang {
        Lang::Fr => (NARROW_NBSP, ','),
        Lang::En => (',', '.'),
    };
    let mut out = String::new();
    // "-0,0" is noise: only show the sign when the rounded value is not zero.
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part, group));
    if let Some(frac) = frac_part {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// An amount with its currency: `12 345,67 €` (fr) or `€12,345.67` (en). With
/// `whole = true` the cents are dropped (rounded), for headline figures.
pub fn format_money(amount: Cents, currency: &str, lang: Lang, whole: bool) -> String {
    let decimals = if whole { 0 } else { 2 };
    let number = format_decimal(amount.as_major(), decimals, lang);
    let symbol = currency_symbol(currency);
    match lang {
        Lang::Fr => format!("{number}\u{a0}{symbol}"),
        Lang::En => match number.strip_prefix('-') {
            Some(positive) => format!("-{symbol}{positive}"),
            None => format!("{symbol}{number}"),
        },
    }
}

/// An integer count with thousands grouped.
pub fn format_count(n: i64, lang: Lang) -> String {
    format_decimal(n as f64, 0, lang)
}

/// A percentage: `12,5 %` (fr, with a no-break space) or `12.5%` (en).
pub fn format_pct(pct: f64, decimals: usize, lang: Lang) -> String {
    let number = format_decimal(pct, decimals, lang);
    match lang {
        Lang::Fr => format!("{number}\u{a0}%"),
        Lang::En => format!("{number}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_money_groups_with_narrow_spaces_and_decimal_comma() {
        assert_eq!(
            format_money(Cents(1_234_567), "EUR", Lang::Fr, false),
            "12\u{202f}345,67\u{a0}€"
        );
        assert_eq!(
            format_money(Cents(-5), "EUR", Lang::Fr, false),
            "-0,05\u{a0}€"
        );
        assert_eq!(
            format_money(Cents(99_950), "EUR", Lang::Fr, true),
            "1\u{202f}000\u{a0}€"
        );
    }

    #[test]
    fn english_money_puts_the_symbol_first() {
        assert_eq!(
            format_money(Cents(1_234_567), "EUR", Lang::En, false),
            "€12,345.67"
        );
        assert_eq!(
            format_money(Cents(-123_400), "GBP", Lang::En, true),
            "-£1,234"
        );
    }

    #[test]
    fn json_money_keeps_exact_cents() {
        let json =
            serde_json::to_string(&[Cents(1_234_567), Cents(-1), Cents(10), Cents(0)]).unwrap();
        assert_eq!(json, "[12345.67,-0.01,0.1,0.0]");
    }

    #[test]
    fn percentages_and_counts() {
        assert_eq!(format_pct(-12.345, 1, Lang::Fr), "-12,3\u{a0}%");
        assert_eq!(format_pct(7.0, 0, Lang::En), "7%");
        assert_eq!(format_count(1_000_000, Lang::En), "1,000,000");
        assert_eq!(format_pct(-0.04, 1, Lang::En), "0.0%");
    }
}

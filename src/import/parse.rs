//! Cell parsing shared by every export format: header names, amounts, counts, days and
//! instants, written the way spreadsheets and ad platforms write them.
//!
//! Exports come from English and French tools, so an amount may be `1,234.50`, `1 234,50`,
//! `"795,836"` or `12,5`; a missing value may be empty, `--` or ` --`. Amounts become integer
//! minor units here, exactly (decimal text is never read through a float), rounded half away
//! from zero when an export gives more than two decimals.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::error::CellError;

/// A header or label reduced to what identifies it: accents folded, lower case, letters and
/// digits only. `"Créé le"`, `"CREE LE"` and `"\u{feff}cree-le"` all become `"creele"`.
pub fn norm_header(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'œ' => 'o',
            'æ' => 'a',
            other => other,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Empty cells and the placeholders ad platforms write for "no value".
pub fn is_blank(text: &str) -> bool {
    matches!(text.trim(), "" | "--" | "-" | "—" | "–" | "N/A" | "n/a")
}

/// How the file writes numbers: a `;`-separated file is a French/European export whose
/// decimal separator is the comma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NumberStyle {
    pub decimal_comma: bool,
}

const AMOUNT: &str = "an amount such as 12.50, 1,234.50 or 1 234,50";
const COUNT: &str = "a whole number such as 3 or 1,234";

/// `1234`, `-12.5`, `0.00`: the plain form almost every cell of a big export has, read
/// without the allocations of the general path (which gives the same answer for it).
fn plain_decimal(text: &str) -> Option<(i128, u32)> {
    let (negative, s) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    let (int_part, frac_part) = s.split_once('.').unwrap_or((s, ""));
    if int_part.is_empty()
        || int_part.len() > 18
        || frac_part.len() > 12
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
        || (s.len() > int_part.len() && frac_part.is_empty())
    {
        return None;
    }
    let mantissa = int_part
        .bytes()
        .chain(frac_part.bytes())
        .fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
    Some((
        if negative { -mantissa } else { mantissa },
        frac_part.len() as u32,
    ))
}

/// Parses a decimal number into (digits as an integer, number of decimals).
fn parse_decimal(text: &str, style: NumberStyle) -> Option<(i128, u32)> {
    if let Some(plain) = plain_decimal(text) {
        return Some(plain);
    }
    let mut s = text.trim();
    let negative = if let Some(rest) = s.strip_prefix('-') {
        s = rest;
        true
    } else if s.starts_with('(') && s.ends_with(')') {
        // Accounting style: (12.50) is −12.50.
        s = &s[1..s.len() - 1];
        true
    } else {
        false
    };
    let s = s.trim_matches(|c: char| {
        matches!(c, '€' | '$' | '£' | '¥' | '₹' | '৳') || c.is_whitespace()
    });
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let commas = cleaned.matches(',').count();
    let dots = cleaned.matches('.').count();
    let decimal_sep = match (commas, dots) {
        (0, 0) => None,
        (0, 1) => Some('.'),
        (0, _) => None, // 1.234.567: dots group thousands
        (1, 0) if style.decimal_comma || !is_grouped(&cleaned, ',') => Some(','),
        (_, 0) => None, // 1,234 or 1,234,567 in an English file: thousands
        _ => {
            // Both: whichever comes last is the decimal separator.
            let last_comma = cleaned.rfind(',')?;
            let last_dot = cleaned.rfind('.')?;
            Some(if last_comma > last_dot { ',' } else { '.' })
        }
    };
    let group_sep = match decimal_sep {
        Some(',') => '.',
        Some(_) => ',',
        None if commas > 0 => ',',
        None => '.',
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => {
            let at = cleaned.rfind(sep)?;
            (&cleaned[..at], &cleaned[at + 1..])
        }
        None => (cleaned.as_str(), ""),
    };
    if int_part.contains(group_sep) && !is_grouped(int_part, group_sep) {
        return None;
    }
    let digits: String = int_part.chars().filter(|c| *c != group_sep).collect();
    if (digits.is_empty() && frac_part.is_empty())
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || frac_part.len() > 12
    {
        return None;
    }
    let mantissa: i128 = format!("{digits}{frac_part}").parse().ok()?;
    Some((
        if negative { -mantissa } else { mantissa },
        frac_part.len() as u32,
    ))
}

/// True when `text` is digits grouped by threes with `sep` (`1,234,567`).
fn is_grouped(text: &str, sep: char) -> bool {
    let mut groups = text.split(sep);
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

/// Rescales (mantissa, decimals) to `want` decimals, rounding half away from zero.
fn rescale(mantissa: i128, decimals: u32, want: u32) -> Option<i64> {
    let value = if decimals <= want {
        mantissa.checked_mul(10i128.pow(want - decimals))?
    } else {
        let div = 10i128.pow(decimals - want);
        let q = mantissa / div;
        let r = (mantissa % div).abs();
        if r * 2 >= div {
            q + mantissa.signum()
        } else {
            q
        }
    };
    i64::try_from(value).ok()
}

/// An amount in minor units (cents); `None` for a blank cell.
pub fn cents(text: &str, style: NumberStyle) -> Result<Option<i64>, CellError> {
    if is_blank(text) {
        return Ok(None);
    }
    parse_decimal(text, style)
        .and_then(|(m, d)| rescale(m, d, 2))
        .map(Some)
        .ok_or_else(|| CellError::expected(AMOUNT))
}

/// A count (units, clicks, impressions); a fractional count (Google's `22.50` conversions)
/// is rounded half away from zero.
pub fn count(text: &str, style: NumberStyle) -> Result<Option<i64>, CellError> {
    if is_blank(text) {
        return Ok(None);
    }
    parse_decimal(text, style)
        .and_then(|(m, d)| rescale(m, d, 0))
        .map(Some)
        .ok_or_else(|| CellError::expected(COUNT))
}

const DAY: &str = "a date such as 2026-11-20, 20/11/2026 or Nov 20, 2026";
const DAY_FORMATS: [&str; 10] = [
    "%Y-%m-%d",
    "%Y%m%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%a, %b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y/%m/%d",
];

/// A calendar day. Slashed dates are read day first (`20/11/2026`), as European exports
/// write them; an ISO date is always accepted.
pub fn day(text: &str) -> Result<Option<NaiveDate>, CellError> {
    if is_blank(text) {
        return Ok(None);
    }
    let t = text.trim();
    // A timestamp's day ("2026-11-20 08:00:00") is its first ten characters.
    let t = if t.len() > 10 && t.as_bytes().get(4) == Some(&b'-') {
        t.get(..10).unwrap_or(t)
    } else {
        t
    };
    DAY_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .map(Some)
        .ok_or_else(|| CellError::expected(DAY))
}

const INSTANT: &str = "a timestamp such as 2026-11-20 14:05:00 +0100";

/// An instant. With an offset (`2026-04-05 19:50:32 +0400`, RFC 3339) it is exact; without
/// one it is read in the shop's time zone; a bare date is midnight there.
pub fn instant(text: &str, tz: chrono_tz::Tz) -> Result<Option<DateTime<Utc>>, CellError> {
    if is_blank(text) {
        return Ok(None);
    }
    let t = text.trim();
    if let Some(at) = shopify_instant(t) {
        return Ok(Some(at));
    }
    for f in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"] {
        if let Ok(at) = DateTime::parse_from_str(t, f) {
            return Ok(Some(at.with_timezone(&Utc)));
        }
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| day(t).ok().flatten().and_then(|d| d.and_hms_opt(0, 0, 0)));
    local
        .and_then(|naive| tz.from_local_datetime(&naive).earliest())
        .map(|at| Some(at.with_timezone(&Utc)))
        .ok_or_else(|| CellError::expected(INSTANT))
}

/// `2026-04-05 19:50:32 +0400`, the form of every timestamp in a Shopify export, read
/// field by field (chrono's format parser was a large share of reading a big export); any
/// other text, or an impossible date, is left to the general path.
fn shopify_instant(t: &str) -> Option<DateTime<Utc>> {
    let b = t.as_bytes();
    if b.len() != 25
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b' '
        || !matches!(b[20], b'+' | b'-')
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let naive = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    let (oh, om) = (num(21, 23)?, num(23, 25)?);
    if oh > 23 || om > 59 {
        return None;
    }
    let offset = i64::from(oh * 3600 + om * 60) * if b[20] == b'-' { -1 } else { 1 };
    Some(Utc.from_utc_datetime(&(naive - chrono::Duration::seconds(offset))))
}

/// Yes/no cells in either language.
pub fn yes(text: &str) -> bool {
    matches!(
        norm_header(text).as_str(),
        "yes" | "true" | "oui" | "vrai" | "1" | "y" | "o"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: NumberStyle = NumberStyle {
        decimal_comma: false,
    };
    const FR: NumberStyle = NumberStyle {
        decimal_comma: true,
    };

    #[test]
    fn amounts_in_every_locale_become_exact_cents() {
        assert_eq!(cents("12.50", EN), Ok(Some(1250)));
        assert_eq!(cents("1,234.50", EN), Ok(Some(123_450)));
        assert_eq!(cents("1 234,50", FR), Ok(Some(123_450)));
        assert_eq!(cents("1.234,50", FR), Ok(Some(123_450)));
        assert_eq!(cents("12,5", EN), Ok(Some(1250)));
        assert_eq!(cents("795,836", EN), Ok(Some(79_583_600)));
        assert_eq!(cents("1,5", FR), Ok(Some(150)));
        assert_eq!(cents("£31.12", EN), Ok(Some(3112)));
        assert_eq!(cents("12,34\u{a0}€", FR), Ok(Some(1234)));
        assert_eq!(cents("-0.295", EN), Ok(Some(-30)));
        assert_eq!(cents(" --", EN), Ok(None));
        assert!(cents("12.5O", EN).is_err());
        assert!(cents("1,23,4", EN).is_err());
        assert_eq!(cents("-12.5", EN), Ok(Some(-1250)));
        assert_eq!(cents("0.00", FR), Ok(Some(0)));
        assert!(cents("-", EN).unwrap().is_none());
    }

    #[test]
    fn counts_round_platform_fractions() {
        assert_eq!(count("\"9,265\"".trim_matches('"'), EN), Ok(Some(9265)));
        assert_eq!(count("4,838.80", EN), Ok(Some(4839)));
        assert_eq!(count("22.00", EN), Ok(Some(22)));
        assert!(count("abc", EN).is_err());
    }

    #[test]
    fn headers_fold_accents_case_and_punctuation() {
        assert_eq!(norm_header("\u{feff}Créé le"), "creele");
        assert_eq!(norm_header("E-mail"), norm_header("Email"));
        assert_eq!(norm_header("Amount spent (EUR)"), "amountspenteur");
    }

    #[test]
    fn days_and_instants() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        for t in [
            "2026-01-20",
            "20/01/2026",
            "Jan 20, 2026",
            "January 20, 2026",
            "20 January 2026",
        ] {
            assert_eq!(day(t), Ok(Some(d)), "{t}");
        }
        let at = instant("2026-04-05 19:50:32 +0400", chrono_tz::Europe::Paris)
            .unwrap()
            .unwrap();
        assert_eq!(at.to_rfc3339(), "2026-04-05T15:50:32+00:00");
        let local = instant("2026-04-05 19:50:32", chrono_tz::Europe::Paris)
            .unwrap()
            .unwrap();
        assert_eq!(local.to_rfc3339(), "2026-04-05T17:50:32+00:00");
        assert!(instant("2026-13-05 19:50:32 +0400", chrono_tz::UTC).is_err());
        let west = instant("2026-04-05 19:50:32 -0930", chrono_tz::UTC)
            .unwrap()
            .unwrap();
        assert_eq!(west.to_rfc3339(), "2026-04-06T05:20:32+00:00");
        assert_eq!(
            shopify_instant("2026-04-05 19:50:32 +0400"),
            DateTime::parse_from_str("2026-04-05 19:50:32 +0400", "%Y-%m-%d %H:%M:%S %z")
                .ok()
                .map(|at| at.with_timezone(&Utc))
        );
    }
}

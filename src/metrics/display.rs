//! How a metric's figures and breakdown keys are written for people, shared by `query`, the
//! charts and `/insight` so that a table, a chart and a Slack answer print the same number
//! the same way: the unit decides the format (money in minor units, percent 0–100, ratio ×),
//! a missing value is "—" (never 0), and a breakdown key reads as people say it (channels by
//! their name, customer types as words).
//!
//! Combining rows (the "others" line of a chart or a table) follows the value rule: Σnum /
//! Σden for ratios, never an average of ratios.

use crate::domain::{format_count, format_decimal, format_money, format_pct, Cents, Channel, Lang};

use super::header::{Dimension, MetricDef, Unit, ValueRule};
use super::run::MetricRow;

/// A metric value as people read it, in the metric's unit and the output language.
pub fn format_value(unit: Unit, value: Option<f64>, currency: &str, lang: Lang) -> String {
    let Some(v) = value else {
        return "—".to_string();
    };
    match unit {
        Unit::Money => format_money(Cents(v.round() as i64), currency, lang, false),
        Unit::Count => format_count(v.round() as i64, lang),
        Unit::Percent => format_pct(v, 1, lang),
        Unit::Ratio => format!("{}×", format_decimal(v, 2, lang)),
        Unit::Days => format!("{} {}", format_decimal(v, 1, lang), lang.pick("j", "d")),
    }
}

impl Dimension {
    /// A breakdown key as a row label: channels by their name, customer types as words, the
    /// rest as stored.
    pub fn key_label(self, key: &str, lang: Lang) -> String {
        match (self, key) {
            (Dimension::Channel, _) => Channel::display(key, lang),
            (Dimension::CustomerType, "new") => lang.pick("Nouveaux", "New").into(),
            (Dimension::CustomerType, "returning") => lang.pick("Récurrents", "Returning").into(),
            (Dimension::CustomerType, "guest") => lang.pick("Invités", "Guests").into(),
            _ => key.to_string(),
        }
    }
}

impl MetricDef {
    /// The value of several rows taken together: Σvalue for sums, Σnum / Σden (×100 for
    /// percent) for ratios; `None` without data.
    pub fn combine(&self, rows: &[&MetricRow]) -> Option<f64> {
        match self.value {
            ValueRule::Sum => {
                let values: Vec<f64> = rows.iter().filter_map(|r| r.value).collect();
                (!values.is_empty()).then(|| values.iter().sum())
            }
            ValueRule::Ratio => {
                let num: i64 = rows.iter().map(|r| r.num).sum();
                let den: i64 = rows.iter().filter_map(|r| r.den).sum();
                let scale = if self.unit == Unit::Percent {
                    100.0
                } else {
                    1.0
                };
                (den != 0).then(|| num as f64 / den as f64 * scale)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_types_and_channels_read_as_words() {
        assert_eq!(
            Dimension::CustomerType.key_label("new", Lang::Fr),
            "Nouveaux"
        );
        assert_eq!(Dimension::Channel.key_label("meta", Lang::En), "Meta Ads");
        assert_eq!(Dimension::Sku.key_label("A-1", Lang::En), "A-1");
        assert_eq!(format_value(Unit::Money, None, "EUR", Lang::Fr), "—");
    }
}

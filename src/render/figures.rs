//! How one figure is written, shared by the Slack and terminal renderers so that both show
//! the same numbers, the same ▲/▼ and the same "—": a comparison always carries its
//! direction (▲ up, ▼ down, = when it rounds to zero, judged on the value as shown), and a
//! missing value is "—", never 0.

use crate::domain::{format_decimal, format_money, format_pct, Cents, Lang};

use super::i18n;

pub(crate) const DASH: &str = "—";

/// Rounds to one decimal, so the arrow agrees with the digits shown.
fn shown(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn arrow(value: f64) -> &'static str {
    match shown(value) {
        v if v > 0.0 => "▲",
        v if v < 0.0 => "▼",
        _ => "=",
    }
}

/// "▲ 3,2 %" / "▼ 13.1%" / "= 0,0 %" / "—".
pub(crate) fn change_pct(change: Option<f64>, lang: Lang) -> String {
    match change.filter(|v| v.is_finite()) {
        Some(v) => format!("{} {}", arrow(v), format_pct(shown(v).abs(), 1, lang)),
        None => DASH.to_string(),
    }
}

/// "▼ 0,8 pt" / "▲ 1.2 pts": a change of a rate, in percentage points.
pub(crate) fn change_pts(change: Option<f64>, lang: Lang) -> String {
    match change.filter(|v| v.is_finite()) {
        Some(v) => {
            let number = format_decimal(shown(v).abs(), 1, lang);
            format!("{} {number}\u{a0}{}", arrow(v), i18n::POINTS_UNIT.get(lang))
        }
        None => DASH.to_string(),
    }
}

/// A percentage with one decimal, or "—".
pub(crate) fn pct(value: Option<f64>, lang: Lang) -> String {
    pct_with(value, 1, lang)
}

pub(crate) fn pct_with(value: Option<f64>, decimals: usize, lang: Lang) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format_pct(v, decimals, lang),
        None => DASH.to_string(),
    }
}

/// A ratio such as ROAS or stock turns: "3,9", or "—".
pub(crate) fn ratio(value: Option<f64>, lang: Lang) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format_decimal(v, 1, lang),
        None => DASH.to_string(),
    }
}

/// Headline amounts: whole units ("12 345 €").
pub(crate) fn money(amount: Cents, currency: &str, lang: Lang) -> String {
    format_money(amount, currency, lang, true)
}

/// Unit amounts (AOV, CAC): with cents ("61,50 €").
pub(crate) fn money_cents(amount: Option<Cents>, currency: &str, lang: Lang) -> String {
    match amount {
        Some(a) => format_money(a, currency, lang, false),
        None => DASH.to_string(),
    }
}

/// Change of `actual` against `target` in %, when there is a non-zero target.
pub(crate) fn vs(actual: Cents, target: Option<Cents>) -> Option<f64> {
    target
        .filter(|t| t.0 != 0)
        .map(|t| (actual.0 - t.0) as f64 / t.0 as f64 * 100.0)
}

/// A colour cue only where it means something: 🔴 more than 10 % below target, 🟢 on or
/// above it, nothing in between.
pub(crate) fn target_cue(vs_target: Option<f64>) -> &'static str {
    match vs_target.map(shown) {
        Some(v) if v < -10.0 => "🔴 ",
        Some(v) if v >= 0.0 => "🟢 ",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_always_carry_their_direction() {
        assert_eq!(change_pct(Some(3.21), Lang::Fr), "▲ 3,2\u{a0}%");
        assert_eq!(change_pct(Some(-13.11), Lang::En), "▼ 13.1%");
        assert_eq!(change_pct(Some(-0.04), Lang::En), "= 0.0%");
        assert_eq!(change_pct(None, Lang::Fr), "—");
        assert_eq!(change_pts(Some(-0.8), Lang::Fr), "▼ 0,8\u{a0}pt");
        assert_eq!(change_pct(Some(f64::NAN), Lang::Fr), "—");
    }

    #[test]
    fn colour_cues_only_beyond_ten_percent_below_or_on_target() {
        assert_eq!(target_cue(Some(-13.1)), "🔴 ");
        assert_eq!(target_cue(Some(-5.0)), "");
        assert_eq!(target_cue(Some(0.0)), "🟢 ");
        assert_eq!(target_cue(None), "");
    }
}

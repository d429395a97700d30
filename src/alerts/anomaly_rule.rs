//! The `anomaly` rule: the daily series it watches (revenue, orders, conversion rate, a
//! channel's ROAS), read from the metric catalogue over the last 16 weeks, and judged on their
//! last day by the seasonal detector of [`crate::anomaly`].

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

use super::Finding;
use crate::commands::App;
use crate::domain::{format_decimal, format_money, format_pct, Cents, Lang, Period};
use crate::metrics::{Dimension, Unit};
use crate::schedule::{AlertRule, RuleKind};

/// Days of history the detector sees (16 weeks: enough same-weekday points for a robust
/// baseline, short enough to follow the shop's growth).
pub const HISTORY_DAYS: u64 = 112;

/// One watched series: the metric and, for `roas:<channel>`, the channel.
fn series_source(name: &str) -> (&str, Option<&str>) {
    match name.strip_prefix("roas:") {
        Some(channel) => ("roas", Some(channel)),
        None => (name, None),
    }
}

/// The daily values of `series` over the `HISTORY_DAYS` days ending on `as_of`; days without
/// a value are `NaN` (the detector skips them).
pub async fn daily_series(
    app: &App,
    series: &str,
    as_of: NaiveDate,
) -> anyhow::Result<(Vec<(NaiveDate, f64)>, Unit)> {
    let (metric, channel) = series_source(series);
    let def = app
        .registry
        .get(metric)
        .with_context(|| format!("anomaly series {series}: no metric {metric} in the catalogue"))?;
    let period = Period::trailing(as_of, HISTORY_DAYS);
    let result = def
        .run_where(
            &app.store,
            period,
            Some(Dimension::Day),
            &BTreeMap::new(),
            channel.map(|c| (Dimension::Channel, c)),
        )
        .await
        .with_context(|| format!("anomaly series {series}"))?;
    let values: Vec<(NaiveDate, f64)> = period
        .iter_days()
        .map(|day| {
            let key = day.to_string();
            let v = result.row(&key).and_then(|r| r.value).unwrap_or(
                if def.unit == Unit::Ratio || def.unit == Unit::Percent {
                    f64::NAN
                } else {
                    0.0
                },
            );
            (day, v)
        })
        .collect();
    Ok((values, def.unit))
}

pub async fn evaluate(
    app: &App,
    rule: &AlertRule,
    as_of: NaiveDate,
) -> anyhow::Result<Vec<Finding>> {
    let lang = app.lang;
    let mut out = Vec::new();
    for series in &rule.series {
        let (values, unit) = daily_series(app, series, as_of).await?;
        let detector = crate::anomaly::Detector::daily();
        let first_year = values.first().map_or(as_of.year(), |v| v.0.year());
        let calendar = crate::anomaly::Calendar::retail(first_year..=as_of.year());
        let flags = detector.detect_daily(&values, &calendar);
        let Some(flag) = flags.into_iter().find(|f| f.day == as_of) else {
            continue;
        };
        let show = |v: f64| match unit {
            Unit::Money => format_money(Cents(v.round() as i64), &app.shop.currency, lang, true),
            Unit::Percent => format_pct(v, 1, lang),
            Unit::Count => format_decimal(v, 0, lang),
            _ => format_decimal(v, 2, lang),
        };
        let change = if flag.expected.abs() > f64::EPSILON {
            (flag.value / flag.expected - 1.0) * 100.0
        } else {
            0.0
        };
        let down = flag.value < flag.expected;
        out.push(Finding {
            rule: RuleKind::Anomaly,
            subject: series.clone(),
            title: match lang {
                Lang::Fr => format!(
                    "Anomalie {} : {} du {as_of} {} de {}",
                    series,
                    show(flag.value),
                    if down { "en baisse" } else { "en hausse" },
                    format_pct(change.abs(), 0, lang)
                ),
                Lang::En => format!(
                    "Anomaly on {}: {} on {as_of}, {} {}",
                    series,
                    show(flag.value),
                    if down { "down" } else { "up" },
                    format_pct(change.abs(), 0, lang)
                ),
            },
            value: show(flag.value),
            baseline: format!(
                "{} ({} {}–{})",
                show(flag.expected),
                lang.pick("attendu, plage normale", "expected, normal range"),
                show(flag.lower),
                show(flag.upper)
            ),
            action: if down {
                lang.pick(
                    "Vérifier le site (paiement, stock des best-sellers, tracking) et les campagnes du jour.",
                    "Check the site (checkout, best-sellers' stock, tracking) and the day's campaigns.",
                )
            } else {
                lang.pick(
                    "Vérifier d'où vient le pic (campagne, influenceur, commande en gros, fraude).",
                    "Check where the spike comes from (campaign, influencer, bulk order, fraud).",
                )
            }
            .to_string(),
            details: Vec::new(),
            evidence: json!({
                "series": series, "day": as_of, "value": flag.value, "expected": flag.expected,
                "lower": flag.lower, "upper": flag.upper, "score": flag.score,
                "history_days": HISTORY_DAYS,
            }),
            as_of,
            chart: crate::charts::metric_chart(
                app.registry.get(series_source(series).0).expect("resolved above"),
                &series_result_for_chart(&values, series, unit, as_of),
                &app.shop.currency,
                lang,
            )
            .ok()
            .flatten(),
        });
    }
    Ok(out)
}

/// The last 8 weeks of the series as a metric result by day, for the evidence chart.
fn series_result_for_chart(
    values: &[(NaiveDate, f64)],
    series: &str,
    unit: Unit,
    as_of: NaiveDate,
) -> crate::metrics::MetricResult {
    let from = as_of - Days::new(55);
    crate::metrics::MetricResult {
        metric: series_source(series).0.to_string(),
        unit,
        period: Period::trailing(as_of, 56),
        by: Some(Dimension::Day),
        rows: values
            .iter()
            .filter(|(d, v)| *d >= from && v.is_finite())
            .map(|(d, v)| crate::metrics::MetricRow {
                key: Some(d.to_string()),
                num: v.round() as i64,
                den: None,
                value: Some(*v),
            })
            .collect(),
    }
}

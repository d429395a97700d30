//! A chart for any metric result (`query`, `/insight`): a line over days when the result is
//! broken down by day (here), horizontal bars for any other breakdown (`metric_bars`).
//!
//! The chart only knows what the metric header says: the unit (money in cents, percent
//! 0–100, ratio ×), the value rule (so "others" and the period summary are recomputed as
//! Σnum / Σden for ratios, never as an average of ratios), and the empty rule: a day absent
//! from the result is a true zero for `empty: zero` metrics (no orders that day) and a gap
//! for `empty: missing` ones. A `None` value is always a gap or a "no data" row, never 0.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::Lang;
use crate::metrics::{EmptyRule, MetricDef, MetricResult, MetricRow, ValueRule};

use super::canvas::{text_width, Align, Canvas, Font, Point};
use super::format::{nice_ticks, period_label, short_date, tick, value};
use super::frame::{self, Drawn, Scale};
use super::spec::{fill, LineSpec, Theme};

/// The subtitle's "total 12 345 €" or "2,1 % over the period".
pub(super) fn summary(
    def: &MetricDef,
    result: &MetricResult,
    currency: &str,
    lang: Lang,
    sum: &str,
    ratio: &str,
) -> String {
    let rows: Vec<&MetricRow> = result.rows.iter().collect();
    let total = def
        .combine(&rows)
        .map(|v| value(def.unit, v, currency, lang))
        .unwrap_or_else(|| "–".into());
    let template = if def.value == ValueRule::Sum {
        sum
    } else {
        ratio
    };
    fill(template, &[("total", &total)])
}

/// A day key as the store casts it to text: `2026-11-20`, possibly with a time after it.
fn parse_day(key: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(key.get(..10)?, "%Y-%m-%d").ok()
}

pub(crate) fn line(
    def: &MetricDef,
    result: &MetricResult,
    currency: &str,
    lang: Lang,
    spec: &LineSpec,
    theme: &Theme,
) -> anyhow::Result<Option<Drawn>> {
    let absent = if def.empty == EmptyRule::Zero {
        Some(0.0)
    } else {
        None
    };
    let mut by_day: BTreeMap<NaiveDate, Option<f64>> =
        result.period.iter_days().map(|d| (d, absent)).collect();
    for row in &result.rows {
        let key = row.key.as_deref().unwrap_or_default();
        let Some(day) = parse_day(key) else {
            anyhow::bail!("day key {key:?} is not a date YYYY-MM-DD");
        };
        by_day.insert(day, row.value.filter(|v| v.is_finite()));
    }
    let days: Vec<(NaiveDate, Option<f64>)> = by_day.into_iter().collect();
    let known: Vec<(usize, f64)> = days
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| (i, v)))
        .collect();
    if result.rows.is_empty() || known.is_empty() {
        return Ok(None);
    }

    let text = spec.text.pick(lang);
    let style = &spec.style;
    let show = |v: f64| value(def.unit, v, currency, lang);
    let period = period_label(result.period, lang);
    let summary = summary(
        def,
        result,
        currency,
        lang,
        &text.summary_sum,
        &text.summary_ratio,
    );
    let (max_i, max_v) = known
        .iter()
        .copied()
        .fold(known[0], |m, p| if p.1 > m.1 { p } else { m });
    let (last_i, last_v) = *known.last().expect("checked non-empty");
    let label = def.label(lang).to_string();
    let alt_text = fill(
        &text.alt,
        &[
            ("label", &label),
            ("period", &period),
            ("summary", &summary),
            ("max", &show(max_v)),
            ("max_date", &short_date(days[max_i].0, lang)),
            ("last", &show(last_v)),
            ("last_date", &short_date(days[last_i].0, lang)),
        ],
    );

    let mut canvas = Canvas::new(spec.width, spec.height, theme.background)?;
    let subtitle = fill(
        &text.subtitle,
        &[("period", &period), ("summary", &summary)],
    );
    frame::header(&mut canvas, theme, &label, &subtitle)?;

    let label_font = Font::regular(theme.label_size);
    let top = theme.header_height - (theme.legend_size * 1.9) as i32;
    let bottom = spec.height as i32 - theme.padding - (label_font.cap_height() + 18.0) as i32;
    let lo = known.iter().map(|p| p.1).fold(0.0f64, f64::min);
    let hi = known.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let (ticks, step) = nice_ticks(lo * 1.05, hi * 1.08, 5);
    let labels: Vec<(f64, String)> = ticks
        .iter()
        .map(|v| (*v, tick(def.unit, *v, step, currency, lang)))
        .collect();
    let label_width = frame::widest(labels.iter().map(|l| l.1.as_str()), label_font)?;
    let left = theme.padding + label_width + 16;
    let right = spec.width as i32 - theme.padding - 12;
    let y = Scale {
        lo: ticks[0].min(lo * 1.05),
        hi: *ticks.last().unwrap_or(&1.0),
        from_px: bottom as f64,
        to_px: top as f64 + 30.0,
    };
    frame::y_axis(&mut canvas, theme, y, &labels, left, right)?;

    let n = days.len();
    let x = |i: usize| {
        if n == 1 {
            (left + right) as f64 / 2.0
        } else {
            left as f64 + 8.0 + i as f64 * (right - left - 16) as f64 / (n - 1) as f64
        }
    };
    let base = y.px(0.0f64.clamp(y.lo, y.hi));
    let mut runs: Vec<Vec<Point>> = vec![];
    let mut current = vec![];
    for (i, (_, v)) in days.iter().enumerate() {
        match v {
            Some(v) => current.push((x(i), y.px(*v))),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    for run in &runs {
        if run.len() > 1 {
            let mut area: Vec<(i32, i32)> = run
                .iter()
                .map(|p| (p.0.round() as i32, p.1.round() as i32))
                .collect();
            area.push((run[run.len() - 1].0.round() as i32, base.round() as i32));
            area.push((run[0].0.round() as i32, base.round() as i32));
            canvas.polygon(area, style.area)?;
        }
    }
    // The area covered the zero line; draw it again.
    canvas.rect(
        left,
        base.round() as i32 - 1,
        right,
        base.round() as i32,
        theme.axis,
    )?;
    for run in &runs {
        canvas.polyline(run, style.line_width, style.line);
        if n <= 45 || run.len() == 1 {
            for p in run {
                canvas.disc(*p, style.point_radius + 2.0, theme.background);
                canvas.disc(*p, style.point_radius, style.line);
            }
        }
    }

    let value_font = Font::bold(theme.value_size);
    let mut labelled = vec![last_i];
    if max_i != last_i {
        labelled.push(max_i);
    }
    for i in labelled {
        let v = days[i].1.expect("a known point");
        let label = show(v);
        let w = text_width(&label, value_font)?;
        let px = (x(i).round() as i32).clamp(left + w / 2, right - w / 2 + 12);
        // Above the point, unless a neighbour is higher and the line would cross the label.
        let neighbours = [i.checked_sub(1), Some(i + 1)];
        let higher_neighbour = neighbours
            .iter()
            .flatten()
            .filter_map(|j| days.get(*j).and_then(|d| d.1))
            .any(|n| n > v);
        let gap = style.point_radius.ceil() as i32 + 14;
        let py = y.ipx(v);
        let baseline = if higher_neighbour && py + gap + (value_font.cap_height() as i32) < bottom {
            py + gap + value_font.cap_height().round() as i32
        } else {
            (py - gap).max(top + 10)
        };
        canvas.text_on(&label, px, baseline, value_font, theme.text, Align::Center)?;
    }

    let every = n.div_ceil(style.max_date_labels.max(1));
    for i in (0..n).rev().step_by(every) {
        let label = short_date(days[i].0, lang);
        let w = text_width(&label, label_font)?;
        let px = (x(i).round() as i32).clamp(left + w / 2, right - w / 2 + 12);
        let baseline = bottom + 14 + label_font.cap_height().round() as i32;
        canvas.text(
            &label,
            px,
            baseline,
            label_font,
            theme.muted_text,
            Align::Center,
        )?;
    }
    let name = format!("{}_by_day", def.name);
    Ok(Some(Drawn {
        name,
        title: label,
        alt_text,
        canvas,
    }))
}

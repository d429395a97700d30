//! The bar chart of a metric broken down by anything but the day: one horizontal bar per
//! key, largest first, values written at the bar ends.
//!
//! Horizontal because keys are words (channel, product, campaign names) that read on a phone
//! only when they are not rotated. Past the spec's `top` rows the rest is folded into one
//! "others" bar, computed like the period total (Σnum / Σden for ratios). Keys without a
//! value stay listed, at the bottom, with "no data": leaving them out would hide them.

use crate::domain::Lang;
use crate::metrics::{Dimension, MetricDef, MetricResult, MetricRow};

use super::canvas::{fit, Align, Canvas, Font};
use super::format::{period_label, value};
use super::frame::{self, Drawn, Scale};
use super::metric::summary;
use super::spec::{fill, BarSpec, Theme};

/// One bar of the bar chart.
struct Bar {
    label: String,
    value: Option<f64>,
    others: bool,
}

pub(crate) fn bars(
    def: &MetricDef,
    result: &MetricResult,
    by: Dimension,
    currency: &str,
    lang: Lang,
    spec: &BarSpec,
    theme: &Theme,
) -> anyhow::Result<Option<Drawn>> {
    if result.rows.is_empty() || result.rows.iter().all(|r| r.value.is_none()) {
        return Ok(None);
    }
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let show = |v: f64| value(def.unit, v, currency, lang);

    let mut rows: Vec<&MetricRow> = result.rows.iter().collect();
    rows.sort_by(|a, b| {
        let key = |r: &MetricRow| {
            r.value
                .filter(|v| v.is_finite())
                .unwrap_or(f64::NEG_INFINITY)
        };
        key(b).total_cmp(&key(a)).then_with(|| a.key.cmp(&b.key))
    });
    let rest = if rows.len() > style.top + 1 {
        rows.split_off(style.top)
    } else {
        vec![]
    };
    let mut list: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: r
                .key
                .as_deref()
                .map(|k| by.key_label(k, lang))
                .unwrap_or_else(|| text.empty_key.clone()),
            value: r.value.filter(|v| v.is_finite()),
            others: false,
        })
        .collect();
    if !rest.is_empty() {
        let count = rest.len().to_string();
        list.push(Bar {
            label: fill(&text.others, &[("count", &count)]),
            value: def.combine(&rest),
            others: true,
        });
    }

    let label = def.label(lang).to_string();
    let period = period_label(result.period, lang);
    let summary = summary(
        def,
        result,
        currency,
        lang,
        &text.summary_sum,
        &text.summary_ratio,
    );
    let items: Vec<String> = list
        .iter()
        .filter(|b| b.value.is_some() && !b.others)
        .take(5)
        .map(|b| {
            fill(
                &text.alt_item,
                &[
                    ("key", &b.label),
                    ("value", &show(b.value.unwrap_or_default())),
                ],
            )
        })
        .collect();
    let by_text = text.by.get(by);
    let alt_text = fill(
        &text.alt,
        &[
            ("label", &label),
            ("by", by_text),
            ("period", &period),
            ("items", &items.join(", ")),
        ],
    );

    let top = theme.header_height - (theme.legend_size * 1.9) as i32;
    let height =
        (top + list.len() as i32 * style.row_height + theme.padding).max(spec.height as i32) as u32;
    let mut canvas = Canvas::new(spec.width, height, theme.background)?;
    let title = format!("{label} {by_text}");
    let subtitle = fill(
        &text.subtitle,
        &[("period", &period), ("summary", &summary)],
    );
    frame::header(&mut canvas, theme, &title, &subtitle)?;

    let name_font = Font::regular(theme.label_size);
    let value_font = Font::bold(theme.label_size);
    let value_labels: Vec<String> = list
        .iter()
        .map(|b| b.value.map(show).unwrap_or_else(|| text.no_data.clone()))
        .collect();
    let value_room = frame::widest(value_labels.iter().map(String::as_str), value_font)? + 16;
    let names: Vec<String> = list
        .iter()
        .map(|b| fit(&b.label, name_font, style.label_width))
        .collect::<anyhow::Result<_>>()?;
    let label_right = theme.padding + frame::widest(names.iter().map(String::as_str), name_font)?;
    let (left, right) = (
        label_right + 20,
        spec.width as i32 - theme.padding - value_room,
    );
    let lo = list.iter().filter_map(|b| b.value).fold(0.0f64, f64::min);
    let hi = list.iter().filter_map(|b| b.value).fold(0.0f64, f64::max);
    let x = Scale {
        lo,
        hi: if hi > lo { hi } else { lo + 1.0 },
        from_px: left as f64,
        to_px: right as f64,
    };
    let zero = x.ipx(0.0);
    for (i, ((bar, value_label), name)) in list.iter().zip(&value_labels).zip(&names).enumerate() {
        let row_top = top + i as i32 * style.row_height;
        let mid = row_top + style.row_height / 2;
        let baseline = mid + (name_font.cap_height() / 2.0).round() as i32;
        let colour = if bar.others {
            theme.muted_text
        } else {
            theme.text
        };
        canvas.text(name, label_right, baseline, name_font, colour, Align::Right)?;
        let Some(v) = bar.value else {
            canvas.text(
                value_label,
                zero + 10,
                baseline,
                Font::regular(theme.label_size),
                theme.muted_text,
                Align::Left,
            )?;
            continue;
        };
        let fill_colour = match (bar.others, v < 0.0) {
            (_, true) => style.negative,
            (true, false) => style.others,
            (false, false) => style.bar,
        };
        let (x0, x1) = if v < 0.0 {
            (x.ipx(v), zero)
        } else {
            (zero, x.ipx(v).max(zero + 3))
        };
        canvas.rect(
            x0,
            mid - style.bar_height / 2,
            x1 - 1,
            mid + style.bar_height / 2 - 1,
            fill_colour,
        )?;
        canvas.text(
            value_label,
            x1.max(zero) + 10,
            baseline,
            value_font,
            theme.text,
            Align::Left,
        )?;
    }
    if lo < 0.0 {
        canvas.rect(
            zero - 1,
            top,
            zero,
            top + list.len() as i32 * style.row_height,
            theme.axis,
        )?;
    }
    let name = format!("{}_by_{}", def.name, by.column());
    Ok(Some(Drawn {
        name,
        title,
        alt_text,
        canvas,
    }))
}

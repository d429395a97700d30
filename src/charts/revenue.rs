//! `revenue_vs_target`: the chart attached to every cockpit (SPEC §5). Thirty daily revenue
//! bars, the day's objective as a dashed line, the trailing 7-day average as a solid line,
//! and the cockpit's own day in a strong colour with its amount written above it.
//!
//! Bars rather than a line because each day is a separate result the CEO compares with the
//! objective; the 7-day average is the trend, so it is the one line. The objective is drawn
//! day by day (it may change mid-month) and left out on days without one, never shown as 0.

use crate::cockpit::Cockpit;
use crate::domain::{format_money, Lang};
use crate::metrics::Unit;

use super::canvas::{Align, Canvas, Font, Point};
use super::format::{nice_ticks, short_date, signed_pct, tick};
use super::frame::{self, Drawn, Scale, Swatch};
use super::spec::{fill, RevenueSpec, Theme};

pub(crate) fn render(
    cockpit: &Cockpit,
    lang: Lang,
    spec: &RevenueSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let revenue = &cockpit.revenue;
    let money = |c: crate::domain::Cents| format_money(c, &cockpit.currency, lang, true);
    let date = short_date(cockpit.date, lang);
    let actual = money(revenue.actual);
    let average = revenue
        .daily
        .last()
        .map(|d| money(d.avg_7d))
        .unwrap_or_default();
    let (subtitle, alt_text) = match revenue.target {
        Some(target) => {
            let gap = revenue
                .vs_target_pct
                .map(|p| signed_pct(p, lang))
                .unwrap_or_default();
            let values = [
                ("date", date.as_str()),
                ("actual", &actual),
                ("target", &money(target)),
                ("gap", &gap),
                ("average", &average),
            ];
            (fill(&text.subtitle, &values), fill(&text.alt, &values))
        }
        None => {
            let values = [
                ("date", date.as_str()),
                ("actual", &actual),
                ("average", &average),
            ];
            (
                fill(&text.subtitle_no_target, &values),
                fill(&text.alt_no_target, &values),
            )
        }
    };

    let mut canvas = Canvas::new(spec.width, spec.height, theme.background)?;
    let title = spec.title(lang).to_string();
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    frame::legend(
        &mut canvas,
        theme,
        &[
            (Swatch::Bar(style.bar), text.legend_revenue.as_str()),
            (Swatch::Dashed(style.target), &text.legend_target),
            (Swatch::Line(style.average), &text.legend_average),
        ],
    )?;

    let days = &revenue.daily;
    let top = theme.header_height;
    let label_font = Font::regular(theme.label_size);
    let bottom = spec.height as i32 - theme.padding - (label_font.cap_height() + 18.0) as i32;
    if days.is_empty() {
        frame::empty(&mut canvas, theme, &text.empty, top, bottom)?;
        return Ok(Drawn {
            name: spec.name.clone(),
            title,
            alt_text,
            canvas,
        });
    }

    let values: Vec<i64> = days
        .iter()
        .flat_map(|d| [Some(d.revenue.0), d.target.map(|t| t.0), Some(d.avg_7d.0)])
        .flatten()
        .collect();
    // Bars start at zero; a day of net refunds goes below it.
    let highest = values.iter().copied().max().unwrap_or(0).max(0) as f64;
    let lowest = values.iter().copied().min().unwrap_or(0).min(0) as f64;
    let (ticks, step) = nice_ticks(lowest * 1.08, highest * 1.08, 5);
    let labels: Vec<(f64, String)> = ticks
        .iter()
        .map(|v| (*v, tick(Unit::Money, *v, step, &cockpit.currency, lang)))
        .collect();
    let label_width = frame::widest(labels.iter().map(|l| l.1.as_str()), label_font)?;
    let left = theme.padding + label_width + 16;
    let right = spec.width as i32 - theme.padding;
    let y = Scale {
        lo: ticks[0].min(lowest * 1.08),
        hi: *ticks.last().unwrap_or(&1.0),
        from_px: bottom as f64,
        to_px: top as f64 + 30.0,
    };
    frame::y_axis(&mut canvas, theme, y, &labels, left, right)?;

    let slot = (right - left) as f64 / days.len() as f64;
    let centre = |i: usize| left as f64 + (i as f64 + 0.5) * slot;
    let half_bar = slot * style.bar_width / 2.0;
    let zero = y.ipx(0.0);
    let mut highlighted = None;
    for (i, day) in days.iter().enumerate() {
        let is_today = day.date == cockpit.date;
        let colour = if is_today {
            style.bar_highlight
        } else {
            style.bar
        };
        let (x0, x1) = (
            (centre(i) - half_bar).round() as i32,
            (centre(i) + half_bar).round() as i32 - 1,
        );
        let y_value = y.ipx(day.revenue.0 as f64);
        if y_value < zero {
            canvas.rect(x0, y_value, x1, zero - 2, colour)?;
        } else {
            canvas.rect(x0, zero + 1, x1, y_value, colour)?;
        }
        if is_today {
            highlighted = Some((i, y_value.min(zero), day.revenue));
        }
    }

    // The objective, one dashed run per stretch of days with the same objective.
    let mut i = 0;
    while i < days.len() {
        let Some(target) = days[i].target else {
            i += 1;
            continue;
        };
        let mut end = i;
        while end + 1 < days.len() && days[end + 1].target == Some(target) {
            end += 1;
        }
        let (x0, x1) = (
            (centre(i) - slot / 2.0) as i32,
            (centre(end) + slot / 2.0) as i32,
        );
        canvas.dashed_hline(
            x0,
            x1,
            y.ipx(target.0 as f64),
            style.target_width,
            style.target_dash,
            style.target,
        )?;
        i = end + 1;
    }

    let average_line: Vec<Point> = days
        .iter()
        .enumerate()
        .map(|(i, d)| (centre(i), y.px(d.avg_7d.0 as f64)))
        .collect();
    canvas.polyline(&average_line, style.average_width, style.average);

    if let Some((i, y_top, amount)) = highlighted {
        let font = Font::bold(theme.value_size);
        let label = money(amount);
        let width = super::canvas::text_width(&label, font)?;
        let x = (centre(i).round() as i32).min(right - width / 2);
        canvas.text_on(
            &label,
            x,
            y_top - 14,
            font,
            style.bar_highlight,
            Align::Center,
        )?;
    }

    let every = style.label_every_days.max(1);
    for (i, day) in days.iter().enumerate() {
        if (days.len() - 1 - i) % every != 0 {
            continue;
        }
        let is_today = day.date == cockpit.date;
        let font = if is_today {
            Font::bold(theme.label_size)
        } else {
            label_font
        };
        let colour = if is_today {
            theme.text
        } else {
            theme.muted_text
        };
        let label = short_date(day.date, lang);
        let width = super::canvas::text_width(&label, font)?;
        let x = (centre(i).round() as i32).clamp(left + width / 2, right - width / 2);
        canvas.text(
            &label,
            x,
            bottom + 14 + font.cap_height().round() as i32,
            font,
            colour,
            Align::Center,
        )?;
    }

    Ok(Drawn {
        name: spec.name.clone(),
        title,
        alt_text,
        canvas,
    })
}

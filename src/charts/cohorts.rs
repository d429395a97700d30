//! `cohort_retention`: the retention heat-map. One row per monthly acquisition cohort, oldest
//! at the top, labelled with its month and size; one column per month after acquisition, each
//! cell the share of the cohort who bought that month, printed and shaded (darker = more); the
//! 90-day repurchase rate, or "too young", in the last column.
//!
//! The shade runs from 0 to the largest share after month 0 rather than to 100 %: month 0 is
//! 100 % by definition and would wash every later month out to the same pale blue. A month
//! that has not ended is left blank, so a young cohort never reads as a collapse.

use crate::customers::CohortReport;
use crate::domain::{format_count, format_decimal, format_pct, Lang};
use crate::render::format_day_month_year;

use super::canvas::{fit, Align, Canvas, Font};
use super::frame::{self, Drawn};
use super::spec::{fill, CohortSpec, Rgb, Theme};

fn mix(low: Rgb, high: Rgb, t: f64) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    let c = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    Rgb(c(low.0, high.0), c(low.1, high.1), c(low.2, high.2))
}

pub(crate) fn render(
    report: &CohortReport,
    lang: Lang,
    spec: &CohortSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let date = format_day_month_year(report.as_of, lang);
    let overall = report
        .overall
        .rate
        .map_or("—".to_string(), |p| format_pct(p, 0, lang));
    let subtitle = fill(&text.subtitle, &[("date", &date), ("overall", &overall)]);
    let acquired: i64 = report.cohorts.iter().map(|c| c.customers).sum();
    let items: Vec<String> = report
        .cohorts
        .iter()
        .filter(|c| c.customers > 0)
        .map(|c| {
            let m1 = c
                .retention
                .get(1)
                .map_or("—".to_string(), |cell| format_pct(cell.pct, 0, lang));
            fill(
                &text.alt_item,
                &[
                    ("cohort", &c.month),
                    ("customers", &format_count(c.customers, lang)),
                    ("m1", &m1),
                ],
            )
        })
        .collect();
    let alt_text = if acquired == 0 {
        text.empty.clone()
    } else {
        fill(
            &text.alt,
            &[
                ("date", &date),
                ("items", &items.join(", ")),
                ("overall", &overall),
            ],
        )
    };

    let rows = &report.cohorts;
    // Under the header, one row of column titles, then the cohorts.
    let top = theme.header_height - 40;
    let height = (top + (rows.len() as i32 + 1) * style.row_height + theme.padding)
        .max(spec.height as i32) as u32;
    let mut canvas = Canvas::new(spec.width, height, theme.background)?;
    let title = spec.title(lang).to_string();
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    let drawn = |canvas: Canvas| Drawn {
        name: spec.name.clone(),
        title: title.clone(),
        alt_text: alt_text.clone(),
        canvas,
    };
    if acquired == 0 {
        frame::empty(
            &mut canvas,
            theme,
            &text.empty,
            top,
            height as i32 - theme.padding,
        )?;
        return Ok(drawn(canvas));
    }

    let columns = report.months.max(1) as i32;
    let left = theme.padding + style.label_width;
    let right = spec.width as i32 - theme.padding - style.repurchase_width;
    let cell_w = ((right - left) / columns).max(8);
    let label_font = Font::regular(theme.label_size);
    let bold = Font::bold(theme.label_size);
    let cell_font = Font::regular(style.cell_font);
    let cap = |f: Font| f.cap_height().round() as i32;
    // Column titles.
    let head_base = top + style.row_height / 2 + cap(label_font) / 2;
    for k in 0..columns {
        let x = left + k * cell_w + cell_w / 2;
        canvas.text(
            &format!("M{k}"),
            x,
            head_base,
            label_font,
            theme.muted_text,
            Align::Center,
        )?;
    }
    canvas.text(
        &fit(
            &text.repurchase_header,
            label_font,
            style.repurchase_width - 8,
        )?,
        spec.width as i32 - theme.padding,
        head_base,
        label_font,
        theme.muted_text,
        Align::Right,
    )?;
    let strongest = rows
        .iter()
        .flat_map(|c| c.retention.iter().skip(1))
        .map(|cell| cell.pct)
        .fold(0.0f64, f64::max)
        .max(1.0);
    for (i, c) in rows.iter().enumerate() {
        let row_top = top + (i as i32 + 1) * style.row_height;
        let base = row_top + style.row_height / 2 + cap(label_font) / 2;
        let label = format!("{} · {}", c.month, format_count(c.customers, lang));
        let label = fit(&label, bold, style.label_width - 12)?;
        canvas.text(&label, theme.padding, base, bold, theme.text, Align::Left)?;
        for cell in &c.retention {
            let k = cell.month as i32;
            if k >= columns {
                continue;
            }
            let x0 = left + k * cell_w;
            let colour = if k == 0 {
                style.first
            } else {
                mix(style.low, style.high, cell.pct / strongest)
            };
            canvas.rect(
                x0 + style.cell_gap,
                row_top + style.cell_gap,
                x0 + cell_w - style.cell_gap,
                row_top + style.row_height - style.cell_gap,
                colour,
            )?;
            let dark = k == 0 || cell.pct / strongest > 0.55;
            // The number alone: the subtitle says these are percentages, and "100 %" would
            // not fit a twelfth of the width at a readable size.
            let value = format_decimal(cell.pct, 0, lang);
            let value = fit(&value, cell_font, cell_w - 2 * style.cell_gap - 2)?;
            canvas.text(
                &value,
                x0 + cell_w / 2,
                row_top + style.row_height / 2 + cap(cell_font) / 2,
                cell_font,
                if dark { style.light_text } else { theme.text },
                Align::Center,
            )?;
        }
        let repurchase = match c.repurchase_rate_90d {
            Some(p) => format_pct(p, 0, lang),
            None => text.too_young.clone(),
        };
        canvas.text(
            &repurchase,
            spec.width as i32 - theme.padding,
            base,
            label_font,
            if c.repurchase_rate_90d.is_some() {
                theme.text
            } else {
                theme.muted_text
            },
            Align::Right,
        )?;
    }
    Ok(drawn(canvas))
}

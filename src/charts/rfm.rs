//! `rfm_segments`: the eight RFM segments, each a row with its share of buying customers
//! (light bar) over its share of revenue (strong bar), on one percentage scale.
//!
//! Shares rather than counts because the question the chart answers is the playbook's "who
//! makes the revenue": Champions are a thin light bar over a long strong one, Lost the
//! reverse. Segments keep the playbook's order (best first) so two days' charts compare row
//! by row; empty segments stay listed at zero.

use crate::customers::{pareto_sentence, RfmReport};
use crate::domain::{format_pct, Lang};
use crate::render::format_day_month_year;

use super::canvas::{fit, Align, Canvas, Font};
use super::frame::{self, Drawn, Scale, Swatch};
use super::spec::{fill, RfmSpec, Theme};

pub(crate) fn render(
    report: &RfmReport,
    lang: Lang,
    spec: &RfmSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let pct = |p: Option<f64>| format_pct(p.unwrap_or(0.0), 0, lang);
    let date = format_day_month_year(report.as_of, lang);
    let subtitle = fill(
        &text.subtitle,
        &[("date", &date), ("pareto", &pareto_sentence(report, lang))],
    );
    let items: Vec<String> = report
        .segments
        .iter()
        .filter(|s| s.customers > 0)
        .map(|s| {
            fill(
                &text.alt_item,
                &[
                    ("segment", &s.label),
                    ("customers", &pct(s.customers_share_pct)),
                    ("revenue", &pct(s.revenue_share_pct)),
                ],
            )
        })
        .collect();
    let alt_text = if report.customers == 0 {
        text.empty.clone()
    } else {
        fill(&text.alt, &[("date", &date), ("items", &items.join(", "))])
    };

    let rows = &report.segments;
    let top = theme.header_height;
    let height = (top + rows.len() as i32 * style.row_height + theme.padding / 2)
        .max(spec.height as i32) as u32;
    let mut canvas = Canvas::new(spec.width, height, theme.background)?;
    let title = spec.title(lang).to_string();
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    frame::legend(
        &mut canvas,
        theme,
        &[
            (Swatch::Bar(style.customers), text.legend_customers.as_str()),
            (Swatch::Bar(style.revenue), &text.legend_revenue),
        ],
    )?;
    let drawn = |canvas: Canvas| Drawn {
        name: spec.name.clone(),
        title: title.clone(),
        alt_text: alt_text.clone(),
        canvas,
    };
    if report.customers == 0 {
        frame::empty(
            &mut canvas,
            theme,
            &text.empty,
            top,
            height as i32 - theme.padding,
        )?;
        return Ok(drawn(canvas));
    }

    let (left, right) = (theme.padding, spec.width as i32 - theme.padding);
    let widest = rows
        .iter()
        .flat_map(|s| [s.customers_share_pct, s.revenue_share_pct])
        .flatten()
        .fold(1.0f64, f64::max);
    let x = Scale {
        lo: 0.0,
        hi: widest,
        from_px: left as f64,
        to_px: right as f64,
    };
    let name_font = Font::bold(theme.value_size);
    let value_font = Font::regular(theme.label_size);
    for (i, s) in rows.iter().enumerate() {
        let row_top = top + i as i32 * style.row_height;
        let baseline = row_top + name_font.cap_height().round() as i32;
        let value = fill(
            &text.value,
            &[
                ("customers", &pct(s.customers_share_pct)),
                ("revenue", &pct(s.revenue_share_pct)),
            ],
        );
        let value_width = canvas.text(
            &value,
            right,
            baseline,
            value_font,
            theme.muted_text,
            Align::Right,
        )?;
        let name = fit(&s.label, name_font, right - left - value_width - 24)?;
        canvas.text(&name, left, baseline, name_font, theme.text, Align::Left)?;
        let mut bar_top = baseline + 14;
        for (share, colour) in [
            (s.customers_share_pct, style.customers),
            (s.revenue_share_pct, style.revenue),
        ] {
            let share = share.unwrap_or(0.0).max(0.0);
            if share > 0.0 {
                let end = x.ipx(share).max(left + 3);
                canvas.rect(
                    left,
                    bar_top,
                    end - 1,
                    bar_top + style.bar_height - 1,
                    colour,
                )?;
            }
            bar_top += style.bar_height + 4;
        }
    }
    Ok(drawn(canvas))
}

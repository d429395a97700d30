//! `margin_by_channel`: gross margin per sales channel over 30 days, from
//! `gross_margin.by_channel`.
//!
//! Each channel is a row: its name and its margin (amount · rate) on one line, and under it
//! the channel's revenue as a light bar with the margin filled inside. The filled share *is*
//! the margin rate, so the chart shows both the amount (bar length) and the rate (fill)
//! without a second axis. Rows are sorted by margin amount; a negative margin is drawn in
//! red from the left edge. A channel without a rate (no revenue) shows its amount alone.

use crate::cockpit::{ChannelMargin, Cockpit};
use crate::domain::{format_money, format_pct, Cents, Lang};

use super::canvas::{fit, Align, Canvas, Font};
use super::format::{channel, short_date};
use super::frame::{self, Drawn, Scale, Swatch};
use super::spec::{fill, MarginSpec, Theme};

pub(crate) fn render(
    cockpit: &Cockpit,
    lang: Lang,
    spec: &MarginSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let money = |c: Cents| format_money(c, &cockpit.currency, lang, true);
    let pct = |p: Option<f64>| {
        p.map(|p| format_pct(p, 1, lang))
            .unwrap_or_else(|| "–".into())
    };
    let date = short_date(cockpit.date, lang);

    let mut rows: Vec<&ChannelMargin> = cockpit.gross_margin.by_channel.iter().collect();
    rows.sort_by(|a, b| {
        b.amount
            .cmp(&a.amount)
            .then_with(|| a.channel.cmp(&b.channel))
    });

    let total_margin: Cents = rows.iter().map(|r| r.amount).sum();
    let total_revenue: Cents = rows.iter().map(|r| r.revenue).sum();
    let total_pct =
        (total_revenue.0 != 0).then(|| total_margin.0 as f64 / total_revenue.0 as f64 * 100.0);
    let subtitle = fill(
        &text.subtitle,
        &[
            ("margin", &money(total_margin)),
            ("revenue", &money(total_revenue)),
            ("pct", &pct(total_pct)),
            ("date", &date),
        ],
    );
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            fill(
                &text.alt_item,
                &[
                    ("channel", &channel(&r.channel, lang)),
                    ("margin", &money(r.amount)),
                    ("pct", &pct(r.pct)),
                    ("revenue", &money(r.revenue)),
                ],
            )
        })
        .collect();
    let alt_text = if rows.is_empty() {
        text.empty.clone()
    } else {
        fill(&text.alt, &[("date", &date), ("items", &items.join(", "))])
    };

    let top = theme.header_height;
    let height = (top + rows.len().max(1) as i32 * style.row_height + theme.padding / 2)
        .max(spec.height as i32) as u32;
    let mut canvas = Canvas::new(spec.width, height, theme.background)?;
    let title = spec.title(lang).to_string();
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    frame::legend(
        &mut canvas,
        theme,
        &[
            (Swatch::Bar(style.revenue), text.legend_revenue.as_str()),
            (Swatch::Bar(style.margin), &text.legend_margin),
        ],
    )?;
    if rows.is_empty() {
        frame::empty(
            &mut canvas,
            theme,
            &text.empty,
            top,
            height as i32 - theme.padding,
        )?;
        return Ok(Drawn {
            name: spec.name.clone(),
            title,
            alt_text,
            canvas,
        });
    }

    let (left, right) = (theme.padding, spec.width as i32 - theme.padding);
    let widest = rows
        .iter()
        .map(|r| r.revenue.0.max(r.amount.0.abs()))
        .max()
        .unwrap_or(1)
        .max(1);
    let x = Scale {
        lo: 0.0,
        hi: widest as f64,
        from_px: left as f64,
        to_px: right as f64,
    };
    let name_font = Font::bold(theme.value_size);
    let value_font = Font::regular(theme.value_size);
    for (i, row) in rows.iter().enumerate() {
        let row_top = top + i as i32 * style.row_height;
        let baseline = row_top + name_font.cap_height().round() as i32;
        let value = fill(
            &text.value,
            &[("margin", &money(row.amount)), ("pct", &pct(row.pct))],
        );
        let value_width = canvas.text(
            &value,
            right,
            baseline,
            value_font,
            theme.text,
            Align::Right,
        )?;
        let name = fit(
            &channel(&row.channel, lang),
            name_font,
            right - left - value_width - 24,
        )?;
        canvas.text(&name, left, baseline, name_font, theme.text, Align::Left)?;

        let bar_top = baseline + 16;
        let bar_bottom = bar_top + style.bar_height - 1;
        if row.revenue.0 > 0 {
            canvas.rect(
                left,
                bar_top,
                x.ipx(row.revenue.0 as f64) - 1,
                bar_bottom,
                style.revenue,
            )?;
        }
        let colour = if row.amount.0 < 0 {
            style.negative_margin
        } else {
            style.margin
        };
        // A margin too small to see still shows as a sliver; a zero margin shows nothing.
        if row.amount.0 != 0 {
            let end = x.ipx(row.amount.0.unsigned_abs() as f64).max(left + 3);
            canvas.rect(left, bar_top, end - 1, bar_bottom, colour)?;
        }
    }
    Ok(Drawn {
        name: spec.name.clone(),
        title,
        alt_text,
        canvas,
    })
}

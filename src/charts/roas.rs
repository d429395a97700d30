//! `roas_by_channel`: return on ad spend per paid channel, from `marketing.by_channel`.
//!
//! The playbook's question is "is this week's ROAS holding, and does it pay off later?", so
//! each channel row carries three numbers on one scale: the last 7 days as a solid bar,
//! drawn inside a light bar for the 28 days before (the ghost shows at a glance whether the
//! week is up or down), and the 60-day cohort ROAS as a dot. The 7-day figure and its change
//! are written in words on the row too, since the dot and bars need the legend. Channels
//! without spend (organic, direct) have no ROAS and are left out.

use crate::cockpit::{ChannelMarketing, Cockpit};
use crate::domain::{format_pct, Lang};
use crate::metrics::Unit;

use super::canvas::{fit, Align, Canvas, Font};
use super::format::{channel, nice_ticks, ratio, short_date, tick};
use super::frame::{self, Drawn, Scale, Swatch};
use super::spec::{fill, RoasSpec, Theme};

pub(crate) fn render(
    cockpit: &Cockpit,
    lang: Lang,
    spec: &RoasSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let marketing = &cockpit.marketing;
    let date = short_date(marketing.roas_window.to, lang);
    let shown = |r: Option<f64>| r.map(|r| ratio(r, lang)).unwrap_or_else(|| "–".into());

    let mut rows: Vec<&ChannelMarketing> = marketing
        .by_channel
        .iter()
        .filter(|c| c.spend.0 > 0)
        .collect();
    rows.sort_by(|a, b| {
        let key = |c: &ChannelMarketing| c.roas.unwrap_or(f64::NEG_INFINITY);
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.channel.cmp(&b.channel))
    });

    let subtitle = match marketing.blended_roas {
        Some(b) => fill(
            &text.subtitle,
            &[("blended", &ratio(b, lang)), ("date", &date)],
        ),
        None => fill(&text.subtitle_no_blended, &[("date", &date)]),
    };
    let items: Vec<String> = rows
        .iter()
        .map(|c| {
            fill(
                &text.alt_item,
                &[
                    ("channel", &channel(&c.channel, lang)),
                    ("roas", &shown(c.roas)),
                    ("previous", &shown(c.roas_previous_28d)),
                    ("roas_60d", &shown(c.roas_60d)),
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
    let label_font = Font::regular(theme.label_size);
    let axis_room = (label_font.cap_height() + 24.0) as i32;
    let name_font = Font::bold(theme.value_size);
    // A row: the name line, then the bars 16 px under its baseline.
    let bar_offset = name_font.cap_height().round() as i32 + 16;
    let plot_bottom =
        top + (rows.len().max(1) as i32 - 1) * style.row_height + bar_offset + style.bar_height + 8;
    let height = (plot_bottom + axis_room + theme.padding).max(spec.height as i32) as u32;
    let mut canvas = Canvas::new(spec.width, height, theme.background)?;
    let title = spec.title(lang).to_string();
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    frame::legend(
        &mut canvas,
        theme,
        &[
            (Swatch::Bar(style.roas), text.legend_roas.as_str()),
            (Swatch::Bar(style.previous), &text.legend_previous),
            (Swatch::Dot(style.roas_60d), &text.legend_60d),
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

    let highest = rows
        .iter()
        .flat_map(|c| [c.roas, c.roas_previous_28d, c.roas_60d])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(1.0f64, f64::max);
    let (ticks, step) = nice_ticks(0.0, highest * 1.04, 5);
    let (left, right) = (theme.padding, spec.width as i32 - theme.padding);
    let x = Scale {
        lo: 0.0,
        hi: *ticks.last().unwrap_or(&1.0),
        from_px: left as f64,
        to_px: right as f64,
    };
    let labels: Vec<(f64, String)> = ticks
        .iter()
        .map(|v| (*v, tick(Unit::Ratio, *v, step, "", lang)))
        .collect();
    // Tick labels under the rows; gridlines only across each row's bars, not its words.
    frame::x_axis(&mut canvas, theme, x, &labels, plot_bottom, plot_bottom)?;

    let value_font = Font::bold(theme.value_size);
    let change_font = Font::regular(theme.label_size);
    for (i, row) in rows.iter().enumerate() {
        let row_top = top + i as i32 * style.row_height;
        let baseline = row_top + name_font.cap_height().round() as i32;

        // Right-aligned: "1,6×  ▼ 9,1 %" with the change in good/bad colour.
        let mut value_x = right;
        if let (Some(_), Some(change)) = (row.roas, row.roas_change_pct) {
            let arrow = if change >= 0.0 { "▲" } else { "▼" };
            let label = format!("{arrow} {}", format_pct(change.abs(), 1, lang));
            let colour = if change >= 0.0 { theme.good } else { theme.bad };
            value_x -=
                canvas.text(&label, value_x, baseline, change_font, colour, Align::Right)? + 14;
        }
        let value = match row.roas {
            Some(r) => ratio(r, lang),
            None => text.no_data.clone(),
        };
        let value_colour = if row.roas.is_some() {
            theme.text
        } else {
            theme.muted_text
        };
        let font = if row.roas.is_some() {
            value_font
        } else {
            Font::regular(theme.value_size)
        };
        value_x -= canvas.text(&value, value_x, baseline, font, value_colour, Align::Right)?;
        let name = fit(&channel(&row.channel, lang), name_font, value_x - left - 24)?;
        canvas.text(&name, left, baseline, name_font, theme.text, Align::Left)?;

        let bar_top = row_top + bar_offset;
        let mid = bar_top + style.bar_height / 2;
        for (tick, _) in &labels {
            let colour = if *tick == 0.0 { theme.axis } else { theme.grid };
            let px = x.ipx(*tick);
            canvas.rect(
                px - 1,
                bar_top - 8,
                px,
                bar_top + style.bar_height + 7,
                colour,
            )?;
        }
        if let Some(previous) = row.roas_previous_28d.filter(|v| v.is_finite() && *v > 0.0) {
            canvas.rect(
                left,
                bar_top,
                x.ipx(previous) - 1,
                bar_top + style.bar_height - 1,
                style.previous,
            )?;
        }
        if let Some(roas) = row.roas.filter(|v| v.is_finite()) {
            let inner_top = mid - style.inner_bar_height / 2;
            let end = x.ipx(roas.max(0.0)).max(left + 3);
            canvas.rect(
                left,
                inner_top,
                end - 1,
                inner_top + style.inner_bar_height - 1,
                style.roas,
            )?;
        }
        if let Some(r60) = row.roas_60d.filter(|v| v.is_finite()) {
            let centre = (x.px(r60.max(0.0)), mid as f64);
            canvas.disc(centre, style.marker_radius + 3.0, theme.background);
            canvas.disc(centre, style.marker_radius, style.roas_60d);
        }
    }

    Ok(Drawn {
        name: spec.name.clone(),
        title,
        alt_text,
        canvas,
    })
}

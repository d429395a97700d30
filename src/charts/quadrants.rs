//! `profit_quadrants`: the playbook's volume × unit-margin matrix as a scatter, one dot per
//! SKU sold, coloured by quadrant.
//!
//! Volume runs on a log scale: a catalogue's best-seller sells hundreds of times what its
//! tail does, and on a linear axis the tail would be one smear against the left edge. The
//! median lines (the quadrant thresholds, dashed) and the zero-margin line (solid) are drawn
//! under the dots; a best-seller that loses money gets a red ring. Labels, with a background
//! box so they stay readable over dots, go on the points a CEO asks about: the losing
//! best-sellers first, then the largest sellers and the largest margins, up to
//! `max_labels`.

use std::collections::BTreeSet;

use crate::domain::{format_count, format_money, Cents, Lang};
use crate::profit::{ProfitReport, Quadrant, SkuProfit};

use super::canvas::{text_width, Align, Canvas, Font};
use super::format::{nice_ticks, period_label};
use super::frame::{self, Drawn, Scale, Swatch};
use super::spec::{fill, QuadrantSpec, Rgb, Theme};

fn colour(q: Quadrant, spec: &QuadrantSpec) -> Rgb {
    let s = &spec.style;
    match q {
        Quadrant::CashCow => s.cash_cow,
        Quadrant::UrgentOptimisation => s.urgent,
        Quadrant::NichePremium => s.niche,
        Quadrant::StopOrPivot => s.stop,
    }
}

fn quadrant_name(q: Quadrant, spec: &QuadrantSpec, lang: Lang) -> &str {
    let t = spec.text.pick(lang);
    match q {
        Quadrant::CashCow => &t.cash_cow,
        Quadrant::UrgentOptimisation => &t.urgent,
        Quadrant::NichePremium => &t.niche,
        Quadrant::StopOrPivot => &t.stop,
    }
}

/// The SKUs to label, in priority order.
fn labelled<'a>(r: &'a ProfitReport, max: usize) -> Vec<&'a SkuProfit> {
    let mut chosen: Vec<&SkuProfit> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut take = |s: &'a SkuProfit, chosen: &mut Vec<&'a SkuProfit>| {
        if chosen.len() < max && seen.insert(s.sku.clone()) {
            chosen.push(s);
        }
    };
    for code in &r.losing_best_sellers {
        if let Some(s) = r.sku(code) {
            take(s, &mut chosen);
        }
    }
    let mut by_units: Vec<&SkuProfit> = r.skus.iter().collect();
    by_units.sort_by(|a, b| b.units.cmp(&a.units).then(a.sku.cmp(&b.sku)));
    // r.skus is sorted by total margin, best first.
    let by_margin: Vec<&SkuProfit> = r.skus.iter().collect();
    for i in 0..r.skus.len() {
        for s in [by_units[i], by_margin[i]] {
            take(s, &mut chosen);
        }
        if chosen.len() >= max {
            break;
        }
    }
    chosen
}

pub(crate) fn render(
    r: &ProfitReport,
    lang: Lang,
    spec: &QuadrantSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let period = period_label(r.period, lang);
    let subtitle = fill(
        &text.subtitle,
        &[
            ("period", &period),
            ("skus", &format_count(r.skus.len() as i64, lang)),
            ("losing", &r.losing_best_sellers.len().to_string()),
        ],
    );
    let items: Vec<String> = Quadrant::ALL
        .iter()
        .map(|&q| {
            let n = r.skus.iter().filter(|s| s.quadrant == q).count();
            fill(
                &text.alt_item,
                &[
                    ("quadrant", quadrant_name(q, spec, lang)),
                    ("skus", &n.to_string()),
                ],
            )
        })
        .collect();
    let alt_text = if r.skus.is_empty() {
        text.empty.clone()
    } else {
        fill(
            &text.alt,
            &[("period", &period), ("items", &items.join(", "))],
        )
    };
    let title = spec.title(lang).to_string();
    let mut canvas = Canvas::new(spec.width, spec.height, theme.background)?;
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    let legend: Vec<(Swatch, &str)> = Quadrant::ALL
        .iter()
        .map(|&q| (Swatch::Dot(colour(q, spec)), quadrant_name(q, spec, lang)))
        .collect();
    frame::legend(&mut canvas, theme, &legend)?;
    let drawn = |canvas: Canvas| Drawn {
        name: spec.name.clone(),
        title: title.clone(),
        alt_text: alt_text.clone(),
        canvas,
    };
    let top = theme.header_height;
    let bottom = spec.height as i32 - theme.padding - 70;
    if r.skus.is_empty() {
        frame::empty(&mut canvas, theme, &text.empty, top, bottom)?;
        return Ok(drawn(canvas));
    }

    // Value ranges: units on log10, margin in cents.
    let log = |u: i64| (u.max(1) as f64).log10();
    let max_units = r.skus.iter().map(|s| s.units).max().unwrap_or(1);
    let (x_lo, x_hi) = (0.0, log(max_units).ceil().max(1.0));
    let margins = r.skus.iter().map(|s| s.economics.unit_margin.0 as f64);
    let (m_lo, m_hi) = margins.fold((0.0f64, 0.0f64), |(lo, hi), m| (lo.min(m), hi.max(m)));
    let (ticks, step) = nice_ticks(m_lo, m_hi, 6);
    let first = ticks.first().copied().unwrap_or(0.0);
    let y_lo = if first > m_lo { first - step } else { first };
    let y_hi = ticks.last().copied().unwrap_or(1.0);
    let mut y_ticks: Vec<f64> = ticks.clone();
    if y_lo < first {
        y_ticks.insert(0, y_lo);
    }
    let whole = step >= 100.0;
    let tick_labels: Vec<(f64, String)> = y_ticks
        .iter()
        .map(|&v| {
            (
                v,
                format_money(Cents(v.round() as i64), &r.currency, lang, whole),
            )
        })
        .collect();
    let label_font = Font::regular(theme.label_size);
    let widest = frame::widest(tick_labels.iter().map(|(_, l)| l.as_str()), label_font)?;
    let (left, right) = (
        theme.padding + widest + 24,
        spec.width as i32 - theme.padding,
    );
    let x = Scale {
        lo: x_lo,
        hi: x_hi,
        from_px: left as f64,
        to_px: right as f64,
    };
    let y = Scale {
        lo: y_lo,
        hi: y_hi,
        from_px: bottom as f64,
        to_px: top as f64,
    };
    frame::y_axis(&mut canvas, theme, y, &tick_labels, left, right)?;
    let x_ticks: Vec<(f64, String)> = (0..=x_hi as i32)
        .map(|p| (p as f64, format_count(10i64.pow(p as u32), lang)))
        .collect();
    frame::x_axis(&mut canvas, theme, x, &x_ticks, top, bottom)?;
    canvas.text(
        &text.x_axis,
        right,
        bottom + 12 + 2 * label_font.cap_height().round() as i32 + 20,
        label_font,
        theme.muted_text,
        Align::Right,
    )?;
    canvas.text(
        &text.y_axis,
        left + 8,
        top - 12,
        label_font,
        theme.muted_text,
        Align::Left,
    )?;

    // Thresholds: dashed medians; the zero line is the y axis's own (drawn at tick 0).
    let ty = y.ipx(r.margin_threshold.0 as f64);
    canvas.dashed_hline(left, right, ty, 3, [12, 8], style.threshold)?;
    let tx = x.ipx(r.volume_threshold.max(1.0).log10());
    let mut yy = top;
    while yy <= bottom {
        canvas.rect(tx - 1, yy, tx + 1, (yy + 11).min(bottom), style.threshold)?;
        yy += 20;
    }
    // Quadrant names in the corners.
    let corner = Font::bold(theme.label_size);
    let (qt, qb) = (top + 34, bottom - 14);
    for (q, px, py, align) in [
        (Quadrant::NichePremium, left + 12, qt, Align::Left),
        (Quadrant::CashCow, right - 12, qt, Align::Right),
        (Quadrant::StopOrPivot, left + 12, qb, Align::Left),
        (Quadrant::UrgentOptimisation, right - 12, qb, Align::Right),
    ] {
        canvas.text_on(
            quadrant_name(q, spec, lang),
            px,
            py,
            corner,
            colour(q, spec),
            align,
        )?;
    }

    let point = |s: &SkuProfit| (x.px(log(s.units)), y.px(s.economics.unit_margin.0 as f64));
    let losing: BTreeSet<&str> = r.losing_best_sellers.iter().map(String::as_str).collect();
    for s in &r.skus {
        let p = point(s);
        if losing.contains(s.sku.as_str()) {
            canvas.disc(p, style.point_radius + 5.0, style.losing_ring);
            canvas.disc(p, style.point_radius + 2.0, theme.background);
        }
        canvas.disc(p, style.point_radius, colour(s.quadrant, spec));
    }
    // Labels beside their dot, above it or else below it; one that would cover a label
    // already placed is left out (the CSV and the message name every SKU).
    let small = Font::regular(theme.label_size * 0.85);
    let (above, below) = (
        small.cap_height().round() as i32 + 6,
        (small.size * 0.2).round() as i32 + 4,
    );
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for s in labelled(r, style.max_labels) {
        let (px, py) = point(s);
        let align = if px > (left + right) as f64 / 2.0 {
            Align::Right
        } else {
            Align::Left
        };
        let dx = if align == Align::Right { -14 } else { 14 };
        let width = text_width(&s.sku, small)?;
        let x0 = match align {
            Align::Right => px.round() as i32 + dx - width,
            _ => px.round() as i32 + dx,
        } - 6;
        let x1 = x0 + width + 12;
        let spot = [py.round() as i32 - 10, py.round() as i32 + above + 8]
            .into_iter()
            .map(|b| b.clamp(top + 20, bottom - 6))
            .find(|&b| {
                let (y0, y1) = (b - above, b + below);
                !placed
                    .iter()
                    .any(|&(a0, b0, a1, b1)| x0 < a1 && a0 < x1 && y0 < b1 && b0 < y1)
            });
        let Some(baseline) = spot else { continue };
        placed.push((x0, baseline - above, x1, baseline + below));
        let colour = if losing.contains(s.sku.as_str()) {
            style.losing_ring
        } else {
            theme.text
        };
        canvas.text_on(
            &s.sku,
            px.round() as i32 + dx,
            baseline,
            small,
            colour,
            align,
        )?;
    }
    Ok(drawn(canvas))
}

//! One SKU's forecast chart (`sku_forecast`): the units sold per day over the end of its
//! history (a gap on each stock-out day: its demand is unknown, not zero), then the forecast
//! line inside its shaded 80 % interval, a thin vertical line at the as-of day.

use chrono::{Days, NaiveDate};

use crate::domain::{format_decimal, Lang};
use crate::forecast::{Accuracy, Forecast, Method};

use super::canvas::{text_width, Align, Canvas, Font, Point};
use super::format::{nice_ticks, short_date};
use super::frame::{self, Drawn, Scale, Swatch};
use super::spec::{fill, SkuForecastSpec, Theme};

/// What the chart shows: the history (`None` on a stock-out day) and the forecast.
pub struct SkuForecastChart<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    /// Units sold per day, oldest first, ending on the as-of day.
    pub history: Vec<(NaiveDate, Option<f64>)>,
    pub forecast: &'a Forecast,
    pub accuracy: Option<Accuracy>,
}

fn method_label(m: Method, lang: Lang) -> &'static str {
    match (m, lang) {
        (Method::SeasonalHolt, Lang::Fr) => "Holt saisonnier",
        (Method::Croston, Lang::Fr) => "Croston (demande intermittente)",
        (Method::Tsb, Lang::Fr) => "TSB (demande intermittente)",
        (Method::Mean, Lang::Fr) => "moyenne (historique court)",
        (Method::SeasonalHolt, Lang::En) => "seasonal Holt",
        (Method::Croston, Lang::En) => "Croston (intermittent demand)",
        (Method::Tsb, Lang::En) => "TSB (intermittent demand)",
        (Method::Mean, Lang::En) => "mean (short history)",
    }
}

pub(crate) fn render(
    data: &SkuForecastChart,
    lang: Lang,
    spec: &SkuForecastSpec,
    theme: &Theme,
) -> anyhow::Result<Drawn> {
    let text = spec.text.pick(lang);
    let style = &spec.style;
    let f = data.forecast;
    let history: Vec<(NaiveDate, Option<f64>)> = data
        .history
        .iter()
        .skip(data.history.len().saturating_sub(style.history_days))
        .copied()
        .collect();
    let days = f.mean.len();
    let total: f64 = f.mean.iter().sum();
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let accuracy = match data.accuracy.and_then(|a| a.wape_pct()) {
        Some(w) => fill(
            &text.accuracy,
            &[("wape", &format!("{} %", format_decimal(w, 0, lang)))],
        ),
        None => text.no_accuracy.clone(),
    };
    let values = [
        ("method", method_label(f.method, lang).to_string()),
        ("days", days.to_string()),
        ("total", format_decimal(total, 0, lang)),
        ("lower", format_decimal(avg(&f.lower), 1, lang)),
        ("upper", format_decimal(avg(&f.upper), 1, lang)),
        ("accuracy", accuracy),
        ("name", data.name.to_string()),
        ("sku", data.sku.to_string()),
    ];
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let alt_text = fill(&text.alt, &values);
    let subtitle = fill(&text.subtitle, &values);
    let title = format!("{} · {}", data.name, data.sku);

    let mut canvas = Canvas::new(spec.width, spec.height, theme.background)?;
    frame::header(&mut canvas, theme, &title, &subtitle)?;
    frame::legend(
        &mut canvas,
        theme,
        &[
            (Swatch::Line(style.history), text.legend_history.as_str()),
            (Swatch::Line(style.forecast), text.legend_forecast.as_str()),
            (Swatch::Bar(style.band), text.legend_band.as_str()),
        ],
    )?;
    let label_font = Font::regular(theme.label_size);
    let top = theme.header_height;
    let bottom = spec.height as i32 - theme.padding - (label_font.cap_height() + 18.0) as i32;
    let hi = history
        .iter()
        .filter_map(|(_, v)| *v)
        .chain(f.upper.iter().copied())
        .fold(1.0f64, f64::max);
    let (ticks, step) = nice_ticks(0.0, hi * 1.08, 5);
    let labels: Vec<(f64, String)> = ticks
        .iter()
        .map(|v| (*v, format_decimal(*v, if step < 1.0 { 1 } else { 0 }, lang)))
        .collect();
    let label_width = frame::widest(labels.iter().map(|l| l.1.as_str()), label_font)?;
    let left = theme.padding + label_width + 16;
    let right = spec.width as i32 - theme.padding - 12;
    let y = Scale {
        lo: 0.0,
        hi: *ticks.last().unwrap_or(&1.0),
        from_px: bottom as f64,
        to_px: top as f64 + 10.0,
    };
    frame::y_axis(&mut canvas, theme, y, &labels, left, right)?;

    let n = history.len() + days;
    let x =
        |i: usize| left as f64 + 4.0 + i as f64 * (right - left - 8) as f64 / (n.max(2) - 1) as f64;
    let h0 = history.len();
    // The interval, then the forecast over it.
    if days > 0 {
        let mut band: Vec<(i32, i32)> = (0..days)
            .map(|d| (x(h0 + d).round() as i32, y.ipx(f.upper[d])))
            .collect();
        band.extend(
            (0..days)
                .rev()
                .map(|d| (x(h0 + d).round() as i32, y.ipx(f.lower[d]))),
        );
        canvas.polygon(band, style.band)?;
        let line: Vec<Point> = (0..days).map(|d| (x(h0 + d), y.px(f.mean[d]))).collect();
        canvas.polyline(&line, style.line_width, style.forecast);
    }
    let mut run: Vec<Point> = Vec::new();
    for (i, (_, v)) in history.iter().enumerate() {
        match v {
            Some(v) => run.push((x(i), y.px(*v))),
            None => {
                if run.len() > 1 {
                    canvas.polyline(&run, style.line_width, style.history);
                }
                run.clear();
            }
        }
    }
    if run.len() > 1 {
        canvas.polyline(&run, style.line_width, style.history);
    }
    if h0 > 0 {
        let tx = ((x(h0 - 1) + x(h0)) / 2.0).round() as i32;
        canvas.rect(tx - 1, top + 10, tx + 1, bottom, style.today)?;
    }
    let first = history.first().map(|h| h.0).unwrap_or(f.start);
    let every = n.div_ceil(style.max_date_labels.max(1)).max(1);
    for i in (0..n).step_by(every) {
        let label = short_date(first + Days::new(i as u64), lang);
        let w = text_width(&label, label_font)?;
        let px = (x(i).round() as i32).clamp(left + w / 2, right - w / 2);
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
    Ok(Drawn {
        name: "sku_forecast".into(),
        title,
        alt_text,
        canvas,
    })
}

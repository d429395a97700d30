//! PNG charts for Slack: the three cockpit charts and a chart for any metric result.
//!
//! Each chart is drawn by plotters into an in-memory RGB buffer and encoded to PNG here, so
//! nothing touches the disk or the system's fonts (DejaVu Sans is embedded). Sizes, colours
//! and every word a chart prints come from the specs in `charts/*.toml`, embedded at build
//! time. Rendering is synchronous CPU work of a few milliseconds per chart: async callers
//! run it in `spawn_blocking`. A chart only reads its input (the [`Cockpit`], or a metric
//! result with its definition), so a chart cannot disagree with the message it goes with.

mod canvas;
mod cohorts;
mod encode;
mod fonts;
mod format;
mod frame;
mod margin;
mod metric;
mod metric_bars;
mod quadrants;
mod revenue;
mod rfm;
mod roas;
mod sku_forecast;
mod spec;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::cockpit::Cockpit;
use crate::domain::Lang;
use crate::metrics::{ChartKind, Dimension, MetricDef, MetricResult};

pub use sku_forecast::SkuForecastChart;

use frame::Drawn;
use spec::Specs;

/// A rendered chart, ready to upload.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `revenue_vs_target`.
    pub name: String,
    pub title: String,
    /// Slack's image alt text: one sentence with the key numbers.
    pub alt_text: String,
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Chart {
    fn encode(drawn: Drawn) -> anyhow::Result<Chart> {
        let png = encode::png(&drawn.canvas).with_context(|| format!("chart {}", drawn.name))?;
        let (width, height) = (drawn.canvas.width, drawn.canvas.height);
        Ok(Chart {
            name: drawn.name,
            title: drawn.title,
            alt_text: drawn.alt_text,
            png,
            width,
            height,
        })
    }
}

type CockpitRenderer = fn(&Cockpit, Lang, &Specs) -> anyhow::Result<Drawn>;

/// The cockpit charts, in the order they are posted.
const COCKPIT_CHARTS: [(&str, CockpitRenderer); 3] = [
    ("revenue_vs_target", |c, l, s| {
        revenue::render(c, l, &s.revenue, &s.theme)
    }),
    ("margin_by_channel", |c, l, s| {
        margin::render(c, l, &s.margin, &s.theme)
    }),
    ("roas_by_channel", |c, l, s| {
        roas::render(c, l, &s.roas, &s.theme)
    }),
];

/// The three cockpit charts, in this order: `revenue_vs_target` (30 daily revenue bars, the
/// target line, the 7-day average, the cockpit date highlighted), `margin_by_channel` (gross
/// margin amount and rate per channel, 30 days) and `roas_by_channel` (7-day ROAS per paid
/// channel against the previous 28 days, with the 60-day cohort ROAS).
pub fn cockpit_charts(cockpit: &Cockpit, lang: Lang) -> anyhow::Result<Vec<Chart>> {
    let specs = Specs::get()?;
    COCKPIT_CHARTS
        .iter()
        .map(|(name, render)| {
            let drawn = render(cockpit, lang, specs)
                .with_context(|| format!("failed to draw chart {name}"))?;
            Chart::encode(drawn)
        })
        .collect()
}

/// A chart for any metric result: a line over days when the result is broken down by day,
/// horizontal bars (largest first, the rest as "others") for any other breakdown. `None`
/// when the metric's chart kind is `none`, when the result has no breakdown (one number is
/// text, not a chart) or when no row has a value. Money values are in minor units.
pub fn metric_chart(
    def: &MetricDef,
    result: &MetricResult,
    currency: &str,
    lang: Lang,
) -> anyhow::Result<Option<Chart>> {
    if def.chart == ChartKind::None {
        return Ok(None);
    }
    let Some(by) = result.by else {
        return Ok(None);
    };
    let specs = Specs::get()?;
    let drawn = match by {
        Dimension::Day => metric::line(def, result, currency, lang, &specs.line, &specs.theme),
        other => metric_bars::bars(def, result, other, currency, lang, &specs.bar, &specs.theme),
    }
    .with_context(|| format!("failed to draw the chart of metric {}", def.name))?;
    drawn.map(Chart::encode).transpose()
}

/// The RFM segments chart (`rfm_segments`): each segment's share of buying customers over its
/// share of revenue.
pub fn rfm_chart(report: &crate::customers::RfmReport, lang: Lang) -> anyhow::Result<Chart> {
    let specs = Specs::get()?;
    let drawn = rfm::render(report, lang, &specs.rfm, &specs.theme)
        .context("failed to draw chart rfm_segments")?;
    Chart::encode(drawn)
}

/// The retention heat-map (`cohort_retention`): one row per monthly cohort with its size, the
/// share of it buying in each month after, and its 90-day repurchase rate.
pub fn cohort_chart(report: &crate::customers::CohortReport, lang: Lang) -> anyhow::Result<Chart> {
    let specs = Specs::get()?;
    let drawn = cohorts::render(report, lang, &specs.cohorts, &specs.theme)
        .context("failed to draw chart cohort_retention")?;
    Chart::encode(drawn)
}

/// One SKU's forecast chart (`sku_forecast`): units sold per day (gaps on stock-out days),
/// the forecast and its 80 % interval.
pub fn sku_forecast_chart(data: &SkuForecastChart, lang: Lang) -> anyhow::Result<Chart> {
    let specs = Specs::get()?;
    let drawn = sku_forecast::render(data, lang, &specs.sku_forecast, &specs.theme)
        .context("failed to draw chart sku_forecast")?;
    Chart::encode(drawn)
}

/// The profit scatter (`profit_quadrants`): one dot per SKU, units sold against unit margin,
/// the median lines splitting the four quadrants, labels on the points that matter.
pub fn profit_chart(report: &crate::profit::ProfitReport, lang: Lang) -> anyhow::Result<Chart> {
    let specs = Specs::get()?;
    let drawn = quadrants::render(report, lang, &specs.quadrants, &specs.theme)
        .context("failed to draw chart profit_quadrants")?;
    Chart::encode(drawn)
}

/// Writes each chart to `dir/<name>.png` and returns the paths.
pub fn write_png_files(charts: &[Chart], dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    charts
        .iter()
        .map(|chart| {
            let path = dir.join(format!("{}.png", chart.name));
            std::fs::write(&path, &chart.png)
                .with_context(|| format!("failed to write {}", path.display()))?;
            Ok(path)
        })
        .collect()
}

/// Renders and encodes each cockpit chart `iterations` times and returns, per chart, the
/// median render time, the median PNG encoding time and the PNG size in bytes. A chart that
/// fails to render is reported with zero times and size (the table still prints).
pub fn bench_cockpit_charts(
    cockpit: &Cockpit,
    lang: Lang,
    iterations: usize,
) -> Vec<(String, Duration, Duration, usize)> {
    let Ok(specs) = Specs::get() else {
        return vec![];
    };
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times.get(times.len() / 2).copied().unwrap_or_default()
    };
    COCKPIT_CHARTS
        .iter()
        .map(|(name, render)| {
            let (mut render_times, mut encode_times, mut bytes) = (vec![], vec![], 0);
            for _ in 0..iterations.max(1) {
                let started = Instant::now();
                let Ok(drawn) = render(cockpit, lang, specs) else {
                    break;
                };
                render_times.push(started.elapsed());
                let started = Instant::now();
                let Ok(png) = encode::png(&drawn.canvas) else {
                    break;
                };
                encode_times.push(started.elapsed());
                bytes = png.len();
            }
            (
                name.to_string(),
                median(render_times),
                median(encode_times),
                bytes,
            )
        })
        .collect()
}

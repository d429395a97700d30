//! Chart specs: the look and the words of each chart, read from `charts/*.toml`.
//!
//! Sizes, colours, font sizes and every sentence a chart prints live in TOML so a designer
//! can change them without reading Rust. The files are embedded at compile time (the binary
//! needs no data directory) and parsed once, into typed structs that refuse unknown keys: a
//! misspelt `bar_colour` fails the spec test instead of being silently ignored. Colours are
//! parsed from `#rrggbb` at the edge, so drawing code never handles colour strings.

use std::sync::OnceLock;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::domain::Lang;

/// The embedded spec files, by file name (for error messages and the spec test).
pub(crate) const FILES: [(&str, &str); 10] = [
    ("theme.toml", include_str!("../../charts/theme.toml")),
    (
        "revenue_vs_target.toml",
        include_str!("../../charts/revenue_vs_target.toml"),
    ),
    (
        "margin_by_channel.toml",
        include_str!("../../charts/margin_by_channel.toml"),
    ),
    (
        "roas_by_channel.toml",
        include_str!("../../charts/roas_by_channel.toml"),
    ),
    (
        "metric_line.toml",
        include_str!("../../charts/metric_line.toml"),
    ),
    (
        "metric_bar.toml",
        include_str!("../../charts/metric_bar.toml"),
    ),
    (
        "rfm_segments.toml",
        include_str!("../../charts/rfm_segments.toml"),
    ),
    (
        "cohort_retention.toml",
        include_str!("../../charts/cohort_retention.toml"),
    ),
    (
        "sku_forecast.toml",
        include_str!("../../charts/sku_forecast.toml"),
    ),
    (
        "profit_quadrants.toml",
        include_str!("../../charts/profit_quadrants.toml"),
    ),
];

/// An sRGB colour written `#rrggbb` in the specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn parse(text: &str) -> Result<Rgb, String> {
        let hex = text.strip_prefix('#').unwrap_or(text);
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("x"), 16);
        match (hex.len(), byte(0), byte(2), byte(4)) {
            (6, Ok(r), Ok(g), Ok(b)) => Ok(Rgb(r, g, b)),
            _ => Err(format!(
                "invalid colour {text:?}: expected #rrggbb, e.g. \"#1c5d99\""
            )),
        }
    }

    pub fn plotters(self) -> plotters::style::RGBColor {
        plotters::style::RGBColor(self.0, self.1, self.2)
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rgb, D::Error> {
        let text = String::deserialize(d)?;
        Rgb::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Words in both output languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Localized<L> {
    pub fr: L,
    pub en: L,
}

impl<L> Localized<L> {
    pub fn pick(&self, lang: Lang) -> &L {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

/// One chart: what every chart has, plus its own `[style]` and `[text.fr]`/`[text.en]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Spec<S, T> {
    /// The PNG's file stem.
    pub name: String,
    pub width: u32,
    /// For charts with one row per item, the minimum height: they grow with the rows.
    pub height: u32,
    pub title_fr: String,
    pub title_en: String,
    pub style: S,
    pub text: Localized<T>,
}

impl<S, T> Spec<S, T> {
    pub fn title(&self, lang: Lang) -> &str {
        lang.pick(&self.title_fr, &self.title_en)
    }
}

/// What all charts share: background, type sizes, neutral colours, padding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Theme {
    pub background: Rgb,
    pub text: Rgb,
    pub muted_text: Rgb,
    pub grid: Rgb,
    pub axis: Rgb,
    /// The colour of a change that is good news (▲ revenue), and of bad news.
    pub good: Rgb,
    pub bad: Rgb,
    pub title_size: f64,
    pub subtitle_size: f64,
    pub legend_size: f64,
    pub label_size: f64,
    pub value_size: f64,
    /// Outer padding, in pixels.
    pub padding: i32,
    /// Where the plot starts below the top edge when the chart has a legend row.
    pub header_height: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevenueStyle {
    pub bar: Rgb,
    pub bar_highlight: Rgb,
    pub target: Rgb,
    pub target_width: i32,
    /// Dash and gap lengths of the target line, in pixels.
    pub target_dash: [i32; 2],
    pub average: Rgb,
    pub average_width: f64,
    /// Share of a day's slot the bar fills.
    pub bar_width: f64,
    /// A date label every this many days, counted back from the cockpit date.
    pub label_every_days: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevenueText {
    pub legend_revenue: String,
    pub legend_target: String,
    pub legend_average: String,
    pub subtitle: String,
    pub subtitle_no_target: String,
    pub alt: String,
    pub alt_no_target: String,
    pub empty: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarginStyle {
    /// The channel's revenue, drawn behind its margin.
    pub revenue: Rgb,
    pub margin: Rgb,
    pub negative_margin: Rgb,
    pub row_height: i32,
    pub bar_height: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MarginText {
    pub legend_revenue: String,
    pub legend_margin: String,
    pub subtitle: String,
    pub value: String,
    pub alt: String,
    pub alt_item: String,
    pub empty: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoasStyle {
    pub roas: Rgb,
    pub previous: Rgb,
    pub roas_60d: Rgb,
    pub row_height: i32,
    pub bar_height: i32,
    /// Height of the 7-day bar drawn inside the previous-28-day bar.
    pub inner_bar_height: i32,
    pub marker_radius: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoasText {
    pub legend_roas: String,
    pub legend_previous: String,
    pub legend_60d: String,
    pub subtitle: String,
    pub subtitle_no_blended: String,
    pub no_data: String,
    pub alt: String,
    pub alt_item: String,
    pub empty: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineStyle {
    pub line: Rgb,
    pub area: Rgb,
    pub line_width: f64,
    pub point_radius: f64,
    /// At most this many date labels under the axis.
    pub max_date_labels: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineText {
    pub subtitle: String,
    pub summary_sum: String,
    pub summary_ratio: String,
    pub alt: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BarText {
    pub subtitle: String,
    pub summary_sum: String,
    pub summary_ratio: String,
    pub others: String,
    pub no_data: String,
    pub empty_key: String,
    pub alt: String,
    pub alt_item: String,
    /// What "by" each breakdown reads as: "par canal", "by channel".
    pub by: DimensionNames,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DimensionNames {
    pub day: String,
    pub channel: String,
    pub sku: String,
    pub category: String,
    pub customer_type: String,
    pub source: String,
    pub campaign: String,
}

impl DimensionNames {
    pub fn get(&self, dim: crate::metrics::Dimension) -> &str {
        use crate::metrics::Dimension::*;
        match dim {
            Day => &self.day,
            Channel => &self.channel,
            Sku => &self.sku,
            Category => &self.category,
            CustomerType => &self.customer_type,
            Source => &self.source,
            Campaign => &self.campaign,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BarStyle {
    pub bar: Rgb,
    pub others: Rgb,
    pub negative: Rgb,
    pub row_height: i32,
    pub bar_height: i32,
    /// Rows shown before the rest is summed into "others".
    pub top: usize,
    /// Widest label on the left, in pixels; longer labels are cut with "…".
    pub label_width: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RfmStyle {
    pub customers: Rgb,
    pub revenue: Rgb,
    pub row_height: i32,
    pub bar_height: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RfmText {
    pub legend_customers: String,
    pub legend_revenue: String,
    pub subtitle: String,
    pub value: String,
    pub alt: String,
    pub alt_item: String,
    pub empty: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CohortStyle {
    pub low: Rgb,
    pub high: Rgb,
    pub first: Rgb,
    pub light_text: Rgb,
    pub row_height: i32,
    pub label_width: i32,
    pub repurchase_width: i32,
    pub cell_gap: i32,
    pub cell_font: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CohortText {
    pub subtitle: String,
    pub repurchase_header: String,
    pub too_young: String,
    pub alt: String,
    pub alt_item: String,
    pub empty: String,
}

pub(crate) type RevenueSpec = Spec<RevenueStyle, RevenueText>;
pub(crate) type MarginSpec = Spec<MarginStyle, MarginText>;
pub(crate) type RoasSpec = Spec<RoasStyle, RoasText>;
pub(crate) type LineSpec = Spec<LineStyle, LineText>;
pub(crate) type BarSpec = Spec<BarStyle, BarText>;
pub(crate) type RfmSpec = Spec<RfmStyle, RfmText>;
pub(crate) type CohortSpec = Spec<CohortStyle, CohortText>;
pub(crate) type SkuForecastSpec = Spec<SkuForecastStyle, SkuForecastText>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkuForecastStyle {
    pub history: Rgb,
    pub forecast: Rgb,
    pub band: Rgb,
    pub today: Rgb,
    pub line_width: f64,
    pub history_days: usize,
    pub max_date_labels: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkuForecastText {
    pub legend_history: String,
    pub legend_forecast: String,
    pub legend_band: String,
    pub subtitle: String,
    pub accuracy: String,
    pub no_accuracy: String,
    pub alt: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuadrantStyle {
    pub cash_cow: Rgb,
    pub urgent: Rgb,
    pub niche: Rgb,
    pub stop: Rgb,
    pub losing_ring: Rgb,
    pub point_radius: f64,
    pub threshold: Rgb,
    pub max_labels: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuadrantText {
    pub subtitle: String,
    pub x_axis: String,
    pub y_axis: String,
    pub cash_cow: String,
    pub urgent: String,
    pub niche: String,
    pub stop: String,
    pub alt: String,
    pub alt_item: String,
    pub empty: String,
}

pub(crate) type QuadrantSpec = Spec<QuadrantStyle, QuadrantText>;

/// Every spec, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Specs {
    pub theme: Theme,
    pub revenue: RevenueSpec,
    pub margin: MarginSpec,
    pub roas: RoasSpec,
    pub line: LineSpec,
    pub bar: BarSpec,
    pub rfm: RfmSpec,
    pub cohorts: CohortSpec,
    pub sku_forecast: SkuForecastSpec,
    pub quadrants: QuadrantSpec,
}

impl Specs {
    /// The embedded specs, parsed on first use. An error names the file and the key.
    pub fn get() -> anyhow::Result<&'static Specs> {
        static SPECS: OnceLock<Result<Specs, String>> = OnceLock::new();
        SPECS
            .get_or_init(|| Specs::parse().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    fn parse() -> anyhow::Result<Specs> {
        Ok(Specs {
            theme: parse_file("theme.toml")?,
            revenue: parse_file("revenue_vs_target.toml")?,
            margin: parse_file("margin_by_channel.toml")?,
            roas: parse_file("roas_by_channel.toml")?,
            line: parse_file("metric_line.toml")?,
            bar: parse_file("metric_bar.toml")?,
            rfm: parse_file("rfm_segments.toml")?,
            cohorts: parse_file("cohort_retention.toml")?,
            sku_forecast: parse_file("sku_forecast.toml")?,
            quadrants: parse_file("profit_quadrants.toml")?,
        })
    }
}

fn parse_file<T: DeserializeOwned>(file: &str) -> anyhow::Result<T> {
    let text = FILES
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, t)| *t)
        .expect("every spec file is embedded");
    toml::from_str(text).with_context(|| format!("charts/{file} is not a valid chart spec"))
}

/// Fills `{name}` placeholders of a spec sentence.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

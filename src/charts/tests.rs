//! Chart tests: real PNGs that decode, are wide enough for a phone, carry drawn text, and
//! say in their alt text the numbers the message says.

use chrono::NaiveDate;

use super::*;
use crate::cockpit::sample::sample_cockpit;
use crate::cockpit::Cockpit;
use crate::domain::Period;
use crate::metrics::{MetricRow, Unit};

/// Decodes a PNG into (width, height, RGB bytes).
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG image data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn distinct_colours(rgb: &[u8]) -> usize {
    rgb.chunks(3)
        .map(|p| (p[0], p[1], p[2]))
        .collect::<std::collections::HashSet<_>>()
        .len()
}

/// Pixels that differ between two same-size images, within rows `rows`.
fn differing_pixels(a: &[u8], b: &[u8], width: u32, rows: std::ops::Range<u32>) -> usize {
    let row_bytes = width as usize * 3;
    rows.map(|y| {
        let range = y as usize * row_bytes..(y as usize + 1) * row_bytes;
        a[range.clone()]
            .chunks(3)
            .zip(b[range].chunks(3))
            .filter(|(p, q)| p != q)
            .count()
    })
    .sum()
}

fn metric(header: &str) -> MetricDef {
    let text = format!(
        "-- name: revenue\n-- label.fr: Chiffre d'affaires\n-- label.en: Revenue\n-- description.fr: x\n\
         -- description.en: x\n{header}\nSELECT day, channel, num FROM t WHERE day BETWEEN :from AND :to\n"
    );
    MetricDef::parse("test.sql", &text).expect("a valid test metric")
}

fn money_metric(chart: &str, empty: &str) -> MetricDef {
    metric(&format!("-- unit: money\n-- value: sum\n-- empty: {empty}\n-- breakdowns: day, channel\n-- chart: {chart}"))
}

fn row(key: &str, value: Option<f64>) -> MetricRow {
    MetricRow {
        key: Some(key.into()),
        num: value.unwrap_or(0.0) as i64,
        den: None,
        value,
    }
}

fn day(s: &str) -> NaiveDate {
    crate::domain::parse_date(s).unwrap()
}

fn daily_result(values: &[Option<f64>]) -> MetricResult {
    let from = day("2026-11-01");
    let rows = values
        .iter()
        .enumerate()
        .map(|(i, v)| row(&(from + chrono::Days::new(i as u64)).to_string(), *v))
        .collect();
    let period = Period::trailing(
        from + chrono::Days::new(values.len() as u64 - 1),
        values.len() as u64,
    );
    MetricResult {
        metric: "revenue".into(),
        unit: Unit::Money,
        period,
        by: Some(Dimension::Day),
        rows,
    }
}

#[test]
fn every_spec_file_parses_and_names_its_png() {
    let specs = Specs::get().expect("the embedded chart specs parse");
    assert_eq!(specs.revenue.name, "revenue_vs_target");
    assert_eq!(specs.margin.name, "margin_by_channel");
    assert_eq!(specs.roas.name, "roas_by_channel");
    assert!(specs.revenue.width >= 1200 && specs.line.width >= 1200 && specs.bar.width >= 1200);
}

#[test]
fn cockpit_charts_are_three_phone_sized_pngs_with_content() {
    let charts = cockpit_charts(&sample_cockpit(), Lang::Fr).unwrap();
    let names: Vec<_> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["revenue_vs_target", "margin_by_channel", "roas_by_channel"]
    );
    for chart in &charts {
        let (width, height, rgb) = decode(&chart.png);
        assert_eq!(
            (width, height),
            (chart.width, chart.height),
            "{}",
            chart.name
        );
        assert!(width >= 1200, "{} is {width} px wide", chart.name);
        // Anti-aliased text and several series give hundreds of colours; a blank or
        // text-free image has a handful.
        let colours = distinct_colours(&rgb);
        assert!(colours > 100, "{} has only {colours} colours", chart.name);
        let ink = rgb
            .chunks(3)
            .filter(|p| p.iter().map(|c| *c as u32).sum::<u32>() < 600)
            .count();
        assert!(
            ink > (width * height / 50) as usize,
            "{} is nearly blank",
            chart.name
        );
        assert!(
            !chart.title.is_empty() && chart.alt_text.ends_with('.'),
            "{}",
            chart.name
        );
    }
}

#[test]
fn the_title_is_really_drawn_with_the_embedded_font() {
    let specs = Specs::get().unwrap();
    let theme = &specs.theme;
    let cockpit = sample_cockpit();
    let mut other = specs.revenue.clone();
    other.title_fr = "Ventes du mois, tout canal confondu".into();
    let a = revenue::render(&cockpit, Lang::Fr, &specs.revenue, theme).unwrap();
    let b = revenue::render(&cockpit, Lang::Fr, &other, theme).unwrap();
    let title_band = theme.padding as u32 - 10..theme.padding as u32 + theme.title_size as u32;
    let changed = differing_pixels(a.canvas.rgb(), b.canvas.rgb(), a.canvas.width, title_band);
    assert!(
        changed > 2_000,
        "changing the title changed only {changed} pixels of the title band"
    );
    let below = differing_pixels(
        a.canvas.rgb(),
        b.canvas.rgb(),
        a.canvas.width,
        200..a.canvas.height,
    );
    assert_eq!(below, 0, "the title must not move the plot");
}

#[test]
fn french_and_english_charts_differ_in_their_words() {
    let cockpit = sample_cockpit();
    let fr = cockpit_charts(&cockpit, Lang::Fr).unwrap();
    let en = cockpit_charts(&cockpit, Lang::En).unwrap();
    for (f, e) in fr.iter().zip(&en) {
        assert_ne!(f.png, e.png, "{}", f.name);
        assert_ne!(f.alt_text, e.alt_text, "{}", f.name);
    }
}

#[test]
fn alt_texts_carry_the_cockpit_numbers_in_the_output_language() {
    let charts = cockpit_charts(&sample_cockpit(), Lang::Fr).unwrap();
    let revenue = &charts[0].alt_text;
    assert!(revenue.contains("9\u{202f}123\u{a0}€"), "{revenue}");
    assert!(
        revenue.contains("10\u{202f}500\u{a0}€") && revenue.contains("-13,1\u{a0}%"),
        "{revenue}"
    );
    assert!(revenue.contains("20 nov."), "{revenue}");
    let margin = &charts[1].alt_text;
    assert!(
        margin.starts_with("Marge brute")
            && margin.contains("Meta Ads 48\u{202f}000\u{a0}€ (53,3\u{a0}%"),
        "{margin}"
    );
    let roas = &charts[2].alt_text;
    assert!(
        roas.contains("Email 16,0×") && roas.contains("Meta Ads 1,6×"),
        "{roas}"
    );
    assert!(
        !roas.contains("Organi"),
        "a channel without spend has no ROAS: {roas}"
    );

    let en = cockpit_charts(&sample_cockpit(), Lang::En).unwrap();
    assert!(
        en[0].alt_text.contains("€9,123") && en[0].alt_text.contains("Nov 20"),
        "{}",
        en[0].alt_text
    );
}

#[test]
fn a_cockpit_without_channels_still_gives_three_charts() {
    let mut cockpit = sample_cockpit();
    cockpit.gross_margin.by_channel.clear();
    cockpit.marketing.by_channel.retain(|c| c.spend.0 == 0);
    cockpit.revenue.target = None;
    for d in &mut cockpit.revenue.daily {
        d.target = None;
    }
    let charts = cockpit_charts(&cockpit, Lang::En).unwrap();
    assert_eq!(charts.len(), 3);
    assert!(
        charts[0].alt_text.contains("no target"),
        "{}",
        charts[0].alt_text
    );
    assert_eq!(charts[2].alt_text, "No ad spend in the period");
}

/// The sample cockpit with what real shops produce: a day of net refunds, no target for
/// the first days then a raised one, a loss-making channel with a long name, a channel
/// without revenue, and a paid channel without 7-day spend.
fn rough_cockpit() -> Cockpit {
    use crate::cockpit::{ChannelMargin, ChannelMarketing};
    use crate::domain::Cents;
    let mut cockpit = sample_cockpit();
    for (i, d) in cockpit.revenue.daily.iter_mut().enumerate() {
        d.target = match i {
            0..=9 => None,
            10..=19 => Some(Cents(1_050_000)),
            _ => Some(Cents(1_200_000)),
        };
    }
    cockpit.revenue.daily[12].revenue = Cents(-150_000);
    cockpit.gross_margin.by_channel.push(ChannelMargin {
        channel: "marketplace amazon europe (compte principal)".into(),
        revenue: Cents(800_000),
        amount: Cents(-120_000),
        pct: Some(-15.0),
    });
    cockpit.gross_margin.by_channel.push(ChannelMargin {
        channel: "direct".into(),
        revenue: Cents(0),
        amount: Cents(0),
        pct: None,
    });
    let mut tiktok: ChannelMarketing = cockpit.marketing.by_channel[0].clone();
    tiktok.channel = "tiktok".into();
    (tiktok.roas, tiktok.roas_change_pct, tiktok.roas_60d) = (None, None, None);
    tiktok.roas_previous_28d = Some(0.8);
    cockpit.marketing.by_channel.push(tiktok);
    cockpit
}

#[test]
fn losses_refunds_and_missing_figures_are_drawn_not_hidden() {
    let charts = cockpit_charts(&rough_cockpit(), Lang::Fr).unwrap();
    let margin = &charts[1].alt_text;
    assert!(
        margin.contains("-1\u{202f}200\u{a0}€ (-15,0\u{a0}%"),
        "{margin}"
    );
    assert!(
        margin.contains("Direct 0\u{a0}€ (– de 0\u{a0}€)"),
        "{margin}"
    );
    let roas = &charts[2].alt_text;
    assert!(
        roas.contains("tiktok – (28 jours d'avant 0,8×, à 60 jours –)"),
        "{roas}"
    );
    // One more row each than the sample: the images grew instead of squeezing the rows.
    let sample = cockpit_charts(&sample_cockpit(), Lang::Fr).unwrap();
    assert!(charts[1].height > sample[1].height && charts[2].height > sample[2].height);
}

#[test]
fn metric_chart_is_none_when_the_metric_has_no_chart_or_nothing_to_draw() {
    let result = daily_result(&[Some(100.0), Some(200.0)]);
    assert!(
        metric_chart(&money_metric("none", "zero"), &result, "EUR", Lang::Fr)
            .unwrap()
            .is_none()
    );
    let total = MetricResult {
        by: None,
        rows: vec![MetricRow {
            key: None,
            num: 5,
            den: None,
            value: Some(5.0),
        }],
        ..result.clone()
    };
    assert!(
        metric_chart(&money_metric("line", "zero"), &total, "EUR", Lang::Fr)
            .unwrap()
            .is_none()
    );
    let empty = MetricResult {
        rows: vec![],
        ..result
    };
    assert!(
        metric_chart(&money_metric("line", "zero"), &empty, "EUR", Lang::Fr)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_missing_day_is_a_gap_not_a_zero() {
    let def = money_metric("line", "missing");
    let with_gap = daily_result(&[
        Some(120_000.0),
        Some(150_000.0),
        None,
        Some(140_000.0),
        Some(160_000.0),
    ]);
    let with_zero = daily_result(&[
        Some(120_000.0),
        Some(150_000.0),
        Some(0.0),
        Some(140_000.0),
        Some(160_000.0),
    ]);
    let gap = metric_chart(&def, &with_gap, "EUR", Lang::Fr)
        .unwrap()
        .expect("a line chart");
    let zero = metric_chart(&def, &with_zero, "EUR", Lang::Fr)
        .unwrap()
        .expect("a line chart");
    assert_eq!(gap.name, "revenue_by_day");
    assert_ne!(decode(&gap.png).2, decode(&zero.png).2);
    assert!(
        gap.alt_text.contains("total 5\u{202f}700\u{a0}€"),
        "{}",
        gap.alt_text
    );
}

#[test]
fn a_day_breakdown_with_keys_that_are_not_dates_is_an_error_not_a_flat_line() {
    let mut result = daily_result(&[Some(1.0), Some(2.0)]);
    result.rows[1].key = Some("yesterday".into());
    let err = metric_chart(&money_metric("line", "zero"), &result, "EUR", Lang::En).unwrap_err();
    assert!(
        format!("{err:#}").contains("\"yesterday\" is not a date"),
        "{err:#}"
    );
}

#[test]
fn bars_keep_the_top_fifteen_and_sum_the_rest_into_others() {
    let def = money_metric("bar", "zero");
    let rows: Vec<MetricRow> = (0..20)
        .map(|i| row(&format!("sku-{i:02}"), Some(1000.0 * (i + 1) as f64)))
        .collect();
    let mut result = daily_result(&[Some(1.0)]);
    result.by = Some(Dimension::Sku);
    result.rows = rows;
    result.rows.push(row("sku-none", None));
    let chart = metric_chart(&def, &result, "EUR", Lang::En)
        .unwrap()
        .expect("a bar chart");
    let specs = Specs::get().unwrap();
    let top = specs.theme.header_height - (specs.theme.legend_size * 1.9) as i32;
    let expected = top + 16 * specs.bar.style.row_height + specs.theme.padding;
    assert_eq!(
        chart.height as i32, expected,
        "15 bars and one 'others' row"
    );
    assert_eq!(chart.name, "revenue_by_sku");
    assert!(
        chart.alt_text.starts_with("Revenue by product") && chart.alt_text.contains("sku-19 €200"),
        "{}",
        chart.alt_text
    );
}

#[test]
fn write_png_files_names_files_after_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let charts = cockpit_charts(&sample_cockpit(), Lang::Fr).unwrap();
    let paths = write_png_files(&charts, dir.path()).unwrap();
    assert_eq!(paths[0], dir.path().join("revenue_vs_target.png"));
    assert_eq!(std::fs::read(&paths[2]).unwrap(), charts[2].png);
}

#[test]
fn bench_reports_every_cockpit_chart() {
    let rows = bench_cockpit_charts(&sample_cockpit(), Lang::Fr, 1);
    assert_eq!(rows.len(), 3);
    assert!(rows
        .iter()
        .all(|(_, render, _, bytes)| *render > Duration::ZERO && *bytes > 1000));
}

/// Writes every chart to `$CHARTS_OUT` (default: a temp directory) to look at them:
/// `CHARTS_OUT=/tmp/charts cargo test charts::tests::look -- --ignored`.
#[test]
#[ignore]
fn look() {
    let dir = std::env::var("CHARTS_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("charts"));
    for lang in [Lang::Fr, Lang::En] {
        let mut charts = cockpit_charts(&sample_cockpit(), lang).unwrap();
        for mut chart in cockpit_charts(&rough_cockpit(), lang).unwrap() {
            chart.name = format!("rough_{}", chart.name);
            charts.push(chart);
        }
        let line = daily_result(
            &(0..30)
                .map(|i| {
                    if i == 12 {
                        None
                    } else {
                        Some(80_000.0 + (i * 7919 % 50) as f64 * 1000.0)
                    }
                })
                .collect::<Vec<_>>(),
        );
        charts.extend(metric_chart(&money_metric("line", "missing"), &line, "EUR", lang).unwrap());
        let mut bars = daily_result(&[Some(1.0)]);
        bars.by = Some(Dimension::Channel);
        bars.rows = vec![
            row("meta", Some(4_100_000.0)),
            row("google", Some(3_300_000.0)),
            row("email", Some(2_000_000.0)),
            row("organic", Some(1_800_000.0)),
            row("tiktok", None),
        ];
        charts.extend(metric_chart(&money_metric("bar", "zero"), &bars, "EUR", lang).unwrap());
        for chart in &mut charts {
            chart.name = format!("{}_{lang:?}", chart.name);
            println!("{}: {}", chart.name, chart.alt_text);
        }
        write_png_files(&charts, &dir).unwrap();
    }
}

/// Prints the cockpit chart timings (run in release):
/// `cargo test --release --lib charts::tests::timings -- --ignored --nocapture`.
#[test]
#[ignore]
fn timings() {
    for (name, render, encode, bytes) in bench_cockpit_charts(&sample_cockpit(), Lang::Fr, 50) {
        println!(
            "{name:<20} render {render:>10.2?}  encode {encode:>10.2?}  {:>7} bytes",
            bytes
        );
    }
}

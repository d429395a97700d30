//! `query <metric>`: one metric of the catalogue over a period, optionally broken down, as a
//! table, JSON or CSV. This is the engine `/insight` answers with.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::Days;
use comfy_table::{presets::UTF8_BORDERS_ONLY, CellAlignment, Table};
use serde_json::json;

use super::App;
use crate::cli::{QueryArgs, QueryFormat};
use crate::domain::{Cents, Lang, Period};
use crate::metrics::{format_value, MetricDef, MetricResult, Registry, Unit};

/// A value for JSON/CSV: money in major units with exact cents, others as plain numbers.
fn json_value(unit: Unit, value: Option<f64>) -> serde_json::Value {
    match value {
        None => serde_json::Value::Null,
        Some(v) if unit == Unit::Money => {
            serde_json::to_value(Cents(v.round() as i64)).unwrap_or_default()
        }
        Some(v) if unit == Unit::Count => json!(v.round() as i64),
        Some(v) => json!((v * 10_000.0).round() / 10_000.0),
    }
}

fn resolve<'a>(registry: &'a Registry, name: &str) -> anyhow::Result<&'a MetricDef> {
    registry.resolve(name).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown metric {name:?}: did you mean {}? (`insight-desk metrics` lists the catalogue)",
            registry.suggest(name, 3).join(", ")
        )
    })
}

pub async fn run(app: &App, args: QueryArgs) -> anyhow::Result<()> {
    let def = resolve(&app.registry, &args.metric)?;
    let to = args.to.unwrap_or_else(|| app.yesterday());
    let from = args.from.unwrap_or(to - Days::new(29));
    let period = Period::new(from, to).map_err(|e| anyhow::anyhow!("--from/--to: {e}"))?;
    let mut extra = BTreeMap::new();
    for p in &args.params {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("--param {p:?}: expected NAME=VALUE, e.g. --param channel=meta")
        })?;
        extra.insert(k.trim().to_string(), v.to_string());
    }
    let total = def.run(&app.store, period, None, &extra).await?;
    let split = match args.by {
        Some(dim) => Some(def.run(&app.store, period, Some(dim), &extra).await?),
        None => None,
    };
    let currency = app.shop.currency.as_str();
    match args.format {
        QueryFormat::Table => print!("{}", table(def, &total, split.as_ref(), currency, app.lang)),
        QueryFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(def, &total, split.as_ref(), currency))?
        ),
        QueryFormat::Csv => print!("{}", to_csv(def, &total, split.as_ref())?),
    }
    if let Some(dir) = args.chart {
        let shown = split.clone().unwrap_or_else(|| total.clone());
        let (def_c, lang, cur) = (def.clone(), app.lang, currency.to_string());
        let chart = crate::telemetry::spawn_blocking_in_span(move || {
            crate::charts::metric_chart(&def_c, &shown, &cur, lang)
        })
        .await??;
        match chart {
            Some(chart) => {
                for path in crate::charts::write_png_files(&[chart], &dir)? {
                    eprintln!("wrote {}", path.display());
                }
            }
            None => eprintln!("metric {} has no chart for this result", def.name),
        }
    }
    Ok(())
}

fn table(
    def: &MetricDef,
    total: &MetricResult,
    split: Option<&MetricResult>,
    currency: &str,
    lang: Lang,
) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    let key_header = split
        .and_then(|s| s.by)
        .map(|d| d.column().to_string())
        .unwrap_or_default();
    t.set_header(vec![key_header, def.label(lang).to_string()]);
    if let Some(split) = split {
        for row in &split.rows {
            t.add_row(vec![
                row.key.clone().unwrap_or_else(|| "—".into()),
                format_value(def.unit, row.value, currency, lang),
            ]);
        }
    }
    t.add_row(vec![
        lang.pick("Total", "Total").to_string(),
        format_value(def.unit, total.value(), currency, lang),
    ]);
    if let Some(col) = t.column_mut(1) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    format!("{} · {}\n{t}\n", def.label(lang), total.period)
}

fn to_json(
    def: &MetricDef,
    total: &MetricResult,
    split: Option<&MetricResult>,
    currency: &str,
) -> serde_json::Value {
    let rows: Vec<_> = split
        .map(|s| {
            s.rows
                .iter()
                .map(|r| json!({ "key": r.key, "value": json_value(def.unit, r.value), "num": r.num, "den": r.den }))
                .collect()
        })
        .unwrap_or_default();
    let t = total.total();
    json!({
        "metric": def.name,
        "label": { "fr": def.label_fr, "en": def.label_en },
        "unit": def.unit,
        "currency": currency,
        "from": total.period.from,
        "to": total.period.to,
        "by": split.and_then(|s| s.by),
        "total": { "value": json_value(def.unit, total.value()), "num": t.map(|r| r.num), "den": t.and_then(|r| r.den) },
        "rows": rows,
    })
}

fn to_csv(
    def: &MetricDef,
    total: &MetricResult,
    split: Option<&MetricResult>,
) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let key_header = split
        .and_then(|s| s.by)
        .map(|d| d.column())
        .unwrap_or("key");
    w.write_record([key_header, "value", "num", "den"])?;
    let cell = |v: Option<f64>| json_value(def.unit, v).to_string().replace("null", "");
    let rows = split.map(|s| s.rows.as_slice()).unwrap_or(&[]);
    for r in rows.iter().chain(total.total()) {
        let key = if r.key.is_none() {
            "total".to_string()
        } else {
            r.key.clone().unwrap_or_default()
        };
        w.write_record([
            key,
            cell(r.value),
            r.num.to_string(),
            r.den.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    String::from_utf8(w.into_inner().context("failed to write CSV")?).context("CSV is not UTF-8")
}

/// The catalogue as a table: name, label, unit, breakdowns, synonyms.
pub fn catalogue_table(registry: &Registry, lang: Lang) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    t.set_header(vec![
        "metric",
        lang.pick("libellé", "label"),
        "unit",
        "breakdowns",
        lang.pick("synonymes", "synonyms"),
    ]);
    for def in registry.iter() {
        let unit = serde_json::to_value(def.unit)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let by: Vec<_> = def.breakdowns.iter().map(|d| d.column()).collect();
        t.add_row(vec![
            def.name.clone(),
            def.label(lang).to_string(),
            unit,
            by.join(", "),
            def.synonyms.join(", "),
        ]);
    }
    format!("{t}\n{} metrics\n", registry.len())
}

//! Price elasticity for people: terminal text (every SKU with an estimate, then the count
//! and reasons of those without), the Block Kit message, and CSV (one row per SKU).

use super::elasticity::{Estimate, Reading};
use super::elasticity_report::{ElasticityReport, NoEstimate, SkuElasticity};
use crate::customers::aligned;
use crate::domain::{format_count, format_decimal, Lang};
use crate::render::{
    escape_mrkdwn as esc, format_day_month_year, format_period, Block, Draft, Message,
};

/// SKUs with an estimate shown in the message (the CSV and text have them all).
pub const LISTED_IN_MESSAGE: usize = 15;

fn header(r: &ElasticityReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Élasticité prix par SKU", "Price elasticity per SKU"),
        format_day_month_year(r.as_of, lang)
    )
}

fn headline(r: &ElasticityReport, lang: Lang) -> String {
    let n = r.estimated().count() as i64;
    let raise = r
        .estimated()
        .filter(|s| {
            s.estimate.as_ref().is_some_and(|e| {
                e.reading == Reading::RoomToRaise
                    && e.confidence != super::elasticity::Confidence::Low
            })
        })
        .count() as i64;
    let none = r.without_estimate().count() as i64;
    match lang {
        Lang::Fr => format!(
            "{} SKU avec une élasticité mesurée, dont {} avec une marge de hausse de prix (|e| < 1, confiance moyenne ou élevée) ; {} SKU sans assez de changements de prix.",
            format_count(n, lang), format_count(raise, lang), format_count(none, lang)
        ),
        Lang::En => format!(
            "{} SKUs with a measured elasticity, {} of them with room to raise the price (|e| < 1, medium or high confidence); {} SKUs without enough price changes.",
            format_count(n, lang), format_count(raise, lang), format_count(none, lang)
        ),
    }
}

fn e_text(e: &Estimate, lang: Lang) -> String {
    format!(
        "{} [{} ; {}]",
        format_decimal(e.elasticity, 2, lang),
        format_decimal(e.low, 2, lang),
        format_decimal(e.high, 2, lang)
    )
}

fn table(skus: &[&SkuElasticity], lang: Lang) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "SKU".into(),
        lang.pick("Élasticité [IC 95 %]", "Elasticity [95% CI]")
            .into(),
        lang.pick("Changements", "Changes").into(),
        lang.pick("Unités", "Units").into(),
        lang.pick("Confiance", "Confidence").into(),
        lang.pick("Lecture", "Reading").into(),
    ]];
    for s in skus {
        let Some(e) = &s.estimate else { continue };
        let agree = if e.changes >= 2 && !e.agree {
            lang.pick(" (désaccord)", " (disagree)")
        } else {
            ""
        };
        rows.push([
            s.sku.clone(),
            e_text(e, lang),
            format!("{}{agree}", e.changes),
            format_count(e.units, lang),
            e.confidence.label(lang).to_string(),
            e.reading.sentence(lang).to_string(),
        ]);
    }
    aligned(&rows, 1)
}

fn not_enough(r: &ElasticityReport, lang: Lang) -> String {
    let none: Vec<&SkuElasticity> = r.without_estimate().collect();
    if none.is_empty() {
        return String::new();
    }
    let no_change = none
        .iter()
        .filter(|s| s.not_enough == Some(NoEstimate::NoPriceChange))
        .count() as i64;
    let unusable: Vec<String> = none
        .iter()
        .filter(|s| s.not_enough == Some(NoEstimate::NoUsableChange))
        .map(|s| {
            let mut reasons: Vec<&str> = Vec::new();
            for c in &s.skipped {
                if !reasons.contains(&c.reason.label(lang)) {
                    reasons.push(c.reason.label(lang));
                }
            }
            format!("{} ({})", s.sku, reasons.join(", "))
        })
        .collect();
    let mut out = match lang {
        Lang::Fr => format!(
            "Pas assez de changements de prix : {} SKU sans changement de prix régulier sur la période",
            format_count(no_change, lang)
        ),
        Lang::En => format!(
            "Not enough price changes: {} SKUs without a regular price change in the period",
            format_count(no_change, lang)
        ),
    };
    if !unusable.is_empty() {
        let shown: Vec<&str> = unusable.iter().take(10).map(String::as_str).collect();
        let more = unusable.len().saturating_sub(shown.len());
        out.push_str(&match lang {
            Lang::Fr => format!(
                " ; {} SKU dont aucun changement n'est lisible : {}",
                unusable.len(),
                shown.join(", ")
            ),
            Lang::En => format!(
                "; {} SKUs whose changes cannot be read: {}",
                unusable.len(),
                shown.join(", ")
            ),
        });
        if more > 0 {
            out.push_str(&format!(", … +{more}"));
        }
    }
    out.push('.');
    out
}

fn method(r: &ElasticityReport, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "Élasticité = %ΔQ ÷ %ΔP (variations logarithmiques) sur {} jours avant / après chaque changement de prix régulier du {}, corrigée de l'évolution des autres SKU de la catégorie ; promotions, ruptures et changements rapprochés exclus ; au moins {} unités par changement. Confiance : élevée si ≥ 2 changements concordants et erreur type ≤ 0,25, moyenne si ≤ 0,5.",
            r.window_days, format_period(r.period, lang), r.min_units
        ),
        Lang::En => format!(
            "Elasticity = %ΔQ ÷ %ΔP (log changes) over {} days before / after each regular price change in {}, net of the other SKUs of the category; promotions, stock-outs and close changes left out; at least {} units per change. Confidence: high with ≥ 2 agreeing changes and standard error ≤ 0.25, medium with ≤ 0.5.",
            r.window_days, format_period(r.period, lang), r.min_units
        ),
    }
}

pub fn elasticity_text(r: &ElasticityReport, lang: Lang) -> String {
    let estimated: Vec<&SkuElasticity> = r.estimated().collect();
    let mut out = format!("{}\n{}\n\n", header(r, lang), headline(r, lang));
    if !estimated.is_empty() {
        out.push_str(&table(&estimated, lang));
        out.push_str("\n\n");
    }
    let ne = not_enough(r, lang);
    if !ne.is_empty() {
        out.push_str(&ne);
        out.push_str("\n\n");
    }
    out.push_str(&method(r, lang));
    out.push('\n');
    out
}

pub fn elasticity_message(r: &ElasticityReport, lang: Lang) -> Vec<Message> {
    let head = header(r, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {}", headline(r, lang))));
    draft.push(Block::header(head).with_block_id("elasticity-header"));
    draft.push(
        Block::section(format!("*{}*", esc(&headline(r, lang))))
            .with_block_id("elasticity-headline"),
    );
    let estimated: Vec<&SkuElasticity> = r.estimated().take(LISTED_IN_MESSAGE).collect();
    if !estimated.is_empty() {
        let code = |t: String| format!("```\n{}\n```", esc(&t.replace('`', "'")));
        // Two columns fewer than the text table keep the code block inside Slack's limit.
        let mut rows: Vec<[String; 4]> = vec![[
            "SKU".into(),
            "e".into(),
            lang.pick("Conf.", "Conf.").into(),
            lang.pick("Unités", "Units").into(),
        ]];
        for s in &estimated {
            if let Some(e) = &s.estimate {
                rows.push([
                    s.sku.clone(),
                    format_decimal(e.elasticity, 2, lang),
                    e.confidence.label(lang).to_string(),
                    format_count(e.units, lang),
                ]);
            }
        }
        draft.push(Block::section(code(aligned(&rows, 1))).with_block_id("elasticity-table"));
        let more = r.estimated().count().saturating_sub(estimated.len());
        if more > 0 {
            draft.push(
                Block::context(vec![esc(&format!(
                    "… +{more} (`report elasticity --format csv`)"
                ))])
                .with_block_id("elasticity-more"),
            );
        }
    }
    let ne = not_enough(r, lang);
    if !ne.is_empty() {
        draft.push(Block::section(esc(&ne)).with_block_id("elasticity-not-enough"));
    }
    draft.push(
        Block::context(vec![
            esc(&method(r, lang)),
            esc(&format!(
                "{} {}",
                Reading::RoomToRaise.sentence(lang),
                Reading::PriceSensitive.sentence(lang)
            )),
        ])
        .with_block_id("elasticity-context"),
    );
    draft.finalize()
}

/// One row per active SKU: `sku, title, category, elasticity, std_error, low, high, changes,
/// units, agree, confidence, reading, not_enough, skipped` (empty cells without an
/// estimate; skipped changes as `day:reason` separated by `;`).
pub fn elasticity_csv(r: &ElasticityReport) -> anyhow::Result<String> {
    let key = |v: serde_json::Value| v.as_str().map(String::from).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "sku",
        "title",
        "category",
        "elasticity",
        "std_error",
        "low",
        "high",
        "changes",
        "units",
        "agree",
        "confidence",
        "reading",
        "not_enough",
        "skipped",
    ])?;
    for s in &r.skus {
        let f = |x: f64| format!("{x:.4}");
        let skipped: Vec<String> = s
            .skipped
            .iter()
            .map(|c| {
                format!(
                    "{}:{}",
                    c.day,
                    key(serde_json::to_value(c.reason).unwrap_or_default())
                )
            })
            .collect();
        let e = s.estimate.as_ref();
        w.write_record([
            s.sku.clone(),
            s.title.clone(),
            s.category.clone(),
            e.map(|e| f(e.elasticity)).unwrap_or_default(),
            e.map(|e| f(e.std_error)).unwrap_or_default(),
            e.map(|e| f(e.low)).unwrap_or_default(),
            e.map(|e| f(e.high)).unwrap_or_default(),
            e.map(|e| e.changes.to_string()).unwrap_or_default(),
            e.map(|e| e.units.to_string()).unwrap_or_default(),
            e.map(|e| e.agree.to_string()).unwrap_or_default(),
            e.map(|e| key(serde_json::to_value(e.confidence).unwrap_or_default()))
                .unwrap_or_default(),
            e.map(|e| key(serde_json::to_value(e.reading).unwrap_or_default()))
                .unwrap_or_default(),
            s.not_enough
                .map(|n| key(serde_json::to_value(n).unwrap_or_default()))
                .unwrap_or_default(),
            skipped.join(";"),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

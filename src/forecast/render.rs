//! The forecast and stock reports for people: terminal text, CSV, and the Block Kit messages
//! of `report … --format blocks` and `/stock`. Words in French and English; figures come
//! from `report.rs` and `stock.rs`, nothing is computed here.

use super::backtest::Accuracy;
use super::report::{ForecastReport, SkuForecast, StockReport};
use super::stock::StockLine;
use crate::customers::aligned;
use crate::domain::{format_count, format_decimal, format_money, Cents, Lang};
use crate::render::{escape_mrkdwn as esc, format_day_month_year, Block, Draft, Message};

pub(crate) const DASH: &str = "—";
/// Rows of a table in a Slack message (the full list is in the CSV).
const SLACK_ROWS: usize = 15;

pub(crate) fn pct(x: Option<f64>, lang: Lang) -> String {
    x.map_or(DASH.into(), |x| format!("{} %", format_decimal(x, 1, lang)))
}

fn num(x: Option<f64>, decimals: usize, lang: Lang) -> String {
    x.map_or(DASH.into(), |x| format_decimal(x, decimals, lang))
}

pub(crate) fn cover(x: Option<f64>, horizon: usize, lang: Lang) -> String {
    x.map_or(format!("> {horizon}"), |x| format_decimal(x, 1, lang))
}

fn code(t: String) -> String {
    format!("```\n{}\n```", esc(&t.replace('`', "'")))
}

// ---------------------------------------------------------------- forecast

fn forecast_header(r: &ForecastReport, lang: Lang) -> String {
    format!(
        "{} · {} {} · {}",
        lang.pick("Prévision de la demande", "Demand forecast"),
        r.horizon,
        lang.pick("jours", "days"),
        format_day_month_year(r.as_of, lang)
    )
}

/// "Backtest (3 origins, never on fitted days): WAPE 31.2 % (seasonal naive 44.0 %), MASE 0.71."
pub fn accuracy_sentence(a: &Accuracy, origins: usize, lang: Lang) -> String {
    if a.scored_days == 0 {
        return lang
            .pick(
                "Backtest : pas assez d'historique (il faut 56 jours avant l'horizon).",
                "Backtest: not enough history (it needs 56 days before the horizon).",
            )
            .into();
    }
    match lang {
        Lang::Fr => format!(
            "Backtest ({origins} origines glissantes, jamais sur les jours ajustés) : WAPE {} (naïf saisonnier {}), MASE {} (naïf saisonnier {}).",
            pct(a.wape_pct(), lang), pct(a.naive_wape_pct(), lang),
            num(a.mase(), 2, lang), num(a.naive_mase(), 2, lang)
        ),
        Lang::En => format!(
            "Backtest ({origins} rolling origins, never on fitted days): WAPE {} (seasonal naive {}), MASE {} (seasonal naive {}).",
            pct(a.wape_pct(), lang), pct(a.naive_wape_pct(), lang),
            num(a.mase(), 2, lang), num(a.naive_mase(), 2, lang)
        ),
    }
}

fn accuracy_table(r: &ForecastReport, lang: Lang) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        lang.pick("Catégorie", "Category").into(),
        "SKU".into(),
        "WAPE".into(),
        lang.pick("naïf", "naive").into(),
        "MASE".into(),
        lang.pick("naïf", "naive").into(),
    ]];
    let row = |name: String, skus: usize, a: &Accuracy| {
        [
            name,
            format_count(skus as i64, lang),
            pct(a.wape_pct(), lang),
            pct(a.naive_wape_pct(), lang),
            num(a.mase(), 2, lang),
            num(a.naive_mase(), 2, lang),
        ]
    };
    for c in &r.by_category {
        rows.push(row(c.category.clone(), c.skus, &c.accuracy));
    }
    rows.push(row(
        lang.pick("Ensemble", "Overall").into(),
        r.skus.len(),
        &r.overall,
    ));
    aligned(&rows, 1)
}

fn top_skus(r: &ForecastReport, limit: usize) -> Vec<&SkuForecast> {
    let mut skus: Vec<&SkuForecast> = r.skus.iter().collect();
    skus.sort_by(|a, b| b.forecast.total(30).total_cmp(&a.forecast.total(30)));
    skus.truncate(limit);
    skus
}

fn sku_table(skus: &[&SkuForecast], lang: Lang) -> String {
    let mut rows: Vec<[String; 7]> = vec![[
        "SKU".into(),
        lang.pick("Méthode", "Method").into(),
        lang.pick("30 j", "30 d").into(),
        lang.pick("80 %", "80%").into(),
        lang.pick("Horizon", "Horizon").into(),
        "WAPE".into(),
        "MASE".into(),
    ]];
    for s in skus {
        let f = &s.forecast;
        rows.push([
            s.sku.clone(),
            f.method.label().into(),
            format_decimal(f.total(30), 0, lang),
            format!(
                "{}–{}",
                format_decimal(f.lower.iter().take(30).sum(), 0, lang),
                format_decimal(f.upper.iter().take(30).sum(), 0, lang)
            ),
            format_decimal(f.total(f.mean.len()), 0, lang),
            pct(s.accuracy.wape_pct(), lang),
            num(s.accuracy.mase(), 2, lang),
        ]);
    }
    aligned(&rows, 2)
}

fn forecast_note(lang: Lang) -> &'static str {
    lang.pick(
        "Unités par jour : Holt amorti sur la série corrigée du jour de semaine, du profil annuel et des promotions / Black Friday ; Croston ou TSB pour les demandes intermittentes ; les jours de rupture sont des jours manquants, pas des jours sans demande. 30 j et 80 % : somme des 30 premiers jours et des bornes de l'intervalle à 80 % jour par jour.",
        "Units per day: damped Holt on the series adjusted for weekday, yearly profile and promotions / Black Friday; Croston or TSB for intermittent demand; stock-out days are missing days, not days without demand. 30 d and 80%: the first 30 days summed, and the day-by-day 80% interval bounds summed.",
    )
}

pub fn forecast_text(r: &ForecastReport, lang: Lang, limit: usize) -> String {
    let skus = top_skus(r, limit);
    format!(
        "{}\n{}\n\n{}\n\n{}\n{}\n",
        forecast_header(r, lang),
        accuracy_sentence(&r.overall, r.origins, lang),
        accuracy_table(r, lang),
        sku_table(&skus, lang),
        forecast_note(lang),
    )
}

pub fn forecast_message(r: &ForecastReport, lang: Lang) -> Vec<Message> {
    let head = forecast_header(r, lang);
    let headline = accuracy_sentence(&r.overall, r.origins, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {headline}")));
    draft.push(Block::header(head).with_block_id("forecast-header"));
    draft.push(Block::section(esc(&headline)).with_block_id("forecast-accuracy"));
    draft.push(Block::section(code(accuracy_table(r, lang))).with_block_id("forecast-categories"));
    let skus = top_skus(r, SLACK_ROWS);
    if !skus.is_empty() {
        draft.push(Block::section(code(sku_table(&skus, lang))).with_block_id("forecast-skus"));
    }
    draft.push(Block::context(vec![esc(forecast_note(lang))]).with_block_id("forecast-context"));
    draft.finalize()
}

/// One row per SKU and forecast day: `sku, category, method, date, mean, lower, upper,
/// backtest_wape, backtest_mase`.
pub fn forecast_csv(r: &ForecastReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "sku",
        "category",
        "method",
        "date",
        "mean",
        "lower",
        "upper",
        "backtest_wape",
        "backtest_mase",
    ])?;
    let f4 = |x: Option<f64>| x.map(|x| format!("{x:.4}")).unwrap_or_default();
    for s in &r.skus {
        let f = &s.forecast;
        for d in 0..f.mean.len() {
            w.write_record([
                s.sku.clone(),
                s.category.clone(),
                format!("{:?}", f.method).to_lowercase(),
                (f.start + chrono::Days::new(d as u64)).to_string(),
                format!("{:.4}", f.mean[d]),
                format!("{:.4}", f.lower[d]),
                format!("{:.4}", f.upper[d]),
                f4(s.accuracy.wape_pct()),
                f4(s.accuracy.mase()),
            ])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

// ---------------------------------------------------------------- stock

fn stock_header(r: &StockReport, lang: Lang) -> String {
    format!(
        "{} · {}",
        lang.pick("Stock et réassort", "Stock and reorders"),
        format_day_month_year(r.as_of, lang)
    )
}

fn money(c: i64, currency: &str, lang: Lang) -> String {
    format_money(Cents(c), currency, lang, true)
}

fn stock_headline(r: &StockReport, currency: &str, lang: Lang) -> String {
    let under = r.under_threshold().count();
    let reorder = r.reorders().count();
    let dormant = r.dormant().len();
    match lang {
        Lang::Fr => format!(
            "{under} SKU sous {} jours de couverture ; {reorder} à recommander maintenant ({}) ; {dormant} SKU dormants immobilisent {}.",
            r.policy.threshold_days,
            money(r.reorder_cost_cents, currency, lang),
            money(r.dormant_cash_cents, currency, lang)
        ),
        Lang::En => format!(
            "{under} SKU(s) under {} days of cover; {reorder} to reorder now ({}); {dormant} dormant SKU(s) tie up {}.",
            r.policy.threshold_days,
            money(r.reorder_cost_cents, currency, lang),
            money(r.dormant_cash_cents, currency, lang)
        ),
    }
}

fn reorder_table(lines: &[&StockLine], horizon: usize, lang: Lang) -> String {
    let mut rows: Vec<[String; 8]> = vec![[
        "SKU".into(),
        lang.pick("Nom", "Name").into(),
        lang.pick("Stock", "On hand").into(),
        lang.pick("/jour", "/day").into(),
        lang.pick("Couv. j", "Cover d").into(),
        lang.pick("avec cdes", "w/ POs").into(),
        lang.pick("Délai", "Lead").into(),
        lang.pick("À commander", "Order").into(),
    ]];
    for l in lines {
        let mut name: String = l.name.chars().take(28).collect();
        if l.stockout_unavoidable {
            name.push_str(" !");
        }
        rows.push([
            l.sku.clone(),
            name,
            format_count(l.on_hand, lang),
            format_decimal(l.forecast_per_day, 1, lang),
            cover(l.days_of_cover, horizon, lang),
            cover(l.days_of_cover_with_orders, horizon, lang),
            format!(
                "{}{}",
                l.lead_time_days,
                if l.lead_time_default { "*" } else { "" }
            ),
            format_count(l.suggested_quantity, lang),
        ]);
    }
    aligned(&rows, 2)
}

fn dormant_table(r: &StockReport, currency: &str, lang: Lang, limit: usize) -> String {
    let mut rows: Vec<[String; 5]> = vec![[
        "SKU".into(),
        lang.pick("Nom", "Name").into(),
        lang.pick("Stock", "On hand").into(),
        lang.pick("Dernière vente", "Last sale").into(),
        lang.pick("Immobilisé", "Tied up").into(),
    ]];
    for l in r.dormant().into_iter().take(limit) {
        rows.push([
            l.sku.clone(),
            l.name.chars().take(28).collect(),
            format_count(l.on_hand, lang),
            l.last_sale.map_or(DASH.into(), |d| d.to_string()),
            l.dormant_cash_cents
                .map_or(DASH.into(), |c| money(c, currency, lang)),
        ]);
    }
    aligned(&rows, 2)
}

fn rotation_line(r: &StockReport, lang: Lang) -> String {
    let parts: Vec<String> = r
        .rotation
        .iter()
        .map(|c| format!("{} {}", c.category, num(c.turns_per_year, 1, lang)))
        .collect();
    format!(
        "{} {}",
        lang.pick(
            "Rotation du stock (tours par an, 90 jours annualisés) :",
            "Stock rotation (turns per year, 90 days annualised):"
        ),
        if parts.is_empty() {
            DASH.into()
        } else {
            parts.join(" · ")
        }
    )
}

fn stock_note(r: &StockReport, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "Couverture : jours que dure le stock face à la demande prévue jour par jour (pas une moyenne) ; « avec cdes » ajoute les commandes fournisseur à leur date prévue. À recommander : couverture avec commandes < délai fournisseur + {} jours ; quantité = demande prévue sur délai + {} jours + stock de sécurité (intervalle 80 %) − stock − en commande. « ! » : rupture inévitable avant qu'une commande passée aujourd'hui n'arrive. * : délai par défaut ({} jours). Dormant : stock sans vente depuis {} jours, au coût fournisseur.",
            r.policy.threshold_days, r.policy.order_cover_days, r.policy.default_lead_time_days, r.policy.dormant_days
        ),
        Lang::En => format!(
            "Cover: the days the stock lasts against the day-by-day forecast demand (not an average); \"w/ POs\" adds open purchase orders on their expected day. Reorder now: cover with POs < supplier lead time + {} days; quantity = forecast demand over lead time + {} days + safety stock (80% interval) − on hand − on order. \"!\": a stock-out is unavoidable before an order placed today arrives. *: default lead time ({} days). Dormant: stock without a sale for {} days, at supplier cost.",
            r.policy.threshold_days, r.policy.order_cover_days, r.policy.default_lead_time_days, r.policy.dormant_days
        ),
    }
}

pub fn stock_text(r: &StockReport, currency: &str, horizon: usize, lang: Lang) -> String {
    let reorders: Vec<&StockLine> = r.reorders().collect();
    let under: Vec<&StockLine> = r.under_threshold().filter(|l| !l.reorder_now).collect();
    let mut out = format!(
        "{}\n{}\n\n{}\n{}\n",
        stock_header(r, lang),
        stock_headline(r, currency, lang),
        lang.pick("À recommander maintenant", "Reorder now"),
        reorder_table(&reorders, horizon, lang),
    );
    if !under.is_empty() {
        out.push_str(&format!(
            "\n{}\n{}\n",
            lang.pick(
                "Sous le seuil, commande déjà en route",
                "Under the threshold, order already on its way"
            ),
            reorder_table(&under, horizon, lang)
        ));
    }
    out.push_str(&format!(
        "\n{}\n{}\n\n{}\n\n{}\n",
        lang.pick("Stock dormant", "Dormant stock"),
        dormant_table(r, currency, lang, 20),
        rotation_line(r, lang),
        stock_note(r, lang)
    ));
    out
}

pub fn stock_message(r: &StockReport, currency: &str, horizon: usize, lang: Lang) -> Vec<Message> {
    let head = stock_header(r, lang);
    let headline = stock_headline(r, currency, lang);
    let mut draft = Draft::new(lang, esc(&format!("{head} — {headline}")));
    draft.push(Block::header(head).with_block_id("stock-header"));
    draft.push(Block::section(format!("*{}*", esc(&headline))).with_block_id("stock-headline"));
    let reorders: Vec<&StockLine> = r.reorders().take(SLACK_ROWS).collect();
    if !reorders.is_empty() {
        draft.push(
            Block::section(format!(
                "*{}*\n{}",
                lang.pick("À recommander maintenant", "Reorder now"),
                code(reorder_table(&reorders, horizon, lang))
            ))
            .with_block_id("stock-reorder"),
        );
    }
    if !r.dormant().is_empty() {
        draft.push(
            Block::section(format!(
                "*{}*\n{}",
                lang.pick("Stock dormant", "Dormant stock"),
                code(dormant_table(r, currency, lang, 10))
            ))
            .with_block_id("stock-dormant"),
        );
    }
    draft.push(Block::section(esc(&rotation_line(r, lang))).with_block_id("stock-rotation"));
    draft.push(Block::context(vec![esc(&stock_note(r, lang))]).with_block_id("stock-context"));
    draft.finalize()
}

/// One row per SKU: `sku, name, category, on_hand, on_order, next_delivery,
/// forecast_per_day, days_of_cover, days_of_cover_with_orders, lead_time_days, reorder_now,
/// stockout_unavoidable, suggested_quantity, suggested_cost, last_sale, dormant,
/// dormant_cash`; empty cells where there is no figure (cover beyond the forecast: empty).
pub fn stock_csv(r: &StockReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "sku",
        "name",
        "category",
        "on_hand",
        "on_order",
        "next_delivery",
        "forecast_per_day",
        "days_of_cover",
        "days_of_cover_with_orders",
        "lead_time_days",
        "reorder_now",
        "stockout_unavoidable",
        "suggested_quantity",
        "suggested_cost",
        "last_sale",
        "dormant",
        "dormant_cash",
    ])?;
    let f = |x: Option<f64>| x.map(|x| format!("{x:.2}")).unwrap_or_default();
    let m = |c: Option<i64>| {
        c.map(|c| format!("{:.2}", c as f64 / 100.0))
            .unwrap_or_default()
    };
    for l in &r.lines {
        w.write_record([
            l.sku.clone(),
            l.name.clone(),
            l.category.clone(),
            l.on_hand.to_string(),
            l.on_order.to_string(),
            l.next_delivery.map(|d| d.to_string()).unwrap_or_default(),
            format!("{:.3}", l.forecast_per_day),
            f(l.days_of_cover),
            f(l.days_of_cover_with_orders),
            l.lead_time_days.to_string(),
            l.reorder_now.to_string(),
            l.stockout_unavoidable.to_string(),
            l.suggested_quantity.to_string(),
            m(l.suggested_cost_cents),
            l.last_sale.map(|d| d.to_string()).unwrap_or_default(),
            l.dormant.to_string(),
            m(l.dormant_cash_cents),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

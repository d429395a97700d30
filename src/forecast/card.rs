//! One SKU's card (`/sku <sku or name>`, `report sku`): sales and margin over 28 and 90
//! days, stock and days of cover, the forecast with its interval and backtest accuracy, the
//! reorder suggestion; the chart is drawn from the same figures (`charts::sku_forecast`).
//!
//! Elasticity and profit quadrant come from the profit module (`report elasticity`,
//! `report profit`), filled in by `commands::forecast::render_sku` (see `ProfitSlot`); "—"
//! where that module has no figure for the SKU (no price change, nothing sold).

use chrono::NaiveDate;

use super::backtest::Accuracy;
use super::load::{DaySales, SkuHistory};
use super::model::Forecast;
use super::render::{accuracy_sentence, cover, pct, DASH};
use super::stock::StockLine;
use crate::domain::{format_count, format_decimal, format_money, Cents, Lang};
use crate::render::{escape_mrkdwn as esc, format_day_month_year, Block, Draft, Message};

/// The profit module's figures on the card.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProfitSlot {
    /// Price elasticity of demand (%ΔQ ÷ %ΔP); `None`: not enough price changes to read.
    pub elasticity: Option<f64>,
    /// The estimate's confidence, as `report elasticity` labels it.
    pub elasticity_confidence: Option<String>,
    /// Volume × unit margin quadrant (Cash Cows, Optimisation urgente, …).
    pub quadrant: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SkuCard {
    pub as_of: NaiveDate,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub price_cents: Option<i64>,
    pub units_28d: i64,
    pub revenue_28d_cents: i64,
    pub margin_28d_cents: i64,
    pub units_90d: i64,
    pub revenue_90d_cents: i64,
    pub margin_90d_cents: i64,
    pub stock: StockLine,
    pub forecast: Forecast,
    pub accuracy: Accuracy,
    pub origins: usize,
    pub profit: ProfitSlot,
}

impl SkuCard {
    pub fn new(
        as_of: NaiveDate,
        h: &SkuHistory,
        stock: StockLine,
        forecast: Forecast,
        accuracy: Accuracy,
        origins: usize,
    ) -> SkuCard {
        let (s28, s90): (DaySales, DaySales) = (h.sales_over(as_of, 28), h.sales_over(as_of, 90));
        SkuCard {
            as_of,
            sku: h.info.sku.clone(),
            name: h.info.name.clone(),
            category: h.info.category.clone(),
            price_cents: h.info.price_cents,
            units_28d: s28.units,
            revenue_28d_cents: s28.revenue_cents,
            margin_28d_cents: s28.margin_cents,
            units_90d: s90.units,
            revenue_90d_cents: s90.revenue_cents,
            margin_90d_cents: s90.margin_cents,
            stock,
            forecast,
            accuracy,
            origins,
            profit: ProfitSlot::default(),
        }
    }
}

fn money(c: i64, currency: &str, lang: Lang) -> String {
    format_money(Cents(c), currency, lang, true)
}

fn margin_pct(margin: i64, revenue: i64) -> Option<f64> {
    (revenue != 0).then(|| margin as f64 / revenue as f64 * 100.0)
}

/// The card's figures as (label, value) pairs, in display order.
fn fields(c: &SkuCard, currency: &str, lang: Lang) -> Vec<(String, String)> {
    let s = &c.stock;
    let h = c.forecast.mean.len();
    let f30 = &c.forecast;
    let sales = |units: i64, rev: i64, margin: i64| {
        format!(
            "{} {} · {} · {} {} ({})",
            format_count(units, lang),
            lang.pick("unités", "units"),
            money(rev, currency, lang),
            lang.pick("marge", "margin"),
            money(margin, currency, lang),
            pct(margin_pct(margin, rev), lang)
        )
    };
    let reorder = if s.reorder_now {
        format!(
            "{} {} ({})",
            lang.pick("commander", "order"),
            format_count(s.suggested_quantity, lang),
            s.suggested_cost_cents
                .map_or(DASH.into(), |m| money(m, currency, lang))
        )
    } else {
        lang.pick("pas maintenant", "not now").into()
    };
    vec![
        (
            lang.pick("Ventes 28 j", "Sales 28 d").into(),
            sales(c.units_28d, c.revenue_28d_cents, c.margin_28d_cents),
        ),
        (
            lang.pick("Ventes 90 j", "Sales 90 d").into(),
            sales(c.units_90d, c.revenue_90d_cents, c.margin_90d_cents),
        ),
        (
            lang.pick("Stock", "Stock").into(),
            format!(
                "{} {} · {} {}{}",
                format_count(s.on_hand, lang),
                lang.pick("en stock", "on hand"),
                format_count(s.on_order, lang),
                lang.pick("en commande", "on order"),
                s.next_delivery.map_or(String::new(), |d| format!(
                    " ({} {})",
                    lang.pick("livraison prévue le", "due"),
                    format_day_month_year(d, lang)
                ))
            ),
        ),
        (
            lang.pick("Couverture", "Days of cover").into(),
            format!(
                "{} {} · {} {} {}",
                cover(s.days_of_cover, h, lang),
                lang.pick("jours", "days"),
                cover(s.days_of_cover_with_orders, h, lang),
                lang.pick("avec les commandes", "with purchase orders"),
                if s.stockout_unavoidable {
                    lang.pick("· rupture inévitable", "· stock-out unavoidable")
                } else {
                    ""
                }
            ),
        ),
        (
            lang.pick("Réassort", "Reorder").into(),
            format!(
                "{reorder} · {} {} {}",
                lang.pick("délai", "lead time"),
                s.lead_time_days,
                lang.pick("jours", "days")
            ),
        ),
        (
            lang.pick("Prévision 30 j", "Forecast 30 d").into(),
            format!(
                "{} {} ({} : {}–{}/{}) · {}",
                format_decimal(f30.total(30), 0, lang),
                lang.pick("unités", "units"),
                lang.pick("80 % par jour", "80% per day"),
                format_decimal(f30.lower.first().copied().unwrap_or(0.0), 1, lang),
                format_decimal(f30.upper.first().copied().unwrap_or(0.0), 1, lang),
                lang.pick("jour", "day"),
                f30.method.label()
            ),
        ),
        (
            lang.pick("Élasticité · quadrant", "Elasticity · quadrant")
                .into(),
            format!(
                "{} · {}",
                c.profit.elasticity.map_or(DASH.into(), |e| {
                    match &c.profit.elasticity_confidence {
                        Some(conf) => format!("{} ({conf})", format_decimal(e, 2, lang)),
                        None => format_decimal(e, 2, lang),
                    }
                }),
                c.profit.quadrant.clone().unwrap_or_else(|| DASH.into())
            ),
        ),
    ]
}

fn header(c: &SkuCard) -> String {
    format!("{} · {}", c.name, c.sku)
}

pub fn card_text(c: &SkuCard, currency: &str, lang: Lang) -> String {
    let mut out = format!(
        "{}\n{} · {}\n\n",
        header(c),
        c.category,
        format_day_month_year(c.as_of, lang)
    );
    let f = fields(c, currency, lang);
    let width = f.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    for (label, value) in f {
        let pad = " ".repeat(width - label.chars().count());
        out.push_str(&format!("{label}{pad}  {value}\n"));
    }
    out.push_str(&format!(
        "\n{}\n",
        accuracy_sentence(&c.accuracy, c.origins, lang)
    ));
    out
}

pub fn card_message(c: &SkuCard, currency: &str, lang: Lang) -> Vec<Message> {
    let head = header(c);
    let mut draft = Draft::new(lang, esc(&head));
    draft.push(Block::header(head).with_block_id("sku-header"));
    draft.push(
        Block::fields(
            None,
            fields(c, currency, lang)
                .into_iter()
                .map(|(l, v)| format!("*{}*\n{}", esc(&l), esc(&v)))
                .collect(),
        )
        .with_block_id("sku-fields"),
    );
    draft.push(
        Block::context(vec![
            esc(&format!(
                "{} · {}",
                c.category,
                format_day_month_year(c.as_of, lang)
            )),
            esc(&accuracy_sentence(&c.accuracy, c.origins, lang)),
        ])
        .with_block_id("sku-context"),
    );
    draft.finalize()
}

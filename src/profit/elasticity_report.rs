//! `report elasticity`: every active SKU's price elasticity from its own price changes over
//! a period, or "not enough price changes" with the reason.
//!
//! Loads the price history, the per-SKU daily units of the summary table over the windows
//! (the control is the rest of each SKU's category, summed from the same rows) and the days
//! a SKU was out of stock; the reading itself is [`read_changes`] and [`combine`].

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use super::elasticity::{
    combine, read_changes, window_start, ChangeEstimate, Estimate, PricePoint, Series,
    SkippedChange,
};
use crate::domain::{day_no, Period};
use crate::store::Store;
use crate::with_pool;

/// Changes are looked for over the 730 days ending on the as-of day by default.
pub const DEFAULT_ELASTICITY_DAYS: u64 = 730;

/// Why a SKU has no estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoEstimate {
    /// No regular price change in the period (promotions only, or none at all).
    NoPriceChange,
    /// Regular changes, none of them readable (see `skipped`).
    NoUsableChange,
}

/// One SKU's elasticity, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkuElasticity {
    pub sku: String,
    pub title: String,
    pub category: String,
    pub estimate: Option<Estimate>,
    pub not_enough: Option<NoEstimate>,
    pub changes: Vec<ChangeEstimate>,
    pub skipped: Vec<SkippedChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElasticityReport {
    pub as_of: NaiveDate,
    /// Price changes on these days are read.
    pub period: Period,
    pub window_days: i64,
    pub min_units: i64,
    /// SKUs with an estimate, most confident first; then the others by SKU.
    pub skus: Vec<SkuElasticity>,
}

impl ElasticityReport {
    pub fn estimated(&self) -> impl Iterator<Item = &SkuElasticity> {
        self.skus.iter().filter(|s| s.estimate.is_some())
    }

    pub fn without_estimate(&self) -> impl Iterator<Item = &SkuElasticity> {
        self.skus.iter().filter(|s| s.estimate.is_none())
    }

    pub fn sku(&self, code: &str) -> Option<&SkuElasticity> {
        self.skus.iter().find(|s| s.sku == code)
    }
}

const VARIANTS: &str = "
SELECT v.sku, p.title, v.title, p.category
FROM variants v
JOIN products p ON p.id = v.product_id
WHERE v.active";

const PRICES: &str = "
SELECT sku, valid_from, price_cents, is_promo
FROM price_history
WHERE valid_from <= $1
ORDER BY sku, valid_from";

const UNITS: &str = "
SELECT sku, day, CAST(SUM(sold_units) AS BIGINT)
FROM daily_sku_sales_summary
WHERE day BETWEEN $1 AND $2 AND sku IS NOT NULL
GROUP BY sku, day";

const STOCK_OUTS: &str = "
SELECT sku, date
FROM inventory_levels
WHERE on_hand <= 0 AND date BETWEEN $1 AND $2";

/// The default period: the 730 days ending on `as_of`.
pub fn default_elasticity_period(as_of: NaiveDate) -> Period {
    Period::trailing(as_of, DEFAULT_ELASTICITY_DAYS)
}

/// Elasticities of the active SKUs from their regular price changes on the days of `period`
/// (windows may reach before it), data up to `as_of`.
pub async fn elasticity_report(
    store: &Store,
    as_of: NaiveDate,
    period: Period,
    min_units: i64,
) -> anyhow::Result<ElasticityReport> {
    let period = Period::new(period.from, period.to.min(as_of)).map_err(anyhow::Error::msg)?;
    let variants: Vec<(String, String, String, String)> = with_pool!(store, pool => {
        sqlx::query_as(VARIANTS).fetch_all(pool).await
    })
    .context("failed to read the variants")?;
    let prices: Vec<(String, NaiveDate, i64, bool)> = with_pool!(store, pool => {
        sqlx::query_as(PRICES).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read the price history")?;
    let mut history: HashMap<String, Vec<PricePoint>> = HashMap::new();
    for (sku, day, price_cents, promo) in prices {
        history.entry(sku).or_default().push(PricePoint {
            day,
            price_cents,
            promo,
        });
    }
    let from = window_start(period.from);
    let units: Vec<(String, NaiveDate, i64)> = with_pool!(store, pool => {
        sqlx::query_as(UNITS).bind(from).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read daily units per SKU")?;
    let stock_outs: Vec<(String, NaiveDate)> = with_pool!(store, pool => {
        sqlx::query_as(STOCK_OUTS).bind(from).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read stock-outs")?;

    let category: HashMap<&str, &str> = variants
        .iter()
        .map(|(sku, _, _, c)| (sku.as_str(), c.as_str()))
        .collect();
    let start = day_no(from);
    let len = (day_no(as_of) - start + 1).max(0) as usize;
    let mut own: HashMap<String, Series> = HashMap::new();
    let mut by_category: HashMap<String, Series> = HashMap::new();
    let blank = || Series {
        start,
        values: vec![0.0; len],
    };
    for (sku, day, n) in units {
        let i = (day_no(day) - start) as usize;
        if i >= len {
            continue;
        }
        if let Some(c) = category.get(sku.as_str()) {
            by_category
                .entry(c.to_string())
                .or_insert_with(blank)
                .values[i] += n as f64;
        }
        own.entry(sku).or_insert_with(blank).values[i] += n as f64;
    }
    let mut outs: HashMap<String, BTreeSet<i64>> = HashMap::new();
    for (sku, day) in stock_outs {
        outs.entry(sku).or_default().insert(day_no(day));
    }

    let empty_series = blank();
    let no_outs = BTreeSet::new();
    let mut skus = Vec::with_capacity(variants.len());
    for (sku, product, variant, cat) in &variants {
        let points: Vec<PricePoint> = history.get(sku).cloned().unwrap_or_default();
        let series = own.get(sku).unwrap_or(&empty_series);
        let control = by_category.get(cat).map(|c| Series {
            start,
            values: c
                .values
                .iter()
                .zip(&series.values)
                .map(|(c, o)| c - o)
                .collect(),
        });
        let (changes, skipped) = read_changes(
            &points,
            series,
            control.as_ref(),
            outs.get(sku).unwrap_or(&no_outs),
            as_of,
            min_units,
        );
        let in_period = |d: &NaiveDate| *d >= period.from && *d <= period.to;
        let changes: Vec<ChangeEstimate> =
            changes.into_iter().filter(|c| in_period(&c.day)).collect();
        let skipped: Vec<SkippedChange> =
            skipped.into_iter().filter(|c| in_period(&c.day)).collect();
        let estimate = combine(&changes);
        let not_enough = match (&estimate, skipped.is_empty()) {
            (Some(_), _) => None,
            (None, true) => Some(NoEstimate::NoPriceChange),
            (None, false) => Some(NoEstimate::NoUsableChange),
        };
        skus.push(SkuElasticity {
            sku: sku.clone(),
            title: super::report::display_title(product, variant),
            category: cat.clone(),
            estimate,
            not_enough,
            changes,
            skipped,
        });
    }
    // Most confident first, then by units read; SKUs without an estimate by code.
    let rank = |s: &SkuElasticity| {
        s.estimate
            .as_ref()
            .map_or((3, 0), |e| (e.confidence as u8, -e.units))
    };
    skus.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.sku.cmp(&b.sku)));
    Ok(ElasticityReport {
        as_of,
        period,
        window_days: super::elasticity::WINDOW_DAYS,
        min_units,
        skus,
    })
}

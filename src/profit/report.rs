//! `report profit` / `/profit`: every SKU's full cost and unit margin over a period, its
//! quadrant, the lists per quadrant and the best-sellers that lose money.
//!
//! Loading is four aggregate queries, run side by side: the variants with their cost components, the per-SKU
//! daily summary (`daily_sku_sales_summary`, not the order lines) summed over the period,
//! the average stock level per SKU and the period's ad spend. The figures themselves are the
//! pure [`unit_economics`] and [`classify`].

use anyhow::Context;
use chrono::NaiveDate;
use serde::Serialize;

use super::cost::{
    median, unit_economics, ProfitOptions, Quadrant, ShopSums, SkuSums, UnitEconomics,
};
use crate::domain::{Cents, Period};
use crate::store::Store;
use crate::with_pool;

/// The default period: the 365 days ending on the as-of day (a whole year, so seasonal
/// SKUs are not judged on their season alone).
pub const DEFAULT_PROFIT_DAYS: u64 = 365;

/// One SKU of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkuProfit {
    pub sku: String,
    pub title: String,
    pub category: String,
    pub units: i64,
    #[serde(flatten)]
    pub economics: UnitEconomics,
    pub quadrant: Quadrant,
}

/// The SKUs of one quadrant, by total margin (best first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuadrantList {
    pub quadrant: Quadrant,
    pub label: String,
    pub action: String,
    pub skus: Vec<String>,
    pub units: i64,
    pub total_margin: Cents,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfitReport {
    pub as_of: NaiveDate,
    pub period: Period,
    pub currency: String,
    pub defaults: ProfitOptions,
    pub ad_spend: Cents,
    pub sold_revenue: Cents,
    /// Ad spend ÷ sold revenue, in %: the acquisition cost of each euro sold.
    pub acquisition_pct: f64,
    /// Volume is high at or above this many units (the median); margin at or above this.
    pub volume_threshold: f64,
    pub margin_threshold: Cents,
    /// SKUs that sold in the period, by total margin (best first).
    pub skus: Vec<SkuProfit>,
    pub quadrants: Vec<QuadrantList>,
    /// High-volume SKUs with a negative unit margin, most units first.
    pub losing_best_sellers: Vec<String>,
    /// SKUs with at least one component from the defaults.
    pub using_defaults: Vec<String>,
    /// Active SKUs without a unit sold in the period.
    pub unsold: Vec<String>,
}

impl ProfitReport {
    pub fn sku(&self, code: &str) -> Option<&SkuProfit> {
        self.skus.iter().find(|s| s.sku == code)
    }

    /// SKUs with a negative unit margin.
    pub fn losing(&self) -> impl Iterator<Item = &SkuProfit> {
        self.skus.iter().filter(|s| s.economics.unit_margin.0 < 0)
    }
}

/// Unit economics and quadrants of the SKUs (pure): the SKUs that sold, by total margin.
pub fn classify(
    sums: &[SkuSums],
    shop: &ShopSums,
    options: &ProfitOptions,
) -> (Vec<SkuProfit>, f64, Cents) {
    let sold: Vec<(&SkuSums, UnitEconomics)> = sums
        .iter()
        .filter_map(|s| unit_economics(s, shop, options).map(|e| (s, e)))
        .collect();
    let volume =
        median(&mut sold.iter().map(|(s, _)| s.units as f64).collect::<Vec<_>>()).unwrap_or(0.0);
    let margin = median(
        &mut sold
            .iter()
            .map(|(_, e)| e.unit_margin.0 as f64)
            .collect::<Vec<_>>(),
    )
    .unwrap_or(0.0);
    let mut skus: Vec<SkuProfit> = sold
        .into_iter()
        .map(|(s, e)| SkuProfit {
            sku: s.sku.clone(),
            title: s.title.clone(),
            category: s.category.clone(),
            units: s.units,
            quadrant: Quadrant::of(s.units as f64 >= volume, e.unit_margin.0 as f64 >= margin),
            economics: e,
        })
        .collect();
    skus.sort_by(|a, b| {
        b.economics
            .total_margin
            .cmp(&a.economics.total_margin)
            .then(a.sku.cmp(&b.sku))
    });
    (skus, volume, Cents(margin.round() as i64))
}

const VARIANTS: &str = "
SELECT v.sku, p.title, v.title, p.category, v.active, v.supplier_cost_cents, v.packaging_cents,
       v.inbound_logistics_cents, v.fulfilment_cents, v.storage_rate_bp, v.return_rate_bp,
       v.overhead_cents
FROM variants v
JOIN products p ON p.id = v.product_id";

const SALES: &str = "
SELECT sku, CAST(SUM(sold_units) AS BIGINT), CAST(SUM(sold_revenue_cents) AS BIGINT),
       CAST(SUM(sold_cost_cents) AS BIGINT), CAST(SUM(refunded_cents) AS BIGINT)
FROM daily_sku_sales_summary
WHERE day BETWEEN $1 AND $2 AND sku IS NOT NULL
GROUP BY sku";

const STOCK: &str = "
SELECT sku, CAST(SUM(on_hand) AS BIGINT), COUNT(*)
FROM inventory_levels
WHERE date BETWEEN $1 AND $2
GROUP BY sku";

const SPEND: &str = "
SELECT CAST(COALESCE(SUM(spend_cents), 0) AS BIGINT)
FROM ad_spend
WHERE date BETWEEN $1 AND $2";

type VariantRow = (
    String,
    String,
    String,
    String,
    bool,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// "Sérum Éclat - 30 ml", or the product title alone for a single "Standard" variant.
pub(crate) fn display_title(product: &str, variant: &str) -> String {
    if variant.is_empty() || variant.eq_ignore_ascii_case("standard") || variant == product {
        product.to_string()
    } else {
        format!("{product} - {variant}")
    }
}

/// Per-SKU sums over `period` and the shop's ad spend and sold revenue; also the active
/// SKUs without sales.
pub async fn load_sums(
    store: &Store,
    period: Period,
) -> anyhow::Result<(Vec<SkuSums>, ShopSums, Vec<String>)> {
    // Four independent reads, run side by side on the pool's connections: the sales and the
    // stock sums are each a scan of half a year or more of daily rows.
    let variants = async {
        let rows: Vec<VariantRow> = with_pool!(store, pool => {
            sqlx::query_as(VARIANTS).fetch_all(pool).await
        })
        .context("failed to read the variants and their cost components")?;
        anyhow::Ok(rows)
    };
    let sales = async {
        let rows: Vec<(String, i64, i64, i64, i64)> = with_pool!(store, pool => {
            sqlx::query_as(SALES).bind(period.from).bind(period.to).fetch_all(pool).await
        })
        .context("failed to read sales per SKU")?;
        anyhow::Ok(rows)
    };
    let stock = async {
        let rows: Vec<(String, i64, i64)> = with_pool!(store, pool => {
            sqlx::query_as(STOCK).bind(period.from).bind(period.to).fetch_all(pool).await
        })
        .context("failed to read stock levels per SKU")?;
        anyhow::Ok(rows)
    };
    let spend = async {
        let (spend,): (i64,) = with_pool!(store, pool => {
            sqlx::query_as(SPEND).bind(period.from).bind(period.to).fetch_one(pool).await
        })
        .context("failed to read ad spend")?;
        anyhow::Ok(spend)
    };
    let (variants, sales, stock, spend) = futures::try_join!(variants, sales, stock, spend)?;

    let sales: std::collections::HashMap<String, (i64, i64, i64, i64)> = sales
        .into_iter()
        .map(|(sku, u, r, c, f)| (sku, (u, r, c, f)))
        .collect();
    let stock: std::collections::HashMap<String, f64> = stock
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(sku, sum, n)| (sku, sum as f64 / n as f64))
        .collect();
    let mut sums = Vec::with_capacity(variants.len());
    let mut unsold = Vec::new();
    let mut sold_revenue = 0i64;
    for (sku, product, variant, category, active, sc, pk, il, ff, sr, rr, oh) in variants {
        let (units, revenue, cost, refunded) = sales.get(&sku).copied().unwrap_or_default();
        if units <= 0 {
            if active {
                unsold.push(sku);
            }
            continue;
        }
        sold_revenue += revenue;
        sums.push(SkuSums {
            average_on_hand: stock.get(&sku).copied(),
            sku,
            title: display_title(&product, &variant),
            category,
            units,
            sold_revenue_cents: revenue,
            sold_cost_cents: cost,
            refunded_cents: refunded,
            supplier_cost_cents: sc,
            packaging_cents: pk,
            inbound_logistics_cents: il,
            fulfilment_cents: ff,
            storage_rate_bp: sr,
            return_rate_bp: rr,
            overhead_cents: oh,
        });
    }
    unsold.sort();
    let shop = ShopSums {
        days: period.days(),
        ad_spend_cents: spend,
        sold_revenue_cents: sold_revenue,
    };
    Ok((sums, shop, unsold))
}

/// The default period of `report profit`: the 365 days ending on `as_of`.
pub fn default_profit_period(as_of: NaiveDate) -> Period {
    Period::trailing(as_of, DEFAULT_PROFIT_DAYS)
}

/// The report from loaded sums (pure: the benchmark times it apart from the loading).
pub fn assemble(
    as_of: NaiveDate,
    period: Period,
    currency: &str,
    options: &ProfitOptions,
    sums: &[SkuSums],
    shop: &ShopSums,
    unsold: Vec<String>,
) -> ProfitReport {
    let (skus, volume_threshold, margin_threshold) = classify(sums, shop, options);
    let lang = crate::domain::Lang::En;
    let quadrants = Quadrant::ALL
        .iter()
        .map(|&q| {
            let members: Vec<&SkuProfit> = skus.iter().filter(|s| s.quadrant == q).collect();
            QuadrantList {
                quadrant: q,
                label: q.label(lang).to_string(),
                action: q.action(lang).to_string(),
                skus: members.iter().map(|s| s.sku.clone()).collect(),
                units: members.iter().map(|s| s.units).sum(),
                total_margin: Cents(members.iter().map(|s| s.economics.total_margin.0).sum()),
            }
        })
        .collect();
    let mut losing: Vec<&SkuProfit> = skus
        .iter()
        .filter(|s| s.units as f64 >= volume_threshold && s.economics.unit_margin.0 < 0)
        .collect();
    losing.sort_by(|a, b| b.units.cmp(&a.units).then(a.sku.cmp(&b.sku)));
    let mut using_defaults: Vec<String> = skus
        .iter()
        .filter(|s| !s.economics.defaults.is_empty())
        .map(|s| s.sku.clone())
        .collect();
    using_defaults.sort();
    ProfitReport {
        as_of,
        period,
        currency: currency.to_string(),
        defaults: options.clone(),
        ad_spend: Cents(shop.ad_spend_cents),
        sold_revenue: Cents(shop.sold_revenue_cents),
        acquisition_pct: shop.acquisition_share() * 100.0,
        volume_threshold,
        margin_threshold,
        losing_best_sellers: losing.iter().map(|s| s.sku.clone()).collect(),
        skus,
        quadrants,
        using_defaults,
        unsold,
    }
}

/// SKU profitability as of `as_of` over `period` (which ends on `as_of` at the latest).
pub async fn profit_report(
    store: &Store,
    as_of: NaiveDate,
    period: Period,
    currency: &str,
    options: &ProfitOptions,
) -> anyhow::Result<ProfitReport> {
    let period = Period::new(period.from, period.to.min(as_of)).map_err(anyhow::Error::msg)?;
    let (sums, shop, unsold) = load_sums(store, period).await?;
    Ok(assemble(
        as_of, period, currency, options, &sums, &shop, unsold,
    ))
}

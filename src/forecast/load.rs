//! Reading each SKU's daily demand history, stock and open purchase orders from the store,
//! as of a day (nothing after it is read, so a report "as of D" is what D's evening saw).
//!
//! - Units per day: `daily_sku_sales_summary.sold_units` (counted orders, the metric
//!   catalogue's definition of units sold).
//! - Stock-out days: the latest `inventory_levels` count on or before the day is 0 and nothing
//!   sold that day; they become missing days of the series, not days without demand.
//! - Events: the SKU's promotional prices (`price_history.is_promo`, from `valid_from` to the
//!   next price) and Black Friday to Cyber Monday, in the history and in the horizon.
//! - A SKU's series starts on its first sale or stock count inside the window.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};

use super::model::DemandSeries;
use crate::anomaly::{black_friday, cyber_monday};
use crate::store::Store;
use crate::with_pool;

const SKUS: &str = "
SELECT v.sku,
       CASE WHEN v.title = '' OR v.title = p.title THEN p.title ELSE p.title || ' – ' || v.title END,
       COALESCE(p.category, 'uncategorised'),
       CAST(v.lead_time_days AS BIGINT), CAST(v.supplier_cost_cents AS BIGINT), CAST(v.price_cents AS BIGINT)
FROM variants v JOIN products p ON p.id = v.product_id";

const SALES: &str = "
SELECT sku, CAST(day AS TEXT), CAST(SUM(sold_units) AS BIGINT), CAST(SUM(revenue_cents) AS BIGINT),
       CAST(SUM(margin_cents) AS BIGINT), MIN(category)
FROM daily_sku_sales_summary
WHERE sku IS NOT NULL AND day >= $1 AND day <= $2
GROUP BY sku, day";

const COUNTS: &str = "
SELECT sku, CAST(date AS TEXT), CAST(on_hand AS BIGINT) FROM inventory_levels
WHERE date <= $2 AND date >= (SELECT COALESCE(MAX(date), $1) FROM inventory_levels WHERE date <= $1)";

const PRICES: &str = "
SELECT sku, CAST(valid_from AS TEXT), CAST(CASE WHEN is_promo THEN 1 ELSE 0 END AS BIGINT)
FROM price_history ORDER BY sku, valid_from";

const OPEN_PURCHASE_ORDERS: &str = "
SELECT sku, CAST(expected_date AS TEXT), CAST(quantity AS BIGINT), CAST(unit_cost_cents AS BIGINT)
FROM purchase_orders
WHERE ordered_date <= $1 AND (received_date IS NULL OR received_date > $1)";

/// sku, name, category, lead time, unit cost, price: one row of [`SKUS`].
type SkuRow = (
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// What the catalogue says about a SKU.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SkuInfo {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub lead_time_days: Option<i64>,
    pub unit_cost_cents: Option<i64>,
    pub price_cents: Option<i64>,
}

/// A purchase order placed and not yet received on the as-of day.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Incoming {
    pub expected: NaiveDate,
    pub quantity: i64,
}

/// Net sales and margin of one day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DaySales {
    pub units: i64,
    pub revenue_cents: i64,
    pub margin_cents: i64,
}

/// One SKU as of a day: its demand history and its stock position.
#[derive(Debug, Clone)]
pub struct SkuHistory {
    pub info: SkuInfo,
    pub series: DemandSeries,
    /// Promotion / Black Friday flags of the days after the as-of day (the horizon).
    pub future_event: Vec<bool>,
    /// Latest stock count on or before the as-of day; `None`: never counted.
    pub on_hand: Option<i64>,
    pub incoming: Vec<Incoming>,
    /// Sales per day of the history, by day.
    pub sales: BTreeMap<NaiveDate, DaySales>,
    pub last_sale: Option<NaiveDate>,
}

impl SkuHistory {
    /// Sales summed over the `days` days ending on `as_of`.
    pub fn sales_over(&self, as_of: NaiveDate, days: u64) -> DaySales {
        let from = as_of - Days::new(days.saturating_sub(1));
        self.sales
            .range(from..=as_of)
            .fold(DaySales::default(), |mut acc, (_, s)| {
                acc.units += s.units;
                acc.revenue_cents += s.revenue_cents;
                acc.margin_cents += s.margin_cents;
                acc
            })
    }
}

fn date(text: &str) -> Option<NaiveDate> {
    text.get(..10)?.parse().ok()
}

/// Black Friday to Cyber Monday of the years `from`..=`to` touch.
pub fn black_friday_days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    (from.year()..=to.year())
        .flat_map(|y| {
            black_friday(y)
                .iter_days()
                .take_while(move |d| *d <= cyber_monday(y))
        })
        .collect()
}

/// Every SKU of the catalogue (and any SKU sold but missing from it) with `history_days`
/// of history ending on `as_of` and the event flags of the `horizon` days after it.
pub async fn load_histories(
    store: &Store,
    as_of: NaiveDate,
    history_days: u64,
    horizon: usize,
) -> anyhow::Result<Vec<SkuHistory>> {
    let from = as_of - Days::new(history_days.saturating_sub(1));
    let horizon_end = as_of + Days::new(horizon as u64);
    let skus: Vec<SkuRow> = with_pool!(store, pool => sqlx::query_as(SKUS).fetch_all(pool).await)
        .context("failed to read the SKUs")?;
    let sales: Vec<(String, String, i64, i64, i64, String)> = with_pool!(store, pool => {
        sqlx::query_as(SALES).bind(from).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read the daily sales per SKU")?;
    let counts: Vec<(String, String, i64)> = with_pool!(store, pool => {
        sqlx::query_as(COUNTS).bind(from).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read the stock counts")?;
    let prices: Vec<(String, String, i64)> =
        with_pool!(store, pool => sqlx::query_as(PRICES).fetch_all(pool).await)
            .context("failed to read the price history")?;
    let orders: Vec<(String, String, i64, i64)> = with_pool!(store, pool => {
        sqlx::query_as(OPEN_PURCHASE_ORDERS).bind(as_of).fetch_all(pool).await
    })
    .context("failed to read the open purchase orders")?;

    let mut infos: BTreeMap<String, SkuInfo> = skus
        .into_iter()
        .map(|(sku, name, category, lead, cost, price)| {
            let info = SkuInfo {
                sku: sku.clone(),
                name,
                category,
                lead_time_days: lead,
                unit_cost_cents: cost,
                price_cents: price,
            };
            (sku, info)
        })
        .collect();
    let mut by_sku: HashMap<String, BTreeMap<NaiveDate, DaySales>> = HashMap::new();
    for (sku, day, units, revenue, margin, category) in sales {
        let Some(day) = date(&day) else { continue };
        infos.entry(sku.clone()).or_insert_with(|| SkuInfo {
            sku: sku.clone(),
            name: sku.clone(),
            category,
            lead_time_days: None,
            unit_cost_cents: None,
            price_cents: None,
        });
        by_sku.entry(sku).or_default().insert(
            day,
            DaySales {
                units,
                revenue_cents: revenue,
                margin_cents: margin,
            },
        );
    }
    let mut counts_by_sku: HashMap<String, BTreeMap<NaiveDate, i64>> = HashMap::new();
    for (sku, day, on_hand) in counts {
        if let Some(day) = date(&day) {
            counts_by_sku.entry(sku).or_default().insert(day, on_hand);
        }
    }
    let mut promos: HashMap<String, Vec<(NaiveDate, bool)>> = HashMap::new();
    for (sku, day, promo) in prices {
        if let Some(day) = date(&day) {
            promos.entry(sku).or_default().push((day, promo != 0));
        }
    }
    let mut incoming: HashMap<String, Vec<Incoming>> = HashMap::new();
    for (sku, expected, quantity, _) in orders {
        if let Some(expected) = date(&expected) {
            incoming
                .entry(sku)
                .or_default()
                .push(Incoming { expected, quantity });
        }
    }
    let bf: std::collections::HashSet<NaiveDate> =
        black_friday_days(from, horizon_end).into_iter().collect();

    let mut out = Vec::with_capacity(infos.len());
    for (sku, info) in infos {
        let sales = by_sku.remove(&sku).unwrap_or_default();
        let counts = counts_by_sku.remove(&sku).unwrap_or_default();
        let first_sale = sales.iter().find(|(_, s)| s.units > 0).map(|(d, _)| *d);
        let first_count = counts.range(from..).next().map(|(d, _)| *d);
        let start = match (first_sale, first_count) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(as_of + Days::new(1)),
        }
        .max(from);
        let n = (as_of - start).num_days().max(0) as usize + 1;
        let n = if start > as_of { 0 } else { n };
        let promo_of = promo_days(promos.get(&sku).map(Vec::as_slice).unwrap_or(&[]));
        let is_event = |d: NaiveDate| bf.contains(&d) || promo_of(d);
        let mut series = DemandSeries {
            start,
            units: Vec::with_capacity(n),
            available: Vec::with_capacity(n),
            event: Vec::with_capacity(n),
        };
        for t in 0..n {
            let d = start + Days::new(t as u64);
            let units = sales.get(&d).map_or(0, |s| s.units);
            let last_count = counts.range(..=d).next_back().map(|(_, c)| *c);
            series.units.push(units.max(0) as f64);
            series
                .available
                .push(!(last_count == Some(0) && units <= 0));
            series.event.push(is_event(d));
        }
        let future_event = (1..=horizon as u64)
            .map(|h| is_event(as_of + Days::new(h)))
            .collect();
        let on_hand = counts.range(..=as_of).next_back().map(|(_, c)| *c);
        let mut incoming = incoming.remove(&sku).unwrap_or_default();
        incoming.sort_by_key(|i| i.expected);
        let last_sale = sales
            .iter()
            .rev()
            .find(|(_, s)| s.units > 0)
            .map(|(d, _)| *d);
        out.push(SkuHistory {
            info,
            series,
            future_event,
            on_hand,
            incoming,
            sales,
            last_sale,
        });
    }
    Ok(out)
}

/// Whether a day falls in one of the SKU's promotional price periods (`prices` sorted by
/// `valid_from`: each price holds until the next).
fn promo_days(prices: &[(NaiveDate, bool)]) -> impl Fn(NaiveDate) -> bool + '_ {
    move |d| {
        let i = prices.partition_point(|(from, _)| *from <= d);
        i > 0 && prices[i - 1].1
    }
}

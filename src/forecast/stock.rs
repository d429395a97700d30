//! From forecasts to stock decisions: days of cover, the SKUs to reorder and how much,
//! dormant stock and the cash it ties up. Pure arithmetic over a SKU's forecast and stock
//! position; every figure is defined here once.
//!
//! - **Days of cover**: the days the stock on hand lasts against the *forecast* daily demand
//!   (not a flat average): walking the forecast day by day, the day the cumulative demand
//!   passes the stock, fractional within that day. `None` when it lasts beyond the forecast.
//! - **Cover with purchase orders**: the same walk, each open purchase order added to the
//!   stock on its expected day (an overdue one on the first day).
//! - **Reorder now** when the cover with purchase orders is under the supplier lead time plus
//!   the threshold: an order placed today arrives after the lead time and should still find
//!   `threshold` days of stock. **Stock-out unavoidable** when it is under the lead time.
//! - **Suggested quantity**: forecast demand over lead time + `order_cover_days`, plus the
//!   safety stock (the 80 % interval's upper half over those days, added in quadrature),
//!   minus the stock on hand and on order; rounded up, never negative.
//! - **Dormant**: stock on hand and no sale in the last `dormant_days`; the cash it ties up
//!   is on hand × supplier unit cost.

use chrono::{Days, NaiveDate};

use super::load::{Incoming, SkuHistory};
use super::model::Forecast;

/// The shop's stock policy (`[stock]` in insight-desk.toml).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StockPolicy {
    /// SKUs with fewer days of cover are flagged (the stock-cover alert's default).
    pub threshold_days: i64,
    /// Lead time of a SKU whose supplier lead time is not in the catalogue.
    pub default_lead_time_days: i64,
    /// Days of demand an order should cover once it has arrived.
    pub order_cover_days: i64,
    /// No sale for this long with stock on hand: dormant.
    pub dormant_days: i64,
}

impl Default for StockPolicy {
    fn default() -> Self {
        StockPolicy {
            threshold_days: 14,
            default_lead_time_days: 14,
            order_cover_days: 30,
            dormant_days: 90,
        }
    }
}

/// One SKU's stock position against its forecast.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StockLine {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub on_hand: i64,
    pub on_order: i64,
    /// Expected date of the next open purchase order.
    pub next_delivery: Option<NaiveDate>,
    /// Forecast units per day over the next 14 days.
    pub forecast_per_day: f64,
    pub days_of_cover: Option<f64>,
    pub days_of_cover_with_orders: Option<f64>,
    pub lead_time_days: i64,
    /// The lead time is the policy's default (not in the catalogue).
    pub lead_time_default: bool,
    pub reorder_now: bool,
    pub stockout_unavoidable: bool,
    pub suggested_quantity: i64,
    /// Suggested quantity × unit cost; `None` without a unit cost.
    pub suggested_cost_cents: Option<i64>,
    pub unit_cost_cents: Option<i64>,
    pub last_sale: Option<NaiveDate>,
    pub dormant: bool,
    /// On hand × unit cost for a dormant SKU.
    pub dormant_cash_cents: Option<i64>,
}

/// The days `stock` lasts against `demand` (units per forecast day), fractional; stock
/// arriving on forecast day `d` (0-based) is added before that day's demand. `None`: it
/// outlasts the forecast.
pub fn days_of_cover(stock: f64, demand: &[f64], arrivals: &[(usize, f64)]) -> Option<f64> {
    let mut left = stock;
    for (d, want) in demand.iter().enumerate() {
        left += arrivals
            .iter()
            .filter(|(day, _)| *day == d)
            .map(|(_, q)| q)
            .sum::<f64>();
        if *want > left {
            return Some(d as f64 + (left.max(0.0) / want));
        }
        left -= want;
    }
    None
}

/// Open purchase orders as (forecast day index, quantity): due on `as_of + 1 + index`,
/// overdue ones on the first day.
pub fn arrivals(as_of: NaiveDate, incoming: &[Incoming]) -> Vec<(usize, f64)> {
    incoming
        .iter()
        .map(|i| {
            let d = (i.expected - as_of).num_days() - 1;
            (d.max(0) as usize, i.quantity as f64)
        })
        .collect()
}

/// The stock line of `sku` as of `as_of` given its forecast (which should reach at least
/// lead time + `order_cover_days`; later days repeat its last day).
pub fn stock_line(
    sku: &SkuHistory,
    forecast: &Forecast,
    as_of: NaiveDate,
    policy: &StockPolicy,
) -> StockLine {
    let on_hand = sku.on_hand.unwrap_or(0).max(0);
    let on_order: i64 = sku.incoming.iter().map(|i| i.quantity).sum();
    let lead = sku.info.lead_time_days.filter(|l| *l > 0);
    let lead_time_days = lead.unwrap_or(policy.default_lead_time_days);
    let need_days = (lead_time_days + policy.order_cover_days).max(1) as usize;
    let extend = |v: &[f64]| -> Vec<f64> {
        let last = v.last().copied().unwrap_or(0.0);
        (0..need_days.max(v.len()))
            .map(|i| v.get(i).copied().unwrap_or(last))
            .collect()
    };
    let mean = extend(&forecast.mean);
    let upper = extend(&forecast.upper);
    let arrivals = arrivals(as_of, &sku.incoming);
    let cover = days_of_cover(on_hand as f64, &mean, &[]);
    let cover_orders = days_of_cover(on_hand as f64, &mean, &arrivals);
    let under = |limit: i64| cover_orders.is_some_and(|c| c < limit as f64);
    let reorder_now = under(lead_time_days + policy.threshold_days);
    let demand: f64 = mean[..need_days].iter().sum();
    let safety: f64 = mean[..need_days]
        .iter()
        .zip(&upper[..need_days])
        .map(|(m, u)| (u - m).max(0.0).powi(2))
        .sum::<f64>()
        .sqrt();
    let suggested_quantity = if reorder_now {
        ((demand + safety - (on_hand + on_order) as f64).ceil() as i64).max(0)
    } else {
        0
    };
    let cost = sku.info.unit_cost_cents;
    let dormant_since = as_of - Days::new(policy.dormant_days.max(1) as u64 - 1);
    let dormant = on_hand > 0 && sku.last_sale.map_or(true, |d| d < dormant_since);
    StockLine {
        sku: sku.info.sku.clone(),
        name: sku.info.name.clone(),
        category: sku.info.category.clone(),
        on_hand,
        on_order,
        next_delivery: sku.incoming.first().map(|i| i.expected),
        forecast_per_day: mean.iter().take(14).sum::<f64>() / 14.0,
        days_of_cover: cover,
        days_of_cover_with_orders: cover_orders,
        lead_time_days,
        lead_time_default: lead.is_none(),
        reorder_now,
        stockout_unavoidable: under(lead_time_days),
        suggested_quantity,
        suggested_cost_cents: cost.map(|c| c * suggested_quantity),
        unit_cost_cents: cost,
        last_sale: sku.last_sale,
        dormant,
        dormant_cash_cents: if dormant {
            cost.map(|c| c * on_hand)
        } else {
            None
        },
    }
}

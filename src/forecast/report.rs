//! The forecast and stock reports computed from loaded histories: every SKU forecast and
//! backtested (on both cores), accuracy per category and overall, and the stock lines.
//! Pure: `commands/forecast.rs` loads, this computes, `render.rs` shows.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::backtest::{backtest, Accuracy, ORIGINS};
use super::load::SkuHistory;
use super::model::{forecast, Forecast, Method, ModelOptions};
use super::stock::{stock_line, StockLine, StockPolicy};

/// One SKU's forecast and how well the model did on its past.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SkuForecast {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub method: Method,
    pub history_days: usize,
    /// Days of the history out of stock (missing demand).
    pub stockout_days: usize,
    pub accuracy: Accuracy,
    pub forecast: Forecast,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CategoryAccuracy {
    pub category: String,
    pub skus: usize,
    pub accuracy: Accuracy,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ForecastReport {
    pub as_of: NaiveDate,
    pub horizon: usize,
    /// Backtest origins per SKU (fewer for a short history).
    pub origins: usize,
    pub skus: Vec<SkuForecast>,
    pub by_category: Vec<CategoryAccuracy>,
    pub overall: Accuracy,
}

/// `f` over `items` on every core (chunks in scoped threads), results in order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 8 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a forecast thread panicked"))
            .collect()
    })
}

/// Forecasts `horizon` days for each SKU and backtests it (`backtest: false` skips it, for
/// the stock figures that need only the forecast).
pub fn forecast_report(
    as_of: NaiveDate,
    histories: &[SkuHistory],
    horizon: usize,
    run_backtest: bool,
    options: &ModelOptions,
) -> ForecastReport {
    let skus: Vec<SkuForecast> = par_map(histories, |h| {
        let folds = if run_backtest {
            backtest(&h.series, horizon, options)
        } else {
            Vec::new()
        };
        let f = forecast(&h.series, horizon, &h.future_event, options);
        SkuForecast {
            sku: h.info.sku.clone(),
            name: h.info.name.clone(),
            category: h.info.category.clone(),
            method: f.method,
            history_days: h.series.len(),
            stockout_days: h.series.len() - h.series.available_days(),
            accuracy: Accuracy::of_folds(&folds),
            forecast: f,
        }
    });
    let mut cats: BTreeMap<String, (usize, Accuracy)> = BTreeMap::new();
    let mut overall = Accuracy::default();
    for s in &skus {
        let e = cats.entry(s.category.clone()).or_default();
        e.0 += 1;
        e.1.add(&s.accuracy);
        overall.add(&s.accuracy);
    }
    ForecastReport {
        as_of,
        horizon,
        origins: if run_backtest { ORIGINS } else { 0 },
        skus,
        by_category: cats
            .into_iter()
            .map(|(category, (skus, accuracy))| CategoryAccuracy {
                category,
                skus,
                accuracy,
            })
            .collect(),
        overall,
    }
}

/// Stock turns per year of a category (from the `stock_turnover` metric).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rotation {
    pub category: String,
    pub turns_per_year: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StockReport {
    pub as_of: NaiveDate,
    pub policy: StockPolicy,
    /// Every SKU with stock, stock on order or a forecast demand, most urgent first.
    pub lines: Vec<StockLine>,
    pub rotation: Vec<Rotation>,
    /// Σ dormant cash (SKUs with a unit cost) and the dormant SKUs without one.
    pub dormant_cash_cents: i64,
    pub dormant_without_cost: usize,
    pub reorder_cost_cents: i64,
}

impl StockReport {
    pub fn under_threshold(&self) -> impl Iterator<Item = &StockLine> {
        let t = self.policy.threshold_days as f64;
        self.lines
            .iter()
            .filter(move |l| l.days_of_cover.is_some_and(|c| c < t))
    }

    pub fn reorders(&self) -> impl Iterator<Item = &StockLine> {
        self.lines.iter().filter(|l| l.reorder_now)
    }

    pub fn dormant(&self) -> Vec<&StockLine> {
        let mut d: Vec<&StockLine> = self.lines.iter().filter(|l| l.dormant).collect();
        d.sort_by_key(|l| std::cmp::Reverse(l.dormant_cash_cents));
        d
    }
}

/// Horizon of the forecasts behind the stock figures: long enough for the longest lead time
/// plus the order cover.
pub fn stock_horizon(histories: &[SkuHistory], policy: &StockPolicy) -> usize {
    let lead = histories
        .iter()
        .filter_map(|h| h.info.lead_time_days)
        .max()
        .unwrap_or(0)
        .max(policy.default_lead_time_days);
    ((lead + policy.order_cover_days + policy.threshold_days).max(90)) as usize
}

/// Stock lines from forecasts (`forecasts[i]` is `histories[i]`'s).
pub fn stock_report(
    as_of: NaiveDate,
    histories: &[SkuHistory],
    forecasts: &[Forecast],
    policy: &StockPolicy,
    rotation: Vec<Rotation>,
) -> StockReport {
    let mut lines: Vec<StockLine> = histories
        .iter()
        .zip(forecasts)
        .map(|(h, f)| stock_line(h, f, as_of, policy))
        .filter(|l| l.on_hand > 0 || l.on_order > 0 || l.forecast_per_day > 0.0)
        .collect();
    lines.sort_by(|a, b| {
        let key = |l: &StockLine| l.days_of_cover_with_orders.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b)).then_with(|| a.sku.cmp(&b.sku))
    });
    let dormant_cash_cents = lines.iter().filter_map(|l| l.dormant_cash_cents).sum();
    let dormant_without_cost = lines
        .iter()
        .filter(|l| l.dormant && l.unit_cost_cents.is_none())
        .count();
    let reorder_cost_cents = lines.iter().filter_map(|l| l.suggested_cost_cents).sum();
    StockReport {
        as_of,
        policy: *policy,
        lines,
        rotation,
        dormant_cash_cents,
        dormant_without_cost,
        reorder_cost_cents,
    }
}

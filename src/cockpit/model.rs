//! The cockpit as data: every figure of the CEO's 1-slide (SPEC §5), with its comparisons.
//!
//! This struct *is* the JSON contract of `report cockpit --format json` (field names are
//! stable; scripts and the bot depend on them) and the only input of the Block Kit, text and
//! chart renderers, so what is printed, posted and drawn cannot disagree. Money is [`Cents`]
//! (JSON: major units with exact cents); percentages are 0–100; `None` means "no data" and
//! is shown as such, never as 0. Every definition is in docs/metrics.md.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::{Cents, Period};

#[derive(Debug, Clone, Serialize)]
pub struct Cockpit {
    pub date: NaiveDate,
    pub timezone: String,
    pub currency: String,
    pub shop: String,
    pub revenue: Revenue,
    pub gross_margin: GrossMargin,
    pub cash: Cash,
    pub orders: Orders,
    pub aov_by_channel: Vec<ChannelAov>,
    pub conversion_rate: ConversionRate,
    pub marketing: Marketing,
    pub stock_alerts: Vec<StockAlert>,
    pub operations: Operations,
    pub growth: Growth,
    pub data_as_of: DataAsOf,
    /// Figures that could not be computed, with the reason; the others are still shown.
    pub failures: Vec<Failure>,
}

/// Financial health: yesterday's net sales against the day's objective.
#[derive(Debug, Clone, Serialize)]
pub struct Revenue {
    pub actual: Cents,
    /// `None`: no objective recorded for the day.
    pub target: Option<Cents>,
    pub vs_target_pct: Option<f64>,
    /// Same weekday one week earlier, and the change against it.
    pub same_day_last_week: Cents,
    pub vs_last_week_pct: Option<f64>,
    /// 7 days ending on `date` against the 7 days before.
    pub trend_7d_pct: Option<f64>,
    /// 30 days ending on `date` against the 30 days before.
    pub trend_30d_pct: Option<f64>,
    /// Month to date against the month's objective to date.
    pub month_to_date: Cents,
    pub month_target_to_date: Option<Cents>,
    /// The 30 days ending on `date`, oldest first (the chart's data).
    pub daily: Vec<DailyRevenue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DailyRevenue {
    pub date: NaiveDate,
    pub revenue: Cents,
    pub target: Option<Cents>,
    /// Trailing 7-day mean of revenue ending that day (needs the 6 days before the window).
    pub avg_7d: Cents,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrossMargin {
    pub amount: Cents,
    /// Margin ÷ revenue × 100.
    pub pct: Option<f64>,
    /// Percentage points against the previous 30 days' rate.
    pub pct_change_pts_30d: Option<f64>,
    /// Over the 30 days ending on `date` (one day is too noisy per channel).
    pub by_channel: Vec<ChannelMargin>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelMargin {
    pub channel: String,
    pub revenue: Cents,
    pub amount: Cents,
    pub pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cash {
    /// Latest balance on or before `date`; `None`: no cash balance recorded.
    pub balance: Option<Cents>,
    pub as_of: Option<NaiveDate>,
    pub critical_threshold: Option<Cents>,
    pub below_threshold: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Orders {
    pub total: i64,
    pub new_customers: i64,
    pub returning_customers: i64,
    /// Orders without a customer (guest checkout).
    pub guest: i64,
    pub same_day_last_week: i64,
    pub vs_last_week_pct: Option<f64>,
}

/// Average order value per channel over the 30 days ending on `date`, vs the 30 days before.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelAov {
    pub channel: String,
    pub orders: i64,
    pub aov: Option<Cents>,
    pub change_pct: Option<f64>,
}

/// Orders ÷ sessions over the 7 days ending on `date`. All `None` when no traffic source.
#[derive(Debug, Clone, Serialize)]
pub struct ConversionRate {
    pub overall_pct: Option<f64>,
    pub sessions: Option<i64>,
    pub change_pts_vs_previous_7d: Option<f64>,
    pub by_channel: Vec<ChannelConversion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelConversion {
    pub channel: String,
    pub sessions: i64,
    pub orders: i64,
    pub pct: Option<f64>,
}

/// Marketing efficiency per channel. Windows are explicit because one day of spend is noise.
#[derive(Debug, Clone, Serialize)]
pub struct Marketing {
    /// ROAS window: the 7 days ending on `date`.
    pub roas_window: Period,
    /// CAC, spend, new customers and budget share window: the 30 days ending on `date`.
    pub cac_window: Period,
    /// The acquisition cohort whose 60-day ROAS is shown (acquired 61–90 days before `date`).
    pub roas_60d_cohort: Period,
    pub total_spend: Cents,
    pub blended_roas: Option<f64>,
    pub by_channel: Vec<ChannelMarketing>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChannelMarketing {
    pub channel: String,
    /// Spend over the CAC window (30 days).
    pub spend: Cents,
    /// Net sales of orders last-clicked on the channel, ROAS window (7 days).
    pub revenue: Cents,
    /// revenue ÷ spend over the ROAS window; `None` for channels without spend.
    pub roas: Option<f64>,
    /// ROAS over the 28 days before the ROAS window, and the change against it.
    pub roas_previous_28d: Option<f64>,
    pub roas_change_pct: Option<f64>,
    /// Revenue of the cohort's customers in their first 60 days ÷ the cohort window's spend.
    pub roas_60d: Option<f64>,
    /// Spend ÷ new customers acquired on the channel (30 days), and change vs previous 30.
    pub cac: Option<Cents>,
    pub cac_change_pct: Option<f64>,
    pub new_customers: i64,
    pub budget_share_pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockAlert {
    pub sku: String,
    pub name: String,
    pub on_hand: i64,
    /// The days the stock on hand lasts against the SKU's demand forecast (`forecast::stock`).
    pub days_of_cover: f64,
    /// Forecast units per day over the next 14 days.
    pub units_per_day: f64,
    /// Net sales of the SKU over the 28 days ending on `date`: how much is at stake.
    pub revenue_28d: Cents,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operations {
    /// SKUs under `threshold_days` of cover (the full list is `stock_alerts`).
    pub stock_cover_threshold_days: i64,
    /// Refunded merchandise ÷ merchandise sold, 30 days ending on `date`.
    pub return_rate_pct: Option<f64>,
    /// Yearly stock turns per category: cost of goods sold (annualised, 90 days) ÷ stock at cost.
    pub stock_rotation: Vec<CategoryRotation>,
    /// No satisfaction source is connected yet: always `None` for now, shown as such.
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryRotation {
    pub category: String,
    pub turns_per_year: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Growth {
    /// Average net sales per customer in their first 365 days, for the customers acquired
    /// in `ltv_cohort` (the 30 days ending one year before `date`, so the year is complete).
    pub ltv_new_customers: Option<Cents>,
    pub ltv_cohort: Period,
    /// Share of the customers acquired in `repurchase_cohort` (30 days ending 90 days before
    /// `date`) who ordered again within 90 days of their first order.
    pub repurchase_rate_90d: Option<f64>,
    pub repurchase_cohort: Period,
}

/// "Data as of": the latest data each source holds, and the sources that do not reach the
/// cockpit's date (their figures are incomplete).
#[derive(Debug, Clone, Serialize)]
pub struct DataAsOf {
    pub sources: Vec<SourceAsOf>,
    pub stale: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceAsOf {
    pub source: String,
    /// Latest day with data in that source (shop time zone); `None`: never loaded.
    pub latest: Option<NaiveDate>,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub figure: String,
    pub message: String,
}

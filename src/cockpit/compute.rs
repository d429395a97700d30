//! Computing the cockpit for one day from the metric catalogue.
//!
//! Every figure is a metric of `queries/` run over a window derived from the date, so the
//! cockpit and `insight-desk query` agree by construction. The queries run concurrently; a
//! metric that fails leaves its figure empty and is listed in `failures` (the rest is still
//! shown), as STYLE.md's "keep going, report at the end" asks.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate};

use super::model::*;
use crate::domain::{Cents, Period};
use crate::metrics::{Dimension, MetricDef, MetricResult, Registry};
use crate::store::{ShopSettings, Store};
use crate::with_pool;

/// Knobs of the cockpit that a shop sets in its configuration.
#[derive(Debug, Clone)]
pub struct CockpitOptions {
    /// SKUs with fewer days of cover than this are stock alerts.
    pub stock_cover_days: i64,
    /// Cash below this is flagged critical.
    pub cash_critical_threshold: Option<Cents>,
}

impl Default for CockpitOptions {
    fn default() -> Self {
        CockpitOptions {
            stock_cover_days: 14,
            cash_critical_threshold: None,
        }
    }
}

/// Runs metrics and remembers which failed.
struct Runner<'a> {
    store: &'a Store,
    registry: &'a Registry,
}

impl Runner<'_> {
    async fn run(
        &self,
        metric: &str,
        period: Period,
        by: Option<Dimension>,
    ) -> Result<MetricResult, Failure> {
        let def = self.registry.get(metric).ok_or_else(|| Failure {
            figure: metric.to_string(),
            message: format!("metric {metric} is not in the catalogue"),
        })?;
        let started = std::time::Instant::now();
        let result = def.run(self.store, period, by, &BTreeMap::new()).await;
        tracing::debug!(
            metric,
            %period,
            by = ?by,
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "cockpit metric"
        );
        result.map_err(|e| {
            tracing::error!(metric, error = %e, "cockpit figure failed");
            Failure {
                figure: metric.to_string(),
                message: e.to_string(),
            }
        })
    }
}

fn pct_change(now: f64, before: f64) -> Option<f64> {
    (before != 0.0).then(|| (now - before) / before.abs() * 100.0)
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

/// Per-day (num, den) of a result broken down by day.
fn by_day(result: &MetricResult) -> BTreeMap<NaiveDate, (i64, i64)> {
    result
        .rows
        .iter()
        .filter_map(|r| {
            let day = r.key.as_deref()?.get(..10)?.parse().ok()?;
            Some((day, (r.num, r.den.unwrap_or(0))))
        })
        .collect()
}

fn sum_over(days: &BTreeMap<NaiveDate, (i64, i64)>, period: Period) -> (i64, i64) {
    days.range(period.from..=period.to)
        .fold((0, 0), |acc, (_, (n, d))| (acc.0 + n, acc.1 + d))
}

/// Computes the cockpit of `date` (a calendar day in the shop's time zone).
pub async fn compute_cockpit(
    store: &Store,
    registry: &Registry,
    shop: &ShopSettings,
    date: NaiveDate,
    options: &CockpitOptions,
) -> anyhow::Result<Cockpit> {
    let r = Runner { store, registry };
    let day = Period::day(date);
    let last7 = Period::trailing(date, 7);
    let last28 = Period::trailing(date, 28);
    let last30 = Period::trailing(date, 30);
    let last60 = Period::trailing(date, 60);
    let last90 = Period::trailing(date, 90);
    let roas_previous = Period::trailing(last7.from - Days::new(1), 28);
    let cohort_60d = Period::trailing(date - Days::new(61), 30);
    let ltv_cohort = Period::trailing(date - Days::new(365), 30);
    let repurchase_cohort = Period::trailing(date - Days::new(90), 30);

    let (
        revenue_daily,
        target_daily,
        margin_daily,
        margin_by_channel,
        orders_day,
        orders_daily,
        cash,
    ) = tokio::join!(
        r.run("revenue", last60, Some(Dimension::Day)),
        r.run("revenue_target", last60, Some(Dimension::Day)),
        r.run("gross_margin", last60, Some(Dimension::Day)),
        r.run("gross_margin", last30, Some(Dimension::Channel)),
        r.run("orders", day, Some(Dimension::CustomerType)),
        r.run("orders", Period::trailing(date, 8), Some(Dimension::Day)),
        r.run("cash", day, None),
    );
    let (aov_now, aov_before, conv_now, conv_before, conv_channel) = tokio::join!(
        r.run("aov", last30, Some(Dimension::Channel)),
        r.run("aov", last30.previous(), Some(Dimension::Channel)),
        r.run("conversion_rate", last7, None),
        r.run("conversion_rate", last7.previous(), None),
        r.run("conversion_rate", last7, Some(Dimension::Channel)),
    );
    let (roas_now, roas_before, cac_now, cac_before, roas_60d) = tokio::join!(
        r.run("roas", last7, Some(Dimension::Channel)),
        r.run("roas", roas_previous, Some(Dimension::Channel)),
        r.run("cac", last30, Some(Dimension::Channel)),
        r.run("cac", last30.previous(), Some(Dimension::Channel)),
        r.run("roas_60d", cohort_60d, Some(Dimension::Channel)),
    );
    let stock_policy = crate::forecast::stock::StockPolicy {
        threshold_days: options.stock_cover_days,
        ..Default::default()
    };
    let (cover, sku_revenue, returns, rotation, ltv, repurchase) = tokio::join!(
        forecast_cover(store, date, &stock_policy),
        r.run("revenue", last28, Some(Dimension::Sku)),
        r.run("return_rate", last30, None),
        r.run("stock_turnover", last90, Some(Dimension::Category)),
        r.run("ltv_12m", ltv_cohort, None),
        r.run("repurchase_rate_90d", repurchase_cohort, None),
    );

    let mut failures = Vec::new();
    let mut ok = |res: Result<MetricResult, Failure>| match res {
        Ok(v) => Some(v),
        Err(f) => {
            failures.push(f);
            None
        }
    };
    let revenue_daily = ok(revenue_daily).map(|r| by_day(&r)).unwrap_or_default();
    let target_daily = ok(target_daily).map(|r| by_day(&r));
    let margin_daily = ok(margin_daily).map(|r| by_day(&r)).unwrap_or_default();
    let margin_by_channel = ok(margin_by_channel);
    let orders_day = ok(orders_day);
    let orders_daily = ok(orders_daily).map(|r| by_day(&r)).unwrap_or_default();
    let cash = ok(cash);
    let (aov_now, aov_before) = (ok(aov_now), ok(aov_before));
    let (conv_now, conv_before, conv_channel) = (ok(conv_now), ok(conv_before), ok(conv_channel));
    let (roas_now, roas_before, cac_now, cac_before, roas_60d) = (
        ok(roas_now),
        ok(roas_before),
        ok(cac_now),
        ok(cac_before),
        ok(roas_60d),
    );
    let (sku_revenue, returns, rotation, ltv, repurchase) = (
        ok(sku_revenue),
        ok(returns),
        ok(rotation),
        ok(ltv),
        ok(repurchase),
    );
    let cover = match cover {
        Ok(stock) => Some(stock),
        Err(f) => {
            failures.push(f);
            None
        }
    };

    // 1. Financial health.
    let rev = |p: Period| sum_over(&revenue_daily, p).0;
    let target_of = |d: NaiveDate| {
        target_daily
            .as_ref()
            .and_then(|t| t.get(&d))
            .map(|(n, _)| Cents(*n))
    };
    let actual = Cents(rev(day));
    let target = target_of(date);
    let week_ago = date - Days::new(7);
    let month_start = date.with_day(1).expect("day 1 exists");
    let month = Period {
        from: month_start,
        to: date,
    };
    let month_target_days: Vec<Cents> = month.iter_days().filter_map(target_of).collect();
    let month_target_to_date = (month_target_days.len() as i64 == month.days())
        .then(|| month_target_days.into_iter().sum());
    let daily = last30
        .iter_days()
        .map(|d| DailyRevenue {
            date: d,
            revenue: Cents(rev(Period::day(d))),
            target: target_of(d),
            avg_7d: Cents((rev(Period::trailing(d, 7)) as f64 / 7.0).round() as i64),
        })
        .collect();
    let revenue = Revenue {
        actual,
        target,
        vs_target_pct: target.and_then(|t| pct_change(actual.0 as f64, t.0 as f64)),
        same_day_last_week: Cents(rev(Period::day(week_ago))),
        vs_last_week_pct: pct_change(actual.0 as f64, rev(Period::day(week_ago)) as f64),
        trend_7d_pct: pct_change(rev(last7) as f64, rev(last7.previous()) as f64),
        trend_30d_pct: pct_change(rev(last30) as f64, rev(last30.previous()) as f64),
        month_to_date: Cents(rev(month)),
        month_target_to_date,
        daily,
    };

    let (m_num, m_den) = sum_over(&margin_daily, day);
    let (m30_num, m30_den) = sum_over(&margin_daily, last30);
    let (mp_num, mp_den) = sum_over(&margin_daily, last30.previous());
    let mut by_channel: Vec<ChannelMargin> = margin_by_channel
        .map(|res| {
            res.rows
                .iter()
                .map(|row| ChannelMargin {
                    channel: row.key.clone().unwrap_or_default(),
                    revenue: Cents(row.den.unwrap_or(0)),
                    amount: Cents(row.num),
                    pct: row.value,
                })
                .collect()
        })
        .unwrap_or_default();
    by_channel.sort_by(|a, b| b.revenue.cmp(&a.revenue).then(a.channel.cmp(&b.channel)));
    let gross_margin = GrossMargin {
        amount: Cents(m_num),
        pct: ratio(m_num, m_den).map(|v| v * 100.0),
        pct_change_pts_30d: ratio(m30_num, m30_den)
            .zip(ratio(mp_num, mp_den))
            .map(|(a, b)| (a - b) * 100.0),
        by_channel,
    };

    let cash_balance = cash
        .as_ref()
        .and_then(|c| c.value())
        .map(|v| Cents(v as i64));
    let cash = Cash {
        balance: cash_balance,
        as_of: if cash_balance.is_some() {
            latest_day(store, "cash_balances", "date", Some(date)).await?
        } else {
            None
        },
        critical_threshold: options.cash_critical_threshold,
        below_threshold: matches!((cash_balance, options.cash_critical_threshold), (Some(b), Some(t)) if b < t),
    };

    // 2. Commercial performance.
    let count = |key: &str| {
        orders_day
            .as_ref()
            .and_then(|r| r.row(key))
            .map(|r| r.num)
            .unwrap_or(0)
    };
    let total_orders = sum_over(&orders_daily, day).0;
    let orders_week_ago = sum_over(&orders_daily, Period::day(week_ago)).0;
    let orders = Orders {
        total: total_orders,
        new_customers: count("new"),
        returning_customers: count("returning"),
        guest: count("guest"),
        same_day_last_week: orders_week_ago,
        vs_last_week_pct: pct_change(total_orders as f64, orders_week_ago as f64),
    };
    let mut aov_by_channel: Vec<ChannelAov> = aov_now
        .map(|now| {
            now.rows
                .iter()
                .map(|row| {
                    let key = row.key.clone().unwrap_or_default();
                    let before = aov_before
                        .as_ref()
                        .and_then(|b| b.row(&key))
                        .and_then(|r| r.value);
                    ChannelAov {
                        channel: key,
                        orders: row.den.unwrap_or(0),
                        aov: row.value.map(|v| Cents(v.round() as i64)),
                        change_pct: row.value.zip(before).and_then(|(a, b)| pct_change(a, b)),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    aov_by_channel.sort_by(|a, b| b.orders.cmp(&a.orders).then(a.channel.cmp(&b.channel)));

    let conversion_rate = ConversionRate {
        overall_pct: conv_now.as_ref().and_then(|c| c.value()),
        sessions: conv_now
            .as_ref()
            .and_then(|c| c.total())
            .and_then(|r| r.den)
            .filter(|s| *s > 0),
        change_pts_vs_previous_7d: conv_now
            .as_ref()
            .and_then(|c| c.value())
            .zip(conv_before.as_ref().and_then(|c| c.value()))
            .map(|(a, b)| a - b),
        by_channel: conv_channel
            .map(|res| {
                res.rows
                    .iter()
                    .filter(|row| row.den.unwrap_or(0) > 0)
                    .map(|row| ChannelConversion {
                        channel: row.key.clone().unwrap_or_default(),
                        sessions: row.den.unwrap_or(0),
                        orders: row.num,
                        pct: row.value,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };

    // 3. Marketing efficiency.
    let keys = |res: &Option<MetricResult>| -> Vec<String> {
        res.iter()
            .flat_map(|r| r.rows.iter().filter_map(|row| row.key.clone()))
            .collect()
    };
    let channels: BTreeSet<String> = keys(&roas_now).into_iter().chain(keys(&cac_now)).collect();
    let total_spend: i64 = cac_now
        .as_ref()
        .map(|c| c.rows.iter().map(|r| r.num).sum())
        .unwrap_or(0);
    let spend_7d: i64 = roas_now
        .as_ref()
        .map(|c| c.rows.iter().map(|r| r.den.unwrap_or(0)).sum())
        .unwrap_or(0);
    let revenue_7d: i64 = roas_now
        .as_ref()
        .map(|c| c.rows.iter().map(|r| r.num).sum())
        .unwrap_or(0);
    let value_of = |res: &Option<MetricResult>, key: &str| {
        res.as_ref().and_then(|r| r.row(key)).and_then(|r| r.value)
    };
    let mut marketing_rows: Vec<ChannelMarketing> = channels
        .iter()
        .map(|key| {
            let roas = value_of(&roas_now, key);
            let roas_prev = value_of(&roas_before, key);
            let cac_row = cac_now.as_ref().and_then(|r| r.row(key));
            let spend = cac_row.map(|r| r.num).unwrap_or(0);
            let cac = value_of(&cac_now, key);
            let cac_prev = value_of(&cac_before, key);
            ChannelMarketing {
                channel: key.clone(),
                spend: Cents(spend),
                revenue: Cents(
                    roas_now
                        .as_ref()
                        .and_then(|r| r.row(key))
                        .map(|r| r.num)
                        .unwrap_or(0),
                ),
                roas,
                roas_previous_28d: roas_prev,
                roas_change_pct: roas.zip(roas_prev).and_then(|(a, b)| pct_change(a, b)),
                roas_60d: value_of(&roas_60d, key),
                cac: cac.map(|v| Cents(v.round() as i64)),
                cac_change_pct: cac.zip(cac_prev).and_then(|(a, b)| pct_change(a, b)),
                new_customers: cac_row.and_then(|r| r.den).unwrap_or(0),
                budget_share_pct: (total_spend > 0 && spend > 0)
                    .then(|| spend as f64 / total_spend as f64 * 100.0),
            }
        })
        .collect();
    marketing_rows.sort_by(|a, b| {
        b.spend
            .cmp(&a.spend)
            .then(b.revenue.cmp(&a.revenue))
            .then(a.channel.cmp(&b.channel))
    });
    let marketing = Marketing {
        roas_window: last7,
        cac_window: last30,
        roas_60d_cohort: cohort_60d,
        total_spend: Cents(total_spend),
        blended_roas: ratio(revenue_7d, spend_7d),
        by_channel: marketing_rows,
    };

    // 4. Operations.
    let stock_alerts = match cover {
        Some(cover) => stock_alerts(&cover, sku_revenue.as_ref()),
        None => Vec::new(),
    };
    let operations = Operations {
        stock_cover_threshold_days: options.stock_cover_days,
        return_rate_pct: returns.and_then(|r| r.value()),
        stock_rotation: rotation
            .map(|res| {
                res.rows
                    .iter()
                    .map(|row| CategoryRotation {
                        category: row.key.clone().unwrap_or_default(),
                        turns_per_year: row.value,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        satisfaction: None,
    };

    // 5. Growth.
    let growth = Growth {
        ltv_new_customers: ltv.and_then(|r| r.value()).map(|v| Cents(v.round() as i64)),
        ltv_cohort,
        repurchase_rate_90d: repurchase.and_then(|r| r.value()),
        repurchase_cohort,
    };

    let data_as_of = data_as_of(store, date).await?;
    Ok(Cockpit {
        date,
        timezone: shop.timezone.name().to_string(),
        currency: shop.currency.clone(),
        shop: shop.name.clone(),
        revenue,
        gross_margin,
        cash,
        orders,
        aov_by_channel,
        conversion_rate,
        marketing,
        stock_alerts,
        operations,
        growth,
        data_as_of,
        failures,
    })
}

/// Days of cover of every SKU against its demand forecast (`forecast::stock`: the figure of
/// `report stock` and `/stock`, not a flat average), as a cockpit figure that may fail alone.
async fn forecast_cover(
    store: &Store,
    date: NaiveDate,
    policy: &crate::forecast::stock::StockPolicy,
) -> Result<crate::forecast::report::StockReport, Failure> {
    let started = std::time::Instant::now();
    let result = crate::forecast::run::stock_from_store(store, date, policy).await;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "cockpit stock forecast"
    );
    result.map_err(|e| {
        tracing::error!(error = %format!("{e:#}"), "cockpit figure failed");
        Failure {
            figure: "days_of_cover".into(),
            message: format!("{e:#}"),
        }
    })
}

/// SKUs under the cover threshold, most urgent first (then the most sales at stake).
fn stock_alerts(
    stock: &crate::forecast::report::StockReport,
    sku_revenue: Option<&MetricResult>,
) -> Vec<StockAlert> {
    let mut alerts: Vec<StockAlert> = stock
        .under_threshold()
        .map(|line| StockAlert {
            sku: line.sku.clone(),
            name: line.name.clone(),
            on_hand: line.on_hand,
            days_of_cover: line.days_of_cover.unwrap_or(f64::INFINITY),
            units_per_day: line.forecast_per_day,
            revenue_28d: Cents(
                sku_revenue
                    .and_then(|r| r.row(&line.sku))
                    .map(|r| r.num)
                    .unwrap_or(0),
            ),
        })
        .collect();
    alerts.sort_by(|a, b| {
        a.days_of_cover
            .total_cmp(&b.days_of_cover)
            .then(b.revenue_28d.cmp(&a.revenue_28d))
    });
    alerts
}

/// The sources the cockpit reads, as (name, table, date column).
const SOURCES: [(&str, &str, &str); 6] = [
    ("orders", "orders", "local_date"),
    ("ad_spend", "ad_spend", "date"),
    ("traffic", "traffic", "date"),
    ("inventory", "inventory_levels", "date"),
    ("cash", "cash_balances", "date"),
    ("targets", "targets", "date"),
];

async fn latest_day(
    store: &Store,
    table: &str,
    column: &str,
    until: Option<NaiveDate>,
) -> anyhow::Result<Option<NaiveDate>> {
    // Table and column come from the fixed list above, never from input.
    let sql = match until {
        Some(_) => format!("SELECT CAST(MAX({column}) AS TEXT) FROM {table} WHERE {column} <= $1"),
        None => format!("SELECT CAST(MAX({column}) AS TEXT) FROM {table}"),
    };
    let text: Option<String> = with_pool!(store, pool => {
        let mut q = sqlx::query_scalar(&sql);
        if let Some(d) = until {
            q = q.bind(d);
        }
        q.fetch_one(pool).await
    })
    .with_context(|| format!("failed to read the latest day of {table}"))?;
    Ok(text.and_then(|t| t.get(..10).and_then(|d| d.parse().ok())))
}

/// How fresh each source is for a figure of `date`: its latest loaded day, and whether that
/// is before `date` (stale). Shared by the cockpit and `/insight`.
pub async fn data_as_of(store: &Store, date: NaiveDate) -> anyhow::Result<DataAsOf> {
    data_as_of_sources(store, date, |_| true).await
}

/// [`data_as_of`] limited to the sources `metric`'s SQL reads (orders for revenue; orders
/// and ad spend for ROAS), so an answer about revenue is not flagged by a late cash statement.
pub async fn data_as_of_metric(
    store: &Store,
    date: NaiveDate,
    metric: &MetricDef,
) -> anyhow::Result<DataAsOf> {
    let sources = metric_sources(metric);
    data_as_of_sources(store, date, |source| sources.contains(&source)).await
}

/// The sources (`orders`, `ad_spend`, …) whose tables `metric`'s SQL reads.
pub fn metric_sources(metric: &MetricDef) -> Vec<&'static str> {
    let sql = metric.wrapped_sql(None).to_ascii_lowercase();
    let words: Vec<&str> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    SOURCE_RELATIONS
        .iter()
        .filter(|(_, names)| names.iter().any(|n| words.contains(n)))
        .map(|(source, _)| *source)
        .collect()
}

/// The tables and views that read each source, for [`data_as_of_metric`].
const SOURCE_RELATIONS: [(&str, &[&str]); 6] = [
    (
        "orders",
        &[
            "orders",
            "counted_orders",
            "sales_facts",
            "sale_line_facts",
            "refund_facts",
            "order_lines",
            "refunds",
            "customers",
            // Summaries (migration 0004), rebuilt from the orders after every load.
            "daily_sales_summary",
            "daily_sku_sales_summary",
            "daily_order_summary",
            "customer_cohort_summary",
        ],
    ),
    ("ad_spend", &["ad_spend"]),
    ("traffic", &["traffic"]),
    ("inventory", &["inventory_levels"]),
    ("cash", &["cash_balances"]),
    ("targets", &["targets"]),
];

async fn data_as_of_sources(
    store: &Store,
    date: NaiveDate,
    wanted: impl Fn(&str) -> bool,
) -> anyhow::Result<DataAsOf> {
    let mut sources = Vec::new();
    for (name, table, column) in SOURCES.into_iter().filter(|(n, _, _)| wanted(n)) {
        let latest = latest_day(store, table, column, None).await?;
        // Targets are written ahead of time: they only need to cover the day itself.
        let stale = latest.is_some_and(|l| l < date);
        sources.push(SourceAsOf {
            source: name.to_string(),
            latest,
            stale,
        });
    }
    let stale = sources
        .iter()
        .filter(|s| s.stale)
        .map(|s| s.source.clone())
        .collect();
    Ok(DataAsOf { sources, stale })
}

#[cfg(test)]
mod source_tests {
    use super::*;

    /// Regression (2026-11-25): after the summary tables arrived, revenue answers said
    /// "Data:" with nothing after it, because no source listed the new tables. Every metric
    /// of the catalogue must name at least one source its freshness comes from.
    #[test]
    fn every_metric_of_the_catalogue_reads_a_known_source() {
        let registry = crate::metrics::Registry::embedded().expect("catalogue");
        for metric in registry.iter() {
            assert!(
                !metric_sources(metric).is_empty(),
                "{}: none of its tables is in SOURCE_RELATIONS",
                metric.name
            );
        }
    }
}

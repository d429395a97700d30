//! A hand-written cockpit with plausible figures, for renderer and chart tests that must not
//! depend on a database. Its numbers are not computed from anything.

use chrono::{Days, NaiveDate};

use super::model::*;
use crate::domain::{Cents, Period};

/// A cockpit for 2026-11-20 with every family filled in, one stale source and one failure.
pub fn sample_cockpit() -> Cockpit {
    let date = NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date");
    let daily = (0..30u64)
        .map(|i| {
            let d = date - Days::new(29 - i);
            // The last day is the cockpit's date: its bar is `revenue.actual`.
            let revenue = if i == 29 {
                912_345
            } else {
                900_000 + ((i * 7919) % 400_000) as i64
            };
            DailyRevenue {
                date: d,
                revenue: Cents(revenue),
                target: Some(Cents(1_050_000)),
                avg_7d: Cents(1_000_000),
            }
        })
        .collect();
    let channel =
        |name: &str, spend: i64, revenue: i64, roas: Option<f64>, cac: Option<i64>, new: i64| {
            ChannelMarketing {
                channel: name.to_string(),
                spend: Cents(spend),
                revenue: Cents(revenue),
                roas,
                roas_previous_28d: roas.map(|r| r * 1.1),
                roas_change_pct: roas.map(|_| -9.1),
                roas_60d: roas.map(|r| r * 1.4),
                cac: cac.map(Cents),
                cac_change_pct: cac.map(|_| 4.2),
                new_customers: new,
                budget_share_pct: if spend > 0 {
                    Some(spend as f64 / 9_000_000.0 * 100.0)
                } else {
                    None
                },
            }
        };
    Cockpit {
        date,
        timezone: "Europe/Paris".into(),
        currency: "EUR".into(),
        shop: "Maison Demo".into(),
        revenue: Revenue {
            actual: Cents(912_345),
            target: Some(Cents(1_050_000)),
            vs_target_pct: Some(-13.11),
            same_day_last_week: Cents(1_002_000),
            vs_last_week_pct: Some(-8.95),
            trend_7d_pct: Some(3.2),
            trend_30d_pct: Some(-1.4),
            month_to_date: Cents(19_500_000),
            month_target_to_date: Some(Cents(21_000_000)),
            daily,
        },
        gross_margin: GrossMargin {
            amount: Cents(501_000),
            pct: Some(54.9),
            pct_change_pts_30d: Some(-0.8),
            by_channel: vec![
                ChannelMargin {
                    channel: "meta".into(),
                    revenue: Cents(9_000_000),
                    amount: Cents(4_800_000),
                    pct: Some(53.3),
                },
                ChannelMargin {
                    channel: "google".into(),
                    revenue: Cents(7_000_000),
                    amount: Cents(3_900_000),
                    pct: Some(55.7),
                },
                ChannelMargin {
                    channel: "email".into(),
                    revenue: Cents(5_000_000),
                    amount: Cents(2_900_000),
                    pct: Some(58.0),
                },
            ],
        },
        cash: Cash {
            balance: Some(Cents(18_250_000)),
            as_of: Some(date),
            critical_threshold: Some(Cents(10_000_000)),
            below_threshold: false,
        },
        orders: Orders {
            total: 142,
            new_customers: 61,
            returning_customers: 79,
            guest: 2,
            same_day_last_week: 150,
            vs_last_week_pct: Some(-5.3),
        },
        aov_by_channel: vec![
            ChannelAov {
                channel: "meta".into(),
                orders: 1500,
                aov: Some(Cents(6_150)),
                change_pct: Some(2.0),
            },
            ChannelAov {
                channel: "google".into(),
                orders: 1100,
                aov: Some(Cents(6_900)),
                change_pct: Some(-1.5),
            },
        ],
        conversion_rate: ConversionRate {
            overall_pct: Some(2.1),
            sessions: Some(48_000),
            change_pts_vs_previous_7d: Some(-0.2),
            by_channel: vec![ChannelConversion {
                channel: "meta".into(),
                sessions: 20_000,
                orders: 380,
                pct: Some(1.9),
            }],
        },
        marketing: Marketing {
            roas_window: Period::trailing(date, 7),
            cac_window: Period::trailing(date, 30),
            roas_60d_cohort: Period::trailing(date - Days::new(61), 30),
            total_spend: Cents(9_000_000),
            blended_roas: Some(3.4),
            by_channel: vec![
                channel("meta", 5_000_000, 4_100_000, Some(1.6), Some(4_250), 1_176),
                channel(
                    "google",
                    3_500_000,
                    3_300_000,
                    Some(3.9),
                    Some(2_950),
                    1_186,
                ),
                channel("email", 500_000, 2_000_000, Some(16.0), Some(900), 55),
                channel("organic", 0, 1_800_000, None, None, 600),
            ],
        },
        stock_alerts: vec![StockAlert {
            sku: "SKU-0007".into(),
            name: "Sérum éclat 30 ml".into(),
            on_hand: 84,
            days_of_cover: 6.5,
            units_per_day: 12.9,
            revenue_28d: Cents(1_250_000),
        }],
        operations: Operations {
            stock_cover_threshold_days: 14,
            return_rate_pct: Some(4.8),
            stock_rotation: vec![CategoryRotation {
                category: "Soins visage".into(),
                turns_per_year: Some(6.2),
            }],
            satisfaction: None,
        },
        growth: Growth {
            ltv_new_customers: Some(Cents(14_200)),
            ltv_cohort: Period::trailing(date - Days::new(365), 30),
            repurchase_rate_90d: Some(23.5),
            repurchase_cohort: Period::trailing(date - Days::new(90), 30),
        },
        data_as_of: DataAsOf {
            sources: vec![
                SourceAsOf {
                    source: "orders".into(),
                    latest: Some(date),
                    stale: false,
                },
                SourceAsOf {
                    source: "ad_spend".into(),
                    latest: Some(date - Days::new(1)),
                    stale: true,
                },
            ],
            stale: vec!["ad_spend".into()],
        },
        failures: vec![Failure {
            figure: "stock_rotation".into(),
            message: "example failure".into(),
        }],
    }
}

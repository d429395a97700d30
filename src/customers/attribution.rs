//! Attribution (SPEC §6): each order's revenue credited to the channels of the journey that
//! led to it, under last-click and under the playbook's weighted model, side by side.
//!
//! Weighted: one touch → 100 %; two → 50 / 50; three or more → 30 % to the first, 30 % to the
//! last and 40 % split equally over the ones in between (Instagram → Email → Google =
//! 30 / 40 / 30). A journey is the order's rows in `touches`, oldest first; an order without
//! touches is one touch on its own (last-click) channel. Credits are integer cents: each
//! share is rounded down and the last touch takes what rounding left, so the channels always
//! add up to the orders' revenue exactly. Revenue is each order's net merchandise (after
//! discounts, before later refunds), on the order's day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::{Cents, Period};
use crate::store::Store;
use crate::with_pool;

/// One order's journey, oldest touch first (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journey {
    pub net_cents: i64,
    pub channels: Vec<String>,
}

/// The weighted model's credit of each touch of a journey, in cents, exactly summing to `net`.
pub fn weighted_credits(net: i64, touches: usize) -> Vec<i64> {
    let n = touches.max(1);
    let net = net as i128;
    let mut credits: Vec<i128> = match n {
        1 => vec![net],
        2 => vec![net / 2, 0],
        _ => {
            let mut c = vec![net * 30 / 100];
            let middle = (n - 2) as i128;
            c.extend(std::iter::repeat(net * 40 / 100 / middle).take(n - 2));
            c.push(0);
            c
        }
    };
    let given: i128 = credits.iter().sum();
    *credits.last_mut().expect("one touch at least") += net - given;
    credits.into_iter().map(|c| c as i64).collect()
}

/// One channel's credit under both models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCredit {
    pub channel: String,
    pub last_click: Cents,
    pub last_click_share_pct: Option<f64>,
    pub weighted: Cents,
    pub weighted_share_pct: Option<f64>,
    /// Weighted − last-click.
    pub difference: Cents,
    /// Orders whose last touch is the channel.
    pub last_click_orders: i64,
    /// Orders with the channel anywhere in the journey.
    pub touched_orders: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributionReport {
    pub period: Period,
    pub currency: String,
    pub orders: i64,
    pub revenue: Cents,
    /// Orders with two touches or more.
    pub multi_touch_orders: i64,
    /// Largest weighted revenue first.
    pub channels: Vec<ChannelCredit>,
}

/// Credits every journey to its channels under both models.
pub fn attribute(journeys: &[Journey]) -> (Vec<ChannelCredit>, i64, i64) {
    #[derive(Default)]
    struct Acc {
        last: i64,
        weighted: i64,
        last_orders: i64,
        touched: i64,
    }
    let mut by: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut total = 0i64;
    let mut multi = 0i64;
    for j in journeys.iter().filter(|j| !j.channels.is_empty()) {
        total += j.net_cents;
        if j.channels.len() >= 2 {
            multi += 1;
        }
        let last = j.channels.last().expect("not empty");
        let acc = by.entry(last).or_default();
        acc.last += j.net_cents;
        acc.last_orders += 1;
        for (channel, credit) in j
            .channels
            .iter()
            .zip(weighted_credits(j.net_cents, j.channels.len()))
        {
            by.entry(channel).or_default().weighted += credit;
        }
        let mut seen: Vec<&str> = j.channels.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for channel in seen {
            by.entry(channel).or_default().touched += 1;
        }
    }
    let share = |v: i64| (total > 0).then(|| v as f64 * 100.0 / total as f64);
    let mut channels: Vec<ChannelCredit> = by
        .into_iter()
        .map(|(channel, a)| ChannelCredit {
            channel: channel.to_string(),
            last_click: Cents(a.last),
            last_click_share_pct: share(a.last),
            weighted: Cents(a.weighted),
            weighted_share_pct: share(a.weighted),
            difference: Cents(a.weighted - a.last),
            last_click_orders: a.last_orders,
            touched_orders: a.touched,
        })
        .collect();
    channels.sort_by(|a, b| b.weighted.cmp(&a.weighted).then(a.channel.cmp(&b.channel)));
    (channels, total, multi)
}

/// Counted orders of the period with their touches, oldest first; an order without touches
/// has its own channel as its one touch.
const JOURNEYS: &str = "
SELECT o.id, o.net_cents, o.channel, t.channel AS touch_channel
FROM orders o
LEFT JOIN touches t ON t.order_id = o.id
WHERE o.cancelled_at IS NULL AND NOT o.is_test AND o.local_date BETWEEN $1 AND $2
ORDER BY o.id, t.touched_at, t.id";

/// Every counted order of `period` with its journey.
pub async fn journeys(store: &Store, period: Period) -> anyhow::Result<Vec<Journey>> {
    use anyhow::Context;
    let rows: Vec<(i64, i64, String, Option<String>)> = with_pool!(store, pool => {
        sqlx::query_as(JOURNEYS)
            .bind(period.from)
            .bind(period.to)
            .fetch_all(pool)
            .await
    })
    .context("failed to read orders and their touches")?;
    let mut out: Vec<Journey> = Vec::new();
    let mut current: Option<i64> = None;
    for (id, net, order_channel, touch) in rows {
        if current != Some(id) {
            current = Some(id);
            out.push(Journey {
                net_cents: net,
                channels: Vec::new(),
            });
        }
        let j = out.last_mut().expect("pushed above");
        j.channels.push(touch.unwrap_or(order_channel));
    }
    Ok(out)
}

/// The attribution report of `period`.
pub async fn attribution_report(
    store: &Store,
    period: Period,
    currency: &str,
) -> anyhow::Result<AttributionReport> {
    let journeys = journeys(store, period).await?;
    let orders = journeys.len() as i64;
    let (channels, total, multi) =
        crate::telemetry::spawn_blocking_in_span(move || attribute(&journeys)).await?;
    Ok(AttributionReport {
        period,
        currency: currency.to_string(),
        orders,
        revenue: Cents(total),
        multi_touch_orders: multi,
        channels,
    })
}

/// The default period: the 30 days ending on `to`.
pub fn default_period(to: NaiveDate) -> Period {
    Period::trailing(to, 30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_playbooks_weights() {
        // Instagram → Email → Google on 100 €: 30 / 40 / 30.
        assert_eq!(weighted_credits(10_000, 3), vec![3_000, 4_000, 3_000]);
        assert_eq!(weighted_credits(10_000, 1), vec![10_000]);
        assert_eq!(weighted_credits(10_001, 2), vec![5_000, 5_001]);
        // Four touches: 30 / 20 / 20 / 30; rounding goes to the last touch.
        assert_eq!(weighted_credits(999, 4), vec![299, 199, 199, 302]);
        for n in 1..8 {
            assert_eq!(weighted_credits(12_345, n).iter().sum::<i64>(), 12_345);
        }
    }
}

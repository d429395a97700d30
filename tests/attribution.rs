//! Attribution on a hand-built shop: last-click and the weighted 30/40/30 model per channel,
//! against hand-worked cents and an independent floating-point computation, on SQLite and
//! Postgres.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use insight_desk::customers::attribution_report;
use insight_desk::domain::{local_day, Cents, Period};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::with_pool;

use crate::db_story;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// (order id, day, net cents, order channel, cancelled, touches oldest first).
type Shop = [(
    i64,
    &'static str,
    i64,
    &'static str,
    bool,
    &'static [&'static str],
); 6];

/// Worked by hand for November 2026:
/// - #1 100 € meta → email → google: 30 / 40 / 30 € ; last click google 100 €.
/// - #2 50 € email → meta: 25 / 25 € ; last click meta.
/// - #3 80 € without touches: its own channel, organic, under both models.
/// - #4 99.99 € meta → google → email → google: 29.99 / 19.99 / 19.99 / 30.02 € (rounding to
///   the last touch); last click google.
/// - #5 cancelled, #6 in October: not counted.
///
/// Weighted: meta 30 + 25 + 29.99 = 84.99 €, email 40 + 25 + 19.99 = 84.99 €, google 30 +
/// 50.01 = 80.01 €, organic 80 €; last click: google 199.99 €, organic 80 €, meta 50 €,
/// email 0 €. Total 329.99 € both ways.
const SHOP: Shop = [
    (
        1,
        "2026-11-10",
        10_000,
        "google",
        false,
        &["meta", "email", "google"],
    ),
    (2, "2026-11-12", 5_000, "meta", false, &["email", "meta"]),
    (3, "2026-11-15", 8_000, "organic", false, &[]),
    (
        4,
        "2026-11-20",
        9_999,
        "google",
        false,
        &["meta", "google", "email", "google"],
    ),
    (5, "2026-11-21", 7_000, "meta", true, &["meta"]),
    (6, "2026-10-20", 7_000, "email", false, &["email"]),
];

async fn load(store: &Store) {
    with_pool!(store, pool => {
        sqlx::query("INSERT INTO customers (id, customer_key, email, created_at) VALUES (1, 'a@example.com', 'a@example.com', $1)")
            .bind(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    let mut touch_id = 0i64;
    for (id, day, net, channel, cancelled, touches) in SHOP {
        let at = d(day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let (local, day_no) = local_day(at, chrono_tz::Europe::Paris);
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO orders (id, source, external_id, customer_id, placed_at, local_date, day_no, currency, channel, \
                 gross_cents, discount_cents, net_cents, shipping_cents, tax_cents, total_cents, cancelled_at, is_test, updated_at) \
                 VALUES ($1, 'test', $2, 1, $3, $4, $5, 'EUR', $6, $7, 0, $7, 0, 0, $7, $8, $9, $3)",
            )
            .bind(id)
            .bind(format!("#{id}"))
            .bind(at)
            .bind(local)
            .bind(day_no)
            .bind(channel)
            .bind(net)
            .bind(cancelled.then_some(at))
            .bind(false)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
        for (i, touch) in touches.iter().enumerate() {
            touch_id += 1;
            // Oldest first: i hours before the order, counting back from the last touch.
            let touched = at - chrono::Duration::hours((touches.len() - i) as i64);
            with_pool!(store, pool => {
                sqlx::query("INSERT INTO touches (id, customer_id, order_id, touched_at, channel) VALUES ($1, 1, $2, $3, $4)")
                    .bind(touch_id)
                    .bind(id)
                    .bind(touched)
                    .bind(*touch)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })
            .unwrap();
        }
    }
    refresh_after_load(store).await.unwrap();
}

db_story!(attribution_last_click_and_weighted_per_channel, |store| {
    load(store).await;
    let period = Period::new(d("2026-11-01"), d("2026-11-30")).unwrap();
    let r = attribution_report(store, period, "EUR").await.unwrap();
    assert_eq!(r.orders, 4);
    assert_eq!(r.multi_touch_orders, 3);
    assert_eq!(r.revenue, Cents(32_999));
    let got: BTreeMap<&str, (i64, i64)> = r
        .channels
        .iter()
        .map(|c| (c.channel.as_str(), (c.last_click.0, c.weighted.0)))
        .collect();
    let want: BTreeMap<&str, (i64, i64)> = [
        ("email", (0, 8_499)),
        ("google", (19_999, 8_001)),
        ("meta", (5_000, 8_499)),
        ("organic", (8_000, 8_000)),
    ]
    .into();
    assert_eq!(got, want);
    for c in &r.channels {
        assert_eq!(c.difference.0, c.weighted.0 - c.last_click.0);
    }
    // Independently, in floating point from the weights as SPEC §6 words them.
    let mut float: BTreeMap<&str, f64> = BTreeMap::new();
    for (_, day, net, channel, cancelled, touches) in SHOP {
        if cancelled || !period_contains(period, d(day)) {
            continue;
        }
        let journey: Vec<&str> = if touches.is_empty() {
            vec![channel]
        } else {
            touches.to_vec()
        };
        let n = journey.len();
        for (i, ch) in journey.iter().enumerate() {
            let w = match n {
                1 => 1.0,
                2 => 0.5,
                _ if i == 0 || i == n - 1 => 0.3,
                _ => 0.4 / (n - 2) as f64,
            };
            *float.entry(ch).or_default() += w * net as f64;
        }
    }
    for c in &r.channels {
        let f = float[c.channel.as_str()];
        assert!(
            (c.weighted.0 as f64 - f).abs() <= 2.0,
            "{}: {} vs {f}",
            c.channel,
            c.weighted.0
        );
    }
    // Largest weighted revenue first; shares of the same total.
    assert_eq!(r.channels[0].weighted, Cents(8_499));
    let shares: f64 = r.channels.iter().filter_map(|c| c.weighted_share_pct).sum();
    assert!((shares - 100.0).abs() < 1e-9);
});

fn period_contains(p: Period, day: NaiveDate) -> bool {
    p.from <= day && day <= p.to
}

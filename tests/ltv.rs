//! The Marketing Profit Matrix on a small hand-built shop: CAC, LTV 12 / 24 months (margin and
//! revenue), LTV/CAC, ROAS immediate vs 60 days, the reallocation estimate and predicted LTV,
//! every figure worked out by hand below (not by the report's code), on SQLite and Postgres.
//! The same shop serves the cohort stories (tests/cohorts.rs).

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::customers::{ltv_csv, ltv_report, ltv_text, LtvOptions, LtvReport};
use insight_desk::domain::{local_day, Cents, Lang, Period};
use insight_desk::metrics::Registry;
use insight_desk::render::check_limits;
use insight_desk::reply::Visibility;
use insight_desk::slack::command::CockpitDay;
use insight_desk::slack::{dispatch, Command};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::with_pool;

use crate::db_story;
use crate::support::paris_shop;

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The as-of day of the stories.
pub const AS_OF: &str = "2026-11-20";

/// An order: id, customer, day (12:00 UTC, the same day in Paris), channel, net cents (one
/// line of quantity 1), unit cost cents, cancelled, test.
pub struct O(
    pub i64,
    pub i64,
    pub &'static str,
    pub &'static str,
    pub i64,
    pub i64,
    pub bool,
    pub bool,
);

const fn o(
    id: i64,
    customer: i64,
    day: &'static str,
    channel: &'static str,
    net: i64,
    cost: i64,
) -> O {
    O(id, customer, day, channel, net, cost, false, false)
}

/// The shop, as of 20 Nov 2026 (period: 21 Nov 2025 – 20 Nov 2026; ROAS window: customers
/// acquired 21 Nov 2025 – 21 Sep 2026; mature for 12 months: acquired by 20 Nov 2025; for 24
/// months: by 20 Nov 2024).
///
/// | customer | acquired | channel | orders (net € / cost €) |
/// |---|---|---|---|
/// | 1 | 2024-06-01 | meta | 100/40; 2024-09-01 50/20 (via google); 2025-05-01 60/30; 2026-01-10 80/30 |
/// | 2 | 2025-03-10 | meta | 40/10; 2025-04-01 40/10, refunded 20 € on 2025-04-05 |
/// | 3 | 2025-01-15 | google | 200/150 (100 € refunded on 2026-11-22: after D); 2026-03-01 60/20 (after 12 months) |
/// | 4 | 2025-12-01 | meta | 100/50; 2026-01-15 50/20 (within 60 days); 2026-03-01 30/10 |
/// | 5 | 2026-02-10 | meta | 60/30; a cancelled 300 € order on 2026-02-20 |
/// | 6 | 2026-05-05 | google | 80/40; 2026-06-20 40/20 (within 60 days); a test 400 € order on 2026-06-01 |
/// | 7 | 2026-10-01 | google | 50/25 (after the ROAS window) |
/// | 8 | 2026-03-03 | organic | 30/10 |
/// | 9 | 2026-11-25 | meta | 500/100: after D, not a customer yet |
/// | 10 | 2026-05-20 | organic | 30/10 |
///
/// Spend: meta 999 € on 2025-06-01 (before the period), 300 € on 2026-01-10, 100 € on
/// 2026-10-01, 1 000 € on 2026-11-22 (after D); google 200 € on 2026-05-01, 100 € on
/// 2026-10-05.
pub const ORDERS: [O; 21] = [
    o(1, 1, "2024-06-01", "meta", 10_000, 4_000),
    o(2, 1, "2024-09-01", "google", 5_000, 2_000),
    o(3, 1, "2025-05-01", "meta", 6_000, 3_000),
    o(4, 1, "2026-01-10", "meta", 8_000, 3_000),
    o(5, 2, "2025-03-10", "meta", 4_000, 1_000),
    o(6, 2, "2025-04-01", "meta", 4_000, 1_000),
    o(7, 3, "2025-01-15", "google", 20_000, 15_000),
    o(8, 3, "2026-03-01", "google", 6_000, 2_000),
    o(9, 4, "2025-12-01", "meta", 10_000, 5_000),
    o(10, 4, "2026-01-15", "meta", 5_000, 2_000),
    o(11, 4, "2026-03-01", "meta", 3_000, 1_000),
    o(12, 5, "2026-02-10", "meta", 6_000, 3_000),
    O(13, 5, "2026-02-20", "meta", 30_000, 1_000, true, false),
    o(14, 6, "2026-05-05", "google", 8_000, 4_000),
    o(15, 6, "2026-06-20", "google", 4_000, 2_000),
    O(16, 6, "2026-06-01", "google", 40_000, 1_000, false, true),
    o(17, 7, "2026-10-01", "google", 5_000, 2_500),
    o(18, 8, "2026-03-03", "organic", 3_000, 1_000),
    o(19, 9, "2026-11-25", "meta", 50_000, 10_000),
    o(20, 10, "2026-05-20", "organic", 3_000, 1_000),
    o(21, 8, "2026-11-22", "organic", 9_000, 1_000),
];

/// Refunds: (id, order id, day, cents).
pub const REFUNDS: [(i64, i64, &str, i64); 2] =
    [(1, 6, "2025-04-05", 2_000), (2, 7, "2026-11-22", 10_000)];

/// Spend: (day, channel, cents).
pub const SPEND: [(&str, &str, i64); 6] = [
    ("2025-06-01", "meta", 99_900),
    ("2026-01-10", "meta", 30_000),
    ("2026-10-01", "meta", 10_000),
    ("2026-11-22", "meta", 100_000),
    ("2026-05-01", "google", 20_000),
    ("2026-10-05", "google", 10_000),
];

pub async fn load_shop(store: &Store) {
    for id in 1..=10i64 {
        with_pool!(store, pool => {
            sqlx::query("INSERT INTO customers (id, customer_key, email, created_at) VALUES ($1, $2, $2, $3)")
                .bind(id)
                .bind(format!("c{id}@example.com"))
                .bind(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())
                .execute(pool)
                .await
                .map(|_| ())
        })
        .unwrap();
    }
    for O(id, customer, day, channel, net, cost, cancelled, test) in ORDERS {
        let at = d(day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let (local, day_no) = local_day(at, chrono_tz::Europe::Paris);
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO orders (id, source, external_id, customer_id, placed_at, local_date, day_no, currency, channel, \
                 gross_cents, discount_cents, net_cents, shipping_cents, tax_cents, total_cents, cancelled_at, is_test, updated_at) \
                 VALUES ($1, 'test', $2, $3, $4, $5, $6, 'EUR', $7, $8, 0, $8, 0, 0, $8, $9, $10, $4)",
            )
            .bind(id)
            .bind(format!("#{id}"))
            .bind(customer)
            .bind(at)
            .bind(local)
            .bind(day_no)
            .bind(channel)
            .bind(net)
            .bind(cancelled.then_some(at))
            .bind(test)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO order_lines (order_id, line_no, sku, title, quantity, unit_price_cents, discount_cents, net_cents, unit_cost_cents) \
                 VALUES ($1, 1, NULL, 'Item', 1, $2, 0, $2, $3)",
            )
            .bind(id)
            .bind(net)
            .bind(cost)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    }
    for (id, order, day, cents) in REFUNDS {
        let at = d(day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO refunds (id, order_id, refunded_at, local_date, amount_cents, quantity, restocked) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6)",
            )
            .bind(id)
            .bind(order)
            .bind(at)
            .bind(d(day))
            .bind(cents)
            .bind(false)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    }
    for (day, channel, cents) in SPEND {
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO ad_spend (date, channel, campaign, source, currency, spend_cents) \
                 VALUES ($1, $2, 'c', 'test', 'EUR', $3)",
            )
            .bind(d(day))
            .bind(channel)
            .bind(cents)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    }
    refresh_after_load(store).await.unwrap();
}

/// Deletes everything after `AS_OF` (orders, refunds, spend) and rebuilds the derived tables:
/// a report as of `AS_OF` must not change.
pub async fn forget_the_future(store: &Store) {
    let as_of = d(AS_OF);
    for sql in [
        "DELETE FROM refunds WHERE local_date > $1",
        "DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE local_date > $1)",
        "DELETE FROM orders WHERE local_date > $1",
        "DELETE FROM ad_spend WHERE date > $1",
    ] {
        with_pool!(store, pool => sqlx::query(sql).bind(as_of).execute(pool).await.map(|_| ()))
            .unwrap();
    }
    refresh_after_load(store).await.unwrap();
}

fn options() -> LtvOptions {
    let mut o = LtvOptions {
        min_mature_customers: 1,
        ..LtvOptions::default()
    };
    o.extra_cac.insert("*".into(), Cents(500));
    o.extra_cac.insert("meta".into(), Cents(1_000));
    o
}

async fn report(store: &Store, predicted: Option<&HashMap<i64, Cents>>) -> LtvReport {
    let as_of = d(AS_OF);
    let period = Period::new(d("2025-11-21"), as_of).unwrap();
    ltv_report(store, as_of, period, "EUR", &options(), predicted)
        .await
        .unwrap()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

db_story!(ltv_matrix_per_acquisition_channel_worked_by_hand, |store| {
    load_shop(store).await;
    let r = report(store, None).await;
    let ch = |name: &str| {
        r.channels
            .iter()
            .find(|c| c.channel == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", r.channels))
    };
    let (meta, google, organic) = (ch("meta"), ch("google"), ch("organic"));
    assert_eq!(r.channels.len(), 3);

    // New customers in the period: meta 4 and 5; google 6 and 7; organic 8 and 10 (9 is
    // after D). Spend in the period: meta 300 + 100 €, google 200 + 100 €.
    assert_eq!(
        (
            meta.new_customers,
            google.new_customers,
            organic.new_customers
        ),
        (2, 2, 2)
    );
    assert_eq!(
        (meta.spend, google.spend, organic.spend),
        (Cents(40_000), Cents(30_000), Cents(0))
    );
    // CAC = spend ÷ new + extra: meta 400/2 + 10 = 210 €; google 300/2 + 5 = 155 €;
    // organic 0 + 5 = 5 €.
    assert_eq!(meta.cac, Some(Cents(21_000)));
    assert_eq!(google.cac, Some(Cents(15_500)));
    assert_eq!(organic.cac, Some(Cents(500)));

    // LTV 12 months, mature customers (acquired by 20 Nov 2025): meta 1 and 2, google 3.
    // Customer 1: 100 + 50 + 60 = 210 € revenue, 60 + 30 + 30 = 120 € margin (its order of
    // 2026-01-10 is after 365 days). Customer 2: 40 + 40 − 20 = 60 € revenue, 30 + 30 − 20 =
    // 40 € margin. Meta: (210 + 60) / 2 = 135 €, (120 + 40) / 2 = 80 €.
    let l12 = meta.ltv_12m.unwrap();
    assert_eq!(
        (l12.customers, l12.revenue, l12.margin),
        (2, Cents(13_500), Cents(8_000))
    );
    // Customer 3: 200 € revenue, 50 € margin; the refund of 22 Nov 2026 is after D and the
    // order of 2026-03-01 after the first 365 days.
    let g12 = google.ltv_12m.unwrap();
    assert_eq!(
        (g12.customers, g12.revenue, g12.margin),
        (1, Cents(20_000), Cents(5_000))
    );
    assert_eq!(organic.ltv_12m, None, "no organic customer is a year old");
    // 24 months: only customer 1 (acquired by 20 Nov 2024): 210 + 80 = 290 €, 120 + 50 = 170 €.
    let l24 = meta.ltv_24m.unwrap();
    assert_eq!(
        (l24.customers, l24.revenue, l24.margin),
        (1, Cents(29_000), Cents(17_000))
    );
    assert_eq!(google.ltv_24m, None);

    // LTV/CAC = margin LTV 12 m ÷ CAC.
    assert!(close(meta.ltv_cac, 80.0 / 210.0), "{:?}", meta.ltv_cac);
    assert!(close(google.ltv_cac, 50.0 / 155.0), "{:?}", google.ltv_cac);
    assert!(close(meta.ltv_cac_revenue, 135.0 / 210.0));
    assert_eq!(organic.ltv_cac, None);
    assert_eq!(
        (meta.rank, google.rank, organic.rank),
        (Some(1), Some(2), None)
    );
    assert_eq!(r.channels[0].channel, "meta");

    // ROAS window: customers acquired 21 Nov 2025 – 21 Sep 2026 (4, 5; 6), spend over it
    // (meta 300 €, google 200 €). Immediate: first orders 100 + 60 = 160 € → 0.533…;
    // 80 € → 0.4. 60 days: 100 + 50 + 60 = 210 € → 0.7; 80 + 40 = 120 € → 0.6.
    assert_eq!(
        r.roas_window,
        Some(Period::new(d("2025-11-21"), d("2026-09-21")).unwrap())
    );
    assert!(
        close(meta.roas_immediate, 160.0 / 300.0),
        "{:?}",
        meta.roas_immediate
    );
    assert!(close(meta.roas_60d, 210.0 / 300.0), "{:?}", meta.roas_60d);
    assert!(close(google.roas_immediate, 80.0 / 200.0));
    assert!(close(google.roas_60d, 120.0 / 200.0));
    assert_eq!(organic.roas_immediate, None, "no spend: no ROAS");

    // Reallocation: 10 % of google's 300 € = 30 € to meta, × (80/210 − 50/155) of margin.
    let re = r.reallocation.as_ref().unwrap();
    assert_eq!((re.from.as_str(), re.to.as_str()), ("google", "meta"));
    assert_eq!(re.amount, Cents(3_000));
    let want = (3_000.0f64 * (8_000.0 / 21_000.0 - 5_000.0 / 15_500.0)).round() as i64;
    assert_eq!(re.expected_extra_margin, Cents(want));
    assert_eq!(want, 175);

    // Without a CLV model, no predicted LTV; young customers: meta 4, 5; google 6, 7.
    assert!(!r.predicted);
    assert_eq!((meta.young_customers, google.young_customers), (2, 2));
    assert!(r.channels.iter().all(|c| c.predicted_ltv_12m.is_none()));
    let text = ltv_text(&r, Lang::En);
    assert!(text.contains("Predicted LTV: —"), "{text}");
    assert!(text.contains("an estimate"), "{text}");

    // The CSV carries the same figures.
    let csv = ltv_csv(&r).unwrap();
    let meta_line = csv.lines().find(|l| l.contains(",meta,")).unwrap();
    assert!(
        meta_line.starts_with("1,meta,2,400.00,10.00,210.00,80.00,135.00,2,170.00,290.00,1,"),
        "{meta_line}"
    );
});

db_story!(ltv_predicted_values_fill_young_channels, |store| {
    load_shop(store).await;
    // The CLV model's map: young customers 4, 5 (meta) and 6 (google); customer 1 is mature
    // and must not count; 7 has no prediction.
    let predicted: HashMap<i64, Cents> = [
        (4, Cents(12_000)),
        (5, Cents(8_000)),
        (6, Cents(5_000)),
        (1, Cents(99_900)),
    ]
    .into();
    let r = report(store, Some(&predicted)).await;
    let ch = |name: &str| r.channels.iter().find(|c| c.channel == name).unwrap();
    assert!(r.predicted);
    assert_eq!(ch("meta").predicted_ltv_12m, Some(Cents(10_000)));
    assert_eq!(ch("meta").predicted_customers, 2);
    assert_eq!(ch("google").predicted_ltv_12m, Some(Cents(5_000)));
    assert_eq!(ch("google").predicted_customers, 1);
    assert_eq!(ch("organic").predicted_ltv_12m, None);
});

db_story!(ltv_as_of_ignores_later_orders_refunds_and_spend, |store| {
    load_shop(store).await;
    // The later data matters: as of 25 Nov, the refund of 22 Nov takes 100 € off customer 3
    // (google: 100 € revenue, −50 € margin) and customer 9 is a new meta customer.
    let later = ltv_report(
        store,
        d("2026-11-25"),
        Period::new(d("2025-11-21"), d("2026-11-25")).unwrap(),
        "EUR",
        &options(),
        None,
    )
    .await
    .unwrap();
    let google = later
        .channels
        .iter()
        .find(|c| c.channel == "google")
        .unwrap();
    assert_eq!(google.ltv_12m.unwrap().revenue, Cents(10_000));
    assert_eq!(google.ltv_12m.unwrap().margin, Cents(-5_000));
    let meta = later.channels.iter().find(|c| c.channel == "meta").unwrap();
    assert_eq!(meta.new_customers, 3);
    // As of 20 Nov it does not: the report is the same once everything after is deleted.
    let before = report(store, None).await;
    forget_the_future(store).await;
    let after = report(store, None).await;
    assert_eq!(before, after);
});

fn app(store: &Store) -> App {
    let mut config = Config::default();
    config.ltv.min_mature_customers = 1;
    config.ltv.extra_cac.insert("*".into(), 5.0);
    config.ltv.extra_cac.insert("meta".into(), 10.0);
    App {
        config,
        lang: Lang::Fr,
        store: store.clone(),
        registry: Registry::embedded().unwrap(),
        shop: paris_shop(),
    }
}

db_story!(ltv_in_slack_posts_the_matrix_in_french, |store| {
    load_shop(store).await;
    let reply = dispatch(
        &app(store),
        Command::Ltv(CockpitDay::Date(d(AS_OF))),
        Visibility::InChannel,
    )
    .await
    .unwrap();
    assert_eq!(reply.visibility, Visibility::InChannel);
    for m in &reply.messages {
        check_limits(m).unwrap();
    }
    let text = serde_json::to_string(&reply.messages[0].to_json()).unwrap();
    // French figures: meta's CAC 210 €, google → meta suggestion of 30 € worth ≈ 2 € margin.
    assert!(text.contains("210\u{a0}€"), "{text}");
    assert!(text.contains("Suggestion (estimation)"), "{text}");
    assert!(text.contains("LTV prédite"), "{text}");
});

//! Customer analytics on a small hand-built shop: every RFM figure checked against an
//! independent computation written here (naive O(n²) quintiles, the SPEC's mapping as an
//! if-chain, histories from the order list rather than SQL), on SQLite and Postgres.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::customers::{
    contacts, default_rules, rfm_csv, rfm_report, save_snapshot, snapshot_rules_hash, RfmOptions,
    RfmReport, RfmSegment,
};
use insight_desk::domain::{day_no, local_day, Cents, Lang};
use insight_desk::metrics::Registry;
use insight_desk::render::check_limits;
use insight_desk::reply::Visibility;
use insight_desk::slack::command::CockpitDay;
use insight_desk::slack::{dispatch, Command};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::with_pool;

use crate::db_story;
use crate::support::paris_shop;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The as-of day of the stories.
const AS_OF: &str = "2026-11-20";

/// One order of the shop: customer, day (placed at 12:00 UTC, the same day in Paris), net
/// cents, and whether it is cancelled or a test (neither ever counts).
struct O {
    customer: i64,
    day: &'static str,
    net: i64,
    cancelled: bool,
    test: bool,
}

const fn o(customer: i64, day: &'static str, net: i64) -> O {
    O {
        customer,
        day,
        net,
        cancelled: false,
        test: false,
    }
}

const CUSTOMERS: [(i64, &str); 11] = [
    (1, "alice@example.com"),
    (2, "bob@example.com"),
    (3, "carol@example.com"),
    (4, "dan@example.com"),
    (5, "eve@example.com"),
    (6, "fay@example.com"),
    (7, "gus@example.com"),
    (8, "hal@example.com"),
    (9, "ivy@example.com"),
    (10, "jon@example.com"),
    (11, "kim@example.com"),
];

/// The shop. As of 20 Nov 2026 (worked by hand; the independent computation below agrees):
///
/// | customer | orders | value | last order | R | F | M | segment |
/// |---|---|---|---|---|---|---|---|
/// | alice | 5 | 500 € | 19 Nov | 5 | 5 | 5 | Champions |
/// | bob | 3 | 600 € | 10 May | 2 | 5 | 5 | At Risk |
/// | carol | 2 | 160 − 20 refunded = 140 € | 18 Nov | 4 | 4 | 3 | Loyal Customers |
/// | dan | 2 | 300 € | 1 Apr | 2 | 4 | 4 | At Risk |
/// | eve | 1 | 60 € | 19 Nov | 5 | 1 | 3 | New Customers |
/// | fay | 1 | 40 € | 10 Nov | 4 | 1 | 2 | New Customers |
/// | gus | 1 | 40 € | 15 Sep | 3 | 1 | 2 | Potential Loyalists |
/// | hal | 1 | 30 € | 10 Jan | 1 | 1 | 1 | Lost |
/// | ivy | 1 | 20 € | 25 Nov 2025 | 1 | 1 | 1 | Lost |
/// | jon | 1 | 250 € | 20 Aug | 3 | 1 | 4 | Potential Loyalists |
///
/// Six customers have one order: all score F = 1 (nobody below them); two orders: 6 of 10
/// below → F = 1 + ⌊5 × 6 / 10⌋ = 4. Alice and eve share the last day: both R = 5; fay and
/// gus share 40 €: both M = 2. Total 1 980 €; 600 + 500 + 300 + 250 = 1 650 € ≥ 80 % of it
/// (1 584 €) with 4 of 10 customers: the Pareto line is 40 %.
///
/// Ignored as of 20 Nov: alice's order of 22 Nov, jon's refund of 21 Nov, kim (first order
/// 21 Nov); never counted: gus's cancelled order, hal's test order.
const ORDERS: [O; 22] = [
    o(1, "2026-06-01", 10_000),
    o(1, "2026-07-01", 10_000),
    o(1, "2026-08-01", 10_000),
    o(1, "2026-09-01", 10_000),
    o(1, "2026-11-19", 10_000),
    o(2, "2025-12-01", 20_000),
    o(2, "2026-03-01", 20_000),
    o(2, "2026-05-10", 20_000),
    o(3, "2026-10-01", 8_000),
    o(3, "2026-11-18", 8_000),
    o(4, "2026-02-01", 15_000),
    o(4, "2026-04-01", 15_000),
    o(5, "2026-11-19", 6_000),
    o(6, "2026-11-10", 4_000),
    o(7, "2026-09-15", 4_000),
    o(8, "2026-01-10", 3_000),
    o(9, "2025-11-25", 2_000),
    o(10, "2026-08-20", 25_000),
    // After the as-of day.
    o(1, "2026-11-22", 10_000),
    o(11, "2026-11-21", 9_000),
    // Never counted.
    O {
        cancelled: true,
        ..o(7, "2026-11-01", 50_000)
    },
    O {
        test: true,
        ..o(8, "2026-11-02", 50_000)
    },
];

/// Refunds: (order index in ORDERS, day, cents).
const REFUNDS: [(usize, &str, i64); 2] = [(9, "2026-11-19", 2_000), (17, "2026-11-21", 10_000)];

async fn load_customer_shop(store: &Store) {
    for (id, email) in CUSTOMERS {
        with_pool!(store, pool => {
            sqlx::query("INSERT INTO customers (id, customer_key, email, created_at) VALUES ($1, $2, $2, $3)")
                .bind(id)
                .bind(email)
                .bind(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())
                .execute(pool)
                .await
                .map(|_| ())
        })
        .unwrap();
    }
    for (i, order) in ORDERS.iter().enumerate() {
        let at = d(order.day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let (local, day) = local_day(at, chrono_tz::Europe::Paris);
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO orders (id, source, external_id, customer_id, placed_at, local_date, day_no, currency, channel, \
                 gross_cents, discount_cents, net_cents, shipping_cents, tax_cents, total_cents, cancelled_at, is_test, updated_at) \
                 VALUES ($1, 'test', $2, $3, $4, $5, $6, 'EUR', 'direct', $7, 0, $7, 0, 0, $7, $8, $9, $4)",
            )
            .bind(i as i64 + 1)
            .bind(format!("#{}", i + 1))
            .bind(order.customer)
            .bind(at)
            .bind(local)
            .bind(day)
            .bind(order.net)
            .bind(order.cancelled.then_some(at))
            .bind(order.test)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    }
    for (n, (index, day, cents)) in REFUNDS.iter().enumerate() {
        let at = d(day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        with_pool!(store, pool => {
            sqlx::query("INSERT INTO refunds (id, order_id, refunded_at, local_date, amount_cents) VALUES ($1, $2, $3, $4, $5)")
                .bind(n as i64 + 1)
                .bind(*index as i64 + 1)
                .bind(at)
                .bind(d(day))
                .bind(*cents)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .unwrap();
    }
    refresh_after_load(store).await.unwrap();
}

// ---- The independent computation -------------------------------------------------------

/// (orders, value cents, last day) per customer as of `as_of`, from the lists above.
fn expected_histories(as_of: NaiveDate) -> BTreeMap<i64, (i64, i64, NaiveDate)> {
    let mut out: BTreeMap<i64, (i64, i64, NaiveDate)> = BTreeMap::new();
    for order in ORDERS.iter().filter(|o| !o.cancelled && !o.test) {
        let day = d(order.day);
        if day > as_of {
            continue;
        }
        let e = out.entry(order.customer).or_insert((0, 0, day));
        e.0 += 1;
        e.1 += order.net;
        e.2 = e.2.max(day);
    }
    for (index, day, cents) in REFUNDS {
        let order = &ORDERS[index];
        if d(day) <= as_of && d(order.day) <= as_of {
            out.get_mut(&order.customer).unwrap().1 -= cents;
        }
    }
    out
}

/// The quintile rule read literally: 1 + ⌊5 × (how many values are strictly lower) ÷ n⌋.
fn naive_score(value: i64, all: &[i64]) -> u8 {
    let below = all.iter().filter(|&&v| v < value).count();
    (1 + 5 * below / all.len()) as u8
}

/// SPEC §6's mapping, as the text says it.
fn spec_segment(r: u8, f: u8, m: u8) -> RfmSegment {
    let fm = (f as f64 + m as f64) / 2.0;
    use RfmSegment::*;
    if r >= 4 && fm >= 4.5 {
        Champions
    } else if r == 1 && fm >= 4.5 {
        CantLoseThem
    } else if r <= 2 && fm >= 3.5 {
        AtRisk
    } else if r >= 3 && fm >= 3.5 {
        LoyalCustomers
    } else if r >= 4 && f == 1 {
        NewCustomers
    } else if r >= 3 {
        PotentialLoyalists
    } else if r == 2 || (r == 1 && fm >= 2.0) {
        Hibernating
    } else {
        Lost
    }
}

/// Per customer: ((r, f, m), segment, value) as of `as_of`.
/// Per customer: ((r, f, m), segment, value cents).
type Expected = BTreeMap<i64, ((u8, u8, u8), RfmSegment, i64)>;

fn expected_scores(as_of: NaiveDate) -> Expected {
    let h = expected_histories(as_of);
    let lasts: Vec<i64> = h.values().map(|v| day_no(v.2)).collect();
    let orders: Vec<i64> = h.values().map(|v| v.0).collect();
    let values: Vec<i64> = h.values().map(|v| v.1).collect();
    h.iter()
        .map(|(&id, &(n, value, last))| {
            let r = naive_score(day_no(last), &lasts);
            let f = naive_score(n, &orders);
            let m = naive_score(value, &values);
            (id, ((r, f, m), spec_segment(r, f, m), value))
        })
        .collect()
}

fn options() -> RfmOptions {
    RfmOptions {
        rules: default_rules(),
        save_snapshots: true,
    }
}

fn email(id: i64) -> &'static str {
    CUSTOMERS.iter().find(|c| c.0 == id).unwrap().1
}

fn check_against_independent(report: &RfmReport, as_of: NaiveDate) {
    let want = expected_scores(as_of);
    assert_eq!(report.customers, want.len() as i64, "buying customers");
    let got: Expected = report
        .scored
        .iter()
        .map(|c| {
            (
                c.customer_id,
                ((c.scores.r, c.scores.f, c.scores.m), c.segment, c.value.0),
            )
        })
        .collect();
    assert_eq!(got, want, "scores, segments and values as of {as_of}");
    let total: i64 = want.values().map(|w| w.2).sum();
    assert_eq!(report.revenue, Cents(total));
    for s in &report.segments {
        let members: Vec<_> = want.iter().filter(|(_, w)| w.1 == s.segment).collect();
        let revenue: i64 = members.iter().map(|(_, w)| w.2).sum();
        let orders: i64 = members
            .iter()
            .map(|(id, _)| expected_histories(as_of)[id].0)
            .sum();
        assert_eq!(s.customers, members.len() as i64, "{:?}", s.segment);
        assert_eq!(s.revenue, Cents(revenue), "{:?}", s.segment);
        assert_eq!(s.orders, orders, "{:?}", s.segment);
        let share = s.revenue_share_pct.unwrap();
        assert!((share - revenue as f64 * 100.0 / total as f64).abs() < 1e-9);
    }
}

db_story!(
    rfm_scores_segments_and_pareto_match_an_independent_computation,
    |store| {
        load_customer_shop(store).await;
        let as_of = d(AS_OF);
        let report = rfm_report(store, as_of, "EUR", Lang::En, &options())
            .await
            .unwrap();
        check_against_independent(&report, as_of);

        // The hand-worked table of `load_customer_shop`.
        let by_id: HashMap<i64, _> = report.scored.iter().map(|c| (c.customer_id, c)).collect();
        let code = |id: i64| by_id[&id].scores.code();
        assert_eq!(
            (1..=10).map(code).collect::<Vec<_>>(),
            ["555", "255", "443", "244", "513", "412", "312", "111", "111", "314"]
        );
        // Ties: every one-order customer has F = 1, alice and eve the same R, fay and gus the same M.
        assert!([5, 6, 7, 8, 9, 10]
            .iter()
            .all(|&id| by_id[&id].scores.f == 1));
        assert_eq!(
            by_id[&3].value,
            Cents(14_000),
            "carol's refund of 19 Nov counts"
        );
        let seg = |s: RfmSegment| report.segments.iter().find(|x| x.segment == s).unwrap();
        assert_eq!(seg(RfmSegment::AtRisk).customers, 2);
        assert_eq!(seg(RfmSegment::AtRisk).revenue, Cents(90_000));
        // 900 € over bob's 3 and dan's 2 orders.
        assert_eq!(seg(RfmSegment::AtRisk).average_basket, Some(Cents(18_000)));
        assert_eq!(seg(RfmSegment::Champions).customers, 1);
        assert_eq!(seg(RfmSegment::CantLoseThem).customers, 0);
        assert_eq!(report.revenue, Cents(198_000));
        let pareto = report.pareto.as_ref().unwrap();
        assert_eq!((pareto.customers, pareto.customers_share_pct), (4, 40.0));
        assert_eq!(
            report.score_bounds.orders_at_least,
            [Some(1), None, None, Some(2), Some(3)]
        );
    }
);

db_story!(rfm_as_of_ignores_later_orders_and_refunds, |store| {
    load_customer_shop(store).await;
    // As of 21 Nov: kim's first order and jon's refund count; alice's 22 Nov order does not.
    let later = d("2026-11-21");
    let report = rfm_report(store, later, "EUR", Lang::Fr, &options())
        .await
        .unwrap();
    check_against_independent(&report, later);
    assert_eq!(report.customers, 11);
    let jon = report.scored.iter().find(|c| c.customer_id == 10).unwrap();
    assert_eq!(jon.value, Cents(15_000));
    // And as of 20 Nov again, nothing of it.
    let report = rfm_report(store, d(AS_OF), "EUR", Lang::Fr, &options())
        .await
        .unwrap();
    check_against_independent(&report, d(AS_OF));
    assert!(report.scored.iter().all(|c| c.customer_id != 11));
    // Long before: only ivy had bought (25 Nov 2025).
    let early = rfm_report(store, d("2025-12-01"), "EUR", Lang::Fr, &options())
        .await
        .unwrap();
    check_against_independent(&early, d("2025-12-01"));
    assert_eq!(early.customers, 2);
});

db_story!(rfm_movements_since_last_week_use_daily_snapshots, |store| {
    load_customer_shop(store).await;
    let as_of = d(AS_OF);
    let week_ago = as_of - Days::new(7);
    let report = rfm_report(store, as_of, "EUR", Lang::En, &options())
        .await
        .unwrap();
    let m = report.movements.as_ref().expect("movements");
    assert_eq!(m.since, week_ago);
    assert_eq!(m.source, "recomputed", "no snapshot was saved a week ago");

    // Independently: segments a week ago and now, customer by customer.
    let (before, now) = (expected_scores(week_ago), expected_scores(as_of));
    let mut want: BTreeMap<(RfmSegment, RfmSegment), i64> = BTreeMap::new();
    for (id, (_, seg, _)) in &now {
        if let Some((_, was, _)) = before.get(id) {
            if was != seg {
                *want.entry((*was, *seg)).or_default() += 1;
            }
        }
    }
    let got: BTreeMap<(RfmSegment, RfmSegment), i64> = m
        .moves
        .iter()
        .map(|mv| ((mv.from, mv.to), mv.customers))
        .collect();
    assert_eq!(got, want);
    assert!(!want.is_empty(), "the shop has movements to show");
    // Eve's first order was on 19 Nov.
    assert_eq!(m.entered, (now.len() - before.len()) as i64);
    assert_eq!(m.entered, 1);
    for s in &report.segments {
        let was = before.values().filter(|w| w.1 == s.segment).count() as i64;
        let is = now.values().filter(|w| w.1 == s.segment).count() as i64;
        assert_eq!(s.change_vs_last_week, Some(is - was), "{:?}", s.segment);
    }

    // Both days were saved: a report a week later compares with the saved snapshot.
    let count: i64 = with_pool!(store, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM rfm_snapshots").fetch_one(pool).await
    })
    .unwrap();
    assert_eq!(count, 2);
    let next = rfm_report(store, as_of + Days::new(7), "EUR", Lang::En, &options())
        .await
        .unwrap();
    assert_eq!(next.movements.as_ref().unwrap().source, "saved");
    // The saved snapshot is what is compared: rewrite history (bob's orders become test
    // orders), and the changes still count from the segments saved on 20 Nov, bob included.
    with_pool!(store, pool => sqlx::query("UPDATE orders SET is_test = $1 WHERE customer_id = 2").bind(true).execute(pool).await.map(|_| ()))
        .unwrap();
    let again = rfm_report(store, as_of + Days::new(7), "EUR", Lang::En, &options())
        .await
        .unwrap();
    assert_eq!(again.movements.as_ref().unwrap().source, "saved");
    for (s, saved) in again.segments.iter().zip(&report.segments) {
        assert_eq!(
            s.change_vs_last_week,
            Some(s.customers - saved.customers),
            "{:?}",
            s.segment
        );
    }
});

db_story!(rfm_exports_a_segments_customers_as_csv, |store| {
    load_customer_shop(store).await;
    let report = rfm_report(store, d(AS_OF), "EUR", Lang::En, &options())
        .await
        .unwrap();
    let contacts = contacts(store).await.unwrap();
    let csv = rfm_csv(&report, Some(RfmSegment::AtRisk), &contacts).unwrap();
    let want: Vec<i64> = {
        let mut at_risk: Vec<(i64, i64)> = expected_scores(d(AS_OF))
            .into_iter()
            .filter(|(_, w)| w.1 == RfmSegment::AtRisk)
            .map(|(id, w)| (id, w.2))
            .collect();
        at_risk.sort_by_key(|a| std::cmp::Reverse(a.1));
        at_risk.into_iter().map(|(id, _)| id).collect()
    };
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "email,customer_key,segment,r,f,m,rfm,orders,value,first_order,last_order,recency_days"
    );
    assert_eq!(lines.len(), want.len() + 1);
    assert_eq!(
        lines[1],
        format!(
            "{},{},at_risk,2,5,5,255,3,600.00,2025-12-01,2026-05-10,194",
            email(2),
            email(2)
        )
    );
    assert!(lines[2].starts_with(&format!("{},", email(want[1]))));
    // Without a segment: every buying customer once.
    let all = rfm_csv(&report, None, &contacts).unwrap();
    assert_eq!(all.lines().count(), 11);
});

fn app(store: &Store) -> App {
    App {
        config: Config::default(),
        lang: Lang::Fr,
        store: store.clone(),
        registry: Registry::embedded().unwrap(),
        shop: paris_shop(),
    }
}

db_story!(rfm_in_slack_posts_the_segments_with_their_chart, |store| {
    load_customer_shop(store).await;
    let app = app(store);
    let reply = dispatch(
        &app,
        Command::Rfm {
            as_of: CockpitDay::Date(d(AS_OF)),
            segment: Some(RfmSegment::AtRisk),
        },
        Visibility::InChannel,
    )
    .await
    .unwrap();
    assert_eq!(reply.visibility, Visibility::InChannel);
    assert_eq!(reply.charts.len(), 1);
    assert_eq!(reply.charts[0].name, "rfm_segments");
    assert!(reply.charts[0].png.starts_with(b"\x89PNG"));
    for m in &reply.messages {
        check_limits(m).unwrap();
    }
    let text = serde_json::to_string(&reply.messages[0].to_json()).unwrap();
    // French: the Pareto line, the at-risk customers by value, the playbook's action.
    assert!(
        text.contains("40\u{a0}% des clients font 80\u{a0}% du CA"),
        "{text}"
    );
    assert!(text.contains("bob@example.com · 255"), "{text}");
    assert!(text.contains("Campagne de réengagement urgente"), "{text}");
    let bob = text.find("bob@example.com").unwrap();
    let dan = text.find("dan@example.com").unwrap();
    assert!(bob < dan, "most valuable first");
});

db_story!(rfm_over_signed_http_respects_its_allow_list, |store| {
    load_customer_shop(store).await;
    let h = crate::slack::spawn_bot(store, |config| {
        config.slack.commands.insert(
            "rfm".into(),
            insight_desk::slack::CommandPolicy {
                users: vec!["UCEO".into()],
                ..Default::default()
            },
        );
    })
    .await;
    let (status, ack, _) = h
        .command("/rfm", "at-risk", "UINTERN", "CDIRECTION", "trig-r1")
        .await;
    assert_eq!(status, 200);
    assert!(ack.to_string().contains("restricted"), "{ack}");
    let (status, _, took) = h.command("/rfm", "", "UCEO", "CDIRECTION", "trig-r2").await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(3));
    h.fake
        .wait_for(
            Duration::from_secs(20),
            "the RFM chart completed",
            |calls| {
                calls
                    .iter()
                    .any(|c| c.method == "files.completeUploadExternal")
            },
        )
        .await;
    let posts = h.fake.calls_to("chat.postMessage");
    assert_eq!(posts.len(), 1, "only the CEO's command was answered");
    let urls = h.fake.calls_to("files.getUploadURLExternal");
    assert_eq!(urls[0].body["filename"], "rfm_segments.png");
});

db_story!(rfm_snapshots_are_kept_daily_then_weekly, |store| {
    load_customer_shop(store).await;
    let as_of = d(AS_OF);
    // Snapshots of 60 consecutive days ending 40 days before the as-of day (as a daily
    // `/rfm` would have left), saved without the report so that none is pruned yet.
    let rules = default_rules();
    let hash = snapshot_rules_hash(&rules);
    for i in 40..100u64 {
        let day = as_of - Days::new(i);
        save_snapshot(store, day, &hash, &[]).await.unwrap();
    }
    // Today's report saves today and the week-earlier day, then prunes.
    rfm_report(store, as_of, "EUR", Lang::En, &options())
        .await
        .unwrap();
    let mut kept: Vec<NaiveDate> = with_pool!(store, pool => {
        sqlx::query_scalar("SELECT as_of FROM rfm_snapshots").fetch_all(pool).await
    })
    .unwrap();
    kept.sort();
    // By hand: the newest is 20 Nov 2026 (a Friday). Within 35 days: today and the
    // week-earlier day the report saved (13 Nov); the saved days (13 Aug – 11 Oct) are all
    // older, so each ISO week keeps its latest: its Sunday, from 16 Aug to 11 Oct.
    let want: Vec<NaiveDate> = [
        "2026-08-16",
        "2026-08-23",
        "2026-08-30",
        "2026-09-06",
        "2026-09-13",
        "2026-09-20",
        "2026-09-27",
        "2026-10-04",
        "2026-10-11",
        "2026-11-13",
        "2026-11-20",
    ]
    .iter()
    .map(|s| d(s))
    .collect();
    assert_eq!(kept, want);
});

//! ChurnGuard on a small hand-built shop: scores, bands, value at risk, the customers to call
//! and the held-out AUC, each checked against a computation written here from the documented
//! signal table, on SQLite and Postgres.

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use insight_desk::customers::{
    behaviour_csv, behaviour_report, behaviour_text, churn_csv, churn_message, churn_report,
    churn_text, contacts, Behaviour, ChurnBand,
};
use insight_desk::domain::{local_day, Cents, Lang};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::with_pool;

use crate::db_story;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const AS_OF: &str = "2026-11-20";

const CUSTOMERS: [(i64, &str); 7] = [
    (1, "ann@example.com"),
    (2, "ben@example.com"),
    (3, "cid@example.com"),
    (4, "dee@example.com"),
    (5, "eli@example.com"),
    (6, "fio@example.com"),
    (7, "gil@example.com"),
];

/// (customer, day, net cents, discount cents). Worked by hand, as of 20 Nov 2026:
/// - ann orders every 30 days, last 21 Sep: 60 days, ratio 2 → 65 × 1/3 = 21.7 → 22, healthy.
/// - ben, one order 10 days ago; the shop's rhythm is the median first gap of ann (30),
///   cid (20) and dee (14) = 20 days: ratio 0.5 → 0, single order 15 → 15, healthy.
/// - cid every 20 days, last 10 Jun (163 days, ratio 8): 65; last basket 100 € vs 200 €
///   (−50 %) 8; discounted for the first time 5; 50 € of 500 € refunded (10 %) 1.4 → 79, high.
/// - dee, two orders 14 days apart, last 5 days ago → 0, healthy.
/// - eli, one order in June 2025: 65 + 15 = 80, high; nothing in the last 12 months.
/// - fio, one order 1 Aug (111 days): 65 + 15 = 80, high; 120 € at risk.
/// - gil, one order 11 Oct (40 days, ratio 2): 21.7 + 15 = 36.7 → 37, attention. His order
///   of 25 Nov is after the as-of day; so is dee's of 1 Mar 2027.
///
/// Outcome (21 Nov – 18 Feb): only gil ordered again.
const ORDERS: [(i64, &str, i64, i64); 15] = [
    (1, "2026-07-23", 10_000, 0),
    (1, "2026-08-22", 10_000, 0),
    (1, "2026-09-21", 10_000, 0),
    (2, "2026-11-10", 5_000, 0),
    (3, "2026-05-01", 20_000, 0),
    (3, "2026-05-21", 20_000, 0),
    (3, "2026-06-10", 10_000, 2_000),
    (4, "2026-11-01", 8_000, 0),
    (4, "2026-11-15", 8_000, 0),
    (5, "2025-06-01", 30_000, 0),
    (6, "2026-08-01", 12_000, 0),
    (7, "2026-10-11", 10_000, 0),
    // After the as-of day.
    (7, "2026-11-25", 10_000, 0),
    (4, "2027-03-01", 8_000, 0),
    (2, "2026-11-21", 0, 0),
];

/// cid's first order: 50 € refunded on 5 May.
const REFUND: (usize, &str, i64) = (4, "2026-05-05", 5_000);

async fn load_churn_shop(store: &Store) {
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
    for (i, (customer, day, net, discount)) in ORDERS.iter().enumerate() {
        // The zero-value order of ben after the as-of day stands in for "cancelled".
        let cancelled = *net == 0;
        let at = d(day).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let (local, day_no) = local_day(at, chrono_tz::Europe::Paris);
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO orders (id, source, external_id, customer_id, placed_at, local_date, day_no, currency, channel, \
                 gross_cents, discount_cents, net_cents, shipping_cents, tax_cents, total_cents, cancelled_at, is_test, updated_at) \
                 VALUES ($1, 'test', $2, $3, $4, $5, $6, 'EUR', 'direct', $7, $8, $9, 0, 0, $9, $10, $11, $4)",
            )
            .bind(i as i64 + 1)
            .bind(format!("#{}", i + 1))
            .bind(*customer)
            .bind(at)
            .bind(local)
            .bind(day_no)
            .bind(net + discount)
            .bind(*discount)
            .bind(*net)
            .bind(cancelled.then_some(at))
            .bind(false)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    }
    let (index, day, cents) = REFUND;
    with_pool!(store, pool => {
        sqlx::query("INSERT INTO refunds (id, order_id, refunded_at, local_date, amount_cents) VALUES (1, $1, $2, $3, $4)")
            .bind(index as i64 + 1)
            .bind(d(day).and_hms_opt(12, 0, 0).unwrap().and_utc())
            .bind(d(day))
            .bind(cents)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    refresh_after_load(store).await.unwrap();
}

/// The documented signal table, applied to the order list: (score, value at risk cents).
fn expected(as_of: NaiveDate) -> BTreeMap<i64, (u8, i64)> {
    let mut per: BTreeMap<i64, Vec<(NaiveDate, i64, i64, i64)>> = BTreeMap::new();
    for (i, (c, day, net, discount)) in ORDERS.iter().enumerate() {
        if d(day) > as_of || *net == 0 {
            continue;
        }
        let refunded = if i == REFUND.0 && d(REFUND.1) <= as_of {
            REFUND.2
        } else {
            0
        };
        per.entry(*c)
            .or_default()
            .push((d(day), *net, *discount, refunded));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let firsts: Vec<f64> = per
        .values()
        .filter(|o| o.len() >= 2)
        .map(|o| (o[1].0 - o[0].0).num_days() as f64)
        .collect();
    let shop = median(firsts).max(7.0);
    per.iter()
        .map(|(&c, orders)| {
            let n = orders.len();
            let last = orders[n - 1];
            let rhythm = if n >= 2 {
                median(
                    orders
                        .windows(2)
                        .map(|w| (w[1].0 - w[0].0).num_days() as f64)
                        .collect(),
                )
                .max(7.0)
            } else {
                shop
            };
            let ratio = (as_of - last.0).num_days() as f64 / rhythm;
            let mut points = 65.0 * ((ratio - 1.0) / 3.0).clamp(0.0, 1.0);
            if n == 1 {
                points += 15.0;
            } else {
                let earlier = &orders[..n - 1];
                let avg = earlier.iter().map(|o| o.1 as f64).sum::<f64>() / earlier.len() as f64;
                points += 8.0 * ((avg - last.1 as f64) / avg / 0.5).clamp(0.0, 1.0);
                if last.2 > 0 {
                    let share =
                        earlier.iter().filter(|o| o.2 > 0).count() as f64 / earlier.len() as f64;
                    points += 5.0 * (1.0 - share);
                }
            }
            let ordered: i64 = orders.iter().map(|o| o.1).sum();
            let refunded: i64 = orders.iter().map(|o| o.3).sum();
            points += 7.0 * (refunded as f64 / ordered as f64 / 0.5).clamp(0.0, 1.0);
            let value_12m: i64 = orders
                .iter()
                .filter(|o| (as_of - o.0).num_days() < 365)
                .map(|o| o.1 - o.3)
                .sum();
            (c, (points.round() as u8, value_12m))
        })
        .collect()
}

db_story!(
    churn_scores_bands_and_calls_match_the_documented_signals,
    |store| {
        load_churn_shop(store).await;
        let as_of = d(AS_OF);
        let report = churn_report(store, as_of, "EUR", Lang::En).await.unwrap();
        let want = expected(as_of);
        let got: BTreeMap<i64, (u8, i64)> = report
            .scores
            .iter()
            .map(|s| (s.customer_id, (s.score, s.value_at_risk.0)))
            .collect();
        assert_eq!(got, want);
        // The hand-worked figures.
        let scores: Vec<u8> = (1..=7).map(|c| want[&c].0).collect();
        assert_eq!(scores, [22, 15, 79, 0, 80, 80, 37]);
        assert_eq!(report.shop_rhythm_days, 20.0);

        let band = |b: ChurnBand| report.bands.iter().find(|x| x.band == b).unwrap();
        assert_eq!(band(ChurnBand::Healthy).customers, 3);
        assert_eq!(band(ChurnBand::Attention).customers, 1);
        assert_eq!(band(ChurnBand::Moderate).customers, 0);
        assert_eq!(band(ChurnBand::High).customers, 3);
        // cid 450 € + fio 120 € + eli 0 € (nothing in the last 12 months).
        assert_eq!(band(ChurnBand::High).value_at_risk, Cents(57_000));
        assert_eq!(band(ChurnBand::Healthy).value_at_risk, Cents(51_000));
        assert!(band(ChurnBand::High).action.starts_with("Emergency"));

        let calls: Vec<&str> = report
            .to_call
            .iter()
            .map(|c| c.email.as_deref().unwrap())
            .collect();
        assert_eq!(calls, ["cid@example.com", "fio@example.com"]);

        // Held out: scored on 20 Nov, did they order from 21 Nov to 18 Feb? Only gil did.
        let bt = report
            .backtest
            .as_ref()
            .expect("the store holds the next 90 days");
        assert_eq!((bt.customers, bt.churned), (7, 6));
        let came_back: HashSet<i64> = [7].into();
        let mut pairs = (0.0, 0.0);
        for (c, (s, _)) in &want {
            for (o, (t, _)) in &want {
                if !came_back.contains(c) && came_back.contains(o) {
                    pairs.1 += 1.0;
                    pairs.0 += if s > t {
                        1.0
                    } else if s == t {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        assert_eq!(bt.auc, Some(pairs.0 / pairs.1));
    }
);

db_story!(
    churn_as_of_ignores_later_orders_and_exports_every_signal,
    |store| {
        load_churn_shop(store).await;
        // As of 30 Nov gil's 25 Nov order counts: two orders 45 days apart, 5 days ago.
        let later = d("2026-11-30");
        let report = churn_report(store, later, "EUR", Lang::Fr).await.unwrap();
        let got: BTreeMap<i64, (u8, i64)> = report
            .scores
            .iter()
            .map(|s| (s.customer_id, (s.score, s.value_at_risk.0)))
            .collect();
        assert_eq!(got, expected(later));
        let gil = report.scores.iter().find(|s| s.customer_id == 7).unwrap();
        assert_eq!((gil.orders, gil.recency_days), (2, 5));
        assert!(report.backtest.is_some());
        // Without the next 90 days in the store, no backtest is claimed.
        let recent = churn_report(store, d("2027-01-15"), "EUR", Lang::Fr)
            .await
            .unwrap();
        assert!(recent.backtest.is_none());

        let report = churn_report(store, d(AS_OF), "EUR", Lang::En)
            .await
            .unwrap();
        let csv = churn_csv(&report, &contacts(store).await.unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 8, "a header and every buying customer");
        assert!(
            lines[0].starts_with("email,customer_key,score,band,orders,last_order,recency_days")
        );
        // Highest score first, ties by value at risk: fio (80, 120 €) before eli (80, 0 €).
        assert!(
            lines[1].starts_with("fio@example.com,fio@example.com,80,high,1,2026-08-01,111,"),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("eli@example.com,"), "{}", lines[2]);
        assert!(lines[3].starts_with("cid@example.com,cid@example.com,79,high,3,2026-06-10,163,20.0,true,8.15,-50.0,true,0.00,10.0,65.0,0.0,8.0,5.0,1.4,450.00,450.00"), "{}", lines[3]);
    }
);

db_story!(churn_in_slack_names_the_customers_to_call, |store| {
    load_churn_shop(store).await;
    let app = insight_desk::commands::App {
        config: insight_desk::config::Config::default(),
        lang: Lang::Fr,
        store: store.clone(),
        registry: insight_desk::metrics::Registry::embedded().unwrap(),
        shop: crate::support::paris_shop(),
    };
    let reply = insight_desk::slack::dispatch(
        &app,
        insight_desk::slack::Command::Churn(insight_desk::slack::command::CockpitDay::Date(d(
            AS_OF,
        ))),
        insight_desk::reply::Visibility::InChannel,
    )
    .await
    .unwrap();
    for m in &reply.messages {
        insight_desk::render::check_limits(m).unwrap();
    }
    let text = serde_json::to_string(&reply.messages[0].to_json()).unwrap();
    assert!(text.contains("Risque élevé"), "{text}");
    assert!(
        text.contains("Intervention humaine directe")
            || text.contains("intervention humaine directe"),
        "{text}"
    );
    // cid first: 450 € of 12-month revenue at stake, then fio.
    let cid = text.find("cid@example.com · 79").expect("cid to call");
    let fio = text.find("fio@example.com · 80").expect("fio to call");
    assert!(cid < fio, "{text}");
    assert!(
        !text.contains("eli@example.com"),
        "nothing at stake: not listed"
    );
});

db_story!(behavioural_cohorts_follow_their_definitions, |store| {
    load_churn_shop(store).await;
    // cid and fio accept marketing e-mails.
    with_pool!(store, pool => {
        sqlx::query("UPDATE customers SET accepts_marketing = TRUE WHERE id IN (3, 6)")
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    let r = behaviour_report(store, d(AS_OF), "EUR", Lang::En)
        .await
        .unwrap();
    assert_eq!(r.customers, 7);
    let members = |b: Behaviour| -> Vec<i64> {
        let c = r.cohorts.iter().find(|c| c.cohort == b).unwrap();
        let mut m = c.members.clone();
        m.sort();
        m
    };
    // Worked by hand from the table above, as of 20 Nov 2026:
    // new: first order within 30 days — ben (10 Nov), dee (1 Nov).
    assert_eq!(members(Behaviour::New), vec![2, 4]);
    // one order placed 31–90 days ago: gil (40 days); fio's is 111 days old, eli's older.
    assert_eq!(members(Behaviour::StalledAfterFirst), vec![7]);
    // 2+ orders and score ≥ 51: cid (79); ann (22) and dee (0) are healthy.
    assert_eq!(members(Behaviour::RepeatAtRisk), vec![3]);
    // Top 5 % of 7 customers = 1: cid, 450 € over 12 months (500 € − 50 € refunded),
    // ahead of ann's 300 €.
    assert_eq!(members(Behaviour::Vip), vec![3]);
    let vip = r
        .cohorts
        .iter()
        .find(|c| c.cohort == Behaviour::Vip)
        .unwrap();
    assert_eq!(vip.value_12m, Cents(45_000));
    // High risk (cid 79, eli 80, fio 80) and opted in (cid, fio).
    assert_eq!(members(Behaviour::Reengageable), vec![3, 6]);
    let re = r
        .cohorts
        .iter()
        .find(|c| c.cohort == Behaviour::Reengageable)
        .unwrap();
    // fio's 120 € and cid's 450 €; 2 of 7 customers.
    assert_eq!(re.value_12m, Cents(57_000));
    assert!((re.share_pct.unwrap() - 200.0 / 7.0).abs() < 1e-9);
    // The text names the cohorts the data does not allow; the CSV lists the members.
    let text = behaviour_text(&r, Lang::En);
    assert!(text.contains("Not in the data"), "{text}");
    assert!(
        text.contains("recent visitors without a purchase"),
        "{text}"
    );
    let csv = behaviour_csv(store, &r).await.unwrap();
    assert!(csv.contains("reengageable,cid@example.com,"), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 2 + 1 + 1 + 1 + 2);
});

/// E-mail campaigns (send day, name, recipients): eight counted up to 20 Nov; a flow, a draft
/// without recipients and the campaign of 25 Nov are not (the last is after the as-of day).
const SENDS: [(&str, &str, Option<i64>); 11] = [
    ("2026-08-01", "Summer", Some(900)),
    ("2026-09-01", "Rentrée", Some(900)),
    ("2026-10-01", "Octobre", Some(900)),
    ("2026-10-20", "Nouveautés", Some(900)),
    ("2026-11-01", "Toussaint", Some(900)),
    ("2026-11-05", "Newsletter", Some(900)),
    ("2026-11-12", "Newsletter", Some(900)),
    ("2026-11-18", "Black Friday", Some(900)),
    ("2026-11-19", "Flow: Welcome", Some(40)),
    ("2026-11-10", "Draft", None),
    ("2026-11-25", "Cyber Monday", Some(900)),
];

/// Opens and clicks (normalised e-mail, UTC day, kind). As of 20 Nov 2026:
/// - ann last opened and clicked 15 Aug: 7 campaigns and 97 days since → silent.
/// - ben opened 18 Nov: the send of that day is not counted → 0 since, not silent.
/// - cid clicked 22 Oct: 4 campaigns but 29 days → not silent (his older open changes nothing).
/// - dee opened 21 Oct: 4 campaigns and 30 days → silent (both thresholds exactly).
/// - fio opened 5 Aug: 7 campaigns since → silent.
/// - eli never opened; gil's open of 22 Nov is after the as-of day; zoe is not a customer.
const ENGAGEMENT: [(&str, &str, &str); 9] = [
    ("ann@example.com", "2026-08-15", "open"),
    ("ann@example.com", "2026-08-15", "click"),
    ("ben@example.com", "2026-11-18", "open"),
    ("cid@example.com", "2026-09-01", "open"),
    ("cid@example.com", "2026-10-22", "click"),
    ("dee@example.com", "2026-10-21", "open"),
    ("fio@example.com", "2026-08-05", "open"),
    ("gil@example.com", "2026-11-22", "open"),
    ("zoe@example.com", "2026-11-01", "open"),
];

async fn load_sends(store: &Store) {
    for (day, campaign, recipients) in SENDS {
        with_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO ad_spend (date, channel, campaign, source, currency, spend_cents, impressions, clicks, conversions, conversion_value_cents) \
                 VALUES ($1, 'email', $2, 'klaviyo', 'EUR', 0, $3, NULL, NULL, NULL)",
            )
            .bind(d(day))
            .bind(campaign)
            .bind(recipients)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .unwrap();
    }
}

async fn load_engagement(store: &Store) {
    for (key, day, kind) in ENGAGEMENT {
        with_pool!(store, pool => {
            sqlx::query("INSERT INTO email_engagement_days (customer_key, day_no, kind) VALUES ($1, $2, $3)")
                .bind(key)
                .bind(insight_desk::domain::day_no(d(day)))
                .bind(kind)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .unwrap();
    }
}

db_story!(
    churn_scores_silence_on_emails_for_customers_who_engaged_before,
    |store| {
        load_churn_shop(store).await;
        // No engagement data: the signal is absent, every score as the signal table says.
        let before = churn_report(store, d(AS_OF), "EUR", Lang::En)
            .await
            .unwrap();
        assert!(!before.silence.available);
        assert!(before.scores.iter().all(|s| s.silent.is_none()));
        let text = churn_text(&before, Lang::En);
        assert!(
            text.contains(
                "Silence on e-mails: not available (no e-mail open or click in the store up to"
            ),
            "{text}"
        );
        // Opens but no campaign sends: still not available (a silence needs sends to answer).
        load_engagement(store).await;
        let no_sends = churn_report(store, d(AS_OF), "EUR", Lang::En)
            .await
            .unwrap();
        assert!(!no_sends.silence.available);
        assert_eq!(no_sends.silence.engaged_profiles, 6);
        assert!(churn_text(&no_sends, Lang::En).contains("no e-mail campaign send in the store"));
        let plain: Vec<u8> = no_sends.scores.iter().map(|s| s.score).collect();
        assert_eq!(plain, [22, 15, 79, 0, 80, 80, 37]);

        load_sends(store).await;
        let r = churn_report(store, d(AS_OF), "EUR", Lang::En)
            .await
            .unwrap();
        assert!(r.silence.available);
        assert_eq!(
            (
                r.silence.engaged_profiles,
                r.silence.campaign_sends,
                r.silence.engaged_customers,
                r.silence.silent_customers,
                r.silence.never_engaged_customers
            ),
            (6, 8, 5, 3, 2)
        );
        let by_id = |id: i64| r.scores.iter().find(|s| s.customer_id == id).unwrap();
        let silent: Vec<Option<bool>> = (1..=7).map(|c| by_id(c).silent).collect();
        assert_eq!(
            silent,
            [
                Some(true),
                Some(false),
                Some(false),
                Some(true),
                None,
                Some(true),
                None
            ]
        );
        let sends: Vec<Option<i64>> = (1..=7).map(|c| by_id(c).email_sends_since).collect();
        assert_eq!(
            sends,
            [Some(7), Some(0), Some(4), Some(4), None, Some(7), None]
        );
        // Engaged customers' lateness has 55 points, the silent ones 10 more:
        // ann 55/3 + 10 = 28.3; ben 15; cid 55 + 8 + 5 + 1.4 = 69.4; dee 0 + 10;
        // fio 55 + 15 + 10 = 80; eli and gil never opened (as of 20 Nov): as before.
        let scores: Vec<u8> = (1..=7).map(|c| by_id(c).score).collect();
        assert_eq!(scores, [28, 15, 69, 10, 80, 80, 37]);
        for s in &r.scores {
            let silence = if s.silent == Some(true) { 10.0 } else { 0.0 };
            assert_eq!(s.points[6], silence, "customer {}", s.customer_id);
        }

        // The backtest compares with the same scores without the signal (22, 15, 79, 0, 80,
        // 80, 37): only gil came back, and the churners above his 37 are the same three.
        let bt = r.backtest.as_ref().unwrap();
        assert_eq!(bt.auc, Some(0.5));
        assert_eq!(bt.auc_without_silence, Some(0.5));
        assert_eq!(before.backtest.as_ref().unwrap().auc_without_silence, None);

        let text = churn_text(&r, Lang::En);
        let fio = text
            .lines()
            .find(|l| l.contains("fio@example.com"))
            .unwrap();
        assert!(
            fio.ends_with("a single order, silent on e-mails since 5 Aug (7 campaigns without an open or click)"),
            "{fio}"
        );
        assert!(
            text.contains("Silence on e-mails (10 pts taken from lateness: no open or click for 30+ days and 3+ campaigns): 3 of 5 customers who ever opened or clicked; 2 never did"),
            "{text}"
        );
        assert!(
            text.contains("lateness against the customer's own buying rhythm (55 pts;"),
            "{text}"
        );
        assert!(
            text.contains("(0.500 without the silence on e-mails)"),
            "{text}"
        );
        let csv = churn_csv(&r, &contacts(store).await.unwrap()).unwrap();
        let header = csv.lines().next().unwrap();
        assert!(
            header.ends_with(
                ",last_email_engagement,email_campaigns_since,silent_on_emails,points_silence"
            ),
            "{header}"
        );
        let line = |who: &str| {
            csv.lines()
                .find(|l| l.starts_with(who))
                .unwrap()
                .to_string()
        };
        assert!(
            line("fio@").ends_with(",2026-08-05,7,true,10.0"),
            "{}",
            line("fio@")
        );
        assert!(
            line("cid@").ends_with(",2026-10-22,4,false,0.0"),
            "{}",
            line("cid@")
        );
        assert!(line("eli@").ends_with(",,,,0.0"), "{}", line("eli@"));
        let blocks = churn_message(&r, Lang::Fr);
        for m in &blocks {
            insight_desk::render::check_limits(m).unwrap();
        }
        let json = serde_json::to_string(&blocks[0].to_json()).unwrap();
        assert!(
            json.contains("Silence sur les e-mails (10 pts pris au retard"),
            "{json}"
        );

        // As of 30 Nov gil's open of 22 Nov counts (8 days, one campaign since: not silent);
        // ann has had one more campaign.
        let later = churn_report(store, d("2026-11-30"), "EUR", Lang::En)
            .await
            .unwrap();
        let gil = later.scores.iter().find(|s| s.customer_id == 7).unwrap();
        assert_eq!((gil.silent, gil.email_sends_since), (Some(false), Some(1)));
        let ann = later.scores.iter().find(|s| s.customer_id == 1).unwrap();
        assert_eq!((ann.silent, ann.email_sends_since), (Some(true), Some(8)));
        // As of 1 Aug nobody had opened anything yet: not available.
        let early = churn_report(store, d("2026-08-01"), "EUR", Lang::En)
            .await
            .unwrap();
        assert!(!early.silence.available);
        assert!(early.scores.iter().all(|s| s.silent.is_none()));
    }
);

//! Monthly acquisition cohorts on the hand-built shop of tests/ltv.rs: retention shares and
//! the 90-day repurchase per cohort and per channel, worked by hand and recomputed here
//! naively from the order list, on SQLite and Postgres.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Months, NaiveDate};
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::customers::{cohort_report, cohorts_csv, cohorts_text, CohortReport};
use insight_desk::domain::Lang;
use insight_desk::metrics::Registry;
use insight_desk::render::check_limits;
use insight_desk::reply::Visibility;
use insight_desk::slack::command::CockpitDay;
use insight_desk::slack::{dispatch, Command};
use insight_desk::store::Store;

use crate::db_story;
use crate::ltv::{d, forget_the_future, load_shop, AS_OF, O, ORDERS};
use crate::support::paris_shop;

/// Retention and repurchase recomputed from `ORDERS` with nothing of the report's code:
/// (cohort "YYYY-MM" → (customers, buyers per month +k for the months ended by D,
/// repurchased within 90 days if every customer has had 90 days)).
#[allow(clippy::type_complexity)]
fn naive(as_of: NaiveDate) -> BTreeMap<String, (usize, Vec<usize>, Option<usize>)> {
    let counted: Vec<&O> = ORDERS
        .iter()
        .filter(|o| !o.6 && !o.7 && d(o.2) <= as_of)
        .collect();
    let mut firsts: BTreeMap<i64, NaiveDate> = BTreeMap::new();
    for o in &counted {
        let day = d(o.2);
        firsts
            .entry(o.1)
            .and_modify(|f| *f = (*f).min(day))
            .or_insert(day);
    }
    let month = |day: NaiveDate| (day.year(), day.month());
    let months_between = |a: NaiveDate, b: NaiveDate| {
        (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32
    };
    let mut out = BTreeMap::new();
    let mut cohorts: BTreeSet<(i32, u32)> = firsts.values().map(|f| month(*f)).collect();
    cohorts.retain(|m| months_between(NaiveDate::from_ymd_opt(m.0, m.1, 1).unwrap(), as_of) < 12);
    for (y, m) in cohorts {
        let start = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        let end = start + Months::new(1) - Days::new(1);
        let members: Vec<i64> = firsts
            .iter()
            .filter(|(_, f)| month(**f) == (y, m))
            .map(|(c, _)| *c)
            .collect();
        let mut buyers = Vec::new();
        let mut k = 0;
        loop {
            let month_start = start + Months::new(k);
            let month_end = month_start + Months::new(1) - Days::new(1);
            if k > 0 && month_end > as_of {
                break;
            }
            let n = members
                .iter()
                .filter(|c| {
                    counted
                        .iter()
                        .any(|o| o.1 == **c && (month_start..=month_end).contains(&d(o.2)))
                })
                .count();
            buyers.push(n);
            k += 1;
        }
        let repurchased = (end + Days::new(90) <= as_of).then(|| {
            members
                .iter()
                .filter(|c| {
                    let first = firsts[c];
                    counted
                        .iter()
                        .filter(|o| o.1 == **c && d(o.2) <= first + Days::new(90))
                        .count()
                        >= 2
                })
                .count()
        });
        out.insert(format!("{y}-{m:02}"), (members.len(), buyers, repurchased));
    }
    out
}

async fn report(store: &Store) -> CohortReport {
    cohort_report(store, d(AS_OF), 12).await.unwrap()
}

db_story!(cohorts_retention_and_repurchase_worked_by_hand, |store| {
    load_shop(store).await;
    let r = report(store).await;
    let months: Vec<&str> = r.cohorts.iter().map(|c| c.month.as_str()).collect();
    assert_eq!(months.len(), 12);
    assert_eq!((months[0], months[11]), ("2025-12", "2026-11"));
    let get = |m: &str| r.cohorts.iter().find(|c| c.month == m).unwrap();
    let shares = |m: &str| -> Vec<i64> {
        get(m)
            .retention
            .iter()
            .map(|c| c.pct.round() as i64)
            .collect()
    };

    // December 2025: customer 4 alone, buying in December, January and March; months +0 to
    // +10 (October) have ended by 20 November, November has not and is not shown.
    assert_eq!(get("2025-12").customers, 1);
    assert_eq!(shares("2025-12"), [100, 100, 0, 100, 0, 0, 0, 0, 0, 0, 0]);
    // May 2026: customers 6 (again in June) and 10: 100 %, 50 %, then 0 % to October.
    assert_eq!(get("2026-05").customers, 2);
    assert_eq!(shares("2026-05"), [100, 50, 0, 0, 0, 0]);
    // February: customer 5, whose cancelled order of 20 Feb does not count.
    assert_eq!(shares("2026-02"), [100, 0, 0, 0, 0, 0, 0, 0, 0]);
    // October: customer 7; only month +0 has a figure.
    assert_eq!(shares("2026-10"), [100]);
    // November: customer 9's first order is after D: an empty cohort.
    assert_eq!(get("2026-11").customers, 0);
    assert!(get("2026-11").retention.is_empty());

    // 90-day repurchase: December 100 % (4 came back on 15 Jan), February 0 %, March 0 %,
    // May 50 % (6 came back on 20 Jun, the test order of 1 Jun does not count); October is
    // too young, not 0 %: its last customer has had 90 days on 29 January 2027.
    assert_eq!(get("2025-12").repurchase_rate_90d, Some(100.0));
    assert_eq!(get("2026-02").repurchase_rate_90d, Some(0.0));
    assert_eq!(get("2026-03").repurchase_rate_90d, Some(0.0));
    assert_eq!(get("2026-05").repurchase_rate_90d, Some(50.0));
    assert_eq!(get("2026-05").repurchased_90d, Some(1));
    assert_eq!(get("2026-10").repurchase_rate_90d, None);
    assert_eq!(get("2026-10").repurchase_complete_on, d("2027-01-29"));
    // August closes on 29 Nov: too young as well, even empty.
    assert_eq!(get("2026-08").repurchase_rate_90d, None);

    // Per acquisition channel, customers who have had 90 days: meta 4 (yes) and 5 (no);
    // google 6 (yes), 7 too young; organic 8 and 10 (no).
    let ch: BTreeMap<&str, (i64, i64, Option<f64>, i64)> = r
        .channels
        .iter()
        .map(|c| {
            (
                c.channel.as_str(),
                (c.customers, c.repurchased, c.rate, c.too_young),
            )
        })
        .collect();
    assert_eq!(ch["meta"], (2, 1, Some(50.0), 0));
    assert_eq!(ch["google"], (1, 1, Some(100.0), 1));
    assert_eq!(ch["organic"], (2, 0, Some(0.0), 0));
    assert_eq!((r.overall.customers, r.overall.repurchased), (5, 2));
    assert_eq!(r.overall.rate, Some(40.0));

    // Independently, from the order list.
    let want = naive(d(AS_OF));
    for c in r.cohorts.iter().filter(|c| c.customers > 0) {
        let (n, buyers, repurchased) = &want[&c.month];
        assert_eq!(c.customers as usize, *n, "{}", c.month);
        let got: Vec<usize> = c.retention.iter().map(|x| x.customers as usize).collect();
        assert_eq!(&got, buyers, "{}", c.month);
        for x in &c.retention {
            assert!((x.pct - x.customers as f64 * 100.0 / *n as f64).abs() < 1e-9);
        }
        assert_eq!(
            c.repurchased_90d.map(|v| v as usize),
            *repurchased,
            "{}",
            c.month
        );
    }
    assert_eq!(
        want.values().map(|w| w.0).sum::<usize>() as i64,
        r.cohorts.iter().map(|c| c.customers).sum::<i64>()
    );

    // Text and CSV say "too young", never 0 %, for October.
    let text = cohorts_text(&r, Lang::En);
    assert!(text.contains("too young, on 29/01"), "{text}");
    let csv = cohorts_csv(&r).unwrap();
    let oct = csv.lines().find(|l| l.starts_with("2026-10,")).unwrap();
    // m1…m11, the count and the rate are empty: 14 commas between 100.0 and the date.
    assert_eq!(oct, format!("2026-10,1,100.0{}2027-01-29", ",".repeat(14)));
    let may = csv.lines().find(|l| l.starts_with("2026-05,")).unwrap();
    assert_eq!(
        may,
        format!(
            "2026-05,2,100.0,50.0,0.0,0.0,0.0,0.0{}1,50.0,2026-08-29",
            ",".repeat(7)
        )
    );
});

db_story!(cohorts_as_of_ignore_later_orders, |store| {
    load_shop(store).await;
    // Later data matters: as of 25 Nov, customer 9 makes November a cohort of one.
    let later = cohort_report(store, d("2026-11-25"), 12).await.unwrap();
    assert_eq!(later.cohorts.last().unwrap().customers, 1);
    let before = report(store).await;
    forget_the_future(store).await;
    assert_eq!(before, report(store).await);
});

db_story!(cohorts_in_slack_post_the_heat_map, |store| {
    load_shop(store).await;
    let app = App {
        config: Config::default(),
        lang: Lang::Fr,
        store: store.clone(),
        registry: Registry::embedded().unwrap(),
        shop: paris_shop(),
    };
    let reply = dispatch(
        &app,
        Command::Cohorts(CockpitDay::Date(d(AS_OF))),
        Visibility::InChannel,
    )
    .await
    .unwrap();
    assert_eq!(reply.charts.len(), 1);
    assert_eq!(reply.charts[0].name, "cohort_retention");
    assert!(reply.charts[0].png.starts_with(b"\x89PNG"));
    assert!(
        reply.charts[0].alt_text.contains("2026-05 (2 clients) 50"),
        "{}",
        reply.charts[0].alt_text
    );
    for m in &reply.messages {
        check_limits(m).unwrap();
    }
    let text = serde_json::to_string(&reply.messages[0].to_json()).unwrap();
    assert!(text.contains("trop tôt, le 29/01"), "{text}");
    assert!(text.contains("40\u{a0}%"), "{text}");
});

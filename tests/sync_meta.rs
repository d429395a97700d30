//! API sync from the Meta Marketing API and Klaviyo against fakes on loopback, on SQLite and
//! Postgres: Meta insights paged by day with throttling waited out, a long range through an
//! async report job, the expired-token error (never showing the token); Klaviyo campaign and
//! flow reports into `ad_spend` and the opens and clicks into `email_engagement`; each time
//! the same rows as the CSV importers write from the exports of the same figures, re-syncs
//! changing nothing, and one source failing while the others succeed.

use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use insight_desk::import::{import_file, ImportOptions, Kind};
use insight_desk::store::Store;
use insight_desk::sync::fake_google_ads::FakeGoogleAds;
use insight_desk::sync::fake_klaviyo::{self, Account, Campaign, Event, FakeKlaviyo, FlowDay};
use insight_desk::sync::fake_meta::{FakeMeta, MetaDay};
use insight_desk::sync::klaviyo::KlaviyoConfig;
use insight_desk::sync::meta::MetaConfig;
use insight_desk::sync::{sync_one, sync_sources, Source, SyncConfig, SyncOptions};

use crate::db_story;
use crate::sync::scalar;

pub const META_TOKEN: &str = "EAAGfakeLongLivedToken0123456789";
pub const KLAVIYO_KEY: &str = "pk_fake_0123456789abcdef";
pub const PARIS: chrono_tz::Tz = chrono_tz::Europe::Paris;

pub fn yesterday() -> NaiveDate {
    Utc::now().with_timezone(&PARIS).date_naive() - Days::new(1)
}

pub fn opts() -> SyncOptions {
    SyncOptions {
        base_backoff: Duration::from_millis(10),
        ..SyncOptions::default()
    }
}

pub fn meta_config(fake: &FakeMeta, dir: &std::path::Path) -> MetaConfig {
    let file = dir.join("meta-token");
    std::fs::write(&file, format!("{META_TOKEN}\n")).unwrap();
    let mut m = MetaConfig::new("act_1234567890");
    m.base_url = Some(fake.base_url());
    m.access_token_file = Some(file);
    m.backfill_days = 3;
    m.page_size = 4;
    m.poll_secs = 0.01;
    m.max_attempts = 3;
    m
}

pub fn cfg_meta(fake: &FakeMeta, dir: &std::path::Path) -> SyncConfig {
    SyncConfig {
        meta: Some(meta_config(fake, dir)),
        ..SyncConfig::default()
    }
}

/// Two campaigns a day over `days` days up to yesterday; figures differ per day so that a
/// row landing on the wrong day shows.
pub fn meta_days(days: u64) -> Vec<MetaDay> {
    let mut rows = Vec::new();
    for back in 0..days {
        let b = back as i64;
        rows.push(MetaDay {
            date: yesterday() - Days::new(back),
            campaign: "Prospecting FR".into(),
            spend_cents: 2_345 + b,
            impressions: 3_000 + b,
            clicks: 90,
            link_clicks: 61,
            purchases: 2,
            purchase_value_cents: 11_990,
        });
        rows.push(MetaDay {
            date: yesterday() - Days::new(back),
            campaign: "Retargeting".into(),
            spend_cents: 1_005,
            impressions: 800,
            clicks: 30,
            link_clicks: 17,
            purchases: 0,
            purchase_value_cents: 0,
        });
    }
    rows
}

/// The same figures as a Meta Ads Manager export by day, for the CSV importer.
fn meta_csv(rows: &[MetaDay], dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from("Day,Campaign name,Amount spent (EUR),Impressions,Link clicks,Clicks (all),Purchases,Purchases conversion value,Currency\n");
    for r in rows {
        let money = |c: i64| format!("{}.{:02}", c / 100, c % 100);
        let (p, v) = if r.purchases > 0 {
            (r.purchases.to_string(), money(r.purchase_value_cents))
        } else {
            (String::new(), String::new())
        };
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},EUR\n",
            r.date,
            r.campaign,
            money(r.spend_cents),
            r.impressions,
            r.link_clicks,
            r.clicks,
            p,
            v
        ));
    }
    let path = dir.join("meta-export.csv");
    std::fs::write(&path, text).unwrap();
    path
}

async fn sum(store: &Store, column: &str, channel: &str) -> i64 {
    scalar(
        store,
        &format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM ad_spend WHERE channel = '{channel}'"),
    )
    .await
}

db_story!(
    meta_insights_sync_by_day_paged_waits_out_throttling_like_the_csv_import,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let rows = meta_days(3);
        let fake = FakeMeta::start(META_TOKEN, rows.clone()).await.unwrap();
        let cfg = cfg_meta(&fake, dir.path());
        // A user rate limit (code 17), then an HTTP 429: both waited out.
        fake.throttle(&[17, 0]);
        let outcome = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.mode, "backfill");
        assert_eq!(outcome.throttled, 2);
        let calls: Vec<(String, u16, Option<String>)> = fake
            .calls()
            .into_iter()
            .map(|c| (c.kind, c.status, c.params.get("after").cloned()))
            .collect();
        let expected: Vec<(String, u16, Option<String>)> = vec![
            ("insights".into(), 400, None),
            ("insights".into(), 429, None),
            ("insights".into(), 200, None),
            ("insights".into(), 200, Some("cursor-4".into())),
        ];
        assert_eq!(
            calls, expected,
            "6 rows, 4 a page, after two throttled answers"
        );
        let first = &fake.calls()[2].params;
        assert_eq!(first["level"], "campaign");
        assert_eq!(first["time_increment"], "1");
        assert_eq!(
            first["time_range"],
            format!(
                "{{\"since\":\"{}\",\"until\":\"{}\"}}",
                yesterday() - Days::new(2),
                yesterday()
            )
        );
        assert!(first["fields"].contains("actions,action_values"));

        assert_eq!(
            (outcome.counts.records_read, outcome.counts.inserted),
            (6, 6)
        );
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM ad_spend WHERE channel = 'meta' AND source = 'meta_ads'"
            )
            .await,
            6
        );
        // Independent sums of the hand-built days: link clicks (not all clicks), purchases
        // counted once (not once more for the pixel's).
        assert_eq!(
            sum(store, "spend_cents", "meta").await,
            3 * 2_345 + 3 + 3 * 1_005
        );
        assert_eq!(
            sum(store, "impressions", "meta").await,
            3 * 3_000 + 3 + 3 * 800
        );
        assert_eq!(sum(store, "clicks", "meta").await, 3 * (61 + 17));
        assert_eq!(sum(store, "conversions", "meta").await, 3 * 2);
        assert_eq!(
            sum(store, "conversion_value_cents", "meta").await,
            3 * 11_990
        );
        assert_eq!(
            scalar(
                store,
                &format!(
                    "SELECT CAST(spend_cents AS BIGINT) FROM ad_spend WHERE campaign = 'Prospecting FR' AND date = '{}'",
                    yesterday() - Days::new(2)
                )
            )
            .await,
            2_347
        );

        // The export of the same days, imported: every row already there, identical.
        let summary = import_file(
            store,
            PARIS,
            Kind::MetaAds,
            &meta_csv(&rows, dir.path()),
            &ImportOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(
            (summary.inserted, summary.updated, summary.skipped),
            (0, 0, 6)
        );

        // A re-sync re-reads the lookback window: nothing rewritten.
        let again = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
        assert_eq!(again.error, None);
        assert_eq!(again.mode, "incremental");
        assert_eq!(
            (
                again.counts.inserted,
                again.counts.updated,
                again.counts.unchanged
            ),
            (0, 0, 6)
        );
        let all = format!("{:?} {:?} {:?}", fake.calls(), outcome, again);
        assert!(!all.contains(META_TOKEN));
    }
);

db_story!(
    meta_long_range_runs_as_an_async_job_polled_to_completion,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let rows = meta_days(20);
        let fake = FakeMeta::start(META_TOKEN, rows).await.unwrap();
        fake.set_polls_before_done(2);
        let mut cfg = cfg_meta(&fake, dir.path());
        if let Some(m) = cfg.meta.as_mut() {
            m.backfill_days = 20;
            m.async_from_days = 15;
            m.page_size = 25;
        }
        let outcome = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
        assert_eq!(outcome.error, None);
        let kinds: Vec<(String, u16)> = fake
            .calls()
            .into_iter()
            .map(|c| (c.kind, c.status))
            .collect();
        let expected: Vec<(String, u16)> = [
            ("async-start", 200),
            ("async-status", 200),
            ("async-status", 200),
            ("async-status", 200),
            ("report-insights", 200),
            ("report-insights", 200),
        ]
        .iter()
        .map(|(k, s)| (k.to_string(), *s))
        .collect();
        assert_eq!(
            kinds, expected,
            "two polls running, the third completed; 40 rows, 25 a page"
        );
        assert_eq!(outcome.counts.inserted, 40);
        assert_eq!(
            sum(store, "spend_cents", "meta").await,
            20 * 2_345 + (0..20).sum::<i64>() + 20 * 1_005
        );
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(DISTINCT date) FROM ad_spend WHERE channel = 'meta'"
            )
            .await,
            20
        );
    }
);

db_story!(
    meta_expired_token_is_a_clear_error_that_never_shows_it,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeMeta::start(META_TOKEN, meta_days(2)).await.unwrap();
        fake.expire_token();
        let cfg = cfg_meta(&fake, dir.path());
        let outcome = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
        let error = outcome.error.clone().expect("meta fails");
        assert!(error.contains("error 190"), "{error}");
        assert!(error.contains("generate a new long-lived token"), "{error}");
        assert!(error.contains("META_ACCESS_TOKEN"), "{error}");
        assert_eq!(fake.calls().len(), 1, "an expired token is not retried");
        let states = insight_desk::import::sources::list(store).await.unwrap();
        let m = states.iter().find(|s| s.source == "meta_ads").unwrap();
        let runs = insight_desk::sync::state::runs(store, "meta_ads")
            .await
            .unwrap();
        let all = format!(
            "{outcome:?} {:?} {:?} {:?}",
            m.last_error,
            runs,
            fake.calls()
        );
        assert!(!all.contains(META_TOKEN), "{all}");
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM ad_spend").await, 0);
    }
);

pub fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    PARIS
        .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn stats(r: i64, c: i64, o: i64, v: f64) -> fake_klaviyo::Stats {
    fake_klaviyo::Stats {
        recipients: r,
        delivered: r - 3,
        clicks_unique: c,
        conversion_uniques: o,
        conversion_value: v,
    }
}

pub fn account() -> Account {
    let y = yesterday();
    Account {
        metrics: vec![
            ("MxViewed".into(), "Viewed Product".into()),
            ("MxOpen".into(), "Opened Email".into()),
            ("MxClick".into(), "Clicked Email".into()),
            ("MxOrder".into(), "Placed Order".into()),
            ("MxActive".into(), "Active on Site".into()),
        ],
        campaigns: vec![
            Campaign {
                id: "01CAMPBF".into(),
                name: "Black Friday".into(),
                send_time: Some(at(y, 10, 0)),
                stats: stats(1200, 85, 7, 412.3),
            },
            Campaign {
                id: "01CAMPNL".into(),
                name: "Newsletter".into(),
                send_time: Some(at(y - Days::new(2), 0, 30)),
                stats: stats(900, 40, 2, 99.9),
            },
            Campaign {
                id: "01CAMPDR".into(),
                name: "Draft".into(),
                send_time: None,
                stats: stats(0, 0, 0, 0.0),
            },
            Campaign {
                id: "01CAMPOLD".into(),
                name: "Old".into(),
                send_time: Some(at(y - Days::new(200), 10, 0)),
                stats: stats(500, 5, 1, 10.0),
            },
        ],
        flows: vec![("FLWELC".into(), "Welcome".into())],
        flow_days: [
            (0, "m1", 50, 9, 1, 45.5),
            (0, "m2", 30, 4, 1, 20.0),
            (1, "m1", 40, 6, 0, 0.0),
        ]
        .iter()
        .map(|&(back, m, r, c, o, v)| FlowDay {
            flow_id: "FLWELC".into(),
            message_id: m.into(),
            date: y - Days::new(back),
            stats: stats(r, c, o, v),
        })
        .collect(),
        events: vec![
            Event {
                metric_id: "MxOpen".into(),
                email: "alice@example.com".into(),
                at: at(y, 8, 0),
            },
            Event {
                metric_id: "MxOpen".into(),
                email: "alice@example.com".into(),
                at: at(y, 9, 30),
            },
            Event {
                metric_id: "MxOpen".into(),
                email: "  Bob@Example.COM ".into(),
                at: at(y - Days::new(1), 12, 0),
            },
            Event {
                metric_id: "MxClick".into(),
                email: "alice@example.com".into(),
                at: at(y, 8, 5),
            },
            Event {
                metric_id: "MxViewed".into(),
                email: "carol@example.com".into(),
                at: at(y, 8, 5),
            },
        ],
    }
}

pub fn klaviyo_config(fake: &FakeKlaviyo, dir: &std::path::Path) -> KlaviyoConfig {
    let file = dir.join("klaviyo-key");
    std::fs::write(&file, KLAVIYO_KEY).unwrap();
    KlaviyoConfig {
        base_url: Some(fake.base_url()),
        api_key_file: Some(file),
        backfill_days: 5,
        max_attempts: 3,
        ..KlaviyoConfig::default()
    }
}

pub async fn engagement(
    store: &Store,
    key: &str,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let sql = "SELECT last_open_at, last_click_at FROM email_engagement WHERE customer_key = $1";
    insight_desk::with_pool!(store, pool => sqlx::query_as::<_, (Option<DateTime<Utc>>, Option<DateTime<Utc>>)>(sql).bind(key).fetch_one(pool).await)
        .unwrap()
}

db_story!(
    klaviyo_campaigns_and_flows_into_ad_spend_and_engagement_per_customer,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeKlaviyo::start(KLAVIYO_KEY, PARIS, account())
            .await
            .unwrap();
        fake.throttle(1);
        let cfg = SyncConfig {
            klaviyo: Some(klaviyo_config(&fake, dir.path())),
            ..SyncConfig::default()
        };
        let outcome = sync_one(store, PARIS, &cfg, Source::Klaviyo, &opts()).await;
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.throttled, 1);
        let calls = fake.calls();
        assert_eq!(
            (calls[0].what.as_str(), calls[0].status),
            ("GET /api/metrics/", 429)
        );
        assert_eq!(
            calls
                .iter()
                .filter(|c| c.what == "GET /api/metrics/" && c.status == 200)
                .count(),
            3,
            "5 metrics, 2 a page"
        );
        let report = calls
            .iter()
            .find(|c| c.what == "POST /api/campaign-values-reports/")
            .unwrap();
        assert_eq!(
            report.body["data"]["attributes"]["conversion_metric_id"],
            "MxOrder"
        );

        let y = yesterday();
        // Campaigns on their send day (the draft and the one of 200 days ago left out), the
        // flow's two messages summed per day.
        let rows: Vec<(String, String, i64, i64, i64, i64, i64)> = insight_desk::with_pool!(store, pool => sqlx::query_as(
            "SELECT CAST(date AS TEXT), campaign, CAST(spend_cents AS BIGINT), CAST(impressions AS BIGINT), CAST(clicks AS BIGINT), \
             CAST(conversions AS BIGINT), CAST(conversion_value_cents AS BIGINT) FROM ad_spend WHERE channel = 'email' AND source = 'klaviyo' ORDER BY date, campaign")
            .fetch_all(pool).await)
            .unwrap();
        let d = |back: u64| (y - Days::new(back)).to_string();
        let rows: Vec<(String, String, i64, i64, i64, i64, i64)> = rows
            .into_iter()
            .map(|r| (r.0[..10].to_string(), r.1, r.2, r.3, r.4, r.5, r.6))
            .collect();
        assert_eq!(
            rows,
            vec![
                (d(2), "Newsletter".into(), 0, 900, 40, 2, 9_990),
                (d(1), "Flow: Welcome".into(), 0, 40, 6, 0, 0),
                (d(0), "Black Friday".into(), 0, 1200, 85, 7, 41_230),
                (d(0), "Flow: Welcome".into(), 0, 80, 13, 2, 6_550),
            ]
        );

        // The exports of the same figures: already there, identical.
        let campaigns = dir.path().join("campaigns.csv");
        std::fs::write(
            &campaigns,
            format!(
                "Campaign Name,Send Time,Total Recipients,Unique Clicks,Unique Placed Order,Revenue\n\
                 Black Friday,{} 10:00:00,1200,85,7,412.30\nNewsletter,{} 00:30:00,900,40,2,99.90\n",
                d(0),
                d(2)
            ),
        )
        .unwrap();
        let flows = dir.path().join("flows.csv");
        std::fs::write(
            &flows,
            format!(
                "Day,Flow Name,Total Recipients,Unique Clicks,Unique Placed Order,Revenue\n\
                 {},Welcome,50,9,1,45.50\n{},Welcome,30,4,1,20.00\n{},Welcome,40,6,0,0.00\n",
                d(0),
                d(0),
                d(1)
            ),
        )
        .unwrap();
        for path in [campaigns, flows] {
            let s = import_file(
                store,
                PARIS,
                Kind::Klaviyo,
                &path,
                &ImportOptions::default(),
            )
            .await
            .unwrap();
            assert_eq!((s.inserted, s.updated), (0, 0), "{}", path.display());
        }

        // The latest open and click per normalised e-mail.
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM email_engagement").await,
            2
        );
        assert_eq!(
            engagement(store, "alice@example.com").await,
            (Some(at(y, 9, 30)), Some(at(y, 8, 5)))
        );
        assert_eq!(
            engagement(store, "bob@example.com").await,
            (Some(at(y - Days::new(1), 12, 0)), None)
        );

        // The days of the events (UTC), for ChurnGuard as of a past day: Alice's two opens
        // of yesterday are one day, her click another kind.
        let days_sql = "SELECT customer_key, day_no, kind FROM email_engagement_days ORDER BY customer_key, day_no, kind";
        let days = || async {
            insight_desk::with_pool!(store, pool => sqlx::query_as::<_, (String, i64, String)>(days_sql).fetch_all(pool).await)
                .unwrap()
        };
        let dn = |d: NaiveDate| insight_desk::domain::day_no(d);
        let mut want = vec![
            ("alice@example.com".to_string(), dn(y), "click".to_string()),
            ("alice@example.com".to_string(), dn(y), "open".to_string()),
            (
                "bob@example.com".to_string(),
                dn(y - Days::new(1)),
                "open".to_string(),
            ),
        ];
        assert_eq!(days().await, want);

        // A re-sync: the same figures, no new events; then a newer open of Bob's moves his
        // time forward and nothing else.
        let again = sync_one(store, PARIS, &cfg, Source::Klaviyo, &opts()).await;
        assert_eq!(again.error, None);
        assert_eq!((again.counts.inserted, again.counts.updated), (0, 0));
        assert_eq!(again.counts.unchanged, 4);
        fake.add_events(vec![Event {
            metric_id: "MxOpen".into(),
            email: "bob@example.com".into(),
            at: at(y, 18, 0),
        }]);
        let third = sync_one(store, PARIS, &cfg, Source::Klaviyo, &opts()).await;
        assert_eq!(third.error, None);
        assert_eq!(third.counts.updated, 1);
        assert_eq!(
            engagement(store, "bob@example.com").await,
            (Some(at(y, 18, 0)), None)
        );
        want.push(("bob@example.com".to_string(), dn(y), "open".to_string()));
        assert_eq!(
            days().await,
            want,
            "Bob's day of yesterday added, nothing twice"
        );
        assert_eq!(
            engagement(store, "alice@example.com").await,
            (Some(at(y, 9, 30)), Some(at(y, 8, 5)))
        );
        let all = format!("{:?} {:?} {:?}", fake.calls(), outcome, third);
        assert!(!all.contains(KLAVIYO_KEY));
    }
);

db_story!(meta_failing_does_not_stop_klaviyo_nor_google_ads, |store| {
    let dir = tempfile::tempdir().unwrap();
    let meta = FakeMeta::start(META_TOKEN, meta_days(2)).await.unwrap();
    meta.fail(true);
    let klaviyo = FakeKlaviyo::start(KLAVIYO_KEY, PARIS, account())
        .await
        .unwrap();
    let google = FakeGoogleAds::start("1//refresh", "dev", Vec::new())
        .await
        .unwrap();
    let file = dir.path().join("google.json");
    std::fs::write(
        &file,
        serde_json::json!({"developer_token": "dev", "client_id": "id", "client_secret": "s", "refresh_token": "1//refresh"}).to_string(),
    )
    .unwrap();
    let mut g = insight_desk::sync::google_ads::GoogleAdsConfig::new("123-456-7890");
    g.base_url = Some(google.base_url());
    g.token_url = Some(google.token_url());
    g.credentials_file = Some(file);
    g.backfill_days = 2;
    let cfg = SyncConfig {
        meta: Some(meta_config(&meta, dir.path())),
        klaviyo: Some(klaviyo_config(&klaviyo, dir.path())),
        google_ads: Some(g),
        ..SyncConfig::default()
    };
    let outcomes = sync_sources(
        store,
        PARIS,
        &cfg,
        &[Source::Meta, Source::Klaviyo, Source::GoogleAds],
        &opts(),
    )
    .await;
    let error = outcomes[0].error.as_deref().expect("meta fails");
    assert!(
        error.contains("500") && error.contains("3 attempts"),
        "{error}"
    );
    assert_eq!(
        (outcomes[1].error.as_deref(), outcomes[2].error.as_deref()),
        (None, None)
    );
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM ad_spend WHERE channel = 'email'"
        )
        .await,
        4
    );
    let states = insight_desk::import::sources::list(store).await.unwrap();
    let m = states.iter().find(|s| s.source == "meta_ads").unwrap();
    assert!(m.last_error.is_some() && m.last_success_at.is_none());
    let k = states.iter().find(|s| s.source == "klaviyo").unwrap();
    assert!(k.last_error.is_none() && k.last_success_at.is_some());
});

// Issue 8: Meta's usage headers were not read. At 95 % of any budget (call count, CPU time,
// total time) the next request waits; with `estimated_time_to_regain_access` (minutes) it
// waits that long. Waits measured between the fake's calls.
db_story!(
    meta_waits_when_its_usage_headers_say_a_budget_is_spent,
    |store| {
        use insight_desk::sync::fake_meta::Usage;
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeMeta::start(META_TOKEN, meta_days(3)).await.unwrap();
        let mut cfg = cfg_meta(&fake, dir.path());
        let m = cfg.meta.as_mut().unwrap();
        m.page_size = 2;
        m.high_usage_wait_secs = 0.4;
        m.regain_minute_secs = 0.3;
        let business = |calls: u32, cpu: u32, regain: u32| {
            Some(format!(
                r#"{{"1234567890":[{{"type":"ads_insights","call_count":{calls},"total_cputime":{cpu},"total_time":12,"estimated_time_to_regain_access":{regain}}}]}}"#
            ))
        };
        // Page 1: CPU time at 96 % → 0.4 s. Page 2: blocked for 2 minutes → 2 × 0.3 s.
        fake.usage(&[
            Usage {
                business_use_case: business(40, 96, 0),
                app: Some(r#"{"call_count":3,"total_time":2,"total_cputime":2}"#.into()),
            },
            Usage {
                business_use_case: business(100, 50, 2),
                app: None,
            },
        ]);
        let outcome = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
        assert_eq!(outcome.error, None);
        assert_eq!(outcome.counts.records_read, 6);
        let at: Vec<std::time::Instant> = fake.calls().iter().map(|c| c.at).collect();
        assert_eq!(at.len(), 3, "6 rows, 2 a page");
        let (first, second) = (at[1] - at[0], at[2] - at[1]);
        assert!(first >= Duration::from_millis(400), "{first:?}");
        assert!(second >= Duration::from_millis(600), "{second:?}");
        // The pauses count from each answer: the waits are what was left of them.
        assert!(outcome.waited_secs >= 0.9, "{}", outcome.waited_secs);

        // Below 95 % everywhere: no wait.
        let low = Usage {
            business_use_case: business(94, 94, 0),
            app: Some(r#"{"call_count":94,"total_time":94,"total_cputime":94}"#.into()),
        };
        fake.usage(&vec![low; 3]);
        let before = fake.calls().len();
        let again = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
        assert_eq!(again.error, None);
        let at: Vec<std::time::Instant> = fake.calls().iter().skip(before).map(|c| c.at).collect();
        for pair in at.windows(2) {
            assert!(
                pair[1] - pair[0] < Duration::from_millis(300),
                "{:?}",
                pair[1] - pair[0]
            );
        }
    }
);

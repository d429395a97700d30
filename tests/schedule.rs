//! Digests on a schedule, against the fake Slack, with injected instants (no test waits for
//! 09:00): time zones and daylight saving, exactly one delivery per fire across repeated calls,
//! restarts, crashes and replicas, catch-up within the grace window, retries and the failure
//! notice, and the freshness gate.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::domain::Lang;
use insight_desk::metrics::Registry;
use insight_desk::schedule::{Outcome, RunReport, ScheduleConfig, Scheduler};
use insight_desk::slack::fake::{Failure, FakeSlack};
use insight_desk::slack::{Secret, SlackApi};
use insight_desk::store::Store;

use crate::cockpit::load_hand_built_shop;
use crate::db_story;
use crate::support::paris_shop;

pub const DIGEST_CHANNEL: &str = "C0DIRECTION";
pub const OPS_CHANNEL: &str = "C0OPSALERTS";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn digest(name: &str, cron: &str, report: &str) -> ScheduleConfig {
    ScheduleConfig {
        name: name.into(),
        cron: cron.into(),
        timezone: Some(chrono_tz::Europe::Paris),
        channel: DIGEST_CHANNEL.into(),
        report: report.into(),
        wait_for: Vec::new(),
        wait_minutes: 60,
    }
}

/// A scheduler over `store` posting to `fake`, with the configuration `tweak` gives.
pub fn scheduler(store: &Store, fake: &FakeSlack, tweak: impl FnOnce(&mut Config)) -> Scheduler {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let mut config = Config::default();
    config.slack.api_url = fake.api_url();
    config.slack.bot_token = Some(Secret::new("xoxb-test-token"));
    config.slack.max_attempts = 5;
    config.scheduler.ops_channel = Some(OPS_CHANNEL.into());
    tweak(&mut config);
    let app = App {
        config,
        lang: Lang::En,
        store: store.clone(),
        registry: Registry::embedded().unwrap(),
        shop: paris_shop(),
    };
    let api = SlackApi::new(&app.config.slack)
        .unwrap()
        .with_base_backoff(Duration::from_millis(5));
    Scheduler::new(Arc::new(app), api).expect("valid schedule configuration")
}

/// Top-level messages the fake accepted in `channel`.
pub fn top_level(fake: &FakeSlack, channel: &str) -> usize {
    fake.posted_in(channel)
        .iter()
        .filter(|m| m["thread_ts"].is_null())
        .count()
}

fn delivered(report: &RunReport) -> usize {
    report.count(|o| matches!(o, Outcome::Delivered { .. }))
}

async fn exec(store: &Store, sql: &str) {
    insight_desk::with_pool!(store, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn ledger_rows(store: &Store) -> Vec<(String, String, i64)> {
    insight_desk::with_pool!(store, pool => {
        sqlx::query_as::<_, (String, String, i64)>(
            "SELECT job, status, attempts FROM job_runs ORDER BY scheduled_for, job",
        )
        .fetch_all(pool)
        .await
    })
    .unwrap()
}

db_story!(nine_o_clock_paris_through_daylight_saving, |store| {
    load_hand_built_shop(store).await;
    let fake = FakeSlack::start().await;
    let s = scheduler(store, &fake, |c| {
        c.schedules = vec![digest("morning", "0 9 * * *", "alerts")];
    });
    // Winter: 09:00 Paris is 08:00 UTC. At 07:59 UTC nothing is due yet.
    assert_eq!(
        delivered(&s.run_due(at("2026-03-28T07:59:00Z")).await.unwrap()),
        0
    );
    assert_eq!(
        delivered(&s.run_due(at("2026-03-28T08:00:00Z")).await.unwrap()),
        1
    );
    // Changeover day (29 March): 09:00 Paris is 07:00 UTC, once.
    assert_eq!(
        delivered(&s.run_due(at("2026-03-29T06:59:00Z")).await.unwrap()),
        0
    );
    assert_eq!(
        delivered(&s.run_due(at("2026-03-29T07:00:00Z")).await.unwrap()),
        1
    );
    assert_eq!(
        delivered(&s.run_due(at("2026-03-29T08:00:00Z")).await.unwrap()),
        0
    );
    // Autumn changeover (25 October): back to 08:00 UTC, once.
    assert_eq!(
        delivered(&s.run_due(at("2026-10-25T07:00:00Z")).await.unwrap()),
        0
    );
    assert_eq!(
        delivered(&s.run_due(at("2026-10-25T08:00:00Z")).await.unwrap()),
        1
    );
    assert_eq!(
        delivered(&s.run_due(at("2026-10-25T09:00:00Z")).await.unwrap()),
        0
    );
    assert_eq!(top_level(&fake, DIGEST_CHANNEL), 3);
    // Each message carries its run id in Slack metadata.
    let first = &fake.posted_in(DIGEST_CHANNEL)[0];
    assert_eq!(first["metadata"]["event_type"], "insight_desk_run");
    assert_eq!(
        first["metadata"]["event_payload"]["run_id"],
        "schedule:morning@2026-03-28T08:00:00Z"
    );
});

db_story!(
    one_digest_per_fire_however_often_run_due_is_called,
    |store| {
        load_hand_built_shop(store).await;
        let fake = FakeSlack::start().await;
        let s = scheduler(store, &fake, |c| {
            c.schedules = vec![digest("morning", "0 9 * * 1-5", "cockpit")];
        });
        // Wednesday 2026-11-25, 09:00 Paris = 08:00 UTC.
        let r1 = s.run_due(at("2026-11-25T08:00:00Z")).await.unwrap();
        let r2 = s.run_due(at("2026-11-25T08:00:00Z")).await.unwrap();
        assert_eq!((delivered(&r1), r2.runs.len()), (1, 0));
        assert_eq!(top_level(&fake, DIGEST_CHANNEL), 1);
        // The cockpit digest is the /cockpit message, with its chart.
        assert_eq!(fake.calls_to("files.completeUploadExternal").len(), 1);
        // A restarted scheduler (a new process) sees the ledger and posts nothing.
        let again = scheduler(store, &fake, |c| {
            c.schedules = vec![digest("morning", "0 9 * * 1-5", "cockpit")];
        });
        assert!(again
            .run_due(at("2026-11-25T08:05:00Z"))
            .await
            .unwrap()
            .runs
            .is_empty());
        // Saturday: no digest (1-5 is Monday to Friday, as in crontab).
        assert!(s
            .run_due(at("2026-11-28T08:00:00Z"))
            .await
            .unwrap()
            .runs
            .iter()
            .all(|(_, o)| !matches!(o, Outcome::Delivered { .. })));
        assert_eq!(top_level(&fake, DIGEST_CHANNEL), 1);
    }
);

db_story!(
    a_missed_run_is_caught_up_within_grace_and_skipped_after,
    |store| {
        load_hand_built_shop(store).await;
        let fake = FakeSlack::start().await;
        let s = scheduler(store, &fake, |c| {
            c.schedules = vec![digest("morning", "0 9 * * *", "alerts")];
            c.scheduler.grace_minutes = 120;
        });
        // The bot was down at 09:00 Paris (08:00 UTC) on the 24th; it comes back at 09:20.
        assert_eq!(
            delivered(&s.run_due(at("2026-11-24T08:20:00Z")).await.unwrap()),
            1
        );
        assert_eq!(
            delivered(&s.run_due(at("2026-11-24T08:25:00Z")).await.unwrap()),
            0
        );
        // On the 25th it comes back at 15:00 Paris: past the grace window, no digest, a notice.
        let late = s.run_due(at("2026-11-25T14:00:00Z")).await.unwrap();
        assert_eq!(delivered(&late), 0);
        assert!(
            matches!(&late.runs[..], [(_, Outcome::Skipped { reason })] if reason.contains("past the 120-minute grace window")),
            "{late:?}"
        );
        assert_eq!(top_level(&fake, DIGEST_CHANNEL), 1);
        // The skip is recorded once: another call does not log it again.
        assert!(s
            .run_due(at("2026-11-25T14:01:00Z"))
            .await
            .unwrap()
            .runs
            .is_empty());
        let rows = ledger_rows(store).await;
        assert_eq!(
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
            ["done", "skipped"]
        );
    }
);

db_story!(
    slack_errors_are_retried_and_a_lost_digest_is_reported,
    |store| {
        load_hand_built_shop(store).await;
        let fake = FakeSlack::start().await;
        let s = scheduler(store, &fake, |c| {
            c.schedules = vec![digest("morning", "0 9 * * *", "alerts")];
            c.scheduler.max_attempts = 2;
            c.scheduler.retry_minutes = 2;
        });
        // 500 three times then 200: one message, recorded as delivered.
        fake.fail_next("chat.postMessage", Failure::ServerError, 3);
        let r = s.run_due(at("2026-11-24T08:00:00Z")).await.unwrap();
        assert_eq!(delivered(&r), 1, "{r:?}");
        assert_eq!(top_level(&fake, DIGEST_CHANNEL), 1);
        assert_eq!(fake.calls_to("chat.postMessage").len(), 4);

        // Always 500: a retry later, then failed for good and a notice in the ops channel.
        fake.break_channel(DIGEST_CHANNEL);
        let r = s.run_due(at("2026-11-25T08:00:00Z")).await.unwrap();
        assert!(matches!(&r.runs[..], [(_, Outcome::Retry { .. })]), "{r:?}");
        assert_eq!(
            top_level(&fake, OPS_CHANNEL),
            0,
            "no notice before the last attempt"
        );
        // Not yet due for its retry.
        assert!(s
            .run_due(at("2026-11-25T08:01:00Z"))
            .await
            .unwrap()
            .runs
            .is_empty());
        let r = s.run_due(at("2026-11-25T08:02:00Z")).await.unwrap();
        assert!(
            matches!(&r.runs[..], [(_, Outcome::Failed { .. })]),
            "{r:?}"
        );
        let notices = fake.posted_in(OPS_CHANNEL);
        assert_eq!(notices.len(), 1);
        let text = notices[0]["text"].as_str().unwrap();
        assert!(
            text.contains("not delivered after 2 attempts")
                && text.contains("schedule:morning@2026-11-25T08:00:00Z"),
            "{text}"
        );
        assert!(!text.contains("xoxb"), "a secret reached Slack");
        let rows = ledger_rows(store).await;
        assert_eq!(
            rows[1],
            ("schedule:morning".to_string(), "failed".to_string(), 2)
        );
    }
);

db_story!(a_crash_after_posting_does_not_post_twice, |store| {
    load_hand_built_shop(store).await;
    let fake = FakeSlack::start().await;
    let s = scheduler(store, &fake, |c| {
        c.schedules = vec![digest("morning", "0 9 * * *", "alerts")];
        c.scheduler.lease_minutes = 10;
    });
    assert_eq!(
        delivered(&s.run_due(at("2026-11-24T08:00:00Z")).await.unwrap()),
        1
    );
    // The process died after Slack accepted the message but before the ledger said so: the
    // row is still claimed, its lease runs out.
    exec(store, "UPDATE job_runs SET status = 'claimed', message_ts = NULL, finished_at = NULL, lease_until = '2026-11-24T08:10:00+00:00'").await;
    // Within the lease, another replica leaves it alone.
    assert!(s
        .run_due(at("2026-11-24T08:05:00Z"))
        .await
        .unwrap()
        .runs
        .is_empty());
    let r = s.run_due(at("2026-11-24T08:11:00Z")).await.unwrap();
    assert!(
        matches!(&r.runs[..], [(_, Outcome::AlreadyPosted { .. })]),
        "{r:?}"
    );
    assert_eq!(top_level(&fake, DIGEST_CHANNEL), 1, "posted twice");
    assert_eq!(fake.calls_to("conversations.history").len(), 1);
    assert_eq!(ledger_rows(store).await[0].1, "done");

    // A crash before anything reached Slack: the takeover posts it, once.
    exec(store, "DELETE FROM job_runs").await;
    let fake2 = FakeSlack::start().await;
    let s2 = scheduler(store, &fake2, |c| {
        c.schedules = vec![digest("morning", "0 9 * * *", "alerts")];
    });
    exec(store, "INSERT INTO job_runs (job, scheduled_for, status, attempts, lease_until) VALUES ('schedule:morning', '2026-11-24T08:00:00+00:00', 'claimed', 1, '2026-11-24T08:10:00+00:00')").await;
    let r = s2.run_due(at("2026-11-24T08:11:00Z")).await.unwrap();
    assert_eq!(delivered(&r), 1, "{r:?}");
    assert_eq!(top_level(&fake2, DIGEST_CHANNEL), 1);
});

db_story!(the_freshness_gate_waits_then_warns, |store| {
    load_hand_built_shop(store).await;
    let fake = FakeSlack::start().await;
    let s = scheduler(store, &fake, |c| {
        let mut d = digest("morning", "0 9 * * *", "alerts");
        d.wait_for = vec!["shopify-orders".into()];
        d.wait_minutes = 60;
        c.schedules = vec![d];
    });
    // No sync today: it waits (not an attempt), up to an hour.
    let r = s.run_due(at("2026-11-24T08:00:00Z")).await.unwrap();
    assert!(
        matches!(&r.runs[..], [(_, Outcome::Waiting { .. })]),
        "{r:?}"
    );
    assert!(s
        .run_due(at("2026-11-24T08:02:00Z"))
        .await
        .unwrap()
        .runs
        .is_empty());
    let r = s.run_due(at("2026-11-24T08:05:00Z")).await.unwrap();
    assert!(
        matches!(&r.runs[..], [(_, Outcome::Waiting { .. })]),
        "{r:?}"
    );
    assert_eq!(top_level(&fake, DIGEST_CHANNEL), 0);
    // The deadline passes: it goes out, saying the data may be incomplete.
    let r = s.run_due(at("2026-11-24T09:00:00Z")).await.unwrap();
    assert_eq!(delivered(&r), 1, "{r:?}");
    let posted = fake.posted_in(DIGEST_CHANNEL);
    assert_eq!(posted.len(), 1);
    assert!(posted[0]
        .to_string()
        .contains("Data may be incomplete: no sync today for shopify-orders"));
    assert_eq!(
        ledger_rows(store).await[0],
        ("schedule:morning".to_string(), "done".to_string(), 1)
    );

    // Synced this morning: the next day's digest goes out at once, without a warning.
    exec(store, "INSERT INTO sync_state (source, last_success_at) VALUES ('shopify-orders', '2026-11-25T05:00:00+00:00')").await;
    let r = s.run_due(at("2026-11-25T08:00:00Z")).await.unwrap();
    assert_eq!(delivered(&r), 1, "{r:?}");
    assert!(!fake.posted_in(DIGEST_CHANNEL)[1]
        .to_string()
        .contains("incomplete"));
});

/// Two replicas (two pools on one database) call `run-due` for the same instant at the same
/// time, for 50 instants: exactly 50 digests.
async fn replicas_story(url: &str) {
    let one = Store::open(url).await.unwrap();
    let two = Store::open(url).await.unwrap();
    let fake = FakeSlack::start().await;
    let config = |c: &mut Config| {
        c.schedules = vec![digest("every-minute", "* * * * *", "alerts")];
    };
    let a = scheduler(&one, &fake, config);
    let b = scheduler(&two, &fake, config);
    let start = at("2026-11-24T08:00:00Z");
    for i in 0..50 {
        let now = start + chrono::Duration::minutes(i);
        let (ra, rb) = tokio::join!(a.run_due(now), b.run_due(now));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert_eq!(
            delivered(&ra) + delivered(&rb),
            1,
            "instant {now}: {ra:?} {rb:?}"
        );
    }
    assert_eq!(top_level(&fake, DIGEST_CHANNEL), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_post_each_digest_once_sqlite() {
    let t = crate::support::TestStore::sqlite().await;
    let url = t.url.clone();
    replicas_story(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_post_each_digest_once_postgres() {
    if let Some(t) = crate::support::TestStore::postgres().await {
        let url = t.url.clone();
        replicas_story(&url).await;
    }
}

#[test]
fn bad_schedules_are_refused_with_what_to_fix() {
    let registry = Registry::embedded().unwrap();
    let parse = |s: ScheduleConfig| s.parse(chrono_tz::Europe::Paris, &registry).unwrap_err();
    let mut d = digest("morning", "0 9 * *", "cockpit");
    assert!(parse(d.clone()).contains("4 field(s)"));
    d.cron = "0 9 * * 1-5".into();
    d.channel = "#direction".into();
    assert!(parse(d.clone()).contains("not a Slack channel id"));
    d.channel = DIGEST_CHANNEL.into();
    d.report = "blorp".into();
    assert!(parse(d.clone()).contains("not cockpit, alerts, or a question"));
    d.report = "marge par canal 30j".into();
    assert!(d.parse(chrono_tz::Europe::Paris, &registry).is_ok());
}

//! The Slack bot as users meet it, against the fake Slack on loopback: signed HTTP commands,
//! Socket Mode envelopes, allow-lists, rate limits and failed uploads, on SQLite and Postgres.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use insight_desk::commands::App;
use insight_desk::config::Config;
use insight_desk::domain::Lang;
use insight_desk::metrics::Registry;
use insight_desk::reply::Visibility;
use insight_desk::slack::fake::{Failure, FakeSlack};
use insight_desk::slack::{http, socket::SocketMode, Bot, CommandPolicy, Secret, SlackApi};
use insight_desk::store::Store;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::cockpit::load_hand_built_shop;
use crate::db_story;
use crate::support::paris_shop;

pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Harness {
    pub fake: FakeSlack,
    pub bot: Arc<Bot>,
    pub addr: SocketAddr,
    client: reqwest::Client,
}

/// Starts the bot (HTTP mode on port 0) over `store`, talking to a fresh fake Slack.
pub async fn spawn_bot(store: &Store, tweak: impl FnOnce(&mut Config)) -> Harness {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn,audit=info")
        .try_init();
    let fake = FakeSlack::start().await;
    let mut config = Config::default();
    config.slack.api_url = fake.api_url();
    config.slack.bot_token = Some(Secret::new("xoxb-test-token"));
    config.slack.app_token = Some(Secret::new("xapp-test-token"));
    config.slack.signing_secret = Some(Secret::new(SECRET));
    config.slack.max_attempts = 3;
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
        .with_base_backoff(Duration::from_millis(10));
    let bot = Bot::new(Arc::new(app), api);
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(http::serve(
        bot.clone(),
        "127.0.0.1:0".parse().unwrap(),
        Some(tx),
    ));
    let addr = rx.await.unwrap();
    Harness {
        fake,
        bot,
        addr,
        client: reqwest::Client::new(),
    }
}

pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("v0={hex}")
}

pub fn command_form(
    fake: &FakeSlack,
    command: &str,
    text: &str,
    user: &str,
    channel: &str,
    trigger: &str,
) -> String {
    serde_urlencoded::to_string([
        ("token", "legacy-verification-token"),
        ("team_id", "T0FAKE"),
        ("team_domain", "fakeshop"),
        ("channel_id", channel),
        ("channel_name", "direction"),
        ("user_id", user),
        ("user_name", "ceo"),
        ("command", command),
        ("text", text),
        ("api_app_id", "AFAKE"),
        ("response_url", &fake.response_url(trigger)),
        ("trigger_id", trigger),
    ])
    .unwrap()
}

impl Harness {
    /// POSTs a form to the commands endpoint, signed with `secret` at `timestamp` (None: no
    /// signature headers at all). Returns status, body and how long the answer took.
    pub async fn post(
        &self,
        path: &str,
        body: &str,
        signature: Option<(&str, i64)>,
    ) -> (u16, String, Duration) {
        let mut req = self
            .client
            .post(format!("http://{}{path}", self.addr))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string());
        if let Some((secret, ts)) = signature {
            req = req
                .header("x-slack-request-timestamp", ts.to_string())
                .header("x-slack-signature", sign(secret, ts, body));
        }
        let start = Instant::now();
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, text, start.elapsed())
    }

    pub async fn command(
        &self,
        command: &str,
        text: &str,
        user: &str,
        channel: &str,
        trigger: &str,
    ) -> (u16, Value, Duration) {
        let body = command_form(&self.fake, command, text, user, channel, trigger);
        let (status, text, took) = self
            .post("/slack/commands", &body, Some((SECRET, now())))
            .await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            took,
        )
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn all_text(v: &Value) -> String {
    v.to_string()
}

db_story!(
    ceo_types_cockpit_over_http_and_gets_the_slide_with_its_chart,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        let (status, ack, took) = h
            .command("/cockpit", "2026-11-20", "UCEO", "CDIRECTION", "trig-1")
            .await;
        assert_eq!(status, 200);
        assert!(took < Duration::from_secs(3), "ack took {took:?}");
        assert_eq!(ack["response_type"], "ephemeral", "{ack}");

        h.fake
            .wait_for(WAIT, "the chart completed into the channel", |calls| {
                calls
                    .iter()
                    .any(|c| c.method == "files.completeUploadExternal")
            })
            .await;
        let posts = h.fake.calls_to("chat.postMessage");
        assert_eq!(posts.len(), 1, "one message");
        let post = &posts[0].body;
        assert_eq!(post["channel"], "CDIRECTION");
        // The blocks Slack receives are the ones `report cockpit --format blocks` renders.
        let rendered =
            insight_desk::commands::render_cockpit(&h.bot.app, "2026-11-20".parse().unwrap())
                .await
                .unwrap();
        assert_eq!(post["blocks"], rendered.messages[0].to_json()["blocks"]);
        // Revenue of 20 Nov in the hand-built shop is 72 € against a 150 € target (tests/cockpit.rs).
        assert!(
            all_text(&post["blocks"]).contains("Revenue: *€72*"),
            "{}",
            post["blocks"]
        );
        assert!(
            all_text(&post["blocks"]).contains("target €150"),
            "{}",
            post["blocks"]
        );

        let urls = h.fake.calls_to("files.getUploadURLExternal");
        assert_eq!(urls.len(), 1, "one chart: revenue vs target");
        assert_eq!(urls[0].body["filename"], "revenue_vs_target.png");
        let uploads = h.fake.calls_to("upload");
        assert_eq!(uploads.len(), 1);
        assert_eq!(
            uploads[0].bytes.to_string(),
            urls[0].body["length"].as_str().unwrap()
        );
        let complete = &h.fake.calls_to("files.completeUploadExternal")[0].body;
        assert_eq!(complete["channel_id"], "CDIRECTION");
        assert!(complete["files"].to_string().contains(
            urls[0]
                .body
                .get("file_id")
                .and_then(Value::as_str)
                .unwrap_or("F")
        ));
        assert!(
            h.fake.calls_to("response_url").is_empty(),
            "in-channel answers go through chat.postMessage"
        );
    }
);

db_story!(
    bad_stale_and_missing_signatures_are_refused_without_a_call,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        let body = command_form(&h.fake, "/cockpit", "", "UCEO", "CDIRECTION", "trig-sig");
        let (missing, _, _) = h.post("/slack/commands", &body, None).await;
        let (wrong, _, _) = h
            .post("/slack/commands", &body, Some(("not-the-secret", now())))
            .await;
        let (stale, _, _) = h
            .post("/slack/commands", &body, Some((SECRET, now() - 301)))
            .await;
        let tampered = body.replace("UCEO", "UEVIL");
        let ts = now();
        let mut req = reqwest::Client::new()
            .post(format!("http://{}/slack/commands", h.addr))
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SECRET, ts, &body));
        req = req.body(tampered);
        let tampered_status = req.send().await.unwrap().status().as_u16();
        assert_eq!(
            (missing, wrong, stale, tampered_status),
            (401, 401, 401, 401)
        );
        let (events, _, _) = h.post("/slack/events", "{}", Some(("nope", now()))).await;
        let (interactions, _, _) = h.post("/slack/interactions", "payload=%7B%7D", None).await;
        assert_eq!((events, interactions), (401, 401));
        // A body over slack.max_body_bytes (64 KiB) is refused before anything reads it.
        let huge = format!("{body}&text={}", "x".repeat(100 * 1024));
        let (too_big, _, _) = h
            .post("/slack/commands", &huge, Some((SECRET, now())))
            .await;
        assert_eq!(too_big, 413);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            h.fake.calls().is_empty(),
            "nothing executed: {:?}",
            h.fake.calls()
        );
    }
);

db_story!(
    a_member_off_the_allow_list_is_refused_politely_and_sees_no_data,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |c| {
            c.slack.commands.insert(
                "cockpit".into(),
                CommandPolicy {
                    users: vec!["UCEO".into()],
                    channels: vec!["CDIRECTION".into()],
                    reply: None,
                },
            );
        })
        .await;
        let (status, ack, _) = h
            .command("/cockpit", "", "UINTERN", "CDIRECTION", "trig-r1")
            .await;
        assert_eq!(status, 200);
        assert_eq!(ack["response_type"], "ephemeral");
        assert!(ack.to_string().contains("restricted"), "{ack}");
        assert!(!ack.to_string().contains("€72"), "no figure in a refusal");
        // The CEO, but in a channel not on the list.
        let (_, ack2, _) = h
            .command("/cockpit", "", "UCEO", "CRANDOM", "trig-r2")
            .await;
        assert!(ack2.to_string().contains("restricted"), "{ack2}");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            h.fake.calls().is_empty(),
            "no call for a refused command: {:?}",
            h.fake.calls()
        );
    }
);

db_story!(
    a_429_on_post_message_is_waited_out_and_posts_once,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        h.fake.fail_next(
            "chat.postMessage",
            Failure::RateLimited {
                retry_after_secs: 1,
            },
            1,
        );
        h.command("/cockpit", "2026-11-20", "UCEO", "CDIRECTION", "trig-429")
            .await;
        h.fake
            .wait_for(WAIT, "the message after the wait", |calls| {
                calls
                    .iter()
                    .filter(|c| c.method == "chat.postMessage")
                    .count()
                    == 2
            })
            .await;
        let posts = h.fake.calls_to("chat.postMessage");
        let gap = posts[1].at - posts[0].at;
        assert!(
            gap >= Duration::from_millis(950),
            "retried after {gap:?}, before Retry-After"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            h.fake.calls_to("chat.postMessage").len(),
            2,
            "one refused + one posted, no more"
        );
    }
);

db_story!(
    a_failed_upload_still_posts_the_answer_with_a_note,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        h.fake.fail_next("upload", Failure::ServerError, 3);
        h.command("/cockpit", "2026-11-20", "UCEO", "CDIRECTION", "trig-up")
            .await;
        h.fake
            .wait_for(WAIT, "the message", |calls| {
                calls.iter().any(|c| c.method == "chat.postMessage")
            })
            .await;
        let post = &h.fake.calls_to("chat.postMessage")[0].body;
        assert!(
            post["blocks"].to_string().contains("Chart unavailable"),
            "{}",
            post["blocks"]
        );
        assert!(
            post["blocks"].to_string().contains("Revenue: *€72*"),
            "the figures are still there"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(h.fake.calls_to("files.completeUploadExternal").is_empty());
    }
);

db_story!(
    socket_mode_acks_the_envelope_and_answers_a_redelivery_once,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        let socket = SocketMode::start(h.bot.clone()).await.unwrap();
        let envelope = json!({
            "type": "slash_commands",
            "envelope_id": "env-1",
            "accepts_response_payload": true,
            "payload": {
                "team_id": "T0FAKE", "team_domain": "fakeshop", "channel_id": "CDIRECTION",
                "channel_name": "direction", "user_id": "UCEO", "user_name": "ceo",
                "command": "/cockpit", "text": "2026-11-20", "api_app_id": "AFAKE",
                "response_url": h.fake.response_url("sock-1"), "trigger_id": "trig-sock-1"
            }
        });
        h.fake.push_envelope(envelope.clone());
        h.fake
            .wait_for(WAIT, "the chart", |calls| {
                calls
                    .iter()
                    .any(|c| c.method == "files.completeUploadExternal")
            })
            .await;
        let acks = h.fake.acks();
        assert_eq!(acks.len(), 1, "{acks:?}");
        assert_eq!(acks[0]["envelope_id"], "env-1");
        assert_eq!(acks[0]["payload"]["response_type"], "ephemeral");
        // Slack redelivers the same envelope (say, the ack was lost).
        h.fake.push_envelope(envelope);
        let start = Instant::now();
        while h.fake.acks().len() < 2 && start.elapsed() < WAIT {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(h.fake.acks().len(), 2, "the redelivery is acked too");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            h.fake.calls_to("chat.postMessage").len(),
            1,
            "answered once"
        );
        assert!(!h.fake.calls_to("apps.connections.open").is_empty());
        socket.shutdown().await;
    }
);

db_story!(
    an_ephemeral_command_answers_through_response_url_only,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |c| {
            c.slack.commands.insert(
                "cockpit".into(),
                CommandPolicy {
                    reply: Some(Visibility::Ephemeral),
                    ..CommandPolicy::default()
                },
            );
        })
        .await;
        h.command("/cockpit", "2026-11-20", "UCEO", "CDIRECTION", "trig-eph")
            .await;
        h.fake
            .wait_for(WAIT, "the response_url post", |calls| {
                calls.iter().any(|c| c.method == "response_url")
            })
            .await;
        let r = &h.fake.calls_to("response_url")[0].body;
        assert_eq!(r["response_type"], "ephemeral");
        assert_eq!(r["_response_id"], "trig-eph");
        assert!(r["blocks"].to_string().contains("Revenue: *€72*"));
        assert!(
            r["blocks"].to_string().contains("Chart not attached"),
            "{}",
            r["blocks"]
        );
        assert!(h.fake.calls_to("chat.postMessage").is_empty());
        assert!(h.fake.calls_to("files.getUploadURLExternal").is_empty());
    }
);

db_story!(
    an_internal_error_reaches_slack_as_a_sentence_with_a_reference,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        store.close().await;
        h.command("/cockpit", "2026-11-20", "UCEO", "CDIRECTION", "trig-err")
            .await;
        h.fake
            .wait_for(WAIT, "the apology", |calls| {
                calls.iter().any(|c| c.method == "response_url")
            })
            .await;
        let r = h.fake.calls_to("response_url")[0].body.to_string();
        assert!(r.contains("Sorry") && r.contains("ref"), "{r}");
        for leak in ["SELECT", "sqlx", "pool", "panicked", ".rs:"] {
            assert!(!r.contains(leak), "{leak} leaked: {r}");
        }
    }
);

#[tokio::test]
async fn the_signature_of_slacks_documented_example_verifies() {
    // Slack's documentation example (recomputed in SLACK_NOTES.md).
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        sign(SECRET, 1531420618, body),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
}

db_story!(
    insight_over_http_answers_with_a_table_and_a_chart,
    |store| {
        load_hand_built_shop(store).await;
        let h = spawn_bot(store, |_| {}).await;
        let (status, ack, took) = h
            .command(
                "/insight",
                "revenue by channel from 2026-11-19 to 2026-11-20",
                "UCEO",
                "CDIRECTION",
                "trig-ins",
            )
            .await;
        assert_eq!(status, 200);
        assert!(took < Duration::from_secs(3), "ack took {took:?}");
        assert_eq!(ack["response_type"], "ephemeral");
        h.fake
            .wait_for(WAIT, "the answer's chart", |calls| {
                calls
                    .iter()
                    .any(|c| c.method == "files.completeUploadExternal")
            })
            .await;
        let posts = h.fake.calls_to("chat.postMessage");
        assert_eq!(posts.len(), 1);
        let blocks = posts[0].body["blocks"].to_string();
        // Hand-built shop, 19–20 Nov: Email 70 €, Organic 20 €, Meta 18 €, total 108 €.
        for expected in ["Email", "€70", "Organic", "€20", "Meta Ads", "€18", "€108"] {
            assert!(
                blocks.contains(expected),
                "{expected} missing from {blocks}"
            );
        }
        assert_eq!(h.fake.calls_to("files.getUploadURLExternal").len(), 1);

        // A question it does not understand: closest metrics and examples, privately.
        h.command(
            "/insight",
            "chiffre d'afaires par canal; DROP TABLE orders",
            "UCEO",
            "CDIRECTION",
            "trig-ins-2",
        )
        .await;
        h.command("/insight", "blorp", "UCEO", "CDIRECTION", "trig-ins-3")
            .await;
        h.fake
            .wait_for(WAIT, "the private answers", |calls| {
                calls.iter().filter(|c| c.method == "response_url").count() >= 1
            })
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let private: Vec<String> = h
            .fake
            .calls_to("response_url")
            .iter()
            .map(|c| c.body.to_string())
            .collect();
        assert!(
            private
                .iter()
                .all(|p| p.contains("\"response_type\":\"ephemeral\"")),
            "{private:?}"
        );
        assert!(
            private.iter().any(|p| p.contains("/insight")),
            "examples shown: {private:?}"
        );
        assert!(
            store.count_rows("orders").await.unwrap() > 0,
            "store intact"
        );
    }
);

//! `bench slack`: the bot measured as Slack meets it. Starts the real binary in HTTP mode
//! (`serve --mode http`) against the fake Slack on loopback, then measures: idle RSS, the
//! ack latency of signed slash commands sent N at a time, and `/cockpit` from the command to
//! the message and its chart arriving at the fake. Prints a table; nothing is asserted.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use comfy_table::{presets::UTF8_FULL, Table};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cli::BenchSlackArgs;
use crate::slack::fake::FakeSlack;

const SECRET: &str = "bench-signing-secret";

fn sign(timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("v0={hex}")
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn percentile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[i.saturating_sub(1).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

struct Client {
    http: reqwest::Client,
    url: String,
    fake: FakeSlack,
}

impl Client {
    async fn command(&self, command: &str, text: &str, trigger: &str) -> anyhow::Result<Duration> {
        let body = serde_urlencoded::to_string([
            ("team_id", "TBENCH"),
            ("channel_id", "CBENCH"),
            ("user_id", "UBENCH"),
            ("command", command),
            ("text", text),
            ("response_url", &self.fake.response_url(trigger)),
            ("trigger_id", trigger),
        ])?;
        let ts = chrono::Utc::now().timestamp();
        let start = Instant::now();
        let resp = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(ts, &body))
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(resp.status().is_success(), "ack was {}", resp.status());
        resp.bytes().await?;
        Ok(start.elapsed())
    }
}

pub async fn run(database_url: String, args: BenchSlackArgs) -> anyhow::Result<()> {
    let fake = FakeSlack::start().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let exe = std::env::current_exe().context("cannot find the insight-desk executable")?;
    let mut child = tokio::process::Command::new(exe)
        .args(["serve", "--mode", "http", "--port", &port.to_string()])
        .env("DATABASE_URL", &database_url)
        .env("SLACK_API_URL", fake.api_url())
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("INSIGHT_DESK_SLACK__LISTEN", "127.0.0.1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("failed to start `insight-desk serve`")?;
    let pid = child.id().unwrap_or(0);
    let base = format!("http://127.0.0.1:{port}");
    crate::slack::api::install_crypto_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "serve did not answer /healthz within 2 minutes"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ready_ms = started.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = rss_mb(pid);
    let client = Client {
        http,
        url: format!("{base}/slack/commands"),
        fake: fake.clone(),
    };

    // Acks: N signed `/insight list` commands, `concurrency` in flight at once.
    let mut acks: Vec<Duration> = futures::stream::iter(0..args.requests)
        .map(|i| {
            let client = &client;
            async move {
                client
                    .command("/insight", "list", &format!("ack-{i}"))
                    .await
            }
        })
        .buffer_unordered(args.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    acks.sort();
    fake.wait_for(
        Duration::from_secs(120),
        "every /insight list answer",
        |calls| calls.iter().filter(|c| c.method == "response_url").count() >= args.requests,
    )
    .await;

    // /cockpit: from the command to the message and the chart at the fake.
    let date = args
        .date
        .map(|d: NaiveDate| d.to_string())
        .unwrap_or_default();
    let mut cockpit = Vec::new();
    for i in 0..args.cockpit_runs {
        let before = fake.calls_to("files.completeUploadExternal").len();
        let start = Instant::now();
        client
            .command("/cockpit", &date, &format!("cockpit-{i}"))
            .await?;
        fake.wait_for(Duration::from_secs(120), "the cockpit's chart", |calls| {
            calls
                .iter()
                .filter(|c| c.method == "files.completeUploadExternal")
                .count()
                > before
        })
        .await;
        cockpit.push(start.elapsed());
    }
    let loaded_rss = rss_mb(pid);
    let _ = child.kill().await;

    let cold = cockpit.first().copied();
    let mut warm: Vec<Duration> = cockpit.iter().skip(1).copied().collect();
    warm.sort();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL);
    t.set_header(vec!["measure", "value", "target"]);
    t.add_row(vec![
        "serve ready (start → /healthz)".to_string(),
        format!("{ready_ms:.0} ms"),
        "—".into(),
    ]);
    t.add_row(vec![
        "idle RSS of serve".to_string(),
        format!("{idle_rss:.1} MB"),
        "≤ 60 MB".into(),
    ]);
    t.add_row(vec![
        format!(
            "ack latency p50 ({} signed commands, {} concurrent)",
            args.requests, args.concurrency
        ),
        format!("{:.1} ms", percentile_ms(&acks, 0.50)),
        "—".into(),
    ]);
    t.add_row(vec![
        "ack latency p99".to_string(),
        format!("{:.1} ms", percentile_ms(&acks, 0.99)),
        "≤ 50 ms".into(),
    ]);
    t.add_row(vec![
        "ack latency max".to_string(),
        format!("{:.1} ms", percentile_ms(&acks, 1.0)),
        "—".into(),
    ]);
    t.add_row(vec![
        "/cockpit → message + chart at Slack, first".to_string(),
        cold.map(|d| format!("{:.0} ms", d.as_secs_f64() * 1000.0))
            .unwrap_or_else(|| "—".into()),
        "—".into(),
    ]);
    t.add_row(vec![
        format!("/cockpit → message + chart, median of {}", warm.len()),
        format!("{:.0} ms", percentile_ms(&warm, 0.5)),
        "≤ 1 s at 1 M orders".into(),
    ]);
    t.add_row(vec![
        "RSS of serve after the runs".to_string(),
        format!("{loaded_rss:.1} MB"),
        "—".into(),
    ]);
    println!(
        "bench slack · {} · {}\n{t}",
        crate::store::redact_url(&database_url),
        super::bench::machine()
    );
    Ok(())
}

//! From findings to Slack, once: open → posted once (evidence, chart, action, mute button;
//! details in the thread) → quiet while open or muted (a reminder in the thread only when the
//! rule asks for one) → "resolved" in the thread when the finding is gone.
//!
//! A post that fails leaves the alert open without a thread; the next evaluation posts it,
//! after checking the channel for the alert's metadata tag in case the first post did reach
//! Slack before the failure (so a crash between "posted" and "recorded" does not post twice).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::render;
use super::rules::Evaluation;
use super::state::{self, AlertRow};
use super::Finding;
use crate::commands::App;
use crate::schedule::AlertRule;
use crate::slack::deliver::{deliver, Target};
use crate::slack::SlackApi;

/// What one evaluation did, for the ledger and the logs.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LifecycleReport {
    pub opened: Vec<String>,
    pub reminded: Vec<String>,
    pub resolved: Vec<String>,
    /// Open alerts left alone (already posted, or muted).
    pub quiet: Vec<String>,
    /// Posts that failed (the alert stays open and is posted by the next evaluation).
    pub failed: Vec<String>,
}

impl LifecycleReport {
    pub fn summary(&self) -> String {
        format!(
            "{} opened, {} reminded, {} resolved, {} quiet, {} failed",
            self.opened.len(),
            self.reminded.len(),
            self.resolved.len(),
            self.quiet.len(),
            self.failed.len()
        )
    }
}

/// The metadata tag of an alert's first message.
pub fn alert_tag(id: &str) -> String {
    format!("alert:{id}")
}

pub async fn apply(
    app: &App,
    api: &SlackApi,
    rules: &[AlertRule],
    evaluation: &Evaluation,
    now: DateTime<Utc>,
) -> anyhow::Result<LifecycleReport> {
    let mut report = LifecycleReport::default();
    let open = state::open_alerts(&app.store).await?;
    for finding in &evaluation.findings {
        let Some(rule) = rules.iter().find(|r| r.kind == finding.rule) else {
            continue;
        };
        let evidence = evidence_of(finding);
        let existing = open
            .iter()
            .find(|a| a.rule == finding.rule.as_str() && a.subject == finding.subject);
        let row = match existing {
            Some(row) => {
                state::update_evidence(&app.store, &row.id, &evidence).await?;
                row.clone()
            }
            None => match state::open(
                &app.store,
                finding.rule.as_str(),
                &finding.subject,
                &rule.channel,
                &evidence,
                now,
            )
            .await?
            {
                Some(row) => row,
                // Another evaluation opened it a moment ago: it posts it.
                None => continue,
            },
        };
        let outcome = if row.is_muted(now) {
            Ok(Step::Quiet)
        } else if row.thread_ts.is_none() {
            post_new(app, api, &row, finding, now)
                .await
                .map(|_| Step::Opened)
        } else if due_reminder(&row, rule.repeat, now) {
            remind(app, api, &row, finding, now)
                .await
                .map(|_| Step::Reminded)
        } else {
            Ok(Step::Quiet)
        };
        match outcome {
            Ok(Step::Opened) => report.opened.push(row.id.clone()),
            Ok(Step::Reminded) => report.reminded.push(row.id.clone()),
            Ok(Step::Quiet) => report.quiet.push(row.id.clone()),
            Err(e) => {
                tracing::error!(
                    alert = row.id,
                    rule = row.rule,
                    error = format!("{e:#}"),
                    "alert could not be posted; the next evaluation tries again"
                );
                report.failed.push(row.id.clone());
            }
        }
    }
    let evaluated: Vec<&str> = rules
        .iter()
        .filter(|r| !evaluation.failed.iter().any(|(k, _)| *k == r.kind))
        .map(|r| r.kind.as_str())
        .collect();
    for row in &open {
        let still = evaluation
            .findings
            .iter()
            .any(|f| f.rule.as_str() == row.rule && f.subject == row.subject);
        if still || !evaluated.contains(&row.rule.as_str()) {
            continue;
        }
        match resolve(app, api, row, now).await {
            Ok(()) => report.resolved.push(row.id.clone()),
            Err(e) => {
                tracing::error!(
                    alert = row.id,
                    error = format!("{e:#}"),
                    "resolved alert could not be told; the next evaluation tries again"
                );
                report.failed.push(row.id.clone());
            }
        }
    }
    tracing::info!(summary = report.summary(), "alerts evaluated");
    Ok(report)
}

enum Step {
    Opened,
    Reminded,
    Quiet,
}

fn due_reminder(row: &AlertRow, repeat: Option<Duration>, now: DateTime<Utc>) -> bool {
    match (repeat, row.last_posted_at) {
        (Some(every), Some(last)) => last + every <= now,
        _ => false,
    }
}

/// What is kept with the alert: the shown figures and the rule's own evidence.
fn evidence_of(finding: &Finding) -> serde_json::Value {
    json!({
        "title": finding.title, "value": finding.value, "baseline": finding.baseline,
        "action": finding.action, "as_of": finding.as_of, "details": finding.details,
        "data": finding.evidence,
    })
}

async fn post_new(
    app: &App,
    api: &SlackApi,
    row: &AlertRow,
    finding: &Finding,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let tag = alert_tag(&row.id);
    let since = row.opened_at - Duration::minutes(5);
    if let Some(ts) = api.find_tagged(&row.channel_id, &tag, since).await? {
        tracing::info!(
            alert = row.id,
            ts,
            "alert was already posted (found by its metadata)"
        );
        state::posted(&app.store, &row.id, &ts, now).await?;
        return Ok(());
    }
    let reply = render::alert(finding, &row.id, app.lang);
    let target = Target {
        channel_id: row.channel_id.clone(),
        user_id: String::new(),
        response_url: None,
        tag: Some(tag),
    };
    let delivered = deliver(api, &reply, &target, app.lang).await?;
    let Some(ts) = delivered.message_ts.first().cloned() else {
        anyhow::bail!("Slack gave no message ts for alert {}", row.id);
    };
    state::posted(&app.store, &row.id, &ts, now).await?;
    for message in render::details(finding, app.lang) {
        api.post_message(&row.channel_id, &message, Some(&ts))
            .await?;
    }
    Ok(())
}

async fn remind(
    app: &App,
    api: &SlackApi,
    row: &AlertRow,
    finding: &Finding,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let thread = row.thread_ts.as_deref();
    api.post_message(
        &row.channel_id,
        &render::reminder(finding, row, app.lang),
        thread,
    )
    .await?;
    state::posted(&app.store, &row.id, thread.unwrap_or_default(), now).await?;
    Ok(())
}

async fn resolve(
    app: &App,
    api: &SlackApi,
    row: &AlertRow,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if let Some(thread) = row.thread_ts.as_deref() {
        api.post_message(
            &row.channel_id,
            &render::resolved(row, now, app.lang),
            Some(thread),
        )
        .await?;
    }
    state::resolve(&app.store, &row.id, now).await
}

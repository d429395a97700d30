//! [`Scheduler::run_due`]: everything due at an instant, each fire exactly once.
//!
//! For each job (a `[[schedules]]` digest, or the alert evaluation) the fires since the last
//! one recorded are listed in the job's time zone. The latest is claimed in the ledger and run
//! if it is at most `grace_minutes` late; a later one is recorded as skipped with a logged
//! notice; older ones are superseded (nobody wants three stale digests after an outage).
//! Runs whose retry is due, and runs whose replica died holding them, are taken first.
//!
//! A delivery attempt either succeeds (the ledger row is `done` with the message `ts`), or
//! is retried later with back-off (`retry`), or, after `max_attempts`, is `failed` and a notice
//! goes to the ops channel: never a silent "success". A retried run first looks for its own
//! message in the channel (Slack message metadata carries the run id), so a crash between
//! "posted" and "recorded" does not post twice.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::config::{AlertRule, ReportKind, Schedule, SchedulerConfig};
use super::ledger::{self, Claim};
use super::CronSchedule;
use crate::alerts;
use crate::commands::App;
use crate::render::Message;
use crate::reply::{Reply, Visibility};
use crate::slack::deliver::{deliver, Target};
use crate::slack::{SlackApi, SlackError};

/// The ledger key of the alert evaluation job.
pub const ALERTS_JOB: &str = "alerts:evaluate";

#[derive(Debug, Clone)]
pub enum JobKind {
    Digest(Box<Schedule>),
    Alerts,
    /// An API sync (`[sync.<source>] schedule`): ledger key `sync:<source>`.
    Sync(crate::sync::Source),
}

/// Something the scheduler runs: a ledger key, when, and what.
#[derive(Debug, Clone)]
pub struct Job {
    /// `schedule:<name>` or [`ALERTS_JOB`].
    pub key: String,
    pub cron: CronSchedule,
    pub kind: JobKind,
}

impl Job {
    pub fn channel(&self) -> Option<&str> {
        match &self.kind {
            JobKind::Digest(s) => Some(&s.channel),
            JobKind::Alerts | JobKind::Sync(_) => None,
        }
    }
}

/// The configuration's schedules and alert rules, parsed and checked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub jobs: Vec<Job>,
    pub rules: Vec<AlertRule>,
    pub settings: SchedulerConfig,
}

impl Plan {
    /// Parses `[[schedules]]`, `[[alerts]]` and `[scheduler]`. `shop_tz` is the default time
    /// zone. Every problem is reported with the schedule or rule it is in.
    pub fn from_config(
        config: &crate::config::Config,
        shop_tz: Tz,
        registry: &crate::metrics::Registry,
    ) -> anyhow::Result<Plan> {
        let settings = config.scheduler.clone();
        let mut jobs = Vec::new();
        let mut names = std::collections::BTreeSet::new();
        for s in &config.schedules {
            let schedule = s
                .parse(shop_tz, registry)
                .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
            anyhow::ensure!(
                names.insert(schedule.name.clone()),
                "invalid configuration: two schedules are named {:?}: names identify runs in the ledger, make them unique",
                schedule.name
            );
            jobs.push(Job {
                key: format!("schedule:{}", schedule.name),
                cron: schedule.cron.clone(),
                kind: JobKind::Digest(Box::new(schedule)),
            });
        }
        let mut rules: Vec<AlertRule> = Vec::new();
        for r in &config.alerts {
            let rule = r
                .parse()
                .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
            anyhow::ensure!(
                !rules.iter().any(|x| x.kind == rule.kind),
                "invalid configuration: alert rule {} is declared twice: one [[alerts]] table per rule",
                rule.kind.as_str()
            );
            rules.push(rule);
        }
        if let Some(ops) = &settings.ops_channel {
            super::config::check_channel(ops).map_err(|e| {
                anyhow::anyhow!("invalid configuration: scheduler.ops_channel: {e}")
            })?;
        }
        anyhow::ensure!(
            settings.grace_minutes >= 0 && settings.max_attempts >= 1 && settings.lease_minutes >= 1,
            "invalid configuration: scheduler.grace_minutes must be ≥ 0, max_attempts and lease_minutes ≥ 1"
        );
        if !rules.is_empty() {
            let tz = settings.alerts_timezone.unwrap_or(shop_tz);
            let cron = CronSchedule::parse(&settings.alerts_cron, tz).map_err(|e| {
                anyhow::anyhow!("invalid configuration: scheduler.alerts_cron: {e}")
            })?;
            jobs.push(Job {
                key: ALERTS_JOB.into(),
                cron,
                kind: JobKind::Alerts,
            });
        }
        jobs.extend(crate::sync::scheduled_jobs(&config.sync, shop_tz)?);
        Ok(Plan {
            jobs,
            rules,
            settings,
        })
    }
}

/// What happened to one run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Delivered {
        ts: Option<String>,
        summary: String,
    },
    /// A retried run found its own message already in the channel.
    AlreadyPosted {
        ts: String,
    },
    /// The freshness gate holds it until `until`.
    Waiting {
        until: DateTime<Utc>,
        sources: Vec<String>,
    },
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    Failed {
        error: String,
    },
    Skipped {
        reason: String,
    },
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    /// (run id, outcome), in the order they ran.
    pub runs: Vec<(String, Outcome)>,
}

impl RunReport {
    pub fn count(&self, pred: impl Fn(&Outcome) -> bool) -> usize {
        self.runs.iter().filter(|(_, o)| pred(o)).count()
    }
}

pub struct Scheduler {
    pub app: Arc<App>,
    pub api: SlackApi,
    pub plan: Plan,
}

impl Scheduler {
    pub fn new(app: Arc<App>, api: SlackApi) -> anyhow::Result<Scheduler> {
        let plan = Plan::from_config(&app.config, app.shop.timezone, &app.registry)?;
        Ok(Scheduler { app, api, plan })
    }

    /// Runs whatever is due at `now`: retries and taken-over runs, then each job's latest fire.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<RunReport> {
        let store = &self.app.store;
        let settings = &self.plan.settings;
        let mut report = RunReport::default();
        for claim in ledger::claim_due_retries(store, now, settings.lease()).await? {
            let outcome = match self.plan.jobs.iter().find(|j| j.key == claim.job) {
                Some(job) => self.execute(job, &claim, now).await?,
                None => {
                    let error = "the schedule is no longer in the configuration";
                    ledger::failed(store, &claim, now, error).await?;
                    Outcome::Failed {
                        error: error.into(),
                    }
                }
            };
            report.runs.push((claim.run_id(), outcome));
        }
        for job in &self.plan.jobs {
            let last = ledger::latest_fire(store, &job.key).await?;
            let horizon = now - Duration::days(7);
            let from = last.unwrap_or(now - Duration::hours(24)).max(horizon);
            let fires = job.cron.fires_between(from, now);
            let Some((&latest, older)) = fires.split_last() else {
                continue;
            };
            for &fire in older {
                let reason = format!(
                    "superseded by the run of {}",
                    latest.format("%Y-%m-%d %H:%M UTC")
                );
                if ledger::skip(store, &job.key, fire, now, &reason).await? {
                    tracing::info!(job = job.key, fire = %fire, reason, "run skipped");
                }
            }
            let late = now - latest;
            if late > settings.grace() {
                let reason = format!(
                    "missed: due at {} ({}), {} min late, past the {}-minute grace window; the next run is {}",
                    latest.with_timezone(&job.cron.timezone()).format("%Y-%m-%d %H:%M %Z"),
                    job.cron.expr(),
                    late.num_minutes(),
                    settings.grace_minutes,
                    job.cron
                        .next_fires(now, 1)
                        .first()
                        .map(|t| t.with_timezone(&job.cron.timezone()).format("%Y-%m-%d %H:%M %Z").to_string())
                        .unwrap_or_else(|| "never".into())
                );
                if ledger::skip(store, &job.key, latest, now, &reason).await? {
                    tracing::warn!(job = job.key, "{reason}");
                    report.runs.push((
                        ledger::run_id(&job.key, latest),
                        Outcome::Skipped { reason },
                    ));
                }
                continue;
            }
            if let Some(claim) =
                ledger::claim_new(store, &job.key, latest, now, settings.lease()).await?
            {
                let outcome = self.execute(job, &claim, now).await?;
                report.runs.push((claim.run_id(), outcome));
            }
        }
        Ok(report)
    }

    /// The next instant something may be due: the earliest next fire, at most a minute away
    /// (retries are checked every minute).
    pub fn next_wakeup(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.plan
            .jobs
            .iter()
            .filter_map(|j| j.cron.next_fires(now, 1).first().copied())
            .min()
            .unwrap_or(now + Duration::minutes(1))
            .min(now + Duration::minutes(1))
    }

    /// `serve`'s loop: `run_due` at each wake-up until `stop` resolves. Sleeps in between, so
    /// an idle scheduler costs one ledger query a minute.
    pub async fn run_forever(self: Arc<Self>, stop: tokio::sync::watch::Receiver<bool>) {
        let mut stop = stop;
        loop {
            let now = Utc::now();
            match self.run_due(now).await {
                Ok(report) if !report.runs.is_empty() => {
                    tracing::info!(runs = report.runs.len(), "scheduled runs done")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(
                    error = format!("{e:#}"),
                    "scheduler: run-due failed; trying again at the next wake-up"
                ),
            }
            let wait = (self.next_wakeup(Utc::now()) - Utc::now())
                .to_std()
                .unwrap_or(std::time::Duration::from_millis(200))
                .max(std::time::Duration::from_millis(200));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// One attempt of a claimed run. Store errors propagate; Slack errors become the run's
    /// outcome (retry, or failed with a notice).
    async fn execute(
        &self,
        job: &Job,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        match &job.kind {
            JobKind::Digest(schedule) => self.digest(schedule, claim, now).await,
            JobKind::Alerts => self.alerts(claim, now).await,
            JobKind::Sync(source) => self.sync(*source, claim, now).await,
        }
    }

    /// A scheduled API sync: the same code as `insight-desk sync <source>`; a failure is
    /// retried with the ledger's back-off like any run.
    async fn sync(
        &self,
        source: crate::sync::Source,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let app = &*self.app;
        let outcome = crate::sync::sync_one(
            &app.store,
            app.shop.timezone,
            &app.config.sync,
            source,
            &crate::sync::SyncOptions::default(),
        )
        .await;
        match &outcome.error {
            None => {
                let summary = outcome.to_string();
                ledger::done(&app.store, claim, now, &summary, None).await?;
                Ok(Outcome::Delivered { ts: None, summary })
            }
            Some(error) => {
                let what = format!("{} sync", source.command_name());
                self.attempt_failed(&what, claim, now, error.clone()).await
            }
        }
    }

    async fn digest(
        &self,
        s: &Schedule,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Outcome> {
        let store = &self.app.store;
        let fire = claim.scheduled_for;
        let tz = s.cron.timezone();
        let stale = stale_sources(&self.app, &s.wait_for, fire, tz).await?;
        if !stale.is_empty() && now < fire + s.wait {
            let until = (now + Duration::minutes(5)).min(fire + s.wait);
            ledger::wait_until(
                store,
                claim,
                until,
                &format!("waiting for {}", stale.join(", ")),
            )
            .await?;
            tracing::info!(run = claim.run_id(), sources = stale.join(", "), until = %until, "digest waits for its sources");
            return Ok(Outcome::Waiting {
                until,
                sources: stale,
            });
        }
        let fire_day = fire.with_timezone(&tz).date_naive();
        let reply = match self.build(s, fire_day, now).await {
            Ok(reply) => with_stale_warning(reply, &stale, self.app.lang),
            Err(e) => {
                return self
                    .attempt_failed(&job_label(s), claim, now, format!("{e:#}"))
                    .await
            }
        };
        let tag = claim.run_id();
        if claim.resumed {
            match self
                .api
                .find_tagged(&s.channel, &tag, fire - Duration::minutes(1))
                .await
            {
                Ok(Some(ts)) => {
                    ledger::done(
                        store,
                        claim,
                        now,
                        "already posted (found by its metadata)",
                        Some(&ts),
                    )
                    .await?;
                    tracing::info!(
                        run = tag,
                        ts,
                        "digest was already posted; not posting again"
                    );
                    return Ok(Outcome::AlreadyPosted { ts });
                }
                Ok(None) => {}
                Err(e @ SlackError::Api { .. }) => {
                    tracing::warn!(run = tag, error = %e, "cannot read the channel's history to check for an earlier post (add the channels:history scope); posting");
                }
                Err(e) => {
                    return self
                        .attempt_failed(&job_label(s), claim, now, e.to_string())
                        .await
                }
            }
        }
        let target = Target {
            channel_id: s.channel.clone(),
            user_id: String::new(),
            response_url: None,
            tag: Some(tag.clone()),
        };
        match deliver(&self.api, &reply, &target, self.app.lang).await {
            Ok(d) => {
                let ts = d.message_ts.first().cloned();
                let summary = format!("{} message(s), {} chart(s)", d.message_ts.len(), d.files);
                ledger::done(store, claim, now, &summary, ts.as_deref()).await?;
                tracing::info!(target: "audit", run = tag, channel = s.channel, summary, "digest delivered");
                Ok(Outcome::Delivered { ts, summary })
            }
            Err(e) => {
                self.attempt_failed(&job_label(s), claim, now, e.to_string())
                    .await
            }
        }
    }

    async fn build(
        &self,
        s: &Schedule,
        fire_day: NaiveDate,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Reply> {
        let app = &*self.app;
        let yesterday = fire_day - Days::new(1);
        Ok(match &s.report {
            ReportKind::Cockpit => {
                crate::slack::dispatch(
                    app,
                    crate::slack::Command::Cockpit(crate::slack::command::CockpitDay::Date(
                        yesterday,
                    )),
                    Visibility::InChannel,
                )
                .await?
            }
            ReportKind::Question(text) => {
                let question = crate::insight::parse_question(text, &app.registry, fire_day);
                let mut reply = crate::insight::answer(app, &question).await?;
                reply.visibility = Visibility::InChannel;
                reply
            }
            ReportKind::OpenAlerts => {
                let open = alerts::state::open_alerts(&app.store).await?;
                Reply {
                    visibility: Visibility::InChannel,
                    messages: alerts::render::open_list(&open, now, app.shop.timezone, app.lang),
                    charts: Vec::new(),
                }
            }
        })
    }

    async fn alerts(&self, claim: &Claim, now: DateTime<Utc>) -> anyhow::Result<Outcome> {
        let app = &*self.app;
        let as_of = claim
            .scheduled_for
            .with_timezone(&app.shop.timezone)
            .date_naive()
            - Days::new(1);
        let evaluation = match alerts::rules::evaluate(app, &self.plan.rules, as_of, now).await {
            Ok(e) => e,
            Err(e) => {
                return self
                    .attempt_failed("alert evaluation", claim, now, format!("{e:#}"))
                    .await
            }
        };
        let report =
            alerts::lifecycle::apply(app, &self.api, &self.plan.rules, &evaluation, now).await?;
        if report.failed.is_empty() {
            let summary = report.summary();
            ledger::done(&app.store, claim, now, &summary, None).await?;
            Ok(Outcome::Delivered { ts: None, summary })
        } else {
            let error = format!(
                "{} alert post(s) failed: {}",
                report.failed.len(),
                report.failed.join(", ")
            );
            self.attempt_failed("alert evaluation", claim, now, error)
                .await
        }
    }

    /// Records a failed attempt: a retry with back-off, or after the last attempt `failed` and
    /// a notice in the ops channel.
    async fn attempt_failed(
        &self,
        what: &str,
        claim: &Claim,
        now: DateTime<Utc>,
        error: String,
    ) -> anyhow::Result<Outcome> {
        let store = &self.app.store;
        let settings = &self.plan.settings;
        if claim.attempts < settings.max_attempts {
            let at = now + settings.retry_after(claim.attempts);
            ledger::retry_at(
                store,
                claim,
                at,
                &format!("attempt {} failed", claim.attempts),
                &error,
            )
            .await?;
            tracing::warn!(run = claim.run_id(), attempt = claim.attempts, retry_at = %at, error, "scheduled run failed; will retry");
            return Ok(Outcome::Retry { at, error });
        }
        ledger::failed(store, claim, now, &error).await?;
        let reference = crate::slack::new_reference();
        tracing::error!(
            run = claim.run_id(),
            attempts = claim.attempts,
            reference,
            error,
            "scheduled run failed for good"
        );
        let notice = format!(
            "⚠️ {what}: {} {} {} — {} (ref {reference})",
            match self.app.lang {
                crate::domain::Lang::Fr => "non livré après",
                crate::domain::Lang::En => "not delivered after",
            },
            claim.attempts,
            self.app.lang.pick("tentatives", "attempts"),
            claim.run_id(),
        );
        match &settings.ops_channel {
            Some(ops) => {
                if let Err(e) = self
                    .api
                    .post_message(ops, &Message::plain(notice), None)
                    .await
                {
                    tracing::error!(reference, error = %e, "the failure notice could not be posted to the ops channel either");
                }
            }
            None => tracing::error!(
                reference,
                "no scheduler.ops_channel is set: the failure is only in this log"
            ),
        }
        Ok(Outcome::Failed { error })
    }
}

fn job_label(s: &Schedule) -> String {
    format!("digest {:?}", s.name)
}

/// The `wait_for` sources not synced since the start of the fire's day (in the schedule's
/// time zone). A source never imported counts as not synced.
async fn stale_sources(
    app: &App,
    wait_for: &[String],
    fire: DateTime<Utc>,
    tz: Tz,
) -> anyhow::Result<Vec<String>> {
    if wait_for.is_empty() {
        return Ok(Vec::new());
    }
    let day_start = fire
        .with_timezone(&tz)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map(|t| t.with_timezone(&Utc))
        .context("the fire day has no midnight in its time zone")?;
    let sources = crate::import::sources::list(&app.store).await?;
    Ok(wait_for
        .iter()
        .filter(|name| {
            !sources
                .iter()
                .any(|s| &s.source == *name && s.last_success_at.is_some_and(|t| t >= day_start))
        })
        .cloned()
        .collect())
}

fn with_stale_warning(mut reply: Reply, stale: &[String], lang: crate::domain::Lang) -> Reply {
    if stale.is_empty() {
        return reply;
    }
    let note = format!(
        "⚠️ {} {}",
        lang.pick(
            "Données peut-être incomplètes : pas de synchro aujourd'hui pour",
            "Data may be incomplete: no sync today for"
        ),
        stale.join(", ")
    );
    if let Some(first) = reply.messages.first_mut() {
        *first = first.with_note(&note);
    }
    reply
}

//! `schedule run-due`, `schedule list`, `alerts check`, `alerts list`.

use std::sync::Arc;

use chrono::{Days, Utc};

use super::App;
use crate::alerts;
use crate::cli::{AlertsCommand, ScheduleCommand};
use crate::render::message_text;
use crate::schedule::{
    ledger, AlertRule, AlertRuleConfig, JobKind, Outcome, Plan, ReportKind, RuleKind, Scheduler,
};
use crate::slack::SlackApi;

pub async fn run(app: App, cmd: ScheduleCommand) -> anyhow::Result<()> {
    match cmd {
        ScheduleCommand::RunDue(args) => {
            let now = args.now.unwrap_or_else(Utc::now);
            let api = SlackApi::new(&app.config.slack)?;
            let scheduler = Scheduler::new(Arc::new(app), api)?;
            if scheduler.plan.jobs.is_empty() {
                eprintln!("note: the configuration declares no [[schedules]] and no [[alerts]]: nothing can be due (see the README, \"Digests and alerts\")");
            }
            let report = scheduler.run_due(now).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if report.runs.is_empty() {
                println!("nothing due at {}", now.format("%Y-%m-%dT%H:%M:%SZ"));
            } else {
                for (run, outcome) in &report.runs {
                    println!("{run}: {}", describe(outcome));
                }
            }
            let failed = report.count(|o| matches!(o, Outcome::Failed { .. }));
            anyhow::ensure!(
                failed == 0,
                "{failed} run(s) failed for good (see the log and the ops channel)"
            );
            Ok(())
        }
        ScheduleCommand::List(args) => {
            let now = args.now.unwrap_or_else(Utc::now);
            let plan = Plan::from_config(&app.config, app.shop.timezone, &app.registry)?;
            if plan.jobs.is_empty() {
                println!("No [[schedules]] and no [[alerts]] in the configuration.");
            }
            for job in &plan.jobs {
                let tz = job.cron.timezone();
                let what = match &job.kind {
                    JobKind::Digest(s) => format!(
                        "{} → {}",
                        match &s.report {
                            ReportKind::Cockpit => "cockpit".to_string(),
                            ReportKind::OpenAlerts => "open alerts".to_string(),
                            ReportKind::Question(q) => format!("\"{q}\""),
                        },
                        s.channel
                    ),
                    JobKind::Alerts => format!("evaluate {} alert rule(s)", plan.rules.len()),
                    JobKind::Sync(source) => format!("sync {}", source.command_name()),
                };
                println!("{}  [{} {}]  {what}", job.key, job.cron.expr(), tz);
                for fire in job.cron.next_fires(now, args.next) {
                    println!(
                        "    {}  ({})",
                        fire.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z"),
                        fire.format("%H:%M UTC")
                    );
                }
            }
            let recent = ledger::recent(&app.store, 10).await?;
            if !recent.is_empty() {
                println!("\nLatest runs:");
                for r in recent {
                    println!(
                        "    {}  {:<8} attempts {}  {}",
                        ledger::run_id(&r.job, r.scheduled_for),
                        r.status,
                        r.attempts,
                        r.error.or(r.outcome).unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Delivered { ts, summary } => match ts {
            Some(ts) => format!("delivered ({summary}, ts {ts})"),
            None => format!("done ({summary})"),
        },
        Outcome::AlreadyPosted { ts } => format!("already posted (ts {ts}); not posted again"),
        Outcome::Waiting { until, sources } => {
            format!("waiting for {} until {until}", sources.join(", "))
        }
        Outcome::Retry { at, error } => format!("failed ({error}); retry at {at}"),
        Outcome::Failed { error } => format!("FAILED for good: {error}"),
        Outcome::Skipped { reason } => format!("skipped: {reason}"),
    }
}

/// The rules `alerts check` uses when the configuration declares none.
pub(super) fn default_rules() -> Vec<AlertRule> {
    [
        RuleKind::StockCover,
        RuleKind::RoasDrop,
        RuleKind::RevenueBelowTarget,
        RuleKind::SourceStale,
        RuleKind::Anomaly,
    ]
    .into_iter()
    .map(|rule| {
        AlertRuleConfig {
            rule,
            channel: "C0000000000".into(),
            days: None,
            drop_pct: None,
            below_pct: None,
            threshold: None,
            series: None,
            repeat_hours: None,
        }
        .parse()
        .expect("the default rules are valid")
    })
    .collect()
}

pub async fn alerts(app: App, cmd: AlertsCommand) -> anyhow::Result<()> {
    match cmd {
        AlertsCommand::Check(args) => {
            let plan = Plan::from_config(&app.config, app.shop.timezone, &app.registry)?;
            let rules = if plan.rules.is_empty() {
                eprintln!("note: no [[alerts]] in the configuration; checking the default rules");
                default_rules()
            } else {
                plan.rules
            };
            let date = args.date.unwrap_or_else(|| app.today() - Days::new(1));
            // As the morning evaluation after that day would see it: 09:00 the next day.
            let morning = (date + Days::new(1))
                .and_hms_opt(9, 0, 0)
                .and_then(|t| t.and_local_timezone(app.shop.timezone).earliest())
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(Utc::now);
            let evaluation = alerts::rules::evaluate(&app, &rules, date, morning).await?;
            println!(
                "Alert rules on {date}: {} finding(s)",
                evaluation.findings.len()
            );
            for f in &evaluation.findings {
                println!("\n● {} [{} / {}]", f.title, f.rule.as_str(), f.subject);
                println!("  value:    {}", f.value);
                println!("  baseline: {}", f.baseline);
                println!("  action:   {}", f.action);
                for line in &f.details {
                    println!("    - {}", line.replace(['*', '`'], ""));
                }
            }
            for (rule, error) in &evaluation.failed {
                println!("\n✗ {} could not be evaluated: {error}", rule.as_str());
            }
            Ok(())
        }
        AlertsCommand::List => {
            let open = alerts::state::open_alerts(&app.store).await?;
            for m in alerts::render::open_list(&open, Utc::now(), app.shop.timezone, app.lang) {
                println!("{}", message_text(&m));
            }
            Ok(())
        }
    }
}

//! The scheduler: digests at 09:00 in the team's time zone and alert evaluations, each run
//! delivered exactly once.
//!
//! - `cron_expr`: [`CronSchedule`], a crontab expression read in a time zone;
//! - `config`: `[scheduler]`, `[[schedules]]`, `[[alerts]]`, parsed into [`Plan`];
//! - `ledger`: the `job_runs` table, claimed before any work (the exactly-once part);
//! - `runner`: [`Scheduler::run_due`] — what `schedule run-due --now T` and `serve` call —
//!   with an injectable instant, so no test waits for 09:00.

pub mod config;
pub mod cron_expr;
pub mod ledger;
pub mod runner;

pub use config::{
    AlertRule, AlertRuleConfig, ReportKind, RuleKind, Schedule, ScheduleConfig, SchedulerConfig,
};
pub use cron_expr::CronSchedule;
pub use runner::{Job, JobKind, Outcome, Plan, RunReport, Scheduler};

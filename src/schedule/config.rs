//! The `[scheduler]`, `[[schedules]]` and `[[alerts]]` parts of the configuration, as written
//! in `insight-desk.toml`, and their parsed forms ([`Schedule`], [`AlertRule`]): cron
//! expressions, time zones and reports are checked once, when the configuration loads.

use chrono::Duration;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::CronSchedule;

/// `[scheduler]`: how scheduled runs behave.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerConfig {
    /// A run missed while the bot was down is caught up if it is at most this late.
    pub grace_minutes: i64,
    /// Where "could not deliver" notices go (a channel id, `C…`). None: the logs only.
    pub ops_channel: Option<String>,
    /// Delivery attempts of one run (each already retries 429/5xx inside); then a notice.
    pub max_attempts: i64,
    /// Wait before the second attempt; doubled for each further one.
    pub retry_minutes: i64,
    /// How long a replica holds a claimed run before another may take it over (a crash).
    pub lease_minutes: i64,
    /// When alert rules are evaluated (crontab), in `alerts_timezone` (default: the shop's).
    pub alerts_cron: String,
    pub alerts_timezone: Option<Tz>,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            grace_minutes: 120,
            ops_channel: None,
            max_attempts: 3,
            retry_minutes: 2,
            lease_minutes: 10,
            alerts_cron: "0 * * * *".into(),
            alerts_timezone: None,
        }
    }
}

impl SchedulerConfig {
    pub fn grace(&self) -> Duration {
        Duration::minutes(self.grace_minutes)
    }

    pub fn lease(&self) -> Duration {
        Duration::minutes(self.lease_minutes)
    }

    /// The wait before attempt `attempt + 1`.
    pub fn retry_after(&self, attempt: i64) -> Duration {
        Duration::minutes(self.retry_minutes * (1 << (attempt - 1).clamp(0, 10)))
    }
}

/// One `[[schedules]]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    pub name: String,
    /// Five-field crontab: `0 9 * * 1-5`.
    pub cron: String,
    /// The time zone the cron is read in. Default: the shop's.
    pub timezone: Option<Tz>,
    /// Channel id (`C…`) the report is posted in.
    pub channel: String,
    /// `cockpit`, `alerts` (open alerts), or a question as `/insight` takes it
    /// (`revenue`, `marge par canal 30j`).
    pub report: String,
    /// Freshness gate: sources (as `insight-desk sources` names them) the report waits for.
    #[serde(default)]
    pub wait_for: Vec<String>,
    /// How long after the fire time to wait for them; then the report goes out with a
    /// stale-data warning.
    #[serde(default = "default_wait_minutes")]
    pub wait_minutes: i64,
}

fn default_wait_minutes() -> i64 {
    60
}

/// What a schedule posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportKind {
    Cockpit,
    OpenAlerts,
    /// An `/insight` question, answered as of the fire day.
    Question(String),
}

/// A schedule, parsed.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub cron: CronSchedule,
    pub channel: String,
    pub report: ReportKind,
    pub wait_for: Vec<String>,
    pub wait: Duration,
}

impl ScheduleConfig {
    /// Parses the cron in its time zone (`shop_tz` when it names none) and the report, whose
    /// question must be one `/insight` understands.
    pub fn parse(
        &self,
        shop_tz: Tz,
        registry: &crate::metrics::Registry,
    ) -> Result<Schedule, String> {
        let at = format!("schedule {:?}", self.name);
        if self.name.trim().is_empty() {
            return Err(
                "a [[schedules]] table has an empty name: give each schedule a name".into(),
            );
        }
        let cron = CronSchedule::parse(&self.cron, self.timezone.unwrap_or(shop_tz))
            .map_err(|e| format!("{at}: {e}"))?;
        check_channel(&self.channel).map_err(|e| format!("{at}: {e}"))?;
        let report = match self.report.trim() {
            "cockpit" => ReportKind::Cockpit,
            "alerts" => ReportKind::OpenAlerts,
            question => {
                let today = chrono::Utc::now().date_naive();
                let q = crate::insight::parse_question(question, registry, today);
                if !matches!(q, crate::insight::Question::Metric(_)) {
                    return Err(format!(
                        "{at}: report {question:?} is not cockpit, alerts, or a question /insight understands (try `insight-desk ask \"{question}\"`)"
                    ));
                }
                ReportKind::Question(question.to_string())
            }
        };
        anyhow_free_range("wait_minutes", self.wait_minutes, 0, 24 * 60)
            .map_err(|e| format!("{at}: {e}"))?;
        Ok(Schedule {
            name: self.name.clone(),
            cron,
            channel: self.channel.clone(),
            report,
            wait_for: self.wait_for.clone(),
            wait: Duration::minutes(self.wait_minutes),
        })
    }
}

/// Slack channel ids are `C…` (public), `G…` (private) or `D…` (DM), upper-case alphanumerics.
pub fn check_channel(channel: &str) -> Result<(), String> {
    let ok = channel.len() >= 9
        && channel.starts_with(['C', 'G', 'D'])
        && channel
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "channel {channel:?} is not a Slack channel id: expected something like C0123456789 (channel details → About, at the bottom), not a #name"
        ))
    }
}

fn anyhow_free_range(name: &str, v: i64, min: i64, max: i64) -> Result<(), String> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(format!("{name} = {v} must be between {min} and {max}"))
    }
}

/// The kinds of alert rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// SKUs under `days` of stock cover (default 14), grouped into one alert.
    StockCover,
    /// A channel's 7-day ROAS down more than `drop_pct` against its previous four weeks.
    RoasDrop,
    /// Yesterday's revenue below its target by more than `below_pct`.
    RevenueBelowTarget,
    /// Cash balance below `threshold` (major units).
    CashBelow,
    /// A source not synced for longer than its expected interval.
    SourceStale,
    /// A statistical anomaly on a daily series (`series`), weekday- and calendar-aware.
    Anomaly,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::StockCover => "stock_cover",
            RuleKind::RoasDrop => "roas_drop",
            RuleKind::RevenueBelowTarget => "revenue_below_target",
            RuleKind::CashBelow => "cash_below",
            RuleKind::SourceStale => "source_stale",
            RuleKind::Anomaly => "anomaly",
        }
    }

    pub fn parse(text: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub const ALL: [RuleKind; 6] = [
        RuleKind::StockCover,
        RuleKind::RoasDrop,
        RuleKind::RevenueBelowTarget,
        RuleKind::CashBelow,
        RuleKind::SourceStale,
        RuleKind::Anomaly,
    ];
}

/// Default ROAS drop that fires (the drop must also be beyond chance, see `alerts::rules`).
pub const DEFAULT_DROP_PCT: f64 = 30.0;
/// Default gap under the day's target that fires.
pub const DEFAULT_BELOW_PCT: f64 = 15.0;

/// One `[[alerts]]` table: a rule, its channel, its parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRuleConfig {
    pub rule: RuleKind,
    pub channel: String,
    /// stock_cover: the threshold in days of cover (default 14).
    pub days: Option<i64>,
    /// roas_drop: the drop that fires, in % (default 30).
    pub drop_pct: Option<f64>,
    /// revenue_below_target: the gap that fires, in % (default 15).
    pub below_pct: Option<f64>,
    /// cash_below: the threshold, in major units (50000 for 50 000 €).
    pub threshold: Option<f64>,
    /// anomaly: the series watched (default revenue and orders): `revenue`, `orders`,
    /// `conversion_rate`, `roas:<channel>`.
    pub series: Option<Vec<String>>,
    /// Re-post a reminder in the thread when the alert is still open after this many hours.
    /// Default: never (an open alert is posted once).
    pub repeat_hours: Option<i64>,
}

/// A rule, parsed, with its defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub kind: RuleKind,
    pub channel: String,
    pub days: i64,
    pub drop_pct: f64,
    pub below_pct: f64,
    pub threshold_cents: i64,
    pub series: Vec<String>,
    pub repeat: Option<Duration>,
}

impl AlertRuleConfig {
    pub fn parse(&self) -> Result<AlertRule, String> {
        let at = format!("alert rule {}", self.rule.as_str());
        check_channel(&self.channel).map_err(|e| format!("{at}: {e}"))?;
        let not_for = |field: &str, set: bool, kinds: &[RuleKind]| -> Result<(), String> {
            if set && !kinds.contains(&self.rule) {
                Err(format!("{at}: `{field}` does not apply to this rule"))
            } else {
                Ok(())
            }
        };
        not_for("days", self.days.is_some(), &[RuleKind::StockCover])?;
        not_for("drop_pct", self.drop_pct.is_some(), &[RuleKind::RoasDrop])?;
        not_for(
            "below_pct",
            self.below_pct.is_some(),
            &[RuleKind::RevenueBelowTarget],
        )?;
        not_for(
            "threshold",
            self.threshold.is_some(),
            &[RuleKind::CashBelow],
        )?;
        not_for("series", self.series.is_some(), &[RuleKind::Anomaly])?;
        let days = self.days.unwrap_or(14);
        anyhow_free_range("days", days, 1, 365).map_err(|e| format!("{at}: {e}"))?;
        let pct = |name: &str, v: f64| -> Result<f64, String> {
            if v > 0.0 && v < 100.0 {
                Ok(v)
            } else {
                Err(format!(
                    "{at}: {name} = {v} must be a percentage between 0 and 100"
                ))
            }
        };
        let drop_pct = pct("drop_pct", self.drop_pct.unwrap_or(DEFAULT_DROP_PCT))?;
        let below_pct = pct("below_pct", self.below_pct.unwrap_or(DEFAULT_BELOW_PCT))?;
        let threshold_cents = match (self.rule, self.threshold) {
            (RuleKind::CashBelow, None) => {
                return Err(format!(
                    "{at}: needs `threshold` (the balance under which to alert, e.g. 50000)"
                ))
            }
            (_, Some(t)) => (t * 100.0).round() as i64,
            (_, None) => 0,
        };
        let series = self
            .series
            .clone()
            .unwrap_or_else(|| vec!["revenue".into(), "orders".into()]);
        for s in &series {
            let known = matches!(s.as_str(), "revenue" | "orders" | "conversion_rate")
                || s.strip_prefix("roas:").is_some_and(|c| !c.is_empty());
            if !known {
                return Err(format!(
                    "{at}: series {s:?} is not one of revenue, orders, conversion_rate, roas:<channel>"
                ));
            }
        }
        if let Some(h) = self.repeat_hours {
            anyhow_free_range("repeat_hours", h, 1, 24 * 30).map_err(|e| format!("{at}: {e}"))?;
        }
        Ok(AlertRule {
            kind: self.rule,
            channel: self.channel.clone(),
            days,
            drop_pct,
            below_pct,
            threshold_cents,
            series,
            repeat: self.repeat_hours.map(Duration::hours),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_must_be_ids() {
        assert!(check_channel("C0123456789").is_ok());
        assert!(check_channel("#direction")
            .unwrap_err()
            .contains("not a #name"));
        assert!(check_channel("c0123456789").is_err());
    }

    #[test]
    fn rules_refuse_parameters_that_do_not_apply() {
        let base = AlertRuleConfig {
            rule: RuleKind::RoasDrop,
            channel: "C0123456789".into(),
            days: Some(7),
            drop_pct: None,
            below_pct: None,
            threshold: None,
            series: None,
            repeat_hours: None,
        };
        assert!(base.parse().unwrap_err().contains("`days` does not apply"));
        let cash = AlertRuleConfig {
            rule: RuleKind::CashBelow,
            days: None,
            ..base.clone()
        };
        assert!(cash.parse().unwrap_err().contains("needs `threshold`"));
        let ok = AlertRuleConfig { days: None, ..base }.parse().unwrap();
        assert_eq!(ok.drop_pct, DEFAULT_DROP_PCT);
        assert_eq!(ok.repeat, None);
    }
}

//! The Meta (Facebook/Instagram) Marketing API connector: campaign insights by day into
//! `ad_spend` (channel `meta`) through the `meta-ads` CSV importer's own writer, so a day
//! synced here and the same day imported from an Ads Manager export replace the same rows.
//!
//! `GET /{version}/act_{account}/insights?level=campaign&time_increment=1&fields=…` with the
//! `access_token`, paged by `paging.cursors.after` while `paging.next` is there. A range of
//! `async_from_days` days or more is asked as an **async report job** instead (`POST` the same
//! parameters → `report_run_id`; `GET /{report_run_id}` every `poll_secs` until
//! `async_status` is `Job Completed` at 100 %; then `GET /{report_run_id}/insights`, paged).
//!
//! Figures as the CSV importer reads an export: `spend` (account currency) → cents, link
//! clicks (action `link_click`; else `clicks`, all clicks), purchases and their value from
//! `actions` / `action_values` of type `purchase` (else `offsite_conversion.fb_pixel_purchase`:
//! never both, `purchase` already counts the pixel's).
//!
//! Throttling (error codes 4, 17, 613, 80000–80014, or HTTP 429) and 5xx are waited out with
//! a doubling back-off, up to `max_attempts`. Before it comes to that, every answer's usage
//! headers are read (`x-business-use-case-usage`, `x-app-usage`, `x-ad-account-usage`): when
//! any of `call_count`, `total_cputime`, `total_time` (or `acc_id_util_pct`) reaches
//! [`HIGH_USAGE_PCT`] %, or `estimated_time_to_regain_access` is above 0, the next request
//! waits: that many minutes (`regain_minute_secs` seconds each), else `high_usage_wait_secs`
//! (usage is counted over a rolling hour, so a pause lets it come down).
//!
//! An expired or revoked token (code 190) fails at once with the fix: Meta's long-lived
//! tokens are not refreshed by a refresh token, a new one has to be generated (or a system
//! user's token used). The token travels as a query
//! parameter: no error text ever carries a URL (`without_url`), so it never reaches a log.
//!
//! The cursor is the last day stored; each sync re-reads `lookback_days` before it (Meta keeps
//! attributing purchases to past days) up to yesterday; the first reads `backfill_days`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::config::secret_from;
use super::graphql::without_url;
use super::state::{self, RunCounts};
use super::SyncError;
use crate::import::ad_reports::{Figures, META};
use crate::slack::Secret;
use crate::store::Store;

/// The `sync_state` name: the same as the `meta-ads` CSV importer's, so both share freshness.
pub const SOURCE: &str = "meta_ads";
pub const DEFAULT_META_API_VERSION: &str = "v23.0";
pub const META_TOKEN_ENV: &str = "META_ACCESS_TOKEN";
/// The insights fields asked for (`account_currency` for the row's currency).
pub const FIELDS: &str =
    "campaign_id,campaign_name,spend,impressions,clicks,actions,action_values,account_currency";

/// `[sync.meta]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaConfig {
    /// The ad account's id, digits (an `act_` prefix is accepted).
    pub ad_account_id: String,
    #[serde(default = "default_version")]
    pub api_version: String,
    /// Replaces `https://graph.facebook.com` (tests, proxies).
    #[serde(default)]
    pub base_url: Option<String>,
    /// A file holding the access token; else `META_ACCESS_TOKEN`.
    #[serde(default)]
    pub access_token_file: Option<std::path::PathBuf>,
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub timezone: Option<chrono_tz::Tz>,
    #[serde(default = "default_backfill")]
    pub backfill_days: u32,
    #[serde(default = "default_lookback")]
    pub lookback_days: u32,
    #[serde(default = "default_chunk")]
    pub days_per_request: u32,
    /// A request over this many days or more runs as an async report job.
    #[serde(default = "default_async")]
    pub async_from_days: u32,
    /// Seconds between two polls of an async report job.
    #[serde(default = "default_poll")]
    pub poll_secs: f64,
    /// Rows per page (`limit`).
    #[serde(default = "default_page")]
    pub page_size: u32,
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Seconds to wait when usage is high and Meta gives no time to regain access.
    #[serde(default = "default_high_usage_wait")]
    pub high_usage_wait_secs: f64,
    /// Seconds per minute of `estimated_time_to_regain_access` (60; tests shorten it).
    #[serde(default = "default_regain_minute")]
    pub regain_minute_secs: f64,
}

fn default_high_usage_wait() -> f64 {
    60.0
}
fn default_regain_minute() -> f64 {
    60.0
}

fn default_version() -> String {
    DEFAULT_META_API_VERSION.into()
}
fn default_backfill() -> u32 {
    90
}
fn default_lookback() -> u32 {
    7
}
fn default_chunk() -> u32 {
    31
}
fn default_async() -> u32 {
    15
}
fn default_poll() -> f64 {
    2.0
}
fn default_page() -> u32 {
    500
}
fn default_attempts() -> u32 {
    5
}

impl MetaConfig {
    pub fn new(ad_account_id: impl Into<String>) -> MetaConfig {
        MetaConfig {
            ad_account_id: ad_account_id.into(),
            api_version: default_version(),
            base_url: None,
            access_token_file: None,
            schedule: None,
            timezone: None,
            backfill_days: default_backfill(),
            lookback_days: default_lookback(),
            days_per_request: default_chunk(),
            async_from_days: default_async(),
            poll_secs: default_poll(),
            page_size: default_page(),
            max_attempts: default_attempts(),
            high_usage_wait_secs: default_high_usage_wait(),
            regain_minute_secs: default_regain_minute(),
        }
    }

    fn account(&self) -> String {
        self.ad_account_id
            .trim()
            .trim_start_matches("act_")
            .to_string()
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let id = self.account();
        anyhow::ensure!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
            "invalid configuration: sync.meta.ad_account_id = {:?} must be the ad account's digits, such as 1234567890 (act_ allowed)",
            self.ad_account_id
        );
        anyhow::ensure!(
            self.api_version.starts_with('v') && self.api_version[1..].parse::<f32>().is_ok(),
            "invalid configuration: sync.meta.api_version = {:?} must be a Graph API version such as {DEFAULT_META_API_VERSION}",
            self.api_version
        );
        anyhow::ensure!(
            self.days_per_request >= 1
                && self.backfill_days >= 1
                && self.max_attempts >= 1
                && self.page_size >= 1,
            "invalid configuration: sync.meta.days_per_request, backfill_days, page_size and max_attempts must be at least 1"
        );
        anyhow::ensure!(
            self.poll_secs.is_finite() && self.poll_secs > 0.0,
            "invalid configuration: sync.meta.poll_secs must be a positive number of seconds"
        );
        for (key, v) in [
            ("high_usage_wait_secs", self.high_usage_wait_secs),
            ("regain_minute_secs", self.regain_minute_secs),
        ] {
            anyhow::ensure!(
                v.is_finite() && v >= 0.0,
                "invalid configuration: sync.meta.{key} = {v} must be a number of seconds, 0 or more"
            );
        }
        if let Some(expr) = &self.schedule {
            crate::schedule::CronSchedule::parse(expr, self.timezone.unwrap_or(chrono_tz::UTC))
                .map_err(|e| anyhow::anyhow!("invalid configuration: sync.meta.schedule: {e}"))?;
        }
        Ok(())
    }

    pub fn access_token(&self) -> anyhow::Result<Secret> {
        secret_from(
            "meta",
            self.access_token_file.as_deref(),
            META_TOKEN_ENV,
            "sync.meta.access_token_file",
            "a Marketing API access token with ads_read",
        )
    }
}

/// Where the connector stands: the last day stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaCursor {
    pub last_day: Option<NaiveDate>,
}

/// What the back-off cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub throttled: u64,
    pub waited: Duration,
    /// Pauses made because the usage headers said usage was high.
    pub usage_pauses: u64,
}

pub use super::meta_usage::{usage_wait, HIGH_USAGE_PCT};

pub struct Meta<'a> {
    store: &'a Store,
    tz: chrono_tz::Tz,
    config: &'a MetaConfig,
    token: Secret,
    http: reqwest::Client,
    base_backoff: Duration,
    pub mode: &'static str,
    pub stats: Stats,
    /// When the usage headers asked for a pause: not before this instant.
    not_before: Option<tokio::time::Instant>,
}

/// A decimal of the API (`"12.34"`, a string) in hundredths, exactly.
pub fn hundredths(v: &Value) -> i64 {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return 0,
    };
    let negative = text.starts_with('-');
    let t = text.trim_start_matches('-');
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let mut frac: String = frac.chars().take(3).collect();
    while frac.len() < 3 {
        frac.push('0');
    }
    let milli = int.parse::<i64>().unwrap_or(0) * 1000 + frac.parse::<i64>().unwrap_or(0);
    // Half away from zero, as the CSV importer rounds a third decimal.
    let cents = (milli + 5) / 10;
    if negative {
        -cents
    } else {
        cents
    }
}

fn count(v: &Value) -> i64 {
    (hundredths(v) as f64 / 100.0).round() as i64
}

/// The value of the first of `types` present in an `actions` / `action_values` list.
fn action<'v>(list: &'v Value, types: &[&str]) -> Option<&'v Value> {
    let list = list.as_array()?;
    types.iter().find_map(|t| {
        list.iter()
            .find(|a| a["action_type"].as_str() == Some(t))
            .map(|a| &a["value"])
    })
}

const PURCHASE: &[&str] = &["purchase", "offsite_conversion.fb_pixel_purchase"];

/// One insights row → (day, campaign, currency, figures).
pub(crate) fn row_figures(r: &Value) -> Result<(NaiveDate, String, String, Figures), SyncError> {
    let date: NaiveDate = r["date_start"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| SyncError::Data(format!("meta insights row without date_start: {r}")))?;
    let campaign = r["campaign_name"].as_str().unwrap_or("").trim().to_string();
    let currency = r["account_currency"]
        .as_str()
        .unwrap_or("EUR")
        .to_ascii_uppercase();
    let clicks = action(&r["actions"], &["link_click"]).unwrap_or(&r["clicks"]);
    let f = Figures {
        spend: hundredths(&r["spend"]),
        impressions: count(&r["impressions"]),
        clicks: count(clicks),
        conversions: action(&r["actions"], PURCHASE).map_or(0, count),
        value: action(&r["action_values"], PURCHASE).map(hundredths),
    };
    Ok((date, campaign, currency, f))
}

/// Rate-limit error codes of the Graph and Marketing APIs.
fn is_throttle(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 613) || (80000..=80014).contains(&code)
}

impl<'a> Meta<'a> {
    pub fn new(
        store: &'a Store,
        tz: chrono_tz::Tz,
        config: &'a MetaConfig,
        base_backoff: Duration,
    ) -> anyhow::Result<Meta<'a>> {
        config.validate()?;
        let http = crate::sync::api_client()?;
        Ok(Meta {
            store,
            tz,
            config,
            token: config.access_token()?,
            http,
            base_backoff,
            mode: "incremental",
            stats: Stats::default(),
            not_before: None,
        })
    }

    /// Waits out a pause the last answer's usage headers asked for.
    async fn respect_usage(&mut self) {
        if let Some(at) = self.not_before.take() {
            let now = tokio::time::Instant::now();
            if at > now {
                self.stats.waited += at - now;
                tokio::time::sleep_until(at).await;
            }
        }
    }

    fn note_usage(&mut self, headers: &reqwest::header::HeaderMap) {
        let minute = Duration::from_secs_f64(self.config.regain_minute_secs);
        let pause = Duration::from_secs_f64(self.config.high_usage_wait_secs);
        if let Some(wait) = usage_wait(headers, minute, pause) {
            self.stats.usage_pauses += 1;
            tracing::info!(
                wait_ms = wait.as_millis() as u64,
                "meta usage is high, pausing before the next request"
            );
            self.not_before = Some(tokio::time::Instant::now() + wait);
        }
    }

    fn url(&self, path: &str) -> String {
        let base = self
            .config
            .base_url
            .clone()
            .unwrap_or_else(|| "https://graph.facebook.com".into());
        format!(
            "{}/{}/{}",
            base.trim_end_matches('/'),
            self.config.api_version,
            path
        )
    }

    /// One call with back-off; `what` names it in errors (never the URL).
    async fn call(
        &mut self,
        post: bool,
        path: &str,
        params: &[(&str, String)],
        what: &str,
    ) -> Result<Value, SyncError> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.respect_usage().await;
            let mut query: Vec<(&str, &str)> =
                params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            query.push(("access_token", self.token.expose()));
            let encoded = serde_urlencoded::to_string(&query)
                .map_err(|e| SyncError::Data(format!("meta {what}: {e}")))?;
            let req = if post {
                self.http
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(encoded)
            } else {
                self.http.get(format!("{url}?{encoded}"))
            };
            let error = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    self.note_usage(resp.headers());
                    let body: Value = resp.json().await.unwrap_or(Value::Null);
                    let code = body["error"]["code"].as_i64();
                    let message = body["error"]["message"]
                        .as_str()
                        .unwrap_or("no message")
                        .replace(self.token.expose(), "[token]");
                    if status.is_success() && code.is_none() {
                        return Ok(body);
                    }
                    match code {
                        Some(190) => {
                            return Err(SyncError::Unauthorized(format!(
                                "meta: the access token is expired or revoked (error 190: {message}): generate a new long-lived token (or a system user's token) in Meta Business settings and put it in {META_TOKEN_ENV} or sync.meta.access_token_file; Meta tokens are not refreshed automatically"
                            )));
                        }
                        Some(c) if is_throttle(c) => {
                            self.stats.throttled += 1;
                            SyncError::Throttled(format!("meta {what} (error {c}: {message})"))
                        }
                        _ if status == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                            self.stats.throttled += 1;
                            SyncError::Throttled(format!("meta {what} ({status})"))
                        }
                        _ if status.is_server_error() => {
                            SyncError::Http(format!("meta {what} answered {status}"))
                        }
                        Some(200..=299) | Some(10) => {
                            return Err(SyncError::Unauthorized(format!(
                                "meta {what}: permission refused ({message}): the token needs ads_read on ad account act_{}",
                                self.config.account()
                            )));
                        }
                        _ => {
                            return Err(SyncError::Api(format!(
                                "meta {what} answered {status}: {message}"
                            )));
                        }
                    }
                }
                Err(e) => SyncError::Http(format!("meta {what}: {}", without_url(&e))),
            };
            if attempt >= self.config.max_attempts {
                return Err(error.after_attempts(attempt));
            }
            let wait = (self.base_backoff * 2u32.saturating_pow(attempt - 1))
                .min(Duration::from_secs(300));
            tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "meta call failed, waiting");
            self.stats.waited += wait;
            tokio::time::sleep(wait).await;
        }
    }

    /// Every page of an insights edge (`path`), following `paging.cursors.after`.
    async fn pages(
        &mut self,
        path: &str,
        mut params: Vec<(&'static str, String)>,
    ) -> Result<Vec<Value>, SyncError> {
        params.push(("limit", self.config.page_size.to_string()));
        let mut rows = Vec::new();
        loop {
            let body = self.call(false, path, &params, "insights").await?;
            rows.extend(body["data"].as_array().cloned().unwrap_or_default());
            let after = body["paging"]["cursors"]["after"].as_str();
            match (after, body["paging"]["next"].is_string()) {
                (Some(after), true) => {
                    let after = after.to_string();
                    params.retain(|(k, _)| *k != "after");
                    params.push(("after", after));
                }
                _ => return Ok(rows),
            }
        }
    }

    /// The insights of `from..=to`, directly or through an async report job.
    async fn insights(&mut self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Value>, SyncError> {
        let edge = format!("act_{}/insights", self.config.account());
        let params: Vec<(&'static str, String)> = vec![
            ("level", "campaign".into()),
            ("time_increment", "1".into()),
            ("fields", FIELDS.into()),
            (
                "time_range",
                json!({"since": from.to_string(), "until": to.to_string()}).to_string(),
            ),
        ];
        let days = (to - from).num_days() + 1;
        if days < i64::from(self.config.async_from_days) {
            return self.pages(&edge, params).await;
        }
        let started = self.call(true, &edge, &params, "async report").await?;
        let run = started["report_run_id"]
            .as_str()
            .map(str::to_string)
            .or_else(|| started["report_run_id"].as_i64().map(|i| i.to_string()))
            .ok_or_else(|| SyncError::Api("meta async report: no report_run_id".into()))?;
        let poll = Duration::from_secs_f64(self.config.poll_secs);
        let deadline = Instant::now() + Duration::from_secs(3600);
        loop {
            let job = self.call(false, &run, &[], "async report status").await?;
            let status = job["async_status"].as_str().unwrap_or("");
            let percent = job["async_percent_completion"].as_i64().unwrap_or(0);
            match status {
                "Job Completed" if percent >= 100 => break,
                "Job Failed" | "Job Skipped" => {
                    return Err(SyncError::Api(format!(
                        "meta async report {run}: {status} (Meta gives no reason: ask fewer days per request, sync.meta.days_per_request)"
                    )))
                }
                _ if Instant::now() > deadline => {
                    return Err(SyncError::Api(format!(
                        "meta async report {run} still {status} at {percent} % after an hour"
                    )))
                }
                _ => tokio::time::sleep(poll).await,
            }
        }
        self.pages(&format!("{run}/insights"), Vec::new()).await
    }

    pub async fn sync(&mut self, counts: &mut RunCounts) -> anyhow::Result<()> {
        let cursor: MetaCursor = state::load_cursor(self.store, SOURCE)
            .await?
            .unwrap_or_default();
        let yesterday = Utc::now().with_timezone(&self.tz).date_naive() - Days::new(1);
        let from = match cursor.last_day {
            Some(last) => last - Days::new(u64::from(self.config.lookback_days)),
            None => {
                self.mode = "backfill";
                yesterday - Days::new(u64::from(self.config.backfill_days) - 1)
            }
        };
        let mut start = from;
        while start <= yesterday {
            let end =
                (start + Days::new(u64::from(self.config.days_per_request) - 1)).min(yesterday);
            let rows = self.insights(start, end).await?;
            counts.records_read += rows.len() as u64;
            let mut days: BTreeMap<(NaiveDate, String), (String, Figures)> = BTreeMap::new();
            for r in &rows {
                let (date, campaign, currency, f) = row_figures(r)?;
                let entry = days
                    .entry((date, campaign))
                    .or_insert_with(|| (currency, Figures::default()));
                entry.1.spend += f.spend;
                entry.1.impressions += f.impressions;
                entry.1.clicks += f.clicks;
                entry.1.conversions += f.conversions;
                entry.1.value = match (entry.1.value, f.value) {
                    (None, None) => None,
                    (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
                };
            }
            let cursor = MetaCursor {
                last_day: Some(end),
            };
            state::write_ad_days(self.store, &META, days, SOURCE, &cursor, counts).await?;
            start = end + Days::new(1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(hundredths(&json!("12.34")), 1234);
        assert_eq!(hundredths(&json!("0.5")), 50);
        assert_eq!(hundredths(&json!("7")), 700);
        assert_eq!(hundredths(&json!("2.505")), 251);
        assert_eq!(hundredths(&json!(3.1)), 310);
        assert_eq!(hundredths(&Value::Null), 0);
    }

    #[test]
    fn purchases_prefer_the_purchase_action_and_clicks_the_link_clicks() {
        let r = json!({"date_start": "2026-03-01", "campaign_name": " Retargeting ", "spend": "10.01",
            "impressions": "900", "clicks": "50", "account_currency": "eur",
            "actions": [{"action_type": "link_click", "value": "31"},
                        {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"},
                        {"action_type": "purchase", "value": "3"}],
            "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "120.50"},
                              {"action_type": "purchase", "value": "120.50"}]});
        let (d, c, cur, f) = row_figures(&r).unwrap();
        assert_eq!(
            (d.to_string(), c.as_str(), cur.as_str()),
            ("2026-03-01".into(), "Retargeting", "EUR")
        );
        assert_eq!(
            f,
            Figures {
                spend: 1001,
                impressions: 900,
                clicks: 31,
                conversions: 3,
                value: Some(12050)
            }
        );
        let bare =
            json!({"date_start": "2026-03-01", "campaign_name": "X", "spend": "1", "clicks": "4"});
        let (_, _, _, f) = row_figures(&bare).unwrap();
        assert_eq!((f.clicks, f.conversions, f.value), (4, 0, None));
    }
}

//! The Klaviyo API connector: campaign and flow performance into `ad_spend` (channel `email`)
//! through the `klaviyo` CSV importer's own writer, and each profile's last e-mail open and
//! click into `email_engagement` (migration 0012) for ChurnGuard's "silence" signal.
//!
//! Every call carries `Authorization: Klaviyo-API-Key …` and `revision` (the API version the
//! requests are written for); lists are JSON:API, paged by `links.next`.
//!
//! - **Campaigns**: `GET /campaigns/?filter=equals(messages.channel,'email')` (names and send
//!   times), then `POST /campaign-values-reports/` over the window with the conversion metric
//!   ("Placed Order", or `conversion_metric_id`): each campaign's totals, dated on its send
//!   day in the shop's time zone, as the CSV export is read.
//! - **Flows**: `GET /flows/` (names), then `POST /flow-series-reports/` with
//!   `interval: daily`: per flow message and day, summed per flow and stored as campaign
//!   `Flow: <name>` like the export.
//! - Figures as the importer maps an export's columns: `impressions` = recipients (else
//!   deliveries), `clicks` = unique clicks, `conversions` = unique conversions,
//!   `conversion_value_cents` = conversion value, `spend_cents` 0 (Klaviyo is a subscription).
//! - **Engagement**: `GET /events/?filter=equals(metric_id,…),greater-than(datetime,…)` for
//!   the metrics "Opened Email" and "Clicked Email" with `include=profile`: the latest time
//!   per normalised e-mail (`import::order::customer_key`), only ever moved forward.
//!
//! 429 (the reports' limits are low) waits `Retry-After` (else a doubling back-off) and 5xx
//! back off, up to `max_attempts`; 401/403 fail at once naming the key's scopes. The cursor is
//! the last day of the reports (re-read `lookback_days` before it) and the time of the last
//! open and click event read.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::config::secret_from;
use super::graphql::without_url;
use super::meta::{hundredths, Stats};
use super::state::{self, RunCounts};
use super::SyncError;
use crate::import::ad_reports::Figures;
use crate::import::klaviyo::KLAVIYO;
use crate::slack::Secret;
use crate::store::{ShopSettings, Store};

/// The `sync_state` name: the same as the `klaviyo` CSV importer's.
pub const SOURCE: &str = "klaviyo";
pub const DEFAULT_KLAVIYO_REVISION: &str = "2024-10-15";
pub const KLAVIYO_KEY_ENV: &str = "KLAVIYO_API_KEY";
const DEFAULT_BASE: &str = "https://a.klaviyo.com/api";
const STATISTICS: [&str; 5] = [
    "recipients",
    "delivered",
    "clicks_unique",
    "conversion_uniques",
    "conversion_value",
];
pub const OPENED: &str = "Opened Email";
pub const CLICKED: &str = "Clicked Email";
pub const PLACED_ORDER: &str = "Placed Order";

pub mod engagement;

/// `[sync.klaviyo]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KlaviyoConfig {
    /// Replaces `https://a.klaviyo.com/api` (tests, proxies).
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default = "default_revision")]
    pub revision: String,
    /// A file holding the private API key (`pk_…`); else `KLAVIYO_API_KEY`.
    #[serde(default)]
    pub api_key_file: Option<std::path::PathBuf>,
    /// The metric conversions are counted on (none: the metric named "Placed Order").
    #[serde(default)]
    pub conversion_metric_id: Option<String>,
    /// Read the opens and clicks per profile (for ChurnGuard).
    #[serde(default = "yes")]
    pub engagement: bool,
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub timezone: Option<chrono_tz::Tz>,
    #[serde(default = "default_backfill")]
    pub backfill_days: u32,
    #[serde(default = "default_lookback")]
    pub lookback_days: u32,
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn default_revision() -> String {
    DEFAULT_KLAVIYO_REVISION.into()
}
fn yes() -> bool {
    true
}
fn default_backfill() -> u32 {
    90
}
fn default_lookback() -> u32 {
    7
}
fn default_attempts() -> u32 {
    5
}

impl Default for KlaviyoConfig {
    fn default() -> Self {
        KlaviyoConfig {
            base_url: None,
            revision: default_revision(),
            api_key_file: None,
            conversion_metric_id: None,
            engagement: true,
            schedule: None,
            timezone: None,
            backfill_days: default_backfill(),
            lookback_days: default_lookback(),
            max_attempts: default_attempts(),
        }
    }
}

impl KlaviyoConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            NaiveDate::parse_from_str(&self.revision, "%Y-%m-%d").is_ok(),
            "invalid configuration: sync.klaviyo.revision = {:?} must be an API revision date such as {DEFAULT_KLAVIYO_REVISION}",
            self.revision
        );
        anyhow::ensure!(
            self.backfill_days >= 1 && self.max_attempts >= 1,
            "invalid configuration: sync.klaviyo.backfill_days and max_attempts must be at least 1"
        );
        anyhow::ensure!(
            self.backfill_days <= 365,
            "invalid configuration: sync.klaviyo.backfill_days must be at most 365 (the reports' longest timeframe is a year)"
        );
        if let Some(expr) = &self.schedule {
            crate::schedule::CronSchedule::parse(expr, self.timezone.unwrap_or(chrono_tz::UTC))
                .map_err(|e| {
                    anyhow::anyhow!("invalid configuration: sync.klaviyo.schedule: {e}")
                })?;
        }
        Ok(())
    }

    pub fn api_key(&self) -> anyhow::Result<Secret> {
        secret_from(
            "klaviyo",
            self.api_key_file.as_deref(),
            KLAVIYO_KEY_ENV,
            "sync.klaviyo.api_key_file",
            "a private API key, pk_…, with read access to campaigns, flows, metrics, events and profiles",
        )
    }
}

/// Where the connector stands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KlaviyoCursor {
    /// The last day of the campaign and flow figures stored.
    pub last_day: Option<NaiveDate>,
    /// The time of the last "Opened Email" / "Clicked Email" event read.
    pub opened_until: Option<DateTime<Utc>>,
    pub clicked_until: Option<DateTime<Utc>>,
    /// An opens (clicks) pass broken off: where it resumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_page: Option<engagement::EngagementPage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicked_page: Option<engagement::EngagementPage>,
}

pub struct Klaviyo<'a> {
    store: &'a Store,
    tz: chrono_tz::Tz,
    config: &'a KlaviyoConfig,
    key: Secret,
    http: reqwest::Client,
    base_backoff: Duration,
    pub mode: &'static str,
    pub stats: Stats,
}

fn float(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

/// The figures of one report row's `statistics` (or one interval of a series).
fn figures(stat: impl Fn(&str) -> f64) -> Figures {
    let recipients = stat("recipients");
    Figures {
        spend: 0,
        impressions: if recipients > 0.0 {
            recipients
        } else {
            stat("delivered")
        }
        .round() as i64,
        clicks: stat("clicks_unique").round() as i64,
        conversions: stat("conversion_uniques").round() as i64,
        value: Some(hundredths(&json!(format!(
            "{:.3}",
            stat("conversion_value")
        )))),
    }
}

fn add(into: &mut Figures, f: &Figures) {
    into.spend += f.spend;
    into.impressions += f.impressions;
    into.clicks += f.clicks;
    into.conversions += f.conversions;
    into.value = Some(into.value.unwrap_or(0) + f.value.unwrap_or(0));
}

impl<'a> Klaviyo<'a> {
    pub fn new(
        store: &'a Store,
        tz: chrono_tz::Tz,
        config: &'a KlaviyoConfig,
        base_backoff: Duration,
    ) -> anyhow::Result<Klaviyo<'a>> {
        config.validate()?;
        let http = crate::sync::api_client()?;
        Ok(Klaviyo {
            store,
            tz,
            config,
            key: config.api_key()?,
            http,
            base_backoff,
            mode: "incremental",
            stats: Stats::default(),
        })
    }

    fn base(&self) -> String {
        self.config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE)
            .trim_end_matches('/')
            .to_string()
    }

    /// One call with back-off: `path` under the base (or an absolute `links.next`).
    async fn call(
        &mut self,
        body: Option<&Value>,
        path: &str,
        what: &str,
    ) -> Result<Value, SyncError> {
        let url = if path.starts_with("http") {
            // A `links.next` points at Klaviyo itself: kept on the configured base.
            match path.strip_prefix(DEFAULT_BASE) {
                Some(rest) if self.config.base_url.is_some() => format!("{}{rest}", self.base()),
                _ => path.to_string(),
            }
        } else {
            format!("{}{path}", self.base())
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let req = match body {
                Some(b) => self.http.post(&url).json(b),
                None => self.http.get(&url),
            }
            .header(
                "authorization",
                format!("Klaviyo-API-Key {}", self.key.expose()),
            )
            .header("revision", &self.config.revision)
            .header("accept", "application/vnd.api+json");
            let mut retry_after = None;
            let error = match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    return resp.json().await.map_err(|e| {
                        SyncError::Http(format!("klaviyo {what}: {}", without_url(&e)))
                    });
                }
                Ok(resp) => {
                    let status = resp.status();
                    retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<f64>().ok());
                    let body: Value = resp.json().await.unwrap_or(Value::Null);
                    let detail = body["errors"][0]["detail"]
                        .as_str()
                        .unwrap_or("no detail")
                        .replace(self.key.expose(), "[key]");
                    if status == reqwest::StatusCode::UNAUTHORIZED
                        || status == reqwest::StatusCode::FORBIDDEN
                    {
                        return Err(SyncError::Unauthorized(format!(
                            "klaviyo {what}: the API key was refused ({status}: {detail}): create a private key with read access to campaigns, flows, metrics, events and profiles and put it in {KLAVIYO_KEY_ENV} or sync.klaviyo.api_key_file"
                        )));
                    }
                    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                        self.stats.throttled += 1;
                        SyncError::Throttled(format!("klaviyo {what} ({status})"))
                    } else if status.is_server_error() {
                        SyncError::Http(format!("klaviyo {what} answered {status}"))
                    } else {
                        return Err(SyncError::Api(format!(
                            "klaviyo {what} answered {status}: {detail}"
                        )));
                    }
                }
                Err(e) => SyncError::Http(format!("klaviyo {what}: {}", without_url(&e))),
            };
            if attempt >= self.config.max_attempts {
                return Err(error.after_attempts(attempt));
            }
            let backoff = self.base_backoff * 2u32.saturating_pow(attempt - 1);
            let wait = retry_after
                .map(|s| Duration::from_secs_f64(s.clamp(0.0, 600.0)))
                .unwrap_or(backoff)
                .min(Duration::from_secs(600));
            tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "klaviyo call failed, waiting");
            self.stats.waited += wait;
            tokio::time::sleep(wait).await;
        }
    }

    /// Every resource of a list, following `links.next`; the `included` ones too.
    async fn list(
        &mut self,
        path: &str,
        what: &str,
    ) -> Result<(Vec<Value>, Vec<Value>), SyncError> {
        let mut data = Vec::new();
        let mut included = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            let page = self.call(None, &p, what).await?;
            data.extend(page["data"].as_array().cloned().unwrap_or_default());
            included.extend(page["included"].as_array().cloned().unwrap_or_default());
            next = page["links"]["next"].as_str().map(str::to_string);
        }
        Ok((data, included))
    }

    /// Metric name → id.
    async fn metrics(&mut self) -> Result<HashMap<String, String>, SyncError> {
        let (data, _) = self.list("/metrics/", "metrics").await?;
        let mut out = HashMap::new();
        for m in data {
            if let (Some(name), Some(id)) = (m["attributes"]["name"].as_str(), m["id"].as_str()) {
                out.entry(name.to_string())
                    .or_insert_with(|| id.to_string());
            }
        }
        Ok(out)
    }

    fn day_start(&self, d: NaiveDate) -> String {
        self.tz
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map_or_else(
                || format!("{d}T00:00:00Z"),
                |t| t.with_timezone(&Utc).to_rfc3339(),
            )
    }

    /// Campaign and flow figures per (day, campaign) of `from..=to`.
    async fn reports(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        conversion: &str,
        currency: &str,
        counts: &mut RunCounts,
    ) -> Result<BTreeMap<(NaiveDate, String), (String, Figures)>, SyncError> {
        let mut days: BTreeMap<(NaiveDate, String), (String, Figures)> = BTreeMap::new();
        let timeframe =
            json!({"start": self.day_start(from), "end": self.day_start(to + Days::new(1))});

        // Campaigns: name and send day, then their totals.
        let (campaigns, _) = self
            .list(
                "/campaigns/?filter=equals(messages.channel,'email')",
                "campaigns",
            )
            .await?;
        let mut sent: HashMap<String, (NaiveDate, String)> = HashMap::new();
        for c in &campaigns {
            let a = &c["attributes"];
            let Some(t) = a["send_time"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            else {
                continue; // a draft or a scheduled campaign
            };
            let day = t.with_timezone(&self.tz).date_naive();
            if let Some(id) = c["id"].as_str() {
                let name = a["name"].as_str().unwrap_or("").trim().to_string();
                sent.insert(id.to_string(), (day, name));
            }
        }
        let body = json!({"data": {"type": "campaign-values-report", "attributes": {
            "statistics": STATISTICS, "timeframe": timeframe, "conversion_metric_id": conversion,
            "filter": "equals(send_channel,\"email\")"}}});
        let report = self
            .call(
                Some(&body),
                "/campaign-values-reports/",
                "campaign values report",
            )
            .await?;
        for r in report["data"]["attributes"]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            counts.records_read += 1;
            let id = r["groupings"]["campaign_id"].as_str().unwrap_or("");
            let Some((day, name)) = sent.get(id) else {
                continue;
            };
            if *day < from || *day > to {
                continue;
            }
            let s = &r["statistics"];
            let f = figures(|k| float(&s[k]));
            let entry = days
                .entry((*day, name.clone()))
                .or_insert_with(|| (currency.to_string(), Figures::default()));
            add(&mut entry.1, &f);
        }

        // Flows: names, then their daily series.
        let (flows, _) = self.list("/flows/", "flows").await?;
        let names: HashMap<String, String> = flows
            .iter()
            .filter_map(|f| {
                Some((
                    f["id"].as_str()?.to_string(),
                    f["attributes"]["name"].as_str()?.trim().to_string(),
                ))
            })
            .collect();
        let body = json!({"data": {"type": "flow-series-report", "attributes": {
            "statistics": STATISTICS, "timeframe": timeframe, "interval": "daily",
            "conversion_metric_id": conversion, "filter": "equals(send_channel,\"email\")"}}});
        let report = self
            .call(Some(&body), "/flow-series-reports/", "flow series report")
            .await?;
        let a = &report["data"]["attributes"];
        let dates: Vec<Option<NaiveDate>> = a["date_times"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|t| {
                t.as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&self.tz).date_naive())
            })
            .collect();
        for r in a["results"].as_array().cloned().unwrap_or_default() {
            counts.records_read += 1;
            let flow = r["groupings"]["flow_id"].as_str().unwrap_or("");
            let name = names.get(flow).cloned().unwrap_or_else(|| flow.to_string());
            let s = &r["statistics"];
            for (i, day) in dates.iter().enumerate() {
                let Some(day) = *day else { continue };
                if day < from || day > to {
                    continue;
                }
                let f = figures(|k| float(&s[k][i]));
                if f == (Figures {
                    value: Some(0),
                    ..Figures::default()
                }) {
                    continue; // nothing sent nor earned that day
                }
                let entry = days
                    .entry((day, format!("Flow: {name}")))
                    .or_insert_with(|| (currency.to_string(), Figures::default()));
                add(&mut entry.1, &f);
            }
        }
        Ok(days)
    }

    pub async fn sync(&mut self, counts: &mut RunCounts) -> anyhow::Result<()> {
        let mut cursor: KlaviyoCursor = state::load_cursor(self.store, SOURCE)
            .await?
            .unwrap_or_default();
        let currency = ShopSettings::load(self.store)
            .await?
            .map_or_else(|| "EUR".to_string(), |s| s.currency);
        let yesterday = Utc::now().with_timezone(&self.tz).date_naive() - Days::new(1);
        let from = match cursor.last_day {
            Some(last) => last - Days::new(u64::from(self.config.lookback_days)),
            None => {
                self.mode = "backfill";
                yesterday - Days::new(u64::from(self.config.backfill_days) - 1)
            }
        };
        let metrics = self.metrics().await?;
        let conversion = match &self.config.conversion_metric_id {
            Some(id) => id.clone(),
            None => metrics.get(PLACED_ORDER).cloned().ok_or_else(|| {
                SyncError::Data(format!(
                    "klaviyo: the account has no \"{PLACED_ORDER}\" metric: set sync.klaviyo.conversion_metric_id to the metric conversions are counted on"
                ))
            })?,
        };
        if from <= yesterday {
            let days = self
                .reports(from, yesterday, &conversion, &currency, counts)
                .await?;
            cursor.last_day = Some(yesterday);
            state::write_ad_days(self.store, &KLAVIYO, days, SOURCE, &cursor, counts).await?;
        }
        if !self.config.engagement {
            return Ok(());
        }
        self.engagement(&metrics, &mut cursor, counts).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_statistics_map_like_the_export_columns() {
        let s = json!({"recipients": 1200, "delivered": 1190, "clicks_unique": 85,
                       "conversion_uniques": 7, "conversion_value": 412.3});
        assert_eq!(
            figures(|k| float(&s[k])),
            Figures {
                spend: 0,
                impressions: 1200,
                clicks: 85,
                conversions: 7,
                value: Some(41230)
            }
        );
        let no_recipients = json!({"delivered": 40, "conversion_value": 0.0});
        assert_eq!(figures(|k| float(&no_recipients[k])).impressions, 40);
    }
}

//! The Google Ads connector: campaign metrics by day over `googleAds:searchStream` (GAQL),
//! into `ad_spend` (channel `google`) through the `google-ads` CSV importer's own writer, so
//! a day synced here and the same day imported from a report replace the same rows.
//!
//! Authentication is OAuth 2.0 with a refresh token: the client trades it for an access
//! token at the token endpoint, keeps it until shortly before `expires_in`, and on a 401 from
//! the API (a token revoked or expired early) fetches a new one once and repeats the call.
//! Every call carries the `developer-token` header, and `login-customer-id` when the account
//! is reached through a manager account. Credentials come from the environment
//! (`GOOGLE_ADS_DEVELOPER_TOKEN`, `GOOGLE_ADS_CLIENT_ID`, `GOOGLE_ADS_CLIENT_SECRET`,
//! `GOOGLE_ADS_REFRESH_TOKEN`) or a JSON file (`credentials_file`), never from the TOML.
//!
//! The cursor is the last day stored. Each sync re-reads `lookback_days` before it (Google
//! keeps attributing conversions to past days) up to yesterday, `days_per_request` days per
//! call; the first reads `backfill_days`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::graphql::without_url;
use super::state::{self, RunCounts};
use super::SyncError;
use crate::import::ad_reports::{Figures, GOOGLE};
use crate::slack::Secret;
use crate::store::Store;

pub const SOURCE: &str = "google_ads";
pub const DEFAULT_GOOGLE_ADS_API_VERSION: &str = "v21";

/// `[sync.google_ads]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoogleAdsConfig {
    /// The advertiser account, digits (dashes allowed: `123-456-7890`).
    pub customer_id: String,
    /// The manager account the credentials reach it through, if any.
    #[serde(default)]
    pub login_customer_id: Option<String>,
    #[serde(default = "default_version")]
    pub api_version: String,
    /// Replaces `https://googleads.googleapis.com` (tests, proxies).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Replaces `https://oauth2.googleapis.com/token`.
    #[serde(default)]
    pub token_url: Option<String>,
    /// A JSON file `{developer_token, client_id, client_secret, refresh_token}`; else the
    /// `GOOGLE_ADS_*` environment variables.
    #[serde(default)]
    pub credentials_file: Option<std::path::PathBuf>,
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
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn default_version() -> String {
    DEFAULT_GOOGLE_ADS_API_VERSION.into()
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
fn default_attempts() -> u32 {
    5
}

impl GoogleAdsConfig {
    pub fn new(customer_id: impl Into<String>) -> GoogleAdsConfig {
        GoogleAdsConfig {
            customer_id: customer_id.into(),
            login_customer_id: None,
            api_version: default_version(),
            base_url: None,
            token_url: None,
            credentials_file: None,
            schedule: None,
            timezone: None,
            backfill_days: default_backfill(),
            lookback_days: default_lookback(),
            days_per_request: default_chunk(),
            max_attempts: default_attempts(),
        }
    }

    fn digits(id: &str) -> String {
        id.chars().filter(char::is_ascii_digit).collect()
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let id = Self::digits(&self.customer_id);
        anyhow::ensure!(
            id.len() == 10,
            "invalid configuration: sync.google_ads.customer_id = {:?} must be the account's 10 digits, such as 123-456-7890",
            self.customer_id
        );
        anyhow::ensure!(
            self.days_per_request >= 1 && self.backfill_days >= 1 && self.max_attempts >= 1,
            "invalid configuration: sync.google_ads.days_per_request, backfill_days and max_attempts must be at least 1"
        );
        if let Some(expr) = &self.schedule {
            crate::schedule::CronSchedule::parse(expr, self.timezone.unwrap_or(chrono_tz::UTC))
                .map_err(|e| {
                    anyhow::anyhow!("invalid configuration: sync.google_ads.schedule: {e}")
                })?;
        }
        Ok(())
    }

    fn credentials(&self) -> anyhow::Result<Credentials> {
        if let Some(path) = &self.credentials_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!(
                    "google_ads: cannot read the credentials file {}: {e} (check sync.google_ads.credentials_file)",
                    path.display()
                )
            })?;
            let raw: RawCredentials = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "google_ads: the credentials file {} is not JSON with developer_token, client_id, client_secret, refresh_token ({})",
                    path.display(),
                    e.to_string().split(" at line").next().unwrap_or("")
                )
            })?;
            return Ok(Credentials {
                developer_token: Secret::new(raw.developer_token),
                client_id: raw.client_id,
                client_secret: Secret::new(raw.client_secret),
                refresh_token: Secret::new(raw.refresh_token),
            });
        }
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "google_ads: {name} is not set (or set sync.google_ads.credentials_file)"
                    )
                })
        };
        Ok(Credentials {
            developer_token: Secret::new(var("GOOGLE_ADS_DEVELOPER_TOKEN")?),
            client_id: var("GOOGLE_ADS_CLIENT_ID")?,
            client_secret: Secret::new(var("GOOGLE_ADS_CLIENT_SECRET")?),
            refresh_token: Secret::new(var("GOOGLE_ADS_REFRESH_TOKEN")?),
        })
    }
}

#[derive(Deserialize)]
struct RawCredentials {
    developer_token: String,
    client_id: String,
    client_secret: String,
    refresh_token: String,
}

#[derive(Debug)]
struct Credentials {
    developer_token: Secret,
    client_id: String,
    client_secret: Secret,
    refresh_token: Secret,
}

/// Where the connector stands: the last day stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GoogleAdsCursor {
    pub last_day: Option<NaiveDate>,
}

pub struct GoogleAds<'a> {
    store: &'a Store,
    tz: chrono_tz::Tz,
    config: &'a GoogleAdsConfig,
    creds: Credentials,
    http: reqwest::Client,
    access: Option<(Secret, Instant)>,
    base_backoff: Duration,
    pub mode: &'static str,
}

/// The report, as the issue asks for it, plus the account's currency.
pub fn gaql(from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "SELECT segments.date, campaign.id, campaign.name, customer.currency_code, metrics.cost_micros, \
         metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value \
         FROM campaign WHERE segments.date BETWEEN '{from}' AND '{to}'"
    )
}

/// An int64 of the REST API (a JSON string) or a plain number.
fn int(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .or_else(|| v.as_f64().map(|f| f.round() as i64))
        .unwrap_or(0)
}

fn float(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

impl<'a> GoogleAds<'a> {
    pub fn new(
        store: &'a Store,
        tz: chrono_tz::Tz,
        config: &'a GoogleAdsConfig,
        base_backoff: Duration,
    ) -> anyhow::Result<GoogleAds<'a>> {
        let http = crate::sync::api_client()?;
        Ok(GoogleAds {
            store,
            tz,
            config,
            creds: config.credentials()?,
            http,
            access: None,
            base_backoff,
            mode: "incremental",
        })
    }

    /// A valid access token: the one held, or a new one from the refresh token.
    async fn access_token(&mut self) -> Result<Secret, SyncError> {
        if let Some((token, until)) = &self.access {
            if Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        let url = self
            .config
            .token_url
            .clone()
            .unwrap_or_else(|| "https://oauth2.googleapis.com/token".into());
        let form = serde_urlencoded::to_string([
            ("grant_type", "refresh_token"),
            ("client_id", self.creds.client_id.as_str()),
            ("client_secret", self.creds.client_secret.expose()),
            ("refresh_token", self.creds.refresh_token.expose()),
        ])
        .map_err(|e| SyncError::Data(format!("google_ads token refresh: {e}")))?;
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| {
                SyncError::Http(format!("google_ads token refresh: {}", without_url(&e)))
            })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(SyncError::Unauthorized(format!(
                "google_ads: the OAuth refresh token was refused ({status}): create a new one (GOOGLE_ADS_REFRESH_TOKEN)"
            )));
        }
        let body: Value = resp.json().await.map_err(|e| {
            SyncError::Http(format!("google_ads token refresh: {}", without_url(&e)))
        })?;
        let token = body["access_token"].as_str().ok_or_else(|| {
            SyncError::Api("google_ads token refresh: no access_token in the answer".into())
        })?;
        // Renewed a minute early, so a call never starts with a token about to lapse.
        let life = body["expires_in"]
            .as_u64()
            .unwrap_or(3600)
            .saturating_sub(60);
        let secret = Secret::new(token);
        self.access = Some((secret.clone(), Instant::now() + Duration::from_secs(life)));
        Ok(secret)
    }

    /// One `searchStream` call: the rows of every batch.
    async fn search(&mut self, query: &str) -> Result<Vec<Value>, SyncError> {
        let base = self
            .config
            .base_url
            .clone()
            .unwrap_or_else(|| "https://googleads.googleapis.com".into());
        let url = format!(
            "{}/{}/customers/{}/googleAds:searchStream",
            base.trim_end_matches('/'),
            self.config.api_version,
            GoogleAdsConfig::digits(&self.config.customer_id)
        );
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let token = self.access_token().await?;
            let mut req = self
                .http
                .post(&url)
                .bearer_auth(token.expose())
                .header("developer-token", self.creds.developer_token.expose())
                .json(&json!({ "query": query }));
            if let Some(login) = &self.config.login_customer_id {
                req = req.header("login-customer-id", GoogleAdsConfig::digits(login));
            }
            let error = match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    let batches: Value = resp.json().await.map_err(|e| {
                        SyncError::Http(format!("google_ads searchStream: {}", without_url(&e)))
                    })?;
                    let mut rows = Vec::new();
                    for batch in batches.as_array().cloned().unwrap_or_default() {
                        rows.extend(batch["results"].as_array().cloned().unwrap_or_default());
                    }
                    return Ok(rows);
                }
                Ok(resp) if resp.status() == reqwest::StatusCode::UNAUTHORIZED && !refreshed => {
                    // Expired or revoked: one new token, then the same call again.
                    tracing::info!("google_ads access token refused: refreshing it");
                    self.access = None;
                    refreshed = true;
                    attempt -= 1;
                    continue;
                }
                Ok(resp)
                    if resp.status() == reqwest::StatusCode::UNAUTHORIZED
                        || resp.status() == reqwest::StatusCode::FORBIDDEN =>
                {
                    return Err(SyncError::Unauthorized(format!(
                        "google_ads: the API refused the credentials ({}): check the developer token, the account id and login-customer-id",
                        resp.status()
                    )));
                }
                Ok(resp)
                    if resp.status() == reqwest::StatusCode::TOO_MANY_REQUESTS
                        || resp.status().is_server_error() =>
                {
                    SyncError::Http(format!(
                        "google_ads searchStream answered {}",
                        resp.status()
                    ))
                }
                Ok(resp) => {
                    let status = resp.status();
                    let body: Value = resp.json().await.unwrap_or(Value::Null);
                    let message = body[0]["error"]["message"]
                        .as_str()
                        .or(body["error"]["message"].as_str())
                        .unwrap_or("no message");
                    return Err(SyncError::Api(format!(
                        "google_ads searchStream answered {status}: {message}"
                    )));
                }
                Err(e) => SyncError::Http(format!("google_ads searchStream: {}", without_url(&e))),
            };
            if attempt >= self.config.max_attempts {
                return Err(SyncError::GaveUp {
                    error: Box::new(error),
                    attempts: attempt,
                });
            }
            let wait =
                (self.base_backoff * 2u32.saturating_pow(attempt - 1)).min(Duration::from_secs(60));
            tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "google_ads call failed, retrying");
            tokio::time::sleep(wait).await;
        }
    }

    pub async fn sync(&mut self, counts: &mut RunCounts) -> anyhow::Result<()> {
        let cursor: GoogleAdsCursor = state::load_cursor(self.store, SOURCE)
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
            let rows = self.search(&gaql(start, end)).await?;
            counts.records_read += rows.len() as u64;
            let mut days: BTreeMap<(NaiveDate, String), (String, Figures)> = BTreeMap::new();
            for r in &rows {
                let date: NaiveDate = r["segments"]["date"]
                    .as_str()
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| {
                        SyncError::Data(format!("google_ads row without a date: {r}"))
                    })?;
                let campaign = r["campaign"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                let currency = r["customer"]["currencyCode"]
                    .as_str()
                    .unwrap_or("EUR")
                    .to_string();
                let m = &r["metrics"];
                let f = Figures {
                    // Micros of the account currency: 1 cent = 10 000 micros.
                    spend: (int(&m["costMicros"]) as f64 / 10_000.0).round() as i64,
                    impressions: int(&m["impressions"]),
                    clicks: int(&m["clicks"]),
                    conversions: float(&m["conversions"]).round() as i64,
                    value: Some((float(&m["conversionsValue"]) * 100.0).round() as i64),
                };
                let entry = days
                    .entry((date, campaign))
                    .or_insert_with(|| (currency, Figures::default()));
                entry.1.spend += f.spend;
                entry.1.impressions += f.impressions;
                entry.1.clicks += f.clicks;
                entry.1.conversions += f.conversions;
                entry.1.value = Some(entry.1.value.unwrap_or(0) + f.value.unwrap_or(0));
            }
            let cursor = GoogleAdsCursor {
                last_day: Some(end),
            };
            state::write_ad_days(self.store, &GOOGLE, days, SOURCE, &cursor, counts).await?;
            start = end + Days::new(1);
        }
        Ok(())
    }
}

//! The `[sync]` part of the configuration: which API sources exist, where they are and how
//! often they run. Access tokens are never read from the TOML file: only from the
//! environment (`SHOPIFY_ACCESS_TOKEN`) or a file named here (`access_token_file`, e.g. a
//! mounted secret), into a [`Secret`] that no Debug output or log line shows.
//!
//! ```toml
//! [sync.shopify]
//! shop = "my-shop.myshopify.com"
//! api_version = "2025-10"          # the Admin GraphQL version the queries are written for
//! schedule = "0 3 * * *"           # cron (5 or 6 fields), in `timezone`
//! timezone = "Europe/Paris"
//! # access_token_file = "/run/secrets/shopify"   # else SHOPIFY_ACCESS_TOKEN
//! # base_url = "http://127.0.0.1:8089"            # a proxy or a test fake
//! ```

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::slack::Secret;

/// The Admin API version the queries are written (and tested) against. Shopify supports a
/// version for a year; change it here after checking the release notes of the newer one.
pub const DEFAULT_SHOPIFY_API_VERSION: &str = "2025-10";
/// The environment variable holding the Shopify Admin API access token (`shpat_…`).
pub const SHOPIFY_TOKEN_ENV: &str = "SHOPIFY_ACCESS_TOKEN";

/// `[sync]`: one table per API source; a source without its table is not synced.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    pub shopify: Option<ShopifyConfig>,
    /// `[sync.google_ads]` (see `sync::google_ads`).
    pub google_ads: Option<super::google_ads::GoogleAdsConfig>,
    /// `[sync.meta]` (see `sync::meta`).
    pub meta: Option<super::meta::MetaConfig>,
    /// `[sync.klaviyo]` (see `sync::klaviyo`).
    pub klaviyo: Option<super::klaviyo::KlaviyoConfig>,
}

/// `[sync.shopify]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopifyConfig {
    /// `my-shop.myshopify.com`.
    pub shop: String,
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// Replaces `https://{shop}` (tests, proxies).
    #[serde(default)]
    pub base_url: Option<String>,
    /// A file holding the access token (trailing whitespace ignored); else the environment.
    #[serde(default)]
    pub access_token_file: Option<PathBuf>,
    /// When `serve` syncs: a cron expression in `timezone` (none: only `insight-desk sync`).
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub timezone: Option<chrono_tz::Tz>,
    /// The first backfill reads orders created from this day on (none: the shop's whole
    /// history).
    #[serde(default)]
    pub backfill_from: Option<chrono::NaiveDate>,
    /// Orders per page of the incremental query (Shopify allows up to 250).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Seconds between two polls of a running bulk operation.
    #[serde(default = "default_poll_secs")]
    pub bulk_poll_secs: f64,
    /// Attempts per API call (429, 5xx and network errors back off and retry).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Also read the catalogue (variants, unit costs) and the stock (inventory levels).
    #[serde(default = "default_catalog")]
    pub catalog: bool,
    /// Variants per page of the catalogue query (each with up to 10 inventory levels: 25
    /// keeps a page's cost well under Shopify's 1,000 points).
    #[serde(default = "default_catalog_page_size")]
    pub catalog_page_size: u32,
}

fn default_api_version() -> String {
    DEFAULT_SHOPIFY_API_VERSION.into()
}
fn default_page_size() -> u32 {
    100
}
fn default_poll_secs() -> f64 {
    2.0
}
fn default_attempts() -> u32 {
    5
}
fn default_catalog() -> bool {
    true
}
fn default_catalog_page_size() -> u32 {
    25
}

impl ShopifyConfig {
    /// A configuration for `shop` with every default.
    pub fn new(shop: impl Into<String>) -> ShopifyConfig {
        ShopifyConfig {
            shop: shop.into(),
            api_version: default_api_version(),
            base_url: None,
            access_token_file: None,
            schedule: None,
            timezone: None,
            backfill_from: None,
            page_size: default_page_size(),
            bulk_poll_secs: default_poll_secs(),
            max_attempts: default_attempts(),
            catalog: default_catalog(),
            catalog_page_size: default_catalog_page_size(),
        }
    }

    /// The GraphQL endpoint: `{base}/admin/api/{version}/graphql.json`.
    pub fn endpoint(&self) -> String {
        let base = match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("https://{}", self.shop.trim_end_matches('/')),
        };
        format!("{base}/admin/api/{}/graphql.json", self.api_version)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let shop = self.shop.trim();
        anyhow::ensure!(
            !shop.is_empty() && !shop.contains("://") && !shop.contains('/'),
            "invalid configuration: sync.shopify.shop = {shop:?} must be the shop's domain, such as my-shop.myshopify.com"
        );
        let v = &self.api_version;
        anyhow::ensure!(
            v.len() == 7 && v.as_bytes()[4] == b'-' && v[..4].parse::<u16>().is_ok() && v[5..].parse::<u8>().is_ok(),
            "invalid configuration: sync.shopify.api_version = {v:?} must be a version such as {DEFAULT_SHOPIFY_API_VERSION}"
        );
        anyhow::ensure!(
            (1..=250).contains(&self.page_size),
            "invalid configuration: sync.shopify.page_size = {} must be between 1 and 250",
            self.page_size
        );
        anyhow::ensure!(
            (1..=250).contains(&self.catalog_page_size),
            "invalid configuration: sync.shopify.catalog_page_size = {} must be between 1 and 250",
            self.catalog_page_size
        );
        anyhow::ensure!(
            self.bulk_poll_secs.is_finite() && self.bulk_poll_secs > 0.0,
            "invalid configuration: sync.shopify.bulk_poll_secs must be a positive number of seconds"
        );
        anyhow::ensure!(
            self.max_attempts >= 1,
            "invalid configuration: sync.shopify.max_attempts must be at least 1"
        );
        if let Some(expr) = &self.schedule {
            crate::schedule::CronSchedule::parse(expr, self.timezone.unwrap_or(chrono_tz::UTC))
                .map_err(|e| {
                    anyhow::anyhow!("invalid configuration: sync.shopify.schedule: {e}")
                })?;
        }
        Ok(())
    }

    /// The access token: `access_token_file` when set, else `SHOPIFY_ACCESS_TOKEN`.
    pub fn access_token(&self) -> anyhow::Result<Secret> {
        if let Some(path) = &self.access_token_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!(
                    "shopify: cannot read the access token file {}: {e} (check sync.shopify.access_token_file)",
                    path.display()
                )
            })?;
            let token = text.trim();
            anyhow::ensure!(
                !token.is_empty(),
                "shopify: the access token file {} is empty",
                path.display()
            );
            return Ok(Secret::new(token));
        }
        match std::env::var(SHOPIFY_TOKEN_ENV) {
            Ok(t) if !t.trim().is_empty() => Ok(Secret::new(t.trim())),
            _ => anyhow::bail!(
                "shopify: no access token: set {SHOPIFY_TOKEN_ENV} (an Admin API token, shpat_…) or sync.shopify.access_token_file"
            ),
        }
    }
}

impl SyncConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(s) = &self.shopify {
            s.validate()?;
        }
        if let Some(g) = &self.google_ads {
            g.validate()?;
        }
        if let Some(m) = &self.meta {
            m.validate()?;
        }
        if let Some(k) = &self.klaviyo {
            k.validate()?;
        }
        Ok(())
    }
}

/// A secret of `source` from `file` when set, else from the environment variable `env`;
/// `key` is the configuration key of the file, `what` says what the secret is.
pub(crate) fn secret_from(
    source: &str,
    file: Option<&std::path::Path>,
    env: &str,
    key: &str,
    what: &str,
) -> anyhow::Result<Secret> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "{source}: cannot read the secret file {}: {e} (check {key})",
                path.display()
            )
        })?;
        let token = text.trim();
        anyhow::ensure!(
            !token.is_empty(),
            "{source}: the secret file {} is empty (check {key})",
            path.display()
        );
        return Ok(Secret::new(token));
    }
    match std::env::var(env) {
        Ok(t) if !t.trim().is_empty() => Ok(Secret::new(t.trim())),
        _ => anyhow::bail!("{source}: no credentials: set {env} ({what}) or {key}"),
    }
}

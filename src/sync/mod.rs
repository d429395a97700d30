//! `insight-desk sync`: API connectors that keep the store up to date by themselves.
//!
//! Each source has a connector (`shopify`, `google_ads`, `meta`, `klaviyo`: see their modules) that reads what changed
//! since its cursor and writes it through the importers' own sinks, so the API and the export
//! files share one set of dedup rules. A connector's cursor lives in `sync_state.cursor`
//! (written with the data it covers: `state`), every run is recorded in `sync_runs`, and the
//! per-source outcome is also recorded like an import (`sync_state`'s last success, rows and
//! days), which is what `sources`, the freshness line of every answer and the stale-source
//! alert read. Sources are synced one after the other; one failing does not stop the others,
//! and the whole sync fails at the end if any did.

pub mod config;
pub mod fake_google_ads;
pub mod fake_hold;
pub mod fake_klaviyo;
pub mod fake_meta;
pub mod fake_shopify;
pub mod google_ads;
pub mod graphql;
pub mod klaviyo;
pub mod meta;
pub mod meta_usage;
pub mod shopify;
pub mod state;

use std::time::{Duration, Instant};

pub use config::{ShopifyConfig, SyncConfig};
pub use state::RunCounts;

use crate::import::sources;
use crate::store::{refresh_after_import, refresh_after_load, Store, Touched};

/// The errors at the API boundary. None of them carries a token or a signed URL.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Http(String),
    #[error("{0}: rate limited by the API")]
    Throttled(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Api(String),
    #[error("{0}")]
    Data(String),
    #[error("{error} (gave up after {attempts} attempts)")]
    GaveUp {
        error: Box<SyncError>,
        attempts: u32,
    },
}

impl SyncError {
    fn after_attempts(self, attempts: u32) -> SyncError {
        if attempts <= 1 {
            return self;
        }
        SyncError::GaveUp {
            error: Box::new(self),
            attempts,
        }
    }
}

/// The API sources `sync` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// Shopify Admin GraphQL: orders, line items, refunds, customers.
    Shopify,
    /// Google Ads API: campaign spend and conversions by day.
    GoogleAds,
    /// Meta Marketing API: campaign insights by day (spend, link clicks, purchases).
    Meta,
    /// Klaviyo API: campaign and flow performance, and each profile's last open and click.
    Klaviyo,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Shopify => shopify::SOURCE,
            Source::GoogleAds => google_ads::SOURCE,
            Source::Meta => meta::SOURCE,
            Source::Klaviyo => klaviyo::SOURCE,
        }
    }

    /// Its name on the command line (`insight-desk sync meta`), which is also its scheduled
    /// job's (`sync:meta`) and what `schedule list` prints.
    pub fn command_name(self) -> &'static str {
        match self {
            Source::Shopify => "shopify",
            Source::GoogleAds => "google-ads",
            Source::Meta => "meta",
            Source::Klaviyo => "klaviyo",
        }
    }

    /// Its table in `[sync]`.
    pub fn config_key(self) -> &'static str {
        match self {
            Source::Shopify => "shopify",
            Source::GoogleAds => "google_ads",
            Source::Meta => "meta",
            Source::Klaviyo => "klaviyo",
        }
    }

    /// What the store holds for this source (rows, first and last day), for `sync_state`.
    fn coverage_sql(self) -> String {
        match self {
            Source::Shopify => {
                sources::coverage_query("orders", "local_date", "WHERE source = 'shopify'")
            }
            Source::GoogleAds => {
                sources::coverage_query("ad_spend", "date", "WHERE source = 'google_ads'")
            }
            Source::Meta => {
                sources::coverage_query("ad_spend", "date", "WHERE source = 'meta_ads'")
            }
            Source::Klaviyo => {
                sources::coverage_query("ad_spend", "date", "WHERE source = 'klaviyo'")
            }
        }
    }

    /// The cron expression and time zone of its `schedule`, if any.
    fn schedule(self, config: &SyncConfig) -> Option<(&str, Option<chrono_tz::Tz>)> {
        match self {
            Source::Shopify => config
                .shopify
                .as_ref()
                .and_then(|c| Some((c.schedule.as_deref()?, c.timezone))),
            Source::GoogleAds => config
                .google_ads
                .as_ref()
                .and_then(|c| Some((c.schedule.as_deref()?, c.timezone))),
            Source::Meta => config
                .meta
                .as_ref()
                .and_then(|c| Some((c.schedule.as_deref()?, c.timezone))),
            Source::Klaviyo => config
                .klaviyo
                .as_ref()
                .and_then(|c| Some((c.schedule.as_deref()?, c.timezone))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Show progress (only meaningful on a terminal).
    pub progress: bool,
    /// Forget the cursor first: a full backfill.
    pub full: bool,
    /// First wait after a 5xx or network error (doubles per attempt).
    pub base_backoff: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            progress: false,
            full: false,
            base_backoff: Duration::from_millis(500),
        }
    }
}

/// What syncing one source did.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SourceOutcome {
    pub source: String,
    pub mode: String,
    pub counts: RunCounts,
    pub throttled: u64,
    pub waited_secs: f64,
    pub elapsed_secs: f64,
    /// Of which: the rebuild of the summary tables after the orders were written.
    pub refresh_secs: f64,
    /// The error, when the source failed (what it stored before failing is kept).
    pub error: Option<String>,
}

impl std::fmt::Display for SourceOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "{} ({}): {} {} read; {} inserted, {} updated, {} unchanged; {:.2} s",
            self.source,
            self.mode,
            c.records_read,
            // Orders for Shopify; report rows and events for the ad and e-mail sources.
            if self.source == shopify::SOURCE {
                "orders"
            } else {
                "records"
            },
            c.inserted,
            c.updated,
            c.unchanged,
            self.elapsed_secs
        )?;
        if c.variants_read > 0 || c.stock_read > 0 {
            write!(
                f,
                "; catalogue: {} variants read ({} new or changed), stock of {} SKUs ({} changed)",
                c.variants_read, c.variants_changed, c.stock_read, c.stock_changed
            )?;
        }
        if self.throttled > 0 || self.waited_secs > 0.05 {
            write!(
                f,
                "; throttled {} times, waited {:.1} s",
                self.throttled, self.waited_secs
            )?;
        }
        if let Some(e) = &self.error {
            write!(f, "; FAILED: {e}")?;
        }
        Ok(())
    }
}

/// The HTTP client every connector talks to its API with: rustls, 2-minute limit per call.
pub fn api_client() -> Result<reqwest::Client, SyncError> {
    crate::slack::api::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| SyncError::Http(format!("cannot build the HTTP client: {e}")))
}

/// The sources `config` configures, in order (or just `only`).
pub fn configured(config: &SyncConfig, only: Option<Source>) -> anyhow::Result<Vec<Source>> {
    let mut all = Vec::new();
    if config.shopify.is_some() {
        all.push(Source::Shopify);
    }
    if config.google_ads.is_some() {
        all.push(Source::GoogleAds);
    }
    if config.meta.is_some() {
        all.push(Source::Meta);
    }
    if config.klaviyo.is_some() {
        all.push(Source::Klaviyo);
    }
    match only {
        Some(s) if all.contains(&s) => Ok(vec![s]),
        Some(s) => anyhow::bail!(
            "{} is not configured: add a [sync.{}] section to insight-desk.toml (see README, \"API sync\")",
            s.name(),
            s.config_key()
        ),
        None if all.is_empty() => anyhow::bail!(
            "no API source is configured: add a [sync.shopify], [sync.google_ads], [sync.meta] or [sync.klaviyo] section to insight-desk.toml (see README, \"API sync\")"
        ),
        None => Ok(all),
    }
}

/// The scheduler's jobs for the sources that have a `schedule` (in their `timezone`, else
/// the shop's): one `sync:<source>` job each, run by `serve` like the digests.
pub fn scheduled_jobs(
    config: &SyncConfig,
    shop_tz: chrono_tz::Tz,
) -> anyhow::Result<Vec<crate::schedule::Job>> {
    let mut jobs = Vec::new();
    for source in [
        Source::Shopify,
        Source::GoogleAds,
        Source::Meta,
        Source::Klaviyo,
    ] {
        if let Some((expr, tz)) = source.schedule(config) {
            let cron =
                crate::schedule::CronSchedule::parse(expr, tz.unwrap_or(shop_tz)).map_err(|e| {
                    anyhow::anyhow!(
                        "invalid configuration: sync.{}.schedule: {e}",
                        source.config_key()
                    )
                })?;
            jobs.push(crate::schedule::Job {
                key: format!("sync:{}", source.command_name()),
                cron,
                kind: crate::schedule::JobKind::Sync(source),
            });
        }
    }
    Ok(jobs)
}

/// Syncs each source in turn; a failing source is recorded and the next one still runs.
pub async fn sync_sources(
    store: &Store,
    tz: chrono_tz::Tz,
    config: &SyncConfig,
    sources_wanted: &[Source],
    opts: &SyncOptions,
) -> Vec<SourceOutcome> {
    let mut out = Vec::new();
    for &source in sources_wanted {
        out.push(sync_one(store, tz, config, source, opts).await);
    }
    out
}

/// Syncs one source, recording the run and the outcome.
pub async fn sync_one(
    store: &Store,
    tz: chrono_tz::Tz,
    config: &SyncConfig,
    source: Source,
    opts: &SyncOptions,
) -> SourceOutcome {
    let started = Instant::now();
    let mut counts = RunCounts::default();
    let mut outcome = SourceOutcome {
        source: source.name().to_string(),
        mode: "incremental".to_string(),
        counts,
        throttled: 0,
        waited_secs: 0.0,
        elapsed_secs: 0.0,
        refresh_secs: 0.0,
        error: None,
    };
    // The indexes a killed backfill left dropped are built before another source's sync
    // (a long-running `serve` opened the store before the kill); Shopify's resumes the
    // backfill, which keeps them dropped and builds them at its end (`shopify::Load`).
    let restored = match source {
        Source::Shopify => Ok(0),
        _ => crate::store::bulk_load::restore_abandoned(store).await,
    };
    if let Err(e) = restored {
        outcome.error = Some(format!("{e:#}"));
        outcome.elapsed_secs = started.elapsed().as_secs_f64();
        return outcome;
    }
    // Set before anything is written, cleared after the refresh: found already set, an
    // earlier sync stopped in between, and only a full rebuild knows what it wrote.
    let pending_before = if source == Source::Shopify {
        state::mark_summaries_pending(store, shopify::SOURCE).await
    } else {
        Ok(false)
    };
    let mut touched: Option<Touched> = None;
    // Costs and categories feed the margin summaries: a changed catalogue rebuilds them all.
    let mut catalog_changed = false;
    // A backfill into an empty store keeps no `touched`: every order is.
    let mut rebuild_all = false;
    let run_id = state::start_run(store, source.name(), "incremental")
        .await
        .ok();
    let result: anyhow::Result<()> = async {
        match source {
            Source::Shopify => {
                let cfg = config
                    .shopify
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("shopify is not configured"))?;
                if opts.full {
                    state::clear_cursor(store, shopify::SOURCE).await?;
                }
                let mut connector = shopify::Shopify::new(store, tz, cfg, opts)?;
                let result = connector.sync(&mut counts).await;
                touched = Some(std::mem::take(&mut connector.touched));
                catalog_changed = connector.catalog_changed;
                rebuild_all = connector.rebuild_all;
                outcome.mode = connector.mode.to_string();
                outcome.throttled = connector.client.stats.throttled;
                outcome.waited_secs = connector.client.stats.waited.as_secs_f64();
                result.map(|_| ())
            }
            Source::GoogleAds => {
                let cfg = config
                    .google_ads
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("google_ads is not configured"))?;
                if opts.full {
                    state::clear_cursor(store, google_ads::SOURCE).await?;
                }
                let mut connector = google_ads::GoogleAds::new(store, tz, cfg, opts.base_backoff)?;
                let result = connector.sync(&mut counts).await;
                outcome.mode = connector.mode.to_string();
                result
            }
            Source::Meta => {
                let cfg = config
                    .meta
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("meta is not configured"))?;
                if opts.full {
                    state::clear_cursor(store, meta::SOURCE).await?;
                }
                let mut connector = meta::Meta::new(store, tz, cfg, opts.base_backoff)?;
                let result = connector.sync(&mut counts).await;
                outcome.mode = connector.mode.to_string();
                outcome.throttled = connector.stats.throttled;
                outcome.waited_secs = connector.stats.waited.as_secs_f64();
                result
            }
            Source::Klaviyo => {
                let cfg = config
                    .klaviyo
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("klaviyo is not configured"))?;
                if opts.full {
                    state::clear_cursor(store, klaviyo::SOURCE).await?;
                }
                let mut connector = klaviyo::Klaviyo::new(store, tz, cfg, opts.base_backoff)?;
                let result = connector.sync(&mut counts).await;
                outcome.mode = connector.mode.to_string();
                outcome.throttled = connector.stats.throttled;
                outcome.waited_secs = connector.stats.waited.as_secs_f64();
                result
            }
        }
    }
    .await;
    outcome.counts = counts;
    // Whatever orders were written (also before a failure) are in the summaries at the end;
    // ad spend is read by the metrics directly.
    // Only the days and customers this sync touched are recomputed, unless an earlier sync
    // left its refresh undone (or the mark could not be read).
    let wrote = source == Source::Shopify && counts.inserted + counts.updated > 0;
    let refresh_started = Instant::now();
    let refreshed = match (&pending_before, &touched) {
        (Ok(true), _) | (Err(_), _) => refresh_after_load(store).await,
        _ if catalog_changed => refresh_after_load(store).await,
        _ if rebuild_all && wrote => refresh_after_load(store).await,
        (Ok(false), Some(touched)) if wrote => refresh_after_import(store, touched).await,
        (Ok(false), _) if wrote => refresh_after_load(store).await,
        _ => Ok(()),
    };
    let refreshed = match refreshed {
        Ok(()) if source == Source::Shopify => {
            state::clear_summaries_pending(store, shopify::SOURCE).await
        }
        other => other,
    };
    outcome.refresh_secs = refresh_started.elapsed().as_secs_f64();
    let result = result.and(refreshed);
    match &result {
        Ok(()) => {
            if let Err(e) =
                sources::record_success(store, source.name(), &source.coverage_sql()).await
            {
                outcome.error = Some(format!("{e:#}"));
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            let _ = sources::record_failure(store, source.name(), &message).await;
            outcome.error = Some(message);
        }
    }
    if let Some(id) = run_id {
        if let Err(e) =
            state::finish_run(store, id, &outcome.mode, counts, outcome.error.as_deref()).await
        {
            tracing::warn!(error = %format!("{e:#}"), "the sync run was not recorded");
        }
    }
    outcome.elapsed_secs = started.elapsed().as_secs_f64();
    outcome
}

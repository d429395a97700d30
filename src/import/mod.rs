//! `insight-desk import <kind> <file>…`: the exports a brand already has, into the store.
//!
//! One module per export format (`shopify`, `catalog`, `inventory`, `ad_reports`, `klaviyo`, `traffic`, `transactions`, `plans`) over a shared reader (`reader`:
//! separator, preamble, header matching; `parse`: amounts, dates), with bad input reported
//! by `error` and set aside by `rejects`. Every file is imported in one transaction (`db`):
//! with `--on-error abort` (the default) any bad row rejects the whole file and the store is
//! exactly as before; with `--on-error quarantine` the bad rows (for orders: every row of the
//! order) go to a reject file and the rest is imported; `--dry-run` does all the work and
//! rolls it back. Each import is recorded in `sync_state` (`sources`) and ends with the one
//! post-load hook, `store::refresh_after_load`, for the kinds that change sales.

pub(crate) mod ad_reports;
pub(crate) mod catalog;
pub(crate) mod channel_map;
pub(crate) mod db;
mod error;
pub(crate) mod inventory;
pub(crate) mod klaviyo;
pub(crate) mod order;
pub(crate) mod order_sink;
mod orders_job;
mod parse;
mod plans;
pub(crate) mod raw_sqlite;
mod reader;
mod rejects;
mod shopify;
pub mod sources;
mod traffic;
mod transactions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ValueEnum;

pub use error::ImportError;
pub use rejects::REASON_COLUMN;

use crate::domain::Period;
use crate::store::{refresh_after_import, refresh_after_load, Store, Touched};

/// The export formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Shopify admin "Export orders" CSV (one row per line item).
    ShopifyOrders,
    /// Shopify products export: products and variants (SKU, price, `Cost per item`).
    ShopifyProducts,
    /// Shopify inventory export: stock per SKU (summed over locations) for the current day.
    ShopifyInventory,
    /// Per-SKU cost components (supplier cost, packaging, logistics, fulfilment, storage %,
    /// returns %, overheads, lead time) for SKUs of the catalogue.
    Costs,
    /// Google Ads campaign or ad report, with or without a Day column.
    GoogleAds,
    /// Meta Ads Manager export (day by day, or per reporting period), English or French.
    MetaAds,
    /// Klaviyo campaign or flow performance export (recipients, unique clicks, placed orders,
    /// revenue), into the e-mail channel.
    Klaviyo,
    /// GA4 traffic acquisition export: date, session source / medium, sessions, conversions.
    Ga4,
    /// Generic sales: date, amount (or quantity × unit price), optional order id, customer,
    /// channel, currency, SKU.
    Transactions,
    /// Revenue objective per day (or per month, split over its days by weekday weights).
    Targets,
    /// Cash balance by date (and account).
    Cash,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ShopifyOrders => "shopify-orders",
            Kind::ShopifyProducts => "shopify-products",
            Kind::ShopifyInventory => "shopify-inventory",
            Kind::Costs => "costs",
            Kind::GoogleAds => "google-ads",
            Kind::MetaAds => "meta-ads",
            Kind::Klaviyo => "klaviyo",
            Kind::Ga4 => "ga4",
            Kind::Transactions => "transactions",
            Kind::Targets => "targets",
            Kind::Cash => "cash",
        }
    }

    /// Whether this kind writes what the summary tables are built from (orders, lines,
    /// refunds, customers, or the variants' costs and categories that margin reads). Ad
    /// spend, traffic, inventory, targets and cash are read by the metrics directly, so
    /// importing them needs no rebuild (which takes seconds at a million orders).
    fn changes_sales(self) -> bool {
        matches!(
            self,
            Kind::ShopifyOrders | Kind::Transactions | Kind::ShopifyProducts | Kind::Costs
        )
    }

    /// Whether an import of this kind that ended as `summary` says certainly changed no
    /// order, line, refund or customer acquisition: an order file of which every order was
    /// already stored identically. Then the rebuild (seconds at a million orders, most of a
    /// re-import's time) would recompute the same tables.
    fn left_sales_as_they_were(self, summary: &ImportSummary) -> bool {
        matches!(self, Kind::ShopifyOrders | Kind::Transactions)
            && summary.inserted == 0
            && summary.updated == 0
    }

    /// The SQL that measures what the store holds for this kind (rows, first and last day).
    fn coverage_sql(self) -> String {
        match self {
            Kind::ShopifyOrders => {
                sources::coverage_query("orders", "local_date", "WHERE source = 'shopify'")
            }
            Kind::ShopifyInventory => sources::coverage_query("inventory_levels", "date", ""),
            Kind::ShopifyProducts | Kind::Costs => {
                "SELECT COUNT(*), CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM variants".to_string()
            }
            Kind::GoogleAds => {
                sources::coverage_query("ad_spend", "date", "WHERE source = 'google_ads'")
            }
            Kind::MetaAds => {
                sources::coverage_query("ad_spend", "date", "WHERE source = 'meta_ads'")
            }
            Kind::Klaviyo => {
                sources::coverage_query("ad_spend", "date", "WHERE source = 'klaviyo'")
            }
            Kind::Ga4 => sources::coverage_query("traffic", "date", ""),
            Kind::Transactions => {
                sources::coverage_query("orders", "local_date", "WHERE source = 'transactions'")
            }
            Kind::Targets => sources::coverage_query("targets", "date", ""),
            Kind::Cash => sources::coverage_query("cash_balances", "date", ""),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OnError {
    /// Reject the whole file at the first bad row; the store is left exactly as it was.
    #[default]
    Abort,
    /// Import the good rows, write the bad ones to a reject file with the reason.
    Quarantine,
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub on_error: OnError,
    pub dry_run: bool,
    /// Show a progress bar (only meaningful on a terminal).
    pub progress: bool,
    /// Where reject files go (default: the current directory).
    pub rejects_dir: Option<PathBuf>,
    /// For ad reports without a Day column: the days their totals cover, overriding the
    /// report's own date-range line (required when it says "All time").
    pub period: Option<Period>,
}

/// What one file's import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub file: String,
    pub kind: String,
    /// CSV data rows read (Shopify: line items).
    pub rows_read: u64,
    /// Records (orders, ad-spend days, …) new to the store.
    pub inserted: u64,
    /// Records already stored and changed by this file.
    pub updated: u64,
    /// Records already stored identically, and rows that carry no record (report totals).
    pub skipped: u64,
    /// Records refused (quarantine only; abort fails instead).
    pub rejected: u64,
    pub reject_file: Option<PathBuf>,
    pub dry_run: bool,
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
    /// What an order import wrote, for the refresh of the summaries (orders kinds only:
    /// `None` elsewhere, where a refresh rebuilds everything).
    #[serde(skip)]
    pub touched: Option<Touched>,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl ImportSummary {
    pub fn rows_per_sec(&self) -> f64 {
        self.rows_read as f64 / self.elapsed.as_secs_f64().max(1e-6)
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{} ({}): {} rows read; {} inserted, {} updated, {} skipped, {} rejected; {:.2} s, {:.0} rows/s",
            if self.dry_run { "dry run: " } else { "" },
            self.file,
            self.kind,
            self.rows_read,
            self.inserted,
            self.updated,
            self.skipped,
            self.rejected,
            self.elapsed.as_secs_f64(),
            self.rows_per_sec()
        )?;
        if let Some(path) = &self.reject_file {
            write!(f, "; rejected rows in {}", path.display())?;
        }
        Ok(())
    }
}

/// Imports one file of `kind` into `store`, whose days are in `tz`. Records the attempt in
/// `sync_state` and, when the sales the summaries are built from may have changed,
/// refreshes the derived tables.
pub async fn import_file(
    store: &Store,
    tz: chrono_tz::Tz,
    kind: Kind,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let outcome = match kind {
        Kind::ShopifyOrders => orders_job::import_shopify(store, tz, path, opts).await,
        Kind::ShopifyProducts => catalog::import_products(store, path, opts).await,
        Kind::ShopifyInventory => inventory::import_inventory(store, tz, path, opts).await,
        Kind::Costs => catalog::import_costs(store, path, opts).await,
        Kind::GoogleAds => ad_reports::import(store, &ad_reports::GOOGLE, path, opts).await,
        Kind::MetaAds => ad_reports::import(store, &ad_reports::META, path, opts).await,
        Kind::Klaviyo => ad_reports::import(store, &klaviyo::KLAVIYO, path, opts).await,
        Kind::Ga4 => traffic::import_ga4(store, path, opts).await,
        Kind::Transactions => orders_job::import_transactions(store, tz, path, opts).await,
        Kind::Targets => plans::import_targets(store, path, opts).await,
        Kind::Cash => plans::import_cash(store, path, opts).await,
    };
    match outcome {
        Ok(summary) => {
            if !summary.dry_run {
                if kind.changes_sales() && !kind.left_sales_as_they_were(&summary) {
                    match &summary.touched {
                        Some(touched) => refresh_after_import(store, touched).await?,
                        None => refresh_after_load(store).await?,
                    }
                }
                sources::record_success(store, kind.name(), &kind.coverage_sql()).await?;
            }
            Ok(summary)
        }
        Err(e) => {
            if !opts.dry_run {
                sources::record_failure(store, kind.name(), &format!("{e:#}")).await?;
            }
            Err(e)
        }
    }
}

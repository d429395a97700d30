//! The arguments of the `bench*` commands: each prints a table that the README's figures are
//! copied from (see "Benchmarks").

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::parse_date;

#[derive(Debug, Args)]
pub struct BenchForecastArgs {
    /// Synthetic SKUs.
    #[arg(long, default_value_t = 1000)]
    pub skus: usize,
    /// Days of history per SKU.
    #[arg(long, default_value_t = 730)]
    pub days: usize,
    #[arg(long, default_value_t = 90)]
    pub horizon: usize,
    /// Timed runs (the median is shown).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// A Python with `statsforecast` installed: fit AutoETS on the same series and origins.
    #[arg(long, value_name = "PYTHON")]
    pub python: Option<PathBuf>,
    /// AutoETS is compared on the first N SKUs (ours is timed again on the same N): it takes
    /// about half a second per SKU on an idle core.
    #[arg(long, default_value_t = 100)]
    pub python_skus: usize,
    /// Also fit augurs' AutoETS and MSTL (Rust crates) on the same series and origins; needs
    /// a build with `--features augurs-bench`.
    #[arg(long)]
    pub augurs: bool,
    /// augurs is compared on the first N SKUs (ours is timed again on the same N).
    #[arg(long, default_value_t = 1000)]
    pub augurs_skus: usize,
}

#[derive(Debug, Args)]
pub struct BenchProfitArgs {
    /// SKUs of the generated catalogue.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub skus: u32,
    /// Days of history of the generated catalogue (every SKU sells every day: the summary's
    /// worst case).
    #[arg(long, default_value_t = 730, value_parser = clap::value_parser!(u32).range(60..=3650))]
    pub days: u32,
    /// Timed runs of each step.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Time the store DATABASE_URL names instead of a generated one (e.g. the demo shop).
    #[arg(long)]
    pub existing: bool,
    /// The as-of day with --existing (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct BenchCustomersArgs {
    /// The as-of day (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Timed runs of each report.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// The `lifetimes` package's datasets folder (holding CDNOW_sample.txt): fit CDNOW too.
    #[arg(long, value_name = "DIR")]
    pub cdnow: Option<PathBuf>,
    /// A Python with `lifetimes` installed: fit the same CDNOW data with it, for comparison.
    #[arg(long, value_name = "PYTHON")]
    pub lifetimes_python: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchAlertsArgs {
    /// The day evaluated (default: the last day with orders).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
    /// Warm evaluations timed.
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// How long the idle scheduler is watched.
    #[arg(long, default_value_t = 10)]
    pub idle_seconds: u64,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Demo scales to measure, comma-separated (0.9 ≈ 100 k orders, 9 ≈ 1 M orders).
    #[arg(long, value_delimiter = ',', default_value = "0.9,9")]
    pub scales: Vec<f64>,
    /// Where to build the bench shops: a directory for SQLite files, or a postgres:// server
    /// URL (a database per scale is created there and dropped afterwards).
    #[arg(long, default_value = "bench/results", value_name = "DIR|URL")]
    pub target: String,
    /// Warm cockpit runs per scale (the median is reported).
    #[arg(long, default_value_t = 15)]
    pub iterations: usize,
}

#[derive(Debug, Args)]
pub struct BenchSlackArgs {
    /// Signed slash commands sent for the ack measurement.
    #[arg(long, default_value_t = 500)]
    pub requests: usize,
    /// How many of them are in flight at once.
    #[arg(long, default_value_t = 50)]
    pub concurrency: usize,
    /// `/cockpit` runs (the first is reported apart: cold caches).
    #[arg(long, default_value_t = 6)]
    pub cockpit_runs: usize,
    /// The day `/cockpit` shows (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchFormat {
    /// Markdown tables, as in the README.
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct BenchAnomalyArgs {
    /// The NAB folder: realAdExchange/*.csv and labels/realAdExchange_windows.json.
    #[arg(long, default_value = "../shared/data/nab", value_name = "DIR")]
    pub nab_dir: PathBuf,
    #[arg(long, value_enum, default_value_t = BenchFormat::Table)]
    pub format: BenchFormat,
    /// Scale of the demo shop the anomalies are planted into (1 ≈ 150 orders a day; at 0.3,
    /// ≈ 45 a day, day-to-day noise alone is ±15 % and hides a good part of a −40 % drop).
    #[arg(long, default_value_t = 1.0)]
    pub demo_scale: f64,
    /// Seed of the planted anomalies (the shop itself is always seed 42).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchReportArgs {
    #[arg(long)]
    pub database_url: String,
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    #[arg(long)]
    pub iterations: usize,
    /// Generate the demo shop at this scale first (and time it).
    #[arg(long)]
    pub generate_scale: Option<f64>,
}

/// Which orders `bench-sync` changes before its incremental sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChangedOrders {
    Recent,
    Spread,
}

#[derive(Debug, Args)]
pub struct BenchSyncArgs {
    /// Orders in the fake shop's bulk file.
    #[arg(long, default_value_t = 1_000_000)]
    pub orders: u64,
    /// Orders changed before the incremental sync.
    #[arg(long, default_value_t = 1_000)]
    pub changed: u64,
    /// Which orders change: `recent`, the latest ones (what a nightly sync sees: the day's new
    /// orders and fresh edits), or `spread`, every k-th order of the whole history (the worst
    /// case for the summary refresh: nearly every day and cohort is touched).
    #[arg(long, value_enum, default_value_t = ChangedOrders::Recent)]
    pub changed_orders: ChangedOrders,
    /// Where the benchmark's SQLite store goes (default: a temporary folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BenchImportArgs {
    /// Line items in the generated export.
    #[arg(long, default_value_t = 1_000_000)]
    pub line_items: u64,
    /// Working directory for the export and the SQLite stores.
    #[arg(long, default_value = "bench/import", value_name = "DIR")]
    pub dir: PathBuf,
    /// Also import into a fresh database on this Postgres server (created, then dropped).
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
}

#[derive(Debug, Args)]
pub struct BenchImportChildArgs {
    #[arg(long)]
    pub database_url: String,
    #[arg(long)]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchRebuildArgs {
    /// Full rebuilds in a row, each timed (the first one reads a cold page cache).
    #[arg(long, default_value_t = 1)]
    pub runs: u32,
}

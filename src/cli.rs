//! The command line (clap): what a user can type, parsed into typed arguments at the edge.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::customers::RfmSegment;
use crate::domain::{parse_date, Lang, Period};
use crate::import::{Kind, OnError};
use crate::metrics::Dimension;

mod bench;
pub use bench::*;

#[derive(Debug, Parser)]
#[command(name = "insight-desk", version, about = "The e-commerce CEO's cockpit, in Slack", long_about = None)]
pub struct Cli {
    /// Configuration file (default: ./insight-desk.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output language (default: the configuration's, else fr).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the demo shop (if missing) and write its cockpit to a folder, no Slack needed.
    Demo(DemoArgs),
    /// Render a report locally, exactly as the bot would post it.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Run one metric of the catalogue (the engine behind /insight).
    Query(QueryArgs),
    /// Ask a question as `/insight` would answer it, without Slack.
    Ask(AskArgs),
    /// List the metric catalogue.
    Metrics,
    /// Apply pending database migrations.
    Migrate,
    /// Run the Slack bot: /cockpit and /insight (Socket Mode by default, or HTTP).
    Serve(ServeArgs),
    /// Scheduled digests and alert evaluations: run what is due, list the next runs.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Alert rules: what they find on a day (without posting), and the open alerts.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Import export files (Shopify orders, Google Ads reports, …) into the store.
    Import(ImportArgs),
    /// Per source: last import, rows held, days covered, freshness.
    Sources,
    /// Bring the store up to date from the configured APIs ([sync.shopify]): a backfill the
    /// first time, then what changed since the stored cursor.
    Sync(SyncArgs),
    /// Measure `sync shopify` against a fake Shopify on loopback: a bulk backfill of
    /// generated orders, then an incremental sync of changed ones; prints a table.
    BenchSync(BenchSyncArgs),
    /// Measure `import shopify-orders` on a generated 1 M line-item export; prints a table.
    BenchImport(BenchImportArgs),
    /// (internal) One timed import in a fresh process, for `bench-import`.
    #[command(hide = true)]
    BenchImportChild(BenchImportChildArgs),
    /// (internal) Time the full summary rebuild on the store (DATABASE_URL), statement by
    /// statement; prints a table.
    #[command(hide = true)]
    BenchRebuild(BenchRebuildArgs),

    /// Measure demo generation, cockpit and chart speed and memory; prints a table.
    Bench(BenchArgs),
    /// Measure the bot in HTTP mode against a fake Slack on loopback: ack latency, /cockpit
    /// end to end, idle memory; prints a table.
    BenchSlack(BenchSlackArgs),
    /// (internal) One warm cockpit timing run in a fresh process, for `bench`.
    #[command(hide = true)]
    BenchReport(BenchReportArgs),
    /// Measure the anomaly detectors (seasonal vs the previous rule) on the labelled NAB
    /// ad-exchange series and on anomalies planted into the demo shop; prints tables.
    BenchAnomaly(BenchAnomalyArgs),
    /// Measure one evaluation of every alert rule on the store, rule by rule, and an idle
    /// scheduler's CPU; prints a table.
    BenchAlerts(BenchAlertsArgs),
    /// Time the customer reports (RFM, churn, attribution, predicted value) on the store, and
    /// the BG/NBD + Gamma-Gamma fit on CDNOW against the `lifetimes` package; prints tables.
    BenchCustomers(BenchCustomersArgs),
    /// Forecast and backtest N synthetic SKUs × D days (default 1,000 × 730, 90-day horizon),
    /// timed, and the same series and folds with statsforecast's AutoETS; prints a table.
    BenchForecast(BenchForecastArgs),
    /// Time `report profit` (full cost, quadrants, scatter) and `report elasticity` on a
    /// generated catalogue of N SKUs × D days (or on the store with --existing); prints a table.
    BenchProfit(BenchProfitArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Random seed: the same seed gives the same shop.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Size multiplier: 1 ≈ 300 k€ a month (~110 k orders over two years); 9 ≈ 1 M orders.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Last complete day of the generated history (default: yesterday, shop time).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub end_date: Option<NaiveDate>,
    /// Where to write cockpit.json, cockpit.blocks.json and the charts.
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The CEO's 1-slide for one day.
    Cockpit(CockpitArgs),
    /// RFM segments: size, revenue share, basket, action, Pareto line, movements; CSV export.
    Rfm(RfmArgs),
    /// ChurnGuard: a 0–100 risk score per customer, bands, value at risk, customers to call.
    Churn(ChurnArgs),
    /// Revenue per channel: last-click against the weighted 30/40/30 model of the touches.
    Attribution(AttributionArgs),
    /// Predicted purchases and value per customer (BG/NBD + Gamma-Gamma), with the fitted
    /// parameters and, given a calibration end, the check against what followed.
    Clv(ClvArgs),
    /// Monthly acquisition cohorts: retention heat-map, 90-day repurchase per cohort and channel.
    Cohorts(CohortsArgs),
    /// The Marketing Profit Matrix: CAC, LTV 12/24 months, LTV/CAC, ROAS per acquisition channel.
    Ltv(LtvArgs),
    /// Daily demand forecast per SKU with its 80 % interval and backtest accuracy (WAPE, MASE).
    Forecast(ForecastArgs),
    /// Days of cover per SKU from the forecast, reorder suggestions, rotation, dormant stock.
    Stock(StockArgs),
    /// One SKU's card: sales, margin, stock, days of cover, forecast (and its chart).
    Sku(SkuArgs),
    /// Full cost and unit margin per SKU, the four volume × margin quadrants, the
    /// best-sellers that lose money, and the quadrant scatter chart.
    Profit(ProfitArgs),
    /// Price elasticity per SKU from its own regular price changes (promotions excluded).
    Elasticity(ElasticityArgs),
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Forecast from the day after D, on the history up to D (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// One SKU (its code, or part of its name).
    #[arg(long, value_name = "SKU")]
    pub sku: Option<String>,
    /// Days forecast (1–365).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub horizon: u32,
    /// Text: the SKUs with the most demand, this many.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// csv: one row per SKU and forecast day.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
    /// With --sku: also write its chart (sku_forecast.png) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StockArgs {
    /// Stock and forecast as of D (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// csv: one row per SKU, every figure.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
}

#[derive(Debug, Args)]
pub struct SkuArgs {
    /// The SKU code, or part of the product name.
    pub sku: String,
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write the forecast chart (sku_forecast.png) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProfitArgs {
    /// Compute as if today were the day after D: later sales, stock and spend are ignored
    /// (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// First day of the period (default: the 365 days ending on D).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// csv: one row per SKU sold, every line of the full-cost template.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
    /// Also write the quadrant scatter (profit_quadrants.png) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ElasticityArgs {
    /// The last day of data (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Read the price changes from this day on (default: the 730 days ending on D).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Units the two 28-day windows of a change must hold together to be read.
    #[arg(long, default_value_t = crate::profit::DEFAULT_MIN_UNITS, value_name = "N",
          value_parser = clap::value_parser!(i64).range(1..))]
    pub min_units: i64,
    /// Only this SKU.
    #[arg(long, value_name = "SKU")]
    pub sku: Option<String>,
    /// csv: one row per active SKU (with or without an estimate).
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
}

#[derive(Debug, Args)]
pub struct ClvArgs {
    /// The last day of data: later orders are ignored (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Fit on the orders up to D (default: --as-of); the days from D to --as-of then check
    /// the predictions (predicted against actual purchases).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub calibration_end: Option<NaiveDate>,
    /// How far ahead to predict, in days.
    #[arg(long, default_value_t = crate::customers::HORIZON_DAYS, value_name = "DAYS")]
    pub horizon_days: u32,
    /// json: the fitted parameters and the summary; csv: every customer's predictions.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
}

#[derive(Debug, Args)]
pub struct CohortsArgs {
    /// Compute as if today were the day after D: later orders are ignored, months not over by
    /// D are left blank (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Cohorts shown: the N calendar months ending with D's (1–36).
    #[arg(long, default_value_t = crate::customers::DEFAULT_COHORT_MONTHS,
          value_parser = clap::value_parser!(u32).range(1..=36))]
    pub months: u32,
    /// csv: one row per cohort, the months as columns.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
    /// Also write the heat-map (cohort_retention.png) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// month: acquisition cohorts; behaviour: document 001's behavioural cohorts (csv: their
    /// members).
    #[arg(long, value_enum, default_value_t = CohortsBy::Month)]
    pub by: CohortsBy,
}

/// How `report cohorts` groups customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CohortsBy {
    Month,
    Behaviour,
}

#[derive(Debug, Args)]
pub struct LtvArgs {
    /// Compute as if today were the day after D: later orders, refunds and spend are ignored
    /// (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// First day of the acquisition period for new customers, spend, CAC and ROAS (default:
    /// the 365 days ending on D).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// csv: one row per channel, every figure.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
}

#[derive(Debug, Args)]
pub struct AttributionArgs {
    /// First day (default: 29 days before --to).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last day, included (default: yesterday).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
}

#[derive(Debug, Args)]
pub struct ChurnArgs {
    /// Score as if today were the day after D: later orders and refunds are ignored
    /// (default: yesterday). When the store holds the 90 days after D, the report also says
    /// how well the scores predicted who did not order again (AUC).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// csv: every customer's score and the signals behind it.
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
}

/// Output of the customer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CustomerFormat {
    Text,
    Json,
    /// Customers, one per row (with --segment: that segment's), for an e-mail tool.
    Csv,
    Blocks,
}

#[derive(Debug, Args)]
pub struct RfmArgs {
    /// Compute as if today were the day after D: later orders and refunds are ignored
    /// (default: yesterday, the last complete day).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = CustomerFormat::Text)]
    pub format: CustomerFormat,
    /// One segment (at-risk, champions, cant-lose-them, …): its customers are listed, and
    /// only they are exported by --format csv.
    #[arg(long, value_parser = parse_segment, value_name = "SEGMENT")]
    pub segment: Option<RfmSegment>,
    /// Also write the segments chart (rfm_segments.png) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Blocks,
}

#[derive(Debug, Args)]
pub struct CockpitArgs {
    /// The day (shop time zone); default: yesterday.
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Also write cockpit.json, cockpit.blocks.json and the PNG charts into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Metric name or synonym (`insight-desk metrics` lists them).
    pub metric: String,
    /// First day (default: 29 days before --to).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last day, included (default: yesterday, shop time).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    /// Breakdown: day, channel, sku, category, customer_type, source, campaign.
    #[arg(long, value_parser = parse_dimension, value_name = "DIMENSION")]
    pub by: Option<Dimension>,
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    /// Extra metric parameter, `name=value` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Also write the metric's chart as a PNG into DIR.
    #[arg(long, value_name = "DIR")]
    pub chart: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AskFormat {
    /// The answer as terminal text.
    Text,
    /// The Block Kit message(s), exactly as the bot posts them.
    Blocks,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, French or English, e.g. "marge par canal 30j" (quotes optional).
    #[arg(required = true, num_args = 1.., value_name = "QUESTION")]
    pub question: Vec<String>,
    #[arg(long, value_enum, default_value_t = AskFormat::Text)]
    pub format: AskFormat,
    /// Also write the answer's chart(s) as PNG into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// `socket` (default: no public URL needed) or `http` (Slack POSTs to this server).
    #[arg(long, value_enum)]
    pub mode: Option<crate::slack::SlackMode>,
    /// HTTP mode: the port to listen on (default: slack.port, 3000).
    #[arg(long)]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The source to sync (default: every configured one).
    #[arg(value_enum)]
    pub source: Option<crate::sync::Source>,
    /// Forget the stored cursor and backfill everything again (upserts: nothing is doubled).
    #[arg(long)]
    pub full: bool,
    /// (internal, for `bench-sync`) Print the outcomes and the peak memory as one JSON line.
    #[arg(long, hide = true)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files are.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The files, imported one after the other, each in its own transaction.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// abort: a bad row rejects the whole file, the store is left as it was;
    /// quarantine: good rows go in, bad ones to FILE.rejected.csv with the reason.
    #[arg(long, value_enum, default_value_t = OnError::Abort)]
    pub on_error: OnError,
    /// Read, check and write everything, then roll it back: nothing is stored.
    #[arg(long)]
    pub dry_run: bool,
    /// Where reject files go (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub rejects_dir: Option<PathBuf>,
    /// The days an ad report without a Day column covers (overrides its date-range line).
    #[arg(long, value_parser = parse_period, value_name = "FROM..TO")]
    pub period: Option<Period>,
}

/// `2026-01-01..2026-01-31`, both days included.
fn parse_period(text: &str) -> Result<Period, String> {
    let (from, to) = text.split_once("..").ok_or_else(|| {
        format!("invalid period {text:?}: expected FROM..TO, e.g. 2026-01-01..2026-01-31")
    })?;
    Period::new(parse_date(from)?, parse_date(to)?)
}

fn parse_segment(text: &str) -> Result<RfmSegment, String> {
    text.parse()
}

fn parse_dimension(text: &str) -> Result<Dimension, String> {
    Dimension::parse(text).ok_or_else(|| {
        let known: Vec<_> = Dimension::ALL.iter().map(|d| d.column()).collect();
        format!(
            "unknown breakdown {text:?}: expected one of {}",
            known.join(", ")
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Run whatever is due at an instant and exit (for system cron or a Kubernetes CronJob:
    /// every few minutes; each fire is delivered once however often this runs).
    RunDue(RunDueArgs),
    /// The next runs of each schedule in its own time zone, and the latest recorded runs.
    List(ScheduleListArgs),
}

#[derive(Debug, Args)]
pub struct RunDueArgs {
    /// The instant to run at, RFC 3339 (`2026-11-25T08:00:00Z`); default: now.
    #[arg(long, value_parser = parse_instant, value_name = "RFC3339")]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// Print the outcome of each run as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScheduleListArgs {
    /// How many next fire times to show per schedule.
    #[arg(long, default_value_t = 3)]
    pub next: usize,
    /// List from this instant instead of now (RFC 3339).
    #[arg(long, value_parser = parse_instant, value_name = "RFC3339")]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Evaluate the alert rules on a day and print what they find; posts nothing, changes
    /// nothing. Without `[[alerts]]` in the configuration, the default rules are used.
    Check(AlertsCheckArgs),
    /// The open alerts.
    List,
}

#[derive(Debug, Args)]
pub struct AlertsCheckArgs {
    /// The day to evaluate (default: yesterday, shop time).
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
}

/// An RFC 3339 instant, e.g. `2026-11-25T08:00:00Z` or `2026-11-25T09:00:00+01:00`.
pub fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            format!("{text:?} is not an RFC 3339 instant ({e}): expected e.g. 2026-11-25T08:00:00Z")
        })
}

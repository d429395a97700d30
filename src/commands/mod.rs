//! What each subcommand does. Thin: they open the store, call the library, print.

mod ask;
mod attribution;
mod bench;
mod bench_alerts;
mod bench_anomaly;
mod bench_customers;
mod bench_forecast;
mod bench_import;
mod bench_profit;
mod bench_rebuild;
mod bench_slack;
mod churn;
mod clv;
mod cockpit;
mod cohorts;
mod demo;
mod elasticity;
mod forecast;
mod import;
mod ltv;
mod profit;
mod query;
mod rfm;
mod schedule;
mod serve;
mod sync;

use anyhow::Context;
use chrono::{Days, NaiveDate, Utc};

use crate::cli::{Cli, Command, ReportCommand};
use crate::config::{Config, DEFAULT_DATABASE_URL};
use crate::domain::Lang;
use crate::metrics::Registry;
use crate::store::{redact_url, ShopSettings, Store};

pub use attribution::{render_attribution, RenderedAttribution};
pub use churn::{render_churn, RenderedChurn};
pub use cockpit::{render_cockpit, write_cockpit_files, RenderedCockpit};
pub use cohorts::{render_cohorts, RenderedCohorts};
pub use forecast::{render_sku, render_stock, RenderedSku, RenderedStock};
pub use ltv::{predicted_ltv, render_ltv, RenderedLtv};
pub use profit::{render_profit, RenderedProfit};
pub use rfm::{render_rfm, RenderedRfm};

/// Everything a command needs: the configuration, the store, the catalogue, the shop.
pub struct App {
    pub config: Config,
    pub lang: Lang,
    pub store: Store,
    pub registry: Registry,
    pub shop: ShopSettings,
}

impl App {
    /// Loads the catalogue first (a bad metric file stops everything before any I/O), then
    /// opens and migrates the store at `url`.
    pub async fn open(config: Config, lang: Lang, url: &str) -> anyhow::Result<App> {
        let registry = config.registry()?;
        let store = Store::open(url).await?;
        let shop = config
            .shop_settings(&store)
            .await
            .with_context(|| format!("store {}", redact_url(url)))?;
        Ok(App {
            config,
            lang,
            store,
            registry,
            shop,
        })
    }

    /// Says so on stderr when the store holds no orders: the usual cause is reading the
    /// default store after `demo` filled `insight-desk-demo.db`.
    pub async fn hint_if_empty(&self, url: &str) -> anyhow::Result<()> {
        if self.store.count_rows("orders").await? == 0 {
            eprintln!(
                "note: {} holds no orders. For the demo shop: DATABASE_URL={} insight-desk …",
                redact_url(url),
                crate::config::DEFAULT_DEMO_DATABASE_URL
            );
        }
        Ok(())
    }

    /// Today in the shop's time zone (not over yet: figures stop at yesterday).
    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.shop.timezone).date_naive()
    }

    /// Yesterday in the shop's time zone: the last complete day.
    pub fn yesterday(&self) -> NaiveDate {
        self.today() - Days::new(1)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    let lang = cli.lang.unwrap_or(config.lang);
    let url = config
        .database_url
        .clone()
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
    match cli.command {
        Command::Demo(args) => demo::run(config, lang, args).await,
        Command::Report(ReportCommand::Cockpit(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            cockpit::run(&app, args).await
        }
        Command::Report(ReportCommand::Rfm(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            rfm::run(&app, args).await
        }
        Command::Report(ReportCommand::Churn(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            churn::run(&app, args).await
        }
        Command::Report(ReportCommand::Clv(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            clv::run(&app, args).await
        }
        Command::Report(ReportCommand::Attribution(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            attribution::run(&app, args).await
        }
        Command::Report(ReportCommand::Cohorts(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            cohorts::run(&app, args).await
        }
        Command::Report(ReportCommand::Ltv(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            ltv::run(&app, args).await
        }
        Command::Report(ReportCommand::Forecast(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            forecast::run_forecast(&app, args).await
        }
        Command::Report(ReportCommand::Stock(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            forecast::run_stock(&app, args).await
        }
        Command::Report(ReportCommand::Sku(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            forecast::run_sku(&app, args).await
        }
        Command::Report(ReportCommand::Profit(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            profit::run(&app, args).await
        }
        Command::Report(ReportCommand::Elasticity(args)) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            elasticity::run(&app, args).await
        }
        Command::Query(args) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            query::run(&app, args).await
        }
        Command::Ask(args) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            ask::run(&app, args).await
        }
        Command::Metrics => {
            let registry = config.registry()?;
            print!("{}", query::catalogue_table(&registry, lang));
            Ok(())
        }
        Command::Migrate => {
            let store = Store::open(&url).await?;
            config.shop_settings(&store).await?;
            println!(
                "{} is up to date ({} backend)",
                redact_url(&url),
                store.backend()
            );
            Ok(())
        }
        Command::Serve(args) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            serve::run(app, args).await
        }
        Command::BenchCustomers(args) => {
            let app = App::open(config, lang, &url).await?;
            bench_customers::run(app, args).await
        }
        Command::BenchAlerts(args) => {
            let app = App::open(config, lang, &url).await?;
            bench_alerts::run(app, args).await
        }
        Command::Schedule(cmd) => {
            let app = App::open(config, lang, &url).await?;
            schedule::run(app, cmd).await
        }
        Command::Alerts(cmd) => {
            let app = App::open(config, lang, &url).await?;
            app.hint_if_empty(&url).await?;
            schedule::alerts(app, cmd).await
        }
        Command::Import(args) => {
            let app = App::open(config, lang, &url).await?;
            import::run(&app, args).await
        }
        Command::Sources => {
            let app = App::open(config, lang, &url).await?;
            import::sources(&app).await
        }
        Command::Sync(args) => {
            let app = App::open(config, lang, &url).await?;
            sync::run(&app, args).await
        }
        Command::BenchSync(args) => sync::bench(args).await,
        Command::BenchImport(args) => bench_import::run(args).await,
        Command::BenchImportChild(args) => bench_import::run_child(config, args).await,
        Command::BenchRebuild(args) => bench_rebuild::run(&url, args).await,
        Command::Bench(args) => bench::run(config, args).await,
        Command::BenchSlack(args) => bench_slack::run(url, args).await,
        Command::BenchReport(args) => bench::run_report(config, args).await,
        Command::BenchAnomaly(args) => bench_anomaly::run(args).await,
        Command::BenchForecast(args) => bench_forecast::run(args).await,
        Command::BenchProfit(args) => bench_profit::run(config, lang, &url, args).await,
    }
}

/// Prints Block Kit messages as JSON: the one message, or the list when the content needed
/// several.
fn print_messages(messages: &[crate::render::Message]) -> anyhow::Result<()> {
    let value = match messages {
        [one] => serde_json::to_value(one)?,
        many => serde_json::to_value(many)?,
    };
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

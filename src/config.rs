//! Configuration: defaults → `insight-desk.toml` (or `--config FILE`) → environment (the
//! environment wins). Layered with figment; unknown keys are refused so that a typo does not
//! silently fall back to a default. Secrets (the database password, Slack tokens) never appear in Debug output or logs.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono_tz::Tz;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::domain::{Cents, Lang};
use crate::schedule::{AlertRuleConfig, ScheduleConfig, SchedulerConfig};
use crate::slack::SlackConfig;
use crate::store::redact_url;

/// The default config file, looked up in the current directory.
pub const DEFAULT_CONFIG_FILE: &str = "insight-desk.toml";
/// The store used when nothing names one.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://insight-desk.db";
/// The store `demo` fills when nothing names one.
pub const DEFAULT_DEMO_DATABASE_URL: &str = "sqlite://insight-desk-demo.db";

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://…`; `None`: the default for the command.
    pub database_url: Option<String>,
    /// The shop's time zone: every "day" is a calendar day there. `None`: the store's own
    /// (recorded when it was created), else Europe/Paris.
    pub timezone: Option<Tz>,
    /// ISO 4217 code. `None`: the store's own, else EUR.
    pub currency: Option<String>,
    pub lang: Lang,
    pub shop_name: String,
    /// A directory of metric files replacing the built-in catalogue.
    pub queries_dir: Option<PathBuf>,
    pub cockpit: CockpitConfig,
    pub slack: SlackConfig,
    /// How scheduled runs behave (`[scheduler]`).
    pub scheduler: SchedulerConfig,
    /// Digests (`[[schedules]]`).
    pub schedules: Vec<ScheduleConfig>,
    /// Alert rules (`[[alerts]]`).
    pub alerts: Vec<AlertRuleConfig>,
    /// RFM segmentation (`report rfm`, `/rfm`).
    pub rfm: RfmConfig,
    /// The Marketing Profit Matrix (`report ltv`, `/ltv`).
    pub ltv: LtvConfig,
    /// Stock cover and reorders (`report stock`, `/stock`, `/sku`).
    pub stock: StockConfig,
    /// API sources (`[sync.shopify]`): `insight-desk sync`, and syncs scheduled in `serve`.
    #[serde(default)]
    pub sync: crate::sync::SyncConfig,
    /// SKU profitability's defaults (`report profit`, `/profit`).
    pub profit: ProfitConfig,
}

/// `[profit]`: the values a SKU's full cost uses for the components the shop has not given
/// (see src/profit/cost.rs for every line's definition). Amounts in major units per unit
/// sold, rates in per cent.
///
/// ```toml
/// [profit]
/// supplier_cost_pct = 40    # of the net price, when no cost is known at all
/// packaging = 0.60
/// inbound_logistics = 0.40
/// fulfilment = 1.50         # pick & pack
/// storage_rate_pct = 5      # a year, of stock value
/// days_in_stock = 60        # when the store has no stock levels
/// return_rate_pct = 5       # when neither given nor measurable
/// overhead_pct = 8          # of the net price
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfitConfig {
    pub supplier_cost_pct: f64,
    pub packaging: f64,
    pub inbound_logistics: f64,
    pub fulfilment: f64,
    pub storage_rate_pct: f64,
    pub days_in_stock: f64,
    pub return_rate_pct: f64,
    pub overhead_pct: f64,
}

impl Default for ProfitConfig {
    fn default() -> Self {
        let d = crate::profit::ProfitOptions::default();
        ProfitConfig {
            supplier_cost_pct: d.supplier_cost_pct,
            packaging: d.packaging.as_major(),
            inbound_logistics: d.inbound_logistics.as_major(),
            fulfilment: d.fulfilment.as_major(),
            storage_rate_pct: d.storage_rate_pct,
            days_in_stock: d.days_in_stock,
            return_rate_pct: d.return_rate_pct,
            overhead_pct: d.overhead_pct,
        }
    }
}

impl ProfitConfig {
    /// The report's options, money parsed into cents here, once.
    pub fn options(&self) -> crate::profit::ProfitOptions {
        let cents = |v: f64| Cents((v * 100.0).round() as i64);
        crate::profit::ProfitOptions {
            supplier_cost_pct: self.supplier_cost_pct,
            packaging: cents(self.packaging),
            inbound_logistics: cents(self.inbound_logistics),
            fulfilment: cents(self.fulfilment),
            storage_rate_pct: self.storage_rate_pct,
            days_in_stock: self.days_in_stock,
            return_rate_pct: self.return_rate_pct,
            overhead_pct: self.overhead_pct,
        }
    }

    fn validate(&self) -> anyhow::Result<()> {
        for (key, v, max) in [
            ("supplier_cost_pct", self.supplier_cost_pct, 100.0),
            ("storage_rate_pct", self.storage_rate_pct, 100.0),
            ("return_rate_pct", self.return_rate_pct, 100.0),
            ("overhead_pct", self.overhead_pct, 100.0),
            (
                "days_in_stock",
                self.days_in_stock,
                crate::profit::MAX_DAYS_IN_STOCK,
            ),
            ("packaging", self.packaging, 1_000_000.0),
            ("inbound_logistics", self.inbound_logistics, 1_000_000.0),
            ("fulfilment", self.fulfilment, 1_000_000.0),
        ] {
            anyhow::ensure!(
                v.is_finite() && (0.0..=max).contains(&v),
                "invalid configuration: profit.{key} = {v} must be between 0 and {max} (amounts in major units, e.g. 1.5 for 1,50 €; rates in %)"
            );
        }
        Ok(())
    }
}

/// `[stock]`: the reorder policy behind `report stock` (the cover threshold is
/// `cockpit.stock_cover_days`, shared with the cockpit and the alert).
///
/// ```toml
/// [stock]
/// default_lead_time_days = 14   # for SKUs without a supplier lead time in the catalogue
/// order_cover_days = 30         # days of demand an order covers once it has arrived
/// dormant_days = 90             # stock without a sale for this long is dormant
/// ```
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockConfig {
    pub default_lead_time_days: i64,
    pub order_cover_days: i64,
    pub dormant_days: i64,
}

impl Default for StockConfig {
    fn default() -> Self {
        let p = crate::forecast::stock::StockPolicy::default();
        StockConfig {
            default_lead_time_days: p.default_lead_time_days,
            order_cover_days: p.order_cover_days,
            dormant_days: p.dormant_days,
        }
    }
}

impl StockConfig {
    fn validate(&self) -> anyhow::Result<()> {
        for (key, v) in [
            ("default_lead_time_days", self.default_lead_time_days),
            ("order_cover_days", self.order_cover_days),
            ("dormant_days", self.dormant_days),
        ] {
            anyhow::ensure!(
                (1..=365).contains(&v),
                "invalid configuration: stock.{key} = {v} must be between 1 and 365"
            );
        }
        Ok(())
    }
}

impl Config {
    /// The stock policy: `[stock]` with the cockpit's cover threshold.
    pub fn stock_policy(&self) -> crate::forecast::stock::StockPolicy {
        crate::forecast::stock::StockPolicy {
            threshold_days: self.cockpit.stock_cover_days,
            default_lead_time_days: self.stock.default_lead_time_days,
            order_cover_days: self.stock.order_cover_days,
            dormant_days: self.stock.dormant_days,
        }
    }
}

/// `[ltv]`: acquisition costs beyond ad spend, and the reallocation suggestion.
///
/// ```toml
/// [ltv]
/// extra_cac = { "*" = 2.0, meta = 5.0 }   # € per new customer; "*" = every other channel
/// reallocation_pct = 10                  # share of the weakest channel's spend to move
/// min_mature_customers = 30              # mature customers a channel needs to be trusted
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LtvConfig {
    /// Extra acquisition cost per new customer in major units (reactivation, support…), by
    /// channel key (`meta`, `google`…); `*` for every channel without its own entry.
    pub extra_cac: std::collections::BTreeMap<String, f64>,
    pub reallocation_pct: f64,
    pub min_mature_customers: i64,
}

impl Default for LtvConfig {
    fn default() -> Self {
        let d = crate::customers::LtvOptions::default();
        LtvConfig {
            extra_cac: Default::default(),
            reallocation_pct: d.reallocation_pct,
            min_mature_customers: d.min_mature_customers,
        }
    }
}

impl LtvConfig {
    /// The report's options, money parsed into cents here, once.
    pub fn options(&self) -> crate::customers::LtvOptions {
        crate::customers::LtvOptions {
            extra_cac: self
                .extra_cac
                .iter()
                .map(|(k, v)| (k.clone(), crate::domain::Cents((v * 100.0).round() as i64)))
                .collect(),
            reallocation_pct: self.reallocation_pct,
            min_mature_customers: self.min_mature_customers,
        }
    }

    fn validate(&self) -> anyhow::Result<()> {
        for (channel, v) in &self.extra_cac {
            anyhow::ensure!(
                v.is_finite() && *v >= 0.0,
                "invalid configuration: ltv.extra_cac.{channel} = {v} must be an amount ≥ 0 (e.g. 4.5 for 4,50 € per new customer)"
            );
        }
        anyhow::ensure!(
            self.reallocation_pct > 0.0 && self.reallocation_pct <= 100.0,
            "invalid configuration: ltv.reallocation_pct = {} must be between 0 and 100",
            self.reallocation_pct
        );
        anyhow::ensure!(
            self.min_mature_customers >= 1,
            "invalid configuration: ltv.min_mature_customers = {} must be at least 1",
            self.min_mature_customers
        );
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CockpitConfig {
    /// SKUs with fewer days of stock cover than this are flagged.
    pub stock_cover_days: i64,
    /// Cash below this amount (in major units, e.g. 50000 for 50 000 €) is critical.
    pub cash_critical_threshold: Option<f64>,
}

/// `[rfm]`: the segment mapping, SPEC §6's by default. A configured `[[rfm.rules]]` list
/// replaces the default one whole (first match wins, unmatched customers are Lost).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmConfig {
    pub rules: Vec<crate::customers::RfmRule>,
}

impl Default for RfmConfig {
    fn default() -> Self {
        RfmConfig {
            rules: crate::customers::default_rules(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            timezone: None,
            currency: None,
            lang: Lang::Fr,
            shop_name: "My shop".into(),
            queries_dir: None,
            cockpit: CockpitConfig {
                stock_cover_days: 14,
                cash_critical_threshold: None,
            },
            slack: SlackConfig::default(),
            scheduler: SchedulerConfig::default(),
            schedules: Vec::new(),
            alerts: Vec::new(),
            rfm: RfmConfig::default(),
            ltv: LtvConfig::default(),
            stock: StockConfig::default(),
            sync: crate::sync::SyncConfig::default(),
            profit: ProfitConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("timezone", &self.timezone)
            .field("currency", &self.currency)
            .field("lang", &self.lang)
            .field("shop_name", &self.shop_name)
            .field("queries_dir", &self.queries_dir)
            .field("cockpit", &self.cockpit)
            .field("slack", &self.slack)
            .field("scheduler", &self.scheduler)
            .field("schedules", &self.schedules)
            .field("alerts", &self.alerts)
            .field("rfm", &self.rfm)
            .field("ltv", &self.ltv)
            .field("stock", &self.stock)
            .field("sync", &self.sync)
            .field("profit", &self.profit)
            .finish()
    }
}

impl Config {
    /// Loads the configuration. `file`: an explicit `--config` (must exist); otherwise
    /// `insight-desk.toml` in the current directory if present. Environment: `DATABASE_URL`,
    /// and `INSIGHT_DESK_<KEY>` for any key (`INSIGHT_DESK_COCKPIT__STOCK_COVER_DAYS=10`).
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(
                    path.exists(),
                    "config file {} not found: check the --config path",
                    path.display()
                );
                figment = figment.merge(Toml::file_exact(path));
            }
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
            }
            None => {}
        }
        figment = figment
            .merge(Env::prefixed("INSIGHT_DESK_").split("__"))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
            .merge(
                Env::raw()
                    .only(&[
                        "SLACK_BOT_TOKEN",
                        "SLACK_APP_TOKEN",
                        "SLACK_SIGNING_SECRET",
                        "SLACK_API_URL",
                    ])
                    .map(|key| {
                        let field = key.as_str().to_ascii_lowercase();
                        let field = field.trim_start_matches("slack_");
                        format!("slack.{field}").into()
                    }),
            );
        let config: Config = figment.extract().map_err(|e| {
            // figment names the key and the file; make it one readable line per error.
            let lines: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            anyhow::anyhow!("invalid configuration: {}", lines.join("; "))
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if let Some(currency) = &self.currency {
            anyhow::ensure!(
                currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()),
                "invalid configuration: currency {currency:?} must be an ISO 4217 code such as EUR"
            );
        }
        anyhow::ensure!(
            (1..=365).contains(&self.cockpit.stock_cover_days),
            "invalid configuration: cockpit.stock_cover_days = {} must be between 1 and 365",
            self.cockpit.stock_cover_days
        );
        self.slack.validate()?;
        crate::customers::validate_rules(&self.rfm.rules)
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        self.ltv.validate()?;
        self.stock.validate()?;
        self.sync.validate()?;
        self.profit.validate()?;
        if let Some(url) = &self.database_url {
            anyhow::ensure!(
                url.starts_with("sqlite:")
                    || url.starts_with("postgres:")
                    || url.starts_with("postgresql:"),
                "invalid configuration: database_url {} must start with sqlite:// or postgres://",
                redact_url(url)
            );
        }
        Ok(())
    }

    /// The shop settings for a store: what the store recorded, checked against what this
    /// configuration says; for a new store, this configuration's (Europe/Paris, EUR by default).
    pub async fn shop_settings(
        &self,
        store: &crate::store::Store,
    ) -> anyhow::Result<crate::store::ShopSettings> {
        use crate::store::ShopSettings;
        let wanted = |existing: Option<&ShopSettings>| ShopSettings {
            name: existing
                .map(|e| e.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| self.shop_name.clone()),
            timezone: self
                .timezone
                .or(existing.map(|e| e.timezone))
                .unwrap_or(chrono_tz::Europe::Paris),
            currency: self
                .currency
                .clone()
                .or(existing.map(|e| e.currency.clone()))
                .unwrap_or_else(|| "EUR".into()),
        };
        let existing = ShopSettings::load(store).await?;
        let settings = wanted(existing.as_ref());
        settings.ensure(store).await?;
        Ok(settings)
    }

    pub fn cash_critical_threshold(&self) -> Option<Cents> {
        self.cockpit
            .cash_critical_threshold
            .map(|v| Cents((v * 100.0).round() as i64))
    }

    /// The metric catalogue this configuration asks for.
    pub fn registry(&self) -> anyhow::Result<crate::metrics::Registry> {
        match &self.queries_dir {
            Some(dir) => crate::metrics::Registry::load_dir(dir),
            None => crate::metrics::Registry::embedded(),
        }
        .context("the metric catalogue is invalid")
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_the_file_and_typos_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "insight-desk.toml",
                "timezone = \"America/New_York\"\nlang = \"en\"\n",
            )?;
            jail.set_env("INSIGHT_DESK_LANG", "fr");
            jail.set_env("DATABASE_URL", "postgres://u:pw@h/db");
            let config = Config::load(None).expect("valid");
            assert_eq!(config.timezone, Some(chrono_tz::America::New_York));
            assert_eq!(config.lang, Lang::Fr);
            assert!(
                !format!("{config:?}").contains("pw"),
                "password leaked in Debug"
            );

            jail.create_file("insight-desk.toml", "timezon = \"Europe/Paris\"\n")?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("timezon"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn ltv_extra_costs_are_read_in_cents_and_a_negative_one_is_refused() {
        figment::Jail::expect_with(|jail| {
            let config = Config::load(None).expect("defaults");
            assert!(config.ltv.extra_cac.is_empty());
            jail.create_file(
                "insight-desk.toml",
                "[ltv]\nextra_cac = { \"*\" = 2.0, meta = 4.55 }\nreallocation_pct = 20\n",
            )?;
            let options = Config::load(None).expect("valid").ltv.options();
            assert_eq!(options.extra_cac_of("meta"), crate::domain::Cents(455));
            assert_eq!(options.extra_cac_of("google"), crate::domain::Cents(200));
            assert_eq!(options.reallocation_pct, 20.0);
            assert_eq!(options.min_mature_customers, 30, "default kept");
            jail.create_file("insight-desk.toml", "[ltv]\nextra_cac = { meta = -1.0 }\n")?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("ltv.extra_cac.meta"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn an_rfm_mapping_replaces_the_default_and_a_bad_one_is_refused() {
        figment::Jail::expect_with(|jail| {
            let config = Config::load(None).expect("defaults");
            assert_eq!(config.rfm.rules, crate::customers::default_rules());
            jail.create_file(
                "insight-desk.toml",
                "[[rfm.rules]]\nsegment = \"champions\"\nr_min = 5\n\n[[rfm.rules]]\nsegment = \"at_risk\"\nr_max = 2\nfm_min = 3.0\n",
            )?;
            let config = Config::load(None).expect("valid rules");
            assert_eq!(config.rfm.rules.len(), 2);
            assert_eq!(config.rfm.rules[1].fm_min, 3.0);
            assert_eq!(config.rfm.rules[1].r_min, 1, "absent bounds are 1 and 5");
            jail.create_file(
                "insight-desk.toml",
                "[[rfm.rules]]\nsegment = \"champions\"\nr_min = 6\n",
            )?;
            let err = Config::load(None).unwrap_err().to_string();
            assert!(err.contains("rfm rule 1 (champions)"), "{err}");
            jail.create_file("insight-desk.toml", "[[rfm.rules]]\nsegment = \"vip\"\n")?;
            assert!(Config::load(None).is_err());
            Ok(())
        });
    }

    #[test]
    fn a_bad_time_zone_is_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("x.toml", "timezone = \"Europe/Pariss\"\n")?;
            let err = Config::load(Some(Path::new("x.toml")))
                .unwrap_err()
                .to_string();
            assert!(err.contains("Pariss"), "{err}");
            Ok(())
        });
    }
}

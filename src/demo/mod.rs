//! The generated demo shop: two years of a French skin-care brand, "Maison Lumière", so that
//! every report, chart and alert has realistic data to show without any credentials.
//!
//! At scale 1 the shop sells about 300 k€ net a month (≈ 4–5 k orders at 60–75 €), to tens
//! of thousands of customers, through Meta, Google, e-mail, organic and direct; `scale`
//! multiplies every volume (customers, orders, spend, traffic, cash), and scale 9 gives
//! more than a million orders. The same seed, scale and end date give byte-identical data:
//! all randomness comes from seeded ChaCha streams, nothing reads the clock or iterates a
//! hash map. The pieces: `calendar` (seasonality), `assortment` and `catalog` (products,
//! prices, costs), `people` (channels, loyalty, identities, journeys), `sim` (the day loop),
//! `orders` (one order and what follows), `stock` (inventory, purchase orders), `marketing`
//! (ad spend, traffic), `finance` (targets, cash), `rows` and `sink` (batched inserts on
//! SQLite and Postgres).
//!
//! Three situations are planted relative to the end date, so the demo cockpit has
//! something to say (and, in `catalog`, a best-seller that loses money for `report profit`):
//! 1. **Stock-out risk on a best-seller**: the hero serum (the most popular SKU, always in
//!    the top 5 by revenue) is replenished by hand over the last six months, each receipt
//!    sized to last until the end date plus a week, so on the end date it has about a week
//!    of cover (under 14 days), while its next purchase order, placed 10 days before the
//!    end, is due after it.
//! 2. **Meta ROAS collapse**: over the last 5 days, Meta spend is 40 % above plan while the
//!    orders Meta brings are down 40 % (fewer new customers, retargeted buyers coming direct),
//!    so its ROAS falls by more than half against the 28 days before.
//! 3. **A bad last day**: the end date has 20 % fewer orders than expected, and its revenue
//!    ends exactly 20 % below the day's objective.
//!
//! Stock never goes negative: a customer who finds a SKU out of stock takes what is left,
//! picks another product, or drops the line (lost sales; there are no backorders).

mod assortment;
mod calendar;
mod catalog;
mod finance;
mod marketing;
mod orders;
mod people;
mod rows;
mod sim;
mod sink;
mod stock;
#[cfg(test)]
mod tests;

use std::time::Instant;

use anyhow::{bail, Context};
use chrono::{Days, NaiveDate};
use indicatif::{ProgressBar, ProgressStyle};

pub use calendar::black_friday;

use crate::store::{refresh_after_load, ShopSettings, Store};
use crate::with_pool;
use rows::{Rows, Table, Val};
use sink::Writer;

pub const SHOP_NAME: &str = "Maison Lumière (démo)";

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Multiplies volumes; 1.0 ≈ 300 k€ net a month, 9.0 ≥ 1 M orders over two years.
    pub scale: f64,
    /// The last complete day of history.
    pub end_date: NaiveDate,
    pub timezone: chrono_tz::Tz,
    /// Show a progress bar (rows and rate) on the terminal.
    pub progress: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub customers: i64,
    pub orders: i64,
    pub order_lines: i64,
    pub refunds: i64,
    pub skus: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub elapsed_ms: u128,
}

/// The demand elasticity built into each SKU of the demo shop generated with `seed` up to
/// `end_date` (SKU code → e, negative): demand follows (price ÷ first price)^e, a constant
/// elasticity `report elasticity` should recover (`bench-profit --existing` compares).
pub fn built_in_elasticities(
    seed: u64,
    end_date: NaiveDate,
    timezone: chrono_tz::Tz,
) -> Vec<(String, f64)> {
    sim::built_in_elasticities(seed, end_date, timezone)
}

/// Fills an empty, migrated store with the demo shop.
pub async fn generate(store: &Store, opts: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let started = Instant::now();
    if !(opts.scale.is_finite() && (0.001..=100.0).contains(&opts.scale)) {
        bail!("demo scale {} is out of range: use a number between 0.001 and 100 (1 ≈ 300 k€ a month)", opts.scale);
    }
    ensure_empty(store).await?;
    let settings = ShopSettings {
        name: SHOP_NAME.to_string(),
        timezone: opts.timezone,
        currency: "EUR".to_string(),
    };
    settings.ensure(store).await?;
    for (key, value) in [
        ("demo_seed", opts.seed.to_string()),
        ("demo_scale", opts.scale.to_string()),
        (
            "demo_end_date",
            opts.end_date.format("%Y-%m-%d").to_string(),
        ),
    ] {
        with_pool!(store, pool => {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .context("failed to record the demo settings")?;
    }

    let progress = progress_bar(opts.progress);
    let params = sim::Params {
        seed: opts.seed,
        scale: opts.scale,
        end_date: opts.end_date,
        tz: opts.timezone,
    };
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Rows>(2);
    let generator = tokio::task::spawn_blocking(move || sim::run(&params, &sender));
    let mut writer = Writer::begin(store).await?;
    let mut received = 0u64;
    let written = async {
        while let Some(rows) = receiver.recv().await {
            received += rows.len() as u64;
            progress.inc(rows.days);
            let secs = progress.elapsed().as_secs_f64().max(0.001);
            progress.set_message(format!(
                "{received} rows, {:.0} rows/s",
                received as f64 / secs
            ));
            writer.add(rows).await?;
        }
        anyhow::Ok(())
    }
    .await;
    // Stop the generator first if the writer failed, then report the writer's error.
    drop(receiver);
    let outcome = generator.await.context("the demo generator panicked")?;
    written?;
    let outcome = outcome?;

    let mut rows = Rows::default();
    write_sync_state(opts, &outcome, &mut rows);
    writer.add(rows).await?;
    writer.finish().await?;
    progress.finish_and_clear();
    if let Store::Postgres(pool) = store {
        for table in [
            "customers",
            "products",
            "orders",
            "refunds",
            "touches",
            "purchase_orders",
        ] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
            );
            sqlx::query(&sql)
                .execute(pool)
                .await
                .with_context(|| format!("failed to reset the {table} id sequence"))?;
        }
    }
    refresh_after_load(store).await?;

    let count = |t: Table| outcome.rows[t as usize] as i64;
    Ok(DemoSummary {
        customers: count(Table::Customers),
        orders: count(Table::Orders),
        order_lines: count(Table::OrderLines),
        refunds: count(Table::Refunds),
        skus: count(Table::Variants),
        first_day: outcome.first_day,
        last_day: opts.end_date,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Demo data only goes into an empty store: mixing it with real or older demo data would
/// make every figure wrong.
async fn ensure_empty(store: &Store) -> anyhow::Result<()> {
    for table in ["orders", "customers", "products"] {
        let n = store.count_rows(table).await?;
        if n > 0 {
            let remedy = match store {
                Store::Sqlite(pool) => {
                    format!("delete {}", pool.connect_options().get_filename().display())
                }
                Store::Postgres(_) => "use an empty database".to_string(),
            };
            bail!(
                "store already holds {n} {table}: demo data goes into an empty store; \
                 {remedy} or point DATABASE_URL elsewhere"
            );
        }
    }
    Ok(())
}

/// Each source as if it had synced at 06:00 shop time the morning after the end date.
fn write_sync_state(opts: &DemoOptions, outcome: &sim::Outcome, rows: &mut Rows) {
    let synced_at = calendar::local_instant(opts.timezone, opts.end_date + Days::new(1), 6 * 3600);
    let count = |t: Table| outcome.rows[t as usize] as i64;
    for (source, n) in [
        ("orders", count(Table::Orders)),
        ("ad_spend", count(Table::AdSpend)),
        ("traffic", count(Table::Traffic)),
        ("inventory", count(Table::InventoryLevels)),
        ("cash", count(Table::CashBalances)),
        ("targets", count(Table::Targets)),
    ] {
        rows.push(
            Table::SyncState,
            [
                Val::Str(source),
                Val::Ts(synced_at),
                Val::Ts(synced_at),
                Val::Int(n),
                Val::Date(outcome.first_day),
                Val::Date(opts.end_date),
            ],
        );
    }
}

fn progress_bar(visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(sim::DAYS as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo shop [{elapsed_precise}] {bar:30} {pos}/{len} days (eta {eta}) {msg}",
        )
        .expect("a valid progress template"),
    );
    bar
}

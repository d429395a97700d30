//! `demo`: the main job on the embedded default. Builds the demo shop (SQLite, unless
//! `DATABASE_URL` names another store) if it is not there, then renders the cockpit of the
//! shop's last complete day into a folder and prints the summary.

use chrono::NaiveDate;

use super::{render_cockpit, write_cockpit_files, App};
use crate::cli::DemoArgs;
use crate::config::{Config, DEFAULT_DEMO_DATABASE_URL};
use crate::demo::{generate, DemoOptions};
use crate::domain::Lang;
use crate::store::redact_url;
use crate::with_pool;

pub async fn run(config: Config, lang: Lang, args: DemoArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.scale > 0.0 && args.scale <= 100.0,
        "--scale {} is out of range: use a value in (0, 100], e.g. 1 (≈ 110 k orders) or 9 (≈ 1 M)",
        args.scale
    );
    let url = config
        .database_url
        .clone()
        .unwrap_or_else(|| DEFAULT_DEMO_DATABASE_URL.to_string());
    let app = App::open(config, lang, &url).await?;
    let orders = app.store.count_rows("orders").await?;
    let last_day = if orders == 0 {
        let end_date = args.end_date.unwrap_or_else(|| app.yesterday());
        eprintln!(
            "building the demo shop in {} (seed {}, scale {}) …",
            redact_url(&url),
            args.seed,
            args.scale
        );
        let summary = generate(
            &app.store,
            &DemoOptions {
                seed: args.seed,
                scale: args.scale,
                end_date,
                timezone: app.shop.timezone,
                progress: true,
            },
        )
        .await?;
        eprintln!(
            "demo shop ready: {} customers, {} orders, {} lines, {} refunds, {} SKUs, {} → {} ({:.1} s)",
            summary.customers,
            summary.orders,
            summary.order_lines,
            summary.refunds,
            summary.skus,
            summary.first_day,
            summary.last_day,
            summary.elapsed_ms as f64 / 1000.0
        );
        summary.last_day
    } else {
        let last = demo_end_date(&app).await?;
        eprintln!(
            "using the demo shop already in {} ({orders} orders, data to {last})",
            redact_url(&url)
        );
        last
    };
    let rendered = render_cockpit(&app, last_day).await?;
    let written = write_cockpit_files(&rendered, &args.out)?;
    print!("{}", rendered.text);
    println!();
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// The last complete day of an existing demo shop: recorded at generation, else the last
/// day with orders.
async fn demo_end_date(app: &App) -> anyhow::Result<NaiveDate> {
    let recorded: Option<String> = with_pool!(&app.store, pool => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'demo_end_date'").fetch_optional(pool).await
    })?;
    let text = match recorded {
        Some(t) => t,
        None => with_pool!(&app.store, pool => {
            sqlx::query_scalar::<_, Option<String>>("SELECT CAST(MAX(local_date) AS TEXT) FROM orders").fetch_one(pool).await
        })?
        .ok_or_else(|| anyhow::anyhow!("the store has no orders"))?,
    };
    crate::domain::parse_date(&text)
        .map_err(|e| anyhow::anyhow!("store setting demo_end_date: {e}"))
}

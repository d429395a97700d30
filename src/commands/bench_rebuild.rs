//! `bench-rebuild` (hidden): the full summary rebuild every writer runs after a load
//! (`store::refresh_after_load`), timed statement by statement on an existing store, so the
//! rebuild can be measured on a large store without importing it again (README, "Import
//! benchmark").

use std::time::Duration;

use comfy_table::{presets::UTF8_FULL, Table};

use crate::cli::BenchRebuildArgs;
use crate::store::{redact_url, refresh_after_load_timed, Store};

pub async fn run(url: &str, args: BenchRebuildArgs) -> anyhow::Result<()> {
    let store = Store::open(url).await?;
    let orders = store.count_rows("orders").await?;
    let lines = store.count_rows("order_lines").await?;
    let customers = store.count_rows("customers").await?;
    println!(
        "bench-rebuild: {} ({orders} orders, {lines} line items, {customers} customers)",
        redact_url(url)
    );
    let mut runs = Vec::new();
    for _ in 0..args.runs.max(1) {
        runs.push(refresh_after_load_timed(&store).await?);
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL);
    let mut header = vec!["statement".to_string()];
    header.extend((1..=runs.len()).map(|r| format!("run {r} (s)")));
    table.set_header(header);
    let seconds = |d: &Duration| format!("{:.2}", d.as_secs_f64());
    for (i, (statement, _)) in runs[0].iter().enumerate() {
        let mut row = vec![statement.clone()];
        row.extend(runs.iter().map(|run| seconds(&run[i].1)));
        table.add_row(row);
    }
    let mut total = vec!["total".to_string()];
    total.extend(
        runs.iter()
            .map(|run| seconds(&run.iter().map(|(_, d)| *d).sum())),
    );
    table.add_row(total);
    println!("{table}");
    store.close().await;
    Ok(())
}

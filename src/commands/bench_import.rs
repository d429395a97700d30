//! `bench-import`: how fast `import shopify-orders` is, and how much memory it takes, on a
//! generated export of a million line items in Shopify's real 79-column format; with
//! `sqlite3`'s raw `.import` of the same file as the floor any importer pays.
//!
//! Each import runs in a fresh child process (`bench-import-child`, hidden) so that its peak
//! RSS is its own. Not a test: timings on a shared machine are for reading, not asserting.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::cli::{BenchImportArgs, BenchImportChildArgs};
use crate::config::Config;
use crate::import::{import_file, ImportOptions, Kind};
use crate::store::{ShopSettings, Store};

/// The header of Shopify's "Export orders" CSV (79 columns), as Shopify writes it.
pub const SHOPIFY_ORDERS_HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";

#[derive(Debug, Serialize, Deserialize)]
struct ChildReport {
    line_items: u64,
    orders: i64,
    customers: i64,
    seconds: f64,
    peak_rss_mb: f64,
}

fn cents(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// Writes an export of `line_items` line items: orders of 1–4 lines, 1 in 4 customers
/// returning, discounts, refunds, cancellations, multi-line quoted notes, CRLF.
pub fn generate_export(path: &Path, line_items: u64) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    let header: Vec<&str> = SHOPIFY_ORDERS_HEADER.split(',').collect();
    out.write_record(&header)?;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let start = Utc
        .with_ymd_and_hms(2024, 11, 1, 0, 0, 0)
        .single()
        .expect("valid start");
    let (mut written, mut order_no) = (0u64, 1000u64);
    let customers = (line_items / 6).max(10);
    while written < line_items {
        order_no += 1;
        let lines = rng.gen_range(1..=4u64).min(line_items - written);
        let customer = rng.gen_range(0..customers);
        let at = start + Duration::seconds((order_no as i64 - 1000) * 47 + rng.gen_range(0..40));
        let created = at
            .with_timezone(&chrono::FixedOffset::east_opt(3600).expect("offset"))
            .format("%Y-%m-%d %H:%M:%S %z")
            .to_string();
        let items: Vec<(u64, i64, u64)> = (0..lines)
            .map(|_| {
                (
                    rng.gen_range(1..=3),
                    rng.gen_range(900..9_000),
                    rng.gen_range(0..500),
                )
            })
            .collect();
        let subtotal_gross: i64 = items.iter().map(|(q, p, _)| *q as i64 * p).sum();
        let discount = if rng.gen_bool(0.2) {
            subtotal_gross / 10
        } else {
            0
        };
        let subtotal = subtotal_gross - discount;
        let shipping = if subtotal > 5_000 { 0 } else { 490 };
        let taxes = subtotal / 6;
        let total = subtotal + shipping;
        let cancelled = rng.gen_bool(0.02);
        let refunded = if !cancelled && rng.gen_bool(0.03) {
            subtotal / 2
        } else {
            0
        };
        let note = format!(
            "Customer note line 1\nUTM source: {}",
            ["facebook", "google", "klaviyo", "direct"][rng.gen_range(0..4)]
        );
        for (i, (q, price, sku)) in items.iter().enumerate() {
            let mut row = vec![String::new(); header.len()];
            row[0] = format!("#{order_no}");
            row[1] = format!("customer{customer}@example.com");
            row[15] = created.clone();
            row[16] = q.to_string();
            row[17] = format!("Product {sku} - Size M");
            row[18] = cents(*price);
            row[20] = format!("SKU-{sku:04}");
            row[21] = "true".into();
            row[22] = "true".into();
            row[23] = "fulfilled".into();
            row[50] = "Maison".into();
            row[59] = "0.00".into();
            if i == 0 {
                row[2] = if refunded > 0 {
                    "partially_refunded"
                } else {
                    "paid"
                }
                .into();
                row[3] = created.clone();
                row[4] = "fulfilled".into();
                row[6] = if customer % 3 == 0 { "yes" } else { "no" }.into();
                row[7] = "EUR".into();
                row[8] = cents(subtotal);
                row[9] = cents(shipping);
                row[10] = cents(taxes);
                row[11] = cents(total);
                row[12] = if discount > 0 {
                    "WELCOME10".into()
                } else {
                    String::new()
                };
                row[13] = cents(discount);
                row[14] = "Standard".into();
                row[24] = format!("Client {customer}");
                row[32] = "FR".into();
                row[45] = note.clone();
                row[46] = if cancelled {
                    created.clone()
                } else {
                    String::new()
                };
                row[47] = "Shopify Payments".into();
                row[49] = cents(refunded);
                row[51] = "0.00".into();
                row[55] = (5_000_000_000 + order_no).to_string();
                row[57] = "Low".into();
                row[58] = "web".into();
                row[60] = "TVA 20%".into();
                row[61] = cents(taxes);
            }
            out.write_record(&row)?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(order_no - 1000)
}

/// The child: one import into `database_url`, then its figures as JSON on stdout.
pub async fn run_child(config: Config, args: BenchImportChildArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database_url).await?;
    let shop: ShopSettings = config.shop_settings(&store).await?;
    let started = Instant::now();
    let summary = import_file(
        &store,
        shop.timezone,
        Kind::ShopifyOrders,
        &args.file,
        &ImportOptions::default(),
    )
    .await?;
    let report = ChildReport {
        line_items: summary.rows_read,
        orders: store.count_rows("orders").await?,
        customers: store.count_rows("customers").await?,
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_mb: super::bench::peak_rss_mb(),
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn child(url: &str, file: &Path) -> anyhow::Result<ChildReport> {
    let exe = std::env::current_exe().context("cannot find the insight-desk executable")?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench-import-child", "--database-url", url, "--file"])
        .arg(file);
    super::bench::run_child(cmd, url)
}

/// `sqlite3 db ".import --csv file raw"`: the raw load of the same bytes, or why not.
fn sqlite3_floor(dir: &Path, file: &Path) -> Result<f64, String> {
    let db = dir.join("floor.db");
    let _ = std::fs::remove_file(&db);
    let started = Instant::now();
    let out = Command::new("sqlite3")
        .arg(&db)
        .arg(format!(".import --csv {} raw", file.display()))
        .output()
        .map_err(|e| format!("sqlite3 not run ({e}): apt-get install sqlite3"))?;
    if !out.status.success() {
        return Err(format!(
            "sqlite3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(started.elapsed().as_secs_f64())
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

pub async fn run(args: BenchImportArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("failed to create {}", args.dir.display()))?;
    let file: PathBuf = args.dir.join("orders_export_bench.csv");
    eprintln!(
        "generating {} line items into {} …",
        args.line_items,
        file.display()
    );
    let started = Instant::now();
    let orders = generate_export(&file, args.line_items)?;
    let size_mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    eprintln!(
        "{orders} orders, {size_mb:.0} MB in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut rows: Vec<(String, ChildReport)> = Vec::new();
    let db = args.dir.join("bench-import.db");
    remove_db(&db);
    let url = format!("sqlite://{}", db.display());
    eprintln!("importing into {url} …");
    rows.push(("sqlite, empty store".into(), child(&url, &file)?));
    eprintln!("re-importing the same file (every order unchanged) …");
    rows.push(("sqlite, re-import".into(), child(&url, &file)?));
    // The first tenth of the orders again, generated for a tenth of the customers: the same
    // order names with other customers and amounts, so each of them is an edited order (the
    // refresh of the summaries takes its incremental path).
    let overlap: PathBuf = args.dir.join("orders_export_overlap.csv");
    let edited = generate_export(&overlap, args.line_items / 10)?;
    eprintln!("importing an overlapping export of {edited} edited orders …");
    rows.push((
        format!("sqlite, overlapping export, {edited} orders edited"),
        child(&url, &overlap)?,
    ));
    if let Some(server) = &args.postgres {
        let name = "insight_desk_bench_import";
        let admin = Store::connect(server).await?;
        if let Store::Postgres(pool) = &admin {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(pool)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await?;
        }
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        eprintln!("importing into Postgres …");
        let pg_url = format!("{base}/{name}");
        rows.push(("postgres, empty store".into(), child(&pg_url, &file)?));
        eprintln!("re-importing into Postgres (every order unchanged) …");
        rows.push(("postgres, re-import".into(), child(&pg_url, &file)?));
        if let Store::Postgres(pool) = &admin {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(pool)
                .await?;
        }
    }
    eprintln!("sqlite3 .import floor …");
    let floor = sqlite3_floor(&args.dir, &file);
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "insight-desk bench-import · {} line items ({orders} orders, {size_mb:.0} MB, 79 columns) · {}",
        args.line_items,
        super::bench::machine()
    )?;
    writeln!(stdout)?;
    writeln!(stdout, "| run | line items | orders | customers | time | line items/s | peak RSS | vs sqlite3 .import |")?;
    writeln!(stdout, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    for (name, r) in &rows {
        let ratio = floor
            .as_ref()
            .map_or("—".to_string(), |f| format!("{:.1}×", r.seconds / f));
        writeln!(
            stdout,
            "| {name} | {} | {} | {} | {:.1} s | {:.0} | {:.0} MB | {ratio} |",
            r.line_items,
            r.orders,
            r.customers,
            r.seconds,
            r.line_items as f64 / r.seconds,
            r.peak_rss_mb
        )?;
    }
    match floor {
        Ok(secs) => writeln!(
            stdout,
            "| sqlite3 .import (raw text, no parsing of values) | {} | — | — | {secs:.1} s | {:.0} | — | 1.0× |",
            args.line_items,
            args.line_items as f64 / secs
        )?,
        Err(why) => writeln!(stdout, "| sqlite3 .import | — | — | — | — | — | — | absent: {why} |")?,
    }
    remove_db(&db);
    remove_db(&args.dir.join("floor.db"));
    let _ = std::fs::remove_file(&overlap);
    Ok(())
}

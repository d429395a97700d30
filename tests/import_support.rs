//! Helpers of the import stories: where the real exports are, a snapshot of the store to
//! compare before and after, and an independent reading of Shopify exports (plain `csv`
//! crate, none of the importer's code) to check the importer's figures against.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use insight_desk::import::{import_file, ImportOptions, ImportSummary, Kind};
use insight_desk::store::Store;

/// `../shared/data/<folder>` beside the checkout. When it is absent, says so loudly and
/// returns `None` (the story is skipped), unless `TEST_REQUIRE_SHARED=1` (CI), which fails.
pub fn shared_data(folder: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!(
        "the real export files are missing: {} does not exist (they live in ../shared/data beside the checkout)",
        dir.display()
    );
    if std::env::var("TEST_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("{msg}; TEST_REQUIRE_SHARED=1 requires them");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {msg} !!!!!!!!\n");
    None
}

/// The CSV files of `dir` whose name starts with `prefix`, sorted by name.
pub fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the data folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "csv")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    out.sort();
    out
}

pub async fn import(store: &Store, kind: Kind, path: &Path, opts: &ImportOptions) -> ImportSummary {
    import_file(store, chrono_tz::Europe::Paris, kind, path, opts)
        .await
        .unwrap_or_else(|e| panic!("import of {} failed: {e:#}", path.display()))
}

/// Row counts and money sums of every table an import writes.
pub async fn snapshot(store: &Store) -> BTreeMap<&'static str, i64> {
    let queries: [(&'static str, &str); 11] = [
        ("orders", "SELECT COUNT(*) FROM orders"),
        ("customers", "SELECT COUNT(*) FROM customers"),
        ("order_lines", "SELECT COUNT(*) FROM order_lines"),
        ("refunds", "SELECT COUNT(*) FROM refunds"),
        ("ad_spend", "SELECT COUNT(*) FROM ad_spend"),
        (
            "orders.total",
            "SELECT CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM orders",
        ),
        (
            "orders.net",
            "SELECT CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) FROM orders",
        ),
        (
            "lines.net",
            "SELECT CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) FROM order_lines",
        ),
        (
            "refunds.amount",
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM refunds",
        ),
        (
            "ad_spend.spend",
            "SELECT CAST(COALESCE(SUM(spend_cents), 0) AS BIGINT) FROM ad_spend",
        ),
        (
            "revenue",
            "SELECT CAST(COALESCE(SUM(revenue_cents), 0) AS BIGINT) FROM sales_facts",
        ),
    ];
    let mut out = BTreeMap::new();
    for (name, sql) in queries {
        let v: i64 = insight_desk::with_pool!(store, pool => {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.insert(name, v);
    }
    out
}

/// "1,234.50" → 123450, written independently of the importer.
pub fn money(text: &str) -> i64 {
    let t: String = text.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() || t == "--" {
        return 0;
    }
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    let frac = format!("{frac:0<2}");
    let sign = if int.starts_with('-') { -1 } else { 1 };
    let int: i64 = int.trim_start_matches('-').parse().unwrap_or(0);
    sign * (int * 100 + frac[..2].parse::<i64>().unwrap())
}

/// What a set of Shopify exports should become, computed from the raw CSV: later files win
/// for an order name they repeat; customers are every e-mail (else phone) ever seen.
#[derive(Debug, Default)]
pub struct ShopifyExpectation {
    pub orders: i64,
    pub customers: i64,
    pub line_items: i64,
    pub revenue: i64,
    pub total: i64,
}

pub fn expected_shopify(paths: &[PathBuf]) -> ShopifyExpectation {
    struct Order {
        total: i64,
        net: i64,
        refund: i64,
        counted: bool,
        lines: i64,
    }
    let mut orders: BTreeMap<String, Order> = BTreeMap::new();
    let mut customers = BTreeSet::new();
    for path in paths {
        let mut reader = csv::Reader::from_path(path).expect("open export");
        let headers = reader.headers().expect("header").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let (name, currency, subtotal, shipping, taxes, total, cancelled, refunded, status) = (
            col("Name"),
            col("Currency"),
            col("Subtotal"),
            col("Shipping"),
            col("Taxes"),
            col("Total"),
            col("Cancelled at"),
            col("Refunded Amount"),
            col("Financial Status"),
        );
        let (email, phones) = (
            col("Email"),
            [col("Phone"), col("Billing Phone"), col("Shipping Phone")],
        );
        for record in reader.records() {
            let r = record.expect("record");
            if r[currency].is_empty() {
                orders
                    .get_mut(&r[name])
                    .expect("line item after its order")
                    .lines += 1;
                continue;
            }
            let e = r[email].trim().to_lowercase();
            if e.contains('@') {
                customers.insert(e);
            } else if let Some(p) = phones
                .iter()
                .map(|&i| {
                    let digits: String = r[i].chars().filter(char::is_ascii_digit).collect();
                    digits
                })
                .find(|d| d.len() >= 6)
            {
                customers.insert(format!("phone:{p}"));
            }
            let (sub, ship, tax, tot) = (
                money(&r[subtotal]),
                money(&r[shipping]),
                money(&r[taxes]),
                money(&r[total]),
            );
            let net = if tax > 0 && (sub + ship - tot).abs() <= 1 {
                sub - tax
            } else {
                sub
            };
            orders.insert(
                r[name].to_string(),
                Order {
                    total: tot,
                    net,
                    refund: money(&r[refunded]).min(net),
                    counted: r[cancelled].is_empty() && r[status].trim() != "voided",
                    lines: 1,
                },
            );
        }
    }
    let mut e = ShopifyExpectation {
        orders: orders.len() as i64,
        customers: customers.len() as i64,
        ..Default::default()
    };
    for o in orders.values() {
        e.total += o.total;
        e.line_items += o.lines;
        if o.counted {
            e.revenue += o.net - o.refund;
        }
    }
    e
}

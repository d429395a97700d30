//! Shopify's catalogue and stock over the Admin GraphQL API (issue 8), on SQLite and Postgres:
//! variants with their unit cost and inventory levels synced from the fake shop give the same
//! products, variants and stock as the `shopify-products` and `shopify-inventory` exports of
//! the same catalogue, and the same stock report; a change upstream is counted and reaches
//! the margin summaries; a throttled page is waited out; the sources' names are one.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use clap::ValueEnum;
use insight_desk::forecast::run::stock_from_store;
use insight_desk::forecast::stock::StockPolicy;
use insight_desk::import::{import_file, ImportOptions, Kind};
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::sync::fake_shopify::{Bucket, FakeShopify};
use insight_desk::sync::google_ads::GoogleAdsConfig;
use insight_desk::sync::klaviyo::KlaviyoConfig;
use insight_desk::sync::meta::MetaConfig;
use insight_desk::sync::{scheduled_jobs, state, ShopifyConfig, Source, SyncConfig};
use serde_json::{json, Value};

use crate::db_story;
use crate::summaries::derived_tables;
use crate::support::TestStore;
use crate::sync::{config, node, scalar, shop, sync, TOKEN};

/// One variant of the hand-built catalogue: (sku, price, unit cost, on hand per location;
/// `None`: Shopify does not track its stock). Money in cents.
pub type V = (&'static str, i64, Option<i64>, Option<Vec<i64>>);

/// One product: (handle, title, vendor, productType, category, variants).
pub type P = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<V>,
);

const MUGS: &str = "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs";

/// The shop of `sync::shop()`'s orders: a mug stocked at two locations, tees (one without a
/// cost, one without a SKU), a hat Shopify does not track.
pub fn catalogue() -> Vec<P> {
    vec![
        (
            "mug",
            "Mug - Blue",
            "Atelier",
            "Kitchen",
            Some(MUGS),
            vec![("MUG-1", 1500, Some(420), Some(vec![7, 3]))],
        ),
        (
            "tee",
            "Tee",
            "Cotton Co",
            "Apparel",
            None,
            vec![
                ("TEE-M", 3000, Some(900), Some(vec![0])),
                ("TEE-L", 3000, None, Some(vec![4])),
                ("", 3000, Some(900), Some(vec![2])),
            ],
        ),
        (
            "hat",
            "Hat",
            "",
            "",
            None,
            vec![("HAT-1", 2500, Some(650), None)],
        ),
    ]
}

fn money(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// The catalogue as the `products` query gives it (Shopify's documented shape).
pub fn product_nodes(products: &[P]) -> Vec<Value> {
    products
        .iter()
        .enumerate()
        .map(|(i, (handle, title, vendor, kind, category, variants))| {
            json!({
                "id": format!("gid://shopify/Product/{}", 100 + i),
                "handle": handle, "title": title, "vendor": vendor, "productType": kind,
                "category": category.map(|c| json!({"fullName": c})),
                "variants": {"nodes": variants.iter().enumerate().map(|(k, (sku, price, cost, stock))| json!({
                    "id": format!("gid://shopify/ProductVariant/{}", 1000 + 10 * i + k),
                    "sku": sku, "price": money(*price),
                    "inventoryItem": {
                        "id": format!("gid://shopify/InventoryItem/{}", 2000 + 10 * i + k),
                        "tracked": stock.is_some(),
                        "unitCost": cost.map(|c| json!({"amount": money(c), "currencyCode": "EUR"})),
                        "inventoryLevels": {"pageInfo": {"hasNextPage": false}, "nodes":
                            stock.clone().unwrap_or_default().iter().enumerate().map(|(l, on_hand)| json!({
                                "location": {"id": format!("gid://shopify/Location/{}", l + 1)},
                                "quantities": [
                                    {"name": "on_hand", "quantity": on_hand},
                                    {"name": "available", "quantity": (on_hand - 1).max(0)}
                                ]
                            })).collect::<Vec<_>>()}
                    }
                })).collect::<Vec<_>>()}
            })
        })
        .collect()
}

/// The same catalogue as Shopify's products export (the handle's first row names it).
fn products_csv(products: &[P]) -> String {
    let mut out = String::from(
        "Handle,Title,Vendor,Type,Product Category,Variant SKU,Variant Price,Cost per item\n",
    );
    for (handle, title, vendor, kind, category, variants) in products {
        for (k, (sku, price, cost, _)) in variants.iter().enumerate() {
            let first = k == 0;
            out.push_str(&format!(
                "{handle},{},{},{},\"{}\",{sku},{},{}\n",
                if first { title } else { "" },
                if first { vendor } else { "" },
                if first { kind } else { "" },
                if first { category.unwrap_or("") } else { "" },
                money(*price),
                cost.map(money).unwrap_or_default()
            ));
        }
    }
    out
}

/// The same stock as Shopify's inventory export: a row per SKU and location.
fn inventory_csv(products: &[P]) -> String {
    let mut out = String::from("Handle,Title,SKU,Location,Available,On hand\n");
    for (handle, title, _, _, _, variants) in products {
        for (sku, _, _, stock) in variants {
            if sku.is_empty() {
                continue;
            }
            for (l, on_hand) in stock.iter().flatten().enumerate() {
                out.push_str(&format!(
                    "{handle},{title},{sku},Shop {},{},{on_hand}\n",
                    l + 1,
                    (on_hand - 1).max(0)
                ));
            }
        }
    }
    out
}

/// Products, variants and stock, independent of ids and of the time they were written.
pub async fn catalogue_rows(store: &Store) -> Vec<String> {
    type Variant = (
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        String,
        Option<i64>,
    );
    let variants: Vec<Variant> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT v.sku, p.handle, p.title, p.category, p.vendor, v.title, v.price_cents, v.currency, v.supplier_cost_cents \
         FROM variants v JOIN products p ON p.id = v.product_id ORDER BY v.sku")
        .fetch_all(pool).await)
        .unwrap();
    let products: Vec<(String,)> = insight_desk::with_pool!(store, pool =>
        sqlx::query_as("SELECT handle FROM products ORDER BY handle").fetch_all(pool).await)
    .unwrap();
    let stock: Vec<(String, NaiveDate, i64)> = insight_desk::with_pool!(store, pool =>
        sqlx::query_as("SELECT sku, date, on_hand FROM inventory_levels ORDER BY sku, date").fetch_all(pool).await)
    .unwrap();
    let mut rows: Vec<String> = variants.iter().map(|v| format!("{v:?}")).collect();
    rows.extend(products.iter().map(|p| format!("product {p:?}")));
    rows.extend(stock.iter().map(|s| format!("stock {s:?}")));
    rows
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

fn with_catalog_pages(mut cfg: SyncConfig, size: u32) -> SyncConfig {
    if let Some(s) = cfg.shopify.as_mut() {
        s.catalog_page_size = size;
    }
    cfg
}

db_story!(
    catalogue_and_stock_synced_equal_the_csv_exports_and_feed_the_stock_report,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeShopify::start(TOKEN, shop().iter().map(node).collect())
            .await
            .unwrap();
        fake.set_products(product_nodes(&catalogue()));
        let cfg = with_catalog_pages(config(&fake, dir.path(), TOKEN), 2);
        let synced = sync(store, &cfg).await;
        assert_eq!(synced.error, None);
        let c = synced.counts;
        assert_eq!(
            (
                c.variants_read,
                c.variants_changed,
                c.stock_read,
                c.stock_changed
            ),
            (5, 4, 3, 3),
            "5 variants (one without a SKU), stock of the 3 tracked ones with a SKU"
        );
        assert_eq!(
            fake.calls().iter().filter(|c| c.kind == "variants").count(),
            3,
            "5 variants, 2 a page"
        );
        let text = synced.to_string();
        assert!(
            text.contains(
                "catalogue: 5 variants read (4 new or changed), stock of 3 SKUs (3 changed)"
            ),
            "{text}"
        );
        let run = state::runs(store, "shopify").await.unwrap().pop().unwrap();
        assert_eq!((run.status.as_str(), run.counts), ("done", c));

        // The exports of the same catalogue and stock, imported into a store with the same
        // orders (synced without the catalogue): the same rows.
        let imported = TestStore::sqlite().await;
        let mut orders_only = cfg.clone();
        orders_only.shopify.as_mut().unwrap().catalog = false;
        assert_eq!(sync(&imported.store, &orders_only).await.error, None);
        let products = dir.path().join("products_export.csv");
        std::fs::write(&products, products_csv(&catalogue())).unwrap();
        let inventory = dir.path().join("inventory_export.csv");
        std::fs::write(&inventory, inventory_csv(&catalogue())).unwrap();
        for (kind, path) in [
            (Kind::ShopifyProducts, &products),
            (Kind::ShopifyInventory, &inventory),
        ] {
            import_file(
                &imported.store,
                chrono_tz::Europe::Paris,
                kind,
                path,
                &ImportOptions::default(),
            )
            .await
            .unwrap();
        }
        let rows = catalogue_rows(store).await;
        assert_eq!(rows, catalogue_rows(&imported.store).await);
        // And the rows are the catalogue's, by hand: the mug's two locations summed, the tee's
        // category its type, the hat's "uncategorised" and no stock row.
        let t = today();
        assert!(rows.contains(&format!(
            "(\"MUG-1\", \"mug\", \"Mug - Blue\", \"{MUGS}\", Some(\"Atelier\"), \"Mug - Blue\", 1500, \"EUR\", Some(420))"
        )), "{rows:#?}");
        assert!(rows.contains(&"(\"TEE-L\", \"tee\", \"Tee\", \"Apparel\", Some(\"Cotton Co\"), \"Tee\", 3000, \"EUR\", None)".to_string()), "{rows:#?}");
        assert!(rows.contains(&"(\"HAT-1\", \"hat\", \"Hat\", \"uncategorised\", None, \"Hat\", 2500, \"EUR\", Some(650))".to_string()), "{rows:#?}");
        assert!(rows.contains(&format!("stock (\"MUG-1\", {t:?}, 10)")));
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM inventory_levels").await,
            3
        );

        // The stock report reads the synced stock as it reads the imported one.
        let report = stock_from_store(store, t, &StockPolicy::default())
            .await
            .unwrap();
        let again = stock_from_store(&imported.store, t, &StockPolicy::default())
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&report.lines).unwrap(),
            serde_json::to_value(&again.lines).unwrap()
        );
        let mug = report
            .lines
            .iter()
            .find(|l| l.sku == "MUG-1")
            .expect("MUG-1 in the stock report");
        // Last sold on 2 March: dormant, its 10 units at 4.20 € tie up 42 €.
        assert_eq!((mug.on_hand, mug.unit_cost_cents), (10, Some(420)));
        assert!(mug.dormant);
        assert_eq!(mug.dormant_cash_cents, Some(4200));

        // A sync with nothing changed upstream changes nothing.
        let same = sync(store, &cfg).await;
        assert_eq!(same.error, None);
        assert_eq!(
            (same.counts.variants_changed, same.counts.stock_changed),
            (0, 0)
        );

        // Upstream: the mug costs 4.50 € now and 2 were sold, the hat gets a category. The
        // margin summaries follow (a full rebuild gives the same tables).
        let mut changed = catalogue();
        changed[0].5[0].2 = Some(450);
        changed[0].5[0].3 = Some(vec![5, 3]);
        changed[2].4 = Some("Apparel & Accessories > Clothing Accessories > Hats");
        fake.set_products(product_nodes(&changed));
        let before = derived_tables(store).await;
        let next = sync(store, &cfg).await;
        assert_eq!(next.error, None);
        assert_eq!(
            (next.counts.variants_changed, next.counts.stock_changed),
            (2, 1)
        );
        assert_eq!(
            scalar(
                store,
                "SELECT on_hand FROM inventory_levels WHERE sku = 'MUG-1'"
            )
            .await,
            8
        );
        let after = derived_tables(store).await;
        assert_ne!(before, after, "costs and categories feed the summaries");
        assert!(
            after
                .iter()
                .any(|r| r.contains("|HAT-1|Apparel & Accessories > Clothing Accessories > Hats|")),
            "{after:#?}"
        );
        refresh_after_load(store).await.unwrap();
        assert_eq!(after, derived_tables(store).await);
    }
);

db_story!(a_throttled_catalogue_page_is_waited_out, |store| {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeShopify::start(TOKEN, shop().iter().map(node).collect())
        .await
        .unwrap();
    let mut cfg = with_catalog_pages(config(&fake, dir.path(), TOKEN), 2);
    cfg.shopify.as_mut().unwrap().catalog = false;
    assert_eq!(sync(store, &cfg).await.error, None);

    // 100 points refilled at 100/s, empty, 100 points a page: the orders' first call is
    // THROTTLED (the client knew nothing yet); after it, each catalogue page waits a second
    // for its points instead of being refused.
    fake.set_products(product_nodes(&catalogue()));
    cfg.shopify.as_mut().unwrap().catalog = true;
    fake.set_bucket(Bucket {
        maximum: 100.0,
        restore_rate: 100.0,
        available: 0.0,
        query_cost: 100.0,
    });
    let before = fake.calls().len();
    let outcome = sync(store, &cfg).await;
    assert_eq!(outcome.error, None);
    let calls: Vec<_> = fake.calls().into_iter().skip(before).collect();
    let throttled: Vec<&str> = calls
        .iter()
        .filter(|c| c.throttled)
        .map(|c| c.kind.as_str())
        .collect();
    assert_eq!(throttled, ["orders"]);
    let served: Vec<_> = calls.iter().filter(|c| !c.throttled).collect();
    assert_eq!(
        served.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
        ["orders", "variants", "variants", "variants"]
    );
    for pair in served.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(900), "pages {gap:?} apart");
    }
    assert_eq!(outcome.counts.variants_read, 5);
    assert_eq!(
        scalar(store, "SELECT COUNT(*) FROM variants").await,
        4,
        "every page stored"
    );
});

// Issue 8: `schedule list` printed `sync meta_ads` while the command is `sync meta`.
#[test]
fn a_source_has_one_name_on_the_command_line_and_in_the_schedule() {
    let with = |schedule: &str| Some(schedule.to_string());
    let mut shopify = ShopifyConfig::new("s.myshopify.com");
    shopify.schedule = with("0 3 * * *");
    let mut google = GoogleAdsConfig::new("123-456-7890");
    google.schedule = with("0 4 * * *");
    let mut meta = MetaConfig::new("act_1");
    meta.schedule = with("0 5 * * *");
    let klaviyo = KlaviyoConfig {
        schedule: with("0 6 * * *"),
        ..KlaviyoConfig::default()
    };
    let cfg = SyncConfig {
        shopify: Some(shopify),
        google_ads: Some(google),
        meta: Some(meta),
        klaviyo: Some(klaviyo),
    };
    let jobs = scheduled_jobs(&cfg, chrono_tz::Europe::Paris).unwrap();
    let keys: Vec<&str> = jobs.iter().map(|j| j.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "sync:shopify",
            "sync:google-ads",
            "sync:meta",
            "sync:klaviyo"
        ]
    );
    for source in [
        Source::Shopify,
        Source::GoogleAds,
        Source::Meta,
        Source::Klaviyo,
    ] {
        let parsed = Source::from_str(source.command_name(), false).unwrap();
        assert_eq!(parsed, source, "`sync {}` parses", source.command_name());
    }
}

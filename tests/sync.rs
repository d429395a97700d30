//! API sync from Shopify against a fake Admin GraphQL API on loopback, on SQLite and
//! Postgres: a bulk backfill then incremental syncs; a sync broken off mid-way resumes from
//! its stored cursor to the same store as an unbroken one; the cost-based limit and 429s are
//! waited out (the waits are measured); a refused token fails the source without the token
//! ever reaching an error; and the same orders synced through the API or imported from a
//! Shopify CSV export give the same store and the same cockpit.

use std::time::Duration;

use chrono::NaiveDate;
use insight_desk::cockpit::{compute_cockpit, CockpitOptions};
use insight_desk::import::{import_file, ImportOptions, Kind};
use insight_desk::metrics::Registry;
use insight_desk::store::{refresh_after_load, Store};
use insight_desk::sync::fake_shopify::{Bucket, FakeShopify};
use insight_desk::sync::shopify::ShopifyCursor;
use insight_desk::sync::{
    state, sync_one, ShopifyConfig, Source, SourceOutcome, SyncConfig, SyncOptions,
};
use serde_json::{json, Value};

use crate::db_story;
use crate::import_support::snapshot;
use crate::summaries::{add_orders_to_day, derived_tables, orders_of_day};
use crate::support::{paris_shop, TestStore};

pub const TOKEN: &str = "shpat_test_0123456789abcdef";

/// One hand-built order as the Admin API gives it. Amounts in cents; `lines`:
/// (sku, title, quantity, unit price). Prices include 20 % VAT (tax = subtotal / 6).
pub struct O {
    n: u64,
    created: &'static str,
    updated: &'static str,
    email: &'static str,
    lines: Vec<(&'static str, &'static str, i64, i64)>,
    discount: i64,
    code: &'static str,
    shipping: i64,
    refunded: i64,
    cancelled: Option<&'static str>,
    utm: &'static str,
}

impl O {
    fn subtotal(&self) -> i64 {
        self.lines.iter().map(|l| l.2 * l.3).sum::<i64>() - self.discount
    }
    fn tax(&self) -> i64 {
        self.subtotal() / 6
    }
    fn total(&self) -> i64 {
        self.subtotal() + self.shipping
    }
}

fn m(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

pub fn node(o: &O) -> Value {
    json!({
        "id": format!("gid://shopify/Order/{}", o.n),
        "name": format!("#{}", o.n),
        "createdAt": o.created, "updatedAt": o.updated, "cancelledAt": o.cancelled,
        "test": false, "tags": [], "email": o.email, "phone": null,
        "currencyCode": "EUR", "taxesIncluded": true, "sourceName": "web",
        "displayFinancialStatus": if o.refunded > 0 { "PARTIALLY_REFUNDED" } else { "PAID" },
        "discountCodes": if o.code.is_empty() { json!([]) } else { json!([o.code]) },
        "customAttributes": if o.utm.is_empty() { json!([]) } else { json!([{"key": "UTM source", "value": o.utm}]) },
        "customerJourneySummary": null,
        "customer": {"email": o.email, "phone": null, "firstName": "Alice", "emailMarketingConsent": {"marketingState": "SUBSCRIBED"}},
        "billingAddress": {"firstName": "Alice", "countryCodeV2": "FR", "phone": null},
        "shippingAddress": {"countryCodeV2": "FR", "phone": null},
        "subtotalPriceSet": {"shopMoney": {"amount": m(o.subtotal()), "currencyCode": "EUR"}},
        "totalShippingPriceSet": {"shopMoney": {"amount": m(o.shipping)}},
        "totalTaxSet": {"shopMoney": {"amount": m(o.tax())}},
        "totalPriceSet": {"shopMoney": {"amount": m(o.total())}},
        "totalDiscountsSet": {"shopMoney": {"amount": m(o.discount)}},
        "totalRefundedSet": {"shopMoney": {"amount": m(o.refunded)}},
        "refunds": if o.refunded > 0 { json!([{"createdAt": o.created}]) } else { json!([]) },
        "lineItems": {"nodes": o.lines.iter().map(|l| json!({
            "sku": l.0, "name": l.1, "quantity": l.2,
            "originalUnitPriceSet": {"shopMoney": {"amount": m(l.3)}}
        })).collect::<Vec<_>>()},
    })
}

/// The same order as rows of a Shopify "Export orders" CSV.
fn csv_rows(o: &O) -> String {
    let instant = |t: &str| t.replace('T', " ").replace('Z', " +0000");
    let mut out = String::new();
    for (i, l) in o.lines.iter().enumerate() {
        let head = i == 0;
        let h = |s: String| if head { s } else { String::new() };
        out.push_str(&format!(
            "#{},{},{},EUR,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            o.n,
            h(o.email.to_string()),
            h(if o.refunded > 0 {
                "partially_refunded".into()
            } else {
                "paid".into()
            }),
            h(m(o.subtotal())),
            h(m(o.shipping)),
            h(m(o.tax())),
            h(m(o.total())),
            h(o.code.to_string()),
            h(m(o.discount)),
            h(instant(o.created)),
            l.2,
            l.1,
            m(l.3),
            l.0,
            h(o.cancelled.map(instant).unwrap_or_default()),
            h(if o.refunded > 0 {
                m(o.refunded)
            } else {
                String::new()
            }),
            h("web".into()),
            h("Alice Martin".into()),
            h("FR".into()),
            h(if o.utm.is_empty() {
                String::new()
            } else {
                format!("UTM source: {}", o.utm)
            }),
            h("yes".into()),
        ));
    }
    out
}

const CSV_HEADER: &str = "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Cancelled at,Refunded Amount,Source,Billing Name,Billing Country,Note Attributes,Accepts Marketing\n";

/// Five orders over three days in March 2026: a Meta-sourced one, a newsletter code, a
/// cancelled one, a partly refunded one, and a returning customer.
pub fn shop() -> Vec<O> {
    vec![
        O {
            n: 1001,
            created: "2026-03-01T09:00:00Z",
            updated: "2026-03-01T09:00:00Z",
            email: "alice@example.com",
            lines: vec![
                ("MUG-1", "Mug - Blue", 2, 1500),
                ("TEE-M", "Tee - M", 1, 3000),
            ],
            discount: 0,
            code: "",
            shipping: 490,
            refunded: 0,
            cancelled: None,
            utm: "facebook",
        },
        O {
            n: 1002,
            created: "2026-03-01T15:30:00Z",
            updated: "2026-03-01T15:30:00Z",
            email: "Bob@Example.com ",
            lines: vec![("TEE-M", "Tee - M", 2, 3000)],
            discount: 600,
            code: "NEWSLETTER10",
            shipping: 0,
            refunded: 0,
            cancelled: None,
            utm: "",
        },
        O {
            n: 1003,
            created: "2026-03-02T10:00:00Z",
            updated: "2026-03-02T11:00:00Z",
            email: "carol@example.com",
            lines: vec![("MUG-1", "Mug - Blue", 1, 1500)],
            discount: 0,
            code: "",
            shipping: 490,
            refunded: 0,
            cancelled: Some("2026-03-02T11:00:00Z"),
            utm: "",
        },
        O {
            n: 1004,
            created: "2026-03-02T18:45:00Z",
            updated: "2026-03-02T19:00:00Z",
            email: "dan@example.com",
            lines: vec![("HAT-1", "Hat", 1, 2500), ("MUG-1", "Mug - Blue", 1, 1500)],
            discount: 0,
            code: "",
            shipping: 490,
            refunded: 1500,
            cancelled: None,
            utm: "google",
        },
        O {
            n: 1005,
            created: "2026-03-03T08:10:00Z",
            updated: "2026-03-03T08:10:00Z",
            email: "alice@example.com",
            lines: vec![("HAT-1", "Hat", 2, 2500)],
            discount: 0,
            code: "",
            shipping: 0,
            refunded: 0,
            cancelled: None,
            utm: "",
        },
    ]
}

pub fn config(fake: &FakeShopify, dir: &std::path::Path, token: &str) -> SyncConfig {
    let token_file = dir.join("shopify-token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let mut c = ShopifyConfig::new("test-shop.myshopify.com");
    c.base_url = Some(fake.base_url());
    c.access_token_file = Some(token_file);
    c.page_size = 2;
    c.bulk_poll_secs = 0.01;
    c.max_attempts = 3;
    SyncConfig {
        shopify: Some(c),
        ..SyncConfig::default()
    }
}

pub async fn sync(store: &Store, cfg: &SyncConfig) -> SourceOutcome {
    let opts = SyncOptions {
        base_backoff: Duration::from_millis(10),
        ..SyncOptions::default()
    };
    sync_one(store, chrono_tz::Europe::Paris, cfg, Source::Shopify, &opts).await
}

async fn cursor(store: &Store) -> ShopifyCursor {
    state::load_cursor(store, "shopify")
        .await
        .unwrap()
        .unwrap_or_default()
}

pub async fn scalar(store: &Store, sql: &str) -> i64 {
    insight_desk::with_pool!(store, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

db_story!(
    backfill_then_incremental_sync_brings_the_store_up_to_date,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let orders = shop();
        let fake = FakeShopify::start(TOKEN, orders.iter().map(node).collect())
            .await
            .unwrap();
        fake.set_running_polls(2);
        let cfg = config(&fake, dir.path(), TOKEN);

        let first = sync(store, &cfg).await;
        assert_eq!(first.error, None);
        assert_eq!(first.mode, "backfill");
        assert_eq!((first.counts.records_read, first.counts.inserted), (5, 5));
        let kinds: Vec<String> = fake.calls().iter().map(|c| c.kind.clone()).collect();
        assert_eq!(
            &kinds[..5],
            [
                "bulk_run",
                "bulk_poll",
                "bulk_poll",
                "bulk_poll",
                "download"
            ],
            "{kinds:?}"
        );
        // Σ Total by hand: 64.90 + 54.00 + 19.90 + 44.90 + 50.00.
        assert_eq!(
            scalar(store, "SELECT CAST(SUM(total_cents) AS BIGINT) FROM orders").await,
            23370
        );
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM customers").await,
            4,
            "alice twice, Bob's e-mail normalised"
        );
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM order_lines").await, 7);
        // 15.00 refunded of #1004, capped at its net merchandise (40.00 − 6.66 VAT).
        assert_eq!(
            scalar(
                store,
                "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM refunds"
            )
            .await,
            1500
        );
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM orders WHERE channel = 'meta'").await,
            1
        );
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM orders WHERE channel = 'email'").await,
            1
        );
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM orders WHERE cancelled_at IS NOT NULL"
            )
            .await,
            1
        );
        let after_backfill = cursor(store).await;
        assert!(after_backfill.backfill.is_none() && after_backfill.updated_since.is_some());

        // Upstream: #1002 gets a new shipping fee, #1006 is placed; the rest is unchanged.
        let mut edited = orders;
        let later = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
        edited[1].shipping = 490;
        let mut n2 = node(&edited[1]);
        n2["updatedAt"] = json!(later);
        fake.upsert_order(n2);
        let mut new = node(&edited[4]);
        new["id"] = json!("gid://shopify/Order/1006");
        new["name"] = json!("#1006");
        new["updatedAt"] = json!(later);
        fake.upsert_order(new);

        let second = sync(store, &cfg).await;
        assert_eq!(second.error, None);
        assert_eq!(second.mode, "incremental");
        assert_eq!(
            (
                second.counts.records_read,
                second.counts.inserted,
                second.counts.updated
            ),
            (2, 1, 1),
            "only what changed since the backfill is read"
        );
        let orders_calls: Vec<_> = fake
            .calls()
            .into_iter()
            .filter(|c| c.kind == "orders")
            .collect();
        let since = after_backfill
            .updated_since
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(
            orders_calls.last().unwrap().variables["query"],
            json!(format!("updated_at:>='{since}'"))
        );
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM orders").await, 6);
        assert_eq!(
            scalar(store, "SELECT CAST(SUM(total_cents) AS BIGINT) FROM orders").await,
            23370 + 490 + 5000
        );

        // A third sync with nothing new writes nothing.
        let third = sync(store, &cfg).await;
        assert_eq!((third.counts.inserted, third.counts.updated), (0, 0));
        let runs = state::runs(store, "shopify").await.unwrap();
        let summary: Vec<(String, String, u64)> = runs
            .iter()
            .map(|r| (r.mode.clone(), r.status.clone(), r.counts.inserted))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("backfill".to_string(), "done".to_string(), 5),
                ("incremental".to_string(), "done".to_string(), 1),
                ("incremental".to_string(), "done".to_string(), 0)
            ]
        );
        let states = insight_desk::import::sources::list(store).await.unwrap();
        let s = states
            .iter()
            .find(|s| s.source == "shopify")
            .expect("recorded like an import");
        assert_eq!(s.rows, 6);
        assert_eq!(s.data_from, NaiveDate::from_ymd_opt(2026, 3, 1));
    }
);

db_story!(
    a_sync_broken_off_mid_way_resumes_to_the_same_store,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let orders = shop();
        let fake = FakeShopify::start(TOKEN, orders.iter().map(node).collect())
            .await
            .unwrap();
        let cfg = config(&fake, dir.path(), TOKEN);

        // The bulk file breaks off after three orders: nothing half-written, the operation kept.
        fake.break_download_after(Some(3));
        let broken = sync(store, &cfg).await;
        let error = broken.error.expect("the broken download fails the sync");
        assert!(error.contains("bulk file download"), "{error}");
        let c = cursor(store).await;
        assert_eq!(
            c.backfill.as_ref().map(|b| b.operation.as_str()),
            Some("gid://shopify/BulkOperation/1")
        );
        fake.break_download_after(None);
        let resumed = sync(store, &cfg).await;
        assert_eq!(resumed.error, None);
        assert_eq!(
            fake.calls().iter().filter(|c| c.kind == "bulk_run").count(),
            1,
            "the same operation's file is read again"
        );

        // Five orders change upstream; the incremental sync fails on its second page (2 per page).
        let later = chrono::Utc::now() + chrono::Duration::seconds(2);
        for (k, o) in orders.iter().enumerate() {
            let mut n = node(o);
            n["updatedAt"] = json!((later + chrono::Duration::seconds(k as i64)).to_rfc3339());
            n["totalShippingPriceSet"]["shopMoney"]["amount"] = json!("7.00");
            fake.upsert_order(n);
        }
        let served = fake
            .calls()
            .iter()
            .filter(|c| c.kind == "orders" && c.status == 200)
            .count();
        fake.fail_orders_pages_from(Some(served + 1));
        let broken = sync(store, &cfg).await;
        assert!(
            broken
                .error
                .as_deref()
                .is_some_and(|e| e.contains("500") && e.contains("3 attempts")),
            "{:?}",
            broken.error
        );
        assert_eq!(broken.counts.updated, 2, "the first page is stored");
        let stored = cursor(store).await;
        assert_eq!(
            stored.after.as_deref(),
            Some("cursor:2"),
            "the page cursor is kept"
        );
        let runs = state::runs(store, "shopify").await.unwrap();
        assert_eq!(runs.last().unwrap().status, "failed");
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM orders WHERE shipping_cents = 700"
            )
            .await,
            2
        );

        fake.fail_orders_pages_from(None);
        let resumed = sync(store, &cfg).await;
        assert_eq!(resumed.error, None);
        assert_eq!(
            resumed.counts.updated, 3,
            "the three orders left, none twice"
        );
        let first_resumed = fake
            .calls()
            .into_iter()
            .filter(|c| c.kind == "orders" && c.status == 200)
            .nth(served + 1)
            .unwrap();
        assert_eq!(first_resumed.variables["after"], json!("cursor:2"));

        // An unbroken sync of the same final data into a fresh store gives the same store.
        let reference = TestStore::sqlite().await;
        let fresh = FakeShopify::start(TOKEN, Vec::new()).await.unwrap();
        for o in &orders {
            let mut n = node(o);
            n["totalShippingPriceSet"]["shopMoney"]["amount"] = json!("7.00");
            fresh.upsert_order(n);
        }
        let unbroken = sync(&reference.store, &config(&fresh, dir.path(), TOKEN)).await;
        assert_eq!(unbroken.error, None);
        assert_eq!(snapshot(store).await, snapshot(&reference.store).await);
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM orders").await, 5);
    }
);

db_story!(the_rate_limit_is_waited_out_not_hammered, |store| {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeShopify::start(TOKEN, shop().iter().map(node).collect())
        .await
        .unwrap();
    let cfg = config(&fake, dir.path(), TOKEN);
    assert_eq!(sync(store, &cfg).await.error, None);

    // A bucket of 100 points refilled at 100/s, empty now, and 100 points per orders page:
    // the first page is THROTTLED (the client knew nothing yet); after it, each page waits
    // for its points instead of being refused.
    let later = chrono::Utc::now() + chrono::Duration::seconds(2);
    for (k, o) in shop().iter().enumerate() {
        let mut n = node(o);
        n["updatedAt"] = json!((later + chrono::Duration::seconds(k as i64)).to_rfc3339());
        fake.upsert_order(n);
    }
    let before = fake.calls().len();
    fake.set_bucket(Bucket {
        maximum: 100.0,
        restore_rate: 100.0,
        available: 0.0,
        query_cost: 100.0,
    });
    let outcome = sync(store, &cfg).await;
    assert_eq!(outcome.error, None);
    let calls: Vec<_> = fake.calls().into_iter().skip(before).collect();
    let throttled = calls.iter().filter(|c| c.throttled).count();
    // The catalogue's page (an empty catalogue here) comes after the orders' and waits too.
    let served: Vec<_> = calls
        .iter()
        .filter(|c| !c.throttled && c.status == 200)
        .collect();
    assert_eq!(
        throttled, 1,
        "only the first call, before the client knew the bucket"
    );
    let kinds: Vec<&str> = served.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["orders", "orders", "orders", "variants"],
        "five orders, two a page"
    );
    for pair in served.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(900),
            "pages {gap:?} apart: the refill takes 1 s"
        );
    }
    assert!(
        outcome.waited_secs >= 2.7,
        "waited {} s",
        outcome.waited_secs
    );
    assert_eq!(outcome.throttled, 1);

    // A 429 waits for its Retry-After (1 s) before the same call is made again.
    fake.set_bucket(Bucket {
        maximum: 1000.0,
        restore_rate: 100.0,
        available: 1000.0,
        query_cost: 1.0,
    });
    fake.answer_too_many_requests(1);
    let before = fake.calls().len();
    let outcome = sync(store, &cfg).await;
    assert_eq!(outcome.error, None);
    let calls: Vec<_> = fake.calls().into_iter().skip(before).collect();
    assert_eq!(calls[0].status, 429);
    assert_eq!(calls[1].status, 200);
    assert!(calls[1].at - calls[0].at >= Duration::from_millis(950));
});

db_story!(
    a_refused_token_fails_the_source_and_is_never_shown,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeShopify::start(TOKEN, shop().iter().map(node).collect())
            .await
            .unwrap();
        let wrong = "shpat_wrong_secret_value_42";
        let cfg = config(&fake, dir.path(), wrong);
        let outcome = sync(store, &cfg).await;
        let error = outcome.error.clone().expect("a refused token fails");
        assert!(error.contains("refused the access token"), "{error}");
        assert!(!error.contains(wrong) && !error.contains(TOKEN), "{error}");
        assert_eq!(fake.calls().len(), 1, "a refused token is not retried");
        let states = insight_desk::import::sources::list(store).await.unwrap();
        let s = states.iter().find(|s| s.source == "shopify").unwrap();
        assert!(s.last_error.as_deref().is_some_and(|e| !e.contains(wrong)));
        assert!(!format!(
            "{cfg:?} {:?}",
            cfg.shopify.as_ref().unwrap().access_token().unwrap()
        )
        .contains(wrong));
        assert_eq!(
            state::runs(store, "shopify").await.unwrap()[0].status,
            "failed"
        );
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM orders").await, 0);

        // No token at all: one line saying where to put it.
        let mut none = cfg.clone();
        none.shopify.as_mut().unwrap().access_token_file = Some(dir.path().join("missing"));
        let error = sync(store, &none).await.error.unwrap();
        assert!(
            error.contains("cannot read the access token file")
                && error.contains("sync.shopify.access_token_file"),
            "{error}"
        );
    }
);

db_story!(
    the_api_and_the_csv_export_give_the_same_store_and_cockpit,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let orders = shop();
        let fake = FakeShopify::start(TOKEN, orders.iter().map(node).collect())
            .await
            .unwrap();
        let synced = sync(store, &config(&fake, dir.path(), TOKEN)).await;
        assert_eq!(synced.error, None);

        let csv = dir.path().join("orders_export.csv");
        let text: String = std::iter::once(CSV_HEADER.to_string())
            .chain(orders.iter().map(csv_rows))
            .collect();
        std::fs::write(&csv, text).unwrap();
        let imported = TestStore::sqlite().await;
        import_file(
            &imported.store,
            chrono_tz::Europe::Paris,
            Kind::ShopifyOrders,
            &csv,
            &ImportOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(snapshot(store).await, snapshot(&imported.store).await);

        let registry = Registry::embedded().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let cockpit = |s: Store| {
            let registry = &registry;
            async move {
                let c =
                    compute_cockpit(&s, registry, &paris_shop(), day, &CockpitOptions::default())
                        .await
                        .unwrap();
                assert!(c.failures.is_empty(), "{:?}", c.failures);
                let mut v = serde_json::to_value(&c).unwrap();
                v.as_object_mut().unwrap().remove("data_as_of");
                v
            }
        };
        let via_api = cockpit(store.clone()).await;
        assert_eq!(via_api, cockpit(imported.store.clone()).await);
        // And the figures are the orders': 3 March = #1005, 2 × 25 € incl. VAT = 41.67 € net.
        assert_eq!(via_api["revenue"]["actual"], json!(41.67));

        // Importing the export over the synced orders changes nothing: they are the same orders.
        let again = import_file(
            store,
            chrono_tz::Europe::Paris,
            Kind::ShopifyOrders,
            &csv,
            &ImportOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!((again.inserted, again.updated), (0, 0), "{again}");
    }
);

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

// Issue 8: a sync that writes a few orders into a larger store recomputes only the days and
// customers it touched, and the summaries then equal a full rebuild; a sync that stopped
// between its writes and its refresh leaves a mark, and the next sync rebuilds everything.
db_story!(
    an_incremental_sync_refreshes_what_it_touched_like_a_full_rebuild,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let mut orders = shop();
        for i in 0..20u64 {
            let at = leak(format!("2026-03-{:02}T10:00:00Z", 4 + i % 18));
            orders.push(O {
                n: 2000 + i,
                created: at,
                updated: at,
                email: leak(format!("c{}@example.com", i % 7)),
                lines: vec![("MUG-1", "Mug - Blue", 1 + (i as i64 % 3), 1500)],
                discount: 0,
                code: "",
                shipping: 490,
                refunded: 0,
                cancelled: None,
                utm: "",
            });
        }
        let fake = FakeShopify::start(TOKEN, orders.iter().map(node).collect())
            .await
            .unwrap();
        let cfg = config(&fake, dir.path(), TOKEN);
        let first = sync(store, &cfg).await;
        assert_eq!(first.error, None);
        assert_eq!(first.counts.inserted, 25);

        // A day the next sync does not touch, its summary row marked: an incremental refresh
        // leaves it as it is, a full rebuild does not.
        let untouched = "2026-03-20";
        let (n, rows) = orders_of_day(store, untouched).await;
        assert!(n > 0 && rows > 0);
        add_orders_to_day(store, untouched, 1000).await;

        // Upstream: #1002 now has three tees instead of two; a new order by Alice on
        // 27 February becomes her first order (her acquisition moves).
        let later = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
        let mut edited = node(&O {
            n: 1002,
            created: "2026-03-01T15:30:00Z",
            updated: "2026-03-01T15:30:00Z",
            email: "Bob@Example.com ",
            lines: vec![("TEE-M", "Tee - M", 3, 3000)],
            discount: 600,
            code: "NEWSLETTER10",
            shipping: 0,
            refunded: 0,
            cancelled: None,
            utm: "",
        });
        edited["updatedAt"] = json!(later);
        fake.upsert_order(edited);
        let earlier = O {
            n: 3000,
            created: "2026-02-27T12:00:00Z",
            updated: "2026-02-27T12:00:00Z",
            email: "alice@example.com",
            lines: vec![("HAT-1", "Hat", 1, 2500)],
            discount: 0,
            code: "",
            shipping: 0,
            refunded: 0,
            cancelled: None,
            utm: "",
        };
        let mut new = node(&earlier);
        new["updatedAt"] = json!(later);
        fake.upsert_order(new);

        let second = sync(store, &cfg).await;
        assert_eq!(second.error, None);
        assert_eq!((second.counts.inserted, second.counts.updated), (1, 1));
        assert_eq!(
            orders_of_day(store, untouched).await,
            (n + 1000 * rows, rows),
            "the refresh after two orders rebuilt every day"
        );
        add_orders_to_day(store, untouched, -1000).await;
        let incremental = derived_tables(store).await;
        assert!(
            incremental.iter().any(|r| r.starts_with("customer|")
                && r.contains("alice@example.com")
                && r.contains("|2026-02-27|")),
            "#3000 is Alice's first order now: {incremental:#?}"
        );
        refresh_after_load(store).await.unwrap();
        assert_eq!(incremental, derived_tables(store).await);

        // A sync that stopped between its writes and its refresh left its mark: the next
        // one, even with nothing new to write, rebuilds every summary and clears the mark.
        assert!(!state::mark_summaries_pending(store, "shopify")
            .await
            .unwrap());
        add_orders_to_day(store, untouched, 1000).await;
        let third = sync(store, &cfg).await;
        assert_eq!(third.error, None);
        assert_eq!((third.counts.inserted, third.counts.updated), (0, 0));
        assert_eq!(orders_of_day(store, untouched).await, (n, rows));
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM settings WHERE key LIKE 'sync_summaries_pending:%'"
            )
            .await,
            0
        );
    }
);

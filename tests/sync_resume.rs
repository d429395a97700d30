//! A sync killed mid-way (its task aborted while the fake holds a page or a chunk of the bulk
//! file) then run again gives the same store as an uninterrupted sync (issue 8): Shopify
//! incremental, Shopify bulk backfill, Meta insights, Klaviyo engagement (written a page at a
//! time). On SQLite and Postgres; the uninterrupted reference is a fresh SQLite store.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use insight_desk::store::{bulk_load, Backend, Store};
use insight_desk::sync::fake_klaviyo::FakeKlaviyo;
use insight_desk::sync::fake_meta::FakeMeta;
use insight_desk::sync::fake_shopify::FakeShopify;
use insight_desk::sync::klaviyo::KlaviyoCursor;
use insight_desk::sync::meta::MetaCursor;
use insight_desk::sync::shopify::ShopifyCursor;
use insight_desk::sync::{state, sync_one, Source, SourceOutcome, SyncConfig};
use serde_json::json;

use crate::db_story;
use crate::summaries::derived_tables;
use crate::support::TestStore;
use crate::sync::{config, node, scalar, shop, sync, TOKEN};
use crate::sync_meta::{
    account, cfg_meta, engagement, klaviyo_config, meta_days, opts, KLAVIYO_KEY, META_TOKEN, PARIS,
};

const PATIENCE: Duration = Duration::from_secs(120);

/// Every row a sync writes, independent of ids (Postgres spends identity values on
/// rolled-back rows, SQLite does not) and of when it was written: orders, lines, refunds,
/// customers, the summary tables, ad spend and e-mail engagement (the latest open and click,
/// and the days of opens and clicks).
pub async fn whole_store(store: &Store) -> Vec<String> {
    type Order = (
        String,
        String,
        Option<String>,
        DateTime<Utc>,
        NaiveDate,
        String,
        String,
        Option<DateTime<Utc>>,
        Option<String>,
        Option<String>,
    );
    type Line = (
        String,
        i64,
        Option<String>,
        String,
        i64,
        i64,
        i64,
        i64,
        Option<i64>,
    );
    type Refund = (String, DateTime<Utc>, NaiveDate, i64, Option<String>);
    type Customer = (
        String,
        Option<String>,
        Option<String>,
        Option<NaiveDate>,
        Option<String>,
    );
    type Ad = (
        NaiveDate,
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    type Engagement = (String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    type EngagementDay = (String, i64, String);
    let orders: Vec<Order> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT o.source, o.external_id, c.customer_key, o.placed_at, o.local_date, o.channel, \
         CAST(o.gross_cents AS TEXT) || ' ' || CAST(o.discount_cents AS TEXT) || ' ' || CAST(o.net_cents AS TEXT) || ' ' || \
         CAST(o.shipping_cents AS TEXT) || ' ' || CAST(o.tax_cents AS TEXT) || ' ' || CAST(o.total_cents AS TEXT), o.cancelled_at, \
         o.discount_code, o.content_hash FROM orders o LEFT JOIN customers c ON c.id = o.customer_id \
         ORDER BY o.source, o.external_id").fetch_all(pool).await)
    .unwrap();
    let lines: Vec<Line> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT o.external_id, l.line_no, l.sku, l.title, l.quantity, l.unit_price_cents, l.discount_cents, \
         l.net_cents, l.unit_cost_cents FROM order_lines l JOIN orders o ON o.id = l.order_id \
         ORDER BY o.external_id, l.line_no").fetch_all(pool).await)
    .unwrap();
    let refunds: Vec<Refund> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT o.external_id, r.refunded_at, r.local_date, r.amount_cents, r.sku FROM refunds r \
         JOIN orders o ON o.id = r.order_id ORDER BY o.external_id, r.refunded_at, r.amount_cents").fetch_all(pool).await)
    .unwrap();
    let customers: Vec<Customer> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT c.customer_key, c.email, o.external_id, c.first_order_date, c.acquisition_channel \
         FROM customers c LEFT JOIN orders o ON o.id = c.first_order_id ORDER BY c.customer_key").fetch_all(pool).await)
    .unwrap();
    let ads: Vec<Ad> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT date, channel, campaign, source, currency, spend_cents, impressions, clicks, conversions, \
         conversion_value_cents FROM ad_spend ORDER BY date, channel, campaign").fetch_all(pool).await)
    .unwrap();
    let engaged: Vec<Engagement> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT customer_key, last_open_at, last_click_at FROM email_engagement ORDER BY customer_key")
        .fetch_all(pool).await)
    .unwrap();
    let engaged_days: Vec<EngagementDay> = insight_desk::with_pool!(store, pool => sqlx::query_as(
        "SELECT customer_key, day_no, kind FROM email_engagement_days ORDER BY customer_key, day_no, kind")
        .fetch_all(pool).await)
    .unwrap();
    let mut rows: Vec<String> = Vec::new();
    rows.extend(orders.iter().map(|r| format!("order {r:?}")));
    rows.extend(lines.iter().map(|r| format!("line {r:?}")));
    rows.extend(refunds.iter().map(|r| format!("refund {r:?}")));
    rows.extend(customers.iter().map(|r| format!("customer {r:?}")));
    rows.extend(ads.iter().map(|r| format!("ad {r:?}")));
    rows.extend(engaged.iter().map(|r| format!("engagement {r:?}")));
    rows.extend(engaged_days.iter().map(|r| format!("engagement day {r:?}")));
    // The summaries; their customer rows name the first order by id, compared above by name.
    rows.extend(
        derived_tables(store)
            .await
            .into_iter()
            .filter(|r| !r.starts_with("customer|")),
    );
    rows
}

/// Runs `source`'s sync in its own task, waits until the fake holds a call (`held`), and
/// kills the task there: what it committed stays, what it had in hand is lost.
async fn kill_when_held<F>(store: &Store, cfg: &SyncConfig, source: Source, held: F)
where
    F: std::future::Future<Output = ()>,
{
    let (store, cfg) = (store.clone(), cfg.clone());
    let task: tokio::task::JoinHandle<SourceOutcome> =
        tokio::spawn(async move { sync_one(&store, PARIS, &cfg, source, &opts()).await });
    held.await;
    task.abort();
    let killed = task.await;
    assert!(
        killed.as_ref().is_err_and(|e| e.is_cancelled()),
        "the sync was killed mid-way, not finished: {killed:?}"
    );
}

/// How many 64 KiB chunks the fake's download sends before generated order `orders` (it fills
/// a chunk with whole orders until it holds 64 KiB).
fn chunks_before(orders: u64) -> usize {
    let (mut chunks, mut buf) = (0, Vec::new());
    for i in 0..orders {
        insight_desk::sync::fake_shopify::generated_order_lines(i, &mut buf);
        if buf.len() >= 64 * 1024 {
            chunks += 1;
            buf.clear();
        }
    }
    chunks
}

/// The secondary indexes of `orders` and `order_lines`: what a backfill into an empty store
/// drops until its end.
async fn order_indexes(store: &Store) -> Vec<String> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('orders', 'order_lines') ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT indexname::TEXT FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename IN ('orders', 'order_lines') \
             ORDER BY indexname"
        }
    };
    insight_desk::with_pool!(store, pool => sqlx::query_scalar(sql).fetch_all(pool).await).unwrap()
}

/// Those of a freshly migrated store (the reference: the migrations decide the set).
async fn migrated_order_indexes() -> Vec<String> {
    let fresh = TestStore::sqlite().await;
    let names = order_indexes(&fresh.store).await;
    assert!(names.len() >= 3, "{names:?}");
    names
}

/// Waits until the backfill held at its download has committed a batch with its cursor.
async fn first_commit(store: &Store) {
    let started = std::time::Instant::now();
    loop {
        let c = shopify_cursor(store).await;
        if c.backfill.as_ref().is_some_and(|b| b.orders_done > 0) {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "no batch committed: {c:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn shopify_cursor(store: &Store) -> ShopifyCursor {
    state::load_cursor(store, "shopify")
        .await
        .unwrap()
        .unwrap_or_default()
}

db_story!(
    a_killed_incremental_shopify_sync_resumes_to_the_same_store,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let orders = shop();
        let fake = FakeShopify::start(TOKEN, orders.iter().map(node).collect())
            .await
            .unwrap();
        let cfg = config(&fake, dir.path(), TOKEN);
        assert_eq!(sync(store, &cfg).await.error, None);

        // Upstream: the five orders get a new shipping fee, three new ones are placed: four
        // pages of two. The third page is held, the sync killed while it waits.
        let later = Utc::now() + chrono::Duration::seconds(2);
        let mut upstream = Vec::new();
        for (k, o) in orders.iter().enumerate() {
            let mut n = node(o);
            n["updatedAt"] = json!((later + chrono::Duration::seconds(k as i64)).to_rfc3339());
            n["totalShippingPriceSet"]["shopMoney"]["amount"] = json!("7.00");
            upstream.push(n.clone());
            let mut new = n;
            if k < 3 {
                new["id"] = json!(format!("gid://shopify/Order/{}", 5000 + k));
                new["name"] = json!(format!("#{}", 5000 + k));
                upstream.push(new);
            }
        }
        for n in &upstream {
            fake.upsert_order(n.clone());
        }
        fake.hold.hold("orders", fake.hold.seen("orders") + 2);
        kill_when_held(store, &cfg, Source::Shopify, fake.hold.until_held(PATIENCE)).await;
        let stopped = shopify_cursor(store).await;
        assert_eq!(
            stopped.after.as_deref(),
            Some("cursor:4"),
            "two pages stored with their cursor"
        );
        assert_eq!(
            state::runs(store, "shopify")
                .await
                .unwrap()
                .last()
                .unwrap()
                .status,
            "running",
            "a killed run is never closed"
        );

        fake.hold.release();
        let resumed = sync(store, &cfg).await;
        assert_eq!(resumed.error, None);
        assert_eq!(
            resumed.counts.inserted + resumed.counts.updated,
            4,
            "the four orders of the last two pages, none twice"
        );

        let reference = TestStore::sqlite().await;
        let fresh = FakeShopify::start(TOKEN, upstream).await.unwrap();
        let unbroken = sync(&reference.store, &config(&fresh, dir.path(), TOKEN)).await;
        assert_eq!(unbroken.error, None);
        let got = whole_store(store).await;
        assert_eq!(got, whole_store(&reference.store).await);
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM orders").await, 8);
    }
);

db_story!(a_killed_bulk_backfill_resumes_to_the_same_store, |store| {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 generated orders; the file's chunk after the 12,000th order is held: past the
    // first commit (at least 8 batches of 1,024 orders), before the file's end.
    const ORDERS: u64 = 20_000;
    let fake = FakeShopify::start_generated(TOKEN, ORDERS).await.unwrap();
    let cfg = config(&fake, dir.path(), TOKEN);
    fake.hold.hold("download-chunk", chunks_before(12_000));
    let committed = async {
        fake.hold.until_held(PATIENCE).await;
        first_commit(store).await;
    };
    kill_when_held(store, &cfg, Source::Shopify, committed).await;
    let stopped = shopify_cursor(store).await;
    let done = stopped.backfill.as_ref().unwrap().orders_done;
    assert!(done > 0 && done < ORDERS, "{stopped:?}");
    assert_eq!(
        scalar(store, "SELECT COUNT(*) FROM orders").await,
        done as i64,
        "the cursor covers exactly the orders stored"
    );
    let expected = migrated_order_indexes().await;
    assert!(
        order_indexes(store).await.is_empty(),
        "into an empty store, the secondary indexes wait for the backfill's end"
    );
    assert_eq!(
        scalar(store, "SELECT COUNT(*) FROM deferred_indexes").await,
        expected.len() as i64,
        "each dropped index recorded with the commits"
    );

    fake.hold.release();
    let resumed = sync(store, &cfg).await;
    assert_eq!(resumed.error, None);
    assert_eq!(
        fake.calls().iter().filter(|c| c.kind == "bulk_run").count(),
        1,
        "the same operation's file, read again"
    );
    assert_eq!(
        resumed.counts.inserted,
        ORDERS - done,
        "the orders left, none twice"
    );

    let reference = TestStore::sqlite().await;
    let fresh = FakeShopify::start_generated(TOKEN, ORDERS).await.unwrap();
    let unbroken = sync(&reference.store, &config(&fresh, dir.path(), TOKEN)).await;
    assert_eq!(unbroken.error, None);
    assert_eq!(
        whole_store(store).await,
        whole_store(&reference.store).await
    );
    // The resumed backfill kept them dropped and built them at its end.
    assert_eq!(order_indexes(store).await, expected);
    assert_eq!(order_indexes(&reference.store).await, expected);
    assert_eq!(
        scalar(store, "SELECT COUNT(*) FROM deferred_indexes").await,
        0
    );
});

/// Issue 8: a process opening the store while a backfill runs with its indexes dropped leaves
/// them to it (a `report` must not build them under a live load); once the backfill is
/// killed, the next process to open the store builds them, and the resumed backfill ends as
/// an uninterrupted one.
async fn killed_backfill_indexes_story(t: &TestStore) {
    let store = &t.store;
    let dir = tempfile::tempdir().unwrap();
    const ORDERS: u64 = 20_000;
    let fake = FakeShopify::start_generated(TOKEN, ORDERS).await.unwrap();
    let cfg = config(&fake, dir.path(), TOKEN);
    fake.hold.hold("download-chunk", chunks_before(12_000));
    let (s, c) = (store.clone(), cfg.clone());
    let task = tokio::spawn(async move { sync_one(&s, PARIS, &c, Source::Shopify, &opts()).await });
    fake.hold.until_held(PATIENCE).await;
    first_commit(store).await;
    let expected = migrated_order_indexes().await;

    let meanwhile = Store::open(&t.url).await.unwrap();
    assert!(
        order_indexes(&meanwhile).await.is_empty(),
        "left to the live backfill"
    );
    assert_eq!(
        scalar(&meanwhile, "SELECT COUNT(*) FROM deferred_indexes").await,
        expected.len() as i64
    );
    meanwhile.close().await;

    task.abort();
    assert!(task.await.is_err_and(|e| e.is_cancelled()));
    let done = shopify_cursor(store).await.backfill.unwrap().orders_done;
    // Postgres lets a killed session's advisory lock go once it sees its connection closed.
    let started = std::time::Instant::now();
    while bulk_load::try_lease(store).await.unwrap().is_none() {
        assert!(
            started.elapsed() < PATIENCE,
            "the killed backfill's lease stays held"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = Store::open(&t.url).await.unwrap();
    assert_eq!(order_indexes(&after).await, expected);
    assert_eq!(
        scalar(&after, "SELECT COUNT(*) FROM deferred_indexes").await,
        0
    );
    after.close().await;

    fake.hold.release();
    let resumed = sync(store, &cfg).await;
    assert_eq!(resumed.error, None);
    assert_eq!(resumed.counts.inserted, ORDERS - done);
    let reference = TestStore::sqlite().await;
    let fresh = FakeShopify::start_generated(TOKEN, ORDERS).await.unwrap();
    let unbroken = sync(&reference.store, &config(&fresh, dir.path(), TOKEN)).await;
    assert_eq!(unbroken.error, None);
    assert_eq!(
        whole_store(store).await,
        whole_store(&reference.store).await
    );
    assert_eq!(order_indexes(store).await, expected);
}

mod a_killed_backfill_leaves_its_indexes_to_the_next_process {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        killed_backfill_indexes_story(&TestStore::sqlite().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(t) = TestStore::postgres().await {
            killed_backfill_indexes_story(&t).await;
        }
    }
}

db_story!(a_killed_meta_sync_resumes_to_the_same_store, |store| {
    let dir = tempfile::tempdir().unwrap();
    // 20 days of two campaigns, asked 5 days a request, 4 rows a page: 3 pages a request.
    // The second request's last page is held: its first two pages are in hand, not stored.
    let rows = meta_days(20);
    let fake = FakeMeta::start(META_TOKEN, rows.clone()).await.unwrap();
    let mut cfg = cfg_meta(&fake, dir.path());
    let m = cfg.meta.as_mut().unwrap();
    m.backfill_days = 20;
    m.days_per_request = 5;
    m.async_from_days = 30;
    fake.hold.hold("insights", 5);
    kill_when_held(store, &cfg, Source::Meta, fake.hold.until_held(PATIENCE)).await;
    let stopped: MetaCursor = state::load_cursor(store, "meta_ads")
        .await
        .unwrap()
        .unwrap();
    let first_end = crate::sync_meta::yesterday() - chrono::Days::new(15);
    assert_eq!(
        stopped.last_day,
        Some(first_end),
        "the first request's days"
    );
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM ad_spend").await, 10);

    fake.hold.release();
    let resumed = sync_one(store, PARIS, &cfg, Source::Meta, &opts()).await;
    assert_eq!(resumed.error, None);

    let reference = TestStore::sqlite().await;
    let fresh = FakeMeta::start(META_TOKEN, rows).await.unwrap();
    let mut fresh_cfg = cfg.clone();
    fresh_cfg.meta.as_mut().unwrap().base_url = Some(fresh.base_url());
    let unbroken = sync_one(&reference.store, PARIS, &fresh_cfg, Source::Meta, &opts()).await;
    assert_eq!(unbroken.error, None);
    assert_eq!(
        whole_store(store).await,
        whole_store(&reference.store).await
    );
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM ad_spend").await, 40);
});

// Issue 8: the engagement events were held in memory for the whole window before a write.
db_story!(
    klaviyo_engagement_is_stored_page_by_page_and_resumes_after_a_kill,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeKlaviyo::start(KLAVIYO_KEY, PARIS, account())
            .await
            .unwrap();
        let cfg = SyncConfig {
            klaviyo: Some(klaviyo_config(&fake, dir.path())),
            ..SyncConfig::default()
        };
        // Three opens, two a page: the second page is held, the first is stored already.
        fake.hold.hold("GET /api/events/", 1);
        let stored_first = async {
            fake.hold.until_held(PATIENCE).await;
            assert_eq!(
                scalar(store, "SELECT COUNT(*) FROM email_engagement").await,
                2,
                "the first page's opens are stored before the next page is read"
            );
        };
        kill_when_held(store, &cfg, Source::Klaviyo, stored_first).await;
        let stopped: KlaviyoCursor = state::load_cursor(store, "klaviyo").await.unwrap().unwrap();
        let page = stopped.opened_page.clone().expect("the next page is kept");
        assert!(
            page.next.contains("page%5Bcursor%5D=2") || page.next.contains("page[cursor]=2"),
            "{page:?}"
        );
        assert_eq!(stopped.opened_until, None, "the pass is not done");

        // The killed run's held call was recorded as it arrived (the fake records before it
        // holds), so it is counted in `before` even if the fake answers it once released.
        fake.hold.release();
        let before = fake.calls().len();
        let resumed = sync_one(store, PARIS, &cfg, Source::Klaviyo, &opts()).await;
        assert_eq!(resumed.error, None);
        let first_events = fake
            .calls()
            .into_iter()
            .skip(before)
            .find(|c| c.what == "GET /api/events/")
            .unwrap();
        assert_eq!(
            first_events.body["page[cursor]"], "2",
            "resumed at the page it stopped at: {:?}",
            first_events.body
        );

        let reference = TestStore::sqlite().await;
        let fresh = FakeKlaviyo::start(KLAVIYO_KEY, PARIS, account())
            .await
            .unwrap();
        let fresh_cfg = SyncConfig {
            klaviyo: Some(klaviyo_config(&fresh, dir.path())),
            ..SyncConfig::default()
        };
        let unbroken = sync_one(
            &reference.store,
            PARIS,
            &fresh_cfg,
            Source::Klaviyo,
            &opts(),
        )
        .await;
        assert_eq!(unbroken.error, None);
        assert_eq!(
            whole_store(store).await,
            whole_store(&reference.store).await
        );
        let y = crate::sync_meta::yesterday();
        assert_eq!(
            engagement(store, "alice@example.com").await,
            (
                Some(crate::sync_meta::at(y, 9, 30)),
                Some(crate::sync_meta::at(y, 8, 5))
            )
        );
    }
);

db_story!(
    a_killed_catalogue_pass_resumes_at_its_page_the_same_day,
    |store| {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeShopify::start(TOKEN, shop().iter().map(node).collect())
            .await
            .unwrap();
        fake.set_products(crate::sync_catalog::product_nodes(
            &crate::sync_catalog::catalogue(),
        ));
        let mut cfg = config(&fake, dir.path(), TOKEN);
        cfg.shopify.as_mut().unwrap().catalog_page_size = 2;
        // Five variants, two a page: the second page is held, the first one stored.
        fake.hold.hold("variants", 1);
        kill_when_held(store, &cfg, Source::Shopify, fake.hold.until_held(PATIENCE)).await;
        let stopped = shopify_cursor(store).await;
        let pass = stopped.catalog.clone().expect("the pass's page is kept");
        assert_eq!(pass.after, "cursor:2");
        assert_eq!(scalar(store, "SELECT COUNT(*) FROM variants").await, 2);

        // The killed run's held call was recorded as it arrived (the fake records before it
        // holds), so it is counted in `before` even if the fake answers it once released.
        fake.hold.release();
        let before = fake.calls().len();
        let resumed = sync(store, &cfg).await;
        assert_eq!(resumed.error, None);
        let pages: Vec<_> = fake
            .calls()
            .into_iter()
            .skip(before)
            .filter(|c| c.kind == "variants")
            .collect();
        assert_eq!(pages[0].variables["after"], json!("cursor:2"));
        assert_eq!(pages.len(), 2, "the two pages left");
        assert_eq!(shopify_cursor(store).await.catalog, None);

        let reference = TestStore::sqlite().await;
        assert_eq!(sync(&reference.store, &cfg).await.error, None);
        assert_eq!(
            crate::sync_catalog::catalogue_rows(store).await,
            crate::sync_catalog::catalogue_rows(&reference.store).await
        );
        assert_eq!(
            whole_store(store).await,
            whole_store(&reference.store).await
        );
    }
);

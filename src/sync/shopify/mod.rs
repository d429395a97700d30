//! The Shopify connector: orders over the Admin GraphQL API, into the store through the
//! importers' own [`OrderSink`] (same customer keys, same upsert on `('shopify', name)`, same
//! fingerprints), so an order synced here and the same order imported from an export are one
//! order.
//!
//! A first sync is a backfill through a bulk operation (`bulkOperationRunQuery`, polled with
//! `node(id:)`, its JSONL downloaded while it is written: see `bulk`); later syncs read the
//! orders updated since the last one, a page at a time (`orders(query: "updated_at:>='…'",
//! sortKey: UPDATED_AT)`). Every batch is committed with the cursor that covers it, so an
//! interrupted sync resumes where the store stands: a backfill re-downloads the same
//! operation's file and skips the orders already stored; an incremental sync resumes from
//! its page cursor. Re-reading an order is harmless (an unchanged fingerprint writes
//! nothing), so nothing is ever counted twice.
//!
//! A backfill writes on a connection of its own, and into a store without orders it drops
//! the secondary indexes of `orders` and `order_lines` until its end (`Load`,
//! `store::bulk_load`: the drop is recorded with it, so a killed backfill leaves them to the
//! next process that opens the store, or to its own resumption).
//!
//! After the orders, the catalogue (variants, their unit cost) and the stock (inventory
//! levels) are read whole, a page at a time: see `catalog`.

mod bulk;
pub mod catalog;
pub mod order_map;

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::mpsc;

use self::bulk::Parsed;
use self::order_map::{OrderNode, LINE_FIELDS, ORDER_FIELDS};
use super::graphql::{without_url, GraphqlClient};
use super::state::{self, RunCounts};
use super::{SyncError, SyncOptions};
use crate::import::db::Tx;
use crate::import::order_sink::OrderSink;
use crate::store::bulk_load::{self, LoadLease};
use crate::store::Store;
use crate::store::Touched;
use crate::sync::config::ShopifyConfig;

/// The name of the source, in `sync_state`, `sync_runs` and `orders.source` (the CSV
/// importer's too).
pub const SOURCE: &str = "shopify";

/// Batches written per transaction of a backfill (each commit stores the cursor): at least
/// the first number, committed as soon as the parser has no batch ready (the writer would
/// wait anyway), at most the second. A commit cost 20-30 ms: every 8 batches it took 4 s of
/// a million-order backfill, every 32 batches 2.3 s (2026-12-06, loaded machine).
const BATCHES_PER_COMMIT: (usize, usize) = (8, 32);

/// How long a backfill waits for the load lease (`store::bulk_load`), which a killed
/// backfill's Postgres session holds a moment after it died; past that, another live load
/// holds it, and this one writes with the indexes as they are.
const LEASE_PATIENCE: Duration = Duration::from_secs(5);

/// Where the Shopify connector stands (`sync_state.cursor`, JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShopifyCursor {
    /// The next incremental sync reads orders updated at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_since: Option<DateTime<Utc>>,
    /// An interrupted incremental sync: the page cursor to resume from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// An interrupted incremental sync: the latest `updatedAt` it stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_seen: Option<DateTime<Utc>>,
    /// A backfill under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<Backfill>,
    /// A catalogue and stock pass under way (see `catalog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<catalog::CatalogPass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backfill {
    /// `gid://shopify/BulkOperation/…`.
    pub operation: String,
    /// When it was started: orders updated later are read by the next incremental sync.
    pub started_at: DateTime<Utc>,
    /// Orders of its file already stored.
    pub orders_done: u64,
}

/// What one Shopify sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShopifyReport {
    pub mode: &'static str,
    pub counts: RunCounts,
    /// Calls that Shopify throttled (THROTTLED or 429), and the time spent waiting.
    pub throttled: u64,
    pub waited_secs: f64,
    pub cursor: ShopifyCursor,
}

pub struct Shopify<'a> {
    store: &'a Store,
    tz: chrono_tz::Tz,
    config: &'a ShopifyConfig,
    pub client: GraphqlClient,
    opts: &'a SyncOptions,
    /// `backfill` once a backfill ran in this sync, else `incremental`.
    pub mode: &'static str,
    /// The orders this sync wrote (and where they were before), for the summary refresh.
    pub touched: Touched,
    /// Whether the catalogue pass added or changed a variant (costs and categories feed the
    /// margin summaries: they are rebuilt).
    pub catalog_changed: bool,
    /// Whether the summaries are to be rebuilt whole: a backfill into an empty store, which
    /// keeps no `touched` (every order is).
    pub rebuild_all: bool,
}

const RUN_BULK: &str = "mutation RunBulk($query: String!) { bulkOperationRunQuery(query: $query, groupObjects: true) { bulkOperation { id status } userErrors { field message } } }";
const POLL_BULK: &str = "query PollBulk($id: ID!) { node(id: $id) { ... on BulkOperation { id status errorCode objectCount url } } }";

fn orders_page_query() -> String {
    format!(
        "query Orders($first: Int!, $after: String, $query: String!) {{ orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {ORDER_FIELDS} lineItems(first: 250) {{ nodes {{ {LINE_FIELDS} }} }} }} }} }}"
    )
}

/// The bulk query: every order (created from `from` on), its line items as child lines.
pub fn bulk_orders_query(from: Option<chrono::NaiveDate>) -> String {
    let filter = from.map_or(String::new(), |d| {
        format!("(query: \"created_at:>='{d}'\")")
    });
    format!(
        "{{ orders{filter} {{ edges {{ node {{ {ORDER_FIELDS} lineItems {{ edges {{ node {{ {LINE_FIELDS} }} }} }} }} }} }} }}"
    )
}

impl<'a> Shopify<'a> {
    pub fn new(
        store: &'a Store,
        tz: chrono_tz::Tz,
        config: &'a ShopifyConfig,
        opts: &'a SyncOptions,
    ) -> anyhow::Result<Shopify<'a>> {
        let token = config.access_token()?;
        let client = GraphqlClient::new(config.endpoint(), token, config.max_attempts)?
            .with_base_backoff(opts.base_backoff);
        Ok(Shopify {
            store,
            tz,
            config,
            client,
            opts,
            mode: "incremental",
            touched: Touched::default(),
            catalog_changed: false,
            rebuild_all: false,
        })
    }

    /// Brings the store up to date: a backfill when the source was never synced (or one is
    /// under way), then the orders updated since.
    pub async fn sync(&mut self, counts: &mut RunCounts) -> anyhow::Result<ShopifyReport> {
        let mut cursor: ShopifyCursor = state::load_cursor(self.store, SOURCE)
            .await?
            .unwrap_or_default();
        if cursor.updated_since.is_none() || cursor.backfill.is_some() {
            self.mode = "backfill";
            cursor = self.backfill(cursor, counts).await?;
        }
        cursor = self.incremental(cursor, counts).await?;
        if self.config.catalog {
            cursor = self.catalog(cursor, counts).await?;
        }
        Ok(ShopifyReport {
            mode: self.mode,
            counts: *counts,
            throttled: self.client.stats.throttled,
            waited_secs: self.client.stats.waited.as_secs_f64(),
            cursor,
        })
    }

    async fn backfill(
        &mut self,
        cursor: ShopifyCursor,
        counts: &mut RunCounts,
    ) -> anyhow::Result<ShopifyCursor> {
        let backfill = match cursor.backfill {
            Some(b) => b,
            None => {
                let started_at = Utc::now();
                let query = bulk_orders_query(self.config.backfill_from);
                let data = self
                    .client
                    .query(
                        "shopify bulkOperationRunQuery",
                        RUN_BULK,
                        json!({ "query": query }),
                    )
                    .await?;
                let run = &data["bulkOperationRunQuery"];
                if let Some(errors) = run["userErrors"].as_array().filter(|e| !e.is_empty()) {
                    let text: Vec<String> = errors
                        .iter()
                        .map(|e| e["message"].as_str().unwrap_or("?").to_string())
                        .collect();
                    return Err(SyncError::Api(format!(
                        "shopify refused the bulk operation: {} (another bulk query of this app may be running: wait for it or cancel it)",
                        text.join("; ")
                    ))
                    .into());
                }
                let operation = run["bulkOperation"]["id"]
                    .as_str()
                    .ok_or_else(|| {
                        SyncError::Api(
                            "shopify bulkOperationRunQuery returned no operation id".into(),
                        )
                    })?
                    .to_string();
                let b = Backfill {
                    operation,
                    started_at,
                    orders_done: 0,
                };
                let mut tx = Tx::begin(self.store).await?;
                state::save_cursor(
                    &mut tx,
                    SOURCE,
                    &ShopifyCursor {
                        backfill: Some(b.clone()),
                        ..ShopifyCursor::default()
                    },
                )
                .await?;
                tx.commit().await?;
                b
            }
        };
        let (url, object_count) = self.wait_for_bulk(&backfill.operation).await?;
        if let Some(url) = url {
            self.download(&backfill, &url, object_count, counts).await?;
        }
        let done = ShopifyCursor {
            // Orders updated while the operation ran may be missing from its file: the
            // incremental sync reads from the operation's start.
            updated_since: Some(backfill.started_at),
            ..ShopifyCursor::default()
        };
        let mut tx = Tx::begin(self.store).await?;
        state::save_cursor(&mut tx, SOURCE, &done).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Polls the bulk operation until it completes; its file's URL (none: no orders).
    async fn wait_for_bulk(&mut self, id: &str) -> anyhow::Result<(Option<String>, u64)> {
        let poll = Duration::from_secs_f64(self.config.bulk_poll_secs);
        let spinner = spinner(
            self.opts.progress,
            "shopify backfill: waiting for the bulk operation",
        );
        loop {
            let data = self
                .client
                .query(
                    "shopify bulk operation status",
                    POLL_BULK,
                    json!({ "id": id }),
                )
                .await?;
            let node = &data["node"];
            let status = node["status"].as_str().unwrap_or("");
            let objects = node["objectCount"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .or(node["objectCount"].as_u64())
                .unwrap_or(0);
            spinner.set_message(format!("{status}, {objects} objects"));
            match status {
                "COMPLETED" => {
                    spinner.finish_and_clear();
                    return Ok((node["url"].as_str().map(str::to_string), objects));
                }
                "CREATED" | "RUNNING" => tokio::time::sleep(poll).await,
                other => {
                    spinner.finish_and_clear();
                    // A failed, cancelled or expired operation cannot be resumed: forget it so
                    // the next sync starts a new one.
                    let mut tx = Tx::begin(self.store).await?;
                    state::save_cursor(&mut tx, SOURCE, &ShopifyCursor::default()).await?;
                    tx.commit().await?;
                    let code = node["errorCode"].as_str().unwrap_or("no error code");
                    return Err(SyncError::Api(format!(
                        "shopify bulk operation {id} ended {} ({code}): run the sync again to start a new one",
                        if other.is_empty() { "in an unknown state" } else { other }
                    ))
                    .into());
                }
            }
        }
    }

    /// Downloads the bulk file and writes its orders, committing the cursor as it goes.
    async fn download(
        &mut self,
        backfill: &Backfill,
        url: &str,
        object_count: u64,
        counts: &mut RunCounts,
    ) -> anyhow::Result<()> {
        let started = Instant::now();
        // The client's 2-minute limit is for API calls; a big shop's file takes longer.
        let download = self
            .client
            .http()
            .get(url)
            .timeout(Duration::from_secs(6 * 3600));
        let resp = download.send().await.map_err(|e| {
            SyncError::Http(format!("shopify bulk file download: {}", without_url(&e)))
        })?;
        if !resp.status().is_success() {
            return Err(SyncError::Http(format!(
                "shopify bulk file download answered {} (the file's link lasts a week: run the sync again)",
                resp.status()
            ))
            .into());
        }
        let (chunk_tx, chunk_rx) = mpsc::channel(16);
        let (batch_tx, mut batch_rx) = mpsc::channel(4);
        let downloader = tokio::spawn(async move {
            let mut resp = resp;
            loop {
                match resp.chunk().await {
                    Ok(Some(bytes)) => {
                        if chunk_tx.send(Ok(bytes)).await.is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let e = SyncError::Http(format!(
                            "shopify bulk file download: {}",
                            without_url(&e)
                        ));
                        let _ = chunk_tx.send(Err(e)).await;
                        return;
                    }
                }
            }
        });
        let skip = backfill.orders_done;
        let parser = tokio::task::spawn_blocking(move || bulk::parse(chunk_rx, batch_tx, skip));
        let bar = progress(self.opts.progress, object_count);
        let mut load = Load::begin(self.store).await?;
        // A handle on the pool (an Arc), so that `load` can note what its first transaction did.
        let store = &load.store(self.store).clone();
        let mut sink = OrderSink::new(SOURCE, self.tz);
        let mut cursor = ShopifyCursor {
            backfill: Some(backfill.clone()),
            ..ShopifyCursor::default()
        };
        let mut tx = Some(load.first_tx(store).await?);
        if load.deferred {
            sink = sink.without_touched();
            self.rebuild_all = true;
        }
        let mut times = WriteTimes::default();
        let outcome: anyhow::Result<()> = async {
            let mut in_tx = 0;
            let mut mark = Instant::now();
            while let Some(parsed) = batch_rx.recv().await {
                times.waiting += mark.elapsed();
                mark = Instant::now();
                match parsed {
                    Parsed::Failed(e) => return Err(e.into()),
                    Parsed::Batch { orders, read } => {
                        let n = orders.len() as u64;
                        let t = tx.as_mut().context("no open transaction")?;
                        sink.write(t, orders).await?;
                        times.writing += mark.elapsed();
                        mark = Instant::now();
                        counts.records_read += n;
                        if let Some(b) = cursor.backfill.as_mut() {
                            b.orders_done = read;
                        }
                        in_tx += 1;
                        let (least, most) = BATCHES_PER_COMMIT;
                        if in_tx >= most || (in_tx >= least && batch_rx.is_empty()) {
                            let mut t = tx.take().context("no open transaction")?;
                            state::save_cursor(&mut t, SOURCE, &cursor).await?;
                            t.commit_keeping_cache()
                                .await
                                .context("failed to commit a backfill batch")?;
                            let mut next = Tx::begin(store).await?;
                            next.prefer_indexes().await?;
                            tx = Some(next);
                            in_tx = 0;
                            times.committing += mark.elapsed();
                            mark = Instant::now();
                        }
                        let rate =
                            counts.records_read as f64 / started.elapsed().as_secs_f64().max(1e-3);
                        bar.set_position(read);
                        bar.set_message(format!("{rate:.0} orders/s"));
                    }
                }
            }
            Ok(())
        }
        .await;
        bar.finish_and_clear();
        self.touched.extend(sink.take_touched());
        counts.inserted = sink.counts.inserted;
        counts.updated = sink.counts.updated;
        counts.unchanged = sink.counts.unchanged;
        drop(sink);
        let commit = async {
            if let Some(mut t) = tx.take() {
                state::save_cursor(&mut t, SOURCE, &cursor).await?;
                t.commit().await.context("failed to commit the backfill")?;
            }
            Ok::<(), anyhow::Error>(())
        };
        match outcome {
            Ok(()) => {
                let committed = commit.await;
                tracing::debug!(
                    elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                    waiting_ms = times.waiting.as_secs_f64() * 1000.0,
                    writing_ms = times.writing.as_secs_f64() * 1000.0,
                    committing_ms = times.committing.as_secs_f64() * 1000.0,
                    "backfill orders written"
                );
                // Built even if the last commit failed: the summaries are refreshed next.
                let finished = load.finish(self.store).await;
                committed?;
                finished?;
                let _ = downloader.await;
                parser.await.context("the bulk file parser panicked")?;
                Ok(())
            }
            Err(e) => {
                // What was read before the failure is kept, with the cursor that covers it,
                // and the indexes are built: the summaries are refreshed next.
                commit.await.ok();
                if let Err(built) = load.finish(self.store).await {
                    tracing::warn!(error = %format!("{built:#}"), "deferred indexes not built");
                }
                downloader.abort();
                drop(batch_rx);
                let _ = parser.await;
                Err(e)
            }
        }
    }

    /// Reads the orders updated since the cursor, a page per transaction.
    async fn incremental(
        &mut self,
        mut cursor: ShopifyCursor,
        counts: &mut RunCounts,
    ) -> anyhow::Result<ShopifyCursor> {
        let since = cursor
            .updated_since
            .ok_or_else(|| anyhow::anyhow!("shopify: no incremental cursor after the backfill"))?;
        let filter = format!(
            "updated_at:>='{}'",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let query = orders_page_query();
        let mut sink = OrderSink::new(SOURCE, self.tz);
        let (ins0, upd0, unc0) = (counts.inserted, counts.updated, counts.unchanged);
        loop {
            let data = self
                .client
                .query(
                    "shopify orders",
                    &query,
                    json!({ "first": self.config.page_size, "after": cursor.after, "query": filter }),
                )
                .await?;
            let page = &data["orders"];
            let nodes = page["nodes"].as_array().cloned().unwrap_or_default();
            let mut orders = Vec::with_capacity(nodes.len());
            for node in nodes {
                let node: OrderNode = serde_json::from_value(node)
                    .map_err(|e| SyncError::Data(format!("shopify orders page: {e}")))?;
                if let Some(at) = node.updated_at {
                    cursor.max_seen = Some(cursor.max_seen.map_or(at, |m| m.max(at)));
                }
                orders.push(node.into_order(Vec::new()).map_err(SyncError::Data)?);
            }
            counts.records_read += orders.len() as u64;
            let has_next = page["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false);
            let end = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
            let mut tx = Tx::begin(self.store).await?;
            tx.prefer_indexes().await?;
            sink.write(&mut tx, orders).await?;
            self.touched.extend(sink.take_touched());
            if has_next && end.is_some() {
                cursor.after = end;
            } else {
                cursor.updated_since = Some(cursor.max_seen.map_or(since, |m| m.max(since)));
                cursor.after = None;
                cursor.max_seen = None;
            }
            state::save_cursor(&mut tx, SOURCE, &cursor).await?;
            tx.commit()
                .await
                .context("failed to commit a page of orders")?;
            counts.inserted = ins0 + sink.counts.inserted;
            counts.updated = upd0 + sink.counts.updated;
            counts.unchanged = unc0 + sink.counts.unchanged;
            if cursor.after.is_none() {
                return Ok(cursor);
            }
        }
    }
}

/// Where a backfill's writer spends its time: waiting for the parser's next batch, writing
/// batches, committing (logged at debug level).
#[derive(Default)]
struct WriteTimes {
    waiting: Duration,
    writing: Duration,
    committing: Duration,
}

/// How a backfill writes: on its own connection (SQLite), and into an empty store with the
/// secondary indexes of `orders` and `order_lines` dropped until its end (`store::bulk_load`).
struct Load {
    /// The connection of its own, when the store's pool does not serve.
    own: Option<Store>,
    /// Held while the indexes are deferred; none if another live load holds it.
    lease: Option<LoadLease>,
    /// Whether the secondary indexes are dropped (by this load, or by a killed one resumed).
    deferred: bool,
}

impl Load {
    async fn begin(store: &Store) -> anyhow::Result<Load> {
        Ok(Load {
            own: bulk_load::dedicated(store).await?,
            lease: bulk_load::lease(store, LEASE_PATIENCE).await?,
            deferred: false,
        })
    }

    fn store<'s>(&'s self, shared: &'s Store) -> &'s Store {
        self.own.as_ref().unwrap_or(shared)
    }

    /// The load's first transaction. With the lease, it drops the secondary indexes of a store
    /// without orders (recording them in the same transaction), or keeps them dropped when a
    /// killed backfill left them recorded.
    async fn first_tx(&mut self, store: &Store) -> anyhow::Result<Tx> {
        let mut tx = Tx::begin(store).await?;
        tx.prefer_indexes().await?;
        if self.lease.is_some() {
            let recorded = tx
                .optional_i64("SELECT COUNT(*) FROM deferred_indexes", Vec::new())
                .await
                .context("failed to look up deferred indexes")?
                .is_some_and(|n| n > 0);
            let empty = tx
                .optional_i64("SELECT id FROM orders LIMIT 1", Vec::new())
                .await
                .context("failed to look up existing orders")?
                .is_none();
            if empty && !recorded {
                let dropped = tx
                    .defer_secondary_indexes()
                    .await
                    .context("failed to drop the order indexes for the backfill")?;
                tracing::debug!(dropped, "secondary indexes deferred to the backfill's end");
            }
            self.deferred = empty || recorded;
        }
        Ok(tx)
    }

    /// Builds the deferred indexes, releases the lease and closes the load's connection.
    async fn finish(self, shared: &Store) -> anyhow::Result<()> {
        let store = self.store(shared);
        let built = if self.deferred {
            let started = Instant::now();
            let built = bulk_load::build_deferred(store).await;
            tracing::debug!(
                elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                "deferred indexes built"
            );
            built.map(|_| ())
        } else {
            Ok(())
        };
        if let Some(lease) = self.lease {
            lease.release().await;
        }
        if let Some(own) = self.own {
            own.close().await;
        }
        built
    }
}

fn spinner(visible: bool, what: &str) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(&format!("{{spinner}} {what} [{{elapsed_precise}}] {{msg}}"))
            .expect("a valid progress template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn progress(visible: bool, objects: u64) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    // objectCount counts orders and line items: an upper bound of the orders.
    let bar = ProgressBar::new(objects.max(1));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} shopify backfill [{elapsed_precise}] {pos} orders of ≤ {len} objects {msg}",
        )
        .expect("a valid progress template"),
    );
    bar
}

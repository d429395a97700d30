//! The pipeline of an order import: a parsing thread reads the file and hands batches of
//! whole orders to the writer over a short channel, so reading the CSV and writing the store
//! overlap and memory holds a few batches, never the file.
//!
//! Bad orders are either the end of the import (abort: the writer's transaction is dropped,
//! so nothing of the file lands) or written to the reject file by the parsing thread
//! (quarantine). Progress follows the bytes read.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::db::Tx;
use super::error::ImportError;
use super::order::{Item, OrderIn};
use super::order_sink::OrderSink;
use super::reader::CsvSource;
use super::rejects::{reject_path, RejectFile};
use super::shopify::{ShopifyOrders, FIELDS};
use super::transactions::Transactions;
use super::{ImportOptions, ImportSummary, OnError};
use crate::store::{ShopSettings, Store};

/// Orders per batch handed to the writer.
const BATCH: usize = 1024;

enum Msg {
    Batch {
        orders: Vec<OrderIn>,
        rows_read: u64,
        bytes: u64,
    },
    Failed(ImportError),
}

struct ParseEnd {
    rows_read: u64,
    rejected: u64,
    reject_file: Option<std::path::PathBuf>,
}

/// A progress bar over the file's bytes, hidden unless asked for.
pub fn progress_bar(visible: bool, len: u64, what: &str) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{elapsed_precise}}] {{bar:30}} {{bytes}}/{{total_bytes}} (eta {{eta}}) {{msg}}"
        ))
        .expect("a valid progress template"),
    );
    bar
}

/// A file read as whole orders.
pub trait OrderReader: Send + 'static {
    fn next_item(&mut self) -> Option<Item>;
    fn rows_read(&self) -> u64;
    fn bytes_read(&self) -> u64;
}

impl OrderReader for ShopifyOrders {
    fn next_item(&mut self) -> Option<Item> {
        ShopifyOrders::next_item(self)
    }
    fn rows_read(&self) -> u64 {
        self.rows_read
    }
    fn bytes_read(&self) -> u64 {
        self.src.bytes_read()
    }
}

/// Where the reject file goes, when quarantining: path, header, separator.
type RejectTarget = Option<(PathBuf, Vec<String>, u8)>;

fn reject_target(src: &CsvSource, path: &Path, opts: &ImportOptions) -> RejectTarget {
    (opts.on_error == OnError::Quarantine).then(|| {
        let dir = opts.rejects_dir.clone().unwrap_or_else(|| ".".into());
        (
            reject_path(path, &dir),
            src.headers().to_vec(),
            src.delimiter,
        )
    })
}

pub async fn import_shopify(
    store: &Store,
    tz: chrono_tz::Tz,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let src = CsvSource::open(path, "shopify-orders", &FIELDS)?;
    let rejects = reject_target(&src, path, opts);
    let len = src.file_len;
    let reader = ShopifyOrders::new(src, tz, rejects.is_some());
    let job = Job {
        kind: "shopify-orders",
        source: "shopify",
        len,
        rejects,
        started,
    };
    run(store, tz, path, opts, job, reader).await
}

pub async fn import_transactions(
    store: &Store,
    tz: chrono_tz::Tz,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let src = CsvSource::open(path, "transactions", &super::transactions::FIELDS)?;
    let currency = ShopSettings::load(store)
        .await?
        .map_or_else(|| "EUR".to_string(), |s| s.currency);
    let rejects = reject_target(&src, path, opts);
    let len = src.file_len;
    let reader = Transactions::new(src, tz, currency, rejects.is_some())?;
    let job = Job {
        kind: "transactions",
        source: "transactions",
        len,
        rejects,
        started,
    };
    run(store, tz, path, opts, job, reader).await
}

struct Job {
    kind: &'static str,
    source: &'static str,
    len: u64,
    rejects: RejectTarget,
    started: Instant,
}

async fn run<R: OrderReader>(
    store: &Store,
    tz: chrono_tz::Tz,
    path: &Path,
    opts: &ImportOptions,
    job: Job,
    mut orders: R,
) -> anyhow::Result<ImportSummary> {
    let Job {
        kind,
        source,
        len,
        rejects,
        started,
    } = job;
    let progress = progress_bar(opts.progress, len, kind);
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Msg>(4);
    let parser = tokio::task::spawn_blocking(move || -> anyhow::Result<ParseEnd> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut reject_file: Option<RejectFile> = None;
        let mut rejected = 0;
        while let Some(item) = orders.next_item() {
            match item {
                Item::Order(order) => {
                    batch.push(*order);
                    if batch.len() == BATCH {
                        let msg = Msg::Batch {
                            orders: std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                            rows_read: orders.rows_read(),
                            bytes: orders.bytes_read(),
                        };
                        if sender.blocking_send(msg).is_err() {
                            // The writer stopped; it reports why.
                            break;
                        }
                    }
                }
                Item::Rejected { error, rows } => match &rejects {
                    Some((path, headers, delimiter)) => {
                        if reject_file.is_none() {
                            reject_file =
                                Some(RejectFile::create(path.clone(), headers, *delimiter)?);
                        }
                        if let Some(f) = reject_file.as_mut() {
                            f.write(&rows, &error.reason())?;
                        }
                        rejected += 1;
                    }
                    None => {
                        let _ = sender.blocking_send(Msg::Failed(error));
                        break;
                    }
                },
            }
        }
        let _ = sender.blocking_send(Msg::Batch {
            orders: batch,
            rows_read: orders.rows_read(),
            bytes: orders.bytes_read(),
        });
        Ok(ParseEnd {
            rows_read: orders.rows_read(),
            rejected,
            reject_file: reject_file.map(RejectFile::finish).transpose()?,
        })
    });

    // Indexes a killed backfill left dropped (`store::bulk_load`) are built first: this
    // import's lookups and its refresh need them, and a first import decides on its own drop.
    crate::store::bulk_load::restore_abandoned(store).await?;
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    tx.prefer_indexes()
        .await
        .context("failed to set up the import transaction")?;
    let dropped_indexes = if tx
        .optional_i64("SELECT id FROM orders LIMIT 1", Vec::new())
        .await
        .context("failed to look up existing orders")?
        .is_none()
    {
        tx.drop_secondary_indexes()
            .await
            .context("failed to drop the order indexes for a first import")?
    } else {
        Vec::new()
    };
    let mut sink = OrderSink::new(source, tz);
    while let Some(msg) = receiver.recv().await {
        match msg {
            Msg::Batch {
                orders,
                rows_read,
                bytes,
            } => {
                sink.write(&mut tx, orders).await?;
                progress.set_position(bytes);
                let rate = rows_read as f64 / started.elapsed().as_secs_f64().max(1e-3);
                progress.set_message(format!("{rows_read} line items, {rate:.0}/s"));
            }
            Msg::Failed(error) => {
                progress.finish_and_clear();
                drop(receiver);
                tx.rollback().await.ok();
                let _ = parser.await;
                return Err(error.into());
            }
        }
    }
    let end = parser.await.context("the CSV parser panicked")??;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "orders written"
    );
    progress.finish_and_clear();
    if opts.dry_run {
        tx.rollback()
            .await
            .context("failed to roll back the dry run")?;
    } else {
        tx.build_indexes(&dropped_indexes)
            .await
            .context("failed to build the order indexes again")?;
        tx.commit().await.context("failed to commit the import")?;
    }
    Ok(ImportSummary {
        file: path.display().to_string(),
        kind: kind.into(),
        rows_read: end.rows_read,
        inserted: sink.counts.inserted,
        updated: sink.counts.updated,
        skipped: sink.counts.unchanged,
        rejected: end.rejected,
        reject_file: end.reject_file,
        dry_run: opts.dry_run,
        elapsed: started.elapsed(),
        touched: Some(sink.take_touched()),
    })
}

//! Writes imported orders: customers deduplicated on their key, orders upserted on
//! `(source, external_id)`, an edited order's lines and refund replaced, an unchanged one left
//! alone.
//!
//! Work is done a batch of orders at a time inside the import's transaction: look up which
//! orders exist and with which fingerprint (`content_hash`), upsert the batch's customers
//! (a cache keeps the ids of those already seen in this file), upsert new and changed orders
//! with `RETURNING id`, delete the changed orders' old lines and refunds, and insert the new
//! ones. A dozen multi-row statements per thousand orders, whatever the backend.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher, RandomState};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use super::db::{chunk_sizes, max_rows, tuples, Tx, Val};
use super::order::{CustomerIn, Fnv, OrderIn};
use super::raw_sqlite::{returned, RawConn};
use crate::domain::local_day;
use crate::store::Touched;

const ORDER_COLUMNS: [&str; 20] = [
    "source",
    "external_id",
    "customer_id",
    "placed_at",
    "local_date",
    "day_no",
    "currency",
    "channel",
    "source_name",
    "discount_code",
    "gross_cents",
    "discount_cents",
    "net_cents",
    "shipping_cents",
    "tax_cents",
    "total_cents",
    "cancelled_at",
    "is_test",
    "updated_at",
    "content_hash",
];
const CUSTOMER_COLUMNS: [&str; 7] = [
    "customer_key",
    "email",
    "phone",
    "first_name",
    "country",
    "created_at",
    "accepts_marketing",
];
const LINE_COLUMNS: [&str; 8] = [
    "order_id",
    "line_no",
    "sku",
    "title",
    "quantity",
    "unit_price_cents",
    "discount_cents",
    "net_cents",
];
const REFUND_COLUMNS: [&str; 8] = [
    "order_id",
    "external_id",
    "refunded_at",
    "local_date",
    "amount_cents",
    "quantity",
    "restocked",
    "reason",
];

/// What happened to the orders of an import.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OrderCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub lines: u64,
}

pub struct OrderSink {
    source: &'static str,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    /// customer_key → (id, earliest order instant written for it in this import), keyed by
    /// the key's 128-bit fingerprint ([`OrderSink::fingerprint`]) rather than the key: 16
    /// bytes in place of a `String` and its 32-byte allocation, per customer of the file.
    customers: HashMap<u128, (i64, DateTime<Utc>)>,
    /// The two keyed hashes of the fingerprint.
    fingerprint_keys: (RandomState, RandomState),
    /// Whether the store held orders of this source when the import began (looked up on the
    /// first batch). When it did not, no order can exist but one this import wrote, so only
    /// those are looked up: the lookups were a tenth of a first import's time.
    had_orders: Option<bool>,
    /// Fingerprints of the external ids written so far, when `had_orders` is false: an id
    /// found here may be in the store (or be a collision, which only costs a lookup).
    written: HashSet<u64>,
    /// What the batches wrote, for the refresh of the summaries (unless `without_touched`).
    touched: Touched,
    track_touched: bool,
    pub counts: OrderCounts,
}

fn id_fingerprint(external_id: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(external_id.as_bytes());
    h.finish()
}

impl OrderSink {
    pub fn new(source: &'static str, tz: chrono_tz::Tz) -> OrderSink {
        OrderSink {
            source,
            tz,
            now: Utc::now(),
            customers: HashMap::new(),
            fingerprint_keys: (RandomState::new(), RandomState::new()),
            had_orders: None,
            written: HashSet::new(),
            touched: Touched::default(),
            track_touched: true,
            counts: OrderCounts::default(),
        }
    }

    /// A sink that does not keep what it wrote, for a load whose writer rebuilds every
    /// summary afterwards (a backfill into an empty store: the refresh of a million touched
    /// orders is the full rebuild, `store::incremental::worth_it`). The ids were 8 bytes per
    /// order, 16 MB at a million with the vector's doubling.
    pub fn without_touched(mut self) -> OrderSink {
        self.track_touched = false;
        self
    }

    /// A customer key's fingerprint: two SipHash-1-3 values under independent random keys,
    /// 128 bits. Two keys of one import share a fingerprint (and the second customer's
    /// orders would go to the first) with probability about n² / 2¹²⁹ for n customers:
    /// 1.5 × 10⁻²⁵ at ten million.
    fn fingerprint(&self, key: &str) -> u128 {
        let (a, b) = &self.fingerprint_keys;
        (u128::from(a.hash_one(key)) << 64) | u128::from(b.hash_one(key))
    }

    /// The orders written so far, and where the changed ones were before, taken out of the
    /// sink at the end of a load: what `store::refresh_after_import` recomputes the summaries
    /// from.
    pub fn take_touched(&mut self) -> Touched {
        std::mem::take(&mut self.touched)
    }

    /// Writes one batch. An order appearing twice in a batch: the later one wins, as it would
    /// across batches.
    ///
    /// On SQLite the inserts run one row per execution of a prepared statement on the
    /// connection itself (src/import/raw_sqlite.rs); on Postgres as multi-row statements.
    /// Both run the same SQL text and the same rows (`customer_row`, `order_row`, …).
    pub async fn write(&mut self, tx: &mut Tx, batch: Vec<OrderIn>) -> anyhow::Result<()> {
        let mut by_id: HashMap<String, usize> = HashMap::with_capacity(batch.len());
        let mut orders: Vec<OrderIn> = Vec::with_capacity(batch.len());
        for order in batch {
            match by_id.get(&order.external_id) {
                Some(&i) => orders[i] = order,
                None => {
                    by_id.insert(order.external_id.clone(), orders.len());
                    orders.push(order);
                }
            }
        }
        let had_orders = self.had_orders(tx).await?;
        let existing = match tx {
            Tx::Sqlite(conn) => {
                let raw = RawConn::lock(conn).await?;
                self.upsert_customers_raw(&raw, &orders)?;
                self.existing_raw(&raw, &orders, had_orders)?
            }
            Tx::Postgres(_) => {
                self.upsert_customers(tx, &orders).await?;
                self.existing(tx, &orders, had_orders).await?
            }
        };
        let mut to_write = Vec::new();
        // Whether each order of `to_write` is stored already (edited) rather than new.
        let mut stored = Vec::new();
        let mut changed_ids = Vec::new();
        for order in orders {
            let hash = order.content_hash();
            match existing.get(&order.external_id) {
                Some((_, Some(old))) if *old == hash => self.counts.unchanged += 1,
                Some((id, _)) => {
                    self.counts.updated += 1;
                    changed_ids.push(*id);
                    to_write.push((order, hash));
                    stored.push(true);
                }
                None => {
                    self.counts.inserted += 1;
                    to_write.push((order, hash));
                    stored.push(false);
                }
            }
        }
        if self.track_touched {
            self.note_before_change(tx, &changed_ids).await?;
        }
        for table in ["order_lines", "refunds"] {
            delete_children(tx, table, &changed_ids).await?;
        }
        let ids = match tx {
            Tx::Sqlite(conn) => {
                let raw = RawConn::lock(conn).await?;
                let ids = self.upsert_orders_raw(&raw, &to_write, &stored)?;
                let (lines, refunds) = self.children(&to_write, &ids)?;
                self.counts.lines += lines.len() as u64;
                insert_rows_raw(&raw, "order_lines", &LINE_COLUMNS, &lines)?;
                insert_rows_raw(&raw, "refunds", &REFUND_COLUMNS, &refunds)?;
                ids
            }
            Tx::Postgres(_) => {
                let ids = self.upsert_orders(tx, &to_write).await?;
                let (lines, refunds) = self.children(&to_write, &ids)?;
                self.counts.lines += lines.len() as u64;
                insert_rows(tx, "order_lines", &LINE_COLUMNS, lines).await?;
                insert_rows(tx, "refunds", &REFUND_COLUMNS, refunds).await?;
                ids
            }
        };
        if self.track_touched {
            self.touched.orders.extend(ids.values());
        }
        if !had_orders {
            self.written
                .extend(to_write.iter().map(|(o, _)| id_fingerprint(&o.external_id)));
        }
        Ok(())
    }

    /// Notes the customers and days (of the orders and of their refunds) of the stored orders
    /// about to change: their summary rows change too.
    async fn note_before_change(&mut self, tx: &mut Tx, order_ids: &[i64]) -> anyhow::Result<()> {
        let numbered = tx.numbered();
        let mut rest = order_ids;
        for size in chunk_sizes(order_ids.len(), 256) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let list = tuples(1, size, numbered, 1);
            let vals = || chunk.iter().map(|&id| Val::Int(id)).collect::<Vec<_>>();
            let customers = tx
                .i64s(
                    &format!(
                        "SELECT customer_id FROM orders WHERE id IN {list} AND customer_id IS NOT NULL"
                    ),
                    vals(),
                )
                .await
                .context("failed to look up the customers of edited orders")?;
            self.touched.old_customers.extend(customers);
            for sql in [
                format!("SELECT CAST(local_date AS TEXT) FROM orders WHERE id IN {list}"),
                format!("SELECT CAST(local_date AS TEXT) FROM refunds WHERE order_id IN {list}"),
            ] {
                let days = tx
                    .texts(&sql, vals())
                    .await
                    .context("failed to look up the days of edited orders")?;
                for day in days {
                    let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .with_context(|| format!("unexpected stored date {day:?}"))?;
                    self.touched.old_days.push(day);
                }
            }
        }
        Ok(())
    }

    /// Whether the store held orders of this source when the import began (looked up once).
    async fn had_orders(&mut self, tx: &mut Tx) -> anyhow::Result<bool> {
        if let Some(had) = self.had_orders {
            return Ok(had);
        }
        let sql = format!(
            "SELECT id FROM orders WHERE source = {} LIMIT 1",
            if tx.numbered() { "$1" } else { "?" }
        );
        let had = tx
            .optional_i64(&sql, vec![Val::Text(self.source.to_string())])
            .await
            .context("failed to look up existing orders")?
            .is_some();
        self.had_orders = Some(had);
        Ok(had)
    }

    /// The batch's orders that may already be stored.
    fn maybe_stored<'o>(&self, orders: &'o [OrderIn], had_orders: bool) -> Vec<&'o OrderIn> {
        if had_orders {
            orders.iter().collect()
        } else {
            orders
                .iter()
                .filter(|o| self.written.contains(&id_fingerprint(&o.external_id)))
                .collect()
        }
    }

    /// The customers of a batch to upsert, each with the earliest instant of its orders in
    /// the batch; those already written by this import at an earlier or equal instant are
    /// left out.
    fn wanted_customers<'o>(&self, orders: &'o [OrderIn]) -> Vec<(&'o CustomerIn, DateTime<Utc>)> {
        let mut wanted: Vec<(&CustomerIn, DateTime<Utc>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for order in orders {
            let Some(c) = &order.customer else { continue };
            if let Some(&(_, seen)) = self.customers.get(&self.fingerprint(&c.key)) {
                if seen <= order.placed_at {
                    continue;
                }
            }
            match index.get(c.key.as_str()) {
                Some(&i) => wanted[i] = (c, wanted[i].1.min(order.placed_at)),
                None => {
                    index.insert(&c.key, wanted.len());
                    wanted.push((c, order.placed_at));
                }
            }
        }
        wanted
    }

    /// A customer not yet stored is inserted, one already stored gets the upsert's merge (the
    /// same statement as the generic path): the plain insert needs no statement journal,
    /// which the upsert keeps for each row (a fifth of a first import's time went into
    /// upserting customers, perf 2026-12-06).
    fn upsert_customers_raw(&mut self, raw: &RawConn, orders: &[OrderIn]) -> anyhow::Result<()> {
        let wanted = self.wanted_customers(orders);
        if wanted.is_empty() {
            return Ok(());
        }
        let mut lookup = raw.prepare("SELECT id FROM customers WHERE customer_key = ?")?;
        let mut insert = raw.prepare(&insert_sql("customers", &CUSTOMER_COLUMNS, 1, false))?;
        let mut upsert = raw.prepare(&customers_upsert_sql(1, false))?;
        for (c, at) in wanted {
            let known = lookup
                .run(&[Val::Text(c.key.clone())])
                .context("failed to look up a customer")?;
            let id = match known {
                None => {
                    insert
                        .run(&customer_row(c, at))
                        .context("failed to write customers")?;
                    raw.last_insert_rowid()
                }
                Some(_) => returned(upsert.run(&customer_row(c, at))?, "a customer's upsert")
                    .context("failed to write customers")?,
            };
            self.customers.insert(self.fingerprint(&c.key), (id, at));
        }
        Ok(())
    }

    fn existing_raw(
        &self,
        raw: &RawConn,
        orders: &[OrderIn],
        had_orders: bool,
    ) -> anyhow::Result<HashMap<String, (i64, Option<String>)>> {
        let orders = self.maybe_stored(orders, had_orders);
        let mut found = HashMap::new();
        if orders.is_empty() {
            return Ok(found);
        }
        let mut stmt = raw
            .prepare("SELECT id, content_hash FROM orders WHERE source = ? AND external_id = ?")?;
        for o in orders {
            let vals = [
                Val::Text(self.source.to_string()),
                Val::Text(o.external_id.clone()),
            ];
            if let Some(row) = stmt
                .run_with(&vals, |s| (s.column_i64(0), s.column_text(1)))
                .context("failed to look up existing orders")?
            {
                found.insert(o.external_id.clone(), row);
            }
        }
        Ok(found)
    }

    /// New orders are inserted, stored ones (`stored`) upserted, as for customers.
    fn upsert_orders_raw(
        &self,
        raw: &RawConn,
        orders: &[(OrderIn, String)],
        stored: &[bool],
    ) -> anyhow::Result<HashMap<String, i64>> {
        let mut ids = HashMap::with_capacity(orders.len());
        if orders.is_empty() {
            return Ok(ids);
        }
        let mut insert = raw.prepare(&insert_sql("orders", &ORDER_COLUMNS, 1, false))?;
        let mut upsert = raw.prepare(&orders_upsert_sql(1, false))?;
        for ((o, hash), &stored) in orders.iter().zip(stored) {
            let row = self.order_row(o, hash);
            let id = if stored {
                returned(upsert.run(&row)?, "an order's upsert")
            } else {
                insert.run(&row).map(|_| raw.last_insert_rowid())
            }
            .context("failed to write orders")?;
            ids.insert(o.external_id.clone(), id);
        }
        Ok(ids)
    }

    async fn upsert_customers(&mut self, tx: &mut Tx, orders: &[OrderIn]) -> anyhow::Result<()> {
        let wanted = self.wanted_customers(orders);
        let numbered = tx.numbered();
        let mut rest = wanted.as_slice();
        for size in chunk_sizes(wanted.len(), max_rows(CUSTOMER_COLUMNS.len())) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let vals: Vec<Val> = chunk
                .iter()
                .flat_map(|(c, at)| customer_row(c, *at))
                .collect();
            let returned = tx
                .id_keys(&customers_upsert_sql(size, numbered), vals)
                .await
                .context("failed to write customers")?;
            let first_seen: HashMap<&str, DateTime<Utc>> =
                chunk.iter().map(|(c, at)| (c.key.as_str(), *at)).collect();
            for (id, key) in returned {
                let at = first_seen.get(key.as_str()).copied().unwrap_or(self.now);
                self.customers.insert(self.fingerprint(&key), (id, at));
            }
        }
        Ok(())
    }

    /// external_id → (id, content_hash) of the batch's orders already in the store.
    async fn existing(
        &self,
        tx: &mut Tx,
        orders: &[OrderIn],
        had_orders: bool,
    ) -> anyhow::Result<HashMap<String, (i64, Option<String>)>> {
        let orders = self.maybe_stored(orders, had_orders);
        let mut found = HashMap::new();
        if orders.is_empty() {
            return Ok(found);
        }
        if let Tx::Postgres(pg) = tx {
            // One array parameter: with 256 placeholders each lookup took ~70 ms on
            // Postgres for what takes 0.2 ms in psql (README, "Import benchmark").
            let ids: Vec<&str> = orders.iter().map(|o| o.external_id.as_str()).collect();
            let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT id, external_id, content_hash FROM orders \
                 WHERE source = $1 AND external_id = ANY($2)",
            )
            .bind(self.source)
            .bind(&ids)
            .fetch_all(&mut **pg)
            .await
            .context("failed to look up existing orders")?;
            found.extend(rows.into_iter().map(|(id, key, hash)| (key, (id, hash))));
            return Ok(found);
        }
        let mut rest = orders.as_slice();
        for size in chunk_sizes(orders.len(), 256) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let list = tuples(1, size, false, 2);
            let sql = format!(
                "SELECT id, external_id, content_hash FROM orders WHERE source = ? AND external_id IN {list}"
            );
            let mut vals = vec![Val::Text(self.source.to_string())];
            vals.extend(chunk.iter().map(|o| Val::Text(o.external_id.clone())));
            for (id, key, hash) in tx
                .id_key_texts(&sql, vals)
                .await
                .context("failed to look up existing orders")?
            {
                found.insert(key, (id, hash));
            }
        }
        Ok(found)
    }

    async fn upsert_orders(
        &self,
        tx: &mut Tx,
        orders: &[(OrderIn, String)],
    ) -> anyhow::Result<HashMap<String, i64>> {
        let numbered = tx.numbered();
        let mut ids = HashMap::with_capacity(orders.len());
        let mut rest = orders;
        for size in chunk_sizes(orders.len(), max_rows(ORDER_COLUMNS.len())) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let vals: Vec<Val> = chunk
                .iter()
                .flat_map(|(o, hash)| self.order_row(o, hash))
                .collect();
            for (id, key) in tx
                .id_keys(&orders_upsert_sql(size, numbered), vals)
                .await
                .context("failed to write orders")?
            {
                ids.insert(key, id);
            }
        }
        Ok(ids)
    }

    /// The values of one row of `orders`, in [`ORDER_COLUMNS`]' order.
    fn order_row(&self, o: &OrderIn, hash: &str) -> [Val; 20] {
        let (date, day_no) = local_day(o.placed_at, self.tz);
        let customer_id = o
            .customer
            .as_ref()
            .and_then(|c| self.customers.get(&self.fingerprint(&c.key)))
            .map(|(id, _)| *id);
        [
            Val::Text(self.source.to_string()),
            Val::Text(o.external_id.clone()),
            customer_id.into(),
            Val::Ts(o.placed_at),
            Val::Date(date),
            Val::Int(day_no),
            Val::Text(o.currency.clone()),
            Val::Text(o.channel.to_string()),
            o.source_name.clone().into(),
            o.discount_code.clone().into(),
            Val::Int(o.gross_cents),
            Val::Int(o.discount_cents),
            Val::Int(o.net_cents),
            Val::Int(o.shipping_cents),
            Val::Int(o.tax_cents),
            Val::Int(o.total_cents),
            o.cancelled_at.into(),
            Val::Bool(o.is_test),
            Val::Ts(self.now),
            Val::Text(hash.to_string()),
        ]
    }

    /// The rows of `order_lines` and `refunds` of the written orders, by their ids.
    #[allow(clippy::type_complexity)]
    fn children(
        &self,
        orders: &[(OrderIn, String)],
        ids: &HashMap<String, i64>,
    ) -> anyhow::Result<(Vec<[Val; 8]>, Vec<[Val; 8]>)> {
        // Sized up front: doubling copied its 256-byte rows again and again (`memmove`).
        let mut lines = Vec::with_capacity(orders.iter().map(|(o, _)| o.lines.len()).sum());
        let mut refunds = Vec::new();
        for (o, _) in orders {
            let id = *ids
                .get(&o.external_id)
                .with_context(|| format!("order {} was not written", o.external_id))?;
            for (i, l) in o.lines.iter().enumerate() {
                lines.push([
                    Val::Int(id),
                    Val::Int(i as i64 + 1),
                    l.sku.clone().into(),
                    Val::Text(l.title.clone()),
                    Val::Int(l.quantity),
                    Val::Int(l.unit_price_cents),
                    Val::Int(l.discount_cents),
                    Val::Int(l.net_cents),
                ]);
            }
            if let Some(r) = &o.refund {
                let (date, _) = local_day(r.at, self.tz);
                refunds.push([
                    Val::Int(id),
                    Val::Text(format!("{}:{}", self.source, o.external_id)),
                    Val::Ts(r.at),
                    Val::Date(date),
                    Val::Int(r.amount_cents),
                    Val::NullInt,
                    Val::Bool(false),
                    Val::Text("refunded amount of the export".into()),
                ]);
            }
        }
        Ok((lines, refunds))
    }
}

/// The values of one row of `customers`, in [`CUSTOMER_COLUMNS`]' order.
fn customer_row(c: &CustomerIn, first_seen: DateTime<Utc>) -> [Val; 7] {
    [
        Val::Text(c.key.clone()),
        c.email.clone().into(),
        c.phone.clone().into(),
        c.first_name.clone().into(),
        c.country.clone().into(),
        Val::Ts(first_seen),
        Val::Bool(c.accepts_marketing),
    ]
}

/// The upsert of `rows` customers on their key, returning `id, customer_key`.
fn customers_upsert_sql(rows: usize, numbered: bool) -> String {
    format!(
        "INSERT INTO customers ({}) VALUES {} ON CONFLICT (customer_key) DO UPDATE SET \
         email = COALESCE(excluded.email, customers.email), \
         phone = COALESCE(excluded.phone, customers.phone), \
         first_name = COALESCE(excluded.first_name, customers.first_name), \
         country = COALESCE(excluded.country, customers.country), \
         accepts_marketing = excluded.accepts_marketing, \
         created_at = CASE WHEN excluded.created_at < customers.created_at \
                      THEN excluded.created_at ELSE customers.created_at END \
         RETURNING id, customer_key",
        CUSTOMER_COLUMNS.join(", "),
        tuples(rows, CUSTOMER_COLUMNS.len(), numbered, 1)
    )
}

/// The upsert of `rows` orders on `(source, external_id)`, returning `id, external_id`.
fn orders_upsert_sql(rows: usize, numbered: bool) -> String {
    let updates: Vec<String> = ORDER_COLUMNS[2..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO orders ({}) VALUES {} ON CONFLICT (source, external_id) DO UPDATE SET {} \
         RETURNING id, external_id",
        ORDER_COLUMNS.join(", "),
        tuples(rows, ORDER_COLUMNS.len(), numbered, 1),
        updates.join(", ")
    )
}

async fn delete_children(tx: &mut Tx, table: &str, order_ids: &[i64]) -> anyhow::Result<()> {
    let numbered = tx.numbered();
    let mut rest = order_ids;
    for size in chunk_sizes(order_ids.len(), 256) {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let sql = format!(
            "DELETE FROM {table} WHERE order_id IN {}",
            tuples(1, size, numbered, 1)
        );
        tx.execute(&sql, chunk.iter().map(|&id| Val::Int(id)).collect())
            .await
            .with_context(|| format!("failed to clear {table} of edited orders"))?;
    }
    Ok(())
}

/// The insert of `rows` rows into `table`.
fn insert_sql(table: &str, columns: &[&str], rows: usize, numbered: bool) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        tuples(rows, columns.len(), numbered, 1)
    )
}

/// [`insert_rows`] on SQLite's own connection: one prepared single-row insert, run per row.
fn insert_rows_raw<const N: usize>(
    raw: &RawConn,
    table: &str,
    columns: &[&str; N],
    rows: &[[Val; N]],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt = raw.prepare(&insert_sql(table, columns, 1, false))?;
    for row in rows {
        stmt.run(row)
            .with_context(|| format!("failed to write {table}"))?;
    }
    Ok(())
}

/// Plain multi-row inserts of `rows` into `table`.
pub async fn insert_rows<const N: usize>(
    tx: &mut Tx,
    table: &str,
    columns: &[&str; N],
    rows: Vec<[Val; N]>,
) -> anyhow::Result<()> {
    let numbered = tx.numbered();
    let mut rows = rows.into_iter();
    for size in chunk_sizes(rows.len(), max_rows(N)) {
        let sql = insert_sql(table, columns, size, numbered);
        let vals: Vec<Val> = rows.by_ref().take(size).flatten().collect();
        tx.execute(&sql, vals)
            .await
            .with_context(|| format!("failed to write {table}"))?;
    }
    Ok(())
}

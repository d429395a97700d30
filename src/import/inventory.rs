//! `shopify-inventory`: Shopify's inventory export (one row per SKU and location) into
//! `inventory_levels`, the stock per SKU per day that days-of-cover alerts read.
//!
//! The export is a snapshot without a date: it is stored as the stock of the shop's current
//! day (or of `--period`'s last day, to load an older snapshot), summed over locations; a file
//! with a `Date` column (a generic stock history) is stored day by day. `On hand` is used when
//! present, else `Available`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::{NaiveDate, Utc};

use super::db::{Tx, Val};
use super::error::{CellError, ImportError};
use super::parse::{count, day, is_blank};
use super::plans::{finish, new_summary, read_rows};
use super::reader::{opt, req, CsvSource, Field};
use super::{ImportOptions, ImportSummary};
use crate::store::Store;

static FIELDS: [Field; 4] = [
    req(&["SKU", "Variant SKU", "Référence", "UGS"]),
    opt(&["On hand", "En stock", "Stock physique", "Quantité en stock"]),
    opt(&["Available", "Disponible"]),
    opt(&["Date", "Jour"]),
];

pub async fn import_inventory(
    store: &Store,
    tz: chrono_tz::Tz,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, "shopify-inventory", &FIELDS)?;
    if !src.has(1) && !src.has(2) {
        return Err(ImportError::Header {
            file: src.file.clone(),
            line: src.header_line,
            problem: "no \"On hand\" nor \"Available\" column".into(),
            fix: "export the inventory with its quantity columns".into(),
        }
        .into());
    }
    let today: NaiveDate = opts
        .period
        .map_or_else(|| Utc::now().with_timezone(&tz).date_naive(), |p| p.to);
    let quantity_field = if src.has(1) { 1 } else { 2 };
    let mut summary = new_summary(path, "shopify-inventory", opts);
    let rows = read_rows(&mut src, path, opts, &mut summary, |row| {
        let sku = row.get(0).trim().to_string();
        if is_blank(&sku) {
            return Err(ImportError::cell(
                row.file(),
                &row.place(0),
                "",
                CellError::expected("the variant's SKU"),
            ));
        }
        let date = if row.has(3) {
            row.require(3, day)?
        } else {
            today
        };
        let on_hand = row.require(quantity_field, |t| count(t, row.style()))?;
        Ok((date, sku, on_hand))
    })?;
    let mut levels: BTreeMap<(NaiveDate, String), i64> = BTreeMap::new();
    for (date, sku, on_hand) in rows {
        *levels.entry((date, sku)).or_insert(0) += on_hand;
    }
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    write_levels(&mut tx, levels, &mut summary).await?;
    finish(tx, opts).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Writes stock levels (on hand per SKU and day) inside `tx`, counting in `summary` the new,
/// changed and unchanged ones. The `shopify-inventory` import and the Shopify stock sync both
/// write through here.
pub(crate) async fn write_levels(
    tx: &mut Tx,
    levels: BTreeMap<(NaiveDate, String), i64>,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let n = tx.numbered();
    for ((date, sku), on_hand) in levels {
        let select = if n {
            "SELECT on_hand FROM inventory_levels WHERE date = $1 AND sku = $2"
        } else {
            "SELECT on_hand FROM inventory_levels WHERE date = ? AND sku = ?"
        };
        match tx
            .optional_i64(select, vec![Val::Date(date), Val::Text(sku.clone())])
            .await
            .context("failed to read inventory")?
        {
            Some(old) if old == on_hand => {
                summary.skipped += 1;
                continue;
            }
            Some(_) => summary.updated += 1,
            None => summary.inserted += 1,
        }
        let sql = if n {
            "INSERT INTO inventory_levels (sku, date, on_hand) VALUES ($1, $2, $3) \
             ON CONFLICT (date, sku) DO UPDATE SET on_hand = excluded.on_hand"
        } else {
            "INSERT INTO inventory_levels (sku, date, on_hand) VALUES (?, ?, ?) \
             ON CONFLICT (date, sku) DO UPDATE SET on_hand = excluded.on_hand"
        };
        tx.execute(
            sql,
            vec![Val::Text(sku), Val::Date(date), Val::Int(on_hand)],
        )
        .await
        .context("failed to write inventory")?;
    }
    Ok(())
}

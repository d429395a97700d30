//! `shopify-products` (the catalogue: products and their variants, price and `Cost per
//! item`) and `costs` (the playbook's full-cost components per SKU).
//!
//! Shopify's products export has one row per variant; a product's other variants repeat its
//! `Handle` with `Title` blank, so the title and type of the handle's first row apply to all.
//! Products are keyed by handle, variants by SKU (a variant without a SKU cannot be matched to
//! order lines and is skipped). `costs` only completes variants already in the catalogue: an
//! unknown SKU is a row error, so a typo never creates a phantom product; blank cells leave
//! the stored component as it is. Percentages (storage, returns) are stored in basis points.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

use super::db::{Tx, Val};
use super::error::{CellError, ImportError};
use super::parse::{cents, count, is_blank};
use super::plans::{finish, new_summary, read_rows};
use super::reader::{opt, req, CsvSource, Field};
use super::{ImportOptions, ImportSummary};
use crate::store::{ShopSettings, Store};

static PRODUCT_FIELDS: [Field; 8] = [
    req(&["Handle", "Identifiant"]),
    opt(&["Title", "Titre"]),
    opt(&["Vendor", "Fournisseur", "Marque"]),
    opt(&["Type", "Product Type", "Type de produit"]),
    opt(&["Product Category", "Catégorie de produit", "Catégorie"]),
    req(&["Variant SKU", "SKU de la variante", "UGS de la variante"]),
    opt(&["Variant Price", "Prix de la variante"]),
    opt(&["Cost per item", "Coût par article"]),
];

static COST_FIELDS: [Field; 9] = [
    req(&["SKU", "Variant SKU", "Référence", "UGS"]),
    opt(&[
        "Supplier cost",
        "Cost",
        "Cost per item",
        "Prix d'achat",
        "Coût fournisseur",
        "Coût d'achat",
    ]),
    opt(&["Packaging", "Emballage"]),
    opt(&["Inbound logistics", "Logistique amont", "Transport amont"]),
    opt(&["Fulfilment", "Fulfillment", "Pick & pack", "Préparation"]),
    opt(&[
        "Storage rate",
        "Storage %",
        "Taux de stockage",
        "Stockage %",
    ]),
    opt(&["Return rate", "Returns %", "Taux de retour", "Retours %"]),
    opt(&["Overhead", "Overheads", "Frais généraux"]),
    opt(&[
        "Lead time days",
        "Lead time",
        "Délai d'approvisionnement",
        "Délai",
    ]),
];

const COST_COLUMNS: [&str; 8] = [
    "supplier_cost_cents",
    "packaging_cents",
    "inbound_logistics_cents",
    "fulfilment_cents",
    "storage_rate_bp",
    "return_rate_bp",
    "overhead_cents",
    "lead_time_days",
];

/// One variant of the catalogue, as a row of the products export or a node of the Admin API
/// gives it. `title`, `vendor` and `category` are its product's.
pub(crate) struct VariantRow {
    pub handle: String,
    pub title: String,
    pub vendor: Option<String>,
    pub category: String,
    pub sku: Option<String>,
    pub price: Option<i64>,
    pub cost: Option<i64>,
}

pub async fn import_products(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, "shopify-products", &PRODUCT_FIELDS)?;
    let currency = ShopSettings::load(store)
        .await?
        .map_or_else(|| "EUR".to_string(), |s| s.currency);
    let mut summary = new_summary(path, "shopify-products", opts);
    // The handle's first row names the product for its other variants.
    let mut named: HashMap<String, (String, Option<String>, String)> = HashMap::new();
    let rows = read_rows(&mut src, path, opts, &mut summary, |row| {
        let style = row.style();
        let handle = row.get(0).trim().to_string();
        if handle.is_empty() {
            return Err(ImportError::cell(
                row.file(),
                &row.place(0),
                "",
                CellError::expected("the product's handle"),
            ));
        }
        let price = row.parse(6, |t| cents(t, style))?;
        let cost = row.parse(7, |t| cents(t, style))?;
        let title = row.get(1).trim().to_string();
        if !title.is_empty() {
            let category = [4, 3]
                .iter()
                .map(|&f| row.get(f).trim().to_string())
                .find(|c| !c.is_empty())
                .unwrap_or_else(|| "uncategorised".into());
            let vendor = Some(row.get(2).trim().to_string()).filter(|v| !v.is_empty());
            named.insert(handle.clone(), (title, vendor, category));
        }
        let (title, vendor, category) = named
            .get(&handle)
            .cloned()
            .unwrap_or_else(|| (handle.clone(), None, "uncategorised".into()));
        let sku = Some(row.get(5).trim().to_string()).filter(|s| !is_blank(s));
        Ok(VariantRow {
            handle,
            title,
            vendor,
            category,
            sku,
            price,
            cost,
        })
    })?;
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    let written = write_variants(&mut tx, rows, &currency).await?;
    summary.inserted += written.inserted;
    // Every variant already stored counts as updated, changed or not, as the import always did.
    summary.updated += written.changed + written.unchanged;
    summary.skipped += written.skipped;
    finish(tx, opts).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What [`write_variants`] did, per variant.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CatalogCounts {
    pub inserted: u64,
    /// Already stored, and something of it (product, title, price, currency, cost) changed.
    pub changed: u64,
    pub unchanged: u64,
    /// Without a SKU: cannot be matched to order lines, not stored.
    pub skipped: u64,
}

/// The stored product and variant of a SKU, as compared before an upsert.
type StoredVariant = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    String,
    Option<i64>,
);

/// Writes variants and their products inside `tx`: products keyed by handle, variants by SKU
/// (a cost left blank keeps the stored one). The `shopify-products` import and the Shopify
/// catalogue sync both write through here, so both give the same rows.
pub(crate) async fn write_variants(
    tx: &mut Tx,
    rows: Vec<VariantRow>,
    currency: &str,
) -> anyhow::Result<CatalogCounts> {
    let n = tx.numbered();
    let mut counts = CatalogCounts::default();
    let mut product_ids: HashMap<String, i64> = HashMap::new();
    for v in rows {
        let Some(sku) = v.sku.clone() else {
            counts.skipped += 1;
            continue;
        };
        let old: Option<StoredVariant> = tx
            .optional_row(
                if n {
                    "SELECT p.handle, p.title, p.category, p.vendor, v.title, v.price_cents, v.currency, v.supplier_cost_cents \
                     FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = $1"
                } else {
                    "SELECT p.handle, p.title, p.category, p.vendor, v.title, v.price_cents, v.currency, v.supplier_cost_cents \
                     FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ?"
                },
                vec![Val::Text(sku.clone())],
            )
            .await
            .context("failed to read the catalogue")?;
        let new: StoredVariant = (
            v.handle.clone(),
            v.title.clone(),
            v.category.clone(),
            v.vendor.clone(),
            v.title.clone(),
            v.price.unwrap_or(0),
            currency.to_string(),
            v.cost,
        );
        match old {
            None => counts.inserted += 1,
            // A blank cost keeps the stored one: not a change.
            Some(mut o) => {
                if v.cost.is_none() {
                    o.7 = None;
                }
                if o == new {
                    counts.unchanged += 1;
                } else {
                    counts.changed += 1;
                }
            }
        }
        if !product_ids.contains_key(&v.handle) {
            let sql = if n {
                "INSERT INTO products (handle, title, category, vendor, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (handle) DO UPDATE SET title = excluded.title, category = excluded.category, vendor = excluded.vendor \
                 RETURNING id, handle"
            } else {
                "INSERT INTO products (handle, title, category, vendor, created_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (handle) DO UPDATE SET title = excluded.title, category = excluded.category, vendor = excluded.vendor \
                 RETURNING id, handle"
            };
            let vals = vec![
                Val::Text(v.handle.clone()),
                Val::Text(v.title.clone()),
                Val::Text(v.category.clone()),
                v.vendor.clone().into(),
                Val::Ts(Utc::now()),
            ];
            for (id, handle) in tx
                .id_keys(sql, vals)
                .await
                .context("failed to write products")?
            {
                product_ids.insert(handle, id);
            }
        }
        let product_id = product_ids[&v.handle];
        let sql = if n {
            "INSERT INTO variants (sku, product_id, title, price_cents, currency, supplier_cost_cents) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id, title = excluded.title, price_cents = excluded.price_cents, \
             currency = excluded.currency, supplier_cost_cents = COALESCE(excluded.supplier_cost_cents, variants.supplier_cost_cents)"
        } else {
            "INSERT INTO variants (sku, product_id, title, price_cents, currency, supplier_cost_cents) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id, title = excluded.title, price_cents = excluded.price_cents, \
             currency = excluded.currency, supplier_cost_cents = COALESCE(excluded.supplier_cost_cents, variants.supplier_cost_cents)"
        };
        let vals = vec![
            Val::Text(sku),
            Val::Int(product_id),
            Val::Text(v.title),
            Val::Int(v.price.unwrap_or(0)),
            Val::Text(currency.to_string()),
            v.cost.into(),
        ];
        tx.execute(sql, vals)
            .await
            .context("failed to write variants")?;
    }
    Ok(counts)
}

/// "12,5 %" → 1250 basis points.
fn basis_points(text: &str, style: super::parse::NumberStyle) -> Result<Option<i64>, CellError> {
    cents(text.trim().trim_end_matches('%').trim(), style)
        .map_err(|_| CellError::expected("a percentage such as 2.5 or 2,5 %"))
}

pub async fn import_costs(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
) -> anyhow::Result<ImportSummary> {
    let started = Instant::now();
    let mut src = CsvSource::open(path, "costs", &COST_FIELDS)?;
    let known: Vec<(String,)> = crate::with_pool!(store, pool => sqlx::query_as("SELECT sku FROM variants").fetch_all(pool).await)
        .context("failed to read the catalogue")?;
    let known: std::collections::HashSet<String> = known.into_iter().map(|(s,)| s).collect();
    let mut summary = new_summary(path, "costs", opts);
    let rows = read_rows(&mut src, path, opts, &mut summary, |row| {
        let style = row.style();
        let sku = row.get(0).trim().to_string();
        if !known.contains(&sku) {
            return Err(ImportError::cell(
                row.file(),
                &row.place(0),
                &sku,
                CellError::expected("a SKU of the catalogue (import shopify-products first)"),
            ));
        }
        let mut values = [None; 8];
        for (i, v) in values.iter_mut().enumerate() {
            let field = i + 1;
            *v = match COST_COLUMNS[i] {
                "storage_rate_bp" | "return_rate_bp" => {
                    row.parse(field, |t| basis_points(t, style))?
                }
                "lead_time_days" => row.parse(field, |t| count(t, style))?,
                _ => row.parse(field, |t| cents(t, style))?,
            };
        }
        Ok((sku, values))
    })?;
    let mut tx = Tx::begin(store)
        .await
        .context("failed to start the import transaction")?;
    let n = tx.numbered();
    let sets: Vec<String> = COST_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if n {
                format!("{c} = COALESCE(${}, {c})", i + 1)
            } else {
                format!("{c} = COALESCE(?, {c})")
            }
        })
        .collect();
    let sql = format!(
        "UPDATE variants SET {} WHERE sku = {}",
        sets.join(", "),
        if n { "$9" } else { "?" }
    );
    for (sku, values) in rows {
        let mut vals: Vec<Val> = values.iter().map(|&v| Val::from(v)).collect();
        vals.push(Val::Text(sku));
        tx.execute(&sql, vals)
            .await
            .context("failed to write cost components")?;
        summary.updated += 1;
    }
    finish(tx, opts).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

//! The Shopify catalogue and stock over the Admin GraphQL API: every product variant with its
//! product, its inventory item's unit cost and its inventory levels, a page at a time
//! (`productVariants(first, after, sortKey: ID)`), written through the importers' own writers
//! (`import::catalog::write_variants`, `import::inventory::write_levels`), so a catalogue
//! synced here and the same catalogue imported from the `shopify-products` and
//! `shopify-inventory` exports are the same rows.
//!
//! The mapping is the importers' reading of the exports' columns:
//!
//! | export column                          | GraphQL field                                  |
//! |----------------------------------------|------------------------------------------------|
//! | Handle, Title, Vendor                  | `product { handle title vendor }`              |
//! | Product Category (else Type)           | `product { category { fullName } productType }` |
//! | Variant SKU, Variant Price             | `sku`, `price`                                 |
//! | Cost per item                          | `inventoryItem { unitCost { amount } }`        |
//! | On hand (else Available), summed over locations | `inventoryItem { inventoryLevels { quantities(names: ["on_hand", "available"]) } }` |
//!
//! Stock is a snapshot: stored as the shop's current day, like the inventory export. Items
//! Shopify does not track (`tracked: false`) have no stock to store; a variant without a SKU
//! cannot be matched to order lines and is skipped, as the importer skips it.
//!
//! Each page is one transaction with the cursor that covers it (`ShopifyCursor::catalog`): a
//! pass broken off resumes at its next page the same day; on another day it starts over (the
//! stock it stores is that day's).

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::order_map::amount_cents;
use super::{Shopify, ShopifyCursor, SOURCE};
use crate::import::catalog::{write_variants, VariantRow};
use crate::import::db::Tx;
use crate::import::inventory::write_levels;
use crate::import::ImportSummary;
use crate::store::ShopSettings;
use crate::sync::state::{self, RunCounts};
use crate::sync::SyncError;

/// Inventory levels (locations) read per variant. Shopify charges a query by the nodes it may
/// return, so this and `catalog_page_size` keep one page well under its 1,000-point ceiling.
pub const STOCK_LOCATIONS: u32 = 10;

/// A catalogue pass under way (`ShopifyCursor::catalog`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPass {
    /// The day its stock is stored on.
    pub day: NaiveDate,
    /// The page to resume from.
    pub after: String,
}

pub fn catalog_page_query() -> String {
    format!(
        "query Catalog($first: Int!, $after: String) {{ productVariants(first: $first, after: $after, sortKey: ID) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id sku price product {{ handle title vendor productType category {{ fullName }} }} inventoryItem {{ id tracked unitCost {{ amount currencyCode }} inventoryLevels(first: {STOCK_LOCATIONS}) {{ pageInfo {{ hasNextPage }} nodes {{ quantities(names: [\"on_hand\", \"available\"]) {{ name quantity }} }} }} }} }} }} }}"
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VariantNode {
    id: String,
    sku: Option<String>,
    price: Option<String>,
    product: ProductNode,
    inventory_item: Option<InventoryItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ProductNode {
    handle: String,
    title: String,
    vendor: Option<String>,
    product_type: Option<String>,
    category: Option<Category>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Category {
    full_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct InventoryItem {
    tracked: Option<bool>,
    unit_cost: Option<Amount>,
    inventory_levels: Levels,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Amount {
    amount: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Levels {
    page_info: PageInfo,
    nodes: Vec<Level>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PageInfo {
    has_next_page: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Level {
    quantities: Vec<Quantity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Quantity {
    name: String,
    quantity: i64,
}

fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// One variant node → its catalogue row and, when Shopify tracks its stock, the units on
/// hand summed over its locations (else available, as the importer reads the export).
fn variant_row(node: VariantNode) -> Result<(VariantRow, Option<i64>), SyncError> {
    let bad = |what: &str, e: String| {
        SyncError::Data(format!("shopify variant {}: {what}: {e}", node.id))
    };
    let price = match node.price.as_deref() {
        Some(p) => Some(amount_cents(p).map_err(|e| bad("price", e))?),
        None => None,
    };
    let item = node.inventory_item.as_ref();
    let cost = match item.and_then(|i| i.unit_cost.as_ref()?.amount.as_deref()) {
        Some(a) => Some(amount_cents(a).map_err(|e| bad("unitCost", e))?),
        None => None,
    };
    let stock = match item {
        Some(i) if i.tracked != Some(false) => {
            if i.inventory_levels.page_info.has_next_page {
                return Err(bad(
                    "inventoryLevels",
                    format!(
                        "stocked at more than {STOCK_LOCATIONS} locations, which the sync does not read yet: import its stock from the inventory export (shopify-inventory) instead"
                    ),
                ));
            }
            let units = |name: &str| -> Option<i64> {
                let mut found = false;
                let mut sum = 0;
                for level in &i.inventory_levels.nodes {
                    for q in level.quantities.iter().filter(|q| q.name == name) {
                        found = true;
                        sum += q.quantity;
                    }
                }
                found.then_some(sum)
            };
            Some(units("on_hand").or_else(|| units("available")).unwrap_or(0))
        }
        _ => None,
    };
    let p = node.product;
    let category = non_blank(p.category.as_ref().and_then(|c| c.full_name.as_deref()))
        .or_else(|| non_blank(p.product_type.as_deref()))
        .unwrap_or_else(|| "uncategorised".into());
    let handle = p.handle.trim().to_string();
    let title = non_blank(Some(&p.title)).unwrap_or_else(|| handle.clone());
    let row = VariantRow {
        title,
        vendor: non_blank(p.vendor.as_deref()),
        category,
        sku: non_blank(node.sku.as_deref()),
        price,
        cost,
        handle,
    };
    Ok((row, stock))
}

impl Shopify<'_> {
    /// Reads the whole catalogue and its stock, a page per transaction, from where an
    /// interrupted pass of the same day stopped.
    pub(super) async fn catalog(
        &mut self,
        mut cursor: ShopifyCursor,
        counts: &mut RunCounts,
    ) -> anyhow::Result<ShopifyCursor> {
        let today = Utc::now().with_timezone(&self.tz).date_naive();
        let currency = ShopSettings::load(self.store)
            .await?
            .map_or_else(|| "EUR".to_string(), |s| s.currency);
        let mut after = cursor
            .catalog
            .as_ref()
            .filter(|c| c.day == today)
            .map(|c| c.after.clone());
        let query = catalog_page_query();
        loop {
            let data = self
                .client
                .query(
                    "shopify product variants",
                    &query,
                    json!({ "first": self.config.catalog_page_size, "after": after }),
                )
                .await?;
            let page = &data["productVariants"];
            let nodes = page["nodes"].as_array().cloned().unwrap_or_default();
            counts.variants_read += nodes.len() as u64;
            let mut rows = Vec::with_capacity(nodes.len());
            let mut levels: BTreeMap<(NaiveDate, String), i64> = BTreeMap::new();
            for node in nodes {
                let node: VariantNode = serde_json::from_value(node)
                    .map_err(|e| SyncError::Data(format!("shopify product variants page: {e}")))?;
                let (row, stock) = variant_row(node)?;
                if let (Some(sku), Some(units)) = (&row.sku, stock) {
                    *levels.entry((today, sku.clone())).or_insert(0) += units;
                }
                rows.push(row);
            }
            counts.stock_read += levels.len() as u64;
            let has_next = page["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false);
            let end = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
            after = end.filter(|_| has_next);
            cursor.catalog = after.clone().map(|after| CatalogPass { day: today, after });

            let mut tx = Tx::begin(self.store).await?;
            let written = write_variants(&mut tx, rows, &currency).await?;
            let mut stock = ImportSummary::default();
            write_levels(&mut tx, levels, &mut stock).await?;
            state::save_cursor(&mut tx, SOURCE, &cursor).await?;
            tx.commit()
                .await
                .context("failed to commit a page of the catalogue")?;
            counts.variants_changed += written.inserted + written.changed;
            counts.stock_changed += stock.inserted + stock.updated;
            self.catalog_changed |= written.inserted + written.changed > 0;
            if after.is_none() {
                return Ok(cursor);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_reads_like_the_exports_columns() {
        let node: VariantNode = serde_json::from_value(json!({
            "id": "gid://shopify/ProductVariant/1", "sku": " MUG-1 ", "price": "15.00",
            "product": {"handle": "mug", "title": "Mug", "vendor": "", "productType": "Kitchen",
                        "category": {"fullName": "Home & Garden > Kitchen & Dining > Drinkware > Mugs"}},
            "inventoryItem": {"tracked": true, "unitCost": {"amount": "4.2", "currencyCode": "EUR"},
                "inventoryLevels": {"pageInfo": {"hasNextPage": false}, "nodes": [
                    {"quantities": [{"name": "on_hand", "quantity": 7}, {"name": "available", "quantity": 5}]},
                    {"quantities": [{"name": "on_hand", "quantity": 3}, {"name": "available", "quantity": 3}]}]}}
        }))
        .unwrap();
        let (row, stock) = variant_row(node).unwrap();
        assert_eq!(row.sku.as_deref(), Some("MUG-1"));
        assert_eq!((row.price, row.cost), (Some(1500), Some(420)));
        assert_eq!(
            row.category,
            "Home & Garden > Kitchen & Dining > Drinkware > Mugs"
        );
        assert_eq!(row.vendor, None);
        assert_eq!(stock, Some(10), "on hand, summed over the locations");

        let untracked: VariantNode = serde_json::from_value(json!({
            "id": "v2", "sku": "GIFT", "price": "20.00", "product": {"handle": "gift", "title": "Gift card", "productType": ""},
            "inventoryItem": {"tracked": false, "unitCost": null, "inventoryLevels": {"nodes": []}}
        }))
        .unwrap();
        let (row, stock) = variant_row(untracked).unwrap();
        assert_eq!(
            (row.category.as_str(), row.cost, stock),
            ("uncategorised", None, None)
        );
    }
}

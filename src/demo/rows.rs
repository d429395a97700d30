//! The generator's output: rows per table as bound values, with each table's columns.
//!
//! The generator fills a [`Rows`] per day and hands it to the writer (`sink`); keeping the
//! column lists here, next to the value type, makes a missing or extra value a debug-build
//! assertion at the push that caused it rather than a confusing SQL error later.

use chrono::{DateTime, NaiveDate, Utc};

/// One bound value. Nulls carry their type: Postgres rejects an untyped NULL parameter for
/// a `DATE` or `TIMESTAMPTZ` column once it has been sent as `INT8`.
pub enum Val {
    Int(i64),
    Text(String),
    Str(&'static str),
    Date(NaiveDate),
    Ts(DateTime<Utc>),
    Bool(bool),
    NullInt,
    NullText,
    NullDate,
    NullTs,
}

/// Every table the generator fills, in the order parents before children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    Products,
    Variants,
    PriceHistory,
    Customers,
    Orders,
    OrderLines,
    Refunds,
    Touches,
    InventoryLevels,
    PurchaseOrders,
    AdSpend,
    Traffic,
    Targets,
    CashBalances,
    SyncState,
    EmailEngagementDays,
}

pub const TABLES: usize = 16;

impl Table {
    pub const ALL: [Table; TABLES] = [
        Table::Products,
        Table::Variants,
        Table::PriceHistory,
        Table::Customers,
        Table::Orders,
        Table::OrderLines,
        Table::Refunds,
        Table::Touches,
        Table::InventoryLevels,
        Table::PurchaseOrders,
        Table::AdSpend,
        Table::Traffic,
        Table::Targets,
        Table::CashBalances,
        Table::SyncState,
        Table::EmailEngagementDays,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Products => "products",
            Table::Variants => "variants",
            Table::PriceHistory => "price_history",
            Table::Customers => "customers",
            Table::Orders => "orders",
            Table::OrderLines => "order_lines",
            Table::Refunds => "refunds",
            Table::Touches => "touches",
            Table::InventoryLevels => "inventory_levels",
            Table::PurchaseOrders => "purchase_orders",
            Table::AdSpend => "ad_spend",
            Table::Traffic => "traffic",
            Table::Targets => "targets",
            Table::CashBalances => "cash_balances",
            Table::SyncState => "sync_state",
            Table::EmailEngagementDays => "email_engagement_days",
        }
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Products => &["id", "handle", "title", "category", "vendor", "created_at"],
            Table::Variants => &[
                "sku",
                "product_id",
                "title",
                "price_cents",
                "currency",
                "supplier_cost_cents",
                "packaging_cents",
                "inbound_logistics_cents",
                "fulfilment_cents",
                "storage_rate_bp",
                "return_rate_bp",
                "overhead_cents",
                "lead_time_days",
                "active",
            ],
            Table::PriceHistory => &["sku", "valid_from", "price_cents", "is_promo"],
            Table::Customers => &[
                "id",
                "customer_key",
                "email",
                "phone",
                "first_name",
                "country",
                "created_at",
                "accepts_marketing",
            ],
            Table::Orders => &[
                "id",
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
            ],
            Table::OrderLines => &[
                "order_id",
                "line_no",
                "sku",
                "title",
                "quantity",
                "unit_price_cents",
                "discount_cents",
                "net_cents",
                "unit_cost_cents",
            ],
            Table::Refunds => &[
                "id",
                "order_id",
                "external_id",
                "refunded_at",
                "local_date",
                "amount_cents",
                "sku",
                "quantity",
                "restocked",
                "reason",
            ],
            Table::Touches => &[
                "id",
                "customer_id",
                "order_id",
                "touched_at",
                "channel",
                "campaign",
            ],
            Table::InventoryLevels => &["sku", "date", "on_hand"],
            Table::PurchaseOrders => &[
                "id",
                "sku",
                "ordered_date",
                "expected_date",
                "received_date",
                "quantity",
                "unit_cost_cents",
            ],
            Table::AdSpend => &[
                "date",
                "channel",
                "campaign",
                "source",
                "currency",
                "spend_cents",
                "impressions",
                "clicks",
                "conversions",
                "conversion_value_cents",
            ],
            Table::Traffic => &[
                "date",
                "source",
                "medium",
                "channel",
                "sessions",
                "conversions",
            ],
            Table::Targets => &["date", "revenue_cents"],
            Table::CashBalances => &["date", "account", "balance_cents", "currency"],
            Table::SyncState => &[
                "source",
                "last_attempt_at",
                "last_success_at",
                "rows_total",
                "data_from",
                "data_to",
            ],
            Table::EmailEngagementDays => &["customer_key", "day_no", "kind"],
        }
    }

    /// Rows per full statement: a power of two, at most 256 rows and 4 096 parameters (big
    /// statements gain nothing and make prepared statements heavy in memory).
    pub fn batch_rows(self) -> usize {
        let mut n = 256;
        while n * self.columns().len() > 4_096 {
            n /= 2;
        }
        n
    }
}

/// Rows produced by the generator, per table, values flattened row after row.
#[derive(Default)]
pub struct Rows {
    pub(super) values: [Vec<Val>; TABLES],
    /// Days of history these rows complete (for the progress bar).
    pub days: u64,
}

impl Rows {
    pub fn push<const N: usize>(&mut self, table: Table, row: [Val; N]) {
        debug_assert_eq!(N, table.columns().len(), "{}", table.name());
        self.values[table as usize].extend(row);
    }

    pub fn count(&self, table: Table) -> usize {
        self.values[table as usize].len() / table.columns().len()
    }

    pub fn len(&self) -> usize {
        Table::ALL
            .iter()
            .map(|&t| self.values[t as usize].len() / t.columns().len())
            .sum()
    }
}

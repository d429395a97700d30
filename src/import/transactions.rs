//! `transactions`: the generic sales file, for shops not on Shopify and for public datasets.
//!
//! A row is a sale: a date or timestamp, an amount (or a quantity and a unit price), and
//! optionally an order id, a customer (e-mail, else id), a channel, a currency, a SKU.
//! Consecutive rows with the same order id are one order with several lines (as invoice
//! datasets list them); without an order id each row is an order whose id is derived from
//! its content (customer, instant, amount, line), so re-importing the file is idempotent.
//! Amounts are net merchandise (after discounts, without tax and shipping); a negative
//! amount is a return and is kept as a refund of that order.

use super::error::{CellError, ImportError};
use super::order::{customer_key, CustomerIn, Item, LineIn, OrderIn, RefundIn};
use super::orders_job::OrderReader;
use super::parse::{cents, count, instant, is_blank};
use super::reader::{opt, req, CsvSource, Field, Row};
use crate::domain::Channel;

const ORDER_ID: usize = 0;
const CUSTOMER_ID: usize = 1;
const EMAIL: usize = 2;
const DATE: usize = 3;
const AMOUNT: usize = 4;
const QUANTITY: usize = 5;
const UNIT_PRICE: usize = 6;
const CHANNEL: usize = 7;
const CURRENCY: usize = 8;
const SKU: usize = 9;
const TITLE: usize = 10;

pub static FIELDS: [Field; 11] = [
    opt(&[
        "Order ID",
        "Order",
        "Order number",
        "Transaction ID",
        "InvoiceNo",
        "Invoice",
        "Commande",
        "N° de commande",
        "Numéro de commande",
    ]),
    opt(&[
        "Customer ID",
        "CustomerID",
        "Customer",
        "Client",
        "ID client",
        "N° client",
    ]),
    opt(&["Email", "E-mail", "Courriel", "Customer email"]),
    req(&[
        "Date",
        "Timestamp",
        "Created at",
        "Order date",
        "InvoiceDate",
        "Date de commande",
        "Horodatage",
    ]),
    opt(&[
        "Amount",
        "Revenue",
        "Net",
        "Montant",
        "Montant HT",
        "Chiffre d'affaires",
    ]),
    opt(&["Quantity", "Qty", "Quantité"]),
    opt(&["Unit price", "UnitPrice", "Price", "Prix unitaire", "Prix"]),
    opt(&["Channel", "Canal", "Source"]),
    opt(&["Currency", "Devise"]),
    opt(&["SKU", "StockCode", "Product ID", "Référence", "UGS"]),
    opt(&[
        "Description",
        "Product",
        "Product name",
        "Produit",
        "Libellé",
    ]),
];

/// The order being read: its id, the order (or why it is refused), its raw rows.
type Pending = (
    String,
    Result<Box<OrderIn>, ImportError>,
    Vec<csv::ByteRecord>,
);

pub struct Transactions {
    pub src: CsvSource,
    tz: chrono_tz::Tz,
    currency: String,
    keep_rows: bool,
    pending: Option<Pending>,
    pub rows_read: u64,
}

impl Transactions {
    /// Fails when the file has neither an amount nor a quantity and a unit price.
    pub fn new(
        src: CsvSource,
        tz: chrono_tz::Tz,
        currency: String,
        keep_rows: bool,
    ) -> Result<Transactions, ImportError> {
        if !(src.has(AMOUNT) || (src.has(QUANTITY) && src.has(UNIT_PRICE))) {
            return Err(ImportError::Header {
                file: src.file.clone(),
                line: src.header_line,
                problem: "no \"Amount\" column, nor \"Quantity\" and \"Unit price\" columns".into(),
                fix: "add an Amount (Montant) column with each sale's net amount".into(),
            });
        }
        Ok(Transactions {
            src,
            tz,
            currency,
            keep_rows,
            pending: None,
            rows_read: 0,
        })
    }
}

fn parse_row(
    row: &Row<'_>,
    tz: chrono_tz::Tz,
    currency: &str,
) -> Result<(OrderIn, String), ImportError> {
    let style = row.style();
    let placed_at = row.require(DATE, |t| instant(t, tz))?;
    let quantity = row.parse(QUANTITY, |t| count(t, style))?.unwrap_or(1);
    let amount = match row.parse(AMOUNT, |t| cents(t, style))? {
        Some(a) => a,
        None => quantity * row.require(UNIT_PRICE, |t| cents(t, style))?,
    };
    let unit_price = row
        .parse(UNIT_PRICE, |t| cents(t, style))?
        .unwrap_or(if quantity != 0 {
            amount / quantity
        } else {
            amount
        });
    let email = row.get(EMAIL).trim().to_lowercase();
    let customer_id = row.get(CUSTOMER_ID).trim().to_string();
    let key = customer_key(&email, "")
        .or_else(|| (!is_blank(&customer_id)).then(|| format!("id:{customer_id}")));
    let currency_cell = row.get(CURRENCY).trim().to_ascii_uppercase();
    if !is_blank(&currency_cell) && currency_cell.len() != 3 {
        return Err(ImportError::cell(
            row.file(),
            &row.place(CURRENCY),
            &currency_cell,
            CellError::expected("an ISO currency code such as EUR"),
        ));
    }
    let channel = row.get(CHANNEL);
    let order_id = row.get(ORDER_ID).trim().to_string();
    let sku = Some(row.get(SKU).trim().to_string()).filter(|s| !is_blank(s));
    let title = Some(row.get(TITLE).trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| sku.clone())
        .unwrap_or_else(|| "sale".into());
    let id = if is_blank(&order_id) {
        // Stable across re-imports: the sale's own content.
        format!(
            "{}|{}|{amount}|{}",
            key.as_deref().unwrap_or(""),
            placed_at.to_rfc3339(),
            sku.as_deref().unwrap_or("")
        )
    } else {
        order_id
    };
    let (line_amount, refund) = if amount < 0 {
        (0, Some(-amount))
    } else {
        (amount, None)
    };
    let order = OrderIn {
        external_id: id.clone(),
        customer: key.map(|key| CustomerIn {
            key,
            email: Some(email.clone()).filter(|e| e.contains('@')),
            phone: None,
            first_name: None,
            country: None,
            accepts_marketing: false,
        }),
        placed_at,
        currency: if is_blank(&currency_cell) {
            currency.to_string()
        } else {
            currency_cell
        },
        channel: if is_blank(&channel) {
            Channel::Other.key()
        } else {
            Channel::from_key(&channel).key()
        },
        source_name: None,
        discount_code: None,
        gross_cents: line_amount,
        discount_cents: 0,
        net_cents: line_amount,
        shipping_cents: 0,
        tax_cents: 0,
        total_cents: line_amount,
        cancelled_at: None,
        is_test: false,
        lines: vec![LineIn {
            sku,
            title,
            quantity: quantity.max(0),
            unit_price_cents: unit_price.max(0),
            discount_cents: 0,
            net_cents: line_amount,
        }],
        refund: refund.map(|amount_cents| RefundIn {
            at: placed_at,
            amount_cents,
        }),
    };
    Ok((order, id))
}

/// Adds a further row of the same order to it.
fn merge(into: &mut OrderIn, row: OrderIn) {
    into.gross_cents += row.gross_cents;
    into.net_cents += row.net_cents;
    into.total_cents += row.total_cents;
    into.lines.extend(row.lines);
    if let Some(r) = row.refund {
        let prev = into.refund.take().map_or(0, |p| p.amount_cents);
        into.refund = Some(RefundIn {
            at: r.at,
            amount_cents: prev + r.amount_cents,
        });
    }
}

impl OrderReader for Transactions {
    fn next_item(&mut self) -> Option<Item> {
        loop {
            let row = match self.src.next_row() {
                None => return self.pending.take().map(finish),
                Some(Err(error)) => {
                    self.rows_read += 1;
                    let rows = if self.keep_rows {
                        vec![self.src.last_raw()]
                    } else {
                        Vec::new()
                    };
                    return Some(Item::Rejected { error, rows });
                }
                Some(Ok(row)) => row,
            };
            self.rows_read += 1;
            let raw = self.keep_rows.then(|| row.raw());
            let parsed = parse_row(&row, self.tz, &self.currency);
            let id = match &parsed {
                Ok((_, id)) => id.clone(),
                Err(_) => row.get(ORDER_ID).trim().to_string(),
            };
            if let Some(p) = self
                .pending
                .as_mut()
                .filter(|p| !id.is_empty() && p.0 == id)
            {
                match (&mut p.1, parsed) {
                    (Ok(order), Ok((line, _))) => merge(order, line),
                    (Ok(_), Err(e)) => p.1 = Err(e),
                    (Err(_), _) => {}
                }
                p.2.extend(raw);
                continue;
            }
            let next = (
                id,
                parsed.map(|(o, _)| Box::new(o)),
                raw.into_iter().collect(),
            );
            if let Some(done) = self.pending.replace(next) {
                return Some(finish(done));
            }
        }
    }

    fn rows_read(&self) -> u64 {
        self.rows_read
    }

    fn bytes_read(&self) -> u64 {
        self.src.bytes_read()
    }
}

fn finish((_, order, rows): Pending) -> Item {
    match order {
        Ok(order) => Item::Order(order),
        Err(error) => Item::Rejected { error, rows },
    }
}

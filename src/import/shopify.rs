//! Shopify's admin "Export orders" CSV: one row per line item, read into whole orders.
//!
//! The first row of an order carries the order's fields (totals, currency, dates, customer);
//! its other line items repeat `Name` with those fields blank, so rows are grouped by
//! consecutive `Name`. An order is parsed whole or rejected whole: a bad cell in any of its
//! rows rejects the order, with the rows kept for the reject file. How totals, refunds,
//! cancelled and test orders become store rows is documented in README.md ("Shopify orders").

use csv::ByteRecord;

use super::channel_map::{order_channel, Hints};
use super::error::{CellError, ImportError};
use super::order::{
    allocate, customer_key, normalise_phone, CustomerIn, Item, LineIn, OrderIn, RefundIn,
};
use super::parse::{cents, count, instant, is_blank, yes};
use super::reader::{opt, req, CsvSource, Field, Row};

pub const NAME: usize = 0;
const EMAIL: usize = 1;
const FINANCIAL_STATUS: usize = 2;
const CURRENCY: usize = 3;
const SUBTOTAL: usize = 4;
const SHIPPING: usize = 5;
const TAXES: usize = 6;
const TOTAL: usize = 7;
const DISCOUNT_CODE: usize = 8;
const DISCOUNT_AMOUNT: usize = 9;
const CREATED_AT: usize = 10;
const QUANTITY: usize = 11;
const LINE_NAME: usize = 12;
const LINE_PRICE: usize = 13;
const LINE_SKU: usize = 14;
const CANCELLED_AT: usize = 15;
const REFUNDED: usize = 16;
const SOURCE: usize = 17;
const TAGS: usize = 18;
const PHONE: usize = 19;
const BILLING_PHONE: usize = 20;
const SHIPPING_PHONE: usize = 21;
const BILLING_NAME: usize = 22;
const BILLING_COUNTRY: usize = 23;
const SHIPPING_COUNTRY: usize = 24;
const ACCEPTS_MARKETING: usize = 25;
const NOTE_ATTRIBUTES: usize = 26;
const PAYMENT_METHOD: usize = 27;
const LANDING_SITE: usize = 28;
const REFERRING_SITE: usize = 29;

/// The columns read, by English name then French variants; the other columns are ignored.
pub static FIELDS: [Field; 30] = [
    req(&["Name", "Nom", "Commande", "Numéro de commande"]),
    opt(&["Email", "E-mail", "Courriel", "Adresse e-mail"]),
    opt(&["Financial Status", "Statut financier", "Statut du paiement"]),
    req(&["Currency", "Devise"]),
    req(&["Subtotal", "Sous-total"]),
    opt(&["Shipping", "Expédition", "Livraison", "Frais de port"]),
    opt(&["Taxes", "TVA"]),
    req(&["Total"]),
    opt(&["Discount Code", "Code de réduction", "Code promo"]),
    opt(&[
        "Discount Amount",
        "Montant de la réduction",
        "Montant de réduction",
    ]),
    req(&["Created at", "Créé le", "Créée le", "Date de création"]),
    req(&["Lineitem quantity", "Quantité de l'article", "Quantité"]),
    req(&["Lineitem name", "Nom de l'article", "Article"]),
    req(&["Lineitem price", "Prix de l'article", "Prix"]),
    opt(&[
        "Lineitem sku",
        "SKU de l'article",
        "UGS de l'article",
        "SKU",
    ]),
    opt(&[
        "Cancelled at",
        "Annulée le",
        "Annulé le",
        "Date d'annulation",
    ]),
    opt(&["Refunded Amount", "Montant remboursé"]),
    opt(&["Source", "Canal de vente"]),
    opt(&["Tags", "Balises", "Étiquettes"]),
    opt(&["Phone", "Téléphone"]),
    opt(&["Billing Phone", "Téléphone de facturation"]),
    opt(&[
        "Shipping Phone",
        "Téléphone d'expédition",
        "Téléphone de livraison",
    ]),
    opt(&["Billing Name", "Nom de facturation"]),
    opt(&["Billing Country", "Pays de facturation"]),
    opt(&["Shipping Country", "Pays d'expédition", "Pays de livraison"]),
    opt(&[
        "Accepts Marketing",
        "Accepte le marketing",
        "Accepte les e-mails marketing",
    ]),
    opt(&[
        "Note Attributes",
        "Attributs de note",
        "Attributs de la note",
    ]),
    opt(&["Payment Method", "Mode de paiement", "Moyen de paiement"]),
    opt(&["Landing Site", "Page de destination"]),
    opt(&["Referring Site", "Site de référence", "Site référent"]),
];

struct Pending {
    name: String,
    order: Result<Box<OrderIn>, ImportError>,
    rows: Vec<ByteRecord>,
}

/// Streams a Shopify orders export as whole orders.
pub struct ShopifyOrders {
    pub src: CsvSource,
    tz: chrono_tz::Tz,
    keep_rows: bool,
    pending: Option<Pending>,
    pub rows_read: u64,
}

impl ShopifyOrders {
    /// `keep_rows`: keep each order's raw rows, for a reject file.
    pub fn new(src: CsvSource, tz: chrono_tz::Tz, keep_rows: bool) -> ShopifyOrders {
        ShopifyOrders {
            src,
            tz,
            keep_rows,
            pending: None,
            rows_read: 0,
        }
    }

    pub fn next_item(&mut self) -> Option<Item> {
        loop {
            let row = match self.src.next_row() {
                None => return self.pending.take().map(finish),
                Some(Err(error)) => {
                    // A row whose fields cannot be told apart belongs to no order we can name.
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
            let name = row.get(NAME).trim().to_string();
            let raw = self.keep_rows.then(|| row.raw());
            if let Some(p) = self.pending.as_mut().filter(|p| p.name == name) {
                if let Ok(order) = &mut p.order {
                    if let Err(e) = add_line(&row, order) {
                        p.order = Err(e);
                    }
                }
                p.rows.extend(raw);
                continue;
            }
            let order = if name.is_empty() {
                Err(ImportError::cell(
                    row.file(),
                    &row.place(NAME),
                    "",
                    CellError::expected("the order's name, such as #1001"),
                ))
            } else {
                parse_head(&row, &name, self.tz)
                    .and_then(|mut o| add_line(&row, &mut o).map(|()| o))
            };
            let next = Pending {
                name,
                order,
                rows: raw.into_iter().collect(),
            };
            if let Some(done) = self.pending.replace(next) {
                return Some(finish(done));
            }
        }
    }
}

fn finish(p: Pending) -> Item {
    match p.order {
        Ok(mut order) => {
            settle(&mut order);
            Item::Order(order)
        }
        Err(error) => Item::Rejected {
            error,
            rows: p.rows,
        },
    }
}

/// The order's own fields, from its first row.
fn parse_head(row: &Row<'_>, name: &str, tz: chrono_tz::Tz) -> Result<Box<OrderIn>, ImportError> {
    let style = row.style();
    let currency = row.get(CURRENCY).trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(ImportError::cell(
            row.file(),
            &row.place(CURRENCY),
            &currency,
            CellError::expected(format!(
                "an ISO currency code such as EUR on the first row of order {name} \
                 (line items must follow their order's own row)"
            )),
        ));
    }
    let placed_at = row.require(CREATED_AT, |t| instant(t, tz))?;
    let subtotal = row.require(SUBTOTAL, |t| cents(t, style))?;
    let shipping = row.parse(SHIPPING, |t| cents(t, style))?.unwrap_or(0);
    let taxes = row.parse(TAXES, |t| cents(t, style))?.unwrap_or(0);
    let total = row.require(TOTAL, |t| cents(t, style))?;
    let discount = row.parse(DISCOUNT_AMOUNT, |t| cents(t, style))?;
    let cancelled_at = row.parse(CANCELLED_AT, |t| instant(t, tz))?;
    // A voided order without a cancellation time (an unpaid order called off) never counted.
    let voided = row
        .get(FINANCIAL_STATUS)
        .trim()
        .eq_ignore_ascii_case("voided");
    let cancelled_at = cancelled_at.or(voided.then_some(placed_at));
    let refunded = row.parse(REFUNDED, |t| cents(t, style))?.unwrap_or(0);
    // Prices that include tax: Subtotal + Shipping = Total, and the tax is inside them.
    let tax_inclusive = taxes > 0 && (subtotal + shipping - total).abs() <= 1;
    let net = subtotal - if tax_inclusive { taxes } else { 0 };
    let discount_code = Some(row.get(DISCOUNT_CODE).trim().to_string()).filter(|c| !is_blank(c));
    let source = row.get(SOURCE).trim().to_string();
    let channel = order_channel(&Hints {
        note_attributes: &row.get(NOTE_ATTRIBUTES),
        landing_site: &row.get(LANDING_SITE),
        referring_site: &row.get(REFERRING_SITE),
        discount_code: discount_code.as_deref().unwrap_or(""),
        source: &source,
    });
    let payment = row.get(PAYMENT_METHOD).to_ascii_lowercase();
    let tags = row.get(TAGS).to_ascii_lowercase();
    let is_test = payment.contains("bogus")
        || payment.contains("for testing")
        || tags
            .split(',')
            .any(|t| matches!(t.trim(), "test" | "test order"));
    let phone = [PHONE, BILLING_PHONE, SHIPPING_PHONE]
        .iter()
        .find_map(|&f| normalise_phone(&row.get(f)));
    let email = row.get(EMAIL).trim().to_lowercase();
    let customer = customer_key(&email, phone.as_deref().unwrap_or("")).map(|key| CustomerIn {
        key,
        email: Some(email.clone()).filter(|e| e.contains('@')),
        phone: phone.clone(),
        first_name: row
            .get(BILLING_NAME)
            .split_whitespace()
            .next()
            .map(str::to_string),
        country: [BILLING_COUNTRY, SHIPPING_COUNTRY]
            .iter()
            .map(|&f| row.get(f).trim().to_string())
            .find(|c| !is_blank(c)),
        accepts_marketing: yes(&row.get(ACCEPTS_MARKETING)),
    });
    Ok(Box::new(OrderIn {
        external_id: name.to_string(),
        customer,
        placed_at,
        currency,
        channel: channel.key(),
        source_name: Some(source).filter(|s| !is_blank(s)),
        discount_code,
        gross_cents: 0,
        discount_cents: discount.unwrap_or(-1),
        net_cents: net,
        shipping_cents: shipping,
        tax_cents: taxes,
        total_cents: total,
        cancelled_at,
        is_test,
        lines: Vec::new(),
        refund: (refunded > 0).then_some(RefundIn {
            at: cancelled_at.unwrap_or(placed_at),
            amount_cents: refunded,
        }),
    }))
}

fn add_line(row: &Row<'_>, order: &mut OrderIn) -> Result<(), ImportError> {
    let style = row.style();
    let quantity = row.require(QUANTITY, |t| count(t, style))?;
    let price = row.require(LINE_PRICE, |t| cents(t, style))?;
    let title = row.get(LINE_NAME).trim().to_string();
    let sku = Some(row.get(LINE_SKU).trim().to_string()).filter(|s| !is_blank(s));
    order.lines.push(LineIn {
        sku,
        title,
        quantity,
        unit_price_cents: price,
        discount_cents: 0,
        net_cents: quantity * price,
    });
    Ok(())
}

/// Once all lines are in: gross, the discount, each line's share of the net, the refund's
/// merchandise part.
fn settle(order: &mut OrderIn) {
    let gross: Vec<i64> = order.lines.iter().map(|l| l.net_cents).collect();
    order.gross_cents = gross.iter().sum();
    for (line, net) in order
        .lines
        .iter_mut()
        .zip(allocate(order.net_cents, &gross))
    {
        line.discount_cents = line.quantity * line.unit_price_cents - net;
        line.net_cents = net;
    }
    if order.discount_cents < 0 {
        order.discount_cents = (order.gross_cents - order.net_cents).max(0);
    }
    if let Some(r) = &mut order.refund {
        // The export gives one refunded total, shipping and taxes included: the merchandise
        // part is at most the order's net merchandise.
        r.amount_cents = r.amount_cents.min(order.net_cents);
    }
}

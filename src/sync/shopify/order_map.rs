//! A Shopify Admin GraphQL `Order` (as the incremental query and the bulk JSONL give it) into
//! the importers' [`OrderIn`], with the meaning the CSV importer gives the export's columns
//! (README.md, "Shopify orders"), so that an order synced through the API and the same order
//! imported from an export are one order with the same figures:
//!
//! | export column        | GraphQL field                                   |
//! |----------------------|-------------------------------------------------|
//! | Name                 | `name` (the external id, `#1001`)               |
//! | Subtotal             | `subtotalPriceSet` (after discounts)            |
//! | Shipping, Taxes, Total | `totalShippingPriceSet`, `totalTaxSet`, `totalPriceSet` |
//! | Discount Code/Amount | `discountCodes`, `totalDiscountsSet`            |
//! | Refunded Amount      | `totalRefundedSet` (dated by the first refund)  |
//! | Cancelled at, Financial Status voided | `cancelledAt`, `displayFinancialStatus` |
//! | Lineitem name/price/sku/quantity | `lineItems { name originalUnitPriceSet sku quantity }` |
//! | Note Attributes, Landing/Referring Site, Source | `customAttributes`, `customerJourneySummary.lastVisit`, `sourceName` |
//! | test order (bogus gateway, `test` tag) | `test`, `tags`                 |
//!
//! Two differences are deliberate: the API says whether prices include tax
//! (`taxesIncluded`), where the CSV importer infers it from the totals; and a refund is
//! dated by Shopify's own refund time, which the export does not give.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::import::channel_map::{order_channel, Hints};
use crate::import::order::{
    allocate, customer_key, normalise_phone, CustomerIn, LineIn, OrderIn, RefundIn,
};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MoneyBag {
    pub shop_money: Money,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Money {
    pub amount: String,
    pub currency_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    pub first_name: Option<String>,
    pub country_code_v2: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MarketingConsent {
    pub marketing_state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Customer {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub email_marketing_consent: Option<MarketingConsent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Attribute {
    pub key: String,
    pub value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Utm {
    pub source: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Visit {
    pub landing_page: Option<String>,
    pub referrer_url: Option<String>,
    pub utm_parameters: Option<Utm>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Journey {
    pub last_visit: Option<Visit>,
    pub first_visit: Option<Visit>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Refund {
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LineItem {
    pub sku: Option<String>,
    pub name: String,
    pub quantity: i64,
    pub original_unit_price_set: MoneyBag,
    /// The order's id, on the bulk file's child lines.
    #[serde(rename = "__parentId")]
    pub parent_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LineItems {
    pub nodes: Vec<LineItem>,
}

/// The fields of an `Order` the queries ask for (`ORDER_FIELDS`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderNode {
    pub id: String,
    pub name: String,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub test: bool,
    pub tags: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub currency_code: Option<String>,
    pub taxes_included: bool,
    pub source_name: Option<String>,
    pub display_financial_status: Option<String>,
    pub discount_codes: Vec<String>,
    pub custom_attributes: Vec<Attribute>,
    pub customer_journey_summary: Option<Journey>,
    pub customer: Option<Customer>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub subtotal_price_set: MoneyBag,
    pub total_shipping_price_set: MoneyBag,
    pub total_tax_set: MoneyBag,
    pub total_price_set: MoneyBag,
    pub total_discounts_set: MoneyBag,
    pub total_refunded_set: MoneyBag,
    pub refunds: Vec<Refund>,
    /// Incremental query: nested; bulk JSONL: empty here, the lines come as child objects.
    pub line_items: LineItems,
}

/// The order fields both queries select (the bulk query adds nothing: its line items are
/// the `lineItems` connection, flattened by Shopify into child lines).
pub const ORDER_FIELDS: &str = "id name createdAt updatedAt cancelledAt test tags email phone \
currencyCode taxesIncluded sourceName displayFinancialStatus discountCodes \
customAttributes { key value } \
customerJourneySummary { lastVisit { landingPage referrerUrl utmParameters { source } } \
firstVisit { landingPage referrerUrl utmParameters { source } } } \
customer { email phone firstName emailMarketingConsent { marketingState } } \
billingAddress { firstName countryCodeV2 phone } shippingAddress { countryCodeV2 phone } \
subtotalPriceSet { shopMoney { amount currencyCode } } \
totalShippingPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } \
totalPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } } \
totalRefundedSet { shopMoney { amount } } refunds { createdAt }";

/// The line item fields.
pub const LINE_FIELDS: &str = "sku name quantity originalUnitPriceSet { shopMoney { amount } }";

/// A decimal amount as Shopify writes it (`"12.5"`, `"-3.00"`, `"1200"`) into minor units,
/// exactly (no floating point); more than two decimals are rounded half away from zero.
pub fn amount_cents(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok || int.len() > 15 {
        return Err(format!("{text:?} is not an amount"));
    }
    let whole: i64 = int
        .parse()
        .map_err(|_| format!("{text:?} is not an amount"))?;
    let mut f = frac.bytes().map(|b| i64::from(b - b'0'));
    let (d1, d2, d3) = (
        f.next().unwrap_or(0),
        f.next().unwrap_or(0),
        f.next().unwrap_or(0),
    );
    let cents = whole * 100 + d1 * 10 + d2 + i64::from(d3 >= 5);
    Ok(if neg { -cents } else { cents })
}

impl OrderNode {
    fn money(&self, bag: &MoneyBag, field: &str) -> Result<i64, String> {
        amount_cents(&bag.shop_money.amount)
            .map_err(|e| format!("order {}: {field}: {e}", self.name))
    }

    /// The order as the store takes it. `lines`: the bulk JSONL's child lines (the
    /// incremental query's nested ones are used when this is empty).
    pub fn into_order(mut self, mut lines: Vec<LineItem>) -> Result<OrderIn, String> {
        if self.name.trim().is_empty() {
            return Err(format!("order {} has no name", self.id));
        }
        if lines.is_empty() {
            lines = std::mem::take(&mut self.line_items.nodes);
        }
        let placed_at = self
            .created_at
            .ok_or_else(|| format!("order {} has no createdAt", self.name))?;
        let currency = self
            .currency_code
            .clone()
            .or_else(|| self.subtotal_price_set.shop_money.currency_code.clone())
            .unwrap_or_default()
            .to_ascii_uppercase();
        if currency.len() != 3 {
            return Err(format!("order {} has no currency code", self.name));
        }
        let subtotal = self.money(&self.subtotal_price_set, "subtotalPriceSet")?;
        let shipping = self.money(&self.total_shipping_price_set, "totalShippingPriceSet")?;
        let taxes = self.money(&self.total_tax_set, "totalTaxSet")?;
        let total = self.money(&self.total_price_set, "totalPriceSet")?;
        let discount = self.money(&self.total_discounts_set, "totalDiscountsSet")?;
        let refunded = self.money(&self.total_refunded_set, "totalRefundedSet")?;
        let voided = self
            .display_financial_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("voided"));
        let cancelled_at = self.cancelled_at.or(voided.then_some(placed_at));
        let net = subtotal - if self.taxes_included { taxes } else { 0 };
        let discount_code = Some(self.discount_codes.join(", ")).filter(|c| !c.trim().is_empty());
        let source = self.source_name.clone().unwrap_or_default();
        let notes: String = self
            .custom_attributes
            .iter()
            .map(|a| format!("{}: {}\n", a.key, a.value.as_deref().unwrap_or("")))
            .collect();
        let visit = self
            .customer_journey_summary
            .as_ref()
            .and_then(|j| j.last_visit.as_ref().or(j.first_visit.as_ref()));
        let mut landing = visit
            .and_then(|v| v.landing_page.clone())
            .unwrap_or_default();
        if let Some(utm) = visit.and_then(|v| v.utm_parameters.as_ref()?.source.clone()) {
            if !landing.to_ascii_lowercase().contains("utm_source") {
                landing.push_str(&format!(" utm_source={utm}"));
            }
        }
        let referrer = visit
            .and_then(|v| v.referrer_url.clone())
            .unwrap_or_default();
        let channel = order_channel(&Hints {
            note_attributes: &notes,
            landing_site: &landing,
            referring_site: &referrer,
            discount_code: self.discount_codes.first().map_or("", String::as_str),
            source: &source,
        });
        let is_test = self.test
            || self.tags.iter().any(|t| {
                matches!(
                    t.trim().to_ascii_lowercase().as_str(),
                    "test" | "test order"
                )
            });
        let customer = self.customer.take().unwrap_or_default();
        let email = self
            .email
            .clone()
            .or(customer.email.clone())
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        let phone = [
            self.phone.as_deref(),
            customer.phone.as_deref(),
            self.billing_address
                .as_ref()
                .and_then(|a| a.phone.as_deref()),
            self.shipping_address
                .as_ref()
                .and_then(|a| a.phone.as_deref()),
        ]
        .into_iter()
        .flatten()
        .find_map(normalise_phone);
        let customer = customer_key(&email, phone.as_deref().unwrap_or("")).map(|key| CustomerIn {
            key,
            email: Some(email.clone()).filter(|e| e.contains('@')),
            phone: phone.clone(),
            first_name: self
                .billing_address
                .as_ref()
                .and_then(|a| a.first_name.clone())
                .or(customer.first_name.clone())
                .and_then(|n| n.split_whitespace().next().map(str::to_string)),
            country: [&self.billing_address, &self.shipping_address]
                .into_iter()
                .flatten()
                .find_map(|a| a.country_code_v2.clone().filter(|c| !c.trim().is_empty())),
            accepts_marketing: customer
                .email_marketing_consent
                .as_ref()
                .and_then(|c| c.marketing_state.as_deref())
                .is_some_and(|s| s.eq_ignore_ascii_case("subscribed")),
        });
        let mut out_lines = Vec::with_capacity(lines.len());
        for line in lines {
            let price = amount_cents(&line.original_unit_price_set.shop_money.amount)
                .map_err(|e| format!("order {}: line {:?}: {e}", self.name, line.name))?;
            out_lines.push(LineIn {
                sku: line
                    .sku
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().to_string()),
                title: line.name.trim().to_string(),
                quantity: line.quantity,
                unit_price_cents: price,
                discount_cents: 0,
                net_cents: line.quantity * price,
            });
        }
        let gross: Vec<i64> = out_lines.iter().map(|l| l.net_cents).collect();
        for (line, share) in out_lines.iter_mut().zip(allocate(net, &gross)) {
            line.discount_cents = line.quantity * line.unit_price_cents - share;
            line.net_cents = share;
        }
        let refund_at = self
            .refunds
            .iter()
            .filter_map(|r| r.created_at)
            .min()
            .unwrap_or(cancelled_at.unwrap_or(placed_at));
        Ok(OrderIn {
            external_id: self.name.trim().to_string(),
            customer,
            placed_at,
            currency,
            channel: channel.key(),
            source_name: Some(source).filter(|s| !s.trim().is_empty()),
            discount_code,
            gross_cents: gross.iter().sum(),
            discount_cents: discount,
            net_cents: net,
            shipping_cents: shipping,
            tax_cents: taxes,
            total_cents: total,
            cancelled_at,
            is_test,
            lines: out_lines,
            refund: (refunded > 0).then_some(RefundIn {
                at: refund_at,
                // As the CSV importer: the refunded total includes shipping and taxes; the
                // merchandise part is at most the order's net merchandise.
                amount_cents: refunded.min(net),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly() {
        assert_eq!(amount_cents("12.5"), Ok(1250));
        assert_eq!(amount_cents("0.07"), Ok(7));
        assert_eq!(amount_cents("1200"), Ok(120000));
        assert_eq!(amount_cents("-3.00"), Ok(-300));
        assert_eq!(amount_cents("19.995"), Ok(2000));
        assert!(amount_cents("1e3").is_err());
        assert_eq!(amount_cents(""), Ok(0));
    }

    #[test]
    fn an_order_node_becomes_the_order_the_csv_importer_would_write() {
        let node: OrderNode = serde_json::from_value(serde_json::json!({
            "id": "gid://shopify/Order/1", "name": "#1001",
            "createdAt": "2026-03-02T09:00:00Z", "updatedAt": "2026-03-02T09:00:00Z",
            "email": " Alice@Example.com ", "currencyCode": "EUR", "taxesIncluded": true,
            "sourceName": "web", "discountCodes": ["NEWSLETTER10"],
            "subtotalPriceSet": {"shopMoney": {"amount": "90.00"}},
            "totalShippingPriceSet": {"shopMoney": {"amount": "5.00"}},
            "totalTaxSet": {"shopMoney": {"amount": "15.00"}},
            "totalPriceSet": {"shopMoney": {"amount": "95.00"}},
            "totalDiscountsSet": {"shopMoney": {"amount": "10.00"}},
            "totalRefundedSet": {"shopMoney": {"amount": "0.00"}},
            "lineItems": {"nodes": [
                {"sku": "A", "name": "Mug", "quantity": 2, "originalUnitPriceSet": {"shopMoney": {"amount": "30.00"}}},
                {"sku": "B", "name": "Tee", "quantity": 1, "originalUnitPriceSet": {"shopMoney": {"amount": "40.00"}}}
            ]}
        }))
        .unwrap();
        let o = node.into_order(Vec::new()).unwrap();
        assert_eq!(o.external_id, "#1001");
        assert_eq!(o.customer.as_ref().unwrap().key, "alice@example.com");
        assert_eq!(o.channel, "email", "the discount code names the newsletter");
        assert_eq!(
            (o.gross_cents, o.net_cents, o.discount_cents),
            (10000, 7500, 1000)
        );
        // 75 € net split 60:40 over the lines.
        assert_eq!(
            o.lines.iter().map(|l| l.net_cents).collect::<Vec<_>>(),
            vec![4500, 3000]
        );
        assert!(o.refund.is_none());
    }
}

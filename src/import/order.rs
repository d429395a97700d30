//! An order as importers hand it to the store: parsed, checked, in minor units, with its
//! customer identity and lines. Shopify exports and generic transaction files both end here,
//! so both get the same customer deduplication, upsert and change detection.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

/// Who placed an order, identified by [`customer_key`].
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct CustomerIn {
    pub key: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub country: Option<String>,
    pub accepts_marketing: bool,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct LineIn {
    pub sku: Option<String>,
    pub title: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub discount_cents: i64,
    pub net_cents: i64,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct RefundIn {
    pub at: DateTime<Utc>,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct OrderIn {
    pub external_id: String,
    pub customer: Option<CustomerIn>,
    pub placed_at: DateTime<Utc>,
    pub currency: String,
    pub channel: &'static str,
    pub source_name: Option<String>,
    pub discount_code: Option<String>,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub net_cents: i64,
    pub shipping_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub is_test: bool,
    pub lines: Vec<LineIn>,
    pub refund: Option<RefundIn>,
}

/// One order read from a file, or the reason it was set aside with its raw rows.
pub enum Item {
    Order(Box<OrderIn>),
    Rejected {
        error: super::error::ImportError,
        rows: Vec<csv::ByteRecord>,
    },
}

/// FNV-1a, 64 bits: a stable fingerprint (std's default hasher may change between
/// releases; a change here would only make the next import rewrite every order once).
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl OrderIn {
    /// The fingerprint stored in `orders.content_hash`.
    pub fn content_hash(&self) -> String {
        let mut h = Fnv::default();
        self.hash(&mut h);
        format!("{:016x}", h.finish())
    }
}

/// The canonical customer id: the e-mail trimmed and lower-cased, else `phone:` and the
/// phone's digits (with a leading `+` kept), else none (a guest order).
pub fn customer_key(email: &str, phone: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    if email.contains('@') {
        return Some(email);
    }
    let phone = normalise_phone(phone)?;
    Some(format!("phone:{phone}"))
}

/// `+33 6 12-34-56-78` → `+33612345678`; fewer than 6 digits is not a phone.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let trimmed = phone.trim().trim_start_matches('\'');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return None;
    }
    Some(if trimmed.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// Splits `total` across parts in proportion to `weights`, exactly (largest remainder;
/// ties to the earlier part). All-zero weights split evenly.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    let weights: Vec<i128> = if sum == 0 {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|&w| i128::from(w.max(0))).collect()
    };
    let sum: i128 = weights.iter().sum();
    let total = i128::from(total);
    let mut parts: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut left = total - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((total * weights[i] % sum).abs()));
    let step = left.signum();
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += step;
        left -= step;
    }
    parts.into_iter().map(|p| p as i64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_are_keyed_by_email_then_phone() {
        assert_eq!(
            customer_key("  Alice@Example.COM ", "+33 6 12"),
            Some("alice@example.com".into())
        );
        assert_eq!(
            customer_key("", "+00 075-342-244"),
            Some("phone:+00075342244".into())
        );
        assert_eq!(customer_key("", "-"), None);
    }

    #[test]
    fn allocation_is_exact_and_proportional() {
        assert_eq!(allocate(5301, &[5701]), vec![5301]);
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(1000, &[3000, 1000]), vec![750, 250]);
        assert_eq!(allocate(10, &[0, 0]), vec![5, 5]);
        assert_eq!(allocate(-7, &[1, 1]).iter().sum::<i64>(), -7);
    }
}

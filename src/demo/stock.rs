//! The demo shop's warehouse: stock per SKU, purchase orders and their receipts.
//!
//! Each SKU follows a reorder-point policy: when stock plus what is on order falls under
//! the expected demand over the supplier lead time plus three weeks, a purchase order for
//! 45–75 days of demand is placed; it arrives around its expected date (sometimes late).
//! Demand is learnt from what customers *wanted*, stock-outs included. Stock never goes
//! negative: an order that finds a SKU out of stock takes what is left, or the customer
//! picks another product, or the line is lost (lost sales, no backorders).
//!
//! The planted situation lives here too: the hero serum is managed by hand over the last
//! months so that on the last day it holds only about a week of cover while its next
//! purchase order, placed ten days before the end, is still on the way.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::calendar::Calendar;
use super::catalog::Catalog;
use super::rows::{Rows, Table, Val};

pub struct PurchaseOrder {
    pub sku: usize,
    pub ordered: i64,
    pub expected: i64,
    pub received: Option<usize>,
    pub quantity: i64,
    pub unit_cost: i64,
}

pub struct Stock {
    on_hand: Vec<i64>,
    on_order: Vec<i64>,
    /// Smoothed daily demand (units wanted), per SKU.
    rate: Vec<f64>,
    wanted: Vec<i64>,
    /// Receipts per day: (SKU, units, cost per unit).
    receipts: Vec<Vec<(usize, i64, i64)>>,
    restocks: Vec<Vec<(usize, i64)>>,
    pub purchase_orders: Vec<PurchaseOrder>,
    hero: usize,
    /// Units of the hero serum sold per day (the cover the cockpit computes uses them).
    hero_sold: Vec<i64>,
    last: usize,
}

/// The hero serum is managed by hand from this many days before the end (long enough for
/// whatever the regular policy left on the shelf to sell through).
const HERO_MANAGED_DAYS: usize = 180;
/// Days of cover a hand-managed receipt leaves for the end date.
const HERO_END_COVER: f64 = 7.0;

impl Stock {
    /// Opening stock of 35–70 days of demand; products launched later get a first receipt
    /// on their launch day. `units_per_day` is the shop's expected daily units at each SKU's
    /// start, for a first guess of demand.
    pub fn new(
        rng: &mut ChaCha8Rng,
        cal: &Calendar,
        catalog: &Catalog,
        shares: &[f64],
        units_per_day: f64,
    ) -> Stock {
        let n = catalog.skus.len();
        let mut stock = Stock {
            on_hand: vec![0; n],
            on_order: vec![0; n],
            rate: shares.iter().map(|s| s * units_per_day).collect(),
            wanted: vec![0; n],
            receipts: vec![Vec::new(); cal.days],
            restocks: vec![Vec::new(); cal.days],
            purchase_orders: Vec::new(),
            hero: catalog.hero,
            hero_sold: vec![0; cal.days],
            last: cal.days - 1,
        };
        for (i, sku) in catalog.skus.iter().enumerate() {
            let days_of_stock = rng.gen_range(35.0..70.0);
            let units = round_up_to_case(stock.rate[i] * days_of_stock);
            let cost = sku.plan[0].cost;
            if sku.launch_day == 0 {
                stock.on_hand[i] = units;
            } else {
                stock.order(
                    i,
                    sku.launch_day as i64 - sku.lead_time as i64,
                    sku.launch_day,
                    units,
                    cost,
                    Some(sku.launch_day),
                );
            }
        }
        stock
    }

    /// Receipts and restocked returns arrive before the shop opens; returns what the
    /// received goods cost (paid on receipt).
    pub fn start_of_day(&mut self, d: usize) -> i64 {
        let mut paid = 0;
        for (sku, units, cost) in std::mem::take(&mut self.receipts[d]) {
            self.on_hand[sku] += units;
            self.on_order[sku] -= units;
            paid += units * cost;
        }
        for (sku, units) in std::mem::take(&mut self.restocks[d]) {
            self.on_hand[sku] += units;
        }
        paid
    }

    /// Takes up to `units` of `sku` for an order (only counting them when `commit`);
    /// returns how many the shop could serve.
    pub fn take(&mut self, d: usize, sku: usize, units: i64, commit: bool) -> i64 {
        let served = units.min(self.on_hand[sku]);
        if commit {
            self.wanted[sku] += units;
            self.on_hand[sku] -= served;
            if sku == self.hero {
                self.hero_sold[d] += served;
            }
        }
        served
    }

    pub fn restock_on(&mut self, day: usize, sku: usize, units: i64) {
        self.restocks[day].push((sku, units));
    }

    /// Records the day's closing stock, learns demand and places purchase orders.
    pub fn end_of_day(
        &mut self,
        rng: &mut ChaCha8Rng,
        cal: &Calendar,
        catalog: &Catalog,
        d: usize,
        costs: &[i64],
        rows: &mut Rows,
    ) {
        let date = cal.date(d);
        for (i, sku) in catalog.skus.iter().enumerate() {
            if d < sku.launch_day {
                continue;
            }
            rows.push(
                Table::InventoryLevels,
                [
                    Val::Text(sku.code.clone()),
                    Val::Date(date),
                    Val::Int(self.on_hand[i]),
                ],
            );
            self.rate[i] += (self.wanted[i] as f64 - self.rate[i]) / 21.0;
            self.wanted[i] = 0;
            let lead = sku.lead_time;
            if i == self.hero && d + HERO_MANAGED_DAYS >= self.last {
                self.manage_hero(d, lead, costs[i]);
                continue;
            }
            let position = (self.on_hand[i] + self.on_order[i]) as f64;
            if position < self.rate[i] * (lead as f64 + 21.0) && self.rate[i] > 0.05 {
                let units = round_up_to_case(self.rate[i] * rng.gen_range(45.0..75.0));
                let late = if rng.gen_bool(0.15) {
                    rng.gen_range(4..=12)
                } else {
                    rng.gen_range(-2..=3)
                };
                let received = (d as i64 + (lead as i64 + late).max(3)) as usize;
                let expected = d + lead;
                self.order(
                    i,
                    d as i64,
                    expected,
                    units,
                    costs[i],
                    (received <= self.last).then_some(received),
                );
            }
        }
    }

    /// The planted stock situation. When the hero serum is down to three days of its recent
    /// sales, a receipt the next day brings it to what it needs until the end date plus a
    /// week (two weeks at most), by the unit: whatever happens, the end date is left with
    /// about a week of cover and no stock-out before. Ten days before the end, an order is
    /// placed that is due after it.
    fn manage_hero(&mut self, d: usize, lead: usize, cost: i64) {
        let hero = self.hero;
        let per_day =
            (self.hero_sold[d.saturating_sub(27)..=d].iter().sum::<i64>() as f64 / 28.0).max(0.2);
        let on_hand = self.on_hand[hero];
        if d + 2 <= self.last && (on_hand as f64) < 3.0 * per_day {
            let days = ((self.last - d - 1) as f64 + HERO_END_COVER).min(14.0);
            let units = (per_day * days).ceil() as i64 - on_hand;
            if units > 0 {
                self.order(
                    hero,
                    (d + 1) as i64 - lead as i64,
                    d + 1,
                    units,
                    cost,
                    Some(d + 1),
                );
            }
        }
        if d + 10 == self.last {
            let units = round_up_to_case(per_day * 60.0);
            let expected = (d + lead).max(self.last + 4);
            self.order(hero, d as i64, expected, units, cost, None);
        }
    }

    fn order(
        &mut self,
        sku: usize,
        ordered: i64,
        expected: usize,
        quantity: i64,
        unit_cost: i64,
        received: Option<usize>,
    ) {
        self.on_order[sku] += quantity;
        if let Some(day) = received {
            self.receipts[day].push((sku, quantity, unit_cost));
        }
        self.purchase_orders.push(PurchaseOrder {
            sku,
            ordered,
            expected: expected as i64,
            received,
            quantity,
            unit_cost,
        });
    }

    /// Every purchase order, numbered in the order they were placed.
    pub fn write_purchase_orders(
        &mut self,
        cal: &Calendar,
        catalog: &Catalog,
        rows: &mut Rows,
    ) -> usize {
        self.purchase_orders.sort_by_key(|po| (po.ordered, po.sku));
        let day = |n: i64| cal.first_day + chrono::Duration::days(n);
        for (id, po) in self.purchase_orders.iter().enumerate() {
            rows.push(
                Table::PurchaseOrders,
                [
                    Val::Int(id as i64 + 1),
                    Val::Text(catalog.skus[po.sku].code.clone()),
                    Val::Date(day(po.ordered)),
                    Val::Date(day(po.expected)),
                    po.received
                        .map_or(Val::NullDate, |r| Val::Date(day(r as i64))),
                    Val::Int(po.quantity),
                    Val::Int(po.unit_cost),
                ],
            );
        }
        self.purchase_orders.len()
    }
}

/// Suppliers ship by cases of 12, at least two cases.
fn round_up_to_case(units: f64) -> i64 {
    let cases = (units / 12.0).ceil().max(2.0) as i64;
    cases * 12
}

//! One order of the demo shop, from intent to rows: its channel, its lines (served from
//! stock), its discount code, VAT and shipping, the customer it creates, the refund it may
//! get and the marketing touches before it.
//!
//! Money is integer cents throughout: a discount is split over the lines pro rata with the
//! leftover cents on the first lines, so the lines' net always adds up to the order's net.
//! Prices are VAT-excluded; VAT is 20 % of merchandise plus shipping; shipping (4.90 €) is
//! free from 60 € of net merchandise.

use chrono::Duration;
use rand::Rng;

use super::finance::DayCash;
use super::marketing::DayStats;
use super::people::{self, pick, Customer, BEHAVIOUR, CHANNELS, DIRECT, META};
use super::rows::{Rows, Table, Val};
use super::sim::{channel_weights, Kind, Sim, DAYS};
use crate::domain::local_day;

const CANCEL_RATE: f64 = 0.005;
const REFUND_RATE: f64 = 0.05;
const FREE_SHIPPING_FROM: i64 = 6_000;
const SHIPPING: i64 = 490;

/// What one day's orders add up to, filled order by order.
pub struct Day {
    pub d: usize,
    /// Whether the planted Meta collapse is on.
    pub collapse: bool,
    pub stats: DayStats,
    pub cash: DayCash,
    pub rows: Rows,
}

impl Sim {
    /// Places the order `kind` at local `second` of the day, or loses it when nothing it
    /// wants is in stock.
    pub(super) fn place(&mut self, day: &mut Day, second: u32, kind: Kind) {
        let d = day.d;
        let test = matches!(kind, Kind::Test);
        let cancelled = !test && self.rng.gen_bool(CANCEL_RATE);
        let counted = !test && !cancelled;
        let channel = self.channel_for(kind, day.collapse);
        let lines = self.pick_lines(d, kind, counted);
        if lines.is_empty() {
            if let Kind::Repeat(i) = kind {
                self.schedule(i as usize, d);
            }
            return; // a lost sale
        }

        let order_id = self.next_order;
        self.next_order += 1;
        let placed_at = self.cal.instant(d, second);
        let (local_date, day_no) = local_day(placed_at, self.cal.tz);
        let customer = match kind {
            Kind::New(c) => Some(self.new_customer(c, lines[0].0, placed_at, &mut day.rows)),
            Kind::Repeat(i) => Some(i as i64 + 1),
            Kind::Guest(_) | Kind::Test => None,
        };

        let code = if test {
            None
        } else {
            self.discount_code(d, kind)
        };
        let line_gross: Vec<i64> = lines
            .iter()
            .map(|&(sku, q)| q * self.current[sku].price)
            .collect();
        let gross: i64 = line_gross.iter().sum();
        let discount = code.map_or(0, |(_, pct)| (gross * pct + 50) / 100);
        let mut line_discount: Vec<i64> = line_gross.iter().map(|g| discount * g / gross).collect();
        let short = discount - line_discount.iter().sum::<i64>();
        for ld in line_discount.iter_mut().take(short as usize) {
            *ld += 1;
        }
        let net = gross - discount;
        let shipping = if net >= FREE_SHIPPING_FROM {
            0
        } else {
            SHIPPING
        };
        let tax = ((net + shipping) * 20 + 50) / 100;
        let total = net + shipping + tax;
        let external_id = format!("#{}", 100_000 + order_id);
        let cancelled_at =
            cancelled.then(|| placed_at + Duration::minutes(self.rng.gen_range(5..180)));
        day.rows.push(
            Table::Orders,
            [
                Val::Int(order_id),
                Val::Str("demo"),
                Val::Text(external_id.clone()),
                customer.map_or(Val::NullInt, Val::Int),
                Val::Ts(placed_at),
                Val::Date(local_date),
                Val::Int(day_no),
                Val::Str("EUR"),
                Val::Str(CHANNELS[channel].key()),
                Val::Str(if test { "shopify_draft_order" } else { "web" }),
                code.map_or(Val::NullText, |(c, _)| Val::Str(c)),
                Val::Int(gross),
                Val::Int(discount),
                Val::Int(net),
                Val::Int(shipping),
                Val::Int(tax),
                Val::Int(total),
                cancelled_at.map_or(Val::NullTs, Val::Ts),
                Val::Bool(test),
                Val::Ts(placed_at),
            ],
        );
        for (n, &(sku, qty)) in lines.iter().enumerate() {
            day.rows.push(
                Table::OrderLines,
                [
                    Val::Int(order_id),
                    Val::Int(n as i64 + 1),
                    Val::Text(self.catalog.skus[sku].code.clone()),
                    Val::Text(self.catalog.skus[sku].line_title.clone()),
                    Val::Int(qty),
                    Val::Int(self.current[sku].price),
                    Val::Int(line_discount[n]),
                    Val::Int(line_gross[n] - line_discount[n]),
                    Val::Int(self.current[sku].cost),
                ],
            );
        }

        if counted {
            day.stats.orders[channel] += 1;
            day.stats.total_cents[channel] += total;
            self.finance.revenue[d] += net;
            day.cash.collected += total;
            day.cash.tax += tax;
            day.cash.orders += 1;
            if self.rng.gen_bool(REFUND_RATE) {
                let l = self.rng.gen_range(0..lines.len());
                let line_net = line_gross[l] - line_discount[l];
                self.refund(d, order_id, &external_id, lines[l], line_net, &mut day.rows);
            }
        }
        if let Some(customer_id) = customer {
            let first = matches!(kind, Kind::New(_));
            if first || self.rng.gen_bool(0.3) {
                for (at, ch, campaign) in people::journey(&mut self.rng, placed_at, channel, first)
                {
                    day.rows.push(
                        Table::Touches,
                        [
                            Val::Int(self.next_touch),
                            Val::Int(customer_id),
                            Val::Int(order_id),
                            Val::Ts(at),
                            Val::Str(CHANNELS[ch].key()),
                            campaign.map_or(Val::NullText, Val::Str),
                        ],
                    );
                    self.next_touch += 1;
                }
            }
            self.schedule(customer_id as usize - 1, d);
        }
    }

    /// New customers and guests come through their acquisition channel; returning ones
    /// mostly through e-mail, direct and organic. During the planted collapse, Meta's
    /// retargeting stops converting: 40 % of those buyers come back direct instead.
    fn channel_for(&mut self, kind: Kind, collapse: bool) -> usize {
        match kind {
            Kind::New(c) | Kind::Guest(c) => c,
            Kind::Repeat(i) => {
                let acquisition = self.customers[i as usize].acquisition as usize;
                let c = pick(
                    &mut self.rng,
                    &channel_weights(BEHAVIOUR[acquisition].repeat_channels),
                );
                if c == META && collapse && self.rng.gen_bool(0.4) {
                    DIRECT
                } else {
                    c
                }
            }
            Kind::Test => DIRECT,
        }
    }

    /// One to four distinct SKUs: a returning customer's favourite comes back often; an
    /// empty shelf means a smaller quantity, a substitute, or no line.
    fn pick_lines(&mut self, d: usize, kind: Kind, counted: bool) -> Vec<(usize, i64)> {
        let favourite = match kind {
            Kind::Repeat(i) => Some(self.customers[i as usize].favourite as usize),
            _ => None,
        };
        let mut lines: Vec<(usize, i64)> = Vec::with_capacity(4);
        let wanted_lines = pick(&mut self.rng, &[(1, 0.60), (2, 0.28), (3, 0.10), (4, 0.02)]);
        for l in 0..wanted_lines {
            let qty = pick(&mut self.rng, &[(1, 0.88), (2, 0.10), (3, 0.02)]);
            for attempt in 0..3 {
                let sku = match favourite {
                    Some(f) if l == 0 && attempt == 0 && self.rng.gen_bool(0.45) => f,
                    _ => self.sample_sku(),
                };
                if lines.iter().any(|l| l.0 == sku) {
                    continue;
                }
                let served = self.stock.take(d, sku, qty, counted);
                if served > 0 {
                    lines.push((sku, served));
                    break;
                }
            }
        }
        lines
    }

    /// Black Friday week and the Christmas run bring their own codes; otherwise a welcome
    /// code for some first orders and a loyalty code for a few returning ones.
    fn discount_code(&mut self, d: usize, kind: Kind) -> Option<(&'static str, i64)> {
        if self.cal.is_black_friday_week(d) && self.rng.gen_bool(0.55) {
            return Some(("BLACKFRIDAY", 15));
        }
        if self.cal.is_christmas_run(d) && self.rng.gen_bool(0.15) {
            return Some(("NOEL10", 10));
        }
        match kind {
            Kind::New(_) if self.rng.gen_bool(0.22) => Some(("BIENVENUE10", 10)),
            Kind::Repeat(_) if self.rng.gen_bool(0.08) => Some(("FIDELITE15", 15)),
            Kind::Guest(_) if self.rng.gen_bool(0.05) => Some(("BIENVENUE10", 10)),
            _ => None,
        }
    }

    fn new_customer(
        &mut self,
        channel: usize,
        first_sku: usize,
        placed_at: chrono::DateTime<chrono::Utc>,
        rows: &mut Rows,
    ) -> i64 {
        let id = self.customers.len() as i64 + 1;
        let who = people::identity(&mut self.rng, id, channel);
        let opener = who.accepts_marketing && self.mail_rng.gen_bool(super::sim::OPENER_SHARE);
        self.customers.push(Customer {
            acquisition: channel as u8,
            favourite: first_sku as u16,
            name: who.name,
            opener,
        });
        rows.push(
            Table::Customers,
            [
                Val::Int(id),
                Val::Text(who.email.clone()),
                Val::Text(who.email),
                who.phone.map_or(Val::NullText, Val::Text),
                Val::Str(who.first_name),
                Val::Str(who.country),
                Val::Ts(placed_at),
                Val::Bool(who.accepts_marketing),
            ],
        );
        id
    }

    /// One line refunded 5–25 days later (unless that is after the history ends): in full,
    /// mostly put back in stock, or half of one unit as a goodwill gesture.
    fn refund(
        &mut self,
        d: usize,
        order_id: i64,
        external_id: &str,
        (sku, qty): (usize, i64),
        line_net: i64,
        rows: &mut Rows,
    ) {
        let day = d + self.rng.gen_range(5..=25);
        if day >= DAYS {
            return;
        }
        let (amount, units, restocked, reason) = if self.rng.gen_bool(0.22) {
            let reason = ["Geste commercial", "Produit endommagé"][self.rng.gen_range(0..2)];
            (line_net / qty / 2, 1, false, reason)
        } else {
            let reasons = [
                "Ne convient pas",
                "Produit endommagé",
                "Réaction cutanée",
                "Erreur de commande",
                "Colis perdu",
            ];
            let reason = reasons[self.rng.gen_range(0..reasons.len())];
            (line_net, qty, self.rng.gen_bool(0.9), reason)
        };
        let refunded_at = self
            .cal
            .instant(day, self.rng.gen_range(9 * 3600..19 * 3600));
        let (local_date, _) = local_day(refunded_at, self.cal.tz);
        rows.push(
            Table::Refunds,
            [
                Val::Int(self.next_refund),
                Val::Int(order_id),
                Val::Text(format!("{external_id}-R1")),
                Val::Ts(refunded_at),
                Val::Date(local_date),
                Val::Int(amount),
                Val::Text(self.catalog.skus[sku].code.clone()),
                Val::Int(units),
                Val::Bool(restocked),
                Val::Str(reason),
            ],
        );
        self.next_refund += 1;
        self.finance.add_refund(day, amount);
        if restocked {
            self.stock.restock_on(day, sku, units);
        }
    }
}

//! The day-by-day simulation of the demo shop: who orders what, when, through which
//! channel, and what follows (refunds, touches, stock, marketing, cash).
//!
//! Each day, new customers arrive per channel (Poisson, following the calendar, a slight
//! growth trend and an early acquisition push while the returning base builds up), customers
//! due for a repeat purchase come back, a few guests and test orders appear; their orders are
//! placed in time order so stock is consumed as it would be. After an order, the customer is
//! scheduled for a next purchase with their acquisition channel's loyalty and rhythm, thinned
//! towards busy days (so Black Friday and December lift returning customers too). The day's
//! rows are sent to the writer as soon as the day is done: memory stays flat whatever the
//! scale; only compact per-customer state (`Customer`, 4 bytes) and the repeat calendar grow.

use anyhow::anyhow;
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};
use tokio::sync::mpsc::Sender;

use super::calendar::Calendar;
use super::catalog::{Catalog, PricePoint};
use super::finance::{DayCash, Finance};
use super::marketing::{self, DayStats};
use super::people::{self, pick, Customer, BEHAVIOUR, CHANNELS, DIRECT, META};
use super::sink::{Rows, Table, Val, TABLES};
use super::stock::Stock;
use crate::domain::local_day;

/// Days of history, ending on the last complete day.
pub const DAYS: usize = 730;
/// New customers per ordinary day at scale 1, before season, trend and the early push.
const NEW_PER_DAY: f64 = 37.5;
const GUESTS_PER_DAY: f64 = 2.5;
/// The early acquisition push: +80 % on the first day, fading over ~4 months.
const PUSH: f64 = 0.8;
const PUSH_DAYS: f64 = 120.0;
const TEST_ORDERS_PER_DAY: f64 = 12.0 / 730.0;
const CANCEL_RATE: f64 = 0.005;
const REFUND_RATE: f64 = 0.05;
/// Days, counted back from the end, of the planted Meta collapse.
pub const META_COLLAPSE_DAYS: usize = 5;

pub struct Params {
    pub seed: u64,
    pub scale: f64,
    pub end_date: NaiveDate,
    pub tz: Tz,
}

pub struct Outcome {
    pub rows: [u64; TABLES],
    pub first_day: NaiveDate,
}

#[derive(Clone, Copy)]
enum Kind {
    New(usize),
    Repeat(u32),
    Guest(usize),
    Test,
}

struct Sim {
    scale: f64,
    cal: Calendar,
    catalog: Catalog,
    stock: Stock,
    finance: Finance,
    rng: ChaCha8Rng,
    market_rng: ChaCha8Rng,
    customers: Vec<Customer>,
    due: Vec<Vec<u32>>,
    gaps: Vec<Gamma<f64>>,
    current: Vec<PricePoint>,
    plan_pos: Vec<usize>,
    cdf: Vec<f64>,
    next_order: i64,
    next_refund: i64,
    next_touch: i64,
}

fn stream(seed: u64, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(n);
    rng
}

/// Runs the whole history, sending each day's rows to `out`.
pub fn run(params: &Params, out: &Sender<Rows>) -> anyhow::Result<Outcome> {
    let cal = Calendar::new(params.end_date, DAYS, params.tz);
    let catalog = Catalog::generate(&mut stream(params.seed, 1), &cal);
    let n = catalog.skus.len();
    let month0 = cal.first_day.month0() as usize;
    let weights: Vec<f64> = (0..n)
        .map(|i| {
            catalog.weight(
                i,
                catalog.skus[i].launch_day,
                month0,
                catalog.skus[i].plan[0].price,
            )
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let shares: Vec<f64> = weights.iter().map(|w| w / total).collect();
    // ≈ 2.2 units per order, ≈ 4 orders per new customer in steady state.
    let units_per_day = params.scale * NEW_PER_DAY * 2.2 * 3.0;
    let stock = Stock::new(
        &mut stream(params.seed, 2),
        &cal,
        &catalog,
        &shares,
        units_per_day,
    );
    let gaps = BEHAVIOUR
        .iter()
        .map(|b| Gamma::new(2.5, b.gap_days / 2.5).expect("valid gap distribution"))
        .collect();
    let mut sim = Sim {
        scale: params.scale,
        finance: Finance::new(DAYS, params.scale),
        rng: stream(params.seed, 3),
        market_rng: stream(params.seed, 4),
        customers: Vec::new(),
        due: vec![Vec::new(); DAYS],
        gaps,
        current: catalog.skus.iter().map(|s| s.plan[0]).collect(),
        plan_pos: vec![0; n],
        cdf: vec![0.0; n],
        next_order: 1,
        next_refund: 1,
        next_touch: 1,
        stock,
        catalog,
        cal,
    };
    let mut counts = [0u64; TABLES];
    let send = |rows: Rows, counts: &mut [u64; TABLES]| -> anyhow::Result<()> {
        for t in Table::ALL {
            counts[t as usize] += rows.count(t) as u64;
        }
        out.blocking_send(rows)
            .map_err(|_| anyhow!("the demo writer stopped"))
    };
    let mut rows = Rows::default();
    sim.catalog.write(&sim.cal, &mut rows);
    send(rows, &mut counts)?;
    for d in 0..DAYS {
        let mut rows = sim.day(d)?;
        rows.days = 1;
        send(rows, &mut counts)?;
    }
    let mut rows = Rows::default();
    sim.stock
        .write_purchase_orders(&sim.cal, &sim.catalog, &mut rows);
    send(rows, &mut counts)?;
    Ok(Outcome {
        rows: counts,
        first_day: sim.cal.first_day,
    })
}

impl Sim {
    fn day(&mut self, d: usize) -> anyhow::Result<Rows> {
        let mut rows = Rows::default();
        let last_day = d + 1 == DAYS;
        let collapse = d + META_COLLAPSE_DAYS >= DAYS;
        self.update_prices(d);
        let supplier_receipts = self.stock.start_of_day(d);

        let mut stats = DayStats::default();
        let mut intents: Vec<(u32, Kind)> = Vec::new();
        let reach = self.scale * self.cal.demand(d) * self.cal.trend(d);
        let dip = if last_day { 0.8 } else { 1.0 };
        let push = 1.0 + PUSH * (-(d as f64) / PUSH_DAYS).exp();
        for (c, behaviour) in BEHAVIOUR.iter().enumerate() {
            let expected = reach * NEW_PER_DAY * behaviour.new_share * push;
            stats.expected_new[c] = expected;
            let planted = if c == META && collapse { 0.6 } else { 1.0 };
            for _ in 0..poisson(&mut self.rng, expected * planted * dip) {
                intents.push((0, Kind::New(c)));
            }
        }
        for cust in std::mem::take(&mut self.due[d]) {
            if last_day && self.rng.gen_bool(0.2) {
                continue; // the planted slow last day: they will come back later
            }
            intents.push((0, Kind::Repeat(cust)));
        }
        for _ in 0..poisson(&mut self.rng, reach * GUESTS_PER_DAY * dip) {
            let channel = pick(
                &mut self.rng,
                &channel_weights(BEHAVIOUR.map(|b| b.new_share)),
            );
            intents.push((0, Kind::Guest(channel)));
        }
        if self.rng.gen_bool(TEST_ORDERS_PER_DAY) {
            intents.push((0, Kind::Test));
        }
        for intent in &mut intents {
            intent.0 = self.cal.sample_second(&mut self.rng);
        }
        intents.sort_by_key(|i| i.0);

        let mut cash = DayCash {
            supplier_receipts,
            ..DayCash::default()
        };
        for (second, kind) in intents {
            self.place(d, second, kind, collapse, &mut stats, &mut cash, &mut rows);
        }

        let costs: Vec<i64> = self.current.iter().map(|p| p.cost).collect();
        self.stock.end_of_day(
            &mut self.market_rng,
            &self.cal,
            &self.catalog,
            d,
            &costs,
            &mut rows,
        );
        cash.ad_spend = marketing::write_day(
            &mut self.market_rng,
            &self.cal,
            d,
            self.scale,
            &stats,
            collapse,
            &mut rows,
        );
        self.finance.end_of_day(&self.cal, d, &cash, &mut rows);
        Ok(rows)
    }

    /// Applies the day's price changes and recomputes the SKU demand weights.
    fn update_prices(&mut self, d: usize) {
        let month0 = self.cal.date(d).month0() as usize;
        let mut acc = 0.0;
        for (i, sku) in self.catalog.skus.iter().enumerate() {
            while self.plan_pos[i] < sku.plan.len() && sku.plan[self.plan_pos[i]].day <= d {
                self.current[i] = sku.plan[self.plan_pos[i]];
                self.plan_pos[i] += 1;
            }
            acc += self.catalog.weight(i, d, month0, self.current[i].price);
            self.cdf[i] = acc;
        }
    }

    fn sample_sku(&mut self) -> usize {
        let total = *self.cdf.last().expect("a catalogue");
        let u = self.rng.gen::<f64>() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }

    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        d: usize,
        second: u32,
        kind: Kind,
        collapse: bool,
        stats: &mut DayStats,
        cash: &mut DayCash,
        rows: &mut Rows,
    ) {
        let test = matches!(kind, Kind::Test);
        let cancelled = !test && self.rng.gen_bool(CANCEL_RATE);
        let counted = !test && !cancelled;
        let channel = match kind {
            Kind::New(c) | Kind::Guest(c) => c,
            Kind::Repeat(i) => {
                let weights =
                    BEHAVIOUR[self.customers[i as usize].acquisition as usize].repeat_channels;
                let c = pick(&mut self.rng, &channel_weights(weights));
                if c == META && collapse && self.rng.gen_bool(0.4) {
                    DIRECT
                } else {
                    c
                }
            }
            Kind::Test => DIRECT,
        };

        // Lines: a favourite comes back often; an empty shelf means a substitute or nothing.
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
            Kind::New(c) => {
                let id = self.customers.len() as i64 + 1;
                self.customers.push(Customer {
                    acquisition: c as u8,
                    favourite: lines[0].0 as u16,
                });
                let who = people::identity(&mut self.rng, id, c);
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
                Some(id)
            }
            Kind::Repeat(i) => Some(i as i64 + 1),
            Kind::Guest(_) | Kind::Test => None,
        };

        let black_friday = self.cal.is_black_friday_week(d);
        let code: Option<(&'static str, i64)> = if test {
            None
        } else if black_friday && self.rng.gen_bool(0.55) {
            Some(("BLACKFRIDAY", 15))
        } else if self.cal.is_christmas_run(d) && self.rng.gen_bool(0.15) {
            Some(("NOEL10", 10))
        } else {
            match kind {
                Kind::New(_) if self.rng.gen_bool(0.22) => Some(("BIENVENUE10", 10)),
                Kind::Repeat(_) if self.rng.gen_bool(0.08) => Some(("FIDELITE15", 15)),
                Kind::Guest(_) if self.rng.gen_bool(0.05) => Some(("BIENVENUE10", 10)),
                _ => None,
            }
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
        let shipping = if net >= 6_000 { 0 } else { 490 };
        let tax = ((net + shipping) * 20 + 50) / 100;
        let total = net + shipping + tax;
        let external_id = format!("#{}", 100_000 + order_id);
        rows.push(
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
                if cancelled {
                    Val::Ts(placed_at + Duration::minutes(self.rng.gen_range(5..180)))
                } else {
                    Val::NullTs
                },
                Val::Bool(test),
                Val::Ts(placed_at),
            ],
        );
        for (n, &(sku, qty)) in lines.iter().enumerate() {
            rows.push(
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
            stats.orders[channel] += 1;
            stats.total_cents[channel] += total;
            self.finance.revenue[d] += net;
            cash.collected += total;
            cash.tax += tax;
            cash.orders += 1;
            if self.rng.gen_bool(REFUND_RATE) {
                let l = self.rng.gen_range(0..lines.len());
                self.refund(
                    d,
                    order_id,
                    &external_id,
                    lines[l],
                    line_gross[l] - line_discount[l],
                    rows,
                );
            }
        }
        if let Some(customer_id) = customer {
            let first = matches!(kind, Kind::New(_));
            if first || self.rng.gen_bool(0.3) {
                for (at, ch, campaign) in people::journey(&mut self.rng, placed_at, channel, first)
                {
                    rows.push(
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

    /// One line refunded 5–25 days later, unless that is after the history ends.
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
            (
                line_net,
                qty,
                self.rng.gen_bool(0.9),
                reasons[self.rng.gen_range(0..reasons.len())],
            )
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

    /// Whether and when the customer orders again: their channel's loyalty and rhythm,
    /// thinned towards busy days.
    fn schedule(&mut self, customer: usize, d: usize) {
        let acquisition = self.customers[customer].acquisition as usize;
        if !self.rng.gen_bool(BEHAVIOUR[acquisition].repeat_prob) {
            return;
        }
        for attempt in 0..12 {
            let gap = self.gaps[acquisition]
                .sample(&mut self.rng)
                .round()
                .max(5.0) as usize;
            let day = d + gap;
            if day >= DAYS {
                // After the history: accepted as an ordinary day would be, and then unseen.
                if self.rng.gen::<f64>() * self.cal.max_demand() < 1.0 {
                    return;
                }
                continue;
            }
            if attempt == 11 || self.rng.gen::<f64>() * self.cal.max_demand() < self.cal.demand(day)
            {
                self.due[day].push(customer as u32);
                return;
            }
        }
    }
}

fn channel_weights(w: [f64; 5]) -> [(usize, f64); 5] {
    [(0, w[0]), (1, w[1]), (2, w[2]), (3, w[3]), (4, w[4])]
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map_or(0, |p| p.sample(rng) as u64)
}

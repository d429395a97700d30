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
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};
use tokio::sync::mpsc::Sender;

use super::calendar::Calendar;
use super::catalog::{Catalog, PricePoint};
use super::finance::{DayCash, Finance};
use super::marketing::{self, DayStats};
use super::orders::Day;
use super::people::{pick, Customer, BEHAVIOUR, META};
use super::rows::{Rows, Table, Val, TABLES};
use super::stock::Stock;

/// Days of history, ending on the last complete day.
pub const DAYS: usize = 730;
/// New customers per ordinary day at scale 1, before season, trend and the early push.
const NEW_PER_DAY: f64 = 37.5;
const GUESTS_PER_DAY: f64 = 2.5;
/// The early acquisition push: +80 % on the first day, fading over ~4 months.
const PUSH: f64 = 0.8;
const PUSH_DAYS: f64 = 120.0;
const TEST_ORDERS_PER_DAY: f64 = 12.0 / 730.0;
/// Days, counted back from the end, of the planted Meta collapse.
pub const META_COLLAPSE_DAYS: usize = 5;

// E-mail engagement (ChurnGuard's silence on e-mails), tied to the churn process above: a
// customer who will buy again keeps opening the shop's e-mails until that next order; one
// who will not (the repeat draw failed) keeps opening for a while, then falls silent. The
// numbers are assumptions, not measurements: what silence predicts on the demo follows from
// them (README, ChurnGuard).
/// Share of the customers who accept marketing e-mails that open them at all.
pub const OPENER_SHARE: f64 = 0.6;
/// Mean days between two opens of an opener (one weekly campaign in three).
const OPEN_GAP_DAYS: f64 = 21.0;
/// Mean days a customer who will not buy again keeps opening after their last order.
const FADE_DAYS: f64 = 60.0;
/// Share of the opens that come with a click.
const CLICK_SHARE: f64 = 0.15;

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

/// When a customer orders next, as `schedule` drew it.
#[derive(Clone, Copy)]
enum Next {
    Day(usize),
    /// After the end of the history.
    Beyond,
    /// Never: they have left.
    Never,
}

/// Who is about to order.
#[derive(Clone, Copy)]
pub enum Kind {
    New(usize),
    Repeat(u32),
    Guest(usize),
    Test,
}

/// The whole shop's state while the history unrolls (orders are placed in `orders`).
pub struct Sim {
    pub(super) scale: f64,
    pub(super) cal: Calendar,
    pub(super) catalog: Catalog,
    pub(super) stock: Stock,
    pub(super) finance: Finance,
    pub(super) rng: ChaCha8Rng,
    pub(super) market_rng: ChaCha8Rng,
    /// E-mail engagement's own stream, so that adding it left every other table as it was.
    pub(super) mail_rng: ChaCha8Rng,
    /// Opens drawn and not yet written: (customer index, day, with a click).
    pub(super) opens: Vec<(u32, u32, bool)>,
    pub(super) customers: Vec<Customer>,
    pub(super) due: Vec<Vec<u32>>,
    pub(super) gaps: Vec<Gamma<f64>>,
    pub(super) current: Vec<PricePoint>,
    pub(super) plan_pos: Vec<usize>,
    pub(super) cdf: Vec<f64>,
    pub(super) next_order: i64,
    pub(super) next_refund: i64,
    pub(super) next_touch: i64,
}

fn stream(seed: u64, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(n);
    rng
}

/// The price elasticity built into each SKU's demand (code, e < 0): the catalogue drawn
/// exactly as [`run`] draws it, so `report elasticity` can be checked against it.
pub fn built_in_elasticities(
    seed: u64,
    end_date: chrono::NaiveDate,
    tz: chrono_tz::Tz,
) -> Vec<(String, f64)> {
    let cal = Calendar::new(end_date, DAYS, tz);
    let catalog = Catalog::generate(&mut stream(seed, 1), &cal);
    catalog
        .skus
        .iter()
        .map(|s| (s.code.clone(), -s.elasticity))
        .collect()
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
        mail_rng: stream(params.seed, 5),
        opens: Vec::new(),
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
        let mut rows = sim.day(d);
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
    fn day(&mut self, d: usize) -> Rows {
        let last_day = d + 1 == DAYS;
        self.update_prices(d);
        let mut day = Day {
            d,
            collapse: d + META_COLLAPSE_DAYS >= DAYS,
            stats: DayStats::default(),
            cash: DayCash {
                supplier_receipts: self.stock.start_of_day(d),
                ..DayCash::default()
            },
            rows: Rows::default(),
        };

        let mut intents: Vec<(u32, Kind)> = Vec::new();
        let reach = self.scale * self.cal.demand(d) * self.cal.trend(d);
        let dip = if last_day { 0.8 } else { 1.0 };
        let push = 1.0 + PUSH * (-(d as f64) / PUSH_DAYS).exp();
        for (c, behaviour) in BEHAVIOUR.iter().enumerate() {
            let expected = reach * NEW_PER_DAY * behaviour.new_share * push;
            day.stats.expected_new[c] = expected;
            let planted = if c == META && day.collapse { 0.6 } else { 1.0 };
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
        for (second, kind) in intents {
            self.place(&mut day, second, kind);
        }

        let costs: Vec<i64> = self.current.iter().map(|p| p.cost).collect();
        let rows = &mut day.rows;
        self.stock.end_of_day(
            &mut self.market_rng,
            &self.cal,
            &self.catalog,
            d,
            &costs,
            rows,
        );
        day.cash.ad_spend = marketing::write_day(
            &mut self.market_rng,
            &self.cal,
            d,
            self.scale,
            &day.stats,
            day.collapse,
            rows,
        );
        self.finance.end_of_day(&self.cal, d, &day.cash, rows);
        self.write_opens(rows);
        day.rows
    }

    /// The opens (and clicks) drawn today, whatever their day, as engagement rows.
    fn write_opens(&mut self, rows: &mut Rows) {
        for (customer, day, click) in std::mem::take(&mut self.opens) {
            let who = self.customers[customer as usize];
            let key = super::people::email_of(customer as i64 + 1, who.name);
            let day_no = crate::domain::day_no(self.cal.date(day as usize));
            if click {
                rows.push(
                    Table::EmailEngagementDays,
                    [Val::Text(key.clone()), Val::Int(day_no), Val::Str("click")],
                );
            }
            rows.push(
                Table::EmailEngagementDays,
                [Val::Text(key), Val::Int(day_no), Val::Str("open")],
            );
        }
    }

    /// An opener's opens after the order of day `d` (each day once), up to `next`: their next
    /// order, the end of the history, or, when they will not buy again, a faded interest.
    fn draw_opens(&mut self, customer: usize, d: usize, next: Next) {
        if !self.customers[customer].opener {
            return;
        }
        let end = match next {
            Next::Day(day) => day,
            Next::Beyond => DAYS,
            Next::Never => {
                let fade = -FADE_DAYS * (1.0 - self.mail_rng.gen::<f64>()).ln();
                (d + fade as usize).min(DAYS)
            }
        };
        let mut t = d as f64;
        let mut last = d;
        loop {
            t += -OPEN_GAP_DAYS * (1.0 - self.mail_rng.gen::<f64>()).ln();
            let day = t as usize;
            if day >= end {
                break;
            }
            if day > last {
                let click = self.mail_rng.gen_bool(CLICK_SHARE);
                self.opens.push((customer as u32, day as u32, click));
                last = day;
            }
        }
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

    pub(super) fn sample_sku(&mut self) -> usize {
        let total = *self.cdf.last().expect("a catalogue");
        let u = self.rng.gen::<f64>() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }

    /// Whether and when the customer orders again: their channel's loyalty and rhythm,
    /// thinned towards busy days; and their e-mail opens until then.
    pub(super) fn schedule(&mut self, customer: usize, d: usize) {
        let next = self.next_order_day(customer, d);
        self.draw_opens(customer, d, next);
    }

    fn next_order_day(&mut self, customer: usize, d: usize) -> Next {
        let acquisition = self.customers[customer].acquisition as usize;
        if !self.rng.gen_bool(BEHAVIOUR[acquisition].repeat_prob) {
            return Next::Never;
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
                    return Next::Beyond;
                }
                continue;
            }
            if attempt == 11 || self.rng.gen::<f64>() * self.cal.max_demand() < self.cal.demand(day)
            {
                self.due[day].push(customer as u32);
                return Next::Day(day);
            }
        }
        Next::Beyond
    }
}

pub fn channel_weights(w: [f64; 5]) -> [(usize, f64); 5] {
    [(0, w[0]), (1, w[1]), (2, w[2]), (3, w[3]), (4, w[4])]
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).map_or(0, |p| p.sample(rng) as u64)
}

//! The demo shop's finance: daily revenue objectives and the bank balance.
//!
//! Objectives are what a CEO would have planned: each month's objective is 5 % above what
//! the month turned out to bring (slightly ambitious), split over its days by weekday and
//! seasonal weights, so most days land within ±15 % of it. The last day's objective is set
//! so that the day ends 20 % below it (a planted situation).
//!
//! Cash moves with the business: customers' payments (less card fees) come in the day they
//! order, refunds go out, ad spend, fulfilment and supplier receipts are paid as they
//! happen, VAT collected is paid on the 20th of the next month, and overheads (payroll,
//! rent, tools) are spread over the month. Overheads are set each month from the previous
//! month's surplus so the balance hovers around a six-figure working-capital level (scaled
//! with the shop), well above zero.

use chrono::Datelike;

use super::calendar::Calendar;
use super::rows::{Rows, Table, Val};

const CARD_FEES: f64 = 0.018;
const FULFILMENT_PER_ORDER: i64 = 520;
/// The planted gap on the last day: revenue is this share of the objective.
pub const LAST_DAY_VS_TARGET: f64 = 0.80;

pub struct Finance {
    /// Net sales per day as the metrics count them (orders on their day, refunds on theirs).
    pub revenue: Vec<i64>,
    /// Cash refunded per day (VAT included), known as soon as the refund is planned.
    refunds_paid: Vec<i64>,
    balance: i64,
    working_capital: i64,
    vat_this_month: i64,
    vat_last_month: i64,
    surplus_this_month: i64,
    surplus_last_month: i64,
    revenue_last_month: i64,
    month_start: usize,
    overheads_per_day: i64,
}

/// What the day's business did to the bank account.
#[derive(Default)]
pub struct DayCash {
    pub collected: i64,
    pub tax: i64,
    pub orders: i64,
    pub ad_spend: i64,
    pub supplier_receipts: i64,
}

impl Finance {
    pub fn new(days: usize, scale: f64) -> Finance {
        let working_capital = (20_000_000.0 * scale).round() as i64;
        Finance {
            revenue: vec![0; days],
            refunds_paid: vec![0; days],
            balance: working_capital,
            working_capital,
            vat_this_month: 0,
            vat_last_month: 0,
            surplus_this_month: 0,
            surplus_last_month: 0,
            revenue_last_month: 0,
            month_start: 0,
            overheads_per_day: 0,
        }
    }

    pub fn add_refund(&mut self, day: usize, amount: i64) {
        self.revenue[day] -= amount;
        self.refunds_paid[day] += amount + amount / 5;
    }

    /// Moves the day's cash and writes the balance; at the end of a month (or of the
    /// history) writes the month's daily objectives.
    pub fn end_of_day(&mut self, cal: &Calendar, d: usize, day: &DayCash, rows: &mut Rows) {
        let date = cal.date(d);
        let refunds = self.refunds_paid[d];
        let mut flow = day.collected
            - (day.collected as f64 * CARD_FEES).round() as i64
            - refunds
            - day.ad_spend
            - day.orders * FULFILMENT_PER_ORDER
            - day.supplier_receipts;
        self.surplus_this_month += flow;
        self.vat_this_month += day.tax - refunds / 6 - day.supplier_receipts / 5;
        if date.day() == 1 && d > 0 {
            // Overheads for the month ahead: what last month left after VAT, nudged so the
            // balance returns half-way to its working-capital level.
            let after_vat = self.surplus_last_month - self.vat_last_month.max(0);
            let monthly = (after_vat + (self.balance - self.working_capital) / 2)
                .max(self.revenue_last_month / 10);
            self.overheads_per_day = monthly / 30;
        }
        flow -= self.overheads_per_day;
        if date.day() == 20 {
            flow -= self.vat_last_month.max(0);
            self.vat_last_month = 0;
        }
        self.balance += flow;
        rows.push(
            Table::CashBalances,
            [
                Val::Date(date),
                Val::Str("main"),
                Val::Int(self.balance),
                Val::Str("EUR"),
            ],
        );

        let month_ends = d + 1 == cal.days || cal.date(d + 1).day() == 1;
        if month_ends {
            self.write_targets(cal, d, rows);
            self.vat_last_month += self.vat_this_month;
            self.vat_this_month = 0;
            self.surplus_last_month = self.surplus_this_month;
            self.surplus_this_month = 0;
            self.revenue_last_month = self.revenue[self.month_start..=d].iter().sum();
            self.month_start = d + 1;
        }
    }

    fn write_targets(&self, cal: &Calendar, d: usize, rows: &mut Rows) {
        let days = self.month_start..=d;
        let weights: Vec<f64> = days.clone().map(|i| cal.demand(i) * cal.trend(i)).collect();
        let total_weight: f64 = weights.iter().sum();
        let objective = self.revenue[days.clone()].iter().sum::<i64>() as f64 * 1.05;
        for (i, w) in days.zip(weights) {
            let target = if i + 1 == cal.days {
                self.revenue[i] as f64 / LAST_DAY_VS_TARGET
            } else {
                objective * w / total_weight
            };
            rows.push(
                Table::Targets,
                [Val::Date(cal.date(i)), Val::Int(target.round() as i64)],
            );
        }
    }
}

//! Predicted customer value: how many purchases each customer will make and what they will be
//! worth, from two published models fitted by maximum likelihood on the shop's own history.
//!
//! - **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while
//!   alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop
//!   out with probability p ~ Beta(a, b). It gives P(alive) and the expected purchases in the
//!   next t weeks from (x, tₓ, T).
//! - **Gamma-Gamma** (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): the
//!   value of a customer's transactions is Gamma(p, ν) with ν ~ Gamma(q, γ); it shrinks each
//!   customer's observed average towards the shop's.
//!
//! Inputs follow the papers (and the `lifetimes` package): a purchase is a day with at least
//! one counted order (orders of one day are summed); x is the number of purchase days after
//! the first (repeat purchases), tₓ the weeks from the first purchase to the last, T the
//! weeks from the first purchase to the end of the calibration period, and the monetary value
//! the mean value of the repeat purchase days (the first purchase is left out). Time is in
//! weeks, so the fitted α and γ read as in the papers. Value is net of refunds, in currency
//! units.
//!
//! Numerical care: likelihoods are summed in log space (`ln Γ`, `ln B`, log-sum-exp), the
//! parameters are fitted as logarithms (always positive) and kept within [e⁻¹⁴, e¹⁴] by a
//! smooth penalty, customers with the same (x, tₓ, T) are evaluated once, and the optimiser
//! (L-BFGS with a More–Thuente line search, from `argmin`) uses the analytic gradient.

use std::sync::Arc;

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use serde::Serialize;
use special::{Beta, Gamma};

use super::churn::OrderFact;
use likelihood::{params_of, BgNbdProblem, GammaGammaProblem, Objective};

/// Days per model period: the models count in weeks.
pub const DAYS_PER_PERIOD: f64 = 7.0;

/// One customer's purchase history in the models' terms, at the end of calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PurchaseSummary {
    pub customer_id: i64,
    /// Repeat purchase days (purchase days after the first).
    pub x: u32,
    /// Weeks from the first purchase day to the last.
    pub t_x: f64,
    /// Weeks from the first purchase day to the end of calibration.
    pub t: f64,
    /// Mean value of the repeat purchase days, in currency units (0 without repeats).
    pub monetary: f64,
    /// Value of the first purchase day, in currency units.
    pub first_value: f64,
    pub first_day_no: i64,
}

/// Summaries of every customer with a purchase on or before `end_day_no`, from orders sorted
/// by (customer, day) (see [`super::sort_orders`]); later orders are ignored.
pub fn summaries(orders: &[OrderFact], end_day_no: i64) -> Vec<PurchaseSummary> {
    let mut out = Vec::new();
    for group in orders.chunk_by(|a, b| a.customer_id == b.customer_id) {
        let mut days: Vec<(i64, i64)> = Vec::new();
        for o in group.iter().filter(|o| o.day_no <= end_day_no) {
            let value = o.net_cents - o.refunded_cents;
            match days.last_mut() {
                Some((d, v)) if *d == o.day_no => *v += value,
                _ => days.push((o.day_no, value)),
            }
        }
        let (Some(&(first, first_cents)), Some(&(last, _))) = (days.first(), days.last()) else {
            continue;
        };
        let x = days.len() - 1;
        let repeat_cents: i64 = days[1..].iter().map(|&(_, v)| v).sum();
        out.push(PurchaseSummary {
            customer_id: group[0].customer_id,
            x: x as u32,
            t_x: (last - first) as f64 / DAYS_PER_PERIOD,
            t: (end_day_no - first) as f64 / DAYS_PER_PERIOD,
            monetary: if x > 0 {
                repeat_cents as f64 / 100.0 / x as f64
            } else {
                0.0
            },
            first_value: first_cents as f64 / 100.0,
            first_day_no: first,
        });
    }
    out
}

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

/// Gamma-Gamma parameters (γ is named `gamma`; `lifetimes` calls it `v`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// A fitted model: its parameters and how the fit went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit<P> {
    pub params: P,
    /// Σ log-likelihood over the customers fitted.
    pub log_likelihood: f64,
    pub customers: usize,
    pub iterations: u64,
    /// `argmin`'s termination status, as text.
    pub termination: String,
}

fn ln_gamma(x: f64) -> f64 {
    Gamma::ln_gamma(x).0
}

fn ln_beta(a: f64, b: f64) -> f64 {
    a.ln_beta(b)
}

/// ln(eᵘ + eᵛ) without overflow.
fn log_add(u: f64, v: f64) -> f64 {
    let m = u.max(v);
    m + ((u - m).exp() + (v - m).exp()).ln()
}

impl BgNbd {
    /// ln P(x, tₓ, T): the paper's equation (6) in log space.
    pub fn log_likelihood(&self, x: u32, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let xf = x as f64;
        let a1 = ln_gamma(r + xf) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_beta(a, b + xf) - ln_beta(a, b) - (r + xf) * (alpha + t).ln();
        if x == 0 {
            return a1 + a2;
        }
        let a3 = ln_beta(a + 1.0, b + xf - 1.0) - ln_beta(a, b) - (r + xf) * (alpha + t_x).ln();
        a1 + log_add(a2, a3)
    }

    /// The odds of having dropped out after the last purchase, against being alive:
    /// a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x); 0 without a repeat purchase.
    fn dropout_odds(&self, x: u32, t_x: f64, t: f64) -> f64 {
        if x == 0 {
            return 0.0;
        }
        let xf = x as f64;
        let ln = (self.a / (self.b + xf - 1.0)).ln()
            + (self.r + xf) * ((self.alpha + t) / (self.alpha + t_x)).ln();
        ln.min(700.0).exp()
    }

    /// P(alive | x, tₓ, T): the paper's equation (11).
    pub fn p_alive(&self, x: u32, t_x: f64, t: f64) -> f64 {
        1.0 / (1.0 + self.dropout_odds(x, t_x, t))
    }

    /// Expected purchases in the next `horizon` weeks of a customer with (x, tₓ, T): the
    /// paper's equation (10).
    pub fn expected_purchases(&self, horizon: f64, x: u32, t_x: f64, t: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let xf = x as f64;
        let z = horizon / (alpha + t + horizon);
        let hyp = hyp2f1(r + xf, b + xf, a + b + xf - 1.0, z);
        let scale = ((alpha + t) / (alpha + t + horizon)).powf(r + xf);
        let first = (a + b + xf - 1.0) / (a - 1.0);
        let value = first * (1.0 - scale * hyp) / (1.0 + self.dropout_odds(x, t_x, t));
        value.max(0.0)
    }
}

/// The Gaussian hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its series (the
/// terms' ratio tends to z, so it converges for every z below 1).
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..100_000 {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-15 * sum.abs() {
            break;
        }
    }
    sum
}

impl GammaGamma {
    /// ln f(m̄ | x): the density of a customer's mean repeat value given x of them.
    pub fn log_likelihood(&self, x: u32, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let px = p * x as f64;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * gamma.ln()
            + (px - 1.0) * m.ln()
            + px * (x as f64).ln()
            - (px + q) * (gamma + x as f64 * m).ln()
    }

    /// The shop's mean transaction value, pγ/(q−1); `None` when q ≤ 1 (no finite mean).
    pub fn population_mean(&self) -> Option<f64> {
        (self.q > 1.0).then(|| self.p * self.gamma / (self.q - 1.0))
    }

    /// E[value of a transaction | x, m̄]: the customer's own mean weighted against the shop's,
    /// (pγ + p·x·m̄) / (p·x + q − 1). `None` when q ≤ 1.
    pub fn expected_value(&self, x: u32, m: f64) -> Option<f64> {
        let GammaGamma { p, q, gamma } = *self;
        (q > 1.0).then(|| (p * gamma + p * x as f64 * m.max(0.0)) / (p * x as f64 + q - 1.0))
    }
}

/// Why a fit could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("no customers to fit")]
    NoData,
    #[error("no customer has bought twice: the repeat-purchase model needs some who have")]
    NoRepeat,
    #[error("the optimiser failed: {0}")]
    Optimiser(String),
    #[error("the fit did not converge to finite parameters")]
    NotFinite,
}

/// Minimises `problem` from `start` (θ space) with L-BFGS; returns θ, the iterations and the
/// status.
fn minimise<P>(problem: P, start: Vec<f64>) -> Result<(Vec<f64>, u64, String), FitError>
where
    P: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    let linesearch = MoreThuenteLineSearch::new();
    let solver = LBFGS::new(linesearch, 10)
        .with_tolerance_grad(1e-10)
        .and_then(|s| s.with_tolerance_cost(1e-14))
        .map_err(|e| FitError::Optimiser(e.to_string()))?;
    let result = Executor::new(problem, solver)
        .configure(|state| state.param(start).max_iters(500))
        .run()
        .map_err(|e| FitError::Optimiser(e.to_string()))?;
    let state = result.state();
    let theta = state
        .get_best_param()
        .cloned()
        .ok_or_else(|| FitError::Optimiser("no parameters".into()))?;
    if theta.iter().any(|t| !t.is_finite()) || !state.get_best_cost().is_finite() {
        return Err(FitError::NotFinite);
    }
    Ok((
        theta,
        state.get_iter(),
        state.get_termination_status().to_string(),
    ))
}

/// Fits BG/NBD by maximum likelihood from the default start (r = α = a = b = 1, with α
/// scaled to the data's mean T).
pub fn fit_bgnbd(data: &[PurchaseSummary]) -> Result<Fit<BgNbd>, FitError> {
    let mean_t = data.iter().map(|s| s.t).sum::<f64>() / data.len().max(1) as f64;
    let start = BgNbd {
        r: 1.0,
        alpha: mean_t.max(1.0),
        a: 1.0,
        b: 1.0,
    };
    fit_bgnbd_from(data, start)
}

/// Fits BG/NBD by maximum likelihood from `start`.
pub fn fit_bgnbd_from(data: &[PurchaseSummary], start: BgNbd) -> Result<Fit<BgNbd>, FitError> {
    if data.is_empty() {
        return Err(FitError::NoData);
    }
    if data.iter().all(|s| s.x == 0) {
        return Err(FitError::NoRepeat);
    }
    let model = Arc::new(BgNbdProblem::new(data));
    let theta0 = vec![start.r.ln(), start.alpha.ln(), start.a.ln(), start.b.ln()];
    let (theta, iterations, termination) = minimise(Objective::new(model.clone()), theta0)?;
    let &[r, alpha, a, b] = params_of(&theta).as_slice() else {
        unreachable!("four parameters in, four out")
    };
    let params = BgNbd { r, alpha, a, b };
    // Summed over the groups (the same terms as `BgNbd::log_likelihood` per customer).
    let log_likelihood = model.sum(&params).0;
    Ok(Fit {
        params,
        log_likelihood,
        customers: data.len(),
        iterations,
        termination,
    })
}

/// The customers Gamma-Gamma is fitted on: a repeat purchase and a positive mean value.
pub fn gamma_gamma_sample(data: &[PurchaseSummary]) -> Vec<(u32, f64)> {
    data.iter()
        .filter(|s| s.x > 0 && s.monetary > 0.0)
        .map(|s| (s.x, s.monetary))
        .collect()
}

/// Fits Gamma-Gamma by maximum likelihood from the default start (p = q = 1 + ε, γ = the
/// mean value).
pub fn fit_gamma_gamma(data: &[PurchaseSummary]) -> Result<Fit<GammaGamma>, FitError> {
    let sample = gamma_gamma_sample(data);
    let mean = sample.iter().map(|&(_, m)| m).sum::<f64>() / sample.len().max(1) as f64;
    let start = GammaGamma {
        p: 1.0,
        q: 2.0,
        gamma: mean.max(1.0),
    };
    fit_gamma_gamma_from(data, start)
}

/// Fits Gamma-Gamma by maximum likelihood from `start`.
pub fn fit_gamma_gamma_from(
    data: &[PurchaseSummary],
    start: GammaGamma,
) -> Result<Fit<GammaGamma>, FitError> {
    let sample = gamma_gamma_sample(data);
    if sample.is_empty() {
        return Err(FitError::NoRepeat);
    }
    let customers = sample.len();
    let model = Arc::new(GammaGammaProblem::new(&sample));
    let theta0 = vec![start.p.ln(), start.q.ln(), start.gamma.ln()];
    let (theta, iterations, termination) = minimise(Objective::new(model.clone()), theta0)?;
    let &[p, q, gamma] = params_of(&theta).as_slice() else {
        unreachable!("three parameters in, three out")
    };
    let params = GammaGamma { p, q, gamma };
    Ok(Fit {
        params,
        log_likelihood: model.sum(&params).0,
        customers,
        iterations,
        termination,
    })
}

/// Pearson's correlation of the repeat customers' purchase counts and mean values:
/// Gamma-Gamma assumes they are independent, so a strong one (|ρ| > 0.3) weakens it.
pub fn frequency_value_correlation(data: &[PurchaseSummary]) -> Option<f64> {
    let sample = gamma_gamma_sample(data);
    let n = sample.len() as f64;
    if n < 3.0 {
        return None;
    }
    let mx = sample.iter().map(|&(x, _)| x as f64).sum::<f64>() / n;
    let mm = sample.iter().map(|&(_, m)| m).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, m) in &sample {
        let (dx, dm) = (x as f64 - mx, m - mm);
        sxy += dx * dm;
        sxx += dx * dx;
        syy += dm * dm;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

mod likelihood;
#[cfg(test)]
mod tests;

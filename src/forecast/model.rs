//! The demand model of one SKU: daily units = level·trend (damped Holt) × weekday index ×
//! yearly profile × event lift, or, for intermittent demand, a Croston/TSB rate.
//!
//! Why our own and not an ETS/MSTL crate: the model has to fit 1,000 SKUs × 730 days four
//! times (the final fit and three backtest origins) in well under 5 s on two cores, handle
//! stock-out days as *missing* (not as zero demand) and promotions as known regressors. A
//! classical multiplicative decomposition (weekday ratios to a centred 7-day mean, yearly
//! ratios to a per-year linear trend) followed by a grid-searched damped Holt on the
//! adjusted series does all of that in one pass per grid point; `bench-forecast` measures
//! its accuracy and speed against statsforecast's AutoETS on the same series and folds
//! (README "Demand forecast").
//!
//! Every figure here is in units per day; nothing reads the store.

use chrono::{Datelike, Days, NaiveDate};

use super::intermittent::{fit_intermittent, IntermittentFit};

/// Average inter-demand interval (days per day with a sale) from which a series is treated as
/// intermittent (Syntetos & Boylan's 1.32 cut-off).
pub const INTERMITTENT_ADI: f64 = 1.32;
/// z of the central 80 % prediction interval (10th to 90th percentile).
pub const Z80: f64 = 1.2816;

/// One SKU's daily history, day 0 = `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandSeries {
    pub start: NaiveDate,
    /// Units sold each day.
    pub units: Vec<f64>,
    /// `false` on a stock-out day (nothing on hand): the sales of that day say nothing about
    /// demand, the day is missing.
    pub available: Vec<bool>,
    /// `true` on a promotion or Black Friday day (demand lifted by a known event).
    pub event: Vec<bool>,
}

impl DemandSeries {
    /// A series with every day available and no event.
    pub fn plain(start: NaiveDate, units: Vec<f64>) -> DemandSeries {
        let n = units.len();
        DemandSeries {
            start,
            units,
            available: vec![true; n],
            event: vec![false; n],
        }
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The first `n` days.
    pub fn head(&self, n: usize) -> DemandSeries {
        let n = n.min(self.len());
        DemandSeries {
            start: self.start,
            units: self.units[..n].to_vec(),
            available: self.available[..n].to_vec(),
            event: self.event[..n].to_vec(),
        }
    }

    pub fn day(&self, t: usize) -> NaiveDate {
        self.start + Days::new(t as u64)
    }

    /// Days with a known demand (in stock).
    pub fn available_days(&self) -> usize {
        self.available.iter().filter(|a| **a).count()
    }
}

/// How a SKU's demand was forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Damped Holt on the weekday-, year- and event-adjusted series.
    SeasonalHolt,
    /// Croston with the Syntetos–Boylan correction: size ÷ interval, for intermittent demand.
    Croston,
    /// Teunter–Syntetos–Babai: probability of a sale × size, for intermittent demand that may
    /// be dying out.
    Tsb,
    /// Too little history (fewer than 14 days in stock): the mean of the days in stock.
    Mean,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::SeasonalHolt => "seasonal Holt",
            Method::Croston => "Croston (SBA)",
            Method::Tsb => "TSB",
            Method::Mean => "mean",
        }
    }
}

/// A forecast of the `horizon` days after the series' last day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Forecast {
    pub method: Method,
    /// First forecast day (the day after the history).
    pub start: NaiveDate,
    /// Expected units per day.
    pub mean: Vec<f64>,
    /// 80 % prediction interval: 10th and 90th percentiles per day.
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Forecast {
    /// Expected units over the first `days` forecast days.
    pub fn total(&self, days: usize) -> f64 {
        self.mean.iter().take(days).sum()
    }
}

/// Knobs of the fit; the defaults are what the reports use.
#[derive(Debug, Clone, Copy)]
pub struct ModelOptions {
    /// Fit the yearly profile when at least this many days of history exist.
    pub yearly_min_days: usize,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            yearly_min_days: 365,
        }
    }
}

/// Forecasts `horizon` days after `series`; `future_event[h]` says whether forecast day `h`
/// is a promotion or Black Friday day (missing entries: no event).
pub fn forecast(
    series: &DemandSeries,
    horizon: usize,
    future_event: &[bool],
    options: &ModelOptions,
) -> Forecast {
    let start = series.day(series.len());
    let observed: Vec<f64> = (0..series.len())
        .filter(|t| series.available[*t])
        .map(|t| series.units[t])
        .collect();
    if observed.len() < 14 {
        let mean = if observed.is_empty() {
            0.0
        } else {
            observed.iter().sum::<f64>() / observed.len() as f64
        };
        let (lo, hi) = poisson_interval(mean);
        return Forecast {
            method: Method::Mean,
            start,
            mean: vec![mean; horizon],
            lower: vec![lo; horizon],
            upper: vec![hi; horizon],
        };
    }
    // Intermittent: judged on the last year of days in stock.
    let recent = &observed[observed.len().saturating_sub(365)..];
    let nonzero = recent.iter().filter(|v| **v > 0.0).count();
    let adi = recent.len() as f64 / nonzero.max(1) as f64;
    if adi >= INTERMITTENT_ADI {
        let IntermittentFit { method, rate } = fit_intermittent(series);
        let (lo, hi) = poisson_interval(rate);
        return Forecast {
            method,
            start,
            mean: vec![rate; horizon],
            lower: vec![lo; horizon],
            upper: vec![hi; horizon],
        };
    }
    seasonal_holt(series, horizon, future_event, options)
}

/// The multiplicative seasonal factors of every day of the history and the horizon.
struct Factors {
    weekday: [f64; 7],
    /// Yearly profile at the middle of each month (interpolated between them), or all 1.
    month: [f64; 12],
    event_lift: f64,
}

impl Factors {
    fn at(&self, day: NaiveDate, event: bool) -> f64 {
        let w = self.weekday[day.weekday().num_days_from_monday() as usize];
        let e = if event { self.event_lift } else { 1.0 };
        w * yearly_at(&self.month, day) * e
    }
}

/// The yearly profile on `day`: linear between month middles (the 15th), so it has no
/// step on the 1st of each month.
fn yearly_at(month: &[f64; 12], day: NaiveDate) -> f64 {
    let m = day.month0() as usize;
    let pos = (day.day() as f64 - 15.0) / 30.4;
    let (a, b, frac) = if pos >= 0.0 {
        (m, (m + 1) % 12, pos)
    } else {
        ((m + 11) % 12, m, 1.0 + pos)
    };
    // Written so that equal neighbours give exactly their value (no yearly profile: 1).
    month[a] + (month[b] - month[a]) * frac
}

fn seasonal_holt(
    series: &DemandSeries,
    horizon: usize,
    future_event: &[bool],
    options: &ModelOptions,
) -> Forecast {
    let n = series.len();
    let plain = |t: usize| series.available[t] && !series.event[t];
    let weekday = weekday_indices(series, &plain);
    let mut factors = Factors {
        weekday,
        month: [1.0; 12],
        event_lift: 1.0,
    };
    if n >= options.yearly_min_days {
        factors.month = yearly_profile(series, &factors.weekday, &plain);
    }
    factors.event_lift = event_lift(series, &factors);
    let season: Vec<f64> = (0..n)
        .map(|t| factors.at(series.day(t), series.event[t]))
        .collect();
    let adjusted: Vec<Option<f64>> = (0..n)
        .map(|t| (series.available[t] && season[t] > 0.0).then(|| series.units[t] / season[t]))
        .collect();
    let fit = fit_holt(&adjusted, &season, &series.units);
    let start = series.day(n);
    let (mut mean, mut lower, mut upper) = (
        Vec::with_capacity(horizon),
        Vec::with_capacity(horizon),
        Vec::with_capacity(horizon),
    );
    let (mut damp_sum, mut var_sum, mut c_sum) = (0.0, 0.0, 0.0);
    for h in 1..=horizon {
        let phi_h = fit.phi.powi(h as i32);
        damp_sum += phi_h;
        let z = (fit.level + damp_sum * fit.trend).max(0.0);
        // h-step variance of additive damped Holt: σ²(1 + Σ_{j<h} c_j²), c_j = α + β Σ_{i≤j} φ^i.
        if h > 1 {
            var_sum += (fit.alpha + fit.beta * c_sum).powi(2);
        }
        c_sum += phi_h;
        let sd = fit.sigma * (1.0 + var_sum).sqrt();
        let s = factors.at(
            start + Days::new(h as u64 - 1),
            future_event.get(h - 1).copied().unwrap_or(false),
        );
        mean.push(z * s);
        lower.push(((z - Z80 * sd) * s).max(0.0));
        upper.push(((z + Z80 * sd) * s).max(0.0));
    }
    Forecast {
        method: Method::SeasonalHolt,
        start,
        mean,
        lower,
        upper,
    }
}

/// Weeks of a weekday needed before its index is estimated (else 1).
const MIN_WEEKS: usize = 4;

/// Weekday indices (mean 1): the mean ratio of each day to its centred 7-day mean, over the
/// windows of seven plain days (in stock, no event); 1 for a weekday seen fewer than
/// [`MIN_WEEKS`] times.
fn weekday_indices(series: &DemandSeries, plain: &dyn Fn(usize) -> bool) -> [f64; 7] {
    let n = series.len();
    let (mut sum, mut count) = ([0.0; 7], [0usize; 7]);
    let mut window = 0.0;
    let mut bad = 0usize;
    for t in 0..n.min(7) {
        window += series.units[t];
        bad += usize::from(!plain(t));
    }
    for centre in 3..n.saturating_sub(3) {
        if centre > 3 {
            let (out, inn) = (centre - 4, centre + 3);
            window += series.units[inn] - series.units[out];
            bad = bad + usize::from(!plain(inn)) - usize::from(!plain(out));
        }
        if bad == 0 && window > 0.0 {
            let d = series.day(centre).weekday().num_days_from_monday() as usize;
            sum[d] += series.units[centre] / (window / 7.0);
            count[d] += 1;
        }
    }
    let mut idx = [1.0; 7];
    for d in 0..7 {
        if count[d] >= MIN_WEEKS {
            idx[d] = sum[d] / count[d] as f64;
        }
    }
    let m = idx.iter().sum::<f64>() / 7.0;
    if m > 0.0 {
        idx.iter_mut().for_each(|v| *v /= m);
    }
    idx
}

/// Monthly yearly profile (mean 1): in each complete year counted back from the last day,
/// the weekday-adjusted units over a linear trend fitted to that year, averaged per month;
/// shrunk towards 1 by the number of years seen (one year is half-trusted).
fn yearly_profile(
    series: &DemandSeries,
    weekday: &[f64; 7],
    plain: &dyn Fn(usize) -> bool,
) -> [f64; 12] {
    let n = series.len();
    let years = n / 365;
    let (mut sum, mut count) = ([0.0; 12], [0usize; 12]);
    for k in 0..years {
        let from = n - (k + 1) * 365;
        let pts: Vec<(f64, f64, usize)> = (from..from + 365)
            .filter(|t| plain(*t))
            .map(|t| {
                let d = series.day(t);
                let w = weekday[d.weekday().num_days_from_monday() as usize];
                (t as f64, series.units[t] / w.max(1e-9), d.month0() as usize)
            })
            .collect();
        if pts.len() < 180 {
            continue;
        }
        let (a, b) = linear_fit(&pts);
        let (mut ys, mut yc) = ([0.0; 12], [0usize; 12]);
        for (t, y, m) in &pts {
            let fitted = a + b * t;
            if fitted > 0.0 {
                ys[*m] += y / fitted;
                yc[*m] += 1;
            }
        }
        for m in 0..12 {
            if yc[m] >= 10 {
                sum[m] += ys[m] / yc[m] as f64;
                count[m] += 1;
            }
        }
    }
    let mut month = [1.0; 12];
    if count.contains(&0) {
        return month;
    }
    let trust = years as f64 / (years as f64 + 1.0);
    for m in 0..12 {
        month[m] = 1.0 + trust * (sum[m] / count[m] as f64 - 1.0);
    }
    let mean = month.iter().sum::<f64>() / 12.0;
    month.iter_mut().for_each(|v| *v /= mean);
    month
}

/// Least squares y = a + b·t.
fn linear_fit(pts: &[(f64, f64, usize)]) -> (f64, f64) {
    let n = pts.len() as f64;
    let mt = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (my - b * mt, b)
}

/// Demand on event days over the demand of the 28 plain days before each, both adjusted for
/// weekday and yearly profile; 1 when the history holds no event.
fn event_lift(series: &DemandSeries, f: &Factors) -> f64 {
    let (mut on, mut base) = (0.0, 0.0);
    for t in 0..series.len() {
        if !(series.event[t] && series.available[t]) {
            continue;
        }
        let (mut s, mut c) = (0.0, 0usize);
        for u in t.saturating_sub(28)..t {
            if series.available[u] && !series.event[u] {
                s += series.units[u] / f.at(series.day(u), false).max(1e-9);
                c += 1;
            }
        }
        if c >= 7 {
            on += series.units[t] / f.at(series.day(t), false).max(1e-9);
            base += s / c as f64;
        }
    }
    if base > 0.0 && on > 0.0 {
        (on / base).clamp(0.2, 10.0)
    } else {
        1.0
    }
}

struct HoltFit {
    alpha: f64,
    beta: f64,
    phi: f64,
    level: f64,
    trend: f64,
    sigma: f64,
}

const ALPHAS: [f64; 7] = [0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.5];
/// β as a share of α (so β ≤ α), 0 = no trend.
const BETA_SHARES: [f64; 3] = [0.0, 0.05, 0.2];
const PHIS: [f64; 2] = [0.85, 0.97];
/// Days used to start the level, not scored.
const BURN_IN: usize = 14;

/// Grid search of damped Holt over the adjusted series (`None`: missing day, the state runs
/// on without update), scored by the squared one-step errors in units.
fn fit_holt(adjusted: &[Option<f64>], season: &[f64], units: &[f64]) -> HoltFit {
    let first: Vec<f64> = adjusted.iter().flatten().take(BURN_IN).copied().collect();
    let level0 = first.iter().sum::<f64>() / first.len().max(1) as f64;
    let mut best: Option<(f64, HoltFit)> = None;
    for alpha in ALPHAS {
        for share in BETA_SHARES {
            for phi in PHIS {
                if share == 0.0 && phi != PHIS[0] {
                    continue;
                }
                let beta = alpha * share;
                let phi = if share == 0.0 { 0.0 } else { phi };
                let (mut l, mut b) = (level0, 0.0);
                let (mut sse, mut sse_adj, mut m, mut seen) = (0.0, 0.0, 0usize, 0usize);
                for (t, a) in adjusted.iter().enumerate() {
                    let pred = l + phi * b;
                    match a {
                        Some(y) => {
                            let e = y - pred;
                            if seen >= BURN_IN {
                                let eu = units[t] - pred * season[t];
                                sse += eu * eu;
                                sse_adj += e * e;
                                m += 1;
                            }
                            seen += 1;
                            l = pred + alpha * e;
                            b = phi * b + beta * e;
                        }
                        None => {
                            l = pred;
                            b *= phi;
                        }
                    }
                }
                if best.as_ref().map_or(true, |(s, _)| sse < *s) {
                    let sigma = (sse_adj / m.max(1) as f64).sqrt();
                    best = Some((
                        sse,
                        HoltFit {
                            alpha,
                            beta,
                            phi,
                            level: l,
                            trend: b,
                            sigma,
                        },
                    ));
                }
            }
        }
    }
    best.expect("the grid is not empty").1
}

/// 10th and 90th percentiles of a Poisson count with mean `rate`.
pub fn poisson_interval(rate: f64) -> (f64, f64) {
    if rate <= 0.0 {
        return (0.0, 0.0);
    }
    if rate > 50.0 {
        let sd = rate.sqrt();
        return ((rate - Z80 * sd).max(0.0), rate + Z80 * sd);
    }
    let (mut k, mut p, mut cdf) = (0u32, (-rate).exp(), 0.0);
    let (mut lo, mut hi) = (None, None);
    loop {
        cdf += p;
        if lo.is_none() && cdf >= 0.1 {
            lo = Some(k as f64);
        }
        if cdf >= 0.9 {
            hi = Some(k as f64);
        }
        if hi.is_some() || k > 500 {
            break;
        }
        k += 1;
        p *= rate / k as f64;
    }
    (lo.unwrap_or(0.0), hi.unwrap_or(rate))
}

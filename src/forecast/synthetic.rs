//! Synthetic SKU demand for `bench-forecast`: a shop-like mix of smooth sellers (weekday
//! pattern, yearly season peaking in December, trend, Black Friday lift, Poisson noise) and
//! slow intermittent ones, reproducible from a seed.

use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};

use super::load::black_friday_days;
use super::model::DemandSeries;

/// Share of the SKUs with intermittent demand.
pub const INTERMITTENT_SHARE: f64 = 0.3;

/// One synthetic SKU: its category ("smooth" or "intermittent") and series; the last
/// `horizon` entries of `future_event` flag the days after the series.
pub struct SyntheticSku {
    pub category: &'static str,
    pub series: DemandSeries,
}

/// `skus` series of `days` days ending on `end`.
pub fn synthetic_skus(skus: usize, days: usize, end: NaiveDate, seed: u64) -> Vec<SyntheticSku> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = end - Days::new(days as u64 - 1);
    let bf: std::collections::HashSet<NaiveDate> =
        black_friday_days(start, end).into_iter().collect();
    (0..skus)
        .map(|_| {
            let intermittent = rng.gen_bool(INTERMITTENT_SHARE);
            let base: f64 = if intermittent {
                rng.gen_range(0.05..0.6)
            } else {
                (rng.gen_range(0.0f64..4.0)).exp()
            };
            let weekly: Vec<f64> = (0..7).map(|_| rng.gen_range(0.7..1.3)).collect();
            let amplitude = rng.gen_range(0.0..0.5);
            let growth = rng.gen_range(-0.3..0.4) / 365.0;
            let bf_lift = rng.gen_range(1.5..3.0);
            let mut series = DemandSeries::plain(start, vec![0.0; days]);
            for t in 0..days {
                let d = start + Days::new(t as u64);
                let season = 1.0
                    + amplitude
                        * (2.0 * std::f64::consts::PI * (d.ordinal() as f64 - 350.0) / 365.0).cos();
                let trend = (1.0 + growth * t as f64).max(0.1);
                let event = bf.contains(&d);
                let mut rate = base * trend;
                if !intermittent {
                    rate *= season * weekly[d.weekday().num_days_from_monday() as usize];
                }
                if event {
                    rate *= bf_lift;
                }
                let y = Poisson::new(rate.max(1e-9)).map_or(0.0, |p| p.sample(&mut rng));
                series.units[t] = y;
                series.event[t] = event;
            }
            SyntheticSku {
                category: if intermittent {
                    "intermittent"
                } else {
                    "smooth"
                },
                series,
            }
        })
        .collect()
}

//! Known anomalies planted into a clean series, to measure a detector where the truth is
//! known: drops and spikes of a fixed size on randomly chosen (seeded) eligible points, far
//! enough apart that each is judged against an unplanted history.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// What to plant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InjectPlan {
    /// Drops planted (value × (1 + `drop`)).
    pub drops: usize,
    /// Spikes planted (value × (1 + `spike`)).
    pub spikes: usize,
    /// Relative change of a drop, e.g. −0.4.
    pub drop: f64,
    /// Relative change of a spike, e.g. +0.6.
    pub spike: f64,
    /// Minimum distance in points between two planted anomalies.
    pub min_spacing: usize,
    pub seed: u64,
}

/// One planted anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Injected {
    pub index: usize,
    pub original: f64,
    pub planted: f64,
}

/// Plants `plan` into a copy of `values`, on points where `eligible` is true (and the value
/// is finite). Returns the new series and what was planted, by index; fewer than asked when
/// the eligible points cannot hold them at that spacing.
pub fn inject(values: &[f64], eligible: &[bool], plan: &InjectPlan) -> (Vec<f64>, Vec<Injected>) {
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let mut candidates: Vec<usize> = (0..values.len())
        .filter(|&i| eligible.get(i).copied().unwrap_or(false) && values[i].is_finite())
        .collect();
    candidates.shuffle(&mut rng);
    let wanted = plan.drops + plan.spikes;
    let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
    for i in candidates {
        if chosen.len() == wanted {
            break;
        }
        if chosen.iter().all(|&c| c.abs_diff(i) >= plan.min_spacing) {
            chosen.push(i);
        }
    }
    let mut out = values.to_vec();
    let mut planted: Vec<Injected> = chosen
        .iter()
        .enumerate()
        .map(|(k, &index)| {
            let change = if k < plan.drops {
                plan.drop
            } else {
                plan.spike
            };
            let original = values[index];
            out[index] = original * (1.0 + change);
            Injected {
                index,
                original,
                planted: out[index],
            }
        })
        .collect();
    planted.sort_by_key(|p| p.index);
    (out, planted)
}

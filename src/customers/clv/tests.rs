//! The fits' building blocks: analytic gradients and the hypergeometric series.

use super::likelihood::{BgNbdProblem, GammaGammaProblem, Objective};
use super::*;

/// The analytic gradient of `objective` at `theta` against central differences.
fn assert_gradient<P>(objective: &P, theta: &[f64])
where
    P: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    let g = objective.gradient(&theta.to_vec()).unwrap();
    let h = 1e-6;
    for i in 0..theta.len() {
        let (mut up, mut down) = (theta.to_vec(), theta.to_vec());
        up[i] += h;
        down[i] -= h;
        let numeric = (objective.cost(&up).unwrap() - objective.cost(&down).unwrap()) / (2.0 * h);
        assert!((numeric - g[i]).abs() < 1e-6, "θ{i}: {numeric} vs {}", g[i]);
    }
}

#[test]
fn bgnbd_gradient_matches_finite_differences() {
    let data: Vec<PurchaseSummary> = [
        (0, 0.0, 30.0),
        (2, 20.0, 38.0),
        (5, 35.5, 39.0),
        (1, 2.0, 10.0),
    ]
    .iter()
    .enumerate()
    .map(|(i, &(x, t_x, t))| PurchaseSummary {
        customer_id: i as i64,
        x,
        t_x,
        t,
        monetary: 10.0,
        first_value: 10.0,
        first_day_no: 0,
    })
    .collect();
    let objective = Objective::new(std::sync::Arc::new(BgNbdProblem::new(&data)));
    // The grouped sum is the per-customer likelihood summed.
    let params = BgNbd {
        r: 0.3,
        alpha: 4.0,
        a: 0.8,
        b: 2.5,
    };
    let direct: f64 = data
        .iter()
        .map(|s| params.log_likelihood(s.x, s.t_x, s.t))
        .sum();
    assert!((objective.model.sum(&params).0 - direct).abs() < 1e-9);
    assert_gradient(
        &objective,
        &[0.3f64.ln(), 4.0f64.ln(), 0.8f64.ln(), 2.5f64.ln()],
    );
}

#[test]
fn gamma_gamma_gradient_matches_finite_differences() {
    let data = [(1, 12.0), (2, 30.5), (5, 8.0), (3, 100.0), (2, 14.0)];
    let objective = Objective::new(std::sync::Arc::new(GammaGammaProblem::new(&data)));
    // The sum grouped by x is the per-customer likelihood summed.
    let params = GammaGamma {
        p: 6.0,
        q: 3.7,
        gamma: 15.0,
    };
    let direct: f64 = data.iter().map(|&(x, m)| params.log_likelihood(x, m)).sum();
    assert!((objective.model.sum(&params).0 - direct).abs() < 1e-9);
    assert_gradient(&objective, &[6.0f64.ln(), 3.7f64.ln(), 15.0f64.ln()]);
}

#[test]
fn hypergeometric_series_matches_closed_forms() {
    // ₂F₁(1, 1; 2; z) = −ln(1−z)/z.
    for z in [0.1, 0.5, 0.9, 0.99] {
        let closed = -(1.0f64 - z).ln() / z;
        assert!((hyp2f1(1.0, 1.0, 2.0, z) - closed).abs() < 1e-9 * closed);
    }
    // ₂F₁(a, b; b; z) = (1−z)^(−a).
    assert!((hyp2f1(0.7, 3.0, 3.0, 0.6) - 0.4f64.powf(-0.7)).abs() < 1e-12);
}

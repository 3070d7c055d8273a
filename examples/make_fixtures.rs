//! Regenerates the data fixtures from a fixed seed: `cargo run --release --example make_fixtures`.
//!
//! * `fixtures/logistic.json`: L2-regularised logistic regression (Appendix B.1) on 40 points in
//!   R², labels drawn from a logistic model with w_true = (1.5, −1), λ = 0.05.
//! * `fixtures/squared_loss.json`: the squared-loss risk (w − w⁰)ᵀ E[x xᵀ] (w − w⁰) + 1 with
//!   E[x xᵀ] estimated from 200 seeded correlated Gaussian features.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde_json::json;

fn main() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_191_126);
    let w_true = [1.5, -1.0];
    let mut features = Vec::new();
    let mut labels = Vec::new();
    for _ in 0..40 {
        let x: Vec<f64> = (0..2).map(|_| StandardNormal.sample(&mut rng)).collect();
        let p = 1.0 / (1.0 + (-(w_true[0] * x[0] + w_true[1] * x[1])).exp());
        labels.push(if rng.random::<f64>() < p { 1.0 } else { 0.0 });
        features.push(x.iter().map(|v| (v * 1e4).round() / 1e4).collect::<Vec<f64>>());
    }
    let logistic = json!({
        "name": "logistic",
        "description": "L2-regularised logistic regression risk, 40 seeded points in R^2 (Appendix B.1)",
        "potential": {"kind": "logistic", "features": features, "labels": labels, "lambda": 0.05}
    });
    let mut m = [[0.0; 2]; 2];
    let n = 200;
    for _ in 0..n {
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        let x = [a, 0.6 * a + 0.5 * b];
        for i in 0..2 {
            for j in 0..2 {
                m[i][j] += x[i] * x[j] / n as f64;
            }
        }
    }
    let m: Vec<Vec<f64>> = m.iter().map(|r| r.iter().map(|v| (v * 1e4).round() / 1e4).collect()).collect();
    let squared = json!({
        "name": "squared-loss",
        "description": "squared-loss risk (w - w0)^T E[x x^T] (w - w0) + 1, E[x x^T] from 200 seeded samples (Appendix B.1)",
        "potential": {"kind": "squared-loss", "second_moment": m, "w0": [0.5, -0.25], "offset": 1.0}
    });
    std::fs::write("fixtures/logistic.json", serde_json::to_string_pretty(&logistic).unwrap()).unwrap();
    std::fs::write("fixtures/squared_loss.json", serde_json::to_string_pretty(&squared).unwrap()).unwrap();
}

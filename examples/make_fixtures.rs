//! Regenerates the data fixtures from a fixed seed: `cargo run --release --example make_fixtures`.
//!
//! * `fixtures/logistic.json`: L2-regularised logistic regression (Appendix B.1) on 40 points in
//!   R², labels drawn from a logistic model with w_true = (1.5, −1), λ = 0.05.
//! * `fixtures/squared_loss.json`: the squared-loss risk (w − w⁰)ᵀ E[x xᵀ] (w − w⁰) + 1 with
//!   E[x xᵀ] estimated from 200 seeded correlated Gaussian features, rounded to 4 decimals as
//!   before; beside it the samples themselves (`samples`: x_n at full precision, and labels
//!   y_n = x_n·w⁰ + ε_n). The ε_n are drawn after the x_n (so every earlier number is unchanged),
//!   then made orthogonal to both feature columns and scaled to (1/N) Σ ε_n² = 1: the finite sum
//!   (1/N) Σ (x_n·w − y_n)² is then exactly (w − w⁰)ᵀ Ê (w − w⁰) + 1, Ê the unrounded mean of
//!   x_n x_nᵀ (which rounds to the stored `second_moment`).

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
    let mut xs = Vec::with_capacity(n);
    for _ in 0..n {
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        let x = [a, 0.6 * a + 0.5 * b];
        for i in 0..2 {
            for j in 0..2 {
                m[i][j] += x[i] * x[j] / n as f64;
            }
        }
        xs.push(x);
    }
    let w0 = [0.5, -0.25];
    let eps = residual_noise(&xs, (0..n).map(|_| StandardNormal.sample(&mut rng)).collect());
    let ys: Vec<f64> = xs.iter().zip(&eps).map(|(x, e)| x[0] * w0[0] + x[1] * w0[1] + e).collect();
    let m: Vec<Vec<f64>> = m.iter().map(|r| r.iter().map(|v| (v * 1e4).round() / 1e4).collect()).collect();
    let squared = json!({
        "name": "squared-loss",
        "description": "squared-loss risk (w - w0)^T E[x x^T] (w - w0) + 1, E[x x^T] from 200 seeded samples (Appendix B.1)",
        "potential": {"kind": "squared-loss", "second_moment": m, "w0": w0, "offset": 1.0},
        "samples": {"features": xs, "labels": ys}
    });
    std::fs::write("fixtures/logistic.json", serde_json::to_string_pretty(&logistic).unwrap()).unwrap();
    std::fs::write("fixtures/squared_loss.json", serde_json::to_string_pretty(&squared).unwrap()).unwrap();
}

/// The draws ε made orthogonal to both feature columns (Σ_n ε_n x_n = 0, by Gram–Schmidt) and
/// scaled to (1/N) Σ ε_n² = 1.
fn residual_noise(xs: &[[f64; 2]], mut eps: Vec<f64>) -> Vec<f64> {
    let column = |i: usize| xs.iter().map(|x| x[i]).collect::<Vec<f64>>();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for i in 0..2 {
        let mut c = column(i);
        for b in &basis {
            let k = dot(&c, b);
            c.iter_mut().zip(b).for_each(|(v, bv)| *v -= k * bv);
        }
        let norm = dot(&c, &c).sqrt();
        basis.push(c.iter().map(|v| v / norm).collect());
    }
    for b in &basis {
        let k = dot(&eps, b);
        eps.iter_mut().zip(b).for_each(|(v, bv)| *v -= k * bv);
    }
    let scale = (dot(&eps, &eps) / eps.len() as f64).sqrt();
    eps.iter().map(|e| e / scale).collect()
}

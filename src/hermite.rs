//! Normalised Hermite functions ψ_n(t) = (2^n n! √π)^{-1/2} H_n(t) e^{−t²/2} and Gauss–Hermite
//! quadrature in Hermite-function form.
//!
//! The three-term recurrence ψ_{n+1} = √(2/(n+1)) t ψ_n − √(n/(n+1)) ψ_{n−1} is run with a
//! separate logarithmic scale, so nothing overflows or underflows for N ≥ 1000 and |t| ≤ √(2N)+.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const RESCALE: f64 = 1e150;

/// ψ_0..ψ_{n−1} at t and their derivatives ψ_n' = √(n/2) ψ_{n−1} − √((n+1)/2) ψ_{n+1}.
pub fn values_and_derivatives(n: usize, t: f64) -> (Vec<f64>, Vec<f64>) {
    let psi = values(n + 1, t);
    let dpsi = (0..n)
        .map(|k| {
            let lower = if k > 0 { (k as f64 / 2.0).sqrt() * psi[k - 1] } else { 0.0 };
            lower - ((k as f64 + 1.0) / 2.0).sqrt() * psi[k + 1]
        })
        .collect();
    (psi[..n].to_vec(), dpsi)
}

/// ψ_0..ψ_{n−1} at t, by the scaled recurrence.
pub fn values(n: usize, t: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let (mut prev, mut cur) = (0.0f64, std::f64::consts::PI.powf(-0.25));
    let mut log_scale = -0.5 * t * t;
    for k in 0..n {
        out.push(if cur == 0.0 { 0.0 } else { cur.signum() * (cur.abs().ln() + log_scale).exp() });
        let next = (2.0 / (k as f64 + 1.0)).sqrt() * t * cur - (k as f64 / (k as f64 + 1.0)).sqrt() * prev;
        prev = cur;
        cur = next;
        if cur.abs() > RESCALE {
            cur /= RESCALE;
            prev /= RESCALE;
            log_scale += RESCALE.ln();
        }
    }
    out
}

/// Gauss–Hermite rule in Hermite-function form: ∫ f(t) dt ≈ Σ λ_i f(t_i), exact when
/// f = e^{−t²}·(polynomial of degree ≤ 2q−1). λ_i = 1/Σ_{k<q} ψ_k(t_i)² (Christoffel numbers).
#[derive(Debug, Clone)]
pub struct GaussHermite {
    /// Nodes t_i (zeros of ψ_q), ascending.
    pub nodes: Vec<f64>,
    /// Weights λ_i for ∫ f(t) dt.
    pub weights: Vec<f64>,
}

impl GaussHermite {
    /// The q-point rule, computed once per q and process: a second caller of the same q waits
    /// for the first rather than computing it again (a deterministic function, so the stored
    /// rule is the one a fresh computation gives).
    pub fn new(q: usize) -> GaussHermite {
        type Slot = std::sync::Arc<OnceLock<GaussHermite>>;
        static CACHE: OnceLock<Mutex<HashMap<usize, Slot>>> = OnceLock::new();
        let slot = {
            let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
            cache.entry(q).or_default().clone()
        };
        slot.get_or_init(|| GaussHermite::compute(q)).clone()
    }

    fn compute(q: usize) -> GaussHermite {
        let jacobi = faer::Mat::<f64>::from_fn(q, q, |i, j| {
            if i + 1 == j || j + 1 == i {
                (i.max(j) as f64 / 2.0).sqrt()
            } else {
                0.0
            }
        });
        // Sequential up to 256 nodes ([`crate::eigen::SEQUENTIAL_UP_TO`]): no thread pool for a small rule.
        let mut nodes =
            crate::eigen::lowest_eigenvalues_dense(jacobi.as_ref(), q).expect("symmetric tridiagonal eigenvalues");
        for t in nodes.iter_mut() {
            *t = newton_polish(q, *t);
        }
        nodes.sort_by(|a, b| a.total_cmp(b));
        let weights = nodes.iter().map(|&t| christoffel(q, t)).collect();
        GaussHermite { nodes, weights }
    }
}

/// Two Newton steps on ψ_q(t) = 0 (ψ_q' = √(2q) ψ_{q−1} at a zero).
fn newton_polish(q: usize, mut t: f64) -> f64 {
    for _ in 0..2 {
        let (lo, hi) = ratio_pair(q, t);
        let step = hi / ((2.0 * q as f64).sqrt() * lo - t * hi);
        if step.is_finite() {
            t -= step;
        }
    }
    t
}

/// (ψ_{q−1}(t), ψ_q(t)) up to a common positive factor.
fn ratio_pair(q: usize, t: f64) -> (f64, f64) {
    let (mut prev, mut cur) = (0.0f64, 1.0f64);
    for k in 0..q {
        let next = (2.0 / (k as f64 + 1.0)).sqrt() * t * cur - (k as f64 / (k as f64 + 1.0)).sqrt() * prev;
        prev = cur;
        cur = next;
        let m = cur.abs().max(prev.abs());
        if m > RESCALE {
            cur /= m;
            prev /= m;
        }
    }
    (prev, cur)
}

/// 1/Σ_{k<q} ψ_k(t)², computed in logarithms.
fn christoffel(q: usize, t: f64) -> f64 {
    let (mut prev, mut cur) = (0.0f64, std::f64::consts::PI.powf(-0.25));
    let mut log_scale = -0.5 * t * t;
    let mut sum = 0.0;
    for k in 0..q {
        sum += cur * cur;
        let next = (2.0 / (k as f64 + 1.0)).sqrt() * t * cur - (k as f64 / (k as f64 + 1.0)).sqrt() * prev;
        prev = cur;
        cur = next;
        if cur.abs() > RESCALE {
            cur /= RESCALE;
            prev /= RESCALE;
            sum /= RESCALE * RESCALE;
            log_scale += RESCALE.ln();
        }
    }
    (-(sum.ln() + 2.0 * log_scale)).exp()
}

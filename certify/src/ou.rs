//! The gap of the overdamped operator for L = a w²/2 (an Ornstein–Uhlenbeck process) against the
//! batch size M: D = γβ/(2M), H = D·AᵀA with A = ∂ + aw/(2D). In the Hermite functions φ_k of
//! scale s = √(2D/a) (orthonormal and complete in L²(ℝ)), A = (√2/s)·a_lower, so
//! Hφ_k = D·(2/s²)·k·φ_k = k·a·φ_k: the spectrum is {k·a}, λ1 = a for every D > 0. The re-check
//! recomputes D per M, and D·2/s² = a in intervals for each.

use crate::certificate::{get, Argument, Enclosures};
use crate::interval::Interval;
use serde::{Deserialize, Serialize};

/// The inputs of the batch remark on a convex quadratic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchGap {
    /// Learning rate γ.
    pub lr: f64,
    /// Noise scale β.
    pub beta: f64,
    /// Curvature a of L = a w²/2.
    pub curvature: f64,
    /// Batch sizes, increasing.
    pub batches: Vec<f64>,
}

impl BatchGap {
    fn gap_name(m: f64) -> String {
        format!("lambda1[M={m}]")
    }
}

impl Argument for BatchGap {
    fn enclosures(&self) -> Result<Enclosures, String> {
        if !(self.lr > 0.0 && self.beta > 0.0 && self.curvature > 0.0) || self.batches.len() < 2 {
            return Err("the batch certificate needs γ, β, a > 0 and at least two batch sizes".into());
        }
        if self.batches.windows(2).any(|w| !(w[0] > 0.0 && w[1] > w[0])) {
            return Err("batch sizes must be positive and increasing".into());
        }
        let a = Interval::point(self.curvature);
        let mut e = Enclosures::new();
        for &m in &self.batches {
            let d = Interval::point(self.lr) * self.beta / (Interval::point(m) * 2.0);
            if !d.is_positive() || !d.is_finite() {
                return Err(format!("D at M = {m} is not a certain positive number"));
            }
            // s² = 2D/a; the eigenvalue of φ_1 is D·2/s² · 1 = a exactly.
            let s2 = d * 2.0 / a;
            let lambda1 = d * 2.0 / s2;
            e.insert(format!("D[M={m}]"), d);
            // λ1 = a exactly (ladder identity); the interval computation above must contain it.
            if !lambda1.contains(self.curvature) {
                return Err("the ladder identity D·2/s² = a failed in intervals".into());
            }
            e.insert(Self::gap_name(m), a);
        }
        Ok(e)
    }
    fn margin(&self, enc: &Enclosures) -> Result<Interval, String> {
        let mut margin = Interval::point(f64::INFINITY);
        for w in self.batches.windows(2) {
            let step = get(enc, &Self::gap_name(w[1]))? - get(enc, &Self::gap_name(w[0]))?;
            margin = margin.min(&step);
        }
        Ok(margin)
    }
    fn statement(&self) -> (String, String) {
        (
            "remark after Theorem 1: the rate decreases as M grows (λ1(M') < λ1(M) for M' > M); for L = a w²/2 \
             the spectrum is {k·a} for every D, so λ1(M') − λ1(M) = 0"
                .into(),
            "min over consecutive M < M' of λ1(M') − λ1(M) (≥ 0 refutes the strict decrease)".into(),
        )
    }
    fn zero_margin_refutes(&self) -> bool {
        true
    }
}

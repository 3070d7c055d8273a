//! Mean first passage times of dW = −∇L dt + √(2D) dB, and the Eyring–Kramers formula
//! τ ≈ (2π/|λ*|) √(|det ∇²L(w*)| / det ∇²L(w̌)) e^{(L(w*) − L(w̌))/D} over an index-1 saddle w*.
//!
//! In d = 1 the mean time to reach b from a < b is the exact double integral
//!   τ(a→b) = (1/D) ∫_a^b e^{L(y)/D} ∫_{−∞}^y e^{−L(z)/D} dz dy,
//! evaluated entirely in logarithms: the inner integral F(y) is tabulated cumulatively on a
//! fine grid (30-point Gauss–Legendre per cell, log-sum-exp accumulation), the outer integral by
//! [`log_integral_1d`]. For a > b the formula is applied to the mirrored potential L(−x).

use crate::critical::{newton_critical, require_minimum, saddle_between, CriticalPoint};
use crate::error::{positive, EngineError, Result};
use crate::gibbs::domain::{gibbs_radius, lowest_point};
use crate::gibbs::rules::{gauss_legendre, log_add, log_integral_1d, LogQuantity};
use crate::potential::Potential;
use serde::Serialize;
use std::f64::consts::PI;

/// Cells of the cumulative table of the inner integral.
const CELLS: usize = 4096;

/// ln τ(from → to) in d = 1 by the exact double-integral formula.
pub fn mfpt_1d(potential: &dyn Potential, diffusion: f64, from: f64, to: f64) -> Result<LogQuantity> {
    positive("diffusion", diffusion)?;
    if potential.dim() != 1 {
        return Err(EngineError::InvalidParameter("the double-integral formula needs d = 1".into()));
    }
    crate::error::finite("from", from)?;
    crate::error::finite("to", to)?;
    if from == to {
        return Err(EngineError::InvalidParameter("start and target coincide: τ = 0".into()));
    }
    let sign = if from < to { 1.0 } else { -1.0 };
    let l = |x: f64| potential.value(&[sign * x]);
    let (a, b) = (sign * from, sign * to);
    let centre = sign * lowest_point(potential)[0];
    let r = gibbs_radius(potential, 1.0 / diffusion, &[sign * centre])?;
    let lo = (centre - r).min(a - 1.0);
    let inner = |z: f64| -l(z) / diffusion;
    // the same values by the batch evaluation (each L bit-identical to Potential::value)
    let inner_batch = |zs: &[f64], out: &mut [f64]| {
        let xs: Vec<f64> = zs.iter().map(|z| sign * z).collect();
        potential.values(&[&xs], out);
        out.iter_mut().for_each(|v| *v = -*v / diffusion);
    };
    let table = CumulativeLog::new(&inner_batch, lo, b);
    let check = log_integral_1d(&inner, lo, b)?;
    let inner_error = (table.ln_at(b) - check.ln).abs() + check.rel_error;
    let outer = log_integral_1d(&|y| l(y) / diffusion + table.ln_at(y), a, b)?;
    Ok(LogQuantity { ln: outer.ln - diffusion.ln(), rel_error: outer.rel_error + inner_error })
}

/// ln ∫_lo^y e^{h(z)} dz tabulated on a uniform grid, evaluated anywhere in [lo, hi]; h is
/// evaluated in batches (`h(points, values)`).
struct CumulativeLog<'a> {
    h: &'a dyn Fn(&[f64], &mut [f64]),
    lo: f64,
    step: f64,
    ln_values: Vec<f64>,
    rule: (Vec<f64>, Vec<f64>),
}

/// Gauss–Legendre nodes per cell of [`CumulativeLog`].
const CELL_NODES: usize = 30;

/// Points of h per cell: both ends and the midpoint (the shift), then the Gauss–Legendre nodes.
const CELL_POINTS: usize = CELL_NODES + 3;

impl<'a> CumulativeLog<'a> {
    fn new(h: &'a dyn Fn(&[f64], &mut [f64]), lo: f64, hi: f64) -> Self {
        let step = (hi - lo) / CELLS as f64;
        let rule = gauss_legendre(CELL_NODES);
        let mut points = vec![0.0; CELLS * CELL_POINTS];
        for (k, cell) in points.chunks_exact_mut(CELL_POINTS).enumerate() {
            cell_points(lo + step * k as f64, lo + step * (k + 1) as f64, &rule, cell);
        }
        let mut values = vec![0.0; points.len()];
        h(&points, &mut values);
        let mut ln_values = vec![f64::NEG_INFINITY; CELLS + 1];
        for (k, cell) in values.chunks_exact(CELL_POINTS).enumerate() {
            let (p, q) = (lo + step * k as f64, lo + step * (k + 1) as f64);
            ln_values[k + 1] = log_add(ln_values[k], ln_cell(cell, p, q, &rule));
        }
        CumulativeLog { h, lo, step, ln_values, rule }
    }

    fn ln_at(&self, y: f64) -> f64 {
        let k = (((y - self.lo) / self.step).floor().max(0.0) as usize).min(CELLS);
        let xk = self.lo + self.step * k as f64;
        if y <= xk {
            return self.ln_values[k];
        }
        let (mut points, mut values) = ([0.0; CELL_POINTS], [0.0; CELL_POINTS]);
        cell_points(xk, y, &self.rule, &mut points);
        (self.h)(&points, &mut values);
        log_add(self.ln_values[k], ln_cell(&values, xk, y, &self.rule))
    }
}

/// The points of one cell [p, q]: p, q, (p + q)/2, then the Gauss–Legendre nodes.
fn cell_points(p: f64, q: f64, rule: &(Vec<f64>, Vec<f64>), out: &mut [f64]) {
    let (c, m) = (0.5 * (q - p), 0.5 * (p + q));
    out[..3].copy_from_slice(&[p, q, 0.5 * (p + q)]);
    for (x, t) in out[3..].iter_mut().zip(&rule.0) {
        *x = c * t + m;
    }
}

/// ln ∫_p^q e^h by Gauss–Legendre from h at [`cell_points`], shifted by the largest of h at the
/// ends and the midpoint (the terms of [`crate::gibbs::rules::gl_sum`], in its order).
fn ln_cell(h: &[f64], p: f64, q: f64, rule: &(Vec<f64>, Vec<f64>)) -> f64 {
    let shift = h[0].max(h[1]).max(h[2]);
    if shift == f64::NEG_INFINITY {
        return shift;
    }
    let c = 0.5 * (q - p);
    let sum: f64 = rule.1.iter().zip(&h[3..]).map(|(w, v)| w * c * (v - shift).exp()).sum();
    shift + sum.ln()
}

/// The Eyring–Kramers prediction with its ingredients.
#[derive(Debug, Clone, Serialize)]
pub struct EyringKramers {
    /// ln of (2π/λ*) √(|det ∇²L(w*)| / det ∇²L(w̌₁)) e^{(L(w*) − L(w̌₁))/D}.
    pub ln_time: f64,
    /// The starting minimum w̌₁.
    pub minimum: CriticalPoint,
    /// The saddle w*.
    pub saddle: CriticalPoint,
    /// Barrier H(w*, w̌₁) = L(w*) − L(w̌₁).
    pub barrier: f64,
}

/// Eyring–Kramers time from the minimum near `from` over the saddle towards `to`, λ* the negative
/// Hessian eigenvalue at the saddle (see the module notes).
pub fn eyring_kramers(potential: &dyn Potential, diffusion: f64, from: &[f64], to: &[f64]) -> Result<EyringKramers> {
    positive("diffusion", diffusion)?;
    let minimum = require_minimum(potential, from)?;
    let target = newton_critical(potential, to)?;
    let saddle = saddle_between(potential, &minimum.point, &target.point)?;
    if saddle.index != 1 {
        return Err(EngineError::Numerical("the highest point between the minima is not an index-1 saddle".into()));
    }
    let lambda_star = -saddle.eigenvalues[0];
    let barrier = saddle.value - minimum.value;
    let prefactor = 2.0 * PI / lambda_star * (saddle.determinant.abs() / minimum.determinant).sqrt();
    Ok(EyringKramers { ln_time: prefactor.ln() + barrier / diffusion, minimum, saddle, barrier })
}

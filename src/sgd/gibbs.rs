//! The Fokker–Planck stationary law p∞ ∝ e^{−L/T} on a grid, its first-order correction for the
//! SGD recursion, and exact draws from the gridded law to start chains in equilibrium.
//!
//! # First-order correction of the stationary law of SGD
//!
//! SGD with additive noise of covariance s² I per step is the recursion
//! w' = w − h∇L(w) + Δ_noise with h = γ, E Δ_noise = 0, E Δ_noise² = 2Dh (D = γs²/2): the
//! Euler–Maruyama scheme of dW = −∇L dt + √(2D) dB with step h. In d = 1 its one-step operator
//! is, for smooth f and Gaussian-like increments,
//!   P_h f = f + h A f + h² A₂ f + O(h³),   A f = −L' f' + D f'',
//!   A₂ f = ½ L'² f'' − D L' f''' + ½ D² f'''',
//! from E Δ = −hL', E Δ² = h²L'² + 2Dh, E Δ³ = −6Dh²L' + O(h³), E Δ⁴ = 12D²h² + O(h³).
//! Write the stationary density of the recursion as ρ_h = ρ(1 + h f₁ + O(h²)), ρ ∝ e^{−L/D}.
//! Stationarity ∫ (P_h g − g) ρ_h = 0 for all g gives at order h² (using ∫ A g ρ = 0 and the
//! symmetry of A in L²(ρ)): A f₁ = −ρ⁻¹ A₂ᵀρ, A₂ᵀ the formal adjoint. With ρ' = −L'ρ/D,
//!   A₂ᵀρ = ½ (L'²ρ)'' + D (L'ρ)''' + ½ D² ρ'''' = ½ (L'²ρ − D²ρ'')'' = (D/2) (L''ρ)'',
//! since D²ρ'' = L'²ρ − D L''ρ. As A f = D ρ⁻¹ (ρ f')', this is (ρ f₁')' = −½ (L''ρ)'', so
//! (no flux at ±∞) f₁' = −½ (L''' − L'L''/D) and
//!   f₁ = L'²/(4D) − L''/2 + const,   ρ_h ∝ e^{−L/D} [1 + h (|∇L|²/(4D) − ΔL/2)] + O(h²).
//! In d dimensions the same computation gives f₁ = |∇L|²/(4D) − ΔL/2 (checked here against the
//! exact Lyapunov covariance of the quadratic case, where it reproduces Var = (D/a)(1 + γa/2) +
//! O(γ²) in every eigendirection). The correction is the Schrödinger potential of the
//! ground-state form of the overdamped Fokker–Planck operator (|∇L|²/(4D) − ΔL/2), times h.
//!
//! For the finite-sum noise the third and fourth cumulants of the batch mean add
//! (γ³κ₃/M²) f'''/6 and (γ⁴κ₄/M³) f''''/24 to P_h f; with β and M fixed these are O(h³) and
//! O(h⁴) and do not change f₁. (Along γ → 0 at fixed D with M ∝ γ they are O(h)·κ_k/β^{k/2}
//! instead: the limit law then carries the empirical cumulants of the c_n, which the checks
//! report.)

use crate::error::{EngineError, Result};
use crate::potential::Potential;
use crate::quantity::Quantity;
use rand::Rng;

/// The law e^{−L/T} on a midpoint grid of m cells per axis over a box holding its mass.
#[derive(Debug, Clone)]
pub struct GridLaw {
    dim: usize,
    cells: usize,
    lower: [f64; 3],
    width: [f64; 3],
    /// Cell centres.
    points: Vec<[f64; 3]>,
    /// Normalised weights of e^{−L/T}.
    weights: Vec<f64>,
    /// f₁ = |∇L|²/(4T) − ΔL/2 at the cell centres.
    correction: Vec<f64>,
    /// Cumulative weights for sampling.
    cumulative: Vec<f64>,
}

/// Cells per axis of the two grids compared for the error estimate.
fn cells_for(dim: usize) -> (usize, usize) {
    match dim {
        1 => (1200, 1800),
        2 => (160, 240),
        _ => (48, 72),
    }
}

impl GridLaw {
    /// The gridded law at temperature T on the box mean ± 12 sd of the engine's coarse moments.
    pub fn new(potential: &dyn Potential, temperature: f64, cells: usize) -> Result<GridLaw> {
        let dim = potential.dim();
        let (mean, var) = crate::scaling::gibbs_moments(potential, 1.0 / temperature)?;
        let mut lower = [0.0; 3];
        let mut width = [1.0; 3];
        for i in 0..dim {
            let half = 12.0 * var[i].sqrt().max(1e-300);
            lower[i] = mean[i] - half;
            width[i] = 2.0 * half / cells as f64;
        }
        let total = cells.pow(dim as u32);
        let mut points = Vec::with_capacity(total);
        let mut logs = Vec::with_capacity(total);
        let mut correction = Vec::with_capacity(total);
        for k in 0..total {
            let mut x = [0.0; 3];
            for (i, xi) in x.iter_mut().enumerate().take(dim) {
                let idx = (k / cells.pow(i as u32)) % cells;
                *xi = lower[i] + (idx as f64 + 0.5) * width[i];
            }
            let jet = potential.jet(&x[..dim]);
            let grad2: f64 = jet.g[..dim].iter().map(|g| g * g).sum();
            let laplacian: f64 = (0..dim).map(|i| jet.h[i][i]).sum();
            points.push(x);
            logs.push(-jet.v / temperature);
            correction.push(grad2 / (4.0 * temperature) - laplacian / 2.0);
        }
        let top = logs.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
        let mut weights: Vec<f64> = logs.iter().map(|l| if l.is_finite() { (l - top).exp() } else { 0.0 }).collect();
        let sum: f64 = weights.iter().sum();
        if !(sum.is_finite() && sum > 0.0) {
            return Err(EngineError::Numerical("the gridded Gibbs law has no mass".into()));
        }
        weights.iter_mut().for_each(|w| *w /= sum);
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Ok(GridLaw { dim, cells, lower, width, points, weights, correction, cumulative })
    }

    /// Mean and variance per axis under e^{−L/T}(1 + h f₁) (h = 0: the Fokker–Planck law).
    pub fn moments(&self, h: f64) -> (Vec<f64>, Vec<f64>) {
        let w: Vec<f64> = self.weights.iter().zip(&self.correction).map(|(w, f)| w * (1.0 + h * f)).collect();
        let total: f64 = w.iter().sum();
        let mean: Vec<f64> =
            (0..self.dim).map(|i| self.points.iter().zip(&w).map(|(x, w)| w * x[i]).sum::<f64>() / total).collect();
        let var = (0..self.dim)
            .map(|i| self.points.iter().zip(&w).map(|(x, w)| w * (x[i] - mean[i]).powi(2)).sum::<f64>() / total)
            .collect();
        (mean, var)
    }

    /// Mass nearest each centre under e^{−L/T}(1 + h f₁).
    pub fn nearest_fractions(&self, centres: &[[f64; 3]], h: f64) -> Vec<f64> {
        let mut out = vec![0.0; centres.len()];
        let mut total = 0.0;
        for ((x, w), f) in self.points.iter().zip(&self.weights).zip(&self.correction) {
            let weight = w * (1.0 + h * f);
            total += weight;
            let dist = |c: &[f64; 3]| (0..self.dim).map(|i| (x[i] - c[i]).powi(2)).sum::<f64>();
            if let Some(best) = (0..centres.len()).min_by(|&a, &b| dist(&centres[a]).total_cmp(&dist(&centres[b]))) {
                out[best] += weight;
            }
        }
        out.iter_mut().for_each(|v| *v /= total);
        out
    }

    /// An exact draw from the gridded law: a cell by its weight, then uniform inside it.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> [f64; 3] {
        let u: f64 = rng.random();
        let k = self.cumulative.partition_point(|c| *c < u).min(self.points.len() - 1);
        let mut x = [0.0; 3];
        for (i, xi) in x.iter_mut().enumerate().take(self.dim) {
            let idx = (k / self.cells.pow(i as u32)) % self.cells;
            *xi = self.lower[i] + (idx as f64 + rng.random::<f64>()) * self.width[i];
        }
        x
    }
}

/// Stationary moments with error estimates: mean and variance per axis and the nearest-centre
/// masses of e^{−L/T}(1 + h f₁), each from two grids, the error being their difference (the
/// midpoint rule converges geometrically on the box, so the coarse grid's error bounds the fine one's).
pub struct LawMoments {
    /// Mean per axis.
    pub mean: Vec<Quantity>,
    /// Variance per axis.
    pub variance: Vec<Quantity>,
    /// Mass nearest each centre.
    pub fractions: Vec<Quantity>,
}

/// [`LawMoments`] of e^{−L/T}(1 + h f₁) (h = 0 for the Fokker–Planck law).
pub fn law_moments(potential: &dyn Potential, temperature: f64, h: f64, centres: &[[f64; 3]]) -> Result<LawMoments> {
    let (coarse, fine) = cells_for(potential.dim());
    let a = GridLaw::new(potential, temperature, coarse)?;
    let b = GridLaw::new(potential, temperature, fine)?;
    let (ma, va) = a.moments(h);
    let (mb, vb) = b.moments(h);
    let fa = a.nearest_fractions(centres, h);
    let fb = b.nearest_fractions(centres, h);
    let pair = |x: &[f64], y: &[f64]| -> Vec<Quantity> {
        x.iter().zip(y).map(|(p, q)| Quantity::new(*q, (p - q).abs() + 1e-13 * q.abs().max(1e-300))).collect()
    };
    Ok(LawMoments { mean: pair(&ma, &mb), variance: pair(&va, &vb), fractions: pair(&fa, &fb) })
}

//! Choice of the Hermite basis axes: the centre from the mean of p_∞ ∝ e^{−L/D}, and the scales
//! by minimising, with argmin, the sum of the lowest Ritz values at a probe size. Rayleigh–Ritz
//! values are upper bounds of the true eigenvalues, so the smaller the sum the better the basis.

use crate::basis::{HermiteBasis, IndexSet};
use crate::eigen::{lowest_dense, lowest_from_factor};
use crate::error::{short, EngineError, Result};
use crate::operator::Overdamped;
use crate::potential::Potential;
use argmin::core::{CostFunction, Executor};
use argmin::solver::brent::BrentOpt;
use argmin::solver::neldermead::NelderMead;

/// Mean and variance per axis of e^{−ηL}, by a Riemann sum on a box holding its mass: boxes
/// around the origin of half-width 2, 4, …, 4096, then (when the mass lies elsewhere) the same
/// boxes around the lowest point of L ([`crate::confinement::landscape`]). The potential has
/// passed the confinement test, so a box that never holds the mass means that η is too small
/// (the temperature 1/η, e.g. the diffusion D, too large) for the scale of L.
pub fn gibbs_moments(potential: &Potential, eta: f64) -> Result<(Vec<f64>, Vec<f64>)> {
    let d = potential.dim();
    let rise = match moments_in_box(potential, eta, &vec![0.0; d]) {
        Ok(moments) => return Ok(moments),
        Err(rise) => rise,
    };
    let centre = crate::confinement::landscape(potential)?.minimum;
    let rise = match moments_in_box(potential, eta, &centre) {
        Ok(moments) => return Ok(moments),
        Err(r) => r.max(rise),
    };
    Err(EngineError::InvalidParameter(format!(
        "the temperature 1/η = {} (D; D_v/g if kinetic) is too large: L rises by only {} within {} \
         of its minimum, short of the 40/η that confines e^(−ηL)",
        short(1.0 / eta),
        short(rise),
        short(MAX_HALF)
    )))
}

/// Largest half-width of the moment boxes.
const MAX_HALF: f64 = 4096.0;

/// Moments on boxes of half-width 2, 4, …, [`MAX_HALF`] around `centre`; Err(rise of L from its
/// lowest sample to its lowest edge sample on the largest box) when none holds the mass.
fn moments_in_box(potential: &Potential, eta: f64, centre: &[f64]) -> std::result::Result<(Vec<f64>, Vec<f64>), f64> {
    let d = potential.dim();
    let m = match d {
        1 => 801,
        2 => 121,
        _ => 41,
    };
    let mut half = 2.0f64;
    let (mut mean, mut var) = (vec![0.0; d], vec![0.0; d]);
    let mut rise = f64::NAN;
    while half <= MAX_HALF {
        let (lmin, edge_min, pts) = sample_box(potential, centre, half, m, d);
        rise = edge_min - lmin;
        if rise * eta > 40.0 {
            let weights: Vec<f64> = pts.iter().map(|(_, l)| (-(l - lmin) * eta).exp()).collect();
            let total: f64 = weights.iter().sum();
            for j in 0..d {
                mean[j] = pts.iter().zip(&weights).map(|((x, _), w)| w * x[j]).sum::<f64>() / total;
                var[j] = pts.iter().zip(&weights).map(|((x, _), w)| w * (x[j] - mean[j]).powi(2)).sum::<f64>() / total;
            }
            let h = 2.0 * half / (m - 1) as f64;
            var.iter_mut().for_each(|v| *v = v.max(h * h));
            return Ok((mean, var));
        }
        half *= 2.0;
    }
    Err(rise)
}

type Samples = Vec<(Vec<f64>, f64)>;

fn sample_box(potential: &Potential, centre: &[f64], half: f64, m: usize, d: usize) -> (f64, f64, Samples) {
    let total = m.pow(d as u32);
    let mut pts = Vec::with_capacity(total);
    let mut lmin = f64::INFINITY;
    let mut edge_min = f64::INFINITY;
    for k in 0..total {
        let mut rem = k;
        let mut x = vec![0.0; d];
        let mut on_edge = false;
        for (j, xj) in x.iter_mut().enumerate() {
            let i = rem % m;
            rem /= m;
            *xj = centre[j] - half + 2.0 * half * i as f64 / (m - 1) as f64;
            on_edge |= i == 0 || i == m - 1;
        }
        let l = potential.value(&x);
        if l.is_finite() {
            lmin = lmin.min(l);
            if on_edge {
                edge_min = edge_min.min(l);
            }
            pts.push((x, l));
        }
    }
    (lmin, edge_min, pts)
}

struct RitzSum<'a> {
    op: &'a Overdamped<'a>,
    centre: Vec<f64>,
    scale0: Vec<f64>,
    sizes: Vec<usize>,
    kind: IndexSet,
    count: usize,
}

impl RitzSum<'_> {
    fn eval(&self, log_factors: &[f64]) -> f64 {
        let scale: Vec<f64> = self.scale0.iter().zip(log_factors).map(|(s, f)| s * f.exp()).collect();
        let Ok(basis) = HermiteBasis::new(self.centre.clone(), scale, self.sizes.clone(), self.kind) else {
            return f64::INFINITY;
        };
        // A polynomial L has the exact banded H (the same Galerkin matrix as BᵀB, whose
        // quadrature is exact for it), far cheaper than the QR of B at the probe size.
        let pairs = match self.op.potential.poly() {
            Some(_) => self.op.sparse_matrix(&basis).and_then(|h| lowest_dense(h.to_dense().as_ref(), self.count + 1)),
            None => self.op.factor(&basis).and_then(|b| lowest_from_factor(b.as_ref(), self.count + 1)),
        };
        match pairs {
            Ok(p) => p.values.iter().sum(),
            Err(_) => f64::INFINITY,
        }
    }
}

impl CostFunction for RitzSum<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.eval(p))
    }
}

struct RitzSum1<'a>(RitzSum<'a>);

impl CostFunction for RitzSum1<'_> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, p: &f64) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.0.eval(&[*p]))
    }
}

/// Centre and scale per axis for the Hermite basis of the operator.
pub fn choose_axes(op: &Overdamped, count: usize, probe: usize, kind: IndexSet) -> Result<(Vec<f64>, Vec<f64>)> {
    let d = op.potential.dim();
    let (centre, var) = gibbs_moments(op.potential, 1.0 / op.diffusion)?;
    let scale0: Vec<f64> = var.iter().map(|v| (2.0 * v).sqrt()).collect();
    let objective = RitzSum { op, centre: centre.clone(), scale0: scale0.clone(), sizes: vec![probe; d], kind, count };
    let best: Vec<f64> = if d == 1 {
        let solver = BrentOpt::new(-1.5, 1.5).set_tolerance(1e-3, 1e-4);
        let res = Executor::new(RitzSum1(objective), solver)
            .configure(|s| s.param(0.0).max_iters(40))
            .run()
            .map_err(|e| EngineError::Numerical(format!("scale search failed: {e}")))?;
        vec![res.state().best_param.unwrap_or(0.0)]
    } else {
        let mut simplex = vec![vec![0.0; d]];
        for j in 0..d {
            let mut v = vec![0.0; d];
            v[j] = 0.4;
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-3)
            .map_err(|e| EngineError::Numerical(format!("scale search: {e}")))?;
        let res = Executor::new(objective, solver)
            .configure(|s| s.max_iters(40))
            .run()
            .map_err(|e| EngineError::Numerical(format!("scale search failed: {e}")))?;
        res.state().best_param.clone().unwrap_or_else(|| vec![0.0; d])
    };
    let scale = scale0.iter().zip(&best).map(|(s, f)| s * f.exp()).collect();
    Ok((centre, scale))
}

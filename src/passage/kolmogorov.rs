//! Mean first passage times in d = 2 from the backward Kolmogorov equation
//!   −D Δτ + ∇L·∇τ = 1 outside the target ball,  τ = 0 on it,
//! written in divergence form −D ∇·(e^{−L/D} ∇τ) = e^{−L/D} and discretised on a uniform grid
//! with exponentially fitted (Scharfetter–Gummel) edge weights, which stay accurate when D is
//! small. The box boundary is reflecting (the Gibbs weight is negligible there). The symmetric
//! positive definite system is solved by sparse Cholesky (faer); the error estimate comes from a
//! refinement study h, h/2, h/4 with Richardson extrapolation. It reaches ~1e-4 relative and is
//! kept as an independent cross-check of the spectral solver [`crate::annulus`] and of the log-polar
//! finite volumes [`crate::logpolar`] (both 1e-8). Its sparse Cholesky computes pivots by
//! subtraction, so at very small D it also loses digits to round-off (see [`crate::logpolar`]).

pub use super::{bernoulli, check_passage};
use crate::eigen::sparse_from_triplets;
use crate::error::{positive, EngineError, Result};
use crate::gibbs::domain::{gibbs_radius, lowest_point};
use crate::gibbs::rules::LogQuantity;
use crate::potential::Potential;
use faer::linalg::solvers::SolveCore;
use faer::sparse::Triplet;
use faer::{Conj, Mat, Side};

/// Box and target of a 2D passage-time problem.
#[derive(Debug, Clone)]
pub struct PassageProblem {
    /// Lower-left corner of the box (a grid node).
    pub lower: [f64; 2],
    /// Upper-right corner of the box.
    pub upper: [f64; 2],
    /// Target ball centre.
    pub target: [f64; 2],
    /// Target ball radius.
    pub radius: f64,
}

/// Smallest edge weight kept in the matrix (see `mfpt_grid`).
const WEIGHT_FLOOR: f64 = 1e-280;

/// Fraction θ ∈ (0, 1] of the edge from `here` (outside) to `there` (inside) at which it meets
/// the sphere |w − c| = r.
fn boundary_fraction(here: [f64; 2], there: [f64; 2], c: [f64; 2], r: f64) -> f64 {
    let (dx, dy) = (there[0] - here[0], there[1] - here[1]);
    let (fx, fy) = (here[0] - c[0], here[1] - c[1]);
    let a = dx * dx + dy * dy;
    let b = 2.0 * (fx * dx + fy * dy);
    let q = fx * fx + fy * fy - r * r;
    let disc = (b * b - 4.0 * a * q).max(0.0);
    ((-b - disc.sqrt()) / (2.0 * a)).clamp(1e-3, 1.0)
}

/// τ at `start` on a grid of step h (start must be a grid node).
#[allow(clippy::needless_range_loop)]
pub(crate) fn mfpt_grid(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &PassageProblem,
    h: f64,
    start: [f64; 2],
) -> Result<f64> {
    positive("diffusion", diffusion)?;
    let nx = ((prob.upper[0] - prob.lower[0]) / h).round() as usize + 1;
    let ny = ((prob.upper[1] - prob.lower[1]) / h).round() as usize + 1;
    let node = |i: usize, j: usize| [prob.lower[0] + h * i as f64, prob.lower[1] + h * j as f64];
    let levels: Vec<f64> = (0..nx * ny).map(|k| potential.value(&node(k / ny, k % ny))).collect();
    let lmin = levels.iter().copied().fold(f64::INFINITY, f64::min);
    let in_target = |p: [f64; 2]| (p[0] - prob.target[0]).hypot(p[1] - prob.target[1]) <= prob.radius + 1e-12;
    let mut index = vec![usize::MAX; nx * ny];
    let mut n = 0;
    for k in 0..nx * ny {
        if !in_target(node(k / ny, k % ny)) {
            index[k] = n;
            n += 1;
        }
    }
    let mut triplets = Vec::with_capacity(5 * n);
    let mut rhs = Mat::<f64>::zeros(n, 1);
    let scale = diffusion / (h * h);
    for k in 0..nx * ny {
        let row = index[k];
        if row == usize::MAX {
            continue;
        }
        let (i, j) = (k / ny, k % ny);
        rhs[(row, 0)] = (-(levels[k] - lmin) / diffusion).exp();
        let mut diag = 0.0;
        let neighbours = [(i.wrapping_sub(1), j), (i + 1, j), (i, j.wrapping_sub(1)), (i, j + 1)];
        for (a, b) in neighbours {
            if a >= nx || b >= ny {
                continue;
            }
            let m = a * ny + b;
            if index[m] == usize::MAX {
                // Dirichlet neighbour: cut the edge at the sphere (Shortley–Weller), τ = 0 there.
                let (here, there) = (node(i, j), node(a, b));
                let theta = boundary_fraction(here, there, prob.target, prob.radius);
                let cut = [here[0] + theta * (there[0] - here[0]), here[1] + theta * (there[1] - here[1])];
                let delta = (potential.value(&cut) - levels[k]) / diffusion;
                diag += scale / theta * (-(levels[k] - lmin) / diffusion).exp() * bernoulli(delta);
                continue;
            }
            let delta = (levels[m] - levels[k]) / diffusion;
            // Far out the Gibbs weight underflows; a floor keeps the matrix definite there
            // without touching the region that carries the mass.
            let weight = (scale * (-(levels[k] - lmin) / diffusion).exp() * bernoulli(delta)).max(WEIGHT_FLOOR);
            diag += weight;
            triplets.push(Triplet::new(row, index[m], -weight));
        }
        triplets.push(Triplet::new(row, row, diag.max(WEIGHT_FLOOR)));
    }
    let matrix = sparse_from_triplets(n, &triplets)?;
    let llt = matrix
        .sp_cholesky(Side::Lower)
        .map_err(|e| EngineError::Numerical(format!("sparse Cholesky of the Kolmogorov matrix failed: {e:?}")))?;
    llt.solve_in_place_with_conj(Conj::No, rhs.as_mut());
    let si = ((start[0] - prob.lower[0]) / h).round() as usize;
    let sj = ((start[1] - prob.lower[1]) / h).round() as usize;
    let k = si * ny + sj;
    if index[k] == usize::MAX {
        return Err(EngineError::InvalidParameter("the start lies in the target ball".into()));
    }
    Ok(rhs[(index[k], 0)])
}

/// τ(start → ball) by a refinement study on steps h0, h0/2, h0/4 with Richardson extrapolation
/// (observed order); the error is the size of the last Richardson correction.
pub fn mfpt_2d(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &PassageProblem,
    h0: f64,
    start: [f64; 2],
) -> Result<(LogQuantity, Vec<f64>)> {
    let values: Vec<f64> = [h0, h0 / 2.0, h0 / 4.0]
        .iter()
        .map(|&h| mfpt_grid(potential, diffusion, prob, h, start))
        .collect::<Result<_>>()?;
    let (extrapolated, error) = crate::extrapolate::richardson_observed_order(values[0], values[1], values[2]);
    Ok((LogQuantity { ln: extrapolated.ln(), rel_error: error / extrapolated }, values))
}

/// τ(start → closed ball of radius `radius` around `target`) in d = 2 on an automatic box: the
/// region where L − L_min < max(60D, 2) (see [`gibbs_radius`]), enlarged to contain both points,
/// with the start on the grid at every level. Returns ln τ with its refinement error.
pub fn mfpt_to_ball(
    potential: &dyn Potential,
    diffusion: f64,
    start: [f64; 2],
    target: [f64; 2],
    radius: f64,
) -> Result<LogQuantity> {
    check_passage(potential, diffusion, start, target, radius)?;
    let centre = lowest_point(potential);
    let reach = gibbs_radius(potential, 1.0 / diffusion, &centre)?;
    let h0 = 0.04f64.min(radius / 2.5);
    let fine = h0 / 4.0;
    let mut lower = [0.0; 2];
    let mut upper = [0.0; 2];
    for i in 0..2 {
        let lo = (centre[i] - reach).min(start[i].min(target[i]) - radius - 0.5);
        let hi = (centre[i] + reach).max(start[i].max(target[i]) + radius + 0.5);
        lower[i] = start[i] - h0 * ((start[i] - lo) / h0).ceil();
        upper[i] = lower[i] + h0 * ((hi - lower[i]) / h0).ceil();
    }
    let cells = ((upper[0] - lower[0]) / fine) * ((upper[1] - lower[1]) / fine);
    if cells > 1.5e6 {
        return Err(EngineError::TooLarge(format!("{cells:.0} grid nodes at the finest level")));
    }
    let prob = PassageProblem { lower, upper, target, radius };
    Ok(mfpt_2d(potential, diffusion, &prob, h0, start)?.0)
}

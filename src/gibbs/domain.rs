//! The domain of a Gibbs weight e^{−ηL}: its lowest point, a radius outside which it is
//! negligible, the low minima inside, and the Laplace shape of a well (d = 1, 2, 3).

use super::rules::{dist2, sphere_iter};
use crate::error::{finite, short, EngineError, Result};
use crate::potential::Potential;
use nalgebra::DMatrix;

/// A radius R such that L(w) − L(c) ≥ max(60/η, 2) on every sphere |w − c| = r ≥ R that is
/// sampled (radii 0.01·1.02^k up to 10⁴; c the lowest point of L; the floor 2 keeps every
/// low well inside however narrow it is at large η), so that e^{−ηL} outside the ball of
/// radius R is negligible. Every well, not only the one at c, lies inside. The potential has
/// passed the confinement test, so no such R up to 10⁴ means η is too small for L's scale.
pub fn gibbs_radius(potential: &dyn Potential, eta: f64, centre: &[f64]) -> Result<f64> {
    let l_centre = potential.value(centre);
    let mut last_alive = 0.0;
    let mut r = 0.01;
    while r < 1e4 {
        let d = potential.dim();
        let on_sphere = sphere_iter(d, centre, r, if d == 3 { 1024 } else { 256 });
        let low = on_sphere.map(|p| potential.value(&p[..d])).fold(f64::INFINITY, f64::min);
        if low.is_nan() || low - l_centre < (60.0 / eta).max(2.0) {
            last_alive = r;
        } else if r > 4.0 * last_alive.max(0.25) {
            return Ok(1.1 * last_alive.max(0.01) + 0.01);
        }
        r *= 1.02;
    }
    Err(EngineError::InvalidParameter(format!(
        "η = {} is too small (temperature 1/η too large): L rises by less than max(60/η, 2) within {} \
         of c = ({}); e^(−ηL) is not negligible there",
        short(eta),
        short(last_alive),
        centre.iter().map(|x| short(*x)).collect::<Vec<_>>().join(", ")
    )))
}

/// The lowest sampled point of L (a centre for the Gibbs domain): the lowest node of a grid
/// on [−8, 8]^d (4001, 161², 41³ nodes); in d = 3 the coarse node is then polished by a
/// compass search (steps 0.2, 0.1, … down to 1e-7). When that node lies on the edge of the
/// grid (the minimum is farther out), the lowest point of the confinement test's landscape
/// search ([`crate::potential::confinement::landscape`]) is used instead.
pub fn lowest_point(potential: &dyn Potential) -> Vec<f64> {
    let best = lowest_grid_point(potential);
    if best.iter().any(|x| x.abs() >= 8.0) {
        if let Ok(land) = crate::potential::confinement::landscape(potential) {
            if potential.value(&land.minimum) < potential.value(&best) {
                return land.minimum;
            }
        }
    }
    best
}

fn lowest_grid_point(potential: &dyn Potential) -> Vec<f64> {
    let d = potential.dim();
    let n: usize = match d {
        1 => 4001,
        2 => 161,
        _ => 41,
    };
    let span = 8.0;
    let coord = |i: usize| -span + 2.0 * span * i as f64 / (n - 1) as f64;
    let mut best = (f64::INFINITY, vec![0.0; d]);
    for flat in 0..n.pow(d as u32) {
        let x: Vec<f64> = (0..d).map(|k| coord(flat / n.pow((d - 1 - k) as u32) % n)).collect();
        let v = potential.value(&x);
        if v < best.0 {
            best = (v, x);
        }
    }
    if d == 3 {
        let mut step = span / (n - 1) as f64;
        while step > 1e-7 {
            let moved = (0..2 * d).find_map(|m| {
                let mut x = best.1.clone();
                x[m / 2] += if m % 2 == 0 { step } else { -step };
                let v = potential.value(&x);
                (v < best.0).then_some((v, x))
            });
            match moved {
                Some(better) => best = better,
                None => step *= 0.5,
            }
        }
    }
    best.1
}

/// Refuses a point whose dimension differs from the potential's, or with a non-finite coordinate.
pub fn check_point(potential: &dyn Potential, name: &str, point: &[f64]) -> Result<()> {
    if point.len() != potential.dim() {
        return Err(EngineError::InvalidParameter(format!(
            "{name} has {} coordinates, the potential has dimension {}",
            point.len(),
            potential.dim()
        )));
    }
    for &x in point {
        finite(name, x)?;
    }
    Ok(())
}

pub(crate) fn supported_dim(potential: &dyn Potential) -> Result<usize> {
    match potential.dim() {
        d @ (1..=3) => Ok(d),
        d => {
            Err(EngineError::InvalidParameter(format!("Gibbs integrals are implemented for d = 1, 2, 3 (got d = {d})")))
        }
    }
}

/// Largest stretch of a Laplace shape: Hessian eigenvalues below λ_max/100 count as λ_max/100.
const MAX_STRETCH: f64 = 10.0;

/// The Laplace shape of a well at m: A = (H/λ_max)^{−1/2} for the Hessian H = ∇²L(m) (eigenvalues
/// clamped to [λ_max/100, λ_max]), so that e^{−ηL(m + A v)} is nearly isotropic in v; the
/// identity when H has no positive eigenvalue. Every singular value of A is ≥ 1.
pub fn laplace_shape(potential: &dyn Potential, m: &[f64]) -> DMatrix<f64> {
    let d = m.len();
    let eig = crate::critical::hessian(potential, m).symmetric_eigen();
    let top = eig.eigenvalues.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(top > 0.0 && top.is_finite()) {
        return DMatrix::identity(d, d);
    }
    let stretch = DMatrix::from_diagonal(&eig.eigenvalues.map(|l| (top / l.max(top / MAX_STRETCH.powi(2))).sqrt()));
    &eig.eigenvectors * stretch * eig.eigenvectors.transpose()
}

/// Wells overlap when the closest two minima are less than 6 Gibbs widths 1/√(η λ_min) apart:
/// then one polar rule sees them all as broad features, and a partition of unity would only
/// add structure.
pub(crate) fn wells_overlap(potential: &dyn Potential, eta: f64, wells: &[Vec<f64>]) -> bool {
    let width = wells
        .iter()
        .map(|m| {
            let (ev, _) = crate::critical::hessian_spectrum(potential, m);
            1.0 / (eta * ev[0].max(1e-300)).sqrt()
        })
        .fold(0.0, f64::max);
    let spacing = wells
        .iter()
        .enumerate()
        .flat_map(|(i, a)| wells[i + 1..].iter().map(move |b| dist2(a, b)))
        .fold(f64::INFINITY, f64::min)
        .sqrt();
    spacing < 6.0 * width
}

/// Minima m of L (Newton from a grid of starts over the Gibbs ball |w − c| ≤ r) whose weight
/// matters: η (L(m) − min L) < 60. Empty when Newton finds none (e.g. a degenerate minimum).
pub fn low_minima(potential: &dyn Potential, eta: f64, centre: &[f64], r: f64) -> Vec<Vec<f64>> {
    let starts = if potential.dim() == 2 { 25 } else { 13 };
    let minima: Vec<_> = crate::critical::critical_points_near(potential, centre, r, starts)
        .into_iter()
        .filter(|c| c.index == 0)
        .collect();
    let low = minima.iter().map(|c| c.value).fold(f64::INFINITY, f64::min);
    minima.into_iter().filter(|c| eta * (c.value - low) < 60.0).map(|c| c.point).collect()
}

//! Basins of attraction of the gradient flow ẇ = −∇L in d = 2, 3 and their Gibbs mass
//! ∫_{basin} e^{−ηL}: the stationary probability of a basin once divided by Z.
//!
//! The integral is the polar rule of [`crate::gibbs::rules`] centred at the minimum, in its
//! Laplace-scaled variable, with every ray cut where it leaves the basin. A point of a ray is in
//! the basin when it lies in a ball around the minimum on which L < L_s, the lowest saddle
//! height (that ball lies in the sublevel component of the minimum, hence in its basin), or
//! when the gradient flow from it (RK4) enters that ball; points of negligible weight
//! (below e^{−60} of the minimum's) count as outside. Crossings between panel edges of
//! different basins are located by bisection until the Gibbs weight they can move is negligible,
//! so the radial integrand is smooth on every piece. In d = 2 the cut radius still has a kink in
//! the direction of a local maximum where basin boundaries meet (a corner of the basin); the
//! angular rule is split there (Gauss–Legendre per arc), so it sees a smooth function on each arc.
//! The flow evaluates L and ∇L only ([`Potential::gradient`]), never the Hessian.
//! The refinement study (panels and directions doubled, then the flow step halved at the
//! accepted level) gives the error estimate.

use crate::critical::{critical_points_near, hessian_spectrum, require_minimum};
use crate::error::{positive, EngineError, Result};
use crate::gibbs::domain::{check_point, gibbs_radius, laplace_shape, lowest_point, supported_dim};
use crate::gibbs::integrals::{log_interval_integral, log_partition};
use crate::gibbs::refine::refine_log_integral_at;
use crate::gibbs::rules::{
    directions, gauss_legendre, local_scale, log_sum_exp_bounded, nested_bound, radial_edges, sphere_iter, subdivide,
    LogQuantity,
};
use crate::jet::MAX_DIM;
use crate::potential::Potential;
use rayon::prelude::*;

/// Points whose weight is below e^{−NEGLIGIBLE} of the minimum's count as outside the basin.
const NEGLIGIBLE: f64 = 60.0;
/// Relative tolerance of the refinement study.
const BASIN_TOL: f64 = 1e-10;

/// The minima of L, the lowest saddle height, and balls around the minima inside their basins.
#[derive(Clone)]
pub struct Landscape {
    /// Minima of L.
    pub minima: Vec<Vec<f64>>,
    /// Local maxima of L (index d): in d = 2 the corners where basin boundaries meet.
    pub maxima: Vec<Vec<f64>>,
    /// Radius ρ_i of a ball around minimum i on which L < `saddle_level`.
    pub radii: Vec<f64>,
    /// The lowest index-1 saddle height L_s.
    pub saddle_level: f64,
    step: f64,
    cap: f64,
}

impl Landscape {
    /// Critical points found by Newton from a grid over c + [−h, h]^d (the Gibbs ball about the
    /// lowest point c, wherever it lies); sublevel balls are searched up to radius `span`.
    pub fn near(potential: &dyn Potential, centre: &[f64], half_width: f64, span: f64) -> Result<Landscape> {
        let starts = if potential.dim() == 3 { 13 } else { 25 };
        let points = critical_points_near(potential, centre, half_width, starts);
        let minima: Vec<Vec<f64>> = points.iter().filter(|c| c.index == 0).map(|c| c.point.clone()).collect();
        let d = potential.dim();
        let maxima: Vec<Vec<f64>> = points.iter().filter(|c| c.index == d).map(|c| c.point.clone()).collect();
        let saddle_level = points.iter().filter(|c| c.index == 1).map(|c| c.value).fold(f64::INFINITY, f64::min);
        if !saddle_level.is_finite() && minima.len() > 1 {
            return Err(EngineError::Numerical("no index-1 saddle found between the minima".into()));
        }
        let radii: Vec<f64> = minima.iter().map(|m| sublevel_ball(potential, m, saddle_level, span)).collect();
        let top =
            minima.iter().map(|m| hessian_spectrum(potential, m).0.last().copied().unwrap_or(1.0)).fold(0.0, f64::max);
        let cap = 0.2 * radii.iter().copied().fold(f64::INFINITY, f64::min);
        Ok(Landscape { minima, maxima, radii, saddle_level, step: 0.1 / top.max(1e-12), cap })
    }

    /// Index of the minimum whose ball the RK4 gradient flow from w enters (None: none within
    /// 20000 steps, e.g. a point on a stable manifold of a saddle). Step τ = min(0.1/λ_max,
    /// cap/|∇L|), λ_max the largest Hessian eigenvalue at the minima, cap = ρ_min/5.
    pub fn classify(&self, potential: &dyn Potential, w: &[f64]) -> Option<usize> {
        let d = w.len();
        let grad = |x: &[f64; MAX_DIM]| potential.gradient(&x[..d]).g;
        let mut x = [0.0; MAX_DIM];
        x[..d].copy_from_slice(w);
        for _ in 0..20000 {
            if let Some(i) = (0..self.minima.len()).find(|&i| dist(&x[..d], &self.minima[i]) < self.radii[i]) {
                return Some(i);
            }
            let k1 = grad(&x);
            let norm = k1.iter().map(|g| g * g).sum::<f64>().sqrt();
            let tau = self.step.min(self.cap / norm.max(1e-300));
            let at = |k: &[f64; MAX_DIM], c: f64| -> [f64; MAX_DIM] { std::array::from_fn(|i| x[i] - c * tau * k[i]) };
            let k2 = grad(&at(&k1, 0.5));
            let k3 = grad(&at(&k2, 0.5));
            let k4 = grad(&at(&k3, 1.0));
            for i in 0..d {
                x[i] -= tau / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
            if x.iter().any(|v| !v.is_finite()) {
                return None;
            }
        }
        None
    }
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// 0.9 × the largest r ≤ r_max (bisection) with L < level on 512 points of the sphere |w − m| = r.
fn sublevel_ball(potential: &dyn Potential, m: &[f64], level: f64, r_max: f64) -> f64 {
    let below = |r: f64| sphere_iter(m.len(), m, r, 512).all(|p| potential.value(&p[..m.len()]) < level);
    let (mut lo, mut hi) = (0.0, r_max);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.9 * lo
}

/// Refuses a basin when the landscape search (Newton from a grid) did not find the requested
/// minimum: the basin classification would otherwise answer for a different minimum.
fn check_found(found: &[f64], own: &[f64]) -> Result<()> {
    let scale = 1.0 + own.iter().map(|x| x.abs()).fold(0.0, f64::max);
    if dist(found, own) > 1e-6 * scale {
        return Err(EngineError::NotConverged(format!(
            "the minimum search did not find the minimum at {own:?} (nearest found {found:?}); its basin cannot be classified"
        )));
    }
    Ok(())
}

/// ln ∫_{basin of m} e^{−ηL} in d = 2, 3 (see the module notes), for the minimum near `minimum`.
pub fn log_basin_integral(potential: &dyn Potential, eta: f64, minimum: &[f64]) -> Result<LogQuantity> {
    positive("eta", eta)?;
    let own = require_minimum(potential, minimum)?;
    let centre = lowest_point(potential);
    let radius = gibbs_radius(potential, eta, &centre)? + dist(&own.point, &centre);
    let span = radius + centre.iter().map(|x| x.abs()).fold(0.0, f64::max);
    let land = Landscape::near(potential, &centre, radius, span)?;
    if land.minima.len() == 1 {
        check_found(&land.minima[0], &own.point)?;
        return log_partition(potential, eta);
    }
    let index = (0..land.minima.len())
        .min_by(|&a, &b| dist(&land.minima[a], &own.point).total_cmp(&dist(&land.minima[b], &own.point)))
        .ok_or_else(|| EngineError::Numerical("no minimum found".into()))?;
    check_found(&land.minima[index], &own.point)?;
    let shape = laplace_shape(potential, &own.point);
    let d = own.point.len();
    let at = |v: &[f64]| -> Vec<f64> {
        (0..d).map(|i| own.point[i] + (0..d).map(|k| shape[(i, k)] * v[k]).sum::<f64>()).collect()
    };
    let g = |v: &[f64]| -eta * potential.value(&at(v));
    let base = radial_edges(local_scale(&g, &vec![0.0; d], radius), radius);
    let ray = Ray { potential, eta, land: &land, index, peak: -eta * own.value };
    let ln_det = shape.determinant().abs().ln();
    let inverse = shape.clone().try_inverse().ok_or_else(|| EngineError::Numerical("singular Laplace shape".into()))?;
    let corners: Vec<f64> = land
        .maxima
        .iter()
        .filter(|_| d == 2)
        .map(|q| {
            let u: Vec<f64> = (0..d).map(|i| q[i] - own.point[i]).collect();
            let v: Vec<f64> = (0..d).map(|i| (0..d).map(|k| inverse[(i, k)] * u[k]).sum()).collect();
            v[1].atan2(v[0])
        })
        .collect();
    let level_sum = |level: usize, ray: &Ray| -> (f64, f64) {
        let edges = subdivide(&base, 1 << level);
        let terms: Vec<(f64, f64)> = angular_rule(d, base_phi(d) << level, &corners)
            .par_iter()
            .map(|(u, wu)| {
                let point = |r: f64| at(&u.iter().map(|x| r * x).collect::<Vec<_>>());
                let (ln_ray, bound) = ray.log_radial(&point, &edges, d);
                (wu.ln() + ln_ray, bound)
            })
            .collect();
        let (ln, bound) = nested_bound(&terms);
        (ln + ln_det, bound + f64::EPSILON * (ln + ln_det).abs())
    };
    let levels = if d == 2 { 6 } else { 4 };
    // e^{g} at the minimum carries the rounding of ηL there (a few ulps), as in the other rules.
    let rounding = 4.0 * f64::EPSILON * (eta * own.value).abs();
    let (q, level) =
        refine_log_integral_at("basin quadrature", levels, 2, BASIN_TOL, rounding, |level| level_sum(level, &ray))?;
    // The flow itself is refined too: the accepted level again with half the RK4 step.
    let halved = Landscape { step: 0.5 * land.step, cap: 0.5 * land.cap, ..land.clone() };
    let flow_change = (level_sum(level, &Ray { land: &halved, ..ray }).0 - q.ln).abs();
    Ok(LogQuantity { ln: q.ln, rel_error: q.rel_error + flow_change })
}

/// The angular rule: in d = 2 with corners (directions, in the scaled variable, of the local
/// maxima where basin boundaries meet and the cut radius has a kink), Gauss–Legendre on each arc
/// between corners, about `n` nodes in all, so the rule converges spectrally instead of as h²;
/// otherwise the periodic rule of [`directions`].
fn angular_rule(d: usize, n: usize, corners: &[f64]) -> Vec<(Vec<f64>, f64)> {
    if d != 2 || corners.is_empty() {
        return directions(d, n);
    }
    let tau = 2.0 * std::f64::consts::PI;
    let mut cuts: Vec<f64> = corners.iter().map(|a| a.rem_euclid(tau)).collect();
    cuts.sort_by(f64::total_cmp);
    cuts.push(cuts[0] + tau);
    let mut rule = Vec::new();
    for arc in cuts.windows(2) {
        let (a, b) = (arc[0], arc[1]);
        let nodes = ((n as f64 * (b - a) / tau).ceil() as usize).max(8);
        let (t, w) = gauss_legendre(nodes);
        let (m, half) = (0.5 * (a + b), 0.5 * (b - a));
        rule.extend(t.iter().zip(&w).map(|(t, w)| {
            let (sin, cos) = (m + half * t).sin_cos();
            (vec![cos, sin], half * w)
        }));
    }
    rule
}

/// Azimuthal nodes of the coarsest level (3D: n_φ × n_φ/2 directions).
fn base_phi(d: usize) -> usize {
    if d == 2 {
        32
    } else {
        16
    }
}

/// One ray from the minimum: the basin test and the radial integral over its basin pieces.
struct Ray<'a> {
    potential: &'a dyn Potential,
    eta: f64,
    land: &'a Landscape,
    index: usize,
    peak: f64,
}

impl Ray<'_> {
    fn log_weight(&self, w: &[f64]) -> f64 {
        -self.eta * self.potential.value(w) - self.peak
    }

    fn inside(&self, w: &[f64]) -> bool {
        self.land.classify(self.potential, w) == Some(self.index)
    }

    /// ln ∫ 1_basin(w(r)) e^{−ηL(w(r))} r^{d−1} dr over the panels `edges` (relative to the peak).
    /// ln of the radial sum along one ray and a bound on its rounding ([`log_sum_exp_bounded`]).
    fn log_radial(&self, point: &dyn Fn(f64) -> Vec<f64>, edges: &[f64], d: usize) -> (f64, f64) {
        let (own, rho) = (&self.land.minima[self.index], self.land.radii[self.index]);
        let status: Vec<bool> = edges
            .iter()
            .map(|&r| {
                let w = point(r);
                dist(&w, own) < rho || (self.log_weight(&w) > -NEGLIGIBLE && self.inside(&w))
            })
            .collect();
        let rule = gauss_legendre(10);
        let mut terms = Vec::new();
        for k in 0..edges.len() - 1 {
            let (a, b) = (edges[k], edges[k + 1]);
            let piece = match (status[k], status[k + 1]) {
                (true, true) => Some((a, b)),
                (false, false) => None,
                (first, _) => {
                    let c = self.crossing(point, a, b, first);
                    Some(if first { (a, c) } else { (c, b) })
                }
            };
            if let Some((p, q)) = piece.filter(|(p, q)| q > p) {
                let (m, half) = (0.5 * (p + q), 0.5 * (q - p));
                for (t, wt) in rule.0.iter().zip(&rule.1) {
                    let r = m + half * t;
                    terms.push((half * wt * r.powi(d as i32 - 1)).ln() + self.log_weight(&point(r)));
                }
            }
        }
        let (ln, bound) = log_sum_exp_bounded(&terms);
        (ln + self.peak, bound + f64::EPSILON * (ln + self.peak).abs())
    }

    /// Bisection for the basin boundary in [a, b] (a inside when `first`), stopped once the
    /// bracket times the weight there is below 1e-15 of the peak.
    fn crossing(&self, point: &dyn Fn(f64) -> Vec<f64>, mut a: f64, mut b: f64, first: bool) -> f64 {
        for _ in 0..60 {
            let mid = 0.5 * (a + b);
            let w = point(mid);
            if (b - a).ln() + self.log_weight(&w) < -35.0 {
                return mid;
            }
            if self.inside(&w) == first {
                a = mid;
            } else {
                b = mid;
            }
        }
        0.5 * (a + b)
    }
}

/// Stationary probability of the basin of attraction of the minimum `minimum` under the
/// gradient flow (d = 1: the interval between the neighbouring local maxima of L; d = 2, 3:
/// [`crate::basin::log_basin_integral`], which splits every ray at the basin boundary).
pub fn basin_probability(potential: &dyn Potential, eta: f64, minimum: &[f64]) -> Result<LogQuantity> {
    let basin = log_basin_mass(potential, eta, minimum)?;
    let z = log_partition(potential, eta)?;
    Ok(basin.div(&z))
}

/// ln ∫_{basin of `minimum`} e^{−ηL}, unnormalised (the numerator of [`basin_probability`]; a
/// ratio of two basins needs no partition function, which cancels).
pub fn log_basin_mass(potential: &dyn Potential, eta: f64, minimum: &[f64]) -> Result<LogQuantity> {
    positive("eta", eta)?;
    check_point(potential, "minimum", minimum)?;
    Ok(match supported_dim(potential)? {
        1 => {
            let (a, b) = crate::critical::basin_interval(potential, minimum[0])?;
            let inside = log_interval_integral(potential, eta, a, b)?;
            let ends = [a, b].iter().map(|&x| end_weight(potential, eta, x) - inside.ln).map(f64::exp).sum::<f64>();
            LogQuantity { rel_error: inside.rel_error + ends, ..inside }
        }
        _ => crate::basin::log_basin_integral(potential, eta, minimum)?,
    })
}

/// ln of the Gibbs mass an end x of a 1D basin can move: e^{−ηL(x)} · δ, δ = 8ε·max(|x|, 1) the
/// few ulps within which the computed zero of L′ that ends the basin is known
/// ([`crate::critical::basin_interval`] bisects it to the last bit); −∞ at an infinite end.
fn end_weight(potential: &dyn Potential, eta: f64, x: f64) -> f64 {
    if !x.is_finite() {
        return f64::NEG_INFINITY;
    }
    -eta * potential.value(&[x]) + (8.0 * f64::EPSILON * x.abs().max(1.0)).ln()
}

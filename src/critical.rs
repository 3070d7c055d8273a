//! Critical points of a potential: minima and index-1 saddles by damped Newton on ∇L with the
//! exact Hessian from [`Potential::jet`], and Hessian eigenvalues and determinants (nalgebra).

use crate::error::{EngineError, Result};
use crate::potential::Potential;
use nalgebra::DMatrix;
use serde::Serialize;

/// A critical point ∇L(w) = 0 with its Hessian data.
#[derive(Debug, Clone, Serialize)]
pub struct CriticalPoint {
    /// Location w.
    pub point: Vec<f64>,
    /// L(w).
    pub value: f64,
    /// Eigenvalues of ∇²L(w), ascending.
    pub eigenvalues: Vec<f64>,
    /// det ∇²L(w).
    pub determinant: f64,
    /// Number of negative Hessian eigenvalues (0: minimum, 1: index-1 saddle).
    pub index: usize,
    /// |∇L(w)| at the returned point.
    pub gradient_norm: f64,
}

/// Hessian of L at w as a d×d matrix.
pub fn hessian(potential: &dyn Potential, w: &[f64]) -> DMatrix<f64> {
    let d = potential.dim();
    let j = potential.jet(w);
    DMatrix::from_fn(d, d, |i, k| j.h[i][k])
}

/// Hessian data at a point: ascending eigenvalues and determinant.
pub fn hessian_spectrum(potential: &dyn Potential, w: &[f64]) -> (Vec<f64>, f64) {
    let h = hessian(potential, w);
    let det = h.determinant();
    let mut ev: Vec<f64> = h.symmetric_eigen().eigenvalues.iter().copied().collect();
    ev.sort_by(|a, b| a.total_cmp(b));
    (ev, det)
}

/// Damped Newton iteration on ∇L = 0 from `start`; converges to whichever critical point is
/// near (minimum or saddle alike).
pub fn newton_critical(potential: &dyn Potential, start: &[f64]) -> Result<CriticalPoint> {
    let d = potential.dim();
    let mut w = start.to_vec();
    for _ in 0..200 {
        let j = potential.jet(&w);
        let g = nalgebra::DVector::from_fn(d, |i, _| j.g[i]);
        let gnorm = g.norm();
        if gnorm < 1e-13 * (1.0 + j.v.abs()) {
            return Ok(describe(potential, w));
        }
        let h = DMatrix::from_fn(d, d, |i, k| j.h[i][k]);
        let step = h.lu().solve(&g).ok_or_else(|| EngineError::Numerical("singular Hessian in Newton".into()))?;
        let scale = (1.0f64).min(0.5 / step.norm().max(1e-300));
        for i in 0..d {
            w[i] -= scale * step[i];
        }
        if w.iter().any(|x| !x.is_finite()) {
            return Err(EngineError::Numerical("Newton diverged".into()));
        }
    }
    let c = describe(potential, w);
    if c.gradient_norm < 1e-9 {
        Ok(c)
    } else {
        Err(EngineError::NotConverged(format!("Newton from {start:?} ended with |∇L| = {:.1e}", c.gradient_norm)))
    }
}

fn describe(potential: &dyn Potential, w: Vec<f64>) -> CriticalPoint {
    let j = potential.jet(&w);
    let d = potential.dim();
    let (eigenvalues, determinant) = hessian_spectrum(potential, &w);
    let index = eigenvalues.iter().filter(|&&l| l < 0.0).count();
    CriticalPoint { value: j.v, gradient_norm: j.grad_norm2(d).sqrt(), point: w, eigenvalues, determinant, index }
}

/// All critical points found from a grid of starts in [−span, span]^d, deduplicated.
pub(crate) fn critical_points(potential: &dyn Potential, span: f64, starts_per_axis: usize) -> Vec<CriticalPoint> {
    critical_points_near(potential, &vec![0.0; potential.dim()], span, starts_per_axis)
}

/// All critical points found from a grid of starts in the cube c + [−h, h]^d, deduplicated
/// (those farther than 2(h + max |c_i|) from the origin are dropped as escaped). Centring the
/// grid on the region that matters (a well at (200, −30)) keeps its spacing at the region's
/// scale instead of the distance from the origin.
pub fn critical_points_near(
    potential: &dyn Potential,
    centre: &[f64],
    half_width: f64,
    starts_per_axis: usize,
) -> Vec<CriticalPoint> {
    let d = potential.dim();
    let span = half_width + centre.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let coord =
        |axis: usize, i: usize| centre[axis] - half_width + 2.0 * half_width * i as f64 / (starts_per_axis - 1) as f64;
    let starts: Vec<Vec<f64>> = match d {
        1 => (0..starts_per_axis).map(|i| vec![coord(0, i)]).collect(),
        2 => (0..starts_per_axis * starts_per_axis)
            .map(|k| vec![coord(0, k / starts_per_axis), coord(1, k % starts_per_axis)])
            .collect(),
        _ => (0..starts_per_axis.pow(3))
            .map(|k| {
                let n = starts_per_axis;
                vec![coord(0, k / (n * n)), coord(1, (k / n) % n), coord(2, k % n)]
            })
            .collect(),
    };
    let mut found: Vec<CriticalPoint> = Vec::new();
    for s in starts {
        if let Ok(c) = newton_critical(potential, &s) {
            let new = found.iter().all(|f| dist(&f.point, &c.point) > 1e-6);
            if new && c.point.iter().all(|x| x.abs() <= 2.0 * span) {
                found.push(c);
            }
        }
    }
    found.sort_by(|a, b| a.point.partial_cmp(&b.point).unwrap_or(std::cmp::Ordering::Equal));
    found
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// The lowest index-1 saddle among the critical points near the segment from `a` to `b`
/// (1D: the highest point of L between them, the barrier a passage from one to the other crosses).
pub fn saddle_between(potential: &dyn Potential, a: &[f64], b: &[f64]) -> Result<CriticalPoint> {
    if potential.dim() == 1 {
        let (lo, hi) = if a[0] < b[0] { (a[0], b[0]) } else { (b[0], a[0]) };
        let n = 4001;
        let xs = (0..n).map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64);
        let top = xs.fold((f64::NEG_INFINITY, lo), |best, x| {
            let v = potential.value(&[x]);
            if v > best.0 {
                (v, x)
            } else {
                best
            }
        });
        return newton_critical(potential, &[top.1]);
    }
    let span = a.iter().chain(b).map(|x| x.abs()).fold(1.0, f64::max) * 1.5;
    critical_points(potential, span, 21)
        .into_iter()
        .filter(|c| c.index == 1)
        .min_by(|x, y| x.value.total_cmp(&y.value))
        .ok_or_else(|| EngineError::Numerical("no index-1 saddle found".into()))
}

/// The minimum that damped Newton reaches from `point`; refuses (as every basin computation in
/// d = 1, 2, 3 does) when Newton ends at a critical point that is not a minimum, e.g. a point on
/// the slope between a well and a barrier, whose basin would otherwise be whichever the flow
/// happens to reach.
pub fn require_minimum(potential: &dyn Potential, point: &[f64]) -> Result<CriticalPoint> {
    let own = newton_critical(potential, point)?;
    if own.index != 0 {
        let text: Vec<String> = point.iter().map(|&x| crate::error::short(x)).collect();
        return Err(EngineError::InvalidParameter(format!(
            "[{}] is not near a minimum of L (Newton from it reaches a critical point of index {})",
            text.join(", "),
            own.index
        )));
    }
    Ok(own)
}

/// Basin of attraction of a 1D minimum: the interval between the neighbouring local maxima of L
/// (±∞ where there is none). `minimum` must lead Newton to a minimum ([`require_minimum`]); the
/// interval is that of the minimum Newton reaches.
pub fn basin_interval(potential: &dyn Potential, minimum: f64) -> Result<(f64, f64)> {
    let minimum = require_minimum(potential, &[minimum])?.point[0];
    let span = minimum.abs().max(1.0) * 8.0;
    let points = critical_points(potential, span, 401);
    // As in d = 2, 3: the landscape search must see the minimum itself (the critical point it
    // found nearest to it is a minimum), or its neighbours are not trustworthy either.
    let nearest = points.iter().min_by(|a, b| (a.point[0] - minimum).abs().total_cmp(&(b.point[0] - minimum).abs()));
    if nearest.is_none_or(|c| c.index != 0) {
        return Err(EngineError::NotConverged(format!(
            "the critical-point search did not find the minimum at {}; its basin cannot be delimited",
            crate::error::short(minimum)
        )));
    }
    let maxima: Vec<f64> = points.into_iter().filter(|c| c.index == 1).map(|c| c.point[0]).collect();
    let left = maxima.iter().copied().filter(|&x| x < minimum).fold(f64::NEG_INFINITY, f64::max);
    let right = maxima.iter().copied().filter(|&x| x > minimum).fold(f64::INFINITY, f64::min);
    // The grid above is centred at 0 with a spacing of about |m|/25: a barrier close to a minimum
    // far from the origin falls between its starts. Walk out from the minimum as well.
    let left = left.max(first_turn(potential, minimum, -1.0));
    let right = right.min(first_turn(potential, minimum, 1.0));
    Ok((left, right))
}

/// The first zero of L′ met walking from the minimum `m` in direction `dir` (±1): where the
/// gradient flow's basin of m ends on that side (±∞ when none is met within 1e9·max(|m|, 1)).
/// Steps start at a thousandth of the well's width 1/√L″(m) and grow by 5 % a step, so a barrier
/// is missed only if it is narrower than about 5 % of its distance from m; a sign change of L′ is
/// then located by bisection.
fn first_turn(potential: &dyn Potential, m: f64, dir: f64) -> f64 {
    let slope = |x: f64| potential.gradient(&[x]).g[0] * dir;
    let curvature = potential.jet(&[m]).h[0][0];
    let width = if curvature > 0.0 && curvature.is_finite() { curvature.sqrt().recip() } else { 1.0 };
    let reach = 1e9 * m.abs().max(1.0);
    let (mut inner, mut step) = (0.0, 1e-3 * width.min(m.abs().max(1.0)));
    while inner < reach {
        let outer = inner + step;
        // Past the minimum, the walk climbs while L′ points outward: a turn is where it stops.
        let outward = slope(m + dir * outer);
        if outward.is_nan() || outward <= 0.0 {
            return m + dir * bisect_turn(&slope, m, dir, inner, outer);
        }
        inner = outer;
        step *= 1.05;
    }
    dir * f64::INFINITY
}

/// Bisection between distances `inside` (L′ pointing outward) and `outside` (not).
fn bisect_turn(slope: &dyn Fn(f64) -> f64, m: f64, dir: f64, inside: f64, outside: f64) -> f64 {
    let (mut a, mut b) = (inside, outside);
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        if mid <= a || mid >= b {
            break;
        }
        if slope(m + dir * mid) > 0.0 {
            a = mid;
        } else {
            b = mid;
        }
    }
    b
}

//! Ball integrals ∫_{|w−c| ≤ R} e^{−ηL(w)} dw in d = 2, 3 whose peaks lie anywhere in the closed
//! ball: narrow wells away from the centre c, several wells, and peaks on the sphere (a minimum
//! just outside). Polar coordinates about c with the axis pointing at each peak ("anchor"), radial
//! panels graded geometrically around the anchor's radius and angular panels graded from the axis,
//! so that a peak of Gibbs width s is resolved by panels of size s however large η is. Several
//! anchors share the integrand through the partition of unity of [`crate::gibbs::integrals`]'s Z.

use crate::error::{positive, Result};
use crate::gibbs::domain::{check_point, supported_dim};
use crate::gibbs::integrals::log_partition;
use crate::gibbs::integrand::{Columns, GibbsWeight, LogIntegrand};
use crate::gibbs::refine::refine_log_integral_at;
use crate::gibbs::rules::{
    dist2, local_scale, log_disc_integral, log_integral_1d, log_sum_exp, log_sum_exp_bounded, log_sum_parts,
    nested_bound, radial_nodes, sphere_points, subdivide, LogQuantity,
};
use crate::potential::Potential;
use rayon::prelude::*;
use std::f64::consts::PI;

/// Anchors whose peak is below e^{−CUT} of the highest are dropped (e^{−46} ≈ 1e-20).
const CUT: f64 = 46.0;
/// Relative tolerance of the refinement study (two successive levels agree).
const TOL: f64 = 1e-11;
/// Leak of each partition function onto another anchor (e^{−28}), as for Z.
const PARTITION_LEAK: f64 = 6.914e-13;

/// A peak of e^{−ηL} over the closed ball: its location and local Gibbs scale.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    /// The point (a local minimum of L over the closed ball).
    pub point: Vec<f64>,
    /// Radius within which −ηL stays within 1 of its peak ([`local_scale`]).
    pub scale: f64,
}

/// The local minima of L over the closed ball |w − c| ≤ R that carry weight: a grid over the
/// ball (41² / 17³ nodes, plus 256 / 1024 points on the sphere), every sampled local minimum
/// polished by a compass search projected onto the ball (steps down to 1e-10 R), merged when
/// closer than 4 local scales or on one peak ([`same_peak`]), and kept when η(L(a) − min L) < 46.
pub(crate) fn ball_anchors(potential: &dyn Potential, eta: f64, centre: &[f64], radius: f64) -> Vec<Anchor> {
    let l = |w: &[f64]| potential.value(w);
    let mut seeds = grid_minima(&l, centre, radius);
    let sphere = sphere_points(centre.len(), centre, radius, if centre.len() == 3 { 1024 } else { 256 });
    // The first lowest sphere point (each point evaluated once).
    if let Some((_, low)) = sphere.into_iter().map(|p| (l(&p), p)).min_by(|a, b| a.0.total_cmp(&b.0)) {
        seeds.push(low);
    }
    let step = radius / 20.0;
    let mut points: Vec<(f64, Vec<f64>)> =
        seeds.into_iter().map(|s| compass_in_ball(&l, s, centre, radius, step)).filter(|p| p.0.is_finite()).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let lowest = points.first().map(|p| p.0).unwrap_or(f64::NAN);
    let g = |w: &[f64]| -eta * potential.value(w);
    let mut anchors: Vec<Anchor> = Vec::new();
    for (value, point) in points {
        if eta * (value - lowest) >= CUT {
            break;
        }
        let scale = local_scale(&g, &point, radius);
        if anchors.iter().all(|a| dist(&a.point, &point) > 4.0 * a.scale.max(scale) && !same_peak(&g, &a.point, &point))
        {
            anchors.push(Anchor { point, scale });
        }
    }
    anchors
}

/// Two points lie on one peak of e^{g} when g on the segment between them (16 samples) never
/// falls more than 1 below the lower end: compass searches ending apart along a flat ridge (the
/// tangential width of a peak on the sphere is far wider than its radial scale).
fn same_peak(g: &dyn Fn(&[f64]) -> f64, a: &[f64], b: &[f64]) -> bool {
    let floor = g(a).min(g(b)) - 1.0;
    (1..16).all(|k| {
        let t = k as f64 / 16.0;
        let w: Vec<f64> = a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect();
        g(&w) >= floor
    })
}

/// Local minima of L among the nodes of a grid over the ball (neighbours outside the ball ignored).
fn grid_minima(l: &dyn Fn(&[f64]) -> f64, centre: &[f64], radius: f64) -> Vec<Vec<f64>> {
    let d = centre.len();
    let n: usize = if d == 2 { 41 } else { 17 };
    let h = 2.0 * radius / (n - 1) as f64;
    let total = n.pow(d as u32);
    let index = |flat: usize, k: usize| (flat / n.pow((d - 1 - k) as u32) % n) as i64;
    let point = |idx: &[i64]| -> Vec<f64> { (0..d).map(|k| centre[k] - radius + h * idx[k] as f64).collect() };
    let inside = |w: &[f64]| dist(w, centre) <= radius;
    // L at every node inside the ball, each evaluated once (a node is compared with up to 3^d − 1
    // neighbours).
    let values: Vec<Option<f64>> = (0..total)
        .map(|flat| {
            let w = point(&(0..d).map(|k| index(flat, k)).collect::<Vec<i64>>());
            inside(&w).then(|| l(&w))
        })
        .collect();
    let value = |idx: &[i64]| -> Option<f64> {
        if idx.iter().any(|&i| i < 0 || i >= n as i64) {
            return None;
        }
        values[idx.iter().fold(0, |flat, &i| flat * n + i as usize)]
    };
    let offsets: Vec<Vec<i64>> = (0..3usize.pow(d as u32))
        .map(|m| (0..d).map(|k| (m / 3usize.pow(k as u32) % 3) as i64 - 1).collect::<Vec<i64>>())
        .filter(|o| o.iter().any(|&x| x != 0))
        .collect();
    (0..total)
        .filter_map(|flat| {
            let idx: Vec<i64> = (0..d).map(|k| index(flat, k)).collect();
            let v = values[flat]?;
            let lowest = offsets.iter().all(|o| {
                let nb: Vec<i64> = idx.iter().zip(o).map(|(i, x)| i + x).collect();
                value(&nb).is_none_or(|u| v <= u)
            });
            lowest.then(|| point(&idx))
        })
        .collect()
}

/// Compass search for a local minimum of L over the closed ball from `start`: trial steps ±h e_k
/// projected onto the ball, h halved when none lowers L, down to 1e-10 R. Returns (L, point).
fn compass_in_ball(
    l: &dyn Fn(&[f64]) -> f64,
    start: Vec<f64>,
    centre: &[f64],
    radius: f64,
    step: f64,
) -> (f64, Vec<f64>) {
    let d = start.len();
    let mut best = (l(&start), start);
    let mut h = step;
    let mut moves = 0;
    while h > 1e-10 * radius && moves < 20_000 {
        let moved = (0..2 * d).find_map(|m| {
            let mut x = best.1.clone();
            x[m / 2] += if m % 2 == 0 { h } else { -h };
            let x = project(x, centre, radius);
            let v = l(&x);
            (v < best.0).then_some((v, x))
        });
        moves += 1;
        match moved {
            Some(better) => best = better,
            None => h *= 0.5,
        }
    }
    best
}

/// The nearest point of the closed ball to x.
fn project(mut x: Vec<f64>, centre: &[f64], radius: f64) -> Vec<f64> {
    let r = dist(&x, centre);
    if r > radius {
        for k in 0..x.len() {
            x[k] = centre[k] + (x[k] - centre[k]) * radius / r;
        }
    }
    x
}

/// ln ∫_{|w−c| ≤ R} e^{g(w)} dw (d = 2, 3) with peaks at the anchors: one anchor by one graded
/// polar rule ([`log_anchored`]); several by the partition of unity χ_k ∝ e^{−|w − a_k|²/s²}
/// (χ_k e^{g} ≤ e^{−28} of the peak at every other anchor), one graded rule per part. The error
/// adds the parts' refinement changes and the leak e^{−28} per part.
pub(crate) fn log_anchored_ball(
    g: &dyn LogIntegrand,
    centre: &[f64],
    radius: f64,
    anchors: &[Anchor],
) -> Result<LogQuantity> {
    if anchors.len() == 1 {
        return log_anchored(g, centre, radius, &anchors[0]);
    }
    let spacing = anchors
        .iter()
        .enumerate()
        .flat_map(|(i, a)| anchors[i + 1..].iter().map(move |b| dist(&a.point, &b.point).powi(2)))
        .fold(f64::INFINITY, f64::min);
    let heights: Vec<f64> = anchors.iter().map(|a| g.at(&a.point)).collect();
    let spread = heights.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - heights.iter().copied().fold(f64::INFINITY, f64::min);
    let s2 = spacing / (28.0 + spread);
    let mut parts = Vec::new();
    for a in anchors {
        let part = AnchorPart { g, anchors, own: a, s2 };
        parts.push(log_anchored(&part, centre, radius, a)?);
    }
    Ok(log_sum_parts(&parts, PARTITION_LEAK * anchors.len() as f64))
}

/// ln ∫_{|w−c| ≤ R} e^{g(w)} dw by polar coordinates about c whose axis points at the anchor a:
/// radial Gauss–Legendre panels graded geometrically around |a − c| (edges |a − c| ± s·2^k),
/// polar-angle panels graded from the axis (edges α·2^k, α = s/|a − c|; d = 2 symmetric about
/// it), 10 nodes per panel, and (d = 3) the trapezoid rule about the axis. Every level halves every
/// panel (and doubles the azimuthal nodes) until two levels agree to 1e-11 (accepting 1e-8
/// after the last level); the error estimate is the change plus the rounding 4ε|g(a)| of the
/// log-integrand at the peak.
pub(crate) fn log_anchored(g: &dyn LogIntegrand, centre: &[f64], radius: f64, anchor: &Anchor) -> Result<LogQuantity> {
    let d = centre.len();
    let ra = dist(&anchor.point, centre);
    let s = anchor.scale.min(radius / 8.0);
    let frame = axis_frame(centre, &anchor.point, ra, s);
    // e^{g} at the peak carries the rounding of g itself: a few ulps of |g| (ηL ≈ 4e6 at η = 1e8
    // for a peak on the sphere 0.2 from the minimum: 1e-9 relative).
    let rounding = 4.0 * f64::EPSILON * g.at(&anchor.point).abs();
    let radial = graded(ra.min(radius), s, 0.0, radius);
    let alpha = if ra > s { (s / ra).min(PI / 8.0) } else { PI / 8.0 };
    let angular = if d == 2 { graded(0.0, alpha, -PI, PI) } else { graded(0.0, alpha, 0.0, PI) };
    let levels = if d == 2 { 5 } else { 4 };
    let ln_sum = |level: usize| {
        anchored_sum(g, centre, &frame, &subdivide(&radial, 1 << level), &subdivide(&angular, 1 << level), 48 << level)
    };
    Ok(refine_log_integral_at("anchored polar quadrature", levels, 1, TOL, rounding, ln_sum)?.0)
}

/// Orthonormal frame [e, e1, (e2)] with e the unit vector from c to the anchor (e_1 when the
/// anchor is within one scale of c).
fn axis_frame(centre: &[f64], anchor: &[f64], ra: f64, s: f64) -> Vec<Vec<f64>> {
    let d = centre.len();
    let e: Vec<f64> = if ra > s {
        (0..d).map(|k| (anchor[k] - centre[k]) / ra).collect()
    } else {
        (0..d).map(|k| if k == 0 { 1.0 } else { 0.0 }).collect()
    };
    if d == 2 {
        return vec![e.clone(), vec![-e[1], e[0]]];
    }
    // e1: the coordinate axis least aligned with e, orthogonalised; e2 = e × e1.
    let k = (0..3).min_by(|&i, &j| e[i].abs().total_cmp(&e[j].abs())).unwrap_or(0);
    let mut e1: Vec<f64> = (0..3).map(|i| if i == k { 1.0 } else { 0.0 } - e[k] * e[i]).collect();
    let n = e1.iter().map(|x| x * x).sum::<f64>().sqrt();
    e1.iter_mut().for_each(|x| *x /= n);
    let e2 = vec![e[1] * e1[2] - e[2] * e1[1], e[2] * e1[0] - e[0] * e1[2], e[0] * e1[1] - e[1] * e1[0]];
    vec![e, e1, e2]
}

/// Edges in [lo, hi] graded geometrically about x: x ± s·2^k (k ≥ 0), lo, hi and x itself.
fn graded(x: f64, s: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut edges = vec![lo, hi];
    if x > lo && x < hi {
        edges.push(x);
    }
    let mut step = s;
    while step < hi - lo {
        edges.extend([x - step, x + step].into_iter().filter(|&e| e > lo && e < hi));
        step *= 2.0;
    }
    edges.sort_by(|a, b| a.total_cmp(b));
    edges.dedup_by(|a, b| (*a - *b).abs() <= 1e-14 * (hi - lo));
    edges
}

/// ln of the graded polar sum: Σ_r w_r r^{d−1} Σ_θ w_θ (sin θ)^{d−2} Σ_φ (2π/n_φ) e^{g}, and a
/// bound on the rounding of the sums (`nested_bound`).
fn anchored_sum(
    g: &dyn LogIntegrand,
    centre: &[f64],
    frame: &[Vec<f64>],
    radial: &[f64],
    angular: &[f64],
    n_phi: usize,
) -> (f64, f64) {
    let d = centre.len();
    let dirs: Vec<(Vec<f64>, f64)> = radial_nodes(angular)
        .into_iter()
        .flat_map(|(t, wt)| {
            let (st, ct) = t.sin_cos();
            if d == 2 {
                let u = (0..2).map(|k| ct * frame[0][k] + st * frame[1][k]).collect();
                return vec![(u, wt.ln())];
            }
            let dphi = 2.0 * PI / n_phi as f64;
            (0..n_phi)
                .map(|j| {
                    let (sp, cp) = (dphi * j as f64).sin_cos();
                    let u = (0..3).map(|k| ct * frame[0][k] + st * (cp * frame[1][k] + sp * frame[2][k])).collect();
                    (u, (wt * st.abs() * dphi).ln())
                })
                .collect()
        })
        .filter(|(_, lw)| lw.is_finite())
        .collect();
    let terms: Vec<(f64, f64)> = radial_nodes(radial)
        .par_iter()
        .map(|&(r, wr)| {
            let mut points = Columns::new(d, dirs.len());
            for (j, (u, _)) in dirs.iter().enumerate() {
                points.set(j, (0..d).map(|k| centre[k] + r * u[k]));
            }
            let mut shell = vec![0.0; dirs.len()];
            g.batch(&points.refs(), &mut shell);
            shell.iter_mut().zip(&dirs).for_each(|(v, (_, lw))| *v += lw);
            let (ln_shell, bound) = log_sum_exp_bounded(&shell);
            ((wr * r.powi(d as i32 - 1)).ln() + ln_shell, bound)
        })
        .collect();
    nested_bound(&terms)
}

/// The part of g on one anchor: g(w) + ln χ_a(w), χ_a(w) = e^{−|w − a|²/s²} / Σ_k e^{−|w − a_k|²/s²}.
struct AnchorPart<'a> {
    g: &'a dyn LogIntegrand,
    anchors: &'a [Anchor],
    own: &'a Anchor,
    s2: f64,
}

impl AnchorPart<'_> {
    /// g(w) + ln χ_a(w) given g(w).
    fn with_value(&self, w: &[f64], gw: f64) -> f64 {
        let all: Vec<f64> = self.anchors.iter().map(|k| -dist(w, &k.point).powi(2) / self.s2).collect();
        gw - dist(w, &self.own.point).powi(2) / self.s2 - log_sum_exp(&all)
    }
}

impl LogIntegrand for AnchorPart<'_> {
    fn at(&self, w: &[f64]) -> f64 {
        self.with_value(w, self.g.at(w))
    }
    fn batch(&self, columns: &[&[f64]], out: &mut [f64]) {
        self.g.batch(columns, out);
        let d = columns.len();
        let mut w = [0.0; 3];
        for (j, o) in out.iter_mut().enumerate() {
            for (wk, col) in w.iter_mut().zip(columns) {
                *wk = col[j];
            }
            *o = self.with_value(&w[..d], *o);
        }
    }
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// ln ∫_{|w−c| ≤ ε} e^{−ηL(w)} dw over the closed ball (d = 1, 2, 3).
///
/// d = 2, 3: the peaks of e^{−ηL} over the closed ball are located (`crate::ball::ball_anchors`);
/// one peak at the centre keeps the polar rule about c ([`log_disc_integral`]), any other layout
/// (a well off-centre, several wells, a peak on the sphere) the graded rules of
/// `crate::ball::log_anchored_ball`.
pub fn log_ball_integral(potential: &dyn Potential, eta: f64, centre: &[f64], radius: f64) -> Result<LogQuantity> {
    positive("eta", eta)?;
    positive("radius", radius)?;
    check_point(potential, "centre", centre)?;
    match supported_dim(potential)? {
        1 => {
            let h = |x: f64| -eta * potential.value(&[x]);
            log_integral_1d(&h, centre[0] - radius, centre[0] + radius)
        }
        _ => {
            let g = GibbsWeight { potential, eta };
            let anchors = crate::ball::ball_anchors(potential, eta, centre, radius);
            match anchors.as_slice() {
                [] => log_disc_integral(&g, centre, radius),
                [a] if dist2(&a.point, centre).sqrt() <= a.scale => log_disc_integral(&g, centre, radius),
                _ => crate::ball::log_anchored_ball(&g, centre, radius, &anchors),
            }
        }
    }
}

/// Stationary probability P(|W(∞) − c| ≤ ε) = ∫_{ball} e^{−ηL} / Z under the Gibbs density.
pub fn ball_probability(potential: &dyn Potential, eta: f64, centre: &[f64], radius: f64) -> Result<LogQuantity> {
    let ball = log_ball_integral(potential, eta, centre, radius)?;
    let z = log_partition(potential, eta)?;
    Ok(ball.div(&z))
}

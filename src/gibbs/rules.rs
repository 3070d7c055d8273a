//! Quadrature rules for integrals of e^{h} held in logarithms, so that large exponents never
//! underflow: Gauss–Legendre nodes, log-sum-exp, the 1D double-exponential rule on panels split
//! at the peaks of h with a Gauss–Legendre cross-check (the `quadrature` crate's own error
//! estimate is never trusted alone, see CRATES.md), and polar / spherical rules over discs and
//! balls in d = 2, 3 refined by doubling every rule until two levels agree.

use super::integrand::{Columns, LogIntegrand};
use super::refine::refine_log_integral_at;
pub use super::refine::{best_effort, LogQuantity};
use crate::error::{finite, EngineError, Result};
use crate::optimize::{golden_max, Stop};
use nalgebra::DMatrix;
use rayon::prelude::*;
use std::cell::Cell;
use std::f64::consts::PI;

/// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n from Chebyshev guesses).
pub fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    for i in 0..n {
        let mut x = (PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (p, d) = legendre_and_derivative(n, x);
            dp = d;
            let step = p / d;
            x -= step;
            if step.abs() < 1e-16 {
                break;
            }
        }
        let (_, d) = legendre_and_derivative(n, x);
        dp = if d.is_finite() { d } else { dp };
        nodes[i] = x;
        weights[i] = 2.0 / ((1.0 - x * x) * dp * dp);
    }
    (nodes, weights)
}

fn legendre_and_derivative(n: usize, x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    for k in 2..=n {
        let p2 = ((2 * k - 1) as f64 * x * p1 - (k - 1) as f64 * p0) / k as f64;
        p0 = p1;
        p1 = p2;
    }
    let d = n as f64 * (x * p1 - p0) / (x * x - 1.0);
    (p1, d)
}

/// ln Σ e^{t_i}, stable for any range of exponents.
pub fn log_sum_exp(terms: &[f64]) -> f64 {
    let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY || !m.is_finite() {
        return m;
    }
    m + terms.iter().map(|&t| exp_below(t, m)).sum::<f64>().ln()
}

/// e^{t − m}, with the largest term's e^0 = 1 (exact) taken without the call.
#[inline]
fn exp_below(t: f64, m: f64) -> f64 {
    if t == m {
        1.0
    } else {
        (t - m).exp()
    }
}

/// [`log_sum_exp`] (the same value, bit for bit) with a first-order bound on its rounding when
/// the terms are exact: each term t_i is held to ε|t_i|, the shift t_i − m to ε|t_i − m|, each
/// e^{t_i − m} to ε (one ulp), the running sum of n positive terms to (n − 1)ε, ln S to ε|ln S|
/// and m + ln S to ε|m + ln S|; the terms' errors enter weighted by e^{t_i − m}/S.
pub fn log_sum_exp_bounded(terms: &[f64]) -> (f64, f64) {
    let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY || !m.is_finite() {
        return (m, 0.0);
    }
    let (mut sum, mut weighted) = (0.0, 0.0);
    for &t in terms {
        let v = exp_below(t, m);
        sum += v;
        weighted += v * (t.abs() + (t - m).abs());
    }
    // The same sum as `log_sum_exp`'s (a sum of positive terms from either signed zero).
    let ln_sum = sum.ln();
    let value = m + ln_sum;
    let bound = f64::EPSILON * (value.abs() + ln_sum.abs() + terms.len() as f64 + 1.0 + weighted / sum);
    (value, bound)
}

/// ln(e^a + e^b).
pub fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

/// Samples taken to locate the peaks and the support of a 1D log-integrand.
const SAMPLES_1D: usize = 2049;

/// Parts of the integrand below e^{−CUT} of its peak are dropped (e^{−46} ≈ 1e-20).
const CUT: f64 = 46.0;

/// Panels the support is split into (besides the splits at peaks).
const PANELS_1D: usize = 16;

/// Gauss–Legendre nodes per half panel of the cross-check.
const GL_NODES: usize = 30;

/// Gauss–Legendre sum of e^{h(x) − shift} over [a, b] (returns the plain sum).
pub fn gl_sum(h: &dyn Fn(f64) -> f64, a: f64, b: f64, shift: f64, rule: &(Vec<f64>, Vec<f64>)) -> f64 {
    let (c, m) = (0.5 * (b - a), 0.5 * (a + b));
    rule.0.iter().zip(&rule.1).map(|(t, w)| w * c * (h(c * t + m) - shift).exp()).sum()
}

/// ln ∫_a^b e^{h(x)} dx for a finite interval and a smooth log-integrand h (h may be −∞).
///
/// The support where h > max h − 46 is located by sampling, split into panels at the sampled
/// local maxima, and integrated by the double-exponential rule; every panel is recomputed by
/// 2×30-point Gauss–Legendre, and the difference is the error estimate.
pub fn log_integral_1d(h: &dyn Fn(f64) -> f64, a: f64, b: f64) -> Result<LogQuantity> {
    finite("lower limit", a)?;
    finite("upper limit", b)?;
    if b <= a {
        return Err(EngineError::InvalidParameter(format!("empty interval [{a}, {b}]")));
    }
    let panels = panels_1d(h, a, b)?;
    let shift = panels.1;
    let rule = gauss_legendre(GL_NODES);
    let nan_seen = Cell::new(false);
    let f = |x: f64| {
        let v = (h(x) - shift).exp();
        if v.is_nan() {
            nan_seen.set(true);
        }
        v
    };
    let (mut de_total, mut gl_total, mut de_err) = (0.0, 0.0, 0.0);
    for w in panels.0.windows(2) {
        let (p, q) = (w[0], w[1]);
        let out = quadrature::double_exponential::integrate(f, p, q, 1e-17 * (q - p));
        de_total += out.integral;
        de_err += out.error_estimate;
        let mid = 0.5 * (p + q);
        gl_total += gl_sum(h, p, mid, shift, &rule) + gl_sum(h, mid, q, shift, &rule);
    }
    if nan_seen.get() || !de_total.is_finite() || de_total <= 0.0 {
        return Err(EngineError::Numerical(format!("integrand not finite or zero on [{a}, {b}]")));
    }
    let error = (de_total - gl_total).abs() + de_err.min(1e-12 * de_total) + 4.0 * f64::EPSILON * de_total;
    // e^h at the peak carries the rounding of h itself: a few ulps of |h| (η|L| ≈ 5e6 at η = 1e8
    // for L = −0.05 is 4e-9 relative).
    let rounding = 4.0 * f64::EPSILON * shift.abs();
    let offset = node_rounding(h, &panels.0, shift, &rule) / gl_total;
    Ok(LogQuantity { ln: shift + de_total.ln(), rel_error: error / de_total + rounding + offset })
}

/// The rounding of the nodes themselves: a node x is held to |δx| ≤ 2ε|x|, which moves e^{h(x)}
/// by |h′(x)| · 2ε|x|. Returns 2ε ∫ |x h′(x)| e^{h(x) − shift} dx over the panels (Gauss–Legendre,
/// h′ by central differences), a bound on the error this adds to ∫ e^{h − shift}. It grows with
/// the interval's distance from the origin: a well of width 1 at x = 200 has |x h′| ≈ 400.
fn node_rounding(h: &dyn Fn(f64) -> f64, panels: &[f64], shift: f64, rule: &(Vec<f64>, Vec<f64>)) -> f64 {
    let mut total = 0.0;
    for w in panels.windows(2) {
        let (c, m) = (0.5 * (w[1] - w[0]), 0.5 * (w[0] + w[1]));
        let step = 1e-5 * c;
        for (t, wt) in rule.0.iter().zip(&rule.1) {
            let x = m + c * t;
            let slope = (h(x + step) - h(x - step)) / (2.0 * step);
            let term = wt * c * (x * slope).abs() * (h(x) - shift).exp();
            if term.is_finite() {
                total += term;
            }
        }
    }
    2.0 * f64::EPSILON * total
}

/// Panel boundaries covering the support of e^{h} in [a, b], and max h.
fn panels_1d(h: &dyn Fn(f64) -> f64, a: f64, b: f64) -> Result<(Vec<f64>, f64)> {
    let step = (b - a) / (SAMPLES_1D - 1) as f64;
    let xs: Vec<f64> = (0..SAMPLES_1D).map(|i| a + step * i as f64).collect();
    let hs: Vec<f64> = xs.iter().map(|&x| h(x)).collect();
    if hs.iter().any(|v| v.is_nan() || *v == f64::INFINITY) {
        return Err(EngineError::Numerical("log-integrand is NaN or +∞ at a sample".into()));
    }
    let sampled_max = hs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if sampled_max == f64::NEG_INFINITY {
        return Err(EngineError::Numerical("integrand vanishes at every sample".into()));
    }
    // Peaks narrower than the sample spacing: refine every sampled local maximum.
    let peak_index: Vec<usize> = (0..SAMPLES_1D)
        .filter(|&i| (i == 0 || hs[i] >= hs[i - 1]) && (i + 1 == SAMPLES_1D || hs[i] > hs[i + 1]))
        .collect();
    let peaks: Vec<(f64, f64)> =
        peak_index.iter().map(|&i| refine_peak(h, xs[i.saturating_sub(1)], xs[(i + 1).min(SAMPLES_1D - 1)])).collect();
    let hmax = peaks.iter().map(|p| p.1).fold(sampled_max, f64::max);
    let alive_samples = (0..SAMPLES_1D).filter(|&i| hs[i] > hmax - CUT);
    let alive_peaks = peak_index.iter().zip(&peaks).filter(|(_, p)| p.1 > hmax - CUT).map(|(&i, _)| i);
    let alive: Vec<usize> = alive_samples.chain(alive_peaks).collect();
    let first = alive.iter().copied().min().unwrap_or(0).saturating_sub(1);
    let last = (alive.iter().copied().max().unwrap_or(SAMPLES_1D - 1) + 1).min(SAMPLES_1D - 1);
    let (lo, hi) = (xs[first], xs[last]);
    let mut cuts = vec![lo];
    for &(x, hx) in peaks.iter().filter(|p| p.1 > hmax - CUT && p.0 > lo && p.0 < hi) {
        cuts.extend(peak_cuts(h, x, hx, lo, hi));
    }
    cuts.sort_by(|a, b| a.total_cmp(b));
    cuts.push(hi);
    let width = hi - lo;
    let mut out = vec![lo];
    for w in cuts.windows(2) {
        let pieces = ((PANELS_1D as f64 * (w[1] - w[0]) / width).round() as usize).max(1);
        for k in 1..=pieces {
            out.push(w[0] + (w[1] - w[0]) * k as f64 / pieces as f64);
        }
    }
    out.dedup_by(|x, y| (*x - *y).abs() <= 0.0);
    Ok((out, hmax))
}

/// Cuts at a peak x and geometrically around it, x ± s·2^k inside (lo, hi), where the local
/// scale s is the largest (hi − lo)·2^{−j} (j ≥ 4) with |h(x ± s) − h(x)| ≤ 1: a peak of any
/// width gets panels of its own size (narrow wells at large η).
fn peak_cuts(h: &dyn Fn(f64) -> f64, x: f64, hx: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut s = (hi - lo) / 16.0;
    for _ in 0..80 {
        if (h(x + s) - hx).abs().max((h(x - s) - hx).abs()) <= 1.0 {
            break;
        }
        s *= 0.5;
    }
    let mut cuts = vec![x];
    let mut step = s;
    while step < hi - lo {
        cuts.extend([x - step, x + step].into_iter().filter(|&c| c > lo && c < hi));
        step *= 2.0;
    }
    cuts
}

/// A sampled peak of h refined on [a, b]: (argmax, max) after 80 golden-section steps.
fn refine_peak(h: &dyn Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let x = golden_max(h, a, b, Stop::Iterations(80)).midpoint();
    (x, h(x))
}

/// n points on the sphere |w − c| = r (d = 2: equally spaced; d = 3: a Fibonacci lattice).
pub fn sphere_points(dim: usize, centre: &[f64], r: f64, n: usize) -> Vec<Vec<f64>> {
    sphere_iter(dim, centre, r, n).map(|p| p[..dim.min(3)].to_vec()).collect()
}

/// The points of [`sphere_points`] one by one, without allocating (d = 1: the two points c ± r;
/// coordinates past d are 0).
pub fn sphere_iter(dim: usize, centre: &[f64], r: f64, n: usize) -> impl Iterator<Item = [f64; 3]> + '_ {
    let count = if dim == 1 { 2 } else { n };
    let golden = PI * (3.0 - 5f64.sqrt());
    (0..count).map(move |k| match dim {
        1 => [if k == 0 { centre[0] - r } else { centre[0] + r }, 0.0, 0.0],
        2 => {
            let a = 2.0 * PI * k as f64 / n as f64;
            [centre[0] + r * a.cos(), centre[1] + r * a.sin(), 0.0]
        }
        _ => {
            let z = 1.0 - (2 * k + 1) as f64 / n as f64;
            let s = (1.0 - z * z).sqrt();
            let a = golden * k as f64;
            [centre[0] + r * s * a.cos(), centre[1] + r * s * a.sin(), centre[2] + r * z]
        }
    })
}

/// Relative tolerance of the 2D / 3D polar refinement study.
const POLAR_TOL: f64 = 1e-11;

/// ln ∫_{|w−c| ≤ R} e^{g(w)} dw in d = 2 or 3 by polar / spherical coordinates around c,
/// refined (radial panels, azimuthal and polar nodes all doubled) until two levels agree.
///
/// The radial panels are geometric from the local scale s of g at c ([`local_scale`]):
/// [0, s], [s, 2s], [2s, 4s], …, R, so a Gibbs peak of any width (η up to ~1e8 and beyond) is
/// resolved by the same number of nodes per panel; every level halves each panel.
pub fn log_disc_integral(g: &dyn LogIntegrand, centre: &[f64], radius: f64) -> Result<LogQuantity> {
    let dim = centre.len();
    if !(2..=3).contains(&dim) {
        return Err(EngineError::InvalidParameter(format!("polar quadrature needs d = 2 or 3 (got d = {dim})")));
    }
    let base = radial_edges(local_scale(g, centre, radius), radius);
    // 3D levels cost panels·10 × n_φ²/2 evaluations: one level fewer, base n_φ halved.
    let (levels, base_phi) = if dim == 2 { (6, 32usize) } else { (5, 16usize) };
    // The peak of this rule is at the centre; e^g there carries the rounding of g (a few ulps).
    let rounding = 4.0 * f64::EPSILON * g.at(centre).abs();
    let ln_sum = |level: usize| log_polar_sum(g, centre, &subdivide(&base, 1 << level), base_phi << level);
    Ok(refine_log_integral_at("polar quadrature", levels, 2, POLAR_TOL, rounding, ln_sum)?.0)
}

/// ln ∫_{A v : |v| ≤ R} e^{g(w)} dw = ln |det A| + ln ∫_{|v| ≤ R} e^{g(c + A v)} dv: the polar rule
/// of [`log_disc_integral`] in the Laplace-scaled variable v of `laplace_shape`. The ellipsoid
/// contains the ball |w − c| ≤ R when the singular values of A are ≥ 1.
pub fn log_shaped_integral(
    g: &dyn LogIntegrand,
    centre: &[f64],
    radius: f64,
    shape: &DMatrix<f64>,
) -> Result<LogQuantity> {
    let d = centre.len();
    let mapped = Shaped { g, centre, shape };
    let inner = log_disc_integral(&mapped, &vec![0.0; d], radius)?;
    Ok(LogQuantity { ln: inner.ln + shape.determinant().abs().ln(), rel_error: inner.rel_error })
}

/// v ↦ g(c + A v).
struct Shaped<'a> {
    g: &'a dyn LogIntegrand,
    centre: &'a [f64],
    shape: &'a DMatrix<f64>,
}

impl Shaped<'_> {
    /// w = c + A v (each coordinate summed as in the one-point map).
    fn map(&self, v: impl Fn(usize) -> f64) -> [f64; 3] {
        let mut w = [0.0; 3];
        let d = self.centre.len();
        for (i, wi) in w.iter_mut().enumerate().take(d) {
            *wi = self.centre[i] + (0..d).map(|k| self.shape[(i, k)] * v(k)).sum::<f64>();
        }
        w
    }
}

impl LogIntegrand for Shaped<'_> {
    fn at(&self, v: &[f64]) -> f64 {
        let w = self.map(|k| v[k]);
        self.g.at(&w[..self.centre.len()])
    }
    fn batch(&self, columns: &[&[f64]], out: &mut [f64]) {
        let d = self.centre.len();
        let mut points = Columns::new(d, out.len());
        (0..out.len()).for_each(|j| points.set(j, self.map(|k| columns[k][j]).into_iter().take(d)));
        self.g.batch(&points.refs(), out);
    }
}

/// The local scale of g at c: the largest r = R·2^{−k} (k ≥ 3) on whose sphere g stays within 1
/// of g(c) at every sampled point (the Laplace width 1/√(η λ_max) for g = −ηL at a minimum).
pub fn local_scale(g: &dyn LogIntegrand, centre: &[f64], radius: f64) -> f64 {
    let g0 = g.at(centre);
    let mut r = radius / 8.0;
    let d = centre.len();
    let count = if d == 1 { 2 } else { 64 };
    let (mut points, mut values) = (Columns::new(d, count), vec![0.0; count]);
    for _ in 0..80 {
        for (j, p) in sphere_iter(d, centre, r, 64).enumerate() {
            points.set(j, p.into_iter().take(d));
        }
        g.batch(&points.refs(), &mut values);
        let spread = values.iter().map(|v| (v - g0).abs()).fold(0.0, f64::max);
        if spread <= 1.0 || !g0.is_finite() {
            return r;
        }
        r *= 0.5;
    }
    r
}

/// Geometric radial panel edges 0, s, 2s, 4s, …, R (the last panel at least 2s wide).
pub fn radial_edges(scale: f64, radius: f64) -> Vec<f64> {
    let mut edges = vec![0.0, scale];
    while 4.0 * edges[edges.len() - 1] < radius {
        let next = 2.0 * edges[edges.len() - 1];
        edges.push(next);
    }
    edges.push(radius);
    edges
}

/// Every panel of `edges` cut into `pieces` equal parts.
pub fn subdivide(edges: &[f64], pieces: usize) -> Vec<f64> {
    let mut out = vec![edges[0]];
    for w in edges.windows(2) {
        out.extend((1..=pieces).map(|k| w[0] + (w[1] - w[0]) * k as f64 / pieces as f64));
    }
    out
}

/// Unit directions with weights integrating over the circle (d = 2: n_φ trapezoid points) or
/// the sphere (d = 3: n_φ trapezoid points in φ × n_φ/2 Gauss–Legendre nodes in cos θ).
pub fn directions(dim: usize, n_phi: usize) -> Vec<(Vec<f64>, f64)> {
    let dphi = 2.0 * PI / n_phi as f64;
    let azimuth = (0..n_phi).map(move |j| (dphi * j as f64).sin_cos());
    if dim == 2 {
        return azimuth.map(|(s, c)| (vec![c, s], dphi)).collect();
    }
    let (mu, wmu) = gauss_legendre(n_phi / 2);
    mu.iter()
        .zip(&wmu)
        .flat_map(|(&m, &w)| {
            let st = (1.0 - m * m).sqrt();
            azimuth.clone().map(move |(s, c)| (vec![st * c, st * s, m], w * dphi))
        })
        .collect()
}

/// Gauss–Legendre nodes (10 per panel) and weights over the panels of `edges` (radial or angular).
pub fn radial_nodes(edges: &[f64]) -> Vec<(f64, f64)> {
    let rule = gauss_legendre(10);
    edges
        .windows(2)
        .flat_map(|e| {
            let (m, half) = (0.5 * (e[0] + e[1]), 0.5 * (e[1] - e[0]));
            rule.0.iter().zip(&rule.1).map(move |(t, w)| (m + half * t, half * w)).collect::<Vec<_>>()
        })
        .collect()
}

/// ln of the polar sum Σ_r w_r r^{d−1} Σ_u w_u e^{g(c + r u)}, g evaluated shell by shell, and
/// a bound on the rounding of the sums ([`log_sum_exp_bounded`]: the outer sum's, plus the
/// largest shell's, which bounds their weighted mean).
fn log_polar_sum(g: &dyn LogIntegrand, centre: &[f64], edges: &[f64], n_phi: usize) -> (f64, f64) {
    let dim = centre.len();
    let radial = radial_nodes(edges);
    let dirs = directions(dim, n_phi);
    let log_weights: Vec<f64> = dirs.iter().map(|(_, wu)| wu.ln()).collect();
    let terms: Vec<(f64, f64)> = radial
        .par_iter()
        .map(|&(r, wr)| {
            let mut points = Columns::new(dim, dirs.len());
            for (j, (u, _)) in dirs.iter().enumerate() {
                points.set(j, (0..dim).map(|k| centre[k] + r * u[k]));
            }
            let mut shell = vec![0.0; dirs.len()];
            g.batch(&points.refs(), &mut shell);
            shell.iter_mut().zip(&log_weights).for_each(|(v, lw)| *v += lw);
            let (ln_shell, bound) = log_sum_exp_bounded(&shell);
            ((wr * r.powi(dim as i32 - 1)).ln() + ln_shell, bound)
        })
        .collect();
    nested_bound(&terms)
}

/// ln Σ_r e^{t_r} of terms t_r each held to a rounding bound b_r: the outer
/// [`log_sum_exp_bounded`] plus the bounds weighted by the terms, Σ_r e^{t_r} b_r / Σ_r e^{t_r}
/// (a relative error b_r of e^{t_r} moves the sum by that share).
pub(crate) fn nested_bound(terms: &[(f64, f64)]) -> (f64, f64) {
    let values: Vec<f64> = terms.iter().map(|t| t.0).collect();
    let (ln, outer) = log_sum_exp_bounded(&values);
    let m = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut sum, mut weighted) = (0.0, 0.0);
    for &(t, b) in terms {
        let v = exp_below(t, m);
        sum += v;
        weighted += v * b;
    }
    (ln, if sum > 0.0 { outer + weighted / sum } else { outer })
}

/// ln Σ_k I_k of parts held in logarithms, the absolute errors added, plus `extra` relative.
pub fn log_sum_parts(parts: &[LogQuantity], extra: f64) -> LogQuantity {
    let lns: Vec<f64> = parts.iter().map(|p| p.ln).collect();
    let ln = log_sum_exp(&lns);
    let error: f64 = parts.iter().map(|p| p.rel_error * (p.ln - ln).exp()).sum();
    LogQuantity { ln, rel_error: error + extra }
}

pub(crate) fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bounded log-sum-exp is `log_sum_exp` bit for bit, and its bound covers the distance
    /// to the sum done in double-double arithmetic (Knuth's two-sum on e^{t_i − m} split exactly).
    #[test]
    fn log_sum_exp_bound_covers_its_rounding() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        for (n, spread, offset) in [(3usize, 1.0, 0.0), (1000, 40.0, -2000.0), (5000, 5.0, 1e4), (64, 0.0, 7.0)] {
            let terms: Vec<f64> = (0..n).map(|_| offset - spread * next()).collect();
            let (value, bound) = log_sum_exp_bounded(&terms);
            assert_eq!(value.to_bits(), log_sum_exp(&terms).to_bits());
            // A more accurate value: compensated sum of e^{t_i − m}, then ln(1 + (S − 1)) around 1.
            let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (mut hi, mut lo) = (0.0f64, 0.0f64);
            for t in &terms {
                let v = (t - m).exp();
                let sum = hi + v;
                lo += (hi - (sum - v)) + (v - (sum - hi));
                hi = sum;
            }
            let accurate = m + hi.ln() + lo / hi;
            assert!((value - accurate).abs() <= bound, "n = {n}: |Δ| = {:.1e} > bound {bound:.1e}", value - accurate);
            assert!(bound < 1e-9 * (1.0 + value.abs()), "bound {bound:.1e} is not a rounding bound");
        }
    }

    /// The sphere points lie on the sphere, n of them (two in d = 1), and the one-by-one points
    /// are the listed ones.
    #[test]
    fn sphere_points_lie_on_the_sphere() {
        let centre = [0.3, -1.2, 2.5];
        for (dim, n) in [(1, 256), (2, 256), (3, 1024)] {
            let points = sphere_points(dim, &centre[..dim], 0.7, n);
            assert_eq!(points.len(), if dim == 1 { 2 } else { n });
            for (p, q) in points.iter().zip(sphere_iter(dim, &centre[..dim], 0.7, n)) {
                assert_eq!(p[..], q[..dim]);
                let r = dist2(p, &centre[..dim]).sqrt();
                assert!((r - 0.7).abs() <= 8.0 * f64::EPSILON * 3.0, "d = {dim}: |p − c| = {r}");
            }
        }
    }
}

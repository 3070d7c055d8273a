//! High-accuracy integrals of Gibbs weights e^{−ηL} over R^d, closed balls and 1D intervals,
//! held in logarithms so that large η never underflows, each with an error estimate from an
//! independent second rule (1D) or a refinement study (2D, 3D).
//!
//! 1D: the double-exponential rule of the `quadrature` crate on panels split at the peaks of
//! the log-integrand, cross-checked panel by panel with composite Gauss–Legendre. The crate's own
//! error estimate is never trusted alone (see CRATES.md).
//! 2D, 3D: polar / spherical coordinates around a centre, composite Gauss–Legendre in r, the
//! periodic trapezoid rule in the azimuth φ and (3D) Gauss–Legendre in cos θ, refined by doubling
//! every rule until two levels agree.

use crate::error::{finite, positive, EngineError, Result};
use crate::potential::Potential;
use crate::report::Quantity;
use rayon::prelude::*;
use std::cell::Cell;
use std::f64::consts::PI;

/// A positive number held as its natural logarithm, with a relative error estimate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogQuantity {
    /// ln of the value.
    pub ln: f64,
    /// Relative error estimate of the value (= absolute error of `ln`, to first order).
    pub rel_error: f64,
}

impl LogQuantity {
    /// The value itself (may overflow to ∞ or underflow to 0 for extreme logarithms).
    pub fn value(&self) -> f64 {
        self.ln.exp()
    }
    /// The value with its absolute error.
    pub fn quantity(&self) -> Quantity {
        let v = self.value();
        Quantity::new(v, v * self.rel_error)
    }
    /// self / other, errors added.
    pub fn div(&self, other: &LogQuantity) -> LogQuantity {
        LogQuantity { ln: self.ln - other.ln, rel_error: self.rel_error + other.rel_error }
    }
}

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
    m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln()
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
    Ok(LogQuantity { ln: shift + de_total.ln(), rel_error: error / de_total })
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
        peak_index.iter().map(|&i| golden_max(h, xs[i.saturating_sub(1)], xs[(i + 1).min(SAMPLES_1D - 1)])).collect();
    let hmax = peaks.iter().map(|p| p.1).fold(sampled_max, f64::max);
    let alive_samples = (0..SAMPLES_1D).filter(|&i| hs[i] > hmax - CUT);
    let alive_peaks = peak_index.iter().zip(&peaks).filter(|(_, p)| p.1 > hmax - CUT).map(|(&i, _)| i);
    let alive: Vec<usize> = alive_samples.chain(alive_peaks).collect();
    let first = alive.iter().copied().min().unwrap_or(0).saturating_sub(1);
    let last = (alive.iter().copied().max().unwrap_or(SAMPLES_1D - 1) + 1).min(SAMPLES_1D - 1);
    let (lo, hi) = (xs[first], xs[last]);
    let mut cuts = vec![lo];
    cuts.extend(peaks.iter().filter(|p| p.1 > hmax - CUT && p.0 > lo && p.0 < hi).map(|p| p.0));
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

/// Golden-section search for the maximum of h on [a, b]: (argmax, max).
fn golden_max(h: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64) -> (f64, f64) {
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (h(c), h(d));
    for _ in 0..80 {
        if fc > fd {
            (b, d, fd) = (d, c, fc);
            c = b - g * (b - a);
            fc = h(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + g * (b - a);
            fd = h(d);
        }
    }
    let x = 0.5 * (a + b);
    (x, h(x))
}

/// A radius R such that L(w) − L(c) ≥ max(60/η, 2) on every sphere |w − c| = r ≥ R that is
/// sampled (radii 0.01·1.02^k up to 10⁴; c the lowest point of L; the floor 2 keeps every
/// low well inside however narrow it is at large η), so that e^{−ηL} outside the ball of
/// radius R is negligible (confinement, A.1). Every well, not only the one at c, lies inside.
pub fn gibbs_radius(potential: &Potential, eta: f64, centre: &[f64]) -> Result<f64> {
    let l_centre = potential.value(centre);
    let mut last_alive = 0.0;
    let mut r = 0.01;
    while r < 1e4 {
        let on_sphere = sphere_points(potential.dim(), centre, r, if potential.dim() == 3 { 1024 } else { 256 });
        let low = on_sphere.iter().map(|p| potential.value(p)).fold(f64::INFINITY, f64::min);
        if low.is_nan() || low - l_centre < (60.0 / eta).max(2.0) {
            last_alive = r;
        } else if r > 4.0 * last_alive.max(0.25) {
            return Ok(1.1 * last_alive.max(0.01) + 0.01);
        }
        r *= 1.02;
    }
    Err(EngineError::NotConfining(format!("e^(-ηL) with η = {eta} is not negligible at |w| = {last_alive:.1e}")))
}

/// n points on the sphere |w − c| = r (d = 2: equally spaced; d = 3: a Fibonacci lattice).
fn sphere_points(dim: usize, centre: &[f64], r: f64, n: usize) -> Vec<Vec<f64>> {
    match dim {
        1 => vec![vec![centre[0] - r], vec![centre[0] + r]],
        2 => (0..n)
            .map(|k| {
                let a = 2.0 * PI * k as f64 / n as f64;
                vec![centre[0] + r * a.cos(), centre[1] + r * a.sin()]
            })
            .collect(),
        _ => {
            let golden = PI * (3.0 - 5f64.sqrt());
            (0..n)
                .map(|k| {
                    let z = 1.0 - (2 * k + 1) as f64 / n as f64;
                    let s = (1.0 - z * z).sqrt();
                    let a = golden * k as f64;
                    vec![centre[0] + r * s * a.cos(), centre[1] + r * s * a.sin(), centre[2] + r * z]
                })
                .collect()
        }
    }
}

/// The lowest sampled point of L (a centre for the Gibbs domain): the lowest node of a grid
/// on [−8, 8]^d (4001, 161², 41³ nodes); in d = 3 the coarse node is then polished by a
/// compass search (steps 0.2, 0.1, … down to 1e-7).
pub fn lowest_point(potential: &Potential) -> Vec<f64> {
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
pub fn check_point(potential: &Potential, name: &str, point: &[f64]) -> Result<()> {
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

fn supported_dim(potential: &Potential) -> Result<usize> {
    match potential.dim() {
        d @ (1..=3) => Ok(d),
        d => {
            Err(EngineError::InvalidParameter(format!("Gibbs integrals are implemented for d = 1, 2, 3 (got d = {d})")))
        }
    }
}

/// ln ∫_a^b e^{−ηL(x)} dx in d = 1 (a = −∞ or b = +∞ allowed).
pub fn log_interval_integral(potential: &Potential, eta: f64, a: f64, b: f64) -> Result<LogQuantity> {
    positive("eta", eta)?;
    let centre = lowest_point(potential);
    let r = gibbs_radius(potential, eta, &centre)?;
    let lo = a.max(centre[0] - r);
    let hi = b.min(centre[0] + r);
    let h = |x: f64| -eta * potential.value(&[x]);
    if hi <= lo {
        // interval wholly in the negligible tail: integrate it as given
        return log_integral_1d(&h, a, b);
    }
    log_integral_1d(&h, lo, hi)
}

/// Relative tolerance of the 2D / 3D polar refinement study.
const POLAR_TOL: f64 = 1e-11;

/// ln ∫_{|w−c| ≤ R} e^{g(w)} dw in d = 2 or 3 by polar / spherical coordinates around c,
/// refined (radial panels, azimuthal and polar nodes all doubled) until two levels agree.
pub fn log_disc_integral(g: &(dyn Fn(&[f64]) -> f64 + Sync), centre: &[f64], radius: f64) -> Result<LogQuantity> {
    let dim = centre.len();
    if !(2..=3).contains(&dim) {
        return Err(EngineError::InvalidParameter(format!("polar quadrature needs d = 2 or 3 (got d = {dim})")));
    }
    // 3D levels cost panels·10 × n_φ²/2 evaluations: one level fewer, base n_φ halved.
    let (levels, base_phi) = if dim == 2 { (6, 32usize) } else { (5, 16usize) };
    let mut previous: Option<f64> = None;
    let mut last_change = f64::INFINITY;
    for level in 0..levels {
        let (panels, n_phi) = (4usize << level, base_phi << level);
        let ln = log_polar_sum(g, centre, radius, panels, n_phi);
        if !ln.is_finite() {
            return Err(EngineError::Numerical("polar quadrature gave a non-finite sum".into()));
        }
        if let Some(p) = previous {
            last_change = (ln - p).abs();
            if last_change < POLAR_TOL && level >= 2 {
                return Ok(LogQuantity { ln, rel_error: last_change + 1e-14 });
            }
        }
        previous = Some(ln);
    }
    // Out of levels: accept the finest level when its last change meets the target 1e-8.
    match previous {
        Some(ln) if last_change < 1e-8 => Ok(LogQuantity { ln, rel_error: last_change }),
        _ => Err(EngineError::NotConverged(format!(
            "polar quadrature: last refinement changed ln I by {last_change:.1e}"
        ))),
    }
}

/// Unit directions with weights integrating over the circle (d = 2: n_φ trapezoid points) or
/// the sphere (d = 3: n_φ trapezoid points in φ × n_φ/2 Gauss–Legendre nodes in cos θ).
fn directions(dim: usize, n_phi: usize) -> Vec<(Vec<f64>, f64)> {
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

fn log_polar_sum(g: &(dyn Fn(&[f64]) -> f64 + Sync), centre: &[f64], radius: f64, panels: usize, n_phi: usize) -> f64 {
    let dim = centre.len();
    let rule = gauss_legendre(10);
    // Panel edges graded as R (k/P)^1.5: fine near the centre, where the peak sits.
    let edge = |k: usize| radius * (k as f64 / panels as f64).powf(1.5);
    let radial: Vec<(f64, f64)> = (0..panels)
        .flat_map(|p| {
            let (a, b) = (edge(p), edge(p + 1));
            let (m, half) = (0.5 * (a + b), 0.5 * (b - a));
            rule.0.iter().zip(&rule.1).map(move |(t, w)| (m + half * t, half * w)).collect::<Vec<_>>()
        })
        .collect();
    let dirs = directions(dim, n_phi);
    let terms: Vec<f64> = radial
        .par_iter()
        .map(|&(r, wr)| {
            let mut w = vec![0.0; dim];
            let shell: Vec<f64> = dirs
                .iter()
                .map(|(u, wu)| {
                    for k in 0..dim {
                        w[k] = centre[k] + r * u[k];
                    }
                    wu.ln() + g(&w)
                })
                .collect();
            (wr * r.powi(dim as i32 - 1)).ln() + log_sum_exp(&shell)
        })
        .collect();
    log_sum_exp(&terms)
}

/// ln ∫_{|w−c| ≤ ε} e^{−ηL(w)} dw over the closed ball (d = 1, 2, 3).
pub fn log_ball_integral(potential: &Potential, eta: f64, centre: &[f64], radius: f64) -> Result<LogQuantity> {
    positive("eta", eta)?;
    positive("radius", radius)?;
    check_point(potential, "centre", centre)?;
    match supported_dim(potential)? {
        1 => {
            let h = |x: f64| -eta * potential.value(&[x]);
            log_integral_1d(&h, centre[0] - radius, centre[0] + radius)
        }
        _ => {
            let g = |w: &[f64]| -eta * potential.value(w);
            log_disc_integral(&g, centre, radius)
        }
    }
}

/// ln Z = ln ∫_{R^d} e^{−ηL(w)} dw, the normalisation 1/κ of p∞ (Lemma 3).
pub fn log_partition(potential: &Potential, eta: f64) -> Result<LogQuantity> {
    positive("eta", eta)?;
    let centre = lowest_point(potential);
    match supported_dim(potential)? {
        1 => log_interval_integral(potential, eta, f64::NEG_INFINITY, f64::INFINITY),
        _ => {
            let r = gibbs_radius(potential, eta, &centre)?;
            let g = |w: &[f64]| -eta * potential.value(w);
            match log_disc_integral(&g, &centre, r) {
                Err(EngineError::NotConverged(_)) if centre.len() == 2 => {
                    log_partition_by_wells(potential, eta, &centre, r)
                }
                other => other,
            }
        }
    }
}

/// Z in d = 2 when one polar rule cannot resolve several narrow wells: a smooth partition of
/// unity χ_k ∝ e^{−|w − m_k|²/s²} over the low minima m_k (χ_k ≤ e^{−28} at the other minima),
/// and one polar integral of e^{−ηL} χ_k centred at each m_k.
fn log_partition_by_wells(potential: &Potential, eta: f64, centre: &[f64], r: f64) -> Result<LogQuantity> {
    let l_low = potential.value(centre);
    let wells: Vec<Vec<f64>> = crate::critical::critical_points(potential, r, 25)
        .into_iter()
        .filter(|c| c.index == 0 && eta * (c.value - l_low) < 60.0)
        .map(|c| c.point)
        .collect();
    let spacing = wells
        .iter()
        .enumerate()
        .flat_map(|(i, a)| wells[i + 1..].iter().map(move |b| dist2(a, b)))
        .fold(f64::INFINITY, f64::min);
    if wells.len() < 2 || !spacing.is_finite() {
        return Err(EngineError::NotConverged("polar quadrature of Z did not converge (single well)".into()));
    }
    let s2 = spacing / 28.0;
    let mut parts = Vec::new();
    let mut error = 0.0;
    for m in &wells {
        let g = |w: &[f64]| {
            let own = -dist2(w, m) / s2;
            let all: Vec<f64> = wells.iter().map(|k| -dist2(w, k) / s2).collect();
            -eta * potential.value(w) + own - log_sum_exp(&all)
        };
        let reach = r + dist2(m, centre).sqrt();
        let part = log_disc_integral(&g, m, reach)?;
        error += part.value() * part.rel_error;
        parts.push(part.ln);
    }
    let ln = log_sum_exp(&parts);
    Ok(LogQuantity { ln, rel_error: error / ln.exp() })
}

/// Stationary probability P(|W(∞) − c| ≤ ε) = κ ∫_{ball} e^{−ηL} (Theorem 2, Appendix B.5).
pub fn ball_probability(potential: &Potential, eta: f64, centre: &[f64], radius: f64) -> Result<LogQuantity> {
    let ball = log_ball_integral(potential, eta, centre, radius)?;
    let z = log_partition(potential, eta)?;
    Ok(ball.div(&z))
}

/// Stationary probability of the basin of attraction of the minimum `minimum` (d = 1: the
/// interval between the neighbouring local maxima of L).
pub fn basin_probability(potential: &Potential, eta: f64, minimum: &[f64]) -> Result<LogQuantity> {
    positive("eta", eta)?;
    check_point(potential, "minimum", minimum)?;
    if potential.dim() == 2 {
        return basin_probability_2d(potential, eta, minimum);
    }
    if potential.dim() != 1 {
        return Err(EngineError::InvalidParameter("basin probabilities are implemented for d = 1, 2".into()));
    }
    let (a, b) = crate::critical::basin_interval(potential, minimum[0])?;
    let basin = log_interval_integral(potential, eta, a, b)?;
    let z = log_partition(potential, eta)?;
    Ok(basin.div(&z))
}

/// Basin probability in d = 2 for a potential with exactly two minima, as a rigorous bracket:
/// a disc around a minimum on which L stays below the saddle height lies in that minimum's
/// component of {L < L(w*)}, hence in its basin; so P(B₁) ≤ P(basin₁) ≤ 1 − P(B₂). The value is
/// the midpoint, the error the half-width plus quadrature errors (tight once η·barrier ≫ 1).
fn basin_probability_2d(potential: &Potential, eta: f64, minimum: &[f64]) -> Result<LogQuantity> {
    let own = crate::critical::newton_critical(potential, minimum)?;
    let span = minimum.iter().map(|x| x.abs()).fold(2.0, f64::max) * 2.0;
    let points = crate::critical::critical_points(potential, span, 21);
    let minima: Vec<_> = points.iter().filter(|c| c.index == 0).collect();
    if own.index != 0 || minima.len() != 2 {
        return Err(EngineError::InvalidParameter(format!(
            "2D basin probabilities need exactly two minima and a start at one of them (found {} minima)",
            minima.len()
        )));
    }
    let other =
        minima.iter().copied().max_by(|a, b| dist2(&a.point, &own.point).total_cmp(&dist2(&b.point, &own.point)));
    let other = other.expect("two minima");
    let saddle = crate::critical::saddle_between(potential, &own.point, &other.point)?;
    let z = log_partition(potential, eta)?;
    let ball = |m: &[f64]| -> Result<LogQuantity> {
        let r = sublevel_radius(potential, m, saddle.value, dist2(m, &saddle.point).sqrt());
        Ok(log_ball_integral(potential, eta, m, r)?.div(&z))
    };
    let (inside, outside) = (ball(&own.point)?, ball(&other.point)?);
    let lo = inside.value();
    let hi = 1.0 - outside.value();
    let mid = 0.5 * (lo + hi);
    let error = 0.5 * (hi - lo).abs() + lo * inside.rel_error + outside.value() * outside.rel_error;
    Ok(LogQuantity { ln: mid.ln(), rel_error: error / mid })
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum()
}

/// 0.95 × the largest radius r ≤ r_max with L < level on the circle |w − m| = r (bisection on
/// 512 circle points).
fn sublevel_radius(potential: &Potential, m: &[f64], level: f64, r_max: f64) -> f64 {
    let below = |r: f64| sphere_points(2, m, r, 512).iter().all(|p| potential.value(p) < level);
    let (mut lo, mut hi) = (0.0, r_max);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.95 * lo
}

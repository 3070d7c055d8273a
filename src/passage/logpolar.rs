//! Mean first passage times in d = 2 to a closed ball at small D: exponentially fitted finite
//! volumes on a mapped log-polar grid around the ball, solved by subtraction-free elimination, with
//! Richardson extrapolation in h².
//!
//! Coordinates w = c + e^s (cos θ, sin θ) around the target ball |w − c| ≤ ε are conformal, so
//! the backward Kolmogorov equation in Gibbs-weighted divergence form reads
//!   −D [∂_s(e^{−L/D} τ_s) + ∂_θ(e^{−L/D} τ_θ)] = e^{2s} e^{−L/D},   τ = 0 at s = ln ε,
//! on [ln ε, ln R] × [0, 2π), periodic in θ and reflecting at s = ln R, where L − L_min ≥
//! [`OUTER_BARRIER`]·D as in [`crate::annulus`]. The ball is a grid line (no cut cells) and the
//! grid is the image of a uniform (ξ, φ) grid under smooth maps s(ξ), θ(φ) ([`GridMaps`]) that pack nodes towards the saddle and the start basin, with h_φ/h_ξ fixed: the
//! Scharfetter–Gummel scheme then has an error expansion in even powers of h and Neville
//! extrapolation in h² over levels m, 1.25m, 1.5m, … converges fast ([`mfpt_logpolar`]).
//!
//! Why not the spectral collocation of [`crate::annulus`] at small D: τ ≈ e^{ΔL/D} is flat in the
//! start basin, and a collocation operator annihilates constants only up to round-off
//! ~ε_mach·‖D_ss‖·τ — a spurious source that swamps the true one once e^{ΔL/D} ≳ 1e8 (GMRES
//! stalls at ~3e-7 at D = 0.0125, whatever the preconditioner). Here the matrix is a symmetric
//! M-matrix whose rows sum to zero except next to the ball, and [`gth_band_solve`] eliminates it
//! without a single subtraction (Grassmann–Taksar–Heyman: each pivot is the carried row excess plus
//! the remaining couplings), so τ keeps full relative accuracy however large e^{ΔL/D} is. Sparse
//! Cholesky computes the pivots by subtraction: on a double well (m = 60…120) it differs from
//! this solve by 1e-13 at D = 0.05, 1e-10 at D = 0.025, 7e-6 at D = 0.0125 and in every digit
//! from D = 0.00625 on (`examples/annulus_report.rs`).

use super::{bernoulli, check_passage};
use crate::error::{positive, EngineError, Result};
use crate::gibbs::rules::LogQuantity;
use crate::potential::Potential;
use crate::resolution::Level;
use crate::study::{drive, Estimate, Refinable, Settings, Solved, Status};
use std::f64::consts::PI;

use super::gth::gth_band_solve_from;
pub use super::gth::{gth_band_solve, BandLaplacian};
pub use crate::annulus::OUTER_BARRIER;

/// θ nodes per ξ-interval from the ball to the start circle (default of [`GridMaps`]): the ratio
/// h_φ/h_ξ = 2π/ASPECT is the same on every level, so the error expands in one parameter h².
pub(crate) const ASPECT: usize = 1;

/// One grid of the study.
#[derive(Debug, Clone, Copy)]
pub struct LogPolarLevel {
    /// ξ-intervals from the ball to the start circle.
    pub m: usize,
    /// ξ-intervals from the ball to the outer circle.
    pub ns: usize,
    /// θ nodes.
    pub nt: usize,
    /// τ(start) on this grid.
    pub value: f64,
}

/// The result of a refinement study with Richardson extrapolation.
#[derive(Debug, Clone)]
pub struct LogPolarStudy {
    /// ln τ(start) with the relative error estimate (larger of the last two extrapolation corrections +
    /// rounding).
    pub tau: LogQuantity,
    /// Every grid solved, coarse to fine.
    pub levels: Vec<LogPolarLevel>,
    /// Extrapolated values: entry i uses levels 0..=i (polynomial of degree i in h²).
    pub extrapolated: Vec<f64>,
    /// The outer radius requested (the grid's own outer circle is at or just beyond it).
    pub outer: f64,
    /// The study driver's outcome (levels, extrapolated value and error, status).
    pub estimate: Estimate,
}

/// Grid map in s: s(ξ) = ln ε + ln(r_start/ε) · G(ξ), G(ξ) = ξ + β sin(πξ)/π, ξ = k/m, so the
/// ball is ξ = 0 and the start circle ξ = 1; G' = 1 + β cos πξ thins the nodes next to the ball
/// (1 + β) and packs them towards the saddle and the start basin (1 − β at ξ = 1).
pub(crate) const S_MAP: f64 = 0.7;

/// Grid map in θ: θ(φ) = θ_start + φ − α sin φ, φ uniform; θ' = 1 − α cos φ packs the nodes
/// towards the start direction (the saddle and the start basin lie there).
pub(crate) const THETA_MAP: f64 = 0.7;

/// The grid family of a study: map strengths and θ nodes per ξ-interval. Any choice gives a
/// consistent scheme with an h² expansion; two choices give independent discretisations.
#[derive(Debug, Clone, Copy)]
pub struct GridMaps {
    /// β of the s map (0 ≤ β < 1).
    pub s_map: f64,
    /// α of the θ map (0 ≤ α < 1).
    pub theta_map: f64,
    /// θ nodes per ξ-interval from the ball to the start.
    pub aspect: usize,
}

impl Default for GridMaps {
    fn default() -> Self {
        GridMaps { s_map: S_MAP, theta_map: THETA_MAP, aspect: ASPECT }
    }
}

/// The passage problem on the annulus ε ≤ |w − c| ≤ R.
#[derive(Debug, Clone, Copy)]
pub struct LogPolarProblem {
    /// Ball centre c.
    pub target: [f64; 2],
    /// Ball radius ε.
    pub radius: f64,
    /// Outer (reflecting) radius R.
    pub outer: f64,
    /// Start point.
    pub start: [f64; 2],
}

/// ξ-intervals from the ball to the first node at or beyond the outer circle.
fn radial_intervals(m: usize, span: f64, s0: f64, outer: f64, maps: GridMaps) -> usize {
    let s_of = |xi: f64| s0 + span * (xi + maps.s_map * (PI * xi).sin() / PI);
    let mut ns = m;
    while s_of(ns as f64 / m as f64) < outer.ln() {
        ns += 1;
    }
    ns
}

/// The finite-volume system of one level: A τ = b, τ(start) = τ[`start_index`](Self::start_index).
pub struct LogPolarSystem {
    /// The matrix (symmetric M-matrix in band form).
    pub matrix: BandLaplacian,
    /// Right-hand side (cell volumes × Gibbs weight, ≥ 0).
    pub rhs: Vec<f64>,
    /// ξ-intervals from the ball to the start circle.
    pub m: usize,
    /// ξ-intervals from the ball to the outer circle.
    pub ns: usize,
    /// θ nodes.
    pub nt: usize,
    /// Index of the start node.
    pub start_index: usize,
}

impl BandLaplacian {
    /// The full symmetric matrix (diagonal = excess + couplings) as a sparse matrix, for
    /// comparisons with general-purpose solvers. Rows whose couplings all underflowed (Gibbs weight
    /// e^{−L/D} = 0 far out; [`gth_band_solve`] returns 0 there) get a unit diagonal.
    pub fn to_sparse(&self) -> Result<faer::sparse::SparseColMat<usize, f64>> {
        use faer::sparse::Triplet;
        let n = self.excess.len();
        let mut diag = self.excess.clone();
        let mut trip = Vec::new();
        for k in 0..n {
            for d in 0..self.bw {
                let (j, c) = (k + 1 + d, self.upper[k * self.bw + d]);
                if j < n && c != 0.0 {
                    trip.push(Triplet::new(k, j, -c));
                    trip.push(Triplet::new(j, k, -c));
                    diag[k] += c;
                    diag[j] += c;
                }
            }
        }
        trip.extend(diag.iter().enumerate().map(|(k, &v)| Triplet::new(k, k, if v > 0.0 { v } else { 1.0 })));
        crate::eigen::sparse_from_triplets(n, &trip)
    }
}

/// τ(start) on one level: [`logpolar_system`] solved by [`gth_band_solve`], its rows generated
/// from the three couplings per node as the elimination reaches them and kept only from the start
/// node on (the back substitution to τ(start) needs no others).
pub(crate) fn mfpt_logpolar_level(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &LogPolarProblem,
    m: usize,
    maps: GridMaps,
) -> Result<LogPolarLevel> {
    let sys = logpolar_couplings(potential, diffusion, prob, m, maps)?;
    let index = sys.start_index;
    let (ns, nt) = (sys.ns, sys.nt);
    let stencil = &sys.stencil;
    let x = gth_band_solve_from(nt, |k, row| stencil.band_row(k, row), sys.excess, sys.rhs, index);
    Ok(LogPolarLevel { m, ns, nt, value: x[index] })
}

/// The finite-volume matrix as three couplings per node (k, j), row (k − 1)·nt + j.
struct Stencil {
    nt: usize,
    /// Coupling to (k + 1, j) (0 on the outer circle).
    radial: Vec<f64>,
    /// Coupling to (k, j + 1 mod nt).
    angular: Vec<f64>,
}

impl Stencil {
    /// Row `row` of the band form (half-bandwidth nt): the coupling to (k, j + 1) at offset 0, the
    /// periodic one of (k, 0) to (k, nt − 1) at offset nt − 2, the radial one at offset nt − 1.
    fn band_row(&self, row: usize, out: &mut [f64]) {
        let (nt, j) = (self.nt, row % self.nt);
        out.fill(0.0);
        if j + 1 < nt {
            out[0] += self.angular[row];
        }
        if j == 0 {
            out[nt - 2] += self.angular[row + nt - 1];
        }
        out[nt - 1] += self.radial[row];
    }
}

/// The system of [`logpolar_system`] with the matrix as its [`Stencil`].
struct Couplings {
    stencil: Stencil,
    excess: Vec<f64>,
    rhs: Vec<f64>,
    m: usize,
    ns: usize,
    nt: usize,
    start_index: usize,
}

/// Assembles the mapped log-polar finite-volume system on `m` ξ-intervals from the ball to the
/// start circle and `aspect·m` θ nodes. Unknowns are ordered (k − 1)·nt + j, k = 1..=ns,
/// j = 0..nt. In the mapped coordinates (ξ, φ) the equation is
///   −D [∂_ξ(w θ'/s' τ_ξ) + ∂_φ(w s'/θ' τ_φ)] = s' θ' e^{2s} w,   w = e^{−(L − L_min)/D},
/// each flux by Scharfetter–Gummel (exact for one-dimensional exponential profiles).
pub fn logpolar_system(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &LogPolarProblem,
    m: usize,
    maps: GridMaps,
) -> Result<LogPolarSystem> {
    let Couplings { stencil, excess, rhs, m, ns, nt, start_index } =
        logpolar_couplings(potential, diffusion, prob, m, maps)?;
    let mut upper = vec![0.0; excess.len() * nt];
    for (k, row) in upper.chunks_exact_mut(nt).enumerate() {
        stencil.band_row(k, row);
    }
    let matrix = BandLaplacian { bw: nt, upper, excess };
    Ok(LogPolarSystem { matrix, rhs, m, ns, nt, start_index })
}

/// The couplings, excess and right-hand side of [`logpolar_system`].
fn logpolar_couplings(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &LogPolarProblem,
    m: usize,
    maps: GridMaps,
) -> Result<Couplings> {
    let LogPolarProblem { target, radius, outer, start } = *prob;
    positive("diffusion", diffusion)?;
    let (dx, dy) = (start[0] - target[0], start[1] - target[1]);
    let r_start = dx.hypot(dy);
    if m < 4 || r_start <= radius || r_start >= outer {
        return Err(EngineError::InvalidParameter("log-polar grid: need m ≥ 4 and ε < |start − c| < R".into()));
    }
    let theta0 = dy.atan2(dx);
    let s0 = radius.ln();
    let span = r_start.ln() - s0;
    let hx = 1.0 / m as f64;
    let s_of = |xi: f64| s0 + span * (xi + maps.s_map * (PI * xi).sin() / PI);
    let ds = |xi: f64| span * (1.0 + maps.s_map * (PI * xi).cos());
    let ns = radial_intervals(m, span, s0, outer, maps);
    let nt = maps.aspect * m;
    let hp = 2.0 * PI / nt as f64;
    let theta_of = |phi: f64| theta0 + phi - maps.theta_map * phi.sin();
    let dtheta = |phi: f64| 1.0 - maps.theta_map * phi.cos();
    let (mut xs, mut ys) = (vec![0.0; (ns + 1) * nt], vec![0.0; (ns + 1) * nt]);
    let angles: Vec<(f64, f64)> = (0..nt).map(|j| theta_of(hp * j as f64).sin_cos()).collect();
    for k in 0..=ns {
        let r = s_of(k as f64 * hx).exp();
        for (j, &(sin, cos)) in angles.iter().enumerate() {
            (xs[k * nt + j], ys[k * nt + j]) = (target[0] + r * cos, target[1] + r * sin);
        }
    }
    // L at the nodes by the batch evaluation (each value bit-identical to L(w))
    let mut lv = vec![0.0; (ns + 1) * nt];
    potential.values(&[&xs, &ys], &mut lv);
    if lv.iter().any(|v| !v.is_finite()) {
        return Err(EngineError::NotConfining("L is not finite on the log-polar grid".into()));
    }
    let lmin = lv.iter().copied().fold(f64::INFINITY, f64::min);
    let n = ns * nt;
    let mut a = Stencil { nt, radial: vec![0.0; n], angular: vec![0.0; n] };
    let mut excess = vec![0.0; n];
    let mut b = vec![0.0; n];
    // Gibbs weight e^{−(L − L_min)/D} once per node (each node enters up to four couplings)
    let weights: Vec<f64> = lv.iter().map(|&l| (-(l - lmin) / diffusion).exp()).collect();
    let weight = |p: usize| weights[p];
    // SG conductance between nodes p, q per unit metric: D w_p B((L_q − L_p)/D), symmetric.
    let cond = |p: usize, q: usize| diffusion * weight(p) * bernoulli((lv[q] - lv[p]) / diffusion);
    for k in 1..=ns {
        let xi = k as f64 * hx;
        let half = if k == ns { 0.5 } else { 1.0 };
        let radial = |j: usize| dtheta(hp * j as f64) / ds(xi + 0.5 * hx) * hp / hx;
        let inward = |j: usize| dtheta(hp * j as f64) / ds(xi - 0.5 * hx) * hp / hx;
        for j in 0..nt {
            let p = k * nt + j;
            let row = p - nt;
            let s = s_of(xi);
            b[row] = half * hx * hp * ds(xi) * dtheta(hp * j as f64) * (2.0 * s).exp() * weight(p);
            if k == 1 {
                excess[row] += inward(j) * cond(p, j);
            }
            if k < ns {
                a.radial[row] = radial(j) * cond(p, p + nt);
            }
            // θ neighbour j + 1 (wrapping)
            let jn = (j + 1) % nt;
            let angular = ds(xi) / dtheta(hp * (j as f64 + 0.5)) * hx / hp;
            a.angular[row] = half * angular * cond(p, k * nt + jn);
        }
    }
    Ok(Couplings { stencil: a, excess, rhs: b, m, ns, nt, start_index: (m - 1) * nt })
}

/// Polynomial extrapolation to h = 0 of values on grids with h ∝ 1/m (Neville in x = 1/m²):
/// entry i uses levels 0..=i.
pub fn richardson(levels: &[LogPolarLevel]) -> Vec<f64> {
    let x: Vec<f64> = levels.iter().map(|l| 1.0 / (l.m as f64 * l.m as f64)).collect();
    let values: Vec<f64> = levels.iter().map(|l| l.value).collect();
    crate::extrapolate::neville_prefixes(&x, &values)
}

/// s intervals from the ball to the start on level `level`: the layers have width ∝ √D, so the
/// base count grows like 1/√D, and it is at least [`MIN_BASE`], the count from which the level
/// values are a smooth function of h; each level adds a quarter of the base.
fn level_intervals(diffusion: f64, level: usize) -> usize {
    let base = (BASE / diffusion.min(1.0).sqrt()).ceil().max(MIN_BASE);
    (base * (1.0 + 0.25 * level as f64)).round() as usize
}

/// Coarsest level: m = BASE/√D intervals from the ball to the start (at least [`MIN_BASE`]). Once
/// m ≥ MIN_BASE the layers are resolved well enough from 4.5/√D on: on the double well of
/// `examples/annulus_report.rs` (ε = 0.1) the extrapolants' corrections fall 2.7e-2, 3.0e-4,
/// 1.6e-6, 4.6e-9, 2.8e-12 at D = 0.003125 (m = 81…182; error 5.9e-9 stated, 4e-14 against a
/// least-squares fit in h² of every m from 108 to 270) and 2.7e-2, 2.9e-4, 1.5e-6, 3.0e-9,
/// 2.4e-10 at D = 0.00625 (3.7e-9 stated, 4e-11 true): six levels, as from 6/√D (m = 108…243),
/// at a third of the elimination work (∝ Σ m⁴).
pub(crate) const BASE: f64 = 4.5;

/// Fewest intervals of the coarsest level, whatever D. Below it the level values carry a part that
/// is no polynomial in h² (aliasing of the coarse grid; not the outer circle, whose moves change τ
/// by < 1e-14) and that the extrapolation amplifies: on `x^4/4 − x^2/2 + y^2/2` (D = 0.1,
/// ε = 0.25) the values at single m differ from an even polynomial in h fitted to m = 56…130 by up
/// to 8e-9 (m = 38…41), 1.3e-9 (42…47), 1.8e-10 (48…51), 5.6e-11 (52…55) and < 5e-12 beyond. From
/// m = 38 the extrapolants' corrections fall 7.0e-4, 6.9e-6, 8.9e-8, 6.0e-10 and then stall
/// (1.2e-9; error 3.3e-10 against that fit); from m = 48 they fall 4.4e-4, 2.8e-6, 2.2e-8,
/// 4.1e-10, 3.1e-11 (error 5.9e-12), and likewise on `(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2` at
/// D = 0.1…0.025 (errors 7e-11…4e-10 from 38, 5e-12…1e-11 from 48). With m = 6/√D = 19 at D = 0.1 the corrections stalled
/// near 1e-6.
pub(crate) const MIN_BASE: f64 = 48.0;

/// Largest grid of a study (nodes of its finest level; the band solve stores nodes × θ-nodes).
pub const MAX_NODES: usize = 80_000;

/// Largest number of levels of a study.
pub(crate) const MAX_LEVELS: usize = 7;

/// τ(start → closed ball of radius `radius` around `target`) in d = 2: log-polar finite volumes on
/// levels m, 1.25 m, 1.5 m, … (m = `BASE`/√D, at least `MIN_BASE`) extrapolated in h² until the
/// last two corrections of the extrapolants (through at least three levels) are both within
/// `rel_tol`, or `MAX_LEVELS` / [`MAX_NODES`] is reached; the error is the larger of those two
/// corrections plus the levels' rounding bounds N·ε·τ propagated through the extrapolation weights
/// (`LogPolarLevels::assess`). The loop, the budgets and the status are the study driver's
/// ([`drive`]).
pub fn mfpt_logpolar(
    potential: &dyn Potential,
    diffusion: f64,
    start: [f64; 2],
    target: [f64; 2],
    radius: f64,
    rel_tol: f64,
) -> Result<LogPolarStudy> {
    mfpt_logpolar_on(potential, diffusion, start, target, radius, rel_tol, GridMaps::default())
}

/// [`mfpt_logpolar`] on the grid family `maps`.
pub fn mfpt_logpolar_on(
    potential: &dyn Potential,
    diffusion: f64,
    start: [f64; 2],
    target: [f64; 2],
    radius: f64,
    rel_tol: f64,
    maps: GridMaps,
) -> Result<LogPolarStudy> {
    check_passage(potential, diffusion, start, target, radius)?;
    let outer = crate::annulus::outer_radius(potential, diffusion, target, start)?;
    mfpt_logpolar_in(potential, diffusion, &LogPolarProblem { target, radius, outer, start }, rel_tol, maps)
}

/// [`mfpt_logpolar_on`] on the annulus `prob` whose outer radius is already known (the passage
/// plan computes it: [`crate::passage::plan::Plan2d::outer`]), so that it is not searched twice.
pub fn mfpt_logpolar_in(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &LogPolarProblem,
    rel_tol: f64,
    maps: GridMaps,
) -> Result<LogPolarStudy> {
    let LogPolarProblem { target, radius, outer, start } = *prob;
    check_passage(potential, diffusion, start, target, radius)?;
    let valid = |b: f64| (0.0..1.0).contains(&b);
    if !valid(maps.s_map) || !valid(maps.theta_map) || maps.aspect == 0 {
        return Err(EngineError::InvalidParameter(format!("grid maps {maps:?}: need 0 ≤ β, α < 1 and aspect ≥ 1")));
    }
    let prob = *prob;
    let nodes = |level: usize| {
        let (ns, nt) = level_grid(&prob, diffusion, level, maps);
        ns * nt
    };
    // Richardson needs three levels: refused up front when they do not fit (node counts grow with
    // the level, so the third level is the largest of them).
    if nodes(MIN_EXTRAPOLATION_LEVELS - 1) > MAX_NODES {
        return Err(EngineError::TooLarge(format!(
            "the log-polar grids at D = {diffusion} need {} nodes (limit {MAX_NODES})",
            nodes(MIN_EXTRAPOLATION_LEVELS - 1)
        )));
    }
    let mut grids = LogPolarLevels { potential, diffusion, prob, maps, nodes: &nodes, solved: Vec::new() };
    let estimate = drive(&mut grids, &Settings::new(rel_tol))?;
    let (value, error) = (estimate.values[0], estimate.errors[0]);
    if value.is_nan() || value <= 0.0 {
        return Err(EngineError::Numerical(format!("the log-polar solve gave τ = {value}")));
    }
    let levels = grids.solved;
    let extrapolated = richardson(&levels);
    Ok(LogPolarStudy {
        tau: LogQuantity { ln: value.ln(), rel_error: error / value },
        levels,
        extrapolated,
        outer,
        estimate,
    })
}

/// max(|e_i − e_{i−1}|, |e_{i−1} − e_{i−2}|) for the last extrapolant e_i of `prefixes` (only the
/// first term with two extrapolants).
fn largest_of_last_two_corrections(prefixes: &[f64]) -> f64 {
    // NaN (a failed level) propagates rather than being dropped by f64::max
    prefixes
        .windows(2)
        .rev()
        .take(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, |a, c| if c.is_nan() || c > a { c } else { a })
}

/// Fewest levels of a converged study: the extrapolant through three levels (quadratic in h²)
/// compared with the one through the first two.
pub const MIN_EXTRAPOLATION_LEVELS: usize = 3;

/// The grid (ξ-intervals to the outer circle, θ nodes) of level `level` of a study of `prob`.
pub fn level_grid(prob: &LogPolarProblem, diffusion: f64, level: usize, maps: GridMaps) -> (usize, usize) {
    let (dx, dy) = (prob.start[0] - prob.target[0], prob.start[1] - prob.target[1]);
    let span = dx.hypot(dy).ln() - prob.radius.ln();
    let m = level_intervals(diffusion, level);
    (radial_intervals(m, span, prob.radius.ln(), prob.outer, maps), maps.aspect * m)
}

/// The log-polar grids of a study as a [`Refinable`] for the study driver: level k has
/// m = [`level_intervals`]`(D, k)`; the driver's estimate is the Richardson extrapolant
/// ([`LogPolarLevels::assess`]) rather than the finest value.
struct LogPolarLevels<'a> {
    potential: &'a dyn Potential,
    diffusion: f64,
    prob: LogPolarProblem,
    maps: GridMaps,
    nodes: &'a dyn Fn(usize) -> usize,
    solved: Vec<LogPolarLevel>,
}

impl Refinable for LogPolarLevels<'_> {
    fn first(&mut self) -> Vec<usize> {
        vec![level_intervals(self.diffusion, 0)]
    }
    /// The next level, while there are at most `MAX_LEVELS` and it fits in [`MAX_NODES`].
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        let k = levels.len();
        (k < MAX_LEVELS && (self.nodes)(k) <= MAX_NODES).then(|| vec![level_intervals(self.diffusion, k)])
    }
    /// τ(start) on one grid with its rounding bound N·ε·τ (N unknowns; the subtraction-free
    /// elimination of [`gth_band_solve`] is componentwise accurate to that order).
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let level = mfpt_logpolar_level(self.potential, self.diffusion, &self.prob, sizes[0], self.maps)?;
        self.solved.push(level);
        let basis_size = level.ns * level.nt;
        Ok(Solved {
            basis_size,
            values: vec![level.value],
            rounding: vec![basis_size as f64 * f64::EPSILON * level.value.abs()],
        })
    }
    /// The Neville extrapolant e_i in h² ∝ 1/m² through every level, with the error
    /// max(|e_i − e_{i−1}|, |e_{i−1} − e_{i−2}|) + Σ_k |ℓ_k(0)| ρ_k: the larger of the last two
    /// corrections (e_j through levels 0..=j) plus the levels' rounding bounds ρ_k carried through
    /// the Lagrange weights ℓ_k(0) of the extrapolant; converged from three levels on once it meets
    /// the tolerance. The last correction alone is not a bound while the corrections are not yet
    /// monotone: on `x^4/4 − x^2/2 + y^2/2` (D = 0.1, ε = 0.25) from m = 38 (below [`MIN_BASE`])
    /// they run 6.9e-6, 8.9e-8, 6.0e-10, 1.2e-9 (relative), and e_4 is 8.2e-10 from the 10-level
    /// extrapolant, more than its last correction plus rounding (7.2e-10); the larger of the last
    /// two covers it and every study of the default run measured in `tests/escape.rs`
    /// (`logpolar_stated_vs_true_error_table`).
    fn assess(&self, levels: &[Level], settings: &Settings) -> Option<Estimate> {
        let (x, y): (Vec<f64>, Vec<f64>) =
            levels.iter().map(|l| (1.0 / (l.sizes[0] as f64).powi(2), l.values[0])).unzip();
        if y.len() < 2 {
            return None;
        }
        let prefixes = crate::extrapolate::neville_prefixes(&x, &y);
        let value = prefixes[y.len() - 1];
        let weights = crate::extrapolate::weights_at_zero(&x);
        let rounding: f64 = weights.iter().zip(levels).map(|(w, l)| w.abs() * l.rounding[0]).sum();
        let error = largest_of_last_two_corrections(&prefixes) + rounding;
        let estimated = y.len() >= MIN_EXTRAPOLATION_LEVELS;
        let converged = estimated && error <= settings.tolerance * value.abs();
        Some(Estimate {
            levels: levels.to_vec(),
            values: vec![value],
            errors: vec![error],
            estimated: vec![estimated],
            converged,
            rel_error: (error / value.abs().max(f64::MIN_POSITIVE)).min(f64::MAX),
            tolerance: settings.tolerance,
            stopped: None,
            status: if converged { Status::Converged } else { Status::LastLevel },
        })
    }
    /// Never: the extrapolants' last two corrections are the error whatever their size.
    fn at_rounding_floor(&self, _levels: &[Level], _settings: &Settings) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_of_last_two_corrections_takes_the_larger_and_keeps_nan() {
        assert_eq!(largest_of_last_two_corrections(&[1.0]), 0.0);
        assert_eq!(largest_of_last_two_corrections(&[1.0, 1.5]), 0.5);
        assert_eq!(largest_of_last_two_corrections(&[0.0, 1.0, 1.25, 1.3125]), 0.25);
        assert!(largest_of_last_two_corrections(&[1.0, f64::NAN, 1.0]).is_nan());
    }

    /// The levels m = round(m₀(1 + k/4)), k = 0…9, of `x^4/4 − x^2/2 + y^2/2` at D = 0.1 to the
    /// ball of radius 0.25 around (1, 0) from (−1, 0), and their [`LogPolarLevels::assess`] input.
    fn sgd_levels(p: &dyn Potential, first: usize) -> (LogPolarLevels<'_>, Vec<Level>) {
        let (d, start, target, radius) = (0.1, [-1.0, 0.0], [1.0, 0.0], 0.25);
        let outer = crate::annulus::outer_radius(p, d, target, start).unwrap();
        let prob = LogPolarProblem { target, radius, outer, start };
        let maps = GridMaps::default();
        let mut grids = LogPolarLevels { potential: p, diffusion: d, prob, maps, nodes: &|_| 0, solved: vec![] };
        let levels: Vec<Level> = (0..10)
            .map(|k| {
                let m = (first as f64 * (1.0 + 0.25 * k as f64)).round() as usize;
                let s = grids.solve(&[m]).unwrap();
                Level { sizes: vec![m], basis_size: s.basis_size, values: s.values, rounding: s.rounding }
            })
            .collect();
        (grids, levels)
    }

    /// From m = 38 (below [`MIN_BASE`]): after five levels the last correction (plus rounding) is
    /// smaller than the distance to the extrapolant through ten levels (measured 7.2e-10 against
    /// 8.2e-10 relative), so the study must not stop there; after six it stops, and its error
    /// covers that distance (measured 1.5e-9 against 3.4e-10).
    #[test]
    fn error_covers_the_ten_level_extrapolant_where_the_last_correction_does_not() {
        let p = crate::Expression::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
        let (grids, levels) = sgd_levels(&p, 38);
        let truth = *richardson(&grids.solved).last().unwrap();
        let settings = Settings::new(1e-8);
        let five = grids.assess(&levels[..5], &settings).unwrap();
        let prefixes = richardson(&grids.solved[..5]);
        let rounding = five.errors[0] - largest_of_last_two_corrections(&prefixes);
        let last_correction = (prefixes[4] - prefixes[3]).abs() + rounding;
        assert!(last_correction < (five.values[0] - truth).abs(), "the sequence no longer shows the defect");
        assert!(!five.converged, "stopped at five levels with error {:e}", five.errors[0]);
        let six = grids.assess(&levels[..6], &settings).unwrap();
        assert!(six.converged);
        let distance = (six.values[0] - truth).abs();
        assert!(distance <= six.errors[0], "{distance:e} > {:e}", six.errors[0]);
    }

    /// The study's own levels on the same problem, from [`MIN_BASE`]: the five-level extrapolant is
    /// closer to the ten-level one than its last correction (the defect above is gone), the study
    /// stops at six levels and its error covers that distance (measured: 9.7e-10 stated against
    /// 5.9e-12 from a least-squares fit in h² of every m from 56 to 130).
    #[test]
    fn from_the_minimum_base_the_extrapolants_converge_cleanly() {
        assert_eq!(level_intervals(0.1, 0), MIN_BASE as usize);
        let p = crate::Expression::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
        let (grids, levels) = sgd_levels(&p, MIN_BASE as usize);
        let truth = *richardson(&grids.solved).last().unwrap();
        let settings = Settings::new(1e-8);
        let five = grids.assess(&levels[..5], &settings).unwrap();
        let prefixes = richardson(&grids.solved[..5]);
        assert!((five.values[0] - truth).abs() < (prefixes[4] - prefixes[3]).abs());
        let six = grids.assess(&levels[..6], &settings).unwrap();
        assert!(six.converged);
        let distance = (six.values[0] - truth).abs();
        assert!(distance <= six.errors[0], "{distance:e} > {:e}", six.errors[0]);
    }
}

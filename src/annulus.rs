//! Mean first passage times in d = 2 to a closed ball by a spectral method on the annulus
//! ε ≤ |w − c| ≤ R around the target ball: log-polar coordinates w = c + e^s (cos θ, sin θ),
//! Chebyshev collocation in s ∈ [ln ε, ln R] and Fourier collocation in θ. The map is conformal,
//! so the backward Kolmogorov equation −DΔτ + ∇L·∇τ = 1 becomes
//!   −D (τ_ss + τ_θθ) + L_s τ_s + L_θ τ_θ = e^{2s},
//! with τ = 0 on the ball (s = ln ε, a coordinate line: no cut cells). The outer circle s = ln R
//! is placed where L − L_min ≥ [`OUTER_BARRIER`]·D, so that the Gibbs weight beyond it is below
//! e^{−27} ≈ 2e-12 (the truncation is below the 1e-8 target; not itself estimated). There the
//! drift −∇L points inwards and the outer condition is the reduced equation
//! −D τ_θθ + L_s τ_s + L_θ τ_θ = e^{2s} (τ_ss dropped): a reflecting condition τ_s = 0 would be
//! just as negligible for τ(start) but creates a boundary layer of width D/|∇L| that spoils the
//! spectral convergence.
//!
//! The dense collocation operator is applied matrix-free (four small dense products) and the system
//! is solved by restarted GMRES, left-preconditioned by the exponentially fitted
//! (Scharfetter–Gummel) finite-volume discretisation of the Gibbs-weighted divergence form
//! −D ∇·(e^{−L/D} ∇τ) = e^{−L/D} on the same (s, θ) nodes (on the outer circle: the reduced
//! equation, τ_s by the collocation weights of the `OUTER_STENCIL` nearest nodes), factorised
//! once by sparse LU. Its rows are divided by the node's Gibbs weight, so that, the outer rows
//! apart, the matrix is an M-matrix whose entries are D·B(ΔL/D)/h² (B the Bernoulli function)
//! and never underflow.
//!
//! The error estimate comes from a resolution study on the study driver ([`mfpt_annulus`]): the
//! node counts grow by a factor 5/4 per level, at most four levels, until the level-to-level
//! changes decay geometrically and meet the requested tolerance. From the second level on, GMRES
//! starts from the previous level's solution interpolated to the new nodes (same stopping test;
//! the values move by ~1e-13 relative against a start from M⁻¹b, below each level's rounding
//! bound, and the levels on `(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2` take ~12 % less CPU).

use crate::error::{positive, short, EngineError, Result};
use crate::kolmogorov::bernoulli;
use crate::krylov::{gmres, GmresParams, Identity, Preconditioner, SparseLu};
use crate::potential::Potential;
use crate::quadrature::LogQuantity;
use crate::resolution::Level;
use crate::study::{drive, Estimate, Refinable, Settings, Solved};
use faer::sparse::{SparseColMat, Triplet};
use faer::Mat;
use std::f64::consts::PI;

/// Outer circle: L − L_min ≥ OUTER_BARRIER · D on it and beyond (weight ≤ e^{−27} ≈ 2e-12).
pub const OUTER_BARRIER: f64 = 27.0;

/// Nodes next to the outer circle whose Chebyshev derivative weights D_{ns,k} form the radial part
/// L_s τ_s of the preconditioner's outer row, its diagonal set so that the row sum is zero (τ_s
/// of a constant vanishes, as in the collocation row). The collocation row there is global, and
/// its first-order upwind approximation left GMRES with iteration counts growing with N (119–207
/// for N = 80…164); with these four weights they are 57–63 at every N (the whole row: 54–61,
/// with more fill in the LU factors).
const OUTER_STENCIL: usize = 4;

/// Largest collocation grid of a study (GMRES time grows quickly beyond it).
pub const MAX_NODES: usize = 32_000;

/// A passage problem on the annulus around the target ball.
#[derive(Debug, Clone, Copy)]
pub struct Annulus {
    /// Target ball centre c.
    pub target: [f64; 2],
    /// Target radius ε.
    pub radius: f64,
    /// Outer (reflecting) radius R.
    pub outer: f64,
}

/// One solve at fixed resolution.
#[derive(Debug, Clone, Copy)]
pub struct AnnulusSolve {
    /// τ(start).
    pub value: f64,
    /// Chebyshev intervals in s.
    pub ns: usize,
    /// Fourier nodes in θ.
    pub nt: usize,
    /// GMRES iterations.
    pub iterations: usize,
    /// Final preconditioned relative residual.
    pub residual: f64,
}

/// The result of a resolution study.
#[derive(Debug, Clone)]
pub struct AnnulusStudy {
    /// ln τ(start) with the relative error estimate of the study.
    pub tau: LogQuantity,
    /// Every level solved, coarse to fine.
    pub levels: Vec<AnnulusSolve>,
    /// The outer radius used.
    pub outer: f64,
    /// The study driver's outcome (levels, error, status).
    pub estimate: Estimate,
}

/// Chebyshev–Gauss–Lobatto nodes on [a, b] in increasing order and the first-derivative matrix.
fn chebyshev(n: usize, a: f64, b: f64) -> (Vec<f64>, Mat<f64>) {
    let x: Vec<f64> = (0..=n).map(|k| a + (b - a) * 0.5 * (1.0 - (PI * k as f64 / n as f64).cos())).collect();
    let w: Vec<f64> = (0..=n)
        .map(|k| {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            if k == 0 || k == n {
                0.5 * sign
            } else {
                sign
            }
        })
        .collect();
    let mut d = Mat::<f64>::zeros(n + 1, n + 1);
    for i in 0..=n {
        let mut sum = 0.0;
        for j in 0..=n {
            if i != j {
                let v = (w[j] / w[i]) / (x[i] - x[j]);
                d[(i, j)] = v;
                sum += v;
            }
        }
        d[(i, i)] = -sum;
    }
    (x, d)
}

/// First and second Fourier differentiation matrices on n (even) equispaced nodes of [0, 2π).
fn fourier(n: usize) -> (Mat<f64>, Mat<f64>) {
    let h = 2.0 * PI / n as f64;
    let mut d1 = Mat::<f64>::zeros(n, n);
    let mut d2 = Mat::<f64>::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            if i == j {
                d2[(i, j)] = -PI * PI / (3.0 * h * h) - 1.0 / 6.0;
                continue;
            }
            let k = i as f64 - j as f64;
            let sign = if (i + n - j).is_multiple_of(2) { 1.0 } else { -1.0 };
            let half = 0.5 * k * h;
            d1[(i, j)] = 0.5 * sign / half.tan();
            d2[(i, j)] = -0.5 * sign / (half.sin() * half.sin());
        }
    }
    (d1, d2)
}

/// Barycentric interpolation at `t` of values on the increasing Chebyshev–Lobatto nodes `x`.
fn barycentric(x: &[f64], values: &[f64], t: f64) -> f64 {
    let n = x.len() - 1;
    let (mut num, mut den) = (0.0, 0.0);
    for k in 0..=n {
        if t == x[k] {
            return values[k];
        }
        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
        let w = if k == 0 || k == n { 0.5 * sign } else { sign } / (t - x[k]);
        num += w * values[k];
        den += w;
    }
    num / den
}

/// τ(start) on ns Chebyshev intervals in s and nt (even) Fourier nodes in θ. The θ grid starts at
/// the angle of the start, so the start lies on a grid line; along it τ is interpolated in s.
pub fn mfpt_annulus_level(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &Annulus,
    start: [f64; 2],
    ns: usize,
    nt: usize,
) -> Result<AnnulusSolve> {
    Ok(annulus_level_from(potential, diffusion, prob, start, (ns, nt), None)?.0)
}

/// A level's solution τ at its nodes (s_k, θ_j), k = 0..=ns (τ = 0 at k = 0), row-major: the
/// start of the next level's GMRES.
pub(crate) struct NodalSolution {
    s: Vec<f64>,
    nt: usize,
    values: Vec<f64>,
}

/// [`mfpt_annulus_level`] with GMRES started from `coarse` interpolated to this grid
/// ([`interpolate`]) rather than from M⁻¹b; returns the nodal solution too. The stopping test is
/// the same relative residual ‖M⁻¹(b − Ax)‖ ≤ 10⁻¹²‖M⁻¹b‖, so a start already close to the
/// solution only removes iterations.
pub(crate) fn annulus_level_from(
    potential: &dyn Potential,
    diffusion: f64,
    prob: &Annulus,
    start: [f64; 2],
    (ns, nt): (usize, usize),
    coarse: Option<&NodalSolution>,
) -> Result<(AnnulusSolve, NodalSolution)> {
    positive("diffusion", diffusion)?;
    if !nt.is_multiple_of(2) || ns < 4 || nt < 8 {
        return Err(EngineError::InvalidParameter(format!("annulus grid ({ns}, {nt}) needs ns ≥ 4 and even nt ≥ 8")));
    }
    let c = prob.target;
    let (dx, dy) = (start[0] - c[0], start[1] - c[1]);
    let r_start = dx.hypot(dy);
    if r_start <= prob.radius || r_start >= prob.outer {
        return Err(EngineError::InvalidParameter("the start must lie inside the annulus ε < |w − c| < R".into()));
    }
    let theta0 = dy.atan2(dx);
    let (s, ds) = chebyshev(ns, prob.radius.ln(), prob.outer.ln());
    let (dt1, dt2) = fourier(nt);
    let dss = &ds * &ds;
    let step = 2.0 * PI / nt as f64;
    // L, L_s, L_θ at every node (k, j), k = 0..=ns.
    let mut lv = Mat::<f64>::zeros(ns + 1, nt);
    let mut ls = Mat::<f64>::zeros(ns + 1, nt);
    let mut lt = Mat::<f64>::zeros(ns + 1, nt);
    for k in 0..=ns {
        let r = s[k].exp();
        for j in 0..nt {
            let (sin, cos) = (theta0 + step * j as f64).sin_cos();
            let jet = potential.jet(&[c[0] + r * cos, c[1] + r * sin]);
            lv[(k, j)] = jet.v;
            ls[(k, j)] = r * (jet.g[0] * cos + jet.g[1] * sin);
            lt[(k, j)] = r * (-jet.g[0] * sin + jet.g[1] * cos);
        }
    }
    let n = ns * nt;
    let idx = |k: usize, j: usize| (k - 1) * nt + j;
    // Collocation operator: rows k = 1..ns−1 the PDE, row k = ns the reflecting condition τ_s = 0.
    let ds_in = ds.subrows(1, ns).to_owned();
    let dss_in = dss.subrows(1, ns).to_owned();
    let dt1t = dt1.transpose().to_owned();
    let dt2t = dt2.transpose().to_owned();
    let apply_a = |u: &[f64]| -> Vec<f64> {
        let full = Mat::<f64>::from_fn(ns + 1, nt, |k, j| if k == 0 { 0.0 } else { u[idx(k, j)] });
        let inner = full.subrows(1, ns);
        let us = &ds_in * &full;
        let uss = &dss_in * &full;
        let ut = inner * &dt1t;
        let utt = inner * &dt2t;
        let mut out = vec![0.0; n];
        for k in 1..=ns {
            for j in 0..nt {
                let i = k - 1;
                // On the outer circle the drift points inwards and τ_ss is dropped (reduced equation).
                let second = if k == ns { utt[(i, j)] } else { uss[(i, j)] + utt[(i, j)] };
                out[idx(k, j)] = -diffusion * second + ls[(k, j)] * us[(i, j)] + lt[(k, j)] * ut[(i, j)];
            }
        }
        out
    };
    let rhs: Vec<f64> = (0..n).map(|i| (2.0 * s[i / nt + 1]).exp()).collect();
    // Preconditioner: Scharfetter–Gummel finite volumes on the same nodes, rows divided by the
    // Gibbs weight of the node and the cell area.
    let mut trip = Vec::with_capacity(5 * n);
    for k in 1..=ns {
        for j in 0..nt {
            let row = idx(k, j);
            if k == ns {
                // L_s τ_s by the collocation weights of the nearest nodes, fitted differences for
                // −D τ_θθ + L_θ τ_θ
                let mut diag = 0.0;
                for kk in ns - OUTER_STENCIL..ns {
                    let coef = ls[(k, j)] * ds[(ns, kk)];
                    diag -= coef;
                    if kk >= 1 {
                        trip.push(Triplet::new(row, idx(kk, j), coef));
                    }
                }
                for b in [(j + nt - 1) % nt, (j + 1) % nt] {
                    let coef = diffusion / (step * step) * bernoulli((lv[(k, b)] - lv[(k, j)]) / diffusion);
                    diag += coef;
                    trip.push(Triplet::new(row, idx(k, b), -coef));
                }
                trip.push(Triplet::new(row, row, diag));
                continue;
            }
            let width = 0.5 * (s[k + 1] - s[k - 1]);
            let area = width * step;
            let mut diag = 0.0;
            let edges = [
                (k - 1, j, s[k] - s[k - 1], step),
                (k + 1, j, s[k + 1] - s[k], step),
                (k, (j + nt - 1) % nt, step, width),
                (k, (j + 1) % nt, step, width),
            ];
            for (a, b, dist, face) in edges {
                let coef = diffusion * face / dist * bernoulli((lv[(a, b)] - lv[(k, j)]) / diffusion) / area;
                diag += coef;
                if a >= 1 {
                    trip.push(Triplet::new(row, idx(a, b), -coef));
                }
            }
            trip.push(Triplet::new(row, row, diag));
        }
    }
    let p = SparseColMat::try_new_from_triplets(n, n, &trip)
        .map_err(|e| EngineError::Numerical(format!("sparse assembly failed: {e:?}")))?;
    let lu = p.sp_lu().map_err(|e| EngineError::Numerical(format!("sparse LU of the preconditioner failed: {e:?}")))?;
    let precondition = SparseLu(lu);
    let mut b = rhs;
    precondition.apply_in_place(&mut b);
    let mut x = match coarse {
        Some(c) => interpolate(c, &s, nt),
        None => b.clone(),
    };
    // Left preconditioning: GMRES on M⁻¹A x = M⁻¹b, started from M⁻¹b or the coarser level.
    let op = |u: &[f64], out: &mut [f64]| {
        out.copy_from_slice(&apply_a(u));
        precondition.apply_in_place(out);
    };
    let params = GmresParams { tolerance: 1e-12, restart: 150, max_iterations: 3000 };
    let (iterations, residual) = gmres(&op, &Identity, &b, &mut x, params);
    if residual.is_nan() || residual > 1e-10 {
        return Err(EngineError::Numerical(format!(
            "GMRES on the annulus ({ns}, {nt}) stalled at relative residual {residual:.1e}"
        )));
    }
    let column: Vec<f64> = (0..=ns).map(|k| if k == 0 { 0.0 } else { x[idx(k, 0)] }).collect();
    let value = barycentric(&s, &column, r_start.ln());
    let values = [vec![0.0; nt], x].concat();
    Ok((AnnulusSolve { value, ns, nt, iterations, residual }, NodalSolution { s, nt, values }))
}

/// The Fourier cardinal function of n (even) equispaced nodes, sin(nx/2)/(n tan(x/2)) (1 at
/// x = 0): the trigonometric interpolant of the values u_j at θ_j is Σ_j u_j S(θ − θ_j).
fn fourier_cardinal(n: usize, x: f64) -> f64 {
    let half = 0.5 * x;
    let denominator = n as f64 * half.tan();
    if denominator.abs() < 1e-14 {
        return 1.0;
    }
    (n as f64 * half).sin() / denominator
}

/// The barycentric interpolation weights on the Chebyshev–Lobatto nodes `x` at `t` (a unit
/// vector where t is a node), as in [`barycentric`].
fn barycentric_weights(x: &[f64], t: f64) -> Vec<f64> {
    let n = x.len() - 1;
    if let Some(k) = x.iter().position(|&xk| xk == t) {
        return (0..=n).map(|i| if i == k { 1.0 } else { 0.0 }).collect();
    }
    let raw: Vec<f64> = (0..=n)
        .map(|k| {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            (if k == 0 || k == n { 0.5 * sign } else { sign }) / (t - x[k])
        })
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|w| w / total).collect()
}

/// The coarse nodal solution interpolated to the nodes (s_k, θ_j), k = 1..=ns (`s` has ns + 1
/// entries, same interval), j = 0..nt, both θ grids starting at the start's angle: trigonometric
/// interpolation in θ, then Chebyshev (barycentric) in s; ordered (k − 1)·nt + j.
fn interpolate(coarse: &NodalSolution, s: &[f64], nt: usize) -> Vec<f64> {
    let (ct, rows) = (coarse.nt, coarse.s.len());
    let angle = |j: usize, n: usize| 2.0 * PI * j as f64 / n as f64;
    let cardinal: Vec<f64> =
        (0..nt).flat_map(|j| (0..ct).map(move |i| fourier_cardinal(ct, angle(j, nt) - angle(i, ct)))).collect();
    let mut in_theta = vec![0.0; rows * nt];
    for k in 0..rows {
        let row = &coarse.values[k * ct..(k + 1) * ct];
        for j in 0..nt {
            in_theta[k * nt + j] = row.iter().zip(&cardinal[j * ct..(j + 1) * ct]).map(|(u, c)| u * c).sum();
        }
    }
    let mut out = vec![0.0; (s.len() - 1) * nt];
    for (k, target) in out.chunks_exact_mut(nt).enumerate() {
        for (kc, w) in barycentric_weights(&coarse.s, s[k + 1]).into_iter().enumerate() {
            target.iter_mut().zip(&in_theta[kc * nt..(kc + 1) * nt]).for_each(|(t, u)| *t += w * u);
        }
    }
    out
}

/// Outer radius R ≥ 1.2·|start − c| such that L − L_min ≥ [`OUTER_BARRIER`]·D on every sampled
/// circle |w − c| = r ≥ R (radii growing by 2 %, 512 angles, up to 4× the last low circle).
pub fn outer_radius(potential: &dyn Potential, diffusion: f64, target: [f64; 2], start: [f64; 2]) -> Result<f64> {
    let (cos, sin): (Vec<f64>, Vec<f64>) = (0..CIRCLE_POINTS)
        .map(|k| {
            let a = 2.0 * PI * k as f64 / CIRCLE_POINTS as f64;
            (a.cos(), a.sin())
        })
        .unzip();
    let (mut xs, mut ys, mut values) = (vec![0.0; CIRCLE_POINTS], vec![0.0; CIRCLE_POINTS], vec![0.0; CIRCLE_POINTS]);
    // L on the circle of radius r, by the batch evaluation (each value bit-identical to L(w))
    let mut circle_min = |r: f64| {
        for k in 0..CIRCLE_POINTS {
            (xs[k], ys[k]) = (target[0] + r * cos[k], target[1] + r * sin[k]);
        }
        potential.values(&[&xs, &ys], &mut values);
        values.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let mut lmin = potential.value(&target);
    let mut last_low = 1.2 * (start[0] - target[0]).hypot(start[1] - target[1]);
    let mut r = 1e-3;
    let mut mins = Vec::new();
    while r < 1e4 {
        let m = circle_min(r);
        if m.is_nan() {
            return Err(EngineError::NotConfining(format!("L is NaN on the circle |w − c| = {}", short(r))));
        }
        lmin = lmin.min(m);
        mins.push((r, m));
        if r > 4.0 * last_low.max(0.25)
            && mins.iter().all(|&(q, v)| q <= last_low || v - lmin >= OUTER_BARRIER * diffusion)
        {
            return Ok(last_low);
        }
        if m - lmin < OUTER_BARRIER * diffusion {
            last_low = last_low.max(1.02 * r);
        }
        r *= 1.02;
    }
    Err(EngineError::InvalidParameter(format!(
        "the diffusion D = {} is too large: L rises by less than {}·D above its minimum within \
         |w − c| ≤ {}, so e^(−L/D) is not negligible there",
        short(diffusion),
        short(OUTER_BARRIER),
        short(last_low)
    )))
}

/// Angles sampled on each circle of [`outer_radius`].
const CIRCLE_POINTS: usize = 512;

/// Node counts (ns = nt) of resolution level `level`: the layer across the separatrix has width
/// ∝ √D, so the base count grows like 1/√D; each level multiplies it by 5/4.
pub(crate) fn level_counts(diffusion: f64, level: usize) -> (usize, usize) {
    let growth = 1.25f64.powi(level as i32);
    // Capped at 2·10⁹ per axis (far past MAX_NODES) so that n·n cannot wrap for a tiny D.
    let n = 2 * ((20.0 / diffusion.min(1.0).sqrt() + 16.0) * growth / 2.0).round().min(1e9) as usize;
    (n, n)
}

/// The annulus levels as a [`Refinable`]: level k has [`level_counts`]`(D, k)` nodes, at most
/// `MAX_LEVELS` levels and [`MAX_NODES`] nodes.
struct AnnulusLevels<'a> {
    potential: &'a dyn Potential,
    diffusion: f64,
    prob: Annulus,
    start: [f64; 2],
    solves: Vec<AnnulusSolve>,
    /// The finest level's nodal solution, the start of the next level's GMRES.
    last: Option<NodalSolution>,
}

impl Refinable for AnnulusLevels<'_> {
    fn first(&mut self) -> Vec<usize> {
        let (ns, nt) = level_counts(self.diffusion, 0);
        vec![ns, nt]
    }
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        let (ns, nt) = level_counts(self.diffusion, levels.len());
        (levels.len() < MAX_LEVELS && ns * nt <= MAX_NODES).then(|| vec![ns, nt])
    }
    /// τ(start) at one level, with the rounding floor (r + ε·ns·nt)·|τ|: r the final GMRES
    /// relative residual, and ε·N² the rounding of a collocation solve on N² nodes (a model, not
    /// a derived bound: on the OU case τ = ln(r/ε), exact, the levels scatter by 1e-13 at N = 44
    /// and 1.2e-12 at N = 164, within ε·N² = 4e-13 and 6e-12).
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let grid = (sizes[0], sizes[1]);
        let (solve, nodal) =
            annulus_level_from(self.potential, self.diffusion, &self.prob, self.start, grid, self.last.as_ref())?;
        self.last = Some(nodal);
        if solve.value.is_nan() || solve.value <= 0.0 {
            return Err(EngineError::Numerical(format!("the annulus solve gave τ = {}", solve.value)));
        }
        self.solves.push(solve);
        Ok(Solved {
            basis_size: sizes[0] * sizes[1],
            values: vec![solve.value],
            rounding: vec![(solve.residual + f64::EPSILON * (sizes[0] * sizes[1]) as f64) * solve.value.abs()],
        })
    }
}

/// Most levels of an annulus study (each costs about twice the one before).
pub const MAX_LEVELS: usize = 4;

/// τ(start → closed ball of radius `radius` around `target`) in d = 2 with a resolution study on
/// the study driver ([`crate::study::drive`], relative tolerance `rel_tol`): levels of growing
/// (ns, nt), at most `MAX_LEVELS`, until the level-to-level changes are in their asymptotic
/// regime and meet the tolerance. The error is the driver's: the last change widened by its
/// geometric tail, or, short of the asymptotic regime, at least |τ| (not converged).
pub fn mfpt_annulus(
    potential: &dyn Potential,
    diffusion: f64,
    start: [f64; 2],
    target: [f64; 2],
    radius: f64,
    rel_tol: f64,
) -> Result<AnnulusStudy> {
    crate::kolmogorov::check_passage(potential, diffusion, start, target, radius)?;
    let (n1, t1) = level_counts(diffusion, 1);
    if n1 * t1 > MAX_NODES {
        return Err(EngineError::TooLarge(format!(
            "the second annulus level at D = {diffusion} needs {} nodes (limit {MAX_NODES})",
            n1 * t1
        )));
    }
    let outer = outer_radius(potential, diffusion, target, start)?;
    let prob = Annulus { target, radius, outer };
    let mut levels = AnnulusLevels { potential, diffusion, prob, start, solves: Vec::new(), last: None };
    let settings = Settings { hint: "use a larger diffusion or a looser tolerance".into(), ..Settings::new(rel_tol) };
    let estimate = drive(&mut levels, &settings)?;
    let value = estimate.values[0];
    let tau = LogQuantity { ln: value.ln(), rel_error: estimate.errors[0] / value };
    Ok(AnnulusStudy { tau, levels: levels.solves, outer, estimate })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A function of degree 2 in s and of Fourier modes below both Nyquist frequencies is
    /// reproduced by the level-to-level interpolation up to rounding.
    #[test]
    fn interpolation_is_exact_for_low_degree_and_low_modes() {
        let (a, b) = (0.1f64.ln(), 3.0f64.ln());
        let u =
            |s: f64, t: f64| (s - a) * (b + 1.0 - s) * (1.0 + t.cos() - 0.5 * (3.0 * t).sin() + 0.25 * (4.0 * t).cos());
        let (coarse_ns, coarse_nt, ns, nt) = (12, 10, 17, 14);
        let (sc, _) = chebyshev(coarse_ns, a, b);
        let values = (0..=coarse_ns)
            .flat_map(|k| (0..coarse_nt).map(move |j| (k, j)))
            .map(|(k, j)| if k == 0 { 0.0 } else { u(sc[k], 2.0 * PI * j as f64 / coarse_nt as f64) })
            .collect();
        let coarse = NodalSolution { s: sc, nt: coarse_nt, values };
        let (s, _) = chebyshev(ns, a, b);
        let fine = interpolate(&coarse, &s, nt);
        for k in 1..=ns {
            for j in 0..nt {
                let exact = u(s[k], 2.0 * PI * j as f64 / nt as f64);
                assert!((fine[(k - 1) * nt + j] - exact).abs() < 1e-12, "node ({k}, {j})");
            }
        }
    }
}

//! Slowest decay rates of the kinetic generator G: dense (all eigenvalues, condition numbers
//! from the eigenvector matrix) or shift-invert Krylov–Schur over a sparse LU of G − σI, and a
//! resolution study that accepts a rate only when it is stable under basis refinement.
//!
//! G is not normal: a computed eigenvalue λ̃ of a simple eigenvalue λ obeys
//! |λ̃ − λ| ≲ κ ε‖G‖ with κ = ‖x‖‖y‖/|yᴴx|; at a Jordan block of size 2 (harmonic risk with
//! g = 2ω) the error grows to ~(ε‖G‖)^{1/2}, and κ grows like ε^{−1/2}, so κε‖G‖ still covers it.

use super::basis::{KineticBasis, WAxis};
use super::operator::Kinetic;
use crate::basis::IndexSet;
use crate::eigen::{krylov_start, shifted, ShiftInvert};
use crate::error::{EngineError, Result};
use crate::operator::Overdamped;
use crate::resolution::{self, Level, Study};
use crate::scaling::choose_axes;
use dyn_stack::{MemBuffer, MemStack};
use faer::linalg::solvers::DenseSolveCore;
use faer::matrix_free::eigen::{partial_eigen, partial_eigen_scratch, PartialEigenParams};
use faer::matrix_free::LinOp;
use faer::sparse::linalg::solvers::Lu;
use faer::sparse::SparseColMat;
use faer::{c64, Mat, Par};

/// Decay rates (re > 0 slowest first, one per conjugate pair, im ≥ 0) with rounding estimates.
#[derive(Debug, Clone)]
pub struct DecayRates {
    /// Decay rates λ = −eig(G), excluding the kernel.
    pub rates: Vec<c64>,
    /// Rounding-error estimate of each.
    pub rounding: Vec<f64>,
    /// The eigenvalue of smallest modulus (the discrete kernel, ideally 0).
    pub kernel: c64,
}

/// Which eigen-solver to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KineticPath {
    /// All eigenvalues of the dense matrix.
    Dense,
    /// Shift-invert Krylov–Schur with a sparse LU.
    Sparse,
    /// Dense up to [`DENSE_UP_TO`] functions, sparse beyond.
    Auto,
}

/// Largest basis the `Auto` path solves densely.
pub const DENSE_UP_TO: usize = 700;

/// Keeps the non-kernel rates with im ≥ 0, sorted by real part, and the kernel.
fn sort_rates(eigs: &[c64], rounding: &[f64], count: usize) -> Result<DecayRates> {
    let kernel_pos = (0..eigs.len())
        .min_by(|&a, &b| eigs[a].norm().total_cmp(&eigs[b].norm()))
        .ok_or_else(|| EngineError::Numerical("no eigenvalues".into()))?;
    let mut pairs: Vec<(c64, f64)> = (0..eigs.len())
        .filter(|&i| i != kernel_pos)
        .map(|i| (-eigs[i], rounding[i]))
        .filter(|(l, r)| l.im >= -r.max(1e-300))
        .map(|(l, r)| (c64::new(l.re, l.im.abs()), r))
        .collect();
    pairs.sort_by(|a, b| a.0.re.total_cmp(&b.0.re).then(a.0.im.total_cmp(&b.0.im)));
    dedupe_conjugates(&mut pairs);
    pairs.truncate(count);
    Ok(DecayRates {
        rates: pairs.iter().map(|p| p.0).collect(),
        rounding: pairs.iter().map(|p| p.1).collect(),
        kernel: -eigs[kernel_pos],
    })
}

/// Removes near-real eigenvalues that appear twice after folding im → |im| (a real eigenvalue
/// computed as a tiny conjugate pair).
fn dedupe_conjugates(pairs: &mut Vec<(c64, f64)>) {
    let mut out: Vec<(c64, f64)> = Vec::with_capacity(pairs.len());
    for p in pairs.iter() {
        let dup = out.last().is_some_and(|q| (q.0 - p.0).norm() <= 2.0 * (q.1 + p.1) && p.0.im <= p.1);
        if !dup {
            out.push(*p);
        }
    }
    *pairs = out;
}

/// All eigenvalues of the dense matrix, with κ ε‖G‖_F rounding estimates.
pub fn rates_dense(g: &SparseColMat<usize, f64>, count: usize) -> Result<DecayRates> {
    let (eigs, rounding) = eigs_dense(g)?;
    sort_rates(&eigs, &rounding, count)
}

/// All eigenvalues of the dense matrix and their κ ε‖G‖_F rounding estimates.
fn eigs_dense(g: &SparseColMat<usize, f64>) -> Result<(Vec<c64>, Vec<f64>)> {
    let a = g.to_dense();
    let n = a.nrows();
    let evd = a.eigen().map_err(|e| EngineError::Numerical(format!("dense eigen-solve failed: {e:?}")))?;
    let u = evd.U().to_owned();
    let s = evd.S().column_vector().to_owned();
    let uinv = u.partial_piv_lu().inverse();
    let norm = a.norm_l2();
    let eps = f64::EPSILON * (n as f64).sqrt() * 8.0;
    let eigs: Vec<c64> = (0..n).map(|i| s[i]).collect();
    let rounding: Vec<f64> = (0..n)
        .map(|i| {
            let kappa = u.col(i).norm_l2() * uinv.row(i).norm_l2();
            eps * norm * kappa
        })
        .collect();
    Ok((eigs, rounding))
}

/// Sparse LU of G − σI.
pub fn shifted_lu(g: &SparseColMat<usize, f64>, shift: f64) -> Result<Lu<usize, f64>> {
    shifted(g, shift)?
        .sp_lu()
        .map_err(|e| EngineError::Numerical(format!("sparse LU of G − σI failed (σ = {shift}): {e:?}")))
}

/// The eigenvalues of G nearest σ (σ > 0 sits right of the spectrum), by shift-invert
/// Krylov–Schur, with residual-based rounding estimates.
pub fn rates_sparse(g: &SparseColMat<usize, f64>, count: usize, shift: f64) -> Result<DecayRates> {
    let (eigs, rounding) = eigs_sparse(g, count, shift)?;
    sort_rates(&eigs, &rounding, count)
}

/// The 2·`count` + 8 eigenvalues of G nearest σ and their residual-based rounding estimates.
fn eigs_sparse(g: &SparseColMat<usize, f64>, count: usize, shift: f64) -> Result<(Vec<c64>, Vec<f64>)> {
    let n = g.nrows();
    let op = ShiftInvert::new(shifted_lu(g, shift)?, n);
    let want = (2 * count + 8).min(n);
    let params = PartialEigenParams { max_restarts: 2000, max_dim: (2 * want + 20).min(n), ..Default::default() };
    let par = Par::Seq;
    let mut buf = MemBuffer::new(partial_eigen_scratch(&op, want, par, params));
    let stack = MemStack::new(&mut buf);
    let mut vecs = Mat::<c64>::zeros(n, want);
    let mut mus = vec![c64::new(0.0, 0.0); want];
    let v0 = krylov_start(n);
    let info = partial_eigen(vecs.as_mut(), &mut mus, &op, v0.as_ref(), 1e-13, par, stack, params);
    if info.n_converged_eigen < want {
        return Err(EngineError::NotConverged(format!(
            "shift-invert Krylov–Schur converged {} of {want} eigenvalues",
            info.n_converged_eigen
        )));
    }
    let eigs: Vec<c64> = mus.iter().map(|mu| c64::new(shift, 0.0) + mu.inv()).collect();
    let rounding: Vec<f64> = (0..want).map(|i| residual(g, vecs.col(i), eigs[i])).collect();
    Ok((eigs, rounding))
}

/// ‖Gx − λx‖/‖x‖ for a complex Ritz pair, plus 8ε‖G‖ (a rounding floor).
fn residual(g: &SparseColMat<usize, f64>, x: faer::ColRef<'_, c64>, lambda: c64) -> f64 {
    let n = g.nrows();
    let mut r = vec![c64::new(0.0, 0.0); n];
    let (sym, vals) = (g.symbolic(), g.val());
    let mut gmax = 0.0f64;
    for j in 0..n {
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            r[sym.row_idx()[p]] += x[j] * vals[p];
            gmax = gmax.max(vals[p].abs());
        }
    }
    let res: f64 = r.iter().enumerate().map(|(i, ri)| (ri - lambda * x[i]).norm_sqr()).sum::<f64>().sqrt();
    res / x.norm_l2() + 8.0 * f64::EPSILON * gmax
}

/// Options of a kinetic decay-rate computation.
#[derive(Debug, Clone)]
pub struct KineticOptions {
    /// Number of slowest non-zero rates wanted.
    pub count: usize,
    /// Relative tolerance of the resolution study.
    pub tolerance: f64,
    /// Eigen-solver path.
    pub path: KineticPath,
    /// Starting and largest number of 1D functions per axis (0: defaults by dimension).
    pub start: usize,
    /// Largest number of 1D functions per axis (0: default).
    pub max_per_axis: usize,
    /// Index set over all 2d axes.
    pub index_set: IndexSet,
}

impl Default for KineticOptions {
    fn default() -> Self {
        KineticOptions {
            count: 3,
            tolerance: 1e-8,
            path: KineticPath::Auto,
            start: 0,
            max_per_axis: 0,
            index_set: IndexSet::TotalDegree,
        }
    }
}

/// Converged slowest decay rates and the study behind them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KineticRates {
    /// Decay rates (re, im ≥ 0), ascending by re.
    pub values: Vec<(f64, f64)>,
    /// Error estimate of each (|level difference| + rounding, as a complex modulus).
    pub errors: Vec<f64>,
    /// Basis size at the finest level.
    pub basis_size: usize,
    /// The resolution study; its values interleave re and im.
    pub study: Study,
}

/// The w-axes for a problem: Fourier on the circle, otherwise Hermite axes chosen for the
/// w-marginal e^{−η'L} of ψ_∞ by [`choose_axes`] on the overdamped operator with D = 1/η' (the
/// Ritz-value minimisation of the engine; exact scale for a quadratic risk). The Gibbs-moment
/// scale alone is about twice too wide for a double well and costs ~4 digits at equal size.
pub fn default_axes(problem: &Kinetic) -> Result<Vec<WAxis>> {
    if problem.periodic {
        return Ok(vec![WAxis::Fourier]);
    }
    let op = Overdamped::new(problem.potential, 1.0 / problem.params.eta())?;
    let kind = if problem.potential.dim() == 1 { IndexSet::FullTensor } else { IndexSet::TotalDegree };
    let (mut centre, scale) = choose_axes(&op, 2, AXIS_PROBE, kind)?;
    // L even in w_j: the Gibbs mean is 0 up to quadrature rounding; make it exact, so that the
    // basis keeps the reflection symmetry that [`sectors`] uses.
    if let Some(poly) = problem.potential.poly() {
        for (j, c) in centre.iter_mut().enumerate() {
            if poly.terms.iter().all(|(m, k)| m[j] % 2 == 0 || *k == 0.0) {
                *c = 0.0;
            }
        }
    }
    Ok(centre.iter().zip(&scale).map(|(&c, &s)| WAxis::Hermite { centre: c, scale: s }).collect())
}

/// Basis size per axis of the scale search in [`default_axes`].
pub const AXIS_PROBE: usize = 12;

/// The basis with `n` functions on every w- and v-axis. A Fourier axis gets complete frequency
/// pairs (2⌊n/2⌋ + 1 modes) and the full tensor index set: a total-degree cut would keep high
/// wave numbers only with low velocity modes, which leaves spurious slowly decaying eigenvalues.
pub fn basis_of_size(problem: &Kinetic, axes: &[WAxis], n: usize, kind: IndexSet) -> Result<KineticBasis> {
    let d = axes.len();
    let fourier = axes.iter().any(|a| matches!(a, WAxis::Fourier));
    let (nw, kind) = if fourier { (2 * (n / 2) + 1, IndexSet::FullTensor) } else { (n, kind) };
    KineticBasis::new(axes.to_vec(), problem.params.velocity_scale(), vec![nw; d], vec![n; d], kind)
}

/// The w-axes j along which G has the reflection symmetry (w_j, v_j) → (−w_j, −v_j): a Hermite
/// axis centred exactly at 0 and a polynomial L even in w_j (so ∂_jL is odd in w_j and even in
/// the other w_i). The parity (−1)^{α_{w_j} + α_{v_j}} of a basis function is then conserved by
/// every term of G (v_j∂_{w_j} and ∂_jL ∂_{v_j} change α_{w_j} and α_{v_j} by odd amounts each, the
/// other indices by even ones, F is diagonal), so G is block diagonal over the parity sectors.
pub fn reflection_axes(problem: &Kinetic, axes: &[WAxis]) -> Vec<usize> {
    if problem.periodic {
        return Vec::new();
    }
    let Some(poly) = problem.potential.poly() else { return Vec::new() };
    (0..axes.len())
        .filter(|&j| {
            matches!(axes[j], WAxis::Hermite { centre, .. } if centre == 0.0)
                && poly.terms.iter().all(|(m, c)| m[j] % 2 == 0 || *c == 0.0)
        })
        .collect()
}

/// The parity sectors of `basis` under the reflections of [`reflection_axes`] (the whole basis
/// when there are none), each an invariant subspace of G.
pub fn sectors(problem: &Kinetic, basis: &KineticBasis) -> Vec<KineticBasis> {
    let refl = reflection_axes(problem, &basis.w_axes);
    if refl.is_empty() {
        return vec![basis.clone()];
    }
    (0..1usize << refl.len())
        .map(|mask| {
            basis.restricted(|a| refl.iter().enumerate().all(|(bit, &j)| (a[j] + a[2 + j]) % 2 == (mask >> bit) & 1))
        })
        .filter(|b| !b.is_empty())
        .collect()
}

/// The slowest `count` rates on one basis. When G has reflection symmetries ([`sectors`]) each
/// parity sector is solved on its own (dense or sparse, decided by the whole basis size) and the
/// eigenvalues are merged before the kernel is removed and the rates sorted: the same spectrum,
/// at a fraction of the LU fill-in and memory, and with at least as many candidate eigenvalues
/// near the shift as the unsplit solve.
pub fn rates_on(
    problem: &Kinetic,
    basis: &KineticBasis,
    count: usize,
    path: KineticPath,
    shift: f64,
) -> Result<DecayRates> {
    let dense = match path {
        KineticPath::Dense => true,
        KineticPath::Sparse => false,
        KineticPath::Auto => basis.len() <= DENSE_UP_TO,
    };
    let mut eigs = Vec::new();
    let mut rounding = Vec::new();
    for sector in sectors(problem, basis) {
        let g = problem.matrix(&sector)?;
        let (e, r) = if dense { eigs_dense(&g)? } else { eigs_sparse(&g, count, shift)? };
        eigs.extend(e);
        rounding.extend(r);
    }
    sort_rates(&eigs, &rounding, count)
}

/// The numbers a resolution study tracks per rate: re and re + |im| (both positive, so a purely
/// relative tolerance applies to each, and |Δim| ≤ |Δ(re + |im|)| + |Δre|).
fn study_values(rates: &[c64]) -> Vec<f64> {
    rates.iter().flat_map(|l| [l.re, l.re + l.im.abs()]).collect()
}

/// Rates (re, im) and error estimates back from a study of [`study_values`].
fn from_study_values(study: &Study) -> (Vec<(f64, f64)>, Vec<f64>) {
    let values = study.values.chunks(2).map(|c| (c[0], c[1] - c[0])).collect();
    let errors = study.errors.chunks(2).map(|e| e[0].hypot(e[0] + e[1])).collect();
    (values, errors)
}

/// Relative per-axis resolution for d = 2: for each w-axis, the number of modes the projection of
/// the w-marginal ground state e^{−η'L/2} needs (tail below 1e-10 in amplitude) on a 64×64 probe,
/// divided by the largest such number. The v-axis of each degree of freedom gets its w-ratio
/// (transport couples w_j only with v_j). Isotropic (all ones) in d = 1 and on the circle.
pub fn axis_ratios(problem: &Kinetic, axes: &[WAxis]) -> Result<Vec<f64>> {
    let d = axes.len();
    if d == 1 || problem.periodic {
        return Ok(vec![1.0; d]);
    }
    let probe = 64;
    let basis = KineticBasis::new(
        axes.to_vec(),
        problem.params.velocity_scale(),
        vec![probe; d],
        vec![1; d],
        IndexSet::FullTensor,
    )?;
    let u = problem.ground_state(&basis)?;
    let needed: Vec<f64> = (0..d)
        .map(|j| {
            let mut tail = vec![0.0; probe + 1];
            for (i, a) in basis.indices.iter().enumerate() {
                tail[a[j]] += u[i] * u[i];
            }
            for k in (0..probe).rev() {
                tail[k] += tail[k + 1];
            }
            (0..=probe).find(|&k| tail[k] < 1e-20).unwrap_or(probe) as f64
        })
        .collect();
    let top = needed.iter().copied().fold(1.0, f64::max);
    Ok(needed.iter().map(|n| (n / top).clamp(0.15, 1.0)).collect())
}

/// Next size of the largest axis in a resolution study, from the levels so far (their sizes per
/// axis and tracked values). The first three levels grow by ×1.2 (as a plain geometric schedule).
/// From then on the relative level differences δ_k = max_i |v_{k,i} − v_{k−1,i}|/|v_{k,i}| give a
/// geometric decay rate per unit n, r = ln(δ_{k−1}/δ_k)/(n_{k−1} − n_{k−2}) (the smaller of the
/// last two such estimates once there are three differences), and the error of the current level
/// is predicted as e_k = δ_k e^{−r(n_k − n_{k−1})}. The next level is the size predicted to bring
/// the error to `tolerance`/4; when the current level already meets it, the next one only has to
/// confirm it and must reduce the error at least 4-fold (n + ln 4/r). Each step is clamped to
/// ×[1.15, 1.5] in n (≥ n + 2), so a noisy rate can neither stall the study nor overshoot much.
/// The acceptance test is untouched: two consecutive levels must agree to `tolerance`.
pub fn next_size(levels: &[Level], tolerance: f64, cap: usize) -> usize {
    let n: Vec<f64> = levels.iter().map(|l| l.sizes[0] as f64).collect();
    let k = n.len() - 1;
    let geometric = ((n[k] * 1.2).round() as usize).max(n[k] as usize + 2);
    if levels.len() < 3 {
        return geometric.min(cap);
    }
    let delta = |j: usize| -> f64 {
        levels[j]
            .values
            .iter()
            .zip(&levels[j - 1].values)
            .map(|(f, c)| (f - c).abs() / f.abs().max(f64::MIN_POSITIVE))
            .fold(0.0, f64::max)
    };
    let rate = |j: usize| -> f64 {
        let (a, b) = (delta(j - 1), delta(j));
        if a > 0.0 && b > 0.0 && b < a {
            (a / b).ln() / (n[j - 1] - n[j - 2])
        } else {
            0.0
        }
    };
    let mut r = rate(k);
    if k >= 3 {
        r = r.min(rate(k - 1));
    }
    if !(r.is_finite() && r > 0.0) {
        return geometric.min(cap);
    }
    let goal = tolerance / 4.0;
    let error = delta(k) * (-r * (n[k] - n[k - 1])).exp();
    let target = if error <= goal { n[k] + 4f64.ln() / r } else { n[k] + (error / goal).ln() / r };
    let lo = (n[k] * 1.15).ceil().max(n[k] + 2.0);
    let hi = (n[k] * 1.5).floor().max(lo);
    (target.ceil().clamp(lo, hi) as usize).min(cap)
}

/// The basis of a resolution-study level with `n` functions on the largest axis: [`basis_of_size`]
/// in d = 1, per-axis sizes round(ratio·n) ≥ 4 from [`axis_ratios`] in d = 2. Levels are nested:
/// a larger n keeps every multi-index of a smaller one.
pub fn study_basis(
    problem: &Kinetic,
    axes: &[WAxis],
    ratios: &[f64],
    n: usize,
    kind: IndexSet,
) -> Result<KineticBasis> {
    if axes.len() == 1 {
        return basis_of_size(problem, axes, n, kind);
    }
    let per_axis: Vec<usize> = ratios.iter().map(|r| ((r * n as f64).round() as usize).max(4)).collect();
    KineticBasis::new(axes.to_vec(), problem.params.velocity_scale(), per_axis.clone(), per_axis, kind)
}

/// The slowest `count` decay rates of (9), converged to `tolerance` by a resolution study. In
/// d = 2 the sizes per axis follow [`axis_ratios`] (an anisotropic total-degree set); the sizes
/// of successive levels follow [`next_size`], and each level is solved by [`rates_on`] (parity
/// sectors when L is even).
pub fn decay_rates(problem: &Kinetic, opts: &KineticOptions) -> Result<KineticRates> {
    let axes = default_axes(problem)?;
    let d = axes.len();
    let ratios = axis_ratios(problem, &axes)?;
    let (start, cap) = match d {
        1 => (if opts.start > 0 { opts.start } else { 20 }, 400),
        _ => (if opts.start > 0 { opts.start } else { 16 }, 120),
    };
    let cap = if opts.max_per_axis > 0 { opts.max_per_axis } else { cap };
    let mut shift = 0.05 * problem.params.friction;
    let mut solve = |s: &[usize]| -> Result<(usize, Vec<f64>, Vec<f64>)> {
        let basis = study_basis(problem, &axes, &ratios, s[0], opts.index_set)?;
        let r = rates_on(problem, &basis, opts.count, opts.path, shift)?;
        if r.rates.len() < opts.count {
            return Err(EngineError::Numerical(format!("only {} rates found", r.rates.len())));
        }
        shift = 0.2 * r.rates[0].re;
        Ok((basis.len(), study_values(&r.rates), r.rounding.iter().flat_map(|&e| [e, 2.0 * e]).collect()))
    };
    let mut levels: Vec<Level> = Vec::new();
    let mut n = start.min(cap);
    let study = loop {
        let (basis_size, values, rounding) = match solve(&[n]) {
            Ok(level) => level,
            // A basis too large for memory ends the study; the levels so far decide.
            Err(EngineError::TooLarge(_)) if levels.len() >= 2 => {
                break resolution::assess(&levels, opts.tolerance, 0.0)
            }
            Err(e) => return Err(e),
        };
        levels.push(Level { sizes: vec![n], basis_size, values, rounding });
        let study = resolution::assess(&levels, opts.tolerance, 0.0);
        if study.as_ref().is_some_and(|s| s.converged) || n >= cap {
            break study;
        }
        n = next_size(&levels, opts.tolerance, cap);
    }
    .ok_or_else(|| EngineError::NotConverged("resolution study needs two levels".into()))?;
    let (values, errors) = from_study_values(&study);
    Ok(KineticRates { values, errors, basis_size: study.basis_size(), study })
}

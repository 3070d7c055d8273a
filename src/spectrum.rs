//! Converged decay rates of the overdamped generator (5), with automatic basis choice and a
//! resolution study, and the Poincaré constants of e^{−U} built on them.

use crate::basis::{HermiteBasis, IndexSet, MAX_DENSE};
use crate::eigen::{check_time, duration_text, lowest_from_owned_factor, lowest_sparse, Eigenpairs, FLOPS_PER_SECOND};
use crate::error::{positive, EngineError, Result};
use crate::operator::Overdamped;
use crate::potential::Potential;
use crate::resolution::{self, check_tolerance, Study};
use crate::scaling::choose_axes;
use serde::Serialize;

/// Which eigen-solver path to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SolverPath {
    /// Dense QR + SVD of the factor B (any potential).
    Dense,
    /// Exact banded matrix + shift-invert Krylov–Schur (polynomial potentials).
    Sparse,
    /// Dense up to [`sparse_above`] functions, sparse beyond when the potential is a polynomial.
    Auto,
}

/// Basis size from which `Auto` switches to the sparse path, by dimension. In d = 1 the dense
/// factor path keeps the relative accuracy of very small rates (rounding ~ ε‖H‖^{1/2}λ^{1/2}
/// instead of ε‖H‖) and is cheap; in d ≥ 2 the banded path is 40–300× faster at the sizes
/// that matter (BENCHMARKS.md) and its residual bound reports its rounding.
pub fn sparse_above(dim: usize) -> usize {
    if dim == 1 {
        1500
    } else {
        400
    }
}

/// Options of a decay-rate computation.
#[derive(Debug, Clone)]
pub struct RateOptions {
    /// Number of non-zero eigenvalues wanted.
    pub count: usize,
    /// Relative tolerance of the resolution study, in (1e-15, 1e-2] ([`check_tolerance`]).
    pub tolerance: f64,
    /// Solver path.
    pub path: SolverPath,
    /// Largest number of 1D functions per axis.
    pub max_per_axis: usize,
}

impl Default for RateOptions {
    fn default() -> Self {
        RateOptions { count: 3, tolerance: 1e-10, path: SolverPath::Auto, max_per_axis: 0 }
    }
}

/// The plan a resolution study actually used at its finest level: which solver, which index set,
/// how many functions.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    /// "dense" (QR + SVD of the factor B) or "sparse" (exact banded H, shift-invert Krylov–Schur).
    pub solver: &'static str,
    /// "full-tensor" or "total-degree".
    pub index_set: &'static str,
    /// 1D functions per axis (the total degree per axis for a total-degree set).
    pub sizes: Vec<usize>,
    /// Number of basis functions.
    pub basis_size: usize,
    /// Number of levels of the resolution study.
    pub levels: usize,
}

/// The lowest decay rates of (5) with their error estimates.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    /// λ_1 ≤ … ≤ λ_k (positive decay rates).
    pub values: Vec<f64>,
    /// Error estimate of each (see [`Study::errors`]: a crude bound when not estimated).
    pub errors: Vec<f64>,
    /// Basis size at the finest level.
    pub basis_size: usize,
    /// The resolution study (levels include the ground-state value first).
    pub study: Study,
    /// Axis centres used.
    pub centre: Vec<f64>,
    /// Axis scales used.
    pub scale: Vec<f64>,
    /// Whether the index set was full tensor or total degree.
    pub index_set: IndexSet,
    /// The plan used at the finest level.
    pub method: Method,
}

impl Rates {
    /// True when the study did not converge and the error bar of the lowest rate reaches zero:
    /// the study cannot tell the gap from 0, as for a flat or nearly flat direction of L.
    pub fn gap_may_be_zero(&self) -> bool {
        !self.study.converged && self.errors.first().zip(self.values.first()).is_some_and(|(e, v)| e >= v)
    }
}

/// Default index set: total degree in d ≥ 2, which is the full set in d = 1.
pub fn default_index_set(dim: usize) -> IndexSet {
    if dim == 1 {
        IndexSet::FullTensor
    } else {
        IndexSet::TotalDegree
    }
}

/// Number of functions of an index set with n functions on each of d axes.
pub fn index_count(n: usize, dim: usize, kind: IndexSet) -> usize {
    match kind {
        IndexSet::FullTensor => n.pow(dim as u32),
        // #{α ∈ N^d : Σα_j < n} = C(n + d − 1, d) (the basis may hold a few more: its test is in
        // floating point).
        IndexSet::TotalDegree => (0..dim).fold(1usize, |acc, j| acc * (n + j) / (j + 1)),
    }
}

/// Starting sizes and caps per axis for dimension d and `count` rates: the first level has at
/// least 2(count + 1) functions, so every level yields every rate asked for.
fn size_plan(dim: usize, max_per_axis: usize, count: usize, kind: IndexSet) -> (usize, usize) {
    let (mut start, cap) = match dim {
        1 => (32, 1000),
        2 => (16, 160),
        _ => (10, 48),
    };
    while index_count(start, dim, kind) < 2 * (count + 1) {
        start += 1;
    }
    let cap = if max_per_axis > 0 { max_per_axis } else { cap };
    (start.min(cap.max(1)), cap.max(start))
}

/// A level's plan before it runs: the solver, the predicted peak memory and a rough time.
#[derive(Debug, Clone)]
pub struct LevelPlan {
    /// Sparse (banded H) or dense (factor B).
    pub sparse: bool,
    /// Predicted peak bytes (for the sparse path, of H; the Cholesky factor is checked exactly
    /// from its symbolic analysis before it is allocated).
    pub bytes: f64,
    /// Rough predicted seconds.
    pub seconds: f64,
}

/// The plan of [`eigenpairs`] on a basis, without allocating anything of the basis's size.
pub fn plan_level(op: &Overdamped, basis: &HermiteBasis, count: usize, path: SolverPath) -> LevelPlan {
    let poly = op.potential.poly().is_some();
    let sparse = match path {
        SolverPath::Dense => false,
        SolverPath::Sparse => true,
        SolverPath::Auto => poly && basis.len() > sparse_above(basis.dim()),
    };
    let n = basis.len();
    if sparse {
        // Assembly only: the factorisation and Krylov–Schur are predicted (and checked) exactly
        // from the symbolic Cholesky factor inside `lowest_sparse`, before they allocate.
        let nnz = op.sparse_nnz_bound(basis);
        let bytes = 64.0 * nnz + crate::eigen::krylov_bytes(n, count + 1);
        LevelPlan { sparse, bytes, seconds: 200.0 * nnz / FLOPS_PER_SECOND }
    } else {
        let rows = op.factor_rows(basis);
        let bytes = op.factor_bytes(basis) + crate::eigen::factor_eigen_bytes(n);
        let flops = crate::eigen::factor_eigen_flops(rows, n) + 40.0 * rows as f64 * n as f64;
        LevelPlan { sparse, bytes, seconds: flops / FLOPS_PER_SECOND }
    }
}

/// Lowest `count + 1` eigenpairs (ground state first) of H on a given basis. Predicts the
/// memory and time of the level ([`plan_level`]) and refuses it with `TooLarge` beyond the budget
/// (`budget::check_memory`) or beyond [`crate::eigen::MAX_SOLVE_SECONDS`], before allocating
/// anything large.
pub fn eigenpairs(
    op: &Overdamped,
    basis: &HermiteBasis,
    count: usize,
    path: SolverPath,
    shift: f64,
) -> Result<Eigenpairs> {
    let plan = plan_level(op, basis, count, path);
    let kind = match basis.kind {
        IndexSet::FullTensor => "full-tensor",
        IndexSet::TotalDegree => "total-degree",
    };
    let what = format!(
        "a {}-D {kind} basis of {} functions ({} solver, {})",
        basis.dim(),
        basis.len(),
        if plan.sparse { "sparse" } else { "dense" },
        duration_text(plan.seconds)
    );
    let hint = "use a looser --tolerance or a smaller --count";
    crate::budget::check_memory(&what, plan.bytes, hint)?;
    check_time(&what, plan.seconds, hint)?;
    let pairs = if plan.sparse {
        let h = op.sparse_matrix(basis)?;
        lowest_sparse(&h, count + 1, shift)?
    } else {
        if basis.len() > MAX_DENSE {
            return Err(EngineError::TooLarge(format!(
                "{} basis functions exceed the dense limit {MAX_DENSE} for a non-polynomial potential ({hint})",
                basis.len()
            )));
        }
        lowest_from_owned_factor(op.factor(basis)?, count + 1)?
    };
    if pairs.values.len() < count + 1 {
        return Err(EngineError::Numerical(format!(
            "a basis of {} functions gave {} eigenvalues, {} were asked for",
            basis.len(),
            pairs.values.len(),
            count + 1
        )));
    }
    Ok(pairs)
}

/// The `count` lowest non-zero decay rates of (5), converged to `tolerance` by a resolution study.
/// An unconverged study is returned, not refused: `study.converged` is false and the errors are
/// honest (estimated in the asymptotic regime, else the crude bound of
/// [`resolution::unestimated_error`]).
pub fn decay_rates(op: &Overdamped, opts: &RateOptions) -> Result<Rates> {
    check_tolerance(opts.tolerance)?;
    if opts.count == 0 {
        return Err(EngineError::InvalidParameter("the number of rates must be at least 1".into()));
    }
    let dim = op.potential.dim();
    let kind = default_index_set(dim);
    let (start, cap) = size_plan(dim, opts.max_per_axis, opts.count, kind);
    let (centre, scale) = choose_axes(op, opts.count, start, kind)?;
    let sizes = resolution::schedule(&vec![start; dim], if dim == 1 { 1.3 } else { 1.25 }, &vec![cap; dim]);
    let mut shift = -1e-3;
    let study = resolution::run(&sizes, opts.tolerance, 0.0, |s| {
        let basis = HermiteBasis::new(centre.clone(), scale.clone(), s.to_vec(), kind)?;
        let pairs = eigenpairs(op, &basis, opts.count, opts.path, shift)?;
        let rates = pairs.values[1..=opts.count].to_vec();
        shift = -0.05 * rates.first().copied().unwrap_or(1.0).abs().max(1e-12);
        Ok((basis.len(), rates, pairs.rounding[1..=opts.count].to_vec()))
    })?;
    let finest = study.levels.last().map(|l| l.sizes.clone()).unwrap_or_default();
    let basis_size = study.basis_size();
    let sparse = match opts.path {
        SolverPath::Dense => false,
        SolverPath::Sparse => true,
        SolverPath::Auto => op.potential.poly().is_some() && basis_size > sparse_above(dim),
    };
    let method = Method {
        solver: if sparse { "sparse" } else { "dense" },
        index_set: match kind {
            IndexSet::FullTensor => "full-tensor",
            IndexSet::TotalDegree => "total-degree",
        },
        sizes: finest,
        basis_size,
        levels: study.levels.len(),
    };
    Ok(Rates {
        values: study.values.clone(),
        errors: study.errors.clone(),
        basis_size,
        study,
        centre,
        scale,
        index_set: kind,
        method,
    })
}

/// Poincaré constant of the measure e^{−ηL} (equation (7) when η = 1): the spectral gap of
/// −Δ + η∇L·∇, equal to η·λ_1 of (5) with D = 1/η. The study may be unconverged
/// (`rates.study.converged`); the error is then the honest one of [`decay_rates`].
pub fn poincare_constant(potential: &Potential, eta: f64, tolerance: f64) -> Result<(f64, f64, Rates)> {
    positive("eta", eta)?;
    let op = Overdamped::new(potential, 1.0 / eta)?;
    let max_per_axis = if potential.dim() == 1 { 0 } else { 48 };
    let rates = decay_rates(&op, &RateOptions { count: 1, tolerance, max_per_axis, ..Default::default() })?;
    Ok((eta * rates.values[0], eta * rates.errors[0], rates))
}

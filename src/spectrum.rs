//! Converged decay rates of the overdamped generator (5), with automatic basis choice and a
//! resolution study, and the Poincaré constants of e^{−U} built on them.

use crate::basis::{HermiteBasis, IndexSet, MAX_DENSE};
use crate::eigen::{lowest_from_factor, lowest_sparse, Eigenpairs};
use crate::error::{positive, EngineError, Result};
use crate::operator::Overdamped;
use crate::potential::Potential;
use crate::resolution::{self, Study};
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
    /// Relative tolerance of the resolution study.
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

/// The lowest decay rates of (5) with their error estimates.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    /// λ_1 ≤ … ≤ λ_k (positive decay rates).
    pub values: Vec<f64>,
    /// Error estimate of each.
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
}

/// Default index set: total degree in d ≥ 2, which is the full set in d = 1.
pub fn default_index_set(dim: usize) -> IndexSet {
    if dim == 1 {
        IndexSet::FullTensor
    } else {
        IndexSet::TotalDegree
    }
}

/// Starting sizes and caps per axis for dimension d.
fn size_plan(dim: usize, max_per_axis: usize) -> (usize, usize) {
    let (start, cap) = match dim {
        1 => (32, 1000),
        2 => (16, 160),
        _ => (10, 48),
    };
    (start, if max_per_axis > 0 { max_per_axis } else { cap })
}

/// Lowest `count + 1` eigenpairs (ground state first) of H on a given basis.
pub fn eigenpairs(
    op: &Overdamped,
    basis: &HermiteBasis,
    count: usize,
    path: SolverPath,
    shift: f64,
) -> Result<Eigenpairs> {
    let poly = op.potential.poly().is_some();
    let sparse = match path {
        SolverPath::Dense => false,
        SolverPath::Sparse => true,
        SolverPath::Auto => poly && basis.len() > sparse_above(basis.dim()),
    };
    if sparse {
        let h = op.sparse_matrix(basis)?;
        lowest_sparse(&h, count + 1, shift)
    } else {
        if basis.len() > MAX_DENSE {
            return Err(EngineError::TooLarge(format!(
                "{} basis functions exceed the dense limit {MAX_DENSE} for a non-polynomial potential",
                basis.len()
            )));
        }
        let b = op.factor(basis)?;
        lowest_from_factor(b.as_ref(), count + 1)
    }
}

/// The `count` lowest non-zero decay rates of (5), converged to `tolerance` by a resolution study.
pub fn decay_rates(op: &Overdamped, opts: &RateOptions) -> Result<Rates> {
    let dim = op.potential.dim();
    let kind = default_index_set(dim);
    let (start, cap) = size_plan(dim, opts.max_per_axis);
    let (centre, scale) = choose_axes(op, opts.count, start, kind)?;
    let sizes = resolution::schedule(&vec![start; dim], if dim == 1 { 1.3 } else { 1.25 }, &vec![cap; dim]);
    let mut shift = -1e-3;
    let study = resolution::run(&sizes, opts.tolerance, 0.0, |s| {
        let basis = HermiteBasis::new(centre.clone(), scale.clone(), s.to_vec(), kind)?;
        let pairs = eigenpairs(op, &basis, opts.count, opts.path, shift)?;
        let rates = pairs.values[1..].to_vec();
        shift = -0.05 * rates.first().copied().unwrap_or(1.0).abs().max(1e-12);
        Ok((basis.len(), rates, pairs.rounding[1..].to_vec()))
    })?;
    Ok(Rates {
        values: study.values.clone(),
        errors: study.errors.clone(),
        basis_size: study.basis_size(),
        study,
        centre,
        scale,
        index_set: kind,
    })
}

/// Poincaré constant of the measure e^{−ηL} (equation (7) when η = 1): the spectral gap of
/// −Δ + η∇L·∇, equal to η·λ_1 of (5) with D = 1/η.
pub fn poincare_constant(potential: &Potential, eta: f64, tolerance: f64) -> Result<(f64, f64, Rates)> {
    positive("eta", eta)?;
    let op = Overdamped::new(potential, 1.0 / eta)?;
    let max_per_axis = if potential.dim() == 1 { 0 } else { 48 };
    let rates = decay_rates(&op, &RateOptions { count: 1, tolerance, max_per_axis, ..Default::default() })?;
    Ok((eta * rates.values[0], eta * rates.errors[0], rates))
}

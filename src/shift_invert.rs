//! Shift-invert Krylov–Schur: the eigenvalues λ of A nearest a shift σ are the largest
//! μ = 1/(λ − σ) of (A − σI)^{-1}, which Krylov–Schur finds fast when σ is close. The
//! inverse is a [`LinOp`] ([`ShiftInvert`]) applied through any factorisation of A − σI (sparse
//! Cholesky, sparse LU; optionally transposed for left eigenvectors). Two entries:
//!
//! * [`symmetric`]: A symmetric (`partial_self_adjoint_eigen`): real pairs, λ = σ + 1/μ, ascending.
//! * [`nonsymmetric`]: A general ([`crate::krylov_schur`], a small subspace; faer's
//!   `partial_eigen` as the fallback): complex pairs λ = σ + 1/μ by decreasing |μ|.

use crate::error::{EngineError, Result};
use crate::krylov_schur::{self, KrylovSchurParams};
use dyn_stack::{MemBuffer, MemStack};
use faer::linalg::solvers::Solve;
use faer::matrix_free::eigen::{
    partial_eigen, partial_eigen_scratch, partial_self_adjoint_eigen, partial_self_adjoint_eigen_scratch,
    PartialEigenParams,
};
use faer::matrix_free::LinOp;
use faer::{c64, Col, Mat, MatMut, MatRef, Par};

/// Krylov–Schur restarts allowed before the solve is reported as not converged.
pub const MAX_RESTARTS: usize = 2000;

/// Relative tolerance of a symmetric Ritz pair (the residual bound is computed afterwards).
pub const SYMMETRIC_TOLERANCE: f64 = 1e-14;

/// Relative tolerance of a non-symmetric Ritz pair.
pub const NONSYMMETRIC_TOLERANCE: f64 = 1e-13;

/// (A − σI)^{-1}, or its transpose, as a linear operator applied through a factorisation of
/// A − σI (a sparse Cholesky for symmetric A, a sparse LU otherwise).
#[derive(Debug)]
pub struct ShiftInvert<F> {
    factor: F,
    n: usize,
    transpose: bool,
}

impl<F> ShiftInvert<F> {
    /// (A − σI)^{-1} from the factorisation of an n×n shifted matrix.
    pub fn new(factor: F, n: usize) -> Self {
        ShiftInvert { factor, n, transpose: false }
    }
    /// The transpose (A − σI)^{-T} through the same factorisation (its eigenvectors are A's left
    /// eigenvectors).
    pub fn transposed(self) -> Self {
        ShiftInvert { transpose: !self.transpose, ..self }
    }
}

impl<F: Solve<f64> + Sync + std::fmt::Debug> LinOp<f64> for ShiftInvert<F> {
    fn apply_scratch(&self, _rhs_ncols: usize, _par: Par) -> faer::dyn_stack::StackReq {
        faer::dyn_stack::StackReq::EMPTY
    }
    fn nrows(&self) -> usize {
        self.n
    }
    fn ncols(&self) -> usize {
        self.n
    }
    fn apply(&self, mut out: MatMut<'_, f64>, rhs: MatRef<'_, f64>, _par: Par, _stack: &mut MemStack) {
        out.copy_from(rhs);
        if self.transpose {
            self.factor.solve_transpose_in_place(out);
        } else {
            self.factor.solve_in_place(out);
        }
    }
    fn conj_apply(&self, out: MatMut<'_, f64>, rhs: MatRef<'_, f64>, par: Par, stack: &mut MemStack) {
        self.apply(out, rhs, par, stack);
    }
}

/// A fixed, dense, non-symmetric Krylov start vector (reproducible runs).
pub fn krylov_start(n: usize) -> Col<f64> {
    Col::<f64>::from_fn(n, |i| 1.0 + ((i * 7919) % 101) as f64 / 101.0)
}

/// Fails unless Krylov–Schur converged all `want` pairs.
fn check_converged(converged: usize, want: usize) -> Result<()> {
    if converged >= want {
        return Ok(());
    }
    Err(EngineError::NotConverged(format!("shift-invert Krylov–Schur converged {converged} of {want} eigenvalues")))
}

/// The `want` eigenvalues λ = σ + 1/μ of a symmetric A nearest `shift` (ascending) and their
/// eigenvectors (columns), from the symmetric operator `op` = (A − σI)^{-1}.
pub fn symmetric(op: &impl LinOp<f64>, want: usize, shift: f64) -> Result<(Vec<f64>, Mat<f64>)> {
    let n = op.nrows();
    let want = want.min(n);
    let params = PartialEigenParams { max_restarts: MAX_RESTARTS, ..Default::default() };
    let par = Par::Seq;
    let mut buf = MemBuffer::new(partial_self_adjoint_eigen_scratch(op, want, par, params));
    let mut vecs = Mat::<f64>::zeros(n, want);
    let mut mus = vec![0.0; want];
    let v0 = krylov_start(n);
    let stack = MemStack::new(&mut buf);
    let info =
        partial_self_adjoint_eigen(vecs.as_mut(), &mut mus, op, v0.as_ref(), SYMMETRIC_TOLERANCE, par, stack, params);
    check_converged(info.n_converged_eigen, want)?;
    let mut pairs: Vec<(f64, usize)> = mus.iter().enumerate().map(|(i, mu)| (shift + 1.0 / mu, i)).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let vectors = Mat::<f64>::from_fn(n, want, |r, c| vecs[(r, pairs[c].1)]);
    Ok((pairs.iter().map(|p| p.0).collect(), vectors))
}

/// The `want` eigenvalues λ = σ + 1/μ of a general A nearest `shift` and their eigenvectors
/// (columns), from `op` = (A − σI)^{-1} or (A − σI)^{-T} (then A's left eigenvectors): the `want`
/// μ of largest modulus, each Ritz pair converged to |h_{m+1,m} e_mᵀy| ≤ [`NONSYMMETRIC_TOLERANCE`]·|μ|
/// (‖y‖ = 1), by decreasing |μ|, a conjugate pair as μ (Im μ > 0) then μ̄. Solved by the
/// small-subspace Krylov–Schur ([`crate::krylov_schur`], want + max(want, 8) + 4 vectors); when that
/// declines (subspace not smaller than A, Arnoldi breakdown, a restart subspace not invariant to
/// rounding, no convergence) by faer's `partial_eigen` (at least 32 and up to 2·want + 20 or 64
/// vectors, dense when that reaches n), whose failure to converge is the error.
pub fn nonsymmetric(op: &impl LinOp<f64>, want: usize, shift: f64) -> Result<(Vec<c64>, Mat<c64>)> {
    let n = op.nrows();
    let want = want.min(n);
    let params = KrylovSchurParams::for_want(want);
    let start = krylov_start(n);
    let (mus, vecs) = match krylov_schur::largest_modulus(op, start.as_ref(), want, NONSYMMETRIC_TOLERANCE, params) {
        Ok(found) => (found.values, found.vectors),
        Err(_) => faer_nonsymmetric(op, want)?,
    };
    Ok((mus.iter().map(|mu| c64::new(shift, 0.0) + mu.inv()).collect(), vecs))
}

/// The `want` μ of largest modulus of a general `op` and their eigenvectors by faer's
/// Krylov–Schur (`partial_eigen`, subspace of at most 2·want + 20 vectors but never fewer than
/// 32 / 64), converged to the absolute Ritz residual [`NONSYMMETRIC_TOLERANCE`].
fn faer_nonsymmetric(op: &impl LinOp<f64>, want: usize) -> Result<(Vec<c64>, Mat<c64>)> {
    let n = op.nrows();
    let params =
        PartialEigenParams { max_restarts: MAX_RESTARTS, max_dim: (2 * want + 20).min(n), ..Default::default() };
    let par = Par::Seq;
    let mut buf = MemBuffer::new(partial_eigen_scratch(op, want, par, params));
    let mut vecs = Mat::<c64>::zeros(n, want);
    let mut mus = vec![c64::new(0.0, 0.0); want];
    let v0 = krylov_start(n);
    let stack = MemStack::new(&mut buf);
    let info = partial_eigen(vecs.as_mut(), &mut mus, op, v0.as_ref(), NONSYMMETRIC_TOLERANCE, par, stack, params);
    check_converged(info.n_converged_eigen, want)?;
    Ok((mus, vecs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::{SparseColMat, Triplet};
    use faer::Side;

    /// The tridiagonal matrix of −u'' + p·2(n+1)·u' (centred, Dirichlet) on n interior points of
    /// (0, 1): diagonal 2h⁻², off-diagonals −(1 ± p)h⁻². Its eigenvalues are exactly
    /// 2h⁻²(1 − √(1 − p²) cos(kπ/(n+1))), k = 1..n; p = 0 is the symmetric Laplacian. Its
    /// eigenvector matrix has condition ≈ ((1 + p)/(1 − p))^{n/2}: a small p keeps it moderate.
    fn convection(n: usize, p: f64) -> SparseColMat<usize, f64> {
        let h2 = ((n + 1) * (n + 1)) as f64;
        let mut t = Vec::new();
        for i in 0..n {
            t.push(Triplet::new(i, i, 2.0 * h2));
            if i + 1 < n {
                t.push(Triplet::new(i, i + 1, -(1.0 - p) * h2));
                t.push(Triplet::new(i + 1, i, -(1.0 + p) * h2));
            }
        }
        SparseColMat::try_new_from_triplets(n, n, &t).unwrap()
    }

    fn exact(n: usize, p: f64, k: usize) -> f64 {
        let h2 = ((n + 1) * (n + 1)) as f64;
        2.0 * h2 * (1.0 - (1.0 - p * p).sqrt() * (k as f64 * std::f64::consts::PI / (n + 1) as f64).cos())
    }

    #[test]
    fn symmetric_entry_finds_the_lowest_of_a_known_spectrum() {
        let n = 400;
        let a = crate::eigen::shifted(&convection(n, 0.0), -1.0).unwrap();
        let op = ShiftInvert::new(a.sp_cholesky(Side::Lower).unwrap(), n);
        let (values, vectors) = symmetric(&op, 4, -1.0).unwrap();
        for (k, v) in values.iter().enumerate() {
            let truth = exact(n, 0.0, k + 1);
            assert!((v - truth).abs() <= 1e-9 * truth, "{k}: {v} vs {truth}");
        }
        assert_eq!(vectors.ncols(), 4);
    }

    #[test]
    fn nonsymmetric_entry_and_its_transpose_find_a_known_spectrum() {
        let (n, p) = (300, 0.02);
        let a = crate::eigen::shifted(&convection(n, p), -1.0).unwrap();
        let op = ShiftInvert::new(a.sp_lu().unwrap(), n);
        let (right, _) = nonsymmetric(&op, 3, -1.0).unwrap();
        let (left, _) = nonsymmetric(&op.transposed(), 3, -1.0).unwrap();
        for values in [right, left] {
            let mut re: Vec<f64> = values.iter().map(|v| v.re).collect();
            re.sort_by(f64::total_cmp);
            for (k, v) in re.iter().enumerate() {
                let truth = exact(n, p, k + 1);
                assert!((v - truth).abs() <= 1e-9 * truth, "{k}: {v} vs {truth}");
            }
            assert!(values.iter().all(|v| v.im.abs() <= 1e-9 * v.re), "{values:?}");
        }
    }
}

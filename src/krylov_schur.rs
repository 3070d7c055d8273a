//! Thick-restart Krylov–Schur with a small subspace for the eigenvalues of largest modulus of a
//! real non-symmetric operator (Stewart 2001, "A Krylov–Schur algorithm for large
//! eigenproblems", SIAM J. Matrix Anal. Appl. 23, 601–614). The method keeps a Krylov
//! decomposition (Stewart §2)
//!
//! A V_m = V_m S_m + v_{m+1} bᵀ,  V_{m+1} = [V_m v_{m+1}] orthonormal,  S_m ∈ ℝ^{m×m},
//!
//! extends it by Arnoldi steps to `max_dim` columns, and restarts it on the real invariant subspace
//! of S_m spanned by the wanted Ritz vectors and a few more: with Q an orthonormal basis of the
//! real and imaginary parts of those eigenvectors of S_m (S_m Q = Q S_k to rounding, checked),
//! A (V_m Q) = (V_m Q)(QᵀS_m Q) + v_{m+1}(bᵀQ) is again a Krylov decomposition (Stewart §3, with a
//! full instead of a triangular Rayleigh quotient). A Ritz pair (θ, V_m y) has the residual
//! ‖A V_m y − θ V_m y‖ = |bᵀy| for ‖y‖ = 1 (Stewart §2): the solve stops when every wanted
//! pair has |bᵀy| ≤ tol·|θ|.
//!
//! faer's `partial_eigen` does the same with a subspace of at least 32 and up to 64 vectors,
//! whatever is asked; here the subspace is `want` + max(`want`, 8) + 4 vectors
//! ([`KrylovSchurParams::for_want`]): for a shift-invert operator with a few wanted eigenvalues
//! the dense work per restart (Schur decomposition of the projected matrix, basis update) shrinks
//! with the subspace, while the number of operator applications stays about the same.

use crate::error::{EngineError, Result};
use dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::{evd_real, evd_scratch, ComputeEigenvectors};
use faer::linalg::matmul::matmul;
use faer::matrix_free::LinOp;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{c64, Accum, Col, ColRef, Mat, MatMut, MatRef, Par};

/// Sizes of the Krylov–Schur iteration.
#[derive(Debug, Clone, Copy)]
pub struct KrylovSchurParams {
    /// Krylov subspace dimension m at which the decomposition is restarted.
    pub max_dim: usize,
    /// Ritz vectors kept at a restart (at least the wanted ones, a conjugate pair never split).
    pub keep: usize,
    /// Restarts allowed before the solve is reported as not converged.
    pub max_restarts: usize,
}

impl KrylovSchurParams {
    /// For `want` eigenvalues: m = want + e with e = max(want, 8) + 4, restart to want + e/3
    /// (want = 10: m = 24, keep 14; on the kinetic double-well sectors of 100–530 functions this
    /// took the fewest operator applications and the least time of m ∈ [20, 28], keep ∈
    /// [want + 2, want + 8]).
    pub fn for_want(want: usize) -> Self {
        let extra = want.max(8) + 4;
        KrylovSchurParams { max_dim: want + extra, keep: want + extra / 3, max_restarts: 500 }
    }
}

/// The wanted eigenpairs of the operator and what their computation took.
#[derive(Debug, Clone)]
pub struct RitzPairs {
    /// Eigenvalues θ, by decreasing |θ|; a conjugate pair as θ (Im θ > 0) then θ̄, the last
    /// one alone when the pair straddles the `want`-th place.
    pub values: Vec<c64>,
    /// Unit eigenvectors, one column per value.
    pub vectors: Mat<c64>,
    /// Restarts done.
    pub restarts: usize,
    /// Applications of the operator.
    pub applications: usize,
}

/// A real Ritz value or a conjugate pair θ, θ̄ of the projected matrix S_m: its eigenvector is
/// column `col` of the real eigenvector matrix, plus i·column `col + 1` for a pair (Im θ > 0).
#[derive(Debug, Clone, Copy)]
struct Ritz {
    value: c64,
    col: usize,
    pair: bool,
    /// |bᵀy|/‖y‖, the residual norm ‖A V_m y − θ V_m y‖/‖y‖ of the Ritz pair (module docs).
    residual: f64,
}

impl Ritz {
    fn size(&self) -> usize {
        if self.pair {
            2
        } else {
            1
        }
    }
    fn converged(&self, tol: f64) -> bool {
        self.residual <= tol * self.value.norm()
    }
}

/// The `want` eigenvalues of largest modulus of the real operator `op` and their eigenvectors,
/// every one with Ritz residual ≤ `tol`·|θ|, by thick-restart Krylov–Schur from `start` (module
/// docs). Errors ([`EngineError::NotConverged`]) when the subspace would not be smaller than the
/// operator, at an Arnoldi breakdown, when a restart's kept subspace is not invariant for S_m to
/// rounding, or after `max_restarts` restarts: the caller then has a dense or a larger-subspace
/// solver to fall back on.
pub fn largest_modulus(
    op: &impl LinOp<f64>,
    start: ColRef<'_, f64>,
    want: usize,
    tol: f64,
    params: KrylovSchurParams,
) -> Result<RitzPairs> {
    let (n, m) = (op.nrows(), params.max_dim);
    if want == 0 || m + 1 > n || want + 2 > m {
        return Err(not_converged(format!("subspace {m} for {want} eigenvalues of an operator of order {n}")));
    }
    let mut buf = MemBuffer::new(op.apply_scratch(1, Par::Seq));
    let stack = MemStack::new(&mut buf);
    let mut basis = Mat::<f64>::zeros(n, m + 1);
    let mut proj = Mat::<f64>::zeros(m + 1, m);
    let norm = start.norm_l2();
    basis.col_mut(0).copy_from(start);
    basis.col_mut(0).iter_mut().for_each(|x| *x /= norm);
    let (mut kept, mut applications) = (0, 0);
    for restarts in 0..=params.max_restarts {
        expand(op, basis.as_mut(), proj.as_mut(), kept, stack)?;
        applications += m - kept;
        let (ritz, vectors) = ritz_pairs(proj.as_ref())?;
        let wanted = leading(&ritz, want);
        if ritz[..wanted].iter().all(|r| r.converged(tol)) {
            let (values, vectors) = eigenpairs(basis.as_ref().subcols(0, m), &ritz, vectors.as_ref(), want);
            return Ok(RitzPairs { values, vectors, restarts, applications });
        }
        let keep = leading(&ritz, params.keep.max(want)).max(wanted);
        kept = restart(basis.as_mut(), proj.as_mut(), &ritz[..keep], vectors.as_ref())?;
        if kept >= m {
            return Err(not_converged(format!("restart keeps {kept} vectors of a subspace of {m}")));
        }
    }
    Err(not_converged(format!("small-subspace Krylov–Schur: {} restarts", params.max_restarts)))
}

fn not_converged(what: String) -> EngineError {
    EngineError::NotConverged(what)
}

/// Arnoldi steps j = `from` … m − 1 on the decomposition (module docs): v_{j+1} h_{j+1,j} =
/// A v_j − Σ_{i≤j} v_i h_{ij}, the h_{ij} = v_iᵀ A v_j by classical Gram–Schmidt applied twice (the
/// second pass restores orthogonality to rounding), stored in column j of `proj`.
fn expand(
    op: &impl LinOp<f64>,
    mut basis: MatMut<'_, f64>,
    mut proj: MatMut<'_, f64>,
    from: usize,
    stack: &mut MemStack,
) -> Result<()> {
    for j in from..proj.ncols() {
        let (done, rest) = basis.rb_mut().split_at_col_mut(j + 1);
        let mut next = rest.col_mut(0);
        op.apply(next.rb_mut().as_mat_mut(), done.rb().col(j).as_mat(), Par::Seq, stack);
        let mut h = Col::<f64>::zeros(j + 1);
        for _pass in 0..2 {
            let mut c = Col::<f64>::zeros(j + 1);
            matmul(c.as_mat_mut(), Accum::Replace, done.rb().transpose(), next.rb().as_mat(), 1.0, Par::Seq);
            matmul(next.rb_mut().as_mat_mut(), Accum::Add, done.rb(), c.as_mat(), -1.0, Par::Seq);
            h += &c;
        }
        let norm = next.norm_l2();
        let grown = norm > 1e3 * f64::EPSILON * h.norm_l2();
        if !grown {
            return Err(not_converged(format!("Arnoldi breakdown at step {j}")));
        }
        next.iter_mut().for_each(|x| *x /= norm);
        let mut column = proj.rb_mut().col_mut(j);
        column.fill(0.0);
        column.rb_mut().subrows_mut(0, j + 1).copy_from(&h);
        column[j + 1] = norm;
    }
    Ok(())
}

/// The eigenvalues of the projected matrix S_m (the leading m×m block of `proj`) by decreasing
/// modulus, one entry per conjugate pair, with their residual norms |bᵀy|/‖y‖ (b the last row of
/// `proj`), and S_m's real eigenvectors (faer's real EVD: a pair as real and imaginary parts).
fn ritz_pairs(proj: MatRef<'_, f64>) -> Result<(Vec<Ritz>, Mat<f64>)> {
    let m = proj.ncols();
    let (mut re, mut im) = (faer::diag::Diag::<f64>::zeros(m), faer::diag::Diag::<f64>::zeros(m));
    let mut vectors = Mat::<f64>::zeros(m, m);
    let par = Par::Seq;
    let scratch = evd_scratch::<f64>(m, ComputeEigenvectors::No, ComputeEigenvectors::Yes, par, Default::default());
    let mut buf = MemBuffer::new(scratch);
    let stack = MemStack::new(&mut buf);
    let s = proj.subrows(0, m);
    evd_real(s, re.as_mut(), im.as_mut(), None, Some(vectors.as_mut()), par, stack, Default::default())
        .map_err(|e| EngineError::Numerical(format!("projected eigen-solve failed: {e:?}")))?;
    let (re, im) = (re.column_vector(), im.column_vector());
    let b = proj.row(m);
    let mut ritz = Vec::with_capacity(m);
    let mut col = 0;
    while col < m {
        let pair = im[col] != 0.0 && col + 1 < m;
        if pair && im[col] < 0.0 {
            vectors.col_mut(col + 1).iter_mut().for_each(|x| *x = -*x);
        }
        let (y_re, by_re) = (vectors.col(col), b * vectors.col(col));
        let residual = if pair {
            let (y_im, by_im) = (vectors.col(col + 1), b * vectors.col(col + 1));
            by_re.hypot(by_im) / y_re.norm_l2().hypot(y_im.norm_l2())
        } else {
            by_re.abs() / y_re.norm_l2()
        };
        ritz.push(Ritz { value: c64::new(re[col], im[col].abs()), col, pair, residual });
        col += if pair { 2 } else { 1 };
    }
    ritz.sort_by(|a, b| b.value.norm().total_cmp(&a.value.norm()));
    Ok((ritz, vectors))
}

/// The number of leading entries of `ritz` that hold at least `count` eigenvalues (a conjugate
/// pair counts two and is never split).
fn leading(ritz: &[Ritz], count: usize) -> usize {
    let mut held = 0;
    for (i, r) in ritz.iter().enumerate() {
        if held >= count {
            return i;
        }
        held += r.size();
    }
    ritz.len()
}

/// The real basis of the Ritz vectors of `ritz` in S_m's eigenvector matrix `vectors`.
fn real_parts(ritz: &[Ritz], vectors: MatRef<'_, f64>) -> Mat<f64> {
    let cols: Vec<usize> =
        ritz.iter().flat_map(|r| if r.pair { vec![r.col, r.col + 1] } else { vec![r.col] }).collect();
    Mat::<f64>::from_fn(vectors.nrows(), cols.len(), |i, c| vectors[(i, cols[c])])
}

/// Restarts the decomposition on the invariant subspace of S_m spanned by the Ritz vectors of
/// `kept` (Stewart §3, module docs): Q = thin-QR factor of their real and imaginary parts,
/// V_k = V_m Q, S_k = QᵀS_m Q, bᵀ ← bᵀQ, v_{k+1} = v_{m+1}. Refuses (error) when
/// ‖S_m Q − Q S_k‖_F exceeds 8·m·ε‖S_m‖_F, the subspace then not being invariant to rounding
/// (nearly parallel Ritz vectors; on the kinetic sectors the defect stays below 3ε‖S_m‖_F).
/// Returns k.
fn restart(
    mut basis: MatMut<'_, f64>,
    mut proj: MatMut<'_, f64>,
    kept: &[Ritz],
    vectors: MatRef<'_, f64>,
) -> Result<usize> {
    let m = proj.ncols();
    let q = real_parts(kept, vectors).qr().compute_thin_Q();
    let k = q.ncols();
    let s = proj.rb().subrows(0, m);
    let sq = s * &q;
    let sk = q.transpose() * &sq;
    let defect = (&sq - &q * &sk).norm_l2();
    let invariant = defect <= 8.0 * m as f64 * f64::EPSILON * s.norm_l2();
    if !invariant {
        return Err(not_converged(format!("restart subspace not invariant: defect {defect:.2e}")));
    }
    let b = proj.rb().row(m) * &q;
    let vk = basis.rb().subcols(0, m) * &q;
    basis.rb_mut().subcols_mut(0, k).copy_from(&vk);
    let (mut next, residual) = basis.rb_mut().two_cols_mut(k, m);
    next.copy_from(residual);
    proj.fill(0.0);
    proj.rb_mut().submatrix_mut(0, 0, k, k).copy_from(&sk);
    proj.rb_mut().row_mut(k).subcols_mut(0, k).copy_from(&b);
    Ok(k)
}

/// The first `want` eigenpairs (θ, V_m y/‖V_m y‖) of the sorted `ritz`, a pair as θ then θ̄ with
/// conjugate vectors.
fn eigenpairs(basis: MatRef<'_, f64>, ritz: &[Ritz], vectors: MatRef<'_, f64>, want: usize) -> (Vec<c64>, Mat<c64>) {
    let used = &ritz[..leading(ritz, want)];
    let x = basis * real_parts(used, vectors);
    let mut values = Vec::with_capacity(want + 1);
    let mut columns: Vec<Col<c64>> = Vec::with_capacity(want + 1);
    let mut c = 0;
    for r in used {
        if r.pair {
            let z = Col::<c64>::from_fn(x.nrows(), |i| c64::new(x[(i, c)], x[(i, c + 1)]));
            let conjugate = z.iter().map(|v| v.conj()).collect();
            values.extend([r.value, r.value.conj()]);
            columns.extend([z, conjugate]);
        } else {
            values.push(r.value);
            columns.push(Col::<c64>::from_fn(x.nrows(), |i| c64::new(x[(i, c)], 0.0)));
        }
        c += r.size();
    }
    values.truncate(want);
    let norms: Vec<f64> = columns.iter().map(|z| z.norm_l2()).collect();
    let vectors = Mat::<c64>::from_fn(x.nrows(), want, |i, j| columns[j][i] / norms[j]);
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::{SparseColMat, Triplet};

    /// A block-diagonal real matrix: 2×2 blocks [[a, 4s], [−s/4, a]] (eigenvalues a ± i·s, not
    /// normal) for a = −0.1 − 0.15i, s = 0.5 + 0.05i, i < pairs, then 1×1 blocks
    /// r = −0.05 − 0.13j, j < reals. Returns it and its exact eigenvalues.
    fn blocks(pairs: usize, reals: usize) -> (SparseColMat<usize, f64>, Vec<c64>) {
        let (mut t, mut exact) = (Vec::new(), Vec::new());
        for i in 0..pairs {
            let (a, s, r) = (-0.1 - 0.15 * i as f64, 0.5 + 0.05 * i as f64, 2 * i);
            t.extend([Triplet::new(r, r, a), Triplet::new(r + 1, r + 1, a)]);
            t.extend([Triplet::new(r, r + 1, 4.0 * s), Triplet::new(r + 1, r, -s / 4.0)]);
            exact.extend([c64::new(a, s), c64::new(a, -s)]);
        }
        for j in 0..reals {
            let (r, value) = (2 * pairs + j, -0.05 - 0.13 * j as f64);
            t.push(Triplet::new(r, r, value));
            exact.push(c64::new(value, 0.0));
        }
        let n = 2 * pairs + reals;
        (SparseColMat::try_new_from_triplets(n, n, &t).unwrap(), exact)
    }

    /// ‖Ax − λx‖ for a unit x.
    fn residual(a: &SparseColMat<usize, f64>, x: faer::ColRef<'_, c64>, lambda: c64) -> f64 {
        let dense = a.to_dense();
        (0..a.nrows())
            .map(|i| ((0..a.ncols()).map(|j| x[j] * dense[(i, j)]).sum::<c64>() - lambda * x[i]).norm_sqr())
            .sum::<f64>()
            .sqrt()
    }

    #[test]
    fn shift_invert_finds_a_known_non_normal_spectrum_with_a_pair_at_the_edge() {
        let (a, exact) = blocks(40, 160);
        let shift = 0.2;
        let n = a.nrows();
        let mu = |l: c64| (l - c64::new(shift, 0.0)).inv();
        let mut nearest = exact.clone();
        nearest.sort_by(|x, y| mu(*y).norm().total_cmp(&mu(*x).norm()));
        // The smallest `want` ≥ 6 whose last eigenvalue is one half of a pair.
        let want = (6..20).find(|&w| nearest[w - 1].im != 0.0 && nearest[w].im == -nearest[w - 1].im).unwrap();
        let op = crate::shift_invert::ShiftInvert::new(crate::eigen::shifted(&a, shift).unwrap().sp_lu().unwrap(), n);
        let found = largest_modulus(
            &op,
            crate::shift_invert::krylov_start(n).as_ref(),
            want,
            1e-13,
            KrylovSchurParams::for_want(want),
        )
        .unwrap();
        assert_eq!(found.values.len(), want);
        for (i, theta) in found.values.iter().enumerate() {
            let lambda = c64::new(shift, 0.0) + theta.inv();
            let truth = nearest[..want + 1].iter().map(|e| (e - lambda).norm()).fold(f64::INFINITY, f64::min);
            assert!(truth <= 1e-10, "{i}: {lambda} is {truth:.1e} from the nearest exact eigenvalues");
            assert!(residual(&a, found.vectors.col(i), lambda) <= 1e-10, "{i}: {lambda}");
        }
        // The pair straddling the edge is converged whole: its upper half is the last value.
        assert!(found.values[want - 1].im > 0.0 && found.values[want - 2] != found.values[want - 1].conj());
        let mut sorted: Vec<f64> = found.values.iter().map(|t| t.norm()).collect();
        sorted.dedup();
        assert!(sorted.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn agrees_with_faer_partial_eigen_on_a_non_normal_operator() {
        use faer::matrix_free::eigen::{partial_eigen, partial_eigen_scratch, PartialEigenParams};
        let (a, _) = blocks(60, 100);
        let (n, want, shift) = (a.nrows(), 10, 0.3);
        let op = crate::shift_invert::ShiftInvert::new(crate::eigen::shifted(&a, shift).unwrap().sp_lu().unwrap(), n);
        let v0 = crate::shift_invert::krylov_start(n);
        let ours = largest_modulus(&op, v0.as_ref(), want, 1e-13, KrylovSchurParams::for_want(want)).unwrap();
        let params = PartialEigenParams { max_restarts: 2000, ..Default::default() };
        let mut buf = MemBuffer::new(partial_eigen_scratch(&op, want, Par::Seq, params));
        let mut vecs = Mat::<c64>::zeros(n, want);
        let mut theirs = vec![c64::new(0.0, 0.0); want];
        let stack = MemStack::new(&mut buf);
        let info = partial_eigen(vecs.as_mut(), &mut theirs, &op, v0.as_ref(), 1e-13, Par::Seq, stack, params);
        assert_eq!(info.n_converged_eigen, want);
        for (i, (x, y)) in ours.values.iter().zip(&theirs).enumerate() {
            assert!((x - y).norm() <= 1e-10 * x.norm(), "{i}: ours {x}, faer {y}");
        }
    }
}

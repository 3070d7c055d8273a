//! Eigen-solves: the lowest eigenpairs of the symmetric operators of the engine.
//!
//! * [`lowest_from_factor`]: dense, from a factor B with H = BᵀB (QR, then the SVD of R). The
//!   small eigenvalues λ = σ² keep relative accuracy because σ has absolute error ~ ε‖B‖ = ε‖H‖^{1/2}.
//! * [`lowest_dense`]: dense symmetric eigen-solve of H.
//! * [`lowest_sparse`]: Krylov–Schur on the shift-inverted operator (H − σI)^{-1}, applied through
//!   a sparse Cholesky factorisation; eigenvalues μ map back to σ + 1/μ.

use crate::error::{EngineError, Result};
use crate::rounding::gamma;
pub use crate::shift_invert::{krylov_start, ShiftInvert};
use dyn_stack::{MemBuffer, MemStack};
use faer::sparse::{SparseColMat, Triplet};
use faer::{Mat, MatRef, Side};

/// The k lowest eigenvalues (ascending) and eigenvectors (columns) of a symmetric operator,
/// with a rounding-error bound for each eigenvalue.
#[derive(Debug, Clone)]
pub struct Eigenpairs {
    /// Eigenvalues, ascending.
    pub values: Vec<f64>,
    /// Eigenvectors as columns, in basis coordinates.
    pub vectors: Mat<f64>,
    /// Bound on the rounding error of each eigenvalue.
    pub rounding: Vec<f64>,
}

/// Floating-point operations per second assumed by the time predictions (measured on the
/// dense and sparse solves of this engine, two cores: 1e10 within a factor of about 2).
pub const FLOPS_PER_SECOND: f64 = 1e10;

/// Longest predicted time of one solve; a longer one is refused like one over the memory budget
/// (`EngineError::TooLarge`), which ends a resolution study with the levels so far.
pub const MAX_SOLVE_SECONDS: f64 = 600.0;

/// Refuses a solve predicted to take longer than [`MAX_SOLVE_SECONDS`], saying how long.
pub fn check_time(what: &str, seconds: f64, hint: &str) -> Result<()> {
    if seconds.is_finite() && seconds <= MAX_SOLVE_SECONDS {
        return Ok(());
    }
    Err(EngineError::TooLarge(format!(
        "{what} would take longer than the limit of {} s per solve ({hint})",
        MAX_SOLVE_SECONDS
    )))
}

/// A predicted duration in short human form: "under a second", "about 40 s", "about 12 min",
/// "about 3.1 h".
pub fn duration_text(seconds: f64) -> String {
    if !seconds.is_finite() {
        "an unbounded time".into()
    } else if seconds < 1.0 {
        "under a second".into()
    } else if seconds < 120.0 {
        format!("about {seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("about {:.0} min", seconds / 60.0)
    } else {
        format!("about {:.1} h", seconds / 3600.0)
    }
}

/// Lowest k eigenpairs of H = BᵀB from the factor B (rows ≥ cols).
pub fn lowest_from_factor(b: MatRef<'_, f64>, k: usize) -> Result<Eigenpairs> {
    lowest_from_owned_factor(b.to_owned(), k)
}

/// [`lowest_from_factor`] taking B by value: the QR factorisation runs in place in B's storage and
/// B is freed before the SVD, so the peak memory is B plus O(n²) (see [`factor_eigen_bytes`]).
pub fn lowest_from_owned_factor(mut b: Mat<f64>, k: usize) -> Result<Eigenpairs> {
    let n = b.ncols();
    let r = if b.nrows() > n {
        use faer::linalg::qr::no_pivoting::factor::{qr_in_place, qr_in_place_scratch, recommended_block_size};
        let par = faer::get_global_parallelism();
        let m = b.nrows();
        let block = recommended_block_size::<f64>(m, n);
        let mut q_coeff = Mat::<f64>::zeros(block, n);
        let mut buf = MemBuffer::new(qr_in_place_scratch::<f64>(m, n, block, par, Default::default()));
        qr_in_place(b.as_mut(), q_coeff.as_mut(), par, MemStack::new(&mut buf), Default::default());
        let r = Mat::<f64>::from_fn(n, n, |i, j| if i <= j { b[(i, j)] } else { 0.0 });
        drop(b);
        r
    } else {
        b
    };
    let svd = r.svd().map_err(|e| EngineError::Numerical(format!("SVD failed: {e:?}")))?;
    let s = svd.S().column_vector();
    let v = svd.V();
    let m = s.nrows();
    let sigma_max = s[0];
    let k = k.min(m);
    let eps = f64::EPSILON * (n as f64).sqrt() * 4.0;
    let mut values = Vec::with_capacity(k);
    let mut rounding = Vec::with_capacity(k);
    let mut vectors = Mat::<f64>::zeros(n, k);
    for i in 0..k {
        let col = m - 1 - i;
        let sig = s[col];
        values.push(sig * sig);
        rounding.push(2.0 * eps * sigma_max * (sig + eps * sigma_max));
        vectors.col_mut(i).copy_from(v.col(col));
    }
    Ok(Eigenpairs { values, vectors, rounding })
}

/// Bytes [`lowest_from_owned_factor`] allocates besides B itself for an n-column factor: the
/// Householder block coefficients, R, and the SVD of R (U, V and workspace).
pub fn factor_eigen_bytes(n: usize) -> f64 {
    let n = n as f64;
    8.0 * (2.0 * 256.0 * n + 7.0 * n * n)
}

/// Floating-point operations of [`lowest_from_owned_factor`]: Householder QR (2mn² − 2n³/3) and an
/// SVD of R with vectors (≈ 22n³).
pub fn factor_eigen_flops(rows: usize, n: usize) -> f64 {
    let (m, n) = (rows as f64, n as f64);
    2.0 * m * n * n - 2.0 * n * n * n / 3.0 + 22.0 * n * n * n
}

/// Bytes of the shift-invert Krylov–Schur solve of [`lowest_sparse`] for k eigenpairs of an n×n
/// problem besides the Cholesky factor: the Krylov basis and workspace, and the eigenvectors.
pub fn krylov_bytes(n: usize, k: usize) -> f64 {
    let max_dim = (2 * k).max(64).min(n) as f64;
    8.0 * (n as f64) * (3.0 * max_dim + 2.0 + 2.0 * k as f64) + 8.0 * 3.0 * max_dim * max_dim
}

/// Lowest k eigenpairs of a dense symmetric matrix.
pub fn lowest_dense(h: MatRef<'_, f64>, k: usize) -> Result<Eigenpairs> {
    let n = h.nrows();
    let evd = h
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| EngineError::Numerical(format!("symmetric eigen-solve failed: {e:?}")))?;
    let s = evd.S().column_vector();
    let norm = s.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let k = k.min(n);
    let vectors = evd.U().subcols(0, k).to_owned();
    let values = (0..k).map(|i| s[i]).collect();
    let rounding = vec![8.0 * f64::EPSILON * (n as f64).sqrt() * norm; k];
    Ok(Eigenpairs { values, vectors, rounding })
}

/// A symmetric sparse matrix given by its triplets (both triangles).
pub fn sparse_from_triplets(n: usize, triplets: &[Triplet<usize, usize, f64>]) -> Result<SparseColMat<usize, f64>> {
    SparseColMat::try_new_from_triplets(n, n, triplets)
        .map_err(|e| EngineError::Numerical(format!("sparse assembly failed: {e:?}")))
}

/// A − σI for a square sparse A.
pub fn shifted(a: &SparseColMat<usize, f64>, shift: f64) -> Result<SparseColMat<usize, f64>> {
    let n = a.nrows();
    let trip: Vec<_> = (0..n).map(|j| Triplet::new(j, j, -shift)).collect();
    Ok(a + &sparse_from_triplets(n, &trip)?)
}

/// Order up to which a sparse problem is solved with the dense solver.
pub const SMALL_SPARSE: usize = 256;

/// Lowest k eigenpairs of a sparse symmetric matrix whose spectrum lies above `shift`
/// (shift-invert Krylov–Schur).
pub fn lowest_sparse(h: &SparseColMat<usize, f64>, k: usize, shift: f64) -> Result<Eigenpairs> {
    let n = h.nrows();
    if n <= SMALL_SPARSE {
        // Krylov–Schur needs a subspace well below n; small problems are solved densely.
        let mut pairs = lowest_dense(h.to_dense().as_ref(), k)?;
        pairs.rounding =
            (0..pairs.values.len()).map(|c| residual_bound(h, pairs.vectors.col(c), pairs.values[c])).collect();
        return Ok(pairs);
    }
    let a = shifted(h, shift)?;
    // The exact size of the Cholesky factor, from its symbolic analysis, before allocating it.
    let symbolic = faer::sparse::linalg::cholesky::factorize_symbolic_cholesky(
        a.symbolic(),
        Side::Lower,
        Default::default(),
        Default::default(),
    )
    .map_err(|e| EngineError::TooLarge(format!("symbolic Cholesky of an order-{n} matrix failed: {e:?}")))?;
    let factor_len = symbolic.len_val() as f64;
    drop(symbolic);
    // Time: the factorisation (≈ Σ col-count² ≈ len²/n flops) and ≈ 1000 solves of 4·len flops
    // each in Krylov–Schur (measured: 0.4 µs per factor entry on the problems of BENCHMARKS.md).
    let seconds = (factor_len * factor_len / n as f64 + 4000.0 * factor_len) / FLOPS_PER_SECOND;
    let what = format!(
        "the sparse Cholesky factor ({} non-zeros) of an order-{n} operator ({})",
        crate::error::short(factor_len),
        duration_text(seconds)
    );
    let hint = "use a looser --tolerance or a smaller --count";
    crate::budget::check_memory(&what, 16.0 * factor_len + 24.0 * a.compute_nnz() as f64 + krylov_bytes(n, k), hint)?;
    check_time(&what, seconds, hint)?;
    let llt = a
        .sp_cholesky(Side::Lower)
        .map_err(|e| EngineError::Numerical(format!("sparse Cholesky of H − σI failed (σ = {shift}): {e:?}")))?;
    let (values, vectors) = crate::shift_invert::symmetric(&ShiftInvert::new(llt, n), k, shift)?;
    let want = values.len();
    let rounding = (0..want).map(|c| residual_bound(h, vectors.col(c), values[c])).collect();
    Ok(Eigenpairs { values, vectors, rounding })
}

/// A posteriori bound for a Ritz pair (θ, x) of the *stored* symmetric Ĥ: an eigenvalue of Ĥ lies
/// within ‖Ĥx − θx‖/‖x‖ of θ (Parlett, *The Symmetric Eigenvalue Problem*, Thm 4.5.1). The
/// residual r̂ = fl(Ĥx − θx) is itself rounded: row i is a sum of m_i + 1 rounded products, so
/// |r̂_i − r_i| ≤ γ_{m_i+1}(Σ_k |ĥ_ik x_k| + |θ x_i|) (Higham (3.5)); the bound is
///
///   (‖r̂‖ + γ_{m+1}‖|Ĥ||x| + |θ||x|‖) / ‖x‖ · (1 + 8γ_{n+m+4}) + 2^−1022,
///
/// m the most stored entries in a row, the last factor covering the rounding of the three norms
/// and of the sums |Ĥ||x| (each a sum of at most n + m non-negative rounded terms), the last term
/// gradual underflow. The rounding of Ĥ's own entries is [`entry_error_bound`].
#[allow(clippy::needless_range_loop)]
pub fn residual_bound(h: &SparseColMat<usize, f64>, x: faer::ColRef<'_, f64>, theta: f64) -> f64 {
    let n = h.nrows();
    let mut r = vec![0.0; n];
    let mut a: Vec<f64> = (0..n).map(|i| (theta * x[i]).abs()).collect();
    let mut per_row = vec![1usize; n];
    let (sym, vals) = (h.symbolic(), h.val());
    for j in 0..n {
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            let i = sym.row_idx()[p];
            r[i] += vals[p] * x[j];
            a[i] += (vals[p] * x[j]).abs();
            per_row[i] += 1;
        }
    }
    let m = per_row.iter().copied().max().unwrap_or(1);
    let res: f64 = r.iter().enumerate().map(|(i, ri)| (ri - theta * x[i]).powi(2)).sum::<f64>().sqrt();
    let spread: f64 = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    let norms = 1.0 + 8.0 * gamma(n + m + 4);
    (res + gamma(m) * spread) / x.norm_l2() * norms + f64::MIN_POSITIVE
}

/// ‖E|x|‖/‖x‖ for an entrywise bound E ≥ |Ĥ − H| on the rounding of the stored matrix: with
/// (θ, x) a Ritz pair of Ĥ, ‖Hx − θx‖ ≤ ‖Ĥx − θx‖ + ‖(H − Ĥ)x‖ ≤ ‖Ĥx − θx‖ + ‖E|x|‖, so
/// [`residual_bound`] plus this bounds the distance from θ to an eigenvalue of the exact H
/// (small when x lives where the errors of H are small, unlike the normwise ‖E‖₂). The factor
/// 1 + 8γ_{n+m+2} covers the rounding of E|x| and of both norms (m: most entries in a row).
#[allow(clippy::needless_range_loop)]
pub fn entry_error_bound(e: &SparseColMat<usize, f64>, x: faer::ColRef<'_, f64>) -> f64 {
    let n = e.nrows();
    let mut ex = vec![0.0; n];
    let mut per_row = vec![0usize; n];
    let (sym, vals) = (e.symbolic(), e.val());
    for j in 0..n {
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            let i = sym.row_idx()[p];
            ex[i] += vals[p] * x[j].abs();
            per_row[i] += 1;
        }
    }
    let m = per_row.iter().copied().max().unwrap_or(0);
    let norm: f64 = ex.iter().map(|v| v * v).sum::<f64>().sqrt();
    norm / x.norm_l2() * (1.0 + 8.0 * gamma(n + m + 2))
}

/// Adds [`entry_error_bound`] of each eigenvector to the rounding bound of its eigenvalue (the
/// pairs of a Ĥ assembled with the entrywise error bound E), rounding the sum up.
pub fn add_entry_errors(pairs: &mut Eigenpairs, e: &SparseColMat<usize, f64>) {
    for c in 0..pairs.rounding.len() {
        let extra = entry_error_bound(e, pairs.vectors.col(c));
        pairs.rounding[c] = (pairs.rounding[c] + extra) * (1.0 + 4.0 * f64::EPSILON);
    }
}

/// Dense copy of a sparse matrix (for tests of the fast path against the slow one).
pub fn to_dense(h: &SparseColMat<usize, f64>) -> Mat<f64> {
    h.to_dense()
}

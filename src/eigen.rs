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

/// Order up to which the dense factorisations and eigen-solves of this module run on the calling
/// thread whatever faer's global parallelism: below it, waking the thread pool costs more than
/// the work it shares (and the numbers are those of the sequential `run` of every claim).
pub const SEQUENTIAL_UP_TO: usize = 256;

/// The parallelism of a dense step on n columns: sequential up to [`SEQUENTIAL_UP_TO`], faer's
/// global setting beyond.
fn parallelism(n: usize) -> faer::Par {
    if n <= SEQUENTIAL_UP_TO {
        faer::Par::Seq
    } else {
        faer::get_global_parallelism()
    }
}

/// Lowest k eigenpairs of H = BᵀB from the factor B (rows ≥ cols).
pub fn lowest_from_factor(b: MatRef<'_, f64>, k: usize) -> Result<Eigenpairs> {
    lowest_from_owned_factor(b.to_owned(), k)
}

/// [`lowest_from_factor`] taking B by value: the QR factorisation runs in place in B's storage and
/// B is freed before the SVD, so the peak memory is B plus O(n²) (see [`factor_eigen_bytes`]).
pub fn lowest_from_owned_factor(b: Mat<f64>, k: usize) -> Result<Eigenpairs> {
    lowest_from_triangular(triangular_factor(b), k)
}

/// The triangular factor R of B = QR (B itself when it has no more rows than columns), computed
/// in place in B's storage; B is freed before R is returned.
fn triangular_factor(mut b: Mat<f64>) -> Mat<f64> {
    let n = b.ncols();
    if b.nrows() <= n {
        return b;
    }
    use faer::linalg::qr::no_pivoting::factor::{qr_in_place, qr_in_place_scratch, recommended_block_size};
    let par = parallelism(n);
    let m = b.nrows();
    let block = recommended_block_size::<f64>(m, n);
    let mut q_coeff = Mat::<f64>::zeros(block, n);
    let mut buf = MemBuffer::new(qr_in_place_scratch::<f64>(m, n, block, par, Default::default()));
    qr_in_place(b.as_mut(), q_coeff.as_mut(), par, MemStack::new(&mut buf), Default::default());
    Mat::<f64>::from_fn(n, n, |i, j| if i <= j { b[(i, j)] } else { 0.0 })
}

/// Relative size of the rounding of a singular value of R: ε·4√n ([`lowest_from_triangular`]).
fn singular_rounding_unit(n: usize) -> f64 {
    f64::EPSILON * (n as f64).sqrt() * 4.0
}

/// The singular values (non-increasing) and right singular vectors V of R; the left ones are
/// not formed (H = RᵀR needs only V).
fn singular_values_and_right_vectors(r: MatRef<'_, f64>) -> Result<(faer::Col<f64>, Mat<f64>)> {
    use faer::linalg::svd::{svd, svd_scratch, ComputeSvdVectors};
    let (m, n) = r.shape();
    let par = parallelism(n);
    let mut s = faer::diag::Diag::<f64>::zeros(m.min(n));
    let mut v = Mat::<f64>::zeros(n, n);
    let scratch = svd_scratch::<f64>(m, n, ComputeSvdVectors::No, ComputeSvdVectors::Full, par, Default::default());
    let mut buf = MemBuffer::new(scratch);
    svd(r, s.as_mut(), None, Some(v.as_mut()), par, MemStack::new(&mut buf), Default::default())
        .map_err(|e| EngineError::Numerical(format!("SVD failed: {e:?}")))?;
    Ok((s.column_vector().to_owned(), v))
}

/// Lowest k eigenpairs of H = RᵀR from the SVD of R: λ = σ², rounding 2e·σ_max(σ + e·σ_max)
/// with e = 4√n·ε (σ has absolute error ~ e·σ_max).
fn lowest_from_triangular(r: Mat<f64>, k: usize) -> Result<Eigenpairs> {
    let n = r.ncols();
    let (s, v) = singular_values_and_right_vectors(r.as_ref())?;
    let m = s.nrows();
    let sigma_max = s[0];
    let k = k.min(m);
    let eps = singular_rounding_unit(n);
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

/// Order from which [`lowest_few_from_owned_factor`] solves for the few lowest pairs by
/// shift-invert Krylov–Schur instead of the QR of B and the full SVD of R (below it those are cheap).
pub const PARTIAL_FROM: usize = 400;

/// Lowest k eigenpairs of H = BᵀB from the factor B, for k ≪ n. The Gram matrix BᵀB (half the
/// flops of the QR of B) only finds the eigenvectors: Krylov–Schur on δ(BᵀB + δI)^{-1} (δ = −`shift`,
/// positive, below the spectrum), through the Cholesky factor of BᵀB/δ + I. Each eigenvalue is then the
/// Rayleigh quotient ‖Bv‖²/‖v‖² of B itself, whose error is second order in the error of v; its
/// rounding is that of the SVD path ([`lowest_from_owned_factor`], σ_max by power iteration) plus
/// ‖r‖²/gap for the residual r = Bᵀ(Bv) − λv. Falls back to QR + SVD below [`PARTIAL_FROM`], for
/// k > n/8, for a shift not below 0, and whenever the Cholesky factor or Krylov–Schur fails or
/// ‖r‖²/gap exceeds 1e-6·λ (the Gram matrix's rounding ε‖B‖² too large for the vectors).
pub fn lowest_few_from_owned_factor(b: Mat<f64>, k: usize, shift: f64) -> Result<Eigenpairs> {
    lowest_few_from_factor_and_gram(b, None, k, shift)
}

/// Whether [`lowest_few_from_owned_factor`] takes its partial path for an n-column factor (and
/// so uses a Gram matrix BᵀB).
pub fn partial_applies(n: usize, k: usize, shift: f64) -> bool {
    n >= PARTIAL_FROM && 8 * (k + 2) <= n && !shift.is_nan() && shift < 0.0
}

/// [`lowest_few_from_owned_factor`] with the Gram matrix BᵀB (lower triangle) when the caller has
/// it (computed from the structure of B, as [`crate::operator::Overdamped::factor_with_gram`]
/// does): it only finds the eigenvectors, the eigenvalues being Rayleigh quotients of B itself.
pub fn lowest_few_from_factor_and_gram(
    b: Mat<f64>,
    gram: Option<Mat<f64>>,
    k: usize,
    shift: f64,
) -> Result<Eigenpairs> {
    let n = b.ncols();
    if !partial_applies(n, k, shift) {
        return lowest_from_owned_factor(b, k);
    }
    match lowest_few_of_factor(b.as_ref(), gram, k, -shift) {
        Some(pairs) => Ok(pairs),
        None => lowest_from_owned_factor(b, k),
    }
}

/// The partial solve of [`lowest_few_from_owned_factor`]; None when it cannot be trusted.
fn lowest_few_of_factor(b: MatRef<'_, f64>, gram: Option<Mat<f64>>, k: usize, delta: f64) -> Option<Eigenpairs> {
    use faer::linalg::matmul::triangular::{matmul, BlockStructure};
    let n = b.ncols();
    let a = match gram {
        Some(mut g) if g.nrows() == n && g.ncols() == n => {
            for j in 0..n {
                for i in j..n {
                    g[(i, j)] *= 1.0 / delta;
                }
            }
            g
        }
        _ => {
            let mut a = Mat::<f64>::zeros(n, n);
            let rect = BlockStructure::Rectangular;
            let par = faer::get_global_parallelism();
            let lower = BlockStructure::TriangularLower;
            matmul(a.as_mut(), lower, faer::Accum::Replace, b.transpose(), rect, b, rect, 1.0 / delta, par);
            a
        }
    };
    let mut a = a;
    for j in 0..n {
        a[(j, j)] += 1.0;
        for i in 0..j {
            a[(i, j)] = a[(j, i)];
        }
    }
    let sigma_max = (delta * (largest_eigenvalue(a.as_ref()) - 1.0)).max(0.0).sqrt();
    let llt = a.llt(Side::Lower).ok()?;
    drop(a);
    let op = crate::shift_invert::ShiftInvert::new(llt, n);
    // One pair beyond the k wanted, for the gap of the last.
    let (_, found) = crate::shift_invert::symmetric(&op, k + 1, 0.0).ok()?;
    let mut pairs: Vec<(f64, faer::Col<f64>)> = (0..found.ncols())
        .map(|c| {
            let v = found.col(c).to_owned();
            let v = &v * faer::Scale(1.0 / v.norm_l2());
            ((b * &v).squared_norm_l2(), v)
        })
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let eps = singular_rounding_unit(n);
    let mut out = Eigenpairs { values: Vec::new(), vectors: Mat::zeros(n, k), rounding: Vec::new() };
    for (i, (lambda, v)) in pairs.iter().enumerate().take(k) {
        let residual = (b.transpose() * (b * v) - v * faer::Scale(*lambda)).norm_l2();
        let others = pairs.iter().enumerate().filter(|(j, _)| *j != i);
        let gap = others.map(|(_, p)| (p.0 - lambda).abs()).fold(f64::INFINITY, f64::min);
        let second_order = residual * residual / gap;
        // Relative to λ, or to the rounding level of a λ near 0 (a ground state).
        let trusted = second_order <= 1e-6 * lambda.abs().max(eps * sigma_max * sigma_max);
        if !trusted {
            return None;
        }
        let sigma = lambda.max(0.0).sqrt();
        out.values.push(*lambda);
        out.rounding.push(2.0 * eps * sigma_max * (sigma + eps * sigma_max) + second_order);
        out.vectors.col_mut(i).copy_from(v);
    }
    Some(out)
}

/// The largest eigenvalue of a symmetric positive definite A by 40 steps of power iteration (an
/// estimate from below, for rounding bounds).
fn largest_eigenvalue(a: MatRef<'_, f64>) -> f64 {
    let mut x = krylov_start(a.ncols());
    let mut value = 0.0;
    for _ in 0..40 {
        x = &x * faer::Scale(1.0 / x.norm_l2());
        let ax = a * &x;
        value = ax.norm_l2();
        x = ax;
    }
    value
}

/// Bytes [`lowest_from_owned_factor`] allocates besides B itself for an n-column factor: the
/// Householder block coefficients, R, and the SVD of R (V and workspace; the count still holds
/// an n×n U, no longer formed, so it stays an upper bound).
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

/// All eigenvalues (ascending) of a dense symmetric matrix from its lower triangle, and its
/// eigenvectors when `vectors` (faer's self-adjoint EVD, at [`parallelism`] of the order).
fn symmetric_evd(h: MatRef<'_, f64>, vectors: bool) -> Result<(Vec<f64>, Option<Mat<f64>>)> {
    use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
    let n = h.nrows();
    let par = parallelism(n);
    let compute = if vectors { ComputeEigenvectors::Yes } else { ComputeEigenvectors::No };
    let mut s = faer::diag::Diag::<f64>::zeros(n);
    let mut u = vectors.then(|| Mat::<f64>::zeros(n, n));
    let mut buf = MemBuffer::new(self_adjoint_evd_scratch::<f64>(n, compute, par, Default::default()));
    let stack = MemStack::new(&mut buf);
    self_adjoint_evd(h, s.as_mut(), u.as_mut().map(|u| u.as_mut()), par, stack, Default::default())
        .map_err(|e| EngineError::Numerical(format!("symmetric eigen-solve failed: {e:?}")))?;
    Ok((s.column_vector().iter().copied().collect(), u))
}

/// Lowest k eigenpairs of a dense symmetric matrix.
pub fn lowest_dense(h: MatRef<'_, f64>, k: usize) -> Result<Eigenpairs> {
    let n = h.nrows();
    let (s, u) = symmetric_evd(h, true)?;
    let u = u.ok_or_else(|| EngineError::Numerical("symmetric eigen-solve returned no vectors".into()))?;
    let norm = s.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let k = k.min(n);
    let vectors = u.subcols(0, k).to_owned();
    let values = s[..k].to_vec();
    let rounding = vec![8.0 * f64::EPSILON * (n as f64).sqrt() * norm; k];
    Ok(Eigenpairs { values, vectors, rounding })
}

/// The k lowest eigenvalues (ascending) of a dense symmetric matrix, without eigenvectors (for
/// callers that use the values only, as the scale search's Ritz sum).
pub fn lowest_eigenvalues_dense(h: MatRef<'_, f64>, k: usize) -> Result<Vec<f64>> {
    let (mut s, _) = symmetric_evd(h, false)?;
    s.truncate(k.min(h.nrows()));
    Ok(s)
}

/// The k lowest eigenvalues λ = σ² (ascending) of H = BᵀB from the factor B, without vectors: the
/// QR of B, then the singular values of R ([`lowest_from_factor`] without its V).
pub fn lowest_eigenvalues_from_factor(b: Mat<f64>, k: usize) -> Result<Vec<f64>> {
    use faer::linalg::svd::{svd, svd_scratch, ComputeSvdVectors};
    let r = triangular_factor(b);
    let (m, n) = r.shape();
    let par = parallelism(n);
    let mut s = faer::diag::Diag::<f64>::zeros(m.min(n));
    let scratch = svd_scratch::<f64>(m, n, ComputeSvdVectors::No, ComputeSvdVectors::No, par, Default::default());
    let mut buf = MemBuffer::new(scratch);
    svd(r.as_ref(), s.as_mut(), None, None, par, MemStack::new(&mut buf), Default::default())
        .map_err(|e| EngineError::Numerical(format!("SVD failed: {e:?}")))?;
    let sigma = s.column_vector();
    Ok((0..k.min(sigma.nrows())).map(|i| sigma[sigma.nrows() - 1 - i].powi(2)).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// I − 2uuᵀ/uᵀu for a fixed dense u: an exact orthogonal matrix (to rounding).
    fn reflection(n: usize, seed: usize) -> Mat<f64> {
        let u = faer::Col::<f64>::from_fn(n, |i| 1.0 + ((i * 7919 + seed) % 101) as f64 / 37.0);
        let scale = 2.0 / u.squared_norm_l2();
        Mat::<f64>::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 } - scale * u[i] * u[j])
    }

    /// B = U [diag(σ); 0] Vᵀ with σ_l = l/10 (σ_0 = 0: an exact null vector, like a ground state),
    /// so BᵀB has the eigenvalues l²/100 exactly.
    fn factor_with_known_spectrum(n: usize) -> Mat<f64> {
        let (u, v) = (reflection(2 * n, 3), reflection(n, 11));
        let sv = Mat::<f64>::from_fn(2 * n, n, |i, j| if i == j { i as f64 / 10.0 } else { 0.0 });
        &u * &sv * v.transpose()
    }

    #[test]
    fn partial_solve_matches_the_exact_spectrum_and_the_full_svd() {
        let n = PARTIAL_FROM + 20;
        let b = factor_with_known_spectrum(n);
        let full = lowest_from_owned_factor(b.clone(), 4).unwrap();
        let few = lowest_few_from_owned_factor(b.clone(), 4, -5e-4).unwrap();
        // The partial path must have run, not its fallback.
        let partial = lowest_few_of_factor(b.as_ref(), None, 4, 5e-4).expect("partial path trusted");
        for (i, pairs) in [&few, &partial].into_iter().enumerate() {
            for l in 1..4 {
                let exact = (l * l) as f64 / 100.0;
                assert!((pairs.values[l] - exact).abs() <= 1e-11, "{i} {l}: {} vs {exact}", pairs.values[l]);
                assert!((pairs.values[l] - full.values[l]).abs() <= 2.0 * (pairs.rounding[l] + full.rounding[l]));
                let overlap = (pairs.vectors.col(l).transpose() * full.vectors.col(l)).abs();
                assert!((overlap - 1.0).abs() <= 1e-9, "{i} {l}: overlap {overlap}");
            }
            assert!(pairs.values[0].abs() <= 1e-12);
        }
    }

    #[test]
    fn partial_solve_takes_a_given_gram_matrix() {
        let n = PARTIAL_FROM + 20;
        let b = factor_with_known_spectrum(n);
        let gram = b.transpose() * &b;
        let pairs = lowest_few_of_factor(b.as_ref(), Some(gram), 4, 5e-4).expect("partial path trusted");
        for l in 1..4 {
            let exact = (l * l) as f64 / 100.0;
            assert!((pairs.values[l] - exact).abs() <= 1e-11, "{l}: {} vs {exact}", pairs.values[l]);
        }
    }

    #[test]
    fn eigenvalues_without_vectors_match_the_pairs() {
        // BᵀB has the eigenvalues l²/100 exactly; H = BᵀB formed densely has them to rounding.
        let b = factor_with_known_spectrum(40);
        let h = b.transpose() * &b;
        let pairs = lowest_dense(h.as_ref(), 4).unwrap();
        let values = lowest_eigenvalues_dense(h.as_ref(), 4).unwrap();
        let from_factor = lowest_eigenvalues_from_factor(b.clone(), 4).unwrap();
        let svd = lowest_from_factor(b.as_ref(), 4).unwrap();
        for l in 0..4 {
            let exact = (l * l) as f64 / 100.0;
            assert!((values[l] - exact).abs() <= 1e-12, "{l}: {} vs {exact}", values[l]);
            assert!((values[l] - pairs.values[l]).abs() <= pairs.rounding[l], "{l}");
            assert!((from_factor[l] - exact).abs() <= 1e-13, "{l}: {} vs {exact}", from_factor[l]);
            assert!((from_factor[l] - svd.values[l]).abs() <= svd.rounding[l], "{l}");
        }
    }

    #[test]
    fn partial_solve_falls_back_to_the_svd_where_it_does_not_apply() {
        let b = factor_with_known_spectrum(60);
        let full = lowest_from_owned_factor(b.clone(), 3).unwrap();
        let few = lowest_few_from_owned_factor(b, 3, -5e-4).unwrap();
        assert_eq!(full.values, few.values);
    }
}

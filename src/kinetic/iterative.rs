//! The slowest kinetic decay rate on bases too large for a sparse LU of G − σI (its fill grows
//! like N^1.74 in d = 2: ~53 GB at N = 10⁶), G the Galerkin matrix of the kinetic generator.
//!
//! * Outer iteration: the coarse level (a nested basis, every multi-index kept by the fine one)
//!   is solved exactly (sparse LU + shift-invert Krylov–Schur); its slowest real eigenpair
//!   (λ_c, x_c) starts inverse iteration on the fine basis with the shift σ_t = λ_c + 10⁻³|λ_c|.
//!   Since x_c is already accurate to the coarse resolution error, two or three inner solves reach
//!   the rounding floor of the residual ‖Gx − θx‖. (Krylov–Schur on (G − σI)^{-1} with the same
//!   inner solves was tried first: 64 solves for 4 eigenvalues at N ≈ 4 000, against 2–3 here.)
//! * Inner solves (G − σ_t I)y = x: restarted GMRES to 10⁻¹² relative residual, right-
//!   preconditioned by a two-grid cycle: an exact solve with the sparse LU of (G_c − σ_t I) on the
//!   coarse multi-indices (G_c is a principal submatrix of G, the banded Galerkin entries being
//!   exact), then one ILU(0) step of G − σ_t I on the residual. The coarse LU carries the slow
//!   modes that make G − σ_t I nearly singular; ILU(0) handles the local transport coupling of the
//!   high modes, where the diagonal alone (−g·velocity degree − σ_t, just −σ_t at velocity
//!   degree 0) misjudges the operator by orders of magnitude.
//! * Evidence: the true residual ‖Gx − θx‖/‖x‖ of the final pair, computed with G itself, and the
//!   difference between the fine and coarse eigenvalues (a resolution difference). As for the LU
//!   path, the residual bounds the eigenvalue error only up to the condition number of λ (G is
//!   not normal).

use super::basis::KineticBasis;
use super::operator::Kinetic;
use super::spectrum::{axis_ratios, default_axes, sectors, shifted_lu, study_basis};
use crate::basis::IndexSet;
use crate::error::{EngineError, Result};
use crate::krylov::{dot, gmres, GmresParams, Preconditioner};
use crate::shift_invert::ShiftInvert;
use faer::linalg::solvers::Solve;
use faer::sparse::linalg::solvers::Lu;
use faer::sparse::SparseColMat;
use faer::{c64, MatMut};
use rayon::prelude::*;

/// A square sparse matrix in compressed rows, columns sorted within each row.
#[derive(Debug, Clone)]
pub struct Csr {
    /// Row start offsets (n + 1).
    pub ptr: Vec<usize>,
    /// Column of each stored entry.
    pub col: Vec<u32>,
    /// Value of each stored entry.
    pub val: Vec<f64>,
}

impl Csr {
    /// Order n.
    pub fn n(&self) -> usize {
        self.ptr.len() - 1
    }
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.val.len()
    }
    /// out = A x, rows in parallel.
    pub fn apply(&self, x: &[f64], out: &mut [f64]) {
        out.par_chunks_mut(4096).enumerate().for_each(|(c, chunk)| {
            for (k, o) in chunk.iter_mut().enumerate() {
                let i = c * 4096 + k;
                let mut s = 0.0;
                for p in self.ptr[i]..self.ptr[i + 1] {
                    s += self.val[p] * x[self.col[p] as usize];
                }
                *o = s;
            }
        });
    }
    /// Position of the diagonal entry of each row (error if one is missing).
    fn diagonal_positions(&self) -> Result<Vec<usize>> {
        (0..self.n())
            .map(|i| {
                (self.ptr[i]..self.ptr[i + 1])
                    .find(|&p| self.col[p] as usize == i)
                    .ok_or_else(|| EngineError::Numerical(format!("row {i} has no diagonal entry")))
            })
            .collect()
    }
}

/// The rows of G − σI on `basis` (the diagonal always stored).
pub fn shifted_rows(problem: &Kinetic, basis: &KineticBasis, shift: f64) -> Result<Csr> {
    let rows = problem.rows(basis)?;
    let mut ptr = Vec::with_capacity(basis.len() + 1);
    let mut col = Vec::new();
    let mut val = Vec::new();
    ptr.push(0);
    for (i, row) in rows.into_iter().enumerate() {
        let mut diag = false;
        for (c, v) in row {
            if c == i {
                diag = true;
                col.push(c as u32);
                val.push(v - shift);
            } else {
                col.push(c as u32);
                val.push(v);
            }
        }
        if !diag {
            let at = ptr[i] + col[ptr[i]..].iter().take_while(|&&c| (c as usize) < i).count();
            col.insert(at, i as u32);
            val.insert(at, -shift);
        }
        ptr.push(col.len());
    }
    Ok(Csr { ptr, col, val })
}

/// Incomplete LU factorisation with the sparsity pattern of A (ILU(0)): unit lower L and upper U
/// stored in one array, A ≈ LU.
#[derive(Debug)]
pub struct Ilu0 {
    lu: Csr,
    diag: Vec<usize>,
}

impl Ilu0 {
    /// Factorises A (IKJ order); refuses a zero pivot.
    pub fn new(a: &Csr) -> Result<Self> {
        let n = a.n();
        let diag = a.diagonal_positions()?;
        let mut lu = a.clone();
        let mut at = vec![usize::MAX; n];
        for i in 0..n {
            for p in lu.ptr[i]..lu.ptr[i + 1] {
                at[lu.col[p] as usize] = p;
            }
            for p in lu.ptr[i]..diag[i] {
                let k = lu.col[p] as usize;
                let f = lu.val[p] / lu.val[diag[k]];
                lu.val[p] = f;
                for q in diag[k] + 1..lu.ptr[k + 1] {
                    let j = lu.col[q] as usize;
                    if at[j] != usize::MAX {
                        lu.val[at[j]] -= f * lu.val[q];
                    }
                }
            }
            if !(lu.val[diag[i]].abs() > 0.0 && lu.val[diag[i]].is_finite()) {
                return Err(EngineError::Numerical(format!("ILU(0) pivot {i} vanished")));
            }
            for p in lu.ptr[i]..lu.ptr[i + 1] {
                at[lu.col[p] as usize] = usize::MAX;
            }
        }
        Ok(Ilu0 { lu, diag })
    }

    /// x ← (LU)^{-1} x.
    pub fn solve_in_place(&self, x: &mut [f64]) {
        let (lu, n) = (&self.lu, self.lu.n());
        for i in 0..n {
            let mut s = x[i];
            for p in lu.ptr[i]..self.diag[i] {
                s -= lu.val[p] * x[lu.col[p] as usize];
            }
            x[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = x[i];
            for p in self.diag[i] + 1..lu.ptr[i + 1] {
                s -= lu.val[p] * x[lu.col[p] as usize];
            }
            x[i] = s / lu.val[self.diag[i]];
        }
    }
}

/// Two-grid preconditioner of A = G − σI: z = P A_c^{-1} Pᵀ r, then z += ILU(0)^{-1}(r − A z).
#[derive(Debug)]
pub struct TwoGrid<'a> {
    a: &'a Csr,
    coarse: Lu<usize, f64>,
    /// Fine position of each coarse basis function.
    embed: Vec<usize>,
    ilu: Ilu0,
}

impl<'a> TwoGrid<'a> {
    /// Builds the coarse LU of (G_c − σI) on `coarse` (nested in `fine`) and the ILU(0) of A.
    pub fn new(problem: &Kinetic, a: &'a Csr, fine: &KineticBasis, coarse: &KineticBasis, shift: f64) -> Result<Self> {
        let embed = coarse
            .indices
            .iter()
            .map(|alpha| {
                fine.position(alpha).ok_or_else(|| {
                    EngineError::InvalidParameter(format!("coarse function {alpha:?} is not in the fine basis"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let gc = problem.matrix(coarse)?;
        let coarse = shifted_lu(&gc, shift)?;
        let ilu = Ilu0::new(a)?;
        Ok(TwoGrid { a, coarse, embed, ilu })
    }

    /// z = M^{-1} r.
    pub fn apply(&self, r: &[f64], z: &mut [f64]) {
        let mut rc: Vec<f64> = self.embed.iter().map(|&i| r[i]).collect();
        let nc = rc.len();
        self.coarse.solve_in_place(MatMut::from_column_major_slice_mut(&mut rc, nc, 1));
        z.iter_mut().for_each(|v| *v = 0.0);
        for (&i, &v) in self.embed.iter().zip(&rc) {
            z[i] = v;
        }
        let mut t = vec![0.0; r.len()];
        self.a.apply(z, &mut t);
        t.par_iter_mut().zip(r.par_iter()).for_each(|(t, r)| *t = r - *t);
        self.ilu.solve_in_place(&mut t);
        z.par_iter_mut().zip(t.par_iter()).for_each(|(z, t)| *z += t);
    }
}

/// Solves A x = b (A = G − σI in compressed rows) by [`gmres`] right-preconditioned with the
/// two-grid cycle, from x = 0; returns the iterations and the relative true residual.
pub fn two_grid_solve(a: &Csr, m: &TwoGrid, b: &[f64], x: &mut [f64], params: GmresParams) -> (usize, f64) {
    x.iter_mut().for_each(|v| *v = 0.0);
    gmres(&|u, out| a.apply(u, out), m, b, x, params)
}

impl Preconditioner for TwoGrid<'_> {
    /// x ← M⁻¹ x by [`TwoGrid::apply`] from a copy of x.
    fn apply_in_place(&self, x: &mut [f64]) {
        let r = x.to_vec();
        self.apply(&r, x);
    }
}

/// Inner-solve statistics of one iterative eigen-solve.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct InnerStats {
    /// Fine basis size N.
    pub n: usize,
    /// Stored entries of G − σI.
    pub nnz: usize,
    /// Coarse basis size.
    pub coarse_n: usize,
    /// Number of inner solves (applications of (G − σI)^{-1}).
    pub solves: usize,
    /// Total GMRES iterations.
    pub iterations: usize,
    /// Most GMRES iterations of one solve.
    pub max_iterations: usize,
    /// Largest final relative residual of an inner solve.
    pub worst_residual: f64,
}

/// The slowest non-kernel eigenpair (λ, x) of G on a basis small enough for a sparse LU:
/// shift-invert Krylov–Schur at `shift` (> 0, right of the spectrum) for the `want` eigenvalues
/// nearest it; the kernel (|λ| ≤ 1e-9) is skipped.
pub fn slowest_pair(g: &SparseColMat<usize, f64>, shift: f64, want: usize) -> Result<(c64, Vec<c64>)> {
    let n = g.nrows();
    let op = ShiftInvert::new(shifted_lu(g, shift)?, n);
    let want = want.min(n / 4).max(1);
    let (eigs, vecs) = crate::shift_invert::nonsymmetric(&op, want, shift)?;
    let best = (0..want)
        .filter(|&i| eigs[i].norm() > 1e-9)
        .max_by(|&a, &b| eigs[a].re.total_cmp(&eigs[b].re))
        .ok_or_else(|| EngineError::Numerical("no non-kernel eigenvalue".into()))?;
    Ok((eigs[best], vecs.col(best).iter().copied().collect()))
}

/// A fine-level eigenpair refined from a coarse one, with its evidence.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Refined {
    /// Eigenvalue λ_c of G on the coarse basis (the decay rate is −λ_c).
    pub coarse: f64,
    /// Its true residual ‖G_c x − λ_c x‖/‖x‖ on the coarse basis.
    pub coarse_residual: f64,
    /// Eigenvalue θ = xᵀGx of the refined unit vector x on the fine basis.
    pub fine: f64,
    /// ‖Gx − θx‖ on the fine basis after each inverse-iteration step.
    pub residuals: Vec<f64>,
    /// Inner-solve statistics (solves = inverse-iteration steps).
    pub inner: InnerStats,
}

/// Settings of [`refine_pair`].
#[derive(Debug, Clone, Copy)]
pub struct RefineParams {
    /// Inner GMRES settings.
    pub gmres: GmresParams,
    /// Most inverse-iteration steps.
    pub max_steps: usize,
    /// Stop once ‖Gx − θx‖ is below this.
    pub floor: f64,
}

impl Default for RefineParams {
    fn default() -> Self {
        RefineParams { gmres: GmresParams::default(), max_steps: 6, floor: 1e-13 }
    }
}

/// Refines the real eigenpair (λ_c, x_c) of G on `coarse` to the nested basis `fine` without
/// factorising the fine matrix: inverse iteration x ← (G − σ_t I)^{-1}x with σ_t = λ_c + 10⁻³|λ_c|,
/// started from x_c embedded by its multi-indices. Each step contracts the error by about
/// |λ − σ_t|/|λ' − σ_t| ≈ 10⁻³|λ|/(distance to the next eigenvalue λ'), so two or three steps reach
/// the rounding floor; the inner solves are two-grid preconditioned GMRES ([`TwoGrid`] at σ_t,
/// whose coarse LU is well conditioned because σ_t is 10⁻³|λ_c| away from λ_c). It stops when the
/// residual ‖Gx − θx‖ stops halving, is below the floor, or after the last step.
pub fn refine_pair(
    problem: &Kinetic,
    fine: &KineticBasis,
    coarse: &KineticBasis,
    (lc, xc): (f64, &[f64]),
    params: RefineParams,
) -> Result<Refined> {
    let coarse_residual = real_residual(&shifted_rows(problem, coarse, 0.0)?, 0.0, xc, lc);
    let target = lc + 1e-3 * lc.abs();
    let a = shifted_rows(problem, fine, target)?;
    let m = TwoGrid::new(problem, &a, fine, coarse, target)?;
    let mut x = vec![0.0; a.n()];
    for (&i, v) in m.embed.iter().zip(xc) {
        x[i] = *v;
    }
    normalise(&mut x);
    let mut stats = InnerStats { n: a.n(), nnz: a.nnz(), coarse_n: coarse.len(), ..Default::default() };
    let mut residuals: Vec<f64> = Vec::new();
    let mut theta = rayleigh(&a, target, &x);
    let mut y = vec![0.0; a.n()];
    for _ in 0..params.max_steps {
        let (it, res) = two_grid_solve(&a, &m, &x, &mut y, params.gmres);
        stats.solves += 1;
        stats.iterations += it;
        stats.max_iterations = stats.max_iterations.max(it);
        stats.worst_residual = stats.worst_residual.max(res);
        if res.is_nan() || res > 10.0 * params.gmres.tolerance {
            return Err(EngineError::NotConverged(format!(
                "inner GMRES reached only relative residual {res:.1e} after {it} iterations (N = {})",
                a.n()
            )));
        }
        std::mem::swap(&mut x, &mut y);
        normalise(&mut x);
        theta = rayleigh(&a, target, &x);
        if !theta.is_finite() {
            return Err(EngineError::Numerical("inverse iteration produced a non-finite Rayleigh quotient".into()));
        }
        let r = real_residual(&a, target, &x, theta);
        let stalled = residuals.last().is_some_and(|&last| r > 0.5 * last);
        residuals.push(r);
        if r <= params.floor || stalled {
            break;
        }
    }
    Ok(Refined { coarse: lc, coarse_residual, fine: theta, residuals, inner: stats })
}

/// The slowest decay rate on a large basis, refined from a coarser nested one (see
/// [`refine_gap`]), with its error estimate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RefinedGap {
    /// The gap −θ on the fine basis.
    pub rate: f64,
    /// |fine − coarse| + final residual ‖Gx − θx‖ (resolution difference plus solve error).
    pub error: f64,
    /// Fine and coarse basis sizes (whole bases, all sectors).
    pub sizes: (usize, usize),
    /// Parity sector (index in [`sectors`]) that holds the gap, and its refinement.
    pub sector: usize,
    /// The refinement of that sector.
    pub refined: Refined,
    /// Slowest coarse rate (re, im) of every sector: the evidence that the others are slower.
    pub coarse_rates: Vec<(f64, f64)>,
}

/// The slowest decay rate of the kinetic generator on the basis with `fine_n` functions on the largest axis (sizes
/// per axis as in `decay_rates`), without a fine-level factorisation: every parity sector of
/// the coarse basis (`coarse_n`) is solved by sparse LU + shift-invert at `shift`; the sector with
/// the slowest rate is refined on the fine basis by [`refine_pair`]. The other sectors are only
/// resolved at the coarse level: their coarse rates are returned so that the separation from the
/// gap can be checked against the coarse level error. The slowest coarse rate must be real.
pub fn refine_gap(
    problem: &Kinetic,
    fine_n: usize,
    coarse_n: usize,
    shift: f64,
    params: RefineParams,
) -> Result<RefinedGap> {
    if coarse_n >= fine_n {
        return Err(EngineError::InvalidParameter(format!("coarse size {coarse_n} must be below fine size {fine_n}")));
    }
    let axes = default_axes(problem)?;
    let ratios = axis_ratios(problem, &axes)?;
    let coarse = study_basis(problem, &axes, &ratios, coarse_n, IndexSet::TotalDegree)?;
    let fine = study_basis(problem, &axes, &ratios, fine_n, IndexSet::TotalDegree)?;
    let sizes = (fine.len(), coarse.len());
    let coarse_sectors = sectors(problem, &coarse);
    if let Some(small) = coarse_sectors.iter().find(|b| b.len() < MIN_COARSE) {
        return Err(EngineError::InvalidParameter(format!(
            "coarse size {coarse_n} gives a sector of {} functions; at least {MIN_COARSE} are needed",
            small.len()
        )));
    }
    let mut fine_sectors = sectors(problem, &fine);
    drop(fine);
    let pairs =
        coarse_sectors.iter().map(|b| slowest_pair(&problem.matrix(b)?, shift, 8)).collect::<Result<Vec<_>>>()?;
    let coarse_rates: Vec<(f64, f64)> = pairs.iter().map(|(l, _)| (-l.re, l.im.abs())).collect();
    let sector = (0..pairs.len())
        .max_by(|&a, &b| pairs[a].0.re.total_cmp(&pairs[b].0.re))
        .ok_or_else(|| EngineError::Numerical("no sectors".into()))?;
    let (lambda, vector) = &pairs[sector];
    if lambda.im.abs() > 1e-10 * lambda.norm() {
        return Err(EngineError::InvalidParameter(format!(
            "the slowest coarse eigenvalue {lambda} is complex; the iterative refinement handles real ones only"
        )));
    }
    let xc: Vec<f64> = real_part(vector);
    let fine_sector = fine_sectors.swap_remove(sector);
    drop(fine_sectors);
    let refined = refine_pair(problem, &fine_sector, &coarse_sectors[sector], (lambda.re, &xc), params)?;
    let residual = refined.residuals.last().copied().unwrap_or(f64::INFINITY);
    let error = (refined.fine - refined.coarse).abs() + residual;
    Ok(RefinedGap { rate: -refined.fine, error, sizes, sector, refined, coarse_rates })
}

/// Fewest functions per parity sector of the coarse level of [`refine_gap`] (its Krylov–Schur
/// needs a subspace well below the sector size).
pub const MIN_COARSE: usize = 64;

/// The real vector of a complex eigenvector of a real eigenvalue (the larger of re and im parts).
fn real_part(v: &[c64]) -> Vec<f64> {
    let (re, im) = v.iter().fold((0.0, 0.0), |(a, b), z| (a + z.re * z.re, b + z.im * z.im));
    v.iter().map(|z| if re >= im { z.re } else { z.im }).collect()
}

fn normalise(x: &mut [f64]) {
    let n = dot(x, x).sqrt();
    x.par_iter_mut().for_each(|v| *v /= n);
}

/// xᵀGx/xᵀx with G = A + σI.
fn rayleigh(a: &Csr, shift: f64, x: &[f64]) -> f64 {
    let mut ax = vec![0.0; x.len()];
    a.apply(x, &mut ax);
    (dot(x, &ax) + shift * dot(x, x)) / dot(x, x)
}

/// ‖Gx − θx‖/‖x‖ with G = A + σI, for a real vector.
fn real_residual(a: &Csr, shift: f64, x: &[f64], theta: f64) -> f64 {
    let mut ax = vec![0.0; x.len()];
    a.apply(x, &mut ax);
    // Per-chunk sums added in index order: the same number for any thread count.
    let parts: Vec<f64> = ax
        .par_chunks(4096)
        .zip(x.par_chunks(4096))
        .map(|(g, x)| g.iter().zip(x).map(|(g, x)| (g + (shift - theta) * x).powi(2)).sum::<f64>())
        .collect();
    let s: f64 = parts.iter().sum();
    s.sqrt() / dot(x, x).sqrt()
}

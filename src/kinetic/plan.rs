//! Resource plans of the kinetic eigen-solves: the memory a level of a resolution study will
//! need, predicted before it is allocated, and checked against the process budget
//! ([`crate::budget`]).
//!
//! The large item is the fill-in of the sparse LU of G − σI. It is bounded structurally, before
//! any numeric work, as faer's own symbolic LU bounds it: with the COLAMD column order, the
//! factors of any row-pivoted LU of A fit in the pattern of the Householder vectors (L) and of
//! R (U) of a QR factorisation of A, i.e. in the column counts of the Cholesky factor of AᵀA
//! (George & Ng). faer's supernodal LU allocates its panels from the same structure.

use crate::budget::check_memory;
use crate::error::{short, EngineError, Result};
use crate::potential::Potential;
use crate::scaling::separable_part;
use dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::perm::PermRef;
use faer::sparse::linalg::{colamd, qr};
use faer::sparse::SparseColMat;

/// Bytes per entry of [`lu_fill_bound`] budgeted for the sparse LU: 1.5× the 16 bytes of value +
/// row index. Measured against the resident memory of faer 0.24's LU on kinetic matrices (d = 1
/// and 2, polynomial and quadrature forces, N = 3 000 … 51 000): 10–14 bytes per bound entry.
pub const LU_BYTES_PER_ENTRY: f64 = 24.0;

/// Bytes per basis function of a kinetic level: the multi-index (32 B) and its hash-map entry
/// (~48 B), once for the whole basis and once for its parity sectors, rounded up.
pub const BASIS_BYTES_PER_FUNCTION: f64 = 200.0;

/// Bytes per stored entry of the assembled generator: the compressed rows (16 B), the triplets
/// (24 B), the compressed columns and their sort (32 B), and G − σI (16 B), rounded up.
pub const ASSEMBLY_BYTES_PER_ENTRY: f64 = 100.0;

/// Bytes per n² of a dense non-symmetric eigen-solve: the matrix, the complex eigenvector
/// matrix and its inverse (16 + 16), and the Hessenberg/Schur work (~40).
pub const DENSE_BYTES_PER_ENTRY: f64 = 80.0;

/// What the user can change when a kinetic level does not fit.
pub const HINT: &str = "use a looser --tolerance, a smaller --count, or a milder potential/temperature";

/// Refuses a kinetic basis of about `functions` functions (before it is built).
pub fn check_basis(functions: f64) -> Result<()> {
    check_memory(
        &format!("a kinetic basis of about {} functions", short(functions.round())),
        functions * BASIS_BYTES_PER_FUNCTION,
        HINT,
    )
}

/// Refuses the assembly of a generator block of `rows` functions with at most `entries` stored
/// entries (before the rows are assembled).
pub fn check_assembly(rows: usize, entries: f64) -> Result<()> {
    check_memory(
        &format!("the kinetic generator on {rows} functions (up to {} stored entries)", short(entries)),
        rows as f64 * BASIS_BYTES_PER_FUNCTION + entries * ASSEMBLY_BYTES_PER_ENTRY,
        HINT,
    )
}

/// Refuses a dense eigen-solve of order n (before the dense matrix is formed).
pub fn check_dense(n: usize) -> Result<()> {
    let n2 = (n as f64).powi(2);
    check_memory(&format!("a dense eigen-solve of order {n}"), n2 * DENSE_BYTES_PER_ENTRY, HINT)
}

/// Refuses a sparse LU of the n×n matrix `a` (with `entries` stored entries) whose factors may hold
/// `fill` entries ([`lu_fill_bound`]), plus `extra` bytes that live alongside it (Krylov bases).
pub fn check_lu(n: usize, entries: usize, fill: f64, extra: f64) -> Result<()> {
    let bytes = fill * LU_BYTES_PER_ENTRY + entries as f64 * ASSEMBLY_BYTES_PER_ENTRY + extra;
    check_memory(
        &format!("the sparse LU of a kinetic block of {n} functions ({} factor entries)", short(fill)),
        bytes,
        HINT,
    )
}

/// Bytes a sparse solve of one block of n functions plans at most, before its matrix exists: the
/// basis and the assembly ([`check_assembly`]) and the LU ([`check_lu`]) with the full-factor
/// bound n(n + 1) on its fill-in and at most n² stored entries of G (the assembly keeps one entry
/// per row and column), plus `extra` bytes (Krylov bases).
pub fn sparse_block_bytes(n: usize, extra: f64) -> f64 {
    let n = n as f64;
    n * BASIS_BYTES_PER_FUNCTION + n * n * ASSEMBLY_BYTES_PER_ENTRY + n * (n + 1.0) * LU_BYTES_PER_ENTRY + extra
}

/// Bytes a dense solve of one block of order n plans at most: the basis and the assembly (at most
/// n² stored entries) and the dense eigen-solve ([`check_dense`]).
pub fn dense_block_bytes(n: usize) -> f64 {
    let n = n as f64;
    n * BASIS_BYTES_PER_FUNCTION + n * n * (ASSEMBLY_BYTES_PER_ENTRY + DENSE_BYTES_PER_ENTRY)
}

/// True when solves planning `bytes` each fit the memory budget all together, so that they may
/// run at the same time.
pub fn fit_together(bytes: &[f64]) -> bool {
    let total: f64 = bytes.iter().sum();
    total.is_finite() && total <= crate::budget::memory_budget() as f64
}

/// Structural upper bound on the number of stored entries of L + U of a sparse LU of `a` (any
/// row pivoting, COLAMD column order): Σ_j (h_j + r_j), h_j the Householder column counts and
/// r_j the column counts of R in a sparse QR of `a` — the numbers faer's symbolic LU computes.
/// Costs O(nnz(a)) memory and about one COLAMD ordering in time.
pub fn lu_fill_bound(a: &SparseColMat<usize, f64>) -> Result<f64> {
    let (m, n) = (a.nrows(), a.ncols());
    let sym = a.symbolic();
    let nnz = sym.compute_nnz();
    let fail = |e: faer::sparse::FaerError| EngineError::Numerical(format!("fill-in analysis failed: {e:?}"));
    let mut perm = vec![0usize; n];
    let mut perm_inv = vec![0usize; n];
    {
        let mut buf = MemBuffer::try_new(colamd::order_scratch::<usize>(m, n, nnz))
            .map_err(|_| EngineError::TooLarge(format!("fill-in analysis of {n} unknowns")))?;
        colamd::order(&mut perm, &mut perm_inv, sym, colamd::Control::default(), MemStack::new(&mut buf))
            .map_err(fail)?;
    }
    let col_perm = PermRef::new_checked(&perm, &perm_inv, n);
    let at = a.transpose().to_col_major().map_err(fail)?;
    let mut etree_raw = vec![0usize; n];
    let mut post = vec![0usize; n];
    let mut col_counts = vec![0usize; n];
    let mut min_col = vec![0usize; m];
    let scratch = StackReq::any_of(&[
        qr::col_etree_scratch::<usize>(m, n),
        qr::postorder_scratch::<usize>(n),
        qr::column_counts_aat_scratch::<usize>(n, m),
    ]);
    let mut buf =
        MemBuffer::try_new(scratch).map_err(|_| EngineError::TooLarge(format!("fill-in analysis of {n} unknowns")))?;
    let etree = qr::col_etree(sym, Some(col_perm), &mut etree_raw, MemStack::new(&mut buf));
    qr::postorder(&mut post, etree, MemStack::new(&mut buf));
    qr::column_counts_ata(
        &mut col_counts,
        &mut min_col,
        at.symbolic(),
        Some(col_perm),
        etree,
        &post,
        MemStack::new(&mut buf),
    );
    // Householder counts, as in faer's `factorize_symbolic_lu`: each row starts a count at its
    // first column, and a column passes all but its diagonal to its parent in the tree.
    let parents = etree.into_inner();
    let mut h = vec![0usize; n];
    for &c in &min_col {
        if (c as isize) >= 0 && c < n {
            h[c] += 1;
        }
    }
    for j in 0..n {
        if parents[j] >= 0 {
            h[parents[j] as usize] += h[j].saturating_sub(1);
        }
    }
    Ok(h.iter().zip(&col_counts).map(|(&h, &r)| (h + r) as f64).sum())
}

/// One phase-space pair (w_j, v_j) of a potential L(w) = Σ_j L_j(w_j) that no monomial couples.
#[derive(Debug, Clone, PartialEq)]
pub enum Pair {
    /// L_j = a w² + b w (+ const) with a > 0: the damped oscillator, whose spectrum is exact.
    Harmonic {
        /// The coordinate j.
        axis: usize,
        /// The coefficient a of w².
        a: f64,
    },
    /// Any other one-coordinate polynomial, as an expression in x, solved on its own.
    Solved {
        /// The coordinate j.
        axis: usize,
        /// L_j with w_j renamed x.
        expression: String,
    },
}

/// The phase-space pairs of a polynomial L on R^d, d ≥ 2, that splits exactly into one-coordinate
/// parts (the separability test of the overdamped axis search: no monomial with two coordinates),
/// each part non-constant; None for a coupled, non-polynomial, one-dimensional or periodic L.
pub fn separable_pairs(potential: &dyn Potential, periodic: bool) -> Option<Vec<Pair>> {
    let d = potential.dim();
    if periodic || d < 2 {
        return None;
    }
    let poly = potential.poly()?;
    (0..d)
        .map(|j| {
            let part = separable_part(&poly, j)?;
            if part.is_empty() {
                return None;
            }
            let coefficient = |k: u32| part.iter().filter(|(p, _)| *p == k).map(|(_, c)| c).sum::<f64>();
            let a = coefficient(2);
            if part.iter().all(|(p, _)| *p <= 2) && a > 0.0 && a.is_finite() {
                return Some(Pair::Harmonic { axis: j, a });
            }
            let terms: Vec<String> = part.iter().map(|(p, c)| format!("({c:?})*x^{p}")).collect();
            Some(Pair::Solved { axis: j, expression: terms.join(" + ") })
        })
        .collect()
}

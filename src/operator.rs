//! The overdamped Fokker–Planck generator with constant diffusion D = γβ/2M,
//! ∂_t p = ∇·(∇L p + D∇p), in its symmetric ground-state form
//!
//!   H = −DΔ + |∇L|²/(4D) − ΔL/2 = A*A,   A_j = √D (∂_j + ∂_jL/(2D)),
//!
//! obtained from p = √p_∞ u with p_∞ ∝ e^{−L/D}. H has the spectrum of minus the generator: 0 (the ground state
//! √p_∞) and the decay rates λ_1 ≤ λ_2 ≤ … .

use crate::banded::{position_power, stiffness, Banded};
use crate::basis::{Grid, HermiteBasis};
use crate::error::{positive, EngineError, Result};
use crate::polynomial::{BoundedPoly, Poly};
use crate::potential::Potential;
use crate::rounding::Bounded;
use faer::sparse::{SparseColMat, Triplet};
use faer::Mat;
use rayon::prelude::*;

/// Overdamped generator for a potential and a constant diffusion.
#[derive(Debug, Clone)]
pub struct Overdamped<'a> {
    /// The risk L.
    pub potential: &'a dyn Potential,
    /// D = γβ/(2M) > 0.
    pub diffusion: f64,
}

impl<'a> Overdamped<'a> {
    /// Checks D > 0 and finite.
    pub fn new(potential: &'a dyn Potential, diffusion: f64) -> Result<Self> {
        positive("diffusion D", diffusion)?;
        Ok(Overdamped { potential, diffusion })
    }

    /// Number of quadrature nodes per axis for a basis with n functions on that axis: exact for
    /// polynomial L (degree p: n + p + 1 nodes), 1.5n + 12 otherwise (the resolution study
    /// refines both together).
    pub fn nodes_for(&self, n: usize) -> usize {
        match self.potential.poly() {
            Some(p) => n + p.degree() as usize + 1,
            None => (3 * n) / 2 + 12,
        }
    }

    /// Rows of the factor B on `basis`: d per quadrature node.
    pub fn factor_rows(&self, basis: &HermiteBasis) -> usize {
        basis.sizes.iter().map(|&n| self.nodes_for(n)).product::<usize>() * basis.dim()
    }

    /// Bytes [`Overdamped::factor`] allocates: B itself and the basis tabulated on the grid.
    pub fn factor_bytes(&self, basis: &HermiteBasis) -> f64 {
        let tables: f64 = basis.sizes.iter().map(|&n| 16.0 * (self.nodes_for(n) * n) as f64).sum();
        8.0 * self.factor_rows(basis) as f64 * basis.len() as f64 + tables
    }

    /// Upper bound on the non-zeros of [`Overdamped::sparse_matrix`] on `basis`: each row couples
    /// α to the β with Σ_j |α_j − β_j| ≤ r, r the degree of W (at least 2, the stiffness).
    pub fn sparse_nnz_bound(&self, basis: &HermiteBasis) -> f64 {
        let r = self.effective_potential_poly().map_or(2, |w| w.degree().max(2) as usize) as f64;
        let ball = match basis.dim() {
            1 => 2.0 * r + 1.0,
            2 => 2.0 * r * r + 2.0 * r + 1.0,
            _ => (2.0 * r + 1.0) * (2.0 * r * r + 2.0 * r + 3.0) / 3.0,
        };
        basis.len() as f64 * ball.min(basis.len() as f64)
    }

    /// The factor B with H = BᵀB: rows (node k, axis j) hold √(w_k D)(∂_jφ_α + ∂_jL/(2D) φ_α)(x_k).
    pub fn factor(&self, basis: &HermiteBasis) -> Result<Mat<f64>> {
        Ok(self.factor_with_gram(basis, false)?.0)
    }

    /// [`Overdamped::factor`] and, when `want_gram` and d = 2, the Gram matrix BᵀB (lower
    /// triangle) by sum factorisation over the tensor grid (`gram_2d`): O(q²n_1² + N²q) flops
    /// instead of the 2q²N² of the dense product (N functions, q nodes and n_1 functions per axis).
    pub fn factor_with_gram(&self, basis: &HermiteBasis, want_gram: bool) -> Result<(Mat<f64>, Option<Mat<f64>>)> {
        let d = basis.dim();
        let q: Vec<usize> = basis.sizes.iter().map(|&n| self.nodes_for(n)).collect();
        let rows = self.factor_rows(basis);
        let n = basis.len();
        crate::budget::check_memory(
            &format!("the dense factor B ({rows}×{n}) of a {n}-function basis"),
            self.factor_bytes(basis),
            "use a looser --tolerance or a smaller --count",
        )?;
        let grid = basis.grid(&q);
        let mut b = Mat::<f64>::zeros(rows, n);
        let nodes = FactorNodes::new(self, &grid, d);
        let tables = AxisTables::new(&grid);
        for (col, alpha) in basis.indices.iter().enumerate() {
            let column = b.col_mut(col).try_as_col_major_mut().expect("a fresh matrix is column-major").as_slice_mut();
            nodes.fill_column(&tables, alpha, column);
        }
        if b.col_iter().any(|c| c.iter().any(|v| !v.is_finite())) {
            return Err(EngineError::Numerical("the potential or its gradient overflowed at a quadrature node".into()));
        }
        let gram = (want_gram && d == 2).then(|| gram_2d(&nodes, &tables, basis));
        Ok((b, gram))
    }

    /// The effective potential W = |∇L|²/(4D) − ΔL/2 as a polynomial, when L is one.
    pub fn effective_potential_poly(&self) -> Option<Poly> {
        let l = self.potential.poly()?;
        let d = self.potential.dim();
        let mut w = Poly::default();
        for j in 0..d {
            let g = l.derivative(j);
            w = w.add(&g.mul(&g).scale(1.0 / (4.0 * self.diffusion)));
            w = w.add(&g.derivative(j).scale(-0.5));
        }
        Some(w)
    }

    /// [`Overdamped::effective_potential_poly`] with a bound on the rounding of each coefficient
    /// (L's coefficients are exact: they define the potential).
    pub fn effective_potential_bounded(&self) -> Option<BoundedPoly> {
        let l = BoundedPoly::exact(&self.potential.poly()?);
        let quarter = Bounded::exact(1.0).div(Bounded::exact(4.0 * self.diffusion));
        let mut w = BoundedPoly::default();
        for j in 0..self.potential.dim() {
            let g = l.derivative(j);
            w = w.add(&g.mul(&g).scale(quarter));
            w = w.add(&g.derivative(j).scale(Bounded::exact(-0.5)));
        }
        Some(w)
    }

    /// The exact banded Galerkin matrix of H for a polynomial potential (sparse, both triangles).
    pub fn sparse_matrix(&self, basis: &HermiteBasis) -> Result<SparseColMat<usize, f64>> {
        Ok(self.sparse_matrix_with_error(basis)?.0)
    }

    /// The banded Galerkin matrix Ĥ of H for a polynomial potential as assembled in floating
    /// point, and a matrix E (same pattern) with |Ĥ − H| ≤ E entrywise, H the Galerkin matrix in
    /// exact arithmetic. E carries every rounding of the assembly ([`crate::rounding`]): the
    /// coefficients of W = |∇L|²/(4D) − ΔL/2 and of its expansion in t = (x − c)/s, the ladder
    /// coefficients √(j/2) of the powers X^a ([`position_power`]) and √((n+1)(n+2)) of the
    /// stiffness, D/s², each product c·Π_j (X_j^{a_j})_{α_j β_j} and each sum into an entry.
    pub fn sparse_matrix_with_error(
        &self,
        basis: &HermiteBasis,
    ) -> Result<(SparseColMat<usize, f64>, SparseColMat<usize, f64>)> {
        let w = self
            .effective_potential_bounded()
            .ok_or_else(|| EngineError::InvalidParameter("the sparse path needs a polynomial potential".into()))?;
        // Per non-zero: the bounded entries (32 B), then the triplets of Ĥ and E (24 B each), Ĥ and
        // E themselves (16 B each) and the shifted copy of Ĥ (16 B); at most 96 B live at once.
        let nnz = self.sparse_nnz_bound(basis);
        crate::budget::check_memory(
            &format!(
                "the sparse operator (up to {} non-zeros) of a {}-function basis",
                crate::error::short(nnz),
                basis.len()
            ),
            96.0 * nnz,
            "use a looser --tolerance or a smaller --count",
        )?;
        let d = basis.dim();
        let wt = w.affine_substitute(&basis.centre, &basis.scale);
        let max_deg: Vec<usize> = (0..d).map(|j| wt.degree_in(j) as usize).collect();
        let powers: Vec<Vec<Banded>> =
            (0..d).map(|j| (0..=max_deg[j]).map(|a| cached_position_power(basis.sizes[j], a)).collect()).collect();
        let stiff: Vec<Banded> = (0..d).map(|j| stiffness(basis.sizes[j])).collect();
        let kinetic: Vec<Bounded> = (0..d)
            .map(|j| {
                let s = Bounded::exact(basis.scale[j]);
                Bounded::exact(self.diffusion).div(s.mul(s))
            })
            .collect();
        let terms: Vec<([u32; 3], Bounded)> = wt.terms.iter().map(|(m, c)| (*m, *c)).collect();
        let row = |row| assemble_row(basis, row, &terms, &powers, &stiff, &kinetic);
        // A small basis is assembled on this thread: waking the pool costs more than its rows.
        let rows: Vec<Vec<(usize, usize, Bounded)>> = if basis.len() < PARALLEL_ROWS_FROM {
            (0..basis.len()).map(row).collect()
        } else {
            (0..basis.len()).into_par_iter().map(row).collect()
        };
        let entries: Vec<_> = rows.into_iter().flatten().collect();
        let values: Vec<_> = entries.iter().map(|(i, j, v)| Triplet::new(*i, *j, v.value)).collect();
        let errors: Vec<_> = entries.iter().map(|(i, j, v)| Triplet::new(*i, *j, v.error)).collect();
        drop(entries);
        let n = basis.len();
        let h = crate::eigen::sparse_from_triplets(n, &values)?;
        drop(values);
        Ok((h, crate::eigen::sparse_from_triplets(n, &errors)?))
    }
}

/// Basis size from which the rows of the banded H are assembled in parallel.
const PARALLEL_ROWS_FROM: usize = 256;

/// [`position_power`] of (n, a), computed once per process: every level, parity sector and scale
/// probe of one size uses the same exact matrix (it does not depend on centre or scale).
fn cached_position_power(n: usize, a: usize) -> Banded {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Powers = HashMap<(usize, usize), Banded>;
    static CACHE: OnceLock<Mutex<Powers>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(m) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&(n, a)) {
        return m.clone();
    }
    let m = position_power(n, a);
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    // Bounded: one entry per (size, power) met in a process, a few hundred at most.
    if map.len() >= 4096 {
        map.clear();
    }
    map.insert((n, a), m.clone());
    m
}

/// Per quadrature node of a factor's grid (flat order, last axis fastest): √(w D) and ∇L/(2D).
struct FactorNodes {
    dim: usize,
    root: Vec<f64>,
    drift: Vec<[f64; 3]>,
}

impl FactorNodes {
    fn new(op: &Overdamped, grid: &Grid, d: usize) -> Self {
        let dd = op.diffusion;
        let (mut root, mut drift) = (Vec::with_capacity(grid.len()), Vec::with_capacity(grid.len()));
        for k in 0..grid.len() {
            let (x, w) = grid.node(k);
            let jet = op.potential.jet(&x);
            let mut g = [0.0; 3];
            for (j, v) in g.iter_mut().enumerate().take(d) {
                *v = jet.g[j] / (2.0 * dd);
            }
            root.push((w * dd).sqrt());
            drift.push(g);
        }
        FactorNodes { dim: d, root, drift }
    }

    /// Column α of B: rows (node k, axis j) = √(w_k D)(∂_jφ_α + ∂_jL/(2D) φ_α)(x_k), with
    /// φ_α = Π_j φ_{α_j} and ∂_jφ_α = φ'_{α_j} Π_{i≠j} φ_{α_i} multiplied axis by axis in the order of
    /// [`Grid::basis_at`] (the same roundings; a missing axis contributes an exact factor 1).
    fn fill_column(&self, t: &AxisTables, alpha: &[usize; 3], column: &mut [f64]) {
        let d = self.dim;
        let axis = |j: usize| -> (&[f64], &[f64]) {
            if j < d {
                (&t.phi[j][alpha[j]], &t.dphi[j][alpha[j]])
            } else {
                (&ONE, &ONE)
            }
        };
        let ((p0, dp0), (p1, dp1), (p2, dp2)) = (axis(0), axis(1), axis(2));
        let mut k = 0;
        for (&a, &da) in p0.iter().zip(dp0) {
            for (&b, &db) in p1.iter().zip(dp1) {
                let (ab, dab, adb) = (a * b, da * b, a * db);
                for (&c, &dc) in p2.iter().zip(dp2) {
                    let value = ab * c;
                    let grad = [dab * c, adb * c, ab * dc];
                    let (root, drift) = (self.root[k], &self.drift[k]);
                    for j in 0..d {
                        column[k * d + j] = root * (grad[j] + drift[j] * value);
                    }
                    k += 1;
                }
            }
        }
    }
}

/// BᵀB (lower triangle) for d = 2 by sum factorisation. With r = √(wD), g = ∇L/(2D) at node
/// (i, l) and u_a(i; l) = r(φ_a'(x_i) + g_1 φ_a(x_i)), v_b(l; i) = r(φ_b'(y_l) + g_2 φ_b(y_l)):
///
///   (BᵀB)_{αβ} = Σ_l φ_{α₂}(y_l)φ_{β₂}(y_l) Σ_i u_{α₁}u_{β₁} + Σ_i φ_{α₁}(x_i)φ_{β₁}(x_i) Σ_l v_{α₂}v_{β₂},
///
/// the inner sums formed once per pair of 1D degrees and node of the other axis.
fn gram_2d(nodes: &FactorNodes, t: &AxisTables, basis: &HermiteBasis) -> Mat<f64> {
    let (n1, n2) = (basis.sizes[0], basis.sizes[1]);
    let (q1, q2) = (t.phi[0][0].len(), t.phi[1][0].len());
    // m1[(a, b)][l] = Σ_i u_a(i; l) u_b(i; l); m2[(a, b)][i] = Σ_l v_a(l; i) v_b(l; i).
    let weighted = |axis: usize, a: usize, i: usize, l: usize| {
        let k = i * q2 + l;
        let (p, dp) = if axis == 0 { (t.phi[0][a][i], t.dphi[0][a][i]) } else { (t.phi[1][a][l], t.dphi[1][a][l]) };
        nodes.root[k] * (dp + nodes.drift[k][axis] * p)
    };
    let inner = |axis: usize, n: usize, outer: usize, len: usize| -> Vec<f64> {
        let mut m = vec![0.0; n * n * outer];
        let mut u = vec![0.0; n * len];
        for o in 0..outer {
            for a in 0..n {
                for s in 0..len {
                    u[a * len + s] = if axis == 0 { weighted(0, a, s, o) } else { weighted(1, a, o, s) };
                }
            }
            for a in 0..n {
                for b in 0..=a {
                    let dot: f64 =
                        u[a * len..(a + 1) * len].iter().zip(&u[b * len..(b + 1) * len]).map(|(x, y)| x * y).sum();
                    m[(a * n + b) * outer + o] = dot;
                    m[(b * n + a) * outer + o] = dot;
                }
            }
        }
        m
    };
    let m1 = inner(0, n1, q2, q1);
    let m2 = inner(1, n2, q1, q2);
    let products = |phi: &[Vec<f64>], n: usize| -> Vec<f64> {
        let q = phi[0].len();
        let mut p = vec![0.0; n * n * q];
        for a in 0..n {
            for b in 0..n {
                for s in 0..q {
                    p[(a * n + b) * q + s] = phi[a][s] * phi[b][s];
                }
            }
        }
        p
    };
    let (p1, p2) = (products(&t.phi[0], n1), products(&t.phi[1], n2));
    let dot = |x: &[f64], y: &[f64]| -> f64 { x.iter().zip(y).map(|(a, b)| a * b).sum() };
    let n = basis.len();
    let mut g = Mat::<f64>::zeros(n, n);
    for (c, beta) in basis.indices.iter().enumerate() {
        for (r, alpha) in basis.indices.iter().enumerate().skip(c) {
            let (x, y) = ((alpha[0] * n1 + beta[0]), (alpha[1] * n2 + beta[1]));
            g[(r, c)] = dot(&p2[y * q2..(y + 1) * q2], &m1[x * q2..(x + 1) * q2])
                + dot(&p1[x * q1..(x + 1) * q1], &m2[y * q1..(y + 1) * q1]);
        }
    }
    g
}

/// The exact factor 1 of an axis a basis does not have.
const ONE: [f64; 1] = [1.0];

/// Per axis j and degree n: φ_n and φ_n' at the axis's nodes, contiguous over the nodes.
struct AxisTables {
    phi: Vec<Vec<Vec<f64>>>,
    dphi: Vec<Vec<Vec<f64>>>,
}

impl AxisTables {
    fn new(grid: &Grid) -> Self {
        let transpose = |rows: &[Vec<f64>]| -> Vec<Vec<f64>> {
            let n = rows.first().map_or(0, |r| r.len());
            (0..n).map(|m| rows.iter().map(|r| r[m]).collect()).collect()
        };
        AxisTables {
            phi: grid.axes.iter().map(|a| transpose(&a.phi)).collect(),
            dphi: grid.axes.iter().map(|a| transpose(&a.dphi)).collect(),
        }
    }
}

/// One row of the banded Galerkin matrix, Σ_terms c Π_j (X_j^{a_j})_{α_j β_j} + Σ_j D/s_j² K_j,
/// as (row, column, entry with its rounding bound).
fn assemble_row(
    basis: &HermiteBasis,
    row: usize,
    terms: &[([u32; 3], Bounded)],
    powers: &[Vec<Banded>],
    stiff: &[Banded],
    kinetic: &[Bounded],
) -> Vec<(usize, usize, Bounded)> {
    let d = basis.dim();
    let alpha = basis.indices[row];
    // (column, contribution) in the order made; summed per column below.
    let mut acc: Vec<(usize, Bounded)> = Vec::new();
    for (m, c) in terms {
        let ranges: Vec<(usize, usize)> = (0..d)
            .map(|j| {
                let a = m[j] as usize;
                (alpha[j].saturating_sub(a), (alpha[j] + a).min(basis.sizes[j] - 1))
            })
            .collect();
        let mut beta = [0usize; 3];
        visit(&ranges, 0, &mut beta, &mut |beta| {
            let mut v = *c;
            for j in 0..d {
                v = v.mul(powers[j][m[j] as usize].get_bounded(alpha[j], beta[j]));
                if v == Bounded::exact(0.0) {
                    return;
                }
            }
            if let Some(col) = basis.position(beta) {
                acc.push((col, v));
            }
        });
    }
    for j in 0..d {
        for bj in alpha[j].saturating_sub(2)..=(alpha[j] + 2).min(basis.sizes[j] - 1) {
            let k = stiff[j].get_bounded(alpha[j], bj);
            if k.value != 0.0 {
                let mut beta = alpha;
                beta[j] = bj;
                if let Some(col) = basis.position(&beta) {
                    acc.push((col, kinetic[j].mul(k)));
                }
            }
        }
    }
    sum_by_column(row, acc)
}

/// The entries of one row from its contributions (column, value): ascending columns, each the sum
/// 0 + c₁ + c₂ + … of its contributions in the order they were made (the stable sort keeps it).
fn sum_by_column(row: usize, mut contributions: Vec<(usize, Bounded)>) -> Vec<(usize, usize, Bounded)> {
    contributions.sort_by_key(|(col, _)| *col);
    let mut entries: Vec<(usize, usize, Bounded)> = Vec::with_capacity(contributions.len());
    for (col, v) in contributions {
        match entries.last_mut() {
            Some((_, last, sum)) if *last == col => *sum = sum.add(v),
            _ => entries.push((row, col, Bounded::exact(0.0).add(v))),
        }
    }
    entries
}

fn visit(ranges: &[(usize, usize)], j: usize, beta: &mut [usize; 3], f: &mut dyn FnMut(&[usize; 3])) {
    if j == ranges.len() {
        f(beta);
        return;
    }
    for b in ranges[j].0..=ranges[j].1 {
        beta[j] = b;
        visit(ranges, j + 1, beta, f);
    }
}

/// ∫ f dx over a grid.
pub fn integrate(grid: &Grid, f: impl Fn(&[f64]) -> f64) -> f64 {
    (0..grid.len())
        .map(|k| {
            let (x, w) = grid.node(k);
            w * f(&x)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basis::IndexSet;

    /// A coupled non-polynomial 2D potential (no separable shortcut, no polynomial sparse path).
    fn coupled() -> crate::Expression {
        crate::Expression::parse("x^2/2 + y^2 + cos(x + y/2)/4 + x*y/5").unwrap()
    }

    #[test]
    fn sum_factorised_gram_equals_the_dense_product() {
        let pot = coupled();
        let op = Overdamped::new(&pot, 0.3).unwrap();
        for kind in [IndexSet::FullTensor, IndexSet::TotalDegree] {
            let basis = HermiteBasis::new(vec![0.1, -0.2], vec![0.7, 0.5], vec![9, 7], kind).unwrap();
            let (b, gram) = op.factor_with_gram(&basis, true).unwrap();
            let gram = gram.expect("d = 2 gives the Gram matrix");
            let dense = b.transpose() * &b;
            let scale = dense.norm_max();
            for j in 0..basis.len() {
                for i in j..basis.len() {
                    let diff = (gram[(i, j)] - dense[(i, j)]).abs();
                    assert!(diff <= 1e-13 * scale, "{kind:?} ({i}, {j}): {} vs {}", gram[(i, j)], dense[(i, j)]);
                }
            }
        }
    }

    #[test]
    fn partial_solve_with_the_sum_factorised_gram_matches_the_svd() {
        let pot = coupled();
        let op = Overdamped::new(&pot, 0.3).unwrap();
        let basis = HermiteBasis::new(vec![0.0, 0.0], vec![0.6, 0.45], vec![24, 20], IndexSet::FullTensor).unwrap();
        assert!(crate::eigen::partial_applies(basis.len(), 3, -1e-2));
        let (b, gram) = op.factor_with_gram(&basis, true).unwrap();
        let full = crate::eigen::lowest_from_owned_factor(b.clone(), 3).unwrap();
        let few = crate::eigen::lowest_few_from_factor_and_gram(b, gram, 3, -1e-2).unwrap();
        for l in 0..3 {
            let tol = 2.0 * (few.rounding[l] + full.rounding[l]) + 1e-12;
            assert!((few.values[l] - full.values[l]).abs() <= tol, "{l}: {} vs {}", few.values[l], full.values[l]);
        }
    }
}

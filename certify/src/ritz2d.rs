//! Floating-point Galerkin pass for d = 2 (only *choices*: scales, trial vectors, shifts): the
//! matrix of H on the basis a < nx, b < ny, split into the symmetry sectors of L (parity of a, of
//! b or of a + b when L is even in x, in y or jointly; H commutes with the reflection, so the
//! Galerkin matrix is block-diagonal), each block diagonalised by nalgebra.

use crate::hermite2d::{Operator2, Poly2};
use std::collections::BTreeMap;

/// Ritz values (ascending) and vectors on the grid of `op` (basis entries a < nx, b < ny).
pub struct Ritz {
    /// Values, ascending.
    pub values: Vec<f64>,
    /// Vectors, each of length mx·my.
    pub vectors: Vec<Vec<f64>>,
}

/// The Galerkin matrix D⟨A_i e_k, A_i e_l⟩ summed over i, with the basis index list.
fn galerkin(op: &Operator2<f64>, d: f64, nx: usize, ny: usize) -> (Vec<(usize, usize)>, nalgebra::DMatrix<f64>) {
    let basis: Vec<(usize, usize)> = (0..nx).flat_map(|a| (0..ny).map(move |b| (a, b))).collect();
    let n = basis.len();
    let grid = op.mx * op.my;
    // rows[r] = the basis functions k whose image has a non-zero entry r, with that entry.
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); 2 * grid];
    for (k, &(a, b)) in basis.iter().enumerate() {
        let mut e = vec![0.0; grid];
        e[a * op.my + b] = 1.0;
        for axis in 0..2 {
            for (r, x) in op.apply(&e, axis, false).into_iter().enumerate() {
                if x != 0.0 {
                    rows[axis * grid + r].push((k, x));
                }
            }
        }
    }
    let mut g = nalgebra::DMatrix::zeros(n, n);
    for row in &rows {
        for &(k, x) in row {
            for &(l, y) in row {
                g[(k, l)] += d * x * y;
            }
        }
    }
    (basis, g)
}

/// Sector label of basis function (a, b) under the reflections that leave L invariant.
fn sector(l: &Poly2, a: usize, b: usize) -> (usize, usize, usize) {
    let x = if l.is_symmetric(true, false) { a % 2 } else { 0 };
    let y = if l.is_symmetric(false, true) { b % 2 } else { 0 };
    let j = if l.is_symmetric(true, true) { (a + b) % 2 } else { 0 };
    (x, y, j)
}

/// Ritz pairs of H on the basis a < nx, b < ny, over all sectors, ascending.
pub fn ritz(l: &Poly2, d: f64, s: [f64; 2], nx: usize, ny: usize, pad: usize) -> Ritz {
    let op = Operator2::<f64>::new(l, d, s, nx + pad, ny + pad);
    let (basis, g) = galerkin(&op, d, nx, ny);
    eig_sectors(l, &basis, &g, op.my, op.mx * op.my)
}

/// Eigenpairs of the Galerkin matrix `g` on `basis`, block by symmetry sector of L (every
/// operator handed here commutes with L's reflections), as vectors on a grid of row length
/// `my` and size `grid`, ascending.
pub fn eig_sectors(l: &Poly2, basis: &[(usize, usize)], g: &nalgebra::DMatrix<f64>, my: usize, grid: usize) -> Ritz {
    let mut sectors: BTreeMap<(usize, usize, usize), Vec<usize>> = BTreeMap::new();
    for (k, &(a, b)) in basis.iter().enumerate() {
        sectors.entry(sector(l, a, b)).or_default().push(k);
    }
    let mut pairs: Vec<(f64, Vec<f64>)> = Vec::new();
    for idx in sectors.values() {
        let block = nalgebra::DMatrix::from_fn(idx.len(), idx.len(), |i, j| g[(idx[i], idx[j])]);
        let eig = block.symmetric_eigen();
        for c in 0..idx.len() {
            let mut v = vec![0.0; grid];
            for (i, &k) in idx.iter().enumerate() {
                let (a, b) = basis[k];
                v[a * my + b] = eig.eigenvectors[(i, c)];
            }
            pairs.push((eig.eigenvalues[c], v));
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (values, vectors) = pairs.into_iter().unzip();
    Ritz { values, vectors }
}

/// The scales (s_x, s_y) among a few candidates with the smallest sum of the first six Ritz
/// values on a small basis.
pub fn choose_scales(l: &Poly2, d: f64, pad: usize) -> [f64; 2] {
    let mut best = (f64::INFINITY, [1.0, 1.0]);
    for i in -4..=2 {
        for j in -4..=2 {
            let s = [2f64.powf(i as f64 / 2.0), 2f64.powf(j as f64 / 2.0)];
            let r = ritz(l, d, s, 14, 14, pad);
            let sum: f64 = r.values.iter().take(6).sum();
            if sum.is_finite() && sum < best.0 {
                best = (sum, s);
            }
        }
    }
    best.1
}

//! Galerkin matrix of the kinetic generator G = −T + F in the flat variable u = ψ/√ψ_∞
//! (module docs of [`crate::kinetic`]), and the projection of the ground state √ψ_∞ (the kernel of G).
//!
//! T = Σ_j v_j ∂_{w_j} − ∂_{w_j}L ∂_{v_j}: each term is (symmetric in v ⊗ antisymmetric in w) or
//! (antisymmetric in v ⊗ symmetric in w), so the Galerkin matrix of T is exactly antisymmetric
//! and that of G has its numerical range in the closed left half-plane.

use super::basis::{fourier_mode, KineticBasis, WAxis};
use super::plan::{check_assembly, HINT};
use super::KineticParams;
use crate::banded::{position_power, Banded};
use crate::budget::check_memory;
use crate::error::{EngineError, Result};
use crate::hermite::{values, GaussHermite};
use crate::potential::Potential;
use faer::sparse::{SparseColMat, Triplet};
use faer::{Col, Mat};
use rayon::prelude::*;
use rustfft::{num_complex::Complex, FftPlanner};
use std::collections::BTreeMap;

/// Sparse rows of a small matrix: row i holds (column, value) pairs.
pub type Rows = Vec<Vec<(usize, f64)>>;

/// The kinetic problem: a potential on R^d (or the circle) and the coefficients of the kinetic Fokker–Planck equation.
#[derive(Debug, Clone)]
pub struct Kinetic<'a> {
    /// The risk L.
    pub potential: &'a dyn Potential,
    /// g and D_v.
    pub params: KineticParams,
    /// True when w lives on the circle [0, 2π) (L 2π-periodic, d = 1).
    pub periodic: bool,
}

/// The 1D matrices G is assembled from.
#[derive(Debug, Clone)]
struct Pieces {
    /// ⟨φ_m, ∂_w φ_n⟩ per w-axis (antisymmetric).
    w_derivative: Vec<Rows>,
    /// ⟨φ_α, ∂_{w_j}L φ_β⟩ over the full w tensor (flat index w_0·n_1 + w_1), per j.
    force: Vec<Rows>,
    /// ⟨χ_m, v χ_n⟩ (symmetric).
    v_position: Rows,
    /// ⟨χ_m, ∂_v χ_n⟩ (antisymmetric).
    v_derivative: Rows,
}

impl<'a> Kinetic<'a> {
    /// A confining problem on R^d.
    pub fn new(potential: &'a dyn Potential, params: KineticParams) -> Result<Self> {
        Ok(Kinetic { potential, params, periodic: false })
    }

    /// A 2π-periodic problem on the circle (d = 1).
    pub fn periodic(potential: &'a dyn Potential, params: KineticParams) -> Result<Self> {
        if potential.dim() != 1 {
            return Err(EngineError::InvalidParameter("periodic kinetic problems need d = 1".into()));
        }
        Ok(Kinetic { potential, params, periodic: true })
    }

    /// Sparse Galerkin matrix of G = −T + F on the basis.
    pub fn matrix(&self, basis: &KineticBasis) -> Result<SparseColMat<usize, f64>> {
        let triplets = self.triplets(basis, true)?;
        SparseColMat::try_new_from_triplets(basis.len(), basis.len(), &triplets)
            .map_err(|e| EngineError::Numerical(format!("sparse assembly failed: {e:?}")))
    }

    /// Sparse Galerkin matrix of the transport T alone (antisymmetric).
    pub fn transport(&self, basis: &KineticBasis) -> Result<SparseColMat<usize, f64>> {
        let triplets = self.triplets(basis, false)?;
        SparseColMat::try_new_from_triplets(basis.len(), basis.len(), &triplets)
            .map_err(|e| EngineError::Numerical(format!("sparse assembly failed: {e:?}")))
    }

    /// Rows of the Galerkin matrix of G (non-zero entries, columns ascending), for solvers that
    /// work on compressed rows.
    pub fn rows(&self, basis: &KineticBasis) -> Result<Rows> {
        self.sparse_rows(basis, true)
    }

    fn sparse_rows(&self, basis: &KineticBasis, generator: bool) -> Result<Rows> {
        let pieces = self.pieces(basis)?;
        check_assembly(basis.len(), entry_bound(basis, &pieces))?;
        let g = self.params.friction;
        let rows: Rows = (0..basis.len())
            .into_par_iter()
            .map(|row| {
                let mut acc = transport_row(basis, &pieces, row);
                if generator {
                    acc.0.iter_mut().for_each(|(_, v)| *v = -*v);
                    acc.add(row, -(g * basis.velocity_degree(row) as f64));
                }
                acc.into_sorted()
            })
            .collect();
        if rows.iter().flatten().any(|(_, v)| !v.is_finite()) {
            return Err(EngineError::Numerical("non-finite entry in the kinetic matrix".into()));
        }
        Ok(rows)
    }

    fn triplets(&self, basis: &KineticBasis, generator: bool) -> Result<Vec<Triplet<usize, usize, f64>>> {
        let rows = self.sparse_rows(basis, generator)?;
        Ok(rows
            .into_iter()
            .enumerate()
            .flat_map(|(r, row)| row.into_iter().map(move |(c, v)| Triplet::new(r, c, v)))
            .collect())
    }

    fn pieces(&self, basis: &KineticBasis) -> Result<Pieces> {
        let d = basis.dim();
        let w_derivative = (0..d).map(|j| derivative_rows(basis.w_axes[j], basis.w_sizes[j])).collect();
        let force = (0..d).map(|j| self.force_rows(basis, j)).collect::<Result<Vec<_>>>()?;
        let nv = basis.v_sizes.iter().copied().max().unwrap_or(1);
        let s = basis.v_scale;
        Ok(Pieces {
            w_derivative,
            force,
            v_position: ladder_rows(nv, s),
            v_derivative: derivative_rows(WAxis::Hermite { centre: 0.0, scale: s }, nv),
        })
    }

    /// Rows of the multiplication by ∂_{w_j}L over the full w tensor.
    fn force_rows(&self, basis: &KineticBasis, j: usize) -> Result<Rows> {
        if self.periodic {
            return fourier_force_rows(self.potential, basis.w_sizes[0]);
        }
        let (centre, scale) = hermite_axes(basis)?;
        match self.potential.poly() {
            Some(p) => Ok(poly_force_rows(&p.derivative(j), &centre, &scale, &basis.w_sizes)),
            None => quadrature_force_rows(self.potential, j, &centre, &scale, &basis.w_sizes),
        }
    }

    /// Coefficients of the normalised ground state √ψ_∞ ∝ e^{−η'(L + |v|²/2)/2} (the kernel of G) on the
    /// basis, by quadrature in w (its v-part is exactly the first v-Hermite function).
    pub fn ground_state(&self, basis: &KineticBasis) -> Result<Col<f64>> {
        self.ground_state_at(basis, self.params.eta())
    }

    /// The projection of e^{−η L(w)/2} ⊗ (velocity ground mode), normalised, for any inverse
    /// temperature η in w (η = η' gives √ψ_∞; other values serve as controls).
    pub fn ground_state_at(&self, basis: &KineticBasis, eta: f64) -> Result<Col<f64>> {
        let w_coeffs = if self.periodic {
            fourier_ground_state(self.potential, eta, basis.w_sizes[0])
        } else {
            let (centre, scale) = hermite_axes(basis)?;
            hermite_ground_state(self.potential, eta, &centre, &scale, &basis.w_sizes)
        };
        let n1 = *basis.w_sizes.get(1).unwrap_or(&1);
        let mut u = Col::<f64>::zeros(basis.len());
        for (i, a) in basis.indices.iter().enumerate() {
            if a[2] == 0 && a[3] == 0 {
                u[i] = w_coeffs[a[0] * n1 + a[1]];
            }
        }
        let norm = u.norm_l2();
        if !(norm.is_finite() && norm > 0.0) {
            return Err(EngineError::Numerical("ground state projection vanished".into()));
        }
        Ok(u / norm)
    }
}

/// Centres and scales of Hermite w-axes.
pub(crate) fn hermite_axes(basis: &KineticBasis) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut centre = Vec::new();
    let mut scale = Vec::new();
    for axis in &basis.w_axes {
        match axis {
            WAxis::Hermite { centre: c, scale: s } => {
                centre.push(*c);
                scale.push(*s);
            }
            WAxis::Fourier => return Err(EngineError::InvalidParameter("expected Hermite w-axes".into())),
        }
    }
    Ok((centre, scale))
}

/// The entries of one sparse row, summed per column in the order they are added (a short list:
/// a row of G has a few dozen entries at most).
struct RowSum(Vec<(usize, f64)>);

impl RowSum {
    /// Adds `v` to the entry in column `col` (0 + v for a new one).
    fn add(&mut self, col: usize, v: f64) {
        match self.0.iter_mut().find(|(c, _)| *c == col) {
            Some((_, sum)) => *sum += v,
            None => self.0.push((col, 0.0 + v)),
        }
    }

    /// The non-zero entries, columns ascending.
    fn into_sorted(mut self) -> Vec<(usize, f64)> {
        self.0.retain(|(_, v)| *v != 0.0);
        self.0.sort_unstable_by_key(|&(c, _)| c);
        self.0
    }
}

/// The row of T for basis function `row` (before the sign of G).
fn transport_row(basis: &KineticBasis, p: &Pieces, row: usize) -> RowSum {
    let d = basis.dim();
    let alpha = basis.indices[row];
    let n1 = *basis.w_sizes.get(1).unwrap_or(&1);
    let mut acc = RowSum(Vec::with_capacity(32));
    let mut add = |beta: [usize; 4], v: f64| {
        if let Some(col) = basis.position(&beta) {
            acc.add(col, v);
        }
    };
    for j in 0..d {
        let vj = alpha[2 + j];
        for &(bv, xv) in &p.v_position[vj] {
            for &(bw, dw) in &p.w_derivative[j][alpha[j]] {
                let mut beta = alpha;
                beta[2 + j] = bv;
                beta[j] = bw;
                add(beta, xv * dw);
            }
        }
        let flat = alpha[0] * n1 + alpha[1];
        for &(bv, dv) in &p.v_derivative[vj] {
            for &(bw, f) in &p.force[j][flat] {
                let mut beta = alpha;
                beta[2 + j] = bv;
                beta[0] = bw / n1;
                beta[1] = bw % n1;
                add(beta, -dv * f);
            }
        }
    }
    acc
}

/// An upper bound on the stored entries of G on `basis` (before assembly): per row, the products
/// of the 1D row lengths that [`transport_row`] combines, plus the diagonal.
fn entry_bound(basis: &KineticBasis, p: &Pieces) -> f64 {
    let n1 = *basis.w_sizes.get(1).unwrap_or(&1);
    basis
        .indices
        .iter()
        .map(|a| {
            let flat = a[0] * n1 + a[1];
            let per_axis: usize = (0..basis.dim())
                .map(|j| {
                    let v = a[2 + j];
                    p.v_position[v].len() * p.w_derivative[j][a[j]].len()
                        + p.v_derivative[v].len() * p.force[j][flat].len()
                })
                .sum();
            (1 + per_axis) as f64
        })
        .sum()
}

/// Position rows of a Hermite axis: ⟨φ_m, x φ_n⟩ = s √(max(m,n)/2) for |m − n| = 1 (plus the
/// centre on the diagonal, here 0 for v).
fn ladder_rows(n: usize, scale: f64) -> Rows {
    (0..n)
        .map(|m| {
            let mut r = Vec::new();
            if m > 0 {
                r.push((m - 1, scale * (m as f64 / 2.0).sqrt()));
            }
            if m + 1 < n {
                r.push((m + 1, scale * ((m + 1) as f64 / 2.0).sqrt()));
            }
            r
        })
        .collect()
}

/// ⟨φ_m, ∂ φ_n⟩ on one axis: Hermite (ψ_n' = √(n/2)ψ_{n−1} − √((n+1)/2)ψ_{n+1}, divided by the
/// scale) or Fourier (∂cos kw = −k sin kw, ∂sin kw = k cos kw).
pub(crate) fn derivative_rows(axis: WAxis, n: usize) -> Rows {
    match axis {
        WAxis::Hermite { scale, .. } => (0..n)
            .map(|m| {
                let mut r = Vec::new();
                if m > 0 {
                    r.push((m - 1, -(m as f64 / 2.0).sqrt() / scale));
                }
                if m + 1 < n {
                    r.push((m + 1, ((m + 1) as f64 / 2.0).sqrt() / scale));
                }
                r
            })
            .collect(),
        WAxis::Fourier => (0..n)
            .map(|m| {
                let k = m.div_ceil(2) as f64;
                match m {
                    0 => vec![],
                    _ if m % 2 == 1 && m + 1 < n => vec![(m + 1, k)],
                    _ if m % 2 == 0 => vec![(m - 1, -k)],
                    _ => vec![],
                }
            })
            .collect(),
    }
}

/// Exact banded rows of a polynomial multiplication in the scaled variables t = (w − c)/s.
fn poly_force_rows(f: &crate::polynomial::Poly, centre: &[f64], scale: &[f64], sizes: &[usize]) -> Rows {
    let ft = f.affine_substitute(centre, scale);
    let d = sizes.len();
    let n1 = if d > 1 { sizes[1] } else { 1 };
    let powers: Vec<Vec<Banded>> =
        (0..d).map(|j| (0..=ft.degree_in(j) as usize).map(|a| position_power(sizes[j], a)).collect()).collect();
    (0..sizes[0] * n1)
        .map(|flat| {
            let alpha = [flat / n1, flat % n1];
            let mut acc: BTreeMap<usize, f64> = BTreeMap::new();
            for (m, c) in &ft.terms {
                let (a0, a1) = (m[0] as usize, if d > 1 { m[1] as usize } else { 0 });
                let lo1 = alpha[1].saturating_sub(a1);
                let hi1 = (alpha[1] + a1).min(n1 - 1);
                for b0 in alpha[0].saturating_sub(a0)..=(alpha[0] + a0).min(sizes[0] - 1) {
                    let x0 = powers[0][a0].get(alpha[0], b0);
                    if x0 == 0.0 {
                        continue;
                    }
                    for b1 in lo1..=hi1 {
                        let x1 = if d > 1 { powers[1][a1].get(alpha[1], b1) } else { 1.0 };
                        if x1 != 0.0 {
                            *acc.entry(b0 * n1 + b1).or_insert(0.0) += c * x0 * x1;
                        }
                    }
                }
            }
            acc.into_iter().filter(|(_, v)| *v != 0.0).collect()
        })
        .collect()
}

/// Largest w tensor (n_0·n_1 functions) on which ∂_{w_j}L of a non-polynomial L is assembled
/// densely (the flat matrix has this many squared entries).
pub(crate) const MAX_QUADRATURE_FLAT: usize = 4096;

/// Entries of a quadrature force matrix below this multiple of its largest entry are dropped: the
/// orthogonality sums Σ_k λ_k ψ_a(t_k)ψ_b(t_k) = δ_ab carry rounding of a few ε, so an exact zero
/// (e.g. off the identity of an axis L does not depend on) comes out at ~1e-16 relative. Dropping
/// changes each row of the force by at most this times the largest entry times the row length.
pub(crate) const FORCE_DROP: f64 = 64.0 * f64::EPSILON;

/// Dense rows of ∂_{w_j}L over the Hermite w tensor (flat index w_0·n_1 + w_1) by tensor
/// Gauss–Hermite quadrature (non-polynomial L, d = 1 or 2), 2n + 40 nodes per axis:
///   M_{(a0,a1),(b0,b1)} = Σ_{i,k} λ_i λ_k ∂_jL(c + s t_{ik}) ψ_a0(t_i)ψ_b0(t_i) ψ_a1(t_k)ψ_b1(t_k),
/// summed axis by axis (first over w_0 per node of w_1, then one matrix product over w_1).
fn quadrature_force_rows(
    potential: &dyn Potential,
    j: usize,
    centre: &[f64],
    scale: &[f64],
    sizes: &[usize],
) -> Result<Rows> {
    let d = sizes.len();
    let (n0, n1) = (sizes[0], if d > 1 { sizes[1] } else { 1 });
    if n0 * n1 > MAX_QUADRATURE_FLAT {
        return Err(EngineError::TooLarge(format!(
            "{n0}×{n1} w functions for a quadrature force, limit {MAX_QUADRATURE_FLAT}"
        )));
    }
    // The dense force matrix (8 B per entry), its rows (16 B) and the quadrature products.
    let flat = (n0 * n1) as f64;
    check_memory(
        &format!("the quadrature force on {n0}×{n1} w functions"),
        32.0 * flat * flat + 8.0 * (n0 * n0 + n1 * n1) as f64 * (2 * n0.max(n1) + 40) as f64,
        HINT,
    )?;
    let axes: Vec<(Vec<f64>, Vec<f64>, Mat<f64>)> = (0..2)
        .map(|k| match sizes.get(k) {
            Some(&n) => {
                let rule = GaussHermite::new(2 * n + 40);
                let tab: Vec<Vec<f64>> = rule.nodes.iter().map(|&t| values(n, t)).collect();
                let psi = Mat::from_fn(rule.nodes.len(), n, |i, a| tab[i][a]);
                let x = rule.nodes.iter().map(|t| centre[k] + scale[k] * t).collect();
                (x, rule.weights, psi)
            }
            None => (vec![0.0], vec![1.0], Mat::from_fn(1, 1, |_, _| 1.0)),
        })
        .collect();
    let (x0, l0, psi0) = &axes[0];
    let (x1, l1, psi1) = &axes[1];
    // P[(a0, b0), k] = λ_k Σ_i λ_i ∂_jL(x_i, y_k) ψ_a0(t_i) ψ_b0(t_i).
    let columns: Vec<Vec<f64>> = (0..x1.len())
        .into_par_iter()
        .map(|k| {
            // ∂_jL once per node, not once per (node, basis function)
            let force: Vec<f64> = (0..x0.len())
                .map(|i| {
                    let w = if d > 1 { vec![x0[i], x1[k]] } else { vec![x0[i]] };
                    potential.jet(&w).g[j]
                })
                .collect();
            if let Some(i) = force.iter().position(|f| !f.is_finite()) {
                return Err(EngineError::Numerical(format!(
                    "∂L is not finite at the quadrature node ({}, {})",
                    x0[i], x1[k]
                )));
            }
            let weighted = Mat::from_fn(x0.len(), n0, |i, a| l1[k] * l0[i] * force[i] * psi0[(i, a)]);
            let b = psi0.transpose() * &weighted;
            Ok((0..n0 * n0).map(|ab| b[(ab / n0, ab % n0)]).collect())
        })
        .collect::<Result<_>>()?;
    let p = Mat::from_fn(n0 * n0, x1.len(), |ab, k| columns[k][ab]);
    let pairs = Mat::from_fn(x1.len(), n1 * n1, |k, ab| psi1[(k, ab / n1)] * psi1[(k, ab % n1)]);
    let m = &p * &pairs;
    let top = (0..m.nrows())
        .flat_map(|r| (0..m.ncols()).map(move |c| (r, c)))
        .fold(0.0f64, |a, (r, c)| a.max(m[(r, c)].abs()));
    let cut = FORCE_DROP * top;
    let rows = (0..n0 * n1)
        .map(|row| {
            let (a0, a1) = (row / n1, row % n1);
            (0..n0 * n1)
                .filter_map(|col| {
                    let (b0, b1) = (col / n1, col % n1);
                    let v = m[(a0 * n0 + b0, a1 * n1 + b1)];
                    (v.abs() > cut).then_some((col, v))
                })
                .collect()
        })
        .collect();
    Ok(rows)
}

/// Complex Fourier coefficients f̂_k, |k| ≤ kmax, of a 2π-periodic function by FFT on q points.
pub(crate) fn fourier_coefficients(f: impl Fn(f64) -> f64, q: usize) -> Vec<Complex<f64>> {
    let mut buf: Vec<Complex<f64>> =
        (0..q).map(|i| Complex::new(f(2.0 * std::f64::consts::PI * i as f64 / q as f64), 0.0)).collect();
    FftPlanner::new().plan_fft_forward(q).process(&mut buf);
    buf.iter().map(|c| c / q as f64).collect()
}

/// Real Fourier mode `m` as a combination of e^{ikw}/√(2π): [(k, coefficient)].
fn mode_in_exponentials(m: usize) -> Vec<(i64, Complex<f64>)> {
    let r = std::f64::consts::FRAC_1_SQRT_2;
    let k = m.div_ceil(2) as i64;
    match m {
        0 => vec![(0, Complex::new(1.0, 0.0))],
        _ if m % 2 == 1 => vec![(k, Complex::new(r, 0.0)), (-k, Complex::new(r, 0.0))],
        _ => vec![(k, Complex::new(0.0, -r)), (-k, Complex::new(0.0, r))],
    }
}

/// Rows of ∂_wL in real Fourier modes from its FFT coefficients (entries below 1e-17 dropped).
fn fourier_force_rows(potential: &dyn Potential, n: usize) -> Result<Rows> {
    let q = (4 * n + 256).next_power_of_two();
    let coef = fourier_coefficients(|w| potential.jet(&[w]).g[0], q);
    let hat = |k: i64| coef[k.rem_euclid(q as i64) as usize];
    let rows = (0..n)
        .map(|a| {
            (0..n)
                .filter_map(|b| {
                    let mut s = Complex::new(0.0, 0.0);
                    for (ka, ca) in mode_in_exponentials(a) {
                        for (kb, cb) in mode_in_exponentials(b) {
                            s += ca.conj() * cb * hat(ka - kb);
                        }
                    }
                    (s.re.abs() > 1e-17).then_some((b, s.re))
                })
                .collect()
        })
        .collect();
    Ok(rows)
}

/// Projection of e^{−η'(L − L_min)/2} on the Hermite w tensor (flat index), by Gauss–Hermite.
fn hermite_ground_state(
    potential: &dyn Potential,
    eta: f64,
    centre: &[f64],
    scale: &[f64],
    sizes: &[usize],
) -> Vec<f64> {
    let d = sizes.len();
    let rules: Vec<GaussHermite> = sizes.iter().map(|&n| GaussHermite::new(2 * n + 60)).collect();
    let tabs: Vec<Vec<Vec<f64>>> =
        (0..d).map(|j| rules[j].nodes.iter().map(|&t| values(sizes[j], t)).collect()).collect();
    let n1 = if d > 1 { sizes[1] } else { 1 };
    let q1 = if d > 1 { rules[1].nodes.len() } else { 1 };
    let lmin = {
        let mut m = f64::INFINITY;
        for i in 0..rules[0].nodes.len() {
            for k in 0..q1 {
                m = m.min(potential.value(&node(&rules, centre, scale, i, k)));
            }
        }
        m
    };
    let mut out = vec![0.0; sizes[0] * n1];
    for i in 0..rules[0].nodes.len() {
        for k in 0..q1 {
            let x = node(&rules, centre, scale, i, k);
            let rho = (-0.5 * eta * (potential.value(&x) - lmin)).exp();
            let mut w = rules[0].weights[i] * scale[0].sqrt() * rho;
            if d > 1 {
                w *= rules[1].weights[k] * scale[1].sqrt();
            }
            for a in 0..sizes[0] {
                let pa = w * tabs[0][i][a];
                for b in 0..n1 {
                    out[a * n1 + b] += pa * if d > 1 { tabs[1][k][b] } else { 1.0 };
                }
            }
        }
    }
    out
}

fn node(rules: &[GaussHermite], centre: &[f64], scale: &[f64], i: usize, k: usize) -> Vec<f64> {
    let mut x = vec![centre[0] + scale[0] * rules[0].nodes[i]];
    if rules.len() > 1 {
        x.push(centre[1] + scale[1] * rules[1].nodes[k]);
    }
    x
}

/// Projection of e^{−η'(L − L_min)/2} on real Fourier modes (trapezoid rule, spectrally exact).
fn fourier_ground_state(potential: &dyn Potential, eta: f64, n: usize) -> Vec<f64> {
    let q = 4 * n + 256;
    let h = 2.0 * std::f64::consts::PI / q as f64;
    let ws: Vec<f64> = (0..q).map(|i| i as f64 * h).collect();
    let ls: Vec<f64> = ws.iter().map(|&w| potential.value(&[w])).collect();
    let lmin = ls.iter().copied().fold(f64::INFINITY, f64::min);
    (0..n)
        .map(|m| ws.iter().zip(&ls).map(|(&w, &l)| h * fourier_mode(m, w) * (-0.5 * eta * (l - lmin)).exp()).sum())
        .collect()
}

//! A potential seen through an orthogonal change of coordinates w = c + Q u, and the planner's
//! choice of Q: the principal axes of a polynomial's quadratic part.
//!
//! Both generators of the engine have isotropic coefficients (D∆ in w for the overdamped one;
//! friction g and D_v∆_v for the kinetic one, with v = Q v'), so with Q orthogonal the generator
//! of L_Q(u) = L(c + Q u) is the generator of L conjugated by the change of variables, and the two
//! have the same spectrum. A correlated quadratic e^{−wᵀAw} is not a finite sum of products of
//! per-axis Hermite functions; in the eigenvectors of A it is a single product.

use super::Potential;
use crate::error::{EngineError, Result};
use crate::jet::{Grad, Jet, MAX_DIM};
use crate::polynomial::Poly;
use serde::Serialize;

/// Largest mixed part of the rotated polynomial, relative to the whole of each degree, counted as
/// rounding ([`principal_axes`]): the substitution and the orthogonality of Q (from the Jacobi
/// iteration) are exact to a few units of 1e-16 relative, so 1e-12 leaves three orders of room
/// and is far below any coupling that matters to a spectrum at the tolerances of the engine
/// (≥ 1e-15 relative, with the mixed terms kept, not dropped: the resolution study measures them).
pub const ROUNDING_COUPLING: f64 = 1e-12;

/// An orthogonal change of coordinates w = Q u, chosen as data before any solve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrincipalAxes {
    /// Q, row-major (column j is the j-th principal axis in the original coordinates), det Q = 1.
    pub q: Vec<Vec<f64>>,
    /// Eigenvalues of the quadratic part's matrix A, in the order of the columns of Q.
    pub curvatures: Vec<f64>,
    /// Σ|c_α| over the monomials α that couple two coordinates, before and after the rotation,
    /// each relative to Σ|c_α| over all non-constant monomials.
    pub coupling: [f64; 2],
    /// The rotation in words: its angle (and in d = 3 its axis).
    pub description: String,
}

/// Matrix A of the quadratic part Σ_{|α|=2} c_α w^α = wᵀAw of a polynomial in d variables.
pub fn quadratic_matrix(poly: &Poly, dim: usize) -> Vec<Vec<f64>> {
    let mut a = vec![vec![0.0; dim]; dim];
    for (m, c) in poly.terms.iter().filter(|(m, _)| m.iter().sum::<u32>() == 2) {
        let axes: Vec<usize> = (0..dim).filter(|&i| m[i] > 0).collect();
        match axes[..] {
            [i] => a[i][i] += c,
            [i, j] => {
                a[i][j] += c / 2.0;
                a[j][i] += c / 2.0;
            }
            _ => {}
        }
    }
    a
}

/// (Σ|c_α| over the mixed monomials, Σ|c_α| over every non-constant monomial) of degree `degree`,
/// or of every degree when `degree` is None.
fn coupling_size(poly: &Poly, degree: Option<u32>) -> (f64, f64) {
    poly.terms
        .iter()
        .filter(|(m, _)| m.iter().sum::<u32>() > 0 && degree.is_none_or(|k| m.iter().sum::<u32>() == k))
        .fold((0.0, 0.0), |(mixed, all), (m, c)| {
            let coupled = m.iter().filter(|&&k| k > 0).count() > 1;
            (mixed + if coupled { c.abs() } else { 0.0 }, all + c.abs())
        })
}

/// Whether every degree of `poly` is separable up to rounding: its mixed monomials sum (in
/// absolute value) to at most [`ROUNDING_COUPLING`] times all its monomials of that degree.
pub fn separable_to_rounding(poly: &Poly) -> bool {
    (1..=poly.degree()).all(|k| {
        let (mixed, all) = coupling_size(poly, Some(k));
        mixed <= ROUNDING_COUPLING * all
    })
}

/// Eigenvalues and orthonormal eigenvectors (columns of the returned matrix) of a symmetric d×d
/// matrix (nalgebra's symmetric QR iteration).
pub fn symmetric_eigen(a: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = a.len();
    let eigen = nalgebra::DMatrix::from_fn(d, d, |i, j| a[i][j]).symmetric_eigen();
    let vectors = (0..d).map(|i| (0..d).map(|j| eigen.eigenvectors[(i, j)]).collect()).collect();
    (eigen.eigenvalues.iter().copied().collect(), vectors)
}

/// Orders the columns of V so that column j is the eigenvector closest to axis j (greedy on
/// |V_ij|), with V_jj ≥ 0 and det V = +1 (the last column flipped if needed): the rotation is
/// then the smallest one that aligns the axes.
fn align_columns(values: &[f64], v: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = values.len();
    let mut free: Vec<usize> = (0..d).collect();
    let mut order = Vec::with_capacity(d);
    for row in v.iter().take(d) {
        // The first free column of largest |V_ij| (ties keep the lower index: deterministic).
        let k = (0..free.len()).fold(0, |best, k| if row[free[k]].abs() > row[free[best]].abs() { k } else { best });
        order.push(free.remove(k));
    }
    let mut q: Vec<Vec<f64>> = (0..d).map(|i| order.iter().map(|&j| v[i][j]).collect()).collect();
    for j in 0..d {
        if q[j][j] < 0.0 {
            q.iter_mut().for_each(|row| row[j] = -row[j]);
        }
    }
    if determinant(&q) < 0.0 {
        q.iter_mut().for_each(|row| row[d - 1] = -row[d - 1]);
    }
    (order.iter().map(|&j| values[j]).collect(), q)
}

/// Determinant of a 2×2 or 3×3 matrix (1 for d = 1).
fn determinant(q: &[Vec<f64>]) -> f64 {
    match q.len() {
        2 => q[0][0] * q[1][1] - q[0][1] * q[1][0],
        3 => {
            q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0])
                + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0])
        }
        _ => 1.0,
    }
}

/// The rotation in words: its angle in degrees (d = 2: from the x-axis to the first principal
/// axis; d = 3: about the axis (Q − Qᵀ)'s vector, θ = acos((tr Q − 1)/2)).
fn describe_rotation(q: &[Vec<f64>]) -> String {
    let degrees = |r: f64| r.to_degrees();
    if q.len() == 2 {
        return format!("rotated to principal axes (angle {:.6}°)", degrees(q[1][0].atan2(q[0][0])));
    }
    let trace = q[0][0] + q[1][1] + q[2][2];
    let theta = ((trace - 1.0) / 2.0).clamp(-1.0, 1.0).acos();
    let axis = [q[2][1] - q[1][2], q[0][2] - q[2][0], q[1][0] - q[0][1]];
    let norm = axis.iter().map(|x| x * x).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    format!(
        "rotated to principal axes (angle {:.6}° about ({:.6}, {:.6}, {:.6}))",
        degrees(theta),
        axis[0] / norm,
        axis[1] / norm,
        axis[2] / norm
    )
}

/// The planner's decision: Some(axes) when `potential` is a polynomial in d ≥ 2 whose quadratic
/// part couples coordinates (a mixed quadratic coefficient above rounding, [`ROUNDING_COUPLING`])
/// and whose rotation to the eigenvectors Q of the quadratic part's matrix A
/// ([`quadratic_matrix`]) leaves it separable up to rounding in every degree
/// ([`separable_to_rounding`]: "hidden separability", as for every quadratic and for
/// (x+y)⁴/4 − (x+y)²/2 + (x−y)²). Otherwise None, and the problem is solved as given.
///
/// Why the quadratic part and not the Hessian at the lowest minimum: it is read off the
/// coefficients without solving anything, and a polynomial that separates in some orthogonal
/// frame has a quadratic part diagonal in that frame, so the test loses no hidden-separable case
/// with distinct curvatures (equal curvatures leave Q free inside their eigenspace: the test
/// then may decline, and the problem is solved as given).
pub fn principal_axes(potential: &dyn Potential) -> Option<PrincipalAxes> {
    let dim = potential.dim();
    if !(2..=MAX_DIM).contains(&dim) {
        return None;
    }
    let poly = potential.poly()?;
    let (mixed, all) = coupling_size(&poly, Some(2));
    if mixed <= ROUNDING_COUPLING * all {
        return None;
    }
    let (values, vectors) = symmetric_eigen(&quadratic_matrix(&poly, dim));
    let (curvatures, q) = align_columns(&values, &vectors);
    let rotated = poly.linear_substitute(&vec![0.0; dim], &q);
    if !separable_to_rounding(&rotated) {
        return None;
    }
    let relative = |p: &Poly| {
        let (mixed, all) = coupling_size(p, None);
        mixed / all.max(f64::MIN_POSITIVE)
    };
    let description = describe_rotation(&q);
    Some(PrincipalAxes { coupling: [relative(&poly), relative(&rotated)], q, curvatures, description })
}

/// L_Q(u) = L(c + Q u) for an orthogonal Q: value, gradient Qᵀ∇L, Hessian QᵀHQ and, for a
/// polynomial L, the polynomial by substitution ([`Poly::linear_substitute`]).
#[derive(Debug)]
pub struct LinearChange<'a> {
    inner: &'a dyn Potential,
    centre: Vec<f64>,
    q: Vec<Vec<f64>>,
    poly: Option<Poly>,
}

impl<'a> LinearChange<'a> {
    /// The potential u ↦ L(c + Q u); Q is d×d (row-major) with d = `inner.dim()`.
    pub fn new(inner: &'a dyn Potential, centre: &[f64], q: &[Vec<f64>]) -> Result<Self> {
        let d = inner.dim();
        if centre.len() != d || q.len() != d || q.iter().any(|row| row.len() != d) {
            return Err(EngineError::InvalidParameter(format!(
                "a change of variables in d = {d} needs c ∈ R^d, Q ∈ R^(d×d)"
            )));
        }
        let poly = inner.poly().map(|p| p.linear_substitute(centre, q));
        Ok(LinearChange { inner, centre: centre.to_vec(), q: q.to_vec(), poly })
    }

    /// The rotation of [`principal_axes`] about the origin.
    pub fn rotated(inner: &'a dyn Potential, axes: &PrincipalAxes) -> Result<Self> {
        LinearChange::new(inner, &vec![0.0; inner.dim()], &axes.q)
    }

    /// w = c + Q u.
    fn point(&self, u: &[f64]) -> [f64; MAX_DIM] {
        let mut w = [0.0; MAX_DIM];
        for (i, wi) in w.iter_mut().enumerate().take(self.centre.len()) {
            *wi = self.centre[i] + self.q[i].iter().zip(u).map(|(q, u)| q * u).sum::<f64>();
        }
        w
    }

    /// Qᵀg.
    fn pull_back(&self, g: &[f64; MAX_DIM]) -> [f64; MAX_DIM] {
        let mut out = [0.0; MAX_DIM];
        for (j, o) in out.iter_mut().enumerate().take(self.q.len()) {
            *o = self.q.iter().zip(g).map(|(row, gi)| row[j] * gi).sum();
        }
        out
    }
}

impl Potential for LinearChange<'_> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn describe(&self) -> String {
        format!("{} in coordinates w = c + Q u (c = {:?}, Q = {:?})", self.inner.describe(), self.centre, self.q)
    }
    fn value(&self, u: &[f64]) -> f64 {
        self.inner.value(&self.point(u)[..self.dim()])
    }
    fn gradient(&self, u: &[f64]) -> Grad {
        let g = self.inner.gradient(&self.point(u)[..self.dim()]);
        Grad { v: g.v, g: self.pull_back(&g.g) }
    }
    /// ∇_u L_Q = Qᵀ∇L, ∇²_u L_Q = QᵀHQ.
    fn jet(&self, u: &[f64]) -> Jet {
        let j = self.inner.jet(&self.point(u)[..self.dim()]);
        let mut h = [[0.0; MAX_DIM]; MAX_DIM];
        let hq: Vec<[f64; MAX_DIM]> = j.h.iter().map(|row| self.pull_back(row)).collect(); // rows of HQ
        for (a, ha) in h.iter_mut().enumerate().take(self.q.len()) {
            for (b, hab) in ha.iter_mut().enumerate().take(self.q.len()) {
                *hab = (0..self.q.len()).map(|i| self.q[i][a] * hq[i][b]).sum();
            }
        }
        Jet { v: j.v, g: self.pull_back(&j.g), h }
    }
    fn poly(&self) -> Option<Poly> {
        self.poly.clone()
    }
    fn nan_from_overflow(&self, u: &[f64]) -> bool {
        self.inner.nan_from_overflow(&self.point(u)[..self.dim()])
    }
    fn pole(&self) -> Option<String> {
        self.inner.pole()
    }
}

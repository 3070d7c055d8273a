//! ‖h‖²_* and quadratic forms in the gradients ∇_w h, ∇_v h (weighted by ψ_∞) in d = 1 and 2, for states
//! u = √ψ_∞ h given by coefficients on a [`KineticBasis`].
//!
//! With E = L + |v|²/2, ∇_{w_j}h = e^{η'E/2} A_{w_j}u and ∇_{v_j}h = e^{η'E/2} A_{v_j}u, where
//! A_{w_j} = ∂_{w_j} + η'∂_{w_j}L/2 and A_{v_j} = ∂_{v_j} + η'v_j/2, so ⟨∇h, ∇h'⟩_* = ∫ A u · A u'.
//! In the v-Hermite basis of scale s_v (η's_v² = 2) A_{v_j} is the scaled annihilator,
//! A_{v_j}χ_m = √(η'm)χ_{m−1}: every v-integral is an exact sum over v-indices. The w-integrals are
//! tensor Gauss–Hermite (or trapezoid on the circle) quadratures of the w-coefficient fields of each
//! v-index, exact for polynomial L with enough nodes.
//!
//! Every sum runs over ordered maps (v-indices in lexicographic order), so a functional is the same
//! floating-point number in every run: a hash map's per-process random order changed H(0) in the
//! sixth digit from run to run.

use super::basis::{KineticBasis, WAxis};
use super::evolve::{fourier_axis, hermite_axis};
use super::operator::Kinetic;
use crate::error::{EngineError, Result};
use faer::{Col, Mat};
use std::collections::BTreeMap;

/// A tensor quadrature over the w-axes (the second axis a single unit node when d = 1), with the
/// w-basis and its derivative tabulated at the nodes, and ∂_{w_j}L at every node.
#[derive(Debug, Clone)]
pub struct WQuadrature {
    /// Nodes per axis.
    pub nodes: [Vec<f64>; 2],
    /// Weights per axis (∫ dw_j).
    pub weights: [Vec<f64>; 2],
    /// φ_a at the nodes per axis (q_j × n_j).
    phi: [Mat<f64>; 2],
    /// φ_a' at the nodes per axis.
    dphi: [Mat<f64>; 2],
    /// ∂_{w_j}L at the nodes (q_0 × q_1), per j < d.
    pub force: Vec<Mat<f64>>,
    /// L at the nodes (q_0 × q_1).
    pub value: Mat<f64>,
    /// Inverse temperature η'.
    pub eta: f64,
    dim: usize,
}

/// The v-index (α_{v_0}, α_{v_1}) of each basis function, and its w-coefficient matrix (n_0 × n_1).
fn by_velocity(basis: &KineticBasis, u: &Col<f64>) -> BTreeMap<[usize; 2], Mat<f64>> {
    let n1 = *basis.w_sizes.get(1).unwrap_or(&1);
    let mut out: BTreeMap<[usize; 2], Mat<f64>> = BTreeMap::new();
    for (i, a) in basis.indices.iter().enumerate() {
        let c = out.entry([a[2], a[3]]).or_insert_with(|| Mat::zeros(basis.w_sizes[0], n1));
        c[(a[0], a[1])] = u[i];
    }
    out
}

/// Per v-index m: A_{w_j}U_m at the w-nodes for each j, and U_m itself.
#[derive(Debug, Clone)]
pub struct GradientFields {
    /// U_m at the nodes.
    pub u: BTreeMap<[usize; 2], Mat<f64>>,
    /// A_{w_j}U_m at the nodes, per j.
    pub a: BTreeMap<[usize; 2], Vec<Mat<f64>>>,
    /// The coefficients by multi-index (the v-gradient is exact on them).
    coeffs: BTreeMap<[usize; 4], f64>,
}

impl WQuadrature {
    /// A quadrature with `extra` more nodes than basis functions per Hermite axis (2n + extra on
    /// the circle).
    pub fn new(problem: &Kinetic, basis: &KineticBasis, extra: usize) -> Result<Self> {
        let d = basis.dim();
        let axis = |j: usize| match basis.w_axes[j] {
            WAxis::Hermite { centre, scale } => hermite_axis(centre, scale, basis.w_sizes[j], basis.w_sizes[j] + extra),
            WAxis::Fourier => fourier_axis(basis.w_sizes[j], 2 * basis.w_sizes[j] + extra),
        };
        let (x0, w0, p0, dp0) = axis(0);
        let (x1, w1, p1, dp1) =
            if d > 1 { axis(1) } else { (vec![0.0], vec![1.0], Mat::from_fn(1, 1, |_, _| 1.0), Mat::zeros(1, 1)) };
        let point = |i: usize, k: usize| if d > 1 { vec![x0[i], x1[k]] } else { vec![x0[i]] };
        let jets: Vec<Vec<crate::jet::Jet>> =
            (0..x0.len()).map(|i| (0..x1.len()).map(|k| problem.potential.jet(&point(i, k))).collect()).collect();
        if jets.iter().flatten().any(|j| !j.v.is_finite() || j.g.iter().any(|g| !g.is_finite())) {
            return Err(EngineError::Numerical("risk not finite at a quadrature node".into()));
        }
        let force = (0..d).map(|j| Mat::from_fn(x0.len(), x1.len(), |i, k| jets[i][k].g[j])).collect();
        let value = Mat::from_fn(x0.len(), x1.len(), |i, k| jets[i][k].v);
        Ok(WQuadrature {
            nodes: [x0, x1],
            weights: [w0, w1],
            phi: [p0, p1],
            dphi: [dp0, dp1],
            force,
            value,
            eta: problem.params.eta(),
            dim: d,
        })
    }

    /// Σ_{i,k} λ_i λ_k f(i, k): ∫ f dw.
    pub fn integrate(&self, f: impl Fn(usize, usize) -> f64) -> f64 {
        let mut s = 0.0;
        for (i, wi) in self.weights[0].iter().enumerate() {
            for (k, wk) in self.weights[1].iter().enumerate() {
                s += wi * wk * f(i, k);
            }
        }
        s
    }

    /// The field Σ_a c_a φ_a at the nodes, or its derivative along axis `j` (None: no derivative).
    fn field(&self, c: &Mat<f64>, derivative: Option<usize>) -> Mat<f64> {
        let left = if derivative == Some(0) { &self.dphi[0] } else { &self.phi[0] };
        let right = if derivative == Some(1) { &self.dphi[1] } else { &self.phi[1] };
        left * c * right.transpose()
    }

    /// U_m and A_{w_j}U_m = ∂_jU_m + η'∂_jL U_m/2 at the nodes for every v-index of the state.
    pub fn gradients(&self, basis: &KineticBasis, u: &Col<f64>) -> GradientFields {
        let half = 0.5 * self.eta;
        let mut fields = GradientFields { u: BTreeMap::new(), a: BTreeMap::new(), coeffs: BTreeMap::new() };
        for (m, c) in by_velocity(basis, u) {
            let um = self.field(&c, None);
            let a = (0..self.dim)
                .map(|j| {
                    let dj = self.field(&c, Some(j));
                    Mat::from_fn(um.nrows(), um.ncols(), |i, k| dj[(i, k)] + half * self.force[j][(i, k)] * um[(i, k)])
                })
                .collect();
            fields.u.insert(m, um);
            fields.a.insert(m, a);
        }
        for (i, a) in basis.indices.iter().enumerate() {
            fields.coeffs.insert(*a, u[i]);
        }
        fields
    }

    /// ∫ X Y dw.
    fn dot(&self, x: &Mat<f64>, y: &Mat<f64>) -> f64 {
        self.integrate(|i, k| x[(i, k)] * y[(i, k)])
    }

    /// ⟨∇_{w_j}h, ∇_{w_j}h'⟩_* summed over j: Σ_m ∫ A_{w_j}U_m A_{w_j}U'_m dw.
    pub fn ww(&self, f: &GradientFields, g: &GradientFields) -> f64 {
        let mut s = 0.0;
        for (m, fa) in &f.a {
            if let Some(ga) = g.a.get(m) {
                s += (0..self.dim).map(|j| self.dot(&fa[j], &ga[j])).sum::<f64>();
            }
        }
        s
    }

    /// ⟨∇_{w_j}h, ∇_{v_j}h'⟩_* summed over j: the v-coefficient m of A_{v_j}u' is
    /// √(η'(m_j + 1))·U'_{m+e_j}.
    pub fn wv(&self, f: &GradientFields, g: &GradientFields) -> f64 {
        let mut s = 0.0;
        for (m, fa) in &f.a {
            for (j, faj) in fa.iter().enumerate() {
                let mut up = *m;
                up[j] += 1;
                if let Some(gu) = g.u.get(&up) {
                    s += (self.eta * up[j] as f64).sqrt() * self.dot(faj, gu);
                }
            }
        }
        s
    }

    /// ⟨∇_v h, ∇_v h'⟩_* = η' Σ_α (α_{v_0} + α_{v_1}) c_α c'_α, exactly.
    pub fn vv(&self, f: &GradientFields, g: &GradientFields) -> f64 {
        self.eta
            * f.coeffs.iter().map(|(a, c)| g.coeffs.get(a).map_or(0.0, |c2| (a[2] + a[3]) as f64 * c * c2)).sum::<f64>()
    }

    /// The symmetric bilinear form with P = [[p0, p1], [p1, p2]] ⊗ I_d:
    /// p0⟨∇_w h, ∇_w h'⟩ + p1(⟨∇_w h, ∇_v h'⟩ + ⟨∇_w h', ∇_v h⟩) + p2⟨∇_v h, ∇_v h'⟩.
    pub fn form(&self, f: &GradientFields, g: &GradientFields, p: [f64; 3]) -> f64 {
        p[0] * self.ww(f, g) + p[1] * (self.wv(f, g) + self.wv(g, f)) + p[2] * self.vv(f, g)
    }

    /// Coefficients on the w tensor (n_0 × n_1) of the projection of f(w).
    pub(crate) fn project_w(&self, f: impl Fn(usize, usize) -> f64) -> Mat<f64> {
        let vals = Mat::from_fn(self.nodes[0].len(), self.nodes[1].len(), |i, k| {
            self.weights[0][i] * self.weights[1][k] * f(i, k)
        });
        self.phi[0].transpose() * &vals * &self.phi[1]
    }
}

/// √ψ_∞·h_0 for the tilted initial density ψ_0 = ψ_∞ e^{κ(Σ_j w_j + Σ_j v_j)}/Z (smooth, positive,
/// d = 1 or 2), h_0 = e^{κ(Σw + Σv)}/Z − 1. ψ_∞ factorises: √ψ_∞ = √ρ(w)·Π_j χ_0(v_j) with ρ the
/// normalised e^{−η'L} (w-quadrature), and χ_0(v)e^{κv}e^{−κ²/(2η')} = Σ_m x^m/√m! χ_m(v),
/// x = κs_v/√2, exactly (a coherent state; e^{κ²/(2η')} is the v-part of Z).
pub fn tilted_state(problem: &Kinetic, basis: &KineticBasis, kappa: f64) -> Result<Col<f64>> {
    let quad = WQuadrature::new(problem, basis, 40)?;
    let eta = problem.params.eta();
    let d = basis.dim();
    let lmin = (0..quad.value.nrows())
        .flat_map(|i| (0..quad.value.ncols()).map(move |k| (i, k)))
        .fold(f64::INFINITY, |m, (i, k)| m.min(quad.value[(i, k)]));
    let sum_w = |i: usize, k: usize| quad.nodes[0][i] + if d > 1 { quad.nodes[1][k] } else { 0.0 };
    let boltzmann = |i: usize, k: usize| (-eta * (quad.value[(i, k)] - lmin)).exp();
    let z_rho = quad.integrate(boltzmann);
    let z_w = quad.integrate(|i, k| boltzmann(i, k) * (kappa * sum_w(i, k)).exp()) / z_rho;
    let root = |i: usize, k: usize| (boltzmann(i, k) / z_rho).sqrt();
    let tilted = quad.project_w(|i, k| root(i, k) * (kappa * sum_w(i, k)).exp() / z_w);
    let plain = quad.project_w(root);
    let x = kappa * basis.v_scale / 2f64.sqrt();
    let coherent = |m: usize| (1..=m).fold(1.0, |acc, k| acc * x / (k as f64).sqrt());
    let u = Col::from_fn(basis.len(), |r| {
        let a = basis.indices[r];
        let v = coherent(a[2]) * coherent(a[3]);
        let ground = if a[2] == 0 && a[3] == 0 { plain[(a[0], a[1])] } else { 0.0 };
        tilted[(a[0], a[1])] * v - ground
    });
    if u.iter().any(|c| !c.is_finite()) {
        return Err(EngineError::Numerical("tilted initial state not finite".into()));
    }
    Ok(u)
}

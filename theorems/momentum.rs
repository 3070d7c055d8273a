//! The paper's momentum-SGD pieces that the engine does not know: the mapping of Section 4 from
//! SGD hyperparameters to the friction and velocity diffusion of (9), the constants C_L and b of
//! assumption (A.4), and the Lyapunov functional H of (10).

use argmin::core::{CostFunction, Executor};
use argmin::solver::neldermead::NelderMead;
use fpspectral::error::{positive, Result};
use fpspectral::kinetic::functionals::{GradientFields, WQuadrature};
use fpspectral::kinetic::{check_momentum, KineticParams};
use fpspectral::quantity::Quantity;
use fpspectral::Potential;

/// (g, D_v) from the SGD hyperparameters (γ, β, M, ξ) of Section 4: g = (1−ξ)/√γ,
/// D_v = √γβ/(2M).
pub fn params_from_sgd(lr: f64, beta: f64, batch: f64, momentum: f64) -> Result<KineticParams> {
    positive("learning rate γ", lr)?;
    positive("noise scale β", beta)?;
    positive("batch size M", batch)?;
    check_momentum(momentum)?;
    KineticParams::new((1.0 - momentum) / lr.sqrt(), lr.sqrt() * beta / (2.0 * batch))
}

/// The Lyapunov functional (10), H = ‖∇_w h‖²_* + C‖∇_v h‖²_* + 2Ĉ⟨∇_w h, ∇_v h⟩_*, from the
/// engine's exact-in-v quadratic forms.
pub fn lyapunov(quad: &WQuadrature, f: &GradientFields, c: f64, c_hat: f64) -> f64 {
    quad.form(f, f, [1.0, c_hat, c])
}

/// −|∂_ij L̃(w)| as an argmin cost.
struct NegEntry<'a> {
    potential: &'a dyn Potential,
    cl2: f64,
    i: usize,
    j: usize,
}

impl NegEntry<'_> {
    fn value(&self, w: &[f64]) -> f64 {
        let h = self.potential.jet(w).h[self.i][self.j] - if self.i == self.j { self.cl2 } else { 0.0 };
        -h.abs()
    }
}

impl CostFunction for NegEntry<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.value(p))
    }
}

/// sup over the box [−half, half]^d of |∂_ij L̃|: best grid node, then Nelder–Mead.
fn entry_sup(potential: &dyn Potential, cl2: f64, i: usize, j: usize, half: f64) -> f64 {
    let d = potential.dim();
    let f = NegEntry { potential, cl2, i, j };
    let m = if d == 1 { 2001 } else { 201 };
    let node = |k: usize| -half + 2.0 * half * k as f64 / (m - 1) as f64;
    let mut best = (f64::INFINITY, vec![0.0; d]);
    for a in 0..m {
        for b in 0..(if d > 1 { m } else { 1 }) {
            let w: Vec<f64> = if d > 1 { vec![node(a), node(b)] } else { vec![node(a)] };
            let v = f.value(&w);
            if v < best.0 {
                best = (v, w);
            }
        }
    }
    let step = 2.0 * half / (m - 1) as f64;
    let mut simplex = vec![best.1.clone()];
    for k in 0..d {
        let mut p = best.1.clone();
        p[k] += step;
        simplex.push(p);
    }
    let refined = NelderMead::new(simplex)
        .with_sd_tolerance(1e-14)
        .ok()
        .and_then(|s| Executor::new(f, s).configure(|st| st.max_iters(500)).run().ok())
        .map(|r| r.state().best_cost)
        .unwrap_or(best.0);
    -refined.min(best.0)
}

/// The matrix of entrywise suprema on a box and its largest |eigenvalue|.
fn b_on_box(potential: &dyn Potential, cl: f64, half: f64) -> f64 {
    let d = potential.dim();
    let s: Vec<Vec<f64>> =
        (0..d).map(|i| (0..d).map(|j| entry_sup(potential, cl * cl, i, j, half)).collect()).collect();
    if d == 1 {
        s[0][0]
    } else {
        let m = nalgebra::Matrix2::new(s[0][0], s[0][1], s[1][0], s[1][1]);
        m.symmetric_eigenvalues().iter().fold(0.0f64, |a, v| a.max(v.abs()))
    }
}

/// b of (A.4) for a given C_L (d = 1, 2): for L̃ = L − ½C_L²|w|², the largest |eigenvalue| of the
/// d×d matrix of entrywise suprema sup_w |∂_ij L̃(w)| (the paper's reading) over a box, found on a
/// grid refined by Nelder–Mead; the error is the refinement gain plus the change when the box is
/// doubled. Infinite when the supremum keeps growing with the box (e.g. a quartic risk).
pub fn hessian_bound(potential: &dyn Potential, cl: f64, half: f64) -> Result<Quantity> {
    positive("C_L", cl)?;
    positive("box half-width", half)?;
    let b1 = b_on_box(potential, cl, half);
    let b2 = b_on_box(potential, cl, 2.0 * half);
    if b2 > b1 * (1.0 + 1e-6) + 1e-9 {
        return Ok(Quantity::new(f64::INFINITY, f64::INFINITY));
    }
    Ok(Quantity::new(b2, (b2 - b1).abs() + 1e-10 * b2.abs().max(1.0)))
}

/// The C_L minimising b in d = 1: C_L² = (sup L'' + inf L'')/2 over the box (None if ≤ 0).
pub fn best_cl_1d(potential: &dyn Potential, half: f64) -> Option<f64> {
    let m = 4001;
    let vals: Vec<f64> =
        (0..m).map(|k| potential.jet(&[-half + 2.0 * half * k as f64 / (m - 1) as f64]).h[0][0]).collect();
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let mid = 0.5 * (hi + lo);
    (mid > 0.0 && hi.is_finite()).then(|| mid.sqrt())
}

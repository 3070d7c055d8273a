//! A conservative finite-volume reference for the 1D Fokker–Planck equation with
//! state-dependent diffusion,
//!   ∂_t p = ∂_x( L'(x) p + ∂_x(D(x) p) )        (Itô form),
//! or, for comparison, the alternative ∂_t p = ∂_x( L'(x) p + D(x) ∂_x p ).
//! Zero-flux walls, central fluxes, Crank–Nicolson in time (tridiagonal solves), so mass is
//! conserved exactly; accuracy is second order in h and dt and is measured by a refinement study.

use crate::error::{positive, EngineError, Result};

/// Which flux the equation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluxForm {
    /// −(L' p + ∂_x(D p)): the Fokker–Planck equation of the Itô SDE dW = −L' dt + √(2D) dB.
    Ito,
    /// −(L' p + D ∂_x p): drops the ∇D p term.
    DiffusionInside,
}

/// A 1D problem on [a, b] with N cells.
pub struct Problem1d<'a> {
    /// L'(x).
    pub drift_gradient: &'a dyn Fn(f64) -> f64,
    /// D(x).
    pub diffusion: &'a dyn Fn(f64) -> f64,
    /// Interval.
    pub a: f64,
    /// Interval.
    pub b: f64,
    /// Flux form.
    pub form: FluxForm,
}

/// Cell densities at each requested time (`[time][cell]`), with the cell width.
pub struct Solution1d {
    /// Cell width h.
    pub h: f64,
    /// Left end.
    pub a: f64,
    /// Cell-average densities per time.
    pub densities: Vec<Vec<f64>>,
}

impl Solution1d {
    /// CDF P(X ≤ x) at time index k (piecewise-linear within cells).
    pub fn cdf(&self, k: usize, x: f64) -> f64 {
        let p = &self.densities[k];
        let pos = ((x - self.a) / self.h).clamp(0.0, p.len() as f64);
        let full = pos.floor() as usize;
        let mass: f64 = p[..full].iter().sum::<f64>() * self.h;
        let part = if full < p.len() { (pos - full as f64) * p[full] * self.h } else { 0.0 };
        mass + part
    }
}

/// Solves from initial cell averages `p0(x)` with `cells` cells and time step `dt`.
pub fn solve(prob: &Problem1d, p0: &dyn Fn(f64) -> f64, cells: usize, dt: f64, times: &[f64]) -> Result<Solution1d> {
    positive("dt", dt)?;
    if cells < 10 || prob.b <= prob.a {
        return Err(EngineError::InvalidParameter("need ≥ 10 cells on a non-empty interval".into()));
    }
    let h = (prob.b - prob.a) / cells as f64;
    let centre = |i: usize| prob.a + h * (i as f64 + 0.5);
    let mut p: Vec<f64> = (0..cells).map(|i| p0(centre(i))).collect();
    let mut stepper = CrankNicolson::new(&assemble(prob, cells, h), dt);
    let mut t = 0.0;
    let mut densities = Vec::new();
    for &target in times {
        let steps = ((target - t) / dt).round() as usize;
        for _ in 0..steps {
            stepper.step(&mut p);
        }
        t += steps as f64 * dt;
        densities.push(p.clone());
    }
    Ok(Solution1d { h, a: prob.a, densities })
}

/// Tridiagonal operator A with dp/dt = A p: (lower, diag, upper).
fn assemble(prob: &Problem1d, n: usize, h: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut lo, mut di, mut up) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let centre = |i: usize| prob.a + h * (i as f64 + 0.5);
    for f in 0..n - 1 {
        // face between cells f and f+1; flux F = −[v p_face + (coefficients)] towards +x
        let xf = prob.a + h * (f as f64 + 1.0);
        let v = (prob.drift_gradient)(xf);
        let (cl, cr) = match prob.form {
            FluxForm::Ito => ((prob.diffusion)(centre(f)), (prob.diffusion)(centre(f + 1))),
            FluxForm::DiffusionInside => {
                let d = (prob.diffusion)(xf);
                (d, d)
            }
        };
        // F = −v (p_l + p_r)/2 − (c_r p_r − c_l p_l)/h
        let (fl, fr) = (-0.5 * v + cl / h, -0.5 * v - cr / h);
        // dp_l/dt −= F/h, dp_r/dt += F/h
        di[f] -= fl / h;
        up[f] -= fr / h;
        lo[f + 1] += fl / h;
        di[f + 1] += fr / h;
    }
    (lo, di, up)
}

/// One Crank–Nicolson step (I − dt/2 A) p⁺ = (I + dt/2 A) p. The implicit tridiagonal matrix is
/// factored once (Thomas elimination: pivots m_i and ratios c'_i); each step reuses the factors
/// and one scratch vector, with the same operations in the same order as a fresh elimination.
struct CrankNicolson {
    explicit: (Vec<f64>, Vec<f64>, Vec<f64>),
    /// Sub-diagonal a_i of the implicit matrix.
    sub: Vec<f64>,
    /// Pivots m_i = b_i − a_i c'_{i−1} (m_0 = b_0).
    pivots: Vec<f64>,
    /// Ratios c'_i = c_i / m_i.
    ratios: Vec<f64>,
    /// Scratch: the right-hand side, then the forward-eliminated d'_i.
    scratch: Vec<f64>,
}

impl CrankNicolson {
    fn new(op: &(Vec<f64>, Vec<f64>, Vec<f64>), dt: f64) -> Self {
        let scaled = |v: &[f64], s: f64, one: f64| v.iter().map(|x| one + s * x).collect::<Vec<f64>>();
        let explicit = (scaled(&op.0, 0.5 * dt, 0.0), scaled(&op.1, 0.5 * dt, 1.0), scaled(&op.2, 0.5 * dt, 0.0));
        let (sub, diag, sup) =
            (scaled(&op.0, -0.5 * dt, 0.0), scaled(&op.1, -0.5 * dt, 1.0), scaled(&op.2, -0.5 * dt, 0.0));
        let (pivots, ratios) = thomas_factors(&sub, &diag, &sup);
        let scratch = vec![0.0; diag.len()];
        CrankNicolson { explicit, sub, pivots, ratios, scratch }
    }

    /// Advances p by one step in place.
    fn step(&mut self, p: &mut [f64]) {
        let (lo, di, up) = &self.explicit;
        let n = p.len();
        for i in 0..n {
            let left = if i > 0 { lo[i] * p[i - 1] } else { 0.0 };
            let right = if i + 1 < n { up[i] * p[i + 1] } else { 0.0 };
            self.scratch[i] = di[i] * p[i] + left + right;
        }
        let d = &mut self.scratch;
        d[0] /= self.pivots[0];
        for i in 1..n {
            d[i] = (d[i] - self.sub[i] * d[i - 1]) / self.pivots[i];
        }
        p[n - 1] = d[n - 1];
        for i in (0..n - 1).rev() {
            p[i] = d[i] - self.ratios[i] * p[i + 1];
        }
    }
}

/// Thomas elimination of a tridiagonal matrix (sub-diagonal a, diagonal b, super-diagonal c):
/// the pivots m_i and the ratios c'_i = c_i / m_i.
fn thomas_factors(a: &[f64], b: &[f64], c: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = b.len();
    let (mut pivots, mut ratios) = (vec![0.0; n], vec![0.0; n]);
    pivots[0] = b[0];
    ratios[0] = c[0] / b[0];
    for i in 1..n {
        pivots[i] = b[i] - a[i] * ratios[i - 1];
        ratios[i] = c[i] / pivots[i];
    }
    (pivots, ratios)
}

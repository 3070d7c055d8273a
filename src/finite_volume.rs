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
    let stepper = CrankNicolson::new(&assemble(prob, cells, h), dt);
    let mut t = 0.0;
    let mut densities = Vec::new();
    for &target in times {
        let steps = ((target - t) / dt).round() as usize;
        for _ in 0..steps {
            p = stepper.step(&p);
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

/// One Crank–Nicolson step (I − dt/2 A) p⁺ = (I + dt/2 A) p.
struct CrankNicolson {
    explicit: (Vec<f64>, Vec<f64>, Vec<f64>),
    implicit: (Vec<f64>, Vec<f64>, Vec<f64>),
}

impl CrankNicolson {
    fn new(op: &(Vec<f64>, Vec<f64>, Vec<f64>), dt: f64) -> Self {
        let scaled = |v: &[f64], s: f64, one: f64| v.iter().map(|x| one + s * x).collect::<Vec<f64>>();
        let explicit = (scaled(&op.0, 0.5 * dt, 0.0), scaled(&op.1, 0.5 * dt, 1.0), scaled(&op.2, 0.5 * dt, 0.0));
        let implicit = (scaled(&op.0, -0.5 * dt, 0.0), scaled(&op.1, -0.5 * dt, 1.0), scaled(&op.2, -0.5 * dt, 0.0));
        CrankNicolson { explicit, implicit }
    }

    fn step(&self, p: &[f64]) -> Vec<f64> {
        let (lo, di, up) = &self.explicit;
        let n = p.len();
        let rhs: Vec<f64> = (0..n)
            .map(|i| {
                let left = if i > 0 { lo[i] * p[i - 1] } else { 0.0 };
                let right = if i + 1 < n { up[i] * p[i + 1] } else { 0.0 };
                di[i] * p[i] + left + right
            })
            .collect();
        thomas(&self.implicit.0, &self.implicit.1, &self.implicit.2, &rhs)
    }
}

/// Solves a tridiagonal system (sub-diagonal a, diagonal b, super-diagonal c).
fn thomas(a: &[f64], b: &[f64], c: &[f64], d: &[f64]) -> Vec<f64> {
    let n = d.len();
    let (mut cp, mut dp) = (vec![0.0; n], vec![0.0; n]);
    cp[0] = c[0] / b[0];
    dp[0] = d[0] / b[0];
    for i in 1..n {
        let m = b[i] - a[i] * cp[i - 1];
        cp[i] = c[i] / m;
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m;
    }
    let mut x = vec![0.0; n];
    x[n - 1] = dp[n - 1];
    for i in (0..n - 1).rev() {
        x[i] = dp[i] - cp[i] * x[i + 1];
    }
    x
}

//! Exact stationary law of SGD and momentum SGD on a quadratic risk
//! L(w) = ½ (w − w*)ᵀ A (w − w*) + const, A symmetric positive definite.
//!
//! With the additive finite-sum noise of [`super::noise`] (mean 0, covariance s² I per step,
//! s² = β/M with replacement) both recursions are linear: x_{k+1} = T x_k + B e_k.
//! - SGD: x = w − w*, T = I − γA, B = −γI.
//! - Momentum SGD: x = (z, w − w*), T = [[ξI, −γA], [ξI, I − γA]], B = −γ[I; I]
//!   (since w_{k+1} = w_k + z_{k+1} = (I − γA)(w_k − w*) + ξ z_k − γ e_k + w*).
//!
//! The stationary mean is w* (z = 0) and the stationary covariance S solves the discrete
//! Lyapunov equation S = T S Tᵀ + s² B Bᵀ, i.e. (I − T ⊗ T) vec S = s² vec(B Bᵀ), which has a
//! unique solution exactly when the spectral radius ρ(T) < 1. In an eigenbasis of A
//! (eigenvalue a) this gives the closed forms
//! - SGD: Var w = γ s² / (a (2 − γa)) = (D/a) / (1 − γa/2), D = γ s²/2; stable iff γa < 2;
//! - momentum SGD: Var w = γ s² (1 + ξ) / (a (1 − ξ)(2(1 + ξ) − γa))
//!   = (D/((1 − ξ)a)) / (1 − γa/(2(1 + ξ))); stable iff γa < 2(1 + ξ).
//!
//! The Fokker–Planck laws (overdamped: Var = D/a; kinetic: Var w = (D_v/g)/a = D/((1 − ξ)a)) are the
//! γ → 0 limits at fixed D: the relative discrepancy is γa/2 + O(γ²) for SGD and
//! γa/(2(1 + ξ)) + O(γ²) for momentum SGD.

use super::chain::{Algorithm, Method};
use crate::error::{short, EngineError, Result};
use crate::polynomial::Poly;
use nalgebra::{DMatrix, DVector};

/// A quadratic risk: Hessian A and minimiser w*.
#[derive(Debug, Clone)]
pub struct Quadratic {
    /// A (d × d).
    pub hessian: DMatrix<f64>,
    /// w*.
    pub minimiser: DVector<f64>,
}

impl Quadratic {
    /// A and w* of a polynomial of degree ≤ 2 with positive definite Hessian, else None.
    pub fn from_poly(p: &Poly, dim: usize) -> Option<Quadratic> {
        if p.degree() > 2 {
            return None;
        }
        let zero = [0.0; 3];
        let hessian = DMatrix::from_fn(dim, dim, |i, j| p.derivative(i).derivative(j).value(&zero));
        let gradient0 = DVector::from_fn(dim, |i, _| p.derivative(i).value(&zero));
        let chol = hessian.clone().cholesky()?;
        let minimiser = -chol.solve(&gradient0);
        Some(Quadratic { hessian, minimiser })
    }

    /// Largest eigenvalue of A.
    pub fn largest_curvature(&self) -> f64 {
        self.hessian.clone().symmetric_eigen().eigenvalues.max()
    }

    /// The step-size limit of linear stability: 2/a_max for SGD, 2(1 + ξ)/a_max with momentum.
    pub fn stability_limit(&self, method: Method) -> f64 {
        let a = self.largest_curvature();
        match method {
            Method::Sgd => 2.0 / a,
            Method::Momentum { momentum } => 2.0 * (1.0 + momentum) / a,
        }
    }
}

/// The exact stationary law of the linear recursion.
#[derive(Debug, Clone)]
pub struct DiscreteStationary {
    /// Stationary mean of w (= w*).
    pub mean: Vec<f64>,
    /// Stationary covariance of w.
    pub covariance_w: DMatrix<f64>,
    /// Stationary covariance of the full state (w for SGD, (z, w) with momentum).
    pub covariance_state: DMatrix<f64>,
}

/// The transition matrix T and noise matrix B of the recursion (module docs).
pub fn linear_recursion(q: &Quadratic, algorithm: &Algorithm) -> (DMatrix<f64>, DMatrix<f64>) {
    let d = q.hessian.nrows();
    let lr = algorithm.lr;
    let eye = DMatrix::<f64>::identity(d, d);
    let contraction = &eye - &q.hessian * lr;
    match algorithm.method {
        Method::Sgd => (contraction, -&eye * lr),
        Method::Momentum { momentum } => {
            let mut t = DMatrix::zeros(2 * d, 2 * d);
            t.view_mut((0, 0), (d, d)).copy_from(&(&eye * momentum));
            t.view_mut((0, d), (d, d)).copy_from(&(-&q.hessian * lr));
            t.view_mut((d, 0), (d, d)).copy_from(&(&eye * momentum));
            t.view_mut((d, d), (d, d)).copy_from(&contraction);
            let mut b = DMatrix::zeros(2 * d, d);
            b.view_mut((0, 0), (d, d)).copy_from(&(-&eye * lr));
            b.view_mut((d, 0), (d, d)).copy_from(&(-&eye * lr));
            (t, b)
        }
    }
}

/// Spectral radius of T.
pub fn spectral_radius(t: &DMatrix<f64>) -> f64 {
    t.complex_eigenvalues().iter().map(|z| z.norm()).fold(0.0, f64::max)
}

/// Solves S = T S Tᵀ + s² B Bᵀ for the stationary covariance (`noise_variance` = s²). Refuses an
/// unstable recursion (ρ(T) ≥ 1), naming the stability limit.
pub fn stationary(q: &Quadratic, algorithm: &Algorithm, noise_variance: f64) -> Result<DiscreteStationary> {
    let (t, b) = linear_recursion(q, algorithm);
    let rho = spectral_radius(&t);
    if rho >= 1.0 {
        return Err(EngineError::InvalidParameter(format!(
            "the recursion diverges at γ = {} on this quadratic risk (spectral radius {} ≥ 1); stability needs γ < {}",
            short(algorithm.lr),
            short(rho),
            short(q.stability_limit(algorithm.method))
        )));
    }
    let n = t.nrows();
    let q_mat = &b * b.transpose() * noise_variance;
    // vec(T S Tᵀ) = (T ⊗ T) vec S (column-major vec).
    let system = DMatrix::<f64>::identity(n * n, n * n) - t.kronecker(&t);
    let rhs = DVector::from_column_slice(q_mat.as_slice());
    let solution = system
        .lu()
        .solve(&rhs)
        .ok_or_else(|| EngineError::Numerical("the discrete Lyapunov system is singular".into()))?;
    let mut s = DMatrix::from_column_slice(n, n, solution.as_slice());
    s = (&s + s.transpose()) * 0.5;
    let d = q.hessian.nrows();
    let covariance_w = s.view((n - d, n - d), (d, d)).into_owned();
    Ok(DiscreteStationary { mean: q.minimiser.iter().copied().collect(), covariance_w, covariance_state: s })
}

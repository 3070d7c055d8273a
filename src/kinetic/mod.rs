//! The kinetic (Vlasov–)Fokker–Planck (underdamped Langevin) generator with friction g > 0 and
//! velocity diffusion D_v > 0,
//!
//!   ∂_t ψ + v·∇_w ψ − ∇L·∇_v ψ = ∇_v·(g v ψ + D_v ∇_v ψ),
//!
//! in the flat variable u = ψ/√ψ_∞, ψ_∞ ∝ e^{−η'(L + |v|²/2)}, η' = g/D_v. There the transport
//! T = v·∇_w − ∇L·∇_v is antisymmetric (it commutes with functions of L + |v|²/2) and the velocity
//! Fokker–Planck part F is the harmonic oscillator −D_v Δ_v + g²|v|²/(4D_v) − g d/2 (sign flipped),
//! which is diagonal, −g·n, in a v-Hermite basis of scale s_v = √(2D_v/g). The generator is
//! G = −T + F; decay rates are −eig(G).
//!
//! * [`basis`]: w-axes (Hermite on R or Fourier on the circle) ⊗ Hermite in v, index sets.
//! * [`operator`]: sparse Galerkin matrix of G, the Hamiltonian ground state √ψ_∞.
//! * [`spectrum`]: non-symmetric eigen-solves (dense, shift-invert Krylov–Schur) and the
//!   resolution study of the slowest decay rates.
//! * [`iterative`]: the slowest rate on bases beyond a sparse LU (inverse iteration with GMRES
//!   inner solves, two-grid preconditioner).
//! * [`evolve`]: time evolution; pointwise phase-space quadrature (d = 1).
//! * [`functionals`]: ‖h(t)‖²_* and quadratic forms in the gradients ∇_w h, ∇_v h, d = 1 and 2.
//! * [`separable`]: a potential L = Σ_j L_j(w_j) pair by pair (Kronecker sum; harmonic pairs exact).
//! * [`plan`]: memory predictions of the eigen-solves (sparse LU fill bound) against the budget.
//! * [`study`]: when the levels of a resolution study are trusted (the asymptotic regime).

pub mod basis;
pub mod evolve;
pub mod functionals;
pub mod iterative;
pub mod operator;
pub mod plan;
pub mod separable;
pub mod spectrum;
pub mod study;

use crate::error::{positive, short, EngineError, Result};

/// Friction g and velocity diffusion D_v of the kinetic Fokker–Planck equation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct KineticParams {
    /// Friction g > 0.
    pub friction: f64,
    /// Velocity diffusion D_v > 0.
    pub diffusion_v: f64,
}

impl KineticParams {
    /// Direct (g, D_v); both must be finite and > 0, and so must the inverse temperature
    /// η' = g/D_v and the velocity scale √(2D_v/g) built from them (normal numbers: not
    /// overflowing to ∞, not underflowing towards 0).
    pub fn new(friction: f64, diffusion_v: f64) -> Result<Self> {
        positive("friction g", friction)?;
        positive("velocity diffusion D_v", diffusion_v)?;
        let p = KineticParams { friction, diffusion_v };
        for (what, value) in
            [("η' = friction/diffusion", p.eta()), ("the velocity scale √(2 diffusion/friction)", p.velocity_scale())]
        {
            if !(value.is_normal() && value.is_finite()) {
                return Err(EngineError::InvalidParameter(format!(
                    "friction {} and diffusion {} give {what} = {}, outside double precision",
                    short(friction),
                    short(diffusion_v),
                    short(value)
                )));
            }
        }
        Ok(p)
    }

    /// η' = g/D_v, the inverse temperature of the stationary density ψ_∞ ∝ e^{−η'(L + |v|²/2)}.
    pub fn eta(&self) -> f64 {
        self.friction / self.diffusion_v
    }

    /// s_v = √(2D_v/g): the v-Hermite scale in which F is diagonal.
    pub fn velocity_scale(&self) -> f64 {
        (2.0 * self.diffusion_v / self.friction).sqrt()
    }
}

/// Refuses a momentum ξ outside (0, 1).
pub fn check_momentum(momentum: f64) -> Result<f64> {
    if momentum.is_finite() && momentum > 0.0 && momentum < 1.0 {
        Ok(momentum)
    } else {
        Err(EngineError::InvalidParameter(format!("momentum ξ must lie in (0, 1), got {momentum}")))
    }
}

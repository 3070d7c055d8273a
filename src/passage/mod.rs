//! Mean first passage times of dW = −∇L dt + √(2D) dB: exact double integrals in d = 1
//! ([`mfpt`], with the Eyring–Kramers asymptotics), and in d = 2 the backward Kolmogorov equation
//! −DΔτ + ∇L·∇τ = 1 outside a target ball by log-polar finite volumes ([`logpolar`]) and by
//! uniform-grid finite volumes ([`kolmogorov`], a cross-check). The spectral solver on an annulus
//! is [`crate::annulus`]; [`plan`] chooses between it and [`logpolar`]. Shared here: the problem
//! check and the Scharfetter–Gummel weight.

pub mod gth;
pub mod kolmogorov;
pub mod logpolar;
pub mod mfpt;
pub mod plan;

use crate::error::{positive, EngineError, Result};
use crate::potential::Potential;

/// Bernoulli function B(δ) = δ / (e^δ − 1), the exponential fitting factor of the
/// Scharfetter–Gummel flux (0 once e^δ overflows).
pub fn bernoulli(delta: f64) -> f64 {
    if delta.abs() < 1e-8 {
        1.0 - 0.5 * delta
    } else if delta > 700.0 {
        0.0
    } else {
        delta / delta.exp_m1()
    }
}

/// Refuses a 2D passage problem with D ≤ 0, radius ≤ 0, d ≠ 2, or the start inside the ball.
pub fn check_passage(
    potential: &dyn Potential,
    diffusion: f64,
    start: [f64; 2],
    target: [f64; 2],
    radius: f64,
) -> Result<()> {
    positive("diffusion", diffusion)?;
    positive("radius", radius)?;
    if potential.dim() != 2 {
        return Err(EngineError::InvalidParameter("passage times to a ball are computed in d = 2".into()));
    }
    if (start[0] - target[0]).hypot(start[1] - target[1]) <= radius {
        return Err(EngineError::InvalidParameter("the start lies in the target ball: τ = 0".into()));
    }
    Ok(())
}

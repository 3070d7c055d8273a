//! Library entry points of `paper-checks eval kinetic-gap`: the slowest decay rates of the
//! kinetic generator (9) for a potential, friction g and velocity diffusion D_v.

use fpspectral::error::{positive, EngineError};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{decay_rates, KineticOptions};
use fpspectral::kinetic::KineticParams;
use fpspectral::{Potential, Result};

/// `{"eigenvalues": [{"re", "im"}...], "errors": [...], "basis_size": N}`: the `count` non-zero
/// decay rates of smallest real part (re > 0, one per conjugate pair with im ≥ 0), ascending by
/// re, converged to 1e-8 relative by a resolution study. With `periodic` the potential is
/// 2π-periodic and w lives on the circle.
pub fn eval_kinetic_gap(
    potential_spec: &str,
    friction: f64,
    diffusion_v: f64,
    count: usize,
    periodic: bool,
    tolerance: f64,
) -> Result<serde_json::Value> {
    positive("friction", friction)?;
    positive("tolerance", tolerance)?;
    positive("diffusion_v", diffusion_v)?;
    if count == 0 || count > 50 {
        return Err(EngineError::InvalidParameter(format!("count must be in 1..=50, got {count}")));
    }
    let params = KineticParams::new(friction, diffusion_v)?;
    let potential =
        if periodic { Potential::parse_periodic(potential_spec)? } else { Potential::from_spec(potential_spec)? };
    let problem = if periodic { Kinetic::periodic(&potential, params)? } else { Kinetic::new(&potential, params)? };
    let rates = decay_rates(&problem, &KineticOptions { count, tolerance, ..Default::default() })?;
    let eigenvalues: Vec<_> = rates.values.iter().map(|(re, im)| serde_json::json!({"re": re, "im": im})).collect();
    Ok(serde_json::json!({
        "eigenvalues": eigenvalues,
        "errors": rates.errors,
        "basis_size": rates.basis_size,
        "converged": rates.study.converged,
    }))
}

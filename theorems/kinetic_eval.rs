//! Library entry points of `paper-checks eval kinetic-gap`: the slowest decay rates of the
//! kinetic generator (9) for a potential, friction g and velocity diffusion D_v.

use crate::risks::Risk;
use fpspectral::error::{short, EngineError};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{decay_rates, KineticOptions};
use fpspectral::kinetic::KineticParams;
use fpspectral::{Expression, Result};

/// Tolerances the kinetic resolution study accepts: (1e-15, 1e-2]. Below, no double-precision
/// eigen-solve can meet it; above, a level difference says nothing about the error.
// TODO: call the shared `fpspectral::resolution::check_tolerance` (same range, added on the
// overdamped branch) once both branches are merged.
pub fn check_tolerance(tolerance: f64) -> Result<f64> {
    if tolerance.is_finite() && tolerance > 1e-15 && tolerance <= 1e-2 {
        Ok(tolerance)
    } else {
        Err(EngineError::InvalidParameter(format!("tolerance must lie in (1e-15, 1e-2], got {}", short(tolerance))))
    }
}

/// `{"eigenvalues": [{"re", "im"}...], "errors": [...], "basis_size": N, "converged": bool,
/// "rel_error": r, "tolerance": t, "method": {...}}`: the `count` non-zero decay rates of smallest
/// real part (re ≥ 0, one per conjugate pair with im ≥ 0), ascending by re, from a resolution
/// study to `tolerance` relative. `converged` is false when the study ended before its errors
/// were trusted and within the tolerance (memory budget, largest level, rounding): the values
/// are then the best estimates and the errors honest bounds, not tolerance-sized.
/// `rel_error` is the worst relative error of the tracked numbers (re and re + |im| of each rate),
/// `method` the plan that ran (axes, levels with their blocks and solvers, why the study ended).
/// With `periodic` the potential is 2π-periodic and w lives on the circle.
pub fn eval_kinetic_gap(
    potential_spec: &str,
    friction: f64,
    diffusion_v: f64,
    count: usize,
    periodic: bool,
    tolerance: f64,
) -> Result<serde_json::Value> {
    check_tolerance(tolerance)?;
    if count == 0 || count > 50 {
        return Err(EngineError::InvalidParameter(format!("count must be in 1..=50, got {count}")));
    }
    let params = KineticParams::new(friction, diffusion_v)?;
    gap_json(potential_spec, params, count, periodic, tolerance)
}

/// [`eval_kinetic_gap`] from the SGD hyperparameters of Section 4: g = (1 − ξ)/√γ and
/// D_v = √γ β/(2M). A refusal caused by g or D_v names the hyperparameters they came from.
#[allow(clippy::too_many_arguments)]
pub fn eval_kinetic_gap_sgd(
    potential_spec: &str,
    lr: f64,
    beta: f64,
    batch: f64,
    momentum: f64,
    count: usize,
    periodic: bool,
    tolerance: f64,
) -> Result<serde_json::Value> {
    check_tolerance(tolerance)?;
    if count == 0 || count > 50 {
        return Err(EngineError::InvalidParameter(format!("count must be in 1..=50, got {count}")));
    }
    let origin = |e: EngineError| match e {
        EngineError::InvalidParameter(m) => EngineError::InvalidParameter(format!(
            "--lr {} --beta {} --batch {} --momentum {} give friction (1-ξ)/√γ, diffusion √γβ/(2M): {m}",
            short(lr),
            short(beta),
            short(batch),
            short(momentum)
        )),
        e => e,
    };
    let params = crate::momentum::params_from_sgd(lr, beta, batch, momentum).map_err(origin)?;
    gap_json(potential_spec, params, count, periodic, tolerance).map_err(origin)
}

fn gap_json(
    potential_spec: &str,
    params: KineticParams,
    count: usize,
    periodic: bool,
    tolerance: f64,
) -> Result<serde_json::Value> {
    let potential = if periodic {
        Risk::Expression(Expression::parse_periodic(potential_spec)?)
    } else {
        crate::risks::from_spec(potential_spec)?
    };
    let problem = if periodic { Kinetic::periodic(&potential, params)? } else { Kinetic::new(&potential, params)? };
    let rates = decay_rates(&problem, &KineticOptions { count, tolerance, ..Default::default() })?;
    let numbers = rates.values.iter().flat_map(|(re, im)| [*re, *im]).chain(rates.errors.iter().copied());
    if numbers.chain([rates.rel_error]).any(|x| !x.is_finite()) {
        return Err(EngineError::Numerical(format!(
            "a decay rate or its error is not a finite number (rates {:?}, errors {:?})",
            rates.values, rates.errors
        )));
    }
    let eigenvalues: Vec<_> = rates.values.iter().map(|(re, im)| serde_json::json!({"re": re, "im": im})).collect();
    Ok(serde_json::json!({
        "eigenvalues": eigenvalues,
        "errors": rates.errors,
        "basis_size": rates.basis_size,
        "converged": rates.study.converged,
        "rel_error": rates.rel_error,
        "tolerance": tolerance,
        "method": rates.method,
    }))
}

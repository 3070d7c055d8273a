//! Library entry points of the `paper-checks eval` commands for escape times and stationary
//! probabilities. Each returns JSON; bad input is an [`EngineError`], never a panic.

use fpspectral::annulus::mfpt_annulus;
use fpspectral::error::{positive, EngineError};
use fpspectral::logpolar::mfpt_logpolar;
use fpspectral::mfpt::{eyring_kramers, mfpt_1d};
use fpspectral::quadrature::{ball_probability, basin_probability, check_point, LogQuantity};
use fpspectral::{Potential, Result};
use serde_json::{json, Value};

/// Value, absolute error, and the logarithm with its relative error (which still carry the
/// answer when the value underflows to 0).
fn value_error(q: &LogQuantity) -> Value {
    let v = q.value();
    json!({ "value": v, "error": v * q.rel_error, "ln_value": q.ln, "rel_error": q.rel_error })
}

/// Mean first passage time of dW = −∇L dt + √(2D) dB from `from` to `to` (exact, d = 1) and the
/// Eyring–Kramers value of Lemma 2 (null when `from` is not near a minimum):
/// `{"value", "error", "ln_value", "rel_error", "eyring_kramers", "ln_eyring_kramers"}`.
pub fn eval_mfpt(potential_spec: &str, diffusion: f64, from: &[f64], to: &[f64]) -> Result<Value> {
    positive("diffusion", diffusion)?;
    let p = Potential::from_spec(potential_spec)?;
    check_point(&p, "from", from)?;
    check_point(&p, "to", to)?;
    if p.dim() != 1 {
        return Err(EngineError::InvalidParameter(
            "in d = 2 a point target is never hit: give the target ball radius (--radius)".into(),
        ));
    }
    let tau = mfpt_1d(&p, diffusion, from[0], to[0])?;
    with_eyring_kramers(value_error(&tau), &p, diffusion, from, to)
}

/// Agreement of two successive spectral levels that ends the 2D resolution study.
pub const SPECTRAL_TOL: f64 = 1e-8;

/// Mean first passage time from `from` to the closed ball of radius `radius` around `to`
/// (d = 1: the exact formula to the nearer ball edge; d = 2: backward Kolmogorov on the annulus
/// around the ball, Chebyshev ⊗ Fourier with a resolution study to [`SPECTRAL_TOL`], or, when that
/// grid exceeds its size limit or its GMRES stalls (small D, τ ≳ 1e8), exponentially fitted finite
/// volumes on a log-polar grid with subtraction-free elimination and Richardson extrapolation in
/// h², to the same tolerance), with the Eyring–Kramers value: same JSON as [`eval_mfpt`].
pub fn eval_mfpt_to_ball(potential_spec: &str, diffusion: f64, from: &[f64], to: &[f64], radius: f64) -> Result<Value> {
    positive("diffusion", diffusion)?;
    positive("radius", radius)?;
    let p = Potential::from_spec(potential_spec)?;
    check_point(&p, "from", from)?;
    check_point(&p, "to", to)?;
    let tau = match p.dim() {
        1 => {
            let edge = if from[0] < to[0] { to[0] - radius } else { to[0] + radius };
            mfpt_1d(&p, diffusion, from[0], edge)?
        }
        2 => {
            let (start, target) = ([from[0], from[1]], [to[0], to[1]]);
            match mfpt_annulus(&p, diffusion, start, target, radius, SPECTRAL_TOL) {
                Ok(study) => study.tau,
                // grid beyond the spectral budget or collocation round-off (small D): log-polar FV
                Err(EngineError::TooLarge(_) | EngineError::Numerical(_)) => {
                    mfpt_logpolar(&p, diffusion, start, target, radius, SPECTRAL_TOL)?.tau
                }
                Err(e) => return Err(e),
            }
        }
        d => return Err(EngineError::InvalidParameter(format!("passage times for d = {d} are not implemented"))),
    };
    with_eyring_kramers(value_error(&tau), &p, diffusion, from, to)
}

fn with_eyring_kramers(mut out: Value, p: &Potential, diffusion: f64, from: &[f64], to: &[f64]) -> Result<Value> {
    let ek = eyring_kramers(p, diffusion, from, to).ok();
    out["eyring_kramers"] = ek.as_ref().map_or(Value::Null, |e| json!(e.ln_time.exp()));
    out["ln_eyring_kramers"] = ek.as_ref().map_or(Value::Null, |e| json!(e.ln_time));
    Ok(out)
}

/// Stationary probability κ ∫_{|w−c| ≤ ε} e^{−ηL} of the closed ball: `{"value", "error", "ln_value", "rel_error"}`.
pub fn eval_ball_prob(potential_spec: &str, eta: f64, center: &[f64], radius: f64) -> Result<Value> {
    positive("eta", eta)?;
    positive("radius", radius)?;
    let p = Potential::from_spec(potential_spec)?;
    check_point(&p, "center", center)?;
    Ok(value_error(&ball_probability(&p, eta, center, radius)?))
}

/// Stationary probability of the basin of attraction of `minimum` under the gradient flow
/// (d = 1, 2, 3, any number of minima): `{"value", "error", "ln_value", "rel_error"}`.
pub fn eval_basin_prob(potential_spec: &str, eta: f64, minimum: &[f64]) -> Result<Value> {
    positive("eta", eta)?;
    let p = Potential::from_spec(potential_spec)?;
    check_point(&p, "minimum", minimum)?;
    Ok(value_error(&basin_probability(&p, eta, minimum)?))
}

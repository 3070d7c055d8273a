//! Library entry points of the `paper-checks eval` commands for escape times and stationary
//! probabilities. Each returns JSON; bad input is an [`EngineError`], never a panic.
//!
//! # The JSON of `mfpt`, `ball-prob` and `basin-prob`
//!
//! The answer is a positive number held in logarithms, so that it survives where the number
//! itself does not (τ ≈ e^{2500} at small D, a probability e^{−1000} at large η):
//! - `ln_value` and `rel_error` (relative error of the value = absolute error of `ln_value`): always;
//! - `value` and `error`: only when both are finite, normal doubles; otherwise they are omitted and
//!   `value_note` says why (never `null`, never a value rounded to ∞ or 0);
//! - `converged` (bool): the study met its tolerance. When it did not, the best estimate is still
//!   printed with its honest error (the last change of the study), `converged` is false, the
//!   studies that missed are listed in `unconverged`, and the command exits with code 3;
//! - `method`: the plan that produced the answer (e.g. "exact 1D double integral …"; in d = 2
//!   "plan: log-polar FV, first grid 53×38 (…); log-polar FV + Richardson in h², levels …").
//!
//! `mfpt` adds the Eyring–Kramers value as `ln_eyring_kramers` and `eyring_kramers` (the latter
//! under the same rule as `value`); where the formula does not apply (the start is not near a
//! minimum, no index-1 saddle between start and target, …) both are omitted and
//! `eyring_kramers_note` says why.
//!
//! Input refused as in every other eval: one line, exit code 2. A start inside the target ball is
//! refused in every dimension (τ = 0), as is a basin asked for at a point that does not lead
//! Newton's method to a minimum.

use fpspectral::annulus::{mfpt_annulus, AnnulusStudy};
use fpspectral::critical::basin_interval;
use fpspectral::error::{positive, short, EngineError};
use fpspectral::logpolar::{mfpt_logpolar_in, GridMaps, LogPolarProblem, LogPolarStudy};
use fpspectral::mfpt::{eyring_kramers, mfpt_1d};
use fpspectral::passage::plan::{plan_2d, Method2d};
use fpspectral::quadrature::{
    ball_probability, basin_probability, check_point, lowest_point, run_or_best_effort, LogQuantity,
};
use fpspectral::{Potential, Result};
use serde_json::{json, Map, Value};

/// Target of the exact 1D quadratures (the double-exponential rule against its Gauss–Legendre
/// cross-check), on top of the rounding of the log-integrand.
pub const QUADRATURE_1D_TOL: f64 = 1e-8;

/// Relative tolerance of the 2D resolution studies (log-polar extrapolants or spectral levels).
pub const SPECTRAL_TOL: f64 = 1e-8;

/// A positive answer held in logarithms, with how it was obtained.
struct Answer {
    q: LogQuantity,
    converged: bool,
    method: String,
    /// The studies that missed their target (empty when converged).
    unconverged: Vec<String>,
}

/// The message of an engine error without its category prefix.
fn reason(e: &EngineError) -> String {
    match e {
        EngineError::Parse(m)
        | EngineError::NotConfining(m)
        | EngineError::InvalidParameter(m)
        | EngineError::TooLarge(m)
        | EngineError::NotConverged(m)
        | EngineError::Numerical(m)
        | EngineError::Io(m) => m.clone(),
    }
}

/// `ln_<key>` always, `<key>` only when e^{ln} is a finite normal double (else `<key>_note`).
fn put_log_number(out: &mut Map<String, Value>, key: &str, ln: f64, error: Option<f64>) {
    let value = ln.exp();
    let error = error.map(|r| value * r);
    if value.is_normal() && error.is_none_or(f64::is_finite) {
        out.insert(key.into(), json!(value));
        if let Some(e) = error {
            out.insert("error".into(), json!(e));
        }
    } else {
        let way = if ln > 0.0 { "overflows" } else { "underflows" };
        out.insert(
            format!("{key}_note"),
            json!(format!("e^{} {way} a double: the logarithm is given instead", short(ln))),
        );
    }
}

/// The JSON of an [`Answer`] (see the module notes).
fn answer_json(a: Answer) -> Result<Map<String, Value>> {
    if !a.q.ln.is_finite() {
        return Err(EngineError::Numerical(format!("the logarithm of the answer is {}", a.q.ln)));
    }
    if !(a.q.rel_error.is_finite() && a.q.rel_error >= 0.0) {
        return Err(EngineError::NotConverged(format!(
            "{}: no finite error estimate (ln value {})",
            a.method,
            short(a.q.ln)
        )));
    }
    let mut out = Map::new();
    out.insert("ln_value".into(), json!(a.q.ln));
    out.insert("rel_error".into(), json!(a.q.rel_error));
    put_log_number(&mut out, "value", a.q.ln, Some(a.q.rel_error));
    out.insert("converged".into(), json!(a.converged));
    out.insert("method".into(), json!(a.method));
    if !a.converged {
        out.insert("unconverged".into(), json!(a.unconverged));
    }
    Ok(out)
}

/// Whether an exact 1D quadrature met [`QUADRATURE_1D_TOL`] above the rounding of a
/// log-integrand of size `scale` (e^{h} at |h| = scale carries 4ε·scale of rounding).
fn one_d_converged(q: &LogQuantity, scale: f64) -> (bool, Vec<String>) {
    let target = QUADRATURE_1D_TOL + 16.0 * f64::EPSILON * (scale + q.ln.abs());
    if q.rel_error <= target {
        (true, Vec::new())
    } else {
        let why = format!(
            "1D quadrature: the double-exponential rule and its Gauss–Legendre check differ by {} (target {})",
            short(q.rel_error),
            short(target)
        );
        (false, vec![why])
    }
}

/// Largest |L| at the given points and at the lowest point found (the size of ηL or L/D that
/// the 1D quadratures exponentiate), times `factor`.
fn log_integrand_scale(p: &dyn Potential, factor: f64, points: &[f64]) -> f64 {
    let lowest = lowest_point(p);
    let mut s = p.value(&lowest).abs();
    for &x in points.iter().filter(|x| x.is_finite()) {
        s = s.max(p.value(&[x]).abs());
    }
    if s.is_finite() {
        factor * s
    } else {
        0.0
    }
}

/// Mean first passage time of dW = −∇L dt + √(2D) dB from `from` to `to` (exact, d = 1) and the
/// Eyring–Kramers value of Lemma 2. JSON as in the module notes: `ln_value`, `rel_error`,
/// `value`/`error` (or `value_note`), `converged`, `method`, `ln_eyring_kramers`,
/// `eyring_kramers` (or `eyring_kramers_note`).
pub fn eval_mfpt(potential_spec: &str, diffusion: f64, from: &[f64], to: &[f64]) -> Result<Value> {
    positive("diffusion", diffusion)?;
    let p = crate::risks::from_spec(potential_spec)?;
    check_point(&p, "from", from)?;
    check_point(&p, "to", to)?;
    match p.dim() {
        1 => {}
        2 => {
            return Err(EngineError::InvalidParameter(
                "in d = 2 a point target is never hit: give the target ball radius (--radius)".into(),
            ))
        }
        d => return Err(EngineError::InvalidParameter(format!("passage times for d = {d} are not implemented"))),
    }
    let tau = mfpt_1d(&p, diffusion, from[0], to[0])?;
    let (converged, unconverged) = one_d_converged(&tau, log_integrand_scale(&p, 1.0 / diffusion, &[from[0], to[0]]));
    let method = "exact 1D double integral (log-space double-exponential quadrature, Gauss–Legendre check)".into();
    let mut out = answer_json(Answer { q: tau, converged, method, unconverged })?;
    with_eyring_kramers(&mut out, &p, diffusion, from, to);
    Ok(Value::Object(out))
}

/// Mean first passage time from `from` to the closed ball of radius `radius` around `to`
/// (d = 1: the exact formula to the nearer ball edge; d = 2: backward Kolmogorov outside the ball
/// by the solver of the engine's passage plan ([`plan_2d`]: log-polar finite volumes with
/// subtraction-free elimination and Richardson extrapolation in h² whenever their grids fit, else
/// the spectral annulus), to [`SPECTRAL_TOL`], the other solver when the planned one misses it),
/// with the Eyring–Kramers value: same JSON as [`eval_mfpt`]. A start inside the ball is refused
/// (τ = 0) in every dimension.
pub fn eval_mfpt_to_ball(potential_spec: &str, diffusion: f64, from: &[f64], to: &[f64], radius: f64) -> Result<Value> {
    positive("diffusion", diffusion)?;
    positive("radius", radius)?;
    let p = crate::risks::from_spec(potential_spec)?;
    check_point(&p, "from", from)?;
    check_point(&p, "to", to)?;
    let gap = from.iter().zip(to).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    if gap <= radius {
        return Err(EngineError::InvalidParameter("the start lies in the target ball: τ = 0".into()));
    }
    let answer = match p.dim() {
        1 => {
            let edge = if from[0] < to[0] { to[0] - radius } else { to[0] + radius };
            let tau = mfpt_1d(&p, diffusion, from[0], edge)?;
            let (converged, unconverged) =
                one_d_converged(&tau, log_integrand_scale(&p, 1.0 / diffusion, &[from[0], edge]));
            let method = format!(
                "exact 1D double integral to the nearer ball edge x = {} (log-space double-exponential quadrature, Gauss–Legendre check)",
                short(edge)
            );
            Answer { q: tau, converged, method, unconverged }
        }
        2 => passage_2d(&p, diffusion, [from[0], from[1]], [to[0], to[1]], radius)?,
        d => return Err(EngineError::InvalidParameter(format!("passage times for d = {d} are not implemented"))),
    };
    let mut out = answer_json(answer)?;
    with_eyring_kramers(&mut out, &p, diffusion, from, to);
    Ok(Value::Object(out))
}

fn annulus_answer(study: &AnnulusStudy) -> Answer {
    let grids: Vec<String> = study.levels.iter().map(|l| format!("{}×{}", l.ns, l.nt)).collect();
    let converged = study.tau.rel_error <= SPECTRAL_TOL;
    let unconverged = if converged {
        Vec::new()
    } else {
        vec![format!(
            "annulus spectral: the last two levels differ by {} (tolerance {})",
            short(study.tau.rel_error),
            short(SPECTRAL_TOL)
        )]
    };
    let method = format!("annulus spectral (Chebyshev ⊗ Fourier, GMRES), levels {}", grids.join(", "));
    Answer { q: study.tau, converged, method, unconverged }
}

fn logpolar_answer(study: &LogPolarStudy) -> Answer {
    let grids: Vec<String> = study.levels.iter().map(|l| format!("{}×{}", l.ns, l.nt)).collect();
    let converged = study.tau.rel_error <= SPECTRAL_TOL;
    let unconverged = if converged {
        Vec::new()
    } else {
        vec![format!(
            "log-polar FV: out of levels, the Richardson error (larger of the last two corrections + rounding) is {} (tolerance {})",
            short(study.tau.rel_error),
            short(SPECTRAL_TOL)
        )]
    };
    let method = format!("log-polar FV + Richardson in h², levels {}", grids.join(", "));
    Answer { q: study.tau, converged, method, unconverged }
}

/// The d = 2 passage time by the planned solver ([`plan_2d`]); when it misses the tolerance (or
/// refuses its grid), the other solver too, and the estimate with the smaller error. The method
/// string starts with the plan.
fn passage_2d(p: &dyn Potential, diffusion: f64, start: [f64; 2], target: [f64; 2], radius: f64) -> Result<Answer> {
    let plan = plan_2d(p, diffusion, start, target, radius)?;
    let solve = |method: Method2d| match method {
        Method2d::LogPolar => {
            let prob = LogPolarProblem { target, radius, outer: plan.outer, start };
            mfpt_logpolar_in(p, diffusion, &prob, SPECTRAL_TOL, GridMaps::default()).map(|s| logpolar_answer(&s))
        }
        Method2d::Spectral => {
            mfpt_annulus(p, diffusion, start, target, radius, SPECTRAL_TOL).map(|s| annulus_answer(&s))
        }
    };
    let planned = solve(plan.method);
    let answer = match planned {
        Ok(a) if a.converged => a,
        Ok(a) => match solve(plan.method.other()) {
            Ok(b) => better(a, b),
            Err(e) => Answer { unconverged: [a.unconverged, vec![refused(plan.method.other(), &e)]].concat(), ..a },
        },
        // grid beyond the budget or round-off (collocation at small D): the other solver
        Err(e @ (EngineError::TooLarge(_) | EngineError::Numerical(_) | EngineError::NotConverged(_))) => {
            match solve(plan.method.other()) {
                Ok(b) if b.converged => b,
                Ok(b) => Answer { unconverged: [vec![refused(plan.method, &e)], b.unconverged].concat(), ..b },
                Err(_) => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    Ok(Answer { method: format!("{}; {}", plan.describe(), answer.method), ..answer })
}

/// Of two answers, the converged one or the one with the smaller error, listing both misses.
fn better(a: Answer, b: Answer) -> Answer {
    let unconverged = [a.unconverged.clone(), b.unconverged.clone()].concat();
    let best = if b.converged || b.q.rel_error < a.q.rel_error { b } else { a };
    Answer { unconverged, ..best }
}

fn refused(method: Method2d, e: &EngineError) -> String {
    format!("{}: {}", method.name(), reason(e))
}

fn with_eyring_kramers(out: &mut Map<String, Value>, p: &dyn Potential, diffusion: f64, from: &[f64], to: &[f64]) {
    match eyring_kramers(p, diffusion, from, to) {
        Ok(ek) if ek.ln_time.is_finite() => {
            out.insert("ln_eyring_kramers".into(), json!(ek.ln_time));
            put_log_number(out, "eyring_kramers", ek.ln_time, None);
        }
        Ok(_) => {
            out.insert(
                "eyring_kramers_note".into(),
                json!("the Eyring–Kramers formula is undefined here (a Hessian determinant is 0: degenerate minimum or saddle)"),
            );
        }
        Err(e) => {
            out.insert("eyring_kramers_note".into(), json!(format!("not applicable: {}", reason(&e))));
        }
    }
}

/// Stationary probability κ ∫_{|w−c| ≤ ε} e^{−ηL} of the closed ball (d = 1, 2, 3). JSON as in
/// the module notes: `ln_value`, `rel_error`, `value`/`error` (or `value_note`), `converged`,
/// `method`.
pub fn eval_ball_prob(potential_spec: &str, eta: f64, center: &[f64], radius: f64) -> Result<Value> {
    positive("eta", eta)?;
    positive("radius", radius)?;
    let p = crate::risks::from_spec(potential_spec)?;
    check_point(&p, "center", center)?;
    let (q, mut unconverged) = run_or_best_effort(|| ball_probability(&p, eta, center, radius))?;
    let method = if p.dim() == 1 {
        let (a, b) = (center[0] - radius, center[0] + radius);
        let (ok, why) = one_d_converged(&q, log_integrand_scale(&p, eta, &[a, b]));
        if !ok {
            unconverged.extend(why);
        }
        "1D double-exponential quadrature (Gauss–Legendre check) over the ball and over the line for Z".to_string()
    } else {
        "polar quadrature refinement studies: the ball about its centre or anchored at its peaks, Z about the wells"
            .to_string()
    };
    let converged = unconverged.is_empty();
    Ok(Value::Object(answer_json(Answer { q, converged, method, unconverged })?))
}

/// Stationary probability of the basin of attraction of `minimum` under the gradient flow
/// (d = 1, 2, 3, any number of minima). `minimum` must lead Newton's method to a minimum of L
/// (refused otherwise, in every dimension). JSON as in the module notes: `ln_value`,
/// `rel_error`, `value`/`error` (or `value_note`), `converged`, `method`.
pub fn eval_basin_prob(potential_spec: &str, eta: f64, minimum: &[f64]) -> Result<Value> {
    positive("eta", eta)?;
    let p = crate::risks::from_spec(potential_spec)?;
    check_point(&p, "minimum", minimum)?;
    let (q, mut unconverged) = run_or_best_effort(|| basin_probability(&p, eta, minimum))?;
    let method = if p.dim() == 1 {
        let (a, b) = basin_interval(&p, minimum[0])?;
        let (ok, why) = one_d_converged(&q, log_integrand_scale(&p, eta, &[a, b]));
        if !ok {
            unconverged.extend(why);
        }
        format!(
            "1D double-exponential quadrature over the basin ({}, {}) between the neighbouring maxima, and over the line for Z",
            short(a),
            short(b)
        )
    } else {
        "basin quadrature: rays from the minimum cut where the RK4 gradient flow leaves the basin, refinement study \
         plus a halved flow step; Z by polar quadrature about the wells"
            .to_string()
    };
    let converged = unconverged.is_empty();
    Ok(Value::Object(answer_json(Answer { q, converged, method, unconverged })?))
}

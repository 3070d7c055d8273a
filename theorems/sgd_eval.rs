//! Library entry points of `paper-checks eval sgd-stationary` and `eval sgd-escape`: the
//! algorithm (2) / Section 4 simulated on the finite-sum risk L_n = L + c_n·w (see
//! [`fpspectral::sgd::noise`]), beside its Fokker–Planck predictions.
//!
//! Every simulated number is `{"value", "error"}` with a 95 % interval over independent chains.
//! Bad input is an [`EngineError::InvalidParameter`] (one line, exit code 2): γ ≤ 0, M < 1,
//! M > N without replacement, β ≤ 0, ξ ∉ (0, 1), a step size at which the recursion diverges
//! (with the stability limit: γ < 2/a_max for SGD, γ < 2(1 + ξ)/a_max for momentum SGD, a_max
//! the largest Hessian eigenvalue of a quadratic risk or at the lowest minimum otherwise), and
//! budgets that cannot be met.

use crate::risks::Risk;
use fpspectral::critical::require_minimum;
use fpspectral::error::{positive, short, EngineError};
use fpspectral::quantity::Quantity;
use fpspectral::sgd::escape::simulate_escape;
use fpspectral::sgd::gibbs::law_moments;
use fpspectral::sgd::lyapunov::{stationary, Quadratic};
use fpspectral::sgd::stationary::{diffusion, first_order_step, simulate_stationary, temperature, StationaryPlan};
use fpspectral::sgd::{Algorithm, Method, SampleShifts, Sampling};
use fpspectral::{Potential, Result};
use serde_json::{json, Value};

/// Largest chains × steps × (M + d) of one run (about a minute and a half on two cores).
pub const MAX_WORK: f64 = 1e11;

/// Largest number of samples N, of chains and of escapes (memory grows with each).
pub const MAX_COUNT: i64 = 1_000_000;

/// Refuses a count outside 1..=[`MAX_COUNT`] (memory is allocated per sample and per chain).
fn check_count(name: &str, value: i64, least: i64) -> Result<()> {
    if value < least || value > MAX_COUNT {
        return Err(EngineError::InvalidParameter(format!("{name} must lie in {least}..={MAX_COUNT}, got {value}")));
    }
    Ok(())
}

/// Relative half-width of the variance interval below which a stationary run counts as converged.
pub const STATIONARY_REL_TOL: f64 = 0.02;

/// The hyperparameters of one run as given on the command line.
#[derive(Debug, Clone)]
pub struct SgdArgs {
    /// Expression or fixture.
    pub potential: String,
    /// γ.
    pub lr: f64,
    /// M (signed so that a negative value is refused, not wrapped).
    pub batch: i64,
    /// β.
    pub beta: f64,
    /// ξ, when momentum SGD.
    pub momentum: Option<f64>,
    /// N.
    pub samples: i64,
    /// Batches drawn without replacement.
    pub without_replacement: bool,
    /// Run seed.
    pub seed: u64,
}

/// Progress: (chains done, chains in all).
pub type ChainProgress<'a> = Option<&'a (dyn Fn(usize, usize) + Sync)>;

/// The checked potential, shifts and algorithm.
fn setup(args: &SgdArgs) -> Result<(Risk, SampleShifts, Algorithm)> {
    positive("learning rate γ (--lr)", args.lr)?;
    positive("noise scale β (--noise)", args.beta)?;
    if args.batch < 1 {
        return Err(EngineError::InvalidParameter(format!("the batch size M must be at least 1, got {}", args.batch)));
    }
    check_count("--samples N", args.samples, 2)?;
    let p = crate::risks::from_spec(&args.potential)?;
    let method = match args.momentum {
        None => Method::Sgd,
        Some(xi) => Method::Momentum { momentum: fpspectral::kinetic::check_momentum(xi)? },
    };
    let sampling = if args.without_replacement { Sampling::WithoutReplacement } else { Sampling::WithReplacement };
    let algorithm = Algorithm { lr: args.lr, batch: args.batch as usize, sampling, method };
    algorithm.validate(args.samples as usize)?;
    let shifts = SampleShifts::new(args.samples as usize, p.dim(), args.beta, args.seed)?;
    Ok((p, shifts, algorithm))
}

/// Refuses a step size beyond the linear stability limit at the risk's minimum (exactly the
/// divergence threshold on a quadratic risk; a necessary condition otherwise).
fn check_stability(p: &dyn Potential, algorithm: &Algorithm) -> Result<Option<Quadratic>> {
    if let Some(q) = p.poly().and_then(|poly| Quadratic::from_poly(&poly, p.dim())) {
        let limit = q.stability_limit(algorithm.method);
        if algorithm.lr >= limit {
            return Err(EngineError::InvalidParameter(format!(
                "the recursion diverges at γ = {} on this quadratic risk: stability needs γ < {}",
                short(algorithm.lr),
                short(limit)
            )));
        }
        return Ok(Some(q));
    }
    let land = fpspectral::confinement::landscape(p)?;
    let minimum = require_minimum(p, &land.minimum).map(|c| c.point).unwrap_or(land.minimum);
    let jet = p.jet(&minimum);
    let d = p.dim();
    let hessian = nalgebra::DMatrix::from_fn(d, d, |i, j| jet.h[i][j]);
    let a = hessian.symmetric_eigen().eigenvalues.max();
    if a > 0.0 {
        let limit = match algorithm.method {
            Method::Sgd => 2.0 / a,
            Method::Momentum { momentum } => 2.0 * (1.0 + momentum) / a,
        };
        if algorithm.lr >= limit {
            return Err(EngineError::InvalidParameter(format!(
                "the recursion is unstable at the minimum near {:?} at γ = {}: linear stability needs γ < {}",
                minimum.iter().map(|x| short(*x)).collect::<Vec<_>>(),
                short(algorithm.lr),
                short(limit)
            )));
        }
    }
    Ok(None)
}

fn refuse_work(chains: f64, steps: f64, batch: usize, dim: usize) -> Result<()> {
    let work = chains * steps * (batch + dim) as f64;
    if work > MAX_WORK {
        return Err(EngineError::TooLarge(format!(
            "the run needs {} chain-steps × (M + d) of work; the budget is {} (fewer chains, steps or a smaller batch)",
            short(work),
            short(MAX_WORK)
        )));
    }
    Ok(())
}

fn list(q: &[Quantity]) -> Value {
    Value::Array(q.iter().map(|x| json!({"value": x.value, "error": x.error})).collect())
}

fn exact_list(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| json!({"value": x, "error": 0.0})).collect())
}

/// `eval sgd-stationary`: the simulated stationary mean and variance per coordinate beside the
/// Fokker–Planck law (Lemma 3 / Lemma 4), the exact discrete law on quadratic risks, and the
/// first-order corrected law e^{−L/T}(1 + h(|∇L|²/(4T) − ΔL/2)), h = γ for SGD (T = D) and
/// h = γ/(1 + ξ) for momentum SGD (T = D/(1 − ξ)) ([`fpspectral::sgd::stationary`]).
pub fn eval_sgd_stationary(args: &SgdArgs, chains: i64, steps: i64, progress: ChainProgress) -> Result<Value> {
    let (p, shifts, algorithm) = setup(args)?;
    check_count("--chains", chains, 2)?;
    if steps < 8 {
        return Err(EngineError::InvalidParameter(format!("--steps must be at least 8, got {steps}")));
    }
    refuse_work(chains as f64, steps as f64, algorithm.batch, p.dim())?;
    let quadratic = check_stability(&p, &algorithm)?;
    let d_fp = diffusion(&shifts, &algorithm);
    let temp = temperature(&shifts, &algorithm);
    let fp = law_moments(&p, temp, 0.0, &[])?;
    let plan = StationaryPlan {
        chains: chains as usize,
        steps: steps as usize,
        burn_in: steps as usize / 4,
        seed: args.seed,
        centres: vec![],
    };
    let total = plan.chains;
    let tick = |done: usize| {
        if let Some(f) = progress {
            f(done, total)
        }
    };
    let sim = simulate_stationary(&p, &shifts, algorithm, &plan, Some(&tick))?;
    let rel_error = sim.variance.iter().map(|v| v.error / v.value.abs()).fold(0.0, f64::max);
    let converged = rel_error <= STATIONARY_REL_TOL;
    let mut out = json!({
        "sgd": {"mean": list(&sim.mean), "variance": list(&sim.variance)},
        "fokker_planck": {"mean": list(&fp.mean), "variance": list(&fp.variance)},
        "diffusion": d_fp,
        "temperature": temp,
        "converged": converged,
        "rel_error": rel_error,
        "chains": plan.chains,
        "steps": plan.steps,
        "burn_in": plan.burn_in,
        "samples": shifts.len(),
        "sampling": match algorithm.sampling {
            Sampling::WithReplacement => "with replacement: noise covariance (β/M)·I",
            Sampling::WithoutReplacement => "without replacement: noise covariance (β/M)·(N−M)/(N−1)·I",
        },
        "method": format!(
            "{} chains × {} steps (burn-in {}) started from the Fokker–Planck law; 95% intervals over chains; \
             Fokker–Planck moments by midpoint rules on two grids",
            plan.chains, plan.steps, plan.burn_in
        ),
    });
    if let Some(q) = &quadratic {
        let exact = stationary(q, &algorithm, shifts.batch_variance(algorithm.batch, algorithm.sampling))?;
        let var: Vec<f64> = (0..p.dim()).map(|i| exact.covariance_w[(i, i)]).collect();
        out["exact_discrete"] = json!({"mean": exact_list(&exact.mean), "variance": exact_list(&var)});
        out["stability_limit"] = json!(q.stability_limit(algorithm.method));
    }
    let first = law_moments(&p, temp, first_order_step(&algorithm), &[])?;
    out["first_order"] = json!({"mean": list(&first.mean), "variance": list(&first.variance)});
    if !converged {
        out["note"] = json!(format!(
            "the variance interval is {} of the value, above the {} target: run more chains or steps",
            short(rel_error),
            short(STATIONARY_REL_TOL)
        ));
    }
    Ok(out)
}

/// The engine's overdamped passage time at diffusion D (and its Eyring–Kramers value), as JSON.
fn overdamped_passage(spec: &str, d: f64, from: &[f64], to: &[f64], radius: Option<f64>) -> Result<Value> {
    match radius {
        Some(r) => crate::escape_eval::eval_mfpt_to_ball(spec, d, from, to, r),
        None => crate::escape_eval::eval_mfpt(spec, d, from, to),
    }
}

/// `eval sgd-escape`: mean steps from `from` to the ball of `radius` around `to` (in d = 1 to the
/// ball's near edge, or to `to` itself without a radius), as time t = kγ (SGD) or k√γ (momentum),
/// beside the engine's mean first-passage time of the SDE (3) at the same D and Eyring–Kramers.
pub fn eval_sgd_escape(
    args: &SgdArgs,
    from: &[f64],
    to: &[f64],
    radius: Option<f64>,
    escapes: i64,
    progress: ChainProgress,
) -> Result<Value> {
    let (p, shifts, algorithm) = setup(args)?;
    if from.len() != p.dim() || to.len() != p.dim() {
        return Err(EngineError::InvalidParameter(format!("--from and --to need {} coordinates", p.dim())));
    }
    check_count("--escapes", escapes, 10)?;
    if p.dim() >= 2 && radius.is_none() {
        return Err(EngineError::InvalidParameter(
            "in d ≥ 2 a point target is never hit: give the target ball radius (--radius)".into(),
        ));
    }
    check_stability(&p, &algorithm)?;
    let d_fp = diffusion(&shifts, &algorithm);
    let temp = temperature(&shifts, &algorithm);
    // The overdamped passage time at the w-temperature: the prediction for SGD, and the scale
    // of the step budget for momentum SGD (whose limit (9) has friction g = (1 − ξ)/√γ).
    let passage = overdamped_passage(&args.potential, temp, from, to, radius)?;
    let tau = passage.get("value").and_then(Value::as_f64).ok_or_else(|| {
        EngineError::TooLarge(format!(
            "the expected passage time e^{} is beyond any step budget at this noise level",
            short(passage["ln_value"].as_f64().unwrap_or(f64::INFINITY))
        ))
    })?;
    let friction = (1.0 - algorithm.momentum()) / algorithm.lr.sqrt();
    let scale = match algorithm.method {
        Method::Sgd => 1.0,
        Method::Momentum { .. } => friction.max(1.0 / friction).max(1.0),
    };
    let expected_steps = tau * scale / algorithm.time_per_step();
    let max_steps = (40.0 * expected_steps + 1000.0).ceil();
    refuse_work(escapes as f64, expected_steps * 2.0, algorithm.batch, p.dim())?;
    let max_steps = max_steps.min(MAX_WORK / (escapes as f64 * (algorithm.batch + p.dim()) as f64)) as usize;
    let total = escapes as usize;
    let tick = |done: usize| {
        if let Some(f) = progress {
            f(done, total)
        }
    };
    let r = radius.unwrap_or(0.0);
    let est = simulate_escape(&p, &shifts, algorithm, from, to, r, total, max_steps, args.seed, Some(&tick))?;
    if est.chains - est.censored < 2 {
        return Err(EngineError::NotConverged(format!(
            "fewer than two of {} chains reached the target within {} steps",
            est.chains, est.max_steps
        )));
    }
    let time = est.time(&algorithm);
    let converged = est.censored == 0;
    let mut out = json!({
        "steps": {"value": est.steps.value, "error": est.steps.error},
        "time": {"value": time.value, "error": time.error},
        "diffusion": d_fp,
        "temperature": temp,
        "escapes": est.chains,
        "censored": est.censored,
        "max_steps": est.max_steps,
        "converged": converged,
        "rel_error": time.error / time.value,
        "time_per_step": algorithm.time_per_step(),
        "method": format!(
            "{} chains from the start until the target ({}); 95% interval over chains; time = steps × {}",
            est.chains,
            if p.dim() == 1 { "the ball's near edge" } else { "the ball" },
            if algorithm.method == Method::Sgd { "γ" } else { "√γ" }
        ),
    });
    match algorithm.method {
        Method::Sgd => {
            let fp_err = passage.get("error").and_then(Value::as_f64).unwrap_or(0.0);
            out["fp_mfpt"] = json!({"value": tau, "error": fp_err});
            out["ratio"] = json!({
                "value": time.value / tau,
                "error": time.error / tau + time.value * fp_err / (tau * tau),
            });
            out["fp_method"] = passage["method"].clone();
            match passage.get("eyring_kramers") {
                Some(ek) => out["eyring_kramers"] = ek.clone(),
                None => {
                    out["eyring_kramers_note"] =
                        passage.get("eyring_kramers_note").cloned().unwrap_or(json!("not available"))
                }
            }
        }
        Method::Momentum { .. } => {
            out["fp_mfpt_note"] = json!(format!(
                "the engine's passage times are for the overdamped SDE (3); momentum SGD's limit is the kinetic \
                 SDE (9) (friction g = {}); the overdamped time at the same w-temperature D/(1−ξ) is {}",
                short(friction),
                short(tau)
            ));
            out["eyring_kramers_note"] = json!("Lemma 2 is stated for the overdamped SDE (3)");
        }
    }
    if !converged {
        out["note"] = json!(format!(
            "{} of {} chains had not reached the target after {} steps: the mean is biased low",
            est.censored, est.chains, est.max_steps
        ));
    }
    Ok(out)
}

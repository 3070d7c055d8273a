//! `paper-checks eval`: single questions about a user's own potential, answered as JSON.

use clap::Subcommand;
use fpspectral::error::positive;
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, poincare_constant, RateOptions};
use fpspectral::{EngineError, Potential};
use serde_json::json;
use theorems::escape_eval;

#[derive(Subcommand)]
pub enum Eval {
    /// The K lowest non-zero eigenvalues of the overdamped generator (5), as decay rates.
    FpGap {
        /// Expression in x, y, z or a JSON fixture path.
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// D = γβ/(2M) > 0.
        #[arg(long, allow_hyphen_values = true)]
        diffusion: f64,
        /// Number of eigenvalues, 1 to 50.
        #[arg(long, default_value_t = 3, allow_hyphen_values = true)]
        count: i64,
        /// Relative tolerance of the resolution study, in (1e-15, 1e-2].
        #[arg(long, default_value_t = 1e-10, allow_hyphen_values = true)]
        tolerance: f64,
        /// Also prove two-sided enclosures of the eigenvalues in interval arithmetic (certify
        /// crate; polynomial risks in d = 1 or 2); exit 3 with one line if they cannot be proved.
        #[arg(long)]
        certify: bool,
    },
    /// The Poincaré constant of e^{-ηL} (η = 1 is the constant of (7)).
    Poincare {
        /// Expression in x, y, z or a JSON fixture path.
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// Inverse temperature η > 0.
        #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
        eta: f64,
        /// Relative tolerance of the resolution study.
        #[arg(long, default_value_t = 1e-8, allow_hyphen_values = true)]
        tolerance: f64,
    },
    /// Mean first passage time of dW = −∇L dt + √(2D) dB, with the Eyring–Kramers value.
    Mfpt {
        /// Expression in x, y, z or a JSON fixture path.
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// D > 0.
        #[arg(long, allow_hyphen_values = true)]
        diffusion: f64,
        /// Start point, comma-separated coordinates.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_point)]
        from: Point,
        /// Target point, comma-separated coordinates.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_point)]
        to: Point,
        /// Radius of the target ball (needed in d = 2, where a point is never hit).
        #[arg(long, allow_hyphen_values = true)]
        radius: Option<f64>,
    },
    /// Stationary probability of the closed ball |w − center| ≤ radius under p∞ ∝ e^{-ηL}.
    BallProb {
        /// Expression in x, y, z or a JSON fixture path.
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// Inverse temperature η > 0.
        #[arg(long, allow_hyphen_values = true)]
        eta: f64,
        /// Centre, comma-separated coordinates.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_point)]
        center: Point,
        /// Radius ε > 0.
        #[arg(long, allow_hyphen_values = true)]
        radius: f64,
    },
    /// Stationary probability of the basin of attraction of a minimum.
    BasinProb {
        /// Expression in x, y, z or a JSON fixture path.
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// Inverse temperature η > 0.
        #[arg(long, allow_hyphen_values = true)]
        eta: f64,
        /// The minimum, comma-separated coordinates.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_point)]
        minimum: Point,
    },
    /// Non-zero eigenvalues of the kinetic generator (9) with smallest real part, as decay rates.
    KineticGap {
        /// Expression in x, y or a JSON fixture path (2π-periodic in x with --periodic).
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// Friction g = (1 − ξ)/√γ > 0 (or give --lr --beta --batch --momentum instead).
        #[arg(long, allow_hyphen_values = true, required_unless_present = "lr", requires = "diffusion")]
        friction: Option<f64>,
        /// Velocity diffusion D_v = √γ β/(2M) > 0.
        #[arg(long, allow_hyphen_values = true, requires = "friction")]
        diffusion: Option<f64>,
        /// Learning rate γ > 0 (SGD hyperparameters in place of --friction/--diffusion).
        #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["friction", "diffusion"],
              requires_all = ["beta", "batch", "momentum"])]
        lr: Option<f64>,
        /// Noise scale β > 0 of the stochastic gradient.
        #[arg(long, allow_hyphen_values = true, requires = "lr")]
        beta: Option<f64>,
        /// Batch size M > 0.
        #[arg(long, allow_hyphen_values = true, requires = "lr")]
        batch: Option<f64>,
        /// Momentum ξ in (0, 1).
        #[arg(long, allow_hyphen_values = true, requires = "lr")]
        momentum: Option<f64>,
        /// Number of eigenvalues (one per conjugate pair).
        #[arg(long, default_value_t = 3)]
        count: usize,
        /// w lives on the circle and the potential is 2π-periodic.
        #[arg(long)]
        periodic: bool,
        /// Relative tolerance of the resolution study.
        #[arg(long, default_value_t = 1e-8, allow_hyphen_values = true)]
        tolerance: f64,
    },
    /// Lemma 7's μ, C, Ĉ and the matrices K, P for the quadratic risk ½C_L²|w|².
    Lemma7 {
        /// Learning rate γ > 0.
        #[arg(long, allow_hyphen_values = true)]
        lr: f64,
        /// Momentum ξ in (0, 1).
        #[arg(long, allow_hyphen_values = true)]
        momentum: f64,
        /// C_L > 0 of (A.4).
        #[arg(long, allow_hyphen_values = true)]
        cl: f64,
    },
    /// Stationary mean and variance of mini-batch SGD (2) or momentum SGD (Section 4) on the
    /// finite-sum risk L_n = L + c_n·w, beside the Fokker–Planck law (and the exact discrete law
    /// on a quadratic risk).
    SgdStationary {
        #[command(flatten)]
        sgd: SgdOptions,
        /// Independent chains.
        #[arg(long, default_value_t = 1000, allow_hyphen_values = true)]
        chains: i64,
        /// Steps per chain (the first quarter is burn-in).
        #[arg(long, default_value_t = 4000, allow_hyphen_values = true)]
        steps: i64,
    },
    /// Mean escape time of SGD from --from to the ball around --to, in steps and as SDE time
    /// (kγ; k√γ with momentum), beside the engine's passage time of (3) and Eyring–Kramers.
    SgdEscape {
        #[command(flatten)]
        sgd: SgdOptions,
        /// Start point, comma-separated coordinates.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_point)]
        from: Point,
        /// Target point, comma-separated coordinates.
        #[arg(long, allow_hyphen_values = true, value_parser = parse_point)]
        to: Point,
        /// Radius of the target ball (needed in d ≥ 2).
        #[arg(long, allow_hyphen_values = true)]
        radius: Option<f64>,
        /// Number of chains (escapes averaged).
        #[arg(long, default_value_t = 200, allow_hyphen_values = true)]
        escapes: i64,
    },
}

/// The algorithm's hyperparameters shared by `sgd-stationary` and `sgd-escape`.
#[derive(clap::Args)]
pub struct SgdOptions {
    /// Expression in x, y, z or a JSON fixture path.
    #[arg(long, allow_hyphen_values = true)]
    potential: String,
    /// Learning rate γ > 0.
    #[arg(long, allow_hyphen_values = true)]
    lr: f64,
    /// Batch size M ≥ 1.
    #[arg(long, allow_hyphen_values = true)]
    batch: i64,
    /// Noise scale β > 0: the covariance of the per-sample gradients c_n.
    #[arg(long, allow_hyphen_values = true)]
    noise: f64,
    /// Momentum ξ in (0, 1): momentum SGD instead of SGD.
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Number N of samples of the finite sum.
    #[arg(long, default_value_t = 1024, allow_hyphen_values = true)]
    samples: i64,
    /// Draw batches without replacement (noise covariance times (N − M)/(N − 1)).
    #[arg(long)]
    without_replacement: bool,
    /// Seed of the shifts and of the chains.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

impl SgdOptions {
    fn args(self) -> theorems::sgd_eval::SgdArgs {
        theorems::sgd_eval::SgdArgs {
            potential: self.potential,
            lr: self.lr,
            batch: self.batch,
            beta: self.noise,
            momentum: self.momentum,
            samples: self.samples,
            without_replacement: self.without_replacement,
            seed: self.seed,
        }
    }
}

/// A bar over chains, drawn on stderr only when the run takes a while.
fn chain_bar() -> (indicatif::ProgressBar, impl Fn(usize, usize) + Sync) {
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} chains {elapsed}").expect("template"));
    let handle = bar.clone();
    (bar, move |done: usize, total: usize| {
        handle.set_length(total as u64);
        handle.set_position(done as u64);
    })
}

/// A point given as comma-separated coordinates.
#[derive(Debug, Clone)]
pub struct Point(Vec<f64>);

/// Parses "x" or "x,y" or "x,y,z" into coordinates.
fn parse_point(text: &str) -> Result<Point, String> {
    text.split(',')
        .map(|c| c.trim().parse::<f64>().map_err(|_| format!("'{c}' is not a number in point '{text}'")))
        .collect::<Result<Vec<f64>, String>>()
        .map(Point)
}

/// The path of the first `null` in `value` (a number that was not finite), if any.
pub fn first_null(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::Null => Some(if path.is_empty() { "the answer".into() } else { path.to_string() }),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| first_null(v, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| first_null(v, &if path.is_empty() { k.clone() } else { format!("{path}.{k}") })),
        _ => None,
    }
}

/// Answers one `eval` question as JSON.
pub fn eval(e: Eval) -> Result<serde_json::Value, EngineError> {
    match e {
        Eval::FpGap { potential, diffusion, count, tolerance, certify } => {
            fpspectral::resolution::check_tolerance(tolerance)?;
            if !(1..=50).contains(&count) {
                return Err(EngineError::InvalidParameter(format!("--count must be in 1..=50, got {count}")));
            }
            let pot = theorems::risks::from_spec(&potential)?;
            let op = Overdamped::new(&pot, diffusion)?;
            let rates = decay_rates(&op, &RateOptions { count: count as usize, tolerance, ..Default::default() })?;
            let mut out = json!({"eigenvalues": rates.values, "errors": rates.errors, "basis_size": rates.basis_size});
            study_fields(&mut out, &rates);
            if certify {
                certified_enclosures(&mut out, &pot, diffusion, count as usize);
            }
            Ok(out)
        }
        Eval::Poincare { potential, eta, tolerance } => {
            positive("eta", eta)?;
            fpspectral::resolution::check_tolerance(tolerance)?;
            let pot = theorems::risks::from_spec(&potential)?;
            let (value, error, rates) = poincare_constant(&pot, eta, tolerance)?;
            let mut out = json!({"value": value, "error": error});
            study_fields(&mut out, &rates);
            Ok(out)
        }
        Eval::Mfpt { potential, diffusion, from, to, radius } => match radius {
            Some(r) => escape_eval::eval_mfpt_to_ball(&potential, diffusion, &from.0, &to.0, r),
            None => escape_eval::eval_mfpt(&potential, diffusion, &from.0, &to.0),
        },
        Eval::BallProb { potential, eta, center, radius } => {
            escape_eval::eval_ball_prob(&potential, eta, &center.0, radius)
        }
        Eval::BasinProb { potential, eta, minimum } => escape_eval::eval_basin_prob(&potential, eta, &minimum.0),
        Eval::KineticGap { potential, friction, diffusion, lr, beta, batch, momentum, count, periodic, tolerance } => {
            use theorems::kinetic_eval::{eval_kinetic_gap, eval_kinetic_gap_sgd};
            // One problem per process: faer runs sequentially inside each block (as in `run`, the
            // same numbers), and the parity sectors of a level are solved at the same time on a
            // global rayon pool of one worker per core whose first worker is this thread (the
            // other workers' start-up, ≈ 0.1 ms, against ≈ 1/3 of the study's wall time saved:
            // BENCHMARKS). The results do not depend on the thread count (`run` checks
            // report.json with RAYON_NUM_THREADS=1). An already built pool is kept.
            faer::set_global_parallelism(faer::Par::Seq);
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let _ = rayon::ThreadPoolBuilder::new().num_threads(cores).use_current_thread().build_global();
            match (friction, diffusion, lr, beta, batch, momentum) {
                (Some(g), Some(dv), ..) => eval_kinetic_gap(&potential, g, dv, count, periodic, tolerance),
                (_, _, Some(lr), Some(beta), Some(batch), Some(xi)) => {
                    eval_kinetic_gap_sgd(&potential, lr, beta, batch, xi, count, periodic, tolerance)
                }
                _ => Err(EngineError::InvalidParameter(
                    "give --friction and --diffusion, or --lr, --beta, --batch and --momentum".into(),
                )),
            }
        }
        Eval::Lemma7 { lr, momentum, cl } => theorems::lemma7::eval_lemma7(lr, momentum, cl),
        Eval::SgdStationary { sgd, chains, steps } => {
            let (bar, tick) = chain_bar();
            let out = theorems::sgd_eval::eval_sgd_stationary(&sgd.args(), chains, steps, Some(&tick));
            bar.finish_and_clear();
            out
        }
        Eval::SgdEscape { sgd, from, to, radius, escapes } => {
            let (bar, tick) = chain_bar();
            let out = theorems::sgd_eval::eval_sgd_escape(&sgd.args(), &from.0, &to.0, radius, escapes, Some(&tick));
            bar.finish_and_clear();
            out
        }
    }
}

/// The resolution study's verdict in an fp-gap or poincare answer: `converged`, the achieved
/// worst relative error, the plan used, why the study stopped early (if it did), and whether the
/// error bar of the gap reaches zero (a flat or nearly flat direction).
fn study_fields(out: &mut serde_json::Value, rates: &fpspectral::spectrum::Rates) {
    out["converged"] = json!(rates.study.converged);
    out["rel_error"] = json!(rates.study.rel_error);
    out["method"] = json!(rates.method.description);
    out["plan"] = json!(rates.method);
    out["gap_may_be_zero"] = json!(rates.gap_may_be_zero());
    if let Some(why) = &rates.study.stopped {
        out["stopped"] = json!(why);
    }
}

/// `fp-gap --certify`: enclosures of λ1 … λ_count proved by the certify crate from the risk's
/// polynomial coefficients (as f64 numbers, taken as exact; d = 1, or d = 2 with
/// `certify::spectrum2d`), or `"certified": false` with `certificate_note` saying why (the
/// command then exits 3).
fn certified_enclosures(out: &mut serde_json::Value, pot: &dyn Potential, diffusion: f64, count: usize) {
    let poly = pot.poly();
    let result = match (&poly, pot.dim()) {
        (Some(p), 1) => {
            let c = coefficients_1d(p);
            certify::spectrum::enclose(&c, diffusion, count, certify::spectrum::Options::default())
                .map(|e| (e, json!(c)))
        }
        (Some(p), 2) => {
            let l = certify::hermite2d::Poly2(p.terms.iter().map(|(m, v)| (m[0], m[1], *v)).collect());
            let terms: Vec<_> = l.0.iter().map(|&(i, j, c)| json!({"x": i, "y": j, "c": c})).collect();
            certify::spectrum2d::enclose_2d(&l, diffusion, count, certify::spectrum2d::Options2::default())
                .map(|e| (e, json!(terms)))
        }
        _ => Err("only polynomial risks in d = 1 or 2 can be certified".to_string()),
    };
    let map = out.as_object_mut().expect("object");
    match result {
        Ok((e, coefficients)) => {
            let list: Vec<_> = e.iter().map(|x| json!({"lower": x.lower, "upper": x.upper})).collect();
            map.insert("enclosures".into(), json!(list));
            map.insert("certified_coefficients".into(), coefficients);
            map.insert("certified".into(), json!(true));
        }
        Err(why) => {
            map.insert("certified".into(), json!(false));
            map.insert("certificate_note".into(), json!(format!("cannot certify: {why}")));
        }
    }
}

/// Coefficients c_0 … c_deg of a polynomial in x.
fn coefficients_1d(p: &fpspectral::polynomial::Poly) -> Vec<f64> {
    let degree = p.terms.keys().map(|m| m[0]).max().unwrap_or(0) as usize;
    let mut c = vec![0.0; degree + 1];
    for (m, v) in &p.terms {
        c[m[0] as usize] = *v;
    }
    c
}

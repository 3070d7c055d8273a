//! `paper-checks`: runs the claim checks of Dai & Zhu and writes a report; `eval` answers
//! single questions about a user's own potential.

mod plot;
mod report;

use clap::{Parser, Subcommand};
use fpspectral::error::positive;
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, poincare_constant, RateOptions};
use fpspectral::{EngineError, Potential};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use theorems::escape_eval;

#[derive(Parser)]
#[command(name = "paper-checks", version, about = "Checks every claim of Dai & Zhu by computation")]
struct Cli {
    /// Directory for report.json, report.md and plots.
    #[arg(long, global = true, default_value = "paper-checks-report", allow_hyphen_values = true)]
    out: PathBuf,
    /// Memory budget in GB for one computation (default: half the machine's memory).
    #[arg(long, global = true, value_name = "GB")]
    max_memory: Option<f64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Lists the implemented claims.
    List,
    /// Runs the named claims (all when none is named) and writes the report.
    Run { claims: Vec<String> },
    /// Evaluates one quantity for a potential of your own; prints JSON.
    #[command(subcommand)]
    Eval(Eval),
}

#[derive(Subcommand)]
enum Eval {
    /// The K lowest non-zero eigenvalues of the overdamped generator (5), as decay rates.
    FpGap {
        /// Expression in x, y, z or a JSON fixture path.
        #[arg(long, allow_hyphen_values = true)]
        potential: String,
        /// D = γβ/(2M) > 0.
        #[arg(long, allow_hyphen_values = true)]
        diffusion: f64,
        /// Number of eigenvalues.
        #[arg(long, default_value_t = 3)]
        count: usize,
        /// Relative tolerance of the resolution study.
        #[arg(long, default_value_t = 1e-10)]
        tolerance: f64,
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
}

/// A point given as comma-separated coordinates.
#[derive(Debug, Clone)]
struct Point(Vec<f64>);

/// Parses "x" or "x,y" or "x,y,z" into coordinates.
fn parse_point(text: &str) -> Result<Point, String> {
    text.split(',')
        .map(|c| c.trim().parse::<f64>().map_err(|_| format!("'{c}' is not a number in point '{text}'")))
        .collect::<Result<Vec<f64>, String>>()
        .map(Point)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    if let Some(gb) = cli.max_memory {
        if !(gb.is_finite() && gb > 0.0) {
            eprintln!("paper-checks: --max-memory must be a positive number of GB");
            return ExitCode::from(2);
        }
        fpspectral::budget::set_memory_budget((gb * 1e9) as u64);
    }
    match dispatch(cli) {
        Ok(outcome) => outcome.code(),
        Err(e) => {
            eprintln!("paper-checks: {e}");
            match e {
                EngineError::NotConverged(_) => ExitCode::from(3),
                _ => ExitCode::from(2),
            }
        }
    }
}

/// How a command that ran ended: exit code 0 (done), 1 (a check the user asked for failed) or
/// 3 (not converged: the best estimate and its honest error were printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    NotConverged,
}

impl Outcome {
    fn code(self) -> ExitCode {
        match self {
            Outcome::Done => ExitCode::SUCCESS,
            Outcome::NotConverged => ExitCode::from(3),
        }
    }
}

fn dispatch(cli: Cli) -> Result<Outcome, EngineError> {
    match cli.command {
        None => report::run_claims(&[], &cli.out).map(|()| Outcome::Done),
        Some(Command::Run { claims }) => report::run_claims(&claims, &cli.out).map(|()| Outcome::Done),
        Some(Command::List) => {
            let lines: Vec<String> =
                theorems::registry().iter().map(|c| format!("{:<16} {}\n", c.id, c.title)).collect();
            report::emit(&lines.concat());
            Ok(Outcome::Done)
        }
        Some(Command::Eval(e)) => {
            let value = report::with_spinner("eval: resolution study running", || eval(e))?;
            report::emit(&format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON")));
            // An answer that missed its tolerance carries `"converged": false`: exit code 3.
            Ok(if value.get("converged") == Some(&json!(false)) { Outcome::NotConverged } else { Outcome::Done })
        }
    }
}

fn eval(e: Eval) -> Result<serde_json::Value, EngineError> {
    match e {
        Eval::FpGap { potential, diffusion, count, tolerance } => {
            positive("tolerance", tolerance)?;
            if count == 0 || count > 50 {
                return Err(EngineError::InvalidParameter(format!("--count must be in 1..=50, got {count}")));
            }
            let pot = Potential::from_spec(&potential)?;
            let op = Overdamped::new(&pot, diffusion)?;
            let rates = decay_rates(&op, &RateOptions { count, tolerance, ..Default::default() })?;
            let study = rates.study.clone().require_converged("fp-gap")?;
            Ok(json!({"eigenvalues": rates.values, "errors": rates.errors, "basis_size": study.basis_size()}))
        }
        Eval::Poincare { potential, eta, tolerance } => {
            positive("eta", eta)?;
            positive("tolerance", tolerance)?;
            let pot = Potential::from_spec(&potential)?;
            let (value, error, rates) = poincare_constant(&pot, eta, tolerance)?;
            rates.study.require_converged("poincare")?;
            Ok(json!({"value": value, "error": error}))
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
    }
}

//! The input-layer stratum of the fuzz harness: everything a command does before its first
//! large computation, at about a millisecond per case, so that 10⁶ cases fit in one core's half
//! hour (RELIABILITY.md).
//!
//! - `eval` cases (the same generators as the full run: wild inputs, and valid inputs with a known
//!   truth) run in process through [`crate::cli::execute_eval`] under a memory budget of one
//!   byte: parsing, the expression limits, the confinement decision, the parameter checks and the
//!   plan with its memory prediction all run, and the first planned allocation is refused by
//!   `budget::check_memory`. That refusal means "accepted by the input layer"
//!   ([`Outcome::Accepted`]); a valid input must reach it (or answer, or end not converged).
//! - `run` cases (`--set KEY=VALUE` pairs, `--expect`, `--out` paths in a sandbox) go through
//!   [`crate::cli::check_run`], which makes every check `run` makes before computing. Inputs
//!   known to be valid must be accepted, inputs known to be invalid (a directory of the user's
//!   files, `.`, `..`, `/`, a plain file, a symbolic link) refused, and the sandbox's files must
//!   all still be there afterwards.
//!
//! Not covered: the resolution studies, quadratures and solvers behind the plan (the full and
//! truths strata cover them), and writing a report.

use super::{judge, rng_for, wild_expression, wild_number, Outcome, Truth};
use rand::rngs::StdRng;
use rand::Rng;
use std::path::{Path, PathBuf};

/// The refusal of a planned allocation by the stratum's one-byte memory budget, or of a level by
/// the time budget: the input got through every check before it.
pub fn stopped_by_budget(stderr: &str) -> bool {
    stderr.contains("over the --max-memory budget") || stderr.contains("after the --max-time budget")
}

/// A generated `run` command line and what its checks must conclude.
#[derive(Debug, Clone)]
pub struct RunCase {
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// `Some(true)`: must be accepted; `Some(false)`: must be refused; `None`: either, cleanly.
    pub valid: Option<bool>,
}

/// A case of the input stratum.
#[derive(Debug, Clone)]
pub enum InputCase {
    /// An `eval` command line of the full run's generators.
    Eval(super::Case),
    /// A `run` command line.
    Run(RunCase),
}

impl InputCase {
    /// Its arguments after the program name.
    pub fn args(&self) -> &[String] {
        match self {
            InputCase::Eval(case) => &case.args,
            InputCase::Run(case) => &case.args,
        }
    }
}

/// Case `index` of run `seed` of the input stratum: an `eval` case (80 %, see [`eval_case`]) or a
/// `run` case (20 %, its `--out` paths in this process's [`sandbox`]).
pub fn input_case(seed: u64, index: u64) -> InputCase {
    let mut rng = rng_for(seed ^ 0x5EED_1A7E, index);
    if rng.random_range(0..100) < 80 {
        InputCase::Eval(eval_case(&mut rng, seed, index))
    } else {
        InputCase::Run(run_case(&mut rng, index))
    }
}

/// Runs case `index` of run `seed` of the input stratum in this process and judges it (the
/// caller sets the one-byte memory budget and a time budget of zero).
pub fn input_outcome(seed: u64, index: u64) -> (Vec<String>, Outcome) {
    let case = input_case(seed, index);
    let outcome = match &case {
        InputCase::Eval(case) => eval_outcome(&case.args, &case.truth),
        InputCase::Run(case) => run_outcome(case),
    };
    (case.args().to_vec(), outcome)
}

/// The subcommands whose computation (quadratures, passage-time grids, 0.1–2 s a case) has no
/// memory prediction the stratum's budget could stop at, and ignores `--max-time`
/// (RELIABILITY.md): for them the stratum stops after the command line's parse and the
/// potential's checks.
const UNPLANNED: [&str; 3] = ["ball-prob", "basin-prob", "mfpt"];

/// How far an `eval` got in the input stratum.
enum Stage {
    /// It ended (refused, answered, stopped by the budget): judge what it printed.
    Ended(crate::cli::Execution),
    /// The potential passed parse, limits and confinement, and the stratum stops there: an
    /// [`UNPLANNED`] subcommand, or d = 3, whose plan (≈ 60 ms of moments on a 3-D grid) is left to
    /// the full strata.
    PotentialAccepted,
}

/// Runs `args` as far as the input stratum goes: the command line's parse, the potential's
/// checks, then (`fp-gap`, `poincare` in d ≤ 2; `kinetic-gap`, `lemma7`) the command itself
/// under the one-byte memory budget.
fn eval_stage(args: &[String]) -> Stage {
    let subcommand = args.get(1).map(String::as_str).unwrap_or_default();
    if !["fp-gap", "poincare"].contains(&subcommand) && !UNPLANNED.contains(&subcommand) {
        return Stage::Ended(crate::cli::execute_eval(args));
    }
    if let Some(refusal) = crate::cli::eval_parse_refusal(args) {
        return Stage::Ended(refusal);
    }
    let potential = args.iter().skip_while(|a| *a != "--potential").nth(1).cloned().unwrap_or_default();
    match crate::cli::check_potential(&potential) {
        Err(refusal) => Stage::Ended(refusal),
        Ok(dim) if dim == 3 || UNPLANNED.contains(&subcommand) => Stage::PotentialAccepted,
        Ok(_) => Stage::Ended(crate::cli::execute_eval(args)),
    }
}

/// The `eval` case of input case `index`: the full run's case `index·16 + j` for the first j
/// that is not [`costly`], or that is kept anyway (one costly case in ten): the stratum draws
/// costly cases at a tenth of the full run's rate (RELIABILITY.md).
fn eval_case(rng: &mut StdRng, seed: u64, index: u64) -> super::Case {
    let mut case = super::case(seed, index * 16);
    for j in 1..16 {
        if !costly(&case.args) || rng.random_bool(0.1) {
            break;
        }
        case = super::case(seed, index * 16 + j);
    }
    case
}

/// A potential in d ≥ 2 with a transcendental term or a division: its confinement search (d = 3)
/// or its plan's moments on a grid (d = 2) take ≈ 60 ms, sixty times a typical case.
fn costly(args: &[String]) -> bool {
    let potential = args.iter().skip_while(|a| *a != "--potential").nth(1).map_or("", String::as_str);
    let transcendental = super::FUNCTIONS.iter().any(|f| potential.contains(f)) || potential.contains(")/(");
    potential.contains(['y', 'z']) && transcendental
}

/// Runs `eval` in process (`catch_unwind`: a panic is counted, not hidden) and judges it.
fn eval_outcome(args: &[String], truth: &Truth) -> Outcome {
    let run = |args: &[String]| std::panic::catch_unwind(|| eval_stage(args)).map_err(panic_text);
    let outcome = match run(args) {
        Ok(Stage::Ended(ran)) => judged(truth, &ran),
        Ok(Stage::PotentialAccepted) => Outcome::Accepted,
        Err(message) => return Outcome::Panic(format!("panicked: {message}")),
    };
    // The comparison command of an invariance case is valid too: it must get as far.
    if let (Truth::SameRatesAs(other), true) = (truth, outcome.is_promised()) {
        return match run(other) {
            Err(message) => Outcome::Panic(format!("panicked: {message}")),
            Ok(Stage::PotentialAccepted) => outcome,
            Ok(Stage::Ended(second)) => match judged(&Truth::Rates(Vec::new()), &second) {
                bad if !bad.is_promised() => bad,
                _ => outcome,
            },
        };
    }
    outcome
}

/// The full run's judgement, with a refusal by the stratum's budget counted as accepted.
fn judged(truth: &Truth, ran: &crate::cli::Execution) -> Outcome {
    match judge(truth, i32::from(ran.code), &ran.stdout, &ran.stderr, None) {
        Outcome::Refused if ran.code == 2 && stopped_by_budget(&ran.stderr) => Outcome::Accepted,
        other => other,
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Runs `run`'s checks in process and judges them, then checks that the sandbox is intact.
fn run_outcome(case: &RunCase) -> Outcome {
    let ran = match std::panic::catch_unwind(|| crate::cli::check_run(&case.args)) {
        Ok(ran) => ran,
        Err(payload) => return Outcome::Panic(format!("panicked: {}", panic_text(payload))),
    };
    if let Some(missing) = sandbox_damage() {
        return Outcome::DataLoss(missing);
    }
    let outcome = match ran.code {
        0 if ran.stderr.is_empty() => Outcome::Accepted,
        _ => judge(&Truth::None, i32::from(ran.code), &ran.stdout, &ran.stderr, None),
    };
    match (case.valid, &outcome) {
        (Some(true), Outcome::Refused) => Outcome::WrongRefusal(ran.stderr.trim_end().to_string()),
        (Some(false), Outcome::Accepted) => Outcome::WrongAcceptance("an invalid run was accepted".into()),
        _ => outcome,
    }
}

// ---------------------------------------------------------------------------------------------
// The sandbox of `--out` paths
// ---------------------------------------------------------------------------------------------

/// The user's file that must survive every case.
const USER_FILE: &str = "user/keep.txt";

/// This process's sandbox: `user/` (a directory of the user's files), `report/` (a previous
/// report with its marker), `plain.txt`, and `link` (a symbolic link to `user/`).
pub fn sandbox() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("paper-checks-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let made = std::fs::create_dir_all(dir.join("user"))
            .and_then(|()| std::fs::write(dir.join(USER_FILE), "the user's own file"))
            .and_then(|()| std::fs::create_dir_all(dir.join("report")))
            .and_then(|()| std::fs::write(dir.join("report/.paper-checks-report"), r#"{"files":["report.json"]}"#))
            .and_then(|()| std::fs::write(dir.join("report/report.json"), "{}"))
            .and_then(|()| std::fs::write(dir.join("plain.txt"), "a plain file"))
            .and_then(|()| std::os::unix::fs::symlink(dir.join("user"), dir.join("link")));
        made.unwrap_or_else(|e| panic!("cannot make the fuzz sandbox {}: {e}", dir.display()));
        dir
    })
}

/// Removes this process's sandbox (at the end of a worker).
pub fn remove_sandbox() {
    let dir = std::env::temp_dir().join(format!("paper-checks-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(dir);
}

/// The first sandbox file that is gone, or a new directory that checking alone created.
fn sandbox_damage() -> Option<String> {
    let dir = sandbox();
    let kept = [USER_FILE, "report/.paper-checks-report", "report/report.json", "plain.txt", "link"];
    if let Some(gone) = kept.iter().find(|f| std::fs::symlink_metadata(dir.join(f)).is_err()) {
        return Some(format!("{gone} is gone"));
    }
    dir.join("new").exists().then(|| "checking --out created new/".into())
}

/// A `--out` path and whether `run` must accept it (`None`: depends on the rest).
fn out_path(rng: &mut StdRng) -> (Option<String>, Option<bool>) {
    let dir = sandbox();
    let inside = |name: &str| dir.join(name).display().to_string();
    match rng.random_range(0..12) {
        0 => (None, None),
        1 | 2 => (Some(inside("new")), Some(true)),
        3 | 4 => (Some(inside("report")), Some(true)),
        5 => (Some(inside("user")), Some(false)),
        6 => (Some(inside("plain.txt")), Some(false)),
        7 => (Some(inside("link")), Some(false)),
        8 => (Some([".", "..", "/", ""][rng.random_range(0..4)].to_string()), Some(false)),
        9 => (Some(inside("user/..")), Some(false)),
        10 => (Some(format!("{}\n\t{}", inside("new"), "x".repeat(rng.random_range(0..300)))), None),
        _ => (Some(inside("report/report.json")), Some(false)),
    }
}

/// A `--set` value: the key's default (valid), or something wild.
fn set_value(rng: &mut StdRng, default: &str) -> (String, bool) {
    match rng.random_range(0..6) {
        0..=2 => (default.to_string(), true),
        3 => (wild_number(rng), false),
        4 => {
            let (dim, depth) = (rng.random_range(1..=3), rng.random_range(1..5));
            (wild_expression(rng, &["x", "y", "z"][..dim], depth), false)
        }
        _ => ((0..rng.random_range(1..4)).map(|_| wild_number(rng)).collect::<Vec<_>>().join(","), false),
    }
}

/// A `run` command line: one claim (or none, several, an unknown one), `--set` pairs (known
/// keys with their defaults, or wild keys and values), sometimes `--expect`, and an `--out` path.
fn run_case(rng: &mut StdRng, index: u64) -> RunCase {
    let registry = theorems::registry();
    let mut args = vec!["run".to_string()];
    let mut valid = true;
    let claim = &registry[rng.random_range(0..registry.len())];
    match rng.random_range(0..10) {
        0 => valid = false,
        1 => {
            args.push("no-such-claim".into());
            valid = false;
        }
        2 => {
            args.push(claim.id.into());
            args.push(registry[0].id.into());
            valid = false;
        }
        _ => args.push(claim.id.into()),
    }
    let specs = match claim.settable {
        theorems::settings::Settable::Keys { specs, .. } => specs,
        theorems::settings::Settable::Fixed(_) => &[],
    };
    let pairs = rng.random_range(0..4);
    valid &= pairs > 0 && !specs.is_empty();
    for _ in 0..pairs {
        let pair = match specs.get(rng.random_range(0..specs.len().max(1))) {
            Some(spec) if rng.random_bool(0.9) => {
                let (value, ok) = set_value(rng, spec.default);
                valid &= ok;
                format!("{}={value}", spec.key)
            }
            _ => {
                valid = false;
                [format!("k{index}=1"), "=".into(), "noequals".into(), format!("a=b={}", wild_number(rng))]
                    [rng.random_range(0..4)]
                .clone()
            }
        };
        if args.iter().any(|a| a.split('=').next() == pair.split('=').next()) {
            valid = false; // a key given twice
        }
        args.extend(["--set".to_string(), pair]);
    }
    if rng.random_bool(0.1) {
        args.extend(["--expect".to_string(), "fixtures/findings.json".to_string()]);
        valid = false;
    }
    let (out, out_valid) = out_path(rng);
    if let Some(out) = out {
        args.extend(["--out".to_string(), out]);
    }
    let valid = match out_valid {
        Some(false) => Some(false),
        Some(true) if valid => Some(true),
        _ => None,
    };
    RunCase { args, valid }
}

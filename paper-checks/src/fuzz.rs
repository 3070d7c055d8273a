//! Generators of hostile but fair command lines for the fuzz harness (`tests/fuzz_quick.rs`, a
//! few thousand cases in `cargo test`, and `examples/fuzz_long.rs`, the long run recorded in
//! RELIABILITY.md). Every case is an argument vector for `paper-checks eval …`, built from a
//! seeded generator so that a failing case can be replayed from its seed and index.
//!
//! Three families:
//! - wild: random expressions (deep, long, numerically extreme), random parameters and points,
//!   and byte noise: the tool must refuse (exit 2), answer, or report non-convergence (exit 3),
//!   and never panic, abort or hang;
//! - truths: inputs with a known answer (Ornstein–Uhlenbeck spectra, Gaussian ball
//!   probabilities); a converged answer must lie within its error bar of the truth;
//! - invariances: a potential and its shift/rescaling, whose spectra must agree within the
//!   two error bars.

pub mod input;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A generated case: the arguments after `paper-checks`, and the truth when one is known.
#[derive(Debug, Clone)]
pub struct Case {
    /// Command-line arguments (without the program name).
    pub args: Vec<String>,
    /// What a converged answer must match, if anything.
    pub truth: Truth,
}

/// Known answers of a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Truth {
    /// No known answer: only crash/hang/exit-code semantics are checked.
    None,
    /// `eigenvalues[k]` must equal these rates within their errors.
    Rates(Vec<f64>),
    /// `value` must equal this probability (with the reference's own error) within its error.
    Probability(f64, f64),
    /// The answer must equal that of another command line within both errors (rates).
    SameRatesAs(Vec<String>),
}

/// The deterministic random stream of case `index` in run `seed`.
pub fn rng_for(seed: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Which cases a run draws (RELIABILITY.md records each stratum's runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stratum {
    /// Every family, run in full: [`case`].
    All,
    /// Only the families with a known truth (Ornstein–Uhlenbeck spectra, erf ball probabilities,
    /// shift invariance), run in full: [`truth_case`].
    Truths,
    /// Every command up to its plan and memory prediction, about 1 ms per case: [`input`].
    Input,
}

impl Stratum {
    /// The stratum named `text` (`all`, `truths`, `input`).
    pub fn parse(text: &str) -> Option<Stratum> {
        match text {
            "all" => Some(Stratum::All),
            "truths" => Some(Stratum::Truths),
            "input" => Some(Stratum::Input),
            _ => None,
        }
    }
    /// Its name, as [`Stratum::parse`] reads it.
    pub fn name(self) -> &'static str {
        match self {
            Stratum::All => "all",
            Stratum::Truths => "truths",
            Stratum::Input => "input",
        }
    }
}

/// Case `index` of run `seed` of the truths stratum: OU spectra (50 %), Gaussian ball
/// probabilities (25 %), shift invariance (25 %).
pub fn truth_case(seed: u64, index: u64) -> Case {
    let mut rng = rng_for(seed ^ 0x7207_4500, index);
    match rng.random_range(0..4) {
        0 | 1 => ou_case(&mut rng),
        2 => gaussian_ball_case(&mut rng),
        _ => shift_case(&mut rng),
    }
}

/// Case `index` of run `seed`.
pub fn case(seed: u64, index: u64) -> Case {
    let mut rng = rng_for(seed, index);
    match rng.random_range(0..100) {
        0..=59 => wild_case(&mut rng),
        60..=79 => ou_case(&mut rng),
        80..=89 => gaussian_ball_case(&mut rng),
        _ => shift_case(&mut rng),
    }
}

fn s(x: impl ToString) -> String {
    x.to_string()
}

/// A number drawn to hit edges: ordinary, tiny, huge, zero, negative, non-finite spellings.
pub fn wild_number(rng: &mut impl Rng) -> String {
    match rng.random_range(0..12) {
        0 => s("0"),
        1 => s("-1"),
        2 => s("NaN"),
        3 => s("inf"),
        4 => s("-inf"),
        5 => format!("1e{}", rng.random_range(-330..330)),
        6 => format!("-1e{}", rng.random_range(-330..330)),
        7 => s(rng.random_range(-1000..1000)),
        _ => format!("{:.4}", rng.random_range(-3.0f64..3.0).exp()),
    }
}

pub(crate) const FUNCTIONS: [&str; 6] = ["exp", "log", "sqrt", "sin", "cos", "tanh"];
const OPERATORS: [&str; 5] = ["+", "-", "*", "/", "^"];

/// A random expression in `vars` of nesting depth at most `depth`.
pub fn wild_expression(rng: &mut impl Rng, vars: &[&str], depth: u32) -> String {
    if depth == 0 || rng.random_bool(0.3) {
        return match rng.random_range(0..3) {
            0 => wild_number(rng),
            _ => s(vars[rng.random_range(0..vars.len())]),
        };
    }
    match rng.random_range(0..4) {
        0 => format!("{}({})", FUNCTIONS[rng.random_range(0..FUNCTIONS.len())], wild_expression(rng, vars, depth - 1)),
        1 => format!("-({})", wild_expression(rng, vars, depth - 1)),
        _ => format!(
            "({}){}({})",
            wild_expression(rng, vars, depth - 1),
            OPERATORS[rng.random_range(0..OPERATORS.len())],
            wild_expression(rng, vars, depth - 1)
        ),
    }
}

/// Pathological strings: very deep nesting, very long sums, unary chains, huge powers, noise.
pub fn pathological_expression(rng: &mut impl Rng) -> String {
    // Below the operating system's 128 kB limit on one argument.
    let n = rng.random_range(1..12_000);
    match rng.random_range(0..8) {
        0 => format!("{}x^2{}", "(".repeat(n), ")".repeat(n)),
        1 => (0..n).map(|k| format!("{k}*x^2")).collect::<Vec<_>>().join("+"),
        2 => format!("{}x^2", "-".repeat(n)),
        3 => format!("((x+y+z)^{})^{}", rng.random_range(2..100), rng.random_range(2..100)),
        4 => format!("x^{}", wild_number(rng)),
        // Byte noise without NUL, which no command line can carry.
        5 => (0..rng.random_range(1..64)).map(|_| rng.random_range(1u8..=127) as char).collect(),
        6 => format!("x^2/2 + {}", "\n\t\u{7}".repeat(rng.random_range(1..4))),
        _ => format!("{}x^2", "(".repeat(n)),
    }
}

fn wild_potential(rng: &mut impl Rng, dim: usize) -> String {
    let vars = &["x", "y", "z"][..dim];
    match rng.random_range(0..10) {
        0 => pathological_expression(rng),
        1..=4 => {
            let depth = rng.random_range(1..6);
            wild_expression(rng, vars, depth)
        }
        // A confining base plus a wild perturbation: often valid, sometimes extreme.
        _ => {
            let base: Vec<String> = vars.iter().map(|v| format!("{v}^2/2")).collect();
            let depth = rng.random_range(1..4);
            format!("{} + ({})", base.join(" + "), wild_expression(rng, vars, depth))
        }
    }
}

fn point(rng: &mut impl Rng, dim: usize) -> String {
    (0..dim)
        .map(|_| if rng.random_bool(0.2) { wild_number(rng) } else { format!("{:.3}", rng.random_range(-2.0..2.0)) })
        .collect::<Vec<_>>()
        .join(",")
}

fn param(rng: &mut impl Rng, ordinary: (f64, f64)) -> String {
    if rng.random_bool(0.25) {
        wild_number(rng)
    } else {
        format!("{:.4}", rng.random_range(ordinary.0..ordinary.1))
    }
}

fn eval_args(parts: &[&str]) -> Vec<String> {
    std::iter::once("eval").chain(parts.iter().copied()).map(String::from).collect()
}

/// A case with wild inputs for a random `eval` subcommand.
fn wild_case(rng: &mut StdRng) -> Case {
    let dim = rng.random_range(1..=3);
    let pot = wild_potential(rng, dim);
    let tol = if rng.random_bool(0.2) { wild_number(rng) } else { s("1e-6") };
    let args = match rng.random_range(0..8) {
        0 => eval_args(&[
            "fp-gap",
            "--potential",
            &pot,
            "--diffusion",
            &param(rng, (0.2, 2.0)),
            "--count",
            &s(rng.random_range(0..5)),
            "--tolerance",
            &tol,
        ]),
        1 => eval_args(&["poincare", "--potential", &pot, "--eta", &param(rng, (0.5, 3.0)), "--tolerance", &tol]),
        2 => {
            let from = point(rng, dim);
            let to = point(rng, dim);
            eval_args(&[
                "mfpt",
                "--potential",
                &pot,
                "--diffusion",
                &param(rng, (0.2, 1.0)),
                "--from",
                &from,
                "--to",
                &to,
                "--radius",
                &param(rng, (0.05, 0.5)),
            ])
        }
        3 => {
            let c = point(rng, dim);
            eval_args(&[
                "ball-prob",
                "--potential",
                &pot,
                "--eta",
                &param(rng, (0.5, 5.0)),
                "--center",
                &c,
                "--radius",
                &param(rng, (0.1, 1.0)),
            ])
        }
        4 => {
            let m = point(rng, dim);
            eval_args(&["basin-prob", "--potential", &pot, "--eta", &param(rng, (0.5, 5.0)), "--minimum", &m])
        }
        5 => {
            let pot = wild_potential(rng, 1);
            eval_args(&[
                "kinetic-gap",
                "--potential",
                &pot,
                "--friction",
                &param(rng, (0.5, 3.0)),
                "--diffusion",
                &param(rng, (0.2, 1.0)),
                "--count",
                "1",
                "--tolerance",
                &tol,
            ])
        }
        6 => eval_args(&[
            "lemma7",
            "--lr",
            &param(rng, (0.01, 0.5)),
            "--momentum",
            &param(rng, (0.1, 0.95)),
            "--cl",
            &param(rng, (0.2, 3.0)),
        ]),
        _ => {
            let pot = if rng.random_bool(0.5) { wild_expression(rng, &["x"], 3) } else { s("-cos(x)") };
            eval_args(&[
                "kinetic-gap",
                "--potential",
                &pot,
                "--periodic",
                "--friction",
                &param(rng, (0.5, 3.0)),
                "--diffusion",
                &param(rng, (0.2, 1.0)),
                "--count",
                "1",
                "--tolerance",
                "1e-6",
            ])
        }
    };
    Case { args, truth: Truth::None }
}

/// Ornstein–Uhlenbeck: L = Σ a_i (w_i − s_i)²/2 has rates Σ k_i a_i (k_i ≥ 0, not all 0),
/// independent of D; the lowest `count` of them are the truth.
fn ou_case(rng: &mut StdRng) -> Case {
    let dim = rng.random_range(1..=2);
    let curvatures: Vec<f64> =
        (0..dim).map(|_| (rng.random_range(-1.5f64..1.5).exp() * 100.0).round() / 100.0).collect();
    let shifts: Vec<f64> = (0..dim).map(|_| (rng.random_range(-3.0f64..3.0) * 100.0).round() / 100.0).collect();
    let vars = ["x", "y"];
    let pot: Vec<String> = (0..dim).map(|i| format!("{}*({} - ({}))^2/2", curvatures[i], vars[i], shifts[i])).collect();
    let count = rng.random_range(1..=3);
    let diffusion = format!("{:.3}", rng.random_range(0.3..2.0));
    let args = eval_args(&[
        "fp-gap",
        "--potential",
        &pot.join(" + "),
        "--diffusion",
        &diffusion,
        "--count",
        &s(count),
        "--tolerance",
        "1e-8",
    ]);
    Case { args, truth: Truth::Rates(lowest_ou_rates(&curvatures, count)) }
}

/// The `count` smallest non-zero sums Σ k_i a_i over multi-indices k.
pub fn lowest_ou_rates(curvatures: &[f64], count: usize) -> Vec<f64> {
    let mut rates = Vec::new();
    let limit = count + 1;
    let mut index = vec![0usize; curvatures.len()];
    loop {
        let rate: f64 = index.iter().zip(curvatures).map(|(&k, a)| k as f64 * a).sum();
        if rate > 0.0 {
            rates.push(rate);
        }
        // next multi-index in 0..=limit per axis
        let mut axis = 0;
        while axis < index.len() {
            index[axis] += 1;
            if index[axis] <= limit {
                break;
            }
            index[axis] = 0;
            axis += 1;
        }
        if axis == index.len() {
            break;
        }
    }
    rates.sort_by(f64::total_cmp);
    rates.truncate(count);
    rates
}

/// 1D Gaussian ball: L = a(x − m)²/2 at inverse temperature η; P(|x − c| ≤ r) is a difference
/// of two normal distribution functions.
fn gaussian_ball_case(rng: &mut StdRng) -> Case {
    let a = (rng.random_range(-1.0f64..2.0).exp() * 100.0).round() / 100.0;
    let m = (rng.random_range(-2.0f64..2.0) * 100.0).round() / 100.0;
    let c = (rng.random_range(-2.0f64..2.0) * 100.0).round() / 100.0;
    let r = (rng.random_range(0.05f64..1.5) * 100.0).round() / 100.0;
    let eta = (rng.random_range(0.3f64..10.0) * 100.0).round() / 100.0;
    let sd = 1.0 / (a * eta).sqrt();
    let truth = normal_interval((c - r - m) / sd, (c + r - m) / sd);
    let args = eval_args(&[
        "ball-prob",
        "--potential",
        &format!("{a}*(x - ({m}))^2/2"),
        "--eta",
        &s(eta),
        "--center",
        &s(c),
        "--radius",
        &s(r),
    ]);
    Case { args, truth: Truth::Probability(truth.0, truth.1) }
}

/// P(lo ≤ Z ≤ hi) for a standard normal Z, with a bound on its error, computed from upper tails
/// so that a small probability far out in a tail keeps its relative accuracy.
pub fn normal_interval(lo: f64, hi: f64) -> (f64, f64) {
    let tail = |z: f64| {
        let (v, e) = erfc(z / std::f64::consts::SQRT_2);
        (0.5 * v, 0.5 * e + f64::EPSILON * v)
    };
    let ((a, ea), (b, eb)) = if lo >= 0.0 {
        (tail(lo), tail(hi))
    } else if hi <= 0.0 {
        (tail(-hi), tail(-lo))
    } else {
        let ((t1, e1), (t2, e2)) = (tail(hi), tail(-lo));
        return (1.0 - t1 - t2, e1 + e2 + 2.0 * f64::EPSILON);
    };
    (a - b, ea + eb + f64::EPSILON * a)
}

/// Φ(z) by the complementary error function (error below 1e-14 for |z| ≲ 3.5).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2).0
}

/// erfc(x) with a bound on its error. Below 2.5: 1 − erf(x), erf by its series of positive terms
/// erf x = (2/√π) e^{−x²} Σ_n 2ⁿ x^{2n+1} / (1·3···(2n+1)) (no cancellation in the sum; each
/// term carries ≤ 3n roundings, the sum n more, e^{−x²} ≤ 10), so the error is
/// (4N + 10)·ε·erf + ε for N terms. (The Taylor series used before cancelled terms up to
/// x·e^{x²} ≈ 10³ near x = 2.5 and missed its claimed 2e-15: case 7111 of the truths run of seed
/// 20261204.) From 2.5: Lentz's continued fraction, relative accuracy 1e-14.
fn erfc(x: f64) -> (f64, f64) {
    if x < 0.0 {
        let (v, e) = erfc(-x);
        return (2.0 - v, e + 2.0 * f64::EPSILON);
    }
    if x < 2.5 {
        let (mut term, mut sum, mut n) = (x, x, 0u32);
        while term > 1e-17 * sum {
            n += 1;
            term *= 2.0 * x * x / f64::from(2 * n + 1);
            sum += term;
        }
        let erf = 2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp() * sum;
        let error = f64::from(4 * n + 10) * f64::EPSILON * erf + f64::EPSILON;
        return (1.0 - erf, error);
    }
    let mut f = x;
    let (mut c, mut d) = (x, 0.0);
    for n in 1..300 {
        let an = n as f64 / 2.0;
        d = x + an * d;
        d = 1.0 / d;
        c = x + an / c;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    let value = (-x * x).exp() / (f * std::f64::consts::PI.sqrt());
    (value, 1e-14 * value)
}

/// Shift and scale invariance: the rates of L(x − s) equal those of L(x); the rates of cL at
/// diffusion cD are c times those of L at D (the generator scales by c).
fn shift_case(rng: &mut StdRng) -> Case {
    let base = ["x^4/4 - x^2/2", "x^4/4 - x^2/2 + 0.1*x", "x^2/2 + 2*exp(-x^2)", "cos(3*x) + x^2/2"];
    let b = base[rng.random_range(0..base.len())];
    let shift = (rng.random_range(-20.0f64..20.0) * 10.0).round() / 10.0;
    let diffusion = format!("{:.2}", rng.random_range(0.2..1.0));
    // The variable only: `exp` holds an x too (replacing every 'x' made "e(x - (s))p", refused,
    // so the exp base was never compared before 2026-12-01, RELIABILITY.md).
    let shifted = b.replace("exp", "EXP").replace('x', &format!("(x - ({shift}))")).replace("EXP", "exp");
    let first =
        eval_args(&["fp-gap", "--potential", b, "--diffusion", &diffusion, "--count", "2", "--tolerance", "1e-8"]);
    let second = eval_args(&[
        "fp-gap",
        "--potential",
        &shifted,
        "--diffusion",
        &diffusion,
        "--count",
        "2",
        "--tolerance",
        "1e-8",
    ]);
    Case { args: first, truth: Truth::SameRatesAs(second) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_rates_are_sums_of_curvatures() {
        assert_eq!(lowest_ou_rates(&[1.0], 3), vec![1.0, 2.0, 3.0]);
        assert_eq!(lowest_ou_rates(&[1.0, 0.3], 4), vec![0.3, 0.6, 0.8999999999999999, 1.0]);
    }

    #[test]
    fn normal_cdf_matches_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-14);
        assert!((normal_cdf(-3.0) - 0.001_349_898_031_630_094_6).abs() < 1e-16);
        // Far tail: P(8 ≤ Z ≤ 9) = Q(8) − Q(9), Q(8) = 6.220960574271784e-16, Q(9) = 1.1285884059538408e-19.
        // mpmath, 40 digits: Φ(−0.75) = 0.2266273523768682, Φ(−2.2) = 0.01390344751349859
        assert!((normal_cdf(-0.75) - 0.226_627_352_376_868_2).abs() < 2e-15);
        assert!((normal_cdf(-2.2) - 0.013_903_447_513_498_6).abs() < 2e-15);
        let (p, e) = normal_interval(8.0, 9.0);
        assert!((p - (6.220960574271784e-16 - 1.1285884059538408e-19)).abs() <= e + 1e-30, "{p} {e}");
    }

    /// Found 2026-12-01: the shift replaced the x of `exp` too ("e(x - (s))p"), so the shifted
    /// command was refused and the invariance never compared.
    #[test]
    fn shifted_potentials_parse() {
        for i in 0..400 {
            if let Truth::SameRatesAs(args) = truth_case(3, i).truth {
                let potential = &args[args.iter().position(|a| a == "--potential").expect("potential") + 1];
                assert!(fpspectral::Expression::parse(potential).is_ok(), "{potential}");
            }
        }
    }

    /// Reference probabilities against mpmath (40 digits): each within its own error bound. Case
    /// 7111 of the truths run of seed 20261204 (the first pair) was missed by the old series.
    #[test]
    fn normal_intervals_cover_mpmath() {
        let mpmath = [
            (3.449520595677028, 8.99414879240943, 2.807_914_451_966_708_3e-4),
            (3.0, 3.5, 1.117_268_952_594_569_5e-3),
            (2.2, 2.9, 1.203_763_421_311_456_6e-2),
            (-0.3, 3.4, 0.617_574_492_923_275_8),
            (1.0, 3.52, 0.158_439_480_532_162_33),
        ];
        for (lo, hi, exact) in mpmath {
            let (p, e) = normal_interval(lo, hi);
            assert!((p - exact).abs() <= e, "[{lo}, {hi}]: {p:e} ± {e:e} against {exact:e}");
            assert!(e <= 1e-13, "[{lo}, {hi}]: error bound {e:e} is loose");
        }
    }

    #[test]
    fn cases_are_reproducible() {
        for i in 0..50 {
            assert_eq!(case(7, i).args, case(7, i).args);
        }
    }
}

/// How one case ended, as the fuzz harness counts it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Exit 0 with an answer consistent with every known truth.
    Answered,
    /// Exit 2: input refused with one line.
    Refused,
    /// Exit 3: not converged, best estimate printed.
    NotConverged,
    /// A converged answer outside its error bar around a known truth.
    WrongAnswer(String),
    /// A refusal with a message that is not one short clean line.
    BadMessage(String),
    /// Exit 0 or 3 with JSON `null` where a number belongs, or a missing field.
    BadJson(String),
    /// The command panicked.
    Panic(String),
    /// Input stratum: the input passed every check up to the plan and its memory prediction
    /// (an `eval` stopped only by the stratum's one-byte memory budget; a `run` that would start).
    Accepted,
    /// Input stratum: an input known to be valid was refused.
    WrongRefusal(String),
    /// Input stratum: an input known to be invalid (an `--out` path the tool must not touch) was
    /// accepted.
    WrongAcceptance(String),
    /// Input stratum: a file of the sandbox is gone, or checking created one.
    DataLoss(String),
}

impl Outcome {
    /// The counter this outcome goes to in the long run's table.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Refused => "refused",
            Outcome::NotConverged => "not_converged",
            Outcome::WrongAnswer(_) => "wrong_answer",
            Outcome::BadMessage(_) => "bad_message",
            Outcome::BadJson(_) => "bad_json",
            Outcome::Panic(text) if text.starts_with("hang") => "hang",
            Outcome::Panic(text) if text.contains("overflowed its stack") || text.starts_with("exit code -1") => {
                "abort"
            }
            Outcome::Panic(_) => "panic",
            Outcome::Accepted => "accepted",
            Outcome::WrongRefusal(_) => "wrong_refusal",
            Outcome::WrongAcceptance(_) => "wrong_acceptance",
            Outcome::DataLoss(_) => "data_loss",
        }
    }
    /// True for the outcomes the tool promises: an answer, a refusal or an honest non-convergence.
    pub fn is_promised(&self) -> bool {
        matches!(self, Outcome::Answered | Outcome::Refused | Outcome::NotConverged | Outcome::Accepted)
    }
}

/// Runs `case` inside this process with [`crate::cli::execute_eval`] and judges it. A panic is
/// caught and counted; a hang or an abort is the caller's to detect (the long run's workers are
/// separate processes watched by a parent).
pub fn run_case_in_process(case: &Case) -> Outcome {
    let run = |args: &[String]| {
        std::panic::catch_unwind(|| crate::cli::execute_eval(args)).map_err(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into())
        })
    };
    let ran = match run(&case.args) {
        Ok(ran) => ran,
        Err(message) => return Outcome::Panic(format!("panicked: {message}")),
    };
    let other = match &case.truth {
        Truth::SameRatesAs(args) => match run(args) {
            Ok(o) if o.code == 0 => serde_json::from_str(&o.stdout).ok(),
            Ok(o) if o.code == 2 && !input::stopped_by_budget(&o.stderr) => {
                return Outcome::WrongRefusal(format!("valid input refused: {}", o.stderr.trim_end()))
            }
            _ => None,
        },
        _ => None,
    };
    judge(&case.truth, i32::from(ran.code), &ran.stdout, &ran.stderr, other.as_ref())
}

/// The numbers under `key` (a number or an array of numbers; `{"re": ..}` objects give `re`).
fn numbers(json: &serde_json::Value, key: &str) -> Option<Vec<f64>> {
    match json.get(key)? {
        serde_json::Value::Array(items) => {
            items.iter().map(|v| v.as_f64().or_else(|| v.get("re").and_then(|r| r.as_f64()))).collect()
        }
        v => v.as_f64().map(|x| vec![x]),
    }
}

fn contains_null(json: &serde_json::Value) -> bool {
    match json {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(contains_null),
        serde_json::Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}

/// Judges one ended command: `code` its exit code, `stdout` its JSON, `stderr` its message,
/// `other` the JSON of the comparison command for [`Truth::SameRatesAs`].
pub fn judge(truth: &Truth, code: i32, stdout: &str, stderr: &str, other: Option<&serde_json::Value>) -> Outcome {
    if code == 2 {
        let line = stderr.trim_end_matches('\n');
        let clean = !line.contains('\n') && line.chars().count() <= 240 && !line.chars().any(char::is_control);
        return match (clean, truth) {
            (false, _) => Outcome::BadMessage(line.chars().take(120).collect()),
            // A command with a known truth is valid: only a budget may stop it.
            (true, Truth::None) => Outcome::Refused,
            (true, _) if input::stopped_by_budget(line) => Outcome::Refused,
            (true, _) => Outcome::WrongRefusal(format!("valid input refused: {line}")),
        };
    }
    if code != 0 && code != 3 {
        return Outcome::Panic(format!("exit code {code}: {}", stderr.chars().take(120).collect::<String>()));
    }
    let json: serde_json::Value = match serde_json::from_str(stdout) {
        Ok(v) => v,
        Err(_) if code == 3 && stdout.trim().is_empty() => return Outcome::NotConverged,
        Err(e) => return Outcome::BadJson(format!("unparsable JSON: {e}")),
    };
    if contains_null(&json) {
        return Outcome::BadJson(format!("null in {}", json.to_string().chars().take(120).collect::<String>()));
    }
    if code == 3 {
        return Outcome::NotConverged;
    }
    match check_truth(truth, &json, other) {
        Some(why) => Outcome::WrongAnswer(why),
        None => Outcome::Answered,
    }
}

/// None when the answer agrees with the truth within its error bar; else why not.
fn check_truth(truth: &Truth, json: &serde_json::Value, other: Option<&serde_json::Value>) -> Option<String> {
    // The error bar, with the rounding of printing 17 digits.
    let within = |value: f64, error: f64, exact: f64| (value - exact).abs() <= error + 4.0 * f64::EPSILON * exact.abs();
    match truth {
        Truth::None => None,
        Truth::Rates(exact) => {
            let values = numbers(json, "eigenvalues")?;
            let errors = numbers(json, "errors")?;
            let bad = values.iter().zip(&errors).zip(exact).find(|((v, e), x)| !within(**v, **e, **x));
            bad.map(|((v, e), x)| format!("rate {v:e} ± {e:e} against exact {x:e}"))
        }
        Truth::Probability(exact, exact_error) => {
            let value = json.get("value")?.as_f64()?;
            let error = json.get("error")?.as_f64()?;
            (!within(value, error + exact_error, *exact))
                .then(|| format!("probability {value:e} ± {error:e} against exact {exact:e} ± {exact_error:e}"))
        }
        Truth::SameRatesAs(_) => {
            let other = other?;
            let (a, ea) = (numbers(json, "eigenvalues")?, numbers(json, "errors")?);
            let (b, eb) = (numbers(other, "eigenvalues")?, numbers(other, "errors")?);
            (0..a.len().min(b.len()))
                .find(|&k| (a[k] - b[k]).abs() > ea[k] + eb[k] + 8.0 * f64::EPSILON * a[k].abs())
                .map(|k| format!("shifted potential: rate {} ± {} against {} ± {}", a[k], ea[k], b[k], eb[k]))
        }
    }
}

/// What running one command produced.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Exit code (−1 when killed by a signal, e.g. an abort).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// True when the command was killed after the time limit.
    pub timed_out: bool,
}

/// Runs `binary args` with a time limit, killing it when the limit passes.
pub fn run_command(binary: &std::path::Path, args: &[String], limit: std::time::Duration) -> std::io::Result<Ran> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(binary).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let (mut out, mut err) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let start = std::time::Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (status, false);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            break (child.wait()?, true);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Ran { code: status.code().unwrap_or(-1), stdout, stderr, timed_out })
}

/// Runs case `index` of run `seed` against `binary` and judges it (a hang is a [`Outcome::Panic`]
/// with "hang" in its text).
pub fn run_case(binary: &std::path::Path, seed: u64, index: u64, limit: std::time::Duration) -> (Case, Outcome) {
    let case = case(seed, index);
    // A study gets half the hang limit (`--max-time`): past it, it must end with its best
    // estimate (exit 3) instead of running on.
    let budget = format!("{}", limit.as_secs_f64() / 2.0);
    let args: Vec<String> = ["--max-time".to_string(), budget].into_iter().chain(case.args.iter().cloned()).collect();
    let ran = match run_command(binary, &args, limit) {
        Ok(ran) => ran,
        Err(e) => return (case, Outcome::Panic(format!("could not start: {e}"))),
    };
    if ran.timed_out {
        return (case, Outcome::Panic(format!("hang: no answer within {} s", limit.as_secs())));
    }
    let other = match &case.truth {
        Truth::SameRatesAs(args) => match run_command(binary, args, limit) {
            Ok(o) if o.code == 0 => serde_json::from_str(&o.stdout).ok(),
            Ok(o) if o.code == 2 && !input::stopped_by_budget(&o.stderr) => {
                return (case, Outcome::WrongRefusal(format!("valid input refused: {}", o.stderr.trim_end())))
            }
            _ => None,
        },
        _ => None,
    };
    let outcome = judge(&case.truth, ran.code, &ran.stdout, &ran.stderr, other.as_ref());
    (case, outcome)
}

// ---------------------------------------------------------------------------------------------
// The worker pool: many cases per process, a parent that detects hangs and aborts
// ---------------------------------------------------------------------------------------------

/// A running worker: its process, its input, and the lines it answers.
pub struct Worker {
    child: Child,
    input: ChildStdin,
    answers: Receiver<String>,
}

impl Worker {
    fn start(binary: &Path, case_seconds: f64) -> Worker {
        let mut child = Command::new(binary)
            .arg("fuzz-worker")
            .arg(format!("--case-seconds={case_seconds}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let input = child.stdin.take().expect("piped stdin");
        let output = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (send, answers) = channel();
        std::thread::spawn(move || {
            for line in output.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Worker { child, input, answers }
    }

    /// Closes the worker's input (it removes its sandbox and ends), and kills it if it has not
    /// ended within a second.
    fn stop(self) {
        let Worker { mut child, input, .. } = self;
        drop(input);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(1) {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The tally of a run.
#[derive(Default)]
pub struct Tally {
    /// Cases per outcome kind.
    pub counts: BTreeMap<String, u64>,
    /// Every case that broke a promise, replayable by its index.
    pub failures: Vec<String>,
    /// Wall time of each case, in milliseconds.
    pub milliseconds: Vec<f64>,
    /// The slowest cases, as (milliseconds, index), slowest first (at most [`SLOWEST_KEPT`]).
    pub slowest: Vec<(f64, u64)>,
}

/// How many of the slowest cases a [`Tally`] keeps.
pub const SLOWEST_KEPT: usize = 20;

impl Tally {
    fn record(&mut self, index: u64, kind: &str, detail: &str, ms: f64) {
        *self.counts.entry(kind.to_string()).or_default() += 1;
        self.milliseconds.push(ms);
        if self.slowest.len() < SLOWEST_KEPT || ms > self.slowest[SLOWEST_KEPT - 1].0 {
            self.slowest.push((ms, index));
            self.slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
            self.slowest.truncate(SLOWEST_KEPT);
        }
        if !matches!(kind, "answered" | "refused" | "not_converged" | "accepted") {
            self.failures.push(format!("case {index}: {kind} {}", detail.chars().take(300).collect::<String>()));
        }
    }
}

/// Feeds cases to one worker slot until none are left, restarting the worker after a hang or death.
fn drive(binary: &Path, seed: u64, cases: std::ops::Range<u64>, pace: Pace, next: &AtomicU64, tally: &Mutex<Tally>) {
    let Pace { limit, case_seconds, stratum } = pace;
    let start_worker = || Worker::start(binary, case_seconds);
    let mut worker = start_worker();
    loop {
        let index = cases.start + next.fetch_add(1, Ordering::Relaxed);
        if index >= cases.end {
            break;
        }
        let start = Instant::now();
        let request = format!("{seed} {index} {}", stratum.name());
        if writeln!(worker.input, "{request}").and_then(|()| worker.input.flush()).is_err() {
            worker.stop();
            worker = start_worker();
            let _ = writeln!(worker.input, "{request}").and_then(|()| worker.input.flush());
        }
        let (kind, detail) = match worker.answers.recv_timeout(limit) {
            Ok(line) => {
                let answer: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                let kind = answer["kind"].as_str().unwrap_or("bad_worker_output").to_string();
                (kind, answer["detail"].as_str().unwrap_or_default().to_string())
            }
            Err(RecvTimeoutError::Timeout) => {
                worker.stop();
                worker = start_worker();
                ("hang".to_string(), format!("no answer within {} s", limit.as_secs()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = worker.child.wait().map(|s| s.to_string()).unwrap_or_default();
                worker = start_worker();
                ("abort".to_string(), format!("worker died: {status}"))
            }
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let mut tally = tally.lock().expect("tally");
        tally.record(index, &kind, &detail, ms);
        let done = tally.milliseconds.len() as u64;
        if done.is_multiple_of(100_000) {
            eprintln!("{done}/{} cases", cases.end - cases.start);
        }
    }
    worker.stop();
}

/// The time limits of a pool run.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// A case with no answer within this is a hang (its worker is killed and restarted).
    pub limit: Duration,
    /// The `--max-time` budget each case runs under inside the worker (`budget::set_time_budget`):
    /// a resolution study stops with its best estimate past it, and a level predicted to take
    /// longer than what is left is not started. A short one makes a cheap stratum: refusals and
    /// answers that are cheap are judged in full, the rest end as not converged or refused.
    pub case_seconds: f64,
    /// Which cases are drawn.
    pub stratum: Stratum,
}

/// Runs cases `cases` of run `seed` on `workers` worker processes of `binary` (`paper-checks
/// fuzz-worker`) at `pace`, and tallies the outcomes.
pub fn run_pool(binary: &Path, seed: u64, cases: std::ops::Range<u64>, pace: Pace, workers: usize) -> Tally {
    let next = AtomicU64::new(0);
    let tally = Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| drive(binary, seed, cases.clone(), pace, &next, &tally));
        }
    });
    tally.into_inner().expect("tally")
}

/// The worker loop of `paper-checks fuzz-worker`: reads `SEED INDEX [STRATUM]` lines on stdin,
/// runs each case in this process with a time budget of `case_seconds`, and answers each with one
/// JSON line `{"index", "kind", "detail"}`. A hang or abort is seen by the parent ([`run_pool`]).
/// The input stratum sets a memory budget of one byte for the rest of the process (a worker
/// serves one stratum).
pub fn worker_loop(case_seconds: f64) {
    use std::io::BufRead;
    std::panic::set_hook(Box::new(|_| {})); // panics are caught and reported as data
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut fields = line.split_whitespace();
        let (Some(Ok(seed)), Some(Ok(index))) = (fields.next().map(str::parse), fields.next().map(str::parse)) else {
            continue;
        };
        let stratum = fields.next().and_then(Stratum::parse).unwrap_or(Stratum::All);
        fpspectral::budget::set_time_budget(Some(case_seconds));
        let outcome = match stratum {
            Stratum::All => run_case_in_process(&case(seed, index)),
            Stratum::Truths => run_case_in_process(&truth_case(seed, index)),
            Stratum::Input => {
                fpspectral::budget::set_memory_budget(1);
                input::input_outcome(seed, index).1
            }
        };
        let detail = if outcome.is_promised() { String::new() } else { format!("{outcome:?}") };
        let answer = serde_json::json!({"index": index, "kind": outcome.kind(), "detail": detail});
        let mut out = stdout.lock();
        if writeln!(out, "{answer}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
    input::remove_sandbox();
}

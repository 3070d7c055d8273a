//! Issue 8's escape, probability and lemma7 commands, as typed: refusals are one line with exit
//! code 2, answers are JSON without `null` where a number belongs, with `converged`, `rel_error`
//! and `method`, and an answer short of its tolerance exits with code 3.

use serde_json::Value;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A refusal: exit 2, one line on stderr, nothing on stdout, no library internals.
fn refused(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{args:?}: {out} {err}");
    assert!(out.trim().is_empty(), "{args:?}: {out}");
    assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    assert!(!err.contains("panicked") && !err.contains("bug") && !err.contains("github"), "{err}");
    err
}

/// An answer with exit code `code`: JSON with no null, and the fields every answer carries.
fn answer(args: &[&str], code: i32) -> Value {
    let (got, out, err) = run(args);
    assert_eq!(got, code, "{args:?}: {out} {err}");
    assert!(!out.contains("null"), "{args:?}: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["converged"].is_boolean() && v["rel_error"].is_f64() && v["method"].is_string(), "{v}");
    assert_eq!(v["converged"], Value::Bool(code == 0), "{v}");
    v
}

const WELL: &str = "x^4/4 - x^2/2";

#[test]
fn mfpt_start_inside_the_target_ball_is_refused() {
    for from in ["--from=0.95", "--from=-1", "--from=1"] {
        let radius = if from == "--from=-1" { "5" } else { "0.1" };
        let err =
            refused(&["eval", "mfpt", "--potential", WELL, "--diffusion", "0.1", from, "--to=1", "--radius", radius]);
        assert!(err.contains("target ball"), "{err}");
    }
    let err = refused(&[
        "eval",
        "mfpt",
        "--potential",
        "x^4/4 - x^2/2 + y^2/2",
        "--diffusion",
        "0.1",
        "--from=0.95,0",
        "--to=1,0",
        "--radius",
        "0.1",
    ]);
    assert!(err.contains("target ball"), "{err}");
}

#[test]
fn mfpt_overflow_gives_logarithms_not_null() {
    let v = answer(&["eval", "mfpt", "--potential", WELL, "--diffusion", "1e-4", "--from=-1", "--to=1"], 0);
    assert!(v["ln_value"].as_f64().unwrap() > 2500.0 && v.get("value").is_none(), "{v}");
    assert!(v["value_note"].is_string() && v["eyring_kramers_note"].is_string(), "{v}");
    assert!(v["ln_eyring_kramers"].as_f64().unwrap() > 2500.0, "{v}");
    let v = answer(&["eval", "mfpt", "--potential", WELL, "--diffusion", "0.1", "--from=0", "--to=5"], 0);
    assert!(v["ln_value"].as_f64().unwrap() > 1000.0 && v["value_note"].is_string(), "{v}");
    assert!(v["eyring_kramers_note"].as_str().unwrap().contains("minimum"), "{v}");
    // A start near a minimum keeps the Eyring–Kramers value as a number.
    let v = answer(
        &["eval", "mfpt", "--potential", WELL, "--diffusion", "0.1", "--from=-1", "--to=1", "--radius", "0.1"],
        0,
    );
    assert!(v["eyring_kramers"].as_f64().unwrap() > 0.0 && v["method"].as_str().unwrap().contains("1D"), "{v}");
}

#[test]
fn basin_prob_at_a_non_minimum_is_refused_in_1d_as_in_2d() {
    for minimum in ["--minimum=0.5", "--minimum=0.2", "--minimum=0"] {
        let err = refused(&["eval", "basin-prob", "--potential", WELL, "--eta", "5", minimum]);
        assert!(err.contains("not near a minimum"), "{err}");
    }
    refused(&["eval", "basin-prob", "--potential", "x^4/4 - x^2/2 + y^2/2", "--eta", "5", "--minimum=0.5,0"]);
    let v = answer(&["eval", "basin-prob", "--potential", WELL, "--eta", "5", "--minimum=0.9"], 0);
    assert!((v["value"].as_f64().unwrap() - 0.5).abs() < 1e-10, "{v}");
}

#[test]
fn ball_prob_answers_carry_the_common_fields() {
    let v = answer(&["eval", "ball-prob", "--potential", "x^2/2", "--eta", "2", "--center=0", "--radius", "0.5"], 0);
    assert!(v["value"].as_f64().unwrap() > 0.0, "{v}");
    let v = answer(&["eval", "ball-prob", "--potential", "x^2/2", "--eta", "1e4", "--center=30", "--radius", "1"], 0);
    assert!(v.get("value").is_none() && v["ln_value"].as_f64().unwrap() < -4.2e6, "{v}");
}

#[test]
fn lemma7_extremes_are_one_clear_line() {
    let err = refused(&["eval", "lemma7", "--lr", "0.1", "--momentum", "0.9", "--cl", "1e160"]);
    assert!(err.contains("C_L"), "{err}");
    let err = refused(&["eval", "lemma7", "--lr", "1e-300", "--momentum", "0.9", "--cl", "1"]);
    assert!(err.contains("learning rate"), "{err}");
    for (lr, momentum, cl) in
        [("1e300", "0.5", "1"), ("0.1", "0", "1"), ("0.1", "1", "1"), ("0.1", "0.5", "1e-300"), ("0.1", "0.5", "1e300")]
    {
        refused(&["eval", "lemma7", "--lr", lr, "--momentum", momentum, "--cl", cl]);
    }
    let v = answer(&["eval", "lemma7", "--lr", "0.1", "--momentum", "0.9999999999999999", "--cl", "1"], 0);
    assert!(v["friction"].as_f64().unwrap() < 1e-15, "{v}");
}

#[test]
fn lemma7_short_of_its_tolerance_prints_the_estimate_and_exits_3() {
    // C_L ≪ g: μ ≈ C_L²/g keeps few digits; the best estimate comes with its honest error.
    let v = answer(&["eval", "lemma7", "--lr", "0.1", "--momentum", "0.5", "--cl", "1e-5"], 3);
    let (best, err, gap) =
        (v["mu_best"].as_f64().unwrap(), v["mu_best_error"].as_f64().unwrap(), v["harmonic_gap"].as_f64().unwrap());
    assert!((best - gap).abs() <= err, "{v}");
}

#[test]
fn mfpt_2d_out_of_levels_prints_the_estimate_and_exits_3() {
    // The log-polar study runs out of grid before 1e-8 at D = 0.001 (four levels fit; the
    // Richardson error is ≈ 3e-4). It once exited 0 here. At D = 0.002 the levels from
    // m₀ = max(48, 4.5/√D) now converge (six levels, 6.8e-9), agreeing with the older
    // out-of-levels estimate within its 1e-4.
    let v = answer(
        &[
            "eval",
            "mfpt",
            "--potential",
            "x^4/4 - x^2/2 + y^2/2",
            "--diffusion",
            "0.001",
            "--from=-1,0",
            "--to=1,0",
            "--radius",
            "0.1",
        ],
        3,
    );
    assert!(v["method"].as_str().unwrap().contains("log-polar"), "{v}");
    assert!(v["unconverged"].as_array().is_some_and(|a| !a.is_empty()), "{v}");
    assert!(v["rel_error"].as_f64().unwrap() > 1e-8, "{v}");
}

/// A barrier next to a minimum far from the origin (the double well ((x−50)²−1)², symmetric
/// about 50): the basin of 51 is (50, ∞) and holds half the mass. The centred grid of starts
/// missed the maximum at 50 and answered 1.
#[test]
fn basin_ends_at_a_barrier_close_to_a_far_minimum() {
    for m in ["51", "49"] {
        let v = answer(&["eval", "basin-prob", "--potential", "((x-50)^2-1)^2", "--eta", "1", "--minimum", m], 0);
        // The stated error (~3e-14) is still too small here: the line integral for Z is off by
        // ~9e-12 (left in the closing note); the basin itself is right.
        assert!((v["value"].as_f64().unwrap() - 0.5).abs() < 1e-9, "{m}: {v}");
    }
}

/// `--max-time` spent before the Gibbs studies have two levels: the best estimate (each study
/// run again with two levels) and exit 3, within its error of the unbudgeted answer (it ended in
/// a refusal, exit 2, after overshooting the budget).
#[test]
fn gibbs_probabilities_out_of_time_print_the_estimate_and_exit_3() {
    let tilted = "x^4/4 - x^2/2 + y^2 + 0.3*x*y";
    let ball = ["eval", "ball-prob", "--potential", tilted, "--eta", "20", "--center=1,0", "--radius", "0.3"];
    let basin = ["eval", "basin-prob", "--potential", tilted, "--eta", "20", "--minimum=1,0"];
    for args in [&ball[..], &basin[..]] {
        let full = answer(args, 0);
        let budgeted: Vec<&str> = ["--max-time", "0.001"].iter().chain(args).copied().collect();
        let late = answer(&budgeted, 3);
        let (v, e) = (late["value"].as_f64().unwrap(), late["error"].as_f64().unwrap());
        let exact = full["value"].as_f64().unwrap();
        assert!(e > 0.0 && (v - exact).abs() <= e + full["error"].as_f64().unwrap(), "{late} against {full}");
    }
}

//! Bounded input (issue 8) through the command line: expressions that used to abort the
//! process (stack overflow, exit 134) or run for minutes are refused with one clear line and
//! exit code 2 (no timing asserted); periodic potentials are checked; an expression is never read
//! as a file unless it ends in `.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run_in(dir: Option<&Path>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paper-checks"));
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn fp_gap(potential: &str) -> (i32, String, String) {
    run_in(None, &["eval", "fp-gap", "--diffusion", "1", "--potential", potential])
}

/// Exit code 2, one printable line on stderr containing `needle` (the limit or check that refused
/// it: the parser-level limits are shown to act before any expansion in `tests/expr_fuzz.rs`,
/// which counts the expansion work; no timing is asserted).
fn assert_refused(outcome: (i32, String, String), needle: &str) {
    let (code, out, err) = outcome;
    assert_eq!(code, 2, "stdout {out} stderr {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.trim_end().chars().any(|c| c.is_control()), "{err:?}");
    assert!(err.len() < 400, "{} bytes: {err}", err.len());
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("paper-checks-input-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn twenty_thousand_parentheses_are_refused_not_a_crash() {
    let text = format!("{}x^2{}", "(".repeat(20_000), ")".repeat(20_000));
    assert_refused(fp_gap(&text), "nested more than 200 levels");
}

#[test]
fn a_sum_of_fifteen_thousand_terms_is_refused_by_the_node_limit() {
    assert_refused(fp_gap(&vec!["x^2"; 15_000].join("+")), "the limit is 5000");
    // Within the limit, a long flat sum is fine (a polynomial: x^2/2).
    let (code, out, err) = fp_gap(&format!("x^2/2{}", "+x-x".repeat(2_000)));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["eigenvalues"][0].as_f64().unwrap() - 1.0).abs() < 1e-9, "{out}");
}

#[test]
fn twenty_thousand_unary_minuses_collapse() {
    let (code, _, err) = fp_gap(&format!("{}x^2/2", "-".repeat(20_000)));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_one_megabyte_expression_in_a_fixture_is_refused() {
    let dir = scratch("fixture");
    let path = dir.join("big.json");
    let expression = format!("x^2/2{}", " + 0*x".repeat(170_000));
    std::fs::write(&path, serde_json::json!({"kind": "expression", "expression": expression}).to_string()).unwrap();
    assert_refused(fp_gap(path.to_str().unwrap()), "the limit is 100000 bytes");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn polynomial_expansion_is_refused_in_moments() {
    assert_refused(fp_gap("((x+y+z)^64)^64"), "degree 4096; the limit is 64");
    assert_refused(fp_gap("(1+x+y+z)^40"), "more than 5000 monomials");
    assert_refused(fp_gap("x^1e9"), "degree 1e9");
    assert_refused(fp_gap("x^(2^100)"), "degree 1.26765e30");
    assert_refused(fp_gap("x^2/2 + 1e400"), "too large");
}

#[test]
fn control_characters_are_not_echoed_raw() {
    for text in ["x^2\n+\u{7}", "x^2 + \u{1b}[2J", "x^2 +\r\n)"] {
        assert_refused(fp_gap(text), "malformed potential");
    }
    let long = format!("{} + )", vec!["x^2"; 4_000].join(" + "));
    assert_refused(fp_gap(&long), "characters)");
}

#[test]
fn an_expression_named_like_a_file_is_an_expression() {
    let dir = scratch("names");
    std::fs::write(dir.join("x^2"), "not a fixture").unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("plain"), "{}").unwrap();
    let (code, out, err) = run_in(Some(&dir), &["eval", "fp-gap", "--diffusion", "1", "--potential", "x^2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("eigenvalues"), "{out}");
    let outcome = run_in(Some(&dir), &["eval", "fp-gap", "--diffusion", "1", "--potential", "sub"]);
    assert_refused(outcome, "is a directory, not a fixture");
    let outcome = run_in(Some(&dir), &["eval", "fp-gap", "--diffusion", "1", "--potential", "./sub/"]);
    assert_refused(outcome, "is a directory, not a fixture");
    let outcome = run_in(Some(&dir), &["eval", "fp-gap", "--diffusion", "1", "--potential", "plain"]);
    assert_refused(outcome, "fixture names end in .json");
    let outcome = run_in(Some(&dir), &["eval", "fp-gap", "--diffusion", "1", "--potential", "missing.json"]);
    assert_refused(outcome, "cannot read fixture");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn kinetic_periodic(potential: &str) -> (i32, String, String) {
    run_in(
        None,
        &["eval", "kinetic-gap", "--periodic", "--friction", "1", "--diffusion", "0.5", "--potential", potential],
    )
}

#[test]
fn periodic_potentials_are_checked() {
    for (text, needle) in [
        ("x", "not 2π-periodic"),
        ("cos(x/2)", "not 2π-periodic"),
        ("x^2/2", "not 2π-periodic"),
        ("1/0", "not a finite number"),
        ("exp(1000*cos(x))", "not finite"),
        ("400*cos(x)", "the limit is 700"),
        ("cos(x) + y", "x alone"),
    ] {
        assert_refused(kinetic_periodic(text), needle);
    }
    for text in ["-cos(x)", "cos(x)+0.5*sin(2*x)"] {
        let (code, out, err) = kinetic_periodic(text);
        assert_eq!(code, 0, "{text}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["converged"], serde_json::json!(true), "{text}: {out}");
    }
}

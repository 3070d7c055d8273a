//! The reviewers' command: JSON answers, negative values as typed, and one clear line with exit
//! code 2 for every refused input.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn fp_gap_prints_rates_errors_and_basis_size() {
    let (code, out, _) = run(&["eval", "fp-gap", "--potential", "x^2/2", "--diffusion", "0.3", "--count", "2"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ev = v["eigenvalues"].as_array().unwrap();
    assert!((ev[0].as_f64().unwrap() - 1.0).abs() < 1e-10 && (ev[1].as_f64().unwrap() - 2.0).abs() < 1e-10);
    assert!(v["basis_size"].as_u64().unwrap() > 0 && v["errors"].as_array().unwrap().len() == 2);
}

#[test]
fn negative_values_and_equals_form_work_as_typed() {
    let (code, out, err) = run(&["eval", "poincare", "--potential", "-cos(x) + x^2", "--eta=1"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["value"].as_f64().unwrap() > 0.0);
}

#[test]
fn refused_inputs_exit_2_with_one_line() {
    let cases: &[&[&str]] = &[
        &["eval", "fp-gap", "--potential", "x^3", "--diffusion", "0.1"],
        &["eval", "fp-gap", "--potential", "x^2 +", "--diffusion", "0.1"],
        &["eval", "fp-gap", "--potential", "x^2", "--diffusion", "0"],
        &["eval", "fp-gap", "--potential", "x^2", "--diffusion", "-1"],
        &["eval", "fp-gap", "--potential", "x^2", "--diffusion", "NaN"],
        &["eval", "poincare", "--potential", "/nonexistent.json"],
        &["eval", "poincare", "--potential", "x^2", "--eta", "-2"],
        &["run", "no-such-claim"],
    ];
    for args in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn list_names_every_claim() {
    let (code, out, _) = run(&["list"]);
    assert_eq!(code, 0);
    assert!(out.contains("lemma3") && out.contains("theorem1"));
}

#[test]
fn escape_and_probability_evals_answer_in_json() {
    let (code, out, err) =
        run(&["eval", "mfpt", "--potential", "x^4/4 - x^2/2", "--diffusion", "0.1", "--from", "-1", "--to", "1"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (tau, ek) = (v["value"].as_f64().unwrap(), v["eyring_kramers"].as_f64().unwrap());
    assert!(tau > ek && tau < 1.3 * ek && v["error"].as_f64().unwrap() < 1e-9 * tau);
    // Gaussian ball probability in 2D: 1 − exp(−ηλε²/2).
    let (code, out, _) =
        run(&["eval", "ball-prob", "--potential", "x^2/2 + y^2/2", "--eta", "2", "--center", "0,0", "--radius", "0.5"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let exact = 1.0 - (-0.25f64).exp();
    assert!((v["value"].as_f64().unwrap() - exact).abs() < 1e-10);
    let (code, out, _) = run(&["eval", "basin-prob", "--potential", "x^4/4 - x^2/2", "--eta", "5", "--minimum=-1"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["value"].as_f64().unwrap() - 0.5).abs() < 1e-10);
}

#[test]
fn refused_escape_inputs_exit_2() {
    let cases: &[&[&str]] = &[
        &["eval", "ball-prob", "--potential", "x^2", "--eta", "2", "--center", "0,0", "--radius", "0.5"],
        &["eval", "ball-prob", "--potential", "x^2", "--eta", "2", "--center", "0", "--radius", "-0.5"],
        &["eval", "mfpt", "--potential", "x^2", "--diffusion", "0", "--from", "-1", "--to", "1"],
        &["eval", "mfpt", "--potential", "x^2", "--diffusion", "0.1", "--from", "a", "--to", "1"],
        &["eval", "basin-prob", "--potential", "x^3", "--eta", "1", "--minimum", "0"],
    ];
    for args in cases {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn kinetic_evals_answer_in_json() {
    // Harmonic risk, g = 1, ω = 1: decay rates (g ± √(g² − 4ω²))/2 → 1/2 ± i√3/2 first.
    let (code, out, err) =
        run(&["eval", "kinetic-gap", "--potential", "x^2/2", "--friction", "1", "--diffusion", "0.5", "--count", "1"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v["eigenvalues"][0];
    assert!((first["re"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert!((first["im"].as_f64().unwrap() - 3f64.sqrt() / 2.0).abs() < 1e-9);
    // The same from SGD hyperparameters: γ = 0.1, ξ = 0.9 give g = 0.1/√0.1, rate g/2 ± i√(1 − g²/4).
    let sgd = ["--lr", "0.1", "--beta", "1", "--batch", "8", "--momentum", "0.9", "--count", "1"];
    let (code, out, err) = run(&[&["eval", "kinetic-gap", "--potential", "x^2/2"][..], &sgd[..]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let g = 0.1 / 0.1f64.sqrt();
    assert!((v["eigenvalues"][0]["re"].as_f64().unwrap() - g / 2.0).abs() < 1e-9, "{v}");
    assert!((v["eigenvalues"][0]["im"].as_f64().unwrap() - (1.0 - g * g / 4.0).sqrt()).abs() < 1e-9, "{v}");
    let (code, out, _) = run(&["eval", "lemma7", "--lr", "0.1", "--momentum", "0.9", "--cl", "1"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in
        ["friction", "case", "mu", "c", "c_hat", "p_min_eig", "min_eig_k_minus_2mu_p", "mu_max_paper_c", "mu_best"]
    {
        assert!(!v[key].is_null(), "{key}");
    }
    assert!((v["mu_best"].as_f64().unwrap() - v["harmonic_gap"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn refused_kinetic_inputs_exit_2() {
    let cases: &[&[&str]] = &[
        &["eval", "kinetic-gap", "--potential", "x^2/2", "--friction", "0", "--diffusion", "0.5"],
        &["eval", "kinetic-gap", "--potential", "x^2/2", "--friction", "1", "--diffusion", "-0.5"],
        &["eval", "kinetic-gap", "--potential", "x^2/2", "--friction", "1", "--diffusion", "0.5", "--tolerance", "-1"],
        &[
            "eval",
            "kinetic-gap",
            "--potential",
            "x^2/2",
            "--lr",
            "0.1",
            "--beta",
            "1",
            "--batch",
            "8",
            "--momentum",
            "1",
        ],
        &["eval", "lemma7", "--lr", "0.1", "--momentum", "1.5", "--cl", "1"],
        &["eval", "lemma7", "--lr", "NaN", "--momentum", "0.9", "--cl", "1"],
    ];
    for args in cases {
        let (code, _, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}

//! Issue 8, item 3 from the command line: confining potentials answered, non-confining ones
//! refused with one line naming the potential, extreme parameters refused naming the parameter.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// Exit 2 and one line on stderr; returns the line.
fn refused(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{args:?}: {out} {err}");
    assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    assert!(!err.contains("A.1") && err.trim().chars().count() <= 200, "{err}");
    err
}

fn rates(v: &serde_json::Value) -> Vec<f64> {
    v["eigenvalues"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn non_confining_quartic_is_refused_by_every_subcommand() {
    let p = "x^2/2 - 1e-8*x^4";
    for args in [
        vec!["eval", "fp-gap", "--potential", p, "--diffusion", "1"],
        vec!["eval", "poincare", "--potential", p],
        vec!["eval", "kinetic-gap", "--potential", p, "--friction", "1", "--diffusion", "1"],
        vec!["eval", "ball-prob", "--potential", p, "--eta", "1", "--center", "0", "--radius", "1"],
        vec!["eval", "basin-prob", "--potential", p, "--eta", "1", "--minimum", "0"],
        vec!["eval", "mfpt", "--potential", p, "--diffusion", "1", "--from=0", "--to=1"],
    ] {
        let err = refused(&args);
        assert!(err.contains("potential is not confining"), "{args:?}: {err}");
    }
}

#[test]
fn shifted_and_tilted_quadratics_are_answered() {
    for (p, rate) in [("(x-50)^2", 2.0), ("(x-12)^2", 2.0), ("x^2/2 + 100*x", 1.0)] {
        let v = json(&["eval", "fp-gap", "--potential", p, "--diffusion", "1", "--count", "2"]);
        let r = rates(&v);
        assert!((r[0] - rate).abs() < 1e-9 && (r[1] - 2.0 * rate).abs() < 1e-9, "{p}: {r:?}");
    }
    let v = json(&["eval", "fp-gap", "--potential", "(x-50)^2 + (y+30)^2", "--diffusion", "1", "--count", "2"]);
    assert!(rates(&v).iter().all(|r| (r - 2.0).abs() < 1e-9), "{v}");
    let v = json(&["eval", "ball-prob", "--potential", "(x-50)^2", "--eta", "1", "--center", "50", "--radius", "1"]);
    // P(|w − 50| ≤ 1) under e^{−(w−50)²} is erf(1).
    assert!((v["value"].as_f64().unwrap() - 0.842_700_792_949_714_9).abs() < 1e-10, "{v}");
}

#[test]
fn flat_quartic_is_answered() {
    // L = 1e-8·x⁴: the gap is 1e-4 times that of x⁴ (2.7371850419544…).
    let v = json(&["eval", "fp-gap", "--potential", "1e-8*x^4", "--diffusion", "1", "--count", "1"]);
    assert!((rates(&v)[0] - 2.737_185_041_954_4e-4).abs() < 1e-12, "{v}");
}

#[test]
fn exp_of_square_is_not_called_non_confining() {
    let (code, out, err) =
        run(&["eval", "ball-prob", "--potential", "exp(x^2)", "--eta", "1", "--center", "0", "--radius", "1"]);
    assert_eq!(code, 0, "{out} {err}");
    let (_, _, err) = run(&["eval", "fp-gap", "--potential", "exp(x^2)", "--diffusion", "1"]);
    assert!(!err.contains("not confining") && !err.contains("grows too slowly"), "{err}");
}

#[test]
fn weak_harmonic_kinetic_gap_is_answered() {
    // ω² = 0.01, g = 1: the slowest rate is (1 − √(1 − 0.04))/2.
    let v = json(&["eval", "kinetic-gap", "--potential", "0.01*x^2/2", "--friction", "1", "--diffusion", "1"]);
    let re = v["eigenvalues"][0]["re"].as_f64().unwrap();
    assert!((re - (1.0 - 0.96f64.sqrt()) / 2.0).abs() < 1e-9, "{v}");
}

#[test]
fn flat_direction_and_non_integrable_singularity_are_refused() {
    let err = refused(&["eval", "fp-gap", "--potential", "10*(0.0436*x - 0.999*y)^2", "--diffusion", "1"]);
    assert!(err.contains("not confining") && err.contains("constant along"), "{err}");
    let err = refused(&["eval", "fp-gap", "--potential", "x^2/2 + log((x-1)^2)", "--diffusion", "1"]);
    assert!(err.contains("not confining"), "{err}");
}

#[test]
fn extreme_parameters_are_named_not_the_potential() {
    for args in [
        vec!["eval", "fp-gap", "--potential", "x^2/2", "--diffusion", "1e300"],
        vec!["eval", "poincare", "--potential", "x^2/2", "--eta", "1e-300"],
        vec!["eval", "kinetic-gap", "--potential", "x^2/2", "--friction", "1", "--diffusion", "1e300"],
        vec!["eval", "kinetic-gap", "--potential", "x^2/2", "--friction", "1e-300", "--diffusion", "1"],
        vec!["eval", "ball-prob", "--potential", "x^2/2", "--eta", "1e-300", "--center", "0", "--radius", "1"],
    ] {
        let err = refused(&args);
        assert!(!err.contains("not confining"), "{args:?}: {err}");
        assert!(
            err.contains("invalid parameter") && (err.contains("1e300") || err.contains("1e-300")),
            "{args:?}: {err}"
        );
        assert!(err.contains("temperature") || err.contains("diffusion") || err.contains("η"), "{args:?}: {err}");
        assert!(err.trim().chars().count() <= 200, "{} chars: {err}", err.len());
    }
}

#[test]
fn fixtures_are_still_accepted() {
    for f in ["squared_loss", "logistic"] {
        let path = format!("{}/../fixtures/{f}.json", env!("CARGO_MANIFEST_DIR"));
        let (code, _, err) =
            run(&["eval", "ball-prob", "--potential", &path, "--eta", "1", "--center", "0,0", "--radius", "1"]);
        assert_eq!(code, 0, "{f}: {err}");
    }
}

//! Guards of the separable-axis planner of `eval fp-gap` / `eval poincare` (`scaling::overdamped_axes`):
//! an Ornstein–Uhlenbeck axis at its exact scale √(D/a) only where the basis carries it, and no
//! axis frozen by a small eigenvector tail (only an exact axis keeps its size, and only while
//! another axis grows: H is block diagonal in its degree, plan.rs `exact_axis_start`). Each
//! case failed on the first version of the planner (wrong answers inside tight error bars).

use serde_json::Value;
use std::process::Command;

/// (exit code, JSON when the answer is printed).
fn eval(args: &[&str]) -> (i32, Option<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(matches!(code, 0 | 2 | 3), "{args:?}: exit {code}: {stderr}");
    (code, serde_json::from_slice(&out.stdout).ok())
}

/// An answered Poincaré constant covers the truth with its error bar; a refusal (exit 2) is
/// allowed. Returns whether it answered.
fn poincare_covers(potential: &str, eta: &str, truth: f64) -> bool {
    let (code, v) = eval(&["eval", "poincare", "--potential", potential, "--eta", eta]);
    if code == 2 {
        return false;
    }
    let v = v.expect("an answer is JSON");
    let (value, error) = (v["value"].as_f64().unwrap(), v["error"].as_f64().unwrap());
    assert!((value - truth).abs() <= error, "η = {eta}: {value} ± {error} misses {truth}: {v}");
    assert_eq!(code == 0, v["converged"] == true, "{v}");
    true
}

/// x²/2 + 0.02x: the Poincaré constant of e^{−ηL} is η (the OU rate 1 times η). At η = 1e50 the
/// exact scale 1e-25 lies below the rounding of the centre −0.02 (the first planner answered
/// 2.5e47 ± 2.5e47); at η = 1e264 it answered a converged 0 ± 0.
#[test]
fn offset_quadratic_at_extreme_eta_is_covered_or_refused() {
    for eta in ["1e50", "1e264"] {
        poincare_covers("x^2/2 + 0.02*x", eta, eta.parse().unwrap());
    }
}

/// Where the exact axis is carried (η = 1e6: s = 1e-3 against the centre −0.02) it answers, and
/// converged.
#[test]
fn offset_quadratic_at_moderate_eta_is_answered() {
    assert!(poincare_covers("x^2/2 + 0.02*x", "1e6", 1e6));
    let (code, _) = eval(&["eval", "poincare", "--potential", "x^2/2 + 0.02*x", "--eta", "1e6"]);
    assert_eq!(code, 0);
}

/// A nearly flat separable axis next to a double well: the gap is the OU rate 2a = 2e-6 of the
/// y axis (exact at its scale √(D/a) = 1000), far below the double well's. An axis that kept
/// its size because its eigenvector tail looked small hid its own error (the first planner gave
/// the coupled nearly flat quadratic 0.0066 ± 0.0019 for 2e-6). At η = 1 the confinement guard may refuse it (L rises by only 16.8
/// within 4096 of its minimum); at η = 10 it must answer: the y rate 2aη = 2e-5.
#[test]
fn nearly_flat_separable_axis_is_covered() {
    poincare_covers("x^4/4 - x^2/2 + 1e-6*y^2", "1", 2e-6);
    assert!(poincare_covers("x^4/4 - x^2/2 + 1e-6*y^2", "10", 2e-5));
    assert!(poincare_covers("10*(0.0436*x - 0.999*y)^2 + 1e-6*(x^2+y^2)", "1", 2e-6));
}

/// Separable rates are sums of one-dimensional ones: x⁴/4 − x²/2 + y² at D = 0.25 has the rates
/// of the double well in x (computed in 1D) merged with the OU rates 2k of y.
#[test]
fn separable_rates_are_the_merged_one_dimensional_rates() {
    let rates = |potential: &str| {
        let (code, v) = eval(&["eval", "fp-gap", "--potential", potential, "--diffusion", "0.25", "--count", "4"]);
        assert_eq!(code, 0, "{v:?}");
        let v = v.unwrap();
        let values: Vec<f64> = v["eigenvalues"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let errors: Vec<f64> = v["errors"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        (values, errors)
    };
    let (x_rates, x_errors) = rates("x^4/4 - x^2/2");
    let (both, both_errors) = rates("x^4/4 - x^2/2 + y^2");
    // The spectrum: μ_i (y in its ground state), 2k (x in its ground state, rate 0), μ_i + 2k.
    let mut merged: Vec<(f64, f64)> = vec![(2.0, 0.0), (4.0, 0.0)];
    for (m, e) in x_rates.iter().zip(&x_errors) {
        merged.extend([(*m, *e), (m + 2.0, *e)]);
    }
    merged.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (i, (value, error)) in both.iter().zip(&both_errors).enumerate() {
        let (truth, truth_error) = merged[i];
        assert!((value - truth).abs() <= error + truth_error, "rate {i}: {value} ± {error} vs {truth} ± {truth_error}");
    }
}

/// A correlated quadratic is answered in its principal axes, and the eval JSON says so: fp-gap in
/// `method` and `plan.rotation`, kinetic-gap in `method.rotation` (exact rates: Σ k_i h_i and
/// (1 ± i√(4h − 1))/2 with h the Hessian's eigenvalues (3 ± √3.56)/2).
#[test]
fn correlated_quadratics_report_their_rotation() {
    let spec = "x^2/2 + y^2 + 0.8*x*y";
    let h = [(3.0 - 3.56f64.sqrt()) / 2.0, (3.0 + 3.56f64.sqrt()) / 2.0];
    let (code, v) = eval(&["eval", "fp-gap", "--potential", spec, "--diffusion", "0.5", "--count", "1"]);
    let v = v.expect("fp-gap answers");
    assert_eq!(code, 0);
    assert!(v["method"].as_str().unwrap().starts_with("rotated to principal axes (angle"), "{v}");
    assert_eq!(v["plan"]["rotation"]["q"].as_array().map(Vec::len), Some(2), "{v}");
    assert!((v["eigenvalues"][0].as_f64().unwrap() - h[0]).abs() <= v["errors"][0].as_f64().unwrap(), "{v}");
    let args = ["eval", "kinetic-gap", "--potential", spec, "--friction", "1", "--diffusion", "0.5", "--count", "1"];
    let (code, v) = eval(&args);
    let v = v.expect("kinetic-gap answers");
    assert_eq!(code, 0, "{v}");
    assert!(v["method"]["rotation"]["description"].as_str().unwrap().starts_with("rotated to principal axes"));
    let (re, im) = (v["eigenvalues"][0]["re"].as_f64().unwrap(), v["eigenvalues"][0]["im"].as_f64().unwrap());
    let distance =
        h.map(|h| (re - 0.5).hypot(im - (4.0 * h - 1.0).sqrt() / 2.0)).into_iter().fold(f64::INFINITY, f64::min);
    assert!(distance <= v["errors"][0].as_f64().unwrap(), "{v}");
}

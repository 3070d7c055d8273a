//! `eval kinetic-gap` against the defects of issue 8: parameters outside what the method
//! resolves exit 2 with one line naming them; an unconverged answer exits 3 with honest errors;
//! the JSON always carries `converged`, `rel_error` and `method` and never `null`; critical
//! damping is answered; `--max-memory` stops a study before it allocates. Truth: the harmonic
//! kinetic spectrum, rates a·λ₊ + b·λ₋ with λ± = (g ± √(g² − 4ω²))/2 for L = ½ω²x².

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn gap(extra: &[&str]) -> (i32, String, String) {
    run(&[&["eval", "kinetic-gap"][..], extra].concat())
}

fn no_null(v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Null => panic!("null at {path}"),
        serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| no_null(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| no_null(x, &format!("{path}.{k}"))),
        _ => {}
    }
}

/// The JSON of an answer (exit 0 or 3), checked for the fields every answer carries and for
/// `converged` agreeing with the exit code.
fn answer(code: i32, out: &str, err: &str) -> serde_json::Value {
    assert!(code == 0 || code == 3, "exit {code}: {err}");
    let v: serde_json::Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    no_null(&v, "");
    assert_eq!(v["converged"].as_bool(), Some(code == 0), "{v}");
    assert!(v["rel_error"].as_f64().is_some() && v["method"]["levels"].as_array().is_some(), "{v}");
    assert!(v["method"]["stopped"].as_str().is_some(), "{v}");
    v
}

/// The i-th reported rate lies within its error of (re, im).
fn covers(v: &serde_json::Value, i: usize, re: f64, im: f64) {
    let (r, m) = (v["eigenvalues"][i]["re"].as_f64().unwrap(), v["eigenvalues"][i]["im"].as_f64().unwrap());
    let e = v["errors"][i].as_f64().unwrap();
    assert!(r >= 0.0, "negative decay rate {r}");
    assert!((r - re).hypot(m - im) <= e, "rate {i}: {r} + {m}i ± {e:.2e} misses {re} + {im}i");
}

fn refused(args: &[&str], words: &[&str]) {
    let (code, out, err) = gap(args);
    assert_eq!(code, 2, "{args:?}: {out} {err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: '{w}' not in {err}");
    }
}

#[test]
fn extreme_parameters_are_refused_naming_them() {
    refused(&["--potential", "x^2/2", "--friction", "1", "--diffusion", "1e-300"], &["friction", "diffusion"]);
    refused(&["--potential", "x^2/2", "--friction", "1", "--diffusion", "1e300"], &["temperature", "D_v/g"]);
    refused(&["--potential", "x^2/2", "--friction", "1e300", "--diffusion", "1e-300"], &["friction", "diffusion"]);
    refused(
        &["--potential", "x^2/2", "--lr", "0.1", "--beta", "1", "--batch", "1e300", "--momentum", "0.5"],
        &["--batch 1e300"],
    );
    for t in ["1e-300", "0.5", "1", "0", "-1e-8", "NaN"] {
        refused(
            &["--potential", "x^2/2", "--friction", "1", "--diffusion", "0.5", &format!("--tolerance={t}")],
            &["tolerance"],
        );
    }
}

#[test]
fn stiff_potential_is_answered_within_its_error() {
    // ω = 10⁴, g = 1: 0.5 ± i√(10⁸ − ¼), then 1, then 1 ± 2i√(10⁸ − ¼).
    let (code, out, err) = gap(&["--potential", "1e8*x^2/2", "--friction", "1", "--diffusion", "0.5"]);
    let v = answer(code, &out, &err);
    let w = (1e8f64 - 0.25).sqrt();
    covers(&v, 0, 0.5, w);
    covers(&v, 1, 1.0, 0.0);
    covers(&v, 2, 1.0, 2.0 * w);
}

#[test]
fn critical_damping_and_its_neighbours() {
    // g = 2ω = 2: a Jordan block, gap 1 (then 2, 3).
    let (code, out, err) = gap(&["--potential", "x^2/2", "--friction", "2", "--diffusion", "0.5"]);
    let v = answer(code, &out, &err);
    for i in 0..3 {
        covers(&v, i, (i + 1) as f64, 0.0);
    }
    let (code, out, err) =
        gap(&["--potential", "x^2/2", "--friction", "2", "--diffusion", "0.5", "--count", "1", "--tolerance", "1e-6"]);
    assert_eq!(code, 0, "{err}");
    covers(&answer(code, &out, &err), 0, 1.0, 0.0);
    for g in [1.999f64, 2.001] {
        let (code, out, err) =
            gap(&["--potential", "x^2/2", "--friction", &g.to_string(), "--diffusion", "0.5", "--count", "1"]);
        let disc = (g * g - 4.0).abs().sqrt() / 2.0;
        let (re, im) = if g < 2.0 { (g / 2.0, disc) } else { (g / 2.0 - disc, 0.0) };
        covers(&answer(code, &out, &err), 0, re, im);
    }
}

#[test]
fn max_memory_stops_the_study_before_allocating() {
    let args = ["--potential", "x^4/4 - x^2/2 + y^2/2", "--friction", "1", "--diffusion", "0.5", "--count", "1"];
    // A budget a later level does not fit: the levels so far decide, exit 3.
    let (code, out, err) = gap(&[&args[..], &["--tolerance", "1e-12", "--max-memory", "0.003"]].concat());
    assert_eq!(code, 3, "{err}");
    let v = answer(code, &out, &err);
    assert!(v["method"]["stopped"].as_str().unwrap().starts_with("memory"), "{v}");
    covers(&v, 0, 0.3385887049929836, 0.0);
    // A budget no level fits: one line saying how large and what to change, exit 2.
    let (code, _, err) = gap(&[&args[..], &["--max-memory", "0.0001"]].concat());
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("would need") && err.contains("--max-memory") && err.contains("--tolerance"), "{err}");
}

#[test]
fn periodic_path_is_bounded_by_the_budget() {
    // x²/2 is not 2π-periodic: its force has a dense Fourier series and the study cannot settle.
    // Under a 50 MB budget it ends (stopped or refused by the memory guard: exit 2 or 3), and
    // never panics. No timing is asserted.
    let (code, out, err) =
        gap(&["--potential", "x^2/2", "--friction", "1", "--diffusion", "0.5", "--periodic", "--max-memory", "0.05"]);
    assert!(!err.contains("panicked"), "{err}");
    match code {
        2 => assert_eq!(err.trim().lines().count(), 1, "{err}"),
        3 => {
            answer(code, &out, &err);
        }
        _ => panic!("exit {code}: {err}"),
    }
}

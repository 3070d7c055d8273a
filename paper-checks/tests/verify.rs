//! `paper-checks verify`: the certificates of a written report are re-checked from their stored
//! data alone; an edited margin or enclosure is rejected (exit 1); an unreadable file is refused
//! with one line (exit 2).

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("paper-checks-verify-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn edited(report: &Path, to: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(to, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// The first check carrying a certificate.
fn first_certificate(v: &mut serde_json::Value) -> &mut serde_json::Value {
    let checks = v["checks"].as_array_mut().unwrap();
    let i = checks.iter().position(|c| c.get("certificate").is_some()).unwrap();
    &mut checks[i]["certificate"]
}

#[test]
fn lemma7_certificates_verify_and_edits_are_rejected() {
    let dir = scratch("lemma7");
    let (code, _, err) = run(&["run", "lemma7", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let report = dir.join("report.json");
    let (code, out, _) = run(&["verify", report.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // One line per certificate (all 27 grid points) plus the summary.
    assert_eq!(out.lines().filter(|l| l.starts_with("HOLDS")).count(), 27, "{out}");

    let bigger = dir.with_extension("margin.json");
    edited(&report, &bigger, |v| {
        let c = first_certificate(v);
        let m = c["margin"].as_f64().unwrap();
        c["margin"] = serde_json::json!(m * 1.01);
    });
    let (code, out, _) = run(&["verify", bigger.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("REJECTED")).count(), 1, "{out}");

    let narrowed = dir.with_extension("enclosure.json");
    edited(&report, &narrowed, |v| {
        let c = first_certificate(v);
        let q = &mut c["enclosures"]["xT_(K-2muP)_x"];
        let lower = q["lower"].as_f64().unwrap();
        q["upper"] = serde_json::json!(lower);
    });
    let (code, out, _) = run(&["verify", narrowed.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(bigger);
    let _ = std::fs::remove_file(narrowed);
}

#[test]
fn unreadable_reports_are_refused_with_one_line() {
    let path = std::env::temp_dir().join(format!("paper-checks-verify-{}-garbage.json", std::process::id()));
    std::fs::write(&path, "{ not json").unwrap();
    for args in [vec!["verify", path.to_str().unwrap()], vec!["verify", "/nonexistent/report.json"]] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2);
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    std::fs::write(&path, "{\"checks\": []}").unwrap();
    let (code, out, _) = run(&["verify", path.to_str().unwrap()]);
    assert_eq!(code, 1, "a report without certificates verifies nothing: {out}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn fp_gap_certify_prints_enclosures_around_the_engine_values() {
    let args = ["eval", "fp-gap", "--potential", "x^4/4 - x^2/2", "--diffusion", "0.25", "--count", "3", "--certify"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let enc = v["enclosures"].as_array().unwrap();
    let ev = v["eigenvalues"].as_array().unwrap();
    assert_eq!(enc.len(), 3);
    for (e, x) in enc.iter().zip(ev) {
        let (lo, hi, x) = (e["lower"].as_f64().unwrap(), e["upper"].as_f64().unwrap(), x.as_f64().unwrap());
        assert!(lo <= hi && (hi - lo) / hi <= 1e-9);
        // The engine's converged value (tolerance 1e-10) agrees with the proved enclosure.
        assert!((x - lo.max(x.min(hi))).abs() <= 1e-8 * x, "{x} vs [{lo}, {hi}]");
    }
}

#[test]
fn fp_gap_certify_refuses_what_it_cannot_prove_with_exit_3() {
    let args =
        ["eval", "fp-gap", "--potential", "x^2/2 + 0.1*cos(x)", "--diffusion", "0.5", "--count", "2", "--certify"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 3);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["eigenvalues"].is_array());
}

/// d = 2: the proved enclosures overlap the engine's converged values within their error bars,
/// for the separable and the coupled double well of issue 12.
#[test]
fn fp_gap_certify_in_two_dimensions_agrees_with_the_engine() {
    for potential in ["x^4/4 - x^2/2 + y^2/2", "x^4/4 - x^2/2 + y^2/2 + 0.3*x*y"] {
        let args = ["eval", "fp-gap", "--potential", potential, "--diffusion", "0.5", "--count", "3", "--certify"];
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{potential}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let enc = v["enclosures"].as_array().unwrap();
        let (ev, er) = (v["eigenvalues"].as_array().unwrap(), v["errors"].as_array().unwrap());
        assert_eq!(enc.len(), 3);
        for ((e, x), dx) in enc.iter().zip(ev).zip(er) {
            let (lo, hi) = (e["lower"].as_f64().unwrap(), e["upper"].as_f64().unwrap());
            let (x, dx) = (x.as_f64().unwrap(), dx.as_f64().unwrap());
            assert!(lo <= hi && (hi - lo) / hi <= 1e-6, "{potential}: [{lo}, {hi}]");
            assert!(x + dx >= lo && x - dx <= hi, "{potential}: engine {x} ± {dx} vs [{lo}, {hi}]");
        }
    }
}

/// eq8: the 1D as-printed FAIL carries a ball-ratio certificate that verifies; the d ≥ 2 FAILs
/// state why they have none; an edited margin is rejected.
#[test]
fn eq8_ball_ratio_certificate_verifies_and_every_fail_is_accounted_for() {
    let dir = scratch("eq8");
    let (code, _, err) = run(&["run", "eq8", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let report = dir.join("report.json");
    let (code, out, _) = run(&["verify", report.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("HOLDS")).count(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for row in v["checks"].as_array().unwrap().iter().filter(|r| r["verdict"] == "FAIL") {
        let noted = row["certificate_note"].as_str().is_some_and(|n| !n.is_empty());
        assert!(row["certificate"].is_object() || noted, "{}", row["row"]);
    }
    let edited_path = dir.with_extension("margin.json");
    edited(&report, &edited_path, |v| {
        let c = first_certificate(v);
        c["margin"] = serde_json::json!(c["margin"].as_f64().unwrap() * 1.01);
    });
    let (code, out, _) = run(&["verify", edited_path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(edited_path);
}

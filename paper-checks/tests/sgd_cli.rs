//! `eval sgd-stationary` and `eval sgd-escape` as processes: the JSON answer and the refusals.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `eval SUB --potential P --lr LR --batch B --noise N` followed by `extra`.
fn eval(
    sub: &'static str,
    potential: &'static str,
    lr: &'static str,
    batch: &'static str,
    noise: &'static str,
    extra: &[&'static str],
) -> Vec<&'static str> {
    let mut args = vec!["eval", sub, "--potential", potential, "--lr", lr, "--batch", batch, "--noise", noise];
    args.extend(extra);
    args
}

/// `eval sgd-stationary` on L = x²/2 with `lr`, `batch` and `noise`, then `extra`.
fn stationary(lr: &'static str, batch: &'static str, noise: &'static str, extra: &[&'static str]) -> Vec<&'static str> {
    eval("sgd-stationary", "x^2/2", lr, batch, noise, extra)
}

#[test]
fn stationary_answer_contains_the_exact_value() {
    let (code, out, err) = run(&stationary("0.1", "64", "4", &["--chains", "400", "--steps", "2000"]));
    assert!(code == 0 || code == 3, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sim = &v["sgd"]["variance"][0];
    let exact = v["exact_discrete"]["variance"][0]["value"].as_f64().unwrap();
    let (value, error) = (sim["value"].as_f64().unwrap(), sim["error"].as_f64().unwrap());
    assert!((value - exact).abs() <= error, "{value} ± {error} vs {exact}");
    assert!((exact - 0.1 * 4.0 / 128.0 / (1.0 - 0.05)).abs() < 1e-12);
    assert!((v["diffusion"].as_f64().unwrap() - 0.1 * 4.0 / 128.0).abs() < 1e-15);
    assert!(v["fokker_planck"]["variance"][0]["value"].is_number());
    assert!(!out.contains("null"));
}

#[test]
fn refusals_are_one_line_and_exit_2() {
    let cases: Vec<Vec<&str>> = vec![
        stationary("0", "64", "4", &[]),
        stationary("0.1", "0", "4", &[]),
        stationary("0.1", "64", "-1", &[]),
        stationary("0.1", "64", "4", &["--momentum", "1"]),
        stationary("2.5", "64", "4", &[]),
        stationary("0.1", "2000", "4", &["--without-replacement"]),
        stationary("0.1", "64", "4", &["--chains", "1000000000"]),
        eval("sgd-escape", "x^2/2 + y^2", "0.1", "8", "1", &["--from", "1,0", "--to", "0,0"]),
    ];
    for args in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    let (_, _, err) = run(&stationary("2.5", "64", "4", &[]));
    assert!(err.contains("γ < 2"), "{err}");
}

#[test]
fn escape_answer_has_steps_time_and_passage_time() {
    let extra = ["--from=-1", "--to", "1", "--escapes", "200"];
    let (code, out, err) = run(&eval("sgd-escape", "x^4/4 - x^2/2", "0.1", "64", "128", &extra));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["steps"]["value"].as_f64().unwrap();
    let time = v["time"]["value"].as_f64().unwrap();
    assert!((time - 0.1 * steps).abs() < 1e-9 * time);
    let ratio = &v["ratio"];
    assert!((ratio["value"].as_f64().unwrap() - 1.0).abs() <= ratio["error"].as_f64().unwrap() + 0.1);
    assert!(v["eyring_kramers"].is_number() && v["fp_mfpt"]["value"].is_number());
}

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

const BASE: [&str; 9] = ["eval", "sgd-stationary", "--potential", "x^2/2", "--lr", "0.1", "--batch", "64", "--noise"];

#[test]
fn stationary_answer_contains_the_exact_value() {
    let mut args = BASE.to_vec();
    args.extend(["4", "--chains", "400", "--steps", "2000"]);
    let (code, out, err) = run(&args);
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
        vec!["eval", "sgd-stationary", "--potential", "x^2/2", "--lr", "0", "--batch", "64", "--noise", "4"],
        vec!["eval", "sgd-stationary", "--potential", "x^2/2", "--lr", "0.1", "--batch", "0", "--noise", "4"],
        vec!["eval", "sgd-stationary", "--potential", "x^2/2", "--lr", "0.1", "--batch", "64", "--noise", "-1"],
        vec![
            "eval",
            "sgd-stationary",
            "--potential",
            "x^2/2",
            "--lr",
            "0.1",
            "--batch",
            "64",
            "--noise",
            "4",
            "--momentum",
            "1",
        ],
        vec!["eval", "sgd-stationary", "--potential", "x^2/2", "--lr", "2.5", "--batch", "64", "--noise", "4"],
        vec![
            "eval",
            "sgd-stationary",
            "--potential",
            "x^2/2",
            "--lr",
            "0.1",
            "--batch",
            "2000",
            "--noise",
            "4",
            "--without-replacement",
        ],
        vec![
            "eval",
            "sgd-stationary",
            "--potential",
            "x^2/2",
            "--lr",
            "0.1",
            "--batch",
            "64",
            "--noise",
            "4",
            "--chains",
            "1000000000",
        ],
        vec![
            "eval",
            "sgd-escape",
            "--potential",
            "x^2/2 + y^2",
            "--lr",
            "0.1",
            "--batch",
            "8",
            "--noise",
            "1",
            "--from",
            "1,0",
            "--to",
            "0,0",
        ],
    ];
    for args in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    let (_, _, err) =
        run(&["eval", "sgd-stationary", "--potential", "x^2/2", "--lr", "2.5", "--batch", "64", "--noise", "4"]);
    assert!(err.contains("γ < 2"), "{err}");
}

#[test]
fn escape_answer_has_steps_time_and_passage_time() {
    let (code, out, err) = run(&[
        "eval",
        "sgd-escape",
        "--potential",
        "x^4/4 - x^2/2",
        "--lr",
        "0.1",
        "--batch",
        "64",
        "--noise",
        "128",
        "--from=-1",
        "--to",
        "1",
        "--escapes",
        "200",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["steps"]["value"].as_f64().unwrap();
    let time = v["time"]["value"].as_f64().unwrap();
    assert!((time - 0.1 * steps).abs() < 1e-9 * time);
    let ratio = &v["ratio"];
    assert!((ratio["value"].as_f64().unwrap() - 1.0).abs() <= ratio["error"].as_f64().unwrap() + 0.1);
    assert!(v["eyring_kramers"].is_number() && v["fp_mfpt"]["value"].is_number());
}

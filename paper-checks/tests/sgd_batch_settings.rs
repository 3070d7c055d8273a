//! `run sgd-batch --set …` and `run msgd-batch --set …`: every key is echoed by the rows, the
//! Fokker–Planck side is checked against independent quadratures of the stationary laws
//! (e^{−L/D} for (5), e^{−L/T} for (9)), and bad values are refused with exit 2 in one line.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const RISK: &str = "0.1*(x^2-1)^2*((x-1)^2+0.25)";
const SADDLE: f64 = -0.303_56;

fn out_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pc-sgd-batch-settings-{name}-{}", std::process::id()))
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn run_set(claim: &str, pairs: &[&str]) -> Value {
    let dir = out_dir(claim);
    let _ = std::fs::remove_dir_all(&dir);
    let mut args = vec!["run", claim, "--out", dir.to_str().unwrap()];
    for p in pairs {
        args.extend(["--set", p]);
    }
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "{args:?}: {out} {err}");
    let report = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn rows<'a>(report: &'a Value, reading_id: &str) -> Vec<&'a Value> {
    report["checks"].as_array().unwrap().iter().filter(|c| c["reading_id"] == reading_id).collect()
}

/// L of the module's risk, by hand.
fn risk(x: f64) -> f64 {
    0.1 * (x * x - 1.0).powi(2) * ((x - 1.0).powi(2) + 0.25)
}

/// L'' by a central difference of L' written out by hand.
fn curvature(x: f64) -> f64 {
    let grad =
        |x: f64| 0.1 * (4.0 * x * (x * x - 1.0) * ((x - 1.0).powi(2) + 0.25) + (x * x - 1.0).powi(2) * 2.0 * (x - 1.0));
    let h = 1e-5;
    (grad(x + h) - grad(x - h)) / (2.0 * h)
}

/// ∫_a^b f e^{−L/T} dx / ∫_a^b e^{−L/T} dx by composite Simpson on 20000 panels.
fn gibbs_mean(t: f64, a: f64, b: f64, f: impl Fn(f64) -> f64) -> f64 {
    let n = 20_000;
    let h = (b - a) / n as f64;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..=n {
        let x = a + i as f64 * h;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let p = w * (-risk(x) / t).exp();
        num += p * f(x);
        den += p;
    }
    num / den
}

#[test]
fn sgd_batch_on_a_setting_echoes_keys_and_relaxes_to_the_gibbs_basin_mass() {
    // D = γβ/(2M) = 0.1·256/128 = 0.2 and 0.1 at M = 64, 128: t = 600 is many barrier-crossing
    // times (barrier 0.161), so (5) has relaxed to e^{−L/D} restricted to its domain [−2.5, 3.5].
    let given = ["lr=0.1", "batch=64", "large_batch=128", "beta=256", "chains=32"];
    let report = run_set("sgd-batch", &given);
    for pair in given {
        let key = pair.split('=').next().unwrap();
        assert_eq!(report["settings"][key]["source"], "given", "{key}");
    }
    let follows = rows(&report, "sgd-follows-fp-evolution");
    assert_eq!(follows.len(), 2);
    for (row, (batch, d)) in follows.iter().zip([(64, 0.2), (128, 0.1)]) {
        assert_eq!(row["setting"]["batch"], batch);
        assert_eq!(row["setting"]["beta"], 256.0);
        assert_eq!(row["setting"]["chains"], 32);
        assert!((row["setting"]["diffusion"].as_f64().unwrap() - d).abs() < 1e-12);
        let fp = row["quantities"]["flat fraction Fokker–Planck (last step)"]["value"].as_f64().unwrap();
        let truth = gibbs_mean(d, -2.5, 3.5, |x| if x > SADDLE { 1.0 } else { 0.0 });
        assert!((fp - truth).abs() < 2e-3, "M={batch}: (5) gives {fp}, e^(-L/D) {truth}");
        assert!(row["reproduce"].as_str().unwrap().contains("--set large_batch=128"));
    }
    assert_eq!(rows(&report, "larger-batch-slower-to-flat").len(), 1);
    assert_eq!(rows(&report, "smaller-diffusion-slower-at-equal-time").len(), 1);
    let _ = RISK;
}

#[test]
fn msgd_batch_on_a_setting_echoes_keys_and_its_gibbs_law_is_the_quadrature() {
    let given = ["lr=0.05", "momentum=0.8", "batch=32", "large_batch=64", "beta=20", "chains=16"];
    let report = run_set("msgd-batch", &given);
    for pair in given {
        let key = pair.split('=').next().unwrap();
        assert_eq!(report["settings"][key]["source"], "given", "{key}");
    }
    let corrected = rows(&report, "slower-but-ends-at-gibbs");
    assert_eq!(corrected.len(), 1);
    let row = corrected[0];
    assert_eq!(row["setting"]["lr"], 0.05);
    assert_eq!(row["setting"]["pairs"], serde_json::json!([[0.8, 32.0], [0.8, 64.0]]));
    assert_eq!(row["setting"]["chains"], 16);
    for batch in [32, 64] {
        // T = γβ/(2M(1 − ξ)).
        let t = 0.05 * 20.0 / (2.0 * batch as f64 * 0.2);
        let prefix = format!("Lemma 4 mean |L''| M={batch} (T=");
        let (name, q) = row["quantities"].as_object().unwrap().iter().find(|(k, _)| k.starts_with(&prefix)).unwrap();
        let got = q["value"].as_f64().unwrap();
        let printed: f64 = name[prefix.len()..name.len() - 1].parse().unwrap();
        assert!((printed - t).abs() < 1e-12, "{name}: T = {t}");
        let truth = gibbs_mean(t, -3.0, 3.5, |x| curvature(x).abs());
        assert!((got - truth).abs() < 1e-4 * truth, "M={batch}: {got} vs {truth}");
    }
}

#[test]
fn bad_batch_settings_are_refused_before_anything_runs() {
    let cases: &[&[&str]] = &[
        &["run", "sgd-batch", "--set", "large_batch=64"],
        &["run", "sgd-batch", "--set", "lr=0"],
        &["run", "sgd-batch", "--set", "batch=2.5"],
        &["run", "sgd-batch", "--set", "chains=4"],
        &["run", "sgd-batch", "--set", "potential=x^2"],
        &["run", "msgd-batch", "--set", "momentum=1"],
        &["run", "msgd-batch", "--set", "batch=128"],
        &["run", "msgd-batch", "--set", "beta=-1"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let dir = out_dir(&format!("refused-{i}"));
        let mut all = args.to_vec();
        all.extend(["--out", dir.to_str().unwrap()]);
        let (code, out, err) = cli(&all);
        assert_eq!(code, 2, "{args:?}: {out} {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked") && out.is_empty(), "{args:?}: {out} {err}");
        assert!(!dir.exists(), "{args:?} touched --out");
    }
}

#[test]
fn list_settings_gives_meaning_and_range_of_every_key() {
    let (code, out, err) = cli(&["list", "--settings"]);
    assert_eq!(code, 0, "{err}");
    for (claim, keys) in [
        ("sgd-batch", &["lr", "batch", "large_batch", "beta", "chains"][..]),
        ("msgd-batch", &["lr", "momentum", "batch", "large_batch", "beta", "chains"][..]),
    ] {
        let section: String =
            out.split(&format!("\n{claim}: ")).nth(1).unwrap_or_else(|| panic!("{claim}")).lines().take(8).collect();
        for key in keys {
            assert!(section.contains(key), "{claim}: {key}\n{section}");
        }
        assert!(section.contains("integer in [") && section.contains("real in ["), "{claim}: {section}");
    }
}

//! Claims on the reviewer's own settings: `run CLAIM --set KEY=VALUE …` and `list --settings`.
//! Every accepted key is given and echoed by the rows; the two examples are checked
//! against independent truths (the Ornstein–Uhlenbeck spectrum and χ² distance; 2×2 algebra);
//! every bad input is refused with exit 2, one line, and no report directory.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use theorems::settings::{Settable, Settings};

fn out_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pc-settings-{name}-{}", std::process::id()))
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Runs `claim` with `--set` pairs into a fresh directory; returns report.json.
fn run_set(claim: &str, pairs: &[&str]) -> Value {
    run_set_ending(claim, pairs, 0)
}

/// [`run_set`] for a run expected to end with exit `code` (3: a row not converged).
fn run_set_ending(claim: &str, pairs: &[&str], code_expected: i32) -> Value {
    let dir = out_dir(claim);
    let _ = std::fs::remove_dir_all(&dir);
    let mut args = vec!["run", claim, "--out", dir.to_str().unwrap()];
    for p in pairs {
        args.extend(["--set", p]);
    }
    let (code, out, err) = cli(&args);
    assert_eq!(code, code_expected, "{args:?}: {out} {err}");
    assert!(out.lines().next().unwrap_or("").contains("claim"), "the claim table comes first: {out}");
    let report = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn rows<'a>(report: &'a Value, claim: &str) -> Vec<&'a Value> {
    let rows: Vec<&Value> = report["checks"].as_array().unwrap().iter().filter(|c| c["id"] == claim).collect();
    assert!(!rows.is_empty(), "no {claim} rows");
    rows
}

fn row<'a>(report: &'a Value, claim: &str, reading_id: &str) -> &'a Value {
    rows(report, claim).into_iter().find(|c| c["reading_id"] == reading_id).unwrap_or_else(|| panic!("{reading_id}"))
}

fn q(row: &Value, name: &str) -> (f64, f64) {
    let v = &row["quantities"][name];
    (v["value"].as_f64().unwrap_or_else(|| panic!("{name}")), v["error"].as_f64().unwrap())
}

/// Every row of `claim` whose setting has `key` echoes `expected` (and at least one has it).
fn echoes(report: &Value, claim: &str, key: &str, expected: &Value) {
    let with: Vec<&Value> = rows(report, claim).into_iter().filter(|c| c["setting"].get(key).is_some()).collect();
    assert!(!with.is_empty(), "{claim}: no row records '{key}'");
    for c in with {
        assert_eq!(&c["setting"][key], expected, "{claim}: {key} in {}", c["row"]);
    }
}

/// report.json records each key, with whether it was given, and every row's reproduce command
/// repeats the given keys.
fn records(report: &Value, claim: &str, given: &[&str]) {
    for pair in given {
        let key = pair.split('=').next().unwrap();
        assert_eq!(report["settings"][key]["source"], "given", "{claim}: {key}");
    }
    for c in rows(report, claim) {
        let command = c["reproduce"].as_str().unwrap();
        assert!(command.starts_with(&format!("paper-checks run {claim} --set")), "{command}");
        for pair in given {
            assert!(command.contains(pair) || command.contains(&format!("'{pair}'")), "{command} lacks {pair}");
        }
    }
}

#[test]
fn theorem1_on_the_ou_process_at_d_3() {
    // Issue example: `run theorem1 --set potential='x^2/2' --set diffusion=3`, with the tilt too.
    let given = ["potential=x^2/2", "diffusion=3", "tilt=0.5"];
    let report = run_set("theorem1", &given);
    records(&report, "theorem1", &given);
    echoes(&report, "theorem1", "potential", &"x^2/2".into());
    echoes(&report, "theorem1", "diffusion", &3.0.into());
    let printed = row(&report, "theorem1", "cp-eq7");
    assert!(printed["setting"]["initial_density"].as_str().unwrap().contains("0.5"));
    // Ornstein–Uhlenbeck: the spectrum of (5) for L = x²/2 is {0, 1, 2, …} at every D, and the
    // Poincaré constant of the standard Gaussian e^{-x²/2} is 1.
    let close =
        |(v, e): (f64, f64), truth: f64, what: &str| assert!((v - truth).abs() <= e + 1e-7, "{what}: {v} ± {e}");
    close(q(printed, "gap_lambda1"), 1.0, "λ₁");
    close(q(printed, "C_P_eq7"), 1.0, "C_P of (7)");
    close(q(printed, "rate_used"), 3.0, "r = C_P·D");
    // p0 ∝ e^{-(x²/2 + a x)/D} is N(−a, D); the OU flow keeps the variance D and moves the mean
    // to −a e^{−t}, so ‖h(t)‖² = χ²(N(−a e^{−t}, D) ‖ N(0, D)) = exp(a² e^{−2t}/D) − 1.
    let h2 = |t: f64| (0.25 * (-2.0 * t).exp() / 3.0).exp_m1();
    close(q(printed, "h0_squared"), h2(0.0), "‖h(0)‖²");
    // The bound as printed decays at r = 3 > 2λ₁ = 2: it fails, and at the reported time the
    // exact ‖h‖² is above it.
    assert_eq!(printed["verdict"], "FAIL");
    let t = q(printed, "first_failure_time").0;
    assert!(h2(t) > (3.0 * t + h2(0.0)) * (-3.0 * t).exp(), "t = {t}");
    // With C_P of p∞ (ηλ₁ = 1/3) the rate is 1 < 2: the bound holds.
    let reading = row(&report, "theorem1", "cp-p-inf-eq18");
    close(q(reading, "rate_used"), 1.0, "r with C_P of p∞");
    assert_eq!(reading["verdict"], "PASS");
    assert_ne!(row(&report, "theorem1", "pure-exponential")["verdict"], "FAIL");
    let claim = report["claims"].as_array().unwrap().iter().find(|c| c["id"] == "theorem1").unwrap();
    assert_eq!(claim["verdict"], "false");
}

/// λ_min of the symmetric 2×2 matrix [[a, b], [b, c]].
fn min_eig(a: f64, b: f64, c: f64) -> f64 {
    (a + c) / 2.0 - (((a - c) / 2.0).powi(2) + b * b).sqrt()
}

#[test]
fn lemma7_at_lr_01_momentum_05_cl_2() {
    let given = ["lr=0.1", "momentum=0.5", "cl=2"];
    let report = run_set("lemma7", &given);
    records(&report, "lemma7", &given);
    echoes(&report, "lemma7", "lr", &0.1.into());
    echoes(&report, "lemma7", "momentum", &0.5.into());
    echoes(&report, "lemma7", "C_L", &2.0.into());
    // g = (1 − ξ)/√γ < 2C_L: case 1, μ = g, C = C_L², Ĉ = g/2. The kinetic operator of
    // L = ½C_L²w² has the gap (g − Re√(g² − 4C_L²))/2 = g/2 (complex roots), half of μ.
    let (g, cl) = (0.5 / 0.1f64.sqrt(), 2.0);
    let (c, c_hat, mu) = (cl * cl, g / 2.0, g);
    let k = [2.0 * c_hat, c - cl * cl + g * c_hat, 2.0 * g * c - 2.0 * cl * cl * c_hat];
    let p = [1.0, c_hat, c];
    let truth = min_eig(k[0] - 2.0 * mu * p[0], k[1] - 2.0 * mu * p[1], k[2] - 2.0 * mu * p[2]);
    let printed = row(&report, "lemma7", "k-friction-g");
    let (v, e) = q(printed, "min_eig_K_minus_2muP");
    assert!(truth < 0.0 && (v - truth).abs() <= e + 1e-12 * truth.abs(), "{v} ± {e} vs {truth}");
    assert!((q(printed, "mu_paper").0 - g).abs() < 1e-14);
    assert!((q(printed, "harmonic_gap").0 - g / 2.0).abs() < 1e-14);
    assert_eq!(printed["verdict"], "FAIL");
    // The corrected statement: μ/2 is the harmonic gap and K ≥ μP holds with the paper's C, Ĉ.
    let corrected = row(&report, "lemma7", "mu-harmonic-gap");
    assert!(min_eig(k[0] - mu * p[0], k[1] - mu * p[1], k[2] - mu * p[2]) >= -1e-12);
    assert!((q(corrected, "mu_paper_halved").0 - g / 2.0).abs() < 1e-14);
    assert_eq!(corrected["verdict"], "PASS");
}

#[test]
fn overdamped_claims_echo_every_key() {
    let report = run_set("lemma3", &["potential=x^2/2 + y^2", "lr=0.1", "beta=3", "batch=4"]);
    echoes(&report, "lemma3", "potential", &"x^2/2 + y^2".into());
    echoes(&report, "lemma3", "hyper", &serde_json::json!({"lr": 0.1, "beta": 3.0, "batch": 4.0}));
    // Lemma 3 holds exactly for constant β: e^{−ηL} with η = 2M/(γβ) spans the kernel of (5).
    let eta = report["checks"][0]["setting"]["eta"].as_f64().unwrap();
    assert!((eta - 8.0 / 0.3).abs() < 1e-12, "{eta}");
    assert_eq!(report["checks"][0]["verdict"], "PASS");

    let report = run_set("lemma2", &["potential=x^4/4 - x^2/2 + 0.05*x", "from=1", "to=-1"]);
    echoes(&report, "lemma2", "potential", &"x^4/4 - x^2/2 + 0.05*x".into());
    echoes(&report, "lemma2", "from", &1.0.into());
    echoes(&report, "lemma2", "to", &(-1.0).into());

    // The minimum from x = 1 solves x³ − x + 0.2 = 0 with x > 0.
    let report = run_set("theorem2", &["potential=x^4/4 - x^2/2 + 0.2*x + 1", "minimum=1"]);
    echoes(&report, "theorem2", "potential", &"x^4/4 - x^2/2 + 0.2*x + 1".into());
    for c in rows(&report, "theorem2") {
        let x = c["setting"]["minimum"][0].as_f64().unwrap();
        assert!(x > 0.5 && (x * x * x - x + 0.2).abs() < 1e-10, "{x}");
    }

    // (x² − 1)²(1 + 0.3x + x²): L(±1) = 0, L''(−1) = 8·1.7, L''(1) = 8·2.3.
    let spec = "(x^2 - 1)^2*(1 + 0.3*x + x^2)";
    let report = run_set("eq8", &[&format!("potential={spec}"), "minimum_1=-0.9", "minimum_2=1.2"]);
    echoes(&report, "eq8", "potential", &spec.into());
    for c in rows(&report, "eq8") {
        assert!((c["setting"]["minimum_1"][0].as_f64().unwrap() + 1.0).abs() < 1e-10);
        assert!((c["setting"]["minimum_2"][0].as_f64().unwrap() - 1.0).abs() < 1e-10);
        let paper = q(c, "sqrt(det H2/det H1)").0;
        assert!((paper - (2.3f64 / 1.7).sqrt()).abs() < 1e-9, "{paper}");
    }
}

#[test]
fn kinetic_claims_echo_every_key() {
    let kinetic = ["potential=x^4/4 - x^2/2 + 0.1*x", "friction=2", "diffusion_v=0.25"];
    for claim in ["lemma4", "lemma5"] {
        let report = run_set(claim, &kinetic);
        records(&report, claim, &kinetic);
        echoes(&report, claim, "potential", &"x^4/4 - x^2/2 + 0.1*x".into());
        echoes(&report, claim, "friction", &2.0.into());
        echoes(&report, claim, "diffusion_v", &0.25.into());
        // Lemmas 4 and 5 are identities that hold for every confining L.
        assert_ne!(report["checks"][0]["verdict"], "FAIL", "{claim}");
    }
    let with_cl = ["potential=x^2/2 + exp(-x^2)", "friction=2", "diffusion_v=0.25", "cl=1.5"];
    for claim in ["lemma6", "theorem3"] {
        let report = run_set(claim, &with_cl);
        records(&report, claim, &with_cl);
        echoes(&report, claim, "potential", &"x^2/2 + exp(-x^2)".into());
        echoes(&report, claim, "friction", &2.0.into());
        echoes(&report, claim, "diffusion_v", &0.25.into());
        echoes(&report, claim, "C_L", &1.5.into());
    }
}

#[test]
fn bad_settings_are_refused_before_anything_runs() {
    let cases: &[&[&str]] = &[
        &["run", "theorem1", "--set", "foo=1"],
        &["run", "theorem1", "--set", "diffusion"],
        &["run", "theorem1", "--set", "=3"],
        &["run", "theorem1", "--set", "diffusion=abc"],
        &["run", "theorem1", "--set", "diffusion=-1"],
        &["run", "theorem1", "--set", "diffusion=NaN"],
        &["run", "theorem1", "--set", "diffusion=1", "--set", "diffusion=2"],
        &["run", "theorem1", "--set", "potential=x^3"],
        &["run", "theorem1", "--set", "potential=x^2 +"],
        &["run", "theorem1", "--set", "potential=x^2 + y^2 + z^2"],
        &["run", "lemma2", "--set", "potential=x^2 + y^2"],
        &["run", "lemma7", "--set", "momentum=1"],
        &["run", "lemma7", "--set", "cl=1e-12"],
        &["run", "theorem2", "--set", "minimum=0"],
        &["run", "theorem2", "--set", "minimum=1,2"],
        &["run", "eq8", "--set", "potential=x^4/4 - x^2/2 + 0.1*x"],
        &["run", "--set", "diffusion=1"],
        &["run", "theorem1", "lemma7", "--set", "lr=1"],
        &["run", "theorem1", "--set", "diffusion=1", "--expect", "fixtures/findings.json"],
        &["run", "lemma1", "--set", "diffusion=0"],
        &["run", "lemma1", "--set", "diffusion=0.1", "--set", "diffusion_tanh=0.1"],
        &["run", "lemma1", "--set", "potential=x^2 + y^2"],
        &["run", "lemma1", "--set", "potential=50*x^4"],
        &["run", "no-such-claim", "--set", "diffusion=1"],
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
fn list_settings_names_every_key_and_every_default_is_valid() {
    let (code, out, err) = cli(&["list", "--settings"]);
    assert_eq!(code, 0, "{err}");
    for claim in theorems::registry() {
        match claim.settable {
            Settable::Fixed(_) => assert!(out.contains(&format!("{}: no settings", claim.id)), "{}", claim.id),
            Settable::Keys { specs, check, .. } => {
                assert!(out.contains(&format!("\n{}: ", claim.id)), "{}", claim.id);
                for s in specs {
                    assert!(out.contains(&format!("  {:<12} {}", s.key, s.meaning)), "{}: {}", claim.id, s.key);
                }
                let defaults = Settings::parse(claim.id, specs, &[]).expect("defaults parse");
                check(&defaults).expect("defaults pass the claim's check");
            }
        }
    }
}

#[test]
fn sgd_claims_echo_every_key() {
    let given = ["potential=x^2", "lr=0.05", "batch=32", "momentum=0.5"];
    let report = run_set("sgd-stationary", &given);
    records(&report, "sgd-stationary", &given);
    echoes(&report, "sgd-stationary", "potential", &"x^2".into());
    echoes(&report, "sgd-stationary", "lr", &0.05.into());
    echoes(&report, "sgd-stationary", "batch", &32.into());
    echoes(&report, "sgd-stationary", "momentum", &0.5.into());
    // The Fokker–Planck variance of (9) for L = a w²/2 is D/((1 − ξ)a), D = γβ/(2M), β = 4.
    let printed = row(&report, "sgd-stationary", "stationary-law-is-gibbs");
    let truth = 0.05 * 4.0 / (2.0 * 32.0) / (0.5 * 2.0);
    let fp = q(printed, "variance[0] Fokker–Planck").0;
    assert!((fp - truth).abs() <= 1e-6 * truth, "{fp} vs {truth}");

    let given = ["potential=x^4/4 - x^2/2 + 0.05*x", "from=1", "to=-1", "radius=0.1"];
    let report = run_set("sgd-escape", &given);
    records(&report, "sgd-escape", &given);
    echoes(&report, "sgd-escape", "potential", &"x^4/4 - x^2/2 + 0.05*x".into());
    echoes(&report, "sgd-escape", "radius", &0.1.into());
    echoes(&report, "sgd-escape", "from", &serde_json::json!([1.0]));
    echoes(&report, "sgd-escape", "to", &serde_json::json!([-1.0]));
}

#[test]
fn lemma1_on_the_ou_process() {
    // L = x²/2 with constant D = 0.5 from N(1, 0.1²): the Ornstein–Uhlenbeck law at time t is
    // N(e^{−t}, 0.01 e^{−2t} + D(1 − e^{−2t})) exactly; both flux forms are that equation.
    let given = ["potential=x^2/2", "diffusion=0.5", "diffusion_tanh=0", "start=1"];
    let report = run_set("lemma1", &given);
    records(&report, "lemma1", &given);
    echoes(&report, "lemma1", "potential", &"x^2/2".into());
    echoes(&report, "lemma1", "diffusion", &"constant D = 0.5".into());
    for reading in ["fp-eq5", "no-grad-d-term"] {
        let r = row(&report, "lemma1", reading);
        for t in [0.25, 1.0, 3.0] {
            let decay = (-2.0f64 * t).exp();
            let (mean, e) = q(r, &format!("reference mean at t={t}"));
            assert!((mean - (-t).exp()).abs() <= e + 1e-9, "{reading} t={t}: mean {mean} ± {e}");
            let (var, e) = q(r, &format!("reference variance at t={t}"));
            let truth = 0.01 * decay + 0.5 * (1.0 - decay);
            assert!((var - truth).abs() <= e + 1e-9, "{reading} t={t}: variance {var} ± {e} vs {truth}");
        }
        // Constant D: the control is the same equation and must behave as (5).
        assert_eq!(r["verdict"], "PASS", "{reading}");
    }
}

/// Issue 9: a quadrature study out of levels is reported, not refused (exit 3: not converged). L = x² + y² + 0.1|x − 1|
/// has a kink on the line x = 1, where e^{−2L} still weighs e^{−2}: the polar rule for Z cannot
/// reach 1e-11 in its levels, so every theorem2 row is INCONCLUSIVE with the best estimate and
/// its honest error. Inside the balls (|w − w̌| ≤ 0.3 about w̌ = (0.05, 0)) L is the radial
/// quadratic 0.0975 + |w − w̌|², so the small-ball ratio, which does not involve Z, has the
/// closed form ηε² / (1 − e^{−ηε²}).
#[test]
fn theorem2_reports_an_unconverged_quadrature_as_inconclusive() {
    let report = run_set_ending("theorem2", &["potential=x^2 + y^2 + 0.1*sqrt((x - 1)^2)", "minimum=0,0"], 3);
    let all = rows(&report, "theorem2");
    assert_eq!(all.len(), 6);
    for c in &all {
        assert_eq!(c["verdict"], "INCONCLUSIVE", "{c}");
        assert!(c["evidence"].as_str().unwrap().starts_with("not converged ("), "{c}");
        assert!(!c["not_converged"].as_array().unwrap().is_empty(), "{c}");
    }
    let (p, e) = q(row(&report, "theorem2", "literal-limit"), "P(eps_min)");
    assert!(p > 0.0 && p < 1.0 && e > 0.0 && e.is_finite(), "P = {p} ± {e}");
    let (ratio, error) = q(row(&report, "theorem2", "small-ball-asymptote"), "asymptote/P at eps_min");
    let (eta, eps) = (2.0f64, 0.001f64);
    let exact = eta * eps * eps / -(-eta * eps * eps).exp_m1();
    assert!((ratio - exact).abs() <= error + 1e-12, "{ratio} ± {error:.1e} vs {exact}");
}

/// Issue 9: eq8's Gibbs integrals out of levels give INCONCLUSIVE rows with their best estimates
/// (they were a claim error). L = (x² − 1)² + y² + 0.1|y − 0.2| has equal-height minima at
/// (±1, 0.05) and a kink on the line y = 0.2, 0.15 from each: the polar rules cannot reach their
/// tolerance, so every row is INCONCLUSIVE, with finite best estimates. By the symmetry x → −x
/// the ball ratios are 1, inside their errors.
#[test]
fn eq8_reports_an_unconverged_quadrature_as_inconclusive() {
    let report = run_set_ending(
        "eq8",
        &["potential=(x^2 - 1)^2 + y^2 + 0.1*sqrt((y - 0.2)^2)", "minimum_1=-1,0", "minimum_2=1,0"],
        3,
    );
    let all = rows(&report, "eq8");
    assert_eq!(all.len(), 4);
    for c in &all {
        assert_eq!(c["verdict"], "INCONCLUSIVE", "{c}");
        assert!(c["evidence"].as_str().unwrap().starts_with("not converged ("), "{c}");
        assert!(!c["not_converged"].as_array().unwrap().is_empty(), "{c}");
    }
    let (ratio, error) = q(row(&report, "eq8", "small-eps-density-ratio"), "P1/P2 at eps=1e-4");
    assert!((ratio - 1.0).abs() <= error + 1e-12 && error.is_finite(), "{ratio} ± {error:.1e}");
}

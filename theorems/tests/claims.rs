//! The machine-checked appendix for the overdamped claims: each finding is asserted from a fresh
//! computation, never from stored numbers. Rows are selected by claim, role and reading id.

mod common;
use common::{finding, row, rows, run, show};
use serde_json::json;
use theorems::check::{Role, Verdict};
use theorems::findings::ClaimVerdict;

#[test]
fn lemma1_ito_fokker_planck_matches_the_ensemble_and_the_control_has_power() {
    let checks = run("lemma1");
    show(&checks);
    assert!(rows(&checks, Role::AsPrinted, "fp-eq5").iter().all(|c| c.verdict == Verdict::Pass));
    // Without the ∇D·p term: the same as (5) for constant D (must pass), rejected for D(w).
    let controls = rows(&checks, Role::Control, "no-grad-d-term");
    assert_eq!(controls.len(), 2);
    assert!(controls.iter().all(|c| c.control_ok() == Some(true)), "a control failed");
    let varying = controls.iter().find(|c| c.expected == Some(Verdict::Fail)).expect("the D(w) control");
    assert_eq!(varying.verdict, Verdict::Fail);
    assert_eq!(varying.outcome(), "control behaves as expected");
    assert_eq!(finding("lemma1", &checks).verdict, ClaimVerdict::Holds);
}

#[test]
fn lemma2_eyring_kramers_is_the_small_noise_limit() {
    // d = 1: exact times; d = 2: times to ≤ 1e-8 down to D = 0.003125 (e^{ΔL/D} ≈ 6e34), and the
    // Neville extrapolation in D over D ≤ 0.025 gives 1 within ~3e-5.
    let checks = run("lemma2");
    show(&checks);
    for id in ["ek-1d-symmetric", "ek-1d-tilted-from-left", "ek-1d-tilted-from-right", "ek-2d-eps-ball"] {
        assert_eq!(rows(&checks, Role::AsPrinted, id).len(), 1, "{id}");
    }
    assert!(checks.iter().all(|c| c.verdict == Verdict::Pass));
    assert_eq!(finding("lemma2", &checks).verdict, ClaimVerdict::Holds);
}

#[test]
fn lemma3_gibbs_kernel_for_constant_beta_and_not_gibbs_for_varying_beta() {
    let checks = run("lemma3");
    for c in rows(&checks, Role::AsPrinted, "gibbs-kernel") {
        assert_eq!(c.verdict, Verdict::Pass, "{}: {}", c.reading, c.evidence);
        // The control with the wrong temperature is resolved far from the kernel.
        assert!(c.quantities["overlap_defect_at_1.2eta_control"].value > 1e-3);
    }
    let gibbs = rows(&checks, Role::Reading, "varying-beta-gibbs");
    assert_eq!(gibbs[0].verdict, Verdict::Fail, "{}", gibbs[0].evidence);
    let open = rows(&checks, Role::Reading, "varying-beta-open-remark");
    assert!(open[0].quantities["relative_L2_distance_to_zero_flux_formula"].value < 1e-6);
    assert_eq!(finding("lemma3", &checks).verdict, ClaimVerdict::Holds);
}

#[test]
fn theorem1_bound_fails_with_c_p_of_eq7_and_holds_with_c_p_of_p_inf() {
    let checks = run("theorem1");
    assert!(rows(&checks, Role::Reading, "cp-p-inf-eq18").iter().all(|c| c.verdict == Verdict::Pass));
    assert!(rows(&checks, Role::Corrected, "pure-exponential").iter().all(|c| c.verdict == Verdict::Pass));
    // The double well at D = 0.05 is a counterexample under the reading of (7): C_P(e^{-L})·D
    // exceeds the true decay rate 2λ1 of ‖h‖².
    let eq7 = rows(&checks, Role::AsPrinted, "cp-eq7");
    let fail = eq7.iter().find(|c| c.setting["potential"] == "double-well" && c.setting["diffusion"] == 0.05).unwrap();
    assert_eq!(fail.verdict, Verdict::Fail);
    assert!(fail.quantities["rate_used"].value > fail.quantities["true_decay_rate_of_h2"].value);
    // ‖h(0)‖² from the eigen-expansion matches the exact integral Z∞Z_2a/Z_a² − 1.
    for c in &checks {
        if let (Some(a), Some(b)) = (c.quantities.get("h0_squared"), c.quantities.get("h0_squared_exact_integral")) {
            assert!((a.value - b.value).abs() <= 1e-6 * b.value, "{} vs {}", a.value, b.value);
        }
    }
    // The batch-size remark: the gap of the convex quadratic does not depend on M.
    let remark = rows(&checks, Role::AsPrinted, "remark-batch-size");
    assert_eq!(remark[0].verdict, Verdict::Fail);
    let q1 = remark[0].quantities["gap[quadratic (convex)][M=1]"].value;
    let q8 = remark[0].quantities["gap[quadratic (convex)][M=8]"].value;
    assert!((q1 - 1.0).abs() < 1e-8 && (q8 - 1.0).abs() < 1e-8);
    // The claim: false, with the strongest counterexample among the as-printed rows, and the
    // pure exponential as the verified corrected statement.
    let f = finding("theorem1", &checks);
    assert_eq!(f.verdict, ClaimVerdict::False);
    let ce = f.counterexample.expect("a counterexample");
    assert!(ce.row.starts_with("theorem1:cp-eq7#"), "{}", ce.row);
    assert!(ce.margin.unwrap().value > 0.0, "the bound's rate exceeds the true one");
    assert_eq!(f.corrected.expect("corrected").row, "theorem1:pure-exponential");
}

#[test]
fn theorem2_formula_fails_before_the_limit_and_the_asymptotes_hold() {
    let checks = run("theorem2");
    show(&checks);
    let verdict = |role, id| rows(&checks, role, id).iter().map(|c| c.verdict).collect::<Vec<_>>();
    assert!(verdict(Role::AsPrinted, "rhs-small-eps").iter().all(|v| *v == Verdict::Fail));
    assert!(verdict(Role::Reading, "repaired-rhs-small-eps").iter().all(|v| *v == Verdict::Fail));
    assert!(verdict(Role::Reading, "rhs-large-eta").iter().all(|v| *v == Verdict::Fail));
    // The literal limit 0 = 0 is true and vacuous.
    assert!(verdict(Role::Reading, "literal-limit").iter().all(|v| *v == Verdict::Pass));
    assert!(verdict(Role::Corrected, "small-ball-asymptote").iter().all(|v| *v == Verdict::Pass));
    assert!(verdict(Role::Corrected, "laplace-large-eta").iter().all(|v| *v == Verdict::Pass));
    let f = finding("theorem2", &checks);
    assert_eq!(f.verdict, ClaimVerdict::False);
    assert_eq!(f.corrected.expect("corrected").row, "theorem2:small-ball-asymptote");
}

#[test]
fn eq8_fails_as_eps_to_zero_and_holds_as_eta_to_infinity() {
    let checks = run("eq8");
    show(&checks);
    for c in rows(&checks, Role::AsPrinted, "small-eps-ball-ratio") {
        assert_eq!(c.verdict, Verdict::Fail, "{}", c.evidence);
    }
    // What the ratio does tend to as ε → 0: the density ratio, 1 at equal heights, in 1D, 2D, 3D.
    let density = rows(&checks, Role::Corrected, "small-eps-density-ratio");
    assert_eq!(density.len(), 3);
    assert!(density.iter().all(|c| c.verdict == Verdict::Pass));
    for id in ["large-eta-ball-ratio", "large-eta-basin-ratio"] {
        assert!(rows(&checks, Role::Corrected, id).iter().all(|c| c.verdict == Verdict::Pass), "{id}");
    }
    let f = finding("eq8", &checks);
    assert_eq!(f.verdict, ClaimVerdict::False);
    assert_eq!(f.corrected.expect("corrected").row, "eq8:small-eps-density-ratio");
    let in_1d = row(&checks, Role::AsPrinted, "small-eps-ball-ratio", "potential", json!(theorems::eq8::SETTINGS[0]));
    assert!(in_1d.margin.as_ref().unwrap().relative().lo() > 0.0);
}

#[test]
fn assumptions_hold_on_the_fixtures() {
    for id in ["assumption-a1", "assumption-a2", "assumption-a3", "assumption-a4"] {
        let checks = run(id);
        assert!(checks.iter().all(|c| c.role == Role::AsPrinted && c.verdict == Verdict::Pass), "{id}");
        assert_eq!(finding(id, &checks).verdict, ClaimVerdict::Holds, "{id}");
    }
}

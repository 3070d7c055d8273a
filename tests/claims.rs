//! The machine-checked appendix for the overdamped claims: each finding is asserted from a fresh
//! computation, never from stored numbers.

use theorems::check::{Check, Verdict};

fn quiet(_: &str) {}

fn by_reading<'a>(checks: &'a [Check], needle: &str) -> Vec<&'a Check> {
    checks.iter().filter(|c| c.reading.contains(needle)).collect()
}

#[test]
fn lemma3_gibbs_kernel_for_constant_beta_and_not_gibbs_for_varying_beta() {
    let checks = theorems::lemma3::run(&quiet).unwrap();
    for c in by_reading(&checks, "constant β:") {
        assert_eq!(c.verdict, Verdict::Pass, "{}: {}", c.reading, c.evidence);
        // The control with the wrong temperature is resolved far from the kernel.
        assert!(c.quantities["overlap_defect_at_1.2eta_control"].value > 1e-3);
    }
    let gibbs = by_reading(&checks, "is the stationary density Gibbs");
    assert_eq!(gibbs[0].verdict, Verdict::Fail, "{}", gibbs[0].evidence);
    let open = by_reading(&checks, "remark after Lemma 3");
    assert!(open[0].quantities["relative_L2_distance_to_zero_flux_formula"].value < 1e-6);
}

#[test]
fn theorem1_bound_fails_with_c_p_of_eq7_and_holds_with_c_p_of_p_inf() {
    let checks = theorems::theorem1::run(&quiet).unwrap();
    let eq7 = by_reading(&checks, "C_P of (7)");
    let pinf = by_reading(&checks, "as applied at (18)");
    let nearest = by_reading(&checks, "nearest correct statement");
    assert!(pinf.iter().all(|c| c.verdict == Verdict::Pass));
    assert!(nearest.iter().all(|c| c.verdict == Verdict::Pass));
    // The double well at D = 0.05 is a counterexample under the reading of (7): C_P(e^{-L})·D
    // exceeds the true decay rate 2λ1 of ‖h‖².
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
    let remark = by_reading(&checks, "batch size M grows");
    assert_eq!(remark[0].verdict, Verdict::Fail);
    let q1 = remark[0].quantities["gap[quadratic (convex)][M=1]"].value;
    let q8 = remark[0].quantities["gap[quadratic (convex)][M=8]"].value;
    assert!((q1 - 1.0).abs() < 1e-8 && (q8 - 1.0).abs() < 1e-8);
}

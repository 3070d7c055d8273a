//! The findings of the SGD claims, asserted with larger budgets than the default report run.

use theorems::check::Verdict;
use theorems::{sgd_escape, sgd_stationary};

fn quiet(_: &str) {}

#[test]
fn stationary_findings() {
    let checks = sgd_stationary::run(&quiet).unwrap();
    for c in &checks {
        println!("{} {}: {}", c.verdict.label(), c.reading, c.evidence);
    }
    // Exact discrete laws (SGD, momentum SGD, 2D SGD) and the first-order law: PASS.
    for c in
        checks.iter().filter(|c| c.reading_id.ends_with("matches-exact-discrete") || c.reading_id == "first-order-law")
    {
        assert_eq!(c.verdict, Verdict::Pass, "{}", c.evidence);
    }
    // The Fokker–Planck variance is off by more than the interval in every quadratic case.
    for c in checks.iter().filter(|c| c.reading_id.ends_with("matches-exact-discrete")) {
        let sim = c.quantities["variance[0] simulated"];
        let fp = c.quantities["variance[0] Fokker–Planck"];
        assert!((sim.value - fp.value).abs() > sim.error + fp.error);
    }
}

#[test]
fn gap_order_is_one() {
    let c = sgd_stationary::order_check(4000).unwrap();
    println!("{} {}", c.verdict.label(), c.evidence);
    let order = c.quantities["order"];
    let exact = c.quantities["exact order"];
    assert!(order.lo() > 0.5 && (order.value - exact.value).abs() <= order.error, "{}", c.evidence);
}

/// The default escape count is the one the precision target asks for (1.96·CV/√C ≤ tol/2 at
/// CV = 1), not a tuned number.
#[test]
fn escape_count_follows_from_the_precision_target() {
    let needed = (fpspectral::sgd::observe::Z95 / sgd_escape::HALF_WIDTH).powi(2).ceil() as usize;
    assert_eq!(sgd_escape::ESCAPES, needed);
    assert_eq!(sgd_escape::HALF_WIDTH, sgd_escape::RATIO_TOL / 2.0);
}

#[test]
fn escape_ratio_tends_to_one() {
    let checks = sgd_escape::run_with(&quiet, 8000).unwrap();
    for c in &checks {
        println!("{} {}", c.verdict.label(), c.evidence);
        assert_eq!(c.verdict, Verdict::Pass, "{}", c.evidence);
        // The ratio at the largest γ is below 1 by more than its interval in neither or both…
        // the resolved finding: the smallest-γ ratio is within 5% of 1.
        let r = c.quantities["ratio at γ=0.05"];
        assert!((r.value - 1.0).abs() + r.error < 0.05);
    }
}

/// Figure 3's reading on the synthetic double well: the ordering "larger batch, slower" fails
/// between (γ, M) = (0.1, 128) and (0.2, 256), whose D = γβ/(2M) is equal but whose clock
/// t = kγ runs twice as fast per step.
#[test]
fn batch_ordering_fails_between_equal_diffusions() {
    let checks = theorems::sgd_batch::run(&quiet).unwrap();
    let ordering = checks.iter().find(|c| c.reading_id == "larger-batch-slower-to-flat").unwrap();
    println!("{}", ordering.evidence);
    assert_eq!(ordering.verdict, Verdict::Fail);
    let m128 = ordering.quantities["flat fraction γ=0.1, M=128"];
    let m256 = ordering.quantities["flat fraction γ=0.2, M=256"];
    assert!(m256.lo() > m128.hi());
}

/// The logistic risk's own per-sample gradient covariance is not isotropic over the visited
/// region (a finding against the independent eigen-decomposition of Σ(w)).
#[test]
fn logistic_noise_is_anisotropic() {
    let checks = theorems::noise_isotropy::run(&quiet).unwrap();
    let c = &checks[0];
    println!("{} {}", c.verdict.label(), c.evidence);
    let kappa = c.quantities["anisotropy λmax/λmin at w*"];
    assert!(kappa.value > 1.0);
    assert_ne!(c.verdict, Verdict::Pass);
}

/// Figure 4's reading on the double well: the larger batch is slower to the flat basin (PASS)
/// but does not end sharper (FAIL: e^{−L/T} at the lower T is flatter here); the kinetic
/// evolution (9) reaches Lemma 4's law, computed independently by quadrature, at the end of the
/// run where it has relaxed (ξ = 0.9).
#[test]
fn momentum_batch_findings() {
    let checks = theorems::msgd_batch::run(&quiet).unwrap();
    for c in &checks {
        println!("{} {}: {}", c.verdict.label(), c.reading_id, c.evidence);
    }
    let by = |id: &'static str| checks.iter().filter(move |c| c.reading_id == id);
    assert!(by("larger-batch-slower-to-flat").all(|c| c.verdict == Verdict::Pass));
    assert!(by("larger-batch-ends-sharper").all(|c| c.verdict == Verdict::Fail));
    assert!(by("slower-but-ends-at-gibbs").all(|c| c.verdict == Verdict::Pass));
    let p = fpspectral::Expression::parse(theorems::sgd_batch::RISK).unwrap();
    for batch in [64, 128] {
        let run = theorems::msgd_batch::run_pair(&p, 0.9, batch, 16, 1).unwrap();
        let last = run.kinetic.last().unwrap();
        for (k, g) in last.iter().zip(&run.gibbs) {
            assert!((k.value - g).abs() < 1e-3, "M={batch}: {} vs {g}", k.value);
        }
    }
}

/// The corrected statement of Figure 3's reading: ordered by D at equal t = kγ.
#[test]
fn batch_corrected_statement_holds() {
    let checks = theorems::sgd_batch::run(&quiet).unwrap();
    let c = checks.iter().find(|c| c.reading_id == "smaller-diffusion-slower-at-equal-time").unwrap();
    println!("{}", c.evidence);
    assert_eq!(c.verdict, Verdict::Pass);
}

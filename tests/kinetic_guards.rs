//! Regression tests of issue 8 for the kinetic decay rates: parameters outside what the method
//! resolves are refused, critical damping is answered, a stiff potential gets a basis of its own
//! scale, errors cover the exactly known harmonic spectra whether or not the study converged,
//! and the memory guard predicts before it allocates. The truth is the harmonic kinetic spectrum:
//! for L = ½ω²x² the rates are {a λ₊ + b λ₋}, λ± = (g ± √(g² − 4ω²))/2, for any D_v.

use faer::c64;
use fpspectral::basis::IndexSet;
use fpspectral::budget::{memory_budget, set_memory_budget};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::plan::lu_fill_bound;
use fpspectral::kinetic::spectrum::{
    basis_of_size, decay_rates, default_axes, rates_on, rates_on_level, KineticOptions, KineticPath, KineticRates,
};
use fpspectral::kinetic::KineticParams;
use fpspectral::{EngineError, Expression};
use std::sync::Mutex;

/// The memory budget is process-wide: tests that depend on it run one at a time.
static BUDGET: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    BUDGET.lock().unwrap_or_else(|e| e.into_inner())
}

/// The exact rates of one harmonic degree of freedom (im folded to ≥ 0), ascending by re then im,
/// without repetitions: a λ₊ + b λ₋, a + b ≥ 1.
fn harmonic_rates(g: f64, omega: f64, count: usize) -> Vec<c64> {
    let disc = c64::new(g * g - 4.0 * omega * omega, 0.0).sqrt();
    let (lp, lm) = ((c64::new(g, 0.0) + disc) / 2.0, (c64::new(g, 0.0) - disc) / 2.0);
    let mut out: Vec<c64> = Vec::new();
    for a in 0..10 {
        for b in 0..10 {
            if a + b == 0 {
                continue;
            }
            let l = lp * a as f64 + lm * b as f64;
            let l = c64::new(l.re, l.im.abs());
            if !out.iter().any(|q| (q - l).norm() < 1e-9 * (1.0 + l.norm())) {
                out.push(l);
            }
        }
    }
    out.sort_by(|x, y| x.re.total_cmp(&y.re).then(x.im.total_cmp(&y.im)));
    out.truncate(count);
    out
}

fn rates(spec: &str, g: f64, dv: f64, count: usize, tolerance: f64) -> fpspectral::Result<KineticRates> {
    let pot = Expression::parse(spec)?;
    let problem = Kinetic::new(&pot, KineticParams::new(g, dv)?)?;
    decay_rates(&problem, &KineticOptions { count, tolerance, ..Default::default() })
}

/// Every reported rate lies within its stated error of an exact one, and the i-th reported rate
/// within its error of the i-th exact one (the order is right).
fn assert_covered(r: &KineticRates, exact: &[c64], what: &str) {
    for (i, ((re, im), err)) in r.values.iter().zip(&r.errors).enumerate() {
        let miss = (c64::new(*re, *im) - exact[i]).norm();
        assert!(
            miss <= *err,
            "{what}: rate {i} = {re} + {im}i ± {err:.2e} misses the exact {:?} by {miss:.2e}",
            exact[i]
        );
        assert!(*re >= 0.0 && err.is_finite(), "{what}: {re} ± {err}");
    }
}

#[test]
fn critical_damping_answers_one() {
    let _guard = serial();
    // g = 2ω: λ₊ = λ₋ = 1, a Jordan block; rates 1, 2, 3 (each defective).
    let r = rates("x^2/2", 2.0, 0.5, 1, 1e-6).unwrap();
    assert!(r.study.converged, "{:?} ± {:?}", r.values, r.errors);
    assert_covered(&r, &[c64::new(1.0, 0.0)], "g = 2ω");
    assert!(r.errors[0] <= 1e-6);
    // At the default 1e-8 the spread of the Jordan pair (~√ε) may exceed the tolerance: then the
    // study says so, with an error that still covers the truth.
    let r = rates("x^2/2", 2.0, 0.5, 3, 1e-8).unwrap();
    assert_covered(&r, &harmonic_rates(2.0, 1.0, 3), "g = 2ω, three rates");
    assert!(r.study.converged == (r.rel_error <= 1e-8));
    for g in [1.999, 2.001] {
        let r = rates("x^2/2", g, 0.5, 3, 1e-8).unwrap();
        assert!(r.study.converged, "g = {g}: {:?} ± {:?}", r.values, r.errors);
        assert_covered(&r, &harmonic_rates(g, 1.0, 3), &format!("g = {g}"));
    }
}

#[test]
fn stiff_potential_gets_its_own_scale() {
    let _guard = serial();
    // ω = 10⁴, g = 1: rates 0.5 ± 10⁴i, 1, 1 ± 2·10⁴i. The Gibbs width is 7·10⁻⁵; the shared
    // moment grid (spacing 5·10⁻³) made the basis 16× too wide before.
    let pot = Expression::parse("1e8*x^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    let scale = match axes[0] {
        fpspectral::kinetic::basis::WAxis::Hermite { scale, .. } => scale,
        _ => unreachable!(),
    };
    assert!((scale / 1e-4 - 1.0).abs() < 0.05, "scale {scale}");
    for tolerance in [1e-8, 1e-6] {
        let r = rates("1e8*x^2/2", 1.0, 0.5, 3, tolerance).unwrap();
        assert!(r.study.converged, "{:?} ± {:?}", r.values, r.errors);
        assert_covered(&r, &harmonic_rates(1.0, 1e4, 3), "1e8 x²/2");
    }
}

#[test]
fn errors_cover_harmonic_truth_converged_or_not() {
    let _guard = serial();
    // Over- and underdamped, extreme ratios g/ω, temperatures far from 1: converged or not, the
    // stated errors cover the exact spectrum (which does not depend on D_v).
    for (spec, omega, g, dv) in [
        ("x^2/2", 1.0, 1.0, 0.5),
        ("x^2/2", 1.0, 1000.0, 0.5),
        ("x^2/2", 1.0, 1e-3, 0.5),
        ("x^2/2", 1.0, 1.0, 1e-100),
        ("x^2/2", 1.0, 1.0, 1e3),
        ("4*x^2/2", 2.0, 0.5, 3.0),
        ("0.5*x^2/2", 0.5f64.sqrt(), 1.0, 0.5),
    ] {
        let r = rates(spec, g, dv, 2, 1e-8).unwrap();
        assert_covered(&r, &harmonic_rates(g, omega, 2), &format!("{spec}, g = {g}, D_v = {dv}"));
        assert!(r.rel_error.is_finite());
        assert_eq!(r.study.converged, r.rel_error <= 1e-8 && r.method.stopped == "converged");
    }
}

#[test]
fn unresolved_study_claims_no_digits() {
    let _guard = serial();
    // A double well at D_v = 10⁻⁶: the gap is exponentially small (Kramers, ~e^{-η'/4}), the
    // stationary density two spikes of width ~10⁻³ that 60 functions cannot resolve. The study
    // must not trust its level differences: not converged, and an error at least the value.
    let pot = Expression::parse("x^4/4 - x^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 1e-6).unwrap()).unwrap();
    let r =
        decay_rates(&problem, &KineticOptions { count: 1, tolerance: 1e-8, max_per_axis: 60, ..Default::default() })
            .unwrap();
    assert!(!r.study.converged);
    assert!(r.errors[0] >= r.values[0].0, "{:?} ± {:?}", r.values, r.errors);
}

#[test]
fn parameters_outside_double_precision_are_refused() {
    let _guard = serial();
    let refused = |r: fpspectral::Result<KineticRates>| match r {
        // Named as friction and diffusion, or as the temperature D_v/g they set.
        Err(EngineError::InvalidParameter(m)) => {
            assert!((m.contains("friction") && m.contains("diffusion")) || m.contains("D_v/g"), "{m}")
        }
        other => panic!("not refused: {other:?}"),
    };
    // η' = g/D_v = 10³⁰⁰: width 10⁻¹⁵⁰, whose square is no longer a normal number.
    refused(rates("x^2/2", 1.0, 1e-300, 3, 1e-8));
    // η' = 10⁻³⁰⁰: wider than any box the basis search covers.
    refused(rates("x^2/2", 1.0, 1e300, 3, 1e-8));
    // Around w = 1 a width of 10⁻¹⁵⁰ is below the spacing of the floating-point numbers.
    refused(rates("(x-1)^2", 1.0, 1e-300, 3, 1e-8));
    assert!(matches!(KineticParams::new(1e300, 1e-300), Err(EngineError::InvalidParameter(_))));
}

#[test]
fn sparse_level_falls_back_to_dense_for_far_oscillating_rates() {
    let _guard = serial();
    // ω = 10⁴: the rate 1 + 2·10⁴i lies far outside the disc around the real shift that the
    // sparse shift-invert solve explores; told that the previous level had it, the level is solved
    // densely and keeps it.
    let pot = Expression::parse("1e8*x^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    let basis = basis_of_size(&problem, &axes, 50, IndexSet::TotalDegree).unwrap();
    let far = harmonic_rates(1.0, 1e4, 3)[2];
    assert!((far - c64::new(1.0, 2e4)).norm() < 0.1);
    let blind = rates_on(&problem, &basis, 3, KineticPath::Sparse, 0.1).unwrap();
    assert!(blind.rates.iter().all(|l| (l - far).norm() > 1.0), "the sparse solve found it anyway: {:?}", blind.rates);
    let seen = rates_on_level(&problem, &basis, 3, KineticPath::Sparse, 0.1, &[far], &[]).unwrap();
    assert!(seen.dense && seen.rates.iter().any(|l| (l - far).norm() < 1e-6), "{:?}", seen.rates);
    assert!(blind.rates.len() == 3 && !blind.dense);
}

#[test]
fn memory_guard_predicts_before_allocating() {
    let _guard = serial();
    let pot = Expression::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    // The structural fill bound of the LU is at least the stored entries of G − σI.
    let axes = default_axes(&problem).unwrap();
    let basis = basis_of_size(&problem, &axes, 24, IndexSet::TotalDegree).unwrap();
    let g = problem.matrix(&basis).unwrap();
    let fill = lu_fill_bound(&fpspectral::eigen::shifted(&g, 0.1).unwrap()).unwrap();
    assert!(fill >= g.compute_nnz() as f64 && fill.is_finite());
    // A budget that a later level cannot fit: the study ends there, the levels so far decide.
    let default = memory_budget();
    set_memory_budget(3_000_000);
    let r = decay_rates(&problem, &KineticOptions { count: 1, tolerance: 1e-12, ..Default::default() });
    // A budget no level fits: refused, saying how large and what to change.
    set_memory_budget(100_000);
    let tiny = decay_rates(&problem, &KineticOptions { count: 1, tolerance: 1e-12, ..Default::default() });
    set_memory_budget(default);
    let r = r.unwrap();
    assert!(!r.study.converged && r.method.stopped.starts_with("memory"), "{}", r.method.stopped);
    assert!(r.errors[0].is_finite() && (r.values[0].0 - 0.3385887049929836).abs() <= r.errors[0]);
    match tiny {
        Err(EngineError::TooLarge(m)) => assert!(m.contains("would need") && m.contains("--max-memory"), "{m}"),
        other => panic!("not refused: {other:?}"),
    }
    // The periodic path is under the same guard (a non-periodic L on the circle has a dense force).
    // parse_periodic refuses a non-periodic L; the engine guard is tested on it all the same.
    let x2 = Expression::parse_unchecked("x^2/2").unwrap();
    let circle = Kinetic::periodic(&x2, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    set_memory_budget(50_000_000);
    // It ends (no timing asserted): stopped by the memory guard, or refused by it.
    let p = decay_rates(&circle, &KineticOptions { count: 1, tolerance: 1e-8, ..Default::default() });
    set_memory_budget(default);
    match p {
        Ok(r) => assert!(!r.study.converged && r.method.stopped.starts_with("memory"), "{}", r.method.stopped),
        Err(e) => assert!(matches!(e, EngineError::TooLarge(_)), "{e}"),
    }
}

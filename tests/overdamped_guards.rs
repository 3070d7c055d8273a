//! Regression tests of issue 8 for the overdamped engine (`spectrum::decay_rates`): every level
//! yields every rate asked for, tolerances outside (1e-15, 1e-2] are refused, errors are honest
//! against independent truths, and the memory and time of a level are predicted before it runs.
//! (The memory budget itself is process-wide, so its end-to-end test is a CLI test:
//! paper-checks/tests/overdamped_guards.rs.)

use fpspectral::basis::{HermiteBasis, IndexSet};
use fpspectral::operator::Overdamped;
use fpspectral::resolution::check_tolerance;
use fpspectral::spectrum::{decay_rates, plan_level, RateOptions, SolverPath};
use fpspectral::{EngineError, Expression, Potential};

fn rates(expr: &str, d: f64, count: usize, tolerance: f64) -> fpspectral::spectrum::Rates {
    let pot = Expression::parse(expr).unwrap();
    let op = Overdamped::new(&pot, d).unwrap();
    decay_rates(&op, &RateOptions { count, tolerance, ..Default::default() }).unwrap()
}

fn assert_within(r: &fpspectral::spectrum::Rates, truth: &[f64]) {
    for ((v, e), t) in r.values.iter().zip(&r.errors).zip(truth) {
        assert!((v - t).abs() <= *e, "{v} ± {e} misses {t} (converged = {})", r.study.converged);
    }
}

/// Independent reference for 1D: the symmetric finite-difference (Scharfetter–Gummel-type)
/// discretisation of the generator on [c − a, c + a], H_ii = D/h²(e^{(L_i − L_{i+1})/2D} +
/// e^{(L_i − L_{i−1})/2D}), H_{i,i±1} = −D/h², whose lowest eigenvalues (Sturm bisection) converge
/// as h², extrapolated twice (Richardson).
fn finite_difference_rates(expr: &str, d: f64, half: f64, count: usize) -> Vec<f64> {
    let pot = Expression::parse(expr).unwrap();
    let sturm = |diag: &[f64], off: f64, x: f64| -> usize {
        let mut below = 0;
        let mut q = 1.0;
        for (i, di) in diag.iter().enumerate() {
            q = if i == 0 { di - x } else { di - x - off * off / if q == 0.0 { 1e-300 } else { q } };
            below += usize::from(q < 0.0);
        }
        below
    };
    let level = |n: usize| -> Vec<f64> {
        let h = 2.0 * half / (n as f64 + 1.0);
        let l: Vec<f64> = (0..n + 2).map(|i| pot.value(&[-half + h * i as f64])).collect();
        let diag: Vec<f64> = (1..=n)
            .map(|i| d / (h * h) * (((l[i] - l[i + 1]) / (2.0 * d)).exp() + ((l[i] - l[i - 1]) / (2.0 * d)).exp()))
            .collect();
        let off = -d / (h * h);
        (1..=count)
            .map(|k| {
                let (mut lo, mut hi) = (0.0, 1e3);
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if sturm(&diag, off, mid) > k {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                0.5 * (lo + hi)
            })
            .collect()
    };
    let l: Vec<Vec<f64>> = [20_000, 40_000, 80_000].iter().map(|&n| level(n)).collect();
    (0..count)
        .map(|k| {
            let r1 = (4.0 * l[1][k] - l[0][k]) / 3.0;
            let r2 = (4.0 * l[2][k] - l[1][k]) / 3.0;
            (16.0 * r2 - r1) / 15.0
        })
        .collect()
}

#[test]
fn finite_difference_reference_reproduces_ou() {
    let fd = finite_difference_rates("x^2/2", 1.0, 20.0, 3);
    for (k, v) in fd.iter().enumerate() {
        assert!((v - (k + 1) as f64).abs() < 1e-7, "{fd:?}");
    }
}

/// Issue 8: `--count` 32…50 panicked in `assess` (the first 1D level had 32 functions and so
/// returned fewer than count + 1 eigenvalues).
#[test]
fn every_count_up_to_50_in_1d() {
    for count in [31, 32, 40, 50] {
        let r = rates("x^2/2", 1.0, count, 1e-10);
        assert_eq!(r.values.len(), count);
        assert!(r.study.levels.iter().all(|l| l.values.len() == count));
        assert!(r.study.converged);
        assert_within(&r, &(1..=count).map(|k| k as f64).collect::<Vec<_>>());
    }
}

#[test]
fn tolerance_outside_the_range_is_refused() {
    let pot = Expression::parse("x^2/2").unwrap();
    let op = Overdamped::new(&pot, 1.0).unwrap();
    for tol in [0.5, 1.0, 1e-15, 1e-16, 0.0, -1e-3, f64::NAN] {
        assert!(check_tolerance(tol).is_err(), "{tol}");
        let r = decay_rates(&op, &RateOptions { tolerance: tol, ..Default::default() });
        assert!(matches!(r, Err(EngineError::InvalidParameter(_))), "{tol}");
    }
    assert!(check_tolerance(1e-2).is_ok() && check_tolerance(2e-15).is_ok());
}

/// 1e8·x² at D = 1, tolerance 1e-2: the OU rates 2e8, 4e8, 6e8 lie within the error bars.
#[test]
fn stiff_quadratic_errors_are_honest() {
    let r = rates("1e8*x^2", 1.0, 3, 1e-2);
    assert_within(&r, &[2e8, 4e8, 6e8]);
}

/// cos(5x) + x²/10 at D = 1: the 0.124138 ± 4e-6 missed the truth 0.1241198. Truths from
/// the independent finite-difference reference.
#[test]
fn oscillating_potential_errors_are_honest() {
    let truth = finite_difference_rates("cos(5*x) + x^2/10", 1.0, 25.0, 3);
    assert!((truth[0] - 0.1241198).abs() < 1e-7, "{truth:?}");
    for tol in [1e-2, 1e-3, 1e-6] {
        let r = rates("cos(5*x) + x^2/10", 1.0, 3, tol);
        assert_within(&r, &truth);
    }
}

/// A nearly flat confining quadratic (rates 2e-6, 4e-6, 6e-6: sums of the Hessian's eigenvalues
/// 2e-6 and ≈ 20): whatever the study answers lies within its error bars, and an unconverged
/// study flags that its gap may be zero.
#[test]
fn nearly_flat_direction_is_honest_and_flagged() {
    let r = rates("10*(0.0436*x - 0.999*y)^2 + 1e-6*(x^2+y^2)", 1.0, 3, 1e-10);
    assert_within(&r, &[2e-6, 4e-6, 6e-6]);
    assert!(r.study.converged || r.gap_may_be_zero());
    // The exactly flat potential is refused at parse time; past that check, the study alone
    // must still not claim a gap.
    let flat = "10*(0.0436*x - 0.999*y)^2";
    assert!(matches!(Expression::parse(flat), Err(EngineError::NotConfining(_))));
    let pot = Expression::parse_unchecked(flat).unwrap();
    let op = Overdamped::new(&pot, 1.0).unwrap();
    let exact_zero = decay_rates(&op, &RateOptions { count: 1, tolerance: 1e-10, ..Default::default() }).unwrap();
    assert!(!exact_zero.study.converged && exact_zero.gap_may_be_zero());
    assert!(exact_zero.values[0] <= exact_zero.errors[0]);
}

/// The plan predicts the memory of a level before it runs: the dense factor of the 3D
/// case at total degree 20 (5.3 GB in the issue with the out-of-place QR) is a few GB, and the
/// prediction grows with the basis.
#[test]
fn level_plans_predict_memory_and_time() {
    let pot = Expression::parse("x^2/2+y^2/2+z^2/2 + 2*exp(-x^2-y^2-z^2)").unwrap();
    let op = Overdamped::new(&pot, 1.0).unwrap();
    let basis = |n: usize| HermiteBasis::new(vec![0.0; 3], vec![1.0; 3], vec![n; 3], IndexSet::TotalDegree).unwrap();
    let p16 = plan_level(&op, &basis(16), 10, SolverPath::Auto);
    let p20 = plan_level(&op, &basis(20), 10, SolverPath::Auto);
    assert!(!p20.sparse);
    assert!(p20.bytes > 2e9 && p20.bytes < 4e9, "{p20:?}");
    assert!(p16.bytes < p20.bytes && p16.seconds < p20.seconds);
    let poly = Expression::parse("x^4/4 - x^2/2 + y^2/2 + z^2/2").unwrap();
    let op = Overdamped::new(&poly, 0.3).unwrap();
    let p = plan_level(&op, &basis(31), 3, SolverPath::Auto);
    assert!(p.sparse && p.bytes < 5e8, "{p:?}");
}

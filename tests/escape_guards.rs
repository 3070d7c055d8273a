//! Regression tests of issue 8 for the engine: a study out of levels still gives its best
//! estimate, and parallel reductions do not depend on the thread count. (The evals' and claims'
//! guards are in theorems/tests/eval_guards.rs.)

use fpspectral::error::EngineError;
use fpspectral::quadrature::{best_effort, refine_log_integral_at};

#[test]
fn a_study_out_of_levels_gives_its_best_estimate_in_best_effort_mode() {
    // ln I changes by 1e-3, 5e-4, …: never within 1e-8 in four levels.
    // (ln of the level's sum, its rounding bound): exact sums here.
    let ln_sum = |level: usize| (1.0 + 1e-3 / (1u64 << level) as f64, 0.0);
    let strict = refine_log_integral_at("test study", 4, 1, 1e-11, 0.0, ln_sum);
    assert!(matches!(strict, Err(EngineError::NotConverged(_))), "{strict:?}");
    let (lenient, missed) = best_effort(|| refine_log_integral_at("test study", 4, 1, 1e-11, 0.0, ln_sum));
    let (q, level) = lenient.unwrap();
    assert_eq!(level, 3);
    assert!((q.ln - ln_sum(3).0).abs() < 1e-15 && (q.rel_error - 1.25e-4).abs() < 1e-12, "{q:?}");
    assert_eq!(missed.len(), 1);
    assert!(missed[0].contains("test study"));
    // The mode ends with the closure.
    assert!(refine_log_integral_at("test study", 4, 1, 1e-11, 0.0, ln_sum).is_err());
}

#[test]
fn parallel_dot_products_do_not_depend_on_the_thread_count() {
    let n = 300_000;
    let a: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.37).sin()).collect();
    let b: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.11).cos() * 1e3).collect();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| fpspectral::krylov::dot(&a, &b))
    };
    let one = on(1);
    for threads in [2, 3, 4] {
        assert_eq!(on(threads).to_bits(), one.to_bits(), "{threads} threads");
    }
}

/// Fuzz case 646 of seed 20261202 (`eval mfpt … --diffusion 1e-63` to a ball in 2D): the
/// annulus grid size overflowed usize (wrapping n·n past the node limit) and the allocation
/// panicked with "capacity overflow". It is refused as too large.
#[test]
fn a_tiny_diffusion_is_refused_not_a_capacity_overflow() {
    let pot = fpspectral::Expression::parse("x^2/2 + y^2/2 + (exp(x))").unwrap();
    let r = fpspectral::annulus::mfpt_annulus(&pot, 1e-63, [-1e-92, 0.043], [-1.871, 0.0], 0.2411, 1e-8);
    assert!(r.is_err(), "answered at D = 1e-63");
}

//! SGD on the data risks' own samples, the generalised discrete Lyapunov solver, and the
//! first-order laws, against exact truths (closed forms, Lyapunov solutions, the fixture's own
//! stored numbers).

use fpspectral::sgd::finite_sum::{mean_and_covariance, simulate_samples, Covariance, SampleGradients};
use fpspectral::sgd::lyapunov::{stationary, Quadratic};
use fpspectral::sgd::stationary::discrete_lyapunov;
use fpspectral::sgd::{Algorithm, ChainState, Method, Sampling};
use fpspectral::{Expression, Potential};
use nalgebra::DMatrix;
use theorems::check::{verdict_close, Verdict};
use theorems::common::{squared_loss, squared_loss_samples};
use theorems::noise_corrected::{predictions, simulate, BATCH, LR};
use theorems::risks::{Risk, SquaredLoss};

/// The stored samples reproduce the stored second moment (rounded to 4 decimals as before), and
/// their finite sum is the fixture's risk: minimiser w⁰ and value 1 there.
#[test]
fn squared_loss_samples_reproduce_the_fixture() {
    let risks = squared_loss_samples().unwrap();
    let Risk::SquaredLoss(SquaredLoss { design, w0, offset }) = squared_loss().unwrap() else {
        panic!("not squared loss")
    };
    let n = risks.len() as f64;
    let mut m = [[0.0; 2]; 2];
    for x in &risks.features {
        for i in 0..2 {
            for j in 0..2 {
                m[i][j] += x[i] * x[j] / n;
            }
        }
    }
    for i in 0..2 {
        for j in 0..2 {
            assert_eq!((m[i][j] * 1e4).round() / 1e4, design[i][j]);
        }
    }
    let w = risks.minimiser();
    assert!((w[0] - w0[0]).abs() < 1e-12 && (w[1] - w0[1]).abs() < 1e-12, "{w:?}");
    let value: f64 =
        risks.features.iter().zip(&risks.labels).map(|(x, y)| (x[0] * w0[0] + x[1] * w0[1] - y).powi(2)).sum();
    assert!((value / n - offset).abs() < 1e-12);
}

/// S = t S t + Σ α_j² S + q in one dimension: S = q / (1 − t² − Σ α_j²); and with no
/// multiplicative terms, the closed-form SGD and momentum SGD values of the linear recursions.
#[test]
fn discrete_lyapunov_matches_closed_forms() {
    let one = |v: f64| DMatrix::from_element(1, 1, v);
    let s = discrete_lyapunov(&one(0.9), &[one(0.2), one(0.1)], &one(0.5)).unwrap();
    assert!((s[(0, 0)] - 0.5 / (1.0 - 0.81 - 0.04 - 0.01)).abs() < 1e-12);
    assert!(discrete_lyapunov(&one(0.9), &[one(0.5)], &one(1.0)).is_err());
    let q = Quadratic::from_poly(&Expression::parse("x^2 + x*y + y^2").unwrap().poly().unwrap(), 2).unwrap();
    for method in [Method::Sgd, Method::Momentum { momentum: 0.6 }] {
        let alg = Algorithm { lr: 0.2, batch: 16, sampling: Sampling::WithReplacement, method };
        let want = stationary(&q, &alg, 0.25).unwrap().covariance_state;
        let (t, b) = fpspectral::sgd::lyapunov::linear_recursion(&q, &alg);
        let got = discrete_lyapunov(&t, &[], &(&b * b.transpose() * 0.25)).unwrap();
        assert!((got - want).abs().max() < 1e-12);
    }
}

/// SGD on the squared-loss samples is exactly a linear recursion with multiplicative noise: its
/// simulated variances match the generalised Lyapunov solution (B) within the 2 % target.
#[test]
fn squared_loss_sgd_matches_exact_law() {
    let risks = squared_loss_samples().unwrap();
    let pred = predictions(&risks, LR, BATCH).unwrap();
    let exact = pred.exact.unwrap();
    let sim = simulate(&risks, LR, BATCH, 2048, 5).unwrap();
    for i in 0..2 {
        println!("{i}: {:?} exact {} anisotropic {}", sim[i][i], exact[(i, i)], pred.anisotropic[(i, i)]);
        assert!(sim[i][i].error < 0.01 * sim[i][i].value);
        let exact_i = theorems::check::Quantity::exact(exact[(i, i)]);
        assert_eq!(verdict_close(sim[i][i], exact_i, 0.02), Verdict::Pass);
    }
}

/// Per-chain streams: the same records with one thread and with two.
#[test]
fn finite_sum_results_do_not_depend_on_threads() {
    let risks = theorems::common::logistic_samples().unwrap();
    let alg = Algorithm {
        lr: 0.1,
        batch: 4,
        sampling: Sampling::WithoutReplacement,
        method: Method::Momentum { momentum: 0.5 },
    };
    let initial = |_c: usize, _r: &mut fpspectral::sgd::ChainRng| ChainState::default();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let obs = Covariance { burn_in: 10, dim: 2 };
            let r = simulate_samples(&risks, alg, &initial, 16, 200, 3, &obs).unwrap();
            mean_and_covariance(&r, 2).1.iter().flatten().map(|q| (q.value, q.error)).collect::<Vec<_>>()
        })
    };
    assert_eq!(run(1), run(2));
}

/// noise-isotropy's rows: the Gibbs law with the isotropic fit fails on both data risks (its
/// covariance D̂H⁻¹ is off at O(1)); on the squared loss, Lyapunov with Σ(w*) fails by the
/// multiplicative noise it drops and Lyapunov with the averaged noise (= the exact law (B))
/// passes; on the logistic risk the default run's interval does not resolve the 2 % target, and
/// four times the chains do: the averaged-noise law passes there too.
#[test]
fn noise_isotropy_rows() {
    let checks = theorems::noise_isotropy::run(&|_: &str| {}).unwrap();
    for c in &checks {
        println!("{} {}: {}", c.verdict.label(), c.reading_id, c.evidence);
    }
    let by = |id: &'static str| checks.iter().filter(move |c| c.reading_id == id).collect::<Vec<_>>();
    assert!(by("gibbs-law-with-isotropic-fit").iter().all(|c| c.verdict == Verdict::Fail));
    assert_eq!(by("anisotropic-lyapunov-law")[1].verdict, Verdict::Fail);
    assert_eq!(by("lyapunov-law-with-averaged-noise")[1].verdict, Verdict::Pass);
    // (A') is (B) on the squared loss: the Gauss–Hermite average of the quadratic Σ(w) is exact.
    let risks = squared_loss_samples().unwrap();
    let pred = predictions(&risks, LR, BATCH).unwrap();
    let exact = pred.exact.as_ref().unwrap();
    assert!((&pred.averaged - exact).abs().max() < 1e-12 * exact.abs().max());
    let logistic = theorems::common::logistic_samples().unwrap();
    let pred = predictions(&logistic, LR, BATCH).unwrap();
    let sim = simulate(&logistic, LR, BATCH, 2048, 17).unwrap();
    for (i, row) in sim.iter().enumerate() {
        let averaged = theorems::check::Quantity::exact(pred.averaged[(i, i)]);
        println!("logistic {i}: {:?}, (A) {}, (A') {}", row[i], pred.anisotropic[(i, i)], averaged.value);
        assert_eq!(verdict_close(row[i], averaged, 0.02), Verdict::Pass);
    }
}

/// Momentum SGD's first-order law: on x²/2 the residual against the exact discrete variance has
/// order 2 and the Fokker–Planck gap order 1; on a x²/2 the gridded law e^{−L/T}(1 + h f₁)
/// (normalised) has the closed-form variance T(1 + h/4)/(1 − h/4) = T(1 + h/2) + O(h²).
#[test]
fn momentum_first_order_law() {
    let c = theorems::sgd_stationary::momentum_order_check().unwrap();
    println!("{}", c.evidence);
    assert_eq!(c.verdict, Verdict::Pass);
    let p = Expression::parse("x^2/2").unwrap();
    let (t, lr, xi) = (0.01, 0.1, 0.5);
    let v = fpspectral::sgd::gibbs::law_moments(&p, t, lr / (1.0 + xi), &[]).unwrap().variance[0];
    let h = lr / (1.0 + xi);
    assert!((v.value - t * (1.0 + h / 4.0) / (1.0 - h / 4.0)).abs() <= 1e-12 + v.error, "{v:?}");
    let c = theorems::sgd_stationary::first_order_check(Some(0.5)).unwrap();
    println!("{}", c.evidence);
    assert_eq!(c.verdict, Verdict::Pass);
}

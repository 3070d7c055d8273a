//! Principal axes: correlated problems solved in the eigenvectors of their quadratic part, checked
//! against exact spectra (Ornstein–Uhlenbeck and damped oscillators), against the engine on the
//! problem rotated by hand, and a negative control that keeps today's plan bit for bit.

use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{decay_rates as kinetic_rates, KineticOptions, KineticRates};
use fpspectral::kinetic::KineticParams;
use fpspectral::operator::Overdamped;
use fpspectral::potential::{principal_axes, LinearChange, Potential};
use fpspectral::spectrum::{decay_rates, RateOptions, Rates};
use fpspectral::Expression;

/// Eigenvalues of a symmetric 2×2 or 3×3 matrix (characteristic polynomial), ascending.
fn hessian_eigenvalues(h: &[[f64; 3]], d: usize) -> Vec<f64> {
    let (q, _) =
        fpspectral::potential::linear::symmetric_eigen(&h[..d].iter().map(|r| r[..d].to_vec()).collect::<Vec<_>>());
    let mut q = q;
    q.sort_by(f64::total_cmp);
    q
}

/// The exact overdamped rates Σ k_i h_i (k ∈ N^d, not all 0), ascending, the `count` lowest.
fn ou_rates(h: &[f64], count: usize) -> Vec<f64> {
    let mut all = Vec::new();
    for k0 in 0..=count {
        for k1 in 0..=count {
            for k2 in 0..=if h.len() == 3 { count } else { 0 } {
                let k = [k0, k1, k2];
                let r: f64 = h.iter().zip(k).map(|(h, k)| h * k as f64).sum();
                if r > 0.0 {
                    all.push(r);
                }
            }
        }
    }
    all.sort_by(f64::total_cmp);
    all.truncate(count);
    all
}

fn overdamped(spec: &str, count: usize, rotate: bool) -> Rates {
    let p = Expression::parse(spec).unwrap();
    let options = RateOptions { count, tolerance: 1e-10, principal_axes: rotate, ..Default::default() };
    decay_rates(&Overdamped::new(&p, 0.5).unwrap(), &options).unwrap()
}

fn kinetic(p: &dyn Potential, count: usize, rotate: bool) -> KineticRates {
    let problem = Kinetic::new(p, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    kinetic_rates(&problem, &KineticOptions { count, tolerance: 1e-8, principal_axes: rotate, ..Default::default() })
        .unwrap()
}

/// Each value within its stated error of the truth (and the error honest: at most 1e-6 relative).
fn assert_within(values: &[f64], errors: &[f64], truth: &[f64]) {
    for ((v, e), t) in values.iter().zip(errors).zip(truth) {
        assert!((v - t).abs() <= e + 4.0 * f64::EPSILON * t.abs(), "{v} ± {e} vs exact {t}");
        assert!(*e <= 1e-6 * t.abs(), "{v} ± {e}: error too large");
    }
}

#[test]
fn correlated_quadratics_have_their_ou_rates_in_2d_and_3d() {
    let cases: [(&str, [[f64; 3]; 3], usize); 2] = [
        ("x^2/2 + y^2 + 0.8*x*y", [[1.0, 0.8, 0.0], [0.8, 2.0, 0.0], [0.0; 3]], 2),
        ("x^2 + y^2 + 1.5*z^2 + 0.6*x*y - 0.4*y*z + 0.3*x*z", [[2.0, 0.6, 0.3], [0.6, 2.0, -0.4], [0.3, -0.4, 3.0]], 3),
    ];
    for (spec, hessian, d) in cases {
        let rates = overdamped(spec, 4, true);
        let rotation = rates.method.rotation.as_ref().expect("a correlated quadratic is rotated");
        assert!(rates.method.description.starts_with("rotated to principal axes"), "{}", rates.method.description);
        assert!(rotation.coupling[1] <= 1e-12 && rotation.coupling[0] > 0.1, "{:?}", rotation.coupling);
        assert!(rates.study.converged, "{spec}: {:?}", rates.study.stopped);
        assert_within(&rates.values, &rates.errors, &ou_rates(&hessian_eigenvalues(&hessian, d), 4));
    }
}

#[test]
fn correlated_quadratic_has_its_damped_oscillator_rates() {
    // Hessian [[1, 0.8], [0.8, 2]]: h = (3 ± √3.56)/2; with g = 1 each mode is (1 ± i√(4h − 1))/2.
    let p = Expression::parse("x^2/2 + y^2 + 0.8*x*y").unwrap();
    let rates = kinetic(&p, 1, true);
    assert!(rates.method.rotation.is_some());
    assert!(rates.study.converged, "{}", rates.method.stopped);
    // Both modes have re = 1/2: the first rate listed is one of them.
    let (re, im) = rates.values[0];
    let distance = [(3.0 - 3.56f64.sqrt()) / 2.0, (3.0 + 3.56f64.sqrt()) / 2.0]
        .map(|h| (re - 0.5).hypot(im - (4.0 * h - 1.0).sqrt() / 2.0))
        .into_iter()
        .fold(f64::INFINITY, f64::min);
    assert!(distance <= rates.errors[0] && rates.errors[0] <= 1e-6, "{:?} ± {}", rates.values[0], rates.errors[0]);
}

#[test]
fn hidden_separable_quartic_matches_its_parts() {
    // (x+y)^4/4 − (x+y)^2/2 + (x−y)^2 with x + y = √2 u, x − y = √2 s (a rotation by 45°):
    // u^4 − u^2 + 2 s^2, the double well (√2u)^4/4 − (√2u)^2/2 beside a harmonic axis.
    let coupled = "(x+y)^4/4 - (x+y)^2/2 + (x-y)^2";
    let by_hand = "x^4 - x^2 + 2*y^2";
    let rotated = overdamped(coupled, 3, true);
    assert!(rotated.method.rotation.is_some(), "{}", rotated.method.description);
    let reference = overdamped(by_hand, 3, true);
    assert!(reference.method.rotation.is_none());
    for i in 0..3 {
        let gap = (rotated.values[i] - reference.values[i]).abs();
        assert!(gap <= rotated.errors[i] + reference.errors[i], "{i}: {:?} vs {:?}", rotated.values, reference.values);
    }
    let p = Expression::parse(coupled).unwrap();
    let q = Expression::parse(by_hand).unwrap();
    let (a, b) = (kinetic(&p, 1, true), kinetic(&q, 1, true));
    assert!(a.method.rotation.is_some() && a.study.converged && b.study.converged);
    let gap = (a.values[0].0 - b.values[0].0).hypot(a.values[0].1 - b.values[0].1);
    assert!(
        gap <= a.errors[0] + b.errors[0],
        "{:?} ± {} vs {:?} ± {}",
        a.values[0],
        a.errors[0],
        b.values[0],
        b.errors[0]
    );
}

#[test]
fn rotation_is_declined_when_it_does_not_separate_and_the_answer_is_unchanged() {
    // Axis-aligned (no mixed quadratic term) and a quartic coupling the rotation does not remove.
    for spec in ["x^4/4 - x^2/2 + y^2/2 + 0.1*x^2*y^2", "x^4 + y^4 + x^2 + 2*y^2 + 0.5*x*y + x^3*y"] {
        let p = Expression::parse(spec).unwrap();
        assert!(principal_axes(&p).is_none(), "{spec}");
        let (on, off) = (overdamped(spec, 2, true), overdamped(spec, 2, false));
        let bits = |r: &Rates| r.values.iter().chain(&r.errors).map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&on), bits(&off), "{spec}");
        assert_eq!(on.method.description, off.method.description);
        assert!(on.method.rotation.is_none());
    }
}

#[test]
fn linear_change_carries_value_gradient_and_hessian() {
    let p = Expression::parse("x^4/4 + x*y + y^2 - 0.3*x").unwrap();
    let (c, s) = (0.6f64, 0.8f64);
    let q = vec![vec![c, -s], vec![s, c]];
    let l = LinearChange::new(&p, &[0.25, -0.5], &q).unwrap();
    let poly = l.poly().unwrap();
    for u in [[0.3, -1.2], [1.7, 0.4], [-0.9, 2.2]] {
        let w = [0.25 + c * u[0] - s * u[1], -0.5 + s * u[0] + c * u[1]];
        let (jw, ju) = (p.jet(&w), l.jet(&u));
        assert!((ju.v - jw.v).abs() <= 1e-13 * (1.0 + jw.v.abs()));
        assert!((poly.value(&u) - jw.v).abs() <= 1e-12 * (1.0 + jw.v.abs()));
        for a in 0..2 {
            let g: f64 = (0..2).map(|i| q[i][a] * jw.g[i]).sum();
            assert!((ju.g[a] - g).abs() <= 1e-13 * (1.0 + g.abs()));
            for b in 0..2 {
                let h: f64 =
                    (0..2).flat_map(|i| (0..2).map(move |k| (i, k))).map(|(i, k)| q[i][a] * jw.h[i][k] * q[k][b]).sum();
                assert!((ju.h[a][b] - h).abs() <= 1e-13 * (1.0 + h.abs()));
            }
        }
    }
}

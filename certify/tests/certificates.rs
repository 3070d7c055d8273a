//! Certificates: built on the claims' settings, re-checked by `verify`, and rejected when edited.

use certify::certificate::Setting;
use certify::{decay, lemma7, ou, verify, Certificate};
use nalgebra::Matrix2;

/// The witness: the eigenvector of the smallest eigenvalue of K − 2μP in floating point.
fn lemma7_certificate(lr: f64, momentum: f64, cl: f64) -> Result<Certificate, String> {
    let g = (1.0 - momentum) / lr.sqrt();
    let (mu, c, ch) = if g < 2.0 * cl {
        (g, cl * cl, g / 2.0)
    } else {
        (g - (g * g - 4.0 * cl * cl).sqrt(), g * g / 2.0 - cl * cl, g / 2.0)
    };
    let off = c - cl * cl + g * ch;
    let k = Matrix2::new(2.0 * ch, off, off, 2.0 * g * c - 2.0 * cl * cl * ch);
    let p = Matrix2::new(1.0, ch, ch, c);
    let eig = (k - 2.0 * mu * p).symmetric_eigen();
    let i = if eig.eigenvalues[0] <= eig.eigenvalues[1] { 0 } else { 1 };
    let x = [eig.eigenvectors[(0, i)], eig.eigenvectors[(1, i)]];
    Certificate::build(Setting::Lemma7Witness(lemma7::Witness { lr, momentum, cl, x }))
}

#[test]
fn lemma7_is_refuted_on_the_whole_grid_and_verifies() {
    for lr in [0.01, 0.1, 0.5] {
        for momentum in [0.5, 0.9, 0.99] {
            for cl in [0.5, 1.0, 2.0] {
                let cert = lemma7_certificate(lr, momentum, cl).expect("certificate");
                assert!(cert.margin > 0.0);
                let again = verify(&cert).expect("verifies");
                assert!(again >= cert.margin);
            }
        }
    }
}

#[test]
fn a_zero_witness_certifies_nothing() {
    let s = Setting::Lemma7Witness(lemma7::Witness { lr: 0.1, momentum: 0.9, cl: 1.0, x: [0.0, 0.0] });
    assert!(Certificate::build(s).is_err());
}

#[test]
fn edited_margin_or_enclosure_is_rejected() {
    let cert = lemma7_certificate(0.1, 0.9, 1.0).unwrap();
    let mut bigger = cert.clone();
    bigger.margin *= 1.5;
    assert!(verify(&bigger).is_err());
    let mut moved = cert.clone();
    let q = moved.enclosures.get_mut("xT_(K-2muP)_x").unwrap();
    *q = certify::Interval::new(q.lower * 2.0, q.upper * 2.0);
    assert!(verify(&moved).is_err());
    let mut other_input = cert.clone();
    if let Setting::Lemma7Witness(w) = &mut other_input.setting {
        w.cl = 0.5;
    }
    assert!(verify(&other_input).is_err());
}

#[test]
fn ou_gap_is_independent_of_the_batch_size() {
    let s = Setting::OuGapAgainstBatch(ou::BatchGap {
        lr: 0.2,
        beta: 4.0,
        curvature: 1.0,
        batches: vec![1.0, 2.0, 4.0, 8.0],
    });
    let cert = Certificate::build(s).unwrap();
    assert_eq!(cert.margin, 0.0);
    assert!(verify(&cert).is_ok());
    let mut lying = cert.clone();
    lying.enclosures.insert("lambda1[M=8]".into(), certify::Interval::point(0.5));
    assert!(verify(&lying).is_err());
}

/// ‖h(t)‖² = exp(η'(C_L²m_w² + m_v²)) − 1 with the mean from an RK4 integration of
/// m' = Bm (independent of the closed form e^{Bt}).
fn h2_by_rk4(g: f64, dv: f64, cl: f64, kappa: f64, t: f64) -> f64 {
    let eta = g / dv;
    let k = cl * cl;
    let mut m = [kappa / (eta * k), kappa / eta];
    let f = |m: [f64; 2]| [m[1], -k * m[0] - g * m[1]];
    let n = 200_000;
    let h = t / n as f64;
    for _ in 0..n {
        let k1 = f(m);
        let k2 = f([m[0] + h / 2.0 * k1[0], m[1] + h / 2.0 * k1[1]]);
        let k3 = f([m[0] + h / 2.0 * k2[0], m[1] + h / 2.0 * k2[1]]);
        let k4 = f([m[0] + h * k3[0], m[1] + h * k3[1]]);
        for j in 0..2 {
            m[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
        }
    }
    (eta * (k * m[0] * m[0] + m[1] * m[1])).exp_m1()
}

#[test]
fn quadratic_decay_matches_an_integrated_mean_and_refutes_theorem3() {
    for (g, dv) in [(1.0, 0.5), (3.0, 1.5)] {
        let q = decay::QuadraticDecay { friction: g, diffusion_v: dv, cl: 1.0, kappa: 0.4, time: 20.0, dim: 1 };
        let cert = Certificate::build(Setting::QuadraticDecay(q)).expect("violated at t = 20");
        let h2 = cert.enclosures["h2_at_t"];
        let reference = h2_by_rk4(g, dv, 1.0, 0.4, 20.0);
        assert!((h2.mid() - reference).abs() <= 1e-9 * reference, "{h2} vs {reference}");
        assert!(h2.relative_width() < 1e-10);
        assert!(verify(&cert).is_ok());
        // At t = 0 the enclosure is the exact e^{κ²s²} − 1, s² = 2/η'.
        let q0 = decay::QuadraticDecay { friction: g, diffusion_v: dv, cl: 1.0, kappa: 0.4, time: 1e-300, dim: 1 };
        let e0 = certify::certificate::Argument::enclosures(&q0).unwrap()["h2_at_t"];
        assert!(e0.contains((0.16 * 2.0 * dv / g).exp_m1()) || e0.relative_width() < 1e-13);
    }
}

#[test]
fn theorem1_rate_certificate_on_the_double_well() {
    let s = Setting::PoincareRate(certify::rate::PoincareRate {
        coefficients: vec![0.0, 0.0, -0.5, 0.0, 0.25],
        diffusion: 0.05,
    });
    let cert = Certificate::build(s).expect("C_P·D > 2λ1 at D = 0.05");
    assert!(verify(&cert).is_ok());
    // At D = 1 the rate C_P·1 = λ1 is below 2λ1: nothing to certify.
    let s = Setting::PoincareRate(certify::rate::PoincareRate {
        coefficients: vec![0.0, 0.0, -0.5, 0.0, 0.25],
        diffusion: 1.0,
    });
    assert!(Certificate::build(s).is_err());
}

#[test]
fn quadratic_decay_in_two_dimensions_squares_the_one_dimensional_factor() {
    let one = decay::QuadraticDecay { friction: 1.0, diffusion_v: 0.5, cl: 1.0, kappa: 0.4, time: 20.0, dim: 1 };
    let two = decay::QuadraticDecay { dim: 2, ..one.clone() };
    let e1 = certify::certificate::Argument::enclosures(&one).unwrap()["h2_at_t"];
    let e2 = certify::certificate::Argument::enclosures(&two).unwrap()["h2_at_t"];
    // Product measure: 1 + ‖h‖²_2 = (1 + ‖h‖²_1)².
    let expected = 2.0 * e1.mid() + e1.mid() * e1.mid();
    assert!((e2.mid() - expected).abs() <= 1e-9 * expected);
    assert!(verify(&Certificate::build(Setting::QuadraticDecay(two)).unwrap()).is_ok());
}

/// Equation (8) on (x² − 1)²(1 + x/2 + x²/2) (minima ±1, L'' = 8 and 16): at η = 2, ε = 1e-4 the
/// ball ratio is enclosed near 1 = p∞(−1)/p∞(1), away from the printed √2.
#[test]
fn eq8_ball_ratio_is_enclosed_away_from_the_printed_limit() {
    let coefficients = vec![1.0, 0.5, -1.5, -1.0, 0.0, 0.5, 0.5];
    let b = certify::ball_ratio::BallRatio { coefficients, eta: 2.0, eps: 1e-4, minima: [-1.0, 1.0] };
    let cert = Certificate::build(Setting::EqualHeightBallRatio(b.clone())).expect("refuted");
    let (h1, h2) = (cert.enclosures["L''(w1)"], cert.enclosures["L''(w2)"]);
    assert!(h1.contains(8.0) && h2.contains(16.0), "{h1} {h2}");
    let ratio = cert.enclosures["ball1"] / cert.enclosures["ball2"];
    // The ratio tends to 1 as ε → 0: |ratio − 1| = O(ε²)·η·|L'''| terms, far below 1e-6 here.
    assert!(ratio.lower > 1.0 - 1e-6 && ratio.upper < 1.0 + 1e-6, "{ratio}");
    assert!(cert.margin > 0.41 && verify(&cert).is_ok(), "{cert:?}");
    let mut edited = cert.clone();
    edited.margin = 0.5;
    assert!(verify(&edited).is_err());
    // A point that is not a minimum is refused.
    let off = certify::ball_ratio::BallRatio { minima: [-0.9, 1.0], ..b };
    assert!(Certificate::build(Setting::EqualHeightBallRatio(off)).is_err());
}

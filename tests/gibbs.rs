//! Gibbs integrals for narrow and multiple wells (η up to 1e8, d = 1, 2, 3) against exact
//! Gaussians and against products of 1D integrals for separable potentials.

use fpspectral::quadrature::{ball_probability, basin_probability, log_interval_integral, log_partition, LogQuantity};
use fpspectral::Potential;
use std::f64::consts::PI;

/// erf by its Taylor series (|z| ≤ 2.5: alternating terms, error ≲ 1e-14).
fn erf(z: f64) -> f64 {
    let (mut term, mut sum) = (z, z);
    for n in 1..200 {
        term *= -z * z / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    2.0 / PI.sqrt() * sum
}

/// P(|X| ≤ ε) for X ~ N(0, I_d/(ηλ)), d = 1, 2, 3 (u = ε√(ηλ)).
fn gaussian_ball(d: usize, u: f64) -> f64 {
    match d {
        1 => erf(u / 2f64.sqrt()),
        2 => 1.0 - (-u * u / 2.0).exp(),
        _ => erf(u / 2f64.sqrt()) - (2.0 / PI).sqrt() * u * (-u * u / 2.0).exp(),
    }
}

/// The computed value agrees with the truth within its own error estimate (plus `slack`), and
/// the estimate meets `target`.
fn assert_within(what: &str, got: &LogQuantity, exact_ln: f64, slack: f64, target: f64) {
    let diff = (got.ln - exact_ln).abs();
    assert!(
        diff <= got.rel_error + slack,
        "{what}: ln {} vs {exact_ln} (diff {diff:.1e}, est {:.1e})",
        got.ln,
        got.rel_error
    );
    assert!(got.rel_error < target, "{what}: error estimate {:.1e}", got.rel_error);
}

#[test]
fn narrow_gaussian_wells_in_1d_2d_3d() {
    let cases = [("2*x^2", 4.0, 1e-10), ("x^2 + 2*y^2", 8.0, 1e-8), ("x^2 + 2*y^2 + 3*z^2", 48.0, 1e-8)];
    for (d, (spec, det, target)) in cases.into_iter().enumerate() {
        let d = d + 1;
        let p = Potential::parse(spec).unwrap();
        for eta in [1e4, 1e6, 1e8] {
            let exact = 0.5 * d as f64 * (2.0 * PI / eta).ln() - 0.5 * f64::ln(det);
            assert_within(&format!("{spec} η={eta:e}"), &log_partition(&p, eta).unwrap(), exact, 1e-13, target);
        }
    }
    for (d, spec) in ["x^2", "x^2 + y^2", "x^2 + y^2 + z^2"].into_iter().enumerate() {
        let d = d + 1;
        let p = Potential::parse(spec).unwrap(); // λ = 2
        for eta in [1e4f64, 1e8] {
            let eps = 1.3 / eta.sqrt();
            let got = ball_probability(&p, eta, &vec![0.0; d], eps).unwrap();
            let exact = gaussian_ball(d, eps * (2.0 * eta).sqrt()).ln();
            assert_within(&format!("ball {spec} η={eta:e}"), &got, exact, 1e-13, 1e-8);
        }
    }
}

/// Z of L(x) + L(y) (+ L(z)) from 1D parts written in x.
fn separable(parts: &[&str], eta: f64) -> (LogQuantity, f64, f64) {
    let spec: Vec<String> = parts.iter().zip(["x", "y", "z"]).map(|(q, v)| q.replace('x', v)).collect();
    let z = log_partition(&Potential::parse(&spec.join(" + ")).unwrap(), eta).unwrap();
    let ones: Vec<LogQuantity> =
        parts.iter().map(|q| log_partition(&Potential::parse(q).unwrap(), eta).unwrap()).collect();
    (z, ones.iter().map(|q| q.ln).sum(), ones.iter().map(|q| q.rel_error).sum())
}

/// Equal-height minima with different curvatures (2 in x, 3 in x), several per direction: every
/// narrow well must be seen; the product of 1D double-exponential integrals is the truth.
#[test]
fn separable_multiwell_partition_functions() {
    let two = "(x^2-1)^2*(1+0.5*x+0.5*x^2)";
    let three = "x^2*(x^2-1.5)^2*(1+0.2*x+0.1*x^2)";
    let tilted = "(x^2-1)^2 + 0.3*x"; // heights differ by ≈ 0.6: η ΔL = 30 at η = 50
    let cases: [(&[&str], f64); 8] = [
        (&[tilted, "x^2"], 50.0),
        (&[tilted, "x^2", "0.5*x^2"], 50.0),
        (&[two, "2*x^2"], 1.0),
        (&[three, "(x^2-1)^2"], 1e4),
        (&[three, "(x^2-1)^2"], 1e8),
        (&[two, "2*x^2", "0.5*x^2"], 1e2),
        (&[two, "2*x^2", "0.5*x^2"], 1e8),
        (&[three, "(x^2-1)^2", "x^2"], 1e6),
    ];
    for (parts, eta) in cases {
        let (z, exact, exact_err) = separable(parts, eta);
        assert_within(&format!("{parts:?} η={eta:e}"), &z, exact, exact_err + 1e-13, 1e-8);
        assert!(exact_err < 1e-10, "{parts:?}: 1D error {exact_err:.1e}");
    }
}

/// Separable tilted double well: the basin of the minimum near x = 1 is the half space beyond the
/// local maximum x* of f(x) = (x² − 1)² + 0.05x, so its probability is the 1D ratio
/// ∫_{x*}^∞ e^{−ηf} / ∫ e^{−ηf}, in d = 2 and 3 alike.
#[test]
fn separable_basin_is_a_half_space() {
    let f = Potential::parse("(x^2-1)^2 + 0.05*x").unwrap();
    let top = fpspectral::critical::newton_critical(&f, &[0.0]).unwrap().point[0];
    for (spec, minimum, eta) in [
        ("(x^2-1)^2 + 0.05*x + 2*y^2", vec![1.0, 0.0], 2.0),
        ("(x^2-1)^2 + 0.05*x + 2*y^2", vec![1.0, 0.0], 20.0),
        ("(x^2-1)^2 + 0.05*x + y^2 + 0.5*z^2", vec![1.0, 0.0, 0.0], 20.0),
    ] {
        let exact = log_interval_integral(&f, eta, top, f64::INFINITY).unwrap().div(&log_partition(&f, eta).unwrap());
        let got = basin_probability(&Potential::parse(spec).unwrap(), eta, &minimum).unwrap();
        assert_within(&format!("{spec} η={eta}"), &got, exact.ln, exact.rel_error + 1e-13, 1e-8);
    }
    let sym = basin_probability(&Potential::parse("(x^2-1)^2 + y^2 + z^2").unwrap(), 60.0, &[1.0, 0.0, 0.0]).unwrap();
    assert_within("symmetric 3D", &sym, 0.5f64.ln(), 1e-13, 1e-8);
}

/// Three minima related by rotations of 2π/3: each basin holds exactly 1/3.
#[test]
fn three_fold_symmetric_basins_hold_one_third() {
    let p = Potential::parse("(x^2+y^2)^2/4 - (x^3-3*x*y^2)/3 - 0.1*(x^2+y^2)").unwrap();
    let r = 0.5 * (1.0 + 1.8f64.sqrt());
    for minimum in [[r, 0.0], [-0.5 * r, 0.75f64.sqrt() * r]] {
        let got = basin_probability(&p, 100.0, &minimum).unwrap();
        assert_within(&format!("minimum {minimum:?}"), &got, (1.0f64 / 3.0).ln(), 1e-13, 1e-8);
    }
}

/// The same at η = 20, where the weight at the central maximum (the corner where the three
/// basin boundaries meet) is e^{−4} of the minimum's: the angular rule split at the corner
/// direction converges (the periodic rule stalled near 1e-6, as h² at the kink).
#[test]
fn three_fold_basins_at_low_eta_with_the_corner_split() {
    let p = Potential::parse("(x^2+y^2)^2/4 - (x^3-3*x*y^2)/3 - 0.1*(x^2+y^2)").unwrap();
    let minimum = [0.5 * (1.0 + 1.8f64.sqrt()), 0.0];
    let got = basin_probability(&p, 20.0, &minimum).unwrap();
    assert_within("η = 20", &got, (1.0f64 / 3.0).ln(), 1e-13, 1e-8);
}

/// The CLI entry points in 3D with several minima: the ball around one of two equal-height
/// wells as ε → 0 and η → ∞ holds the share √det H_other / (√det H_1 + √det H_2) of the mass,
/// and the basin probabilities of the two minima add up to 1.
#[test]
fn eval_in_3d_with_two_minima() {
    use theorems::escape_eval::{eval_ball_prob, eval_basin_prob};
    let spec = "(x^2-1)^2*(1+0.5*x+0.5*x^2) + 2*y^2 + 0.5*z^2"; // det H = 8·4·1 at −1, 16·4·1 at +1
    let value = |v: serde_json::Value| (v["value"].as_f64().unwrap(), v["error"].as_f64().unwrap());
    let (ball, err) = value(eval_ball_prob(spec, 1e8, &[-1.0, 0.0, 0.0], 0.01).unwrap());
    let share = 2f64.sqrt() / (1.0 + 2f64.sqrt()); // Laplace: O(1/η) = 1e-8 off
    assert!((ball - share).abs() < 1e-7 + err, "{ball} ± {err} vs {share}");
    let (a, ea) = value(eval_basin_prob(spec, 1e4, &[-1.0, 0.0, 0.0]).unwrap());
    let (b, eb) = value(eval_basin_prob(spec, 1e4, &[1.0, 0.0, 0.0]).unwrap());
    assert!((a + b - 1.0).abs() < ea + eb + 1e-12, "{a} + {b}");
    assert!((a - share).abs() < 1e-3, "{a} vs Laplace {share}");
}

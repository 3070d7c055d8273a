//! Gibbs integrals for narrow and multiple wells (η up to 1e8, d = 1, 2, 3) against exact
//! Gaussians and against products of 1D integrals for separable potentials.

use fpspectral::quadrature::{ball_probability, basin_probability, log_interval_integral, log_partition, LogQuantity};
use fpspectral::{Expression, Potential};
use std::f64::consts::PI;

mod common;
use common::erf;

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
        let p = Expression::parse(spec).unwrap();
        for eta in [1e4, 1e6, 1e8] {
            let exact = 0.5 * d as f64 * (2.0 * PI / eta).ln() - 0.5 * f64::ln(det);
            assert_within(&format!("{spec} η={eta:e}"), &log_partition(&p, eta).unwrap(), exact, 1e-13, target);
        }
    }
    for (d, spec) in ["x^2", "x^2 + y^2", "x^2 + y^2 + z^2"].into_iter().enumerate() {
        let d = d + 1;
        let p = Expression::parse(spec).unwrap(); // λ = 2
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
    let z = log_partition(&Expression::parse(&spec.join(" + ")).unwrap(), eta).unwrap();
    let ones: Vec<LogQuantity> =
        parts.iter().map(|q| log_partition(&Expression::parse(q).unwrap(), eta).unwrap()).collect();
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
    let f = Expression::parse("(x^2-1)^2 + 0.05*x").unwrap();
    let top = fpspectral::critical::newton_critical(&f, &[0.0]).unwrap().point[0];
    for (spec, minimum, eta) in [
        ("(x^2-1)^2 + 0.05*x + 2*y^2", vec![1.0, 0.0], 2.0),
        ("(x^2-1)^2 + 0.05*x + 2*y^2", vec![1.0, 0.0], 20.0),
        ("(x^2-1)^2 + 0.05*x + y^2 + 0.5*z^2", vec![1.0, 0.0, 0.0], 20.0),
    ] {
        let exact = log_interval_integral(&f, eta, top, f64::INFINITY).unwrap().div(&log_partition(&f, eta).unwrap());
        let got = basin_probability(&Expression::parse(spec).unwrap(), eta, &minimum).unwrap();
        assert_within(&format!("{spec} η={eta}"), &got, exact.ln, exact.rel_error + 1e-13, 1e-8);
    }
    let sym = basin_probability(&Expression::parse("(x^2-1)^2 + y^2 + z^2").unwrap(), 60.0, &[1.0, 0.0, 0.0]).unwrap();
    assert_within("symmetric 3D", &sym, 0.5f64.ln(), 1e-13, 1e-8);
}

/// Three minima related by rotations of 2π/3: each basin holds exactly 1/3.
#[test]
fn three_fold_symmetric_basins_hold_one_third() {
    let p = Expression::parse("(x^2+y^2)^2/4 - (x^3-3*x*y^2)/3 - 0.1*(x^2+y^2)").unwrap();
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
    let p = Expression::parse("(x^2+y^2)^2/4 - (x^3-3*x*y^2)/3 - 0.1*(x^2+y^2)").unwrap();
    let minimum = [0.5 * (1.0 + 1.8f64.sqrt()), 0.0];
    let got = basin_probability(&p, 20.0, &minimum).unwrap();
    assert_within("η = 20", &got, (1.0f64 / 3.0).ln(), 1e-13, 1e-8);
}

/// erf on the whole line: the Taylor series for |z| ≤ 2.5, else 1 − erfc by its continued fraction.
fn erf_any(z: f64) -> f64 {
    if z.abs() <= 2.5 {
        return erf(z);
    }
    let x = z.abs();
    let mut k = x;
    for n in (1..200).rev() {
        k = x + 0.5 * n as f64 / k;
    }
    z.signum() * (1.0 - (-x * x).exp() / (PI.sqrt() * k))
}

/// P(|X − c| ≤ R) for X ~ N(0, σ²I) in d = 1 and 3 with |c| = δ > 0 (3D: the noncentral chi
/// distribution with 3 degrees of freedom in closed form).
fn offset_gaussian_ball(d: usize, delta: f64, radius: f64, sigma: f64) -> f64 {
    let s2 = sigma * 2f64.sqrt();
    let both = 0.5 * (erf_any((radius - delta) / s2) + erf_any((radius + delta) / s2));
    if d == 1 {
        return both;
    }
    let phi = |a: f64| (-0.5 * a * a).exp() / (2.0 * PI).sqrt();
    both - sigma / delta * (phi((radius - delta) / sigma) - phi((radius + delta) / sigma))
}

/// ln(e^{−x} I₀(x)) (power series below 30, the asymptotic series above, both to ~1e-16).
fn ln_i0e(x: f64) -> f64 {
    if x < 30.0 {
        let (mut term, mut sum) = (1.0, 1.0);
        for k in 1..200 {
            term *= x * x / (4.0 * (k * k) as f64);
            sum += term;
        }
        return sum.ln() - x;
    }
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..40 {
        let next = term * ((2 * k - 1) as f64).powi(2) / (8.0 * k as f64 * x);
        if next >= term {
            break;
        }
        term = next;
        sum += term;
    }
    sum.ln() - 0.5 * (2.0 * PI * x).ln()
}

/// ln P(|X − c| ≤ R) for X ~ N(0, σ²I₂), |c| = δ: the 1D integral of the Rice density of |X − c|
/// (in t = r/σ, ν = δ/σ: t e^{−(t − ν)²/2} e^{−tν} I₀(tν)) by the 1D double-exponential rule.
fn rice_ball(delta: f64, radius: f64, sigma: f64) -> LogQuantity {
    let nu = delta / sigma;
    let h = |t: f64| if t <= 0.0 { f64::NEG_INFINITY } else { t.ln() - 0.5 * (t - nu).powi(2) + ln_i0e(t * nu) };
    fpspectral::quadrature::log_integral_1d(&h, 0.0, radius / sigma).unwrap()
}

/// A Gaussian well (L = |w|², σ² = 1/(2η)) off the centre of the ball: a few widths off in a ball
/// of a few widths, deep inside a large ball, and just outside the ball (the peak on the sphere),
/// against erf (1D), the Rice density (2D) and the noncentral chi distribution (3D).
#[test]
fn off_centre_gaussian_well_in_a_ball() {
    for (d, spec) in ["x^2", "x^2 + y^2", "x^2 + y^2 + z^2"].into_iter().enumerate() {
        let d = d + 1;
        let p = Expression::parse(spec).unwrap();
        let target = if d == 1 { 1e-10 } else { 1e-8 };
        for eta in [1e2f64, 1e4, 1e6, 1e8] {
            let sigma = (0.5 / eta).sqrt();
            for (delta, radius) in [(1.2 * sigma, 2.0 * sigma), (0.3, 0.5), (0.2 + 0.5 * sigma, 0.2)] {
                // the centre along a diagonal, so that no coordinate axis is special
                let centre: Vec<f64> = (0..d).map(|_| delta / (d as f64).sqrt()).collect();
                let got = ball_probability(&p, eta, &centre, radius).unwrap();
                let (exact, exact_err) = match d {
                    2 => {
                        let r = rice_ball(delta, radius, sigma);
                        (r.ln, r.rel_error)
                    }
                    _ => (offset_gaussian_ball(d, delta, radius, sigma).ln(), 1e-14),
                };
                let what = format!("{spec} η={eta:e} δ={delta:.2e} R={radius:.2e}");
                // condition of the problem: c and R are known to an ulp, i.e. to ε(δ + R)/σ widths
                let conditioning = 4.0 * f64::EPSILON * (delta + radius) / sigma;
                assert_within(&what, &got, exact, exact_err + conditioning + 1e-13, target);
            }
        }
    }
}

/// The separable double wells of issue 4: a ball holding one of the two equal wells off its
/// centre, and one holding both (probability 1). At η ≥ 1e4 the ball holds that well to e^{−100} and the symmetry x → −x makes the
/// probability exactly 1/2; at η = 1e2 the anchored rule agrees with the polar rule about the
/// centre (which resolves the broad well there).
#[test]
fn ball_holding_one_of_two_wells_off_centre() {
    use fpspectral::quadrature::log_ball_integral;
    let cases: [(&str, Vec<f64>); 2] =
        [("(x^2-1)^2 + 2*y^2", vec![0.5, 0.1]), ("(x^2-1)^2 + 2*y^2 + 0.5*z^2", vec![0.5, 0.0, 0.0])];
    for (spec, centre) in cases {
        let p = Expression::parse(spec).unwrap();
        for eta in [1e4, 1e6, 1e8] {
            let got = ball_probability(&p, eta, &centre, 0.6).unwrap();
            assert_within(&format!("{spec} η={eta:e}"), &got, 0.5f64.ln(), 1e-13, 1e-8);
        }
        // both wells inside a ball off the centre (0.4 from its sphere): probability 1
        let mut both = vec![0.0; centre.len()];
        both[1] = 0.1;
        for eta in [1e4, 1e8] {
            let got = ball_probability(&p, eta, &both, 1.4).unwrap();
            assert_within(&format!("{spec} both wells η={eta:e}"), &got, 0.0, 1e-13, 1e-8);
        }
        let g = |w: &[f64]| -1e2 * p.value(w);
        let centred = fpspectral::quadrature::log_disc_integral(&g, &centre, 0.6).unwrap();
        let got = log_ball_integral(&p, 1e2, &centre, 0.6).unwrap();
        assert_within(&format!("{spec} η=1e2"), &got, centred.ln, centred.rel_error + 1e-13, 1e-8);
    }
}

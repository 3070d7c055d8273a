//! The paper's data risks (squared loss, logistic) as engine potentials: their fixtures read and
//! refused as the CLI reads them, their gradient path against their full jets, and the engine's
//! solvers on them against exact answers.

use fpspectral::operator::Overdamped;
use fpspectral::quadrature::log_partition;
use fpspectral::spectrum::{decay_rates, RateOptions};
use fpspectral::{EngineError, Potential};
use proptest::prelude::*;
use std::f64::consts::PI;
use theorems::risks::{from_json, from_spec, Logistic, Risk, SquaredLoss};

fn fixture(name: &str) -> String {
    format!("{}/../fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn data_fixtures_are_read_as_their_kinds() {
    assert!(matches!(from_spec(&fixture("squared_loss")), Ok(Risk::SquaredLoss(_))));
    assert!(matches!(from_spec(&fixture("logistic")), Ok(Risk::Logistic(_))));
    assert!(matches!(from_spec("x^2/2 + y^2"), Ok(Risk::Expression(_))));
    let expression = serde_json::json!({"kind": "expression", "expression": "x^4/4 - x^2/2"});
    assert!(matches!(from_json(&expression), Ok(Risk::Expression(p)) if p.dim() == 1));
}

#[test]
fn data_fixtures_are_refused_with_one_line() {
    let refused = |value: serde_json::Value| match from_json(&value) {
        Err(EngineError::Parse(m) | EngineError::NotConfining(m)) => m,
        other => panic!("{value}: {other:?}"),
    };
    let m = refused(serde_json::json!({"kind": "cubic", "expression": "x^3"}));
    assert!(m.contains("squared-loss") && m.contains("logistic") && !m.contains('\n'), "{m}");
    let m = refused(serde_json::json!({"kind": "squared-loss", "second_moment": [[1.0, 0.0]], "w0": [0.0, 0.0]}));
    assert!(m.contains("d×d"), "{m}");
    let m = refused(serde_json::json!({"kind": "logistic", "features": [[1.0]], "labels": [1.0, 0.0], "lambda": 0.1}));
    assert!(m.contains("N labels"), "{m}");
    // A negative definite second moment is a risk unbounded below: not confining.
    let m = refused(serde_json::json!({"kind": "squared-loss", "second_moment": [[-1.0]], "w0": [0.0]}));
    assert!(!m.is_empty());
    assert!(matches!(from_spec("/nonexistent/risk.json"), Err(EngineError::Io(_))));
}

/// The data risks of the engine tests' gradient cases, in three variables.
fn data_risks() -> Vec<Risk> {
    vec![
        Risk::SquaredLoss(SquaredLoss {
            design: vec![vec![2.0, 0.3, 0.1], vec![0.3, 1.0, 0.2], vec![0.1, 0.2, 0.5]],
            w0: vec![0.5, -1.0, 0.25],
            offset: 1.0,
        }),
        Risk::Logistic(Logistic {
            features: vec![vec![1.0, 0.5, -0.2], vec![-0.3, 1.0, 0.7], vec![0.4, -0.8, 1.0]],
            labels: vec![1.0, 0.0, 1.0],
            lambda: 0.1,
        }),
    ]
}

proptest! {
    /// The gradient-only evaluation agrees with the full (value, gradient, Hessian) jet to rounding.
    #[test]
    fn gradient_path_matches_full_jet(x in -3.0f64..3.0, y in -3.0f64..3.0, z in -3.0f64..3.0) {
        for p in data_risks() {
            let (full, fast) = (p.jet(&[x, y, z]), p.gradient(&[x, y, z]));
            let scale = 1.0 + full.v.abs() + full.g.iter().map(|g| g.abs()).sum::<f64>();
            prop_assert!((full.v - fast.v).abs() <= 1e-13 * scale, "{}: value {} vs {}", p.describe(), full.v, fast.v);
            for i in 0..3 {
                prop_assert!((full.g[i] - fast.g[i]).abs() <= 1e-13 * scale, "{}: ∂{i} {} vs {}", p.describe(), full.g[i], fast.g[i]);
            }
        }
    }

    /// The squared loss's expanded polynomial is the risk itself.
    #[test]
    fn squared_loss_polynomial_is_the_risk(x in -3.0f64..3.0, y in -3.0f64..3.0, z in -3.0f64..3.0) {
        let p = &data_risks()[0];
        let poly = p.poly().expect("a quadratic");
        let (direct, expanded) = (p.value(&[x, y, z]), poly.grad(&[x, y, z]).v);
        prop_assert!((direct - expanded).abs() <= 1e-13 * (1.0 + direct.abs()), "{direct} vs {expanded}");
    }
}

/// Z(η) = ∫ e^{−η[(w − w⁰)ᵀA(w − w⁰) + c]} dw = e^{−ηc} π / (η √det A) for the squared-loss fixture.
#[test]
fn anisotropic_gaussian_partition_2d() {
    let p = from_spec(&fixture("squared_loss")).unwrap();
    let Risk::SquaredLoss(SquaredLoss { design, offset, .. }) = &p else { panic!("not squared loss") };
    let det = design[0][0] * design[1][1] - design[0][1] * design[1][0];
    for eta in [1.0, 7.0] {
        let exact = (-eta * offset).exp() * PI / (eta * det.sqrt());
        let got = log_partition(&p, eta).unwrap();
        assert!((got.value() - exact).abs() < 1e-8 * exact, "η={eta}: {} vs {exact}", got.value());
    }
}

#[test]
fn logistic_fixture_gap_resolved() {
    let p = from_spec(&fixture("logistic")).unwrap();
    let op = Overdamped::new(&p, 0.4).unwrap();
    let r =
        decay_rates(&op, &RateOptions { count: 1, tolerance: 1e-6, max_per_axis: 48, ..Default::default() }).unwrap();
    assert!(r.study.converged && r.errors[0] <= 1e-6 * r.values[0]);
}

/// The squared-loss fixture is a correlated quadratic: solved in its principal axes, its
/// overdamped rates are Σ k_i h_i and its kinetic gap (g = 1) is that of the softer mode, with h
/// the eigenvalues of the Hessian 2·second_moment (closed form for a symmetric 2×2 matrix).
#[test]
fn squared_loss_rates_come_from_its_second_moment_in_principal_axes() {
    use fpspectral::kinetic::operator::Kinetic;
    use fpspectral::kinetic::spectrum::{decay_rates as kinetic_rates, KineticOptions};
    use fpspectral::kinetic::KineticParams;
    let risk = from_spec(&fixture("squared_loss")).unwrap();
    let Risk::SquaredLoss(SquaredLoss { design, .. }) = &risk else { panic!("not a squared loss") };
    let (a, b, c) = (2.0 * design[0][0], 2.0 * design[0][1], 2.0 * design[1][1]);
    let root = ((a - c).powi(2) + 4.0 * b * b).sqrt();
    let h = [(a + c - root) / 2.0, (a + c + root) / 2.0];
    let mut exact: Vec<f64> =
        (0..4).flat_map(|i| (0..4).map(move |j| i as f64 * h[0] + j as f64 * h[1])).filter(|r| *r > 0.0).collect();
    exact.sort_by(f64::total_cmp);
    let op = Overdamped::new(&risk, 0.5).unwrap();
    let rates = decay_rates(&op, &RateOptions { count: 3, tolerance: 1e-10, ..Default::default() }).unwrap();
    assert!(rates.method.rotation.is_some() && rates.study.converged, "{}", rates.method.description);
    for i in 0..3 {
        assert!((rates.values[i] - exact[i]).abs() <= rates.errors[i], "{:?} vs {:?}", rates.values, exact);
    }
    let problem = Kinetic::new(&risk, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let rates = kinetic_rates(&problem, &KineticOptions { count: 1, ..Default::default() }).unwrap();
    assert!(rates.method.rotation.is_some() && rates.study.converged, "{}", rates.method.stopped);
    // g² = 1 < 4h for both modes: each is (1 ± i√(4h − 1))/2, so the slowest rates share re = 1/2
    // and the first listed is one of the two modes.
    let (re, im) = rates.values[0];
    let distance = h.iter().map(|h| (re - 0.5).hypot(im - (4.0 * h - 1.0).sqrt() / 2.0)).fold(f64::INFINITY, f64::min);
    assert!(distance <= rates.errors[0], "{:?} ± {} vs h = {h:?}", rates.values[0], rates.errors[0]);
}

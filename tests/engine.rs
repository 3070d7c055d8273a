//! The engine against independent truths: exact spectra, quadrature identities, the dense path
//! against the sparse path, and convergence under refinement.

use fpspectral::basis::{HermiteBasis, IndexSet};
use fpspectral::eigen::to_dense;
use fpspectral::hermite::{values, GaussHermite};
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, eigenpairs, poincare_constant, RateOptions, SolverPath};
use fpspectral::{EngineError, Expression, Potential};
use proptest::prelude::*;

fn rates(spec: &str, d: f64, count: usize, tol: f64, path: SolverPath) -> fpspectral::spectrum::Rates {
    let p = Expression::parse(spec).unwrap();
    let op = Overdamped::new(&p, d).unwrap();
    decay_rates(&op, &RateOptions { count, tolerance: tol, path, ..Default::default() }).unwrap()
}

#[test]
fn ornstein_uhlenbeck_spectrum_is_k_times_a() {
    // L = a x²/2: the generator (5) has eigenvalues k·a for every D.
    for (a, d) in [(1.0, 0.3), (2.5, 1.7), (0.4, 0.05)] {
        let r = rates(&format!("{a}*x^2/2"), d, 4, 1e-12, SolverPath::Dense);
        for (k, v) in r.values.iter().enumerate() {
            let exact = (k + 1) as f64 * a;
            assert!((v - exact).abs() <= 1e-12 * exact, "a={a} D={d} k={}: {v} vs {exact}", k + 1);
        }
    }
}

#[test]
fn double_well_three_rates_to_1e10_dense_and_sparse_agree() {
    // The dense path works with the factor B (H = BᵀB): small rates keep relative accuracy.
    let dense = rates("x^4/4 - x^2/2", 0.1, 3, 1e-11, SolverPath::Dense);
    // The sparse path works with H itself: rounding ~ ε‖H‖, which its residual bound reports.
    let sparse = rates("x^4/4 - x^2/2", 0.1, 3, 1e-8, SolverPath::Sparse);
    assert!(dense.study.converged && sparse.study.converged);
    for i in 0..3 {
        assert!(dense.errors[i] <= 1e-10 * dense.values[i], "error estimate {:?}", dense.errors);
        let gap = (dense.values[i] - sparse.values[i]).abs();
        assert!(gap <= dense.errors[i] + sparse.errors[i], "dense {:?} sparse {:?}", dense.values, sparse.values);
    }
    // The slowest rate is the Kramers rate: far below the intra-well relaxation.
    assert!(dense.values[0] < 0.05 && dense.values[1] > 0.5);
}

/// L = x²/2 + 3y²/4 (a = 1, b = 3/2): the generator's eigenvalues are exactly k·a + m·b. The
/// sparse path (sparse Cholesky + shift-invert Krylov–Schur, [`fpspectral::shift_invert`]) on a
/// total-degree basis of 465 functions (above the dense cut-off) finds 0, 1, 1.5, 2, 2.5, 3.
#[test]
fn ornstein_uhlenbeck_2d_through_sparse_shift_invert() {
    let spec = "x^2/2 + 3*y^2/4";
    let r = rates(spec, 0.5, 2, 1e-10, SolverPath::Dense);
    let p = Expression::parse(spec).unwrap();
    let op = Overdamped::new(&p, 0.5).unwrap();
    let basis = HermiteBasis::new(r.centre.clone(), r.scale.clone(), vec![30, 30], IndexSet::TotalDegree).unwrap();
    assert!(basis.len() > fpspectral::eigen::SMALL_SPARSE);
    let sparse = eigenpairs(&op, &basis, 6, SolverPath::Sparse, -0.01).unwrap();
    for (v, exact) in sparse.values.iter().zip([0.0, 1.0, 1.5, 2.0, 2.5, 3.0]) {
        assert!((v - exact).abs() <= 1e-10 * (1.0 + exact), "{:?}", sparse.values);
    }
}

#[test]
fn non_separable_2d_polynomial_to_1e8() {
    let r = rates("x^4/4 - x^2/2 + y^2/2 + 0.3*x*y", 0.5, 3, 1e-9, SolverPath::Auto);
    assert!(r.study.converged, "{:?}", r.errors);
    for i in 0..3 {
        assert!(r.errors[i] <= 1e-8 * r.values[i]);
    }
    // Independent check: the sparse solve at the finest size agrees with the dense one there.
    let p = Expression::parse("x^4/4 - x^2/2 + y^2/2 + 0.3*x*y").unwrap();
    let op = Overdamped::new(&p, 0.5).unwrap();
    let basis = HermiteBasis::new(r.centre.clone(), r.scale.clone(), vec![30, 30], IndexSet::TotalDegree).unwrap();
    let dense = eigenpairs(&op, &basis, 3, SolverPath::Dense, -0.01).unwrap();
    let sparse = eigenpairs(&op, &basis, 3, SolverPath::Sparse, -0.01).unwrap();
    for i in 0..4 {
        assert!((dense.values[i] - sparse.values[i]).abs() <= 1e-10 * (1.0 + dense.values[i]));
    }
}

#[test]
fn non_separable_3d_polynomial_to_1e8() {
    let r = rates("x^4/4 - x^2/2 + y^2/2 + 0.3*x*y + z^2/2 + 0.2*y*z", 0.5, 3, 1e-9, SolverPath::Auto);
    for i in 0..3 {
        assert!(r.errors[i] <= 1e-8 * r.values[i], "values {:?} errors {:?}", r.values, r.errors);
    }
}

#[test]
fn sparse_banded_matrix_equals_dense_quadrature_galerkin() {
    let p = Expression::parse("x^4/4 - x^2/2 + 0.1*x + y^2/2 + 0.3*x*y").unwrap();
    let op = Overdamped::new(&p, 0.3).unwrap();
    let basis = HermiteBasis::new(vec![0.1, -0.2], vec![0.5, 0.8], vec![12, 10], IndexSet::FullTensor).unwrap();
    let b = op.factor(&basis).unwrap();
    let dense = b.transpose() * &b;
    let sparse = to_dense(&op.sparse_matrix(&basis).unwrap());
    let scale = dense.norm_max();
    assert!((&dense - &sparse).norm_max() <= 1e-11 * scale, "max diff {}", (&dense - &sparse).norm_max());
    assert!((&sparse - sparse.transpose()).norm_max() <= 1e-12 * scale);
}

#[test]
fn non_polynomial_risk_converges_under_refinement() {
    let r = rates("x^2/2 + 0.5*tanh(2*x) + 0.1*cos(3*x)", 0.2, 2, 1e-10, SolverPath::Dense);
    assert!(r.study.converged);
    let diffs: Vec<f64> = r.study.levels.windows(2).map(|w| (w[1].values[0] - w[0].values[0]).abs()).collect();
    assert!(diffs.len() >= 2 && diffs[diffs.len() - 1] < diffs[0] * 1e-2, "level differences {diffs:?}");
}

#[test]
fn poincare_constant_of_gaussian_is_its_curvature() {
    // e^{-ηa x²/2} is Gaussian with variance 1/(ηa): Poincaré constant ηa.
    let p = Expression::parse("1.5*x^2/2").unwrap();
    let (v, e, _) = poincare_constant(&p, 2.0, 1e-12).unwrap();
    assert!((v - 3.0).abs() <= 1e-11 && e <= 1e-11);
}

#[test]
fn hermite_functions_finite_at_large_order() {
    for t in [0.0, 10.0, 44.0, 50.0, -47.0] {
        let v = values(1200, t);
        assert!(v.iter().all(|x| x.is_finite()), "t = {t}");
        assert!(v.iter().any(|x| x.abs() > 1e-3) || t.abs() > 49.0);
    }
}

proptest! {
    #[test]
    fn hermite_functions_orthonormal(m in 0usize..200, n in 0usize..200) {
        let rule = GaussHermite::new(210);
        let s: f64 = rule.nodes.iter().zip(&rule.weights).map(|(&t, &w)| {
            let v = values(200, t);
            w * v[m] * v[n]
        }).sum();
        let expected = if m == n { 1.0 } else { 0.0 };
        prop_assert!((s - expected).abs() < 1e-11, "m={} n={} got {}", m, n, s);
    }

    #[test]
    fn generator_is_symmetric_and_nonnegative(c in -0.3f64..0.3, tilt in -0.5f64..0.5, d in 0.1f64..1.0) {
        let p = Expression::parse(&format!("x^4/4 - x^2/2 + {tilt}*x + y^2/2 + {c}*x*y")).unwrap();
        let op = Overdamped::new(&p, d).unwrap();
        let basis = HermiteBasis::new(vec![0.0, 0.0], vec![0.6, 0.9], vec![8, 8], IndexSet::TotalDegree).unwrap();
        let h = to_dense(&op.sparse_matrix(&basis).unwrap());
        prop_assert!((&h - h.transpose()).norm_max() <= 1e-12 * h.norm_max());
        let pairs = eigenpairs(&op, &basis, 1, SolverPath::Dense, -1.0).unwrap();
        prop_assert!(pairs.values[0] >= -1e-12);
    }
}

fn refused(spec: &str) -> EngineError {
    Expression::parse(spec).unwrap_err()
}

#[test]
fn refuses_malformed_and_non_confining_potentials() {
    assert!(matches!(refused("x^4 +"), EngineError::Parse(_)));
    assert!(matches!(refused("x^2 + foo(x)"), EngineError::Parse(_)));
    assert!(matches!(refused("x^2 $ 1"), EngineError::Parse(_)));
    assert!(matches!(refused(""), EngineError::Parse(_)));
    assert!(matches!(refused("x^3"), EngineError::NotConfining(_)));
    assert!(matches!(refused("-x^2"), EngineError::NotConfining(_)));
    assert!(matches!(refused("x^2 + y"), EngineError::NotConfining(_)));
    assert!(matches!(refused("0.5*log(1 + x^2)"), EngineError::NotConfining(_)));
    assert!(matches!(refused("sqrt(x)"), EngineError::NotConfining(_)));
}

#[test]
fn refuses_bad_diffusion() {
    let p = Expression::parse("x^2").unwrap();
    for d in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(Overdamped::new(&p, d), Err(EngineError::InvalidParameter(_))));
    }
}

#[test]
fn refuses_unreadable_fixture_and_huge_basis() {
    assert!(matches!(Expression::from_spec("/nonexistent/risk.json"), Err(EngineError::Io(_))));
    let r = HermiteBasis::new(vec![0.0; 3], vec![1.0; 3], vec![1000, 1000, 1000], IndexSet::FullTensor);
    assert!(matches!(r, Err(EngineError::TooLarge(_))));
}

/// The resolution study's stated error covers the true error of a slowly converging sequence
/// (x_n = 1 + ρⁿ with ρ = 0.8: the last change alone would understate it fourfold), and stays the
/// last change when convergence is fast (ρ = 0.1).
#[test]
fn resolution_error_covers_slow_geometric_convergence() {
    use fpspectral::resolution::{assess, Level};
    for rho in [0.8f64, 0.1] {
        let levels: Vec<Level> = (1..=5)
            .map(|n| Level {
                sizes: vec![n],
                basis_size: n,
                values: vec![1.0 + rho.powi(n as i32)],
                rounding: vec![0.0],
            })
            .collect();
        let study = assess(&levels, 1e-12, 0.0).unwrap();
        let true_error = rho.powi(5);
        let last_change = rho.powi(4) - rho.powi(5);
        assert!(study.errors[0] >= true_error * (1.0 - 1e-12), "ρ = {rho}: {} < {true_error}", study.errors[0]);
        if rho < 0.5 {
            assert!((study.errors[0] - last_change).abs() <= 1e-15);
        }
    }
}

/// Expressions of every kind for the gradient-only path: 3D polynomials and an expression with
/// every elementary function (the data risks' paths are tested in theorems/tests/risks.rs).
fn gradient_cases() -> Vec<Expression> {
    vec![
        Expression::parse("(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2) + z^2*(1 + 0.2*x^2)")
            .unwrap(),
        Expression::parse_unchecked(
            "exp(0.3*x)*cos(y) + log(2 + x^2)/sqrt(1 + z^2) + sin(x*y)*tanh(z) + (1 + y^2)^1.5 + (2 + x^2)^(0.1*z)",
        )
        .unwrap(),
        // Degree 18: the polynomial path's tables of powers on the heap.
        Expression::parse_unchecked("x^18/1e6 + (x*y + z)^5/100 - 3*x*y*z^2").unwrap(),
    ]
}

proptest! {
    /// The gradient-only evaluation agrees with the full (value, gradient, Hessian) jet to rounding.
    #[test]
    fn gradient_path_matches_full_jet(x in -3.0f64..3.0, y in -3.0f64..3.0, z in -3.0f64..3.0) {
        for p in gradient_cases() {
            let (full, fast) = (p.jet(&[x, y, z]), p.gradient(&[x, y, z]));
            let scale = 1.0 + full.v.abs() + full.g.iter().map(|g| g.abs()).sum::<f64>();
            prop_assert!((full.v - fast.v).abs() <= 1e-13 * scale, "{}: value {} vs {}", p.describe(), full.v, fast.v);
            for i in 0..3 {
                prop_assert!((full.g[i] - fast.g[i]).abs() <= 1e-13 * scale, "{}: ∂{i} {} vs {}", p.describe(), full.g[i], fast.g[i]);
            }
        }
    }
}

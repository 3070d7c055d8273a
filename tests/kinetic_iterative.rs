//! The iterative (no fine LU) refinement of the kinetic gap against the direct sparse-LU path and
//! an exact harmonic spectrum.

use fpspectral::basis::IndexSet;
use fpspectral::kinetic::iterative::{refine_gap, RefineParams};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{axis_ratios, default_axes, rates_sparse, study_basis};
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;

#[test]
fn refinement_matches_direct_lu_on_non_separable_potential() {
    // No reflection symmetry (x·y is odd in x and in y): one sector, the whole basis.
    let pot = Expression::parse("x^4/4 - x^2/2 + y^2/2 + 0.3*x*y").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let r = refine_gap(&problem, 44, 32, 0.068, RefineParams::default()).unwrap();
    assert!(r.sizes.0 > 10_000, "fine N {}", r.sizes.0);
    let axes = default_axes(&problem).unwrap();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    let fine = study_basis(&problem, &axes, &ratios, 44, IndexSet::TotalDegree).unwrap();
    let direct = rates_sparse(&problem.matrix(&fine).unwrap(), 1, 0.068).unwrap();
    let diff = (r.rate - direct.rates[0].re).abs();
    let residual = *r.refined.residuals.last().unwrap();
    eprintln!("iterative {} direct {:?} diff {diff:.1e} residual {residual:.1e}", r.rate, direct.rates[0]);
    assert!(direct.rates[0].im.abs() < 1e-12);
    assert!(diff < 1e-10, "iterative {} vs direct LU {}", r.rate, direct.rates[0].re);
    assert!(residual < 1e-12 && r.refined.inner.worst_residual <= 1e-12);
}

#[test]
fn refinement_is_exact_on_harmonic_potential() {
    // g = 4, ω = 1: the slowest rate of one degree of freedom is (g − √(g² − 4ω²))/2 = 2 − √3.
    let pot = Expression::parse("x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(4.0, 0.5).unwrap()).unwrap();
    let r = refine_gap(&problem, 30, 20, 0.2, RefineParams::default()).unwrap();
    let exact = 2.0 - 3f64.sqrt();
    assert!(r.sizes.0 > 20_000, "fine N {}", r.sizes.0);
    assert!((r.rate - exact).abs() < 1e-10, "gap {} vs exact {exact}", r.rate);
    assert!(r.error < 1e-10, "stated error {}", r.error);
}

#[test]
fn refinement_refuses_bad_sizes_and_complex_gaps() {
    let pot = Expression::parse("x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(4.0, 0.5).unwrap()).unwrap();
    let err = refine_gap(&problem, 10, 12, 0.2, RefineParams::default()).unwrap_err().to_string();
    assert!(err.contains("coarse size 12 must be below fine size 10"), "{err}");
    let err = refine_gap(&problem, 12, 2, 0.2, RefineParams::default()).unwrap_err().to_string();
    assert!(err.contains("at least"), "{err}");
    // g = 1, ω = 1: the gap (1 ± i√3)/2 is complex; refused with an error, no panic.
    let under = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let err = refine_gap(&under, 14, 10, 0.05, RefineParams::default()).unwrap_err().to_string();
    assert!(err.contains("complex"), "{err}");
}

#[test]
fn preconditioned_gmres_matches_the_sparse_lu_solve() {
    use fpspectral::kinetic::iterative::{shifted_rows, two_grid_solve, TwoGrid};
    use fpspectral::kinetic::spectrum::shifted_lu;
    use fpspectral::krylov::GmresParams;
    let pot = Expression::parse("x^4/4 - x^2/2 + y^2/2 + 0.3*x*y").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    let fine = study_basis(&problem, &axes, &ratios, 24, IndexSet::TotalDegree).unwrap();
    let coarse = study_basis(&problem, &axes, &ratios, 16, IndexSet::TotalDegree).unwrap();
    // A shift inside the spectrum (near the gap, as in the refinement), so A is indefinite.
    let shift = -0.3;
    let a = shifted_rows(&problem, &fine, shift).unwrap();
    let m = TwoGrid::new(&problem, &a, &fine, &coarse, shift).unwrap();
    let n = fine.len();
    let b: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 101.0 - 0.5).collect();
    let mut x = vec![0.0; n];
    let (iterations, res) = two_grid_solve(&a, &m, &b, &mut x, GmresParams::default());
    assert!(res <= 1e-12, "relative residual {res:.1e} after {iterations} iterations");
    let lu = shifted_lu(&problem.matrix(&fine).unwrap(), shift).unwrap();
    let mut y = faer::Mat::<f64>::from_fn(n, 1, |i, _| b[i]);
    faer::linalg::solvers::Solve::solve_in_place(&lu, y.as_mut());
    let scale = (0..n).map(|i| y[(i, 0)].abs()).fold(0.0, f64::max);
    let diff = (0..n).map(|i| (x[i] - y[(i, 0)]).abs()).fold(0.0, f64::max);
    assert!(diff <= 1e-9 * scale, "GMRES vs LU: {diff:.1e} (scale {scale:.1e}), N = {n}");
}

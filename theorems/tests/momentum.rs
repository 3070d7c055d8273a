//! (A.4)'s constants, computed by `theorems::momentum` (moved from the engine's kinetic tests
//! when the constants moved out of the engine).

use fpspectral::Expression;

#[test]
fn assumption_a4_constants() {
    use theorems::momentum::hessian_bound;
    // L̃ = 2e^{−w²}: sup |L̃''| = 4 at w = 0.
    let b = hessian_bound(&Expression::parse("x^2/2 + 2*exp(-x^2)").unwrap(), 1.0, 6.0).unwrap();
    assert!((b.value - 4.0).abs() <= 1e-8 + b.error, "{b:?}");
    // Quadratic with matching C_L: b = 0; in d = 2 the eigenvalue reading of the sup matrix.
    let b0 = hessian_bound(&Expression::parse("x^2/2 + y^2/2").unwrap(), 1.0, 6.0).unwrap();
    assert!(b0.value.abs() < 1e-9, "{b0:?}");
    let b2 = hessian_bound(&Expression::parse("x^2 + x*y + y^2").unwrap(), 1.0, 6.0).unwrap();
    assert!((b2.value - 2.0).abs() < 1e-8, "{b2:?}"); // [[1, 1], [1, 1]] has eigenvalues 0 and 2
                                                      // A quartic has an unbounded Hessian: (A.4) fails, b = ∞.
    let bq = hessian_bound(&Expression::parse("x^4/4 - x^2/2").unwrap(), 1.0, 6.0).unwrap();
    assert!(bq.value.is_infinite());
}

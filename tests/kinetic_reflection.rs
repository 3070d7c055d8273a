//! The velocity reflection R: v → −v on the assembled kinetic matrices: Gᵀ = RGR (to the
//! assembly's rounding), and the left eigenvectors Rx it gives carry the same error estimates as
//! a separate shift-invert solve on Gᵀ.

use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::KineticBasis;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{
    basis_of_size, default_axes, rates_sparse, rates_sparse_reflected, reflection_defect, reflection_holds, sectors,
    velocity_reflection,
};
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;

/// Largest absolute column sum.
fn norm_1(g: &faer::sparse::SparseColMat<usize, f64>) -> f64 {
    let (sym, vals) = (g.symbolic(), g.val());
    (0..g.ncols())
        .map(|j| (sym.col_ptr()[j]..sym.col_ptr()[j + 1]).map(|p| vals[p].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// The bases of the 1D double well, the 2D anisotropic double well (total degree, and each of
/// its parity sectors), the circle and a non-polynomial risk (quadrature force).
fn cases() -> Vec<(String, f64, KineticBasis, faer::sparse::SparseColMat<usize, f64>)> {
    let params = KineticParams::new(1.0, 0.5).unwrap();
    let mut out = Vec::new();
    for (spec, periodic, n) in [
        ("x^4/4 - x^2/2", false, 30),
        ("x^4/4 - x^2/2 + y^2/2", false, 14),
        ("-cos(x)", true, 21),
        ("log(1 + x^2) + x^2/4", false, 24),
    ] {
        let pot = if periodic { Expression::parse_periodic(spec) } else { Expression::parse(spec) }.unwrap();
        let problem = if periodic { Kinetic::periodic(&pot, params) } else { Kinetic::new(&pot, params) }.unwrap();
        let axes = default_axes(&problem).unwrap();
        let basis = basis_of_size(&problem, &axes, n, IndexSet::TotalDegree).unwrap();
        let mut bases = vec![basis.clone()];
        bases.extend(sectors(&problem, &basis).into_iter().filter(|s| s.len() < basis.len()));
        for b in bases {
            let g = problem.matrix(&b).unwrap();
            out.push((spec.to_string(), norm_1(&g), b, g));
        }
    }
    out
}

#[test]
fn the_transpose_is_the_reflected_generator() {
    for (spec, norm, basis, g) in cases() {
        let r = velocity_reflection(&basis);
        let defect = reflection_defect(&g, &r);
        eprintln!("{spec} ({} functions): ‖G‖₁ = {norm:.3e}, max |G − RGᵀR| = {defect:.3e}", basis.len());
        assert!(defect <= 8.0 * f64::EPSILON * norm, "{spec}: defect {defect:e} vs ‖G‖₁ {norm:e}");
        assert!(reflection_holds(&g, &r));
        // Control: without the signs the defect is the transport itself (2|T_ij|), far above rounding.
        let plain = reflection_defect(&g, &vec![1.0; basis.len()]);
        assert!(plain > 1e-3 * norm, "{spec}: identity reflection defect {plain:e}");
        assert!(!reflection_holds(&g, &vec![1.0; basis.len()]));
    }
}

#[test]
fn reflected_left_eigenvectors_match_the_transposed_solve() {
    for (spec, _, basis, g) in cases().into_iter().filter(|c| c.2.len() >= 60) {
        let r = velocity_reflection(&basis);
        let solved = rates_sparse(&g, 3, 0.05).unwrap();
        let reflected = rates_sparse_reflected(&g, &r, 3, 0.05).unwrap();
        assert_eq!(solved.rates.len(), reflected.rates.len(), "{spec}");
        for k in 0..solved.rates.len() {
            let (a, b) = (solved.rates[k], reflected.rates[k]);
            let (ea, eb) = (solved.rounding[k], reflected.rounding[k]);
            eprintln!("{spec} [{}]: rate {k} {a:.14} / {b:.14}, errors {ea:.3e} / {eb:.3e}", basis.len());
            assert!((a - b).norm() <= ea.max(eb), "{spec}: rate {k} {a} vs {b}");
            assert!((ea / eb - 1.0).abs() <= 0.05, "{spec}: error {k} {ea:e} vs {eb:e}");
        }
    }
}

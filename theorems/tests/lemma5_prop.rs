//! Lemma 5's identities on random coefficient vectors and random quartic potentials (proptest).

use faer::Col;
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{basis_of_size, default_axes};
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]
    #[test]
    fn identities_hold(a in 0.1f64..1.0, b in -1.0f64..1.0, c in -0.5f64..0.5, g in 0.3f64..3.0, dv in 0.2f64..2.0,
                       coeffs in proptest::collection::vec(-1.0f64..1.0, 64)) {
        let spec = format!("{a}*x^4 + {b}*x^2 + {c}*x^3");
        let pot = Expression::parse(&spec).unwrap();
        let problem = Kinetic::new(&pot, KineticParams::new(g, dv).unwrap()).unwrap();
        let axes = default_axes(&problem).unwrap();
        let basis = basis_of_size(&problem, &axes, 12, IndexSet::TotalDegree).unwrap();
        let vec_from = |shift: usize| Col::from_fn(basis.len(), |i| {
            let d = basis.indices[i];
            coeffs[(i + shift) % coeffs.len()] * 0.7f64.powi((d[0] + d[2]) as i32)
        });
        let (f, h) = (vec_from(0), vec_from(17));
        let d = theorems::lemma5::defects(&problem, &basis, &f, &h).unwrap();
        prop_assert!(d.antisymmetry < 1e-11, "(1): {}", d.antisymmetry);
        prop_assert!(d.skew < 1e-11, "(2): {}", d.skew);
        prop_assert!(d.dissipation < 1e-11, "(3): {}", d.dissipation);
    }
}

//! The certify crate's proved enclosures against the engine's converged eigenvalues and Poincaré
//! constants (two independent computations: interval Rayleigh–Ritz/Temple/Sturm against the
//! engine's resolution study).

use certify::spectrum::{enclose, Options};
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, poincare_constant, RateOptions};
use fpspectral::Expression;

const DOUBLE_WELL: [f64; 5] = [0.0, 0.0, -0.5, 0.0, 0.25];

#[test]
fn enclosures_agree_with_the_engine_on_the_double_well() {
    let pot = Expression::parse("x^4/4 - x^2/2").unwrap();
    for d in [1.0, 0.5, 0.25, 0.1] {
        let rates = decay_rates(
            &Overdamped::new(&pot, d).unwrap(),
            &RateOptions { count: 3, tolerance: 1e-10, ..Default::default() },
        )
        .unwrap();
        let enc = enclose(&DOUBLE_WELL, d, 3, Options::default()).unwrap();
        for (k, e) in enc.iter().enumerate() {
            let (v, err) = (rates.values[k], rates.errors[k]);
            assert!((e.upper - e.lower) / e.upper <= 1e-9, "D = {d}, λ{}: {e:?}", k + 1);
            // The engine's interval v ± err meets the proved enclosure.
            assert!(v + err >= e.lower && v - err <= e.upper, "D = {d}, λ{}: engine {v} ± {err}, proved {e:?}", k + 1);
        }
    }
}

#[test]
fn poincare_constants_are_eta_times_the_gap_at_d_one_over_eta() {
    let pot = Expression::parse("x^4/4 - x^2/2").unwrap();
    for eta in [1.0, 2.0, 4.0] {
        let (cp, err, _) = poincare_constant(&pot, eta, 1e-10).unwrap();
        let e = &enclose(&DOUBLE_WELL, 1.0 / eta, 1, Options::default()).unwrap()[0];
        let (lo, hi) = (eta * e.lower, eta * e.upper);
        assert!(cp + err >= lo && cp - err <= hi, "η = {eta}: engine {cp} ± {err}, proved [{lo}, {hi}]");
    }
}

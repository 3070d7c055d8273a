//! d = 2 enclosures against exact spectra: the Ornstein–Uhlenbeck process L = ½wᵀQw has the
//! spectrum {k₁q₁ + k₂q₂} (q the eigenvalues of Q), separable or rotated.

use certify::hermite2d::Poly2;
use certify::interval::Interval;
use certify::spectrum2d::{enclose_2d, upper_bounds_2d, Options2};

/// The lowest `count` non-zero values of k₁q₁ + k₂q₂ (q in intervals), ascending by midpoint.
fn ou_spectrum(q: [Interval; 2], count: usize) -> Vec<Interval> {
    let mut all: Vec<Interval> =
        (0..=count).flat_map(|i| (0..=count).map(move |j| q[0] * i as f64 + q[1] * j as f64)).collect();
    all.sort_by(|a, b| a.mid().total_cmp(&b.mid()));
    all[1..=count].to_vec()
}

/// Eigenvalues of [[a, b], [b, c]] in intervals.
fn eig2(a: f64, b: f64, c: f64) -> [Interval; 2] {
    let (a, b, c) = (Interval::point(a), Interval::point(b), Interval::point(c));
    let half_tr = (a + c) / 2.0;
    let root = (((a - c) / 2.0).sqr() + b.sqr()).sqrt();
    [half_tr - root, half_tr + root]
}

fn assert_overlaps(enc: &[certify::spectrum::Enclosure], exact: &[Interval], rel: f64) {
    for (k, (e, x)) in enc.iter().zip(exact).enumerate() {
        assert!(e.lower <= x.upper && x.lower <= e.upper, "λ{} = {x} not in [{}, {}]", k + 1, e.lower, e.upper);
        assert!((e.upper - e.lower) / e.upper <= rel, "λ{}: {e:?}", k + 1);
    }
}

#[test]
fn separable_ornstein_uhlenbeck_is_k1_a1_plus_k2_a2() {
    for (a1, a2, d) in [(1.0, 1.7, 0.5), (1.0, 1.0, 0.25), (2.0, 0.5, 1.0)] {
        let l = Poly2(vec![(2, 0, a1 / 2.0), (0, 2, a2 / 2.0)]);
        let e = enclose_2d(&l, d, 4, Options2 { basis_1d: 40, ..Options2::default() }).expect("certified");
        assert_overlaps(&e, &ou_spectrum([Interval::point(a1), Interval::point(a2)], 4), 1e-9);
    }
}

#[test]
fn coupled_ornstein_uhlenbeck_is_k1_q1_plus_k2_q2() {
    // L = x²/2 + 0.85y² + 0.1xy: Q = [[1, 0.1], [0.1, 1.7]] (f64 coefficients taken as exact).
    let l = Poly2(vec![(2, 0, 0.5), (0, 2, 0.85), (1, 1, 0.1)]);
    let q = eig2(1.0, 0.1, 1.7);
    let e = enclose_2d(&l, 0.5, 3, Options2 { basis: [24, 24], ..Options2::default() }).expect("certified");
    eprintln!("{e:?}");
    assert_overlaps(&e, &ou_spectrum(q, 3), 1e-6);
}

#[test]
fn separable_double_well_is_the_sum_of_its_factors() {
    // x⁴/4 − x²/2 + y²/2 at D = 0.5: λ = a_i + j (the y factor is Ornstein–Uhlenbeck with a = 1).
    let l = Poly2(vec![(4, 0, 0.25), (2, 0, -0.5), (0, 2, 0.5)]);
    let e = enclose_2d(&l, 0.5, 3, Options2::default()).expect("certified");
    let a = certify::spectrum::enclose(&[0.0, 0.0, -0.5, 0.0, 0.25], 0.5, 2, Default::default()).unwrap();
    let a1 = Interval::new(a[0].lower, a[0].upper);
    let exact = [a1, Interval::point(1.0), a1 + 1.0];
    assert_overlaps(&e, &exact, 1e-6);
}

#[test]
fn coupled_upper_bounds_lie_above_the_exact_values() {
    let l = Poly2(vec![(2, 0, 0.5), (0, 2, 0.85), (1, 1, 0.1)]);
    let q = eig2(1.0, 0.1, 1.7);
    let up = upper_bounds_2d(&l, 0.5, 3, Options2 { basis: [16, 16], ..Options2::default() }).unwrap();
    for (u, x) in up.iter().zip(ou_spectrum(q, 3)) {
        assert!(x.lower <= *u && (*u - x.upper) / u <= 1e-9, "{u} vs {x}");
    }
}

#[test]
fn coupled_double_well_enclosures_are_narrow_and_ordered() {
    // x⁴/4 − x²/2 + y²/2 + 0.3xy at D = 0.5 (the coupled case): relative width ≤ 1e-6.
    let l = Poly2(vec![(4, 0, 0.25), (2, 0, -0.5), (0, 2, 0.5), (1, 1, 0.3)]);
    let e = enclose_2d(&l, 0.5, 3, Options2::default()).expect("certified");
    for (k, x) in e.iter().enumerate() {
        assert!(x.lower <= x.upper && (x.upper - x.lower) / x.upper <= 1e-6, "λ{}: {x:?}", k + 1);
        assert!(x.upper <= x.rho, "λ{} must lie below the a-priori bound of the next: {x:?}", k + 1);
    }
    // Simple and ordered: the enclosures do not overlap.
    assert!(e[0].upper < e[1].lower && e[1].upper < e[2].lower, "{e:?}");
}

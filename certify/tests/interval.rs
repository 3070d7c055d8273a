//! The interval arithmetic against exact rational arithmetic: for random intervals and random
//! points inside them, the exact real result (num-rational) lies in the computed interval.

use certify::Interval;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;

fn q(x: f64) -> BigRational {
    BigRational::from_float(x).expect("finite")
}

fn inside(i: Interval, x: &BigRational) -> bool {
    q(i.lower) <= *x && *x <= q(i.upper)
}

/// An interval [a, a + w] and a point a + t·w inside it.
fn interval_and_point() -> impl Strategy<Value = (Interval, f64)> {
    (-1e6f64..1e6, 0f64..10.0, 0f64..=1.0, -30i32..30).prop_map(|(a, w, t, e)| {
        let s = 2f64.powi(e);
        let (lo, hi) = (a * s, (a + w) * s);
        let x = (lo + t * (hi - lo)).clamp(lo, hi);
        (Interval::new(lo, hi), x)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn arithmetic_encloses_the_exact_result((a, x) in interval_and_point(), (b, y) in interval_and_point()) {
        let (qx, qy) = (q(x), q(y));
        prop_assert!(inside(a + b, &(&qx + &qy)));
        prop_assert!(inside(a - b, &(&qx - &qy)));
        prop_assert!(inside(a * b, &(&qx * &qy)));
        prop_assert!(inside(a.sqr(), &(&qx * &qx)));
        if !qy.is_zero() {
            prop_assert!(inside(a / b, &(&qx / &qy)));
        }
    }

    #[test]
    fn products_and_quotients_are_the_hull_of_the_endpoint_results((a, _) in interval_and_point(), (b, _) in interval_and_point()) {
        // The sign-case ×, ÷ against the hull of the four endpoint results (each a point operation).
        let ends = |x: Interval| [x.lower, x.upper].map(Interval::point);
        let hull = |f: &dyn Fn(Interval, Interval) -> Interval| {
            let all: Vec<Interval> = ends(a).iter().flat_map(|&x| ends(b).map(|y| f(x, y))).collect();
            all.iter().skip(1).fold(all[0], |h, x| h.hull(x))
        };
        prop_assert_eq!(a * b, hull(&|x, y| x * y));
        prop_assert_eq!(b * a, hull(&|x, y| y * x));
        if b.lower > 0.0 || b.upper < 0.0 {
            prop_assert_eq!(a / b, hull(&|x, y| x / y));
        }
        let neg = -b;
        if neg.lower > 0.0 || neg.upper < 0.0 {
            prop_assert_eq!(a / neg, (-a) / b);
        }
    }

    #[test]
    fn sqrt_encloses((a, x) in interval_and_point()) {
        let x = x.abs();
        let r = Interval::new(a.lower.abs().min(x), a.upper.abs().max(x)).sqrt();
        let qx = q(x);
        prop_assert!(q(r.lower) * q(r.lower) <= qx && qx <= q(r.upper) * q(r.upper));
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn exp_encloses_the_rational_taylor_bounds(x in -2.0f64..2.0) {
        // For |x| ≤ 2: S_n(x) ± |x|^{n+1}/(n+1)!·e² brackets e^x; n = 40 makes it tighter than 1 ulp.
        let qx = q(x);
        let mut term = BigRational::one();
        let mut sum = BigRational::zero();
        for j in 0..=40u32 {
            if j > 0 { term = term * &qx / BigRational::from_integer(BigInt::from(j)); }
            sum += &term;
        }
        let rem = (term * &qx / BigRational::from_integer(BigInt::from(41))).abs() * BigRational::from_integer(BigInt::from(8));
        let e = Interval::point(x).exp();
        prop_assert!(q(e.lower) <= &sum - &rem && &sum + &rem <= q(e.upper));
        prop_assert!(e.relative_width() < 1e-13);
        let m = Interval::point(x).exp_m1();
        let one = BigRational::one();
        prop_assert!(q(m.lower) <= &sum - &rem - &one && &sum + &rem - &one <= q(m.upper));
    }

    #[test]
    fn sin_cos_enclose_the_rational_taylor_bounds(x in -2.0f64..2.0) {
        // For |x| ≤ 2: the Taylor sums of sin and cos to degree 41 with remainder |x|^42/42!
        // (every derivative bounded by 1), far below 1 ulp.
        let qx = q(x);
        let (mut term, mut sin, mut cos) = (BigRational::one(), BigRational::zero(), BigRational::zero());
        for j in 0..=41u32 {
            if j > 0 { term = term * &qx / BigRational::from_integer(BigInt::from(j)); }
            let signed = if (j / 2) % 2 == 0 { term.clone() } else { -term.clone() };
            if j % 2 == 0 { cos += signed } else { sin += signed }
        }
        let rem = (term * &qx / BigRational::from_integer(BigInt::from(42))).abs();
        let (s, c) = Interval::point(x).sin_cos();
        prop_assert!(q(s.lower) <= &sin - &rem && &sin + &rem <= q(s.upper));
        prop_assert!(q(c.lower) <= &cos - &rem && &cos + &rem <= q(c.upper));
        prop_assert!(s.width() < 1e-14 && c.width() < 1e-14);
    }

    #[test]
    fn sin_sqr_encloses_the_square_of_the_rational_taylor_sin(x in -2.0f64..2.0) {
        // sin² x ∈ [(sin − rem)², (sin + rem)²] (or from 0 when that straddles 0).
        let qx = q(x);
        let (mut term, mut sin) = (BigRational::one(), BigRational::zero());
        for j in 1..=41u32 {
            term = term * &qx / BigRational::from_integer(BigInt::from(j));
            if j % 2 == 1 { sin += if (j / 2) % 2 == 0 { term.clone() } else { -term.clone() } }
        }
        let rem = (term * &qx / BigRational::from_integer(BigInt::from(42))).abs();
        let (a, b) = (&sin - &rem, &sin + &rem);
        let (a2, b2) = (&a * &a, &b * &b);
        let lowest = if a <= BigRational::zero() && b >= BigRational::zero() { BigRational::zero() } else { a2.clone().min(b2.clone()) };
        let s2 = Interval::point(x).sin_sqr();
        prop_assert!(q(s2.lower) <= lowest && a2.clone().max(b2.clone()) <= q(s2.upper));
        prop_assert!(s2.width() < 1e-14);
        // The point form (plain f64 Horner with an a-priori bound) encloses the same.
        let at = Interval::sin_sqr_at(x);
        prop_assert!(q(at.lower) <= lowest && a2.max(b2) <= q(at.upper), "{at} at x = {x}");
        prop_assert!(at.width() < 1e-14);
    }

    #[test]
    fn sin_sqr_agrees_with_the_square_of_sin_cos(x in -100.0f64..100.0) {
        let (s, _) = Interval::point(x).sin_cos();
        let s2 = Interval::point(x).sin_sqr();
        let sq = s.sqr();
        prop_assert!(s2.lower <= sq.upper && sq.lower <= s2.upper);
        let at = Interval::sin_sqr_at(x);
        prop_assert!(at.lower <= s2.upper && s2.lower <= at.upper && at.width() < 1e-12, "{at} against {s2}");
        prop_assert!(s2.contains(x.sin() * x.sin()) || (s2.mid() - x.sin() * x.sin()).abs() < 1e-12);
        prop_assert!(s2.width() < 1e-12);
    }

    #[test]
    fn sin_cos_satisfy_pythagoras_and_bracket_libm(x in -100.0f64..100.0) {
        let (s, c) = Interval::point(x).sin_cos();
        let one = s.sqr() + c.sqr();
        prop_assert!(one.contains(1.0));
        prop_assert!(s.width() < 1e-12 && c.width() < 1e-12);
        // libm is accurate to about 1 ulp: within a few ulps of the enclosure.
        prop_assert!((s.mid() - x.sin()).abs() < 1e-12 && (c.mid() - x.cos()).abs() < 1e-12);
    }
}

#[test]
fn division_by_an_interval_holding_zero_is_entire() {
    let r = Interval::new(1.0, 2.0) / Interval::new(-1.0, 1.0);
    assert!(r.lower == f64::NEG_INFINITY && r.upper == f64::INFINITY);
}

#[test]
fn exp_extremes_stay_enclosures() {
    assert!(Interval::point(800.0).exp().upper == f64::INFINITY);
    assert!(Interval::point(-800.0).exp().lower == 0.0);
    assert!(Interval::point(1.0).exp().contains(std::f64::consts::E));
}

#[test]
fn pi_brackets_pi() {
    let p = Interval::pi();
    assert!(p.lower <= std::f64::consts::PI && p.upper > std::f64::consts::PI);
    let (s, c) = p.sin_cos();
    assert!(s.contains(0.0) && c.contains(-1.0));
}

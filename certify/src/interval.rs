//! Closed intervals of f64 with outward rounding.
//!
//! Every IEEE-754 operation used here (+, −, ×, ÷, √) is correctly rounded to nearest, so the true
//! real result lies within one ulp of the computed one: widening the computed bounds by one step
//! (`f64::next_down` / `f64::next_up`) after every operation encloses it. Functions that libm does
//! not round correctly (exp, sin, cos) are built here from +, −, ×, ÷ as Taylor polynomials with a
//! rigorous remainder, so the only trusted primitives are the correctly rounded ones.

use serde::{Deserialize, Serialize};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// The closed interval [lower, upper]. An interval with a NaN bound or lower > upper encloses
/// nothing and every test on it answers false.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

fn down(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.next_down()
    }
}

fn up(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.next_up()
    }
}

/// Below this magnitude the error-free transformations may lose their exactness (underflow):
/// both bounds are then widened.
const TINY: f64 = 1e-290;

/// Bounds of a rounded result r whose exact error e (true = r + e, or only its sign) is known:
/// r itself is a bound on the side the error does not point to.
fn bounds_from_error(r: f64, e: f64) -> (f64, f64) {
    if !r.is_finite() || r.abs() < TINY || e.is_nan() {
        (down(r), up(r))
    } else if e > 0.0 {
        (r, up(r))
    } else if e < 0.0 {
        (down(r), r)
    } else {
        (r, r)
    }
}

/// a + b: the rounding error from Knuth's TwoSum (exact without overflow, even for subnormals).
fn add_bounds(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    if !s.is_finite() {
        return (
            if s == f64::INFINITY { f64::MAX } else { down(s) },
            if s == f64::NEG_INFINITY { f64::MIN } else { up(s) },
        );
    }
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    // TwoSum is exact even for subnormal sums: only the sign of e matters.
    match e.partial_cmp(&0.0) {
        Some(std::cmp::Ordering::Greater) => (s, up(s)),
        Some(std::cmp::Ordering::Less) => (down(s), s),
        Some(std::cmp::Ordering::Equal) => (s, s),
        None => (down(s), up(s)),
    }
}

/// a·b: the error a·b − p = fma(a, b, −p) is exact away from underflow.
fn mul_bounds(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if p.is_nan() {
        return (p, p);
    }
    if !p.is_finite() {
        return (
            if p == f64::INFINITY { f64::MAX } else { f64::NEG_INFINITY },
            if p == f64::NEG_INFINITY { f64::MIN } else { f64::INFINITY },
        );
    }
    if a == 0.0 || b == 0.0 {
        return (0.0, 0.0);
    }
    bounds_from_error(p, a.mul_add(b, -p))
}

/// a/b: a − q·b = fma(−q, b, a) is exact away from underflow; the true quotient exceeds q when
/// that remainder has the sign of b.
fn div_bounds(a: f64, b: f64) -> (f64, f64) {
    let q = a / b;
    if q.is_nan() {
        return (q, q);
    }
    if !q.is_finite() {
        return (
            if q == f64::INFINITY { f64::MAX } else { f64::NEG_INFINITY },
            if q == f64::NEG_INFINITY { f64::MIN } else { f64::INFINITY },
        );
    }
    if a == 0.0 {
        return (0.0, 0.0);
    }
    if a.abs() < TINY || b.abs() < TINY {
        return (down(q), up(q));
    }
    let r = (-q).mul_add(b, a);
    bounds_from_error(q, r * b.signum())
}

/// √x for x ≥ 0: x − r² = fma(−r, r, x) exact away from underflow.
fn sqrt_bounds(x: f64) -> (f64, f64) {
    let r = x.sqrt();
    if x == 0.0 {
        return (0.0, 0.0);
    }
    if !r.is_finite() || x < TINY {
        return (down(r).max(0.0), up(r));
    }
    let (lo, hi) = bounds_from_error(r, (-r).mul_add(r, x));
    (lo.max(0.0), hi)
}

impl Interval {
    /// [lower, upper] as given (no widening: the bounds are taken as exact reals).
    pub const fn new(lower: f64, upper: f64) -> Self {
        Interval { lower, upper }
    }
    /// The exact real x (an f64 is an exact dyadic rational).
    pub const fn point(x: f64) -> Self {
        Interval { lower: x, upper: x }
    }
    /// An interval enclosing an f64 computation's true value: its result widened by one ulp.
    pub fn around(x: f64) -> Self {
        Interval { lower: down(x), upper: up(x) }
    }
    /// (−∞, ∞).
    pub const fn entire() -> Self {
        Interval { lower: f64::NEG_INFINITY, upper: f64::INFINITY }
    }
    /// π: 3.141592653589793 is the nearest f64 below π.
    pub fn pi() -> Self {
        let lo = std::f64::consts::PI;
        Interval { lower: lo, upper: lo.next_up() }
    }
    /// Both bounds are numbers and lower ≤ upper.
    pub fn is_valid(&self) -> bool {
        self.lower <= self.upper
    }
    /// Both bounds finite and ordered.
    pub fn is_finite(&self) -> bool {
        self.is_valid() && self.lower.is_finite() && self.upper.is_finite()
    }
    /// upper − lower rounded up.
    pub fn width(&self) -> f64 {
        up(self.upper - self.lower)
    }
    /// Midpoint (not rigorous; for choosing trial values).
    pub fn mid(&self) -> f64 {
        0.5 * self.lower + 0.5 * self.upper
    }
    /// Width relative to the largest |bound|.
    pub fn relative_width(&self) -> f64 {
        self.width() / self.lower.abs().max(self.upper.abs()).max(f64::MIN_POSITIVE)
    }
    /// Every point is > 0.
    pub fn is_positive(&self) -> bool {
        self.is_valid() && self.lower > 0.0
    }
    /// Every point is < 0.
    pub fn is_negative(&self) -> bool {
        self.is_valid() && self.upper < 0.0
    }
    /// x ∈ self.
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }
    /// other ⊆ self.
    pub fn encloses(&self, other: &Interval) -> bool {
        other.is_valid() && self.lower <= other.lower && other.upper <= self.upper
    }
    /// Convex hull.
    pub fn hull(&self, other: &Interval) -> Interval {
        Interval { lower: self.lower.min(other.lower), upper: self.upper.max(other.upper) }
    }
    /// |x| over the interval: its largest value.
    pub fn mag(&self) -> f64 {
        self.lower.abs().max(self.upper.abs())
    }
    /// x² (tighter than x·x when 0 ∈ x).
    pub fn sqr(&self) -> Interval {
        let (a, b) = (self.lower.abs(), self.upper.abs());
        let hi = mul_bounds(a.max(b), a.max(b)).1;
        if self.lower <= 0.0 && self.upper >= 0.0 {
            Interval { lower: 0.0, upper: hi }
        } else {
            Interval { lower: mul_bounds(a.min(b), a.min(b)).0.max(0.0), upper: hi }
        }
    }
    /// √x for x ≥ 0 (IEEE sqrt is correctly rounded); a negative part is cut off, an interval
    /// entirely below 0 gives NaN bounds.
    pub fn sqrt(&self) -> Interval {
        if !self.is_valid() || self.upper < 0.0 {
            return Interval { lower: f64::NAN, upper: f64::NAN };
        }
        Interval { lower: sqrt_bounds(self.lower.max(0.0)).0, upper: sqrt_bounds(self.upper).1 }
    }
    /// 1/x (entire when 0 ∈ x).
    pub fn recip(&self) -> Interval {
        Interval::point(1.0) / *self
    }
    /// The smaller of two intervals' values, pointwise: [min lo, min hi].
    pub fn min(&self, other: &Interval) -> Interval {
        Interval { lower: self.lower.min(other.lower), upper: self.upper.min(other.upper) }
    }
    /// The larger, pointwise.
    pub fn max(&self, other: &Interval) -> Interval {
        Interval { lower: self.lower.max(other.lower), upper: self.upper.max(other.upper) }
    }
    /// x^n for n ≥ 0 by repeated squaring.
    pub fn powi(&self, n: u32) -> Interval {
        if n == 0 {
            return Interval::point(1.0);
        }
        if n.is_multiple_of(2) {
            self.powi(n / 2).sqr()
        } else {
            *self * self.powi(n - 1)
        }
    }
    /// e^x: e^x = (e^{x/2^k})^{2^k} with |x/2^k| ≤ 1/2 and the Taylor polynomial of degree 18 plus
    /// the remainder bound |r|^{19}/19!·e^{|r|} ≤ 2|r|^{19}/19! (division by 2^k is exact).
    pub fn exp(&self) -> Interval {
        if !self.is_valid() {
            return *self;
        }
        let lo = exp_point(self.lower).lower;
        let hi = exp_point(self.upper).upper;
        Interval { lower: lo.max(0.0), upper: hi }
    }
    /// e^x − 1 without cancellation for |x| ≤ 1/2 (Taylor with remainder); e^x − 1 beyond.
    pub fn exp_m1(&self) -> Interval {
        if !self.is_valid() {
            return *self;
        }
        if self.mag() <= 0.5 {
            let lo = expm1_small(self.lower).lower;
            let hi = expm1_small(self.upper).upper;
            Interval { lower: lo, upper: hi }
        } else {
            self.exp() - Interval::point(1.0)
        }
    }
}

/// Σ_{j ≤ n} x^j/j! (from j = `from`) in intervals, plus the remainder bound 2|x|^{n+1}/(n+1)!
/// valid for |x| ≤ 1/2 (e^{|x|} ≤ 2).
fn taylor_exp(x: Interval, from: usize, n: usize) -> Interval {
    let mut term = Interval::point(1.0);
    let mut sum = Interval::point(0.0);
    for j in 0..=n {
        if j > 0 {
            term = term * x / Interval::point(j as f64);
        }
        if j >= from {
            sum = sum + term;
        }
    }
    let rem = term * x / Interval::point((n + 1) as f64);
    let bound = up(2.0 * rem.mag());
    sum + Interval::new(-bound, bound)
}

fn expm1_small(x: f64) -> Interval {
    taylor_exp(Interval::point(x), 1, 20)
}

fn exp_point(x: f64) -> Interval {
    if x.is_nan() {
        return Interval { lower: f64::NAN, upper: f64::NAN };
    }
    if x > 710.0 {
        return Interval { lower: f64::MAX, upper: f64::INFINITY };
    }
    if x < -746.0 {
        return Interval { lower: 0.0, upper: f64::MIN_POSITIVE };
    }
    let mut k = 0;
    let mut r = x;
    while r.abs() > 0.5 {
        r *= 0.5; // exact: no underflow for |x| > 1/2
        k += 1;
    }
    let mut e = taylor_exp(Interval::point(r), 0, 18);
    for _ in 0..k {
        e = e.sqr();
    }
    e
}

impl Add for Interval {
    type Output = Interval;
    fn add(self, o: Interval) -> Interval {
        Interval { lower: add_bounds(self.lower, o.lower).0, upper: add_bounds(self.upper, o.upper).1 }
    }
}

impl Sub for Interval {
    type Output = Interval;
    fn sub(self, o: Interval) -> Interval {
        Interval { lower: add_bounds(self.lower, -o.upper).0, upper: add_bounds(self.upper, -o.lower).1 }
    }
}

impl Neg for Interval {
    type Output = Interval;
    fn neg(self) -> Interval {
        Interval { lower: -self.upper, upper: -self.lower }
    }
}

impl Mul for Interval {
    type Output = Interval;
    /// The sign cases of the factors pick the two endpoint products that bound the result (one
    /// rounded product each way), as the minimum and maximum over all four would: the rounded
    /// bounds are monotone in the exact products. Infinite or NaN bounds, disordered bounds and
    /// two intervals holding 0 take all four products.
    fn mul(self, o: Interval) -> Interval {
        let (a, b, c, d) = (self.lower, self.upper, o.lower, o.upper);
        let finite = ordered_finite(a, b) && ordered_finite(c, d);
        let pick = match (finite, sign_case(a, b), sign_case(c, d)) {
            (false, _, _) => None,
            (_, Sign::NonNeg, Sign::NonNeg) => Some(((a, c), (b, d))),
            (_, Sign::NonNeg, Sign::NonPos) => Some(((b, c), (a, d))),
            (_, Sign::NonNeg, Sign::Mixed) => Some(((b, c), (b, d))),
            (_, Sign::NonPos, Sign::NonNeg) => Some(((a, d), (b, c))),
            (_, Sign::NonPos, Sign::NonPos) => Some(((b, d), (a, c))),
            (_, Sign::NonPos, Sign::Mixed) => Some(((a, d), (a, c))),
            (_, Sign::Mixed, Sign::NonNeg) => Some(((a, d), (b, d))),
            (_, Sign::Mixed, Sign::NonPos) => Some(((b, c), (a, c))),
            (_, Sign::Mixed, Sign::Mixed) => None,
        };
        if let Some(((x, y), (u, v))) = pick {
            return Interval { lower: mul_bounds(x, y).0, upper: mul_bounds(u, v).1 };
        }
        let pairs = [(a, c), (a, d), (b, c), (b, d)];
        let b = pairs.map(|(x, y)| mul_bounds(x, y));
        if b.iter().any(|(l, h)| l.is_nan() || h.is_nan()) {
            // 0·∞ or a NaN bound: nothing can be said.
            return Interval { lower: f64::NAN, upper: f64::NAN };
        }
        let lo = b.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let hi = b.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        Interval { lower: lo, upper: hi }
    }
}

/// Where an interval [lower, upper] lies with respect to 0.
#[derive(Clone, Copy)]
enum Sign {
    NonNeg,
    NonPos,
    Mixed,
}

/// Finite bounds with lower ≤ upper (the case analysis of × and ÷ assumes both).
fn ordered_finite(lower: f64, upper: f64) -> bool {
    lower.is_finite() && upper.is_finite() && lower <= upper
}

fn sign_case(lower: f64, upper: f64) -> Sign {
    if lower >= 0.0 {
        Sign::NonNeg
    } else if upper <= 0.0 {
        Sign::NonPos
    } else {
        Sign::Mixed
    }
}

impl Div for Interval {
    type Output = Interval;
    /// For a divisor of one sign, the sign case of the dividend picks the two endpoint quotients
    /// that bound the result (as the minimum and maximum over all four would); infinite, NaN or
    /// disordered bounds take all four.
    fn div(self, o: Interval) -> Interval {
        if !(o.lower > 0.0 || o.upper < 0.0) {
            return if o.is_valid() { Interval::entire() } else { Interval { lower: f64::NAN, upper: f64::NAN } };
        }
        let (a, b, c, d) = (self.lower, self.upper, o.lower, o.upper);
        let finite = ordered_finite(a, b) && ordered_finite(c, d);
        let positive = c > 0.0;
        let pick = match (finite, sign_case(a, b), positive) {
            (false, _, _) => None,
            (_, Sign::NonNeg, true) => Some(((a, d), (b, c))),
            (_, Sign::NonPos, true) => Some(((a, c), (b, d))),
            (_, Sign::Mixed, true) => Some(((a, c), (b, c))),
            (_, Sign::NonNeg, false) => Some(((b, d), (a, c))),
            (_, Sign::NonPos, false) => Some(((b, c), (a, d))),
            (_, Sign::Mixed, false) => Some(((b, d), (a, d))),
        };
        if let Some(((x, y), (u, v))) = pick {
            return Interval { lower: div_bounds(x, y).0, upper: div_bounds(u, v).1 };
        }
        let pairs = [(a, c), (a, d), (b, c), (b, d)];
        let b = pairs.map(|(x, y)| div_bounds(x, y));
        if b.iter().any(|(l, h)| l.is_nan() || h.is_nan()) {
            return Interval { lower: f64::NAN, upper: f64::NAN };
        }
        let lo = b.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let hi = b.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        Interval { lower: lo, upper: hi }
    }
}

impl Add<f64> for Interval {
    type Output = Interval;
    fn add(self, o: f64) -> Interval {
        self + Interval::point(o)
    }
}

impl Sub<f64> for Interval {
    type Output = Interval;
    fn sub(self, o: f64) -> Interval {
        self - Interval::point(o)
    }
}

impl Mul<f64> for Interval {
    type Output = Interval;
    fn mul(self, o: f64) -> Interval {
        self * Interval::point(o)
    }
}

impl Div<f64> for Interval {
    type Output = Interval;
    fn div(self, o: f64) -> Interval {
        self / Interval::point(o)
    }
}

impl From<f64> for Interval {
    fn from(x: f64) -> Self {
        Interval::point(x)
    }
}

impl std::fmt::Display for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{:e}, {:e}]", self.lower, self.upper)
    }
}

impl Interval {
    /// sin x and cos x: x reduced by the nearest multiple k of π/2 (with π in intervals) to
    /// |r| ≤ π/4 + ε, then the Taylor polynomials of sin to r¹⁷ and of cos to r¹⁸ by Horner's
    /// rule in t = r², with the Lagrange remainders |r|¹⁹/19! and |r|²⁰/20! (every derivative of
    /// sin and cos is bounded by 1), and the quadrant's rotation.
    pub fn sin_cos(&self) -> (Interval, Interval) {
        if !self.is_finite() || self.mag() > 1e6 {
            let unit = Interval::new(-1.0, 1.0);
            return (unit, unit);
        }
        let (k, r) = self.quadrant();
        let (s, c) = (sin_taylor(r), cos_taylor(r));
        let (s, c) = match (k as i64).rem_euclid(4) {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        };
        (clamp_unit(s), clamp_unit(c))
    }

    /// sin²x, with the reduction of [`Interval::sin_cos`] but only the one Taylor polynomial the
    /// quadrant needs: sin²x = sin²r for even k, cos²r for odd k (the signs drop out).
    pub fn sin_sqr(&self) -> Interval {
        if !self.is_finite() || self.mag() > 1e6 {
            return Interval::new(0.0, 1.0);
        }
        let (k, r) = self.quadrant();
        let s = if (k as i64).rem_euclid(2) == 0 { sin_taylor(r) } else { cos_taylor(r) };
        clamp_unit(s).sqr()
    }

    /// sin²x at a point x, for the Prüfer slope: the reduction of [`Interval::sin_sqr`] (π in
    /// intervals) to r ∈ [r₀, r₁], then the same Taylor polynomial (sin to r¹⁷ or cos to r¹⁸) at
    /// the midpoint m in plain f64 with an a-priori bound instead of an interval evaluation:
    /// f(r) ∈ p̂(m) ± (|r − m| + `POINT_TAYLOR_ERROR`), f = sin or cos being 1-Lipschitz.
    /// Falls back to [`Interval::sin_sqr`] unless |m| ≤ 0.8 (where that bound holds).
    pub fn sin_sqr_at(x: f64) -> Interval {
        let exact = Interval::point(x);
        if !x.is_finite() || x.abs() > 1e6 {
            return exact.sin_sqr();
        }
        let (k, r) = exact.quadrant();
        let m = r.mid();
        let radius = (Interval::point(m) - r).mag();
        if m.abs() > 0.8 {
            return exact.sin_sqr();
        }
        let value = if (k as i64).rem_euclid(2) == 0 { sin_horner(m) } else { cos_horner(m) };
        let e = (Interval::point(radius) + Interval::point(POINT_TAYLOR_ERROR)).upper;
        clamp_unit(Interval::point(value) + Interval::new(-e, e)).sqr()
    }

    /// The nearest multiple k of π/2 to the midpoint and r = x − kπ/2 (π in intervals).
    fn quadrant(&self) -> (f64, Interval) {
        let half_pi = Interval::pi() / 2.0;
        let k = (self.mid() / std::f64::consts::FRAC_PI_2).round();
        (k, *self - half_pi * k)
    }
}

/// Pads x by ±bound rounded up (a Lagrange remainder).
fn pad(x: Interval, bound: f64) -> Interval {
    let e = up(bound);
    x + Interval::new(-e, e)
}

/// sin r for |r| ≤ π/4 + ε: r·(1 − t/(2j(2j+1))·(…)) to r¹⁷ in t = r², with remainder
/// |r|¹⁹/19! (1/19! < 8.3e-18, the literal's f64 value exceeds it).
fn sin_taylor(r: Interval) -> Interval {
    let t = r.sqr();
    let one = Interval::point(1.0);
    let s = r * (1..=8).rev().fold(one, |acc, j| one - t * acc / (2 * j * (2 * j + 1)) as f64);
    pad(s, (Interval::point(r.mag()).powi(19) * 8.3e-18).upper)
}

/// cos r for |r| ≤ π/4 + ε: 1 − t/((2j−1)2j)·(…) to r¹⁸ in t = r², with remainder |r|²⁰/20!
/// (1/20! < 4.2e-19).
fn cos_taylor(r: Interval) -> Interval {
    let t = r.sqr();
    let one = Interval::point(1.0);
    let c = (1..=9).rev().fold(one, |acc, j| one - t * acc / ((2 * j - 1) * 2 * j) as f64);
    pad(c, (Interval::point(r.mag()).powi(20) * 4.2e-19).upper)
}

/// A bound on |p̂(m) − f(m)| for [`sin_horner`] (f = sin) and [`cos_horner`] (f = cos) at
/// |m| ≤ 0.8, t = m² ≤ 0.64, u = 2⁻⁵³. Rounding: a Horner step acc ← 1 − t·acc/c rounds three
/// times (t·acc, /c, 1 −) on quantities in [0, 1] and carries the previous error times t/c
/// (≤ 0.107 for sin, c ≥ 6; ≤ 0.32 for cos, c ≥ 2), with t itself one rounding off; so the
/// error stays ≤ 1.33u/(1 − 0.107) ≈ 1.5u (sin, plus ≤ 1.0u from the final product by m) and
/// ≤ 1.97u/(1 − 0.32) ≈ 2.9u (cos): ≤ 3u. Truncation: |m|¹⁹/19! < 1.2e-19 and |m|²⁰/20! <
/// 5e-21. 2e-15 > 3u + 1.2e-19 with room to spare.
const POINT_TAYLOR_ERROR: f64 = 2e-15;

/// sin m ≈ m·(1 − t/(2·3)·(1 − t/(4·5)·(…))) to m¹⁷ in f64 (t = m²), the polynomial of
/// [`sin_taylor`].
fn sin_horner(m: f64) -> f64 {
    let t = m * m;
    m * (1..=8u32).rev().fold(1.0, |acc, j| 1.0 - t * acc / f64::from(2 * j * (2 * j + 1)))
}

/// cos m ≈ 1 − t/(1·2)·(1 − t/(3·4)·(…)) to m¹⁸ in f64 (t = m²), the polynomial of
/// [`cos_taylor`].
fn cos_horner(m: f64) -> f64 {
    let t = m * m;
    (1..=9u32).rev().fold(1.0, |acc, j| 1.0 - t * acc / f64::from((2 * j - 1) * 2 * j))
}

fn clamp_unit(x: Interval) -> Interval {
    Interval { lower: x.lower.max(-1.0), upper: x.upper.min(1.0) }
}

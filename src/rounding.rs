//! Running error bounds for assembled matrix entries (running error analysis, Higham, *Accuracy
//! and Stability of Numerical Algorithms*, 2nd ed., §3.3).
//!
//! A [`Bounded`] is a computed value v̂ with a bound e on |v̂ − v|, v the value exact arithmetic
//! would give on the same (exact) inputs. Under the model fl(a ∘ b) = (a ∘ b)/(1 + δ), |δ| ≤ u
//! (Higham (2.5)), one operation adds at most u·|fl(a ∘ b)|:
//!
//!   fl(â + b̂):  e ≤ e_a + e_b + u|v̂|,
//!   fl(â · b̂):  e ≤ |â|e_b + |b̂|e_a + e_a e_b + u|v̂|,
//!   fl(â / b̂):  e ≤ (e_a + |v̂|e_b)/(|b̂| − e_b) + u|v̂|   (|b̂| > e_b),
//!   fl(√a):     e ≤ u|v̂|   (a exact).
//!
//! The bound is itself computed in floating point by at most six rounded operations on
//! non-negative numbers, each of relative error ≤ u; multiplying it by 1 + 8u (exact in binary)
//! makes the computed bound no smaller than the exact one ((1 − u)^7 (1 + 8u) > 1). Gradual
//! underflow (an absolute error ≤ 2^−1075 per operation) is left out here and covered by the
//! consumer adding `f64::MIN_POSITIVE`.

/// The unit roundoff u = 2^−53.
pub const UNIT: f64 = f64::EPSILON / 2.0;
const UP: f64 = 1.0 + 8.0 * UNIT;

/// γ_n = nu/(1 − nu) (Higham (3.8)): a sum of n rounded products Σ a_k b_k has error at most
/// γ_n Σ|a_k b_k| (Higham (3.5)). Infinite when nu ≥ 1.
pub fn gamma(n: usize) -> f64 {
    let nu = n as f64 * UNIT;
    if nu >= 1.0 {
        f64::INFINITY
    } else {
        nu / (1.0 - nu) * UP
    }
}

/// A computed value and a bound on its distance to the exactly computed one.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounded {
    /// The floating-point value v̂.
    pub value: f64,
    /// e ≥ |v̂ − v|.
    pub error: f64,
}

impl Bounded {
    /// An exactly known value (an input, or an integer below 2^53).
    pub fn exact(value: f64) -> Self {
        Bounded { value, error: 0.0 }
    }
    /// The result of one correctly rounded operation on exact operands.
    pub fn rounded(value: f64) -> Self {
        Bounded { value, error: UP * UNIT * value.abs() }
    }
    /// √v for an exact v ≥ 0.
    pub fn sqrt_of(v: f64) -> Self {
        Bounded::rounded(v.sqrt())
    }
    /// fl(self + other).
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, other: Bounded) -> Self {
        if self == Bounded::exact(0.0) {
            return other; // 0 + b̂ = b̂ exactly
        }
        let value = self.value + other.value;
        Bounded { value, error: UP * (self.error + other.error + UNIT * value.abs()) }
    }
    /// fl(self · other).
    #[allow(clippy::should_implement_trait)]
    pub fn mul(self, other: Bounded) -> Self {
        let value = self.value * other.value;
        let spread = self.value.abs() * other.error + other.value.abs() * self.error + self.error * other.error;
        Bounded { value, error: UP * (spread + UNIT * value.abs()) }
    }
    /// fl(self / other); an infinite bound when the error of `other` reaches its value.
    #[allow(clippy::should_implement_trait)]
    pub fn div(self, other: Bounded) -> Self {
        let value = self.value / other.value;
        let floor = other.value.abs() - other.error;
        if floor <= 0.0 || !floor.is_finite() {
            return Bounded { value, error: f64::INFINITY };
        }
        let spread = (self.error + value.abs() * other.error) / (floor / UP);
        Bounded { value, error: UP * (spread + UNIT * value.abs()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0.1 + 0.2 and 0.1·3 carry their true rounding (against exact rationals in u128).
    #[test]
    fn bounds_cover_a_known_rounding() {
        // 0.1, 0.2 are exact inputs here (the floats nearest them); the exact sum of the two
        // floats differs from fl(0.1 + 0.2) by at most u|fl|.
        let s = Bounded::exact(0.1).add(Bounded::exact(0.2));
        assert!(s.error >= UNIT * 0.3 && s.error < 1e-16);
        let third = Bounded::exact(1.0).div(Bounded::exact(3.0));
        let back = third.mul(Bounded::exact(3.0));
        assert!((back.value - 1.0).abs() <= back.error);
        let r = Bounded::sqrt_of(2.0).mul(Bounded::sqrt_of(2.0));
        assert!((r.value - 2.0).abs() <= r.error, "{r:?}");
    }

    #[test]
    fn a_vanishing_divisor_gives_an_infinite_bound() {
        let tiny = Bounded { value: 1e-300, error: 1e-300 };
        assert!(Bounded::exact(1.0).div(tiny).error.is_infinite());
    }
}

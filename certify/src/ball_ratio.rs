//! Equation (8) at finite ε in d = 1: for two minima w̌₁, w̌₂ of a polynomial L, the ball ratio
//! P(|W − w̌₁| ≤ ε)/P(|W − w̌₂| ≤ ε) = ∫_{w̌₁±ε} e^{−ηL} / ∫_{w̌₂±ε} e^{−ηL} (Z cancels) against
//! the printed limit √(L''(w̌₂)/L''(w̌₁)).
//!
//! - The minimum: w̌ ∈ X = [w − δ, w + δ] (w the stored point) once L'(w − δ) < 0 < L'(w + δ)
//!   and L'' > 0 on X (δ = 0 when L'(w) = 0 exactly); L''(w̌) ∈ L''(X).
//! - The integral over [c − ε, c + ε] for any c ∈ X lies between the integrals over
//!   [w + δ − ε, w − δ + ε] and [w − δ − ε, w + δ + ε] (e^{−ηL} > 0). Each is enclosed by the
//!   interval Riemann sum Σ h·e^{−ηL([x_k, x_{k+1}])} over `PIECES` equal pieces, L re-expanded
//!   about the minimum in intervals (rigorous: the integrand's range on a piece times its length).

use crate::certificate::{get, Argument, Enclosures};
use crate::interval::Interval;
use crate::spectrum::Poly;
use serde::{Deserialize, Serialize};

const PIECES: usize = 200;

/// The inputs: L's coefficients (f64 taken as exact), η, ε and the two minima (approximate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallRatio {
    /// Coefficients c_0, c_1, … of L.
    pub coefficients: Vec<f64>,
    /// Inverse temperature η.
    pub eta: f64,
    /// Radius ε.
    pub eps: f64,
    /// Approximate minima w̌₁, w̌₂.
    pub minima: [f64; 2],
}

/// X ∋ w̌ with L'' > 0 on X: the enclosure of the unique minimum near w.
fn enclose_minimum(lp: &Poly, lpp: &Poly, w: f64) -> Result<Interval, String> {
    if lp.eval(Interval::point(w)) == Interval::point(0.0) && lpp.eval(Interval::point(w)).is_positive() {
        return Ok(Interval::point(w));
    }
    let mut delta = 1e-14 * w.abs().max(1.0);
    while delta < 1e-6 {
        let x = Interval::new(w - delta, w + delta);
        let ends = (lp.eval(Interval::point(x.lower)), lp.eval(Interval::point(x.upper)));
        if ends.0.is_negative() && ends.1.is_positive() && lpp.eval(x).is_positive() {
            return Ok(x);
        }
        delta *= 8.0;
    }
    Err(format!("no minimum of L proved near {w}"))
}

/// ∫_a^b e^{−ηL} by the interval Riemann sum, with L re-expanded about `center` (its Taylor
/// coefficients in intervals: evaluating near a minimum then loses nothing to cancellation).
fn integral(l: &Poly, eta: Interval, center: f64, a: Interval, b: Interval) -> Interval {
    let local = l.taylor_at(Interval::point(center), 1.0);
    let (a, b) = (a - center, b - center);
    let h = (b - a) / PIECES as f64;
    let mut sum = Interval::point(0.0);
    for k in 0..PIECES {
        let lo = a + h * k as f64;
        let hi = a + h * (k + 1) as f64;
        let piece = Interval::new(lo.lower, hi.upper);
        sum = sum + (-(eta * local.eval(piece))).exp() * h;
    }
    sum
}

impl BallRatio {
    fn ball(&self, l: &Poly, x: Interval) -> Interval {
        let (eta, eps) = (Interval::point(self.eta), Interval::point(self.eps));
        let c = x.mid();
        let inner = integral(l, eta, c, Interval::point(x.upper) - eps, Interval::point(x.lower) + eps);
        let outer = integral(l, eta, c, Interval::point(x.lower) - eps, Interval::point(x.upper) + eps);
        Interval::new(inner.lower, outer.upper)
    }
}

impl Argument for BallRatio {
    fn enclosures(&self) -> Result<Enclosures, String> {
        if !(self.eta > 0.0 && self.eps > 0.0 && self.eps < 1.0) || self.coefficients.iter().any(|c| !c.is_finite()) {
            return Err("the ball-ratio certificate needs η > 0, 0 < ε < 1 and finite coefficients".into());
        }
        let l = Poly::exact(&self.coefficients);
        let (lp, lpp) = (l.derivative(), l.derivative().derivative());
        let mut e = Enclosures::new();
        for (i, &w) in self.minima.iter().enumerate() {
            let x = enclose_minimum(&lp, &lpp, w)?;
            e.insert(format!("L''(w{})", i + 1), lpp.eval(x));
            e.insert(format!("ball{}", i + 1), self.ball(&l, x));
        }
        Ok(e)
    }
    fn margin(&self, enc: &Enclosures) -> Result<Interval, String> {
        let ratio = get(enc, "ball1")? / get(enc, "ball2")?;
        let printed = (get(enc, "L''(w2)")? / get(enc, "L''(w1)")?).sqrt();
        let diff = ratio - printed;
        let low = diff.lower.max(-diff.upper).max(0.0);
        Ok(Interval::new(low, diff.mag()))
    }
    fn statement(&self) -> (String, String) {
        (
            format!(
                "(8): P(|W−w̌₁|≤ε)/P(|W−w̌₂|≤ε) → √(det ∇²L(w̌₂)/det ∇²L(w̌₁)) as ε → 0; at η = {}, ε = {:e} the \
                 ratio (Z cancels) is enclosed away from that value",
                self.eta, self.eps
            ),
            "|ball1/ball2 − √(L''(w2)/L''(w1))|".into(),
        )
    }
}

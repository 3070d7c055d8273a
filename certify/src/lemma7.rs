//! Lemma 7's K ≥ 2μP refuted by a vector: xᵀ(K − 2μP)x < 0 in interval arithmetic.
//!
//! g = (1 − ξ)/√γ (the friction, guide: γ in (24) read as g); the paper's constants: case 1
//! (g < 2C_L) μ = g, C = C_L², Ĉ = g/2; case 2 (g ≥ 2C_L) μ = g − √(g² − 4C_L²),
//! C = g²/2 − C_L², Ĉ = g/2. K = [[2Ĉ, C − C_L² + gĈ], [·, 2gC − 2C_L²Ĉ]] (from (25) + C·(26) +
//! Ĉ·(27)), P = [[1, Ĉ], [Ĉ, C]] of (10).

use crate::certificate::{get, Argument, Enclosures};
use crate::interval::Interval;
use serde::{Deserialize, Serialize};

/// The inputs: γ, ξ, C_L and the witness x.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Witness {
    /// Learning rate γ.
    pub lr: f64,
    /// Momentum ξ.
    pub momentum: f64,
    /// C_L.
    pub cl: f64,
    /// The vector x (exact f64 entries).
    pub x: [f64; 2],
}

/// (μ, C, Ĉ) of the paper in intervals. Where g − 2C_L has no certain sign the hull of both
/// cases is taken: the two formulas agree at g = 2C_L (μ = g, C = C_L²), and the true constants
/// are those of one of them.
pub fn paper_constants(g: Interval, cl: Interval) -> Result<(Interval, Interval, Interval), String> {
    let split = g - cl * 2.0;
    let c_hat = g / 2.0;
    let case1 = (g, cl.sqr());
    let disc = g.sqr() - cl.sqr() * 4.0;
    let case2 = || (g - disc.sqrt(), g.sqr() / 2.0 - cl.sqr());
    let (mu, c) = if split.is_negative() {
        case1
    } else if split.lower >= 0.0 {
        case2()
    } else {
        let (mu2, c2) = case2();
        (case1.0.hull(&mu2), case1.1.hull(&c2))
    };
    if !(mu.is_finite() && c.is_finite()) {
        return Err("the paper's constants are not finite in intervals".into());
    }
    Ok((mu, c, c_hat))
}

impl Witness {
    fn friction(&self) -> Interval {
        (Interval::point(1.0) - Interval::point(self.momentum)) / Interval::point(self.lr).sqrt()
    }
}

impl Argument for Witness {
    fn enclosures(&self) -> Result<Enclosures, String> {
        if !(self.lr > 0.0 && self.momentum > 0.0 && self.momentum < 1.0 && self.cl > 0.0) {
            return Err("lemma7 needs γ > 0, 0 < ξ < 1, C_L > 0".into());
        }
        let g = self.friction();
        let cl = Interval::point(self.cl);
        let (mu, c, c_hat) = paper_constants(g, cl)?;
        let k11 = c_hat * 2.0;
        let k12 = c - cl.sqr() + g * c_hat;
        let k22 = g * c * 2.0 - cl.sqr() * c_hat * 2.0;
        let (p11, p12, p22) = (Interval::point(1.0), c_hat, c);
        let two_mu = mu * 2.0;
        let (x0, x1) = (Interval::point(self.x[0]), Interval::point(self.x[1]));
        let form = |a11: Interval, a12: Interval, a22: Interval| x0.sqr() * a11 + x0 * x1 * a12 * 2.0 + x1.sqr() * a22;
        let q = form(k11 - two_mu * p11, k12 - two_mu * p12, k22 - two_mu * p22);
        let mut e = Enclosures::new();
        e.insert("friction".into(), g);
        e.insert("mu".into(), mu);
        e.insert("C".into(), c);
        e.insert("C_hat".into(), c_hat);
        e.insert("xT_K_x".into(), form(k11, k12, k22));
        e.insert("xT_P_x".into(), form(p11, p12, p22));
        e.insert("xT_(K-2muP)_x".into(), q);
        Ok(e)
    }
    fn margin(&self, enc: &Enclosures) -> Result<Interval, String> {
        Ok(-get(enc, "xT_(K-2muP)_x")?)
    }
    fn statement(&self) -> (String, String) {
        ("K − 2μP ≥ 0 (Lemma 7 with the paper's μ, C, Ĉ); refuted by xᵀ(K − 2μP)x < 0".into(), "−xᵀ(K − 2μP)x".into())
    }
}

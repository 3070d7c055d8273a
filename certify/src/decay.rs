//! Theorem 3 on L = C_L²|w|²/2 in d = 1 or 2, from the tilted Gaussian initial density
//! ψ_0 = ψ_∞e^{κ(Σw + Σv)}/Z. Everything factorises over the d coordinates: the exponents below
//! are multiplied by d, H(0) by d·e^{(d−1)κ²s²}, and min{C_P, d} = min{C_L², d}. In each coordinate: The kinetic equation (9) is linear: ψ(t) is Gaussian with the stationary
//! covariance Σ_∞ = diag(1/(η'C_L²), 1/η') and mean m(t) = e^{Bt}m_0, B = [[0, 1], [−C_L², −g]],
//! m_0 = Σ_∞κ(1, 1). Hence, exactly,
//!   ‖h(t)‖²_* = ∫ψ²/ψ_∞ − 1 = exp(m(t)ᵀΣ_∞⁻¹m(t)) − 1,
//!   H(0) (10) = κ²(1 + 2Ĉ + C)·e^{κ²s²}, s² = 1/(η'C_L²) + 1/η'  (∇_w h = ∇_v h = κe^{κ(w+v)}/Z),
//! and the bound of Theorem 3 is H(0)/(η' min{C_P, d} λ_min(P))·e^{−2(μ − μ̂)t} with C_P = C_L²
//! (the Poincaré constant of the Gaussian e^{−L}, reading (7)), b = 0 (L̃ = L − C_L²w²/2 = 0) so
//! μ̂ = 0, and (μ, C, Ĉ) of Lemma 7. e^{Bt} = e^{−gt/2}[c(t)I + s(t)(B + g/2·I)] with
//! ω² = |g²/4 − C_L²|: (c, s) = (cos ωt, sin ωt/ω), (cosh ωt, sinh ωt/ω) or (1, t).

use crate::certificate::{get, Argument, Enclosures};
use crate::interval::Interval;
use crate::lemma7::paper_constants;
use serde::{Deserialize, Serialize};

/// Inputs of the decay certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuadraticDecay {
    /// Friction g.
    pub friction: f64,
    /// Velocity diffusion D_v.
    pub diffusion_v: f64,
    /// C_L (L = C_L²w²/2).
    pub cl: f64,
    /// Tilt κ of the initial density.
    pub kappa: f64,
    /// The time at which the bound is violated.
    pub time: f64,
    /// Dimension d (1 or 2; absent means 1).
    #[serde(default = "one")]
    pub dim: usize,
}

fn one() -> usize {
    1
}

/// e^{Bt}, B = [[0, 1], [−k, −g]], in closed form (row-major).
fn exp_companion(k: Interval, g: Interval, t: Interval) -> Result<[Interval; 4], String> {
    let disc = g.sqr() / 4.0 - k;
    let half_g_t = -(g * t) / 2.0;
    // Terms e^{−gt/2}·c and e^{−gt/2}·s.
    let (ec, es) = if disc.is_negative() {
        let w = (-disc).sqrt();
        let (sin, cos) = (w * t).sin_cos();
        let e = half_g_t.exp();
        (e * cos, e * sin / w)
    } else if disc.is_positive() {
        let w = disc.sqrt();
        let plus = (half_g_t + w * t).exp();
        let minus = (half_g_t - w * t).exp();
        ((plus + minus) / 2.0, (plus - minus) / (w * 2.0))
    } else {
        return Err("g²/4 − C_L² has no certain sign (critical damping): not handled".into());
    };
    let half_g = g / 2.0;
    // c I + s (B + g/2 I) = [[c + s g/2, s], [−s k, c − s g/2]].
    Ok([ec + es * half_g, es, -(es * k), ec - es * half_g])
}

impl Argument for QuadraticDecay {
    fn enclosures(&self) -> Result<Enclosures, String> {
        let valid = [self.friction, self.diffusion_v, self.cl, self.time].iter().all(|x| *x > 0.0 && x.is_finite());
        if !valid || !self.kappa.is_finite() || !(1..=2).contains(&self.dim) {
            return Err("the decay certificate needs g, D_v, C_L, t > 0, a finite κ and d ∈ {1, 2}".into());
        }
        let dim = self.dim as f64;
        let (g, cl, kappa, t) =
            (self.friction.into(), Interval::point(self.cl), Interval::point(self.kappa), self.time.into());
        let eta = Interval::point(self.friction) / self.diffusion_v;
        let k = cl.sqr();
        let (mu, c, c_hat) = paper_constants(g, cl)?;
        // λ_min(P), P = [[1, Ĉ], [Ĉ, C]]: (1 + C − √((1 − C)² + 4Ĉ²))/2.
        let lambda_min = (c + 1.0 - ((Interval::point(1.0) - c).sqr() + c_hat.sqr() * 4.0).sqrt()) / 2.0;
        if !lambda_min.is_positive() {
            return Err("λ_min(P) is not certainly positive".into());
        }
        let var_w = (eta * k).recip();
        let var_v = eta.recip();
        let m0 = [var_w * kappa, var_v * kappa];
        let e = exp_companion(k, g, t)?;
        let m = [e[0] * m0[0] + e[1] * m0[1], e[2] * m0[0] + e[3] * m0[1]];
        let quad = eta * (k * m[0].sqr() + m[1].sqr()) * dim;
        let h2 = quad.exp_m1();
        let s2 = var_w + var_v;
        let h0 = kappa.sqr() * (Interval::point(1.0) + c_hat * 2.0 + c) * (kappa.sqr() * s2 * dim).exp() * dim;
        let cp = k.min(&Interval::point(dim));
        let rate = mu * 2.0;
        let bound = h0 / (eta * cp * lambda_min) * (-(rate * t)).exp();
        let mut out = Enclosures::new();
        out.insert("eta_prime".into(), eta);
        out.insert("mu".into(), mu);
        out.insert("C".into(), c);
        out.insert("C_hat".into(), c_hat);
        out.insert("lambda_min_P".into(), lambda_min);
        out.insert("H0".into(), h0);
        out.insert("bound_rate".into(), rate);
        out.insert("h2_at_t".into(), h2);
        out.insert("bound_at_t".into(), bound);
        Ok(out)
    }
    fn margin(&self, enc: &Enclosures) -> Result<Interval, String> {
        Ok(get(enc, "h2_at_t")? - get(enc, "bound_at_t")?)
    }
    fn statement(&self) -> (String, String) {
        (
            format!(
                "Theorem 3: ‖h(t)‖²_* ≤ H(0)/(η' min{{C_P, d}} λ_min) e^{{−2(μ−μ̂)t}} for t > T; refuted at t = {} \
                 (exact Gaussian ‖h(t)‖²), and the bound decays at 2μ while ‖h‖² decays at twice the gap",
                self.time
            ),
            "‖h(t)‖²_* − bound(t)".into(),
        )
    }
}

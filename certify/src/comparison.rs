//! An a-priori lower bound for a high eigenvalue of H = −DΔ + V in d = 2 (V = |∇L|²/(4D) − ΔL/2,
//! the ground-state transform of (5)) by a separable comparison operator (the decomposition
//! method: if V ≥ W₁(x) + W₂(y) then H ≥ K = −DΔ + W₁ + W₂ and λ_m(H) ≥ λ_m(K) by min–max).
//!
//! Each mixed term c·x^p y^q of V is bounded by 2|x^p y^q| ≤ t·x^{2p} + y^{2q}/t (t > 0), so
//! W₁ = V_x − Σ|c|t/2·x^{2p}, W₂ = V_y − Σ|c|/(2t)·y^{2q}. One factor must be a harmonic
//! oscillator W = c₀ + c₁y + c₂y² (c₂ > 0), whose levels are exact: β_j = c₀ − c₁²/(4c₂) +
//! √(Dc₂)(2j + 1). The spectrum of K is {α_i + β_j}; the number of its eigenvalues below ρ is
//! Σ_j N₁(ρ − β_j), each N₁ a proved Sturm count of the other factor ([`count_below_potential`]).

use crate::hermite2d::Poly2;
use crate::interval::Interval;
use crate::spectrum::{count_below_potential, Failure, Poly};
use std::collections::BTreeMap;

/// Coefficients by exponents (p, q) of x^p y^q.
pub type Terms = BTreeMap<(u32, u32), Interval>;

fn add_term(t: &mut Terms, key: (u32, u32), v: Interval) {
    let e = t.entry(key).or_insert(Interval::point(0.0));
    *e = *e + v;
}

/// V = |∇L|²/(4D) − ΔL/2 with interval coefficients.
pub fn schrodinger_potential_2d(l: &Poly2, d: f64) -> Terms {
    let grad = |axis: usize| -> Vec<(u32, u32, Interval)> {
        l.0.iter()
            .filter_map(|&(p, q, c)| {
                let (k, pp, qq) = if axis == 0 { (p, p.checked_sub(1)?, q) } else { (q, p, q.checked_sub(1)?) };
                Some((pp, qq, Interval::point(c) * k as f64))
            })
            .collect()
    };
    let quarter_d = (Interval::point(d) * 4.0).recip();
    let mut v = Terms::new();
    for axis in 0..2 {
        let g = grad(axis);
        for &(p1, q1, c1) in &g {
            for &(p2, q2, c2) in &g {
                add_term(&mut v, (p1 + p2, q1 + q2), c1 * c2 * quarter_d);
            }
        }
        for &(p, q, c) in &g {
            let (k, pp, qq) = if axis == 0 { (p, p.checked_sub(1), Some(q)) } else { (q, Some(p), q.checked_sub(1)) };
            if let (Some(pp), Some(qq)) = (pp, qq) {
                add_term(&mut v, (pp, qq), -(c * k as f64 * 0.5));
            }
        }
    }
    v
}

/// The separable minorant W₁(x) + W₂(y) ≤ V for the Young parameter t.
pub fn split(v: &Terms, t: f64) -> (Poly, Poly) {
    let deg = v.keys().map(|&(p, q)| 2 * p.max(q)).max().unwrap_or(0) as usize + 1;
    let (mut w1, mut w2) = (vec![Interval::point(0.0); deg], vec![Interval::point(0.0); deg]);
    let ti = Interval::point(t);
    for (&(p, q), &c) in v {
        let mag = Interval::point(c.mag());
        match (p, q) {
            (p, 0) => w1[p as usize] = w1[p as usize] + c,
            (0, q) => w2[q as usize] = w2[q as usize] + c,
            (p, q) => {
                w1[2 * p as usize] = w1[2 * p as usize] - mag * ti / 2.0;
                w2[2 * q as usize] = w2[2 * q as usize] - mag / (ti * 2.0);
            }
        }
    }
    let trim = |mut w: Vec<Interval>| {
        while w.len() > 1 && w.last().is_some_and(|c| c.lower == 0.0 && c.upper == 0.0) {
            w.pop();
        }
        Poly(w)
    };
    (trim(w1), trim(w2))
}

/// Lower bounds of the levels of −D∂² + c₀ + c₁y + c₂y²: (β₀, spacing 2√(Dc₂)); None unless
/// the polynomial has degree 2 with c₂ > 0.
fn harmonic(w: &Poly, d: f64) -> Option<(Interval, Interval)> {
    if w.0.len() != 3 || !w.0[2].is_positive() {
        return None;
    }
    let (c0, c1, c2) = (w.0[0], w.0[1], w.0[2]);
    let root = (Interval::point(d) * c2).sqrt();
    Some((c0 - c1.sqr() / (c2 * 4.0) + root, root * 2.0))
}

/// A proved upper bound on the number of eigenvalues of K (hence of H) below ρ.
pub fn count_below_2d(w: &(Poly, Poly), d: f64, rho: f64, steps: usize) -> Result<usize, Failure> {
    let (other, (b0, gap)) = if let Some(h) = harmonic(&w.1, d) {
        (&w.0, h)
    } else if let Some(h) = harmonic(&w.0, d) {
        (&w.1, h)
    } else {
        return Err("the separable comparison operator has no harmonic factor (the coupled case needs L of degree \
                    ≤ 2 in one variable, with mixed terms linear in it)"
            .into());
    };
    let mut total = 0;
    for j in 0..100_000 {
        let beta = b0 + gap * j as f64;
        let level = (Interval::point(rho) - Interval::point(beta.lower)).upper;
        let n = robust_count(other, d, level, gap.lower, steps)?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
    Err("the comparison count did not terminate".into())
}

/// An upper bound on the count below `level`: the count itself, or (when the Prüfer angle lands
/// too near a cell boundary, the level being near an eigenvalue) the count at a slightly higher
/// level, which is no smaller.
fn robust_count(w: &Poly, d: f64, level: f64, spacing: f64, steps: usize) -> Result<usize, Failure> {
    let mut last = String::new();
    for bump in [0.0, 0.01, 0.03, 0.1] {
        match count_below_potential(w, d, level + bump * spacing, steps) {
            Ok(n) => return Ok(n),
            Err(e) => last = e,
        }
    }
    Err(last)
}

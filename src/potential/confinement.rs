//! Confinement of a potential: L → +∞ as |w| → ∞, fast enough that e^{−L} is integrable, with
//! L bounded below and never NaN. Every potential is checked here once, when it is built.
//!
//! # What is decided exactly
//!
//! For a polynomial L of degree n with leading homogeneous part P_n (the terms of degree n):
//!
//! * n = 0 (L constant) or n odd: **not confining**. P_n(−u) = −P_n(u), so L → −∞ along some ray.
//! * P_n(u) > 0 on the whole unit sphere: **confining**, L ≥ m|w|ⁿ − C|w|ⁿ⁻¹ with m = min P_n > 0.
//! * P_n(u) < 0 somewhere: **not confining**, L(ru) → −∞.
//!
//! This depends only on P_n, so it is exact and invariant under shifts w → w − a (and under
//! scaling L by c > 0). In d = 1 it is the sign of the leading coefficient. In d = 2, 3 the sign
//! of P_n on the unit sphere is proven. The variables are first rescaled to balance the pure
//! powers (positivity is invariant under x = Sx'), and values within [`ZERO_TOLERANCE`] of the
//! coefficient bound F count as zero, so that rounding in the expanded coefficients cannot decide
//! a sign. A local search from the lowest of a few hundred cell centres finds a negative value
//! (proven beyond rounding) or a zero; otherwise branch and bound proves positivity: a cell with
//! centre c and angular radius δ holds values ≥ P(c) − δ|∇ₛP(c)| − ½δ²|P''(c)| − δ³n³F/6
//! (P'' the second derivative along great circles, bounded through the tangential Hessian), since
//! along any great circle P is a trigonometric polynomial of degree ≤ n bounded by F, whose
//! third derivative Bernstein's inequality bounds by n³F. (A cell budget scaled by the number of
//! terms keeps this affordable; past it, the verdict is left to the tests below.)
//!
//! Where P_n ≥ 0 has zeros on the sphere (degenerate leading part), three further exact tests:
//!
//! * **Flat direction**: L constant along a direction v (v·∇L ≡ 0, e.g. `10*(0.0436*x - 0.999*y)^2`
//!   along (0.999, 0.0436)), found as a null vector of the coefficient matrix of ∇L (relative
//!   singular value below [`FLAT_TOLERANCE`]): **not confining**.
//! * **Weighted leading part**: for integer weights a (from the pure even powers x_i^{e_i} of L,
//!   a_i = lcm(e)/e_i), the terms of top weighted degree N = Σ a_i α_i form Q with
//!   Q(t^a∘w) = t^N Q(w). If Q > 0 on the unit sphere, L → +∞ with polynomial growth
//!   (**confining**, e.g. `x^4 + y^2` or `x^4 + (x-y)^2` with a = (1, 2)); if Q < 0 somewhere,
//!   L → −∞ along the curve t ↦ t^a∘u (**not confining**).
//! * **Next order along the zeros (d = 2)**: the zeros of a degenerate P_n (or Q) are rays (or
//!   curves t ↦ (±t^{a_0}, y₀t^{a_1})) found as double roots of a univariate polynomial; along
//!   each, L = Σ_{k<N} t^k R_k, and the highest non-negligible R_k < 0 (L → −∞, e.g. `x^2 + y`,
//!   `(y - x^2)^2 + x`) or all R_k negligible (L bounded, e.g. `x^4 + x*y`) refuses L. L is first
//!   re-centred (w → w + s, s the least-squares shift removing the next weighted parts along
//!   ∇Q) so that this does not depend on where L's features sit.
//!
//! # What is decided numerically
//!
//! Polynomials not settled above (degenerate leading parts in d = 3, or where no weighted part is
//! positive, e.g. `x^2*y^2 + x^2 + y^2`; also when the sign proof runs out of its budget for very
//! high degrees), and every other potential (expressions with functions, the logistic risk), go
//! through [`landscape`]: a multi-scale search for the lowest point w* of L
//! (radii 10^{-4} … 10^{15}), descent from the best starts, the scale ρ of the low region (the
//! last radius at which min_{|u|=1} L(w* + r u) − L(w*) < 1, by dense sampling of the sphere and
//! local refinement of its lowest points), then the tail out to 2^30·ρ ≈ 10⁹ρ, where the sphere
//! minimum must exceed (d+1)·ln(r/ρ) + 1 (r ≥ 2^10 ρ) and still grow at that rate over the last
//! six doublings. L = +∞ (overflow) counts as growth. A NaN made from an infinite intermediate
//! (∞ − ∞, ∞·0: an overflow, e.g. `0*exp(x)` for x > 709) marks a point where L cannot be
//! evaluated: it is skipped, counts as +∞ on a sphere after L has passed 10^{100} on the previous
//! one, and a sphere with no evaluable point is refused. Any other NaN (sqrt or log of a negative
//! number) is refused, and so is L = −∞. Around each minimum found, L is probed at distances
//! 10^{-10} … 10^{-6}·(1 + |w*|): when it keeps falling by a steady amount per decade towards w*
//! (a logarithmic or power singularity such as `log((x-1)^2)`), L is not bounded below and is
//! refused. Features beyond 10⁹ρ, thin curved valleys between the sampled directions (in d = 3),
//! and wells or singularities that no sample comes near are out of reach of this test.

use crate::error::{short, EngineError, Result};
use crate::polynomial::{Monomial, Poly};
use crate::potential::Potential;
use nalgebra::DMatrix;
use std::f64::consts::PI;

/// A value of a balanced polynomial on the unit sphere within this fraction of its coefficient
/// bound counts as zero (rounding of expanded coefficients cannot then decide a sign).
pub const ZERO_TOLERANCE: f64 = 1e-11;
/// A direction along which ∇L's coefficient matrix has relative singular value below this is
/// flat (L constant along it, to the rounding of its coefficients).
pub const FLAT_TOLERANCE: f64 = 1e-12;
/// Rise of L above its minimum that marks the edge of the low region (scale ρ).
const RISE: f64 = 1.0;
/// Doublings of the radius beyond ρ the tail test reaches (2^30 ≈ 1e9).
const TAIL_DOUBLINGS: usize = 30;
/// From this doubling on (2^10 ≈ 1e3 ρ) the tail must beat (d+1)·ln(r/ρ) + 1.
const TAIL_FROM: usize = 10;
/// Doublings over which the far tail must still grow at rate (d+1)·ln 2 per doubling.
const TAIL_SLOPE_SPAN: usize = 6;
/// Doublings past the last low sphere before the low region is considered found.
const LOW_MARGIN: i32 = 12;

/// How a verdict was reached.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Exact: the leading homogeneous part (degree n, even) is positive on the unit sphere.
    LeadingPart { degree: u32 },
    /// Exact: the top part for these integer weights is positive on the unit sphere.
    WeightedPart { weights: Vec<u64> },
    /// Numerical: the landscape search and tail test of [`landscape`].
    Numerical,
}

/// An accepted potential and how it was accepted.
#[derive(Debug, Clone)]
pub struct Confinement {
    /// Exact or numerical.
    pub method: Method,
    /// The landscape found by the numerical test (None for exact verdicts).
    pub landscape: Option<Landscape>,
    /// One sentence on the evidence.
    pub evidence: String,
}

/// The lowest point of L found and the scale of its low region.
#[derive(Debug, Clone)]
pub struct Landscape {
    /// w*, the lowest point found.
    pub minimum: Vec<f64>,
    /// L(w*).
    pub value: f64,
    /// ρ: beyond |w − w*| = ρ every sampled sphere has L − L(w*) ≥ 1 (up to 4096ρ).
    pub scale: f64,
    /// min_{|u|=1} L(w* + 2^30 ρ u) − L(w*) (+∞ after overflow).
    pub far_rise: f64,
}

fn refuse(msg: String) -> EngineError {
    EngineError::NotConfining(msg)
}

/// Checks that `potential` is confining with e^{−L} integrable, L bounded below and not NaN:
/// exactly for polynomials where the leading (or a weighted leading) part decides, numerically
/// otherwise (see the module documentation).
pub fn check(potential: &dyn Potential) -> Result<Confinement> {
    let d = potential.dim();
    refuse_pole(potential)?;
    let mut hints = Vec::new();
    if let Some(poly) = potential.poly() {
        match decide_polynomial(&poly, d)? {
            PolyVerdict::Confining(method, evidence) => {
                return Ok(Confinement { method, landscape: None, evidence });
            }
            PolyVerdict::Undecided(directions) => hints = directions,
        }
    }
    let land = landscape_with(potential, &hints)?;
    let evidence = format!(
        "numerical: lowest L = {} at w* = {}; L − L(w*) ≥ 1 beyond ρ = {}, and {} at 2^30·ρ",
        short(land.value),
        point(&land.minimum),
        short(land.scale),
        short(land.far_rise)
    );
    Ok(Confinement { method: Method::Numerical, landscape: Some(land), evidence })
}

/// Checks `potential` as [`check`] does, keeping only the verdict. A polynomial that is a sum of
/// one-variable polynomials, each of even degree with a positive leading coefficient, is accepted
/// at once ([`separable_confining`]) unless [`check`]'s flat-direction test, on the same balanced
/// scales, finds an axis whose coefficients are lost to rounding beside the others (a leading
/// coefficient such as 5.6e-17 from `(0.1+0.2-0.3)*y^2`: positive in f64, flat in the user's
/// intent; [`check`] refuses it as flat). Every other potential, and every refusal, goes through
/// [`check`].
pub fn confirm(potential: &dyn Potential) -> Result<()> {
    let d = potential.dim();
    refuse_pole(potential)?;
    if potential.poly().is_some_and(|p| separable_confining(&p, d) && !flat_after_balancing(&p, d)) {
        return Ok(());
    }
    check(potential).map(|_| ())
}

/// [`flat_direction`] on the scales [`decide_polynomial`] balances the leading part with.
fn flat_after_balancing(p: &Poly, d: usize) -> bool {
    let n = p.degree();
    let lead: Terms = p.terms.iter().filter(|(m, _)| total(m) == n).map(|(m, c)| (*m, *c)).collect();
    let (scale, _) = balanced_leading_part(p, d, &lead);
    flat_direction(p, d, &scale).is_some()
}

/// Whether L = c + Σ_j L_j(x_j) (no monomial couples two axes) with finite coefficients and every
/// L_j of even degree n_j ≥ 2 with leading coefficient a_j > 0. Then L_j(t) ≥ a_j t^{n_j}/2 − C_j,
/// so L ≥ Σ_j a_j x_j^{n_j}/2 − C: bounded below, → +∞ as |w| → ∞ and e^{−L} integrable (exact; it
/// is the weighted-leading-part test with weights ∝ 1/n_j, whose top part Σ_j a_j x_j^{n_j} is
/// positive on the sphere, decided without the sphere search).
pub fn separable_confining(p: &Poly, d: usize) -> bool {
    let mut leading: Vec<(u32, f64)> = vec![(0, 0.0); d];
    for (m, &c) in &p.terms {
        if !c.is_finite() {
            return false;
        }
        let mut axes = (0..3).filter(|&j| m[j] > 0);
        let (Some(j), None) = (axes.next(), axes.next()) else {
            if total(m) == 0 {
                continue;
            }
            return false;
        };
        if j >= d {
            return false;
        }
        if m[j] > leading[j].0 && c != 0.0 {
            leading[j] = (m[j], c);
        }
    }
    leading.iter().all(|&(n, a)| n >= 2 && n % 2 == 0 && a > 0.0)
}

// ---------------------------------------------------------------------------------------------
// Poles
// ---------------------------------------------------------------------------------------------

/// Scales of the lattices on which divisors are sampled: 10^-3 … 10^9.
const POLE_SCALES: std::ops::RangeInclusive<i32> = -3..=9;
/// Lattice points per axis and scale (the lattice {−1, −3/4, …, 1}·s, through the origin).
const POLE_LATTICE: usize = 9;

/// Refuses L when one of its divisors vanishes somewhere: L then has a pole (unbounded, and not
/// smooth), e.g. `x^2/2 + 1/x`. A divisor f is sampled on lattices of side 10^-3 … 10^9 around
/// the origin, shifted off the axes by an irrational offset as well; a sample where f = 0, or two
/// samples where f has opposite signs (so f vanishes between them, f being continuous wherever
/// its own divisors do not vanish, which is checked first), prove a zero. A divisor that only
/// comes close to zero between samples (`1/((x−0.3)^2 + y^2)`) is left to the landscape test.
fn refuse_pole(potential: &dyn Potential) -> Result<()> {
    match potential.pole() {
        Some(witness) => Err(refuse(format!("L has a pole: {witness}"))),
        None => Ok(()),
    }
}

/// A divisor of `expr` proven to vanish by a sample, in words ([`Potential::pole`] of an
/// [`crate::potential::Expression`]).
pub(crate) fn vanishing_divisor(expr: &crate::expr::Expr, d: usize) -> Option<String> {
    expr.divisors().iter().find_map(|divisor| divisor_zero(divisor, d)).map(|w| format!("a divisor of it vanishes {w}"))
}

/// Where `divisor` is proven to vanish, in words, if a sample proves it.
fn divisor_zero(divisor: &crate::expr::Expr, d: usize) -> Option<String> {
    let mut positive: Option<Vec<f64>> = None;
    let mut negative: Option<Vec<f64>> = None;
    // An exact zero proves a root only for a polynomial: exp(−x²) underflows to 0 far out.
    let polynomial = divisor.to_poly().is_some();
    for w in pole_samples(d) {
        let f = divisor.value(&w);
        if f == 0.0 && polynomial {
            return Some(format!("at w = {}", point(&w)));
        }
        if f > 0.0 && positive.is_none() {
            positive = Some(w);
        } else if f < 0.0 && negative.is_none() {
            negative = Some(w);
        }
        if let (Some(a), Some(b)) = (&positive, &negative) {
            return Some(format!("between w = {} and w = {} (it changes sign)", point(a), point(b)));
        }
    }
    None
}

/// The sample points of [`divisor_zero`]: each lattice scale, on the axes and shifted off them.
fn pole_samples(d: usize) -> impl Iterator<Item = Vec<f64>> {
    let per_scale = POLE_LATTICE.pow(d as u32);
    POLE_SCALES.flat_map(move |k| {
        let s = 10f64.powi(k);
        [0.0, std::f64::consts::FRAC_1_SQRT_2 / 8.0].into_iter().flat_map(move |shift| {
            (0..per_scale).map(move |n| {
                (0..d)
                    .map(|axis| {
                        let i = (n / POLE_LATTICE.pow(axis as u32)) % POLE_LATTICE;
                        s * (2.0 * i as f64 / (POLE_LATTICE - 1) as f64 - 1.0 + shift)
                    })
                    .collect()
            })
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Polynomials
// ---------------------------------------------------------------------------------------------

type Terms = Vec<(Monomial, f64)>;

enum PolyVerdict {
    Confining(Method, String),
    /// Degenerate leading part: the directions where it (nearly) vanishes, for the numerical test.
    Undecided(Vec<Vec<f64>>),
}

fn total(m: &Monomial) -> u32 {
    m.iter().sum()
}

/// The leading part P_n of `p` (its terms `lead`) with its pure powers x_i^n balanced: the axis
/// scales S and the terms of P_n(S x') (positivity on R^d \ 0 is invariant under x = S x').
fn balanced_leading_part(p: &Poly, d: usize, lead: &Terms) -> (Vec<f64>, Terms) {
    let n = p.degree();
    let pure: Vec<Option<(u64, f64)>> = (0..d)
        .map(|i| {
            let mut m = [0u32; 3];
            m[i] = n;
            p.terms.get(&m).filter(|c| **c > 0.0).map(|c| (n as u64, *c))
        })
        .collect();
    balance(lead, d, &pure)
}

/// The exact decisions for a polynomial; Err for a proven refusal.
fn decide_polynomial(p: &Poly, d: usize) -> Result<PolyVerdict> {
    if let Some((_, c)) = p.terms.iter().find(|(_, c)| !c.is_finite()) {
        return Err(refuse(format!("a coefficient of L is {} (overflow while expanding it?)", short(*c))));
    }
    let n = p.degree();
    if n == 0 {
        return Err(refuse("L is constant".into()));
    }
    let lead: Terms = p.terms.iter().filter(|(m, _)| total(m) == n).map(|(m, c)| (*m, *c)).collect();
    if n % 2 == 1 {
        let u = odd_negative_direction(&lead, d);
        return Err(refuse(format!(
            "L has odd degree {n}, so L → −∞ along w ∝ {} (its degree-{n} part is {} there)",
            point(&u),
            short(eval_terms(&lead, &u))
        )));
    }
    let (scale, balanced) = balanced_leading_part(p, d, &lead);
    let f = SpherePoly::new(&balanced, d);
    let zeros = match sphere_sign(&f) {
        SphereSign::Positive { lower } => {
            return Ok(PolyVerdict::Confining(
                Method::LeadingPart { degree: n },
                format!(
                    "exact: the degree-{n} part of L is positive on the unit sphere (≥ {} of its scale)",
                    short(lower)
                ),
            ));
        }
        SphereSign::Negative { at, .. } => {
            let u = unscale(&at, &scale);
            return Err(refuse(format!(
                "the degree-{n} part of L is negative along w ∝ {} ({} there), so L → −∞ along that ray",
                point(&u),
                short(eval_terms(&lead, &u))
            )));
        }
        SphereSign::Zero { near } | SphereSign::Undecided { near } => {
            near.iter().map(|u| unscale(u, &scale)).collect::<Vec<_>>()
        }
    };
    if d == 1 {
        return Ok(PolyVerdict::Undecided(zeros));
    }
    if let Some(v) = flat_direction(p, d, &scale) {
        return Err(refuse(format!(
            "L is constant along the direction {} (flat: ∇L is orthogonal to it everywhere)",
            point(&v)
        )));
    }
    if d == 2 {
        if let Some(msg) = next_order_2d(&recentre(p, d, &[1, 1], n as u64), [1, 1], n as u64) {
            return Err(refuse(msg));
        }
    }
    for exps in weight_candidates(p, d) {
        let Some((weights, top)) = weighted_top(p, d, &exps) else { continue };
        let pure: Vec<Option<(u64, f64)>> = (0..d)
            .map(|i| {
                let mut m = [0u32; 3];
                m[i] = exps[i] as u32;
                p.terms.get(&m).map(|c| (exps[i], *c))
            })
            .collect();
        let (scale, balanced) = balance(&top, d, &pure);
        match sphere_sign(&SpherePoly::new(&balanced, d)) {
            SphereSign::Positive { .. } => {
                return Ok(PolyVerdict::Confining(
                    Method::WeightedPart { weights: weights.clone() },
                    format!(
                        "exact: the top part of L for weights {weights:?} is positive on the unit sphere \
                         (the degree-{n} part alone vanishes along {})",
                        zeros.first().map_or_else(|| "some direction".into(), |u| point(u))
                    ),
                ));
            }
            SphereSign::Negative { at, .. } => {
                // The orbit point S·u' itself (a uniform rescaling would leave the orbit).
                let u: Vec<f64> = at.iter().zip(&scale).map(|(a, s)| a * s).collect();
                return Err(refuse(format!(
                    "L → −∞ along the curve w = (t^a_i·u_i) with a = {weights:?}, u = {}, as t → ∞",
                    point(&u)
                )));
            }
            _ if d == 2 => {
                let top = weights[0] * exps[0];
                if let Some(msg) = next_order_2d(&recentre(p, d, &weights, top), [weights[0], weights[1]], top) {
                    return Err(refuse(msg));
                }
            }
            _ => {}
        }
    }
    Ok(PolyVerdict::Undecided(zeros))
}

/// d = 2, a degenerate (weighted) leading part Q of weights a and weighted degree N ≥ 0 on
/// the plane: its zeros are the curves w(t) = (s·t^{a_0}, y₀·t^{a_1}) with s = ±1 and y₀ a
/// real (double) root of q(y) = Q(s, y), and w(t) = (0, ±t^{a_1}) when Q(0, ±1) = 0. Along
/// such a curve L(w(t)) = Σ_{k<N} t^k R_k, with R_k the part of L of weighted degree k at the
/// curve's point: the highest non-negligible R_k < 0 means L → −∞ along it, and all R_k
/// negligible means L stays bounded on it. Returns the refusal, if any.
fn next_order_2d(r: &Recentred, a: [u64; 2], top: u64) -> Option<String> {
    let (p, centre) = (&r.poly, &r.shift);
    let wdeg = |m: &Monomial| a[0] * m[0] as u64 + a[1] * m[1] as u64;
    let mut points: Vec<[f64; 2]> = Vec::new();
    for s in [1.0f64, -1.0] {
        let mut q = Vec::<f64>::new();
        for (m, c) in p.terms.iter().filter(|(m, _)| wdeg(m) == top) {
            let j = m[1] as usize;
            if q.len() <= j {
                q.resize(j + 1, 0.0);
            }
            q[j] += c * s.powi(m[0] as i32);
        }
        points.extend(double_roots(&q).into_iter().map(|y| [s, y]));
    }
    for s in [1.0f64, -1.0] {
        let on_axis: f64 =
            p.terms.iter().filter(|(m, _)| wdeg(m) == top && m[0] == 0).map(|(m, c)| c * s.powi(m[1] as i32)).sum();
        if on_axis == 0.0 {
            points.push([0.0, s]);
        }
    }
    let curve = |pt: &[f64; 2]| {
        if a == [1, 1] {
            let n = pt[0].hypot(pt[1]);
            let u = point(&[pt[0] / n, pt[1] / n]);
            if centre.iter().all(|c| c.abs() < 1e-12) {
                format!("the ray w ∝ {u}")
            } else {
                format!("the ray w = {} + t·{u}", point(centre))
            }
        } else {
            let term = |c: f64, k: u64| {
                let power = if k == 1 { "t".to_string() } else { format!("t^{k}") };
                match c {
                    1.0 => power,
                    -1.0 => format!("-{power}"),
                    0.0 => "0".into(),
                    _ => format!("{}·{power}", short(c)),
                }
            };
            format!("the curve w = {} + ({}, {}), t → ∞", point(centre), term(pt[0], a[0]), term(pt[1], a[1]))
        }
    };
    for pt in &points {
        let mut verdict = None;
        for k in (0..top).rev() {
            let (mut v, mut abs, mut noise) = (0.0, 0.0, 0.0);
            for (m, c) in p.terms.iter().filter(|(m, _)| wdeg(m) == k) {
                let x = pt[0].powi(m[0] as i32) * pt[1].powi(m[1] as i32);
                v += c * x;
                abs += (c * x).abs();
                noise += 1e-12 * r.magnitude.terms.get(m).copied().unwrap_or(0.0) * x.abs();
            }
            if abs == 0.0 || v.abs() <= (1e-6 * abs).max(noise) {
                continue;
            }
            verdict = Some(v);
            break;
        }
        match verdict {
            Some(r) if r < 0.0 => {
                return Some(format!(
                    "L → −∞ along {}: its leading part vanishes there and the next terms are negative ({})",
                    curve(pt),
                    short(r)
                ));
            }
            None => {
                return Some(format!(
                    "L stays bounded along {}: its leading part and all lower terms vanish there",
                    curve(pt)
                ));
            }
            _ => {}
        }
    }
    None
}

/// The polynomial re-centred, w → w + s, so that the curve test does not depend on where L's
/// features sit: for each weight level a_i (ascending) the shifts s_i of that level minimise,
/// by least squares, the part of weighted degree N − a_i, whose change to first order is
/// Σ s_i ∂_i Q (for a quadratic this completes the square). A shift by a of L shifts the
/// optimum by a, so the re-centred polynomial, and every verdict on it, is shift-invariant.
/// Also returns the shift and the same substitution applied to |L| with |shift| (coefficient
/// by coefficient, the size of what was summed: the scale of its rounding).
fn recentre(p: &Poly, d: usize, a: &[u64], top: u64) -> Recentred {
    let wdeg = |m: &Monomial| (0..d).map(|i| a[i] * m[i] as u64).sum::<u64>();
    let mut levels: Vec<u64> = a[..d].to_vec();
    levels.sort_unstable();
    levels.dedup();
    let mut shift = vec![0.0; d];
    let mut current = p.clone();
    for level in levels {
        if level >= top {
            continue;
        }
        let target = top - level;
        let group: Vec<usize> = (0..d).filter(|&i| a[i] == level).collect();
        let q: Poly =
            Poly { terms: current.terms.iter().filter(|(m, _)| wdeg(m) == top).map(|(m, c)| (*m, *c)).collect() };
        let columns: Vec<Poly> = group.iter().map(|&i| q.derivative(i)).collect();
        let mut rows: Vec<Monomial> = current.terms.keys().filter(|m| wdeg(m) == target).copied().collect();
        for c in &columns {
            rows.extend(c.terms.keys().filter(|m| wdeg(m) == target).copied());
        }
        rows.sort_unstable();
        rows.dedup();
        if rows.is_empty() {
            continue;
        }
        let m =
            DMatrix::from_fn(rows.len(), group.len(), |r, k| columns[k].terms.get(&rows[r]).copied().unwrap_or(0.0));
        let b = nalgebra::DVector::from_fn(rows.len(), |r, _| -current.terms.get(&rows[r]).copied().unwrap_or(0.0));
        let scale = m.iter().fold(0.0f64, |x, v| x.max(v.abs()));
        let Ok(delta) = m.svd(true, true).solve(&b, 1e-12 * scale) else { continue };
        if delta.iter().any(|x| !x.is_finite()) {
            continue;
        }
        for (k, &i) in group.iter().enumerate() {
            shift[i] += delta[k];
        }
        current = p.affine_substitute(&shift, &[1.0; 3]);
    }
    let magnitude = Poly { terms: p.terms.iter().map(|(m, c)| (*m, c.abs())).collect() }
        .affine_substitute(&shift.iter().map(|x| x.abs()).collect::<Vec<_>>(), &[1.0; 3]);
    Recentred { poly: current, shift, magnitude }
}

/// A polynomial re-centred by [`recentre`].
struct Recentred {
    poly: Poly,
    shift: Vec<f64>,
    magnitude: Poly,
}

/// The real roots of multiplicity ≥ 2 of q(y) = Σ q_j y^j (to rounding): clusters of the
/// companion matrix's eigenvalues with a real centroid where q vanishes to 1e-10 of Σ|q_j y^j|,
/// polished by Newton on q'.
fn double_roots(q: &[f64]) -> Vec<f64> {
    let Some(m) = q.iter().rposition(|c| *c != 0.0) else { return Vec::new() };
    if !(2..=128).contains(&m) {
        return Vec::new();
    }
    let lead = q[m];
    let companion = DMatrix::from_fn(m, m, |i, j| {
        if i == 0 {
            -q[m - 1 - j] / lead
        } else if i == j + 1 {
            1.0
        } else {
            0.0
        }
    });
    let Some(schur) = nalgebra::linalg::Schur::try_new(companion, f64::EPSILON, 10_000) else { return Vec::new() };
    let mut eig: Vec<(f64, f64)> = schur.complex_eigenvalues().iter().map(|z| (z.re, z.im)).collect();
    eig.sort_by(|x, y| x.0.total_cmp(&y.0));
    let eval = |y: f64, k: usize| -> (f64, f64) {
        // k-th derivative of q at y, and Σ|terms| of q.
        let (mut v, mut abs) = (0.0, 0.0);
        for (j, c) in q.iter().enumerate().skip(k) {
            let f: f64 = ((j - k + 1)..=j).map(|i| i as f64).product();
            let t = c * f * y.powi((j - k) as i32);
            v += t;
            abs += t.abs();
        }
        (v, abs)
    };
    let mut roots: Vec<f64> = Vec::new();
    let mut used = vec![false; eig.len()];
    for i in 0..eig.len() {
        if used[i] {
            continue;
        }
        let scale = 1e-3 * (1.0 + eig[i].0.hypot(eig[i].1));
        let members: Vec<usize> =
            (i..eig.len()).filter(|&j| !used[j] && (eig[j].0 - eig[i].0).hypot(eig[j].1 - eig[i].1) <= scale).collect();
        members.iter().for_each(|&j| used[j] = true);
        let count = members.len() as f64;
        let (re, im) = members.iter().fold((0.0, 0.0), |acc, &j| (acc.0 + eig[j].0 / count, acc.1 + eig[j].1 / count));
        if members.len() < 2 || im.abs() > 1e-6 * (1.0 + re.abs()) {
            continue;
        }
        let mut y = re;
        for _ in 0..50 {
            let (d1, _) = eval(y, 1);
            let (d2, _) = eval(y, 2);
            if d2 == 0.0 {
                break;
            }
            let next = y - d1 / d2;
            if !next.is_finite() || eval(next, 0).0.abs() > eval(y, 0).0.abs() {
                break;
            }
            y = next;
        }
        let (v, abs) = eval(y, 0);
        if v.abs() <= 1e-10 * abs {
            roots.push(y);
        }
    }
    roots
}

fn eval_terms(terms: &Terms, u: &[f64]) -> f64 {
    terms.iter().map(|(m, c)| c * (0..u.len()).map(|i| u[i].powi(m[i] as i32)).product::<f64>()).sum()
}

/// A unit direction where a non-zero odd homogeneous part is negative.
fn odd_negative_direction(lead: &Terms, d: usize) -> Vec<f64> {
    let mut best = (0.0, unit(d, 0));
    for u in directions(d, 64) {
        let v = eval_terms(lead, &u);
        if v.abs() > best.0 {
            best = (v.abs(), if v > 0.0 { u.iter().map(|x| -x).collect() } else { u });
        }
    }
    best.1
}

fn unit(d: usize, i: usize) -> Vec<f64> {
    let mut u = vec![0.0; d];
    u[i] = 1.0;
    u
}

/// Variable scales s (x_i = s_i x'_i) making the pure coefficient c_i of x_i^{e_i} equal across
/// variables where given, and the polynomial in x' with largest coefficient 1 (in log space, so
/// that no scale overflows). Returns (s, terms in x').
fn balance(terms: &Terms, d: usize, pure: &[Option<(u64, f64)>]) -> (Vec<f64>, Terms) {
    let log_s: Vec<f64> = (0..d)
        .map(|i| match pure.get(i).copied().flatten() {
            Some((e, c)) if c > 0.0 && e > 0 => -c.ln() / e as f64,
            _ => 0.0,
        })
        .collect();
    let logs: Vec<f64> =
        terms.iter().map(|(m, c)| c.abs().ln() + (0..d).map(|i| m[i] as f64 * log_s[i]).sum::<f64>()).collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scaled = terms.iter().zip(&logs).map(|((m, c), l)| (*m, c.signum() * (l - top).exp())).collect();
    (log_s.iter().map(|l| l.exp()).collect(), scaled)
}

/// The direction S u normalised: a direction u' for the balanced polynomial in original axes.
fn unscale(u: &[f64], scale: &[f64]) -> Vec<f64> {
    let v: Vec<f64> = u.iter().zip(scale).map(|(a, s)| a * s).collect();
    let n = norm(&v);
    if n > 0.0 && n.is_finite() {
        v.iter().map(|a| a / n).collect()
    } else {
        u.to_vec()
    }
}

/// A unit v with v·∇L ≡ 0, from the smallest singular value of the coefficient matrix of ∇L
/// (rows: monomials, columns: ∂_i L) in the balanced variables.
fn flat_direction(p: &Poly, d: usize, scale: &[f64]) -> Option<Vec<f64>> {
    let terms: Terms = p.terms.iter().map(|(m, c)| (*m, *c)).collect();
    let pure = scale.iter().map(|s| Some((1u64, 1.0 / s))).collect::<Vec<_>>();
    let (_, balanced) = balance(&terms, d, &pure);
    let mut rows: std::collections::BTreeMap<Monomial, [f64; 3]> = Default::default();
    for (m, c) in &balanced {
        for i in 0..d {
            if m[i] > 0 {
                let mut r = *m;
                r[i] -= 1;
                rows.entry(r).or_insert([0.0; 3])[i] += c * m[i] as f64;
            }
        }
    }
    let rows: Vec<[f64; 3]> = rows.into_values().collect();
    if rows.is_empty() {
        return Some(unit(d, 0));
    }
    let m = DMatrix::from_fn(rows.len().max(d), d, |r, i| rows.get(r).map_or(0.0, |row| row[i]));
    let svd = m.svd(false, true);
    let v_t = svd.v_t?;
    let (k, smin) =
        svd.singular_values.iter().enumerate().fold(
            (0, f64::INFINITY),
            |acc, (k, s)| {
                if *s < acc.1 {
                    (k, *s)
                } else {
                    acc
                }
            },
        );
    let smax = svd.singular_values.iter().copied().fold(0.0, f64::max);
    if smin <= FLAT_TOLERANCE * smax {
        let v: Vec<f64> = (0..d).map(|i| v_t[(k, i)]).collect();
        let mut v = unscale(&v, scale);
        // A readable sign: first non-zero component positive.
        if v.iter().find(|x| x.abs() > 1e-12).is_some_and(|x| *x < 0.0) {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        Some(v)
    } else {
        None
    }
}

/// Choices of one pure even power x_i^{e_i} (positive coefficient) per variable, largest first.
fn weight_candidates(p: &Poly, d: usize) -> Vec<Vec<u64>> {
    let pure: Vec<Vec<u64>> = (0..d)
        .map(|i| {
            let mut e: Vec<u64> = p
                .terms
                .iter()
                .filter(|(m, c)| **c > 0.0 && m[i] >= 2 && m[i] % 2 == 0 && total(m) == m[i])
                .map(|(m, _)| m[i] as u64)
                .collect();
            e.sort_unstable_by(|a, b| b.cmp(a));
            e.truncate(6);
            e
        })
        .collect();
    if pure.iter().any(|e| e.is_empty()) {
        return Vec::new();
    }
    let mut out: Vec<Vec<u64>> = vec![Vec::new()];
    for choices in &pure {
        out = out.iter().flat_map(|prefix| choices.iter().map(move |e| [prefix.clone(), vec![*e]].concat())).collect();
    }
    out.truncate(64);
    out
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Weights a_i = lcm(e)/e_i and the terms of top weighted degree N = lcm(e), when the pure
/// powers x_i^{e_i} are all of top weighted degree and the weights are not all equal.
fn weighted_top(p: &Poly, d: usize, exps: &[u64]) -> Option<(Vec<u64>, Terms)> {
    let mut lcm = 1u64;
    for &e in exps {
        lcm = lcm.checked_mul(e / gcd(lcm, e))?;
        if lcm > 1 << 20 {
            return None;
        }
    }
    let weights: Vec<u64> = exps.iter().map(|e| lcm / e).collect();
    if weights.iter().all(|a| *a == weights[0]) {
        return None;
    }
    let wdeg = |m: &Monomial| (0..d).map(|i| weights[i] * m[i] as u64).sum::<u64>();
    if p.terms.keys().any(|m| wdeg(m) > lcm) {
        return None;
    }
    let top: Terms = p.terms.iter().filter(|(m, _)| wdeg(m) == lcm).map(|(m, c)| (*m, *c)).collect();
    Some((weights, top))
}

// ---------------------------------------------------------------------------------------------
// The sign of a polynomial on the unit sphere, proven by branch and bound
// ---------------------------------------------------------------------------------------------

/// A polynomial prepared for evaluation on the unit sphere, scaled so that its bound F on the
/// sphere (Σ|c_α| max_{|u|=1}|u^α|) is 1.
struct SpherePoly {
    terms: Vec<([i32; 3], f64)>,
    d: usize,
    degree: u32,
}

impl SpherePoly {
    fn new(terms: &Terms, d: usize) -> Self {
        // max over the unit sphere of |u^α| = Π (α_i/|α|)^{α_i/2}.
        let max_mono = |m: &Monomial| {
            let n = total(m) as f64;
            if n == 0.0 {
                return 1.0;
            }
            (0..3).filter(|&i| m[i] > 0).map(|i| 0.5 * m[i] as f64 * (m[i] as f64 / n).ln()).sum::<f64>().exp()
        };
        let bound: f64 = terms.iter().map(|(m, c)| c.abs() * max_mono(m)).sum();
        let bound = if bound > 0.0 && bound.is_finite() { bound } else { 1.0 };
        let degree = terms.iter().map(|(m, _)| total(m)).max().unwrap_or(0);
        SpherePoly { terms: terms.iter().map(|(m, c)| (m.map(|k| k as i32), c / bound)).collect(), d, degree }
    }

    /// Tables of powers u_i^k, k = 0 … degree.
    fn powers(&self, u: &[f64; 3]) -> [Vec<f64>; 3] {
        let n = self.degree as usize;
        std::array::from_fn(|i| {
            let mut row = vec![1.0; n + 1];
            for k in 1..=n {
                row[k] = row[k - 1] * u[i];
            }
            row
        })
    }

    /// (value, gradient, bound on the second derivative of f along great circles through u,
    /// Σ|c_α u^α|) at u. Along γ(θ) = u cos θ + t sin θ, f'' = tᵀ∇²f t − ∇f·u, so the bound is
    /// the Frobenius norm of P(∇²f − (∇f·u) I)P with P the projection onto the tangent plane.
    fn eval2(&self, u: &[f64; 3]) -> (f64, [f64; 3], f64, f64) {
        let (v, g, abs) = self.eval(u);
        let pw = self.powers(u);
        let mut h = [[0.0; 3]; 3];
        for (m, c) in &self.terms {
            for i in 0..self.d {
                for j in i..self.d {
                    let mut e = *m;
                    let mut k = c * e[i] as f64;
                    e[i] -= 1;
                    k *= e[j] as f64;
                    e[j] -= 1;
                    if k == 0.0 {
                        continue;
                    }
                    let t = k * pw[0][e[0] as usize] * pw[1][e[1] as usize] * pw[2][e[2] as usize];
                    h[i][j] += t;
                    if j != i {
                        h[j][i] += t;
                    }
                }
            }
        }
        let radial = g[0] * u[0] + g[1] * u[1] + g[2] * u[2];
        let d = self.d;
        let p = |i: usize, j: usize| {
            if i >= d || j >= d {
                0.0
            } else if i == j {
                1.0 - u[i] * u[j]
            } else {
                -u[i] * u[j]
            }
        };
        let mut norm2 = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                let mut x = 0.0;
                for (k, row) in h.iter().enumerate() {
                    for (l, hkl) in row.iter().enumerate() {
                        let m = hkl - if k == l { radial } else { 0.0 };
                        x += p(i, k) * m * p(l, j);
                    }
                }
                norm2 += x * x;
            }
        }
        (v, g, norm2.sqrt(), abs)
    }

    /// (value, gradient, Σ|c_α u^α|) at u.
    fn eval(&self, u: &[f64; 3]) -> (f64, [f64; 3], f64) {
        let pw = self.powers(u);
        let (mut v, mut g, mut abs) = (0.0, [0.0; 3], 0.0);
        for (m, c) in &self.terms {
            let e = [m[0] as usize, m[1] as usize, m[2] as usize];
            let p = [pw[0][e[0]], pw[1][e[1]], pw[2][e[2]]];
            let t = c * p[0] * p[1] * p[2];
            v += t;
            abs += t.abs();
            for i in 0..self.d {
                if e[i] > 0 {
                    let mut q = p;
                    q[i] = e[i] as f64 * pw[i][e[i] - 1];
                    g[i] += c * q[0] * q[1] * q[2];
                }
            }
        }
        (v, g, abs)
    }
}

/// The sign of a polynomial on the unit sphere S^{d−1}.
#[derive(Debug)]
enum SphereSign {
    /// Proven > [`ZERO_TOLERANCE`] everywhere; `lower` is the proven lower bound.
    Positive { lower: f64 },
    /// A point where it is proven < −[`ZERO_TOLERANCE`].
    Negative { at: Vec<f64> },
    /// No negative value, but values within the tolerance of zero near these points.
    Zero { near: Vec<Vec<f64>> },
    /// The cell budget ran out before a decision (points where the bound was still too weak).
    Undecided { near: Vec<Vec<f64>> },
}

#[derive(Clone, Copy)]
enum Cell {
    /// Angles [a, b] on the circle.
    Arc(f64, f64),
    /// A patch [a0, a1] × [b0, b1] of cube face `face` (axis face/2, sign by parity).
    Patch(usize, f64, f64, f64, f64),
}

fn face_point(face: usize, a: f64, b: f64) -> [f64; 3] {
    let k = face / 2;
    let sign = if face.is_multiple_of(2) { 1.0 } else { -1.0 };
    let mut p = [0.0; 3];
    p[k] = sign;
    p[(k + 1) % 3] = a;
    p[(k + 2) % 3] = b;
    let n = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
    p.map(|x| x / n)
}

fn angle(p: &[f64; 3], q: &[f64; 3]) -> f64 {
    let chord = ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt();
    2.0 * (0.5 * chord).min(1.0).asin()
}

impl Cell {
    /// Centre on the sphere and angular radius (the largest angle from the centre to the cell:
    /// at a corner, since the cells are geodesically convex and within π/4 of their centre).
    fn centre_radius(&self) -> ([f64; 3], f64) {
        match *self {
            Cell::Arc(a, b) => {
                let m = 0.5 * (a + b);
                ([m.cos(), m.sin(), 0.0], 0.5 * (b - a))
            }
            Cell::Patch(face, a0, a1, b0, b1) => {
                let c = face_point(face, 0.5 * (a0 + a1), 0.5 * (b0 + b1));
                let r = [(a0, b0), (a0, b1), (a1, b0), (a1, b1)]
                    .iter()
                    .map(|&(a, b)| angle(&c, &face_point(face, a, b)))
                    .fold(0.0, f64::max);
                (c, r)
            }
        }
    }

    fn split(&self) -> Vec<Cell> {
        match *self {
            Cell::Arc(a, b) => {
                let m = 0.5 * (a + b);
                vec![Cell::Arc(a, m), Cell::Arc(m, b)]
            }
            Cell::Patch(f, a0, a1, b0, b1) => {
                let (am, bm) = (0.5 * (a0 + a1), 0.5 * (b0 + b1));
                vec![
                    Cell::Patch(f, a0, am, b0, bm),
                    Cell::Patch(f, a0, am, bm, b1),
                    Cell::Patch(f, am, a1, b0, bm),
                    Cell::Patch(f, am, a1, bm, b1),
                ]
            }
        }
    }
}

/// The initial cells: 4n (at least 64) arcs of the circle, or k×k patches (k = n clamped to
/// 6…32) on each face of the cube projected onto the sphere.
fn initial_cells(f: &SpherePoly) -> Vec<Cell> {
    if f.d == 2 {
        let k = (4 * f.degree as usize).max(64);
        (0..k).map(|j| Cell::Arc(2.0 * PI * j as f64 / k as f64, 2.0 * PI * (j + 1) as f64 / k as f64)).collect()
    } else {
        let k = (f.degree as usize).clamp(6, 32);
        let h = 2.0 / k as f64;
        (0..6)
            .flat_map(|face| {
                (0..k).flat_map(move |i| {
                    (0..k).map(move |j| {
                        let (a, b) = (-1.0 + h * i as f64, -1.0 + h * j as f64);
                        Cell::Patch(face, a, a + h, b, b + h)
                    })
                })
            })
            .collect()
    }
}

/// Compass search for a local minimum of f on the sphere from u (angular steps from `step`
/// down to 1e-13, each success followed along its direction with doubling steps; at most
/// `budget` evaluations).
fn sphere_descent(f: &SpherePoly, u: [f64; 3], mut step: f64, budget: usize) -> ([f64; 3], f64) {
    let (mut u, mut v) = (u, f.eval(&u).0);
    let mut evals = 0;
    let rotate = |u: &[f64; 3], t: &[f64], angle: f64| {
        let mut q = [0.0; 3];
        for i in 0..f.d {
            q[i] = u[i] * angle.cos() + t[i] * angle.sin();
        }
        let nq = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]).sqrt();
        q.map(|x| x / nq)
    };
    while step > 1e-13 && evals < budget {
        let mut moved = false;
        'dirs: for t in tangent_basis(&u[..f.d]) {
            for sign in [1.0, -1.0] {
                let t: Vec<f64> = t.iter().map(|x| sign * x).collect();
                evals += 1;
                let q = rotate(&u, &t, step);
                let vq = f.eval(&q).0;
                // A sufficient decrease (F = 1): no endless tiny gains from renormalisation.
                if vq < v - 1e-6 * step * step {
                    (u, v, moved) = (q, vq, true);
                    // Keep going that way with doubled steps while it helps: crosses the flat
                    // floor of a degenerate minimum quickly.
                    let mut far = 2.0 * step;
                    while evals < budget {
                        evals += 1;
                        let q = rotate(&u, &t, far);
                        let vq = f.eval(&q).0;
                        if vq >= v - 1e-6 * far * far {
                            break;
                        }
                        (u, v) = (q, vq);
                        far *= 2.0;
                    }
                    break 'dirs;
                }
            }
        }
        if !moved {
            step *= 0.5;
        }
    }
    (u, v)
}

/// Proves the sign of a polynomial on the unit sphere. First the lowest cell centres are
/// polished by a local search: a value below −tolerance (beyond rounding) proves a negative
/// sign, one within the tolerance of zero makes the polynomial degenerate. Otherwise branch
/// and bound proves positivity: a cell with centre c and angular radius δ holds values
/// ≥ f(c) − δ|∇ₛf(c)| − ½δ²‖P(∇²f(c) − (∇f(c)·c)I)P‖ − δ³n³F/6 (and ≥ f(c) − δnF), since
/// along any great circle f is a trigonometric polynomial of degree ≤ n bounded by F = 1, whose
/// third derivative Bernstein's inequality bounds by n³F. Cells are split until proven.
fn sphere_sign(f: &SpherePoly) -> SphereSign {
    let tol = ZERO_TOLERANCE;
    let eps = f64::EPSILON;
    let n = f.degree.max(1) as f64;
    let rounding = |abs: f64| 4.0 * (n + 4.0) * eps * abs + 1e-300;
    if f.d == 1 {
        let mut near = Vec::new();
        let mut lower = f64::INFINITY;
        for s in [1.0, -1.0] {
            let (v, _, abs) = f.eval(&[s, 0.0, 0.0]);
            let err = rounding(abs);
            if v + err < -tol {
                return SphereSign::Negative { at: vec![s] };
            }
            if v - err <= tol {
                near.push(vec![s]);
            }
            lower = lower.min(v - err);
        }
        return if near.is_empty() { SphereSign::Positive { lower } } else { SphereSign::Zero { near } };
    }
    let cells = initial_cells(f);
    // Phase 1: local minima from the eight lowest cell centres.
    let mut centres: Vec<(f64, [f64; 3], f64)> = cells
        .iter()
        .map(|c| {
            let (u, delta) = c.centre_radius();
            (f.eval(&u).0, u, delta)
        })
        .collect();
    centres.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut near: Vec<Vec<f64>> = Vec::new();
    let descent_budget = (2_000_000 / f.terms.len().max(1)).clamp(100, 4000);
    for &(_, u0, delta) in centres.iter().take(8) {
        let (u, _) = sphere_descent(f, u0, delta, descent_budget);
        let (v, _, abs) = f.eval(&u);
        let err = rounding(abs);
        if v + err < -tol {
            return SphereSign::Negative { at: u[..f.d].to_vec() };
        }
        let u = u[..f.d].to_vec();
        if v - err <= tol && near.iter().all(|q| dist(q, &u) > 1e-6) {
            near.push(u);
        }
    }
    if !near.is_empty() {
        return SphereSign::Zero { near };
    }
    // Phase 2: branch and bound.
    let budget = (30_000_000 / f.terms.len().max(1)).clamp(500, 400_000);
    let mut lower = f64::INFINITY;
    let mut stack = cells;
    let mut evals = 0;
    while let Some(cell) = stack.pop() {
        evals += 1;
        let (c, delta) = cell.centre_radius();
        let (v, g, h, abs) = f.eval2(&c);
        let err = rounding(abs);
        if v + err < -tol {
            return SphereSign::Negative { at: c[..f.d].to_vec() };
        }
        if v - err <= tol {
            near.push(c[..f.d].to_vec());
            return SphereSign::Zero { near };
        }
        let radial = g[0] * c[0] + g[1] * c[1] + g[2] * c[2];
        let tangential = (0..3).map(|i| (g[i] - radial * c[i]).powi(2)).sum::<f64>().sqrt();
        let slope = delta * tangential * (1.0 + 1e-12);
        let second = 0.5 * delta * delta;
        let taylor2 = v - err - slope - second * n * n;
        let taylor3 = v - err - slope - second * h * (1.0 + 1e-12) - delta.powi(3) * n.powi(3) / 6.0;
        let lipschitz = v - err - delta * n;
        let lb = taylor2.max(taylor3).max(lipschitz) - 1e-14;
        if lb > tol {
            lower = lower.min(lb);
            continue;
        }
        if evals > budget || delta < 1e-9 {
            near.push(c[..f.d].to_vec());
            return SphereSign::Undecided { near };
        }
        stack.extend(cell.split());
    }
    SphereSign::Positive { lower }
}

// ---------------------------------------------------------------------------------------------
// The numerical test: landscape, low region, tail
// ---------------------------------------------------------------------------------------------

/// The lowest point w* of L, the scale ρ of its low region and the rise of L at 2^30·ρ, after
/// the numerical confinement test (module documentation); Err when the test refuses L.
pub fn landscape(potential: &dyn Potential) -> Result<Landscape> {
    landscape_with(potential, &[])
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// A point or direction for messages: (1, −2.5).
fn point(w: &[f64]) -> String {
    format!("({})", w.iter().map(|x| short(if x.abs() < 1e-14 { 0.0 } else { *x })).collect::<Vec<_>>().join(", "))
}

/// L(w): Some(finite or +∞), None for a NaN made by overflow (∞ − ∞, ∞·0, sin ∞, … on
/// an overflowed intermediate: L cannot be evaluated there); refuses any other NaN (a domain
/// error such as sqrt or log of a negative number) and L = −∞.
fn value(p: &dyn Potential, w: &[f64]) -> Result<Option<f64>> {
    let v = p.value(w);
    if v.is_nan() {
        if p.nan_from_overflow(w) {
            return Ok(None);
        }
        return Err(refuse(format!("L is NaN at w = {}", point(w))));
    }
    if v == f64::NEG_INFINITY {
        return Err(refuse(format!("L = −∞ at w = {}, so e^(−L) is not integrable there", point(w))));
    }
    Ok(Some(v))
}

/// Unit directions: ±1 (d = 1), n equally spaced angles (d = 2, axes included when 4 | n), or a
/// Fibonacci lattice of n points plus the six axes (d = 3).
fn directions(d: usize, n: usize) -> Vec<Vec<f64>> {
    match d {
        1 => vec![vec![1.0], vec![-1.0]],
        2 => (0..n)
            .map(|k| {
                let a = 2.0 * PI * k as f64 / n as f64;
                vec![a.cos(), a.sin()]
            })
            .collect(),
        _ => {
            let golden = PI * (3.0 - 5f64.sqrt());
            let mut dirs: Vec<Vec<f64>> = (0..n)
                .map(|k| {
                    let z = 1.0 - 2.0 * (k as f64 + 0.5) / n as f64;
                    let r = (1.0 - z * z).sqrt();
                    let a = golden * k as f64;
                    vec![r * a.cos(), r * a.sin(), z]
                })
                .collect();
            for i in 0..3 {
                for s in [1.0, -1.0] {
                    let mut u = vec![0.0; 3];
                    u[i] = s;
                    dirs.push(u);
                }
            }
            dirs
        }
    }
}

fn along(c: &[f64], r: f64, u: &[f64]) -> Vec<f64> {
    c.iter().zip(u).map(|(a, b)| a + r * b).collect()
}

fn landscape_with(p: &dyn Potential, hints: &[Vec<f64>]) -> Result<Landscape> {
    let d = p.dim();
    let mut starts = coarse_lows(p, d, hints)?;
    let mut best: Option<(Vec<f64>, f64)> = None;
    for (w0, v0) in starts.drain(..) {
        let (w, v) = descend(p, &w0, v0)?;
        check_bounded_below(p, &w, v)?;
        if best.as_ref().is_none_or(|b| v < b.1) {
            best = Some((w, v));
        }
    }
    let (mut w, mut lw) = best.ok_or_else(|| refuse("L is +∞ at every sampled point".into()))?;
    let dense = match d {
        1 => 2,
        2 => 256,
        _ => 600,
    };
    let mut dirs = directions(d, dense);
    dirs.extend(hints.iter().cloned());
    let mut restarts = 0;
    'scan: loop {
        let base = 1e-6 * (1.0 + norm(&w));
        let tol = 1e-9 * (1.0 + lw.abs());
        let cap = 1e15 * (1.0 + norm(&w));
        let mut last_low = base;
        let mut r = base;
        loop {
            let Some(s) = sphere_min(&|q| value(p, q), &w, r, &dirs)? else {
                return Err(unevaluable(&w, r));
            };
            let rise = s.value - lw;
            if rise < -tol && restarts < 10 {
                restarts += 1;
                let (w1, v1) = descend(p, &s.at, s.value)?;
                check_bounded_below(p, &w1, v1)?;
                (w, lw) = (w1, v1);
                continue 'scan;
            }
            if rise < RISE {
                last_low = r;
            }
            if r >= last_low * 2f64.powi(LOW_MARGIN) {
                break;
            }
            r *= 2.0;
            if r > cap {
                return Err(refuse(format!(
                    "L rises by less than {RISE} above its lowest value {} (at w = {}) out to |w − w*| = {}",
                    short(lw),
                    point(&w),
                    short(r)
                )));
            }
        }
        let rho = 2.0 * last_low;
        return tail(p, d, &w, lw, rho, &dirs);
    }
}

/// The tail test from ρ out to 2^30·ρ (module documentation).
fn tail(p: &dyn Potential, d: usize, w: &[f64], lw: f64, rho: f64, dirs: &[Vec<f64>]) -> Result<Landscape> {
    let need_slope = (d as f64 + 1.0) * 2f64.ln();
    let mut rises: Vec<f64> = Vec::with_capacity(TAIL_DOUBLINGS + 1);
    for k in 0..=TAIL_DOUBLINGS {
        let r = rho * 2f64.powi(k as i32);
        // A NaN right after L passed 1e100 on the previous sphere is an overflow (∞ − ∞, ∞·0).
        let overflowed = rises.last().is_some_and(|prev| *prev > 1e100);
        let eval = |q: &[f64]| Ok(value(p, q)?.or(overflowed.then_some(f64::INFINITY)));
        let Some(s) = sphere_min(&eval, w, r, dirs)? else {
            return Err(unevaluable(w, r));
        };
        let rise = s.value - lw;
        if k >= TAIL_FROM {
            let need = need_slope * k as f64 + 1.0;
            if rise < need {
                if rise < 0.0 {
                    return Err(refuse(format!(
                        "L falls to {} at |w − w*| = {}, below its lowest value {} near w* = {}: it does not \
                         grow outwards",
                        short(lw + rise),
                        short(r),
                        short(lw),
                        point(w)
                    )));
                }
                return Err(refuse(format!(
                    "L grows slower than (d+1)·log|w|: at |w − w*| = {} its minimum is only {} above L(w*) = {} \
                     (needs {}; w* = {})",
                    short(r),
                    short(rise),
                    short(lw),
                    short(need),
                    point(w)
                )));
            }
        }
        rises.push(rise);
    }
    let (last, earlier) = (rises[TAIL_DOUBLINGS], rises[TAIL_DOUBLINGS - TAIL_SLOPE_SPAN]);
    let grew = last == f64::INFINITY || (earlier.is_finite() && last - earlier >= need_slope * TAIL_SLOPE_SPAN as f64);
    if !grew {
        return Err(refuse(format!(
            "L stops growing faster than (d+1)·log|w|: its minimum over |w − w*| = r rises only by {} from r = {} to {}",
            short(last - earlier),
            short(rho * 2f64.powi((TAIL_DOUBLINGS - TAIL_SLOPE_SPAN) as i32)),
            short(rho * 2f64.powi(TAIL_DOUBLINGS as i32))
        )));
    }
    Ok(Landscape { minimum: w.to_vec(), value: lw, scale: rho, far_rise: last })
}

/// The lowest sampled points: L at the origin and on spheres of radii 10^{j/4}, j = −16 … 24,
/// extended outwards (up to 10^{15}) while the lowest point lies on the outermost sphere; the
/// four lowest well-separated points are returned.
fn coarse_lows(p: &dyn Potential, d: usize, hints: &[Vec<f64>]) -> Result<Vec<(Vec<f64>, f64)>> {
    let mut dirs = directions(d, if d == 2 { 32 } else { 146 });
    dirs.extend(hints.iter().cloned());
    let origin = vec![0.0; d];
    let mut samples: Vec<(Vec<f64>, f64)> = Vec::new();
    if let Some(v) = value(p, &origin)? {
        samples.push((origin.clone(), v));
    }
    let outer_best = |samples: &mut Vec<(Vec<f64>, f64)>, j: i32| -> Result<f64> {
        let r = 10f64.powf(j as f64 / 4.0);
        let mut low = f64::INFINITY;
        for u in &dirs {
            let w = along(&origin, r, u);
            if let Some(v) = value(p, &w)? {
                low = low.min(v);
                samples.push((w, v));
            }
        }
        Ok(low)
    };
    let mut inner_best = samples.first().map_or(f64::INFINITY, |s| s.1);
    for j in -16..24 {
        inner_best = inner_best.min(outer_best(&mut samples, j)?);
    }
    let mut j = 24;
    loop {
        let outer = outer_best(&mut samples, j)?;
        if outer >= inner_best {
            break;
        }
        inner_best = outer;
        j += 1;
        if j > 60 {
            let lowest = samples.iter().min_by(|a, b| a.1.total_cmp(&b.1)).expect("samples");
            return Err(refuse(format!(
                "L keeps decreasing outwards: its lowest sampled value {} is at w = {}",
                short(lowest.1),
                point(&lowest.0)
            )));
        }
    }
    samples.retain(|(_, v)| v.is_finite());
    samples.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut picked: Vec<(Vec<f64>, f64)> = Vec::new();
    for (w, v) in samples {
        if picked.len() == 4 {
            break;
        }
        if picked.iter().all(|(q, _)| dist(q, &w) > 1e-3 * (1.0 + norm(q))) {
            picked.push((w, v));
        }
    }
    Ok(picked)
}

/// Descent from w0: normalised steepest-descent steps with a trust length s (doubled on
/// success), compass steps along the axes when the gradient does not help, s halved when
/// nothing decreases L, until s < 1e-13·(1 + |w|). Refuses a descent that leaves every bound.
fn descend(p: &dyn Potential, w0: &[f64], v0: f64) -> Result<(Vec<f64>, f64)> {
    let d = w0.len();
    let (mut w, mut v) = (w0.to_vec(), v0);
    let mut s = 0.3 * norm(w0).max(1e-4);
    for _ in 0..20_000 {
        if s < 1e-13 * (1.0 + norm(&w)) {
            break;
        }
        if v < -1e300 || norm(&w) > 1e18 {
            return Err(refuse(format!(
                "L decreases without bound along a descent path (L = {} at w = {})",
                short(v),
                point(&w)
            )));
        }
        let g = p.gradient(&w);
        let gn = norm(&g.g[..d]);
        let mut moved = false;
        if gn.is_finite() && gn > 0.0 {
            for t in [2.0 * s, s, 0.5 * s, 0.25 * s] {
                let q: Vec<f64> = (0..d).map(|i| w[i] - t * g.g[i] / gn).collect();
                let vq = value(p, &q)?.unwrap_or(f64::INFINITY);
                if vq < v {
                    (w, v, s, moved) = (q, vq, t, true);
                    break;
                }
            }
        }
        if !moved {
            'compass: for i in 0..d {
                for sign in [1.0, -1.0] {
                    let mut q = w.clone();
                    q[i] += sign * s;
                    let vq = value(p, &q)?.unwrap_or(f64::INFINITY);
                    if vq < v {
                        (w, v, moved) = (q, vq, true);
                        break 'compass;
                    }
                }
            }
        }
        if !moved {
            s *= 0.5;
        }
    }
    Ok((w, v))
}

/// Refuses a minimum w where L is not bounded below: probed at distances 10^{-10} … 10^{-6}
/// times (1 + |w|), L's lowest value keeps falling by at least 0.1 per decade towards w, and
/// the fall does not shrink (by more than 0.7×) from decade to decade, as for k·log|w − p| or
/// −|w − p|^{−k} (a smooth or kinked minimum falls 100× or 10× less per decade).
fn check_bounded_below(p: &dyn Potential, w: &[f64], lw: f64) -> Result<()> {
    let d = w.len();
    let dirs = directions(d, 8);
    let mut h = Vec::new();
    for k in 0..5 {
        let s = 1e-10 * 10f64.powi(k) * (1.0 + norm(w));
        let mut low = f64::INFINITY;
        for u in &dirs {
            low = low.min(value(p, &along(w, s, u))?.unwrap_or(f64::INFINITY));
        }
        h.push(low);
    }
    let falls: Vec<f64> = h.windows(2).map(|x| x[1] - x[0]).collect();
    let singular = falls.iter().all(|f| *f >= 0.1) && falls.windows(2).all(|f| f[0] >= 0.7 * f[1]);
    if singular {
        return Err(refuse(format!(
            "L is not bounded below near w = {}: it falls by about {} per tenfold approach (L = {} there)",
            point(w),
            short(falls[0]),
            short(lw)
        )));
    }
    Ok(())
}

struct SphereLow {
    value: f64,
    at: Vec<f64>,
}

/// min over |u| = 1 of L(c + r u): the sampled directions, then a compass search on the sphere
/// from the three lowest samples (angular steps from the sampling spacing down to 1e-15, so
/// that a flat direction is followed to the rounding of its angle).
/// None when L cannot be evaluated (overflow NaN) anywhere on the sampled sphere.
fn sphere_min(
    value: &dyn Fn(&[f64]) -> Result<Option<f64>>,
    c: &[f64],
    r: f64,
    dirs: &[Vec<f64>],
) -> Result<Option<SphereLow>> {
    let d = c.len();
    let mut sampled: Vec<(f64, usize)> = Vec::with_capacity(dirs.len());
    for (k, u) in dirs.iter().enumerate() {
        if let Some(v) = value(&along(c, r, u))? {
            sampled.push((v, k));
        }
    }
    if sampled.is_empty() {
        return Ok(None);
    }
    sampled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best = SphereLow { value: sampled[0].0, at: along(c, r, &dirs[sampled[0].1]) };
    if d == 1 {
        return Ok(Some(best));
    }
    let spacing = if d == 2 { 2.0 * PI / dirs.len() as f64 } else { (4.0 * PI / dirs.len() as f64).sqrt() };
    for &(v0, k) in sampled.iter().take(3) {
        let (mut u, mut v) = (dirs[k].clone(), v0);
        let mut step = spacing;
        let mut evals = 0;
        while step > 1e-15 && evals < 400 {
            let tangents = tangent_basis(&u);
            let mut moved = false;
            for t in &tangents {
                for sign in [1.0, -1.0] {
                    let q: Vec<f64> = (0..d).map(|i| u[i] * step.cos() + sign * t[i] * step.sin()).collect();
                    let nq = norm(&q);
                    let q: Vec<f64> = q.iter().map(|x| x / nq).collect();
                    evals += 1;
                    let vq = value(&along(c, r, &q))?.unwrap_or(f64::INFINITY);
                    if vq < v {
                        (u, v, moved) = (q, vq, true);
                        break;
                    }
                }
                if moved {
                    break;
                }
            }
            if !moved {
                step *= 0.5;
            }
        }
        if v < best.value {
            best = SphereLow { value: v, at: along(c, r, &u) };
        }
    }
    Ok(Some(best))
}

fn unevaluable(w: &[f64], r: f64) -> EngineError {
    refuse(format!(
        "L cannot be evaluated anywhere on |w − w*| = {} around w* = {} (an overflow gives ∞ − ∞ or ∞·0)",
        short(r),
        point(w)
    ))
}

/// An orthonormal basis of the tangent space at the unit vector u (d = 2 or 3).
fn tangent_basis(u: &[f64]) -> Vec<Vec<f64>> {
    if u.len() == 2 {
        return vec![vec![-u[1], u[0]]];
    }
    let a = if u[0].abs() < 0.9 { [1.0, 0.0, 0.0] } else { [0.0, 1.0, 0.0] };
    let dot = a[0] * u[0] + a[1] * u[1] + a[2] * u[2];
    let t1: Vec<f64> = (0..3).map(|i| a[i] - dot * u[i]).collect();
    let n1 = norm(&t1);
    let t1: Vec<f64> = t1.iter().map(|x| x / n1).collect();
    let t2 = vec![u[1] * t1[2] - u[2] * t1[1], u[2] * t1[0] - u[0] * t1[2], u[0] * t1[1] - u[1] * t1[0]];
    vec![t1, t2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(text: &str) -> Poly {
        crate::expr::Expr::parse(text).unwrap().to_poly().unwrap()
    }

    fn sign(text: &str, d: usize) -> SphereSign {
        let p = poly(text);
        let terms: Terms = p.terms.iter().map(|(m, c)| (*m, *c)).collect();
        sphere_sign(&SpherePoly::new(&terms, d))
    }

    #[test]
    fn sphere_sign_proves_positive_negative_and_zero() {
        assert!(matches!(sign("x^2 + y^2", 2), SphereSign::Positive { .. }));
        assert!(matches!(sign("x^4 + y^4 - 1.9*x^2*y^2", 2), SphereSign::Positive { .. }));
        assert!(matches!(sign("x^4 + y^4 - 2.1*x^2*y^2", 2), SphereSign::Negative { .. }));
        assert!(matches!(sign("(x - y)^2", 2), SphereSign::Zero { .. }));
        assert!(matches!(sign("x^2 + y^2 + z^2 - 1.999*x*y", 3), SphereSign::Positive { .. }));
        assert!(matches!(sign("x^2 + y^2 + z^2 - 2.001*x*y", 3), SphereSign::Negative { .. }));
        let s = sign("x^2*y^2 + z^4", 3);
        assert!(matches!(s, SphereSign::Zero { .. }), "{s:?}");
    }

    #[test]
    fn weighted_part_of_x4_plus_y2() {
        let p = poly("x^4 + (x - y)^2");
        let c = weight_candidates(&p, 2);
        assert!(c.contains(&vec![4, 2]));
        let (a, _) = weighted_top(&p, 2, &[4, 2]).unwrap();
        assert_eq!(a, vec![1, 2]);
    }
}

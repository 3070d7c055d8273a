//! Two-sided enclosures of the low eigenvalues of the overdamped operator (5) for a polynomial
//! risk L in d = 1, in its symmetric form H = D·AᵀA, A = ∂ + L'/(2D) (ground-state transform,
//! H = −D∂² + V, V = L'²/(4D) − L''/2; λ_0 = 0 with eigenfunction e^{−L/(2D)}).
//!
//! - Upper bounds (Rayleigh–Ritz): the trial space spanned by the first i + 1 floating-point Ritz
//!   vectors u_0 … u_i in the Hermite functions φ_k(x/s)/√s; A maps span{φ_0..φ_{n−1}} into
//!   span{φ_0..φ_{n+p−1}} (p = deg L') exactly, so the Gram matrices B = (⟨u_a, u_b⟩) and
//!   A = (D⟨Au_a, Au_b⟩) are computed in intervals; λ_i ≤ μ once μB − A is positive definite
//!   (interval Cholesky).
//! - Lower bounds (Temple): for u with Rayleigh quotient m < ρ ≤ λ_{i+1} and
//!   σ² = ‖Hu‖²/‖u‖² − m², λ_i ≥ m − σ²/(ρ − m), since ⟨(H − a)(H − ρ)u, u⟩ ≥ 0 whenever no
//!   eigenvalue lies in (a, ρ). σ² ≤ ‖(H − m̃)u‖²/‖u‖² for any shift m̃ (Hu in intervals, exactly
//!   in the enlarged basis).
//! - ρ ≤ λ_{i+1} (a priori): Neumann bracketing and Sturm counting. V − ρ ≥ 0 on |x| ≥ R is
//!   proved by the Taylor coefficients of V at ±R (all of one sign); then the eigenvalues of H
//!   below ρ are at most those of the Neumann problem on [−R, R], counted by the Prüfer angle
//!   θ' = cos²θ/D + (ρ − V) sin²θ, θ(−R) = π/2: N(ρ) = #{j ≥ 0 : θ(R) > π/2 + jπ}. θ is
//!   integrated by validated second-order steps on the two endpoints of its enclosure (a scalar
//!   flow preserves order), each step's remainder bounded by h²/2·max|θ''| over the step.

use crate::interval::Interval;
use crate::matrix::IMatrix;
use serde::{Deserialize, Serialize};

/// A polynomial Σ c_j x^j with interval coefficients.
#[derive(Debug, Clone)]
pub struct Poly(pub Vec<Interval>);

impl Poly {
    /// From exact f64 coefficients.
    pub fn exact(c: &[f64]) -> Poly {
        Poly(c.iter().map(|&x| Interval::point(x)).collect())
    }
    /// Value at x (Horner).
    pub fn eval(&self, x: Interval) -> Interval {
        self.0.iter().rev().fold(Interval::point(0.0), |acc, &c| acc * x + c)
    }
    /// Derivative.
    pub fn derivative(&self) -> Poly {
        Poly(self.0.iter().enumerate().skip(1).map(|(j, c)| *c * j as f64).collect())
    }
    /// Product.
    pub fn mul(&self, o: &Poly) -> Poly {
        let mut out = vec![Interval::point(0.0); (self.0.len() + o.0.len()).saturating_sub(1)];
        for (i, a) in self.0.iter().enumerate() {
            for (j, b) in o.0.iter().enumerate() {
                out[i + j] = out[i + j] + *a * *b;
            }
        }
        Poly(out)
    }
    /// a·self + b·other.
    pub fn combine(&self, a: Interval, o: &Poly, b: Interval) -> Poly {
        let n = self.0.len().max(o.0.len());
        let z = Interval::point(0.0);
        Poly((0..n).map(|j| *self.0.get(j).unwrap_or(&z) * a + *o.0.get(j).unwrap_or(&z) * b).collect())
    }
    /// Coefficients of t ↦ self(x0 + σt) (σ = ±1), by repeated synthetic division.
    pub fn taylor_at(&self, x0: Interval, sign: f64) -> Poly {
        let mut c = self.0.clone();
        let n = c.len();
        for k in 0..n {
            for j in (k..n - 1).rev() {
                c[j] = c[j] + c[j + 1] * x0;
            }
        }
        Poly(c.iter().enumerate().map(|(j, v)| if j % 2 == 1 && sign < 0.0 { -*v } else { *v }).collect())
    }
}

/// V = L'²/(4D) − L''/2 for L with exact coefficients.
pub fn schrodinger_potential(l: &[f64], d: f64) -> Poly {
    let lp = Poly::exact(l).derivative();
    let lpp = lp.derivative();
    let dd = Interval::point(d);
    lp.mul(&lp).combine((dd * 4.0).recip(), &lpp, Interval::point(-0.5))
}

/// The Hermite-basis action of A = (1/s)∂_ξ + L'(sξ)/(2D) and of Aᵀ = −(1/s)∂_ξ + L'(sξ)/(2D).
struct HermiteOperator {
    /// Coefficients of L'(sξ)/(2D) in ξ.
    mult: Vec<Interval>,
    inv_s: Interval,
    /// √(k/2), k = 0, 1, …
    root_half: Vec<Interval>,
}

impl HermiteOperator {
    fn new(l: &[f64], d: f64, s: f64, max_len: usize) -> Self {
        let lp = Poly::exact(l).derivative();
        let s_i = Interval::point(s);
        let two_d = Interval::point(d) * 2.0;
        let mult = lp.0.iter().enumerate().map(|(j, c)| *c * s_i.powi(j as u32) / two_d).collect();
        let root_half = (0..=max_len).map(|k| (Interval::point(k as f64) / 2.0).sqrt()).collect();
        HermiteOperator { mult, inv_s: s_i.recip(), root_half }
    }
    fn degree(&self) -> usize {
        self.mult.len().saturating_sub(1).max(1)
    }
    /// ξ·v: (ξv)_j = √(j/2) v_{j−1} + √((j+1)/2) v_{j+1}; length + 1.
    fn xi(&self, v: &[Interval]) -> Vec<Interval> {
        let z = Interval::point(0.0);
        (0..=v.len())
            .map(|j| {
                let below = if j > 0 { self.root_half[j] * v[j - 1] } else { z };
                let above = if j + 1 < v.len() { self.root_half[j + 1] * v[j + 1] } else { z };
                below + above
            })
            .collect()
    }
    /// ∂_ξ v: (∂v)_j = √((j+1)/2) v_{j+1} − √(j/2) v_{j−1}; length + 1.
    fn d_xi(&self, v: &[Interval]) -> Vec<Interval> {
        let z = Interval::point(0.0);
        (0..=v.len())
            .map(|j| {
                let below = if j > 0 { self.root_half[j] * v[j - 1] } else { z };
                let above = if j + 1 < v.len() { self.root_half[j + 1] * v[j + 1] } else { z };
                above - below
            })
            .collect()
    }
    /// L'(sξ)/(2D)·v by Horner in ξ; length + deg.
    fn multiply(&self, v: &[Interval]) -> Vec<Interval> {
        let p = self.mult.len() - 1;
        let mut acc: Vec<Interval> = v.iter().map(|x| *x * self.mult[p]).collect();
        for j in (0..p).rev() {
            acc = self.xi(&acc);
            for (a, x) in acc.iter_mut().zip(v) {
                *a = *a + *x * self.mult[j];
            }
        }
        acc
    }
    fn apply(&self, v: &[Interval], transpose: bool) -> Vec<Interval> {
        let n = v.len() + self.degree();
        let mut out = vec![Interval::point(0.0); n];
        let d = self.d_xi(v);
        let sign = if transpose { -self.inv_s } else { self.inv_s };
        for (o, x) in out.iter_mut().zip(&d) {
            *o = *o + sign * *x;
        }
        for (o, x) in out.iter_mut().zip(&self.multiply(v)) {
            *o = *o + *x;
        }
        out
    }
}

pub(crate) fn dot(a: &[Interval], b: &[Interval]) -> Interval {
    a.iter().zip(b).fold(Interval::point(0.0), |acc, (x, y)| acc + *x * *y)
}

/// One enclosure with the numbers behind it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enclosure {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// The a-priori lower bound ρ ≤ λ_{i+1} used by Temple's inequality.
    pub rho: f64,
}

/// Why an enclosure could not be proved.
pub type Failure = String;

/// Settings of the enclosure computation.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Hermite basis size.
    pub basis: usize,
    /// Prüfer integration steps over [−R, R].
    pub steps: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { basis: 120, steps: 20_000 }
    }
}

/// Floating-point Galerkin pass: Hermite scale, Ritz values and vectors (only *choices*).
fn ritz(op: &HermiteOperator, d: f64, n: usize) -> (Vec<f64>, nalgebra::DMatrix<f64>) {
    let cols: Vec<Vec<f64>> = (0..n)
        .map(|k| {
            let mut e = vec![Interval::point(0.0); n];
            e[k] = Interval::point(1.0);
            op.apply(&e, false).iter().map(|x| x.mid()).collect()
        })
        .collect();
    let g = nalgebra::DMatrix::from_fn(n, n, |i, j| d * cols[i].iter().zip(&cols[j]).map(|(a, b)| a * b).sum::<f64>());
    let eig = g.symmetric_eigen();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[a].total_cmp(&eig.eigenvalues[b]));
    let values = order.iter().map(|&i| eig.eigenvalues[i]).collect();
    let vectors = nalgebra::DMatrix::from_fn(n, n, |r, c| eig.eigenvectors[(r, order[c])]);
    (values, vectors)
}

/// The Hermite scale: the one of a few candidates with the smallest sum of the first five Ritz
/// values on a small basis.
fn choose_scale(l: &[f64], d: f64) -> f64 {
    let mut best = (f64::INFINITY, 1.0);
    for k in -8..=4 {
        let s = 2f64.powf(k as f64 / 4.0);
        let op = HermiteOperator::new(l, d, s, 60 + 8);
        let (vals, _) = ritz(&op, d, 48);
        let sum: f64 = vals.iter().take(6).sum();
        if sum.is_finite() && sum < best.0 {
            best = (sum, s);
        }
    }
    best.1
}

/// R with V − ρ ≥ 0 on |x| ≥ R (Taylor coefficients at ±R all ≥ 0), widened so the Neumann
/// truncation sits well inside the forbidden region.
fn tail_radius(v: &Poly, rho: f64) -> Result<f64, Failure> {
    let shifted = v.combine(Interval::point(1.0), &Poly::exact(&[rho]), Interval::point(-1.0));
    let mut r = 0.25;
    for _ in 0..200 {
        let ok = [1.0, -1.0]
            .iter()
            .all(|&sg| shifted.taylor_at(Interval::point(sg * r), sg).0.iter().all(|c| c.lower >= 0.0));
        if ok {
            return Ok(r);
        }
        r *= 1.05;
    }
    Err(format!("no radius found beyond which V ≥ ρ = {rho}"))
}

/// Number of eigenvalues of H below ρ, proved: the number of zeros of the solution decaying at
/// −∞ (oscillation theorem). For |x| ≥ R, V ≥ ρ (proved), so that solution has Prüfer angle
/// θ(−R) ∈ [0, π/2] (u, u' of one sign) and no zero beyond R once θ(R) ∈ [jπ, jπ + π/2]
/// (θ' ≤ 0 at jπ + π/2 and > 0 at jπ there): the count is then j.
pub fn count_below(l: &[f64], d: f64, rho: f64, steps: usize) -> Result<usize, Failure> {
    count_below_potential(&schrodinger_potential(l, d), d, rho, steps)
}

/// Number of eigenvalues below ρ of −D∂² + V for a polynomial V with V → +∞ at ±∞, proved by
/// the Prüfer count of [`count_below`].
pub fn count_below_potential(v: &Poly, d: f64, rho: f64, steps: usize) -> Result<usize, Failure> {
    prufer_count(v, d, rho, steps, slope_sin_sqr)
}

/// θ' = cos²θ/D + (ρ − V)sin²θ = 1/D + (ρ − V − 1/D)·sin²θ (cos² = 1 − sin²): one sin² per
/// evaluation ([`Interval::sin_sqr_at`]), and θ enters once (no dependency widening).
fn slope_sin_sqr(theta: f64, inv_d: Interval, gap: Interval) -> Interval {
    inv_d + (gap - inv_d) * Interval::sin_sqr_at(theta)
}

/// θ' = cos²θ/D + (ρ − V)sin²θ from sin θ and cos θ both.
fn slope_sin_cos(theta: f64, inv_d: Interval, gap: Interval) -> Interval {
    let (s, c) = Interval::point(theta).sin_cos();
    c.sqr() * inv_d + gap * s.sqr()
}

/// [`count_below_potential`] with the slope from sin θ and cos θ both (the form it had before
/// [`slope_sin_sqr`]): an independent route to the same proved count, for tests.
#[doc(hidden)]
pub fn count_below_potential_sin_cos(v: &Poly, d: f64, rho: f64, steps: usize) -> Result<usize, Failure> {
    prufer_count(v, d, rho, steps, slope_sin_cos)
}

/// The Prüfer count of [`count_below`] with the slope θ' enclosed by `slope(θ, 1/D, ρ − V(x0))`.
fn prufer_count(
    v: &Poly,
    d: f64,
    rho: f64,
    steps: usize,
    slope: fn(f64, Interval, Interval) -> Interval,
) -> Result<usize, Failure> {
    let r0 = tail_radius(v, rho)?;
    let r = tail_radius_at_least(v, rho, r0 * 1.15)?;
    let dv = v.derivative();
    let inv_d = Interval::point(d).recip();
    let rho_i = Interval::point(rho);
    // Step sizes: local remainder h²/2·max|θ''| ≤ budget·h/(2R), total ≤ budget. Each step tries
    // twice the last accepted h (at most h_max) first and halves from there, so the search for h
    // does not start again from h_max where |θ''| is large.
    let budget = 0.2;
    let h_max = 2.0 * r / steps as f64;
    let (mut lo, mut hi) = (0.0, Interval::pi().upper / 2.0);
    let mut x0 = -r;
    let mut h = h_max;
    while x0 < r {
        h = (2.0 * h).min(h_max);
        let (second, hh, x1) = loop {
            let x1 = (x0 + h).min(r);
            let xs = Interval::new(x0, x1);
            let gap = rho_i - v.eval(xs);
            let f_max = inv_d.upper + gap.mag();
            let second = up_mul(dv.eval(xs).mag() + f_max * f_max, 1.0 + 1e-12);
            let hh = Interval::point(x1) - Interval::point(x0);
            if hh.upper * second <= budget / r || h < 1e-9 {
                break (second, hh, x1);
            }
            h *= 0.5;
        };
        let rem = (hh.sqr() * second / 2.0).upper;
        let gap0 = rho_i - v.eval(Interval::point(x0));
        let step = |theta: f64| Interval::point(theta) + hh * slope(theta, inv_d, gap0);
        lo = (step(lo) - Interval::point(rem)).lower;
        hi = (step(hi) + Interval::point(rem)).upper;
        x0 = x1;
    }
    let pi = Interval::pi();
    let j = (lo / std::f64::consts::PI).floor().max(0.0);
    let cell_lo = pi * j;
    let cell_hi = cell_lo + pi / 2.0;
    if cell_lo.upper <= lo && hi <= cell_hi.lower {
        Ok(j as usize)
    } else {
        Err(format!("the Prüfer angle at R = {r:.3}, [{lo}, {hi}], is not inside one cell [jπ, jπ + π/2] (ρ = {rho})"))
    }
}

fn up_mul(x: f64, f: f64) -> f64 {
    (Interval::point(x) * f).upper
}

fn tail_radius_at_least(v: &Poly, rho: f64, r: f64) -> Result<f64, Failure> {
    let shifted = v.combine(Interval::point(1.0), &Poly::exact(&[rho]), Interval::point(-1.0));
    let ok =
        [1.0, -1.0].iter().all(|&sg| shifted.taylor_at(Interval::point(sg * r), sg).0.iter().all(|c| c.lower >= 0.0));
    if ok {
        Ok(r)
    } else {
        tail_radius(v, rho)
    }
}

/// Enclosures of λ_1 … λ_count of H for L = Σ l_j x^j (exact coefficients) at diffusion D.
pub fn enclose(l: &[f64], d: f64, count: usize, opts: Options) -> Result<Vec<Enclosure>, Failure> {
    if !(d > 0.0 && d.is_finite()) || l.len() < 3 || l.iter().any(|c| !c.is_finite()) {
        return Err("need D > 0 and a finite polynomial risk of degree ≥ 2".into());
    }
    let n = opts.basis.max(count + 4);
    let s = choose_scale(l, d);
    let op = HermiteOperator::new(l, d, s, n + 8 * l.len());
    let (values, vectors) = ritz(&op, d, n);
    let dd = Interval::point(d);
    let trial: Vec<Vec<Interval>> =
        (0..=count + 1).map(|c| (0..n).map(|r| Interval::point(vectors[(r, c)])).collect()).collect();
    let images: Vec<Vec<Interval>> = trial.iter().map(|u| op.apply(u, false)).collect();
    let mut out = Vec::new();
    for i in 1..=count {
        let upper = ritz_upper(&trial[..=i], &images[..=i], dd, values[i])?;
        let rho = 0.5 * (values[i] + values[i + 1]);
        let below = count_below(l, d, rho, opts.steps)?;
        // λ_0, …, λ_i lie below ρ; at most i + 1 eigenvalues below ρ means λ_{i+1} ≥ ρ.
        if below > i + 1 {
            return Err(format!("Sturm count {below} eigenvalues below ρ = {rho}: cannot bound λ_{}", i + 1));
        }
        let lower = temple_lower(&op, &trial[i], &images[i], dd, values[i], rho)?;
        out.push(Enclosure { lower, upper, rho });
    }
    Ok(out)
}

/// λ_i ≤ μ: μB − A positive definite on the span of the first i + 1 trial vectors.
pub(crate) fn ritz_upper(
    u: &[Vec<Interval>],
    au: &[Vec<Interval>],
    d: Interval,
    estimate: f64,
) -> Result<f64, Failure> {
    let k = u.len();
    let (mut a, mut b) = (IMatrix::zeros(k), IMatrix::zeros(k));
    for i in 0..k {
        for j in 0..k {
            a.set(i, j, d * dot(&au[i], &au[j]));
            b.set(i, j, dot(&u[i], &u[j]));
        }
    }
    let mut rel = 1e-14;
    while rel < 1e-6 {
        let mu = estimate.abs().max(1e-300) * rel + estimate;
        if scaled(&b, mu).minus_scaled(Interval::point(1.0), &a).is_positive_definite() {
            return Ok(mu);
        }
        rel *= 4.0;
    }
    Err(format!("Rayleigh–Ritz: μB − A not proved positive definite near {estimate}"))
}

fn scaled(m: &IMatrix, s: f64) -> IMatrix {
    IMatrix { n: m.n, a: m.a.iter().map(|x| *x * s).collect() }
}

/// Temple: λ_i ≥ m − σ²/(ρ − m).
fn temple_lower(
    op: &HermiteOperator,
    u: &[Interval],
    au: &[Interval],
    d: Interval,
    shift: f64,
    rho: f64,
) -> Result<f64, Failure> {
    let hu: Vec<Interval> = op.apply(au, true).into_iter().map(|x| x * d).collect();
    temple_from_image(u, au, &hu, d, shift, rho)
}

/// Temple's bound from u, the stacked images Au (Rayleigh quotient D‖Au‖²/‖u‖²) and Hu (on a
/// basis whose first u.len() entries are u's).
pub(crate) fn temple_from_image(
    u: &[Interval],
    au: &[Interval],
    hu: &[Interval],
    d: Interval,
    shift: f64,
    rho: f64,
) -> Result<f64, Failure> {
    let norm2 = dot(u, u);
    let m = d * dot(au, au) / norm2;
    let residual: Vec<Interval> =
        hu.iter().enumerate().map(|(j, x)| if j < u.len() { *x - u[j] * shift } else { *x }).collect();
    let sigma2 = dot(&residual, &residual) / norm2;
    let rho_i = Interval::point(rho);
    let gap = rho_i - m;
    if !gap.is_positive() {
        return Err("Temple: the Rayleigh quotient is not below ρ".into());
    }
    Ok((m - sigma2 / gap).lower)
}

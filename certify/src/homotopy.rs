//! Plum's homotopy method for an a-priori lower bound ρ ≤ λ_m of H = −DΔ + V in d = 2.
//!
//! With the separable minorant W = W₁(x) + W₂(y) ≤ V of [`crate::comparison`] and P = V − W ≥ 0,
//! H_s = −DΔ + W + sP increases with s, so λ_i(H_s) is non-decreasing in s (min–max). At s = 0
//! a proved count gives ρ₀ ≤ λ_{m₀}(H_0). Step k: pick s_k > s_{k−1} with the (m−1)-th Ritz value
//! of H_{s_k} below ρ_{k−1} ≤ λ_m(H_{s_{k−1}}) ≤ λ_m(H_{s_k}); Temple's inequality gives
//! ρ_k ≤ λ_{m−1}(H_{s_k}) ≤ λ_{m−1}(H_{s_{k+1}}); m decreases by one. At s = 1 the bound is one
//! for H itself (M. Plum, J. Math. Anal. Appl. 160 (1991); Behnke & Goerisch 1994).

use crate::comparison::{count_below_2d, schrodinger_potential_2d, split, Terms};
use crate::hermite2d::{Operator2, Poly2, Scalar};
use crate::interval::Interval;
use crate::ritz2d::{eig_sectors, Ritz};
use crate::spectrum::{dot, Failure, Poly};

/// −DΔ + Σ c ξ^p η^q on the tensor Hermite grid of scales s.
pub struct Schrodinger2<T> {
    ladders: Operator2<T>,
    kinetic: [T; 2],
    terms: Vec<(u32, u32, T)>,
}

impl<T: Scalar> Schrodinger2<T> {
    /// The operator with potential `v` (interval coefficients in x, y).
    pub fn new(v: &Terms, d: f64, s: [f64; 2], mx: usize, my: usize) -> Self {
        let si = s.map(Interval::point);
        let terms = v.iter().map(|(&(p, q), &c)| (p, q, T::of(c * si[0].powi(p) * si[1].powi(q)))).collect();
        let kinetic = si.map(|x| T::of(Interval::point(d) / x.sqr()));
        Schrodinger2 { ladders: Operator2::new(&Poly2(vec![]), d, s, mx, my), kinetic, terms }
    }
    /// H v.
    pub fn apply(&self, v: &[T]) -> Vec<T> {
        let mut out: Vec<T> = vec![T::of(Interval::point(0.0)); v.len()];
        for axis in 0..2 {
            let dd = self.ladders.ladder(&self.ladders.ladder(v, axis, true), axis, true);
            for (o, x) in out.iter_mut().zip(&dd) {
                *o = *o - self.kinetic[axis] * *x;
            }
        }
        for &(p, q, c) in &self.terms {
            let mut w = v.to_vec();
            for _ in 0..p {
                w = self.ladders.ladder(&w, 0, false);
            }
            for _ in 0..q {
                w = self.ladders.ladder(&w, 1, false);
            }
            for (o, x) in out.iter_mut().zip(&w) {
                *o = *o + c * *x;
            }
        }
        out
    }
}

/// The problem: L (for its symmetry sectors), D, scales, basis and the grid padding.
pub struct Setup<'a> {
    /// The risk.
    pub l: &'a Poly2,
    /// Diffusion.
    pub d: f64,
    /// Hermite scales.
    pub s: [f64; 2],
    /// Basis extents.
    pub basis: [usize; 2],
    /// Grid padding.
    pub pad: usize,
    /// Prüfer steps.
    pub steps: usize,
}

impl Setup<'_> {
    fn grid(&self) -> (usize, usize) {
        (self.basis[0] + self.pad, self.basis[1] + self.pad)
    }
    /// Floating-point Ritz pairs of −DΔ + v on the basis.
    pub fn ritz(&self, v: &Terms) -> Ritz {
        let (mx, my) = self.grid();
        let op = Schrodinger2::<f64>::new(v, self.d, self.s, mx, my);
        let basis: Vec<(usize, usize)> =
            (0..self.basis[0]).flat_map(|a| (0..self.basis[1]).map(move |b| (a, b))).collect();
        let mut g = nalgebra::DMatrix::zeros(basis.len(), basis.len());
        for (l, &(a, b)) in basis.iter().enumerate() {
            let mut e = vec![0.0; mx * my];
            e[a * my + b] = 1.0;
            let col = op.apply(&e);
            for (k, &(c, dd)) in basis.iter().enumerate() {
                g[(k, l)] = col[c * my + dd];
            }
        }
        let sym = nalgebra::DMatrix::from_fn(g.nrows(), g.ncols(), |i, j| 0.5 * (g[(i, j)] + g[(j, i)]));
        eig_sectors(self.l, &basis, &sym, my, mx * my)
    }
    /// Temple: λ ≥ m − σ²/(ρ − m) for the largest eigenvalue λ of H_v below ρ.
    fn temple(&self, v: &Terms, u: &[f64], shift: f64, rho: f64) -> Result<f64, Failure> {
        let (mx, my) = self.grid();
        let op = Schrodinger2::<Interval>::new(v, self.d, self.s, mx, my);
        let u: Vec<Interval> = u.iter().map(|&x| Interval::point(x)).collect();
        let hu = op.apply(&u);
        let norm2 = dot(&u, &u);
        let m = dot(&u, &hu) / norm2;
        let res: Vec<Interval> = hu.iter().zip(&u).map(|(h, x)| *h - *x * shift).collect();
        let sigma2 = dot(&res, &res) / norm2;
        let gap = Interval::point(rho) - m;
        if !gap.is_positive() {
            return Err(format!("Temple: the Rayleigh quotient {m} is not below ρ = {rho}"));
        }
        Ok((m - sigma2 / gap).lower)
    }
}

fn family(w: &Terms, p: &Terms, s: f64) -> Terms {
    let mut out = w.clone();
    for (k, c) in p {
        let e = out.entry(*k).or_insert(Interval::point(0.0));
        *e = *e + *c * s;
    }
    out
}

/// v − w, term by term.
fn difference(v: &Terms, w: &Terms) -> Terms {
    let zero = Interval::point(0.0);
    v.keys()
        .chain(w.keys())
        .map(|k| (*k, v.get(k).copied().unwrap_or(zero) - w.get(k).copied().unwrap_or(zero)))
        .collect()
}

/// W₁(x) + W₂(y) as terms.
pub fn terms_of(w: &(Poly, Poly)) -> Terms {
    let mut t = Terms::new();
    for (axis, poly) in [&w.0, &w.1].into_iter().enumerate() {
        for (j, c) in poly.0.iter().enumerate() {
            let key = if axis == 0 { (j as u32, 0) } else { (0, j as u32) };
            let e = t.entry(key).or_insert(Interval::point(0.0));
            *e = *e + *c;
        }
    }
    t
}

/// Lower bounds of λ_1 … λ_{count+1} of H (index 0 is the ground state 0), by the homotopy from
/// the separable comparison operator whose Young parameter t gives the highest low Ritz values
/// (a floating-point choice), starting at index at most `max_trial`.
pub fn lower_bounds(setup: &Setup, count: usize, max_trial: usize) -> Result<Vec<f64>, Failure> {
    let v = schrodinger_potential_2d(setup.l, setup.d);
    let score = |t: f64| setup.ritz(&terms_of(&split(&v, t))).values.iter().take(count + 2).sum::<f64>();
    let mut ts: Vec<(f64, f64)> = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0].iter().map(|&t| (score(t), t)).collect();
    ts.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut last = String::new();
    for &(_, t) in ts.iter().take(2) {
        let w = split(&v, t);
        let wt = terms_of(&w);
        let p = difference(&v, &wt);
        // Hu is exact only if no ladder pushes an entry past the grid: the padding must exceed
        // every term's degree in each variable plus the two of ∂².
        let reach = p.keys().chain(wt.keys()).map(|&(a, b)| a.max(b) as usize).max().unwrap_or(0).max(2);
        if setup.pad <= reach {
            return Err(format!("grid padding {} does not exceed the potential's degree {reach}", setup.pad));
        }
        let start = setup.ritz(&wt);
        match start_bound(setup, &w, &start.values, count, max_trial) {
            Ok((m, rho)) => match walk(setup, &wt, &p, m, rho, count) {
                Ok(l) => return Ok(l),
                Err(e) => last = format!("homotopy (t = {t}): {e}"),
            },
            Err(e) => last = format!("comparison (t = {t}): {e}"),
        }
    }
    Err(last)
}

/// ρ₀ ≤ λ_{m₀}(H_0) halfway between Ritz values of the comparison operator with a gap ≥ 5%,
/// trying the smallest m₀ ≥ count + 2 first (up to three counts): each homotopy step costs one
/// index, and low indices have the widest gaps.
fn start_bound(
    setup: &Setup,
    w: &(Poly, Poly),
    mu: &[f64],
    count: usize,
    max_trial: usize,
) -> Result<(usize, f64), Failure> {
    let mut last = String::from("no Ritz gap of 5% above index count");
    let mut tries = 0;
    for m in count + 2..=max_trial.min(mu.len() - 1) {
        if mu[m] - mu[m - 1] < 0.05 * mu[m].abs().max(1.0) {
            continue;
        }
        let rho = 0.5 * (mu[m - 1] + mu[m]);
        match count_below_2d(w, setup.d, rho, setup.steps) {
            Ok(n) if n <= m => return Ok((m, rho)),
            Ok(n) => last = format!("{n} comparison eigenvalues below ρ = {rho:.4} (need ≤ {m})"),
            Err(e) => last = e,
        }
        tries += 1;
        if tries == 3 {
            break;
        }
    }
    Err(last)
}

/// The homotopy from s = 0 (ρ ≤ λ_m) to s = 1, then Temple stepping down to λ_1. Each step takes
/// the largest s (halving from 1) whose Ritz value m − 1 lies below ρ.
fn walk(setup: &Setup, w: &Terms, p: &Terms, mut m: usize, mut rho: f64, count: usize) -> Result<Vec<f64>, Failure> {
    let mut s = 0.0;
    loop {
        let mut next = 1.0;
        let r = loop {
            let r = setup.ritz(&family(w, p, next));
            if r.values[m - 1] < rho - 0.002 * rho.abs().max(1e-3) {
                break r;
            }
            next = 0.5 * (s + next);
            if next - s < 1e-4 {
                return Err(format!("no step from s = {s:.4} keeps the Ritz value {} below ρ = {rho}", m - 1));
            }
        };
        let v = family(w, p, next);
        if next == 1.0 {
            return step_down(setup, &v, &r, m, rho, count);
        }
        if m <= count + 1 {
            return Err(format!("the index fell to {m} at s = {next:.4} before s = 1"));
        }
        rho = setup.temple(&v, &r.vectors[m - 1], r.values[m - 1], rho)?;
        m -= 1;
        s = next;
    }
}

/// At s = 1 with ρ ≤ λ_m (m ≥ count + 1): Temple for λ_{m−1}, then each lower bound is the
/// a-priori bound of the next index down. Returns the lower bounds of λ_1 … λ_{count+1}.
fn step_down(setup: &Setup, v: &Terms, r: &Ritz, m: usize, mut rho: f64, count: usize) -> Result<Vec<f64>, Failure> {
    if m < count + 1 {
        return Err(format!("the homotopy reached s = 1 with ρ ≤ λ_{m} only (need index ≥ {})", count + 1));
    }
    let mut lowers = vec![0.0; m + 1];
    lowers[m] = rho;
    for i in (1..m).rev() {
        lowers[i] = setup.temple(v, &r.vectors[i], r.values[i], rho).map_err(|e| format!("λ_{i}: {e}"))?;
        rho = lowers[i];
    }
    Ok(lowers[1..=count + 1].to_vec())
}

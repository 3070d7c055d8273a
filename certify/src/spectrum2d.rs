//! Two-sided enclosures of the low eigenvalues of the overdamped operator (5) for a polynomial
//! risk L(x, y), H = D(A_xᵀA_x + A_yᵀA_y), A_i = ∂_i + ∂_iL/(2D); λ_0 = 0.
//!
//! - Separable L = L₁(x) + L₂(y): H = H₁ ⊗ 1 + 1 ⊗ H₂, the spectrum is {a_i + b_j} with a_0 = b_0
//!   = 0. From the 1D enclosures a_i ∈ [a_i⁻, a_i⁺] (i ≤ n) and a_{n+1} ≥ ρ₁ (and the same for b),
//!   the k-th smallest of {a_i⁻ + b_j⁻} ∪ {ρ₁, ρ₂ repeated} is ≤ λ_k (order statistics are monotone),
//!   and the k-th smallest of {a_i⁺ + b_j⁺} (any k + 1 distinct pairs) is ≥ λ_k.
//! - Coupled L: Rayleigh–Ritz upper bounds with interval Gram matrices of the first k + 1
//!   floating-point Ritz vectors on the tensor Hermite basis ([`crate::hermite2d`]); ρ ≤ λ_m from
//!   Plum's homotopy from the separable comparison operator ([`crate::homotopy`]); then Temple stepping
//!   down: λ_{m−1} ≥ m_{m−1} − σ²/(ρ − m_{m−1}), and the lower bound of λ_{i+1} is the a-priori
//!   bound for λ_i (Temple stepping, as in Plum's and Behnke–Goerisch's schemes).

use crate::hermite2d::{Operator2, Poly2};
use crate::homotopy::{lower_bounds, Setup};
use crate::interval::Interval;
use crate::ritz2d::{choose_scales, ritz};
use crate::spectrum::{enclose, ritz_upper, Enclosure, Failure, Options};

/// Settings of the 2D enclosure computation.
#[derive(Debug, Clone, Copy)]
pub struct Options2 {
    /// Hermite functions per direction (coupled case).
    pub basis: [usize; 2],
    /// Largest number of Ritz vectors for the comparison step.
    pub max_trial: usize,
    /// Prüfer steps of the 1D counts.
    pub steps: usize,
    /// Basis of the 1D enclosures (separable case).
    pub basis_1d: usize,
}

impl Default for Options2 {
    fn default() -> Self {
        Options2 { basis: [40, 24], max_trial: 30, steps: 20_000, basis_1d: 120 }
    }
}

/// Enclosures of λ_1 … λ_count of H for L(x, y) at diffusion D.
pub fn enclose_2d(l: &Poly2, d: f64, count: usize, opts: Options2) -> Result<Vec<Enclosure>, Failure> {
    if !(d > 0.0 && d.is_finite()) || l.0.iter().any(|t| !t.2.is_finite()) || l.degree() < 2 {
        return Err("need D > 0 and a finite polynomial risk of degree ≥ 2".into());
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    if l.0.iter().all(|&(p, q, _)| p == 0 || q == 0) {
        separable(l, d, count, opts)
    } else {
        coupled(l, d, count, opts)
    }
}

/// The 1D coefficient vector of the terms of one variable (the constant goes to x).
fn factor(l: &Poly2, axis: usize) -> Vec<f64> {
    let mut c = vec![0.0; l.degree() as usize + 1];
    for &(p, q, v) in &l.0 {
        let (k, other) = if axis == 0 { (p, q) } else { (q, p) };
        if other == 0 && (axis == 0 || k > 0) {
            c[k as usize] += v;
        }
    }
    while c.len() > 1 && c.last() == Some(&0.0) {
        c.pop();
    }
    c
}

fn separable(l: &Poly2, d: f64, count: usize, opts: Options2) -> Result<Vec<Enclosure>, Failure> {
    let one = Options { basis: opts.basis_1d, steps: opts.steps };
    let (fa, fb) = (factor(l, 0), factor(l, 1));
    let ea = enclose(&fa, d, count, one).map_err(|e| format!("x factor: {e}"))?;
    let eb = enclose(&fb, d, count, one).map_err(|e| format!("y factor: {e}"))?;
    let with_zero = |e: &[Enclosure]| {
        std::iter::once(Interval::point(0.0)).chain(e.iter().map(|x| Interval::new(x.lower, x.upper))).collect()
    };
    let (a, b): (Vec<Interval>, Vec<Interval>) = (with_zero(&ea), with_zero(&eb));
    let tails = [ea[count - 1].rho, eb[count - 1].rho];
    let sums: Vec<Interval> = a.iter().flat_map(|x| b.iter().map(move |y| *x + *y)).collect();
    let mut lows: Vec<f64> = sums.iter().map(|s| s.lower).collect();
    lows.extend(std::iter::repeat_n(tails[0].min(tails[1]), count + 1));
    let mut highs: Vec<f64> = sums.iter().map(|s| s.upper).collect();
    lows.sort_by(f64::total_cmp);
    highs.sort_by(f64::total_cmp);
    Ok((1..=count).map(|k| Enclosure { lower: lows[k], upper: highs[k], rho: tails[0].min(tails[1]) }).collect())
}

fn coupled(l: &Poly2, d: f64, count: usize, opts: Options2) -> Result<Vec<Enclosure>, Failure> {
    let uppers = upper_bounds_2d(l, d, count, opts)?;
    // The comparison potential's terms reach degree 2(2·deg − 3) in one variable (Young).
    let pad = (4 * l.degree() as usize).max(2 * l.degree() as usize + 4);
    let setup = Setup { l, d, s: choose_scales(l, d, pad), basis: opts.basis, pad, steps: opts.steps };
    let lowers = lower_bounds(&setup, count, opts.max_trial)?;
    Ok((0..count).map(|k| Enclosure { lower: lowers[k], upper: uppers[k], rho: lowers[k + 1] }).collect())
}

/// Rayleigh–Ritz upper bounds of λ_1 … λ_count alone (any L), with the Ritz values.
pub fn upper_bounds_2d(l: &Poly2, d: f64, count: usize, opts: Options2) -> Result<Vec<f64>, Failure> {
    let pad = 2 * l.degree() as usize + 4;
    let s = choose_scales(l, d, pad);
    let [nx, ny] = opts.basis;
    let r = ritz(l, d, s, nx, ny, pad);
    let op = Operator2::<Interval>::new(l, d, s, nx + pad, ny + pad);
    let di = Interval::point(d);
    let trial: Vec<Vec<Interval>> =
        r.vectors[..=count].iter().map(|v| v.iter().map(|&x| Interval::point(x)).collect()).collect();
    let au: Vec<Vec<Interval>> = trial.iter().map(|u| op.images(u, di).0).collect();
    (1..=count).map(|k| ritz_upper(&trial[..=k], &au[..=k], di, r.values[k])).collect()
}

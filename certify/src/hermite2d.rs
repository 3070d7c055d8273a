//! The overdamped operator (5) in d = 2 on the tensor Hermite basis φ_a(x/s_x)φ_b(y/s_y)/√(s_x s_y):
//! H = D·(A_xᵀA_x + A_yᵀA_y), A_i = ∂_i + ∂_iL/(2D). For a polynomial L each A_i maps a finite
//! span into a finite span (ladder relations ξφ_a = √(a/2)φ_{a−1} + √((a+1)/2)φ_{a+1},
//! ∂_ξφ_a = √(a/2)φ_{a−1} − √((a+1)/2)φ_{a+1}), so images are exact finite sums, computed in
//! intervals (or in f64 to choose trial vectors).

use crate::interval::Interval;
use std::ops::{Add, Mul, Sub};

/// A polynomial Σ c·x^p y^q in two variables with exact f64 coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Poly2(pub Vec<(u32, u32, f64)>);

impl Poly2 {
    /// Largest total degree.
    pub fn degree(&self) -> u32 {
        self.0.iter().map(|&(p, q, _)| p + q).max().unwrap_or(0)
    }
    /// Invariant under (x, y) ↦ (σ_x x, σ_y y): every term's sign σ_x^p σ_y^q is +1.
    pub fn is_symmetric(&self, flip_x: bool, flip_y: bool) -> bool {
        self.0.iter().all(|&(p, q, _)| (flip_x as u32 * p + flip_y as u32 * q).is_multiple_of(2))
    }
}

/// The arithmetic the ladder operators need (f64 to choose, Interval to prove).
pub trait Scalar: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    /// The value from an interval (its midpoint for f64).
    fn of(x: Interval) -> Self;
}

impl Scalar for f64 {
    fn of(x: Interval) -> Self {
        x.mid()
    }
}

impl Scalar for Interval {
    fn of(x: Interval) -> Self {
        x
    }
}

/// The action of A_x, A_y and their transposes on vectors over the grid a < mx, b < my
/// (row-major, index a·my + b).
pub struct Operator2<T> {
    /// Grid extents.
    pub mx: usize,
    /// Grid extent in y.
    pub my: usize,
    /// 1/s_x, 1/s_y.
    inv_s: [T; 2],
    /// Terms (power of ξ, power of η, coefficient) of ∂_xL(s_xξ, s_yη)/(2D) and of ∂_yL/(2D).
    mult: [Vec<(u32, u32, T)>; 2],
    /// √(k/2).
    root_half: Vec<T>,
    zero: T,
}

impl<T: Scalar> Operator2<T> {
    /// The operator for L at diffusion D with scales s on a grid of extents (mx, my).
    pub fn new(l: &Poly2, d: f64, s: [f64; 2], mx: usize, my: usize) -> Self {
        let si = s.map(Interval::point);
        let two_d = Interval::point(d) * 2.0;
        let mult = [0, 1].map(|axis| {
            l.0.iter()
                .filter_map(|&(p, q, c)| {
                    let (k, pp, qq) = if axis == 0 { (p, p.checked_sub(1)?, q) } else { (q, p, q.checked_sub(1)?) };
                    let coeff = Interval::point(c) * k as f64 * si[0].powi(pp) * si[1].powi(qq) / two_d;
                    Some((pp, qq, T::of(coeff)))
                })
                .collect()
        });
        let root_half = (0..=mx.max(my) + 1).map(|k| T::of((Interval::point(k as f64) / 2.0).sqrt())).collect();
        Operator2 { mx, my, inv_s: si.map(|x| T::of(x.recip())), mult, root_half, zero: T::of(Interval::point(0.0)) }
    }

    /// ξ·v (axis 0) or η·v (axis 1); `derivative` gives ∂_ξ or ∂_η instead. Entries pushed past
    /// the grid are dropped: callers keep supports at least one row inside.
    pub fn ladder(&self, v: &[T], axis: usize, derivative: bool) -> Vec<T> {
        let (mx, my) = (self.mx, self.my);
        let mut out = vec![self.zero; v.len()];
        for a in 0..mx {
            for b in 0..my {
                let (k, n) = if axis == 0 { (a, mx) } else { (b, my) };
                let stride = if axis == 0 { my } else { 1 };
                let i = a * my + b;
                let below = if k > 0 { self.root_half[k] * v[i - stride] } else { self.zero };
                let above = if k + 1 < n { self.root_half[k + 1] * v[i + stride] } else { self.zero };
                out[i] = if derivative { above - below } else { below + above };
            }
        }
        out
    }

    /// A_i v (transpose = false) or A_iᵀ v.
    pub fn apply(&self, v: &[T], axis: usize, transpose: bool) -> Vec<T> {
        let d = self.ladder(v, axis, true);
        let s = self.inv_s[axis];
        let mut out: Vec<T> = d.iter().map(|&x| if transpose { self.zero - s * x } else { s * x }).collect();
        for &(p, q, c) in &self.mult[axis] {
            let mut w = v.to_vec();
            for _ in 0..p {
                w = self.ladder(&w, 0, false);
            }
            for _ in 0..q {
                w = self.ladder(&w, 1, false);
            }
            for (o, x) in out.iter_mut().zip(&w) {
                *o = *o + c * *x;
            }
        }
        out
    }

    /// (A_x v, A_y v) stacked, and H v = D(A_xᵀA_x v + A_yᵀA_y v).
    pub fn images(&self, v: &[T], d: T) -> (Vec<T>, Vec<T>) {
        let ax = self.apply(v, 0, false);
        let ay = self.apply(v, 1, false);
        let hx = self.apply(&ax, 0, true);
        let hy = self.apply(&ay, 1, true);
        let hu = hx.iter().zip(&hy).map(|(&a, &b)| d * (a + b)).collect();
        (ax.into_iter().chain(ay).collect(), hu)
    }
}

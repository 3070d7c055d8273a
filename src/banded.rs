//! Exact 1D Galerkin matrices of the Hermite basis (in the variable t = (x − c)/s), stored banded:
//! position t, powers t^a, and the stiffness ⟨ψ_m', ψ_n'⟩. Each entry carries a bound on its
//! rounding error ([`crate::rounding`]): the ladder coefficients √(j/2) are rounded, and so is
//! every product and sum of the powers.

use crate::rounding::Bounded;

/// A square banded matrix: entry (i, j) with |i − j| ≤ bw.
#[derive(Debug, Clone)]
pub struct Banded {
    /// Order.
    pub n: usize,
    /// Half bandwidth.
    pub bw: usize,
    data: Vec<f64>,
    error: Vec<f64>,
}

impl Banded {
    /// Zero matrix.
    pub fn zeros(n: usize, bw: usize) -> Self {
        Banded { n, bw, data: vec![0.0; n * (2 * bw + 1)], error: vec![0.0; n * (2 * bw + 1)] }
    }
    /// Identity.
    pub fn identity(n: usize) -> Self {
        let mut m = Banded::zeros(n, 0);
        (0..n).for_each(|i| m.set(i, i, Bounded::exact(1.0)));
        m
    }
    /// Entry (i, j), zero outside the band.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if i >= self.n || j >= self.n || i.abs_diff(j) > self.bw {
            return 0.0;
        }
        self.data[i * (2 * self.bw + 1) + j + self.bw - i]
    }
    /// Entry (i, j) with the bound on its rounding error, exact zero outside the band.
    pub fn get_bounded(&self, i: usize, j: usize) -> Bounded {
        if i >= self.n || j >= self.n || i.abs_diff(j) > self.bw {
            return Bounded::exact(0.0);
        }
        let k = i * (2 * self.bw + 1) + j + self.bw - i;
        Bounded { value: self.data[k], error: self.error[k] }
    }
    fn set(&mut self, i: usize, j: usize, v: Bounded) {
        let k = i * (2 * self.bw + 1) + j + self.bw - i;
        self.data[k] = v.value;
        self.error[k] = v.error;
    }
    /// Leading n×n block.
    pub fn truncate(&self, n: usize) -> Banded {
        let mut m = Banded::zeros(n, self.bw);
        for i in 0..n {
            for j in i.saturating_sub(self.bw)..(i + self.bw + 1).min(n) {
                m.set(i, j, self.get_bounded(i, j));
            }
        }
        m
    }
    /// self · X, with X the position matrix of the same order.
    fn times_position(&self) -> Banded {
        let mut m = Banded::zeros(self.n, self.bw + 1);
        for i in 0..self.n {
            for j in i.saturating_sub(self.bw + 1)..(i + self.bw + 2).min(self.n) {
                // (M X)_{ij} = M_{i,j−1} √(j/2) + M_{i,j+1} √((j+1)/2); j/2 is exact.
                let mut v = Bounded::exact(0.0);
                if j > 0 {
                    v = v.add(self.get_bounded(i, j - 1).mul(Bounded::sqrt_of(j as f64 / 2.0)));
                }
                if j + 1 < self.n {
                    v = v.add(self.get_bounded(i, j + 1).mul(Bounded::sqrt_of((j + 1) as f64 / 2.0)));
                }
                m.set(i, j, v);
            }
        }
        m
    }
}

/// Exact Galerkin matrix of t^a on ψ_0..ψ_{n−1}: (X^a) computed in the basis of order n + a and
/// truncated, which is exact because X is tridiagonal.
pub fn position_power(n: usize, a: usize) -> Banded {
    let ext = n + a;
    let mut m = Banded::identity(ext);
    for _ in 0..a {
        m = m.times_position();
    }
    m.truncate(n)
}

/// Exact stiffness ⟨ψ_m', ψ_n'⟩ = (2n+1)/2 on the diagonal (exact in binary), −√((n+1)(n+2))/2
/// two off it (one rounded square root of an exact integer; halving is exact).
pub fn stiffness(n: usize) -> Banded {
    let mut m = Banded::zeros(n, 2);
    for i in 0..n {
        m.set(i, i, Bounded::exact((2 * i + 1) as f64 / 2.0));
        if i + 2 < n {
            let root = Bounded::sqrt_of(((i + 1) * (i + 2)) as f64);
            let v = Bounded { value: -root.value / 2.0, error: root.error / 2.0 };
            m.set(i, i + 2, v);
            m.set(i + 2, i, v);
        }
    }
    m
}

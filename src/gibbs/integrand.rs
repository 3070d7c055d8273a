//! Log-integrands g(w) on R^d evaluated one point or one batch of points at a time. The polar
//! rules evaluate g on whole shells (every direction at one radius) through
//! [`LogIntegrand::batch`], so that an expression potential pays its interpreter's dispatch once
//! per instruction per shell ([`crate::expr::Expr::values`]). Every batch value is bit-identical
//! to the one-point value: the same floating-point operations, in the same order.

use crate::potential::Potential;

/// A log-integrand g(w) (w ∈ R^d).
pub trait LogIntegrand: Sync {
    /// g(w).
    fn at(&self, w: &[f64]) -> f64;

    /// g at the points whose coordinates are `columns` (`columns[k][j]` is coordinate k of point
    /// j), into `out`; each value is [`LogIntegrand::at`]'s, bit for bit. Default: point by point.
    fn batch(&self, columns: &[&[f64]], out: &mut [f64]) {
        let mut w = vec![0.0; columns.len()];
        for (j, o) in out.iter_mut().enumerate() {
            for (wk, col) in w.iter_mut().zip(columns) {
                *wk = col[j];
            }
            *o = self.at(&w);
        }
    }
}

impl<F: Fn(&[f64]) -> f64 + Sync + ?Sized> LogIntegrand for F {
    fn at(&self, w: &[f64]) -> f64 {
        self(w)
    }
}

/// The Gibbs log-weight g(w) = −η L(w).
pub struct GibbsWeight<'a> {
    pub potential: &'a dyn Potential,
    pub eta: f64,
}

impl LogIntegrand for GibbsWeight<'_> {
    fn at(&self, w: &[f64]) -> f64 {
        -self.eta * self.potential.value(w)
    }
    fn batch(&self, columns: &[&[f64]], out: &mut [f64]) {
        self.potential.values(columns, out);
        out.iter_mut().for_each(|v| *v *= -self.eta);
    }
}

/// Coordinate columns of a batch of points: `d` columns of `n` values each, reused between
/// batches of the same size.
pub(crate) struct Columns {
    data: Vec<f64>,
    n: usize,
}

impl Columns {
    pub(crate) fn new(d: usize, n: usize) -> Columns {
        Columns { data: vec![0.0; d * n], n }
    }
    /// Sets point j to w.
    pub(crate) fn set(&mut self, j: usize, w: impl IntoIterator<Item = f64>) {
        for (k, v) in w.into_iter().enumerate() {
            self.data[k * self.n + j] = v;
        }
    }
    /// The columns as slices.
    pub(crate) fn refs(&self) -> Vec<&[f64]> {
        self.data.chunks(self.n.max(1)).collect()
    }
    /// Point j (d ≤ 3 coordinates; past d zero).
    #[cfg(test)]
    pub(crate) fn point(&self, j: usize) -> [f64; 3] {
        let mut w = [0.0; 3];
        for (k, wk) in w.iter_mut().enumerate().take(self.data.len() / self.n.max(1)) {
            *wk = self.data[k * self.n + j];
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batch Gibbs weight is the one-point weight bit for bit (an expression and a
    /// non-expression potential).
    #[test]
    fn batch_weights_are_point_weights() {
        let p = crate::Expression::parse("x^4/4 - x^2/2 + 0.2*x + 1 + y^2*(1 + 0.3*x + 0.25*x^2) + exp(-x*y)").unwrap();
        let g = GibbsWeight { potential: &p, eta: 37.5 };
        let n = 150;
        let mut cols = Columns::new(2, n);
        for j in 0..n {
            let t = j as f64 * 0.37;
            cols.set(j, [t.sin() * 2.0, (1.3 * t).cos() * 1.5]);
        }
        let mut out = vec![0.0; n];
        g.batch(&cols.refs(), &mut out);
        let closure = |w: &[f64]| -37.5 * p.value(w);
        let mut plain = vec![0.0; n];
        closure.batch(&cols.refs(), &mut plain);
        for j in 0..n {
            let w = cols.point(j);
            assert_eq!(out[j].to_bits(), g.at(&w[..2]).to_bits());
            assert_eq!(plain[j].to_bits(), out[j].to_bits());
        }
    }
}

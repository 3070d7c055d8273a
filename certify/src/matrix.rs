//! Small dense symmetric interval matrices: positive definiteness by interval Cholesky.

use crate::interval::Interval;

/// A square interval matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct IMatrix {
    /// Order.
    pub n: usize,
    /// Entries, row-major.
    pub a: Vec<Interval>,
}

impl IMatrix {
    /// The zero matrix of order n.
    pub fn zeros(n: usize) -> Self {
        IMatrix { n, a: vec![Interval::point(0.0); n * n] }
    }
    /// Entry (i, j).
    pub fn at(&self, i: usize, j: usize) -> Interval {
        self.a[i * self.n + j]
    }
    /// Sets entry (i, j).
    pub fn set(&mut self, i: usize, j: usize, v: Interval) {
        self.a[i * self.n + j] = v;
    }
    /// self − s·other.
    pub fn minus_scaled(&self, s: Interval, other: &IMatrix) -> IMatrix {
        IMatrix { n: self.n, a: self.a.iter().zip(&other.a).map(|(x, y)| *x - s * *y).collect() }
    }
    /// True when every symmetric matrix with entries in these intervals (taking (i, j) and (j, i)
    /// as the same entry, the upper triangle is read) is positive definite: the Cholesky
    /// factorisation in interval arithmetic meets only pivots with a positive lower bound.
    pub fn is_positive_definite(&self) -> bool {
        let n = self.n;
        let mut l = vec![Interval::point(0.0); n * n];
        for j in 0..n {
            let mut d = self.at(j.min(j), j);
            for k in 0..j {
                d = d - l[j * n + k].sqr();
            }
            if !d.is_positive() {
                return false;
            }
            let root = d.sqrt();
            l[j * n + j] = root;
            for i in j + 1..n {
                let mut s = self.at(j, i);
                for k in 0..j {
                    s = s - l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / root;
            }
        }
        true
    }
}

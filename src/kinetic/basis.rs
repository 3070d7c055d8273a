//! Phase-space bases: per w-axis Hermite functions s^{−1/2}ψ_n((w−c)/s) on R or real Fourier
//! modes {1, cos kw, sin kw}/norm on the circle, tensored with Hermite functions of scale s_v in
//! each velocity component. Multi-index layout: [w_0, w_1, v_0, v_1] (unused slots are 0).

use crate::basis::{IndexSet, Lookup};
use crate::error::{EngineError, Result};

/// Largest number of phase-space basis functions accepted.
pub const MAX_KINETIC: usize = 4_000_000;

/// One w-axis.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum WAxis {
    /// Hermite functions centred at `centre` with scale `scale`.
    Hermite {
        /// Centre c.
        centre: f64,
        /// Scale s.
        scale: f64,
    },
    /// Real Fourier modes on [0, 2π): index 0 → 1/√(2π), 2k−1 → cos(kw)/√π, 2k → sin(kw)/√π.
    Fourier,
}

/// A phase-space basis for d = 1 or 2.
#[derive(Debug, Clone)]
pub struct KineticBasis {
    /// The w-axes (d of them).
    pub w_axes: Vec<WAxis>,
    /// Velocity Hermite scale s_v.
    pub v_scale: f64,
    /// Number of 1D functions per w-axis.
    pub w_sizes: Vec<usize>,
    /// Number of 1D functions per v-axis.
    pub v_sizes: Vec<usize>,
    /// Index-set kind (over all 2d axes).
    pub kind: IndexSet,
    /// Multi-indices in basis order.
    pub indices: Vec<[usize; 4]>,
    lookup: Lookup<4>,
}

impl KineticBasis {
    /// Builds the basis: `sizes[j]` functions on w-axis j and on v-axis j.
    pub fn new(
        w_axes: Vec<WAxis>,
        v_scale: f64,
        w_sizes: Vec<usize>,
        v_sizes: Vec<usize>,
        kind: IndexSet,
    ) -> Result<Self> {
        let d = w_axes.len();
        if !(1..=2).contains(&d) || w_sizes.len() != d || v_sizes.len() != d {
            return Err(EngineError::InvalidParameter("kinetic basis needs d = 1 or 2 w-axes".into()));
        }
        let full: f64 = w_sizes.iter().chain(&v_sizes).map(|&n| n as f64).product();
        let estimate = match kind {
            IndexSet::FullTensor => full,
            IndexSet::TotalDegree => full / (1..=2 * d).product::<usize>() as f64,
        };
        if estimate > MAX_KINETIC as f64 {
            return Err(EngineError::TooLarge(format!("{estimate:.0} phase-space functions, limit {MAX_KINETIC}")));
        }
        super::plan::check_basis(estimate)?;
        let sizes = [w_sizes[0], *w_sizes.get(1).unwrap_or(&1), v_sizes[0], *v_sizes.get(1).unwrap_or(&1)];
        let mut indices = Vec::new();
        for a in 0..sizes[0] {
            for b in 0..sizes[1] {
                for c in 0..sizes[2] {
                    for e in 0..sizes[3] {
                        let alpha = [a, b, c, e];
                        if keep(&alpha, &sizes, kind) {
                            indices.push(alpha);
                        }
                    }
                }
            }
        }
        let lookup = Lookup::new(&sizes, &indices);
        Ok(KineticBasis { w_axes, v_scale, w_sizes, v_sizes, kind, indices, lookup })
    }

    /// The per-axis sizes [w_0, w_1, v_0, v_1] (1 for an unused slot).
    fn box_sizes(&self) -> [usize; 4] {
        let (w, v) = (&self.w_sizes, &self.v_sizes);
        [w[0], *w.get(1).unwrap_or(&1), v[0], *v.get(1).unwrap_or(&1)]
    }

    /// The sub-basis of the multi-indices `keep` accepts (same axes and sizes, basis order kept):
    /// an invariant subspace of G when `keep` selects a symmetry sector.
    pub fn restricted(&self, keep: impl Fn(&[usize; 4]) -> bool) -> KineticBasis {
        let indices: Vec<[usize; 4]> = self.indices.iter().copied().filter(|a| keep(a)).collect();
        let lookup = Lookup::new(&self.box_sizes(), &indices);
        KineticBasis {
            w_axes: self.w_axes.clone(),
            v_scale: self.v_scale,
            w_sizes: self.w_sizes.clone(),
            v_sizes: self.v_sizes.clone(),
            kind: self.kind,
            indices,
            lookup,
        }
    }

    /// Dimension d of w (phase space has 2d).
    pub fn dim(&self) -> usize {
        self.w_axes.len()
    }
    /// Number of basis functions.
    pub fn len(&self) -> usize {
        self.indices.len()
    }
    /// True for an empty basis.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }
    /// Position of a multi-index.
    pub fn position(&self, alpha: &[usize; 4]) -> Option<usize> {
        self.lookup.get(alpha)
    }
    /// Total velocity degree Σ_j α_{v_j} (the F eigenvalue is −g times it).
    pub fn velocity_degree(&self, row: usize) -> usize {
        let a = self.indices[row];
        a[2] + a[3]
    }
}

fn keep(alpha: &[usize; 4], sizes: &[usize; 4], kind: IndexSet) -> bool {
    match kind {
        IndexSet::FullTensor => true,
        IndexSet::TotalDegree => {
            let s: f64 = (0..4).filter(|&j| sizes[j] > 1).map(|j| alpha[j] as f64 / sizes[j] as f64).sum();
            s < 1.0
        }
    }
}

/// Value of real Fourier mode `k` (layout of [`WAxis::Fourier`]) at w.
pub fn fourier_mode(k: usize, w: f64) -> f64 {
    use std::f64::consts::PI;
    if k == 0 {
        (2.0 * PI).sqrt().recip()
    } else {
        let freq = k.div_ceil(2) as f64;
        if k % 2 == 1 {
            (freq * w).cos() / PI.sqrt()
        } else {
            (freq * w).sin() / PI.sqrt()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every multi-index of the box (and one past each edge) is found where the index list has it,
    /// and nowhere else (the lookup itself, table and hash map, is tested in `crate::basis`).
    #[test]
    fn positions_match_the_index_list() {
        let axes = vec![WAxis::Hermite { centre: 0.0, scale: 1.0 }; 2];
        for (w, v, step) in [(vec![7, 5], vec![6, 4], 1), (vec![40, 40], vec![40, 40], 7)] {
            let basis = KineticBasis::new(axes.clone(), 1.0, w.clone(), v.clone(), IndexSet::TotalDegree).unwrap();
            let sector = basis.restricted(|a| (a[0] + a[2]) % 2 == 0);
            for b in [&basis, &sector] {
                for a0 in (0..=w[0]).step_by(step) {
                    for a1 in (0..=w[1]).step_by(step) {
                        for a2 in (0..=v[0]).step_by(step) {
                            for a3 in 0..=v[1] {
                                let alpha = [a0, a1, a2, a3];
                                assert_eq!(b.position(&alpha), b.indices.iter().position(|x| *x == alpha), "{alpha:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}

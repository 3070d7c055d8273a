//! Tensor-product Hermite bases on R^d (d = 1, 2, 3) with a centre and a scale per axis:
//! φ_α(x) = Π_j s_j^{−1/2} ψ_{α_j}((x_j − c_j)/s_j).
//!
//! The index set is either the full tensor {α : α_j < n_j} or the total-degree set
//! {α : Σ_j α_j/n_j < 1} (an anisotropic simplex); [`IndexSet`] says which.

use crate::error::{EngineError, Result};
use crate::hermite::{values_and_derivatives, GaussHermite};
use std::collections::HashMap;

/// Which multi-indices a tensor basis keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IndexSet {
    /// All α with α_j < n_j.
    FullTensor,
    /// All α with Σ_j α_j / n_j < 1 (total degree when all n_j are equal).
    TotalDegree,
}

/// A tensor Hermite basis.
#[derive(Debug, Clone)]
pub struct HermiteBasis {
    /// Centre c_j per axis.
    pub centre: Vec<f64>,
    /// Scale s_j per axis.
    pub scale: Vec<f64>,
    /// Number of 1D functions per axis n_j.
    pub sizes: Vec<usize>,
    /// Index-set kind.
    pub kind: IndexSet,
    /// Multi-indices, in basis order.
    pub indices: Vec<[usize; 3]>,
    lookup: Lookup<3>,
}

/// Position of each multi-index of a basis of `D`-component multi-indices (the Hermite bases here,
/// the kinetic phase-space bases): a table over the box Π_j [0, n_j) when the box is not much
/// larger than the basis (every assembled entry looks one up), a hash map otherwise.
#[derive(Debug, Clone)]
pub(crate) enum Lookup<const D: usize> {
    /// Entry (…(α₀·n₁ + α₁)·n₂ + …)·n_{D−1} + α_{D−1} (missing axes have n = 1); `u32::MAX` where α
    /// is not in the set.
    Table {
        sizes: [usize; D],
        slots: Vec<u32>,
    },
    Map(HashMap<[usize; D], usize>),
}

/// Largest box, relative to the number of functions (plus a constant), held as a table.
const TABLE_PER_FUNCTION: usize = 64;

impl<const D: usize> Lookup<D> {
    /// The lookup of `indices` inside the box of `sizes` (axes past `sizes.len()` have size 1).
    pub(crate) fn new(sizes: &[usize], indices: &[[usize; D]]) -> Self {
        let dims: [usize; D] = std::array::from_fn(|j| sizes.get(j).copied().unwrap_or(1));
        let cells = dims.iter().try_fold(1usize, |acc, &m| acc.checked_mul(m));
        match cells {
            Some(cells) if cells <= TABLE_PER_FUNCTION * indices.len() + 4096 && indices.len() < u32::MAX as usize => {
                let mut slots = vec![u32::MAX; cells];
                for (i, alpha) in indices.iter().enumerate() {
                    slots[Self::slot(alpha, &dims)] = i as u32;
                }
                Lookup::Table { sizes: dims, slots }
            }
            _ => Lookup::Map(indices.iter().enumerate().map(|(i, a)| (*a, i)).collect()),
        }
    }

    fn slot(alpha: &[usize; D], sizes: &[usize; D]) -> usize {
        alpha.iter().zip(sizes).fold(0, |slot, (a, n)| slot * n + a)
    }

    /// The position of `alpha`, None when it is not in the set.
    pub(crate) fn get(&self, alpha: &[usize; D]) -> Option<usize> {
        match self {
            Lookup::Table { sizes, slots } => {
                if alpha.iter().zip(sizes).any(|(a, n)| a >= n) {
                    return None;
                }
                let slot = slots[Self::slot(alpha, sizes)];
                (slot != u32::MAX).then_some(slot as usize)
            }
            Lookup::Map(map) => map.get(alpha).copied(),
        }
    }
}

/// Largest number of basis functions accepted for dense work (a dense n×n matrix of 8n² bytes).
pub const MAX_DENSE: usize = 12_000;
/// Largest number of basis functions accepted for sparse work.
pub const MAX_SPARSE: usize = 4_000_000;

impl HermiteBasis {
    /// Builds the basis; refuses more than `MAX_SPARSE` functions.
    pub fn new(centre: Vec<f64>, scale: Vec<f64>, sizes: Vec<usize>, kind: IndexSet) -> Result<Self> {
        let d = sizes.len();
        if d == 0 || d > 3 || centre.len() != d || scale.len() != d {
            return Err(EngineError::InvalidParameter("basis needs 1 to 3 axes".into()));
        }
        if sizes.contains(&0) {
            return Err(EngineError::InvalidParameter("basis needs at least one function per axis".into()));
        }
        let count: f64 = match kind {
            IndexSet::FullTensor => sizes.iter().map(|&n| n as f64).product(),
            IndexSet::TotalDegree => {
                sizes.iter().map(|&n| n as f64).product::<f64>() / (1..=d).product::<usize>() as f64
            }
        };
        if count > MAX_SPARSE as f64 {
            return Err(EngineError::TooLarge(format!(
                "{count:.0} basis functions requested, the limit is {MAX_SPARSE}"
            )));
        }
        let mut indices = Vec::new();
        let n = |j: usize| sizes.get(j).copied().unwrap_or(1);
        for a in 0..n(0) {
            for b in 0..n(1) {
                for c in 0..n(2) {
                    let alpha = [a, b, c];
                    let keep = match kind {
                        IndexSet::FullTensor => true,
                        IndexSet::TotalDegree => (0..d).map(|j| alpha[j] as f64 / sizes[j] as f64).sum::<f64>() < 1.0,
                    };
                    if keep {
                        indices.push(alpha);
                    }
                }
            }
        }
        let lookup = Lookup::new(&sizes, &indices);
        Ok(HermiteBasis { centre, scale, sizes, kind, indices, lookup })
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.sizes.len()
    }

    /// Number of basis functions.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// True for an empty basis.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Position of a multi-index in the basis.
    pub fn position(&self, alpha: &[usize; 3]) -> Option<usize> {
        self.lookup.get(alpha)
    }

    /// The functions of this basis whose multi-index satisfies `keep` (a parity sector, say),
    /// in the same order; sizes, axes and index-set kind are those of the whole basis.
    pub fn subset(&self, keep: impl Fn(&[usize; 3]) -> bool) -> HermiteBasis {
        let indices: Vec<[usize; 3]> = self.indices.iter().filter(|a| keep(a)).copied().collect();
        let lookup = Lookup::new(&self.sizes, &indices);
        HermiteBasis {
            centre: self.centre.clone(),
            scale: self.scale.clone(),
            sizes: self.sizes.clone(),
            kind: self.kind,
            indices,
            lookup,
        }
    }

    /// The same axes with new sizes.
    pub fn resized(&self, sizes: Vec<usize>) -> Result<Self> {
        HermiteBasis::new(self.centre.clone(), self.scale.clone(), sizes, self.kind)
    }

    /// Tensor Gauss–Hermite grid with `q[j]` nodes per axis, in x coordinates.
    pub fn grid(&self, q: &[usize]) -> Grid {
        let axes: Vec<AxisRule> =
            (0..self.dim()).map(|j| AxisRule::new(self.centre[j], self.scale[j], self.sizes[j], q[j], true)).collect();
        Grid { axes }
    }
    /// [`HermiteBasis::grid`] without the derivative tables (`dphi` left empty): for
    /// [`Grid::basis_value`] and [`Grid::project`] only, not [`Grid::basis_at`].
    pub fn value_grid(&self, q: &[usize]) -> Grid {
        let axes: Vec<AxisRule> =
            (0..self.dim()).map(|j| AxisRule::new(self.centre[j], self.scale[j], self.sizes[j], q[j], false)).collect();
        Grid { axes }
    }
}

/// One axis of a tensor quadrature grid, with the 1D basis tabulated at its nodes.
#[derive(Debug, Clone)]
pub struct AxisRule {
    /// Nodes in x.
    pub x: Vec<f64>,
    /// Weights for ∫ f(x) dx.
    pub w: Vec<f64>,
    /// φ_n(x_i), row i, column n.
    pub phi: Vec<Vec<f64>>,
    /// φ_n'(x_i).
    pub dphi: Vec<Vec<f64>>,
}

impl AxisRule {
    /// The axis rule; the derivative table only `with_derivatives`.
    fn new(centre: f64, scale: f64, n: usize, q: usize, with_derivatives: bool) -> Self {
        let rule = GaussHermite::new(q);
        let table = HermiteTable::new(n, q, &rule);
        let norm = scale.sqrt().recip();
        let phi = table.values.iter().map(|v| v.iter().map(|p| p * norm).collect()).collect();
        let dphi = if with_derivatives {
            table.derivatives.iter().map(|d| d.iter().map(|p| p * norm / scale).collect()).collect()
        } else {
            Vec::new()
        };
        AxisRule {
            x: rule.nodes.iter().map(|t| centre + scale * t).collect(),
            w: rule.weights.iter().map(|w| w * scale).collect(),
            phi,
            dphi,
        }
    }
}

/// ψ_0..ψ_{n−1} and their derivatives at the nodes of the q-point Gauss–Hermite rule (row i:
/// node t_i), in the variable t: they depend on (n, q) alone, not on an axis's centre or scale,
/// so the levels, parity sectors and scale probes of one size share them.
struct HermiteTable {
    values: Vec<Vec<f64>>,
    derivatives: Vec<Vec<f64>>,
}

/// Most f64 entries kept by the cache of [`HermiteTable::new`] (32 MB); beyond it the cache is
/// emptied and starts again.
const TABLE_CACHE_ENTRIES: usize = 4 << 20;

impl HermiteTable {
    /// The table of (n, q), computed once per process ([`values_and_derivatives`] at each node).
    fn new(n: usize, q: usize, rule: &GaussHermite) -> std::sync::Arc<HermiteTable> {
        use std::sync::{Arc, Mutex, OnceLock};
        type Cache = (HashMap<(usize, usize), Arc<HermiteTable>>, usize);
        static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(table) = cache.lock().unwrap_or_else(|p| p.into_inner()).0.get(&(n, q)) {
            return table.clone();
        }
        let (values, derivatives) = rule.nodes.iter().map(|&t| values_and_derivatives(n, t)).unzip();
        let table = Arc::new(HermiteTable { values, derivatives });
        let mut guard = cache.lock().unwrap_or_else(|p| p.into_inner());
        let (map, entries) = &mut *guard;
        if *entries + 2 * n * q > TABLE_CACHE_ENTRIES {
            map.clear();
            *entries = 0;
        }
        if map.insert((n, q), table.clone()).is_none() {
            *entries += 2 * n * q;
        }
        table
    }
}

/// A tensor quadrature grid.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Per-axis rules.
    pub axes: Vec<AxisRule>,
}

impl Grid {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.x.len()).product()
    }
    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Node multi-index of flat node k (last axis fastest).
    pub fn node_index(&self, mut k: usize) -> [usize; 3] {
        let mut idx = [0; 3];
        for j in (0..self.axes.len()).rev() {
            let m = self.axes[j].x.len();
            idx[j] = k % m;
            k /= m;
        }
        idx
    }
    /// Coordinates and weight of flat node k.
    pub fn node(&self, k: usize) -> (Vec<f64>, f64) {
        let idx = self.node_index(k);
        let x = (0..self.axes.len()).map(|j| self.axes[j].x[idx[j]]).collect();
        let w = (0..self.axes.len()).map(|j| self.axes[j].w[idx[j]]).product();
        (x, w)
    }
    /// Basis function α at node multi-index `idx`.
    pub fn basis_value(&self, idx: &[usize; 3], alpha: &[usize; 3]) -> f64 {
        (0..self.axes.len()).map(|j| self.axes[j].phi[idx[j]][alpha[j]]).product()
    }
    /// Projection coefficients ∫ f φ_α dx of a function given by its values at the nodes.
    pub fn project(&self, basis: &HermiteBasis, values: &[f64]) -> Vec<f64> {
        let mut coeffs = vec![0.0; basis.len()];
        for (k, v) in values.iter().enumerate() {
            if *v == 0.0 {
                continue;
            }
            let idx = self.node_index(k);
            let wv = v * self.node(k).1;
            for (c, alpha) in coeffs.iter_mut().zip(&basis.indices) {
                *c += wv * self.basis_value(&idx, alpha);
            }
        }
        coeffs
    }
    /// Basis function α and its gradient at node multi-index `idx`.
    pub fn basis_at(&self, idx: &[usize; 3], alpha: &[usize; 3]) -> (f64, [f64; 3]) {
        let d = self.axes.len();
        let mut value = 1.0;
        let mut grad = [1.0; 3];
        for j in 0..d {
            let p = self.axes[j].phi[idx[j]][alpha[j]];
            let dp = self.axes[j].dphi[idx[j]][alpha[j]];
            value *= p;
            for (k, g) in grad.iter_mut().enumerate().take(d) {
                *g *= if k == j { dp } else { p };
            }
        }
        (value, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table and the hash map give every index of a set its position, and None off the set.
    #[test]
    fn lookup_table_and_map_agree() {
        let basis = HermiteBasis::new(vec![0.0; 3], vec![1.0; 3], vec![7, 5, 4], IndexSet::TotalDegree).unwrap();
        let sector = basis.subset(|a| (a[0] + a[2]) % 2 == 1);
        for b in [&basis, &sector] {
            assert!(matches!(b.lookup, Lookup::Table { .. }));
            let map = Lookup::Map(b.indices.iter().enumerate().map(|(i, a)| (*a, i)).collect());
            for alpha in (0..9).flat_map(|i| (0..7).flat_map(move |j| (0..6).map(move |k| [i, j, k]))) {
                assert_eq!(b.position(&alpha), map.get(&alpha), "{alpha:?}");
            }
            for (i, alpha) in b.indices.iter().enumerate() {
                assert_eq!(b.position(alpha), Some(i));
            }
        }
        assert_eq!(basis.position(&[6, 0, 0]), Some(basis.indices.iter().position(|a| *a == [6, 0, 0]).unwrap()));
        assert_eq!(basis.position(&[6, 1, 0]), None);
    }
}

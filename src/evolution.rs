//! Time evolution of the overdamped Fokker–Planck equation from a smooth initial density by
//! eigen-expansion:
//! with u = p/√p_∞ and H = BᵀB, u(t) = Σ_k e^{−λ_k t} c_k e_k, and
//!
//!   ‖h(t)‖² = ‖(p − p_∞)/√p_∞‖²_{L²} = Σ_{k≥1} c_k² e^{−2λ_k t}.
//!
//! The initial density is the tilted Gibbs state p_0 ∝ e^{−(L(w) + a·w)/D}, which is smooth and
//! decays like p_∞, so p_0/√p_∞ ∈ L².

use crate::basis::{Grid, HermiteBasis};
use crate::eigen::lowest_from_owned_factor;
use crate::error::Result;
use crate::hermite::GaussHermite;
use crate::operator::Overdamped;

/// Eigen-expansion of ‖h(t)‖² on one basis.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// Eigenvalues λ_0 ≈ 0 ≤ λ_1 ≤ …
    pub rates: Vec<f64>,
    /// Squared coefficients c_k² of u_0 = p_0/√p_∞.
    pub weights: Vec<f64>,
}

impl Expansion {
    /// ‖h(t)‖² = Σ_{k≥1} c_k² e^{−2λ_k t}.
    pub fn h_norm2(&self, t: f64) -> f64 {
        self.rates.iter().zip(&self.weights).skip(1).map(|(l, c2)| c2 * (-2.0 * l * t).exp()).sum()
    }
}

/// The nodes x, weights w and values L(x) of the basis grid with `q` nodes per axis (L evaluated
/// once per node, shared by every integral on the grid).
struct Nodes {
    points: Vec<(Vec<f64>, f64)>,
    values: Vec<f64>,
}

impl Nodes {
    fn new(op: &Overdamped, grid: &Grid) -> Self {
        Self::from_points(op, (0..grid.len()).map(|k| grid.node(k)).collect())
    }

    /// The nodes of the grid [`HermiteBasis::grid`] builds for `q`, without its basis tables: per
    /// axis x = c + s·t and w = s·ω for the q-point Gauss–Hermite rule (t, ω), last axis fastest,
    /// the weight the product over axes (the same operations as [`Grid::node`]).
    fn without_tables(op: &Overdamped, basis: &HermiteBasis, q: &[usize]) -> Self {
        let axes: Vec<(Vec<f64>, Vec<f64>)> = (0..basis.dim())
            .map(|j| {
                let rule = GaussHermite::new(q[j]);
                let (c, s) = (basis.centre[j], basis.scale[j]);
                (rule.nodes.iter().map(|t| c + s * t).collect(), rule.weights.iter().map(|w| w * s).collect())
            })
            .collect();
        let total: usize = q.iter().product();
        let points = (0..total)
            .map(|mut k| {
                let mut idx = vec![0; axes.len()];
                for j in (0..axes.len()).rev() {
                    idx[j] = k % q[j];
                    k /= q[j];
                }
                let x = (0..axes.len()).map(|j| axes[j].0[idx[j]]).collect();
                let w = (0..axes.len()).map(|j| axes[j].1[idx[j]]).product();
                (x, w)
            })
            .collect();
        Self::from_points(op, points)
    }

    fn from_points(op: &Overdamped, points: Vec<(Vec<f64>, f64)>) -> Self {
        let values = points.iter().map(|(x, _)| op.potential.value(x)).collect();
        Nodes { points, values }
    }

    /// log Σ_k w_k e^{−(L(x_k) + a·x_k)/D}.
    fn log_partition(&self, diffusion: f64, tilt: &[f64]) -> f64 {
        let logs: Vec<f64> =
            self.points.iter().zip(&self.values).map(|((x, w), v)| w.ln() - (v + dot(tilt, x)) / diffusion).collect();
        log_sum_exp(&logs)
    }

    /// A first-order bound on the rounding of [`Nodes::log_partition`]: each exponent
    /// l_k = ln w_k − (L_k + a·x_k)/D carries ≤ 4ε(|ln w_k| + |L_k + a·x_k|/D) (its three operations
    /// and the rounding of L_k), e^{l_k − m} adds ε(1 + |l_k − m|), the sum of n positive terms
    /// (n − 1)ε, and ln and the final addition ε(1 + |log Z|).
    /// `log_z` is [`Nodes::log_partition`] at the same tilt.
    fn log_partition_rounding(&self, diffusion: f64, tilt: &[f64], log_z: f64) -> f64 {
        let logs: Vec<(f64, f64)> = self
            .points
            .iter()
            .zip(&self.values)
            .map(|((x, w), v)| {
                let energy = (v + dot(tilt, x)) / diffusion;
                (w.ln() - energy, w.ln().abs() + energy.abs())
            })
            .collect();
        let m = logs.iter().map(|l| l.0).fold(f64::NEG_INFINITY, f64::max);
        let per_term = logs.iter().map(|(l, size)| 4.0 * size + 1.0 + (l - m).abs()).fold(0.0, f64::max);
        f64::EPSILON * (per_term + logs.len() as f64 + 1.0 + log_z.abs())
    }
}

/// log ∫ e^{−(L + a·w)/D} dw on the basis grid (log-sum-exp).
pub fn log_partition(op: &Overdamped, basis: &HermiteBasis, tilt: &[f64], q: &[usize]) -> f64 {
    Nodes::without_tables(op, basis, q).log_partition(op.diffusion, tilt)
}

/// The expansion of ‖h(t)‖² for the tilted initial density on `basis` (all eigenpairs).
pub fn expansion(op: &Overdamped, basis: &HermiteBasis, tilt: &[f64]) -> Result<Expansion> {
    crate::budget::check_memory(
        &format!("the eigen-expansion on a {}-function basis", basis.len()),
        op.factor_bytes(basis) + crate::eigen::factor_eigen_bytes(basis.len()),
        "use a coarser basis",
    )?;
    let pairs = lowest_from_owned_factor(op.factor(basis)?, basis.len())?;
    let q: Vec<usize> = basis.sizes.iter().map(|&n| op.nodes_for(n)).collect();
    let grid = basis.value_grid(&q);
    let nodes = Nodes::new(op, &grid);
    let log_z_inf = nodes.log_partition(op.diffusion, &vec![0.0; tilt.len()]);
    let log_z0 = nodes.log_partition(op.diffusion, tilt);
    let mut coeffs = vec![0.0; basis.len()];
    for (k, ((x, w), v)) in nodes.points.iter().zip(&nodes.values).enumerate() {
        let log_u0 = -v / (2.0 * op.diffusion) - dot(tilt, x) / op.diffusion + 0.5 * log_z_inf - log_z0;
        let wu = w * log_u0.exp();
        let idx = grid.node_index(k);
        for (c, alpha) in coeffs.iter_mut().zip(&basis.indices) {
            *c += wu * grid.basis_value(&idx, alpha);
        }
    }
    let weights = (0..pairs.values.len())
        .map(|k| {
            let c: f64 = pairs.vectors.col(k).iter().zip(&coeffs).map(|(v, a)| v * a).sum();
            c * c
        })
        .collect();
    Ok(Expansion { rates: pairs.values, weights })
}

/// Exact ‖h(0)‖² = Z_∞ Z_{2a} / Z_a² − 1 for the tilted initial density (independent check),
/// with a first-order bound on its rounding (the three log-partitions' bounds, the additions, and
/// expm1: |δ(e^E − 1)| ≤ (1 + |h|)|δE| + ε|h|).
pub fn initial_h_norm2(op: &Overdamped, basis: &HermiteBasis, tilt: &[f64]) -> (f64, f64) {
    let q: Vec<usize> = basis.sizes.iter().map(|&n| 2 * op.nodes_for(n)).collect();
    let two: Vec<f64> = tilt.iter().map(|a| 2.0 * a).collect();
    let zero = vec![0.0; tilt.len()];
    let nodes = Nodes::without_tables(op, basis, &q);
    let log_z = |a: &[f64]| nodes.log_partition(op.diffusion, a);
    let rounding = |a: &[f64], z: f64| nodes.log_partition_rounding(op.diffusion, a, z);
    let (z_inf, z_two, z_tilt) = (log_z(&zero), log_z(&two), log_z(tilt));
    let h = (z_inf + z_two - 2.0 * z_tilt).exp_m1();
    let exponent_rounding = rounding(&zero, z_inf)
        + rounding(&two, z_two)
        + 2.0 * rounding(tilt, z_tilt)
        + 2.0 * f64::EPSILON * (z_inf.abs() + z_two.abs() + 2.0 * z_tilt.abs());
    (h, (1.0 + h.abs()) * exponent_rounding + f64::EPSILON * h.abs())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// log Σ e^{x_i}.
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

//! What the chains record, and statistics over independent chains with 95 % confidence
//! intervals (normal quantile 1.96 times the standard error of the mean over chains).

use super::chain::{ChainState, Observer};
use crate::quantity::Quantity;

/// Normal 97.5 % quantile: half-width of a 95 % interval in standard errors.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Time averages of w and w∘w per coordinate after a burn-in, and the fraction of steps spent
/// nearest each of the given points (basins of well-separated minima).
pub struct Moments {
    /// Steps discarded before averaging.
    pub burn_in: usize,
    /// Dimension d.
    pub dim: usize,
    /// Reference points (e.g. minima); a step counts for the nearest one.
    pub centres: Vec<[f64; 3]>,
}

/// One chain's time averages (sums; divide by `count`).
#[derive(Debug, Clone, Default)]
pub struct MomentSums {
    /// Steps averaged.
    pub count: u64,
    /// Σ w_i.
    pub sum: [f64; 3],
    /// Σ w_i².
    pub sum_sq: [f64; 3],
    /// Steps nearest each centre.
    pub nearest: Vec<u64>,
}

impl Observer for Moments {
    type Record = MomentSums;
    fn start(&self, _chain: usize) -> MomentSums {
        MomentSums { nearest: vec![0; self.centres.len()], ..Default::default() }
    }
    #[inline]
    fn observe(&self, r: &mut MomentSums, step: usize, s: &ChainState) -> bool {
        if step > self.burn_in {
            r.count += 1;
            for i in 0..self.dim {
                r.sum[i] += s.w[i];
                r.sum_sq[i] += s.w[i] * s.w[i];
            }
            if !self.centres.is_empty() {
                let dist = |c: &[f64; 3]| (0..self.dim).map(|i| (s.w[i] - c[i]).powi(2)).sum::<f64>();
                let best = (0..self.centres.len())
                    .min_by(|&a, &b| dist(&self.centres[a]).total_cmp(&dist(&self.centres[b])))
                    .unwrap_or(0);
                r.nearest[best] += 1;
            }
        }
        true
    }
}

/// First step at which |w − target| ≤ radius; in d = 1 the first step at or beyond the ball's
/// near edge (a discrete chain can jump over a small interval, a diffusion cannot).
pub struct Passage {
    /// Target centre.
    pub target: [f64; 3],
    /// Target radius.
    pub radius: f64,
    /// Dimension d.
    pub dim: usize,
    /// In d = 1: (edge, direction): reached when direction·(w − edge) ≥ 0.
    pub half_line: Option<(f64, f64)>,
}

impl Passage {
    /// The target ball of `radius` around `target`, approached from `start`.
    pub fn new(start: &[f64], target: &[f64], radius: f64) -> Passage {
        let dim = target.len();
        let mut t = [0.0; 3];
        t[..dim].copy_from_slice(target);
        let half_line = (dim == 1).then(|| {
            let direction = if start[0] < target[0] { 1.0 } else { -1.0 };
            (target[0] - direction * radius, direction)
        });
        Passage { target: t, radius, dim, half_line }
    }
}

impl Observer for Passage {
    type Record = Option<usize>;
    fn start(&self, _chain: usize) -> Option<usize> {
        None
    }
    #[inline]
    fn observe(&self, r: &mut Option<usize>, step: usize, s: &ChainState) -> bool {
        let reached = match self.half_line {
            Some((edge, direction)) => direction * (s.w[0] - edge) >= 0.0,
            None => (0..self.dim).map(|i| (s.w[i] - self.target[i]).powi(2)).sum::<f64>() <= self.radius * self.radius,
        };
        if reached {
            *r = Some(step);
            return false;
        }
        true
    }
}

/// The state w at given steps (ascending).
pub struct Snapshots {
    /// Steps at which w is kept.
    pub at: Vec<usize>,
}

impl Observer for Snapshots {
    type Record = Vec<[f64; 3]>;
    fn start(&self, _chain: usize) -> Vec<[f64; 3]> {
        Vec::with_capacity(self.at.len())
    }
    #[inline]
    fn observe(&self, r: &mut Vec<[f64; 3]>, step: usize, s: &ChainState) -> bool {
        if self.at.get(r.len()) == Some(&step) {
            r.push(s.w);
        }
        r.len() < self.at.len()
    }
}

/// Mean over chains with a 95 % interval: value ± 1.96·s/√C.
pub fn mean_over_chains(values: &[f64]) -> Quantity {
    let c = values.len() as f64;
    let mean = values.iter().sum::<f64>() / c;
    if values.len() < 2 {
        return Quantity::new(mean, f64::INFINITY);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (c - 1.0);
    Quantity::new(mean, Z95 * (var / c).sqrt())
}

/// Per-coordinate stationary mean and variance from chains' time averages, with 95 % intervals
/// over chains (the variance's by the delta method: u_c = m2_c − 2 μ m1_c).
pub fn mean_and_variance(records: &[MomentSums], dim: usize) -> (Vec<Quantity>, Vec<Quantity>) {
    let mut means = Vec::with_capacity(dim);
    let mut variances = Vec::with_capacity(dim);
    for i in 0..dim {
        let m1: Vec<f64> = records.iter().map(|r| r.sum[i] / r.count as f64).collect();
        let m2: Vec<f64> = records.iter().map(|r| r.sum_sq[i] / r.count as f64).collect();
        let mean = mean_over_chains(&m1);
        let second = mean_over_chains(&m2);
        let u: Vec<f64> = m1.iter().zip(&m2).map(|(a, b)| b - 2.0 * mean.value * a).collect();
        let spread = mean_over_chains(&u);
        means.push(mean);
        variances.push(Quantity::new(second.value - mean.value * mean.value, spread.error));
    }
    (means, variances)
}

/// Fraction of post-burn-in steps nearest each centre, with 95 % intervals over chains.
pub fn basin_fractions(records: &[MomentSums]) -> Vec<Quantity> {
    let k = records.first().map_or(0, |r| r.nearest.len());
    (0..k)
        .map(|j| {
            let f: Vec<f64> = records.iter().map(|r| r.nearest[j] as f64 / r.count as f64).collect();
            mean_over_chains(&f)
        })
        .collect()
}

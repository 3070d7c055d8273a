//! The finite-sum noise of mini-batch SGD. The risk is L(w) = (1/N) Σ_n L_n(w) with
//! L_n(w) = L(w) + c_n·w, so ∇L_n = ∇L + c_n and the mini-batch gradient is
//! ∇L(w) + c̄_B, c̄_B = (1/M) Σ_{n∈B} c_n: an additive noise whose law is that of the
//! algorithm itself (a mean over a finite set), not a Gaussian.
//!
//! The shifts c_n are drawn once from a seeded N(0, I), centred (Σ_n c_n = 0) and whitened so
//! that their empirical covariance is exactly β·I: (1/N) Σ_n c_n c_nᵀ = β I. Then
//! - with replacement (M independent uniform indices), Cov c̄_B = (β/M) I exactly, and the
//!   overdamped diffusion is D = γβ/(2M);
//! - without replacement (M distinct indices), Cov c̄_B = (β/M)·(N − M)/(N − 1)·I (the
//!   finite-population factor), so D = γβ(N − M)/(2M(N − 1)).

use crate::error::{EngineError, Result};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// How the M indices of a mini-batch are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// M independent uniform indices: per-step noise covariance (β/M)·I.
    WithReplacement,
    /// M distinct indices: per-step noise covariance (β/M)·(N − M)/(N − 1)·I.
    WithoutReplacement,
}

/// The shifts c_n, n = 1..N, stored row by row (N × d).
#[derive(Debug, Clone)]
pub struct SampleShifts {
    /// c_n in row n.
    pub shifts: Vec<[f64; 3]>,
    /// Dimension d.
    pub dim: usize,
    /// β: the exact empirical covariance scale.
    pub beta: f64,
    /// The first coordinates of the c_n, contiguous (the d = 1 hot path).
    first: Vec<f64>,
}

impl SampleShifts {
    /// N seeded shifts with empirical mean 0 and empirical covariance exactly β I.
    pub fn new(samples: usize, dim: usize, beta: f64, seed: u64) -> Result<Self> {
        if samples <= dim + 1 {
            return Err(EngineError::InvalidParameter(format!(
                "the number of samples N must exceed d + 1 = {} to give a full-rank covariance, got {samples}",
                dim + 1
            )));
        }
        if !(beta.is_finite() && beta > 0.0) {
            return Err(EngineError::InvalidParameter(format!("the noise scale β must be positive, got {beta}")));
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5EED_5A3B_1E5D_0001);
        let mut shifts: Vec<[f64; 3]> = (0..samples)
            .map(|_| {
                let mut c = [0.0; 3];
                c.iter_mut().take(dim).for_each(|x| *x = rng.sample(StandardNormal));
                c
            })
            .collect();
        whiten(&mut shifts, dim, beta)?;
        let first = shifts.iter().map(|c| c[0]).collect();
        Ok(SampleShifts { shifts, dim, beta, first })
    }

    /// N.
    pub fn len(&self) -> usize {
        self.shifts.len()
    }

    /// Whether there are no shifts (never, by construction).
    pub fn is_empty(&self) -> bool {
        self.shifts.is_empty()
    }

    /// Per-step noise variance per coordinate of the batch mean c̄_B: β/M, times (N − M)/(N − 1)
    /// without replacement.
    pub fn batch_variance(&self, batch: usize, sampling: Sampling) -> f64 {
        let n = self.len() as f64;
        let m = batch as f64;
        match sampling {
            Sampling::WithReplacement => self.beta / m,
            Sampling::WithoutReplacement => self.beta / m * (n - m) / (n - 1.0),
        }
    }

    /// Empirical third and fourth cumulants of one coordinate of c_n, largest over coordinates in
    /// magnitude: (κ₃, κ₄). For Gaussian shifts both are O(β^{k/2}/√N).
    pub fn cumulants(&self) -> (f64, f64) {
        let n = self.len() as f64;
        let mut k3: f64 = 0.0;
        let mut k4: f64 = 0.0;
        for j in 0..self.dim {
            let m3 = self.shifts.iter().map(|c| c[j].powi(3)).sum::<f64>() / n;
            let m4 = self.shifts.iter().map(|c| c[j].powi(4)).sum::<f64>() / n;
            let c4 = m4 - 3.0 * self.beta * self.beta;
            if m3.abs() > k3.abs() {
                k3 = m3;
            }
            if c4.abs() > k4.abs() {
                k4 = c4;
            }
        }
        (k3, k4)
    }
}

/// Centres the rows and maps them by √β·R⁻ᵀ, R the Cholesky factor of their empirical covariance,
/// so that (1/N) Σ c cᵀ = β I to rounding.
fn whiten(shifts: &mut [[f64; 3]], dim: usize, beta: f64) -> Result<()> {
    let n = shifts.len() as f64;
    for j in 0..dim {
        let mean = shifts.iter().map(|c| c[j]).sum::<f64>() / n;
        shifts.iter_mut().for_each(|c| c[j] -= mean);
    }
    let cov = DMatrix::from_fn(dim, dim, |i, j| shifts.iter().map(|c| c[i] * c[j]).sum::<f64>() / n);
    let chol = cov
        .cholesky()
        .ok_or_else(|| EngineError::Numerical("the sample covariance of the shifts is singular".into()))?;
    let inv_l = chol.l().try_inverse().ok_or_else(|| EngineError::Numerical("singular Cholesky factor".into()))?;
    let scale = beta.sqrt();
    for c in shifts.iter_mut() {
        let mut out = [0.0; 3];
        for (i, o) in out.iter_mut().enumerate().take(dim) {
            *o = scale * (0..dim).map(|k| inv_l[(i, k)] * c[k]).sum::<f64>();
        }
        *c = out;
    }
    Ok(())
}

/// Draws mini-batch means c̄_B with a chain's own generator; the index buffer for sampling
/// without replacement is allocated once per chain.
pub struct BatchSampler<'a> {
    shifts: &'a SampleShifts,
    batch: usize,
    sampling: Sampling,
    /// A permutation of 0..N, partially reshuffled at each draw (without replacement).
    order: Vec<u32>,
    /// log2 N when N is a power of two (indices are then bit fields of one 64-bit draw).
    bits: Option<u32>,
}

impl<'a> BatchSampler<'a> {
    /// A sampler of batches of size `batch`.
    pub fn new(shifts: &'a SampleShifts, batch: usize, sampling: Sampling) -> Self {
        let n = shifts.len();
        let order = match sampling {
            Sampling::WithoutReplacement => (0..n as u32).collect(),
            Sampling::WithReplacement => Vec::new(),
        };
        let bits = n.is_power_of_two().then(|| n.trailing_zeros()).filter(|&b| b > 0 && b <= 32);
        BatchSampler { shifts, batch, sampling, order, bits }
    }

    /// Writes c̄_B = (1/M) Σ_{n∈B} c_n into `out` (length d).
    #[inline]
    pub fn draw<R: Rng>(&mut self, rng: &mut R, out: &mut [f64; 3]) {
        if self.shifts.dim == 1 && self.sampling == Sampling::WithReplacement {
            if let Some(bits) = self.bits {
                out[0] = self.draw_scalar(rng, bits);
                return;
            }
        }
        let mut sum = [0.0; 3];
        let c = &self.shifts.shifts;
        match self.sampling {
            Sampling::WithReplacement => match self.bits {
                Some(bits) => {
                    let per_word = (64 / bits) as usize;
                    let mask = (1u64 << bits) - 1;
                    let mut left = self.batch;
                    while left > 0 {
                        let mut word: u64 = rng.random();
                        for _ in 0..per_word.min(left) {
                            add(&mut sum, &c[(word & mask) as usize]);
                            word >>= bits;
                        }
                        left -= per_word.min(left);
                    }
                }
                None => {
                    for _ in 0..self.batch {
                        add(&mut sum, &c[rng.random_range(0..c.len())]);
                    }
                }
            },
            Sampling::WithoutReplacement => {
                // Partial Fisher–Yates: the first M slots become a uniform M-subset.
                let n = self.order.len();
                for k in 0..self.batch {
                    let j = rng.random_range(k..n);
                    self.order.swap(k, j);
                    add(&mut sum, &c[self.order[k] as usize]);
                }
            }
        }
        let inv = 1.0 / self.batch as f64;
        for (o, s) in out.iter_mut().zip(sum) {
            *o = s * inv;
        }
    }
}

impl BatchSampler<'_> {
    /// d = 1, with replacement, N = 2^bits: the batch mean of the first coordinates.
    #[inline]
    fn draw_scalar<R: Rng>(&mut self, rng: &mut R, bits: u32) -> f64 {
        let c = &self.shifts.first;
        let per_word = (64 / bits) as usize;
        let mask = (1u64 << bits) - 1;
        let mut sum = 0.0;
        let mut left = self.batch;
        while left > 0 {
            let mut word: u64 = rng.random();
            let take = per_word.min(left);
            for _ in 0..take {
                sum += c[(word & mask) as usize];
                word >>= bits;
            }
            left -= take;
        }
        sum / self.batch as f64
    }
}

#[inline]
fn add(sum: &mut [f64; 3], c: &[f64; 3]) {
    sum[0] += c[0];
    sum[1] += c[1];
    sum[2] += c[2];
}

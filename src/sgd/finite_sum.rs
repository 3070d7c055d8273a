//! Mini-batch SGD and momentum SGD on a finite sum of per-sample risks,
//! L(w) = (1/N) Σ_n ℓ_n(w), the batch gradient being (1/M) Σ_{n∈B_k} ∇ℓ_n(w_k) exactly as the
//! algorithm computes it: the noise ∇L_B − ∇L is the samples' own (state-dependent, anisotropic,
//! non-Gaussian), not an additive model. The per-sample gradients come from any
//! [`SampleGradients`] oracle; the recursions are those of [`super::chain`].
//!
//! With replacement (M independent uniform indices) the batch noise at w has covariance
//! Σ(w)/M, Σ(w) = (1/N) Σ_n (∇ℓ_n − ∇L)(∇ℓ_n − ∇L)ᵀ; without replacement, Σ(w)/M times
//! (N − M)/(N − 1).
//!
//! Chain c draws from [`chain_rng`]`(seed, c)` alone, so results are identical for any thread
//! count; a step allocates nothing (the index buffer of sampling without replacement is
//! allocated once per chain).

use super::chain::{chain_rng, Algorithm, ChainState, Method, Observer, DIVERGENCE_BOUND};
use super::noise::Sampling;
use super::observe::mean_over_chains;
use crate::error::{EngineError, Result};
use crate::quantity::Quantity;
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// A finite family of per-sample risks ℓ_n, n = 0..N, by their gradients.
pub trait SampleGradients: Sync {
    /// Dimension d (1 ≤ d ≤ 3).
    fn dim(&self) -> usize;
    /// Number of samples N.
    fn len(&self) -> usize;
    /// Whether there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Adds ∇ℓ_n(w) to `out` (both of length d).
    fn add_gradient(&self, n: usize, w: &[f64], out: &mut [f64]);

    /// ∇L(w) = (1/N) Σ_n ∇ℓ_n(w).
    fn mean_gradient(&self, w: &[f64]) -> Vec<f64> {
        let mut g = vec![0.0; self.dim()];
        (0..self.len()).for_each(|n| self.add_gradient(n, w, &mut g));
        g.iter().map(|v| v / self.len() as f64).collect()
    }

    /// Σ(w) = (1/N) Σ_n (∇ℓ_n − ∇L)(∇ℓ_n − ∇L)ᵀ, row-major d × d.
    fn gradient_covariance(&self, w: &[f64]) -> Vec<Vec<f64>> {
        let d = self.dim();
        let mean = self.mean_gradient(w);
        let mut s = vec![vec![0.0; d]; d];
        for n in 0..self.len() {
            let mut g = vec![0.0; d];
            self.add_gradient(n, w, &mut g);
            for i in 0..d {
                for j in 0..d {
                    s[i][j] += (g[i] - mean[i]) * (g[j] - mean[j]) / self.len() as f64;
                }
            }
        }
        s
    }
}

/// Draws the M indices of a batch with a chain's generator.
struct IndexSampler {
    samples: usize,
    batch: usize,
    sampling: Sampling,
    /// A permutation of 0..N, partially reshuffled at each draw (without replacement).
    order: Vec<usize>,
}

impl IndexSampler {
    fn new(samples: usize, batch: usize, sampling: Sampling) -> Self {
        let order = match sampling {
            Sampling::WithoutReplacement => (0..samples).collect(),
            Sampling::WithReplacement => Vec::new(),
        };
        IndexSampler { samples, batch, sampling, order }
    }

    /// Adds (1/M) Σ_{n∈B} ∇ℓ_n(w) to `out` for a fresh batch B.
    #[inline]
    fn add_batch_gradient<S: SampleGradients, R: Rng>(&mut self, risks: &S, rng: &mut R, w: &[f64], out: &mut [f64]) {
        let mut sum = [0.0; 3];
        let d = out.len();
        match self.sampling {
            Sampling::WithReplacement => {
                for _ in 0..self.batch {
                    risks.add_gradient(rng.random_range(0..self.samples), w, &mut sum[..d]);
                }
            }
            Sampling::WithoutReplacement => {
                // Partial Fisher–Yates: the first M slots become a uniform M-subset.
                for k in 0..self.batch {
                    let j = rng.random_range(k..self.samples);
                    self.order.swap(k, j);
                    risks.add_gradient(self.order[k], w, &mut sum[..d]);
                }
            }
        }
        let inv = 1.0 / self.batch as f64;
        out.iter_mut().zip(sum).for_each(|(o, s)| *o += s * inv);
    }
}

/// Runs `chains` chains of the algorithm on the finite sum `risks` for at most `steps` steps
/// each from `initial(chain, rng)`, recording with `observer`. Refuses a run in which a chain
/// leaves |w| ≤ [`DIVERGENCE_BOUND`].
pub fn simulate_samples<S: SampleGradients, O: Observer>(
    risks: &S,
    algorithm: Algorithm,
    initial: &(dyn Fn(usize, &mut Xoshiro256PlusPlus) -> ChainState + Sync),
    chains: usize,
    steps: usize,
    seed: u64,
    observer: &O,
) -> Result<Vec<O::Record>> {
    algorithm.validate(risks.len())?;
    let records: Vec<std::result::Result<O::Record, usize>> = (0..chains)
        .into_par_iter()
        .with_min_len(4)
        .map(|c| run_chain(risks, algorithm, initial, c, steps, seed, observer))
        .collect();
    records
        .into_iter()
        .enumerate()
        .map(|(c, r)| {
            r.map_err(|step| {
                EngineError::InvalidParameter(format!(
                    "the recursion diverges at γ = {} on this finite sum (chain {c} left |w| ≤ {DIVERGENCE_BOUND:e} at \
                     step {step}): lower the learning rate",
                    algorithm.lr
                ))
            })
        })
        .collect()
}

/// One chain; Err(step) when it diverged.
fn run_chain<S: SampleGradients, O: Observer>(
    risks: &S,
    algorithm: Algorithm,
    initial: &(dyn Fn(usize, &mut Xoshiro256PlusPlus) -> ChainState + Sync),
    chain: usize,
    steps: usize,
    seed: u64,
    observer: &O,
) -> std::result::Result<O::Record, usize> {
    let mut rng = chain_rng(seed, chain);
    let mut state = initial(chain, &mut rng);
    let mut sampler = IndexSampler::new(risks.len(), algorithm.batch, algorithm.sampling);
    let mut record = observer.start(chain);
    let d = risks.dim();
    let (lr, xi) = (algorithm.lr, algorithm.momentum());
    let momentum = matches!(algorithm.method, Method::Momentum { .. });
    for step in 1..=steps {
        let mut grad = [0.0; 3];
        sampler.add_batch_gradient(risks, &mut rng, &state.w[..d], &mut grad[..d]);
        let mut size: f64 = 0.0;
        for ((w, z), g) in state.w.iter_mut().zip(state.z.iter_mut()).zip(grad).take(d) {
            if momentum {
                *z = xi * *z - lr * g;
                *w += *z;
            } else {
                *w -= lr * g;
            }
            size = size.max(w.abs());
        }
        if size.is_nan() || size > DIVERGENCE_BOUND {
            return Err(step);
        }
        if !observer.observe(&mut record, step, &state) {
            break;
        }
    }
    Ok(record)
}

/// Time averages of w and w wᵀ after a burn-in.
pub struct Covariance {
    /// Steps discarded before averaging.
    pub burn_in: usize,
    /// Dimension d.
    pub dim: usize,
}

/// One chain's sums (divide by `count`).
#[derive(Debug, Clone, Default)]
pub struct CovarianceSums {
    /// Steps averaged.
    pub count: u64,
    /// Σ w_i.
    pub sum: [f64; 3],
    /// Σ w_i w_j.
    pub outer: [[f64; 3]; 3],
}

impl Observer for Covariance {
    type Record = CovarianceSums;
    fn start(&self, _chain: usize) -> CovarianceSums {
        CovarianceSums::default()
    }
    #[inline]
    fn observe(&self, r: &mut CovarianceSums, step: usize, s: &ChainState) -> bool {
        if step > self.burn_in {
            r.count += 1;
            for i in 0..self.dim {
                r.sum[i] += s.w[i];
                for j in 0..self.dim {
                    r.outer[i][j] += s.w[i] * s.w[j];
                }
            }
        }
        true
    }
}

/// Stationary mean (per coordinate) and covariance (row-major d × d) over chains, with 95 %
/// intervals; the covariance's by the delta method, u_c = m_ij,c − μ_j m_i,c − μ_i m_j,c.
pub fn mean_and_covariance(records: &[CovarianceSums], dim: usize) -> (Vec<Quantity>, Vec<Vec<Quantity>>) {
    let first = |i: usize| records.iter().map(|r| r.sum[i] / r.count as f64).collect::<Vec<f64>>();
    let means: Vec<Quantity> = (0..dim).map(|i| mean_over_chains(&first(i))).collect();
    let cov = (0..dim)
        .map(|i| {
            (0..dim)
                .map(|j| {
                    let second: Vec<f64> = records.iter().map(|r| r.outer[i][j] / r.count as f64).collect();
                    let (mi, mj) = (means[i].value, means[j].value);
                    let u: Vec<f64> = records
                        .iter()
                        .zip(&second)
                        .map(|(r, s)| s - mj * r.sum[i] / r.count as f64 - mi * r.sum[j] / r.count as f64)
                        .collect();
                    let value = mean_over_chains(&second).value - mi * mj;
                    Quantity::new(value, mean_over_chains(&u).error)
                })
                .collect()
        })
        .collect();
    (means, cov)
}

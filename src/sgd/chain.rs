//! Many independent chains of mini-batch SGD, w_{k+1} = w_k − γ(∇L(w_k) + c̄_{B_k}), or momentum
//! SGD (the (z, w) recursion below), each with its own random stream, advanced in parallel over chains.
//!
//! Chain c uses a Xoshiro256++ generator seeded from (seed, c) alone, so every number is the
//! same for any thread count and any run. A step allocates nothing: the state is a pair of
//! [f64; 3] and the gradient and batch-noise buffers live on the stack.

use super::gradient::RiskGradient;
use super::lanes::{run_lanes, Columns, LANES};
use super::noise::{BatchSampler, SampleShifts, Sampling};
use crate::error::{EngineError, Result};
use rand::SeedableRng;
pub use rand_xoshiro::Xoshiro256PlusPlus as ChainRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The recursion advanced at each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Mini-batch SGD: w_{k+1} = w_k − γ (∇L(w_k) + c̄_{B_k}).
    Sgd,
    /// Momentum SGD: z_{k+1} = ξ z_k − γ (∇L(w_k) + c̄_{B_k}), w_{k+1} = w_k + z_{k+1}.
    Momentum {
        /// ξ in (0, 1).
        momentum: f64,
    },
}

/// The algorithm's hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Algorithm {
    /// Learning rate γ > 0.
    pub lr: f64,
    /// Batch size M ≥ 1.
    pub batch: usize,
    /// How batches are drawn.
    pub sampling: Sampling,
    /// SGD or momentum SGD.
    pub method: Method,
}

impl Algorithm {
    /// Refuses γ ≤ 0, M < 1, M > N without replacement and ξ outside (0, 1).
    pub fn validate(&self, samples: usize) -> Result<()> {
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(EngineError::InvalidParameter(format!(
                "the learning rate γ must be positive, got {}",
                self.lr
            )));
        }
        if self.batch < 1 {
            return Err(EngineError::InvalidParameter("the batch size M must be at least 1".into()));
        }
        if self.sampling == Sampling::WithoutReplacement && self.batch > samples {
            return Err(EngineError::InvalidParameter(format!(
                "a batch of M = {} distinct samples needs M ≤ N = {samples} (sampling without replacement)",
                self.batch
            )));
        }
        if let Method::Momentum { momentum } = self.method {
            if !(momentum.is_finite() && momentum > 0.0 && momentum < 1.0) {
                return Err(EngineError::InvalidParameter(format!("momentum ξ must lie in (0, 1), got {momentum}")));
            }
        }
        Ok(())
    }

    /// ξ, or 0 for plain SGD.
    pub fn momentum(&self) -> f64 {
        match self.method {
            Method::Sgd => 0.0,
            Method::Momentum { momentum } => momentum,
        }
    }

    /// SDE time per step: γ for SGD (overdamped SDE), √γ for momentum SGD (kinetic SDE).
    pub fn time_per_step(&self) -> f64 {
        match self.method {
            Method::Sgd => self.lr,
            Method::Momentum { .. } => self.lr.sqrt(),
        }
    }
}

/// One chain's state: parameters w and momentum z (zero and unused for SGD).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChainState {
    /// w_k (first d entries).
    pub w: [f64; 3],
    /// z_k (first d entries).
    pub z: [f64; 3],
}

/// A run's problem: the risk's gradient, its finite-sum shifts and the algorithm.
pub struct Problem<'a> {
    /// ∇L.
    pub gradient: &'a RiskGradient<'a>,
    /// The shifts c_n.
    pub shifts: &'a SampleShifts,
    /// γ, M, sampling, method.
    pub algorithm: Algorithm,
}

/// What a run records of each chain: an accumulator updated after every step.
pub trait Observer: Sync {
    /// Per-chain record.
    type Record: Send;
    /// An empty record for chain `chain`.
    fn start(&self, chain: usize) -> Self::Record;
    /// Called with the state after step `step` (1-based); returning false stops the chain.
    fn observe(&self, record: &mut Self::Record, step: usize, state: &ChainState) -> bool;
}

/// Generator of chain `chain` under run seed `seed` (a SplitMix64 mix of both).
pub fn chain_rng(seed: u64, chain: usize) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(chain_seed(seed, chain))
}

/// The 64-bit seed of [`chain_rng`]`(seed, chain)`.
pub(super) fn chain_seed(seed: u64, chain: usize) -> u64 {
    let mix = |mut x: u64| {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    };
    mix(seed ^ mix(chain as u64))
}

/// Largest |w| or |z| coordinate before a chain counts as diverged.
pub const DIVERGENCE_BOUND: f64 = 1e12;

/// Runs `chains` chains for at most `steps` steps each from `initial(chain, rng)`, recording with
/// `observer`. Refuses a run in which some chain leaves |w| ≤ [`DIVERGENCE_BOUND`] (the recursion
/// diverges at this step size). `progress` is told the number of chains finished.
pub fn simulate<O: Observer>(
    problem: &Problem,
    initial: &(dyn Fn(usize, &mut Xoshiro256PlusPlus) -> ChainState + Sync),
    chains: usize,
    steps: usize,
    seed: u64,
    observer: &O,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<Vec<O::Record>> {
    problem.algorithm.validate(problem.shifts.len())?;
    let finished = AtomicUsize::new(0);
    let tick = || {
        let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = progress {
            p(done);
        }
    };
    let records: Vec<std::result::Result<O::Record, usize>> = match Columns::new(problem) {
        Some(columns) => {
            // One lane set per worker thread, each refilled from the shared chain counter.
            let next = AtomicUsize::new(0);
            let workers = rayon::current_num_threads().min(chains.div_ceil(LANES)).max(1);
            let ran: Vec<Vec<_>> = (0..workers)
                .into_par_iter()
                .map(|_| run_lanes(problem, &columns, initial, &next, chains, steps, seed, observer, &tick))
                .collect();
            let mut by_chain: Vec<Option<_>> = (0..chains).map(|_| None).collect();
            for (chain, outcome) in ran.into_iter().flatten() {
                by_chain[chain] = Some(outcome);
            }
            by_chain.into_iter().map(|r| r.expect("every chain ran")).collect()
        }
        None => (0..chains)
            .into_par_iter()
            .with_min_len(4)
            .map(|c| {
                let out = run_chain(problem, initial, c, steps, seed, observer);
                tick();
                out
            })
            .collect(),
    };
    records
        .into_iter()
        .enumerate()
        .map(|(c, r)| {
            r.map_err(|step| {
                EngineError::InvalidParameter(format!(
                    "the recursion diverges at γ = {} on this risk (chain {c} left |w| ≤ {DIVERGENCE_BOUND:e} at step \
                     {step}): lower the learning rate",
                    problem.algorithm.lr
                ))
            })
        })
        .collect()
}

/// One step of the recursion from `state` with batch noise c̄_B = `noise`: w ← w − γ(∇L(w) + c̄_B)
/// for SGD, z ← ξz − γ(∇L(w) + c̄_B), w ← w + z with momentum. False when the chain left
/// |w| ≤ [`DIVERGENCE_BOUND`] (or became NaN).
#[inline]
pub(super) fn step_state(problem: &Problem, state: &mut ChainState, noise: &[f64; 3]) -> bool {
    let d = problem.shifts.dim;
    let lr = problem.algorithm.lr;
    let mut grad = [0.0; 3];
    problem.gradient.eval(&state.w[..d], &mut grad[..d]);
    let mut size: f64 = 0.0;
    match problem.algorithm.method {
        Method::Momentum { momentum: xi } => {
            for i in 0..d {
                state.z[i] = xi * state.z[i] - lr * (grad[i] + noise[i]);
                state.w[i] += state.z[i];
                size = size.max(state.w[i].abs());
            }
        }
        Method::Sgd => {
            for i in 0..d {
                state.w[i] -= lr * (grad[i] + noise[i]);
                size = size.max(state.w[i].abs());
            }
        }
    }
    !(size.is_nan() || size > DIVERGENCE_BOUND)
}

/// One chain by the one-chain loop (sampling without replacement, or N not a power of two);
/// Err(step) when it diverged.
pub(super) fn run_chain<O: Observer>(
    problem: &Problem,
    initial: &(dyn Fn(usize, &mut Xoshiro256PlusPlus) -> ChainState + Sync),
    chain: usize,
    steps: usize,
    seed: u64,
    observer: &O,
) -> std::result::Result<O::Record, usize> {
    let mut rng = chain_rng(seed, chain);
    let mut state = initial(chain, &mut rng);
    let mut sampler = BatchSampler::new(problem.shifts, problem.algorithm.batch, problem.algorithm.sampling);
    let mut record = observer.start(chain);
    let mut noise = [0.0; 3];
    for step in 1..=steps {
        sampler.draw(&mut rng, &mut noise);
        if !step_state(problem, &mut state, &noise) {
            return Err(step);
        }
        if !observer.observe(&mut record, step, &state) {
            break;
        }
    }
    Ok(record)
}

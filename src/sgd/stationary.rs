//! The stationary law of the iterates, simulated: chains started from the Fokker–Planck law
//! (so that the burn-in only has to remove the O(γ) discretisation bias, not to cross barriers),
//! run for a burn-in, then time-averaged; 95 % intervals over independent chains.

use super::chain::{simulate, Algorithm, ChainState, Method, Problem};
use super::gibbs::GridLaw;
use super::gradient::RiskGradient;
use super::noise::{SampleShifts, Sampling};
use super::observe::{basin_fractions, mean_and_variance, Moments};
use crate::error::Result;
use crate::potential::Potential;
use crate::quantity::Quantity;
use rand_distr::{Distribution, Normal};

/// The overdamped diffusion D = γ s²/2 of the algorithm (s² the per-step noise variance per
/// coordinate: β/M, times (N − M)/(N − 1) without replacement).
pub fn diffusion(shifts: &SampleShifts, algorithm: &Algorithm) -> f64 {
    algorithm.lr * shifts.batch_variance(algorithm.batch, algorithm.sampling) / 2.0
}

/// The temperature of the w-marginal of the Fokker–Planck stationary law: D for SGD ((5),
/// Lemma 3), D_v/g = D/(1 − ξ) for momentum SGD ((9), Lemma 4).
pub fn temperature(shifts: &SampleShifts, algorithm: &Algorithm) -> f64 {
    diffusion(shifts, algorithm) / (1.0 - algorithm.momentum())
}

/// Run lengths of a stationary simulation.
#[derive(Debug, Clone)]
pub struct StationaryPlan {
    /// Independent chains.
    pub chains: usize,
    /// Steps per chain, burn-in included.
    pub steps: usize,
    /// Steps discarded.
    pub burn_in: usize,
    /// Run seed.
    pub seed: u64,
    /// Points whose nearest-point fractions are recorded (e.g. the minima).
    pub centres: Vec<[f64; 3]>,
}

/// Simulated stationary statistics with 95 % intervals.
#[derive(Debug, Clone)]
pub struct StationaryEstimate {
    /// Mean per coordinate.
    pub mean: Vec<Quantity>,
    /// Variance per coordinate.
    pub variance: Vec<Quantity>,
    /// Fraction of steps nearest each centre.
    pub fractions: Vec<Quantity>,
}

/// Simulates the stationary law of the algorithm on `potential` with shifts `shifts`.
pub fn simulate_stationary(
    potential: &Potential,
    shifts: &SampleShifts,
    algorithm: Algorithm,
    plan: &StationaryPlan,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<StationaryEstimate> {
    algorithm.validate(shifts.len())?;
    let dim = potential.dim();
    let temp = temperature(shifts, &algorithm);
    let start = GridLaw::new(
        potential,
        temp,
        if dim == 1 {
            2000
        } else if dim == 2 {
            200
        } else {
            60
        },
    )?;
    let z_sd = match algorithm.method {
        Method::Sgd => 0.0,
        Method::Momentum { .. } => (algorithm.lr * temp).sqrt(),
    };
    let normal = Normal::new(0.0, z_sd.max(f64::MIN_POSITIVE)).expect("finite sd");
    let initial = |_c: usize, rng: &mut rand_xoshiro::Xoshiro256PlusPlus| {
        let w = start.sample(rng);
        let mut z = [0.0; 3];
        if z_sd > 0.0 {
            z.iter_mut().take(dim).for_each(|x| *x = normal.sample(rng));
        }
        ChainState { w, z }
    };
    let gradient = RiskGradient::new(potential);
    let problem = Problem { gradient: &gradient, shifts, algorithm };
    let observer = Moments { burn_in: plan.burn_in, dim, centres: plan.centres.clone() };
    let records = simulate(&problem, &initial, plan.chains, plan.steps, plan.seed, &observer, progress)?;
    let (mean, variance) = mean_and_variance(&records, dim);
    Ok(StationaryEstimate { mean, variance, fractions: basin_fractions(&records) })
}

/// Default sampling of the finite-sum noise.
pub const DEFAULT_SAMPLING: Sampling = Sampling::WithReplacement;

//! Escape times of the algorithm: chains started at a point (z = 0), run until they reach the
//! target ball (in d = 1 its near edge), counted in steps and converted to the SDE's time
//! (t = kγ for SGD against the overdamped SDE, t = k√γ for momentum SGD against the kinetic one).

use super::chain::{simulate, Algorithm, ChainState, Problem};
use super::gradient::RiskGradient;
use super::noise::SampleShifts;
use super::observe::{mean_over_chains, Passage};
use crate::error::Result;
use crate::potential::Potential;
use crate::quantity::Quantity;

/// Steps to the target: the mean over escaped chains with its 95 % interval, and how many chains
/// had not escaped within the step budget (then the mean is biased low and not reported as final).
#[derive(Debug, Clone)]
pub struct EscapeEstimate {
    /// Mean steps, over the chains that escaped.
    pub steps: Quantity,
    /// Chains run.
    pub chains: usize,
    /// Chains still out of the target after `max_steps`.
    pub censored: usize,
    /// Step budget per chain.
    pub max_steps: usize,
}

impl EscapeEstimate {
    /// Mean time t = steps × (γ or √γ) with its interval.
    pub fn time(&self, algorithm: &Algorithm) -> Quantity {
        let dt = algorithm.time_per_step();
        Quantity::new(self.steps.value * dt, self.steps.error * dt)
    }
}

/// Runs `chains` chains from `start` until each reaches the ball of `radius` around `target` or
/// `max_steps` pass.
#[allow(clippy::too_many_arguments)]
pub fn simulate_escape(
    potential: &dyn Potential,
    shifts: &SampleShifts,
    algorithm: Algorithm,
    start: &[f64],
    target: &[f64],
    radius: f64,
    chains: usize,
    max_steps: usize,
    seed: u64,
    progress: Option<&(dyn Fn(usize) + Sync)>,
) -> Result<EscapeEstimate> {
    let gradient = RiskGradient::new(potential);
    let problem = Problem { gradient: &gradient, shifts, algorithm };
    let mut w = [0.0; 3];
    w[..start.len()].copy_from_slice(start);
    let initial = move |_c: usize, _r: &mut rand_xoshiro::Xoshiro256PlusPlus| ChainState { w, z: [0.0; 3] };
    let observer = Passage::new(start, target, radius);
    let records = simulate(&problem, &initial, chains, max_steps, seed, &observer, progress)?;
    let hits: Vec<f64> = records.iter().filter_map(|r| r.map(|k| k as f64)).collect();
    let censored = chains - hits.len();
    let steps = if hits.is_empty() { Quantity::new(max_steps as f64, f64::INFINITY) } else { mean_over_chains(&hits) };
    Ok(EscapeEstimate { steps, chains, censored, max_steps })
}

//! Seeded Euler–Maruyama ensembles of the Itô SDE
//!   dW = −∇L(W) dt + √(2 D(W)) dB,   D(w) = γβ(w)/2M,
//! for constant or state-dependent diffusion. Paths are split into fixed chunks, each with its
//! own seeded generator, so the result does not depend on the number of threads.

use crate::error::{positive, EngineError, Result};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Paths per independently seeded chunk.
const CHUNK: usize = 256;

/// Paths advanced in lockstep within a chunk (their steps are independent, so the processor
/// overlaps them).
const LANES: usize = 8;

/// The SDE: drift −∇L and diffusion D(w) > 0, as plain functions of the state.
pub struct Sde<G, D> {
    /// ∇L(w) written into the second argument.
    pub gradient: G,
    /// D(w).
    pub diffusion: D,
    /// Dimension d.
    pub dim: usize,
}

/// Samples of W(t) at each requested time: `[time][path][coordinate]`.
pub type Snapshots = Vec<Vec<Vec<f64>>>;

/// Euler–Maruyama with step `dt` for `paths` paths started from `initial(rng)`, recorded at
/// `times` (ascending, multiples of dt are hit to within dt/2).
pub fn euler_maruyama<G, D>(
    sde: &Sde<G, D>,
    initial: &(dyn Fn(&mut StdRng) -> Vec<f64> + Sync),
    times: &[f64],
    dt: f64,
    paths: usize,
    seed: u64,
) -> Result<Snapshots>
where
    G: Fn(&[f64], &mut [f64]) + Sync,
    D: Fn(&[f64]) -> f64 + Sync,
{
    positive("dt", dt)?;
    if times.windows(2).any(|w| w[1] <= w[0]) || times.first().is_none_or(|t| *t <= 0.0) {
        return Err(EngineError::InvalidParameter("times must be positive and increasing".into()));
    }
    let chunks: Vec<Snapshots> = (0..paths.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let n = CHUNK.min(paths - c * CHUNK);
            run_chunk(sde, initial, times, dt, n, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(c as u64))
        })
        .collect();
    let mut out: Snapshots = vec![Vec::with_capacity(paths); times.len()];
    for chunk in chunks {
        for (k, snap) in chunk.into_iter().enumerate() {
            out[k].extend(snap);
        }
    }
    Ok(out)
}

/// One chunk: the initial states drawn in path order, then per recording interval each path's
/// `steps` steps in path order, every step drawing d normals ξ and applying
/// w ← w − ∇L(w) dt + √(2 D(w) dt) ξ. Paths are advanced [`LANES`] at a time from normals drawn
/// beforehand in exactly that order, so every path sees the numbers of the one-path loop.
fn run_chunk<G, D>(
    sde: &Sde<G, D>,
    initial: &(dyn Fn(&mut StdRng) -> Vec<f64> + Sync),
    times: &[f64],
    dt: f64,
    n: usize,
    seed: u64,
) -> Snapshots
where
    G: Fn(&[f64], &mut [f64]),
    D: Fn(&[f64]) -> f64,
{
    let mut rng = StdRng::seed_from_u64(seed);
    let mut states: Vec<Vec<f64>> = (0..n).map(|_| initial(&mut rng)).collect();
    let dim = sde.dim;
    let mut grad = vec![0.0; dim];
    let mut normals = Vec::new();
    let mut out = Vec::with_capacity(times.len());
    let mut t = 0.0;
    for &target in times {
        let steps = ((target - t) / dt).round() as usize;
        for group in states.chunks_mut(LANES) {
            let per_path = steps * dim;
            normals.clear();
            normals.extend((0..group.len() * per_path).map(|_| rng.sample::<f64, _>(StandardNormal)));
            for step in 0..steps {
                for (j, w) in group.iter_mut().enumerate() {
                    let xi = &normals[j * per_path + step * dim..][..dim];
                    (sde.gradient)(w, &mut grad);
                    let amp = (2.0 * (sde.diffusion)(w) * dt).sqrt();
                    for i in 0..dim {
                        w[i] += -grad[i] * dt + amp * xi[i];
                    }
                }
            }
        }
        t += steps as f64 * dt;
        out.push(states.clone());
    }
    out
}

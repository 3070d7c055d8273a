//! Seeded Euler–Maruyama ensembles of the Itô SDE (3),
//!   dW = −∇L(W) dt + √(2 D(W)) dB,   D(w) = γβ(w)/2M,
//! for constant or state-dependent diffusion. Paths are split into fixed chunks, each with its
//! own seeded generator, so the result does not depend on the number of threads.

use crate::error::{positive, EngineError, Result};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Paths per independently seeded chunk.
const CHUNK: usize = 256;

/// The SDE: drift −∇L and diffusion D(w) > 0, as plain functions of the state.
pub struct Sde<'a> {
    /// ∇L(w) written into the second argument.
    pub gradient: &'a (dyn Fn(&[f64], &mut [f64]) + Sync),
    /// D(w).
    pub diffusion: &'a (dyn Fn(&[f64]) -> f64 + Sync),
    /// Dimension d.
    pub dim: usize,
}

/// Samples of W(t) at each requested time: `[time][path][coordinate]`.
pub type Snapshots = Vec<Vec<Vec<f64>>>;

/// Euler–Maruyama with step `dt` for `paths` paths started from `initial(rng)`, recorded at
/// `times` (ascending, multiples of dt are hit to within dt/2).
pub fn euler_maruyama(
    sde: &Sde,
    initial: &(dyn Fn(&mut StdRng) -> Vec<f64> + Sync),
    times: &[f64],
    dt: f64,
    paths: usize,
    seed: u64,
) -> Result<Snapshots> {
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

fn run_chunk(
    sde: &Sde,
    initial: &(dyn Fn(&mut StdRng) -> Vec<f64> + Sync),
    times: &[f64],
    dt: f64,
    n: usize,
    seed: u64,
) -> Snapshots {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut states: Vec<Vec<f64>> = (0..n).map(|_| initial(&mut rng)).collect();
    let mut grad = vec![0.0; sde.dim];
    let mut out = Vec::with_capacity(times.len());
    let mut t = 0.0;
    for &target in times {
        let steps = ((target - t) / dt).round() as usize;
        for w in states.iter_mut() {
            for _ in 0..steps {
                (sde.gradient)(w, &mut grad);
                let amp = (2.0 * (sde.diffusion)(w) * dt).sqrt();
                for i in 0..sde.dim {
                    let xi: f64 = rng.sample(StandardNormal);
                    w[i] += -grad[i] * dt + amp * xi;
                }
            }
        }
        t += steps as f64 * dt;
        out.push(states.clone());
    }
    out
}

//! Mini-batch SGD and momentum SGD as algorithms, simulated over many independent chains, with
//! the exact and asymptotic stationary laws they are compared with.
//!
//! - [`chain`]: the recursions. SGD: w_{k+1} = w_k − γ (1/M) Σ_{n∈B_k} ∇L_n(w_k).
//!   Momentum SGD: z_{k+1} = ξ z_k − γ (1/M) Σ_{n∈B_k} ∇L_n(w_k),
//!   w_{k+1} = w_k + z_{k+1}; with v_k = z_k/√γ its SDE limit (ξ → 1 with (1 − ξ)/√γ fixed) is the kinetic
//!   (underdamped Langevin) equation in time
//!   t = k√γ (friction g = (1 − ξ)/√γ, velocity diffusion D_v = √γ β/(2M)), while SGD's limit is
//!   the overdamped equation dW = −∇L dt + √(2D) dB in time t = kγ with D = γβ/(2M).
//! - [`noise`]: the finite-sum risk L_n = L + c_n·w whose batch noise has covariance exactly
//!   (β/M) I.
//! - [`gradient`]: ∇L from a flattened polynomial (the per-step hot path).
//! - `lanes`: the same recursions, eight chains interleaved (bit-identical per chain), their
//!   generators stepped together (`lane_rng`).
//! - [`observe`]: per-chain records and 95 % intervals over chains.
//! - [`lyapunov`]: exact stationary covariances of the linear recursions on quadratic risks.
//! - [`gibbs`]: the Fokker–Planck law e^{−L/T} on a grid and its first-order correction in γ.
//! - [`stationary`]: the simulated stationary law, and the generalised discrete Lyapunov
//!   equation of linear recursions with multiplicative noise.
//! - [`finite_sum`]: the recursions on a finite sum of per-sample risks, the batch gradient
//!   from the samples themselves (any per-sample gradient oracle).
//! - [`escape`]: simulated escape times, in steps and in SDE time.

pub mod chain;
pub mod escape;
pub mod finite_sum;
pub mod gibbs;
pub mod gradient;
mod lane_rng;
mod lanes;
pub mod lyapunov;
pub mod noise;
pub mod observe;
pub mod stationary;

pub use chain::{simulate, Algorithm, ChainRng, ChainState, Method, Observer, Problem};
pub use gradient::RiskGradient;
pub use noise::{SampleShifts, Sampling};

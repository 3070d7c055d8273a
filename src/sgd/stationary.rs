//! The stationary law of the iterates, simulated: chains started from the Fokker–Planck law
//! (so that the burn-in only has to remove the O(γ) discretisation bias, not to cross barriers),
//! run for a burn-in, then time-averaged; 95 % intervals over independent chains.
//!
//! # First-order correction of the stationary law of momentum SGD
//!
//! Momentum SGD z' = ξz − γG, w' = w + z', G = ∇L(w) + e (e: mean 0, covariance s² I per
//! step), at fixed ξ ∈ (0, 1) and fixed D = γs²/2 as γ → 0. Its w-marginal tends to e^{−L/T},
//! T = D/(1 − ξ); to first order it is
//!   ρ_w ∝ e^{−L/T} [1 + (γ/(1 + ξ)) (|∇L|²/(4T) − ΔL/2)] + O(γ²),
//! the correction of plain SGD ([`super::gibbs`]: ρ ∝ e^{−L/D}[1 + γ(|∇L|²/(4D) − ΔL/2)]) with
//! γ replaced by γ/(1 + ξ) and D by T. Derivation (d = 1; coordinate-wise in d dimensions):
//! 1. With c = ξ/(1 − ξ), y = w + c z obeys y' = y − h G exactly, h = γ/(1 − ξ): SGD with step h,
//!    but with the gradient taken at w = y − c z. Note s² = 2T/h.
//! 2. z is fast and small: z' = ξz − γG gives E z² = γ²s²/(1 − ξ²) + O(h²) = 2Thκ + O(h²),
//!    κ = (1 − ξ)/(1 + ξ), independent of y at leading order; and stationarity of E[z k(y)] for
//!    smooth k gives (1 − ξ) E[z·k] = −γ E[L'k] + γh E[G² k'] + O(h²) = γ(−E[L'k] + 2T E[k'])
//!    + O(h²), so E[z k(y)] = h E[L' k] + O(h²) (using T E[k'] = E[L'k] under e^{−L/T}).
//! 3. Stationarity of E g(y): E[g(y − hG) − g(y)] = 0 expanded as for SGD (E G² = L'² + 2T/h,
//!    E G³ = 3L'·2T/h + O(1), E G⁴ = 3(2T/h)² + O(1/h)) gives
//!    E[g'(y) L'(w)] = T E[g''] + h {½ E[g''L'²] − T E[g'''L'] + ½T² E[g'''']} + O(h²),
//!    and E[g'(y)L'(w)] = E[g'L'(y)] − c E[g'L''z] + ½c² E[g'L'''z²] + … =
//!    E[g'L'] − ch E[g'L''L'] + c²Thκ E[g'L'''] + O(h²) by step 2. With ρ_y = ρ₀(1 + h f_y),
//!    ρ₀ ∝ e^{−L/T}, the left side minus T E[g''] is hT ∫ g' ρ₀ f_y', so for every g
//!    T f_y' = T f₁' + c L'L'' − c²Tκ L''',   f₁ = L'²/(4T) − L''/2 (the SGD solution),
//!    i.e. f_y = L'²/T·(1/4 + c/2) − L''(1/2 + c²κ).
//! 4. Back to w = y − cz: E g(w) = E g(y) − c E[g'z] + ½c² E[g''z²] + O(h²)
//!    = E g(y) + hT(c²κ − c) E₀[g''], and E₀[g''] = ∫ g ρ₀ (L'²/T² − L''/T), so
//!    f_w = f_y + (c²κ − c)(L'²/T − L'') = 4K (L'²/(4T) − L''/2),
//!    K = 1/4 − c/2 + c²κ = (1 − ξ)²/(4(1 − ξ²)) = (1 − ξ)/(4(1 + ξ)); and h·4K = γ/(1 + ξ).
//!
//! On a quadratic L = a x²/2 this gives Var w = (T/a)(1 + γa/(2(1 + ξ))) + O(γ²), the expansion
//! of the exact discrete value (T/a)/(1 − γa/(2(1 + ξ))) of [`super::lyapunov`]. As for SGD, the
//! third and fourth cumulants of finite-sum noise enter at higher order in γ at fixed β and M.

use super::chain::{simulate, Algorithm, ChainState, Method, Problem};
use super::gibbs::GridLaw;
use super::gradient::RiskGradient;
use super::noise::{SampleShifts, Sampling};
use super::observe::{basin_fractions, mean_and_variance, Moments};
use crate::error::Result;
use crate::potential::Potential;
use crate::quantity::Quantity;
use nalgebra::{DMatrix, DVector};
use rand_distr::{Distribution, Normal};

/// The overdamped diffusion D = γ s²/2 of the algorithm (s² the per-step noise variance per
/// coordinate: β/M, times (N − M)/(N − 1) without replacement).
pub fn diffusion(shifts: &SampleShifts, algorithm: &Algorithm) -> f64 {
    algorithm.lr * shifts.batch_variance(algorithm.batch, algorithm.sampling) / 2.0
}

/// The temperature of the w-marginal of the Fokker–Planck stationary law e^{−L/T}: T = D for
/// SGD's overdamped limit dW = −∇L dt + √(2D) dB, and T = D_v/g = D/(1 − ξ) for momentum SGD's
/// kinetic limit (friction g = (1 − ξ)/√γ, velocity diffusion D_v = √γ s²/2).
pub fn temperature(shifts: &SampleShifts, algorithm: &Algorithm) -> f64 {
    diffusion(shifts, algorithm) / (1.0 - algorithm.momentum())
}

/// The step h of the first-order law e^{−L/T}[1 + h (|∇L|²/(4T) − ΔL/2)]: γ for SGD, γ/(1 + ξ)
/// for momentum SGD (module docs).
pub fn first_order_step(algorithm: &Algorithm) -> f64 {
    algorithm.lr / (1.0 + algorithm.momentum())
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
    potential: &dyn Potential,
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

/// The stationary second moment of a linear recursion with additive and multiplicative noise,
/// x_{k+1} = (T + Σ_j ζ_{k,j} A_j) x_k + η_k (ζ, η independent of x_k and of each other, mean 0,
/// E ζ_j ζ_l = δ_jl, Cov η = Q): the solution of the generalised discrete Lyapunov equation
///   S = T S Tᵀ + Σ_j A_j S A_jᵀ + Q,
/// i.e. (I − T ⊗ T − Σ_j A_j ⊗ A_j) vec S = vec Q (column-major vec). It exists and is unique
/// exactly when the spectral radius of T ⊗ T + Σ_j A_j ⊗ A_j is below 1; otherwise refused.
pub fn discrete_lyapunov(t: &DMatrix<f64>, multiplicative: &[DMatrix<f64>], q: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let n = t.nrows();
    let mut operator = t.kronecker(t);
    for a in multiplicative {
        operator += a.kronecker(a);
    }
    let rho = operator.complex_eigenvalues().iter().map(|z| z.norm()).fold(0.0, f64::max);
    if rho >= 1.0 {
        return Err(crate::error::EngineError::InvalidParameter(format!(
            "the recursion has no stationary second moment (spectral radius {rho} ≥ 1 of its moment map)"
        )));
    }
    let system = DMatrix::<f64>::identity(n * n, n * n) - operator;
    let solution = system
        .lu()
        .solve(&DVector::from_column_slice(q.as_slice()))
        .ok_or_else(|| crate::error::EngineError::Numerical("the discrete Lyapunov system is singular".into()))?;
    let s = DMatrix::from_column_slice(n, n, solution.as_slice());
    Ok((&s + s.transpose()) * 0.5)
}

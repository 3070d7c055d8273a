//! The small public API most users need: `use fpspectral::prelude::*;`.
//!
//! A potential is anything that implements the [`Potential`] trait (L, ∇L, ∇²L at a point); the
//! engine's own is an expression in x, y, z ([`Expression::parse`], which also checks that e^{−L}
//! is integrable). The overdamped Fokker–Planck operator of dW = −∇L dt + √(2D) dB
//! is [`Overdamped`]; its slowest decay rates come from [`decay_rates`] (a resolution study with
//! error estimates), the Poincaré constant of e^{−ηL} from [`poincare_constant`]. Gibbs integrals
//! of e^{−ηL} are held in logarithms ([`LogQuantity`]); mean first passage times in d = 1 are
//! exact double integrals ([`mfpt_1d`]). The kinetic (underdamped Langevin) operator is
//! [`Kinetic`], its slowest rates [`kinetic_decay_rates`].
//!
//! # Examples
//!
//! The spectral gap of your own potential. For L = x²/2 + y² the generator is an
//! Ornstein–Uhlenbeck operator whose rates are n₁·1 + n₂·2 for any D, the Hessian's sums:
//! 1, 2, 2, 3, …
//!
//! ```
//! use fpspectral::prelude::*;
//! let potential = Expression::parse("x^2/2 + y^2")?;
//! let op = Overdamped::new(&potential, 0.5)?;
//! let rates = decay_rates(&op, &RateOptions { count: 3, ..Default::default() })?;
//! for (got, exact) in rates.values.iter().zip([1.0, 2.0, 2.0]) {
//!     assert!((got - exact).abs() < 1e-9, "{got} vs {exact}");
//! }
//! assert!(rates.errors[0] < 1e-9);
//! # Ok::<(), fpspectral::EngineError>(())
//! ```
//!
//! A Poincaré constant: the Gaussian measure e^{−ηx²/2} has Poincaré constant (spectral gap of
//! −Δ + η x·∇) exactly η.
//!
//! ```
//! use fpspectral::prelude::*;
//! let potential = Expression::parse("x^2/2")?;
//! let (constant, error, _) = poincare_constant(&potential, 2.0, 1e-10)?;
//! assert!((constant - 2.0).abs() <= error.max(1e-9), "{constant} ± {error}");
//! # Ok::<(), fpspectral::EngineError>(())
//! ```
//!
//! A Gibbs ball probability: under e^{−x²/2}/Z the ball |x| ≤ 1 has probability erf(1/√2).
//!
//! ```
//! use fpspectral::prelude::*;
//! let potential = Expression::parse("x^2/2")?;
//! let p = ball_probability(&potential, 1.0, &[0.0], 1.0)?;
//! let erf = 0.682_689_492_137_085_9; // erf(1/√2)
//! assert!((p.value() - erf).abs() <= p.value() * p.rel_error + 1e-15);
//! assert!(p.rel_error < 1e-12);
//! # Ok::<(), fpspectral::EngineError>(())
//! ```
//!
//! A mean first passage time: for dW = −W dt + √2 dB from 0 to b = 1 the time is
//! τ = ∫_0^1 e^{y²/2} ∫_{−∞}^y e^{−z²/2} dz dy, here by nested Simpson rules for comparison.
//!
//! ```
//! use fpspectral::prelude::*;
//! let potential = Expression::parse("x^2/2")?;
//! let tau = mfpt_1d(&potential, 1.0, 0.0, 1.0)?;
//! let simpson = |f: &dyn Fn(f64) -> f64, a: f64, b: f64, n: usize| {
//!     let h = (b - a) / n as f64;
//!     let inner: f64 = (1..n).map(|k| f(a + h * k as f64) * if k % 2 == 1 { 4.0 } else { 2.0 }).sum();
//!     h / 3.0 * (f(a) + f(b) + inner)
//! };
//! let inner = |y: f64| simpson(&|z: f64| (-z * z / 2.0).exp(), -12.0, y, 2000);
//! let exact = simpson(&|y: f64| (y * y / 2.0).exp() * inner(y), 0.0, 1.0, 200);
//! assert!((tau.value() - exact).abs() < 1e-9 * exact, "{} vs {exact}", tau.value());
//! # Ok::<(), fpspectral::EngineError>(())
//! ```
//!
//! A kinetic gap: for L = x²/2 with friction g = 1 the slowest kinetic modes decay at rate
//! (g ± √(g² − 4))/2 = 1/2 ± i√3/2, whatever the velocity diffusion.
//!
//! ```
//! use fpspectral::prelude::*;
//! let potential = Expression::parse("x^2/2")?;
//! let problem = Kinetic::new(&potential, KineticParams::new(1.0, 0.5)?)?;
//! let rates = kinetic_decay_rates(&problem, &KineticOptions { count: 1, ..Default::default() })?;
//! let (re, im) = rates.values[0];
//! assert!((re - 0.5).abs() < 1e-7 && (im - 3f64.sqrt() / 2.0).abs() < 1e-7, "{re} ± {im}i");
//! # Ok::<(), fpspectral::EngineError>(())
//! ```
//!
//! Extrapolation to a limit: values of f(h) = e^h at h = 1/2, 1/4, …, 1/64 give f(0) = 1 (to
//! 8e-10; the error estimate, the last correction, is 8e-9).
//!
//! ```
//! use fpspectral::prelude::*;
//! let h: Vec<f64> = (1..=6).map(|k| 0.5f64.powi(k)).collect();
//! let f: Vec<f64> = h.iter().map(|x| x.exp()).collect();
//! let limit = extrapolate(&h, &f, &[0.0; 6]);
//! assert!((limit.value - 1.0).abs() <= limit.error && limit.error < 1e-8);
//! ```

pub use crate::ball::ball_probability;
pub use crate::basin::basin_probability;
pub use crate::error::{EngineError, Result};
pub use crate::extrapolate::{extrapolate, neville, Limit};
pub use crate::gibbs::{log_partition, LogQuantity};
pub use crate::kinetic::operator::Kinetic;
pub use crate::kinetic::spectrum::{decay_rates as kinetic_decay_rates, KineticOptions, KineticRates};
pub use crate::kinetic::KineticParams;
pub use crate::mfpt::{eyring_kramers, mfpt_1d};
pub use crate::operator::Overdamped;
pub use crate::potential::{Expression, Potential};
pub use crate::quantity::Quantity;
pub use crate::spectrum::{decay_rates, poincare_constant, RateOptions, Rates};

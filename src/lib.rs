//! `fpspectral`: a Hermite spectral engine for Fokker–Planck operators.
//!
//! The engine knows operators, bases and numbers, and no particular application. Most users need
//! only [`prelude`] (with examples). The modules: potentials ([`potential`]), Hermite bases and
//! quadrature ([`hermite`], [`basis`]), the overdamped generator ([`operator`]), eigen-solvers
//! ([`eigen`]), resolution studies ([`resolution`]), converged spectra and Poincaré constants
//! ([`spectrum`]), Gibbs integrals ([`gibbs`]: rules → domain → Z; then balls [`ball`] and basins
//! [`basin`]; [`quadrature`] re-exports them under their former path), critical points
//! ([`critical`]), golden-section maximisation ([`optimize`]), extrapolation to a limit
//! ([`extrapolate`]), mean first passage times ([`passage`], and the spectral [`annulus`]), the
//! kinetic operator ([`kinetic`]), SDE ensembles ([`sde`]), a 1D finite-volume Fokker–Planck
//! reference ([`finite_volume`]), and numbers with error estimates ([`quantity`]).

pub mod annulus;
pub mod ball;
pub mod banded;
pub mod basin;
pub mod basis;
pub mod budget;
pub mod critical;
pub mod eigen;
pub mod error;
pub mod evolution;
pub mod expr;
pub mod extrapolate;
pub mod finite_volume;
pub mod gibbs;
pub mod hermite;
pub mod jet;
pub mod kinetic;
pub mod krylov;
pub mod krylov_schur;
pub mod operator;
pub mod optimize;
pub mod passage;
pub mod plan;
pub mod polynomial;
pub mod potential;
pub use potential::confinement;
pub mod prelude;
pub mod quadrature;
pub mod quantity;
pub mod resolution;
pub mod rounding;
pub mod scaling;
pub mod sde;
pub mod sgd;
pub mod shift_invert;
pub mod spectrum;
pub mod study;
pub mod variable;

pub use error::{EngineError, Result};
/// The passage-time solvers under their former paths.
pub use passage::{kolmogorov, logpolar, mfpt};
pub use potential::{Expression, Potential};

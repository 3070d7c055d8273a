//! `fpspectral`: a Hermite spectral engine for Fokker–Planck operators.
//!
//! The engine knows operators, bases and numbers, not the paper: potentials ([`potential`]),
//! Hermite bases and quadrature ([`hermite`], [`basis`]), the overdamped generator
//! ([`operator`]), eigen-solvers ([`eigen`]), resolution studies ([`resolution`]), converged
//! spectra and Poincaré constants ([`spectrum`]), Gibbs integrals ([`quadrature`]), critical points
//! ([`critical`]), mean first passage times ([`mfpt`], [`annulus`], [`logpolar`], [`kolmogorov`]), SDE ensembles ([`sde`]), a 1D
//! finite-volume Fokker–Planck reference ([`finite_volume`]), and numbers with error estimates ([`quantity`]).

pub mod annulus;
pub mod ball;
pub mod banded;
pub mod basin;
pub mod basis;
pub mod budget;
pub mod confinement;
pub mod critical;
pub mod eigen;
pub mod error;
pub mod evolution;
pub mod expr;
pub mod finite_volume;
pub mod hermite;
pub mod jet;
pub mod kinetic;
pub mod kolmogorov;
pub mod krylov;
pub mod logpolar;
pub mod mfpt;
pub mod operator;
pub mod polynomial;
pub mod potential;
pub mod quadrature;
pub mod quantity;
pub mod resolution;
pub mod scaling;
pub mod sde;
pub mod sgd;
pub mod spectrum;
pub mod variable;

pub use error::{EngineError, Result};
pub use potential::Potential;

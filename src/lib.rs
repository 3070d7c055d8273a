//! `fpspectral`: a Hermite spectral engine for Fokker–Planck operators.
//!
//! The engine knows operators, bases and numbers, not the paper: potentials ([`potential`]),
//! Hermite bases and quadrature ([`hermite`], [`basis`]), the overdamped generator
//! ([`operator`]), eigen-solvers ([`eigen`]), resolution studies ([`resolution`]), converged
//! spectra and Poincaré constants ([`spectrum`]), and report records ([`report`]).

pub mod banded;
pub mod basis;
pub mod eigen;
pub mod error;
pub mod expr;
pub mod hermite;
pub mod jet;
pub mod kinetic;
pub mod operator;
pub mod polynomial;
pub mod potential;
pub mod report;
pub mod resolution;
pub mod scaling;
pub mod spectrum;

pub use error::{EngineError, Result};
pub use potential::Potential;

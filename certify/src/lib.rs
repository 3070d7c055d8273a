//! Trusted arithmetic and certificates, independent of the spectral engine.
//!
//! The trusted part is [`interval`] (outward-rounded interval arithmetic on f64), [`matrix`]
//! (interval Cholesky) and the recomputation of each certificate kind ([`lemma7`], [`ou`],
//! [`decay`]). Floating-point eigen-solvers are used only to *choose* trial vectors
//! and shifts; every bound is then proved in intervals.

pub mod ball_ratio;
pub mod certificate;
pub mod comparison;
pub mod decay;
pub mod hermite2d;
pub mod homotopy;
pub mod interval;
pub mod lemma7;
pub mod matrix;
pub mod ou;
pub mod rate;
pub mod report;
pub mod ritz2d;
pub mod spectrum;
pub mod spectrum2d;

pub use certificate::{verify, Certificate, Setting};
pub use interval::Interval;

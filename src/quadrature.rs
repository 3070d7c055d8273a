//! The Gibbs integrals under their former path: re-exports of [`crate::gibbs`] (rules, domain, Z),
//! [`crate::ball`] (ball integrals and probabilities) and [`crate::basin`] (basin probabilities).

pub use crate::ball::{ball_probability, log_ball_integral};
pub use crate::basin::{basin_probability, log_basin_mass};
pub use crate::gibbs::*;

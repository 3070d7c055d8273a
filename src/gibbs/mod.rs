//! Integrals of Gibbs weights e^{−ηL} over R^d, intervals, discs and balls, held in logarithms so
//! that large η never underflows, each with an error estimate.
//!
//! The modules build on each other in one direction: [`refine`] (the refinement study of a
//! log-integral and [`LogQuantity`]) → [`rules`] (quadrature rules) → [`domain`]
//! (where the weight lives: lowest point, radius, wells) → [`integrals`] (the normaliser Z and
//! interval integrals). Balls and basins ([`crate::ball`], [`crate::basin`]) build on all three.

pub mod domain;
pub mod integrals;
pub mod integrand;
pub mod refine;
pub mod rules;

pub use domain::{check_point, gibbs_radius, laplace_shape, low_minima, lowest_point};
pub use integrals::{log_interval_integral, log_partition};
pub use integrand::{GibbsWeight, LogIntegrand};
pub use refine::{refine_log_integral_at, run_or_best_effort};
pub use rules::{
    best_effort, directions, gauss_legendre, gl_sum, local_scale, log_add, log_disc_integral, log_integral_1d,
    log_shaped_integral, log_sum_exp, log_sum_exp_bounded, log_sum_parts, radial_edges, radial_nodes, sphere_iter,
    sphere_points, subdivide, LogQuantity,
};

//! The method policy of 2D passage times τ(start → ε-ball), as plain data: which solver (log-polar
//! finite volumes [`crate::logpolar`] or the spectral annulus [`crate::annulus`]), its first grid
//! and why. Inspectable and tested without solving; both solvers reach the same relative tolerance.
//!
//! Policy: the log-polar study whenever its first three levels (the fewest of an extrapolated
//! study) fit in [`logpolar::MAX_NODES`], else the spectral annulus when its first two levels fit
//! in [`annulus::MAX_NODES`]; else neither is tried. The log-polar elimination is
//! subtraction-free, so τ keeps its relative accuracy however large e^{ΔL/D} (the spectral
//! collocation stalls once e^{ΔL/D} ≳ 1e8), and its band solves are cheap: on the double well
//! `(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2` (ε = 0.1) the whole `eval mfpt` process to 1e-8
//! takes ≈ 0.05 CPU-s at D = 0.1 and 0.05 (2026-12-02; log-polar levels from m₀ = 48) where the
//! annulus study took ≈ 1 CPU-s each on a ≈ 1.85× slower machine. The annulus is
//! kept for starts close to the ball relative to the outer circle, where the log-polar grid,
//! uniform in the mapped ξ from the ball to the start, needs many intervals beyond the start.

use super::check_passage;
use super::logpolar::{self, level_grid, GridMaps, LogPolarProblem, MIN_EXTRAPOLATION_LEVELS};
use crate::annulus::{self, outer_radius};
use crate::error::{EngineError, Result};
use crate::potential::Potential;
use serde::Serialize;

/// The solver of a 2D passage time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method2d {
    /// Exponentially fitted finite volumes on a mapped log-polar grid, subtraction-free band
    /// elimination, Richardson extrapolation in h² ([`crate::logpolar::mfpt_logpolar`]).
    LogPolar,
    /// Chebyshev ⊗ Fourier collocation on the annulus, preconditioned GMRES
    /// ([`crate::annulus::mfpt_annulus`]).
    Spectral,
}

impl Method2d {
    /// A short name for method strings.
    pub fn name(self) -> &'static str {
        match self {
            Method2d::LogPolar => "log-polar FV",
            Method2d::Spectral => "spectral annulus",
        }
    }
    /// The other solver (the fallback when the planned one misses its tolerance).
    pub fn other(self) -> Method2d {
        match self {
            Method2d::LogPolar => Method2d::Spectral,
            Method2d::Spectral => Method2d::LogPolar,
        }
    }
}

/// The plan of one 2D passage time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan2d {
    /// The solver.
    pub method: Method2d,
    /// Its first grid: (ξ-intervals to the outer circle, θ nodes) for log-polar, (ns, nt) for the
    /// annulus.
    pub first_grid: (usize, usize),
    /// Why this solver (sizes against the limits).
    pub reason: String,
    /// The outer radius R of the annulus ([`outer_radius`]), searched once here and passed to the
    /// log-polar solver ([`logpolar::mfpt_logpolar_in`]).
    pub outer: f64,
}

impl Plan2d {
    /// The plan in one line, for method strings.
    pub fn describe(&self) -> String {
        let (a, b) = self.first_grid;
        format!("plan: {}, first grid {a}×{b} ({})", self.method.name(), self.reason)
    }
}

/// Plans τ(start → closed ball of radius `radius` around `target`) in d = 2 (the module's policy).
/// Refuses the problem as the solvers do ([`check_passage`], the outer radius), and with
/// `TooLarge` when neither study fits.
pub fn plan_2d(
    potential: &dyn Potential,
    diffusion: f64,
    start: [f64; 2],
    target: [f64; 2],
    radius: f64,
) -> Result<Plan2d> {
    check_passage(potential, diffusion, start, target, radius)?;
    let outer = outer_radius(potential, diffusion, target, start)?;
    let prob = LogPolarProblem { target, radius, outer, start };
    let maps = GridMaps::default();
    let (ns, nt) = level_grid(&prob, diffusion, MIN_EXTRAPOLATION_LEVELS - 1, maps);
    let logpolar_nodes = ns * nt;
    if logpolar_nodes <= logpolar::MAX_NODES {
        return Ok(Plan2d {
            method: Method2d::LogPolar,
            first_grid: level_grid(&prob, diffusion, 0, maps),
            reason: format!("its third level has {logpolar_nodes} ≤ {} nodes", logpolar::MAX_NODES),
            outer,
        });
    }
    let (sn, st) = annulus::level_counts(diffusion, 1);
    if sn * st <= annulus::MAX_NODES {
        return Ok(Plan2d {
            method: Method2d::Spectral,
            first_grid: annulus::level_counts(diffusion, 0),
            reason: format!(
                "the third log-polar level would have {logpolar_nodes} > {} nodes; the second annulus level has {} ≤ {}",
                logpolar::MAX_NODES,
                sn * st,
                annulus::MAX_NODES
            ),
            outer,
        });
    }
    Err(EngineError::TooLarge(format!(
        "at D = {diffusion} the log-polar study needs {logpolar_nodes} nodes (limit {}) and the annulus study {} (limit {})",
        logpolar::MAX_NODES,
        sn * st,
        annulus::MAX_NODES
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WELL: &str = "(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2";

    /// The double well from D = 0.4 down to 0.003125: log-polar, first grid m = max(48, 4.5/√D)
    /// θ nodes, and the outer radius the solver would search.
    #[test]
    fn double_well_is_planned_log_polar_at_every_diffusion() {
        let p = crate::Expression::parse(WELL).unwrap();
        for d in [0.4, 0.1, 0.05, 0.025, 0.0125, 0.003125] {
            let plan = plan_2d(&p, d, [-1.0, 0.0], [1.0, 0.0], 0.1).unwrap();
            assert_eq!(plan.method, Method2d::LogPolar, "D={d}: {plan:?}");
            assert_eq!(plan.first_grid.1, ((4.5 / d.sqrt()).ceil() as usize).max(48), "D={d}");
            assert_eq!(plan.outer, outer_radius(&p, d, [1.0, 0.0], [-1.0, 0.0]).unwrap(), "D={d}");
            assert!(plan.first_grid.0 > plan.first_grid.1, "D={d}: the grid reaches beyond the start");
        }
    }

    /// A start just outside a small ball: the log-polar grid, uniform in ξ up to the start, needs
    /// thousands of intervals to reach the outer circle, so the annulus is planned.
    #[test]
    fn start_next_to_the_ball_is_planned_spectral() {
        let p = crate::Expression::parse("x^2/2 + y^2/2").unwrap();
        let plan = plan_2d(&p, 0.5, [0.0105, 0.0], [0.0, 0.0], 0.01).unwrap();
        assert_eq!(plan.method, Method2d::Spectral, "{plan:?}");
        assert!(plan.describe().contains("spectral annulus"));
    }

    #[test]
    fn refuses_like_the_solvers() {
        let p = crate::Expression::parse(WELL).unwrap();
        assert!(plan_2d(&p, 0.1, [1.05, 0.0], [1.0, 0.0], 0.1).is_err(), "start in the ball");
        assert!(plan_2d(&p, -0.1, [-1.0, 0.0], [1.0, 0.0], 0.1).is_err(), "D < 0");
        assert!(matches!(plan_2d(&p, 1e-5, [-1.0, 0.0], [1.0, 0.0], 0.1), Err(EngineError::TooLarge(_))));
    }
}

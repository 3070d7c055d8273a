//! Resolution studies as plan-as-data: the sequence of bases tried, the numbers each gave, and
//! the error estimate that follows from them.

use crate::error::{EngineError, Result};
use serde::Serialize;

/// One level of a resolution study.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// Basis functions per axis.
    pub sizes: Vec<usize>,
    /// Total basis size.
    pub basis_size: usize,
    /// The quantities computed at this level.
    pub values: Vec<f64>,
    /// Rounding-error bounds at this level.
    pub rounding: Vec<f64>,
}

/// A converged (or not) resolution study.
#[derive(Debug, Clone, Serialize)]
pub struct Study {
    /// The levels, coarse to fine.
    pub levels: Vec<Level>,
    /// Final values (finest level).
    pub values: Vec<f64>,
    /// Error estimates: |finest − previous| (widened by [`tail_bound`] when convergence is slow)
    /// plus rounding.
    pub errors: Vec<f64>,
    /// True when every value met the tolerance.
    pub converged: bool,
    /// Requested relative tolerance.
    pub tolerance: f64,
}

impl Study {
    /// Basis size at the finest level.
    pub fn basis_size(&self) -> usize {
        self.levels.last().map_or(0, |l| l.basis_size)
    }
    /// Refuses an unconverged study with a message naming the quantity.
    pub fn require_converged(self, what: &str) -> Result<Self> {
        if self.converged {
            Ok(self)
        } else {
            let worst = self
                .values
                .iter()
                .zip(&self.errors)
                .map(|(v, e)| e / v.abs().max(f64::MIN_POSITIVE))
                .fold(0.0, f64::max);
            Err(EngineError::NotConverged(format!(
                "{what}: relative error {worst:.1e} > tolerance {:.0e} at basis size {}",
                self.tolerance,
                self.basis_size()
            )))
        }
    }
}

/// Runs `solve` on successively larger bases until two consecutive levels agree to `tol`
/// (relative, with absolute floor `abs_floor`), or `sizes` runs out.
pub fn run<F>(sizes: &[Vec<usize>], tol: f64, abs_floor: f64, mut solve: F) -> Result<Study>
where
    F: FnMut(&[usize]) -> Result<(usize, Vec<f64>, Vec<f64>)>,
{
    let mut levels: Vec<Level> = Vec::new();
    for s in sizes {
        let (basis_size, values, rounding) = match solve(s) {
            Ok(level) => level,
            // A basis too large for memory ends the study; the levels so far decide.
            Err(EngineError::TooLarge(_)) if levels.len() >= 2 => break,
            Err(e) => return Err(e),
        };
        levels.push(Level { sizes: s.clone(), basis_size, values, rounding });
        if let Some(study) = assess(&levels, tol, abs_floor) {
            if study.converged {
                return Ok(study);
            }
        }
    }
    assess(&levels, tol, abs_floor).ok_or_else(|| EngineError::NotConverged("resolution study needs two levels".into()))
}

/// The study implied by the levels so far (None with fewer than two levels).
pub fn assess(levels: &[Level], tol: f64, abs_floor: f64) -> Option<Study> {
    if levels.len() < 2 {
        return None;
    }
    let k = levels.len() - 1;
    let fine = &levels[k];
    let coarse = &levels[k - 1];
    let errors: Vec<f64> = (0..fine.values.len())
        .map(|i| {
            let last = (fine.values[i] - coarse.values[i]).abs();
            let before = (k >= 2).then(|| (coarse.values[i] - levels[k - 2].values[i]).abs());
            tail_bound(last, before) + fine.rounding[i]
        })
        .collect();
    let converged = fine.values.iter().zip(&errors).all(|(v, e)| *e <= tol * v.abs().max(abs_floor));
    Some(Study { levels: levels.to_vec(), values: fine.values.clone(), errors, converged, tolerance: tol })
}

/// Error of the finest value from the last level-to-level change `last` and the one before.
/// For geometric convergence with ratio ρ = last/before the remaining error is last·ρ/(1 − ρ):
/// the change itself bounds it while ρ ≤ 1/2, and slow convergence (ρ > 1/2) widens it. With
/// two levels only, or changes that do not shrink (rounding noise), the last change stands.
pub fn tail_bound(last: f64, before: Option<f64>) -> f64 {
    match before {
        Some(b) if last < b => {
            let rho = last / b;
            last * (rho / (1.0 - rho)).max(1.0)
        }
        _ => last,
    }
}

/// Geometric size schedule: `start`, ×`factor`, up to `max` per axis.
pub fn schedule(start: &[usize], factor: f64, max: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![start.to_vec()];
    loop {
        let last = out.last().expect("non-empty");
        let next: Vec<usize> =
            last.iter().zip(max).map(|(&n, &m)| (((n as f64) * factor).round() as usize).max(n + 2).min(m)).collect();
        if next == *last {
            return out;
        }
        out.push(next);
    }
}

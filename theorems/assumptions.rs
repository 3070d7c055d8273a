//! Shared pieces of the assumption checks (A.1)–(A.4) on the paper's example risks
//! (Appendix B.1, C.3): the fixtures, ray sampling, and a sup by grid search plus refinement.

use fpspectral::quadrature::best_effort;
use fpspectral::{EngineError, Potential, Result};

/// The two fixture risks of Appendix B.1, by name (compiled in from `fixtures/`).
pub fn fixtures() -> Result<Vec<(&'static str, Potential)>> {
    Ok(vec![("squared_loss", crate::common::squared_loss()?), ("logistic", crate::common::logistic()?)])
}

/// Runs a quadrature computation; when one of its refinement studies runs out of levels, runs it
/// again in [`best_effort`] mode (every study returns its finest level with the last change as
/// its error). Returns the estimate and the studies that missed their target (empty: converged).
pub fn study_or_best_effort<T>(work: impl Fn() -> Result<T>) -> Result<(T, Vec<String>)> {
    match work() {
        Ok(v) => Ok((v, Vec::new())),
        Err(EngineError::NotConverged(first)) => {
            let (v, missed) = best_effort(&work);
            Ok((v?, if missed.is_empty() { vec![first] } else { missed }))
        }
        Err(e) => Err(e),
    }
}

/// 72 unit directions in the plane.
pub fn directions() -> Vec<[f64; 2]> {
    (0..72).map(|k| (k as f64 * std::f64::consts::PI / 36.0).sin_cos()).map(|(s, c)| [c, s]).collect()
}

/// Radii at which ray quantities are evaluated.
pub const RADII: [f64; 6] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5];

/// max of f over the plane: a grid over [−span, span]² then compass refinement from the best
/// grid points. Returns (max, argmax, refinement change) — the change is the error indicator.
pub fn sup_2d(f: &dyn Fn(&[f64]) -> f64, span: f64, n: usize) -> (f64, Vec<f64>, f64) {
    let coord = |i: usize| -span + 2.0 * span * i as f64 / (n - 1) as f64;
    let mut cells: Vec<(f64, [f64; 2])> =
        (0..n * n).map(|k| [coord(k / n), coord(k % n)]).map(|w| (f(&w), w)).collect();
    cells.sort_by(|a, b| b.0.total_cmp(&a.0));
    let grid_best = cells[0].0;
    let mut best = (f64::NEG_INFINITY, vec![0.0, 0.0]);
    for (_, start) in cells.iter().take(5) {
        let (v, w) = compass(f, *start, 2.0 * span / n as f64);
        if v > best.0 {
            best = (v, w.to_vec());
        }
    }
    (best.0, best.1, (best.0 - grid_best).abs())
}

fn compass(f: &dyn Fn(&[f64]) -> f64, start: [f64; 2], mut step: f64) -> (f64, [f64; 2]) {
    let mut w = start;
    let mut v = f(&w);
    while step > 1e-12 {
        let mut moved = false;
        for (dx, dy) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
            let t = [w[0] + dx * step, w[1] + dy * step];
            let ft = f(&t);
            if ft > v {
                (w, v, moved) = (t, ft, true);
            }
        }
        if !moved {
            step *= 0.5;
        }
    }
    (v, w)
}

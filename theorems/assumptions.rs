//! Shared pieces of the assumption checks (A.1)–(A.4) on the paper's example risks
//! (Appendix B.1, C.3): the fixtures, ray sampling, and a sup by grid search plus refinement.

use crate::check::Quantity;
use crate::risks::Risk;
use fpspectral::optimize::{golden_max, Stop};
use fpspectral::Result;

/// The two fixture risks of Appendix B.1, by name (compiled in from `fixtures/`).
pub fn fixtures() -> Result<Vec<(&'static str, Risk)>> {
    Ok(vec![("squared_loss", crate::common::squared_loss()?), ("logistic", crate::common::logistic()?)])
}

/// The sup of f over [−span, span]² as a resolution study: [`sup_2d`] on the n×n grid and on the
/// grid of half its density, ((n + 1)/2)² (n odd: its points are among the finer grid's). Returns
/// the finer search's maximum and argmax, with the change between the two searches (at least
/// one ulp of the value) as its error: both refine their best grid points to a local maximum, so
/// the change is zero up to rounding when they find the same peak, and the gap between peaks
/// when the coarser grid missed the highest.
pub fn sup_study(f: &dyn Fn(&[f64]) -> f64, span: f64, n: usize) -> (Quantity, Vec<f64>) {
    let (fine, at, _) = sup_2d(f, span, n);
    let (coarse, _, _) = sup_2d(f, span, n.div_ceil(2));
    let error = (fine - coarse).abs().max(f64::EPSILON * fine.abs());
    (Quantity::new(fine, error), at)
}

/// The extreme (min or max) of f over the circle of radius r about the origin, as a resolution
/// study: the best of 72 equally spaced rays, refined by golden-section search in the
/// angle between its neighbours, and the same from the best of the 36 rays among them. Returns
/// the 72-ray search's value with the change between the two searches (at least one ulp of the
/// value) as its error: zero up to rounding when both refine to the same extreme, the gap between
/// extremes when the coarser set missed the better one.
pub fn circle_extreme(f: &dyn Fn(&[f64]) -> f64, r: f64, extreme: Extreme) -> Quantity {
    // Maximise g = ±f(r·u(θ)).
    let sign = match extreme {
        Extreme::Min => -1.0,
        Extreme::Max => 1.0,
    };
    let g = |theta: f64| sign * f(&[r * theta.cos(), r * theta.sin()]);
    let search = |rays: usize| {
        let step = 2.0 * std::f64::consts::PI / rays as f64;
        let best = (0..rays).map(|k| k as f64 * step).max_by(|a, b| g(*a).total_cmp(&g(*b))).unwrap_or(0.0);
        sign * golden_max(&g, best - step, best + step, Stop::Width(1e-12)).best_interior.max(g(best))
    };
    let (fine, coarse) = (search(72), search(36));
    Quantity::new(fine, (fine - coarse).abs().max(f64::EPSILON * fine.abs()))
}

/// Which extreme [`circle_extreme`] takes.
#[derive(Clone, Copy)]
pub enum Extreme {
    /// The minimum over the circle.
    Min,
    /// The maximum over the circle.
    Max,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear function on the circle: its extremes ±r lie at the angle a = 0.3, between rays;
    /// the refined searches find them to rounding.
    #[test]
    fn circle_extreme_finds_the_extremes_of_a_linear_function() {
        let (a, r) = (0.3f64, 7.0);
        let f = |w: &[f64]| w[0] * a.cos() + w[1] * a.sin();
        let max = circle_extreme(&f, r, Extreme::Max);
        let min = circle_extreme(&f, r, Extreme::Min);
        assert!((max.value - r).abs() <= max.error + 4.0 * f64::EPSILON * r, "{max:?}");
        assert!((min.value + r).abs() <= min.error + 4.0 * f64::EPSILON * r, "{min:?}");
        assert!(max.error < 1e-13 && min.error < 1e-13, "{max:?} {min:?}");
    }

    /// A narrow peak at 15°, on a ray of the 72 but between two of the 36 and outside the
    /// bracket of the best of them (0°, the broad maximum): the coarse search settles at 0°, and
    /// the change between the searches (the error) shows the miss.
    #[test]
    fn circle_extreme_reports_a_peak_the_coarse_rays_missed() {
        let peak = 15f64.to_radians();
        let f = |w: &[f64]| {
            let theta = w[1].atan2(w[0]);
            theta.cos() + 2.0 * (-((theta - peak) / 0.3f64.to_radians()).powi(2)).exp()
        };
        let q = circle_extreme(&f, 1.0, Extreme::Max);
        assert!((q.value - (peak.cos() + 2.0)).abs() < 1e-6, "{q:?}");
        assert!(q.error > 1.0, "{q:?}");
    }

    /// A concave quadratic with its peak off the grid points: sup 1 to rounding.
    #[test]
    fn sup_study_finds_the_peak_of_a_quadratic() {
        let f = |w: &[f64]| 1.0 - (w[0] - 0.3137).powi(2) - 2.0 * (w[1] + 0.2071).powi(2);
        let (sup, at) = sup_study(&f, 3.0, 41);
        assert!((sup.value - 1.0).abs() <= sup.error + 4.0 * f64::EPSILON, "{sup:?}");
        assert!((at[0] - 0.3137).abs() < 1e-6 && (at[1] + 0.2071).abs() < 1e-6, "{at:?}");
    }
}

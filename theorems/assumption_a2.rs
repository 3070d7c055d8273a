//! (A.2) on the fixture risks: along rays, ½|∇L|² − ΔL → +∞ and ΔL / |∇L|² → 0. The expressions
//! are evaluated by exact jets on circles of growing radii (best of 72 rays refined in the angle;
//! the change from a search on 36 rays is each extreme's error); the trend, read with those
//! errors, and its power law are reported.

use crate::assumptions::{circle_extreme, fixtures, Extreme, RADII};
use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::Progress;
use fpspectral::{Potential, Result};

/// At radius r: the minimum over rays of ½|∇L|² − ΔL and the maximum of |ΔL|/|∇L|², each with
/// its error ([`circle_extreme`]: the change between circle searches from 36 and 72 rays).
fn ray_extremes(p: &dyn Potential, r: f64) -> (Quantity, Quantity) {
    let first = |w: &[f64]| {
        let j = p.jet(w);
        0.5 * j.grad_norm2(2) - j.laplacian(2)
    };
    let second = |w: &[f64]| {
        let j = p.jet(w);
        (j.laplacian(2) / j.grad_norm2(2)).abs()
    };
    (circle_extreme(&first, r, Extreme::Min), circle_extreme(&second, r, Extreme::Max))
}

/// The tail trend of (A.2) over the sampled radii, read with the errors: `Some(true)` when the
/// first expression grows and the second falls between every pair of successive radii beyond
/// their errors, `Some(false)` when one of them moves the wrong way beyond its errors, `None`
/// (undecided) otherwise.
fn tail_trend(tail: &[(Quantity, Quantity)]) -> Option<bool> {
    let shown = tail.windows(2).all(|w| w[1].0.lo() > w[0].0.hi() && w[1].1.hi() < w[0].1.lo());
    let reversed = tail.windows(2).any(|w| w[1].0.hi() < w[0].0.lo() || w[1].1.lo() > w[0].1.hi());
    match (shown, reversed) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        (false, false) => None,
    }
}

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (name, p) in fixtures()? {
        progress(&format!("assumption-a2: {name}"));
        // Exact jets at sampled radii: the limits are read from the trend, not extrapolated.
        let mut c = Check::new("assumption-a2", "the two limits of (A.2) on circles r = 1 … 1e5 (72 rays, refined)")
            .typed(Role::AsPrinted, "ray-limits", EvidenceKind::Converged)
            .with_setting("fixture", name)
            .with_setting("radii", RADII.to_vec());
        let ext: Vec<(Quantity, Quantity)> = RADII.iter().map(|&r| ray_extremes(&p, r)).collect();
        for (r, (a, b)) in RADII.iter().zip(&ext) {
            c.quantity(&format!("min_u (|grad L|^2/2 - Lap L) at r={r:.0e}"), *a);
            c.quantity(&format!("max_u |Lap L|/|grad L|^2 at r={r:.0e}"), *b);
        }
        let k = RADII.len() - 1;
        let growth = (ext[k].0.value / ext[k - 1].0.value).log10();
        let decay = (ext[k].1.value / ext[k - 1].1.value).log10();
        c.claimed = "½|∇L|² − Tr∇²L → +∞ and Tr∇²L/|∇L|² → 0 as |w| → ∞".into();
        c.verdict = match tail_trend(&ext[2..]) {
            Some(true) if ext[k].0.lo() > 0.0 => Verdict::Pass,
            Some(false) => Verdict::Fail,
            _ => Verdict::Inconclusive,
        };
        c.evidence = format!(
            "first expression ≥ {:.3e} ± {:.1e} at r = 1e5 growing like r^{growth:.2}; second ≤ {:.3e} ± {:.1e} decaying like r^{decay:.2} (errors: change between circle searches from 36 and 72 rays)",
            ext[k].0.value, ext[k].0.error, ext[k].1.value, ext[k].1.error
        );
        checks.push(c);
    }
    Ok(checks)
}

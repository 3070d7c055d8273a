//! (A.2) on the fixture risks: along rays, ½|∇L|² − ΔL → +∞ and ΔL / |∇L|² → 0. The expressions
//! are evaluated exactly (jets) at growing radii; the trend and its power law are reported.

use crate::assumptions::{directions, fixtures, RADII};
use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::Progress;
use fpspectral::{Potential, Result};

fn ray_extremes(p: &Potential, r: f64) -> (f64, f64) {
    let mut low_first = f64::INFINITY;
    let mut high_second = 0.0f64;
    for u in directions() {
        let j = p.jet(&[r * u[0], r * u[1]]);
        let (g2, lap) = (j.grad_norm2(2), j.laplacian(2));
        low_first = low_first.min(0.5 * g2 - lap);
        high_second = high_second.max((lap / g2).abs());
    }
    (low_first, high_second)
}

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (name, p) in fixtures()? {
        progress(&format!("assumption-a2: {name}"));
        // Exact jets at sampled radii: the limits are read from the trend, not extrapolated.
        let mut c = Check::new("assumption-a2", "the two limits of (A.2) along 72 rays at r = 1 … 1e5")
            .typed(Role::AsPrinted, "ray-limits", EvidenceKind::Exact)
            .with_setting("fixture", name)
            .with_setting("radii", RADII.to_vec());
        let ext: Vec<(f64, f64)> = RADII.iter().map(|&r| ray_extremes(&p, r)).collect();
        for (r, (a, b)) in RADII.iter().zip(&ext) {
            c.quantity(&format!("min_u (|grad L|^2/2 - Lap L) at r={r:.0e}"), Quantity::exact(*a));
            c.quantity(&format!("max_u |Lap L|/|grad L|^2 at r={r:.0e}"), Quantity::exact(*b));
        }
        let k = RADII.len() - 1;
        let growth = (ext[k].0 / ext[k - 1].0).log10();
        let decay = (ext[k].1 / ext[k - 1].1).log10();
        let tail = &ext[2..];
        let trend = tail.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 < w[0].1);
        c.claimed = "½|∇L|² − Tr∇²L → +∞ and Tr∇²L/|∇L|² → 0 as |w| → ∞".into();
        c.verdict = if trend && ext[k].0 > 0.0 { Verdict::Pass } else { Verdict::Fail };
        c.evidence = format!(
            "first expression ≥ {:.3e} at r = 1e5 growing like r^{growth:.2}; second ≤ {:.3e} decaying like r^{decay:.2}",
            ext[k].0, ext[k].1
        );
        checks.push(c);
    }
    Ok(checks)
}

//! (A.1) on the squared-loss and logistic risks (Appendix B.1): L → +∞ along every ray, and
//! ∫ e^{−L} < ∞, computed by quadrature with an error estimate.

use crate::assumptions::{directions, fixtures, study_or_best_effort, RADII};
use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::Progress;
use fpspectral::quadrature::log_partition;
use fpspectral::Result;

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (name, p) in fixtures()? {
        progress(&format!("assumption-a1: {name}"));
        let mut c = Check::new("assumption-a1", "min over 72 rays of L(r·u) grows with r; ∫e^{-L} finite")
            .typed(Role::AsPrinted, "confinement", EvidenceKind::Converged)
            .with_setting("fixture", name)
            .with_setting("radii", RADII.to_vec());
        let mins: Vec<f64> = RADII
            .iter()
            .map(|r| directions().iter().map(|u| p.value(&[r * u[0], r * u[1]])).fold(f64::INFINITY, f64::min))
            .collect();
        for (r, m) in RADII.iter().zip(&mins) {
            c.quantity(&format!("min_u L at r={r:.0e}"), Quantity::exact(*m));
        }
        let (z, missed) = study_or_best_effort(|| log_partition(&p, 1.0))?;
        c.quantity("integral of e^-L", z.quantity());
        let growing = mins.windows(2).all(|w| w[1] > w[0]);
        c.claimed = "lim_{|w|→∞} L = +∞ and ∫ e^{-L} dw < +∞".into();
        let converged = missed.is_empty();
        c.verdict = if converged && growing && z.rel_error < 1e-6 && z.ln.is_finite() {
            Verdict::Pass
        } else {
            Verdict::Inconclusive
        };
        c.evidence = format!(
            "min_u L = {:.3e} at r = {:.0e} (increasing over all radii); ∫e^{{-L}} = {:.12e} ± {:.1e}",
            mins[mins.len() - 1],
            RADII[RADII.len() - 1],
            z.value(),
            z.value() * z.rel_error
        );
        if !converged {
            c.evidence = format!("not converged ({}); best estimate: {}", missed.join("; "), c.evidence);
        }
        checks.push(c);
    }
    Ok(checks)
}

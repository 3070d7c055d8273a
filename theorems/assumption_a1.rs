//! (A.1) on the squared-loss and logistic risks (Appendix B.1): L → +∞ along every ray, and
//! ∫ e^{−L} < ∞, computed by quadrature with an error estimate.

use crate::assumptions::{circle_extreme, fixtures, Extreme, RADII};
use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::Progress;
use fpspectral::quadrature::{log_partition, run_or_best_effort};
use fpspectral::{Potential, Result};

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (name, p) in fixtures()? {
        progress(&format!("assumption-a1: {name}"));
        let mut c = Check::new(
            "assumption-a1",
            "min over the circle of L(r·u) (72 rays, refined) grows with r; ∫e^{-L} finite",
        )
        .typed(Role::AsPrinted, "confinement", EvidenceKind::Converged)
        .with_setting("fixture", name)
        .with_setting("radii", RADII.to_vec());
        let mins: Vec<Quantity> = RADII.iter().map(|&r| circle_extreme(&|w| p.value(w), r, Extreme::Min)).collect();
        for (r, m) in RADII.iter().zip(&mins) {
            c.quantity(&format!("min_u L at r={r:.0e}"), *m);
        }
        let (z, missed) = run_or_best_effort(|| log_partition(&p, 1.0))?;
        c.quantity("integral of e^-L", z.quantity());
        let growing = mins.windows(2).all(|w| w[1].lo() > w[0].hi());
        c.claimed = "lim_{|w|→∞} L = +∞ and ∫ e^{-L} dw < +∞".into();
        let converged = missed.is_empty();
        c.verdict = if converged && growing && z.rel_error < 1e-6 && z.ln.is_finite() {
            Verdict::Pass
        } else {
            Verdict::Inconclusive
        };
        c.evidence = format!(
            "min_u L = {:.3e} at r = {:.0e} ({} over all radii beyond their errors: the change between circle searches from 36 and 72 rays); ∫e^{{-L}} = {:.12e} ± {:.1e}",
            mins[mins.len() - 1].value,
            RADII[RADII.len() - 1],
            if growing { "increasing" } else { "not shown increasing" },
            z.value(),
            z.value() * z.rel_error
        );
        if !converged {
            c.mark_not_converged(&missed);
        }
        checks.push(c);
    }
    Ok(checks)
}

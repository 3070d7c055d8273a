//! (A.3) on the fixture risks: sup_w |e^{−L}(|∇L|² − ΔL)| = M_w < ∞, computed by a grid over the
//! region where e^{−L} is not negligible and compass refinement from the best grid points.

use crate::assumptions::{circle_extreme, fixtures, sup_study, Extreme};
use crate::check::{Check, EvidenceKind, Role, Verdict};
use crate::Progress;
use fpspectral::quadrature::{gibbs_radius, lowest_point};
use fpspectral::{Potential, Result};

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (name, p) in fixtures()? {
        progress(&format!("assumption-a3: {name}"));
        let g = |w: &[f64]| {
            let j = p.jet(w);
            ((-j.v).exp() * (j.grad_norm2(2) - j.laplacian(2))).abs()
        };
        let span = gibbs_radius(&p, 1.0, &lowest_point(&p))? + 2.0;
        let (sup, at) = sup_study(&g, span, 121);
        let edge = circle_extreme(&g, span, Extreme::Max);
        let mut c = Check::new("assumption-a3", "sup of |e^{-L}(|∇L|² − ΔL)| by grid + refinement")
            .typed(Role::AsPrinted, "sup-bound", EvidenceKind::Converged)
            .with_setting("fixture", name)
            .with_setting("search_box_half_width", span);
        c.quantity("M_w", sup);
        c.quantity("value on the box boundary (max over rays)", edge);
        c.claimed = "a finite constant M_w bounds |e^{-L}(|∇L|² − Tr∇²L)|".into();
        c.verdict =
            if sup.value.is_finite() && edge.hi() < 1e-6 * sup.lo() { Verdict::Pass } else { Verdict::Inconclusive };
        c.evidence = format!(
            "M_w = {:.10} ± {:.1e} (change from the 61² to the 121² grid search) attained at ({:.6}, {:.6}); on the circle of the box half-width the expression is ≤ {:.1e}",
            sup.value, sup.error, at[0], at[1], edge.hi()
        );
        checks.push(c);
    }
    Ok(checks)
}

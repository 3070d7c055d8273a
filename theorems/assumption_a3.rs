//! (A.3) on the fixture risks: sup_w |e^{−L}(|∇L|² − ΔL)| = M_w < ∞, computed by a grid over the
//! region where e^{−L} is not negligible and compass refinement from the best grid points.

use crate::assumptions::{directions, fixtures, sup_2d};
use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::Progress;
use fpspectral::quadrature::{gibbs_radius, lowest_point};
use fpspectral::Result;

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
        let (sup, at, change) = sup_2d(&g, span, 121);
        let edge = directions().iter().map(|u| g(&[span * u[0], span * u[1]])).fold(0.0, f64::max);
        let mut c = Check::new("assumption-a3", "sup of |e^{-L}(|∇L|² − ΔL)| by grid + refinement")
            .typed(Role::AsPrinted, "sup-bound", EvidenceKind::Converged)
            .with_setting("fixture", name)
            .with_setting("search_box_half_width", span);
        c.quantity("M_w", Quantity::new(sup, 1e-9 * sup));
        c.quantity("value on the box boundary (max over rays)", Quantity::exact(edge));
        c.claimed = "a finite constant M_w bounds |e^{-L}(|∇L|² − Tr∇²L)|".into();
        c.verdict = if sup.is_finite() && edge < 1e-6 * sup { Verdict::Pass } else { Verdict::Inconclusive };
        c.evidence = format!(
            "M_w = {sup:.10} attained at ({:.6}, {:.6}); refinement moved the grid maximum by {change:.1e}; on the box boundary the expression is ≤ {edge:.1e}",
            at[0], at[1]
        );
        checks.push(c);
    }
    Ok(checks)
}

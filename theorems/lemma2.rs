//! Lemma 2 (Section 2.3): E τ(w̌₁ → w̌₂) against the Eyring–Kramers formula
//!   (2π/λ*) √(|det ∇²L(w*)| / det ∇²L(w̌₁)) e^{H(w*, w̌₁)/D}
//! (the paper writes |ΔL| but defines |·| as the determinant) as D → 0. The exact time is the 1D
//! double-integral formula; its ratio to Eyring–Kramers should be 1 + c·D + O(D²).

use crate::Progress;
use fpspectral::mfpt::{eyring_kramers, mfpt_1d};
use fpspectral::report::{verdict_close, Check, Quantity};
use fpspectral::{Potential, Result};

/// Symmetric and tilted 1D double wells, with start and target minima.
pub const SETTINGS: [(&str, f64, f64); 3] =
    [("x^4/4 - x^2/2", -1.0, 1.0), ("x^4/4 - x^2/2 + 0.1*x", -1.0, 1.0), ("x^4/4 - x^2/2 + 0.1*x", 1.0, -1.0)];

/// Diffusions D = γβ/2M, decreasing.
pub const DIFFUSIONS: [f64; 7] = [0.1, 0.05, 0.02, 0.01, 0.005, 0.0025, 0.00125];

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (spec, from, to) in SETTINGS {
        progress(&format!("lemma2: {spec} from {from}"));
        checks.push(one_well(spec, from, to)?);
    }
    Ok(checks)
}

fn one_well(spec: &str, from: f64, to: f64) -> Result<Check> {
    let p = Potential::parse(spec)?;
    let mut check = Check::new("lemma2", "point-to-point MFPT / Eyring–Kramers → 1 as D → 0 (d = 1)")
        .with_setting("potential", spec)
        .with_setting("diffusions", DIFFUSIONS.to_vec());
    let mut ratios = Vec::new();
    for d in DIFFUSIONS {
        let ek = eyring_kramers(&p, d, &[from], &[to])?;
        let exact = mfpt_1d(&p, d, ek.minimum.point[0], to)?;
        let r = (exact.ln - ek.ln_time).exp();
        let q = Quantity::new(r, r * exact.rel_error);
        check.quantity(&format!("tau/tau_EK at D={d}"), q);
        check.quantity(&format!("ln tau at D={d}"), Quantity::new(exact.ln, exact.rel_error));
        ratios.push(q);
    }
    let k = DIFFUSIONS.len() - 1;
    let slope = |i: usize| (ratios[i].value - 1.0) / DIFFUSIONS[i];
    // Richardson in D: the ratio is 1 + c D + O(D²).
    let richardson = |i: usize| {
        (DIFFUSIONS[i - 1] * ratios[i].value - DIFFUSIONS[i] * ratios[i - 1].value)
            / (DIFFUSIONS[i - 1] - DIFFUSIONS[i])
    };
    let limit = richardson(k);
    let spread = (limit - richardson(k - 1)).abs();
    let limit_q = Quantity::new(limit, spread + ratios[k].error);
    check.quantity("ratio extrapolated to D=0", limit_q);
    check.quantity("c = (ratio-1)/D at smallest D", Quantity::new(slope(k), (slope(k) - slope(k - 1)).abs()));
    check.claimed = "E τ = Eyring–Kramers · [1 + o(1)] as D → 0".into();
    check.verdict = verdict_close(limit_q, Quantity::exact(1.0), 1e-3);
    check.evidence = format!(
        "τ/τ_EK = {:.6} at D = {}, {:.6} at D = {}; (ratio − 1)/D → {:.3} (a 1 + O(D) correction), extrapolated ratio {:.6} ± {:.1e}",
        ratios[0].value, DIFFUSIONS[0], ratios[k].value, DIFFUSIONS[k], slope(k), limit, limit_q.error
    );
    Ok(check)
}

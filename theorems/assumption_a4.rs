//! (A.4) on the fixture risks (Appendix C.3). L̃ = L − ½C_L²|w|²; S_ij = sup_w |(∇²L̃)_ij|; b is
//! the largest |eigenvalue| of S (the paper's reading), compared with the paper's row-sum bound
//! max_i Σ_j S_ij. The paper's Hessian formulas of C.3 are checked against exact jets.

use crate::assumptions::{fixtures, sup_study};
use crate::check::{verdict_close, verdict_le, Check, EvidenceKind, Quantity, Role};
use crate::risks::{Logistic, Risk, SquaredLoss};
use crate::Progress;
use fpspectral::{Potential, Result};
use nalgebra::Matrix2;

/// C_L per fixture: the paper's √(2λ) for logistic; any C_L is allowed for the squared loss (C.3),
/// 0 is reported.
fn c_l(name: &str, p: &Risk) -> f64 {
    match p {
        Risk::Logistic(Logistic { lambda, .. }) if name == "logistic" => (2.0 * lambda).sqrt(),
        _ => 0.0,
    }
}

/// The paper's formula for ∇²L̃ at w (C.3).
fn paper_hessian(p: &Risk, c: f64, w: &[f64]) -> Matrix2<f64> {
    match p {
        Risk::SquaredLoss(SquaredLoss { design, .. }) => {
            Matrix2::from_fn(|i, j| 2.0 * design[i][j] - if i == j { c * c } else { 0.0 })
        }
        Risk::Logistic(Logistic { features, .. }) => {
            let n = features.len() as f64;
            Matrix2::from_fn(|i, j| {
                features
                    .iter()
                    .map(|x| {
                        let e = (-(w[0] * x[0] + w[1] * x[1])).exp();
                        x[i] * x[j] * e / (1.0 + e).powi(2)
                    })
                    .sum::<f64>()
                    / n
            })
        }
        Risk::Expression(_) => Matrix2::zeros(),
    }
}

fn tilde_hessian(p: &dyn Potential, c: f64, w: &[f64]) -> Matrix2<f64> {
    let j = p.jet(w);
    Matrix2::from_fn(|i, k| j.h[i][k] - if i == k { c * c } else { 0.0 })
}

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (name, p) in fixtures()? {
        progress(&format!("assumption-a4: {name}"));
        let c = c_l(name, &p);
        checks.push(formula_check(name, &p, c));
        checks.push(bound_check(name, &p, c));
    }
    Ok(checks)
}

fn formula_check(name: &str, p: &Risk, c: f64) -> Check {
    let points = [[0.0, 0.0], [1.3, -0.7], [-2.5, 4.0], [10.0, 3.0], [-0.2, 0.9]];
    let worst =
        points.iter().map(|w| (tilde_hessian(p, c, w) - paper_hessian(p, c, w)).abs().max()).fold(0.0, f64::max);
    let scale = points.iter().map(|w| tilde_hessian(p, c, w).abs().max()).fold(0.0, f64::max);
    let mut check = Check::new("assumption-a4", "the Hessian of L̃ printed in Appendix C.3 against exact jets")
        .typed(Role::AsPrinted, "hessian-formula-c3", EvidenceKind::Exact)
        .with_setting("fixture", name)
        .with_setting("C_L", c);
    check.quantity("max |paper − exact| entry over 5 points", Quantity::new(worst, 1e-13 * scale));
    check.claimed =
        "∇²L̃ = 2E[xxᵀ] − C_L² (squared loss); E[x_i x_j e^{-w·x}/(1+e^{-w·x})²] with C_L = √(2λ) (logistic)".into();
    check.verdict = verdict_le(Quantity::new(worst, 0.0), Quantity::new(1e-10 * scale, 0.0));
    check.evidence = format!("largest entry difference {worst:.2e} against entries of size {scale:.3e}");
    check
}

fn bound_check(name: &str, p: &dyn Potential, c: f64) -> Check {
    let mut s = Matrix2::zeros();
    let mut s_error = Matrix2::zeros();
    for i in 0..2 {
        for j in 0..2 {
            let f = |w: &[f64]| tilde_hessian(p, c, w)[(i, j)].abs();
            let (sup, _) = sup_study(&f, 20.0, 81);
            s[(i, j)] = sup.value;
            s_error[(i, j)] = sup.error;
        }
    }
    // A symmetric perturbation E moves each eigenvalue by at most ‖E‖₂ ≤ ‖E‖_F (Weyl).
    let eig = s.symmetric_eigen().eigenvalues;
    let b = Quantity::new(eig.iter().map(|v| v.abs()).fold(0.0, f64::max), s_error.norm());
    let row = |i: usize| Quantity::new(s[(i, 0)] + s[(i, 1)], s_error[(i, 0)] + s_error[(i, 1)]);
    let row_sum = if row(0).value >= row(1).value { row(0) } else { row(1) };
    let mut check = Check::new("assumption-a4", "b = max |eig S|, S_ij = sup_w |(∇²L̃)_ij| (the paper's reading)")
        .typed(Role::AsPrinted, "row-sum-bound", EvidenceKind::Converged)
        .with_setting("fixture", name)
        .with_setting("C_L", c)
        .with_setting("S", vec![vec![s[(0, 0)], s[(0, 1)]], vec![s[(1, 0)], s[(1, 1)]]]);
    check.quantity("b (largest |eigenvalue| of S)", b);
    check.quantity("paper's row-sum bound", row_sum);
    check.claimed = "the eigenvalues of S are bounded by b ≤ max_i Σ_j b_ij".into();
    check.verdict = if b.value.is_finite() { verdict_le(b, row_sum) } else { verdict_close(b, b, 0.0) };
    check.evidence = format!(
        "S = [[{:.8}, {:.8}], [{:.8}, {:.8}]] (each entry ± the change from the 41² to the 81² grid search, ≤ {:.1e}), b = {:.8}, row-sum bound {:.8}",
        s[(0, 0)],
        s[(0, 1)],
        s[(1, 0)],
        s[(1, 1)],
        s_error.max(),
        b.value,
        row_sum.value
    );
    check
}

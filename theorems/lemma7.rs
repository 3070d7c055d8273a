//! Lemma 7: K ≥ 2μP ≥ 0 with the paper's μ, C, Ĉ, for P of (10) and K of (24).
//!
//! K is derived from (25) + C·(26) + Ĉ·(27) (the combination that gives ½ dH/dt; the friction g
//! stands where (24) prints γ, reading 2 of the guide):
//!   K = [[2Ĉ, C − C_L² + gĈ], [C − C_L² + gĈ, 2gC − 2C_L²Ĉ]] ⊗ I_d,  P = [[1, Ĉ], [Ĉ, C]] ⊗ I_d.
//! Both are 2×2 blocks times I_d, so every question is 2×2 linear algebra. The check compares
//! with the exact spectral gap of the kinetic operator for L = ½C_L²|w|², (g − Re√(g² − 4C_L²))/2:
//! H(t) of (10) cannot decay faster than e^{−2·gap·t}, so a valid μ must satisfy μ ≤ gap.

use crate::Progress;
use argmin::core::{CostFunction, Executor};
use argmin::solver::neldermead::NelderMead;
use fpspectral::error::{positive, EngineError};
use fpspectral::kinetic::check_momentum;
use fpspectral::report::{verdict_le, Check, Quantity, Verdict};
use fpspectral::Result;
use nalgebra::Matrix2;

/// The paper's choice of (μ, C, Ĉ) for friction g and C_L, and which case applies.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PaperConstants {
    /// 1 when g < 2C_L, 2 otherwise.
    pub case: u8,
    /// μ.
    pub mu: f64,
    /// C.
    pub c: f64,
    /// Ĉ.
    pub c_hat: f64,
}

/// The constants stated in Lemma 7 / Theorem 3.
pub fn paper_constants(g: f64, cl: f64) -> PaperConstants {
    if g < 2.0 * cl {
        PaperConstants { case: 1, mu: g, c: cl * cl, c_hat: g / 2.0 }
    } else {
        PaperConstants { case: 2, mu: g - (g * g - 4.0 * cl * cl).sqrt(), c: g * g / 2.0 - cl * cl, c_hat: g / 2.0 }
    }
}

/// P of (10) (the 2×2 block).
pub fn p_matrix(c: f64, c_hat: f64) -> Matrix2<f64> {
    Matrix2::new(1.0, c_hat, c_hat, c)
}

/// K of (24) with the friction g in place of γ (the 2×2 block).
pub fn k_matrix(g: f64, cl: f64, c: f64, c_hat: f64) -> Matrix2<f64> {
    let off = c - cl * cl + g * c_hat;
    Matrix2::new(2.0 * c_hat, off, off, 2.0 * g * c - 2.0 * cl * cl * c_hat)
}

/// Smallest eigenvalue of a symmetric 2×2 matrix.
pub fn min_eig(m: &Matrix2<f64>) -> f64 {
    m.symmetric_eigenvalues().min()
}

/// Largest μ with K ≥ 2μP: half the smallest eigenvalue of P^{−1/2}KP^{−1/2} (None unless P > 0).
pub fn mu_max(g: f64, cl: f64, c: f64, c_hat: f64) -> Option<f64> {
    let p = p_matrix(c, c_hat);
    let chol = p.cholesky()?;
    let linv = chol.l().try_inverse()?;
    let m = linv * k_matrix(g, cl, c, c_hat) * linv.transpose();
    Some(0.5 * min_eig(&(0.5 * (m + m.transpose()))))
}

/// The exact gap of the kinetic operator with L = ½C_L²|w|²: (g − Re√(g² − 4C_L²))/2.
pub fn harmonic_gap(g: f64, cl: f64) -> f64 {
    let disc = g * g - 4.0 * cl * cl;
    (g - if disc > 0.0 { disc.sqrt() } else { 0.0 }) / 2.0
}

/// −μ_max over (Ĉ, log(C − Ĉ²)), which parametrises exactly the P > 0 set.
struct NegMuMax {
    g: f64,
    cl: f64,
}

impl CostFunction for NegMuMax {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let c = p[0] * p[0] + p[1].exp();
        Ok(mu_max(self.g, self.cl, c, p[0]).map_or(f64::INFINITY, |m| -m))
    }
}

/// Rounding of μ_max at a parameter: ε(‖K‖ + ‖P‖)/λ_min(P) (near-singular P amplifies it).
fn cholesky_rounding(g: f64, cl: f64, param: &[f64]) -> f64 {
    let c = param[0] * param[0] + param[1].exp();
    let p = p_matrix(c, param[0]);
    let k = k_matrix(g, cl, c, param[0]);
    64.0 * f64::EPSILON * (k.norm() + p.norm()) / min_eig(&p).max(f64::MIN_POSITIVE)
}

/// The best μ over all (C, Ĉ) with P > 0 (Nelder–Mead, two starts), with the spread of the two
/// optima as the error estimate.
pub fn mu_best(g: f64, cl: f64) -> Result<Quantity> {
    let starts = [[g / 2.0, (cl * cl - g * g / 4.0).abs().max(1e-2).ln()], [g / 4.0 + cl, 0.0]];
    let mut best = Vec::new();
    for s in starts {
        let simplex = vec![s.to_vec(), vec![s[0] + 0.3 * g.max(cl), s[1]], vec![s[0], s[1] + 0.7]];
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-14)
            .map_err(|e| EngineError::Numerical(format!("Nelder–Mead: {e}")))?;
        let res = Executor::new(NegMuMax { g, cl }, solver)
            .configure(|st| st.max_iters(4000))
            .run()
            .map_err(|e| EngineError::Numerical(format!("μ optimisation failed: {e}")))?;
        let param = res.state().best_param.clone().unwrap_or_else(|| s.to_vec());
        best.push((-res.state().best_cost, cholesky_rounding(g, cl, &param)));
    }
    let (value, rounding) = best.iter().copied().fold((f64::NEG_INFINITY, 0.0), |a, b| if b.0 > a.0 { b } else { a });
    let spread = (best[0].0 - best[1].0).abs();
    Ok(Quantity::new(value, spread + rounding))
}

/// Every number the lemma7 check and the CLI report for one (γ, ξ, C_L).
pub fn evaluate(lr: f64, momentum: f64, cl: f64) -> Result<serde_json::Value> {
    positive("learning rate γ", lr)?;
    check_momentum(momentum)?;
    positive("C_L", cl)?;
    let g = (1.0 - momentum) / lr.sqrt();
    let pc = paper_constants(g, cl);
    let p = p_matrix(pc.c, pc.c_hat);
    let k = k_matrix(g, cl, pc.c, pc.c_hat);
    let mu_paper_c = mu_max(g, cl, pc.c, pc.c_hat);
    Ok(serde_json::json!({
        "friction": g,
        "case": pc.case,
        "mu": pc.mu,
        "c": pc.c,
        "c_hat": pc.c_hat,
        "p_min_eig": min_eig(&p),
        "min_eig_k_minus_2mu_p": min_eig(&(k - 2.0 * pc.mu * p)),
        "mu_max_paper_c": mu_paper_c,
        "mu_best": mu_best(g, cl)?.value,
        "harmonic_gap": harmonic_gap(g, cl),
    }))
}

/// CLI entry: `paper-checks eval lemma7 --lr GAMMA --momentum XI --cl CL`.
pub fn eval_lemma7(lr: f64, momentum: f64, cl: f64) -> Result<serde_json::Value> {
    evaluate(lr, momentum, cl)
}

/// Rounding scale of 2×2 quantities built from entries of size `scale`.
fn rounding(scale: f64) -> f64 {
    64.0 * f64::EPSILON * scale.abs().max(1.0)
}

/// One check per (γ, ξ, C_L): does K ≥ 2μP hold with the paper's constants?
fn check_setting(lr: f64, momentum: f64, cl: f64) -> Result<Check> {
    let v = evaluate(lr, momentum, cl)?;
    let num = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    let (g, mu) = (num("friction"), num("mu"));
    let scale = g.powi(3) + cl * cl * g + 1.0;
    let min_k2mp = Quantity::new(num("min_eig_k_minus_2mu_p"), rounding(scale));
    let gap = Quantity::new(num("harmonic_gap"), rounding(g));
    let mut check =
        Check::new("lemma7", "K of (24) with friction g for γ, derived from (25)+C(26)+Ĉ(27); paper's μ, C, Ĉ")
            .with_setting("lr", lr)
            .with_setting("momentum", momentum)
            .with_setting("C_L", cl)
            .with_setting("friction", g)
            .with_setting("case", v["case"].clone());
    check.quantity("mu_paper", Quantity::exact(mu));
    check.quantity("p_min_eig", Quantity::new(num("p_min_eig"), rounding(scale)));
    check.quantity("min_eig_K_minus_2muP", min_k2mp);
    if let Some(m) = v["mu_max_paper_c"].as_f64() {
        check.quantity("mu_max_paper_C", Quantity::new(m, rounding(scale)));
    }
    let best = mu_best(g, cl)?;
    check.quantity("mu_best", best);
    check.quantity("harmonic_gap", gap);
    let holds = verdict_le(Quantity::exact(0.0), min_k2mp);
    let below_gap = verdict_le(Quantity::exact(mu), gap);
    check.verdict = Verdict::all([holds, below_gap]);
    let halved = min_eig(&(k_matrix(g, cl, num("c"), num("c_hat")) - mu * p_matrix(num("c"), num("c_hat"))));
    check.quantity("min_eig_K_minus_muP_halved_mu", Quantity::new(halved, rounding(scale)));
    check.claimed = format!("K − 2μP ≥ 0 with μ = {mu:.6}; hence H decays at rate ≥ 2μ");
    check.evidence = format!(
        "λ_min(K − 2μP) = {:.3e}; largest valid μ with the paper's C, Ĉ is {}; best μ over all (C, Ĉ) with P > 0 \
         is {:.6}; exact harmonic gap {:.6} (μ must not exceed it: {})",
        min_k2mp.value,
        v["mu_max_paper_c"],
        best.value,
        gap.value,
        below_gap.label()
    ) + &format!(
        "; nearest correct statement: with the same C, Ĉ, K ≥ 2μP holds for μ/2 = {:.6} (λ_min(K − μP) = {halved:.1e}), \
         which equals the exact harmonic gap and is sharp",
        mu / 2.0
    );
    Ok(check)
}

/// The grid of (γ, ξ, C_L) settings.
pub fn grid() -> Vec<(f64, f64, f64)> {
    let mut out = Vec::new();
    for lr in [0.01, 0.1, 0.5] {
        for momentum in [0.5, 0.9, 0.99] {
            for cl in [0.5, 1.0, 2.0] {
                out.push((lr, momentum, cl));
            }
        }
    }
    out
}

/// Runs lemma7 on the grid.
pub fn run(p: Progress) -> Result<Vec<Check>> {
    p("lemma7: 2×2 checks of K ≥ 2μP on the (γ, ξ, C_L) grid");
    grid().into_iter().map(|(lr, xi, cl)| check_setting(lr, xi, cl)).collect()
}

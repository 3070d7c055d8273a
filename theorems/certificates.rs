//! Certificates behind FAIL verdicts: builds the `certify` crate's settings from a claim's inputs
//! and attaches the certificate (or the reason there is none) to the check. The certificate's
//! correctness rests on `certify` alone; the floating-point numbers computed here only choose
//! the witnesses (a vector, a time).

use crate::check::{Check, Verdict};
use certify::certificate::Setting;
use certify::{decay, lemma7, ou, Certificate};
use nalgebra::Matrix2;

/// Attaches a certificate, or for a FAIL the reason it could not be built.
pub fn attach(check: &mut Check, built: Result<Certificate, String>) {
    match built {
        Ok(cert) => check.certificate = Some(cert),
        Err(why) if check.verdict == Verdict::Fail => {
            check.certificate_note = Some(format!("no certificate: {why}"));
        }
        Err(_) => {}
    }
}

/// Lemma 7 at (γ, ξ, C_L): the witness is the eigenvector of the smallest eigenvalue of
/// K − 2μP (floating point), then xᵀ(K − 2μP)x < 0 is proved in intervals.
pub fn lemma7(lr: f64, momentum: f64, cl: f64, k_minus_2mu_p: &Matrix2<f64>) -> Result<Certificate, String> {
    let eig = k_minus_2mu_p.symmetric_eigen();
    let i = if eig.eigenvalues[0] <= eig.eigenvalues[1] { 0 } else { 1 };
    let v = eig.eigenvectors.column(i);
    Certificate::build(Setting::Lemma7Witness(lemma7::Witness { lr, momentum, cl, x: [v[0], v[1]] }))
}

/// The batch remark on L = a w²/2: λ1 = a for every M.
pub fn batch_quadratic(lr: f64, beta: f64, curvature: f64, batches: &[f64]) -> Result<Certificate, String> {
    Certificate::build(Setting::OuGapAgainstBatch(ou::BatchGap { lr, beta, curvature, batches: batches.to_vec() }))
}

/// Theorem 3 on L = C_L²w²/2 (d = 1) from the tilt κ, violated at `time`.
pub fn quadratic_decay(friction: f64, diffusion_v: f64, cl: f64, kappa: f64, time: f64) -> Result<Certificate, String> {
    Certificate::build(Setting::QuadraticDecay(decay::QuadraticDecay { friction, diffusion_v, cl, kappa, time }))
}

/// Why a FAIL of this claim and reading has no certificate (for checks that got none).
fn reason(check: &Check) -> String {
    match check.id.as_str() {
        "theorem1" => "the failing readings compare ‖h(t)‖² from an eigen-expansion with a bound using C_P(e^{-L}); \
                       certifying them needs a certified upper bound on λ1 and a certified lower bound on C_P \
                       (the certify crate's enclosures of the double well), not yet wired into this check"
            .into(),
        "theorem2" | "eq8" => "the ratios are Gibbs integrals; a certificate needs rigorous quadrature (interval \
                               Gauss–Legendre with a derivative bound), not yet implemented"
            .into(),
        "theorem3" => "the quantities come from a kinetic (non-self-adjoint) resolution study or from Poincaré \
                       constants of non-Gaussian measures; only the Gaussian decay rows have closed forms"
            .into(),
        _ => "no certificate kind exists for this check yet".into(),
    }
}

/// Gives every FAIL without a certificate a `certificate_note` saying why.
pub fn note_uncertified(checks: &mut [Check]) {
    for c in checks.iter_mut() {
        if c.verdict == Verdict::Fail && c.certificate.is_none() && c.certificate_note.is_none() {
            c.certificate_note = Some(format!("no certificate: {}", reason(c)));
        }
    }
}

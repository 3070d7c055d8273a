//! Certificates behind FAIL verdicts: builds the `certify` crate's settings from a claim's inputs
//! and attaches the certificate (or the reason there is none) to the check. The certificate's
//! correctness rests on `certify` alone; the floating-point numbers computed here only choose
//! the witnesses (a vector, a time).

use crate::check::{Check, EvidenceKind, Verdict};
use certify::certificate::Setting;
use certify::{ball_ratio, decay, lemma7, ou, rate, Certificate};
use nalgebra::Matrix2;

/// Attaches a certificate (the row's verdict then rests on rigorous arithmetic: its evidence
/// becomes `certified`), or for a FAIL the reason it could not be built.
pub fn attach(check: &mut Check, built: Result<Certificate, String>) {
    match built {
        Ok(cert) => {
            check.certificate = Some(cert);
            check.evidence_kind = Some(EvidenceKind::Certified);
        }
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

/// Theorem 3 on L = C_L²|w|²/2 in d = 1 or 2 from the tilt κ, violated at `time`.
pub fn quadratic_decay(
    friction: f64,
    diffusion_v: f64,
    cl: f64,
    kappa: f64,
    time: f64,
    dim: usize,
) -> Result<Certificate, String> {
    Certificate::build(Setting::QuadraticDecay(decay::QuadraticDecay { friction, diffusion_v, cl, kappa, time, dim }))
}

/// Theorem 1 with C_P of (7) on a d = 1 polynomial risk: C_P(e^{−L})·D > 2λ1(D).
pub fn poincare_rate(potential: &dyn fpspectral::Potential, diffusion: f64) -> Result<Certificate, String> {
    let coefficients = coefficients_1d(potential).ok_or("only d = 1 polynomial risks are enclosed")?;
    Certificate::build(Setting::PoincareRate(rate::PoincareRate { coefficients, diffusion }))
}

/// Equation (8) at radius ε and inverse temperature η on a d = 1 polynomial risk: the ball ratio
/// around the minima w̌₁, w̌₂ enclosed away from √(L''(w̌₂)/L''(w̌₁)).
pub fn ball_ratio(
    potential: &dyn fpspectral::Potential,
    eta: f64,
    eps: f64,
    minima: [f64; 2],
) -> Result<Certificate, String> {
    let coefficients = coefficients_1d(potential).ok_or(
        "only d = 1 ball integrals are certified (a d ≥ 2 certificate needs rigorous cubature over a ball, not yet \
         implemented)",
    )?;
    Certificate::build(Setting::EqualHeightBallRatio(ball_ratio::BallRatio { coefficients, eta, eps, minima }))
}

/// The coefficients c_0 … c_deg of a d = 1 polynomial risk (None otherwise).
fn coefficients_1d(potential: &dyn fpspectral::Potential) -> Option<Vec<f64>> {
    let poly = potential.poly().filter(|_| potential.dim() == 1)?;
    let degree = poly.terms.keys().map(|m| m[0]).max().unwrap_or(0) as usize;
    let mut coefficients = vec![0.0; degree + 1];
    for (m, v) in &poly.terms {
        coefficients[m[0] as usize] = *v;
    }
    Some(coefficients)
}

/// Why a FAIL of this claim and reading has no certificate (for checks that got none).
fn reason(check: &Check) -> String {
    match check.id.as_str() {
        "theorem1" => "the rate certificate is built for d = 1 polynomial risks only; d = 2 enclosures exist \
                       (certify::spectrum2d: separable L, or coupled L with a harmonic factor, 3–80 s each) but \
                       are not yet wired into this certificate kind"
            .into(),
        "theorem2" | "eq8" => "the ratios are Gibbs integrals at finite ε; a certificate needs an interval-Newton \
                               enclosure of each minimum w̌ and of ∇²L(w̌), a rigorous enclosure of the ball \
                               integrals ∫_{|w−w̌|≤ε} e^{−ηL} (interval Gauss–Legendre with a derivative bound) and, \
                               for theorem2, of Z = ∫ e^{−ηL} over ℝ^d (quadrature plus a tail bound); certify has \
                               none of these yet"
            .into(),
        "theorem3" => "the quantities come from a kinetic (non-self-adjoint) resolution study or from Poincaré \
                       constants of non-Gaussian measures; only the Gaussian decay rows have closed forms"
            .into(),
        "lemma1" => "a Monte Carlo verdict (SDE ensemble, Kolmogorov–Smirnov test at 99%): statistical evidence, \
                     which interval arithmetic cannot turn into a proof"
            .into(),
        "lemma3" => "the FAIL rests on a computed stationary density for β(w) (a non-Gibbs kernel); a certificate \
                     needs a rigorous enclosure of that kernel, not yet implemented"
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

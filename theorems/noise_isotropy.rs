//! The noise model that Lemma 3 and Theorem 1 assume, σ²(w) = β·I with β constant ((4) with
//! β(w) ≡ β), against the per-sample gradient covariance of the paper's logistic risk (Appendix
//! B.1), computed from the fixture's actual samples (x_n, y_n), n = 1..N:
//!   g_n(w) = (s(w·x_n) − y_n) x_n + 2λw,   Σ(w) = (1/N) Σ_n (g_n − ḡ)(g_n − ḡ)ᵀ,
//! s the logistic function (the 2λw term cancels in Σ). Over the region the iterates visit — the
//! box of ±3 standard deviations of the Gaussian approximation of p∞ ∝ e^{−L/D} around the
//! minimiser w*, at γ = 0.1, M = 8 and the β̂ = tr Σ(w*)/d that an isotropic fit would use — the
//! check reports the anisotropy κ(w) = λ_max/λ_min of Σ(w) and the variation of tr Σ(w)/d.
//!
//! Corrected statement ([`crate::noise_corrected`], derivation there): SGD run on the samples
//! themselves (batch gradients (1/M) Σ_{n∈B} ∇ℓ_n, the noise the algorithm really has), on the
//! logistic risk and on the squared loss (whose fixture now carries its samples; its Σ(w) needs
//! their fourth moments). Its stationary variances are compared with (i) the Gibbs law e^{−L/D̂}
//! of the isotropic fit β̂ = tr Σ(w*)/d (the claim's consequence, Lemma 3) and (ii) the Gaussian
//! whose covariance solves the discrete Lyapunov equation of the linearised recursion with noise
//! covariance (1/M)Σ(w*) (the corrected statement); on the squared loss also with the exact law of
//! its linear recursion with multiplicative noise.

use crate::check::{verdict_close, Check, EvidenceKind, Quantity, Role};
use crate::common::logistic;
use crate::risks::{Logistic, Risk};
use crate::Progress;
use fpspectral::critical::require_minimum;
use fpspectral::{Potential, Result};
use nalgebra::DMatrix;

/// Relative tolerance of "isotropic" (κ = 1) and "constant" (β(w) = β(w*)).
pub const ISOTROPY_TOL: f64 = 0.1;

/// Σ(w) of the logistic risk from its samples.
pub fn gradient_covariance(features: &[Vec<f64>], labels: &[f64], w: &[f64]) -> DMatrix<f64> {
    let d = w.len();
    let n = features.len() as f64;
    let grads: Vec<Vec<f64>> = features
        .iter()
        .zip(labels)
        .map(|(x, y)| {
            let dot: f64 = x.iter().zip(w).map(|(a, b)| a * b).sum();
            let r = 1.0 / (1.0 + (-dot).exp()) - y;
            x.iter().map(|xi| r * xi).collect()
        })
        .collect();
    let mean: Vec<f64> = (0..d).map(|i| grads.iter().map(|g| g[i]).sum::<f64>() / n).collect();
    DMatrix::from_fn(d, d, |i, j| grads.iter().map(|g| (g[i] - mean[i]) * (g[j] - mean[j])).sum::<f64>() / n)
}

fn anisotropy(s: &DMatrix<f64>) -> (f64, f64) {
    let ev = s.clone().symmetric_eigen().eigenvalues;
    (ev.max() / ev.min(), ev.sum() / ev.len() as f64)
}

/// Runs the check.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    progress("noise-isotropy: logistic risk, per-sample gradient covariance");
    let p = logistic()?;
    let Risk::Logistic(Logistic { features, labels, lambda }) = &p else {
        return Ok(vec![]);
    };
    let d = p.dim();
    let w_star = require_minimum(&p, &vec![0.0; d])?.point;
    let (kappa_star, beta_star) = anisotropy(&gradient_covariance(features, labels, &w_star));
    let (lr, batch) = (0.1, 8.0);
    let diffusion = lr * beta_star / (2.0 * batch);
    let jet = p.jet(&w_star);
    let hessian = DMatrix::from_fn(d, d, |i, j| jet.h[i][j]);
    let eig = hessian.symmetric_eigen();
    let mut kappas = Vec::new();
    let mut betas = Vec::new();
    let m = 21;
    for a in 0..m {
        for b in 0..m {
            let u = [-3.0 + 6.0 * a as f64 / (m - 1) as f64, -3.0 + 6.0 * b as f64 / (m - 1) as f64];
            let mut w = w_star.clone();
            for (k, uk) in u.iter().enumerate().take(d) {
                let sd = (diffusion / eig.eigenvalues[k]).sqrt();
                for (i, wi) in w.iter_mut().enumerate() {
                    *wi += uk * sd * eig.eigenvectors[(i, k)];
                }
            }
            let (kappa, beta) = anisotropy(&gradient_covariance(features, labels, &w));
            kappas.push(kappa);
            betas.push(beta);
        }
    }
    let max_kappa = kappas.iter().copied().fold(0.0, f64::max);
    let (bmin, bmax) = betas.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &b| (lo.min(b), hi.max(b)));
    let rounding = 1e-12;
    let mut c = Check::new("noise-isotropy", "σ²(w) = βI, β constant (4), on the logistic risk's own samples")
        .typed(Role::AsPrinted, "isotropic-constant-noise", EvidenceKind::Exact)
        .with_setting("fixture", "fixtures/logistic.json")
        .with_setting("samples", features.len())
        .with_setting("lambda", *lambda)
        .with_setting("lr", lr)
        .with_setting("batch", batch)
        .with_setting("region", "±3 sd of the Gaussian approximation of p∞ at D = γβ̂/(2M)");
    c.quantity("anisotropy λmax/λmin at w*", Quantity::new(kappa_star, rounding * kappa_star));
    c.quantity("largest anisotropy over the region", Quantity::new(max_kappa, rounding * max_kappa));
    c.quantity("β̂ = tr Σ(w*)/d", Quantity::new(beta_star, rounding * beta_star));
    c.quantity("min tr Σ(w)/d over the region", Quantity::new(bmin, rounding * bmin));
    c.quantity("max tr Σ(w)/d over the region", Quantity::new(bmax, rounding * bmax));
    let iso = verdict_close(Quantity::new(max_kappa, rounding * max_kappa), Quantity::exact(1.0), ISOTROPY_TOL);
    let constant = verdict_close(Quantity::new(bmax / bmin, rounding), Quantity::exact(1.0), ISOTROPY_TOL);
    c.claimed = format!(
        "the gradient noise is isotropic and constant, σ²(w) = βI, within {}% over the visited region",
        100.0 * ISOTROPY_TOL
    );
    c.verdict = crate::check::Verdict::all([iso, constant]);
    c.evidence = format!(
        "Σ(w*) has anisotropy {:.3} (largest {:.3} over the region); tr Σ/d ranges over [{:.4e}, {:.4e}] around \
         β̂ = {:.4e} (isotropy {}, constancy {})",
        kappa_star,
        max_kappa,
        bmin,
        bmax,
        beta_star,
        iso.label(),
        constant.label()
    );
    let mut checks = vec![c];
    checks.extend(crate::noise_corrected::rows(progress)?);
    Ok(checks)
}

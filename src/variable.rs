//! The overdamped Fokker–Planck equation with a state-dependent diffusion D(w) in d = 1:
//! ∂_t p = ∂_w(L' p + (D p)'). It is not symmetric in any fixed weight, so it is discretised
//! in the density variable itself: p = Σ_n a_n φ_n, with the Galerkin matrix of the strong form
//!
//!   G_{mn} = ∫ φ_m [(L'' + D'')φ_n + (L' + 2D')φ_n' + D φ_n''] dw,
//!
//! by Gauss–Hermite quadrature (φ_n'' = s^{-2}(t² − 2n − 1)φ_n). Testing against φ_m rather
//! than φ_m' keeps constant non-zero fluxes out of the kernel, which is the discrete stationary
//! density.

use crate::basis::HermiteBasis;
use crate::error::{EngineError, Result};
use crate::expr::Expr;
use crate::potential::Potential;
use faer::Mat;

/// The generator ∂_w(L' p + (D p)') with diffusion D(w) given as an expression in x.
#[derive(Debug, Clone)]
pub struct VariableDiffusion<'a> {
    /// The risk L (d = 1).
    pub potential: &'a dyn Potential,
    /// D(w) = γβ(w)/(2M), an expression in x.
    pub diffusion: Expr,
}

/// The discrete stationary density: basis, coefficients, and the smallest singular value of G
/// relative to the largest (how close G is to singular).
#[derive(Debug, Clone)]
pub struct Stationary {
    /// Coefficients in the basis, normalised to ∫p = 1.
    pub coeffs: Vec<f64>,
    /// σ_min/σ_max of G.
    pub relative_singular_value: f64,
}

impl<'a> VariableDiffusion<'a> {
    /// Checks d = 1 and D > 0 on a wide grid.
    pub fn new(potential: &'a dyn Potential, diffusion: &str) -> Result<Self> {
        if potential.dim() != 1 {
            return Err(EngineError::InvalidParameter("variable diffusion is implemented in d = 1".into()));
        }
        let diffusion = Expr::parse(diffusion)?;
        for k in -400..=400 {
            let d = diffusion.value(&[k as f64 * 0.05]);
            if !(d.is_finite() && d > 0.0) {
                return Err(EngineError::InvalidParameter(format!(
                    "D(w) must be > 0, got {d} at w = {}",
                    k as f64 * 0.05
                )));
            }
        }
        Ok(VariableDiffusion { potential, diffusion })
    }

    /// The Galerkin matrix G on a 1D basis, with `q` quadrature nodes.
    pub fn matrix(&self, basis: &HermiteBasis, q: usize) -> Mat<f64> {
        let grid = basis.grid(&[q]);
        let n = basis.len();
        let mut g = Mat::<f64>::zeros(n, n);
        let axis = &grid.axes[0];
        let (c, s) = (basis.centre[0], basis.scale[0]);
        for i in 0..axis.x.len() {
            let x = axis.x[i];
            let t = (x - c) / s;
            let lj = self.potential.jet(&[x]);
            let dj = self.diffusion.jet(&[x]);
            let zeroth = lj.h[0][0] + dj.h[0][0];
            let first = lj.g[0] + 2.0 * dj.g[0];
            for m in 0..n {
                let left = axis.w[i] * axis.phi[i][m];
                for k in 0..n {
                    let second = (t * t - (2 * k + 1) as f64) / (s * s) * axis.phi[i][k];
                    g[(m, k)] += left * (zeroth * axis.phi[i][k] + first * axis.dphi[i][k] + dj.v * second);
                }
            }
        }
        g
    }

    /// The kernel of G (right singular vector of the smallest singular value), normalised.
    pub fn stationary(&self, basis: &HermiteBasis, q: usize) -> Result<Stationary> {
        let g = self.matrix(basis, q);
        let svd = g.svd().map_err(|e| EngineError::Numerical(format!("SVD failed: {e:?}")))?;
        let s = svd.S().column_vector();
        let n = s.nrows();
        let v = svd.V().col(n - 1);
        let grid = basis.grid(&[q]);
        let axis = &grid.axes[0];
        let mass: f64 =
            (0..axis.x.len()).map(|i| axis.w[i] * (0..basis.len()).map(|k| v[k] * axis.phi[i][k]).sum::<f64>()).sum();
        Ok(Stationary { coeffs: v.iter().map(|c| c / mass).collect(), relative_singular_value: s[n - 1] / s[0] })
    }
}

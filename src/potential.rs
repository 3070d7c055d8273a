//! Potentials (risk functions) L: R^d → R (d = 1, 2, 3) with exact derivatives.
//!
//! Every solver of the engine takes a `&dyn` [`Potential`]: anything that gives L, ∇L and ∇²L
//! at a point. One implementation comes with the engine, [`Expression`], a formula in x, y, z
//! parsed from text; a caller with a risk of its own (a loss over data, say) implements the
//! trait for it. A polynomial potential says so through [`Potential::poly`], which unlocks the
//! exact paths (Hermite moments in closed form, confinement decided from the leading part).

pub mod confinement;
mod expression;
pub mod linear;

pub use expression::{
    fixture_from_json, read_fixture, Expression, TermSizes, MAX_FIXTURE_BYTES, MAX_PERIODIC_SPREAD, PERIODIC_SAMPLES,
};
pub use linear::{principal_axes, LinearChange, PrincipalAxes};

use crate::error::Result;
use crate::jet::{Grad, Jet};
use crate::polynomial::Poly;

/// A potential L: R^d → R (1 ≤ d ≤ 3) with exact derivatives.
///
/// The values must be deterministic and exact to rounding: the solvers compare resolutions and
/// take the differences as their error estimates, which a noisy L would spoil. Points passed in
/// have exactly [`Potential::dim`] coordinates.
///
/// # Example
///
/// A potential of your own: the double well L(x) = x⁴/4 − x²/2 written out by hand gives the
/// spectral gap of the parsed expression.
///
/// ```
/// use fpspectral::jet::{Grad, Jet};
/// use fpspectral::polynomial::Poly;
/// use fpspectral::prelude::*;
///
/// #[derive(Debug)]
/// struct DoubleWell;
///
/// impl Potential for DoubleWell {
///     fn dim(&self) -> usize {
///         1
///     }
///     fn describe(&self) -> String {
///         "double well x⁴/4 − x²/2".into()
///     }
///     fn value(&self, w: &[f64]) -> f64 {
///         w[0].powi(4) / 4.0 - w[0].powi(2) / 2.0
///     }
///     fn gradient(&self, w: &[f64]) -> Grad {
///         let mut g = Grad::constant(self.value(w));
///         g.g[0] = w[0].powi(3) - w[0];
///         g
///     }
///     fn jet(&self, w: &[f64]) -> Jet {
///         let mut j = Jet::constant(self.value(w));
///         j.g[0] = w[0].powi(3) - w[0];
///         j.h[0][0] = 3.0 * w[0].powi(2) - 1.0;
///         j
///     }
///     fn poly(&self) -> Option<Poly> {
///         let x = Poly::variable(0);
///         Some(x.mul(&x).mul(&x).mul(&x).scale(0.25).add(&x.mul(&x).scale(-0.5)))
///     }
/// }
///
/// let options = RateOptions { count: 1, ..Default::default() };
/// let own = decay_rates(&Overdamped::new(&DoubleWell, 0.5)?, &options)?;
/// let parsed = decay_rates(&Overdamped::new(&Expression::parse("x^4/4 - x^2/2")?, 0.5)?, &options)?;
/// assert!((own.values[0] - parsed.values[0]).abs() <= own.errors[0] + parsed.errors[0]);
/// # Ok::<(), fpspectral::EngineError>(())
/// ```
pub trait Potential: std::fmt::Debug + Send + Sync {
    /// Dimension d of the parameter space (1 ≤ d ≤ 3).
    fn dim(&self) -> usize;

    /// A short human-readable description (the expression's text, say).
    fn describe(&self) -> String;

    /// L(w).
    fn value(&self, w: &[f64]) -> f64;

    /// L and ∇L at w, without the Hessian (the cheap path for gradient flows and drifts).
    fn gradient(&self, w: &[f64]) -> Grad;

    /// L, ∇L and ∇²L at w.
    fn jet(&self, w: &[f64]) -> Jet;

    /// L as a polynomial, when it is one (default: not known to be one).
    fn poly(&self) -> Option<Poly> {
        None
    }

    /// L at a batch of points, `columns[k][j]` the k-th coordinate of the j-th point, into
    /// `out[j]`; each value must be [`Potential::value`]'s (default: point by point).
    fn values(&self, columns: &[&[f64]], out: &mut [f64]) {
        let mut w = vec![0.0; columns.len()];
        for (j, o) in out.iter_mut().enumerate() {
            for (wk, column) in w.iter_mut().zip(columns) {
                *wk = column[j];
            }
            *o = self.value(&w);
        }
    }

    /// Whether a NaN value at w was made by overflow (∞ − ∞, ∞·0 on an overflowed intermediate:
    /// L cannot be evaluated there) rather than by a domain error (default: never).
    fn nan_from_overflow(&self, _w: &[f64]) -> bool {
        false
    }

    /// A pole of L proven from its formula (a divisor that vanishes), in words (default: none
    /// known). [`confinement`] refuses a potential with a pole.
    fn pole(&self) -> Option<String> {
        None
    }
}

/// Checks that `potential` is confining with e^{−L} integrable, bounded below and never NaN:
/// exactly from the leading part for polynomials, numerically otherwise
/// ([`crate::potential::confinement`]).
pub fn check_confining(potential: &dyn Potential) -> Result<()> {
    confinement::confirm(potential)
}

//! Potentials (risk functions) L: R^d → R (d = 1, 2, 3): expressions, a quadratic risk given by
//! its second-moment matrix, and an L2-regularised logistic risk. Value, gradient and Hessian are
//! exact.

pub mod confinement;

use crate::error::{short, EngineError, Result};
use crate::expr::{printable, quote, Expr};
use crate::jet::{softplus, Grad, Jet, MAX_DIM};
use crate::polynomial::Poly;
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

/// Points on which [`Potential::parse_periodic`] checks a periodic potential.
pub const PERIODIC_SAMPLES: usize = 400;
/// Largest max L − min L of a periodic potential: the spectral method on the circle works with
/// e^{∓L}, which overflows beyond about e^{709}.
pub const MAX_PERIODIC_SPREAD: f64 = 700.0;
/// Largest fixture file read.
pub const MAX_FIXTURE_BYTES: u64 = 64 << 20;

/// A library error message (serde's) made one printable line of bounded length.
fn excerpt_message(message: &str) -> String {
    let line = printable(message);
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line
    }
}

/// A risk function with exact derivatives.
#[derive(Debug, Clone)]
pub enum Potential {
    /// A parsed expression; `poly` is set when it is a polynomial, with `term_sizes` its
    /// [`TermSizes`] (empty otherwise).
    Expression { text: String, expr: Expr, poly: Option<Poly>, dim: usize, term_sizes: TermSizes },
    /// A quadratic risk (w − w⁰)ᵀ A (w − w⁰) + c given by its second-moment matrix A = E[x xᵀ]
    /// (the expected squared loss of a linear model).
    SquaredLoss { design: Vec<Vec<f64>>, w0: Vec<f64>, offset: f64 },
    /// A regularised logistic risk (1/N) Σ [softplus(w·x_n) − y_n w·x_n] + λ|w|².
    Logistic { features: Vec<Vec<f64>>, labels: Vec<f64>, lambda: f64 },
}

/// The JSON form of a potential fixture.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Fixture {
    Expression {
        expression: String,
    },
    SquaredLoss {
        second_moment: Vec<Vec<f64>>,
        w0: Vec<f64>,
        #[serde(default = "one")]
        offset: f64,
    },
    Logistic {
        features: Vec<Vec<f64>>,
        labels: Vec<f64>,
        lambda: f64,
    },
}

fn one() -> f64 {
    1.0
}

impl Potential {
    /// Parses an expression in x, y, z and checks that it is confining (e^{−L} integrable, see
    /// [`crate::potential::confinement`]).
    pub fn parse(text: &str) -> Result<Self> {
        let p = Potential::parse_unchecked(text)?;
        p.check_confining()?;
        Ok(p)
    }

    /// Parses an expression (within the limits of [`crate::expr`], its polynomial within those of
    /// [`crate::polynomial`]) without checking confinement or periodicity: for tests and for
    /// callers that check the potential themselves.
    pub fn parse_unchecked(text: &str) -> Result<Self> {
        let expr = Expr::parse(text)?;
        let dim = expr.dim();
        let poly = expr.polynomial()?;
        let term_sizes = poly.as_ref().map(TermSizes::of).unwrap_or_default();
        Ok(Potential::Expression { text: text.to_string(), expr, poly, dim, term_sizes })
    }

    /// Parses a 2π-periodic potential of x alone, for the kinetic problem on the circle
    /// (`Kinetic::periodic`, d = 1), where confinement is replaced by compactness (e.g. `-cos(x)`).
    /// Checked on a grid of [`PERIODIC_SAMPLES`] points: L and L' finite, L(x + 2π) = L(x) to
    /// 1e-9 of max |L| (at least 1e-9), and max L − min L at most [`MAX_PERIODIC_SPREAD`].
    pub fn parse_periodic(text: &str) -> Result<Self> {
        let p = Potential::parse_unchecked(text)?;
        p.check_periodic()?;
        Ok(p)
    }

    /// The checks of [`Potential::parse_periodic`].
    fn check_periodic(&self) -> Result<()> {
        let bad = |m: String| Err(EngineError::Parse(m));
        if self.dim() != 1 {
            return bad(format!(
                "a periodic potential is a function of x alone (w lives on the circle, d = 1), got d = {}",
                self.dim()
            ));
        }
        let two_pi = 2.0 * std::f64::consts::PI;
        // The grid 2πk/n (where the spectral method samples) and the same grid shifted.
        let xs = (0..PERIODIC_SAMPLES).map(|k| {
            let shift = if k % 2 == 0 { 0.0 } else { 0.381966 };
            two_pi * ((k / 2) as f64 + shift) / (PERIODIC_SAMPLES / 2) as f64
        });
        let mut samples = Vec::with_capacity(PERIODIC_SAMPLES);
        for x in xs {
            let j = self.jet(&[x]);
            let shifted = self.value(&[x + two_pi]);
            if !j.v.is_finite() {
                return bad(format!(
                    "L({}) = {} is not finite; a periodic potential is finite on the circle",
                    short(x),
                    j.v
                ));
            }
            if !j.g[0].is_finite() {
                return bad(format!(
                    "L'({}) = {} is not finite; a periodic potential is smooth on the circle",
                    short(x),
                    j.g[0]
                ));
            }
            samples.push((x, j.v, shifted));
        }
        let scale = samples.iter().fold(1.0f64, |m, s| m.max(s.1.abs()));
        for &(x, v, shifted) in &samples {
            if !(shifted - v).abs().le(&(1e-9 * scale)) {
                return bad(format!(
                    "L is not 2π-periodic in x: L({}) = {} but L({} + 2π) = {}",
                    short(x),
                    short(v),
                    short(x),
                    short(shifted)
                ));
            }
        }
        let lo = samples.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let hi = samples.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
        if hi - lo > MAX_PERIODIC_SPREAD {
            return bad(format!(
                "max L − min L = {} over the circle; the limit is {MAX_PERIODIC_SPREAD} (e^{{−L}} would \
                 over- or underflow in the spectral method)",
                short(hi - lo)
            ));
        }
        Ok(())
    }

    /// Reads a potential from a SPEC: a JSON fixture when SPEC ends in `.json`, an expression
    /// otherwise (a file that happens to be named like an expression is never read).
    pub fn from_spec(spec: &str) -> Result<Self> {
        if spec.ends_with(".json") {
            return Potential::from_fixture(Path::new(spec));
        }
        match Potential::parse(spec) {
            Err(EngineError::Parse(message)) => {
                // Not an expression: say so plainly when it names a directory or another file.
                let path = Path::new(spec);
                if path.is_dir() {
                    Err(EngineError::Io(format!("{} is a directory, not a fixture (a .json file)", quote(spec))))
                } else if path.is_file() {
                    Err(EngineError::Io(format!(
                        "{} is a file but not a fixture: fixture names end in .json",
                        quote(spec)
                    )))
                } else if spec.contains(['/', std::path::MAIN_SEPARATOR]) && !spec.contains(['+', '*', '^', '(', ' ']) {
                    // Looks like a path rather than an expression.
                    Err(EngineError::Parse(format!(
                        "{message}; and there is no file {} (fixture names end in .json)",
                        quote(spec)
                    )))
                } else {
                    Err(EngineError::Parse(message))
                }
            }
            other => other,
        }
    }

    /// Reads a JSON fixture (`{"kind": "expression" | "squared-loss" | "logistic", ...}`) of at
    /// most [`MAX_FIXTURE_BYTES`].
    pub fn from_fixture(path: &Path) -> Result<Self> {
        let name = quote(&path.display().to_string());
        if path.is_dir() {
            return Err(EngineError::Io(format!("{name} is a directory, not a fixture (a .json file)")));
        }
        let cannot =
            |e: std::io::Error| EngineError::Io(format!("cannot read fixture {name}: {}", printable(&e.to_string())));
        let file = std::fs::File::open(path).map_err(cannot)?;
        let mut bytes = Vec::new();
        file.take(MAX_FIXTURE_BYTES + 1).read_to_end(&mut bytes).map_err(cannot)?;
        if bytes.len() as u64 > MAX_FIXTURE_BYTES {
            return Err(EngineError::Parse(format!(
                "fixture {name} is larger than {MAX_FIXTURE_BYTES} bytes (the limit)"
            )));
        }
        let text =
            String::from_utf8(bytes).map_err(|_| EngineError::Parse(format!("fixture {name} is not UTF-8 text")))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            EngineError::Parse(format!("fixture {name} is not valid JSON: {}", printable(&e.to_string())))
        })?;
        let body = value.get("potential").cloned().unwrap_or(value);
        let fixture: Fixture = serde_json::from_value(body)
            .map_err(|e| EngineError::Parse(format!("fixture {name}: {}", excerpt_message(&e.to_string()))))?;
        Potential::from_fixture_value(fixture)
    }

    /// Builds the potential from a JSON value of the fixture form.
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        let fixture: Fixture = serde_json::from_value(value.clone())
            .map_err(|e| EngineError::Parse(format!("potential: {}", excerpt_message(&e.to_string()))))?;
        Potential::from_fixture_value(fixture)
    }

    fn from_fixture_value(fixture: Fixture) -> Result<Self> {
        let p = match fixture {
            Fixture::Expression { expression } => return Potential::parse(&expression),
            Fixture::SquaredLoss { second_moment, w0, offset } => {
                Potential::SquaredLoss { design: second_moment, w0, offset }
            }
            Fixture::Logistic { features, labels, lambda } => Potential::Logistic { features, labels, lambda },
        };
        p.validate_data()?;
        p.check_confining()?;
        Ok(p)
    }

    fn validate_data(&self) -> Result<()> {
        let bad = |m: &str| Err(EngineError::Parse(m.to_string()));
        match self {
            Potential::SquaredLoss { design, w0, offset } => {
                let d = w0.len();
                if d == 0 || d > MAX_DIM || design.len() != d || design.iter().any(|r| r.len() != d) {
                    return bad("squared-loss: second_moment must be d×d and w0 of length d (1 ≤ d ≤ 3)");
                }
                if design.iter().flatten().chain(w0).chain([offset]).any(|v| !v.is_finite()) {
                    return bad("squared-loss: non-finite entry");
                }
            }
            Potential::Logistic { features, labels, lambda } => {
                let d = features.first().map_or(0, |r| r.len());
                if d == 0 || d > MAX_DIM || features.iter().any(|r| r.len() != d) || labels.len() != features.len() {
                    return bad("logistic: features must be N×d (1 ≤ d ≤ 3) with N labels");
                }
                if features.iter().flatten().chain(labels).any(|v| !v.is_finite()) || !lambda.is_finite() {
                    return bad("logistic: non-finite entry");
                }
            }
            Potential::Expression { .. } => {}
        }
        Ok(())
    }

    /// Dimension d of the parameter space.
    pub fn dim(&self) -> usize {
        match self {
            Potential::Expression { dim, .. } => *dim,
            Potential::SquaredLoss { w0, .. } => w0.len(),
            Potential::Logistic { features, .. } => features[0].len(),
        }
    }

    /// A short human-readable description.
    pub fn describe(&self) -> String {
        match self {
            Potential::Expression { text, .. } => text.clone(),
            Potential::SquaredLoss { w0, .. } => format!("squared-loss risk (d={})", w0.len()),
            Potential::Logistic { features, lambda, .. } => {
                format!("logistic risk (N={}, d={}, λ={lambda})", features.len(), features[0].len())
            }
        }
    }

    /// The potential as a polynomial, when it is one.
    pub fn poly(&self) -> Option<Poly> {
        match self {
            Potential::Expression { poly, .. } => poly.clone(),
            Potential::SquaredLoss { design, w0, offset } => {
                let d = w0.len();
                let mut p = Poly::constant(*offset);
                for i in 0..d {
                    for j in 0..d {
                        let ui = Poly::variable(i).add(&Poly::constant(-w0[i]));
                        let uj = Poly::variable(j).add(&Poly::constant(-w0[j]));
                        p = p.add(&ui.mul(&uj).scale(design[i][j]));
                    }
                }
                Some(p)
            }
            Potential::Logistic { .. } => None,
        }
    }

    /// L(x)
    pub fn value(&self, x: &[f64]) -> f64 {
        match self {
            Potential::Expression { expr, .. } => expr.value(x),
            Potential::SquaredLoss { design, w0, offset } => squared_loss_value(design, w0, *offset, x),
            Potential::Logistic { features, labels, lambda } => logistic_value(features, labels, *lambda, x),
        }
    }

    /// L, ∇L, ∇²L at x.
    pub fn jet(&self, x: &[f64]) -> Jet {
        match self {
            Potential::Expression { expr, .. } => expr.jet(x),
            Potential::SquaredLoss { design, w0, offset } => squared_loss_jet(design, w0, *offset, x),
            Potential::Logistic { features, labels, lambda } => logistic_jet(features, labels, *lambda, x),
        }
    }

    /// L and ∇L at x, without the Hessian (exact to rounding; the cheap path for gradient flows
    /// and drifts).
    pub fn gradient(&self, x: &[f64]) -> Grad {
        match self {
            Potential::Expression { poly: Some(p), expr, term_sizes, .. } => {
                let g = p.grad(x);
                if term_sizes.well_conditioned(x, g.v) {
                    g
                } else {
                    expr.grad(x)
                }
            }
            Potential::Expression { expr, .. } => expr.grad(x),
            Potential::SquaredLoss { design, w0, offset } => squared_loss_grad(design, w0, *offset, x),
            Potential::Logistic { features, labels, lambda } => logistic_grad(features, labels, *lambda, x),
        }
    }

    /// Checks that L is confining with e^{−L} integrable, bounded below and never NaN: exactly
    /// from the leading part for polynomials, numerically otherwise ([`crate::potential::confinement`]).
    pub fn check_confining(&self) -> Result<()> {
        crate::potential::confinement::confirm(self)
    }
}

/// Largest ratio Σ|c_α x^α| / (1 + |L(x)|) at which the expanded polynomial is trusted for
/// [`Potential::gradient`]: its sum then loses at most about 6 bits more than the expression.
const MAX_CANCELLATION: f64 = 64.0;

/// The sizes s_k = Σ_{|α| = k} |c_α| of an expanded polynomial's terms by total degree k.
///
/// At a point with max |x_i| ≤ r the terms the expansion sums obey Σ |c_α x^α| ≤ P̄(r) = Σ_k s_k r^k,
/// and the rounding of the sum is about ε·P̄(r). Far from where the user's expression is centred
/// (((x − 50)² − 1)² near x = 50: P̄ ≈ 1e7 where L ≈ 1) the expansion cancels many digits that
/// the expression tree keeps, so [`Potential::gradient`] falls back to the tree there.
#[derive(Debug, Clone, Default)]
pub struct TermSizes(Vec<f64>);

impl TermSizes {
    /// The term sizes of p.
    pub fn of(p: &Poly) -> TermSizes {
        let mut sizes = vec![0.0; p.degree() as usize + 1];
        for (m, c) in &p.terms {
            sizes[m.iter().sum::<u32>() as usize] += c.abs();
        }
        TermSizes(sizes)
    }

    /// P̄(max |x_i|) by Horner.
    pub fn bound(&self, x: &[f64]) -> f64 {
        let r = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        self.0.iter().rev().fold(0.0, |acc, s| acc * r + s)
    }

    /// Whether the expansion's sum at x (value `value`) cancels at most `MAX_CANCELLATION`.
    pub fn well_conditioned(&self, x: &[f64], value: f64) -> bool {
        self.bound(x) <= MAX_CANCELLATION * (1.0 + value.abs())
    }
}

/// The value of [`logistic_jet`]: the same sums in the same order, without derivatives.
fn logistic_value(features: &[Vec<f64>], labels: &[f64], lambda: f64, w: &[f64]) -> f64 {
    let d = features[0].len();
    let n = features.len() as f64;
    let mut total = 0.0;
    for (x, y) in features.iter().zip(labels) {
        let mut dot = 0.0;
        for i in 0..d {
            dot += w[i] * x[i];
        }
        total = total + softplus(dot) - dot * y;
    }
    let reg = w[..d].iter().fold(0.0, |acc, v| acc + v * v);
    total * (1.0 / n) + reg * lambda
}

fn logistic_jet(features: &[Vec<f64>], labels: &[f64], lambda: f64, w: &[f64]) -> Jet {
    let d = features[0].len();
    let n = features.len() as f64;
    let vars: Vec<Jet> = (0..d).map(|i| Jet::variable(i, w[i])).collect();
    let mut total = Jet::constant(0.0);
    for (x, y) in features.iter().zip(labels) {
        let mut dot = Jet::constant(0.0);
        for i in 0..d {
            dot = dot + vars[i] * Jet::constant(x[i]);
        }
        total = total + dot.softplus() - dot * Jet::constant(*y);
    }
    let mut reg = Jet::constant(0.0);
    for v in &vars {
        reg = reg + *v * *v;
    }
    total * Jet::constant(1.0 / n) + reg * Jet::constant(lambda)
}

/// (w − w⁰)ᵀ A (w − w⁰) + c and its gradient (A + Aᵀ)(w − w⁰).
/// L = c + Σ_ij A_ij u_i u_j, u = w − w0, with ∇L from [`squared_loss_grad`] and the constant
/// Hessian ∂_i∂_j L = A_ij + A_ji (built at each point from A; expanding the polynomial and its
/// derivatives at every point cost more than the whole integrand).
#[allow(clippy::needless_range_loop)]
fn squared_loss_jet(design: &[Vec<f64>], w0: &[f64], offset: f64, w: &[f64]) -> Jet {
    let grad = squared_loss_grad(design, w0, offset, w);
    let mut jet = Jet::constant(grad.v);
    jet.g = grad.g;
    for i in 0..w0.len() {
        for j in 0..w0.len() {
            jet.h[i][j] = design[i][j] + design[j][i];
        }
    }
    jet
}

/// The value of [`squared_loss_grad`]: the same sum in the same order.
fn squared_loss_value(design: &[Vec<f64>], w0: &[f64], offset: f64, w: &[f64]) -> f64 {
    let d = w0.len();
    let u: Vec<f64> = (0..d).map(|i| w[i] - w0[i]).collect();
    let mut v = offset;
    for i in 0..d {
        for j in 0..d {
            v += design[i][j] * u[i] * u[j];
        }
    }
    v
}

fn squared_loss_grad(design: &[Vec<f64>], w0: &[f64], offset: f64, w: &[f64]) -> Grad {
    let d = w0.len();
    let u: Vec<f64> = (0..d).map(|i| w[i] - w0[i]).collect();
    let mut out = Grad::constant(offset);
    for i in 0..d {
        for j in 0..d {
            out.v += design[i][j] * u[i] * u[j];
            out.g[i] += design[i][j] * u[j];
            out.g[j] += design[i][j] * u[i];
        }
    }
    out
}

fn logistic_grad(features: &[Vec<f64>], labels: &[f64], lambda: f64, w: &[f64]) -> Grad {
    let d = features[0].len();
    let n = features.len() as f64;
    let vars: Vec<Grad> = (0..d).map(|i| Grad::variable(i, w[i])).collect();
    let mut total = Grad::constant(0.0);
    for (x, y) in features.iter().zip(labels) {
        let mut dot = Grad::constant(0.0);
        for i in 0..d {
            dot = dot + vars[i] * Grad::constant(x[i]);
        }
        total = total + dot.softplus() - dot * Grad::constant(*y);
    }
    let mut reg = Grad::constant(0.0);
    for v in &vars {
        reg = reg + *v * *v;
    }
    total * Grad::constant(1.0 / n) + reg * Grad::constant(lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value paths of the data risks are the value part of their jets, bit for bit.
    #[test]
    fn data_risk_values_are_their_jets_values() {
        let squared = Potential::SquaredLoss {
            design: vec![vec![2.0, 0.3, 0.1], vec![0.3, 1.0, 0.2], vec![0.1, 0.2, 0.5]],
            w0: vec![0.5, -1.0, 0.25],
            offset: 1.0,
        };
        let logistic = Potential::Logistic {
            features: vec![vec![1.0, 0.5, -0.2], vec![-0.3, 1.0, 0.7], vec![0.4, -0.8, 1.0]],
            labels: vec![1.0, 0.0, 1.0],
            lambda: 0.1,
        };
        for p in [squared, logistic] {
            for k in 0..2000 {
                let t = k as f64 * 0.37;
                let x = [40.0 * t.sin(), 3.0 * (1.7 * t).cos(), 25.0 * (0.3 * t).sin() - 5.0];
                assert_eq!(p.value(&x).to_bits(), p.jet(&x).v.to_bits(), "{} at {x:?}", p.describe());
            }
        }
    }
}

//! Risk functions L: R^d → R (d = 1, 2, 3): expressions, the squared-loss risk of Appendix B.1,
//! and the L2-regularised logistic-regression risk. Value, gradient and Hessian are exact.

use crate::error::{EngineError, Result};
use crate::expr::Expr;
use crate::jet::{Grad, Jet, MAX_DIM};
use crate::polynomial::Poly;
use serde::Deserialize;
use std::path::Path;

/// A risk function with exact derivatives.
#[derive(Debug, Clone)]
pub enum Potential {
    /// A parsed expression; `poly` is set when it is a polynomial.
    Expression { text: String, expr: Expr, poly: Option<Poly>, dim: usize },
    /// Squared-loss risk (w − w⁰)ᵀ A (w − w⁰) + c with A = E[x xᵀ] (Appendix B.1).
    SquaredLoss { design: Vec<Vec<f64>>, w0: Vec<f64>, offset: f64 },
    /// L2-regularised logistic risk (1/N) Σ [softplus(w·x_n) − y_n w·x_n] + λ|w|² (B.1).
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
    /// Parses an expression in x, y, z and checks assumption (A.1).
    pub fn parse(text: &str) -> Result<Self> {
        let expr = Expr::parse(text)?;
        let dim = expr.dim();
        let poly = expr.to_poly();
        let p = Potential::Expression { text: text.to_string(), expr, poly, dim };
        p.check_confining()?;
        Ok(p)
    }

    /// Parses an expression without the confinement check, for 2π-periodic potentials on the
    /// circle (e.g. `-cos(x)`), where (A.1) is replaced by compactness.
    pub fn parse_periodic(text: &str) -> Result<Self> {
        let expr = Expr::parse(text)?;
        let dim = expr.dim();
        let poly = expr.to_poly();
        Ok(Potential::Expression { text: text.to_string(), expr, poly, dim })
    }

    /// Reads a potential from a SPEC: a path to a JSON fixture, or an expression.
    pub fn from_spec(spec: &str) -> Result<Self> {
        if spec.ends_with(".json") || Path::new(spec).is_file() {
            Potential::from_fixture(Path::new(spec))
        } else {
            Potential::parse(spec)
        }
    }

    /// Reads a JSON fixture (`{"kind": "expression" | "squared-loss" | "logistic", ...}`).
    pub fn from_fixture(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EngineError::Io(format!("cannot read fixture {}: {e}", path.display())))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| EngineError::Parse(format!("fixture {} is not valid JSON: {e}", path.display())))?;
        let body = value.get("potential").cloned().unwrap_or(value);
        let fixture: Fixture =
            serde_json::from_value(body).map_err(|e| EngineError::Parse(format!("fixture {}: {e}", path.display())))?;
        Potential::from_fixture_value(fixture)
    }

    /// Builds the potential from a JSON value of the fixture form.
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        let fixture: Fixture =
            serde_json::from_value(value.clone()).map_err(|e| EngineError::Parse(format!("potential: {e}")))?;
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
            _ => self.jet(x).v,
        }
    }

    /// L, ∇L, ∇²L at x.
    pub fn jet(&self, x: &[f64]) -> Jet {
        match self {
            Potential::Expression { expr, .. } => expr.jet(x),
            Potential::SquaredLoss { .. } => {
                let p = self.poly().expect("squared loss is a polynomial");
                poly_jet(&p, x)
            }
            Potential::Logistic { features, labels, lambda } => logistic_jet(features, labels, *lambda, x),
        }
    }

    /// L and ∇L at x, without the Hessian (exact to rounding; the cheap path for gradient flows
    /// and drifts).
    pub fn gradient(&self, x: &[f64]) -> Grad {
        match self {
            Potential::Expression { poly: Some(p), .. } => p.grad(x),
            Potential::Expression { expr, .. } => expr.grad(x),
            Potential::SquaredLoss { design, w0, offset } => squared_loss_grad(design, w0, *offset, x),
            Potential::Logistic { features, labels, lambda } => logistic_grad(features, labels, *lambda, x),
        }
    }

    /// Checks that L is confining with e^{−L} integrable, bounded below and never NaN: exactly
    /// from the leading part for polynomials, numerically otherwise ([`crate::confinement`]).
    pub fn check_confining(&self) -> Result<()> {
        crate::confinement::check(self).map(|_| ())
    }
}

/// Value, gradient and Hessian of a polynomial.
pub fn poly_jet(p: &Poly, x: &[f64]) -> Jet {
    let mut j = Jet::constant(p.value(x));
    for i in 0..MAX_DIM {
        let di = p.derivative(i);
        j.g[i] = di.value(x);
        for k in 0..MAX_DIM {
            j.h[i][k] = di.derivative(k).value(x);
        }
    }
    j
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

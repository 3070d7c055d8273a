//! The paper's data risks (Appendix B.1) as [`fpspectral::Potential`]s: the expected squared loss
//! of a linear model, given by its second-moment matrix, and the L2-regularised logistic risk;
//! value, gradient and Hessian exact. [`Risk`] is any potential a fixture file may hold (these two
//! or an expression), read by [`from_spec`].

use fpspectral::jet::{softplus, Grad, Jet, MAX_DIM};
use fpspectral::polynomial::Poly;
use fpspectral::potential::{check_confining, fixture_from_json, read_fixture};
use fpspectral::{EngineError, Expression, Potential, Result};
use serde::Deserialize;
use std::path::Path;

/// A quadratic risk (w − w⁰)ᵀ A (w − w⁰) + c given by its second-moment matrix A = E[x xᵀ]
/// (the expected squared loss of a linear model, Appendix B.1).
#[derive(Debug, Clone)]
pub struct SquaredLoss {
    /// A = E[x xᵀ] (d×d).
    pub design: Vec<Vec<f64>>,
    /// The minimiser w⁰.
    pub w0: Vec<f64>,
    /// The constant c.
    pub offset: f64,
}

/// A regularised logistic risk (1/N) Σ [softplus(w·x_n) − y_n w·x_n] + λ|w|² (Appendix B.1).
#[derive(Debug, Clone)]
pub struct Logistic {
    /// The samples x_n (N×d).
    pub features: Vec<Vec<f64>>,
    /// The labels y_n (N).
    pub labels: Vec<f64>,
    /// The ridge λ.
    pub lambda: f64,
}

/// A potential as a fixture file holds it: an expression or one of the data risks.
#[derive(Debug, Clone)]
pub enum Risk {
    /// `{"kind": "expression", "expression": "..."}`.
    Expression(Expression),
    /// `{"kind": "squared-loss", "second_moment": A, "w0": w⁰, "offset": c (default 1)}`.
    SquaredLoss(SquaredLoss),
    /// `{"kind": "logistic", "features": X, "labels": y, "lambda": λ}`.
    Logistic(Logistic),
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

/// Reads a potential from a SPEC: a JSON fixture of any [`Risk`] kind when SPEC ends in `.json`,
/// an expression otherwise ([`Expression::from_spec`]).
pub fn from_spec(spec: &str) -> Result<Risk> {
    if spec.ends_with(".json") {
        return from_fixture(Path::new(spec));
    }
    Expression::from_spec(spec).map(Risk::Expression)
}

/// Reads a JSON fixture (`{"kind": "expression" | "squared-loss" | "logistic", ...}`).
pub fn from_fixture(path: &Path) -> Result<Risk> {
    Risk::from_fixture_value(read_fixture(path)?)
}

/// Builds the potential from a JSON value of the fixture form.
pub fn from_json(value: &serde_json::Value) -> Result<Risk> {
    Risk::from_fixture_value(fixture_from_json(value)?)
}

impl From<Expression> for Risk {
    fn from(p: Expression) -> Self {
        Risk::Expression(p)
    }
}

impl Risk {
    fn from_fixture_value(fixture: Fixture) -> Result<Self> {
        let risk = match fixture {
            Fixture::Expression { expression } => return Expression::parse(&expression).map(Risk::Expression),
            Fixture::SquaredLoss { second_moment, w0, offset } => {
                Risk::SquaredLoss(SquaredLoss { design: second_moment, w0, offset })
            }
            Fixture::Logistic { features, labels, lambda } => Risk::Logistic(Logistic { features, labels, lambda }),
        };
        risk.validate_data()?;
        check_confining(&risk)?;
        Ok(risk)
    }

    fn validate_data(&self) -> Result<()> {
        let bad = |m: &str| Err(EngineError::Parse(m.to_string()));
        match self {
            Risk::SquaredLoss(SquaredLoss { design, w0, offset }) => {
                let d = w0.len();
                if d == 0 || d > MAX_DIM || design.len() != d || design.iter().any(|r| r.len() != d) {
                    return bad("squared-loss: second_moment must be d×d and w0 of length d (1 ≤ d ≤ 3)");
                }
                if design.iter().flatten().chain(w0).chain([offset]).any(|v| !v.is_finite()) {
                    return bad("squared-loss: non-finite entry");
                }
            }
            Risk::Logistic(Logistic { features, labels, lambda }) => {
                let d = features.first().map_or(0, |r| r.len());
                if d == 0 || d > MAX_DIM || features.iter().any(|r| r.len() != d) || labels.len() != features.len() {
                    return bad("logistic: features must be N×d (1 ≤ d ≤ 3) with N labels");
                }
                if features.iter().flatten().chain(labels).any(|v| !v.is_finite()) || !lambda.is_finite() {
                    return bad("logistic: non-finite entry");
                }
            }
            Risk::Expression(_) => {}
        }
        Ok(())
    }

    /// The potential behind the fixture kind.
    fn inner(&self) -> &dyn Potential {
        match self {
            Risk::Expression(p) => p,
            Risk::SquaredLoss(p) => p,
            Risk::Logistic(p) => p,
        }
    }
}

impl Potential for Risk {
    fn dim(&self) -> usize {
        self.inner().dim()
    }
    fn describe(&self) -> String {
        self.inner().describe()
    }
    fn value(&self, w: &[f64]) -> f64 {
        self.inner().value(w)
    }
    fn gradient(&self, w: &[f64]) -> Grad {
        self.inner().gradient(w)
    }
    fn jet(&self, w: &[f64]) -> Jet {
        self.inner().jet(w)
    }
    fn poly(&self) -> Option<Poly> {
        self.inner().poly()
    }
    fn values(&self, columns: &[&[f64]], out: &mut [f64]) {
        self.inner().values(columns, out)
    }
    fn nan_from_overflow(&self, w: &[f64]) -> bool {
        self.inner().nan_from_overflow(w)
    }
    fn pole(&self) -> Option<String> {
        self.inner().pole()
    }
}

impl Potential for SquaredLoss {
    fn dim(&self) -> usize {
        self.w0.len()
    }
    fn describe(&self) -> String {
        format!("squared-loss risk (d={})", self.w0.len())
    }
    fn value(&self, w: &[f64]) -> f64 {
        squared_loss_value(&self.design, &self.w0, self.offset, w)
    }
    fn gradient(&self, w: &[f64]) -> Grad {
        squared_loss_grad(&self.design, &self.w0, self.offset, w)
    }
    fn jet(&self, w: &[f64]) -> Jet {
        squared_loss_jet(&self.design, &self.w0, self.offset, w)
    }
    /// c + Σ_ij A_ij (w_i − w⁰_i)(w_j − w⁰_j), expanded.
    fn poly(&self) -> Option<Poly> {
        let d = self.w0.len();
        let mut p = Poly::constant(self.offset);
        for i in 0..d {
            for j in 0..d {
                let ui = Poly::variable(i).add(&Poly::constant(-self.w0[i]));
                let uj = Poly::variable(j).add(&Poly::constant(-self.w0[j]));
                p = p.add(&ui.mul(&uj).scale(self.design[i][j]));
            }
        }
        Some(p)
    }
}

impl Potential for Logistic {
    fn dim(&self) -> usize {
        self.features[0].len()
    }
    fn describe(&self) -> String {
        format!("logistic risk (N={}, d={}, λ={})", self.features.len(), self.features[0].len(), self.lambda)
    }
    fn value(&self, w: &[f64]) -> f64 {
        logistic_value(&self.features, &self.labels, self.lambda, w)
    }
    fn gradient(&self, w: &[f64]) -> Grad {
        logistic_grad(&self.features, &self.labels, self.lambda, w)
    }
    fn jet(&self, w: &[f64]) -> Jet {
        logistic_jet(&self.features, &self.labels, self.lambda, w)
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

    /// The value paths of the data risks are the value parts of their jets and gradients, bit for
    /// bit (the confinement search reads values, the gradient flows read gradients).
    #[test]
    fn data_risk_values_are_their_jets_values() {
        let squared = Risk::SquaredLoss(SquaredLoss {
            design: vec![vec![2.0, 0.3, 0.1], vec![0.3, 1.0, 0.2], vec![0.1, 0.2, 0.5]],
            w0: vec![0.5, -1.0, 0.25],
            offset: 1.0,
        });
        let logistic = Risk::Logistic(Logistic {
            features: vec![vec![1.0, 0.5, -0.2], vec![-0.3, 1.0, 0.7], vec![0.4, -0.8, 1.0]],
            labels: vec![1.0, 0.0, 1.0],
            lambda: 0.1,
        });
        for p in [squared, logistic] {
            for k in 0..2000 {
                let t = k as f64 * 0.37;
                let x = [40.0 * t.sin(), 3.0 * (1.7 * t).cos(), 25.0 * (0.3 * t).sin() - 5.0];
                let v = p.value(&x).to_bits();
                assert_eq!(v, p.jet(&x).v.to_bits(), "{} at {x:?}", p.describe());
                assert_eq!(v, p.gradient(&x).v.to_bits(), "{} at {x:?}", p.describe());
            }
        }
    }
}

//! Settings shared by the overdamped claims: hyperparameters and the built-in potentials.

use crate::risks::{Logistic, Risk};
use fpspectral::error::positive;
use fpspectral::{EngineError, Expression, Result};

/// SGD hyperparameters of (3): learning rate γ, noise scale β, batch size M.
#[derive(Debug, Clone, Copy)]
pub struct Hyper {
    /// Learning rate γ.
    pub lr: f64,
    /// Isotropic gradient-noise scale β of (4).
    pub beta: f64,
    /// Batch size M.
    pub batch: f64,
}

impl Hyper {
    /// D = γβ/(2M), the diffusion of (5).
    pub fn diffusion(&self) -> Result<f64> {
        positive("learning rate", self.lr)?;
        positive("beta", self.beta)?;
        positive("batch size", self.batch)?;
        Ok(self.lr * self.beta / (2.0 * self.batch))
    }
    /// The setting as JSON entries.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({"lr": self.lr, "beta": self.beta, "batch": self.batch})
    }
}

/// The built-in fixtures, compiled into the binary so that `paper-checks` runs anywhere.
const POTENTIALS_JSON: &str = include_str!("../fixtures/potentials.json");
const LOGISTIC_JSON: &str = include_str!("../fixtures/logistic.json");
const SQUARED_LOSS_JSON: &str = include_str!("../fixtures/squared_loss.json");

fn from_fixture_text(name: &str, text: &str) -> Result<Risk> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| EngineError::Parse(format!("built-in fixture {name}: {e}")))?;
    crate::risks::from_json(&value["potential"])
}

/// The logistic-regression risk fixture (Appendix B.1), `fixtures/logistic.json`: parsed and
/// checked for confinement once per process (a fixed text, so every caller gets the same risk;
/// the check searches the landscape and is not free).
pub fn logistic() -> Result<Risk> {
    static PARSED: std::sync::OnceLock<Result<Risk>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| from_fixture_text("logistic.json", LOGISTIC_JSON)).clone()
}

/// The squared-loss risk fixture (Appendix B.1), `fixtures/squared_loss.json`, parsed and
/// checked once per process as [`logistic`].
pub fn squared_loss() -> Result<Risk> {
    static PARSED: std::sync::OnceLock<Result<Risk>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| from_fixture_text("squared_loss.json", SQUARED_LOSS_JSON)).clone()
}

/// A named expression potential from `fixtures/potentials.json`.
pub fn builtin(name: &str) -> Result<Expression> {
    let value: serde_json::Value = serde_json::from_str(POTENTIALS_JSON)
        .map_err(|e| EngineError::Parse(format!("built-in fixture potentials.json: {e}")))?;
    let text = value["potentials"][name]
        .as_str()
        .ok_or_else(|| EngineError::Parse(format!("no potential '{name}' in fixtures/potentials.json")))?;
    Expression::parse(text)
}

/// The per-sample risks of a data fixture, for SGD on the samples themselves
/// ([`fpspectral::sgd::finite_sum`]). Logistic (Appendix B.1): ℓ_n(w) = softplus(w·x_n) −
/// y_n w·x_n + λ|w|², ∇ℓ_n = (s(w·x_n) − y_n) x_n + 2λw (s the logistic function); squared loss:
/// ℓ_n(w) = (x_n·w − y_n)², ∇ℓ_n = 2 (x_n·w − y_n) x_n. Their mean is the fixture's risk L.
#[derive(Debug, Clone)]
pub struct DataRisks {
    /// x_n (first d entries).
    pub features: Vec<[f64; 3]>,
    /// y_n.
    pub labels: Vec<f64>,
    /// d.
    pub dim: usize,
    /// Logistic (with λ) or squared loss.
    pub kind: DataKind,
}

/// Which per-sample loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DataKind {
    /// Logistic loss with ridge λ.
    Logistic {
        /// λ.
        lambda: f64,
    },
    /// Squared loss.
    Squared,
}

impl fpspectral::sgd::finite_sum::SampleGradients for DataRisks {
    fn dim(&self) -> usize {
        self.dim
    }
    fn len(&self) -> usize {
        self.labels.len()
    }
    #[inline]
    fn add_gradient(&self, n: usize, w: &[f64], out: &mut [f64]) {
        let x = &self.features[n];
        let dot: f64 = (0..self.dim).map(|i| x[i] * w[i]).sum();
        match self.kind {
            DataKind::Logistic { lambda } => {
                let r = 1.0 / (1.0 + (-dot).exp()) - self.labels[n];
                (0..self.dim).for_each(|i| out[i] += r * x[i] + 2.0 * lambda * w[i]);
            }
            DataKind::Squared => {
                let r = 2.0 * (dot - self.labels[n]);
                (0..self.dim).for_each(|i| out[i] += r * x[i]);
            }
        }
    }
}

impl DataRisks {
    /// ∇²L(w) = (1/N) Σ_n ∇²ℓ_n(w): s(1 − s) x xᵀ + 2λI (logistic), 2 x xᵀ (squared).
    pub fn hessian(&self, w: &[f64]) -> nalgebra::DMatrix<f64> {
        let d = self.dim;
        let mut h = nalgebra::DMatrix::zeros(d, d);
        for x in &self.features {
            let weight = self.sample_curvature(x, w);
            for i in 0..d {
                for j in 0..d {
                    h[(i, j)] += weight * x[i] * x[j] / self.labels.len() as f64;
                }
            }
        }
        if let DataKind::Logistic { lambda } = self.kind {
            h += nalgebra::DMatrix::identity(d, d) * (2.0 * lambda);
        }
        h
    }

    /// The factor c_n of ∇²ℓ_n = c_n x_n x_nᵀ (+ 2λI): s(1 − s) or 2.
    pub fn sample_curvature(&self, x: &[f64; 3], w: &[f64]) -> f64 {
        match self.kind {
            DataKind::Logistic { .. } => {
                let s = 1.0 / (1.0 + (-(0..self.dim).map(|i| x[i] * w[i]).sum::<f64>()).exp());
                s * (1.0 - s)
            }
            DataKind::Squared => 2.0,
        }
    }

    /// The minimiser of L by Newton's method from the origin (L is strictly convex).
    pub fn minimiser(&self) -> Vec<f64> {
        use fpspectral::sgd::finite_sum::SampleGradients;
        let mut w = vec![0.0; self.dim];
        for _ in 0..50 {
            let g = nalgebra::DVector::from_vec(self.mean_gradient(&w));
            let Some(step) = self.hessian(&w).cholesky().map(|c| c.solve(&g)) else { break };
            w.iter_mut().zip(step.iter()).for_each(|(wi, s)| *wi -= s);
            if step.norm() < 1e-15 {
                break;
            }
        }
        w
    }
}

fn rows3(rows: &[Vec<f64>]) -> Vec<[f64; 3]> {
    rows.iter().map(|r| std::array::from_fn(|i| r.get(i).copied().unwrap_or(0.0))).collect()
}

/// The logistic fixture's per-sample risks.
pub fn logistic_samples() -> Result<DataRisks> {
    match logistic()? {
        Risk::Logistic(Logistic { features, labels, lambda }) => Ok(DataRisks {
            dim: features[0].len(),
            features: rows3(&features),
            labels,
            kind: DataKind::Logistic { lambda },
        }),
        _ => Err(EngineError::Parse("logistic.json: not a logistic risk".into())),
    }
}

/// The squared-loss fixture's per-sample risks, from its stored samples (x_n, y_n).
pub fn squared_loss_samples() -> Result<DataRisks> {
    let value: serde_json::Value = serde_json::from_str(SQUARED_LOSS_JSON)
        .map_err(|e| EngineError::Parse(format!("built-in fixture squared_loss.json: {e}")))?;
    let samples: (Vec<Vec<f64>>, Vec<f64>) =
        serde_json::from_value(serde_json::json!([value["samples"]["features"], value["samples"]["labels"]]))
            .map_err(|e| EngineError::Parse(format!("squared_loss.json samples: {e}")))?;
    let (features, labels) = samples;
    if features.is_empty() || features.len() != labels.len() {
        return Err(EngineError::Parse("squared_loss.json: features and labels must have the same length".into()));
    }
    Ok(DataRisks { dim: features[0].len(), features: rows3(&features), labels, kind: DataKind::Squared })
}

//! Settings shared by the overdamped claims: hyperparameters and the built-in potentials.

use fpspectral::error::positive;
use fpspectral::{EngineError, Potential, Result};

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

fn from_fixture_text(name: &str, text: &str) -> Result<Potential> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| EngineError::Parse(format!("built-in fixture {name}: {e}")))?;
    Potential::from_json(&value["potential"])
}

/// The logistic-regression risk fixture (Appendix B.1), `fixtures/logistic.json`.
pub fn logistic() -> Result<Potential> {
    from_fixture_text("logistic.json", LOGISTIC_JSON)
}

/// The squared-loss risk fixture (Appendix B.1), `fixtures/squared_loss.json`.
pub fn squared_loss() -> Result<Potential> {
    from_fixture_text("squared_loss.json", SQUARED_LOSS_JSON)
}

/// A named expression potential from `fixtures/potentials.json`.
pub fn builtin(name: &str) -> Result<Potential> {
    let value: serde_json::Value = serde_json::from_str(POTENTIALS_JSON)
        .map_err(|e| EngineError::Parse(format!("built-in fixture potentials.json: {e}")))?;
    let text = value["potentials"][name]
        .as_str()
        .ok_or_else(|| EngineError::Parse(format!("no potential '{name}' in fixtures/potentials.json")))?;
    Potential::parse(text)
}

//! Settings shared by the overdamped claims: hyperparameters and the built-in potentials.

use fpspectral::error::positive;
use fpspectral::{Potential, Result};
use std::path::PathBuf;

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

/// Path of a built-in fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("fixtures").join(name)
}

/// The logistic-regression risk fixture (Appendix B.1).
pub fn logistic() -> Result<Potential> {
    Potential::from_fixture(&fixture("logistic.json"))
}

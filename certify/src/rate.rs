//! Theorem 1 with C_P of (7) (measure e^{−L}): the bound (rt + ‖h(0)‖²)e^{−rt}, r = C_P·D, decays
//! faster than ‖h(t)‖², whose rate is 2λ1(D) (the slowest mode of (5), present in any initial
//! density with a component on it), once C_P·D > 2λ1(D). C_P(e^{−L}) = λ1 at D = 1 (the gap of
//! −Δ + ∇L·∇ in L²(e^{−L}), unitarily equivalent to H = AᵀA at D = 1). Both come from
//! [`crate::spectrum::enclose`]: a certified lower bound on C_P and upper bound on λ1(D) give
//! the margin C_P·D − 2λ1(D) > 0, so the bound fails for every T and every prefactor.

use crate::certificate::{get, Argument, Enclosures};
use crate::interval::Interval;
use crate::spectrum::{enclose, Options};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Inputs: the risk's coefficients (L = Σ c_j x^j, f64 taken as exact) and D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoincareRate {
    /// Coefficients c_0, c_1, … of L.
    pub coefficients: Vec<f64>,
    /// Diffusion D.
    pub diffusion: f64,
}

fn lambda1(c: &[f64], d: f64) -> Result<Interval, String> {
    let e = enclose(c, d, 1, Options::default())?;
    Ok(Interval::new(e[0].lower, e[0].upper))
}

/// One enclosure of λ1 per (risk, D) and process: C_P(e^{−L}) = λ1 at D = 1 is shared by the
/// certificates of one risk at every D. The enclosure is a deterministic function of its inputs,
/// so a stored one is the one a fresh computation gives; a second caller waits for the first.
fn lambda1_once(c: &[f64], d: f64) -> Result<Interval, String> {
    type Slot = Arc<OnceLock<Result<Interval, String>>>;
    static DONE: OnceLock<Mutex<HashMap<Vec<u64>, Slot>>> = OnceLock::new();
    let key: Vec<u64> = c.iter().chain([&d]).map(|x| x.to_bits()).collect();
    let slot = {
        let mut done = DONE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
        done.entry(key).or_default().clone()
    };
    slot.get_or_init(|| lambda1(c, d)).clone()
}

impl Argument for PoincareRate {
    fn enclosures(&self) -> Result<Enclosures, String> {
        let mut e = Enclosures::new();
        e.insert("C_P(e^-L)".into(), lambda1_once(&self.coefficients, 1.0)?);
        e.insert("lambda1(D)".into(), lambda1_once(&self.coefficients, self.diffusion)?);
        Ok(e)
    }
    fn margin(&self, enc: &Enclosures) -> Result<Interval, String> {
        Ok(get(enc, "C_P(e^-L)")? * self.diffusion - get(enc, "lambda1(D)")? * 2.0)
    }
    fn statement(&self) -> (String, String) {
        (
            format!(
                "Theorem 1 with C_P of (7): ‖h(t)‖² ≤ (rt + ‖h(0)‖²)e^{{−rt}}, r = C_P·D, at D = {}; ‖h(t)‖² decays at \
                 2λ1(D) < r, so the bound fails for large t, whatever T and prefactor",
                self.diffusion
            ),
            "C_P(e^{−L})·D − 2λ1(D)".into(),
        )
    }
    fn widening(&self) -> f64 {
        1e-10
    }
}

//! Certificates as data: the setting (the exact inputs, as f64 numbers taken as exact reals), the
//! statement that fails, enclosures of every quantity in it, and the rigorous margin by which it
//! fails. [`verify`] recomputes the enclosures from the setting with the interval arithmetic of
//! this crate alone, checks that each stored enclosure contains its recomputation, and recomputes
//! the margin from the stored enclosures: the certificate holds when that margin's lower bound is
//! at least the stated margin, and the stated margin is > 0 (≥ 0 where the claim is a strict
//! inequality whose negation is an equality).

use crate::interval::Interval;
use crate::{ball_ratio, decay, lemma7, ou, rate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Named enclosures.
pub type Enclosures = BTreeMap<String, Interval>;

/// What a certificate proves, with the exact inputs it is recomputed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Setting {
    /// Lemma 7: a vector x with xᵀ(K − 2μP)x < 0 for the paper's μ, C, Ĉ.
    Lemma7Witness(lemma7::Witness),
    /// The remark after Theorem 1: the gap of L = a|w|²/2 does not fall as M grows.
    OuGapAgainstBatch(ou::BatchGap),
    /// Theorem 3 on L = C_L²w²/2 (d = 1): the exact ‖h(t)‖² exceeds the bound at a stated time.
    QuadraticDecay(decay::QuadraticDecay),
    /// Theorem 1 with C_P of (7): C_P(e^{−L})·D > 2λ1(D), both enclosed (d = 1 polynomial L).
    PoincareRate(rate::PoincareRate),
    /// Equation (8) at finite ε (d = 1): the ball ratio enclosed away from the printed limit.
    EqualHeightBallRatio(ball_ratio::BallRatio),
}

/// A certificate of a failed (or, for enclosures, computed) statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// The inputs and the kind of argument.
    pub setting: Setting,
    /// The statement of the paper that fails, in words.
    pub fails: String,
    /// The margin as a formula in the enclosures' names.
    pub margin_formula: String,
    /// Enclosures of every quantity in the statement.
    pub enclosures: Enclosures,
    /// A rigorous lower bound of the margin by which the statement fails.
    pub margin: f64,
}

/// What one kind of certificate computes.
pub trait Argument {
    /// Enclosures of the quantities, from the setting alone.
    fn enclosures(&self) -> Result<Enclosures, String>;
    /// The margin, from (possibly stored) enclosures.
    fn margin(&self, enc: &Enclosures) -> Result<Interval, String>;
    /// The statement that fails, and the margin's formula.
    fn statement(&self) -> (String, String);
    /// True when a margin of exactly 0 already refutes the claim (a strict inequality).
    fn zero_margin_refutes(&self) -> bool {
        false
    }
    /// Relative widening of the stored enclosures, for kinds whose proof starts from
    /// floating-point choices (Ritz vectors) that another machine may round differently: the
    /// stored enclosure then still contains a recomputation's.
    fn widening(&self) -> f64 {
        0.0
    }
}

/// Each enclosure widened outward by `rel` of its magnitude (still an enclosure).
fn widen(enc: Enclosures, rel: f64) -> Enclosures {
    if rel == 0.0 {
        return enc;
    }
    enc.into_iter()
        .map(|(k, v)| {
            let pad = (Interval::point(v.mag()) * rel).upper;
            (k, v + Interval::new(-pad, pad))
        })
        .collect()
}

impl Setting {
    fn argument(&self) -> &dyn Argument {
        match self {
            Setting::Lemma7Witness(w) => w,
            Setting::OuGapAgainstBatch(b) => b,
            Setting::QuadraticDecay(q) => q,
            Setting::PoincareRate(r) => r,
            Setting::EqualHeightBallRatio(b) => b,
        }
    }
}

/// Looks up a named enclosure.
pub fn get(enc: &Enclosures, name: &str) -> Result<Interval, String> {
    enc.get(name).copied().ok_or_else(|| format!("the enclosure '{name}' is missing"))
}

impl Certificate {
    /// Builds the certificate of a setting: its enclosures and the lower bound of its margin.
    /// Err when the margin does not refute the claim (nothing to certify).
    pub fn build(setting: Setting) -> Result<Certificate, String> {
        let arg = setting.argument();
        let enclosures = widen(arg.enclosures()?, arg.widening());
        let margin = arg.margin(&enclosures)?;
        let (fails, margin_formula) = arg.statement();
        let cert = Certificate { setting, fails, margin_formula, enclosures, margin: margin.lower };
        cert.refutes()?;
        Ok(cert)
    }

    fn refutes(&self) -> Result<(), String> {
        let ok = if self.setting.argument().zero_margin_refutes() { self.margin >= 0.0 } else { self.margin > 0.0 };
        if ok {
            Ok(())
        } else {
            Err(format!("the margin {:e} does not refute the statement", self.margin))
        }
    }
}

/// Re-checks a certificate from its stored data with the interval arithmetic alone. Ok holds the
/// recomputed margin's lower bound.
pub fn verify(cert: &Certificate) -> Result<f64, String> {
    let arg = cert.setting.argument();
    let fresh = arg.enclosures()?;
    for (name, value) in &fresh {
        let stored = get(&cert.enclosures, name)?;
        if !stored.encloses(value) {
            return Err(format!("stored enclosure of {name} {stored} does not contain the recomputed {value}"));
        }
    }
    let margin = arg.margin(&cert.enclosures)?;
    if margin.lower.is_nan() || margin.lower < cert.margin {
        return Err(format!(
            "stated margin {:e} exceeds the margin's rigorous lower bound {:e}",
            cert.margin, margin.lower
        ));
    }
    cert.refutes()?;
    Ok(margin.lower)
}

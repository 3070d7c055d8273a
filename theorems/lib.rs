//! One module per claim of Dai & Zhu, "On Large Batch Training and Sharp Minima: A Fokker–Planck
//! Perspective". Each module reads like the proof outline it checks: build the operator, compute
//! the quantities, compare with the paper's statement, return checks with verdicts and evidence.

use crate::check::Check;
use fpspectral::Result;

pub mod assumption_a1;
pub mod assumption_a2;
pub mod assumption_a3;
pub mod assumption_a4;
mod assumptions;
pub mod certificates;
pub mod check;
pub mod common;
pub mod eq8;
pub mod escape_eval;
pub mod kinetic_eval;
pub mod lemma1;
pub mod lemma2;
pub mod lemma3;
pub mod lemma4;
pub mod lemma5;
pub mod lemma6;
pub mod lemma7;
pub mod theorem1;
pub mod theorem2;
pub mod theorem3;

/// Progress callback: a short message for work that takes a while.
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// A claim the toolkit checks.
pub struct Claim {
    /// Claim id from the reading guide.
    pub id: &'static str,
    /// One line on what the claim says.
    pub title: &'static str,
    /// Runs the claim's checks on the built-in settings.
    pub run: fn(Progress) -> Result<Vec<Check>>,
}

/// Every implemented claim, in the paper's order.
pub fn registry() -> Vec<Claim> {
    vec![
        Claim { id: "lemma1", title: "Fokker–Planck equation (5) of the SDE (3)", run: lemma1::run },
        Claim { id: "lemma2", title: "Eyring–Kramers mean escape time", run: lemma2::run },
        Claim { id: "lemma3", title: "stationary solution p∞ ∝ e^{-ηL} of (5)", run: lemma3::run },
        Claim { id: "theorem1", title: "decay of ‖h(t)‖² at rate C_P·γβ/2M", run: theorem1::run },
        Claim { id: "theorem2", title: "limit of stationary ball probabilities", run: theorem2::run },
        Claim { id: "eq8", title: "ratio of two equal-height minima (8)", run: eq8::run },
        Claim { id: "lemma4", title: "stationary solution ψ∞ ∝ e^{-η'(L+|v|²/2)} of (9)", run: lemma4::run },
        Claim { id: "lemma5", title: "T antisymmetric, F symmetric in L²(ψ∞)", run: lemma5::run },
        Claim { id: "lemma6", title: "dH/dt inequality with K of (24)", run: lemma6::run },
        Claim { id: "lemma7", title: "K ≥ 2μP with the stated μ, C, Ĉ", run: lemma7::run },
        Claim { id: "theorem3", title: "kinetic decay bound and its Poincaré step", run: theorem3::run },
        Claim { id: "assumption-a1", title: "confinement and integrability (A.1)", run: assumption_a1::run },
        Claim { id: "assumption-a2", title: "growth conditions (A.2) along rays", run: assumption_a2::run },
        Claim { id: "assumption-a3", title: "bound M_w of (A.3)", run: assumption_a3::run },
        Claim { id: "assumption-a4", title: "C_L and b of (A.4)", run: assumption_a4::run },
    ]
}

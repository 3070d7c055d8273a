//! One module per claim of Dai & Zhu, "On Large Batch Training and Sharp Minima: A Fokker–Planck
//! Perspective". Each module reads like the proof outline it checks: build the operator, compute
//! the quantities, compare with the paper's statement, return checks with verdicts and evidence.

use fpspectral::report::Check;
use fpspectral::Result;

pub mod kinetic_eval;
pub mod lemma3;
pub mod lemma4;
pub mod lemma5;
pub mod lemma6;
pub mod lemma7;
pub mod theorem1;
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
        Claim { id: "lemma3", title: "stationary solution p∞ ∝ e^{-ηL} of (5)", run: lemma3::run },
        Claim { id: "theorem1", title: "decay of ‖h(t)‖² at rate C_P·γβ/2M", run: theorem1::run },
        Claim { id: "lemma4", title: "stationary solution ψ∞ ∝ e^{-η'(L+|v|²/2)} of (9)", run: lemma4::run },
        Claim { id: "lemma5", title: "T antisymmetric, F symmetric in L²(ψ∞)", run: lemma5::run },
        Claim { id: "lemma6", title: "dH/dt inequality with K of (24)", run: lemma6::run },
        Claim { id: "lemma7", title: "K ≥ 2μP with the stated μ, C, Ĉ", run: lemma7::run },
        Claim { id: "theorem3", title: "kinetic decay bound and its Poincaré step", run: theorem3::run },
    ]
}

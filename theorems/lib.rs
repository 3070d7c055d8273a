//! One module per claim of Dai & Zhu, "On Large Batch Training and Sharp Minima: A Fokker–Planck
//! Perspective". Each module reads like the proof outline it checks: build the operator, compute
//! the quantities, compare with the paper's statement, return checks with verdicts and evidence.

use crate::check::Check;
use crate::settings::Settable;
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
pub mod findings;
pub mod kinetic_eval;
pub mod lemma1;
pub mod lemma2;
pub mod lemma3;
pub mod lemma4;
pub mod lemma5;
pub mod lemma6;
pub mod lemma7;
pub mod momentum;
pub mod msgd_batch;
pub mod noise_corrected;
pub mod noise_isotropy;
pub mod risks;
pub mod settings;
pub mod sgd_batch;
pub mod sgd_escape;
pub mod sgd_eval;
pub mod sgd_stationary;
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
    /// The claim as the paper prints it (symbols in Unicode), with its equation number.
    pub statement: &'static str,
    /// Runs the claim's checks on the built-in settings.
    pub run: fn(Progress) -> Result<Vec<Check>>,
    /// Whether (and with which keys) the claim runs on a reviewer's own setting (`--set`).
    pub settable: Settable,
}

/// Why the assumption claims have no reviewer setting.
const FIXED_RISKS: &str = "a statement about the paper's own risks of Appendix B.1 (the fixtures)";
/// Why noise-isotropy has no reviewer setting.
const FIXED_DATA: &str = "a statement about the logistic fixture's own data";

/// Every implemented claim, in the paper's order.
pub fn registry() -> Vec<Claim> {
    vec![
        Claim {
            id: "lemma1",
            title: "Fokker–Planck equation (5) of the SDE (3)",
            statement:
                "Lemma 1, (5): ∂_t p(w, t) = ∇·([∇(L(w) + γ(t)β(w)/2M(t))] p(w, t) + (γ(t)β(w)/2M(t)) ∇p(w, t)), \
                        p(w, 0) = δ(w₀)",
            run: lemma1::run,
            settable: Settable::Keys { specs: lemma1::SET_KEYS, check: lemma1::check_set, run: lemma1::run_set },
        },
        Claim {
            id: "lemma2",
            title: "Eyring–Kramers mean escape time",
            statement: "Lemma 2 (Section 2.3): E[τ_{w̌₁→w̌₂}] = (2π/λ*) √(|ΔL(w*)|/|ΔL(w̌₁)|) \
                        exp(H(w*, w̌₁)·2M(w̌₁)/(γ(w̌₁)β(w̌₁))) [1 + O(√ε log(1/ε))], τ the time from the ε-ball \
                        around w̌₁ to the ε-ball around w̌₂, |·| the determinant of the Hessian",
            run: lemma2::run,
            settable: Settable::Keys { specs: lemma2::SET_KEYS, check: lemma2::check_set, run: lemma2::run_set },
        },
        Claim {
            id: "lemma3",
            title: "stationary solution p∞ ∝ e^{-ηL} of (5)",
            statement: "Lemma 3: under (A.1) and β(w) ≡ β, (5) has the stationary solution \
                        p∞(w) = κ e^{−2M(∞)L(w)/(γ(∞)β)}; remark: for a general β(w) 'the existence and an explicit \
                        form of stationary solution to (5) remains an open question'",
            run: lemma3::run,
            settable: Settable::Keys { specs: lemma3::SET_KEYS, check: lemma3::check_set, run: lemma3::run_set },
        },
        Claim {
            id: "theorem1",
            title: "decay of ‖h(t)‖² at rate C_P·γβ/2M",
            statement: "Theorem 1: for t > T, ‖(p(w, t) − p∞(w))/√p∞(w)‖²_{L²} ≤ C(t, T) e^{−C_P(t−T)γ(∞)β/2M(∞)}, \
                        C(t, T) = C_P(t−T)γ(∞)β/2M(∞) + ‖(p(w, T) − p∞)/√p∞‖², C_P the Poincaré constant of (7); \
                        remark: 'large batch training with increasing batch size converges exponentially slower'",
            run: theorem1::run,
            settable: Settable::Keys { specs: theorem1::SET_KEYS, check: settings::any, run: theorem1::run_set },
        },
        Claim {
            id: "theorem2",
            title: "limit of stationary ball probabilities",
            statement: "Theorem 2: lim_{ε→0} P(|W(∞) − w̌| ≤ ε) = κ e^{−4M(∞)L(w̌)/γ(∞)β} / ([2M(∞)/γ(∞)β]^{d/2} \
                        |∇²L(w̌)|) · lim_{ε→0} [e^{2M(∞)ε²/γ(∞)β} Π_j √(1 − exp(−2M(∞)ε²λ_j/(πγ(∞)β)))]",
            run: theorem2::run,
            settable: Settable::Keys { specs: theorem2::SET_KEYS, check: theorem2::check_set, run: theorem2::run_set },
        },
        Claim {
            id: "eq8",
            title: "ratio of two equal-height minima (8)",
            statement: "(8): for local minima with L(w̌₁) = L(w̌₂), \
                        lim_{ε→0} P(|W(∞) − w̌₁| ≤ ε)/P(|W(∞) − w̌₂| ≤ ε) = √(|∇²L(w̌₂)|/|∇²L(w̌₁)|)",
            run: eq8::run,
            settable: Settable::Keys { specs: eq8::SET_KEYS, check: eq8::check_set, run: eq8::run_set },
        },
        Claim {
            id: "lemma4",
            title: "stationary solution ψ∞ ∝ e^{-η'(L+|v|²/2)} of (9)",
            statement: "Lemma 4, (9): ∂_t ψ + v·∇_w ψ − ∇L·∇_v ψ = ∇_v·(((1−ξ)/√γ) v ψ + (√γβ/2M) ∇_v ψ) has the \
                        stationary solution ψ∞(w, v) = κ' e^{−(2M/γβ)(1−ξ)(L(w) + |v|²/2)}",
            run: lemma4::run,
            settable: Settable::Keys { specs: lemma4::SET_KEYS, check: settings::check_kinetic, run: lemma4::run_set },
        },
        Claim {
            id: "lemma5",
            title: "T antisymmetric, F symmetric in L²(ψ∞)",
            statement: "Lemma 5: (1) ⟨Tf, g⟩* = −⟨f, Tg⟩*, (2) ⟨Tf, f⟩* = 0, \
                        (3) ⟨Ff, g⟩* = −(γ^{1/2}β/2M)⟨∇_v f, ∇_v g⟩*",
            run: lemma5::run,
            settable: Settable::Keys { specs: lemma5::SET_KEYS, check: settings::check_kinetic, run: lemma5::run_set },
        },
        Claim {
            id: "lemma6",
            title: "dH/dt inequality with K of (24)",
            statement: "Lemma 6: ½ dH/dt + ½∫[∇_w h, ∇_v h] K [∇_w h, ∇_v h]ᵀ ψ∞ ≤ ⟨∇²L̃ ∇_v h, ∇_w h⟩* + \
                        ⟨∇²L̃ ∇_v h, ∇_v h⟩*, K = [[2Ĉ, C − C_L² + γĈ], [C − C_L² + γĈ, 2γC − 2C_L²Ĉ]] ⊗ I_d (24)",
            run: lemma6::run,
            settable: Settable::Keys { specs: lemma6::SET_KEYS, check: settings::check_kinetic, run: lemma6::run_set },
        },
        Claim {
            id: "lemma7",
            title: "K ≥ 2μP with the stated μ, C, Ĉ",
            statement: "Lemma 7: K ≥ 2μP ≥ 0 for P of (10) and K of (24), with g = (1−ξ)/√γ: μ = g, C = C_L², \
                        Ĉ = g/2 when g < 2C_L; μ = g − √(g² − 4C_L²), C = g²/2 − C_L², Ĉ = g/2 when g ≥ 2C_L",
            run: lemma7::run,
            settable: Settable::Keys { specs: lemma7::SET_KEYS, check: lemma7::check_set, run: lemma7::run_set },
        },
        Claim {
            id: "theorem3",
            title: "kinetic decay bound and its Poincaré step",
            statement: "Theorem 3: for t > T, ‖(ψ − ψ∞)/√ψ∞‖²_{L²(R^{2d})} ≤ γβ/(2M min{C_P, d}(1−ξ)λ_min) \
                        e^{−2(μ−μ̂)t} H(0), with μ, C, Ĉ of Lemma 7, λ_min the smallest eigenvalue of P (10), \
                        μ̂ = (1+√2)b/(2λ_min), b of (A.4), C_P of (7)",
            run: theorem3::run,
            settable: Settable::Keys {
                specs: theorem3::SET_KEYS,
                check: settings::check_kinetic,
                run: theorem3::run_set,
            },
        },
        Claim {
            id: "assumption-a1",
            title: "confinement and integrability (A.1)",
            statement: "(A.1): lim_{‖w‖→∞} L(w) = +∞ and ∫e^{−L(w)} dw < +∞, for the squared loss and the \
                        regularised cross entropy (Appendix B.1)",
            run: assumption_a1::run,
            settable: Settable::Fixed(FIXED_RISKS),
        },
        Claim {
            id: "assumption-a2",
            title: "growth conditions (A.2) along rays",
            statement: "(A.2): lim_{‖w‖→∞} {½‖∇L‖² − Tr ∇²L} = +∞ and lim_{‖w‖→∞} Tr ∇²L/‖∇L‖² = 0, for the \
                        risks of Appendix B.1",
            run: assumption_a2::run,
            settable: Settable::Fixed(FIXED_RISKS),
        },
        Claim {
            id: "assumption-a3",
            title: "bound M_w of (A.3)",
            statement: "(A.3): |e^{−L(w)}(‖∇L(w)‖² − Tr ∇²L(w))| ≤ M_w for a constant M_w, for the risks of \
                        Appendix B.1",
            run: assumption_a3::run,
            settable: Settable::Fixed(FIXED_RISKS),
        },
        Claim {
            id: "assumption-a4",
            title: "C_L and b of (A.4)",
            statement: "(A.4): for some C_L the eigenvalues of {sup_w |(∇²L̃)_ij|} are bounded by b, \
                        L̃ = L − ½C_L²‖w‖²; Appendix C.3's Hessians and b ≡ max_i Σ_j b_ij",
            run: assumption_a4::run,
            settable: Settable::Fixed(FIXED_RISKS),
        },
        Claim {
            id: "sgd-stationary",
            title: "stationary law of SGD itself vs (5), (9)",
            statement: "Sections 3–4 read as statements about the algorithm (Section 6 leaves the step open: \
                        'one requires the additional uniform-in-time approximation of SGD by SDE'): mini-batch SGD (2) \
                        and momentum SGD settle at the laws p∞ ∝ e^{−2ML/γβ} of Lemma 3 and ψ∞ of Lemma 4",
            run: sgd_stationary::run,
            settable: Settable::Keys {
                specs: sgd_stationary::SET_KEYS,
                check: sgd_stationary::check_set,
                run: sgd_stationary::run_set,
            },
        },
        Claim {
            id: "sgd-escape",
            title: "SGD escape time vs the SDE's passage time",
            statement: "Lemma 2 read for the algorithm: the mean number of SGD steps from one minimum to an ε-ball \
                        around another, times γ, is the SDE's mean passage time E[τ] (Eyring–Kramers)",
            run: sgd_escape::run,
            settable: Settable::Keys {
                specs: sgd_escape::SET_KEYS,
                check: sgd_escape::check_set,
                run: sgd_escape::run_set,
            },
        },
        Claim {
            id: "sgd-batch",
            title: "Figure 3 on a synthetic double well: SGD vs (5)",
            statement: "Section 5.1, Figure 3: 'Theorem 1 shows that the large batch training converges to a flat \
                        minimum slower as compared with the small batch training'; (γ, M) ∈ {(0.1, 64), (0.1, 128), \
                        (0.2, 256), (0.2, 512)}, here on a synthetic double well from the sharp well",
            run: sgd_batch::run,
            settable: Settable::Keys {
                specs: sgd_batch::SET_KEYS,
                check: sgd_batch::check_set,
                run: sgd_batch::run_set,
            },
        },
        Claim {
            id: "msgd-batch",
            title: "Figure 4 on a synthetic double well: momentum SGD",
            statement: "Section 5.2, Figure 4: the escaping phenomenon for momentum SGD, (ξ, M) ∈ {(0.9, 64), \
                        (0.9, 128), (0.99, 64), (0.99, 128)} at γ = 0.1, read through Theorem 3 and (9), here on a \
                        synthetic double well",
            run: msgd_batch::run,
            settable: Settable::Keys {
                specs: msgd_batch::SET_KEYS,
                check: msgd_batch::check_set,
                run: msgd_batch::run_set,
            },
        },
        Claim {
            id: "noise-isotropy",
            title: "isotropic constant noise (4) vs the data's own Σ(w)",
            statement: "(4) and Lemma 3, Theorem 1: the stochastic gradient's covariance is β(w)I, taken constant \
                        (β(w) ≡ β) for the stationary solution and the decay rate",
            run: noise_isotropy::run,
            settable: Settable::Fixed(FIXED_DATA),
        },
    ]
}

//! Lemma 4: ψ_∞ ∝ e^{−η'(L + |v|²/2)}, η' = g/D_v, is stationary for (9).
//!
//! In the flat variable the claim is G √ψ_∞ = 0. The check projects √ψ_∞ on bases of growing
//! size and reports (i) the residual ‖G ū_∞‖ of the unit vector ū_∞ and (ii) the distance between
//! ū_∞ and the kernel vector of the discrete G (inverse iteration); both must vanish under
//! refinement. A wrong inverse temperature (e.g. 1/D_v in place of g/D_v) gives O(1) residuals.
//!
//! No fixed threshold decides: each defect is computed on two bases, its limit is read as the
//! finer value ± the change between them (never below a rounding floor), and the limit is "zero"
//! when that interval reaches down to the floor. The control state at 1.2η' goes through the
//! same reading and must come out non-zero, or the check could not have failed.

use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::settings::{self, SetKind, SettingSpec, Settings};
use crate::Progress;
use faer::prelude::*;
use faer::sparse::{SparseColMat, SymbolicSparseColMat};
use faer::Col;
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::{KineticBasis, WAxis};
use fpspectral::kinetic::evolve::{norm_bound, sparse_apply};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{basis_of_size, default_axes, sectors, shifted_lu};
use fpspectral::kinetic::KineticParams;
use fpspectral::{Expression, Result};

/// The defects of one basis: ‖Gū‖ for the unit vectors ū∞ and ū_control (the continuous ‖Gu‖
/// is their limit, zero or not), and the distance between ū∞ and the kernel vector of the
/// discrete G.
#[derive(Debug, Clone, Copy)]
pub struct Defects {
    /// Number of basis functions.
    pub basis_size: usize,
    /// ‖G ū∞‖ (a rate: G has units of 1/time).
    pub residual: f64,
    /// ‖ū∞ − x‖ for the discrete kernel vector x (inverse iteration, signs aligned).
    pub distance: f64,
    /// ‖G ū‖ for the w-part at the wrong inverse temperature 1.2η'.
    pub control: f64,
    /// Rounding floor of the residuals: 1e3 ε ‖G‖ (below it a residual is indistinguishable from 0).
    pub residual_floor: f64,
}

/// The defects on a basis with n functions per axis on the w-axes `axes`.
pub fn kernel_defects(problem: &Kinetic, axes: &[WAxis], n: usize) -> Result<Defects> {
    let basis = basis_of_size(problem, axes, n, IndexSet::TotalDegree)?;
    let g = problem.matrix(&basis)?;
    let u = problem.ground_state(&basis)?;
    let norm_g = norm_bound(&g);
    let residual = sparse_apply(&g, &u).norm_l2();
    let wrong = problem.ground_state_at(&basis, 1.2 * problem.params.eta())?;
    let control = sparse_apply(&g, &wrong).norm_l2();
    let x = kernel_vector(problem, &basis, &g, &u)?;
    let sign = if (x.transpose() * &u) < 0.0 { -1.0 } else { 1.0 };
    let distance = (&x * sign - &u).norm_l2();
    let residual_floor = ROUNDING_FLOOR * norm_g;
    Ok(Defects { basis_size: basis.len(), residual, distance, control, residual_floor })
}

/// The kernel vector of the discrete G by three steps of inverse iteration x ← (G − σI)⁻¹x/‖·‖
/// from ū∞, σ = 10⁻⁷g, on the parity sector of G that holds most of ū∞ ([`sectors`]; the whole
/// basis when L has no reflection symmetry). G is block diagonal over the sectors, so (G − σI)⁻¹
/// maps each sector to itself: the iteration on the whole basis differs from this one only by
/// the other sectors' part of ū∞ (rounding: ū∞ is even), which it multiplies by at most
/// (σ/λ)³ ≈ 10⁻²¹ relative to the kernel part (λ the slowest rate of those sectors), plus the
/// rounding of a different LU. Same mathematics, on a half (d = 1) or a quarter (d = 2) of
/// the basis; the sector's block is taken from `g`, the matrix of the whole basis.
fn kernel_vector(
    problem: &Kinetic,
    basis: &KineticBasis,
    g: &SparseColMat<usize, f64>,
    u: &Col<f64>,
) -> Result<Col<f64>> {
    // Positions in `basis` of a sector's functions, in the sector's order (a restriction keeps it).
    let positions = |b: &KineticBasis| -> Vec<usize> {
        (0..basis.len()).filter(|&i| b.position(&basis.indices[i]).is_some()).collect()
    };
    let part = |at: &[usize]| -> Col<f64> { Col::from_fn(at.len(), |i| u[at[i]]) };
    let at = sectors(problem, basis)
        .iter()
        .map(|b| {
            let at = positions(b);
            (part(&at).norm_l2(), at)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or_else(|| (0..basis.len()).collect(), |(_, at)| at);
    let lu = shifted_lu(&block(g, &at), 1e-7 * problem.params.friction)?;
    let mut x: Col<f64> = part(&at);
    for _ in 0..3 {
        x = lu.solve(&x);
        x = &x / x.norm_l2();
    }
    let mut full = Col::<f64>::zeros(basis.len());
    for (i, &p) in at.iter().enumerate() {
        full[p] = x[i];
    }
    Ok(full)
}

/// The block of `g` on the rows and columns `at` (ascending).
fn block(g: &SparseColMat<usize, f64>, at: &[usize]) -> SparseColMat<usize, f64> {
    let mut new_index = vec![usize::MAX; g.nrows()];
    for (k, &p) in at.iter().enumerate() {
        new_index[p] = k;
    }
    let (sym, vals) = (g.symbolic(), g.val());
    let (mut col_ptr, mut rows, mut values) = (vec![0], Vec::new(), Vec::new());
    for &j in at {
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            let r = new_index[sym.row_idx()[p]];
            if r != usize::MAX {
                rows.push(r);
                values.push(vals[p]);
            }
        }
        col_ptr.push(rows.len());
    }
    // Rows stay ascending in each column: the renumbering keeps their order.
    SparseColMat::new(SymbolicSparseColMat::new_checked(at.len(), at.len(), col_ptr, None, rows), values)
}

/// Relative rounding floor: a defect below it (times its scale) is indistinguishable from zero.
pub const ROUNDING_FLOOR: f64 = 1e3 * f64::EPSILON;

// Why this two-basis reading is not a study on `fpspectral::study::drive`: the driver estimates a
// value's error only from ≥ 3 levels whose changes decay geometrically or sit within their
// rounding bounds (≥ 5 for its oscillating regime). The wrong-temperature control converges to a
// non-zero value whose level-to-level changes (≈ 1.5e-11 on the 1D settings) are neither: they
// are the accuracy of the projected coefficients of `Kinetic::ground_state_at`, which returns no
// error bound, not the rounding of ‖Gū‖ (the mat-vec rounding, ≤ m·ε·‖G‖ with m ≤ 10 entries a
// row and ‖G‖ ≈ 48 on x²/2, is ≈ 1e-13). On
// the driver the control's error is then "not estimated", its limit no longer reads non-zero and
// the check turns INCONCLUSIVE. Moving it needs either an error bound from `ground_state_at`
// (src/kinetic) or five bases per setting (the 2D setting's sparse LU, on the even parity sector
// of its 17 884 functions, is still a large part of this claim's time).

/// What a defect tends to under refinement, read from a coarse and a fine value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The limit interval fine ± |fine − coarse| (widened by the rounding floor) contains 0.
    Zero,
    /// The interval lies above the rounding floor: the defect stays.
    NonZero,
}

/// The limit of a defect sequence: the fine value with the level-to-level change as its error,
/// never below `floor`.
pub fn limit_of(coarse: f64, fine: f64, floor: f64) -> (Quantity, Limit) {
    let q = Quantity::new(fine, (fine - coarse).abs().max(floor));
    let limit = if q.lo() <= floor { Limit::Zero } else { Limit::NonZero };
    (q, limit)
}

fn check_setting(spec: &str, periodic: bool, params: KineticParams, sizes: (usize, usize)) -> Result<Check> {
    let potential = if periodic { Expression::parse_periodic(spec)? } else { Expression::parse(spec)? };
    let problem = if periodic { Kinetic::periodic(&potential, params)? } else { Kinetic::new(&potential, params)? };
    let axes = default_axes(&problem)?;
    let coarse = kernel_defects(&problem, &axes, sizes.0)?;
    let fine = kernel_defects(&problem, &axes, sizes.1)?;
    let mut check = Check::new("lemma4", "G√ψ∞ = 0 for ψ∞ ∝ e^{-η'(L+|v|²/2)}, η' = g/D_v, in the flat variable")
        .typed(Role::AsPrinted, "kernel-psi-inf", EvidenceKind::Converged)
        .with_setting("potential", spec)
        .with_setting("periodic", periodic)
        .with_setting("friction", params.friction)
        .with_setting("diffusion_v", params.diffusion_v)
        .with_setting("basis_sizes", vec![coarse.basis_size, fine.basis_size]);
    let (residual, residual_limit) = limit_of(coarse.residual, fine.residual, fine.residual_floor);
    let (distance, distance_limit) = limit_of(coarse.distance, fine.distance, ROUNDING_FLOOR);
    let (control, control_limit) = limit_of(coarse.control, fine.control, fine.residual_floor);
    check.quantity("residual", residual);
    check.quantity("distance_to_discrete_kernel", distance);
    check.quantity("control_residual_at_1.2eta", control);
    check.verdict = verdict(residual_limit, distance_limit, control_limit);
    check.claimed = "ψ∞ is a stationary solution of (9)".into();
    check.evidence = format!(
        "‖Gū∞‖ = {:.2e} (coarser {:.2e}): limit {residual_limit:?}; the kernel vector of the discrete G differs \
         from ū∞ by {:.2e} (coarser {:.2e}): limit {distance_limit:?}; a wrong temperature 1.2η' leaves {:.2e} \
         (coarser {:.2e}): limit {control_limit:?}",
        fine.residual, coarse.residual, fine.distance, coarse.distance, fine.control, coarse.control
    );
    Ok(check)
}

/// PASS when both defects of ū∞ tend to zero and the same reading tells the wrong-temperature
/// control apart (its defect stays); FAIL when a defect of ū∞ stays; otherwise INCONCLUSIVE.
fn verdict(residual: Limit, distance: Limit, control: Limit) -> Verdict {
    match (residual, distance, control) {
        (Limit::NonZero, _, _) | (_, Limit::NonZero, _) => Verdict::Fail,
        (Limit::Zero, Limit::Zero, Limit::NonZero) => Verdict::Pass,
        _ => Verdict::Inconclusive,
    }
}

/// Runs lemma4 on a quadratic, a double-well, a 2D and a periodic potential.
pub fn run(p: Progress) -> Result<Vec<Check>> {
    p("lemma4: kernel of the kinetic generator");
    let a = KineticParams::new(1.0, 0.5)?;
    let b = crate::momentum::params_from_sgd(0.1, 1.0, 8.0, 0.9)?;
    vec![
        check_setting("x^2/2", false, a, (20, 30)),
        check_setting("x^4/4 - x^2/2", false, a, (120, 160)),
        check_setting("x^4/4 - x^2/2", false, b, (120, 160)),
        check_setting("x^4/4 - x^2/2 + y^2/2", false, a, (20, 24)),
        check_setting("-cos(x)", true, a, (30, 40)),
    ]
    .into_iter()
    .collect()
}

/// The keys `paper-checks run lemma4 --set …` accepts.
pub const SET_KEYS: &[SettingSpec] = &[
    SettingSpec {
        key: "potential",
        meaning: "the risk L(w)",
        kind: SetKind::Potential { max_dim: 2 },
        default: "x^4/4 - x^2/2",
    },
    settings::FRICTION,
    settings::DIFFUSION_V,
];

/// Runs the kernel check of (9) on one reviewer's setting.
pub fn run_set(s: &Settings, p: Progress) -> Result<Vec<Check>> {
    p("lemma4: kernel of the kinetic generator");
    let (spec, potential) = s.potential("potential")?;
    let sizes = if potential.dim() == 1 { (120, 160) } else { (20, 24) };
    Ok(vec![check_setting(spec, false, settings::kinetic_params(s)?, sizes)?])
}

//! Lemma 5: for the transport T = v·∇_w − ∇L·∇_v and F = D_v ψ_∞^{−1}∇_v·(ψ_∞∇_v),
//! (1) ⟨Tf, g⟩_* = −⟨f, Tg⟩_*, (2) ⟨Tf, f⟩_* = 0, (3) ⟨Ff, g⟩_* = −D_v⟨∇_v f, ∇_v g⟩_*.
//!
//! f, g are random smooth functions f = ū_f/√ψ_∞ with random coefficient vectors ū_f on a
//! phase-space basis. Both sides are computed independently: the left sides from the
//! Galerkin matrices of the engine, the right sides (and T, F applied pointwise) by tensor
//! Gauss–Hermite quadrature of the fields, which is exact for polynomial L with enough nodes.

use crate::check::{verdict_le, Check, EvidenceKind, Quantity, Role, Verdict};
use crate::settings::{self, SetKind, SettingSpec, Settings};
use crate::Progress;
use faer::Col;
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::KineticBasis;
use fpspectral::kinetic::evolve::{sparse_apply, PhaseFields, PhaseGrid};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{basis_of_size, default_axes};
use fpspectral::kinetic::KineticParams;
use fpspectral::{Expression, Result};
use rand::{Rng, SeedableRng};

/// Relative defects of the three identities for coefficient vectors f, g.
#[derive(Debug, Clone, Copy)]
pub struct Defects {
    /// |⟨Tf,g⟩ + ⟨f,Tg⟩| / (‖Tf‖‖g‖ + ‖f‖‖Tg‖), by quadrature.
    pub antisymmetry: f64,
    /// |⟨Tf,f⟩| / (‖Tf‖‖f‖), by quadrature.
    pub skew: f64,
    /// |⟨Ff,g⟩ + D_v⟨∇_v f,∇_v g⟩| / (|⟨Ff,g⟩| + D_v‖∇_v f‖‖∇_v g‖): matrix left side, quadrature right side.
    pub dissipation: f64,
}

/// Tu = v ∂_w u − ∂_wL ∂_v u at the nodes (T commutes with √ψ_∞).
fn transport_at(grid: &PhaseGrid, f: &PhaseFields, i: usize, k: usize) -> f64 {
    grid.v[k] * f.u_w[(i, k)] - grid.force[i] * f.u_v[(i, k)]
}

/// The three defects for one pair of coefficient vectors.
pub fn defects(problem: &Kinetic, basis: &KineticBasis, f: &Col<f64>, g: &Col<f64>) -> Result<Defects> {
    let grid = PhaseGrid::new(problem, basis, 24)?;
    let (ff, fg) = (grid.fields(basis, f), grid.fields(basis, g));
    let tf_g = grid.integrate(|i, k| transport_at(&grid, &ff, i, k) * fg.u[(i, k)]);
    let f_tg = grid.integrate(|i, k| ff.u[(i, k)] * transport_at(&grid, &fg, i, k));
    let tf_f = grid.integrate(|i, k| transport_at(&grid, &ff, i, k) * ff.u[(i, k)]);
    let norm = |fl: &PhaseFields, t: bool| {
        grid.integrate(|i, k| if t { transport_at(&grid, fl, i, k).powi(2) } else { fl.u[(i, k)].powi(2) }).sqrt()
    };
    let scale_tg = norm(&ff, true) * norm(&fg, false) + norm(&ff, false) * norm(&fg, true);
    let eta = problem.params.eta();
    let dv = problem.params.diffusion_v;
    let grad = |i: usize, k: usize, fl: &PhaseFields| grid.h_gradient(fl, eta, i, k).1;
    let dvfg = dv * grid.integrate(|i, k| grad(i, k, &ff) * grad(i, k, &fg));
    let dvff = grid.integrate(|i, k| grad(i, k, &ff).powi(2)).sqrt();
    let dvgg = grid.integrate(|i, k| grad(i, k, &fg).powi(2)).sqrt();
    let gen = problem.matrix(basis)?;
    let tr = problem.transport(basis)?;
    let ff_g = (g.transpose() * sparse_apply(&gen, f)) + (g.transpose() * sparse_apply(&tr, f));
    Ok(Defects {
        antisymmetry: (tf_g + f_tg).abs() / scale_tg,
        skew: tf_f.abs() / (norm(&ff, true) * norm(&ff, false)),
        dissipation: (ff_g + dvfg).abs() / (ff_g.abs() + dv * dvff * dvgg),
    })
}

/// A random coefficient vector with geometric decay in the degree (a smooth function).
fn random_vector(basis: &KineticBasis, rng: &mut rand::rngs::StdRng) -> Col<f64> {
    Col::from_fn(basis.len(), |i| {
        let a = basis.indices[i];
        rng.random_range(-1.0..1.0) * 0.8f64.powi((a[0] + a[2]) as i32)
    })
}

fn check_setting(spec: &str, periodic: bool, params: KineticParams, n: usize, seed: u64) -> Result<Check> {
    let potential = if periodic { Expression::parse_periodic(spec)? } else { Expression::parse(spec)? };
    let problem = if periodic { Kinetic::periodic(&potential, params)? } else { Kinetic::new(&potential, params)? };
    let axes = default_axes(&problem)?;
    let basis = basis_of_size(&problem, &axes, n, IndexSet::TotalDegree)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut worst = [0.0f64; 3];
    for _ in 0..5 {
        let (f, g) = (random_vector(&basis, &mut rng), random_vector(&basis, &mut rng));
        let d = defects(&problem, &basis, &f, &g)?;
        worst = [worst[0].max(d.antisymmetry), worst[1].max(d.skew), worst[2].max(d.dissipation)];
    }
    let mut check = Check::new("lemma5", "identities (1)-(3) in L²(ψ∞) on random smooth f, g; quadrature vs Galerkin")
        .typed(Role::AsPrinted, "identities-t-f", EvidenceKind::Exact)
        .with_setting("potential", spec)
        .with_setting("periodic", periodic)
        .with_setting("friction", params.friction)
        .with_setting("diffusion_v", params.diffusion_v)
        .with_setting("basis_size", basis.len());
    let names = ["identity1_rel_defect", "identity2_rel_defect", "identity3_rel_defect"];
    let rounding = 1e3 * f64::EPSILON * (basis.len() as f64).sqrt();
    let tol = Quantity::exact(1e-9);
    let mut verdicts = Vec::new();
    for (name, w) in names.iter().zip(worst) {
        let q = Quantity::new(w, rounding);
        check.quantity(name, q);
        verdicts.push(verdict_le(q, tol));
    }
    check.verdict = Verdict::all(verdicts);
    check.claimed = "⟨Tf,g⟩* = −⟨f,Tg⟩*, ⟨Tf,f⟩* = 0, ⟨Ff,g⟩* = −(√γβ/2M)⟨∇_v f,∇_v g⟩*".into();
    check.evidence =
        format!("largest relative defects over 5 random pairs: {:.1e}, {:.1e}, {:.1e}", worst[0], worst[1], worst[2]);
    Ok(check)
}

/// Runs lemma5 on several potentials.
pub fn run(p: Progress) -> Result<Vec<Check>> {
    p("lemma5: identities of T and F");
    let a = KineticParams::new(1.0, 0.5)?;
    let b = crate::momentum::params_from_sgd(0.1, 1.0, 8.0, 0.9)?;
    vec![
        check_setting("x^2/2", false, a, 16, 1),
        check_setting("x^4/4 - x^2/2", false, a, 20, 2),
        check_setting("x^4/4 - x^2/2 + x^3/3", false, b, 20, 3),
        check_setting("-cos(x)", true, a, 15, 4),
    ]
    .into_iter()
    .collect()
}

/// The keys `paper-checks run lemma5 --set …` accepts.
pub const SET_KEYS: &[SettingSpec] = &[
    SettingSpec {
        key: "potential",
        meaning: "the risk L(w)",
        kind: SetKind::Potential { max_dim: 1 },
        default: "x^4/4 - x^2/2",
    },
    settings::FRICTION,
    settings::DIFFUSION_V,
];

/// Runs the identities of T and F on one reviewer's setting.
pub fn run_set(s: &Settings, p: Progress) -> Result<Vec<Check>> {
    p("lemma5: identities of T and F");
    Ok(vec![check_setting(s.potential("potential")?.0, false, settings::kinetic_params(s)?, 20, 1)?])
}

//! Lemma 2 (Section 2.3): E τ(w̌₁ → w̌₂) against the Eyring–Kramers formula
//!   (2π/λ*) √(|det ∇²L(w*)| / det ∇²L(w̌₁)) e^{H(w*, w̌₁)/D}
//! (the paper writes |ΔL| but defines |·| as the determinant) as D → 0. The exact time is the 1D
//! double-integral formula; its ratio to Eyring–Kramers should be 1 + c·D + O(D²). In d = 2 the
//! time to the ε-ball solves the backward Kolmogorov equation, by the method the engine's passage
//! planner chooses ([`fpspectral::passage::plan::plan_2d`]): on this well at every D, exponentially
//! fitted finite volumes on a log-polar grid with subtraction-free elimination and Richardson
//! extrapolation in h² (resolution study to 1e-8, [`fpspectral::logpolar`]). The
//! ratio is 1 + c₁D + c₂D² + … plus a finite-ball term ∝ e^{−ΔL/D}; the limit D → 0 is the
//! Neville extrapolation in D over the diffusions where that term is negligible
//! ([`EXTRAPOLATION_MAX_DIFFUSION_2D`]; its size is measured by halving ε there).

use crate::check::{verdict_close, Check, EvidenceKind, Figure, Quantity, Role, Series, SeriesKind};
use crate::settings::{SetKind, SettingSpec, Settings};
use crate::Progress;
use fpspectral::annulus::mfpt_annulus;
use fpspectral::extrapolate::{extrapolate, neville, Limit};
use fpspectral::logpolar::{mfpt_logpolar_in, GridMaps, LogPolarProblem};
use fpspectral::mfpt::{eyring_kramers, mfpt_1d};
use fpspectral::passage::plan::{plan_2d, Method2d};
use fpspectral::{Expression, Potential, Result};
use rayon::prelude::*;

/// Symmetric and tilted 1D double wells, with start and target minima.
pub const SETTINGS: [(&str, f64, f64); 3] =
    [("x^4/4 - x^2/2", -1.0, 1.0), ("x^4/4 - x^2/2 + 0.1*x", -1.0, 1.0), ("x^4/4 - x^2/2 + 0.1*x", 1.0, -1.0)];

/// Diffusions D = γβ/2M, decreasing.
pub const DIFFUSIONS: [f64; 7] = [0.1, 0.05, 0.02, 0.01, 0.005, 0.0025, 0.00125];

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (spec, from, to) in SETTINGS {
        progress(&format!("lemma2: {spec} from {from}"));
        checks.push(one_well(spec, from, to)?);
    }
    progress("lemma2: 2D double well (backward Kolmogorov)");
    checks.push(two_d_well()?);
    Ok(checks)
}

fn one_well(spec: &str, from: f64, to: f64) -> Result<Check> {
    let p = Expression::parse(spec)?;
    // The two directions in the tilted well share reading and potential: the id says which.
    let reading_id = match (spec.contains("0.1*x"), from < to) {
        (false, _) => "ek-1d-symmetric",
        (true, true) => "ek-1d-tilted-from-left",
        (true, false) => "ek-1d-tilted-from-right",
    };
    let mut check = Check::new("lemma2", "point-to-point MFPT / Eyring–Kramers → 1 as D → 0 (d = 1)")
        .typed(Role::AsPrinted, reading_id, EvidenceKind::Converged)
        .with_setting("potential", spec)
        .with_setting("from", from)
        .with_setting("to", to)
        .with_setting("diffusions", DIFFUSIONS.to_vec());
    let mut ratios = Vec::new();
    for d in DIFFUSIONS {
        let ek = eyring_kramers(&p, d, &[from], &[to])?;
        let exact = mfpt_1d(&p, d, ek.minimum.point[0], to)?;
        let r = (exact.ln - ek.ln_time).exp();
        let q = Quantity::new(r, r * exact.rel_error);
        check.quantity(&format!("tau/tau_EK at D={d}"), q);
        check.quantity(&format!("ln tau at D={d}"), Quantity::new(exact.ln, exact.rel_error));
        ratios.push(q);
    }
    let k = DIFFUSIONS.len() - 1;
    let slope = |i: usize| (ratios[i].value - 1.0) / DIFFUSIONS[i];
    // Richardson in D: the ratio is 1 + c D + O(D²).
    let richardson = |i: usize| neville(&DIFFUSIONS[i - 1..=i], &[ratios[i - 1].value, ratios[i].value]);
    let limit = richardson(k);
    let spread = (limit - richardson(k - 1)).abs();
    let limit_q = Quantity::new(limit, spread + ratios[k].error);
    check.quantity("ratio extrapolated to D=0", limit_q);
    check.quantity("c = (ratio-1)/D at smallest D", Quantity::new(slope(k), (slope(k) - slope(k - 1)).abs()));
    let title = format!("Lemma 2: E τ / Eyring–Kramers − 1 → 0 as D → 0 ({spec}, from w = {from} to {to})");
    check.figures.push(ratio_figure(&format!("lemma2-ratio-{spec}-from-{from}"), &title, &DIFFUSIONS, &ratios));
    check.claimed = "E τ = Eyring–Kramers · [1 + o(1)] as D → 0".into();
    check.verdict = verdict_close(limit_q, Quantity::exact(1.0), 1e-3);
    check.set_margin("E τ / Eyring–Kramers as D → 0", Quantity::exact(1.0), limit_q);
    check.evidence = format!(
        "τ/τ_EK = {:.6} at D = {}, {:.6} at D = {}; (ratio − 1)/D → {:.3} (a 1 + O(D) correction), extrapolated ratio {:.6} ± {:.1e}",
        ratios[0].value, DIFFUSIONS[0], ratios[k].value, DIFFUSIONS[k], slope(k), limit, limit_q.error
    );
    Ok(check)
}

/// The 2D double well of the built-in potentials: minima (±1, 0) of different curvatures.
pub const WELL_2D: &str = "(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2";
/// Diffusions of the 2D study (e^{ΔL/D} from 12 to 6e34).
pub const DIFFUSIONS_2D: [f64; 6] = [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125];
/// Target ball radius of the 2D study.
pub const RADIUS_2D: f64 = 0.1;
/// Relative tolerance of each 2D resolution study (log-polar extrapolants or spectral levels).
pub const SPECTRAL_TOL_2D: f64 = 1e-8;
/// Largest D used in the extrapolation to D = 0: the finite-ball part of τ/τ_EK scales like
/// e^{−ΔL/D} (halving ε changes the ratio by 1e-3 at D = 0.05 and 1e-5 at D = 0.025), so larger D
/// would mix it into the power series in D.
pub const EXTRAPOLATION_MAX_DIFFUSION_2D: f64 = 0.025;

/// τ(start → ε-ball) with its relative error and a description of the method.
fn time_2d(
    p: &dyn Potential,
    d: f64,
    radius: f64,
    check: &mut Check,
) -> Result<(fpspectral::quadrature::LogQuantity, String)> {
    let (start, target) = ([-1.0, 0.0], [1.0, 0.0]);
    let plan = plan_2d(p, d, start, target, radius)?;
    if plan.method == Method2d::Spectral {
        let study = mfpt_annulus(p, d, start, target, radius, SPECTRAL_TOL_2D)?;
        for l in &study.levels {
            // the level's own solver error: GMRES residual + ε·N² collocation rounding (the driver's floor)
            let floor = (l.residual + f64::EPSILON * (l.ns * l.nt) as f64) * l.value.abs();
            check.quantity(&format!("tau at D={d}, annulus ({}, {})", l.ns, l.nt), Quantity::new(l.value, floor));
        }
        Ok((study.tau, format!("D = {d}: {}, {:.0e}", plan.method.name(), study.tau.rel_error)))
    } else {
        let prob = LogPolarProblem { target, radius, outer: plan.outer, start };
        let study = mfpt_logpolar_in(p, d, &prob, SPECTRAL_TOL_2D, GridMaps::default())?;
        let changes = extrapolant_changes(&study.extrapolated, study.tau.value() * study.tau.rel_error);
        for ((l, e), change) in study.levels.iter().zip(&study.extrapolated).zip(changes) {
            let name = format!("tau at D={d}, eps={radius}, log-polar ({}, {}), extrapolated", l.ns, l.nt);
            check.quantity(&name, Quantity::new(*e, change));
        }
        Ok((study.tau, format!("D = {d}: {}, {:.0e}", plan.method.name(), study.tau.rel_error)))
    }
}

/// The error shown beside each extrapolant of a log-polar study: its change from the previous
/// extrapolant (the first: its change to the second; alone: `alone`), the study's own error model
/// for a level.
fn extrapolant_changes(extrapolated: &[f64], alone: f64) -> Vec<f64> {
    (0..extrapolated.len())
        .map(|i| match i {
            0 => extrapolated.get(1).map_or(alone, |next| (next - extrapolated[0]).abs()),
            _ => (extrapolated[i] - extrapolated[i - 1]).abs(),
        })
        .collect()
}

fn two_d_well() -> Result<Check> {
    let p = Expression::parse(WELL_2D)?;
    let mut check =
        Check::new("lemma2", "MFPT to the ε-ball / Eyring–Kramers → 1 as D → 0 (d = 2, backward Kolmogorov)")
            .typed(Role::AsPrinted, "ek-2d-eps-ball", EvidenceKind::Converged)
            .with_setting("potential", WELL_2D)
            .with_setting("eps", RADIUS_2D)
            .with_setting("tolerance", SPECTRAL_TOL_2D)
            .with_setting("extrapolation_max_diffusion", EXTRAPOLATION_MAX_DIFFUSION_2D)
            .with_setting("diffusions", DIFFUSIONS_2D.to_vec());
    let mut ratios = Vec::new();
    let mut methods = Vec::new();
    // The diffusions are independent problems: solved in parallel, recorded in order.
    let solved: Vec<Result<(Check, Quantity, String)>> = DIFFUSIONS_2D
        .par_iter()
        .map(|&d| {
            let mut rows = Check::new("lemma2", "");
            let ek = eyring_kramers(&p, d, &[-1.0, 0.0], &[1.0, 0.0])?;
            let (tau, method) = time_2d(&p, d, RADIUS_2D, &mut rows)?;
            let r = (tau.ln - ek.ln_time).exp();
            Ok((rows, Quantity::new(r, r * tau.rel_error), method))
        })
        .collect();
    for (d, one) in DIFFUSIONS_2D.iter().zip(solved) {
        let (rows, q, method) = one?;
        check.quantities.extend(rows.quantities);
        check.quantity(&format!("tau/tau_EK at D={d}"), q);
        methods.push(method);
        ratios.push(q);
    }
    // finite-ball part at the largest extrapolated D: halve ε
    let d_ball = EXTRAPOLATION_MAX_DIFFUSION_2D;
    let i_ball = DIFFUSIONS_2D.iter().position(|&d| d <= d_ball).ok_or_else(|| {
        fpspectral::EngineError::InvalidParameter(format!("no 2D diffusion at or below {d_ball} to extrapolate from"))
    })?;
    let (half, _) = time_2d(&p, d_ball, RADIUS_2D / 2.0, &mut check)?;
    let ek_ball = eyring_kramers(&p, d_ball, &[-1.0, 0.0], &[1.0, 0.0])?;
    let half_ratio = (half.ln - ek_ball.ln_time).exp();
    // The change from halving ε, with the two solves' errors as its error; the bound on the
    // finite-ball term is the change plus that error.
    let ball_change =
        Quantity::new((half_ratio - ratios[i_ball].value).abs(), half_ratio * half.rel_error + ratios[i_ball].error);
    let ball_term = ball_change.value + ball_change.error;
    check.quantity(&format!("|ratio(eps/2) - ratio(eps)| at D={d_ball}"), ball_change);
    // Neville in D over D ≤ EXTRAPOLATION_MAX_DIFFUSION_2D; error = last correction + propagated
    // solver errors + the finite-ball term weighted as it enters
    let used: Vec<usize> = (i_ball..DIFFUSIONS_2D.len()).collect();
    let x: Vec<f64> = used.iter().map(|&i| DIFFUSIONS_2D[i]).collect();
    let y: Vec<f64> = used.iter().map(|&i| ratios[i].value).collect();
    let errors: Vec<f64> = used.iter().map(|&i| ratios[i].error).collect();
    let Limit { value: limit, error, previous, weights } = extrapolate(&x, &y, &errors);
    let limit = Quantity::new(limit, error + weights[0].abs() * ball_term);
    check.quantity("ratio extrapolated to D=0", limit);
    // Its error: its distance from the extrapolant through every point.
    check.quantity("previous extrapolant (one point fewer)", Quantity::new(previous, (limit.value - previous).abs()));
    let title = format!("Lemma 2 in d = 2: E τ(ε-ball) / Eyring–Kramers − 1 → 0 as D → 0 (ε = {RADIUS_2D})");
    check.figures.push(ratio_figure("lemma2-ratio-2d", &title, &DIFFUSIONS_2D, &ratios));
    check.claimed = "E τ = Eyring–Kramers · [1 + O(√ε log(1/ε))] (small-noise limit)".into();
    check.verdict = verdict_close(limit, Quantity::exact(1.0), 1e-3);
    check.set_margin("E τ / Eyring–Kramers as D → 0", Quantity::exact(1.0), limit);
    let k = DIFFUSIONS_2D.len() - 1;
    check.evidence = format!(
        "τ/τ_EK = {:.9} ± {:.1e} at D = {}, {:.9} ± {:.1e} at D = {} ({}); finite-ball term at D = {d_ball}: \
         {ball_term:.1e}; Neville in D over D ≤ {d_ball}: {:.6} ± {:.1e} (previous extrapolant {:.6})",
        ratios[0].value,
        ratios[0].error,
        DIFFUSIONS_2D[0],
        ratios[k].value,
        ratios[k].error,
        DIFFUSIONS_2D[k],
        methods.join("; "),
        limit.value,
        limit.error,
        previous
    );
    Ok(check)
}

fn ratio_figure(name: &str, title: &str, diffusions: &[f64], ratios: &[Quantity]) -> Figure {
    let computed = Series::new(
        SeriesKind::Computed,
        "|E τ / τ_EK − 1|, E τ computed",
        diffusions.to_vec(),
        ratios.iter().map(|r| (r.value - 1.0).abs()).collect(),
    )
    .with_error(ratios.iter().map(|r| r.error).collect());
    let name = name.replace(['^', '*', '/', ' ', '(', ')', '+'], "_");
    Figure::new(&name, title, "D = γβ/2M", "|E τ / τ_EK − 1|", vec![computed]).log(true, true)
}

/// The keys `paper-checks run lemma2 --set …` accepts.
pub const SET_KEYS: &[SettingSpec] = &[
    SettingSpec {
        key: "potential",
        meaning: "the risk L(x), d = 1",
        kind: SetKind::Potential { max_dim: 1 },
        default: "x^4/4 - x^2/2",
    },
    SettingSpec {
        key: "from", meaning: "start near the minimum w̌₁", kind: SetKind::Closed(-1e3, 1e3), default: "-1"
    },
    SettingSpec {
        key: "to", meaning: "target near the minimum w̌₂", kind: SetKind::Closed(-1e3, 1e3), default: "1"
    },
];

/// Refuses a start equal to the target before anything runs.
pub fn check_set(s: &Settings) -> Result<()> {
    if s.real("from")? == s.real("to")? {
        return Err(fpspectral::EngineError::InvalidParameter("--set from and to are the same point".into()));
    }
    Ok(())
}

/// Runs the 1D Eyring–Kramers check on one reviewer's double well, D = 0.1 … 0.00125.
pub fn run_set(s: &Settings, progress: Progress) -> Result<Vec<Check>> {
    let (spec, from, to) = (s.potential("potential")?.0, s.real("from")?, s.real("to")?);
    progress(&format!("lemma2: {spec} from {from}"));
    Ok(vec![one_well(spec, from, to)?])
}

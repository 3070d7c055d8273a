//! Lemma 1 (Appendix A.2): the density of W(t) solving the Itô SDE (3) obeys the Fokker–Planck
//! equation (5), ∂_t p = ∇·(∇(L + D) p + D ∇p) = ∇·(∇L p + ∇(D p)), D = γβ(w)/2M.
//! A seeded Euler–Maruyama ensemble is compared at several times with a finite-volume solution of
//! (5) by the Kolmogorov–Smirnov statistic at 99% confidence per time, for constant and
//! non-constant β(w). The finite-volume reference is a resolution study on the study driver
//! ([`fpspectral::study::drive`]): cells doubled until the KS distances it gives have converged.
//! The alternative flux ∇·(∇L p + D∇p) (no ∇D p term) is tested as a control: for non-constant β
//! it must be rejected.

use crate::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use crate::settings::{SetKind, SettingSpec, Settings};
use crate::Progress;
use fpspectral::finite_volume::{solve, FluxForm, Problem1d, Solution1d};
use fpspectral::resolution::Level;
use fpspectral::sde::{euler_maruyama, Sde};
use fpspectral::study::{self, Refinable, Solved};
use fpspectral::{EngineError, Expression, Potential, Result};
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

const POTENTIAL: &str = "x^4/4 - x^2/2";
const TIMES: [f64; 3] = [0.25, 1.0, 3.0];
const PATHS: usize = 10_000;
const SDE_STEP: f64 = 2e-3;
/// Standard deviation of the initial law N(w₀, σ₀²).
const START_SPREAD: f64 = 0.1;
/// Asymptotic Kolmogorov quantile at 99%: P(√n D_n > 1.628) = 0.01.
const KS_QUANTILE_99: f64 = 1.628;
/// The built-in finite-volume interval (wide enough for both built-in diffusions).
const INTERVAL: (f64, f64) = (-3.5, 3.5);
/// Cells of the coarsest reference level and the most the study may use (cells double per level,
/// and the time step is proportional to the cell width: [`time_step`]).
const FIRST_CELLS: usize = 200;
const MAX_CELLS: usize = 3200;
/// Tolerance of the reference's values, absolute for every value of size ≤ 1 (relative to
/// [`REFERENCE_SCALE`]): 1/n = 1e-4, the grid of the KS statistic of n paths itself.
const REFERENCE_TOL: f64 = 1.0 / PATHS as f64;
const REFERENCE_SCALE: f64 = 1.0;

/// D(w) = base + slope·tanh(2w) (slope 0: constant).
#[derive(Debug, Clone, Copy)]
struct Diffusion {
    base: f64,
    slope: f64,
}

impl Diffusion {
    fn at(&self, x: f64) -> f64 {
        if self.slope == 0.0 {
            self.base
        } else {
            self.base + self.slope * (2.0 * x).tanh()
        }
    }
    fn label(&self) -> String {
        if self.slope == 0.0 {
            format!("constant D = {}", self.base)
        } else {
            format!("D(w) = {} + {} tanh(2w)", self.base, self.slope)
        }
    }
}

/// One setting: the potential's gradient, the diffusion, the initial mean and the interval.
struct Setup<'a> {
    spec: &'a str,
    grad: &'a Slope<'a>,
    diffusion: Diffusion,
    start: f64,
    interval: (f64, f64),
}

/// Runs the checks.
pub fn run(progress: Progress) -> Result<Vec<Check>> {
    let p = Expression::parse(POTENTIAL)?;
    let grad = gradient(&p);
    let built_in = [Diffusion { base: 0.25, slope: 0.0 }, Diffusion { base: 0.2, slope: 0.15 }];
    // The two settings are independent (own seeds): they run side by side, checks in order.
    let per_setting = built_in
        .into_par_iter()
        .enumerate()
        .map(|(k, diffusion)| {
            let setup = Setup { spec: POTENTIAL, grad: &grad, diffusion, start: 0.3, interval: INTERVAL };
            one_setting(&setup, 17 + k as u64, progress)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(per_setting.into_iter().flatten().collect())
}

/// Both flux forms against one ensemble (seeded with `seed`).
fn one_setting(setup: &Setup, seed: u64, progress: Progress) -> Result<Vec<Check>> {
    progress(&format!("lemma1: ensemble for {}", setup.diffusion.label()));
    let mut samples = ensemble(setup, seed)?;
    samples.iter_mut().for_each(|s| s.sort_by(|a, b| a.total_cmp(b)));
    [FluxForm::Ito, FluxForm::DiffusionInside].into_par_iter().map(|form| compare(setup, form, &samples)).collect()
}

/// L′ of a 1D risk, a concrete type so that the ensemble's hot loop calls it directly.
enum Slope<'a> {
    /// Σ c_k x^k by Horner (a polynomial risk).
    Horner(Vec<f64>),
    /// The engine's gradient.
    General(&'a dyn Potential),
}

impl Slope<'_> {
    /// L′(x).
    #[inline]
    fn at(&self, x: f64) -> f64 {
        match self {
            Slope::Horner(c) => c.iter().rev().fold(0.0, |acc, c| acc * x + c),
            Slope::General(p) => p.gradient(&[x]).g[0],
        }
    }
}

/// L′ by Horner for a polynomial (the hot loop of the ensemble), else the engine's gradient.
fn gradient(p: &dyn Potential) -> Slope<'_> {
    match p.poly() {
        Some(poly) => Slope::Horner(dense_coefficients(&poly.derivative(0))),
        None => Slope::General(p),
    }
}

/// Coefficients c_k of a 1D polynomial Σ c_k x^k (for Horner evaluation in the hot loop).
fn dense_coefficients(poly: &fpspectral::polynomial::Poly) -> Vec<f64> {
    let degree = poly.terms.keys().map(|m| m[0] as usize).max().unwrap_or(0);
    let mut c = vec![0.0; degree + 1];
    for (m, v) in &poly.terms {
        c[m[0] as usize] += v;
    }
    c
}

fn ensemble(setup: &Setup, seed: u64) -> Result<Vec<Vec<f64>>> {
    let slope = setup.grad;
    let gradient = |w: &[f64], g: &mut [f64]| g[0] = slope.at(w[0]);
    let d = setup.diffusion;
    let diffusion = move |w: &[f64]| d.at(w[0]);
    let sde = Sde { gradient, diffusion, dim: 1 };
    let start = setup.start;
    let initial = move |rng: &mut rand::rngs::StdRng| vec![start + START_SPREAD * rng.sample::<f64, _>(StandardNormal)];
    let snaps = euler_maruyama(&sde, &initial, &TIMES, SDE_STEP, PATHS, seed)?;
    Ok(snaps.into_iter().map(|s| s.into_iter().map(|w| w[0]).collect()).collect())
}

/// The finite-volume solution of (5) (or of the control) with `cells` cells and dt ∝ h.
fn reference(setup: &Setup, form: FluxForm, cells: usize) -> Result<Solution1d> {
    let d = setup.diffusion;
    let diffusion = move |x: f64| d.at(x);
    let (a, b) = setup.interval;
    let slope = |x: f64| setup.grad.at(x);
    let prob = Problem1d { drift_gradient: &slope, diffusion: &diffusion, a, b, form };
    let (m, s) = (setup.start, START_SPREAD);
    let gauss = |x: f64| (-(x - m) * (x - m) / (2.0 * s * s)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt());
    solve(&prob, &gauss, cells, time_step(setup, cells), &TIMES)
}

/// The Crank–Nicolson step: about 0.8/N on the built-in interval of width 7, in proportion to the
/// cell width on a wider one (both errors are second order, so they shrink together), shortened
/// to divide [`TIME_GRID`] so that every recording time is hit exactly (a step that does not
/// divide it records the solution up to dt/2 early or late, a bias the levels do not see).
fn time_step(setup: &Setup, cells: usize) -> f64 {
    let widening = (setup.interval.1 - setup.interval.0) / (INTERVAL.1 - INTERVAL.0);
    let wanted = 0.8 * widening / cells as f64;
    TIME_GRID / (TIME_GRID / wanted - 1e-9).ceil()
}

/// Every time of [`TIMES`] is a multiple of this.
const TIME_GRID: f64 = 0.25;

/// Σ_{j<i} p_j for i = 0..=N (the running sum, in the order [`Solution1d::cdf`] adds).
fn running_mass(p: &[f64]) -> Vec<f64> {
    let mut sums = Vec::with_capacity(p.len() + 1);
    let mut total = 0.0;
    sums.push(total);
    for v in p {
        total += v;
        sums.push(total);
    }
    sums
}

/// Kolmogorov–Smirnov distance between sorted samples and the piecewise-linear CDF of the cell
/// densities `p` (cell width h from a): the same CDF as [`Solution1d::cdf`], O(1) per sample.
fn ks_distance(sorted: &[f64], sol: &Solution1d, k: usize) -> f64 {
    let p = &sol.densities[k];
    let mass = running_mass(p);
    let cdf = |x: f64| {
        let pos = ((x - sol.a) / sol.h).clamp(0.0, p.len() as f64);
        let full = pos.floor() as usize;
        let part = if full < p.len() { (pos - full as f64) * p[full] * sol.h } else { 0.0 };
        mass[full] * sol.h + part
    };
    let n = sorted.len() as f64;
    sorted.iter().enumerate().fold(0.0, |acc, (i, &x)| {
        let f = cdf(x);
        acc.max((f - i as f64 / n).abs()).max(((i + 1) as f64 / n - f).abs())
    })
}

/// The KS distances of the sorted samples at each time against the finite-volume solution, as a
/// resolution study in the number of cells.
struct Reference<'a> {
    setup: &'a Setup<'a>,
    form: FluxForm,
    sorted: &'a [Vec<f64>],
}

impl Refinable for Reference<'_> {
    fn first(&mut self) -> Vec<usize> {
        vec![FIRST_CELLS]
    }
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        let cells = 2 * levels.last()?.sizes[0];
        (cells <= MAX_CELLS).then(|| vec![cells])
    }
    /// Values: the KS distance at each time, then the mean and the variance of the solution at
    /// each time (cell midpoints). Rounding: the running sum of ≤ N cells and the mass drift of
    /// the Crank–Nicolson steps, a few ulps each (the mass is 1), times x² for the moments.
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let cells = sizes[0];
        let sol = reference(self.setup, self.form, cells)?;
        let mut values: Vec<f64> = self.sorted.iter().enumerate().map(|(k, s)| ks_distance(s, &sol, k)).collect();
        let moments: Vec<(f64, f64)> = (0..TIMES.len()).map(|k| moments(&sol, k)).collect();
        values.extend(moments.iter().map(|m| m.0));
        values.extend(moments.iter().map(|m| m.1));
        let steps = (TIMES[TIMES.len() - 1] / time_step(self.setup, cells)).ceil();
        let unit = 8.0 * f64::EPSILON * (cells as f64 + steps);
        let (a, b) = self.setup.interval;
        let reach = a.abs().max(b.abs());
        let mut rounding = vec![unit; TIMES.len()];
        rounding.extend(vec![unit * reach; TIMES.len()]);
        rounding.extend(vec![unit * reach * reach; TIMES.len()]);
        Ok(Solved { basis_size: cells, values, rounding })
    }
}

/// Mean and variance of the cell densities at time index k (midpoint rule).
fn moments(sol: &Solution1d, k: usize) -> (f64, f64) {
    let centre = |i: usize| sol.a + sol.h * (i as f64 + 0.5);
    let p = &sol.densities[k];
    let mean: f64 = p.iter().enumerate().map(|(i, v)| centre(i) * v * sol.h).sum();
    let variance = p.iter().enumerate().map(|(i, v)| (centre(i) - mean).powi(2) * v * sol.h).sum();
    (mean, variance)
}

fn compare(setup: &Setup, form: FluxForm, sorted: &[Vec<f64>]) -> Result<Check> {
    let settings = study::Settings { abs_floor: REFERENCE_SCALE, ..study::Settings::new(REFERENCE_TOL) };
    let study = study::drive(&mut Reference { setup, form, sorted }, &settings)?;
    let cells: Vec<usize> = study.levels.iter().map(|l| l.sizes[0]).collect();
    let label = setup.diffusion.label();
    let mut check = typed_check(form, setup.diffusion.slope == 0.0)
        .with_setting("potential", setup.spec)
        .with_setting("diffusion", label.as_str())
        .with_setting("paths", PATHS)
        .with_setting("sde_step", SDE_STEP)
        .with_setting("times", TIMES.to_vec())
        .with_setting("start", format!("N({}, {}²)", setup.start, START_SPREAD))
        .with_setting("reference_cells", cells);
    let critical = KS_QUANTILE_99 / (PATHS as f64).sqrt();
    let mut verdicts = Vec::new();
    for (k, t) in TIMES.iter().enumerate() {
        let q = Quantity::new(study.values[k], study.errors[k]);
        check.quantity(&format!("KS distance at t={t}"), q);
        verdicts.push(if q.hi() < critical {
            Verdict::Pass
        } else if q.lo() > critical {
            Verdict::Fail
        } else {
            Verdict::Inconclusive
        });
    }
    let n = TIMES.len();
    for (k, t) in TIMES.iter().enumerate() {
        check.quantity(&format!("reference mean at t={t}"), Quantity::new(study.values[n + k], study.errors[n + k]));
        let variance = Quantity::new(study.values[2 * n + k], study.errors[2 * n + k]);
        check.quantity(&format!("reference variance at t={t}"), variance);
    }
    let worst = study.values[..n].iter().copied().fold(0.0, f64::max);
    check.quantity("KS critical value (99%, asymptotic)", Quantity::exact(critical));
    check.claimed = "the ensemble density solves (5)".into();
    check.verdict = Verdict::all(verdicts);
    check.evidence = format!(
        "largest KS distance {worst:.4} against the 99% critical value {critical:.4} (n = {PATHS}) over t = {TIMES:?}; Euler–Maruyama bias O(dt) with dt = {SDE_STEP}"
    );
    Ok(check)
}

/// The row of one flux form: (5) as printed, or the control without the ∇D p term, which must be
/// rejected where ∇D ≠ 0 and, with constant D (the two forms coincide), must pass (a test that
/// rejected it would reject (5) itself).
fn typed_check(form: FluxForm, constant: bool) -> Check {
    match form {
        FluxForm::Ito => Check::new("lemma1", "(5) as printed: ∂_t p = ∇·(∇(L + D)p + D∇p)").typed(
            Role::AsPrinted,
            "fp-eq5",
            EvidenceKind::Statistical,
        ),
        FluxForm::DiffusionInside => Check::new("lemma1", "control: ∂_t p = ∇·(∇L p + D∇p) (no ∇D p term)")
            .typed(Role::Control, "no-grad-d-term", EvidenceKind::Statistical)
            .control(if constant { Verdict::Pass } else { Verdict::Fail }),
    }
}

/// The keys `paper-checks run lemma1 --set …` accepts.
pub const SET_KEYS: &[SettingSpec] = &[
    SettingSpec {
        key: "potential",
        meaning: "the risk L(w)",
        kind: SetKind::Potential { max_dim: 1 },
        default: POTENTIAL,
    },
    SettingSpec {
        key: "diffusion",
        meaning: "D₀ in D(w) = γβ(w)/2M = D₀ + a·tanh(2w) of (3)",
        kind: SetKind::Closed(0.01, 2.0),
        default: "0.2",
    },
    SettingSpec {
        key: "diffusion_tanh",
        meaning: "a in D(w) = D₀ + a·tanh(2w) (0: constant D; |a| < D₀)",
        kind: SetKind::Closed(-2.0, 2.0),
        default: "0.15",
    },
    SettingSpec {
        key: "start",
        meaning: "mean w₀ of the initial law N(w₀, 0.1²) of W(0)",
        kind: SetKind::Closed(-5.0, 5.0),
        default: "0.3",
    },
];

/// Largest Euler–Maruyama step times |L″| accepted on the interval (stability of the scheme,
/// whose O(dt) bias the check assumes small).
const MAX_STEP_CURVATURE: f64 = 0.5;

/// D(w) > 0 everywhere (|a| < D₀), an interval from the potential, and a stable SDE step there.
pub fn check_set(s: &Settings) -> Result<()> {
    let (base, slope) = (s.real("diffusion")?, s.real("diffusion_tanh")?);
    if slope.abs() >= base {
        return Err(EngineError::InvalidParameter(format!(
            "--set diffusion_tanh={slope}: D(w) = D₀ + a·tanh(2w) must stay positive, so |a| < D₀ = {base}"
        )));
    }
    let interval = interval_of(s)?;
    let p = s.potential("potential")?.1;
    let curvature = (0..=400)
        .map(|i| interval.0 + (interval.1 - interval.0) * i as f64 / 400.0)
        .map(|x| p.jet(&[x]).h[0][0].abs())
        .fold(0.0, f64::max);
    // A NaN curvature (L″ undefined somewhere) is refused too.
    if SDE_STEP * curvature > MAX_STEP_CURVATURE || curvature.is_nan() {
        return Err(EngineError::InvalidParameter(format!(
            "--set potential: |L″| reaches {curvature:.3e} on [{:.3}, {:.3}], too steep for the SDE step {SDE_STEP} \
             (dt·|L″| must stay ≤ {MAX_STEP_CURVATURE})",
            interval.0, interval.1
        )));
    }
    Ok(())
}

/// The finite-volume interval of a setting: the built-in [−3.5, 3.5], widened to the Gibbs
/// support of e^{−L/D_max} around the lowest point and to w₀ ± 1.
fn interval_of(s: &Settings) -> Result<(f64, f64)> {
    let p = s.potential("potential")?.1;
    let d_max = s.real("diffusion")? + s.real("diffusion_tanh")?.abs();
    let low = fpspectral::gibbs::lowest_point(p);
    let r = fpspectral::gibbs::gibbs_radius(p, 1.0 / d_max, &low)?;
    let start = s.real("start")?;
    Ok((INTERVAL.0.min(low[0] - r).min(start - 1.0), INTERVAL.1.max(low[0] + r).max(start + 1.0)))
}

/// Runs both flux forms on one reviewer's setting.
pub fn run_set(s: &Settings, progress: Progress) -> Result<Vec<Check>> {
    let (spec, p) = s.potential("potential")?;
    let grad = gradient(p);
    let diffusion = Diffusion { base: s.real("diffusion")?, slope: s.real("diffusion_tanh")? };
    let setup = Setup { spec, grad: &grad, diffusion, start: s.real("start")?, interval: interval_of(s)? };
    one_setting(&setup, 17, progress)
}

//! Converged decay rates of the overdamped Fokker–Planck generator, with automatic basis choice and a
//! resolution study, and the Poincaré constants of e^{−U} built on them.

use crate::basis::{HermiteBasis, IndexSet, MAX_DENSE};
use crate::eigen::{
    check_time, duration_text, lowest_few_from_factor_and_gram, lowest_sparse, partial_applies, Eigenpairs,
    FLOPS_PER_SECOND,
};
use crate::error::{positive, EngineError, Result};
use crate::operator::Overdamped;
pub use crate::plan::{default_index_set, index_count, sparse_above, SolverPath};
use crate::plan::{exact_axis_start, predicted_steps, OverdampedPlan, Solver};
use crate::potential::{principal_axes, LinearChange, Potential, PrincipalAxes};
use crate::resolution::{check_tolerance, Level, Study};
use crate::scaling::overdamped_axes;
use crate::study::{drive, Cost, Refinable, Settings, Solved};
use serde::Serialize;

/// Options of a decay-rate computation.
#[derive(Debug, Clone)]
pub struct RateOptions {
    /// Number of non-zero eigenvalues wanted.
    pub count: usize,
    /// Relative tolerance of the resolution study, in (1e-15, 1e-2] ([`check_tolerance`]).
    pub tolerance: f64,
    /// Solver path.
    pub path: SolverPath,
    /// Largest number of 1D functions per axis.
    pub max_per_axis: usize,
    /// Split H into the parity sectors of the symmetries of L (false: one block, as a check).
    pub sectors: bool,
    /// Solve in the principal axes of L when the planner finds them
    /// ([`crate::potential::principal_axes`]); false: always in the given coordinates (for a
    /// caller that reuses [`Rates::centre`] and [`Rates::scale`] on the unrotated operator).
    pub principal_axes: bool,
}

impl Default for RateOptions {
    fn default() -> Self {
        RateOptions {
            count: 3,
            tolerance: 1e-10,
            path: SolverPath::Auto,
            max_per_axis: 0,
            sectors: true,
            principal_axes: true,
        }
    }
}

/// The plan a resolution study actually used at its finest level: which solver, which index set,
/// how many functions.
#[derive(Debug, Clone, Serialize)]
pub struct Method {
    /// "dense" (QR + SVD of the factor B) or "sparse" (exact banded H, shift-invert Krylov–Schur),
    /// for the largest block.
    pub solver: &'static str,
    /// "full-tensor" or "total-degree" (anisotropic: Σ α_j/n_j < 1).
    pub index_set: &'static str,
    /// 1D functions per axis.
    pub sizes: Vec<usize>,
    /// Number of basis functions.
    pub basis_size: usize,
    /// Number of levels of the resolution study.
    pub levels: usize,
    /// Number of parity sectors (blocks of H solved one after another).
    pub sectors: usize,
    /// Functions per block at the finest level.
    pub blocks: Vec<usize>,
    /// The plan in words ([`OverdampedPlan::describe`], after the rotation when there is one).
    pub description: String,
    /// The change of coordinates solved in, when the planner chose one
    /// ([`crate::potential::principal_axes`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<PrincipalAxes>,
}

/// The lowest decay rates of the overdamped generator with their error estimates.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    /// λ_1 ≤ … ≤ λ_k (positive decay rates).
    pub values: Vec<f64>,
    /// Error estimate of each (see [`Study::errors`]: a crude bound when not estimated).
    pub errors: Vec<f64>,
    /// Basis size at the finest level.
    pub basis_size: usize,
    /// The resolution study (levels include the ground-state value first).
    pub study: Study,
    /// Axis centres used (in the rotated coordinates u when `method.rotation` is set).
    pub centre: Vec<f64>,
    /// Axis scales used (in the rotated coordinates u when `method.rotation` is set).
    pub scale: Vec<f64>,
    /// Whether the index set was full tensor or total degree.
    pub index_set: IndexSet,
    /// The plan used at the finest level.
    pub method: Method,
}

impl Rates {
    /// True when the study did not converge and the error bar of the lowest rate reaches zero:
    /// the study cannot tell the gap from 0, as for a flat or nearly flat direction of L.
    pub fn gap_may_be_zero(&self) -> bool {
        !self.study.converged && self.errors.first().zip(self.values.first()).is_some_and(|(e, v)| e >= v)
    }
}

/// A level's plan before it runs: the solver, the predicted peak memory and a rough time.
#[derive(Debug, Clone)]
pub struct LevelPlan {
    /// Sparse (banded H) or dense (factor B).
    pub sparse: bool,
    /// Predicted peak bytes (for the sparse path, of H; the Cholesky factor is checked exactly
    /// from its symbolic analysis before it is allocated).
    pub bytes: f64,
    /// Rough predicted seconds.
    pub seconds: f64,
}

/// The plan of [`eigenpairs`] on a basis, without allocating anything of the basis's size.
pub fn plan_level(op: &Overdamped, basis: &HermiteBasis, count: usize, path: SolverPath) -> LevelPlan {
    let poly = op.potential.poly().is_some();
    let sparse = match path {
        SolverPath::Dense => false,
        SolverPath::Sparse => true,
        SolverPath::Auto => poly && basis.len() > sparse_above(basis.dim()),
    };
    let n = basis.len();
    if sparse {
        // Assembly only: the factorisation and Krylov–Schur are predicted (and checked) exactly
        // from the symbolic Cholesky factor inside `lowest_sparse`, before they allocate.
        let nnz = op.sparse_nnz_bound(basis);
        let bytes = 96.0 * nnz + crate::eigen::krylov_bytes(n, count + 1);
        LevelPlan { sparse, bytes, seconds: 200.0 * nnz / FLOPS_PER_SECOND }
    } else {
        let rows = op.factor_rows(basis);
        let bytes = op.factor_bytes(basis) + crate::eigen::factor_eigen_bytes(n);
        let flops = crate::eigen::factor_eigen_flops(rows, n) + 40.0 * rows as f64 * n as f64;
        LevelPlan { sparse, bytes, seconds: flops / FLOPS_PER_SECOND }
    }
}

/// Lowest `count + 1` eigenpairs (ground state first) of H on a given basis. Predicts the
/// memory and time of the level ([`plan_level`]) and refuses it with `TooLarge` beyond the budget
/// (`budget::check_memory`) or beyond [`crate::eigen::MAX_SOLVE_SECONDS`], before allocating
/// anything large.
pub fn eigenpairs(
    op: &Overdamped,
    basis: &HermiteBasis,
    count: usize,
    path: SolverPath,
    shift: f64,
) -> Result<Eigenpairs> {
    let plan = plan_level(op, basis, count, path);
    let kind = match basis.kind {
        IndexSet::FullTensor => "full-tensor",
        IndexSet::TotalDegree => "total-degree",
    };
    let what = format!(
        "a {}-D {kind} basis of {} functions ({} solver, {})",
        basis.dim(),
        basis.len(),
        if plan.sparse { "sparse" } else { "dense" },
        duration_text(plan.seconds)
    );
    let hint = "use a looser --tolerance or a smaller --count";
    crate::budget::check_memory(&what, plan.bytes, hint)?;
    check_time(&what, plan.seconds, hint)?;
    let pairs = if plan.sparse {
        let (h, entry_errors) = op.sparse_matrix_with_error(basis)?;
        let mut pairs = lowest_sparse(&h, count + 1, shift)?;
        crate::eigen::add_entry_errors(&mut pairs, &entry_errors);
        pairs
    } else {
        if basis.len() > MAX_DENSE {
            return Err(EngineError::TooLarge(format!(
                "{} basis functions exceed the dense limit {MAX_DENSE} for a non-polynomial potential ({hint})",
                basis.len()
            )));
        }
        let (b, gram) = op.factor_with_gram(basis, partial_applies(basis.len(), count + 1, shift))?;
        lowest_few_from_factor_and_gram(b, gram, count + 1, shift)?
    };
    if pairs.values.len() < count + 1 {
        return Err(EngineError::Numerical(format!(
            "a basis of {} functions gave {} eigenvalues, {} were asked for",
            basis.len(),
            pairs.values.len(),
            count + 1
        )));
    }
    Ok(pairs)
}

/// Whether [`RateStudy`] jumps ahead by [`predicted_steps`] (off, see [`RateStudy::next`]).
const JUMP_ENABLED: bool = false;

/// One overdamped decay-rate computation as a [`Refinable`] for the study driver: a level is a
/// Hermite basis with the sizes per axis of the plan, split into its parity sectors, each solved
/// for its lowest eigenpairs; the next level grows each axis by the tails of the eigenvectors
/// ([`OverdampedPlan::next_sizes`]).
struct RateStudy<'a> {
    op: &'a Overdamped<'a>,
    plan: OverdampedPlan,
    centre: Vec<f64>,
    scale: Vec<f64>,
    /// Shift of the sparse solves: below the lowest eigenvalue, −5 % of λ_1 of the last level.
    shift: f64,
    /// Tail of each axis at the last level.
    tails: Vec<f64>,
    /// Functions per sector at the last level.
    blocks: Vec<usize>,
    /// Whether the sizes already jumped ahead by [`predicted_steps`] (once per study: after a
    /// jump the changes no longer come from regular steps).
    jumped: bool,
}

impl RateStudy<'_> {
    fn basis(&self, sizes: &[usize]) -> Result<HermiteBasis> {
        HermiteBasis::new(self.centre.clone(), self.scale.clone(), sizes.to_vec(), self.plan.index_set)
    }
}

impl Refinable for RateStudy<'_> {
    fn first(&mut self) -> Vec<usize> {
        self.plan.start.clone()
    }
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        let mut sizes = self.plan.next_sizes(&levels.last()?.sizes, &self.tails)?;
        // The jump is switched off: on a coupled 2D potential at D = 0.1 it left λ₀ and λ₁ with errors
        // of 2e-5 and 4e-5 (1e-9 with regular steps), the level after the jump not being in the
        // asymptotic regime the driver's error estimate needs. [`predicted_steps`] stays tested.
        let steps = if self.jumped || !JUMP_ENABLED { 1 } else { predicted_steps(levels, self.plan.tolerance) };
        self.jumped |= steps > 1;
        for _ in 1..steps {
            match self.plan.next_sizes(&sizes, &self.tails) {
                Some(further) => sizes = further,
                None => break,
            }
        }
        Some(sizes)
    }
    fn cost(&self, sizes: &[usize]) -> Option<Cost> {
        let basis = self.basis(sizes).ok()?;
        let plan = plan_level(self.op, &basis, self.plan.count, self.plan.path);
        let what = format!("a {}-D basis of {} functions", basis.dim(), basis.len());
        Some(Cost { what, bytes: plan.bytes, seconds: plan.seconds })
    }
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let basis = self.basis(sizes)?;
        let count = self.plan.count;
        let level = sector_eigenpairs(self.op, &self.plan, &basis, self.shift)?;
        if level.values.len() < count + 1 {
            return Err(EngineError::Numerical(format!(
                "a basis of {} functions gave {} eigenvalues, {} were asked for",
                basis.len(),
                level.values.len(),
                count + 1
            )));
        }
        self.tails = level.tails;
        self.blocks = level.blocks;
        let rates = level.values[1..=count].to_vec();
        self.shift = -0.05 * rates.first().copied().unwrap_or(1.0).abs().max(1e-12);
        Ok(Solved { basis_size: basis.len(), values: rates, rounding: level.rounding[1..=count].to_vec() })
    }
}

/// The lowest eigenvalues of H on a basis, gathered over its parity sectors.
struct SectorLevel {
    /// Lowest `count + 1` eigenvalues over all sectors, ascending.
    values: Vec<f64>,
    /// Rounding bound of each.
    rounding: Vec<f64>,
    /// Per axis: the largest fraction of the norm of the eigenvectors of `values[1..]` held by
    /// the last two degrees of that axis.
    tails: Vec<f64>,
    /// Functions per sector.
    blocks: Vec<usize>,
}

/// Solves every parity sector of `basis` ([`OverdampedPlan::sector_of`]) for its lowest
/// `count + 1` eigenpairs and keeps the lowest `count + 1` of all.
fn sector_eigenpairs(op: &Overdamped, plan: &OverdampedPlan, basis: &HermiteBasis, shift: f64) -> Result<SectorLevel> {
    let want = plan.count + 1;
    let sectors: Vec<HermiteBasis> = (0..plan.sectors())
        .map(|s| basis.subset(|alpha| plan.sector_of(alpha) == s))
        .filter(|b| !b.is_empty())
        .collect();
    let mut found: Vec<(f64, f64, usize, usize)> = Vec::new();
    let mut solved: Vec<Eigenpairs> = Vec::new();
    for (s, sector) in sectors.iter().enumerate() {
        let k = want.min(sector.len());
        let pairs = eigenpairs(op, sector, k - 1, plan.path, shift)?;
        found.extend((0..pairs.values.len()).map(|i| (pairs.values[i], pairs.rounding[i], s, i)));
        solved.push(pairs);
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.truncate(want);
    let tails = (0..basis.dim())
        .map(|j| {
            let top = basis.sizes[j].saturating_sub(2);
            found
                .iter()
                .skip(1)
                .map(|&(_, _, s, i)| axis_tail(&sectors[s], solved[s].vectors.col(i), j, top))
                .fold(0.0, f64::max)
        })
        .collect();
    Ok(SectorLevel {
        values: found.iter().map(|f| f.0).collect(),
        rounding: found.iter().map(|f| f.1).collect(),
        tails,
        blocks: sectors.iter().map(|b| b.len()).collect(),
    })
}

/// √(Σ_{α_j ≥ top} v_α² / Σ_α v_α²): the fraction of the norm of v on the last degrees of axis j.
fn axis_tail(basis: &HermiteBasis, v: faer::ColRef<'_, f64>, j: usize, top: usize) -> f64 {
    let total: f64 = v.iter().map(|c| c * c).sum();
    let tail: f64 = basis.indices.iter().zip(v.iter()).filter(|(a, _)| a[j] >= top).map(|(_, c)| c * c).sum();
    if total > 0.0 {
        (tail / total).sqrt()
    } else {
        1.0
    }
}

/// The `count` lowest non-zero decay rates of the overdamped generator, converged to `tolerance` by a resolution study
/// run by the study driver ([`drive`]) on the plan of [`OverdampedPlan`] (per-axis sizes grown
/// by the eigenvector tails, parity sectors of the symmetries of L). An unconverged study is
/// returned, not refused: `study.converged` is false and the errors are honest (estimated in the
/// asymptotic regime, else the crude bound of [`crate::resolution::unestimated_error`]).
///
/// When `opts.principal_axes` is set and the planner finds that L separates in the principal axes
/// of its quadratic part ([`principal_axes`]), the study runs on L_Q(u) = L(Q u) instead: the
/// generator D∆ − ∇L·∇ is invariant under the orthogonal change w = Q u, so the rates are the
/// same, and `method.rotation` says so. When the rotated problem is refused, the given one is
/// solved instead.
pub fn decay_rates(op: &Overdamped, opts: &RateOptions) -> Result<Rates> {
    check_tolerance(opts.tolerance)?;
    let Some(axes) = principal_axes(op.potential).filter(|_| opts.principal_axes) else {
        return rates_as_given(op, opts);
    };
    let rotated = LinearChange::rotated(op.potential, &axes)?;
    match rates_as_given(&Overdamped::new(&rotated, op.diffusion)?, opts) {
        Ok(mut rates) => {
            rates.method.description = format!("{}; {}", axes.description, rates.method.description);
            rates.method.rotation = Some(axes);
            Ok(rates)
        }
        // A guard refused the rotated problem (the axis-wise confinement test sees a nearly flat
        // principal direction that the given axes do not): the given problem's answer stands.
        Err(_) => rates_as_given(op, opts),
    }
}

/// [`decay_rates`] in the coordinates of `op` (no rotation).
fn rates_as_given(op: &Overdamped, opts: &RateOptions) -> Result<Rates> {
    if opts.count == 0 {
        return Err(EngineError::InvalidParameter("the number of rates must be at least 1".into()));
    }
    let mut plan = OverdampedPlan::new(op.potential, opts.count, opts.tolerance, opts.path, opts.max_per_axis);
    if !opts.sectors {
        plan.symmetries.clear();
    }
    let axes = overdamped_axes(op, opts.count, plan.start[0], plan.index_set)?;
    let (mut centre, scale) = (axes.centre, axes.scale);
    for (j, c) in centre.iter_mut().enumerate() {
        if plan.centred_at_zero(j) {
            *c = 0.0;
        }
        if axes.exact[j] {
            plan.start[j] = plan.start[j].min(exact_axis_start(opts.count));
        }
    }
    plan.exact = axes.exact;
    plan.start_free_axes();
    let dim = plan.dim;
    let tails = vec![1.0; dim];
    let mut computation = RateStudy { op, plan, centre, scale, shift: -1e-3, tails, blocks: Vec::new(), jumped: false };
    let study = drive(&mut computation, &Settings::new(opts.tolerance))?;
    let RateStudy { plan, centre, scale, blocks, .. } = computation;
    let finest = study.levels.last().map(|l| l.sizes.clone()).unwrap_or_default();
    let largest = blocks.iter().copied().max().unwrap_or(0);
    let method = Method {
        solver: match plan.solver_for(largest) {
            Solver::Dense => "dense",
            Solver::SparseShiftInvert => "sparse",
        },
        index_set: match plan.index_set {
            IndexSet::FullTensor => "full-tensor",
            IndexSet::TotalDegree => "total-degree",
        },
        description: plan.describe(&finest, &blocks),
        sizes: finest,
        basis_size: study.basis_size(),
        levels: study.levels.len(),
        sectors: plan.sectors(),
        blocks,
        rotation: None,
    };
    Ok(Rates {
        values: study.values.clone(),
        errors: study.errors.clone(),
        basis_size: study.basis_size(),
        study,
        centre,
        scale,
        index_set: plan.index_set,
        method,
    })
}

/// Poincaré constant of the measure e^{−ηL}: the spectral gap of −Δ + η∇L·∇, equal to η·λ_1 of
/// the overdamped Fokker–Planck operator with D = 1/η. The study may be unconverged
/// (`rates.study.converged`); the error is then the honest one of [`decay_rates`].
pub fn poincare_constant(potential: &dyn Potential, eta: f64, tolerance: f64) -> Result<(f64, f64, Rates)> {
    positive("eta", eta)?;
    let op = Overdamped::new(potential, 1.0 / eta)?;
    // d = 2 keeps its cap of 48 per axis; d = 3 uses the planner's (96), which its per-axis
    // sizes reach on the double-well axis at 1e-10.
    let max_per_axis = if potential.dim() == 2 { 48 } else { 0 };
    let rates = decay_rates(&op, &RateOptions { count: 1, tolerance, max_per_axis, ..Default::default() })?;
    Ok((eta * rates.values[0], eta * rates.errors[0], rates))
}

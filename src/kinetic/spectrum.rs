//! Slowest decay rates of the kinetic generator G: dense (all eigenvalues; condition numbers
//! from the eigenvector matrix, or, when the slowest are real and decide the result alone
//! (`slowest_dense`), from their inverse-iteration eigenvectors and the velocity reflection) or
//! shift-invert Krylov–Schur over a sparse LU of G − σI (left eigenvectors by the velocity
//! reflection, Gᵀ = RGR, or else from a second run on the transpose), and a resolution study that
//! accepts a rate only when it is stable under basis refinement.
//!
//! G is not normal: a computed eigenvalue λ̃ of a simple eigenvalue λ obeys |λ̃ − λ| ≲ κ η with
//! η the backward error (the residual ‖Gx − λ̃x‖/‖x‖ plus a rounding floor 8ε‖G‖₁) and
//! κ = ‖x‖‖y‖/|yᵀx|. At a Jordan block of size k (harmonic risk with g = 2ω) the k computed
//! eigenvalues spread over ~(η‖G‖)^{1/k} with κ ~ 1/spread; such a group is reported once, as
//! its mean (accurate to ‖P‖η, P the spectral projector of the group) with its radius added to
//! the error (`merge_clusters`).

use super::basis::{KineticBasis, WAxis};
use super::operator::Kinetic;
use super::plan;
use super::study;
use crate::basis::IndexSet;
use crate::eigen::shifted;
use crate::error::{short, EngineError, Result};
use crate::operator::Overdamped;
use crate::potential::Potential;
use crate::resolution::{Level, Study};
use crate::scaling::{gibbs_moments, overdamped_axes};
use crate::shift_invert::{self, ShiftInvert};
use crate::study::{drive, Estimate, Refinable, Settings, Solved, Status};
use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::sparse::linalg::solvers::Lu;
use faer::sparse::SparseColMat;
use faer::{c64, Col, Mat};
use rayon::prelude::*;

/// Decay rates (re > 0 slowest first, one per conjugate pair, im ≥ 0) with rounding estimates.
#[derive(Debug, Clone)]
pub struct DecayRates {
    /// Decay rates λ = −eig(G), excluding the kernel.
    pub rates: Vec<c64>,
    /// Rounding-error estimate of each.
    pub rounding: Vec<f64>,
    /// The eigenvalue of smallest modulus (the discrete kernel, ideally 0).
    pub kernel: c64,
    /// Sizes of the blocks solved (parity sectors, or the whole basis).
    pub blocks: Vec<usize>,
    /// True when the blocks were solved densely.
    pub dense: bool,
    /// On a dense solve, every rate that a later sparse solve must reach (`survey_candidates`);
    /// empty on a sparse one.
    pub candidates: Vec<c64>,
}

/// Which eigen-solver to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum KineticPath {
    /// All eigenvalues of the dense matrix.
    Dense,
    /// Shift-invert Krylov–Schur with a sparse LU.
    Sparse,
    /// Dense for a study's first level up to [`DENSE_UP_TO`] functions, sparse beyond and for
    /// later levels that are not small ([`rates_on_level`]).
    Auto,
}

/// Largest basis the `Auto` path solves densely.
pub const DENSE_UP_TO: usize = 700;

/// Eigenvalues of G on one invariant block (a parity sector or the whole basis) with what their
/// errors need: backward errors and right and left eigenvectors.
#[derive(Debug, Clone)]
pub struct BlockSpectrum {
    /// Eigenvalues of G.
    pub eigs: Vec<c64>,
    /// Backward error of each eigenpair.
    pub backward: Vec<f64>,
    /// Right eigenvectors, one column per eigenvalue.
    right: Mat<c64>,
    /// Left eigenvectors (yᵀG = μyᵀ), one column per μ of `left_eigs`.
    left: Mat<c64>,
    /// Eigenvalues of the left eigenvectors (the same set, computed separately on the sparse path).
    left_eigs: Vec<c64>,
    /// True when left column i belongs to eigenvalue i (dense path: the rows of U^{-1}; sparse
    /// path with the velocity reflection: Rx_i).
    aligned: bool,
    /// True when solved densely (all eigenvalues).
    dense: bool,
}

impl BlockSpectrum {
    /// The norm of the spectral projector P = X (YᵀX)^{-1} Yᵀ of the eigenvalues `group` (indices
    /// into `eigs`), Y the left eigenvectors of the |group| left eigenvalues nearest the group's
    /// mean: with X = Q_xR_x and Y = Q_yR_y (thin QR), P = Q_x (Q_yᵀQ_x)^{-1} Q_yᵀ and
    /// ‖P‖₂ = 1/σ_min(Q_yᵀQ_x), which stays moderate for a nearly defective group whose
    /// eigenvectors are nearly parallel. For one eigenvalue it is κ = ‖x‖‖y‖/|yᵀx|. Infinite when
    /// Q_yᵀQ_x is singular (no matching left eigenvectors).
    fn projector_norm(&self, group: &[usize]) -> f64 {
        let k = group.len();
        let near: Vec<usize> = if self.aligned {
            group.to_vec()
        } else {
            let mean = group.iter().fold(c64::new(0.0, 0.0), |s, &i| s + self.eigs[i]) / k as f64;
            let mut near: Vec<usize> = (0..self.left_eigs.len()).collect();
            near.sort_by(|&a, &b| (self.left_eigs[a] - mean).norm().total_cmp(&(self.left_eigs[b] - mean).norm()));
            near
        };
        if near.len() < k {
            return f64::INFINITY;
        }
        let x = Mat::<c64>::from_fn(self.right.nrows(), k, |r, c| self.right[(r, group[c])]);
        let y = Mat::<c64>::from_fn(self.left.nrows(), k, |r, c| self.left[(r, near[c])]);
        let (qx, qy) = if k == 1 {
            let unit = |m: &Mat<c64>| {
                let norm = m.norm_l2();
                Mat::<c64>::from_fn(m.nrows(), 1, |r, _| m[(r, 0)] / norm)
            };
            (unit(&x), unit(&y))
        } else {
            (x.qr().compute_thin_Q(), y.qr().compute_thin_Q())
        };
        let m = qy.transpose() * &qx;
        let smallest = match m.singular_values() {
            Ok(s) => s.iter().copied().fold(f64::INFINITY, f64::min),
            Err(_) => 0.0,
        };
        if smallest > 0.0 && smallest.is_finite() {
            1.0 / smallest
        } else {
            f64::INFINITY
        }
    }
}

/// Removes the kernel (the eigenvalue of smallest modulus), merges eigenvalues that their error
/// estimates cannot tell apart (`merge_clusters`), drops those located no better than their
/// own size, keeps one rate per conjugate pair (im ≥ 0) and sorts by real part (real parts equal
/// within both errors, [`same_real_part`], by imaginary part, so that successive levels list them
/// alike).
fn sort_rates(blocks: &[BlockSpectrum], count: usize) -> Result<DecayRates> {
    let eigs: Vec<&[c64]> = blocks.iter().map(|b| b.eigs.as_slice()).collect();
    let (kernel, rest) = split_kernel(&eigs)?;
    Ok(ordered_rates(blocks, &rest, kernel, count))
}

/// The kernel (the eigenvalue of smallest modulus, the first one on a tie) and the positions
/// (block, index) of all the others, in block order.
fn split_kernel(eigs: &[&[c64]]) -> Result<(c64, Vec<(usize, usize)>)> {
    let all: Vec<(usize, usize)> =
        eigs.iter().enumerate().flat_map(|(b, s)| (0..s.len()).map(move |i| (b, i))).collect();
    let eig = |(b, i): (usize, usize)| eigs[b][i];
    let kernel_pos = (0..all.len())
        .min_by(|&a, &b| eig(all[a]).norm().total_cmp(&eig(all[b]).norm()))
        .ok_or_else(|| EngineError::Numerical("no eigenvalues".into()))?;
    let rest = all.iter().enumerate().filter(|&(k, _)| k != kernel_pos).map(|(_, &p)| p).collect();
    Ok((eig(all[kernel_pos]), rest))
}

/// [`sort_rates`] given the kernel and the eigenvalues `rest` (block, index) whose groups are
/// formed and ordered.
fn ordered_rates(blocks: &[BlockSpectrum], rest: &[(usize, usize)], kernel: c64, count: usize) -> DecayRates {
    let groups = merge_clusters(blocks, rest);
    // An eigenvalue located no better than its own size (error > |λ|: the scatter of a large
    // Jordan block of unresolved modes, a Krylov edge value without a left partner) has no place
    // in an order by real part; it is left out. A slow rate that becomes so poorly known between
    // levels shows up as a jump in the study, which then does not trust the level.
    let upper: Vec<(c64, f64)> = groups
        .into_iter()
        .filter(|(l, r)| *r <= l.norm())
        .map(|(l, r)| (-l, r))
        .filter(|(l, r)| l.im >= -r.max(1e-300))
        .map(|(l, r)| (c64::new(l.re, l.im.abs()), r))
        .collect();
    // A real eigenvalue computed as a conjugate pair within its error folds onto itself.
    let mut pairs = merge_folded(&upper);
    pairs.sort_by(|a, b| a.0.re.total_cmp(&b.0.re).then(a.0.im.total_cmp(&b.0.im)));
    // Real parts that neither error tells apart: order by im, so that levels list them alike.
    let mut swapped = true;
    while swapped {
        swapped = false;
        for i in 1..pairs.len() {
            let (a, b) = (pairs[i - 1], pairs[i]);
            if same_real_part(a, b) && b.0.im < a.0.im {
                pairs.swap(i - 1, i);
                swapped = true;
            }
        }
    }
    pairs.truncate(count);
    DecayRates {
        rates: pairs.iter().map(|p| p.0).collect(),
        rounding: pairs.iter().map(|p| p.1).collect(),
        kernel: -kernel,
        blocks: blocks.iter().map(|b| b.right.nrows()).collect(),
        dense: blocks.iter().all(|b| b.dense),
        candidates: Vec::new(),
    }
}

/// True when neither of two rates (value, error) tells its real part from the other's: each lies
/// within twice the other's error, |Δre| ≤ 2 min(r_a, r_b) (twice an error, as [`link_groups`]
/// counts), or they agree to 1e-12 relative. A rate known only roughly whose wide band reaches a
/// well-known one does not tie with it: it would pass the well-known one when its im is smaller,
/// and `truncate` could then drop the slowest rate (or, the same at every level, settle a study
/// on the wrong rate). Two rates of one exact real part, computed within r_a + r_b of each other,
/// still tie when their errors are alike, so that successive levels list them alike.
fn same_real_part(a: (c64, f64), b: (c64, f64)) -> bool {
    (b.0.re - a.0.re).abs() <= 2.0 * a.1.min(b.1) + 1e-12 * a.0.re.abs()
}

/// Groups of eigenvalues that their error estimates cannot tell apart, each as (mean, error).
///
/// Every eigenvalue has the first-order error r_i = κ_i η_i (η_i its backward error). Two are
/// linked when one lies within the other's error, |λ_i − λ_j| ≤ 2 max(r_i, r_j), and
/// |λ_i − λ_j| ≤ [`CLUSTER_SPREAD`]·max(|λ_i|, |λ_j|); linked ones form a group, reported once
/// as its mean. A group's error is its radius plus the smaller of ‖P‖ max η (P its spectral
/// projector in each block, [`BlockSpectrum::projector_norm`], up to [`GROUP_PROJECTOR`]
/// members) and the measured sensitivity max(10·radius, k·min η) (see the comment inside).
///
/// First-order errors of individual members of a multiple eigenvalue are far too large: a
/// defective eigenvalue (a Jordan block of size k, e.g. the harmonic risk at critical damping) is
/// computed as k eigenvalues spread over ~(η‖G‖)^{1/k} with κ_i ~ 1/spread^{k−1}, and the computed
/// eigenvectors of an exactly multiple semisimple one (isotropic potentials) can be nearly
/// parallel. The group is the right unit: its mean is accurate (the trace of G on the invariant
/// subspace is well conditioned), and the radius states how far the individual eigenvalues may
/// be from it. The spread limit keeps distinct eigenvalues with large first-order errors
/// (unresolved high modes) from chaining; members of a Jordan block of size k ≤ 5 stay within it
/// (spread ≈ 6·10⁻⁸, 3·10⁻⁵, 2·10⁻⁴, 7·10⁻⁴ relative for k = 2 … 5 at critical damping).
fn merge_clusters(blocks: &[BlockSpectrum], items: &[(usize, usize)]) -> Vec<(c64, f64)> {
    let n = items.len();
    let eig = |k: usize| blocks[items[k].0].eigs[items[k].1];
    let single: Vec<f64> = items
        .iter()
        .map(|&(b, i)| {
            let r = blocks[b].projector_norm(&[i]).max(1.0) * blocks[b].backward[i];
            if r.is_finite() {
                r
            } else {
                f64::MAX
            }
        })
        .collect();
    let group_error = |members: &[usize]| -> (c64, f64) {
        let mean = members.iter().fold(c64::new(0.0, 0.0), |s, &k| s + eig(k)) / members.len() as f64;
        let radius = members.iter().map(|&k| (eig(k) - mean).norm()).fold(0.0, f64::max);
        if members.len() == 1 {
            return (mean, single[members[0]]);
        }
        // The members are the eigenvalues of one block of G + E (E the solvers' backward error):
        // to first order λ₀ + eig(YᵀEX), whose spread is as large as their mean shift unless YᵀEX
        // happens to be a multiple of the identity. The spread is thus a measurement of the
        // group's sensitivity; 10× covers the mean shift. The best-converged member (smallest
        // backward error: eigenvectors of a multiple eigenvalue can be poor even when the
        // eigenvalues are not) sets the floor.
        let k = members.len() as f64;
        let eta_min = members.iter().map(|&m| blocks[items[m].0].backward[items[m].1]).fold(f64::INFINITY, f64::min);
        let measured = (10.0 * radius).max(k * eta_min);
        if members.len() > GROUP_PROJECTOR {
            return (mean, radius + measured);
        }
        let mut bound = 0.0f64;
        for (b, block) in blocks.iter().enumerate() {
            let own: Vec<usize> = members.iter().filter(|&&m| items[m].0 == b).map(|&m| items[m].1).collect();
            if !own.is_empty() {
                let eta = own.iter().map(|&i| block.backward[i]).fold(0.0, f64::max);
                bound = bound.max(block.projector_norm(&own).max(1.0) * eta);
            }
        }
        (mean, radius + if bound.is_finite() { bound.min(measured) } else { measured })
    };
    let points: Vec<(c64, f64)> = (0..n).map(|k| (eig(k), single[k])).collect();
    link_groups(&points, CLUSTER_SPREAD).iter().map(|g| group_error(g)).collect()
}

/// Largest relative distance between two eigenvalues of one group in `merge_clusters`.
pub const CLUSTER_SPREAD: f64 = 1e-3;

/// Largest group whose spectral projector is computed in `merge_clusters`.
pub const GROUP_PROJECTOR: usize = 16;

/// Merges folded rates (im ≥ 0) whose errors overlap: (mean, radius + max error).
fn merge_folded(points: &[(c64, f64)]) -> Vec<(c64, f64)> {
    link_groups(points, CLUSTER_SPREAD)
        .into_iter()
        .map(|group| {
            let mean = group.iter().fold(c64::new(0.0, 0.0), |s, &i| s + points[i].0) / group.len() as f64;
            let radius = group.iter().map(|&i| (points[i].0 - mean).norm()).fold(0.0, f64::max);
            let error = group.iter().map(|&i| points[i].1).fold(0.0, f64::max);
            (mean, radius + error)
        })
        .collect()
}

/// Single-linkage groups of points (value, error): i and j linked when |v_i − v_j| ≤ 2 max(e_i, e_j)
/// (one of them cannot be told from the other) and |v_i − v_j| ≤ `spread`·max(|v_i|, |v_j|).
fn link_groups(points: &[(c64, f64)], spread: f64) -> Vec<Vec<usize>> {
    let n = points.len();
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], mut i: usize) -> usize {
        while root[i] != i {
            root[i] = root[root[i]];
            i = root[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let d = (points[i].0 - points[j].0).norm();
            if d <= 2.0 * points[i].1.max(points[j].1) && d <= spread * points[i].0.norm().max(points[j].0.norm()) {
                let (a, b) = (find(&mut root, i), find(&mut root, j));
                root[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        let r = find(&mut root, i);
        groups[r].push(i);
    }
    groups.into_iter().filter(|g| !g.is_empty()).collect()
}

/// All eigenvalues of the dense matrix, with error estimates (module docs).
pub fn rates_dense(g: &SparseColMat<usize, f64>, count: usize) -> Result<DecayRates> {
    sort_rates(&[block_dense(g)?], count)
}

/// All eigenvalues of the dense matrix; backward error the smaller of the residual
/// ‖Gx − λx‖/‖x‖ (with its rounding floor) and 8√n ε‖G‖_F, left eigenvectors the rows of the
/// inverse eigenvector matrix.
fn block_dense(g: &SparseColMat<usize, f64>) -> Result<BlockSpectrum> {
    plan::check_dense(g.nrows())?;
    let a = g.to_dense();
    let n = a.nrows();
    let evd = a.eigen().map_err(|e| EngineError::Numerical(format!("dense eigen-solve failed: {e:?}")))?;
    let right = evd.U().to_owned();
    let s = evd.S().column_vector().to_owned();
    let left = right.partial_piv_lu().inverse().transpose().to_owned();
    let eigs: Vec<c64> = (0..n).map(|i| s[i]).collect();
    // Each eigenvalue is exact for G + E with ‖E‖ ≤ 8√n ε‖G‖_F (the Schur form's backward error)
    // and, with its eigenvector, for ‖E‖ = the residual: the smaller bound holds. (Eigenvectors of
    // a multiple eigenvalue come out of the back substitution with large residuals.)
    let schur = 8.0 * (n as f64).sqrt() * f64::EPSILON * a.norm_l2();
    let backward = (0..n).map(|i| residual(g, right.col(i), eigs[i]).min(schur)).collect();
    Ok(BlockSpectrum { backward, left_eigs: eigs.clone(), eigs, right, left, aligned: true, dense: true })
}

/// The dense solve of a level's blocks ([`rates_on_level`]): every eigenvalue of every block, with
/// error estimates for the slowest ones only when those decide [`sort_rates`] as the errors of all
/// would ([`slowest_dense`]), otherwise for all ([`block_dense`]). The blocks are solved at the
/// same time when `together` ([`each_block`]).
fn dense_level(problem: &Kinetic, parts: &[KineticBasis], count: usize, together: bool) -> Result<DecayRates> {
    let mats = each_block(parts, together, |b| problem.matrix(b))?;
    let reflections: Vec<Vec<f64>> = parts.iter().map(velocity_reflection).collect();
    if let Some(rates) = slowest_dense(&mats, &reflections, count, together)? {
        return Ok(rates);
    }
    let blocks = each_block(&mats, together, block_dense)?;
    let mut rates = sort_rates(&blocks, count)?;
    rates.candidates = survey_candidates(&blocks.iter().map(|b| b.eigs.as_slice()).collect::<Vec<_>>())?;
    Ok(rates)
}

/// The rates of a dense solve (every eigenvalue of every block, `eigs`) that a sparse solve of a
/// later level must reach before its rates are trusted: every rate λ = −μ (μ ≠ the kernel, one
/// per conjugate pair) with re λ ≤ [`SURVEY_MARGIN`]·re λ₁, λ₁ the slowest, whatever its
/// imaginary part. Shift-invert around a real shift sees only a disc, and a slow but strongly
/// oscillating rate (a stiff, underdamped direction: re ≈ g/2, |im| ≫ re) can lie outside it; a
/// coarse dense level sees it, and the margin covers its drift under refinement. The rates after
/// the slowest are held to the previous level's rates (the `expected` of [`rates_on_level`]).
fn survey_candidates(eigs: &[&[c64]]) -> Result<Vec<c64>> {
    let (_, rest) = split_kernel(eigs)?;
    let rates: Vec<c64> = rest.iter().map(|&(b, i)| -eigs[b][i]).filter(|l| l.im >= 0.0).collect();
    let slowest = rates.iter().map(|l| l.re).fold(f64::INFINITY, f64::min);
    let bound = SURVEY_MARGIN * slowest.max(0.0);
    Ok(rates.into_iter().filter(|l| l.re <= bound).collect())
}

/// See `survey_candidates`: 1.5, halfway from the one-mode to the two-mode band of an
/// underdamped harmonic direction (re = g/2 and g): a margin of 2 would put every two-mode rate
/// k·(g/2 ± iω) on the bound, and reaching those (|im| up to 2ω) takes the shift-invert disc over
/// the whole lattice of combination rates below it.
pub const SURVEY_MARGIN: f64 = 1.5;

/// Largest basis of the dense survey that precedes a study whose first level is sparse
/// (`survey`).
pub const SURVEY_FUNCTIONS: usize = 500;

/// The candidates ([`survey_candidates`]) of a dense solve, eigenvalues only (real Schur forms),
/// of the largest study level up to n on the largest axis that holds at most [`SURVEY_FUNCTIONS`]
/// functions (n ≥ 4): what the study's sparse levels must reach when no dense level precedes them.
fn survey(problem: &Kinetic, axes: &[WAxis], ratios: &[f64], n: usize, opts: &KineticOptions) -> Result<Vec<c64>> {
    let mut m = n;
    let basis = loop {
        let basis = study_basis(problem, axes, ratios, m, opts.index_set)?;
        if basis.len() <= SURVEY_FUNCTIONS || m <= 4 {
            break basis;
        }
        m -= 1;
    };
    let parts = sectors(problem, &basis);
    let sizes: Vec<usize> = parts.iter().map(|b| b.len()).collect();
    let eigs = each_block(&parts, fit_together(&sizes, plan::dense_block_bytes), |sector| {
        let g = problem.matrix(sector)?;
        plan::check_dense(g.nrows())?;
        g.to_dense().eigenvalues().map_err(|e| EngineError::Numerical(format!("dense survey failed: {e:?}")))
    })?;
    survey_candidates(&eigs.iter().map(|e| e.as_slice()).collect::<Vec<_>>())
}

/// The sparse solve of a level's blocks ([`rates_on_level`]): per block, its assembly and
/// [`block_sparse`] with the velocity reflection, at the same time when `together`
/// ([`each_block`]).
fn sparse_level(
    problem: &Kinetic,
    parts: &[KineticBasis],
    count: usize,
    shift: f64,
    together: bool,
    candidates: &[c64],
) -> Result<Vec<BlockSpectrum>> {
    each_block(parts, together, |sector| {
        let g = problem.matrix(sector)?;
        block_sparse(&g, count, shift, Some(&velocity_reflection(sector)), candidates)
    })
}

/// `solve` on every block, the results in block order (the first error in block order, if any):
/// on the rayon pool at the same time when `together`, one after another otherwise. A block's
/// solve reads only its own block (faer runs `Par::Seq`, and the engine's rayon loops give the
/// same numbers on any number of threads), so both give the same results bit for bit.
fn each_block<B: Sync, T: Send>(
    blocks: &[B],
    together: bool,
    solve: impl Fn(&B) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    if together {
        let results: Vec<Result<T>> = blocks.par_iter().map(&solve).collect();
        results.into_iter().collect()
    } else {
        blocks.iter().map(solve).collect()
    }
}

/// True when the blocks of sizes `sizes`, each planning at most `bytes(n)` ([`plan`]), may be
/// solved at the same time: there are several and the sum of their bounds fits the memory budget.
/// This is safe: a block solved alone is checked against the budget by its own plan
/// ([`checked_lu`], [`plan::check_dense`]), whose prediction `bytes` bounds from above; blocks
/// solved together hold their memory at once, at most the sum, which then fits the budget too.
/// Blocks whose sum does not fit are solved one after another, each checked alone, as before.
fn fit_together(sizes: &[usize], bytes: impl Fn(usize) -> f64) -> bool {
    sizes.len() > 1 && plan::fit_together(&sizes.iter().map(|&n| bytes(n)).collect::<Vec<_>>())
}

/// The bytes [`block_sparse`] plans for its Krylov bases on a block of n functions when it
/// computes `want` eigenvalues.
fn krylov_bytes(n: usize, want: usize) -> f64 {
    let want = want.min(n);
    2.0 * 16.0 * n as f64 * (3 * want + 20) as f64
}

/// The eigenvalues [`block_sparse`] computes first for `count` rates.
fn first_want(count: usize) -> usize {
    2 * count + 8
}

/// Most eigenvalues `block_sparse` computes to reach the candidates of a survey.
pub const MAX_WANT: usize = 96;

/// The first of `rates` (decay rates, eigenvalues −λ) outside 0.9·`reach` of the shift σ, the
/// part of the disc |μ − σ| ≤ reach around σ that a shift-invert solve of radius `reach` covers.
fn beyond_reach(rates: &[c64], shift: f64, reach: f64) -> Option<c64> {
    rates.iter().copied().find(|l| (*l + c64::new(shift, 0.0)).norm() > 0.9 * reach)
}

/// Every eigenvalue of the blocks G_b (their real Schur forms, without eigenvectors) and the errors
/// of the slowest only, when these decide the output of [`sort_rates`] exactly as the errors of all
/// would. With the eigenvalues other than the kernel ordered by decay rate −re λ, the chosen ones C
/// are the first `count`, extended until the next decay rate exceeds the last chosen one by more
/// than [`CLUSTER_SPREAD`]·max|λ|. Then no group of `merge_clusters` or `merge_folded` joins C with
/// the others (group means lie in the hull of their members, so a C mean and another differ by
/// more than the spread allows), and every rate from C sorts before every other. When C is real,
/// the reordering of equal real parts by imaginary part ([`same_real_part`], which lets an
/// eigenvalue move forward) cannot move another before one of C (im ≥ 0 = im of C). So the first
/// `count` rates are those of C alone once C yields `count` of them; C grows by one eigenvalue
/// until it does. Right eigenvectors of C by inverse iteration ([`real_eigenvector`]), left ones y = Rx
/// (the velocity reflection, [`reflection_holds`]).
///
/// None (every eigenvector is needed) when the reflection does not hold, the Schur iteration
/// fails, C holds a complex eigenvalue or two of one block within the spread, C grows beyond
/// 2·`count` + 8 (what the sparse solver computes), or an inverse iteration does not reach the
/// Schur form's backward error. The blocks' Schur forms and eigenvectors are computed at the same
/// time when `together` ([`each_block`]).
fn slowest_dense(
    mats: &[SparseColMat<usize, f64>],
    reflections: &[Vec<f64>],
    count: usize,
    together: bool,
) -> Result<Option<DecayRates>> {
    if !mats.iter().zip(reflections).all(|(g, r)| reflection_holds(g, r)) {
        return Ok(None);
    }
    let schur = |g: &SparseColMat<usize, f64>| {
        plan::check_dense(g.nrows())?;
        let a = g.to_dense();
        let eigs = a.eigenvalues();
        Ok((a, eigs))
    };
    let (dense, eigs): (Vec<Mat<f64>>, Vec<_>) = each_block(mats, together, schur)?.into_iter().unzip();
    // A Schur iteration that does not converge here is left to `block_dense`, which decides.
    let Ok(eigs) = eigs.into_iter().collect::<std::result::Result<Vec<Vec<c64>>, _>>() else {
        return Ok(None);
    };
    let slices: Vec<&[c64]> = eigs.iter().map(|e| e.as_slice()).collect();
    let (kernel, rest) = split_kernel(&slices)?;
    let decay = |(b, i): (usize, usize)| -eigs[b][i].re;
    let mut by_rate = rest;
    by_rate.sort_by(|&p, &q| decay(p).total_cmp(&decay(q)));
    let reach = CLUSTER_SPREAD * by_rate.iter().map(|&(b, i)| eigs[b][i].norm()).fold(0.0, f64::max);
    let mut take = count.min(by_rate.len());
    loop {
        while take > 0 && take < by_rate.len() && decay(by_rate[take]) - decay(by_rate[take - 1]) <= reach {
            take += 1;
        }
        if take > 2 * count + 8 {
            return Ok(None);
        }
        let mut chosen = by_rate[..take].to_vec();
        chosen.sort_unstable();
        let Some(blocks) = chosen_blocks(mats, &dense, reflections, &eigs, &chosen, together)? else {
            return Ok(None);
        };
        let items: Vec<(usize, usize)> =
            blocks.iter().enumerate().flat_map(|(b, s)| (0..s.eigs.len()).map(move |i| (b, i))).collect();
        let mut rates = ordered_rates(&blocks, &items, kernel, count);
        if rates.rates.len() >= count || take == by_rate.len() {
            rates.candidates = survey_candidates(&slices)?;
            return Ok(Some(rates));
        }
        take += 1;
    }
}

/// Per block, its `chosen` eigenvalues (block, index; in block order) with their errors
/// ([`real_block`]), at the same time when `together` ([`each_block`]); None when one block
/// declines.
fn chosen_blocks(
    mats: &[SparseColMat<usize, f64>],
    dense: &[Mat<f64>],
    reflections: &[Vec<f64>],
    eigs: &[Vec<c64>],
    chosen: &[(usize, usize)],
    together: bool,
) -> Result<Option<Vec<BlockSpectrum>>> {
    let indices: Vec<usize> = (0..mats.len()).collect();
    let blocks = each_block(&indices, together, |&b| {
        let own = chosen.iter().filter(|p| p.0 == b).map(|&(_, i)| eigs[b][i]).collect();
        real_block(&mats[b], &dense[b], &reflections[b], own)
    })?;
    Ok(blocks.into_iter().collect())
}

/// The chosen eigenvalues `own` of one dense block with their errors as [`block_dense`] states
/// them (right eigenvectors by [`real_eigenvector`], left ones Rx); None when one is complex, two
/// lie within [`CLUSTER_SPREAD`] of each other, or an inverse iteration does not converge.
fn real_block(
    g: &SparseColMat<usize, f64>,
    a: &Mat<f64>,
    reflection: &[f64],
    own: Vec<c64>,
) -> Result<Option<BlockSpectrum>> {
    let close = |x: c64, y: c64| (x - y).norm() <= CLUSTER_SPREAD * x.norm().max(y.norm());
    let isolated = own.iter().enumerate().all(|(i, &x)| own[..i].iter().all(|&y| !close(x, y)));
    if !isolated || own.iter().any(|l| l.im != 0.0) {
        return Ok(None);
    }
    let n = g.nrows();
    let schur = 8.0 * (n as f64).sqrt() * f64::EPSILON * a.norm_l2();
    let mut vectors = Vec::new();
    let mut backward = Vec::new();
    for l in &own {
        let Some((x, r)) = real_eigenvector(g, l.re, schur)? else { return Ok(None) };
        vectors.push(x);
        backward.push(r);
    }
    let right = Mat::<c64>::from_fn(n, own.len(), |i, c| vectors[c][i]);
    let left = Mat::<c64>::from_fn(n, own.len(), |i, c| vectors[c][i] * reflection[i]);
    Ok(Some(BlockSpectrum { backward, left_eigs: own.clone(), eigs: own, right, left, aligned: true, dense: true }))
}

/// A right eigenvector of G for its real eigenvalue λ by inverse iteration, x ← (G − λI)⁻¹x from
/// a fixed start, with its backward error (`residual`): the step of smallest residual, taken
/// while a step still halves it (at most [`INVERSE_STEPS`]); None when the LU fails or that
/// residual exceeds `floor` (the Schur form's backward error, as in [`block_dense`]).
fn real_eigenvector(g: &SparseColMat<usize, f64>, lambda: f64, floor: f64) -> Result<Option<(Col<c64>, f64)>> {
    let n = g.nrows();
    let Ok(lu) = shifted(g, lambda)?.sp_lu() else { return Ok(None) };
    // A start without the sign or parity patterns of the basis' symmetries.
    let mut x = Mat::<f64>::from_fn(n, 1, |i, _| 1.0 + (i as f64 * 0.618_033_988_749_895).fract());
    let mut best: Option<(Col<c64>, f64)> = None;
    for _ in 0..INVERSE_STEPS {
        lu.solve_in_place(x.as_mut());
        let norm = x.norm_l2();
        if !(norm.is_finite() && norm > 0.0) {
            break;
        }
        x.col_mut(0).iter_mut().for_each(|e| *e /= norm);
        let v = Col::<c64>::from_fn(n, |i| c64::new(x[(i, 0)], 0.0));
        let r = residual(g, v.as_ref(), c64::new(lambda, 0.0));
        let previous = best.as_ref().map_or(f64::INFINITY, |b| b.1);
        if r < previous {
            best = Some((v, r));
        }
        if r > 0.5 * previous {
            break;
        }
    }
    Ok(best.filter(|b| b.1 <= floor))
}

/// Most inverse-iteration steps of `real_eigenvector`.
pub const INVERSE_STEPS: usize = 3;

/// Sparse LU of G − σI, refused ([`EngineError::TooLarge`]) when the structural bound on its
/// fill-in ([`plan::lu_fill_bound`]) does not fit the memory budget.
pub fn shifted_lu(g: &SparseColMat<usize, f64>, shift: f64) -> Result<Lu<usize, f64>> {
    checked_lu(g, shift, 0.0)
}

/// [`shifted_lu`] with `extra` bytes that will live alongside the factors. The factors of an n×n
/// matrix hold at most n(n + 1) entries (L and U full triangles, the diagonal twice): when that
/// fits the budget, the structural bound ([`plan::lu_fill_bound`], a COLAMD ordering of its own)
/// is not needed.
fn checked_lu(g: &SparseColMat<usize, f64>, shift: f64, extra: f64) -> Result<Lu<usize, f64>> {
    Ok(planned_lu(g, shift, extra)?.0)
}

/// [`checked_lu`] and the structural fill bound when it was computed (for [`check_shifted_lu`]).
fn planned_lu(g: &SparseColMat<usize, f64>, shift: f64, extra: f64) -> Result<(Lu<usize, f64>, Option<f64>)> {
    let a = shifted(g, shift)?;
    let mut bound = None;
    check_shifted_lu(&a, extra, &mut bound)?;
    let lu =
        a.sp_lu().map_err(|e| EngineError::Numerical(format!("sparse LU of G − σI failed (σ = {shift}): {e:?}")))?;
    Ok((lu, bound))
}

/// The memory check of [`checked_lu`] on the shifted matrix `a` = G − σI: the full-factor bound,
/// or else the structural one ([`plan::lu_fill_bound`], computed once into `bound`).
fn check_shifted_lu(a: &SparseColMat<usize, f64>, extra: f64, bound: &mut Option<f64>) -> Result<()> {
    let (n, entries) = (a.nrows(), a.compute_nnz());
    let full = n as f64 * (n as f64 + 1.0);
    if plan::check_lu(n, entries, full, extra).is_err() {
        let fill = match bound {
            Some(fill) => *fill,
            None => *bound.insert(plan::lu_fill_bound(a)?),
        };
        plan::check_lu(n, entries, fill, extra)?;
    }
    Ok(())
}

/// The eigenvalues of G nearest σ (σ > 0 sits right of the spectrum), by shift-invert
/// Krylov–Schur, with error estimates (module docs); left eigenvectors from a second run on the
/// transpose.
pub fn rates_sparse(g: &SparseColMat<usize, f64>, count: usize, shift: f64) -> Result<DecayRates> {
    sort_rates(&[block_sparse(g, count, shift, None, &[])?], count)
}

/// [`rates_sparse`] given the velocity reflection R of the basis ([`velocity_reflection`]): when
/// Gᵀ = RGR holds on the assembled matrix ([`reflection_holds`]) the left eigenvectors are Rx and
/// the second Krylov–Schur run is skipped; otherwise as [`rates_sparse`].
pub fn rates_sparse_reflected(
    g: &SparseColMat<usize, f64>,
    reflection: &[f64],
    count: usize,
    shift: f64,
) -> Result<DecayRates> {
    sort_rates(&[block_sparse(g, count, shift, Some(reflection), &[])?], count)
}

/// The velocity reflection R: v → −v on a basis, diagonal with R_ii = (−1)^{Σ_j α_{v_j}} (the
/// v-Hermite function of degree n has parity (−1)^n; the w-axes are untouched). Every term of T
/// changes one velocity degree by ±1 (v_j ∂_{w_j}: the v-ladder; ∂_{w_j}L ∂_{v_j}: the
/// v-derivative) and F is diagonal, so RTR = −T and RFR = F; with T antisymmetric and F symmetric
/// (orthonormal basis in the flat variable), RGR = T + F = Gᵀ.
pub fn velocity_reflection(basis: &KineticBasis) -> Vec<f64> {
    (0..basis.len()).map(|i| if basis.velocity_degree(i).is_multiple_of(2) { 1.0 } else { -1.0 }).collect()
}

/// max_ij |G_ij − R_ii R_jj G_ji|, the entrywise distance of Gᵀ from RGR on the assembled matrix
/// (rounding of the assembly, or a basis without the symmetry). G_ji is found by binary search
/// in column i (rows ascending, as assembled); an entry whose partner is not found counts whole.
pub fn reflection_defect(g: &SparseColMat<usize, f64>, reflection: &[f64]) -> f64 {
    let (sym, vals) = (g.symbolic(), g.val());
    let (ptr, rows) = (sym.col_ptr(), sym.row_idx());
    let entry =
        |i: usize, j: usize| -> f64 { rows[ptr[j]..ptr[j + 1]].binary_search(&i).map_or(0.0, |p| vals[ptr[j] + p]) };
    let mut defect = 0.0f64;
    for j in 0..g.ncols() {
        for p in ptr[j]..ptr[j + 1] {
            let i = rows[p];
            defect = defect.max((vals[p] - reflection[i] * reflection[j] * entry(j, i)).abs());
        }
    }
    defect
}

/// True when the left eigenvectors of G may be taken as Rx: the reflection defect
/// ([`reflection_defect`]) is within the rounding floor 8ε‖G‖₁ that every residual carries
/// (`residual`), so Rx is a left eigenvector of G to the backward error of x plus that floor.
pub fn reflection_holds(g: &SparseColMat<usize, f64>, reflection: &[f64]) -> bool {
    reflection.len() == g.nrows() && reflection_defect(g, reflection) <= 8.0 * f64::EPSILON * norm_1(g)
}

/// ‖G‖₁, the largest absolute column sum.
fn norm_1(g: &SparseColMat<usize, f64>) -> f64 {
    let (sym, vals) = (g.symbolic(), g.val());
    (0..g.ncols())
        .map(|j| (sym.col_ptr()[j]..sym.col_ptr()[j + 1]).map(|p| vals[p].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// The 2·`count` + 8 eigenvalues of G nearest σ, or more: while a rate of `candidates` lies
/// beyond 0.9× the distance from σ of the farthest one found ([`beyond_reach`]), twice as many
/// with the same LU, up to [`MAX_WANT`] and while the memory plan allows ([`check_shifted_lu`]).
/// Backward error the residual ‖Gx − λx‖/‖x‖, left eigenvectors (Gᵀy = λy) y = Rx when the
/// velocity reflection holds ([`reflection_holds`]: the same eigenvalue, and
/// Gᵀ(Rx) − λRx = R(Gx − λx), so y has the residual of x), otherwise from a second Krylov–Schur
/// run on (G − σI)^{-T} with the same LU.
fn block_sparse(
    g: &SparseColMat<usize, f64>,
    count: usize,
    shift: f64,
    reflection: Option<&[f64]>,
    candidates: &[c64],
) -> Result<BlockSpectrum> {
    let n = g.nrows();
    let mut want = first_want(count).min(n);
    let (lu, mut bound) = planned_lu(g, shift, krylov_bytes(n, want))?;
    let op = ShiftInvert::new(lu, n);
    let mut found = shift_invert::nonsymmetric(&op, want, shift)?;
    loop {
        let reach = found.0.iter().map(|e| (e - c64::new(shift, 0.0)).norm()).fold(0.0, f64::max);
        let wider = (2 * want).min(MAX_WANT.max(want)).min(n);
        if beyond_reach(candidates, shift, reach).is_none()
            || wider <= want
            || check_shifted_lu(&shifted(g, shift)?, krylov_bytes(n, wider), &mut bound).is_err()
        {
            break;
        }
        // A wider solve that does not converge (clustered eigenvalues at its edge) leaves the
        // narrower one; the level's reach check ([`rates_on_level`]) then decides.
        match shift_invert::nonsymmetric(&op, wider, shift) {
            Ok(wide) => (found, want) = (wide, wider),
            Err(_) => break,
        }
    }
    let (eigs, right) = found;
    let backward = (0..want).map(|i| residual(g, right.col(i), eigs[i])).collect();
    if let Some(r) = reflection.filter(|r| reflection_holds(g, r)) {
        let left = Mat::<c64>::from_fn(n, want, |i, c| right[(i, c)] * r[i]);
        return Ok(BlockSpectrum { left_eigs: eigs.clone(), eigs, backward, right, left, aligned: true, dense: false });
    }
    let (left_eigs, left) = shift_invert::nonsymmetric(&op.transposed(), want, shift)?;
    Ok(BlockSpectrum { eigs, backward, right, left, left_eigs, aligned: false, dense: false })
}

/// ‖Gx − λx‖/‖x‖ for a complex eigenpair, plus a rounding floor 8ε‖G‖₁ (the residual itself is
/// computed with that rounding, and the eigen-solvers' backward errors are of that size).
fn residual(g: &SparseColMat<usize, f64>, x: faer::ColRef<'_, c64>, lambda: c64) -> f64 {
    let n = g.nrows();
    let mut r = vec![c64::new(0.0, 0.0); n];
    let (sym, vals) = (g.symbolic(), g.val());
    let mut norm1 = 0.0f64;
    for j in 0..n {
        let mut column = 0.0;
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            r[sym.row_idx()[p]] += x[j] * vals[p];
            column += vals[p].abs();
        }
        norm1 = norm1.max(column);
    }
    let res: f64 = r.iter().enumerate().map(|(i, ri)| (ri - lambda * x[i]).norm_sqr()).sum::<f64>().sqrt();
    res / x.norm_l2() + 8.0 * f64::EPSILON * norm1
}

/// Options of a kinetic decay-rate computation.
#[derive(Debug, Clone)]
pub struct KineticOptions {
    /// Number of slowest non-zero rates wanted.
    pub count: usize,
    /// Relative tolerance of the resolution study.
    pub tolerance: f64,
    /// Eigen-solver path.
    pub path: KineticPath,
    /// Starting and largest number of 1D functions per axis (0: defaults by dimension).
    pub start: usize,
    /// Largest number of 1D functions per axis (0: default).
    pub max_per_axis: usize,
    /// Index set over all 2d axes.
    pub index_set: IndexSet,
    /// Solve a separable L pair by pair ([`super::separable`]); false: always the coupled basis.
    pub separable: bool,
    /// Solve in the principal axes of L when the planner finds them
    /// ([`crate::potential::principal_axes`]); false: always in the given coordinates.
    pub principal_axes: bool,
}

impl Default for KineticOptions {
    fn default() -> Self {
        KineticOptions {
            count: 3,
            tolerance: 1e-8,
            path: KineticPath::Auto,
            start: 0,
            max_per_axis: 0,
            index_set: IndexSet::TotalDegree,
            separable: true,
            principal_axes: true,
        }
    }
}

/// The slowest decay rates, their errors and the study behind them (converged or not:
/// `study.converged`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct KineticRates {
    /// Decay rates (re, im ≥ 0), ascending by re.
    pub values: Vec<(f64, f64)>,
    /// Error estimate of each (|level difference| + rounding, as a complex modulus).
    pub errors: Vec<f64>,
    /// Basis size at the finest level.
    pub basis_size: usize,
    /// The resolution study; its values interleave re and re + |im|.
    pub study: Study,
    /// Worst relative error of the tracked values (re and re + |im| of each rate).
    pub rel_error: f64,
    /// The plan that ran.
    pub method: KineticMethod,
}

/// The w-axes for a problem: Fourier on the circle, otherwise Hermite axes chosen for the
/// w-marginal e^{−η'L} of ψ_∞ by [`overdamped_axes`] on the overdamped operator with D = 1/η'
/// (a separable harmonic axis a w² + b w at its exact centre −b/(2a) and scale √(D/a), the other
/// axes by the Ritz-value minimisation of the engine). The Gibbs-moment
/// scale alone is about twice too wide for a double well and costs ~4 digits at equal size.
///
/// The moments the scale search starts from are sampled on a fixed grid, which cannot see a
/// density narrower than its spacing (L = 10⁸x²/2: width 7·10⁻⁵, spacing 5·10⁻³; the basis came
/// out 16× too wide). [`resolved_moments`] re-samples around the density until it is resolved;
/// when the two disagree by more than 2× in width, the resolved moments give the axes directly
/// (centre = mean, scale = √2·σ, exact for a quadratic risk).
pub fn default_axes(problem: &Kinetic) -> Result<Vec<WAxis>> {
    if problem.periodic {
        return Ok(vec![WAxis::Fourier]);
    }
    let eta = problem.params.eta();
    let op = Overdamped::new(problem.potential, 1.0 / eta)?;
    let kind = if problem.potential.dim() == 1 { IndexSet::FullTensor } else { IndexSet::TotalDegree };
    let too_wide = |e: EngineError| match e {
        EngineError::NotConfining(_) => EngineError::InvalidParameter(format!(
            "the stationary density e^(-η'L) at η' = friction/diffusion = {} is wider than |w| ≤ 8192, \
             the region the basis search covers; raise the friction or lower the diffusion",
            short(eta)
        )),
        e => e,
    };
    let (mean, var) = gibbs_moments(problem.potential, eta).map_err(too_wide)?;
    let (rmean, rvar) = resolved_moments(problem.potential, eta, &mean, &var)?;
    let mismatch =
        var.iter().zip(&rvar).any(|(v, r)| !(v / r).sqrt().is_finite() || !(0.5..=2.0).contains(&(v / r).sqrt()));
    let (mut centre, scale) = if mismatch {
        (rmean, rvar.iter().map(|v| (2.0 * v).sqrt()).collect())
    } else {
        let axes = overdamped_axes(&op, 2, AXIS_PROBE, kind).map_err(too_wide)?;
        (axes.centre, axes.scale)
    };
    // L even in w_j: the Gibbs mean is 0 up to quadrature rounding; make it exact, so that the
    // basis keeps the reflection symmetry that [`sectors`] uses.
    if let Some(poly) = problem.potential.poly() {
        for (j, c) in centre.iter_mut().enumerate() {
            if poly.terms.iter().all(|(m, k)| m[j] % 2 == 0 || *k == 0.0) {
                *c = 0.0;
            }
        }
    }
    // Nodes c + s·t must keep ~10 digits of their offset from c, and the powers s^k of the
    // substituted polynomial (k up to its degree + 2) must stay normal numbers.
    let degree = problem.potential.poly().map_or(2, |p| p.degree() as i32) + 2;
    for (j, (&c, &s)) in centre.iter().zip(&scale).enumerate() {
        if !(s.is_finite() && s > 0.0 && s >= 1e-10 * c.abs() && (s.ln() * degree as f64).abs() < 690.0) {
            return Err(EngineError::InvalidParameter(format!(
                "the stationary density e^(-η'L) at η' = friction/diffusion = {} has width {} along w{} \
                 around {}: outside what a double-precision basis resolves; bring friction/diffusion closer to 1",
                short(eta),
                short(s),
                j + 1,
                short(c)
            )));
        }
    }
    Ok(centre.iter().zip(&scale).map(|(&c, &s)| WAxis::Hermite { centre: c, scale: s }).collect())
}

/// Mean and variance per axis of e^{−ηL}, re-sampled on a grid of ±8σ around the mean of the
/// previous estimate (starting from `mean`, `var`) until every σ spans at least 4 grid spacings
/// (at most [`ZOOM_STEPS`] times; each step narrows the box by up to (m − 1)/16, m the points
/// per axis). Refuses a density that stays unresolved (narrower than the spacing of the floating
/// point numbers around its centre).
pub fn resolved_moments(
    potential: &dyn Potential,
    eta: f64,
    mean: &[f64],
    var: &[f64],
) -> Result<(Vec<f64>, Vec<f64>)> {
    let d = mean.len();
    let m: usize = if d == 1 { 2001 } else { 201 };
    let (mut mean, mut var) = (mean.to_vec(), var.to_vec());
    for _ in 0..ZOOM_STEPS {
        let half: Vec<f64> = var.iter().map(|v| 8.0 * v.sqrt()).collect();
        let h: Vec<f64> = half.iter().map(|a| 2.0 * a / (m - 1) as f64).collect();
        let node = |k: usize, j: usize| mean[j] - half[j] + h[j] * k as f64;
        let total = m.pow(d as u32);
        let mut pts: Vec<(Vec<f64>, f64)> = Vec::with_capacity(total);
        for k in 0..total {
            let x: Vec<f64> = (0..d).map(|j| node((k / m.pow(j as u32)) % m, j)).collect();
            let l = potential.value(&x);
            if l.is_finite() {
                pts.push((x, l));
            }
        }
        let lmin = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let weights: Vec<f64> = pts.iter().map(|(_, l)| (-(l - lmin) * eta).exp()).collect();
        let sum: f64 = weights.iter().sum();
        if !(sum.is_finite() && sum > 0.0) {
            break;
        }
        let new_mean: Vec<f64> =
            (0..d).map(|j| pts.iter().zip(&weights).map(|((x, _), w)| w * x[j]).sum::<f64>() / sum).collect();
        let new_var: Vec<f64> = (0..d)
            .map(|j| pts.iter().zip(&weights).map(|((x, _), w)| w * (x[j] - new_mean[j]).powi(2)).sum::<f64>() / sum)
            .collect();
        let resolved = (0..d).all(|j| new_var[j].sqrt() >= 4.0 * h[j]);
        mean = new_mean;
        var = new_var.iter().zip(&h).map(|(v, h)| v.max(h * h)).collect();
        if resolved {
            return Ok((mean, var));
        }
    }
    Err(EngineError::InvalidParameter(format!(
        "the stationary density e^(-η'L) at η' = friction/diffusion = {} is narrower than a double-precision \
         grid can resolve around w = {:?}; bring friction/diffusion closer to 1",
        short(eta),
        mean.iter().map(|c| short(*c)).collect::<Vec<_>>()
    )))
}

/// Most re-sampling steps of [`resolved_moments`].
pub const ZOOM_STEPS: usize = 80;

/// Basis size per axis of the scale search in [`default_axes`].
pub const AXIS_PROBE: usize = 12;

/// The basis with `n` functions on every w- and v-axis. A Fourier axis gets complete frequency
/// pairs (2⌊n/2⌋ + 1 modes) and the full tensor index set: a total-degree cut would keep high
/// wave numbers only with low velocity modes, which leaves spurious slowly decaying eigenvalues.
pub fn basis_of_size(problem: &Kinetic, axes: &[WAxis], n: usize, kind: IndexSet) -> Result<KineticBasis> {
    let d = axes.len();
    let fourier = axes.iter().any(|a| matches!(a, WAxis::Fourier));
    let (nw, kind) = if fourier { (2 * (n / 2) + 1, IndexSet::FullTensor) } else { (n, kind) };
    KineticBasis::new(axes.to_vec(), problem.params.velocity_scale(), vec![nw; d], vec![n; d], kind)
}

/// The w-axes j along which G has the reflection symmetry (w_j, v_j) → (−w_j, −v_j): a Hermite
/// axis centred exactly at 0 and a polynomial L even in w_j (so ∂_jL is odd in w_j and even in
/// the other w_i). The parity (−1)^{α_{w_j} + α_{v_j}} of a basis function is then conserved by
/// every term of G (v_j∂_{w_j} and ∂_jL ∂_{v_j} change α_{w_j} and α_{v_j} by odd amounts each, the
/// other indices by even ones, F is diagonal), so G is block diagonal over the parity sectors.
pub fn reflection_axes(problem: &Kinetic, axes: &[WAxis]) -> Vec<usize> {
    if problem.periodic {
        return Vec::new();
    }
    let Some(poly) = problem.potential.poly() else { return Vec::new() };
    (0..axes.len())
        .filter(|&j| {
            matches!(axes[j], WAxis::Hermite { centre, .. } if centre == 0.0)
                && poly.terms.iter().all(|(m, c)| m[j] % 2 == 0 || *c == 0.0)
        })
        .collect()
}

/// The parity sectors of `basis` under the reflections of [`reflection_axes`] (the whole basis
/// when there are none), each an invariant subspace of G.
pub fn sectors(problem: &Kinetic, basis: &KineticBasis) -> Vec<KineticBasis> {
    let refl = reflection_axes(problem, &basis.w_axes);
    if refl.is_empty() {
        return vec![basis.clone()];
    }
    (0..1usize << refl.len())
        .map(|mask| {
            basis.restricted(|a| refl.iter().enumerate().all(|(bit, &j)| (a[j] + a[2 + j]) % 2 == (mask >> bit) & 1))
        })
        .filter(|b| !b.is_empty())
        .collect()
}

/// The slowest `count` rates on one basis. When G has reflection symmetries ([`sectors`]) each
/// parity sector is solved on its own (dense or sparse, decided by the whole basis size) and the
/// eigenvalues are merged before the kernel is removed and the rates sorted: the same spectrum,
/// at a fraction of the LU fill-in and memory, and with at least as many candidate eigenvalues
/// near the shift as the unsplit solve.
pub fn rates_on(
    problem: &Kinetic,
    basis: &KineticBasis,
    count: usize,
    path: KineticPath,
    shift: f64,
) -> Result<DecayRates> {
    rates_on_level(problem, basis, count, path, shift, &[], &[])
}

/// True when [`rates_on_level`] solves a level of `functions` functions densely on `path`.
fn level_dense(path: KineticPath, functions: usize, count: usize, expected: &[c64]) -> bool {
    match path {
        KineticPath::Dense => true,
        KineticPath::Sparse => false,
        KineticPath::Auto => auto_dense(functions, count, expected),
    }
}

/// The `Auto` choice of [`rates_on_level`]: dense up to [`DENSE_UP_TO`] functions when nothing is
/// expected yet (the first level of a study, or a single solve: the dense solve sees every
/// eigenvalue, and the slowest it finds are what the reach check holds the next levels' sparse
/// solves to); once rates are expected, sparse as soon as the basis holds [`SPARSE_MARGIN`]× the
/// 2·`count` + 8 eigenvalues the sparse solver computes (its LU and Krylov–Schur runs cost a
/// fraction of a dense eigen-solve with eigenvectors there).
fn auto_dense(functions: usize, count: usize, expected: &[c64]) -> bool {
    functions <= DENSE_UP_TO && (expected.is_empty() || functions < SPARSE_MARGIN * (2 * count + 8))
}

/// See `auto_dense`.
pub const SPARSE_MARGIN: usize = 8;

/// Largest block the dense solver takes over from the sparse one in [`rates_on_level`].
pub const DENSE_FALLBACK: usize = 3000;

/// [`rates_on`] for a level of a resolution study, given the slowest rates of the previous level
/// (`expected`). Shift-invert Krylov–Schur finds the eigenvalues nearest the real shift σ, i.e.
/// inside a disc |λ + σ| ≤ R; a slow but strongly oscillating rate (|im| ≫ re, e.g. a stiff
/// potential with little friction) can lie outside it and would be missed without a trace. Each
/// block widens its disc until it holds the `candidates` of a dense survey (`survey_candidates`,
/// `block_sparse`). When an expected rate or a candidate still lies outside 0.9 R of some block,
/// the level is solved densely instead (blocks up to [`DENSE_FALLBACK`] functions); beyond that the
/// level is refused ([`EngineError::TooLarge`]), which ends a study with the levels so far (and
/// refuses a study that has fewer than two).
pub fn rates_on_level(
    problem: &Kinetic,
    basis: &KineticBasis,
    count: usize,
    path: KineticPath,
    shift: f64,
    expected: &[c64],
    candidates: &[c64],
) -> Result<DecayRates> {
    let dense = level_dense(path, basis.len(), count, expected);
    let parts = sectors(problem, basis);
    let sizes: Vec<usize> = parts.iter().map(|b| b.len()).collect();
    let dense_together = fit_together(&sizes, plan::dense_block_bytes);
    if dense {
        return dense_level(problem, &parts, count, dense_together);
    }
    let want = if candidates.is_empty() { first_want(count) } else { MAX_WANT.max(first_want(count)) };
    let sparse_together = fit_together(&sizes, |n| plan::sparse_block_bytes(n, krylov_bytes(n, want)));
    let blocks = sparse_level(problem, &parts, count, shift, sparse_together, candidates)?;
    let reach = blocks
        .iter()
        .map(|b| b.eigs.iter().map(|e| (e - c64::new(shift, 0.0)).norm()).fold(0.0, f64::max))
        .fold(f64::INFINITY, f64::min);
    let far = beyond_reach(expected, shift, reach).or_else(|| beyond_reach(candidates, shift, reach));
    if let Some(far) = far {
        let largest = parts.iter().map(|b| b.len()).max().unwrap_or(0);
        if largest > DENSE_FALLBACK {
            return Err(EngineError::TooLarge(format!(
                "would need a dense solve of {largest} functions per block: the rate {} + {}i lies beyond \
                 the reach {} of the sparse shift-invert solve",
                short(far.re),
                short(far.im),
                short(reach)
            )));
        }
        return dense_level(problem, &parts, count, dense_together);
    }
    sort_rates(&blocks, count)
}

/// The numbers a resolution study tracks per rate: re and re + |im| (both positive, so a purely
/// relative tolerance applies to each, and |Δim| ≤ |Δ(re + |im|)| + |Δre|).
fn study_values(rates: &[c64]) -> Vec<f64> {
    rates.iter().flat_map(|l| [l.re, l.re + l.im.abs()]).collect()
}

/// Rates (re, im) and error estimates back from a study of [`study_values`].
fn from_study_values(study: &Study) -> (Vec<(f64, f64)>, Vec<f64>) {
    let values = study.values.chunks(2).map(|c| (c[0], c[1] - c[0])).collect();
    let errors = study.errors.chunks(2).map(|e| e[0].hypot(e[0] + e[1])).collect();
    (values, errors)
}

/// Relative per-axis resolution for d = 2: for each w-axis, the number of modes the projection of
/// the w-marginal ground state e^{−η'L/2} needs (tail below 1e-10 in amplitude) on a 64×64 probe,
/// divided by the largest such number. The v-axis of each degree of freedom gets its w-ratio
/// (transport couples w_j only with v_j). Isotropic (all ones) in d = 1 and on the circle.
pub fn axis_ratios(problem: &Kinetic, axes: &[WAxis]) -> Result<Vec<f64>> {
    let d = axes.len();
    if d == 1 || problem.periodic {
        return Ok(vec![1.0; d]);
    }
    let probe = 64;
    let basis = KineticBasis::new(
        axes.to_vec(),
        problem.params.velocity_scale(),
        vec![probe; d],
        vec![1; d],
        IndexSet::FullTensor,
    )?;
    let u = problem.ground_state(&basis)?;
    let needed: Vec<f64> = (0..d)
        .map(|j| {
            let mut tail = vec![0.0; probe + 1];
            for (i, a) in basis.indices.iter().enumerate() {
                tail[a[j]] += u[i] * u[i];
            }
            for k in (0..probe).rev() {
                tail[k] += tail[k + 1];
            }
            (0..=probe).find(|&k| tail[k] < 1e-20).unwrap_or(probe) as f64
        })
        .collect();
    let top = needed.iter().copied().fold(1.0, f64::max);
    Ok(needed.iter().map(|n| (n / top).clamp(0.15, 1.0)).collect())
}

/// Next size of the largest axis in a resolution study, from the levels so far (their sizes per
/// axis and tracked values). The first three levels grow by ×1.2 (as a plain geometric schedule).
/// From then on the relative level differences δ_k = max_i |v_{k,i} − v_{k−1,i}|/|v_{k,i}| give a
/// geometric decay rate per unit n, r = ln(δ_{k−1}/δ_k)/(n_{k−1} − n_{k−2}) (the smaller of the
/// last two such estimates once there are three differences), and the error of the current level
/// is predicted as e_k = δ_k e^{−r(n_k − n_{k−1})}. The next level is the size predicted to bring
/// the error to `tolerance`/4; when the current level already meets it, the next one only has to
/// confirm it and must reduce the error at least 4-fold (n + ln 4/r). Each step is clamped to
/// ×[1.15, 1.5] in n (≥ n + 2), so a noisy rate can neither stall the study nor overshoot much.
/// The acceptance test is untouched: two consecutive levels must agree to `tolerance`.
pub fn next_size(levels: &[Level], tolerance: f64, cap: usize) -> usize {
    let n: Vec<f64> = levels.iter().map(|l| l.sizes[0] as f64).collect();
    let k = n.len() - 1;
    let geometric = ((n[k] * 1.2).round() as usize).max(n[k] as usize + 2);
    if levels.len() < 3 {
        return geometric.min(cap);
    }
    let delta = |j: usize| -> f64 {
        levels[j]
            .values
            .iter()
            .zip(&levels[j - 1].values)
            .map(|(f, c)| (f - c).abs() / f.abs().max(f64::MIN_POSITIVE))
            .fold(0.0, f64::max)
    };
    let rate = |j: usize| -> f64 {
        let (a, b) = (delta(j - 1), delta(j));
        if a > 0.0 && b > 0.0 && b < a {
            (a / b).ln() / (n[j - 1] - n[j - 2])
        } else {
            0.0
        }
    };
    let mut r = rate(k);
    if k >= 3 {
        r = r.min(rate(k - 1));
    }
    if !(r.is_finite() && r > 0.0) {
        return geometric.min(cap);
    }
    let goal = tolerance / 4.0;
    let error = delta(k) * (-r * (n[k] - n[k - 1])).exp();
    let target = if error <= goal { n[k] + 4f64.ln() / r } else { n[k] + (error / goal).ln() / r };
    let lo = (n[k] * 1.15).ceil().max(n[k] + 2.0);
    let hi = (n[k] * 1.5).floor().max(lo);
    (target.ceil().clamp(lo, hi) as usize).min(cap)
}

/// The basis of a resolution-study level with `n` functions on the largest axis: [`basis_of_size`]
/// in d = 1, per-axis sizes round(ratio·n) ≥ 4 from [`axis_ratios`] in d = 2. Levels are nested:
/// a larger n keeps every multi-index of a smaller one.
pub fn study_basis(
    problem: &Kinetic,
    axes: &[WAxis],
    ratios: &[f64],
    n: usize,
    kind: IndexSet,
) -> Result<KineticBasis> {
    if axes.len() == 1 {
        return basis_of_size(problem, axes, n, kind);
    }
    let per_axis: Vec<usize> = ratios.iter().map(|r| ((r * n as f64).round() as usize).max(4)).collect();
    KineticBasis::new(axes.to_vec(), problem.params.velocity_scale(), per_axis.clone(), per_axis, kind)
}

/// One level of a kinetic resolution study as it was planned and solved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LevelPlan {
    /// Functions on the largest axis.
    pub n: usize,
    /// Basis functions of the whole level.
    pub functions: usize,
    /// Sizes of the invariant blocks (parity sectors) solved one after another.
    pub blocks: Vec<usize>,
    /// "dense" (all eigenvalues) or "sparse" (LU + shift-invert Krylov–Schur, left and right).
    pub solver: &'static str,
    /// |λ₀|, the discrete kernel (exactly 0 for the operator): a resolution error known exactly.
    pub kernel: f64,
}

/// The plan a decay-rate computation ran: the basis, the levels and why the study ended.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KineticMethod {
    /// The w-axes (Hermite centre and scale, or Fourier).
    pub w_axes: Vec<WAxis>,
    /// Velocity Hermite scale s_v = √(2D_v/g).
    pub velocity_scale: f64,
    /// Index set over the 2d phase-space axes.
    pub index_set: IndexSet,
    /// Levels solved, coarse to fine.
    pub levels: Vec<LevelPlan>,
    /// Why the study ended.
    pub stopped: String,
    /// "separable: …" when L splits into phase-space pairs solved one by one
    /// ([`super::separable`]): the pairs and how each was solved (the axes, levels and stop
    /// reason above are then those of the first pair solved by a study).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separable: Option<String>,
    /// The change of coordinates w = Q u, v = Q v' solved in, when the planner chose one
    /// ([`crate::potential::principal_axes`]); the w-axes above are then axes of u.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<crate::potential::PrincipalAxes>,
}

/// The slowest `count` decay rates of the kinetic generator, converged to `tolerance` by a resolution study. In
/// d = 2 the sizes per axis follow [`axis_ratios`] (an anisotropic total-degree set); the sizes
/// of successive levels follow [`next_size`], and each level is solved by [`rates_on`] (parity
/// sectors when L is even). The errors are trusted only in the asymptotic regime
/// ([`super::study::assess`]); otherwise the result comes back with `converged = false` and the
/// spread of the study as its error.
///
/// The levels run on the study driver ([`drive`]; a private [`Refinable`] says what a level is).
/// The study ends when it converges; at the largest level (`max_per_axis`, or when the next
/// level would not be ≥ 15 % larger); when the changes are settled inside rounding estimates
/// that exceed the tolerance at two levels in a row; or when the next level does not fit the
/// memory budget ([`super::plan`]) or the time budget (`--max-time`) — the levels so far then decide. A first or second level over budget is
/// refused ([`EngineError::TooLarge`]): one level carries no error estimate.
///
/// A potential that splits into one-coordinate parts is solved pair by pair
/// ([`super::separable`], unless `opts.separable` is false).
///
/// When `opts.principal_axes` is set and L separates in the principal axes of its quadratic part
/// ([`crate::potential::principal_axes`]), the problem is solved in those axes: with Q
/// orthogonal, w = Q u and v = Q v' carry −v·∇_w + ∇L·∇_v − g v·∇_v + g D_v ∆_v into the same
/// operator for L_Q(u) = L(Q u) (friction and diffusion are isotropic), so the rates are the same;
/// `method.rotation` says so. The rotated polynomial's mixed terms at rounding level are kept
/// (not dropped), so the coupled basis solves it and the resolution study measures their effect.
/// When the rotated problem is refused, the given one is solved instead.
pub fn decay_rates(problem: &Kinetic, opts: &KineticOptions) -> Result<KineticRates> {
    crate::error::positive("tolerance", opts.tolerance)?;
    if opts.count == 0 {
        return Err(EngineError::InvalidParameter("count must be at least 1".into()));
    }
    let axes = crate::potential::principal_axes(problem.potential).filter(|_| opts.principal_axes && !problem.periodic);
    let Some(axes) = axes else {
        return rates_as_given(problem, opts);
    };
    let rotated = crate::potential::LinearChange::rotated(problem.potential, &axes)?;
    match rates_as_given(&Kinetic::new(&rotated, problem.params)?, opts) {
        Ok(mut rates) => {
            rates.method.rotation = Some(axes);
            Ok(rates)
        }
        // A guard refused the rotated problem (as in the overdamped `decay_rates`): the given
        // problem's answer stands.
        Err(_) => rates_as_given(problem, opts),
    }
}

/// [`decay_rates`] in the coordinates of `problem` (no rotation).
fn rates_as_given(problem: &Kinetic, opts: &KineticOptions) -> Result<KineticRates> {
    if opts.separable {
        if let Some(rates) = super::separable::separable_rates(problem, opts)? {
            return Ok(rates);
        }
    }
    let axes = default_axes(problem)?;
    let d = axes.len();
    let ratios = axis_ratios(problem, &axes)?;
    let (start, cap) = match d {
        1 => (if opts.start > 0 { opts.start } else { 20 }, 400),
        _ => (if opts.start > 0 { opts.start } else { 16 }, 120),
    };
    let cap = if opts.max_per_axis > 0 { opts.max_per_axis } else { cap };
    let mut levels = KineticLevels {
        problem,
        opts,
        axes: &axes,
        ratios: &ratios,
        start: start.min(cap),
        cap,
        shift: 0.05 * problem.params.friction,
        previous: Vec::new(),
        candidates: Vec::new(),
        plans: Vec::new(),
    };
    let estimate = drive(&mut levels, &Settings::new(opts.tolerance))?;
    let stopped = levels.stopped(&estimate);
    let (values, errors) = from_study_values(&estimate);
    // G is dissipative (its numerical range lies in re ≤ 0), so no rate has re < 0: a negative
    // estimate is rounding or an unresolved level, and its error already reaches 0.
    let values = values.into_iter().map(|(re, im)| (re.max(0.0), im)).collect();
    let plans = levels.plans;
    let method = KineticMethod {
        w_axes: axes,
        velocity_scale: problem.params.velocity_scale(),
        index_set: opts.index_set,
        levels: plans,
        stopped,
        separable: None,
        rotation: None,
    };
    Ok(KineticRates {
        values,
        errors,
        basis_size: estimate.basis_size(),
        rel_error: estimate.rel_error,
        study: estimate,
        method,
    })
}

/// The levels of a kinetic decay-rate study as a [`Refinable`]: level sizes from [`next_size`]
/// (n on the largest axis up to `cap`), each level solved by [`rates_on_level`] at a shift set
/// from the previous level's slowest rate, judged by [`study::assess`].
struct KineticLevels<'a> {
    problem: &'a Kinetic<'a>,
    opts: &'a KineticOptions,
    axes: &'a [WAxis],
    ratios: &'a [f64],
    start: usize,
    cap: usize,
    shift: f64,
    previous: Vec<c64>,
    /// The rates every sparse level must reach: [`survey_candidates`] of the last dense level, or
    /// of the [`survey`] that precedes a sparse first level.
    candidates: Vec<c64>,
    plans: Vec<LevelPlan>,
}

impl KineticLevels<'_> {
    /// Why the study ended, in the words of [`KineticMethod::stopped`].
    fn stopped(&self, estimate: &Estimate) -> String {
        let n = self.plans.last().map_or(self.start, |p| p.n);
        match &estimate.status {
            Status::Converged => "converged".into(),
            Status::RoundingFloor(_) => {
                "rounding: the changes are settled inside rounding estimates above the tolerance".into()
            }
            Status::LastLevel => format!("largest level (n = {n}, limit {})", self.cap),
            Status::BudgetReached(why) if why.contains("--max-time") => format!("time: {why}"),
            Status::BudgetReached(why) => format!("memory: the level after n = {n} {why}"),
        }
    }
}

impl Refinable for KineticLevels<'_> {
    fn first(&mut self) -> Vec<usize> {
        vec![self.start]
    }
    /// The next n from [`next_size`]; none at the cap or when it would be < 15 % larger.
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        let n = levels.last()?.sizes[0];
        let next = next_size(levels, self.opts.tolerance, self.cap);
        (n < self.cap && next as f64 >= 1.15 * n as f64).then(|| vec![next])
    }
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let n = sizes[0];
        let (problem, opts) = (self.problem, self.opts);
        let basis = study_basis(problem, self.axes, self.ratios, n, opts.index_set)?;
        if self.candidates.is_empty() && !level_dense(opts.path, basis.len(), opts.count, &self.previous) {
            self.candidates = survey(problem, self.axes, self.ratios, n, opts)?;
        }
        let level =
            rates_on_level(problem, &basis, opts.count, opts.path, self.shift, &self.previous, &self.candidates);
        let r = match level {
            Err(EngineError::TooLarge(why)) if self.plans.len() < 2 => {
                return Err(EngineError::TooLarge(format!(
                    "level n = {n} of the resolution study: {why}; a study needs at least two levels"
                )))
            }
            r => r?,
        };
        if r.rates.len() < opts.count {
            return Err(EngineError::Numerical(format!(
                "only {} distinct rates found on a basis of {} functions; ask for fewer (--count)",
                r.rates.len(),
                basis.len()
            )));
        }
        self.plans.push(LevelPlan {
            n,
            functions: basis.len(),
            blocks: r.blocks.clone(),
            solver: if r.dense { "dense" } else { "sparse" },
            kernel: r.kernel.norm(),
        });
        self.shift = 0.2 * r.rates[0].re.max(1e-3 * problem.params.friction);
        self.previous = r.rates.clone();
        if r.dense {
            self.candidates = r.candidates.clone();
        }
        let rounding = r.rounding.iter().flat_map(|&e| [e, 2.0 * e]).collect();
        Ok(Solved { basis_size: basis.len(), values: study_values(&r.rates), rounding })
    }
    /// [`study::assess`]: a change is an error estimate only in its asymptotic regime.
    fn assess(&self, levels: &[Level], settings: &Settings) -> Option<Estimate> {
        study::assess(levels, settings.tolerance).map(|a| a.into_estimate())
    }
    /// Every change settled inside rounding estimates that exceed the tolerance at the last two
    /// levels ([`study::rounding_bound`]).
    fn at_rounding_floor(&self, levels: &[Level], settings: &Settings) -> bool {
        let settled = study::assess(levels, settings.tolerance)
            .is_some_and(|a| a.regimes.iter().all(|r| *r == study::Regime::Settled));
        settled && study::rounding_bound(levels, settings.tolerance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinetic::KineticParams;

    /// The blocks (parity sectors) of a kinetic basis with n functions per axis, their matrices
    /// and velocity reflections.
    fn level(spec: &str, friction: f64, n: usize) -> (Vec<SparseColMat<usize, f64>>, Vec<Vec<f64>>) {
        let potential = crate::Expression::parse(spec).unwrap();
        let problem = Kinetic::new(&potential, KineticParams::new(friction, 0.5).unwrap()).unwrap();
        let axes = default_axes(&problem).unwrap();
        let basis = basis_of_size(&problem, &axes, n, IndexSet::TotalDegree).unwrap();
        let parts = sectors(&problem, &basis);
        (parts.iter().map(|b| problem.matrix(b).unwrap()).collect(), parts.iter().map(velocity_reflection).collect())
    }

    /// Every eigenvector (`block_dense`): the reference the slowest-only solve must reproduce.
    fn every_eigenvector(mats: &[SparseColMat<usize, f64>], count: usize) -> DecayRates {
        sort_rates(&mats.iter().map(|g| block_dense(g).unwrap()).collect::<Vec<_>>(), count).unwrap()
    }

    /// The bits of a level's output: rates, errors, kernel and block sizes.
    fn bits(r: &DecayRates) -> (Vec<u64>, Vec<u64>, [u64; 2], Vec<usize>) {
        let rates = r.rates.iter().flat_map(|l| [l.re.to_bits(), l.im.to_bits()]).collect();
        let rounding = r.rounding.iter().map(|e| e.to_bits()).collect();
        (rates, rounding, [r.kernel.re.to_bits(), r.kernel.im.to_bits()], r.blocks.clone())
    }

    /// One block of G with the eigenvalue 0 (the kernel) and −λ for each given rate λ, with unit
    /// right and left eigenvectors (κ = 1): each rate's error is the backward error given with it.
    fn constructed(rates: &[(c64, f64)]) -> BlockSpectrum {
        let eigs: Vec<c64> = std::iter::once(c64::new(0.0, 0.0)).chain(rates.iter().map(|r| -r.0)).collect();
        let backward = std::iter::once(1e-16).chain(rates.iter().map(|r| r.1)).collect();
        let n = eigs.len();
        let unit = Mat::<c64>::from_fn(n, n, |i, j| c64::new(if i == j { 1.0 } else { 0.0 }, 0.0));
        BlockSpectrum {
            left_eigs: eigs.clone(),
            eigs,
            backward,
            right: unit.clone(),
            left: unit,
            aligned: true,
            dense: true,
        }
    }

    #[test]
    fn a_poorly_known_rate_does_not_pass_a_well_known_slower_one() {
        // The slowest rate 0.3 + 1.0i known to 1e-14; a faster one 0.5 + 0.2i known only to 0.15,
        // whose band alone reaches the first's real part. Its smaller im must not put it first.
        let (slow, fast) = (c64::new(0.3, 1.0), c64::new(0.5, 0.2));
        for rates in [[(slow, 1e-14), (fast, 0.15)], [(fast, 0.15), (slow, 1e-14)]] {
            let blocks = [constructed(&rates)];
            assert_eq!(sort_rates(&blocks, 2).unwrap().rates, vec![slow, fast]);
            assert_eq!(sort_rates(&blocks, 1).unwrap().rates, vec![slow]);
        }
    }

    #[test]
    fn real_parts_equal_within_both_errors_are_listed_alike() {
        // Two rates of one real part 0.4, computed up to 1.5e-11 apart in either order with errors
        // 1e-11 and 1e-11 or 3e-11 (each within twice the other's error, above the 4e-13 floor):
        // the smaller im first, whichever real part came out smaller and whatever the block order.
        for (shift, wider) in [(1.5e-11, 1e-11), (-1.5e-11, 1e-11), (1.5e-11, 3e-11), (-1.5e-11, 3e-11)] {
            let (one, two) = ((c64::new(0.4, 0.7), 1e-11), (c64::new(0.4 + shift, 0.2), wider));
            for rates in [[one, two], [two, one]] {
                let listed = sort_rates(&[constructed(&rates)], 2).unwrap().rates;
                assert_eq!(listed, vec![two.0, one.0], "shift {shift:e}, errors 1e-11 and {wider:e}");
            }
        }
    }

    #[test]
    fn a_study_of_near_equal_real_parts_converges_on_the_slowest() {
        // Three levels at tolerance 1e-8: the slowest rate 0.3 + 1.0i known to 1e-14 and, 1.5e-9
        // faster, 0.3 + 0.2i known to 1e-9 (inside the tolerance), settled between levels. Listed
        // first at every level, the second would settle the study, converged, on its im and on a
        // real part farther from the slowest than the error stated.
        let slow = c64::new(0.3, 1.0);
        let levels: Vec<Level> = [(20, 0.0), (24, 3e-12), (29, -2e-12)]
            .iter()
            .map(|&(n, drift)| {
                let fast = c64::new(0.3 + 1.5e-9 + drift, 0.2);
                let r = sort_rates(&[constructed(&[(slow, 1e-14), (fast, 1e-9)])], 1).unwrap();
                let rounding = r.rounding.iter().flat_map(|&e| [e, 2.0 * e]).collect();
                Level { sizes: vec![n], basis_size: n * n, values: study_values(&r.rates), rounding }
            })
            .collect();
        let estimate = study::assess(&levels, 1e-8).unwrap().into_estimate();
        let (values, errors) = from_study_values(&estimate);
        eprintln!("study: {:?} ± {:e}, converged {}", values[0], errors[0], estimate.converged);
        assert!(estimate.converged);
        assert!((c64::new(values[0].0, values[0].1) - slow).norm() <= errors[0], "{:?} ± {:e}", values[0], errors[0]);
    }

    #[test]
    fn concurrent_sectors_equal_the_sequential_solve_bit_for_bit() {
        // Slowest-only dense (g = 1), every-eigenvector dense (g = 0.3: complex slow rates) and
        // sparse solves of two parity sectors, on a pool of two threads.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for (spec, friction, n, count) in
            [("x^4/4 - x^2/2", 1.0, 24, 1), ("x^4/4 - x^2/2", 0.3, 20, 3), ("x^6/6 - x^2", 2.0, 29, 2)]
        {
            let potential = crate::Expression::parse(spec).unwrap();
            let problem = Kinetic::new(&potential, KineticParams::new(friction, 0.5).unwrap()).unwrap();
            let axes = default_axes(&problem).unwrap();
            let basis = basis_of_size(&problem, &axes, n, IndexSet::TotalDegree).unwrap();
            let parts = sectors(&problem, &basis);
            assert_eq!(parts.len(), 2, "{spec}");
            let dense = |together| pool.install(|| dense_level(&problem, &parts, count, together).unwrap());
            assert_eq!(bits(&dense(true)), bits(&dense(false)), "{spec} g = {friction}: dense");
            let sparse = |together| {
                let blocks =
                    pool.install(|| sparse_level(&problem, &parts, count, 0.05 * friction, together, &[]).unwrap());
                sort_rates(&blocks, count).unwrap()
            };
            let (concurrent, sequential) = (sparse(true), sparse(false));
            assert!(concurrent.rates.len() >= count && !concurrent.dense, "{spec} g = {friction}");
            assert_eq!(bits(&concurrent), bits(&sequential), "{spec} g = {friction}: sparse");
        }
    }

    #[test]
    fn slowest_real_rates_match_every_eigenvector() {
        for (spec, friction, n, count) in
            [("x^4/4 - x^2/2", 1.0, 20, 1), ("x^4/4 - x^2/2", 1.0, 24, 1), ("x^4/4 - x^2/2 + 0.2*x", 2.0, 20, 2)]
        {
            let (mats, reflections) = level(spec, friction, n);
            let slowest = slowest_dense(&mats, &reflections, count, false).unwrap().expect("the slowest rates decide");
            let every = every_eigenvector(&mats, count);
            assert_eq!(slowest.rates.len(), every.rates.len(), "{spec}");
            assert!(slowest.dense && slowest.blocks == every.blocks);
            assert!(slowest.kernel.norm() < 1e-12 && every.kernel.norm() < 1e-12);
            for k in 0..every.rates.len() {
                let (a, b) = (slowest.rates[k], every.rates[k]);
                let (ea, eb) = (slowest.rounding[k], every.rounding[k]);
                eprintln!("{spec} n = {n}: rate {k} {a:.16} / {b:.16}, errors {ea:.3e} / {eb:.3e}");
                // Both state how far they may be from the exact eigenvalue of the same matrix.
                assert!((a - b).norm() <= ea + eb, "{spec}: rate {k} {a} vs {b}");
                assert!((0.5..=2.0).contains(&(ea / eb)), "{spec}: error {k} {ea:e} vs {eb:e}");
            }
        }
    }

    #[test]
    fn slowest_rates_agree_across_problems() {
        // Wells, tilts, a stiff sextic, strong and weak damping: wherever the slowest-only solve
        // decides, its rates agree with every-eigenvector's within the two stated errors.
        let mut decided = 0;
        for spec in ["x^4/4 - x^2/2 + 0.3*x", "x^2/2 + x^4/8 - 0.2*x^3", "x^6/6 - x^2", "x^4"] {
            for (friction, n, count) in [(0.7, 12, 1), (2.0, 20, 2), (5.0, 20, 3), (5.0, 12, 2)] {
                let (mats, reflections) = level(spec, friction, n);
                let Some(slowest) = slowest_dense(&mats, &reflections, count, false).unwrap() else { continue };
                decided += 1;
                let every = every_eigenvector(&mats, count);
                assert_eq!(slowest.rates.len(), every.rates.len(), "{spec} g = {friction}");
                for k in 0..every.rates.len() {
                    let (a, b) = (slowest.rates[k], every.rates[k]);
                    let (ea, eb) = (slowest.rounding[k], every.rounding[k]);
                    assert!((a - b).norm() <= ea + eb, "{spec} g = {friction} n = {n}: rate {k} {a} vs {b}");
                    assert!((0.25..=4.0).contains(&(ea / eb)), "{spec} g = {friction}: error {k} {ea:e} vs {eb:e}");
                }
            }
        }
        assert!(decided >= 8, "the slowest-only solve decided {decided} of 16 cases");
    }

    #[test]
    fn study_gap_error_covers_the_reference() {
        // The 1D double-well kinetic gap (g = 1, D_v = 0.5) from the sector studies up to n = 97
        // (BENCHMARKS), known to about 1e-12.
        let reference = 0.33858870499204;
        let potential = crate::Expression::parse("x^4/4 - x^2/2").unwrap();
        let problem = Kinetic::new(&potential, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
        for tolerance in [1e-8, 1e-10] {
            let rates = decay_rates(&problem, &KineticOptions { count: 1, tolerance, ..Default::default() }).unwrap();
            let (gap, error) = (rates.values[0].0, rates.errors[0]);
            eprintln!(
                "tolerance {tolerance:e}: gap {gap:.14} ± {error:.2e}, true error {:.2e}",
                (gap - reference).abs()
            );
            assert!(rates.study.converged && rates.method.levels[0].solver == "dense");
            assert!((gap - reference).abs() <= error + 1e-12, "{gap} ± {error:e} vs {reference}");
        }
    }

    /// The tracked values (re and re + |im| per rate) of each level of a study, and why it ended.
    fn print_levels(rates: &KineticRates) {
        for level in &rates.study.levels {
            eprintln!("n = {}: {:?} (rounding {:?})", level.sizes[0], level.values, level.rounding);
        }
        eprintln!("stopped: {}", rates.method.stopped);
    }

    #[test]
    fn a_stiff_underdamped_mode_outside_the_first_disc_is_the_slowest_rate() {
        // L = u⁴ − u² + 2v² + 0.2u²v² in u = (x+y)/√2, v = (x−y)/√2 (g = 1, D_v = 0.5): the
        // stiff v-direction's mode, re ≈ g/2 with im ≈ 1.98, is slower than the well's real rate
        // ≈ 0.5396, and lies outside the disc of the first sparse solves. Reference from an
        // independent Hermite–Galerkin dense solve in (u, v) (numpy, total degree 12 and 14:
        // 0.5008217 + 1.9803745i and 0.5008159 + 1.9803965i), known to about 3e-5.
        let reference = c64::new(0.500816, 1.980396);
        let spec = "(x+y)^4/4-(x+y)^2/2+(x-y)^2 + 0.05*(x+y)^2*(x-y)^2";
        let potential = crate::Expression::parse(spec).unwrap();
        let problem = Kinetic::new(&potential, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
        // Capped at n = 23 (15 218 functions): the next level's LU needs ~13 GB.
        let opts = KineticOptions { count: 1, tolerance: 1e-4, max_per_axis: 23, ..Default::default() };
        let rates = decay_rates(&problem, &opts).unwrap();
        let (rate, error) = (c64::new(rates.values[0].0, rates.values[0].1), rates.errors[0]);
        print_levels(&rates);
        eprintln!(
            "{rate} ± {error:e}, converged {}, true error {:e}",
            rates.study.converged,
            (rate - reference).norm()
        );
        assert!((rate - reference).norm() <= error + 3e-5, "{rate} ± {error:e} vs {reference}");
    }

    #[test]
    fn a_correlated_harmonic_keeps_its_stiff_mode_on_the_coupled_path() {
        // L = 0.06(x+y)² + (x−y)²: Hessian eigenvalues h = 0.24 along (1, 1) and 4 along (1, −1).
        // Exact rates (g ± √(g² − 4h))/2 at g = 1: 0.4 and 0.6 (soft, overdamped), 0.5 ± i√15/2
        // (stiff): the two slowest are 0.4 and 0.5 + 1.936i, the second outside the disc that
        // 2·count + 8 eigenvalues around the shift cover (0.6, 0.8, 1.0, 1.2, … are nearer).
        let exact = [c64::new(0.4, 0.0), c64::new(0.5, 15f64.sqrt() / 2.0)];
        let potential = crate::Expression::parse("0.06*(x+y)^2 + (x-y)^2").unwrap();
        let problem = Kinetic::new(&potential, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
        let opts =
            KineticOptions { count: 2, tolerance: 1e-6, principal_axes: false, max_per_axis: 23, ..Default::default() };
        let rates = decay_rates(&problem, &opts).unwrap();
        print_levels(&rates);
        assert!(rates.method.rotation.is_none() && rates.method.separable.is_none());
        assert!(rates.method.levels.iter().any(|l| l.solver == "sparse"), "{:?}", rates.method.levels);
        for (k, truth) in exact.iter().enumerate() {
            let (rate, error) = (c64::new(rates.values[k].0, rates.values[k].1), rates.errors[k]);
            eprintln!("rate {k}: {rate} ± {error:e}, true error {:e}", (rate - truth).norm());
            assert!((rate - truth).norm() <= error, "rate {k}: {rate} ± {error:e} vs {truth}");
        }
        // Located, not merely covered by an unresolved bar: the stiff mode's changes decay (the
        // soft rate converges slowly in these axes, so the study need not converge at 1e-6).
        assert!(rates.study.estimated[2] && rates.study.estimated[3], "{:?}", rates.study.estimated);
    }

    #[test]
    fn survey_candidates_keep_slow_oscillating_rates() {
        // Eigenvalues μ = −λ: kernel 0, rates 0.3, 0.4 ± 2i, 0.5 ± 0.1i, 2.0. The margin keeps
        // re ≤ 0.45: 0.3 and 0.4 + 2i (one per pair), whatever the im.
        let eigs: Vec<c64> = [(0.0, 0.0), (0.3, 0.0), (0.4, 2.0), (0.4, -2.0), (0.5, 0.1), (0.5, -0.1), (2.0, 0.0)]
            .iter()
            .map(|&(re, im)| -c64::new(re, im))
            .collect();
        let candidates = survey_candidates(&[&eigs]).unwrap();
        assert_eq!(candidates, vec![c64::new(0.3, 0.0), c64::new(0.4, 2.0)]);
    }

    #[test]
    fn complex_slowest_rates_take_every_eigenvector() {
        // A weakly damped double well: slow oscillating rates among the first.
        let (mats, reflections) = level("x^4/4 - x^2/2", 0.3, 20);
        assert!(slowest_dense(&mats, &reflections, 3, false).unwrap().is_none());
        let potential = crate::Expression::parse("x^4/4 - x^2/2").unwrap();
        let problem = Kinetic::new(&potential, KineticParams::new(0.3, 0.5).unwrap()).unwrap();
        let axes = default_axes(&problem).unwrap();
        let basis = basis_of_size(&problem, &axes, 20, IndexSet::TotalDegree).unwrap();
        let level = dense_level(&problem, &sectors(&problem, &basis), 3, false).unwrap();
        let every = every_eigenvector(&mats, 3);
        assert!(level.rates.iter().any(|l| l.im > 0.0), "{:?}", level.rates);
        assert_eq!((level.rates, level.rounding, level.kernel), (every.rates, every.rounding, every.kernel));
    }
}

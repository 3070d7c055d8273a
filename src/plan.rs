//! The planner of the overdamped eigen-solves, in the manner of RustFFT's recipes: from the
//! problem (potential, number of rates, tolerance) it decides, as plain data, the basis (Hermite
//! functions), the index set, the first and largest sizes per axis, the rule that grows each axis
//! from one level to the next, the parity sectors, and the solver of each block. The plan is
//! inspectable and tested without solving; [`OverdampedPlan::describe`] is the `method` string an
//! answer reports.
//!
//! Parity sectors: when L(s∘x) = L(x) for a sign vector s ∈ {±1}^d, the reflection
//! u(x) ↦ u(s∘x) commutes with H. A Hermite function centred at 0 on the flipped axes is an
//! eigenfunction of it, φ_α(s∘x) = Π_{j: s_j = −1} (−1)^{α_j} φ_α(x), so H is block diagonal
//! with one block per character of the group of such s: each block is solved on its own.

use crate::basis::IndexSet;
use crate::polynomial::Poly;
use crate::potential::Potential;
use crate::resolution::{changes_with_noise, value_sequence, Level, MAX_RATIO, RATIO_WINDOW};
use serde::Serialize;

/// Which eigen-solver path to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SolverPath {
    /// Dense QR + SVD of the factor B (any potential).
    Dense,
    /// Exact banded matrix + shift-invert Krylov–Schur (polynomial potentials).
    Sparse,
    /// Dense up to [`sparse_above`] functions, sparse beyond when the potential is a polynomial.
    Auto,
}

/// The solver chosen for one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Solver {
    /// QR of the factor B (H = BᵀB), then the SVD of R.
    Dense,
    /// Exact banded H, sparse Cholesky of H − σI, Krylov–Schur on (H − σI)⁻¹.
    SparseShiftInvert,
}

/// Block size from which `Auto` switches to the banded path (exact H; dense eigen-solve of H up
/// to [`crate::eigen::SMALL_SPARSE`] functions, shift-invert Krylov–Schur beyond), by dimension.
/// In d = 1 the dense factor path keeps the relative accuracy of very small rates (rounding
/// ~ ε‖H‖^{1/2}λ^{1/2} instead of ε‖H‖) and is cheap; in d ≥ 2 the factor's quadrature grid
/// (d·Π_j(n_j + deg L + 1) rows, shared by every parity sector) makes the dense path 3–300× slower
/// at every size (BENCHMARKS.md), and the banded path's residual bound reports its rounding.
pub fn sparse_above(dim: usize) -> usize {
    if dim == 1 {
        1500
    } else {
        0
    }
}

/// Number of functions of an index set with n functions on each of d axes.
pub fn index_count(n: usize, dim: usize, kind: IndexSet) -> usize {
    match kind {
        IndexSet::FullTensor => n.pow(dim as u32),
        // #{α ∈ N^d : Σα_j < n} = C(n + d − 1, d) (the basis may hold a few more: its test is in
        // floating point).
        IndexSet::TotalDegree => (0..dim).fold(1usize, |acc, j| acc * (n + j) / (j + 1)),
    }
}

/// Default index set: total degree in d ≥ 2 (anisotropic: Σ α_j/n_j < 1), the full set in d = 1.
pub fn default_index_set(dim: usize) -> IndexSet {
    if dim == 1 {
        IndexSet::FullTensor
    } else {
        IndexSet::TotalDegree
    }
}

/// Largest tail ratio of an axis counted as resolved, relative to the square root of the
/// tolerance: an eigenvector whose coefficients on the last two degrees of an axis hold a
/// fraction t of its norm leaves an eigenvalue error of order t²·‖H‖ on the truncated modes, so
/// an axis with t² ≤ 1e-4 · tolerance needs no more than the +2 of [`OverdampedPlan::next_sizes`].
pub const RESOLVED_TAIL_SQUARED: f64 = 1e-4;

/// First size of an exact axis ([`crate::scaling::Axes::exact`]): its one-dimensional
/// eigenfunctions are the basis functions, so count + 2 functions hold every mode of it among the
/// `count` + 1 lowest. While another axis is not exact it keeps that size
/// ([`OverdampedPlan::next_sizes`]): with L = L_j(x_j) + rest and the exact Hermite functions
/// ψ_b of axis j, H = H_rest ⊗ I + I ⊗ diag(2a·b), so the Galerkin matrix is block diagonal in
/// the degree b of axis j on any index set, block b holding the eigenvalues 2a·b + those of
/// H_rest on the functions of the other axes that go with b. A mode 2a·b + μ among the
/// `count` + 1 lowest has b ≤ `count` (the `count` + 1 states of b = 0 … `count` with H_rest in
/// its ground state lie below any b > `count`), so every such block is present, and its
/// truncation error is that of H_rest, which the growth of the other axes shows in the
/// level-to-level changes. The degrees of axis j themselves carry no truncation error.
pub fn exact_axis_start(count: usize) -> usize {
    count + 2
}

/// The predicted error a jump aims at, relative to the tolerance: the level after the jump then
/// changes by about this fraction of the tolerance and confirms it.
pub const JUMP_MARGIN: f64 = 0.1;

/// Most regular steps taken at once by [`predicted_steps`].
pub const MAX_JUMP: usize = 4;

/// Number of regular steps from the last level to the level predicted to be accurate to
/// [`JUMP_MARGIN`]·tolerance, from the decay of the last two level-to-level changes c₁, c₂ of every
/// value: with ratio ρ = c₂/c₁ < [`crate::resolution::MAX_RATIO`] per step, the last level's error
/// is about ρ·c₂ and j steps further ρ^(j+1)·c₂. 1 (a regular step) when a value's changes are not
/// above their rounding noise or do not decay geometrically; at most [`MAX_JUMP`]. The prediction
/// only chooses sizes: the study's error is still estimated from the levels by the driver.
pub fn predicted_steps(levels: &[Level], tolerance: f64) -> usize {
    let Some(last) = levels.last() else { return 1 };
    let mut steps = 1;
    for i in 0..last.values.len() {
        let seq = value_sequence(levels, i);
        let changes = changes_with_noise(&seq);
        let [.., (c1, n1), (c2, n2)] = changes[..] else { return 1 };
        if c2 <= n2 {
            continue;
        }
        let rho = c2 / c1;
        if c1 <= n1 || rho.is_nan() || rho >= MAX_RATIO || rho <= 0.0 {
            return 1;
        }
        let target = JUMP_MARGIN * tolerance * last.values[i].abs();
        if target.is_nan() || target <= 0.0 {
            return 1;
        }
        let j = ((target / c2).ln() / rho.ln()).ceil() - 1.0;
        steps = steps.max(j.clamp(1.0, MAX_JUMP as f64) as usize);
    }
    steps
}

/// First size per axis of a `dim`-dimensional plan on its default index set
/// ([`default_index_set`]): 32, 16, 10 in d = 1, 2, 3, raised until the basis holds 2·(`count` + 1)
/// functions.
pub fn first_size(dim: usize, count: usize) -> usize {
    let mut start = match dim {
        1 => 32,
        2 => 16,
        _ => 10,
    };
    while index_count(start, dim, default_index_set(dim)) < 2 * (count + 1) {
        start += 1;
    }
    start
}

/// The plan of an overdamped decay-rate computation, as data.
#[derive(Debug, Clone, Serialize)]
pub struct OverdampedPlan {
    /// Dimension d.
    pub dim: usize,
    /// Index set.
    pub index_set: IndexSet,
    /// Sizes per axis of the first level.
    pub start: Vec<usize>,
    /// Per axis: an exact axis ([`crate::scaling::Axes::exact`]), held at its first size while
    /// another axis is not exact (see [`exact_axis_start`] for why that is exact).
    pub exact: Vec<bool>,
    /// Largest size per axis.
    pub cap: Vec<usize>,
    /// Growth factor of an unresolved axis from one level to the next.
    pub growth: f64,
    /// Generators of the sign flips that leave L unchanged (true = flipped axis).
    pub symmetries: Vec<Vec<bool>>,
    /// Whether the potential is a polynomial (exact banded H available).
    pub polynomial: bool,
    /// Solver policy.
    pub path: SolverPath,
    /// Number of rates wanted.
    pub count: usize,
    /// Relative tolerance.
    pub tolerance: f64,
}

impl OverdampedPlan {
    /// The plan for `count` rates of (potential, tolerance) with solver policy `path`;
    /// `max_per_axis` (0: the default) caps every axis.
    pub fn new(potential: &dyn Potential, count: usize, tolerance: f64, path: SolverPath, max_per_axis: usize) -> Self {
        let dim = potential.dim();
        let index_set = default_index_set(dim);
        let start = first_size(dim, count);
        let cap = if max_per_axis > 0 {
            max_per_axis
        } else {
            match dim {
                1 => 1000,
                2 => 160,
                _ => 96,
            }
        };
        let (start, cap) = (start.min(cap.max(1)), cap.max(start.min(cap.max(1))));
        let poly = potential.poly();
        OverdampedPlan {
            dim,
            index_set,
            start: vec![start; dim],
            exact: vec![false; dim],
            cap: vec![cap; dim],
            growth: if dim == 1 { 1.3 } else { 1.25 },
            symmetries: poly.as_ref().map(|p| sign_symmetries(p, dim)).unwrap_or_default(),
            polynomial: poly.is_some(),
            path,
            count,
            tolerance,
        }
    }

    /// Number of parity sectors (blocks of H): 2^(number of independent symmetries).
    pub fn sectors(&self) -> usize {
        1 << self.symmetries.len()
    }

    /// The sector of multi-index α: bit g is the parity of Σ_{j flipped by generator g} α_j.
    pub fn sector_of(&self, alpha: &[usize; 3]) -> usize {
        self.symmetries.iter().enumerate().fold(0, |acc, (g, flips)| {
            let odd = flips.iter().zip(alpha).filter(|(f, _)| **f).map(|(_, a)| a).sum::<usize>() % 2;
            acc | (odd << g)
        })
    }

    /// Whether axis j must be centred at 0 (it is flipped by a symmetry).
    pub fn centred_at_zero(&self, j: usize) -> bool {
        self.symmetries.iter().any(|s| s[j])
    }

    /// The solver of a block of `n` functions.
    pub fn solver_for(&self, n: usize) -> Solver {
        let sparse = match self.path {
            SolverPath::Dense => false,
            SolverPath::Sparse => true,
            SolverPath::Auto => self.polynomial && n > sparse_above(self.dim),
        };
        if sparse {
            Solver::SparseShiftInvert
        } else {
            Solver::Dense
        }
    }

    /// Whether axis j keeps its size from level to level: an exact axis while another axis is
    /// not exact ([`exact_axis_start`]). When every axis is exact they all grow, so that the
    /// study still has changes to judge.
    pub fn held(&self, j: usize) -> bool {
        self.exact.get(j).copied().unwrap_or(false) && !self.exact.iter().all(|e| *e)
    }

    /// Starts the axes that are not held ([`OverdampedPlan::held`]) at the first size of a plan of
    /// their own dimension ([`first_size`]) when some axis is held. H is then block diagonal in
    /// the degrees of the held axes ([`exact_axis_start`]), each block a problem in the free axes
    /// alone (block b of a held axis of size n holding free degrees below n_free·(1 − b/n) on the
    /// total-degree set), so the free axes need the resolution of that lower-dimensional problem;
    /// the smaller first size of the full dimension only adds levels before it. Never above
    /// cap / growth^([`RATIO_WINDOW`] + 1), so at least [`RATIO_WINDOW`] + 2 regular levels fit
    /// under the cap and the stopping rule still sees the ratios it judges; never below the
    /// plan's own start.
    pub fn start_free_axes(&mut self) {
        let free: Vec<usize> = (0..self.dim).filter(|&j| !self.held(j)).collect();
        if free.len() == self.dim {
            return;
        }
        let wanted = first_size(free.len(), self.count);
        for j in free {
            let room = (self.cap[j] as f64 / self.growth.powi(RATIO_WINDOW as i32 + 1)).floor() as usize;
            self.start[j] = self.start[j].max(wanted.min(room));
        }
    }

    /// Sizes of the level after `sizes`, from the tail of each axis (the largest fraction of an
    /// eigenvector's norm on that axis's last two degrees): a held exact axis
    /// ([`OverdampedPlan::held`]) keeps its size; of the others, an unresolved axis
    /// (tail² > [`RESOLVED_TAIL_SQUARED`] · tolerance) grows by [`OverdampedPlan::growth`], a
    /// resolved one by 2 (every such axis keeps changing, so the level-to-level changes see it);
    /// with no unresolved axis, all grow by the factor. None when an axis that must grow is at its
    /// cap, or the cap would shorten its step to less than half a regular one: the changes of the
    /// other axes would then hide its error, and a short step makes the last change look small.
    pub fn next_sizes(&self, sizes: &[usize], tails: &[f64]) -> Option<Vec<usize>> {
        let unresolved =
            |j: usize| !self.held(j) && tails.get(j).is_none_or(|t| t * t > RESOLVED_TAIL_SQUARED * self.tolerance);
        let any = (0..sizes.len()).any(unresolved);
        let mut next = Vec::with_capacity(sizes.len());
        for (j, &n) in sizes.iter().enumerate() {
            if self.held(j) {
                next.push(n);
                continue;
            }
            if any && !unresolved(j) {
                next.push((n + 2).min(self.cap[j]).max(n));
                continue;
            }
            let regular = (((n as f64) * self.growth).round() as usize).max(n + 2);
            let capped = regular.min(self.cap[j]);
            if capped <= n || 2 * (capped - n) < regular - n {
                return None;
            }
            next.push(capped);
        }
        Some(next)
    }

    /// The plan in words, for the `method` field of an answer: "sparse shift-invert, total degree
    /// per axis 40×24, sectors 4".
    pub fn describe(&self, sizes: &[usize], blocks: &[usize]) -> String {
        let largest = blocks.iter().copied().max().unwrap_or(0);
        let solver = match self.solver_for(largest) {
            Solver::Dense => "dense QR+SVD",
            Solver::SparseShiftInvert if largest <= crate::eigen::SMALL_SPARSE => "banded H, dense eigen",
            Solver::SparseShiftInvert => "sparse shift-invert",
        };
        let set = match self.index_set {
            IndexSet::FullTensor => "full tensor",
            IndexSet::TotalDegree => "total degree",
        };
        let per_axis: Vec<String> = sizes.iter().map(|n| n.to_string()).collect();
        format!(
            "Hermite, {solver}, {set} per-axis {}, sectors {}, {} functions",
            per_axis.join("×"),
            self.sectors(),
            blocks.iter().sum::<usize>()
        )
    }
}

/// Independent generators of the group of sign flips s with L(s∘x) = L(x) for a polynomial L:
/// s is a symmetry iff every monomial has an even degree in the flipped variables. Returned as a
/// basis over GF(2) (the group has 2^len elements), flipped axes marked true.
pub fn sign_symmetries(p: &Poly, dim: usize) -> Vec<Vec<bool>> {
    let symmetric = |mask: usize| {
        p.terms.keys().all(|m| (0..dim).filter(|j| mask >> j & 1 == 1).map(|j| m[j]).sum::<u32>() % 2 == 0)
    };
    let mut basis: Vec<usize> = Vec::new();
    for mask in 1..(1usize << dim) {
        if symmetric(mask) && !spanned(&basis, mask) {
            basis.push(mask);
        }
    }
    basis.iter().map(|&mask| (0..dim).map(|j| mask >> j & 1 == 1).collect()).collect()
}

/// Whether `mask` is a XOR-combination of `basis`.
fn spanned(basis: &[usize], mask: usize) -> bool {
    (0..1usize << basis.len())
        .any(|pick| basis.iter().enumerate().filter(|(i, _)| pick >> i & 1 == 1).fold(0, |acc, (_, b)| acc ^ b) == mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(expr: &str, count: usize) -> OverdampedPlan {
        OverdampedPlan::new(&crate::Expression::parse(expr).unwrap(), count, 1e-10, SolverPath::Auto, 0)
    }

    #[test]
    fn sectors_follow_the_symmetries_of_l() {
        assert_eq!(plan("x^4/4 - x^2/2", 3).sectors(), 2);
        assert_eq!(plan("x^4/4 - x^2/2 + 0.1*x", 3).sectors(), 1);
        assert_eq!(plan("x^4/4 - x^2/2 + y^2", 3).sectors(), 4);
        assert_eq!(plan("x^4/4 - x^2/2 + y^2 + z^2/2", 3).sectors(), 8);
        // Only the joint flip (x, y, z) → (−x, −y, −z) survives the couplings.
        let coupled = plan("x^4/4 - x^2/2 + y^2/2 + z^2 + 0.2*(x*y + y*z)", 3);
        assert_eq!(coupled.sectors(), 2);
        assert_eq!(coupled.symmetries, vec![vec![true, true, true]]);
        // x*y is even under the joint flip of x and y only; z separately.
        assert_eq!(plan("x^2 + y^2 + x*y + z^4", 3).sectors(), 4);
    }

    #[test]
    fn sector_labels_are_parities() {
        let p = plan("x^4/4 - x^2/2 + y^2", 3);
        assert_eq!(p.sector_of(&[0, 0, 0]), 0);
        let labels: std::collections::BTreeSet<usize> =
            [[1, 0, 0], [0, 1, 0], [1, 1, 0], [2, 4, 0]].iter().map(|a| p.sector_of(a)).collect();
        assert_eq!(labels.len(), 4);
        assert!(p.centred_at_zero(0) && p.centred_at_zero(1));
    }

    #[test]
    fn unresolved_axes_grow_and_resolved_ones_creep() {
        let p = plan("x^4/4 - x^2/2 + y^2 + z^2/2", 3);
        assert_eq!(p.start, vec![10, 10, 10]);
        let next = p.next_sizes(&[40, 12, 12], &[1e-3, 1e-9, 1e-9]).unwrap();
        assert_eq!(next, vec![50, 14, 14]);
        assert_eq!(p.next_sizes(&[40, 12, 12], &[1e-9, 1e-9, 1e-9]).unwrap(), vec![50, 15, 15]);
        assert_eq!(p.next_sizes(&[96, 96, 96], &[1.0, 1.0, 1.0]), None);
        assert_eq!(p.next_sizes(&[80, 12, 12], &[1.0, 1e-9, 1e-9]).unwrap(), vec![96, 14, 14]);
        // An unresolved axis at its cap, or cut to a short step, ends the study.
        assert_eq!(p.next_sizes(&[96, 12, 12], &[1.0, 1e-9, 1e-9]), None);
        assert_eq!(p.next_sizes(&[90, 12, 12], &[1.0, 1e-9, 1e-9]), None);
        // A resolved axis at its cap stays there.
        assert_eq!(p.next_sizes(&[40, 96, 12], &[1.0, 1e-9, 1e-9]).unwrap(), vec![50, 96, 14]);
    }

    #[test]
    fn exact_axes_are_held_unless_every_axis_is_exact() {
        let mut p = plan("x^4/4 - x^2/2 + y^2 + z^2/2", 3);
        p.exact = vec![false, true, true];
        assert!(!p.held(0) && p.held(1) && p.held(2));
        // Whatever their tails, the exact axes keep their size; x grows as before.
        assert_eq!(p.next_sizes(&[40, 5, 5], &[1e-3, 1.0, 1.0]).unwrap(), vec![50, 5, 5]);
        assert_eq!(p.next_sizes(&[40, 5, 5], &[1e-9, 1e-9, 1e-9]).unwrap(), vec![50, 5, 5]);
        // x at its cap ends the study: the held axes do not stand in for it.
        assert_eq!(p.next_sizes(&[96, 5, 5], &[1.0, 0.0, 0.0]), None);
        // Every axis exact: all grow, as without exact axes.
        p.exact = vec![true; 3];
        assert!(!p.held(1));
        assert_eq!(p.next_sizes(&[5, 5, 5], &[1e-9, 1e-9, 1e-9]).unwrap(), vec![7, 7, 7]);
    }

    #[test]
    fn free_axes_start_at_the_first_size_of_their_own_dimension() {
        let mut p = plan("x^4/4 - x^2/2 + y^2 + z^2/2", 3);
        p.start = vec![10, 5, 5];
        p.exact = vec![false, true, true];
        p.start_free_axes();
        assert_eq!(p.start, vec![32, 5, 5]);
        // One held axis: the two free ones start as a 2D plan.
        let mut p = plan("x^4/4 - x^2/2 + y^4 + z^2/2", 3);
        p.start = vec![10, 10, 5];
        p.exact = vec![false, false, true];
        p.start_free_axes();
        assert_eq!(p.start, vec![16, 16, 5]);
        // Under a cap of 48, room is left for RATIO_WINDOW + 2 levels: 24, 30, 38, 48.
        let mut p = OverdampedPlan::new(
            &crate::Expression::parse("x^4/4 - x^2/2 + y^2").unwrap(),
            1,
            1e-10,
            SolverPath::Auto,
            48,
        );
        p.start = vec![16, 3];
        p.exact = vec![false, true];
        p.start_free_axes();
        assert_eq!(p.start, vec![24, 3]);
        // Nothing held (none or every axis exact): the starts stay.
        p.exact = vec![true, true];
        p.start_free_axes();
        assert_eq!(p.start, vec![24, 3]);
        let mut p = plan("x^4/4 - x^2/2 + y^4", 3);
        p.start_free_axes();
        assert_eq!(p.start, vec![16, 16]);
    }

    fn levels(values: &[f64]) -> Vec<Level> {
        let level = |v: f64| Level { sizes: vec![1], basis_size: 1, values: vec![v], rounding: vec![1e-16] };
        values.iter().map(|&v| level(v)).collect()
    }

    #[test]
    fn predicted_steps_follow_the_decay_of_the_changes() {
        // Error 10^{-k} at level k (ρ = 0.1): the last level's error is 1e-3, and 1e-11 (0.1 of
        // the tolerance 1e-10) is 8 steps further: clamped to MAX_JUMP.
        assert_eq!(predicted_steps(&levels(&[1.1, 1.01, 1.001]), 1e-10), MAX_JUMP);
        // ρ = 0.1 with the error 1e-8 at the last level: 1e-11 is 3 steps further.
        assert_eq!(predicted_steps(&levels(&[1.0 + 1e-6, 1.0 + 1e-7, 1.0 + 1e-8]), 1e-10), 3);
        // Changes that do not decay geometrically, or too few levels: a regular step.
        assert_eq!(predicted_steps(&levels(&[1.1, 1.05, 1.01]), 1e-10), 1);
        assert_eq!(predicted_steps(&levels(&[1.1, 1.01]), 1e-10), 1);
        // Settled at rounding: a regular step.
        assert_eq!(predicted_steps(&levels(&[1.0, 1.0, 1.0]), 1e-10), 1);
    }

    #[test]
    fn solver_and_description() {
        let p = plan("x^4/4 - x^2/2 + y^2", 3);
        assert_eq!(p.solver_for(300), Solver::SparseShiftInvert);
        assert_eq!(plan("x^4/4 - x^2/2", 3).solver_for(300), Solver::Dense);
        assert_eq!(p.solver_for(2000), Solver::SparseShiftInvert);
        let text = p.describe(&[40, 24], &[300, 290, 295, 295]);
        assert_eq!(text, "Hermite, sparse shift-invert, total degree per-axis 40×24, sectors 4, 1180 functions");
        let small = p.describe(&[16, 16], &[36, 34, 34, 32]);
        assert_eq!(small, "Hermite, banded H, dense eigen, total degree per-axis 16×16, sectors 4, 136 functions");
        let q = OverdampedPlan::new(&crate::Expression::parse("cos(x) + x^2").unwrap(), 3, 1e-10, SolverPath::Auto, 0);
        assert!(!q.polynomial && q.sectors() == 1 && q.solver_for(5000) == Solver::Dense);
    }
}

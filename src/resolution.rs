//! Resolution studies as plan-as-data: the sequence of bases tried, the numbers each gave, and
//! the error estimate that follows from them.

use crate::error::{EngineError, Result};
use serde::Serialize;

/// Smallest relative tolerance a resolution study accepts: below it the level-to-level changes
/// are rounding noise (ε ≈ 2.2e-16 times the conditioning of the basis) and could never show it.
pub const MIN_TOLERANCE: f64 = 1e-15;
/// Largest relative tolerance a resolution study accepts: beyond it the levels compared are
/// so coarse that their differences are not in the asymptotic regime the error estimate assumes.
pub const MAX_TOLERANCE: f64 = 1e-2;

/// Refuses a relative tolerance outside (1e-15, 1e-2] ([`MIN_TOLERANCE`], [`MAX_TOLERANCE`]),
/// with one line. Every resolution study of the engine (overdamped and kinetic) calls it.
pub fn check_tolerance(tolerance: f64) -> Result<f64> {
    if tolerance.is_finite() && tolerance > MIN_TOLERANCE && tolerance <= MAX_TOLERANCE {
        Ok(tolerance)
    } else {
        Err(EngineError::InvalidParameter(format!(
            "tolerance must be in (1e-15, 1e-2], got {}",
            crate::error::short(tolerance)
        )))
    }
}

/// Largest ratio of successive level-to-level changes accepted as geometric decay. A ratio ρ
/// leaves a tail ρ/(1 − ρ) times the last change (≤ 2.3× here); changes that shrink more slowly
/// than this are not trusted to extrapolate.
pub const MAX_RATIO: f64 = 0.7;
/// Fewest levels from which an error is estimated (two changes, one ratio).
pub const MIN_LEVELS: usize = 3;
/// Ratios checked: the last `RATIO_WINDOW` ratios of successive changes must all show decay (a
/// single small ratio after a stagnation is a coincidence, not the asymptotic regime).
pub const RATIO_WINDOW: usize = 2;

/// Largest relative size of the earlier envelope of changes for which the oscillating regime of
/// [`asymptotic_error`] is recognised.
pub const OSCILLATION_SCALE: f64 = 1e-2;

/// One level of a resolution study.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// Basis functions per axis.
    pub sizes: Vec<usize>,
    /// Total basis size.
    pub basis_size: usize,
    /// The quantities computed at this level.
    pub values: Vec<f64>,
    /// Rounding-error bounds at this level.
    pub rounding: Vec<f64>,
}

/// A converged (or not) resolution study.
#[derive(Debug, Clone, Serialize)]
pub struct Study {
    /// The levels, coarse to fine.
    pub levels: Vec<Level>,
    /// Final values (finest level).
    pub values: Vec<f64>,
    /// Error of each value: in the asymptotic regime (`estimated`), the last level-to-level
    /// change widened by the geometric tail ([`tail_bound`]) plus rounding; otherwise the error is
    /// not estimated and this is the crude bound of [`unestimated_error`] (at least |value|).
    pub errors: Vec<f64>,
    /// Per value: whether its error is a level-difference estimate in the asymptotic regime
    /// (at least [`MIN_LEVELS`] levels whose changes decay geometrically or sit at rounding level).
    pub estimated: Vec<bool>,
    /// True when every value's error is estimated and meets the tolerance.
    pub converged: bool,
    /// Worst relative error `errors[i] / |values[i]|` achieved (finite; 1 or more when unestimated).
    pub rel_error: f64,
    /// Requested relative tolerance.
    pub tolerance: f64,
    /// Why the study stopped before converging, when it did not run out of levels (e.g. the next
    /// level would exceed the memory budget).
    pub stopped: Option<String>,
    /// Why the study ended ([`crate::study::drive`] sets it; [`assess`] alone says `Converged` or
    /// `LastLevel`).
    pub status: Status,
}

impl Study {
    /// Basis size at the finest level.
    pub fn basis_size(&self) -> usize {
        self.levels.last().map_or(0, |l| l.basis_size)
    }
    /// Refuses an unconverged study with a message naming the quantity.
    pub fn require_converged(self, what: &str) -> Result<Self> {
        if self.converged {
            Ok(self)
        } else {
            Err(EngineError::NotConverged(format!(
                "{what}: relative error {} > tolerance {} at basis size {}{}",
                crate::error::short(self.rel_error),
                crate::error::short(self.tolerance),
                self.basis_size(),
                if self.estimated.iter().all(|e| *e) { "" } else { " (the levels are not in their asymptotic regime)" }
            )))
        }
    }
}

/// The study implied by the levels so far (None with fewer than two levels). Levels may carry
/// different numbers of values: value i is judged on the trailing run of levels that have it.
pub fn assess(levels: &[Level], tol: f64, abs_floor: f64) -> Option<Study> {
    let fine = levels.last()?;
    if levels.len() < 2 {
        return None;
    }
    let mut errors = Vec::with_capacity(fine.values.len());
    let mut estimated = Vec::with_capacity(fine.values.len());
    for i in 0..fine.values.len() {
        let seq = value_sequence(levels, i);
        let (error, ok) = match asymptotic_error(&seq) {
            Some(e) => (e, true),
            None => (unestimated_error(&seq), false),
        };
        errors.push(error);
        estimated.push(ok);
    }
    let scale = |v: f64| v.abs().max(abs_floor).max(f64::MIN_POSITIVE);
    let rel_error = fine.values.iter().zip(&errors).map(|(v, e)| e / scale(*v)).fold(0.0, f64::max).min(f64::MAX);
    let converged = estimated.iter().all(|e| *e)
        && fine.values.iter().zip(&errors).all(|(v, e)| *e <= tol * v.abs().max(abs_floor));
    Some(Study {
        levels: levels.to_vec(),
        values: fine.values.clone(),
        errors,
        estimated,
        converged,
        rel_error,
        tolerance: tol,
        stopped: None,
        status: if converged { Status::Converged } else { Status::LastLevel },
    })
}

/// (value, rounding bound) of value i over the trailing run of levels that carry it, coarse to
/// fine.
pub(crate) fn value_sequence(levels: &[Level], i: usize) -> Vec<(f64, f64)> {
    let mut seq: Vec<(f64, f64)> = levels
        .iter()
        .rev()
        .take_while(|l| l.values.len() > i && l.rounding.len() > i)
        .map(|l| (l.values[i], l.rounding[i]))
        .collect();
    seq.reverse();
    seq
}

/// Level-to-level changes of `seq` with the rounding noise of each pair of levels.
pub(crate) fn changes_with_noise(seq: &[(f64, f64)]) -> Vec<(f64, f64)> {
    seq.windows(2)
        .map(|w| {
            let change = (w[1].0 - w[0].0).abs();
            let noise = 2.0 * (w[0].1 + w[1].1) + 32.0 * f64::EPSILON * w[0].0.abs().max(w[1].0.abs());
            (change, noise)
        })
        .collect()
}

/// True when the last two changes of `seq` are within the rounding noise of their levels.
pub(crate) fn settled_at_rounding(seq: &[(f64, f64)]) -> bool {
    let changes = changes_with_noise(seq);
    changes.len() >= 2 && changes[changes.len() - 2..].iter().all(|(c, noise)| c <= noise)
}

/// The error of the finest value of `seq` (value, rounding bound; coarse to fine) when the
/// sequence is in its asymptotic regime, else None. Two regimes are recognised:
///
/// * geometric: at least [`MIN_LEVELS`] values and, over the last [`RATIO_WINDOW`] pairs of
///   successive changes, each change at most [`MAX_RATIO`] times the one before or within the
///   rounding noise of its two levels. Error: the last change widened by the geometric tail at
///   the largest ratio seen (c·ρ/(1 − ρ), never less than c).
/// * oscillating: at least five values, changes already below [`OSCILLATION_SCALE`] of the value,
///   and the envelope E_k = max(c_k, c_{k−1}) of the changes shrinking over two levels by at most
///   [`MAX_RATIO`]² (the same rate per level). Error: the
///   envelope widened by its tail (two changes per step: 2E·ρ/(1 − ρ), never less than E). Root-
///   exponentially converging studies (non-analytic potentials) alternate larger and smaller
///   changes and are judged by this rule; a single small change after a stagnation is not.
///
/// The finest rounding bound is added in both.
pub fn asymptotic_error(seq: &[(f64, f64)]) -> Option<f64> {
    if seq.len() < MIN_LEVELS {
        return None;
    }
    let changes = changes_with_noise(seq);
    let fine_rounding = seq.last()?.1;
    // Geometric regime.
    let first = changes.len().saturating_sub(RATIO_WINDOW + 1);
    let mut rho: f64 = 0.0;
    let mut geometric = true;
    for w in changes[first..].windows(2) {
        let ((before, _), (last, noise)) = (w[0], w[1]);
        if last <= noise {
            continue;
        }
        let decays = last <= MAX_RATIO * before; // false for NaN
        if !decays {
            geometric = false;
            break;
        }
        rho = rho.max(last / before);
    }
    let (last, _) = *changes.last()?;
    if geometric {
        return Some(tail_bound(last, rho) + fine_rounding);
    }
    // Oscillating regime: the envelope of the last two changes against the two before them.
    let k = changes.len();
    if k >= 4 {
        let envelope = changes[k - 1].0.max(changes[k - 2].0);
        let before = changes[k - 3].0.max(changes[k - 4].0);
        let bound = MAX_RATIO * MAX_RATIO;
        // Only once the changes are small against the value: O(1) changes of a coarse basis can
        // shrink by chance between two pairs of levels (cos(5x) + x²/10 at 159 … 207 functions).
        let resolved = before <= OSCILLATION_SCALE * seq.last()?.0.abs();
        if resolved && envelope <= bound * before {
            let rho2 = envelope / before;
            return Some(envelope * (2.0 * rho2 / (1.0 - rho2)).max(1.0) + fine_rounding);
        }
    }
    None
}

/// Error of a value whose levels are not in their asymptotic regime (too few levels, or changes
/// that do not decay): not an estimate but a crude bound, the larger of |value| (a decay rate is
/// ≥ 0 and a Rayleigh–Ritz value bounds it from above, so the truth lies in [0, 2·value]) and the
/// spread of the last three levels around the finest, plus the finest rounding bound. Its
/// relative size is at least 1, so such a study never passes as converged.
pub fn unestimated_error(seq: &[(f64, f64)]) -> f64 {
    let Some(&(fine, rounding)) = seq.last() else {
        return f64::MAX;
    };
    let spread = seq.iter().rev().take(3).map(|(v, _)| (v - fine).abs()).fold(0.0, f64::max);
    (fine.abs().max(spread) + rounding).min(f64::MAX)
}

/// Remaining error after the last level-to-level change `last` for geometric convergence with
/// ratio `rho` < 1: last·ρ/(1 − ρ), and never less than the last change itself.
pub fn tail_bound(last: f64, rho: f64) -> f64 {
    let rho = rho.clamp(0.0, MAX_RATIO);
    last * (rho / (1.0 - rho)).max(1.0)
}

/// Geometric size schedule: `start`, ×`factor`, up to `max` per axis. A last step shortened by
/// the cap to less than half a regular step replaces the level before it instead (…, 119, 160
/// rather than …, 119, 149, 160): a short last step makes the last change look small and the
/// study look converged.
pub fn schedule(start: &[usize], factor: f64, max: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![start.iter().zip(max).map(|(&n, &m)| n.min(m)).collect::<Vec<usize>>()];
    loop {
        let last = out.last().expect("non-empty").clone();
        let regular: Vec<usize> = last.iter().map(|&n| (((n as f64) * factor).round() as usize).max(n + 2)).collect();
        let next: Vec<usize> = regular.iter().zip(max).map(|(&r, &m)| r.min(m)).collect();
        if next == last {
            return out;
        }
        let short = last.iter().zip(&regular).zip(&next).any(|((&n, &r), &x)| x < r && 2 * (x - n.min(x)) < r - n);
        if short && out.len() >= 2 {
            out.pop();
        }
        out.push(next);
    }
}

/// Why a study ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Status {
    /// Every value's error is estimated and meets the tolerance.
    Converged,
    /// The next level would exceed the memory or time budget: the levels so far decide, with the
    /// accuracy they achieved.
    BudgetReached(String),
    /// The values have settled at their rounding floor, which is above the tolerance: finer
    /// levels would not help.
    RoundingFloor(String),
    /// The computation offered no finer level (its largest size was reached).
    LastLevel,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(values: &[f64]) -> Level {
        Level {
            sizes: vec![values.len()],
            basis_size: values.len(),
            values: values.to_vec(),
            rounding: vec![0.0; values.len()],
        }
    }

    #[test]
    fn levels_of_different_lengths_do_not_panic() {
        let levels = vec![level(&[1.0, 2.0]), level(&[1.0, 2.0, 3.0]), level(&[1.0, 2.0, 3.1, 4.0])];
        let study = assess(&levels, 1e-3, 0.0).unwrap();
        assert_eq!(study.values.len(), 4);
        assert_eq!(study.errors.len(), 4);
        assert!(!study.converged);
        assert!(!study.estimated[2] && !study.estimated[3]);
        assert!(study.errors[3] >= 4.0);
    }

    #[test]
    fn two_levels_never_converge() {
        let levels = vec![level(&[1.0]), level(&[1.0])];
        let study = assess(&levels, 1e-3, 0.0).unwrap();
        assert!(!study.converged && !study.estimated[0]);
    }

    #[test]
    fn stagnation_then_a_lucky_small_change_is_not_asymptotic() {
        // cos(5x) + x²/10 at D = 1: 0.12433, 0.12677, 0.12413, 0.12414 (changes 2.4e-3, 2.6e-3, 4e-6).
        let levels: Vec<Level> = [0.124328, 0.126769, 0.124134, 0.124138].iter().map(|v| level(&[*v])).collect();
        let study = assess(&levels, 1e-3, 0.0).unwrap();
        assert!(!study.converged && !study.estimated[0]);
        assert!(study.errors[0] >= 0.124138);
    }

    #[test]
    fn slow_decay_is_not_trusted() {
        // 1e8·x² with a basis 16× too wide: ratios 0.72 and 0.89.
        let levels: Vec<Level> = [3.59e9, 2.745e9, 2.134e9, 1.594e9].iter().map(|v| level(&[*v])).collect();
        let study = assess(&levels, 1e-2, 0.0).unwrap();
        assert!(!study.converged);
        assert!((study.values[0] - study.errors[0]) <= 2e8);
    }

    #[test]
    fn oscillating_root_exponential_convergence_is_estimated() {
        // A 2D logistic risk (η = 1, total degree 16 … 48): changes 1.7e-5, 1.8e-5,
        // 2.5e-6, 3.8e-6, 1.9e-6; the value at total degree 100 is 0.16356739.
        let levels: Vec<Level> = [0.16360700, 0.16358984, 0.16357156, 0.16357408, 0.16357026, 0.16356837]
            .iter()
            .map(|v| level(&[*v]))
            .collect();
        let study = assess(&levels, 1e-5, 0.0).unwrap();
        assert!(study.estimated[0], "{study:?}");
        assert!((study.values[0] - 0.16356739).abs() <= study.errors[0], "{study:?}");
        assert!(study.errors[0] < 1e-5);
        // Slow monotone decay (ratio ≈ 0.75 per level) is not an oscillation to trust.
        let levels: Vec<Level> = [3.59e9, 2.745e9, 2.134e9, 1.594e9, 1.212e9].iter().map(|v| level(&[*v])).collect();
        assert!(!assess(&levels, 1e-2, 0.0).unwrap().estimated[0]);
        // cos(5x) + x²/10 at D = 1 on 32 … 207 functions (truth 0.1241198): O(1) changes whose
        // envelope shrinks by chance.
        let levels: Vec<Level> =
            [0.000364, 0.2269, 0.2950, 0.1509, 0.1377, 0.2412, 0.2461, 0.2846].iter().map(|v| level(&[*v])).collect();
        let study = assess(&levels, 1e-2, 0.0).unwrap();
        assert!(!study.estimated[0] && (study.values[0] - 0.1241198).abs() <= study.errors[0]);
    }

    #[test]
    fn a_study_at_its_rounding_floor_stops() {
        // Values settled to rounding whose floor (1e-12 relative, growing) misses 1e-14.
        let sizes: Vec<Vec<usize>> = (1..=10).map(|n| vec![10 * n]).collect();
        let mut calls = 0;
        let solve = |s: &[usize]| {
            calls += 1;
            Ok((s[0], vec![1.0 + 1e-13 * (calls % 2) as f64], vec![1e-12 * calls as f64]))
        };
        let settings = crate::study::Settings::new(1e-14);
        let study = crate::study::drive(&mut crate::study::Schedule::new(&sizes, solve), &settings).unwrap();
        assert!(!study.converged && calls == MIN_LEVELS, "{calls} levels");
        assert!(study.stopped.as_deref().unwrap_or("").contains("rounding floor"));
    }

    #[test]
    fn rounding_noise_settles() {
        let mut levels: Vec<Level> = [1.0, 1.0 + 1e-16, 1.0 - 1e-16].iter().map(|v| level(&[*v])).collect();
        levels.iter_mut().for_each(|l| l.rounding = vec![1e-15]);
        let study = assess(&levels, 1e-12, 0.0).unwrap();
        assert!(study.converged, "{study:?}");
    }

    #[test]
    fn tolerance_range() {
        assert!(check_tolerance(1e-2).is_ok() && check_tolerance(1e-14).is_ok());
        for t in [0.5, 1e-15, 0.0, -1e-8, f64::NAN, f64::INFINITY, 1e-300] {
            let e = check_tolerance(t).unwrap_err().to_string();
            assert!(e.contains("(1e-15, 1e-2]") && !e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn schedule_has_no_short_last_step() {
        let s = schedule(&[16, 16], 1.25, &[160, 160]);
        let n: Vec<usize> = s.iter().map(|v| v[0]).collect();
        assert_eq!(*n.last().unwrap(), 160);
        let (a, b) = (n[n.len() - 2] as f64, n[n.len() - 1] as f64);
        assert!(b / a >= 1.2, "{n:?}");
        assert_eq!(schedule(&[32], 1.3, &[20]), vec![vec![20]]);
    }
}

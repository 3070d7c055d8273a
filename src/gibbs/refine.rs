//! The refinement study of a log-integral ln I as a [`Refinable`] on the one study driver
//! ([`crate::study::drive`]): level k is a quadrature rule with every panel halved k times, and
//! the study stops when two successive levels agree.
//!
//! Its stopping rule is its own ([`Refinable::assess`]), not [`crate::resolution::assess`]: the
//! rules converge spectrally and reach the rounding of the log-integrand within a few levels, so
//! a third level to show geometric decay would only add the cost of the finest, most expensive
//! level (every level doubles the nodes per axis). Two levels that agree to `tol + rounding`
//! bound the error by the last change, as for any spectrally convergent rule once resolved.

use crate::error::{EngineError, Result};
use crate::quantity::Quantity;
use crate::resolution::{Level, Study};
use crate::study::{drive, Refinable, Settings, Solved, Status};

/// A positive number held as its natural logarithm, with a relative error estimate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LogQuantity {
    /// ln of the value.
    pub ln: f64,
    /// Relative error estimate of the value (= absolute error of `ln`, to first order).
    pub rel_error: f64,
}

impl LogQuantity {
    /// The value itself (may overflow to ∞ or underflow to 0 for extreme logarithms).
    pub fn value(&self) -> f64 {
        self.ln.exp()
    }
    /// The value with its absolute error.
    pub fn quantity(&self) -> Quantity {
        let v = self.value();
        Quantity::new(v, v * self.rel_error)
    }
    /// self / other, errors added.
    pub fn div(&self, other: &LogQuantity) -> LogQuantity {
        LogQuantity { ln: self.ln - other.ln, rel_error: self.rel_error + other.rel_error }
    }
}

thread_local! {
    /// Set by [`best_effort`]: the refinement studies that missed their target on this thread.
    static BEST_EFFORT: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// True in [`best_effort`] mode.
fn in_best_effort() -> bool {
    BEST_EFFORT.with(|b| b.borrow().is_some())
}

/// In [`best_effort`] mode, records a study that missed its target and returns true.
pub(crate) fn record_miss(what: &str) -> bool {
    BEST_EFFORT.with(|b| b.borrow_mut().as_mut().map(|list| list.push(what.to_string())).is_some())
}

/// Runs `work` with its refinement studies in best-effort mode: a study out of levels returns
/// its finest level with the last change (plus rounding) as its error, an honest estimate,
/// instead of [`EngineError::NotConverged`]. Returns the result and the studies that missed
/// their target (empty: every study converged).
///
/// The mode is a thread-local flag, so `work` runs alone on a one-thread pool of its own: its
/// nested parallel loops stay on that thread (every study inside sees the flag), and no task of
/// another computation can be stolen into the mode while `work` waits (it would silently return
/// best estimates as if converged). If that pool cannot be built, `work` runs on this thread.
pub fn best_effort<T: Send>(work: impl FnOnce() -> T + Send) -> (T, Vec<String>) {
    match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool.install(|| best_effort_here(work)),
        Err(_) => best_effort_here(work),
    }
}

/// [`best_effort`] on the current thread.
fn best_effort_here<T>(work: impl FnOnce() -> T) -> (T, Vec<String>) {
    struct Restore(Option<Vec<String>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            BEST_EFFORT.with(|b| *b.borrow_mut() = previous);
        }
    }
    let guard = Restore(BEST_EFFORT.with(|b| b.replace(Some(Vec::new()))));
    let out = work();
    let missed = BEST_EFFORT.with(|b| b.borrow_mut().take()).unwrap_or_default();
    drop(guard);
    (out, missed)
}

/// Runs `work`; when one of its refinement studies runs out of levels, or a level is refused
/// once the `--max-time` budget ([`crate::budget`]) has run out, runs it again in [`best_effort`]
/// mode for the best estimate (there every study takes at least two levels, however late).
/// Returns the result and the studies that missed their target (empty: converged at the first
/// attempt). Other errors pass through. (Only after a miss: in best-effort mode a study never
/// fails, so a fallback that a failure would have triggered, such as Z by wells after the single
/// polar rule, is not taken.)
pub fn run_or_best_effort<T: Send>(work: impl Fn() -> Result<T> + Sync) -> Result<(T, Vec<String>)> {
    let first = match work() {
        Ok(v) => return Ok((v, Vec::new())),
        Err(EngineError::NotConverged(why)) => why,
        Err(EngineError::TooLarge(why)) if crate::budget::out_of_time() => why,
        Err(e) => return Err(e),
    };
    let (v, mut missed) = best_effort(&work);
    // A study met again (the same rule for another ball) is named once.
    let mut seen = std::collections::HashSet::new();
    missed.retain(|m| seen.insert(m.clone()));
    Ok((v?, if missed.is_empty() { vec![first] } else { missed }))
}

/// `ln_sum(level)` for levels 0, 1, …, `levels − 1`.
struct LogRefinement<'a, F> {
    what: &'a str,
    levels: usize,
    min_level: usize,
    tol: f64,
    rounding: f64,
    ln_sum: F,
}

/// |ln I_k − ln I_{k−1}| of the last two levels.
fn last_change(levels: &[Level]) -> Option<f64> {
    match levels {
        [.., a, b] => Some((b.values[0] - a.values[0]).abs()),
        _ => None,
    }
}

impl<F: Fn(usize) -> (f64, f64)> LogRefinement<'_, F> {
    /// Two successive levels agree to `tol + rounding`, from `min_level` on.
    fn agree(&self, levels: &[Level]) -> bool {
        let level = levels.len().saturating_sub(1);
        last_change(levels).is_some_and(|c| c < self.tol + self.rounding) && level >= self.min_level
    }
}

impl<F: Fn(usize) -> (f64, f64)> Refinable for LogRefinement<'_, F> {
    fn first(&mut self) -> Vec<usize> {
        vec![0]
    }
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        (levels.len() < self.levels).then(|| vec![levels.len()])
    }
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let (ln, sum_rounding) = (self.ln_sum)(sizes[0]);
        if !ln.is_finite() {
            return Err(EngineError::Numerical(format!("{} gave a non-finite sum", self.what)));
        }
        Ok(Solved { basis_size: sizes[0], values: vec![ln], rounding: vec![self.rounding + sum_rounding] })
    }
    /// Converged when two successive levels agree ([`LogRefinement::agree`]); the error is the
    /// last change plus the rounding of the log-integrand plus the computed rounding bound of
    /// the finest level's sum ([`super::rules::log_sum_exp_bounded`]). The error of ln I is the
    /// relative error of I, so `rel_error` is that error.
    fn assess(&self, levels: &[Level], _settings: &Settings) -> Option<Study> {
        let change = last_change(levels)?;
        let converged = self.agree(levels);
        let error = change + levels.last()?.rounding[0];
        Some(Study {
            levels: levels.to_vec(),
            values: levels.last()?.values.clone(),
            errors: vec![error],
            estimated: vec![converged],
            converged,
            rel_error: error,
            tolerance: self.tol,
            stopped: None,
            status: if converged { Status::Converged } else { Status::LastLevel },
        })
    }
    /// The rounding is already in the stopping rule (`tol + rounding`): no separate floor.
    fn at_rounding_floor(&self, _levels: &[Level], _settings: &Settings) -> bool {
        false
    }
}

/// The refinement study of a log-integral: `ln_sum(level)` (ln of the level's sum and a bound on
/// its rounding) for levels 0, 1, … until two
/// successive levels agree to `tol` (from `min_level` on), or to `tol` + `rounding`, the
/// rounding of the log-integrand at its peak, below which refinement only reshuffles noise. Out
/// of levels, [`EngineError::NotConverged`] says by how much the last level changed ln I, except
/// in [`best_effort`] mode, where the finest level is returned with the last change plus the
/// rounding as its error and the miss is recorded. The error is the last change plus the
/// rounding. The loop, the budgets and the stopping order are [`drive`]'s. Returns the estimate
/// and the level it accepted.
pub fn refine_log_integral_at(
    what: &str,
    levels: usize,
    min_level: usize,
    tol: f64,
    rounding: f64,
    ln_sum: impl Fn(usize) -> (f64, f64),
) -> Result<(LogQuantity, usize)> {
    let mut study = LogRefinement { what, levels, min_level, tol, rounding, ln_sum };
    // A best-effort rerun may start after the --max-time deadline: it still takes two levels.
    let untimed_levels = if in_best_effort() { 2 } else { 0 };
    let settings = Settings { hint: format!("{what}: a looser tolerance"), untimed_levels, ..Settings::new(tol) };
    let missed = |change: f64| format!("{what}: last refinement changed ln I by {change:.1e}");
    let estimate = match drive(&mut study, &settings) {
        Ok(estimate) => estimate,
        Err(EngineError::NotConverged(_)) => return Err(EngineError::NotConverged(missed(f64::INFINITY))),
        Err(e) => return Err(e),
    };
    let (fine, change) = match (estimate.levels.last(), last_change(&estimate.levels)) {
        (Some(fine), Some(change)) => (fine, change),
        _ => return Err(EngineError::NotConverged(missed(f64::INFINITY))),
    };
    let q = LogQuantity { ln: fine.values[0], rel_error: estimate.errors[0] };
    // Out of levels the tolerance was missed, however small the last change: not converged (the
    // driver's meaning), with the achieved change in the message; in best-effort mode the finest
    // level with that change as its error, and the miss recorded.
    if estimate.converged || record_miss(&missed(change)) {
        return Ok((q, fine.sizes[0]));
    }
    Err(EngineError::NotConverged(missed(change)))
}

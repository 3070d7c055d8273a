//! One resolution-study driver for every refinable computation, in the manner of argmin's
//! `Executor`: the computation ([`Refinable`]) says what one level is (its plan, its predicted
//! cost, its numbers) and which level comes next; the driver ([`drive`]) owns the loop, the
//! stopping rule ([`crate::resolution::assess`]: level-to-level changes in their asymptotic
//! regime), the rounding floor, and the budgets (memory through [`crate::budget::check_memory`],
//! time through [`Settings::time_budget`]). It returns one [`Estimate`]: the values, their errors,
//! the levels tried with their numbers, and a [`Status`] saying why the study ended.

use crate::error::{short, EngineError, Result};
use crate::resolution::{assess, Level};
use std::time::Instant;

/// The outcome of a study: values, errors, levels and [`Status`] (the resolution study of
/// [`crate::resolution`]).
pub type Estimate = crate::resolution::Study;

pub use crate::resolution::Status;

/// What one level returned: its basis size, its values and a rounding bound for each.
#[derive(Debug, Clone)]
pub struct Solved {
    /// Number of unknowns at this level.
    pub basis_size: usize,
    /// The quantities computed.
    pub values: Vec<f64>,
    /// Rounding-error bound of each quantity.
    pub rounding: Vec<f64>,
}

/// The predicted cost of a level, before anything of its size is allocated.
#[derive(Debug, Clone)]
pub struct Cost {
    /// The level in words ("a 3-D total-degree basis of 4 000 functions (sparse solver)").
    pub what: String,
    /// Predicted peak bytes.
    pub bytes: f64,
    /// Predicted seconds.
    pub seconds: f64,
}

/// A refinable computation: one level at a time, with the choice of the next level its own.
pub trait Refinable {
    /// Sizes per axis of the first level.
    fn first(&mut self) -> Vec<usize>;
    /// Sizes of the level after `levels` (coarse to fine, the last one just solved), or None when
    /// no finer level exists.
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>>;
    /// The predicted cost of a level (None: not predicted; the level checks itself).
    fn cost(&self, _sizes: &[usize]) -> Option<Cost> {
        None
    }
    /// Solves one level.
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved>;
    /// The estimate the levels so far support (None with fewer than two levels). The default is
    /// [`crate::resolution::assess`]; a computation whose levels need a stricter test of their
    /// asymptotic regime supplies its own (the driver still owns the loop and the budgets).
    fn assess(&self, levels: &[Level], settings: &Settings) -> Option<Estimate> {
        assess(levels, settings.tolerance, settings.abs_floor)
    }
    /// Whether every value that misses the tolerance has settled at a rounding floor above it
    /// (finer levels would not help). The default: at least [`crate::resolution::MIN_LEVELS`]
    /// levels, and each such value's last two changes within their rounding noise.
    fn at_rounding_floor(&self, levels: &[Level], settings: &Settings) -> bool {
        rounding_floor(levels, settings)
    }
}

/// Settings of [`drive`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// Relative tolerance of every value.
    pub tolerance: f64,
    /// Values below this magnitude are judged by absolute error `tolerance · abs_floor`.
    pub abs_floor: f64,
    /// Seconds the whole study may take: a level predicted ([`Refinable::cost`]) to end beyond
    /// it is not started, and no level starts once it has passed.
    pub time_budget: f64,
    /// What the user can change when a level does not fit.
    pub hint: String,
    /// The first this many levels are never refused for time (by either budget): 2 when a best
    /// estimate is wanted however late the study starts (a study needs two levels for an error).
    pub untimed_levels: usize,
}

/// Default [`Settings::time_budget`]: ten minutes for a whole study.
pub const TIME_BUDGET_SECONDS: f64 = 600.0;

impl Settings {
    /// Relative `tolerance`, no absolute floor, the default time budget.
    pub fn new(tolerance: f64) -> Self {
        Settings {
            tolerance,
            abs_floor: 0.0,
            time_budget: TIME_BUDGET_SECONDS,
            hint: "use a looser --tolerance or a smaller --count".into(),
            untimed_levels: 0,
        }
    }
}

/// Runs the study: levels from [`Refinable::first`] then [`Refinable::next`] until the values
/// converge ([`assess`]), settle at a rounding floor above the tolerance, the computation offers
/// no finer level, or the next level exceeds the memory or time budget. A level refused for size
/// (`EngineError::TooLarge`, predicted or from the solve) ends the study when two levels exist —
/// the levels so far decide — and is refused otherwise (one level carries no error estimate).
/// Time is judged on each level's predicted seconds ([`Refinable::cost`], else the growth of the
/// levels solved so far), except for the first [`Settings::untimed_levels`].
pub fn drive(computation: &mut impl Refinable, settings: &Settings) -> Result<Estimate> {
    let started = Instant::now();
    let mut levels: Vec<Level> = Vec::new();
    let mut sizes = Some(computation.first());
    let mut status = Status::LastLevel;
    let mut solve_seconds: Vec<f64> = Vec::new();
    while let Some(s) = sizes {
        let level_started = Instant::now();
        let solved =
            check_budget(computation, &s, settings, started, &solve_seconds).and_then(|()| computation.solve(&s));
        let solved = match solved {
            Ok(solved) => solved,
            Err(EngineError::TooLarge(why)) if levels.len() >= 2 => {
                status = Status::BudgetReached(why);
                break;
            }
            Err(e) => return Err(e),
        };
        check_level(&solved)?;
        solve_seconds.push(level_started.elapsed().as_secs_f64());
        levels.push(Level {
            sizes: s,
            basis_size: solved.basis_size,
            values: solved.values,
            rounding: solved.rounding,
        });
        if let Some(stop) = stopping(computation, &levels, settings) {
            status = stop;
            break;
        }
        sizes = computation.next(&levels);
    }
    let mut estimate = computation
        .assess(&levels, settings)
        .ok_or_else(|| EngineError::NotConverged("resolution study needs two levels".into()))?;
    estimate.stopped = match &status {
        Status::BudgetReached(why) | Status::RoundingFloor(why) => Some(why.clone()),
        _ => None,
    };
    estimate.status = if estimate.converged { Status::Converged } else { status };
    Ok(estimate)
}

/// Refuses a level whose predicted memory exceeds the budget, or which would end after the time
/// budget (`EngineError::TooLarge`, before anything of its size is allocated); the first
/// [`Settings::untimed_levels`] levels are not refused for time. A level whose cost
/// [`Refinable::cost`] does not predict is predicted from the levels before it
/// ([`extrapolated_seconds`]).
fn check_budget(
    computation: &impl Refinable,
    sizes: &[usize],
    settings: &Settings,
    started: Instant,
    solve_seconds: &[f64],
) -> Result<()> {
    let elapsed = started.elapsed().as_secs_f64();
    let cost = computation.cost(sizes);
    if let Some(cost) = &cost {
        crate::budget::check_memory(&cost.what, cost.bytes, &settings.hint)?;
    }
    let what = cost.as_ref().map_or("the next level", |c| c.what.as_str());
    let seconds = cost.as_ref().map_or_else(|| extrapolated_seconds(solve_seconds), |c| c.seconds);
    if solve_seconds.len() < settings.untimed_levels {
        return Ok(());
    }
    study_time_left(elapsed, seconds, what, settings)?;
    process_time_left(seconds, what, settings)
}

/// The seconds of a level not predicted by its computation: the last level's time times its
/// growth over the level before (at least 1), or 0 before two levels were timed. The level before
/// counts as at least [`TIMING_FLOOR`] seconds: below it the wall-clock time of a level is
/// scheduling noise, and one descheduled millisecond-level solve (a loaded machine) would
/// otherwise square into a prediction of minutes and end a study for time that needs seconds.
fn extrapolated_seconds(solve_seconds: &[f64]) -> f64 {
    match solve_seconds {
        [.., before, last] => last * (last / before.max(TIMING_FLOOR)).max(1.0),
        [.., last] => *last,
        [] => 0.0,
    }
}

/// Shortest level time taken as a measurement of growth in `extrapolated_seconds` (a few
/// scheduler time slices).
pub const TIMING_FLOOR: f64 = 0.05;

/// The study's own budget ([`Settings::time_budget`]): `seconds` more after `elapsed`.
fn study_time_left(elapsed: f64, seconds: f64, what: &str, settings: &Settings) -> Result<()> {
    if elapsed + seconds > settings.time_budget {
        return Err(EngineError::TooLarge(format!(
            "{what} would end after the study's time budget of {} s ({})",
            short(settings.time_budget),
            settings.hint
        )));
    }
    Ok(())
}

/// The process-wide budget of [`crate::budget::set_time_budget`] (`--max-time`).
fn process_time_left(seconds: f64, what: &str, settings: &Settings) -> Result<()> {
    match crate::budget::time_left() {
        Some(left) if seconds >= left => Err(EngineError::TooLarge(format!(
            "{what} would end after the --max-time budget ({} s left; {})",
            short(left),
            settings.hint
        ))),
        _ => Ok(()),
    }
}

/// A level's numbers must be finite and come with one rounding bound each.
fn check_level(solved: &Solved) -> Result<()> {
    let finite = solved.values.iter().chain(&solved.rounding).all(|v| v.is_finite());
    if solved.values.len() == solved.rounding.len() && finite {
        return Ok(());
    }
    Err(EngineError::Numerical(format!(
        "a resolution level of basis size {} gave non-finite values or mismatched rounding bounds",
        solved.basis_size
    )))
}

/// Whether the study stops after `levels`: converged, or at its rounding floor
/// ([`Refinable::at_rounding_floor`]; larger bases only raise the floor: ‖H‖ grows with the basis).
fn stopping(computation: &impl Refinable, levels: &[Level], settings: &Settings) -> Option<Status> {
    let study = computation.assess(levels, settings)?;
    if study.converged {
        return Some(Status::Converged);
    }
    computation.at_rounding_floor(levels, settings).then(|| {
        Status::RoundingFloor(format!(
            "the rounding floor ({} relative) is above the tolerance: larger bases would not help",
            short(study.rel_error)
        ))
    })
}

/// The default [`Refinable::at_rounding_floor`]: at least [`crate::resolution::MIN_LEVELS`]
/// levels, and every value that misses the tolerance has its last two changes within rounding.
pub fn rounding_floor(levels: &[Level], settings: &Settings) -> bool {
    let Some(study) = assess(levels, settings.tolerance, settings.abs_floor) else {
        return false;
    };
    let tol = settings.tolerance;
    let floor = (0..study.values.len()).all(|i| {
        study.errors[i] <= tol * study.values[i].abs().max(settings.abs_floor)
            || crate::resolution::settled_at_rounding(&crate::resolution::value_sequence(levels, i))
    });
    floor && levels.len() >= crate::resolution::MIN_LEVELS
}

/// A fixed list of levels as a [`Refinable`]: `solve` maps sizes to (basis size, values,
/// rounding bounds).
pub struct Schedule<F> {
    sizes: Vec<Vec<usize>>,
    solve: F,
}

impl<F> Schedule<F>
where
    F: FnMut(&[usize]) -> Result<(usize, Vec<f64>, Vec<f64>)>,
{
    /// The levels `sizes`, coarse to fine (at least one), each solved by `solve`.
    pub fn new(sizes: &[Vec<usize>], solve: F) -> Self {
        Schedule { sizes: sizes.to_vec(), solve }
    }
}

impl<F> Refinable for Schedule<F>
where
    F: FnMut(&[usize]) -> Result<(usize, Vec<f64>, Vec<f64>)>,
{
    fn first(&mut self) -> Vec<usize> {
        self.sizes.first().cloned().unwrap_or_default()
    }
    fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
        self.sizes.get(levels.len()).cloned()
    }
    fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
        let (basis_size, values, rounding) = (self.solve)(sizes)?;
        Ok(Solved { basis_size, values, rounding })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x_n = 1 + ρⁿ at level n: converges at the level where the tail bound meets the tolerance.
    struct Geometric {
        rho: f64,
        last: usize,
    }

    impl Refinable for Geometric {
        fn first(&mut self) -> Vec<usize> {
            vec![1]
        }
        fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
            let n = levels.last()?.sizes[0] + 1;
            (n <= self.last).then(|| vec![n])
        }
        fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
            Ok(Solved { basis_size: sizes[0], values: vec![1.0 + self.rho.powi(sizes[0] as i32)], rounding: vec![0.0] })
        }
    }

    #[test]
    fn converges_and_the_error_covers_the_truth() {
        let estimate = drive(&mut Geometric { rho: 0.1, last: 40 }, &Settings::new(1e-8)).unwrap();
        assert_eq!(estimate.status, Status::Converged);
        assert!((estimate.values[0] - 1.0).abs() <= estimate.errors[0]);
        assert!(estimate.errors[0] <= 1e-8);
    }

    #[test]
    fn running_out_of_levels_is_reported() {
        let estimate = drive(&mut Geometric { rho: 0.5, last: 6 }, &Settings::new(1e-8)).unwrap();
        assert_eq!(estimate.status, Status::LastLevel);
        assert!(!estimate.converged && (estimate.values[0] - 1.0).abs() <= estimate.errors[0]);
    }

    #[test]
    fn a_time_budget_ends_the_study_with_the_levels_so_far() {
        struct Slow(Geometric);
        impl Refinable for Slow {
            fn first(&mut self) -> Vec<usize> {
                self.0.first()
            }
            fn next(&mut self, levels: &[Level]) -> Option<Vec<usize>> {
                self.0.next(levels)
            }
            fn cost(&self, sizes: &[usize]) -> Option<Cost> {
                Some(Cost { what: format!("level {}", sizes[0]), bytes: 1.0, seconds: 10.0 * sizes[0] as f64 })
            }
            fn solve(&mut self, sizes: &[usize]) -> Result<Solved> {
                self.0.solve(sizes)
            }
        }
        let settings = Settings { time_budget: 25.0, ..Settings::new(1e-12) };
        let estimate = drive(&mut Slow(Geometric { rho: 0.5, last: 40 }), &settings).unwrap();
        assert!(matches!(estimate.status, Status::BudgetReached(_)), "{:?}", estimate.status);
        assert_eq!(estimate.levels.len(), 2);
        let settings = Settings { time_budget: 5.0, ..Settings::new(1e-12) };
        assert!(matches!(drive(&mut Slow(Geometric { rho: 0.5, last: 40 }), &settings), Err(EngineError::TooLarge(_))));
        // Untimed first levels: a best estimate with an error however small the budget.
        let settings = Settings { time_budget: 0.0, untimed_levels: 2, ..Settings::new(1e-12) };
        let estimate = drive(&mut Slow(Geometric { rho: 0.5, last: 40 }), &settings).unwrap();
        assert!(matches!(estimate.status, Status::BudgetReached(_)), "{:?}", estimate.status);
        assert_eq!(estimate.levels.len(), 2);
        assert!((estimate.values[0] - 1.0).abs() <= estimate.errors[0]);
    }

    #[test]
    fn an_unpredicted_level_takes_the_growth_of_the_last_two() {
        assert_eq!(extrapolated_seconds(&[]), 0.0);
        assert_eq!(extrapolated_seconds(&[3.0]), 3.0);
        assert_eq!(extrapolated_seconds(&[1.0, 4.0]), 16.0);
        // Shrinking levels are not extrapolated below the last one's time.
        assert_eq!(extrapolated_seconds(&[4.0, 1.0]), 1.0);
        // A level faster than the timing floor is not a measurement of growth: a 0.1 ms level
        // followed by one descheduled for 0.35 s predicts 2.45 s, not 1 225 s.
        assert_eq!(extrapolated_seconds(&[0.0, 2.0]), 2.0 * (2.0 / TIMING_FLOOR));
        assert!((extrapolated_seconds(&[1e-4, 0.35]) - 0.35 * 0.35 / TIMING_FLOOR).abs() < 1e-12);
        assert_eq!(extrapolated_seconds(&[1e-4, 1e-3]), 1e-3);
    }
}

//! The resource budget: how much memory one computation may plan to use, and until when it may
//! run. A solver predicts the bytes a basis or grid needs *before* allocating it and refuses with
//! [`EngineError::TooLarge`] when the prediction exceeds the budget, saying how large the problem
//! would be and what to change. A refinement study asks [`out_of_time`] before each new level and,
//! past the deadline, stops with its best estimate and honest error, marked not converged.

use crate::error::{short, EngineError, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The deadline of the current computation, if a time budget was set.
static DEADLINE: Mutex<Option<Instant>> = Mutex::new(None);

/// Sets a time budget for the whole process: computations started from now should end within
/// `seconds` (e.g. from a `--max-time` flag). `None` removes the budget.
pub fn set_time_budget(seconds: Option<f64>) {
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs_f64(s.clamp(0.0, 1e9)));
    *DEADLINE.lock().unwrap_or_else(|e| e.into_inner()) = deadline;
}

/// Seconds left of the time budget set by [`set_time_budget`] (0 once it has run out), or
/// `None` when no budget is set.
pub fn time_left() -> Option<f64> {
    seconds_left(*DEADLINE.lock().unwrap_or_else(|e| e.into_inner()), Instant::now())
}

fn seconds_left(deadline: Option<Instant>, now: Instant) -> Option<f64> {
    deadline.map(|d| d.saturating_duration_since(now).as_secs_f64())
}

/// True once the time budget set by [`set_time_budget`] has run out (never when none is set).
pub fn out_of_time() -> bool {
    time_left() == Some(0.0)
}

/// 0 means "not set": the default (half the machine's memory) applies.
static MEMORY_BUDGET: AtomicU64 = AtomicU64::new(0);

/// Fallback when the machine's memory cannot be read.
const FALLBACK_BYTES: u64 = 8 << 30;

/// Sets the memory budget in bytes for the whole process (e.g. from a `--max-memory` flag).
pub fn set_memory_budget(bytes: u64) {
    MEMORY_BUDGET.store(bytes.max(1), Ordering::Relaxed);
}

/// The memory budget in bytes: the value set by [`set_memory_budget`], else half of the
/// machine's total memory (`/proc/meminfo`), else 8 GiB.
pub fn memory_budget() -> u64 {
    match MEMORY_BUDGET.load(Ordering::Relaxed) {
        0 => machine_memory().map_or(FALLBACK_BYTES, |m| m / 2),
        b => b,
    }
}

/// MemTotal of `/proc/meminfo`, read once per process (it does not change; studies ask at every
/// level and sector).
fn machine_memory() -> Option<u64> {
    static TOTAL: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *TOTAL.get_or_init(read_machine_memory)
}

fn read_machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Refuses a planned allocation of `bytes` (a prediction, made before allocating) for `what`
/// when it exceeds the budget; `hint` says what the user can change (a looser tolerance, fewer
/// eigenvalues, ...).
pub fn check_memory(what: &str, bytes: f64, hint: &str) -> Result<()> {
    let budget = memory_budget() as f64;
    if bytes.is_finite() && bytes <= budget {
        return Ok(());
    }
    Err(EngineError::TooLarge(format!(
        "{what} would need {} of memory, over the --max-memory budget of {} ({hint})",
        bytes_text(bytes),
        bytes_text(budget)
    )))
}

/// Bytes in short human form: "5.3 GB".
pub fn bytes_text(bytes: f64) -> String {
    if !bytes.is_finite() {
        return "an unbounded amount".into();
    }
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = bytes;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < units.len() {
        v /= 1000.0;
        u += 1;
    }
    if u + 1 == units.len() && v >= 1000.0 {
        return format!("{} B", short(bytes));
    }
    format!("{v:.1} {}", units[u])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_budget_runs_out_and_can_be_removed() {
        // Other tests share the process-wide deadline: only a far one is set here.
        let now = Instant::now();
        assert!(seconds_left(Some(now), now + Duration::from_millis(1)) == Some(0.0));
        assert!(seconds_left(None, now).is_none());
        set_time_budget(Some(1e6));
        assert!(!out_of_time());
        assert!(time_left().is_some_and(|s| s > 9e5));
        set_time_budget(None);
        assert!(!out_of_time());
    }

    #[test]
    fn refuses_beyond_budget_and_names_the_size() {
        let err = check_memory("a test basis", 1e30, "use fewer functions").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("a test basis") && text.contains("fewer functions"), "{text}");
        assert!(check_memory("a small basis", 1e3, "").is_ok());
        assert!(check_memory("a NaN basis", f64::NAN, "").is_err());
    }

    #[test]
    fn bytes_are_short() {
        assert_eq!(bytes_text(5.3e9), "5.3 GB");
        assert_eq!(bytes_text(12.0), "12.0 B");
    }
}

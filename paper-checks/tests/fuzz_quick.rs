//! A quick fuzz run in `cargo test`: seeded hostile command lines, known truths and shift
//! invariance (see `paper_checks::fuzz`). No case may panic, abort, hang, print a message that is
//! not one clean line, put `null` in its JSON, or give a converged answer outside its error bar.
//! `FUZZ_CASES` and `FUZZ_SEED` change the run; `examples/fuzz_long.rs` is the long run. The
//! input stratum (`paper_checks::fuzz::input`) runs a few thousand cases in this process.

use paper_checks::fuzz::input::{input_outcome, remove_sandbox};
use paper_checks::fuzz::{run_case, Outcome};
use rayon::prelude::*;
use std::path::Path;
use std::time::Duration;

#[test]
fn hostile_and_known_inputs_end_cleanly() {
    let cases: u64 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20261201);
    let binary = Path::new(env!("CARGO_BIN_EXE_paper-checks"));
    let bad: Vec<String> = (0..cases)
        .into_par_iter()
        .filter_map(|i| {
            let (case, outcome) = run_case(binary, seed, i, Duration::from_secs(120));
            match outcome {
                Outcome::Answered | Outcome::Refused | Outcome::NotConverged => None,
                other => Some(format!("case {i}: {other:?}\n  args: {:?}", truncated(&case.args))),
            }
        })
        .collect();
    assert!(bad.is_empty(), "{} of {cases} cases failed:\n{}", bad.len(), bad.join("\n"));
}

/// The input stratum in process (≈ 1 ms a case): every command up to its plan and memory
/// prediction, valid inputs accepted, invalid `--out` paths refused, the sandbox intact.
/// `FUZZ_INPUT_CASES` changes the count. The memory budget of one byte is process-wide: the other
/// test of this file runs its cases in child processes.
#[test]
fn input_layer_cases_end_cleanly() {
    let cases: u64 = std::env::var("FUZZ_INPUT_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let seed: u64 = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20261201);
    fpspectral::budget::set_memory_budget(1);
    fpspectral::budget::set_time_budget(Some(0.0));
    let bad: Vec<String> = (0..cases)
        .filter_map(|i| {
            let (args, outcome) = input_outcome(seed, i);
            (!outcome.is_promised()).then(|| format!("case {i}: {outcome:?}\n  args: {:?}", truncated(&args)))
        })
        .collect();
    remove_sandbox();
    assert!(bad.is_empty(), "{} of {cases} input cases failed:\n{}", bad.len(), bad.join("\n"));
}

fn truncated(args: &[String]) -> Vec<String> {
    args.iter()
        .map(|a| {
            if a.len() > 80 {
                format!("{}… ({} bytes)", &a[..a.floor_char_boundary(80)], a.len())
            } else {
                a.clone()
            }
        })
        .collect()
}

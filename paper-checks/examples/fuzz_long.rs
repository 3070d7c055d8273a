//! The long fuzz run recorded in RELIABILITY.md: `cargo run --release -p paper-checks --example
//! fuzz_long -- CASES [SEED] [BINARY]` runs cases 0..CASES of the seeded generators of
//! `paper_checks::fuzz` against the built binary (default `target/release/paper-checks`), on every
//! core, and prints the counts per outcome as JSON, with every failing case replayable by its
//! index. Exit code 1 when any case panicked, aborted, hung, gave a wrong answer or bad output.

use paper_checks::fuzz::{run_case, Outcome};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: u64 = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(20261201);
    let binary = PathBuf::from(args.get(3).cloned().unwrap_or_else(|| "target/release/paper-checks".into()));
    let done = AtomicU64::new(0);
    let counts: Mutex<BTreeMap<&'static str, u64>> = Mutex::new(BTreeMap::new());
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let start = Instant::now();
    (0..cases).into_par_iter().for_each(|i| {
        let (case, outcome) = run_case(&binary, seed, i, Duration::from_secs(120));
        let kind = match &outcome {
            Outcome::Answered => "answered",
            Outcome::Refused => "refused",
            Outcome::NotConverged => "not_converged",
            Outcome::WrongAnswer(_) => "wrong_answer",
            Outcome::BadMessage(_) => "bad_message",
            Outcome::BadJson(_) => "bad_json",
            Outcome::Panic(text) if text.starts_with("hang") => "hang",
            Outcome::Panic(text) if text.contains("overflowed its stack") || text.starts_with("exit code -1") => {
                "abort"
            }
            Outcome::Panic(_) => "panic",
        };
        *counts.lock().expect("counts").entry(kind).or_default() += 1;
        if !matches!(outcome, Outcome::Answered | Outcome::Refused | Outcome::NotConverged) {
            let first: Vec<String> = case.args.iter().map(|a| a.chars().take(80).collect()).collect();
            failures.lock().expect("failures").push(format!("case {i}: {outcome:?} args {first:?}"));
        }
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(1000) {
            eprintln!("{n}/{cases} cases, {:.0} s", start.elapsed().as_secs_f64());
        }
    });
    let counts = counts.into_inner().expect("counts");
    let failures = failures.into_inner().expect("failures");
    let report = serde_json::json!({
        "cases": cases, "seed": seed, "seconds": start.elapsed().as_secs_f64(),
        "counts": counts, "failures": failures,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

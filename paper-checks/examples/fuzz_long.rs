//! The long fuzz run recorded in RELIABILITY.md:
//! `cargo build --release -p paper-checks --examples && target/release/examples/fuzz_long CASES [SEED]
//! [LIMIT_SECONDS] [CASE_SECONDS] [FIRST]` runs cases FIRST..FIRST+CASES (default 0..CASES), each under a
//! `--max-time` of CASE_SECONDS (default half the limit; a short one gives the cheap stratum) of the seeded generators of
//! `paper_checks::fuzz`, inside
//! worker processes (`paper-checks fuzz-worker`, one per core) that run many cases each. A worker
//! that passes the time limit on a case is killed and the case counted as a hang; a worker that
//! dies is counted as an abort; both are restarted. Prints the counts per outcome as JSON, with
//! every failing case replayable by its index (`paper_checks::fuzz::case(SEED, INDEX)`). Exit code 1
//! when any case panicked, aborted, hung, gave a wrong answer or bad output.

use paper_checks::fuzz::{run_pool, Pace};
use std::time::{Duration, Instant};

/// The q-quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: u64 = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(20261201);
    let limit = Duration::from_secs(args.get(3).and_then(|v| v.parse().ok()).unwrap_or(120));
    let case_seconds: f64 = args.get(4).and_then(|v| v.parse().ok()).unwrap_or(limit.as_secs_f64() / 2.0);
    let first: u64 = args.get(5).and_then(|v| v.parse().ok()).unwrap_or(0);
    let binary = std::env::current_exe().expect("own path").with_file_name("../paper-checks");
    let slots = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let start = Instant::now();
    let mut tally = run_pool(&binary, seed, first..first + cases, Pace { limit, case_seconds }, slots);
    tally.milliseconds.sort_by(f64::total_cmp);
    let ms = &tally.milliseconds;
    let report = serde_json::json!({
        "cases": cases, "first": first, "seed": seed, "workers": slots, "limit_seconds": limit.as_secs(),
        "case_seconds": case_seconds,
        "seconds": start.elapsed().as_secs_f64(),
        "case_ms": {"median": quantile(ms, 0.5), "p99": quantile(ms, 0.99), "max": quantile(ms, 1.0)},
        "counts": tally.counts, "failures": tally.failures,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
    if !tally.failures.is_empty() {
        std::process::exit(1);
    }
}

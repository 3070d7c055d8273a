//! The long fuzz run recorded in RELIABILITY.md:
//! `cargo build --release -p paper-checks --examples && target/release/examples/fuzz_long CASES [SEED]
//! [LIMIT_SECONDS] [CASE_SECONDS] [FIRST] [STRATUM] [WORKERS]` runs cases FIRST..FIRST+CASES (default
//! 0..CASES) of STRATUM (`all`, the default; `truths`; `input`, see `paper_checks::fuzz::input`), each under
//! a `--max-time` of CASE_SECONDS (default half the limit) of the seeded generators of
//! `paper_checks::fuzz`, inside
//! worker processes (`paper-checks fuzz-worker`, WORKERS of them, default one per core) that run many cases each. A worker
//! that passes the time limit on a case is killed and the case counted as a hang; a worker that
//! dies is counted as an abort; both are restarted. Prints the counts per outcome as JSON, with
//! every failing case replayable by its index (`paper_checks::fuzz::case(SEED, INDEX)`). Exit code 1
//! when any case panicked, aborted, hung, gave a wrong answer or bad output.

use paper_checks::fuzz::{run_pool, Pace, Stratum};
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
    let stratum = args.get(6).map_or(Some(Stratum::All), |s| Stratum::parse(s)).unwrap_or_else(|| {
        eprintln!("fuzz_long: STRATUM is all, truths or input");
        std::process::exit(2);
    });
    let binary = std::env::current_exe().expect("own path").with_file_name("../paper-checks");
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let slots = args.get(7).and_then(|v| v.parse().ok()).unwrap_or(cores);
    let start = Instant::now();
    let pace = Pace { limit, case_seconds, stratum };
    let mut tally = run_pool(&binary, seed, first..first + cases, pace, slots);
    tally.milliseconds.sort_by(f64::total_cmp);
    let ms = &tally.milliseconds;
    let report = serde_json::json!({
        "cases": cases, "first": first, "seed": seed, "stratum": stratum.name(), "workers": slots, "limit_seconds": limit.as_secs(),
        "case_seconds": case_seconds,
        "seconds": start.elapsed().as_secs_f64(),
        "case_ms": {"median": quantile(ms, 0.5), "p99": quantile(ms, 0.99), "max": quantile(ms, 1.0)},
        "case_ms_mean": ms.iter().sum::<f64>() / ms.len().max(1) as f64,
        "slowest": tally.slowest.iter().map(|(ms, i)| format!("case {i}: {ms:.0} ms")).collect::<Vec<_>>(),
        "counts": tally.counts, "failures_total": tally.failures.len(),
        "failures": tally.failures.iter().take(200).collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
    if !tally.failures.is_empty() {
        std::process::exit(1);
    }
}

//! A worker of the long fuzz run (`examples/fuzz_long.rs`): reads `SEED INDEX` lines on stdin,
//! runs each case inside this process (no process start per case) and answers with one JSON line
//! `{"index", "kind", "detail", "ms"}`. A hang or an abort is seen by the parent, which kills and
//! restarts the worker; a panic is caught here and reported as `panic`.

use paper_checks::fuzz::run_case_in_process;
use std::io::{BufRead, Write};
use std::time::Instant;

/// The memory budget of one worker: two workers run at once on a 24 GiB machine.
const WORKER_MEMORY_BYTES: u64 = 4_000_000_000;

fn main() {
    fpspectral::budget::set_memory_budget(WORKER_MEMORY_BYTES);
    std::panic::set_hook(Box::new(|_| {})); // panics are caught and reported as data
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut fields = line.split_whitespace().map(str::parse::<u64>);
        let (Some(Ok(seed)), Some(Ok(index))) = (fields.next(), fields.next()) else { continue };
        let start = Instant::now();
        let (_, outcome) = run_case_in_process(seed, index);
        let detail = if outcome.is_promised() { String::new() } else { format!("{outcome:?}") };
        let answer = serde_json::json!({
            "index": index, "kind": outcome.kind(), "detail": detail,
            "ms": start.elapsed().as_secs_f64() * 1e3,
        });
        let mut out = stdout.lock();
        if writeln!(out, "{answer}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
}

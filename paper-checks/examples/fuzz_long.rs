//! The long fuzz run recorded in RELIABILITY.md:
//! `cargo build --release -p paper-checks --examples && target/release/examples/fuzz_long CASES [SEED]
//! [LIMIT_SECONDS]` runs cases 0..CASES of the seeded generators of `paper_checks::fuzz`, inside
//! worker processes (`examples/fuzz_worker.rs`, one per core) that run many cases each. A worker
//! that passes the time limit on a case is killed and the case counted as a hang; a worker that
//! dies is counted as an abort; both are restarted. Prints the counts per outcome as JSON, with
//! every failing case replayable by its index (`paper_checks::fuzz::case(SEED, INDEX)`). Exit code 1
//! when any case panicked, aborted, hung, gave a wrong answer or bad output.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A running worker: its process, its input, and the lines it answers.
struct Worker {
    child: Child,
    input: ChildStdin,
    answers: Receiver<String>,
}

impl Worker {
    fn start(binary: &Path) -> Worker {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} (build it with --examples)", binary.display()));
        let input = child.stdin.take().expect("piped stdin");
        let output = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (send, answers) = channel();
        std::thread::spawn(move || {
            for line in output.lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Worker { child, input, answers }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tally of a run.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, u64>,
    failures: Vec<String>,
    milliseconds: Vec<f64>,
}

impl Tally {
    fn record(&mut self, index: u64, kind: &str, detail: &str, ms: f64) {
        *self.counts.entry(kind.to_string()).or_default() += 1;
        self.milliseconds.push(ms);
        if !matches!(kind, "answered" | "refused" | "not_converged") {
            self.failures.push(format!("case {index}: {kind} {}", detail.chars().take(300).collect::<String>()));
        }
    }
}

/// Feeds cases to one worker slot until none are left, restarting the worker after a hang or death.
fn drive(binary: &Path, seed: u64, cases: u64, limit: Duration, next: &AtomicU64, tally: &Mutex<Tally>) {
    let mut worker = Worker::start(binary);
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= cases {
            break;
        }
        let start = Instant::now();
        if writeln!(worker.input, "{seed} {index}").and_then(|()| worker.input.flush()).is_err() {
            worker.stop();
            worker = Worker::start(binary);
            let _ = writeln!(worker.input, "{seed} {index}").and_then(|()| worker.input.flush());
        }
        let (kind, detail) = match worker.answers.recv_timeout(limit) {
            Ok(line) => {
                let answer: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                let kind = answer["kind"].as_str().unwrap_or("bad_worker_output").to_string();
                (kind, answer["detail"].as_str().unwrap_or_default().to_string())
            }
            Err(RecvTimeoutError::Timeout) => {
                worker.stop();
                worker = Worker::start(binary);
                ("hang".to_string(), format!("no answer within {} s", limit.as_secs()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = worker.child.wait().map(|s| s.to_string()).unwrap_or_default();
                worker = Worker::start(binary);
                ("abort".to_string(), format!("worker died: {status}"))
            }
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let mut tally = tally.lock().expect("tally");
        tally.record(index, &kind, &detail, ms);
        let done = tally.milliseconds.len() as u64;
        if done.is_multiple_of(10_000) {
            eprintln!("{done}/{cases} cases");
        }
    }
    worker.stop();
}

/// The q-quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cases: u64 = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(20261201);
    let limit = Duration::from_secs(args.get(3).and_then(|v| v.parse().ok()).unwrap_or(120));
    let binary: PathBuf = std::env::current_exe().expect("own path").with_file_name("fuzz_worker");
    let slots = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let next = AtomicU64::new(0);
    let tally = Mutex::new(Tally::default());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..slots {
            scope.spawn(|| drive(&binary, seed, cases, limit, &next, &tally));
        }
    });
    let mut tally = tally.into_inner().expect("tally");
    tally.milliseconds.sort_by(f64::total_cmp);
    let ms = &tally.milliseconds;
    let report = serde_json::json!({
        "cases": cases, "seed": seed, "workers": slots, "limit_seconds": limit.as_secs(),
        "seconds": start.elapsed().as_secs_f64(),
        "case_ms": {"median": quantile(ms, 0.5), "p99": quantile(ms, 0.99), "max": quantile(ms, 1.0)},
        "counts": tally.counts, "failures": tally.failures,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
    if !tally.failures.is_empty() {
        std::process::exit(1);
    }
}

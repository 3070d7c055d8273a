//! Chain-steps per second of the SGD simulator against a numpy implementation vectorised over
//! chains doing the same work (benches/sgd_numpy.py), in one run, with the ratio printed.
//!
//! Workload: d = 1, L = w⁴/4 − w²/2 (+ c_n w), N = 1024 shifts, M = 64 with replacement,
//! γ = 0.1, β = 128; 4096 chains; SGD and momentum SGD (ξ = 0.9). Python: `SGD_PEER_PYTHON`
//! (default `python3`) must import numpy.
//!
//!     cargo bench --bench sgd_throughput

use fpspectral::sgd::chain::{simulate, Algorithm, ChainState, Method, Problem};
use fpspectral::sgd::observe::Snapshots;
use fpspectral::sgd::{RiskGradient, SampleShifts, Sampling};
use fpspectral::Expression;
use std::process::Command;
use std::time::Instant;

const CHAINS: usize = 4096;
const STEPS: usize = 2000;
const PEER_STEPS: usize = 300;
const BATCH: usize = 64;

/// CPU seconds (user + system, all threads) of this process so far, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12)) / 100.0
}

/// (chain-steps per wall second, chain-steps per CPU second).
fn ours(momentum: f64) -> (f64, f64) {
    let p = Expression::parse("x^4/4 - x^2/2").unwrap();
    let g = RiskGradient::new(&p);
    let shifts = SampleShifts::new(1024, 1, 128.0, 1).unwrap();
    let method = if momentum > 0.0 { Method::Momentum { momentum } } else { Method::Sgd };
    let alg = Algorithm { lr: 0.1, batch: BATCH, sampling: Sampling::WithReplacement, method };
    let problem = Problem { gradient: &g, shifts: &shifts, algorithm: alg };
    let start = |_c: usize, _r: &mut rand_xoshiro::Xoshiro256PlusPlus| ChainState { w: [-1.0, 0.0, 0.0], z: [0.0; 3] };
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    for _ in 0..3 {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let recs = simulate(&problem, &start, CHAINS, STEPS, 1, &Snapshots { at: vec![STEPS] }, None).unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_seconds() - c0);
        assert_eq!(recs.len(), CHAINS);
    }
    let work = (CHAINS * STEPS) as f64;
    (work / best, work / best_cpu)
}

/// numpy's (chain-steps per wall second, per CPU second).
fn peer(momentum: f64) -> Option<(f64, f64)> {
    let python = std::env::var("SGD_PEER_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .args(["benches/sgd_numpy.py", "--chains", &CHAINS.to_string(), "--steps", &PEER_STEPS.to_string()])
        .args(["--batch", &BATCH.to_string(), "--momentum", &momentum.to_string()])
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("numpy peer failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((v["chain_steps_per_second"].as_f64()?, v["chain_steps_per_cpu_second"].as_f64()?))
}

fn main() {
    println!("threads: {}", rayon::current_num_threads());
    for (name, xi) in [("SGD", 0.0), ("momentum SGD (ξ = 0.9)", 0.9)] {
        let (rust, rust_cpu) = ours(xi);
        match peer(xi) {
            Some((py, py_cpu)) => println!(
                "{name}: fpspectral {rust:.3e} chain-steps/s wall ({rust_cpu:.3e} per CPU-s), numpy {py:.3e} wall \
                 ({py_cpu:.3e} per CPU-s); ratio {:.1}× wall, {:.1}× per CPU-s, {:.1}× on 2 cores (our per-CPU-s \
                 rate × 2 against numpy's single-threaded rate)",
                rust / py,
                rust_cpu / py_cpu,
                2.0 * rust_cpu / py_cpu
            ),
            None => println!("{name}: fpspectral {rust:.3e} chain-steps/s (numpy peer unavailable)"),
        }
    }
}

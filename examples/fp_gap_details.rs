//! What the automatic pipeline behind `paper-checks eval fp-gap` chose, as JSON: centre, scale,
//! index set, final basis size, the resolution-study levels (sizes per axis, basis size,
//! values), and the in-process wall-clock of `decay_rates` (minimum over repeats).
//!
//! ```sh
//! cargo run --release --example fp_gap_details -- 'x^4/4 - x^2/2' 0.1 3 1e-10 5
//! ```
//! Arguments: potential, diffusion D, count, tolerance, repeats (default 3 1e-10 1).

use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, RateOptions};
use fpspectral::Expression;
use serde_json::json;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: fp_gap_details POTENTIAL D [COUNT] [TOLERANCE] [REPEATS]");
        std::process::exit(2);
    }
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let pot = Expression::from_spec(&args[1]).expect("potential");
    let diffusion: f64 = args[2].parse().expect("D");
    let count: usize = arg(3, "3").parse().expect("count");
    let tolerance: f64 = arg(4, "1e-10").parse().expect("tolerance");
    let repeats: usize = arg(5, "1").parse().expect("repeats");
    let op = Overdamped::new(&pot, diffusion).expect("operator");
    let opts = RateOptions { count, tolerance, ..Default::default() };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let rates = decay_rates(&op, &opts).expect("decay rates");
        times.push(t.elapsed().as_secs_f64());
        last = Some(rates);
    }
    let r = last.expect("at least one repeat");
    times.sort_by(f64::total_cmp);
    let levels: Vec<_> = r
        .study
        .levels
        .iter()
        .map(|l| json!({"sizes": l.sizes, "basis_size": l.basis_size, "values": l.values}))
        .collect();
    let out = json!({
        "centre": r.centre,
        "scale": r.scale,
        "index_set": format!("{:?}", r.index_set),
        "basis_size": r.basis_size,
        "values": r.values,
        "errors": r.errors,
        "converged": r.study.converged,
        "levels": levels,
        "pipeline_seconds_min": times[0],
        "pipeline_seconds_all": times,
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
}

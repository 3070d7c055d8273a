//! CPU cost of the rate certificates of the default theorem1 run: each enclosure of λ1 and the
//! Sturm count inside it. `cargo run --release -p certify --example rate_cost`

use certify::spectrum::{count_below, enclose, Options};
use std::time::Instant;

fn main() {
    let wells = [[0.0, 0.0, -0.5, 0.0, 0.25], [0.0, 0.1, -0.5, 0.0, 0.25]];
    for (l, d) in [(wells[0], 1.0), (wells[0], 0.1), (wells[0], 0.05), (wells[1], 1.0), (wells[1], 0.05)] {
        let t = Instant::now();
        let e = enclose(&l, d, 1, Options::default());
        let whole = t.elapsed().as_secs_f64();
        let rho = e.as_ref().map(|e| e[0].rho).unwrap_or(f64::NAN);
        let t = Instant::now();
        let n = count_below(&l, d, rho, Options::default().steps);
        let count = t.elapsed().as_secs_f64();
        println!("{l:?} D = {d}: enclose {whole:.3} s (count {count:.3} s, {n:?}) {e:?}");
    }
}

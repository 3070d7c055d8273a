//! Cost of certification: time per enclosure of λ1..λ3 of x^4/4 − x^2/2 and the relative width of
//! λ1's enclosure against the Hermite basis size. `cargo run --release -p certify --example enclosure_cost`

use certify::spectrum::{enclose, Options};
use std::time::Instant;

fn main() {
    let l = [0.0, 0.0, -0.5, 0.0, 0.25];
    println!("| D | basis | time (3 eigenvalues) | rel. width λ1 | λ2 | λ3 |");
    println!("|---|---|---|---|---|---|");
    for d in [1.0, 0.25, 0.1] {
        for basis in [30, 40, 60, 80, 120] {
            let t = Instant::now();
            let r = enclose(&l, d, 3, Options { basis, ..Default::default() });
            let secs = t.elapsed().as_secs_f64();
            match r {
                Ok(e) => {
                    let w: Vec<String> = e.iter().map(|x| format!("{:.1e}", (x.upper - x.lower) / x.upper)).collect();
                    println!("| {d} | {basis} | {secs:.2} s | {} | {} | {} |", w[0], w[1], w[2]);
                }
                Err(why) => println!("| {d} | {basis} | {secs:.2} s | failed: {why} | | |"),
            }
        }
    }
}

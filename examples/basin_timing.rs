//! Timings of gradient-flow basin probabilities in d = 2, 3 (the eq8 settings and the
//! three-minimum potential): `cargo run --release --example basin_timing [--slow]`.
use fpspectral::quadrature::{basin_probability, log_ball_integral};
use fpspectral::Potential;
use std::time::Instant;

const EQ8_2D: &str = "(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2)";
const EQ8_3D: &str = "(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2) + z^2*(1 + 0.2*x^2)";
const THREE: &str = "(x^2+y^2)^2/4 - (x^3-3*x*y^2)/3 - 0.1*(x^2+y^2)";

fn basin(spec: &str, eta: f64, minimum: &[f64]) -> f64 {
    let p = Potential::parse(spec).unwrap();
    let t = Instant::now();
    match basin_probability(&p, eta, minimum) {
        Ok(q) => println!("basin {spec} η={eta} at {minimum:?}: P = {:.12} ± {:.1e}", q.ln.exp(), q.rel_error),
        Err(e) => println!("basin {spec} η={eta} at {minimum:?}: {e}"),
    }
    let s = t.elapsed().as_secs_f64();
    println!("    {s:.3} s");
    s
}

fn main() {
    let slow = std::env::args().any(|a| a == "--slow");
    let etas = [30.0, 100.0, 300.0, 1000.0];
    let mut total = 0.0;
    for eta in etas {
        total += basin(EQ8_2D, eta, &[-1.0, 0.0]) + basin(EQ8_2D, eta, &[1.0, 0.0]);
    }
    println!("eq8 2D basin checks (8 basins): {total:.3} s");
    let mut total = 0.0;
    for eta in etas {
        total += basin(EQ8_3D, eta, &[-1.0, 0.0, 0.0]) + basin(EQ8_3D, eta, &[1.0, 0.0, 0.0]);
    }
    println!("eq8 3D basin checks (8 basins): {total:.3} s");
    let p = Potential::parse(EQ8_3D).unwrap();
    let t = Instant::now();
    for eta in etas {
        for m in [[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]] {
            log_ball_integral(&p, eta, &m, 0.3).unwrap();
        }
    }
    println!("eq8 3D ball checks (8 balls, ε = 0.3): {:.3} s", t.elapsed().as_secs_f64());
    let r = 0.5 * (1.0 + 1.8f64.sqrt());
    basin(THREE, 100.0, &[r, 0.0]);
    if slow {
        basin(THREE, 20.0, &[r, 0.0]);
    }
}

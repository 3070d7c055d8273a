//! Timings of gradient-flow basin probabilities in d = 2, 3 (the eq8 settings and the
//! three-minimum potential): `cargo run --release --example basin_timing [--slow]`.
use fpspectral::basin::log_basin_integral;
use fpspectral::quadrature::{basin_probability, log_ball_integral, log_partition};
use fpspectral::{Expression, Potential};
use std::time::Instant;

const EQ8_2D: &str = "(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2)";
const EQ8_3D: &str = "(x^2 - 1)^2*(1 + 0.5*x + 0.5*x^2) + y^2*(1 + 0.3*x + 0.25*x^2) + z^2*(1 + 0.2*x^2)";
const THREE: &str = "(x^2+y^2)^2/4 - (x^3-3*x*y^2)/3 - 0.1*(x^2+y^2)";

fn basin(spec: &str, eta: f64, minimum: &[f64]) -> f64 {
    let p = Expression::parse(spec).unwrap();
    let t = Instant::now();
    match basin_probability(&p, eta, minimum) {
        Ok(q) => println!("basin {spec} η={eta} at {minimum:?}: P = {:.12} ± {:.1e}", q.ln.exp(), q.rel_error),
        Err(e) => println!("basin {spec} η={eta} at {minimum:?}: {e}"),
    }
    let s = t.elapsed().as_secs_f64();
    println!("    {s:.3} s");
    s
}

/// Single-thread cost of one gradient evaluation on 10⁶ points: full jet, expression tree over
/// first-order jets, and the expanded polynomial.
fn evaluation_costs() {
    let p = Expression::parse(EQ8_3D).unwrap();
    let expr = p.expr();
    let points: Vec<[f64; 3]> = (0..1_000_000)
        .map(|k| [(k as f64 * 0.37).sin() * 2.0, (k as f64 * 0.11).cos(), (k as f64 * 0.23).sin()])
        .collect();
    let time = |name: &str, f: &dyn Fn(&[f64]) -> f64| {
        let t = Instant::now();
        let s: f64 = points.iter().map(|x| f(x)).sum();
        println!("{name}: {:.1} ns per point (checksum {s:.6e})", t.elapsed().as_secs_f64() * 1e3);
    };
    time("full jet (value, gradient, Hessian)", &|x| p.jet(x).g[0]);
    time("expression over first-order jets", &|x| expr.grad(x).g[0]);
    time("Potential::gradient (expanded polynomial)", &|x| p.gradient(x).g[0]);
}

/// The two largest η extrapolated linearly in 1/η, as theorems/eq8.rs does.
fn richardson(etas: &[f64], ratios: &[fpspectral::quantity::Quantity], paper: f64) {
    let (r3, r2, e3, e2) = (ratios[3].value, ratios[2].value, etas[3], etas[2]);
    let limit = (e3 * r3 - e2 * r2) / (e3 - e2);
    println!("    Richardson in 1/η: {limit:.10} ± {:.1e} against {paper:.10}", (r3 - limit).abs() + ratios[3].error);
}

fn main() {
    evaluation_costs();
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
    let p = Expression::parse(EQ8_3D).unwrap();
    let t = Instant::now();
    let paper = (119.04f64 / 36.48).sqrt();
    let mut ratios = Vec::new();
    for eta in etas {
        let t = Instant::now();
        let [a, b] = [[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]].map(|m| log_basin_integral(&p, eta, &m).unwrap());
        let r = a.div(&b).quantity();
        println!(
            "    η = {eta}: basin1/basin2 = {:.10} ± {:.1e} (√(det H2/det H1) = {paper:.10}), both integrals (no Z) {:.3} s",
            r.value,
            r.error,
            t.elapsed().as_secs_f64()
        );
        ratios.push(r);
    }
    richardson(&etas, &ratios, paper);
    println!("eq8 3D basin integrals only (8, Z cancels in the ratio): {:.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    for eta in etas {
        log_partition(&p, eta).unwrap();
    }
    println!("eq8 3D partition functions Z (4): {:.3} s", t.elapsed().as_secs_f64());
    let p = Expression::parse(EQ8_3D).unwrap();
    let t = Instant::now();
    let mut ratios = Vec::new();
    for eta in etas {
        let [a, b] = [[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]].map(|m| log_ball_integral(&p, eta, &m, 0.3).unwrap());
        let r = a.div(&b).quantity();
        println!("    η = {eta}: ball1/ball2 = {:.10} ± {:.1e}", r.value, r.error);
        ratios.push(r);
    }
    println!("eq8 3D ball checks (8 balls, ε = 0.3): {:.3} s", t.elapsed().as_secs_f64());
    richardson(&etas, &ratios, paper);
    let r = 0.5 * (1.0 + 1.8f64.sqrt());
    basin(THREE, 100.0, &[r, 0.0]);
    if slow {
        for eta in [5.0, 10.0, 20.0] {
            basin(THREE, eta, &[r, 0.0]);
            basin(THREE, eta, &[-0.5 * r, 0.75f64.sqrt() * r]);
        }
    }
}

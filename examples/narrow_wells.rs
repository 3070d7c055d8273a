//! Timings and accuracy of Gibbs integrals for narrow wells (η up to 1e8) in d = 2, 3:
//! `cargo run --release --example narrow_wells`.
use fpspectral::quadrature::{ball_probability, log_partition};
use fpspectral::Expression;
use std::f64::consts::PI;
use std::time::Instant;

fn separable(parts: &[&str], eta: f64) {
    let vars = ["x", "y", "z"];
    let spec: Vec<String> = parts.iter().zip(vars).map(|(q, v)| q.replace('x', v)).collect();
    let spec = spec.join(" + ");
    let p = Expression::parse(&spec).unwrap();
    let exact: f64 = parts.iter().map(|q| log_partition(&Expression::parse(q).unwrap(), eta).unwrap().ln).sum();
    let t = Instant::now();
    match log_partition(&p, eta) {
        Ok(z) => println!(
            "{spec} η={eta:.0e}: ln Z − Σ ln Z_1D = {:.1e} (estimate {:.1e}) in {:.2}s",
            z.ln - exact,
            z.rel_error,
            t.elapsed().as_secs_f64()
        ),
        Err(e) => println!("{spec} η={eta:.0e}: {e}"),
    }
}

fn main() {
    let x2 = "(x^2-1)^2*(1+0.5*x+0.5*x^2)";
    let x3 = "x^2*(x^2-1.5)^2*(1+0.2*x+0.1*x^2)";
    for eta in [1.0, 1e2, 1e4, 1e6, 1e8] {
        separable(&[x2, "2*x^2"], eta);
        separable(&[x3, "(x^2-1)^2"], eta);
        separable(&[x2, "2*x^2", "0.5*x^2"], eta);
        separable(&[x3, "(x^2-1)^2", "x^2"], eta);
    }
    let cases = [("x^2 + 2*y^2", 2usize, 2.0 * 4.0), ("x^2 + 2*y^2 + 3*z^2", 3, 2.0 * 4.0 * 6.0)];
    for (spec, d, det) in cases {
        let p = Expression::parse(spec).unwrap();
        for eta in [1.0, 1e4, 1e6, 1e8] {
            let t = Instant::now();
            let z = log_partition(&p, eta);
            let exact = 0.5 * d as f64 * (2.0 * PI / eta).ln() - 0.5 * f64::ln(det);
            match z {
                Ok(z) => println!(
                    "{spec} η={eta:.0e}: ln Z err {:.1e} (estimate {:.1e}) in {:.2}s",
                    z.ln - exact,
                    z.rel_error,
                    t.elapsed().as_secs_f64()
                ),
                Err(e) => println!("{spec} η={eta:.0e}: {e}"),
            }
            let t = Instant::now();
            let c = vec![0.0; d];
            match ball_probability(&p, eta, &c, 1.0 / eta.sqrt()) {
                Ok(b) => {
                    println!("   ball P = {:.12} ± {:.1e} in {:.2}s", b.value(), b.rel_error, t.elapsed().as_secs_f64())
                }
                Err(e) => println!("   ball: {e}"),
            }
        }
    }
}

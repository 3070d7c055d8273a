//! τ(start) of the log-polar finite volumes on every m of a range (one level per line: m, ns, nt,
//! τ), for fits of the level values in h (the measurements behind `logpolar::MIN_BASE` and
//! `BASE`). `cargo run --release --example logpolar_levels -- SPEC D EPS M0 M1 [STEP [BETA ALPHA
//! ASPECT [OUTER_FACTOR]]]`, start (−1, 0), target (1, 0).
use fpspectral::annulus::outer_radius;
use fpspectral::logpolar::{gth_band_solve, logpolar_system, GridMaps, LogPolarProblem};
use fpspectral::Expression;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: f64| args.get(i).map_or(default, |s| s.parse::<f64>().unwrap());
    let spec = args.get(1).map_or("(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2", |s| s.as_str());
    let (d, radius) = (arg(2, 0.1), arg(3, 0.1));
    let (m0, m1, step) = (arg(4, 48.0) as usize, arg(5, 60.0) as usize, arg(6, 1.0) as usize);
    let maps = GridMaps { s_map: arg(7, 0.7), theta_map: arg(8, 0.7), aspect: arg(9, 1.0) as usize };
    let p = Expression::parse(spec).unwrap();
    let (start, target) = ([-1.0, 0.0], [1.0, 0.0]);
    let outer = outer_radius(&p, d, target, start).unwrap() * arg(10, 1.0);
    let prob = LogPolarProblem { target, radius, outer, start };
    for m in (m0..=m1).step_by(step) {
        let sys = logpolar_system(&p, d, &prob, m, maps).unwrap();
        let x = gth_band_solve(sys.matrix, sys.rhs);
        println!("{m} {} {} {:.17e}", sys.ns, sys.nt, x[sys.start_index]);
    }
}

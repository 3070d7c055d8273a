use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, RateOptions, SolverPath};
use fpspectral::Potential;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let p = Potential::parse(&args[1]).unwrap();
    let d: f64 = args[2].parse().unwrap();
    let path = match args.get(3).map(|s| s.as_str()) { Some("sparse") => SolverPath::Sparse, Some("dense") => SolverPath::Dense, _ => SolverPath::Auto };
    let op = Overdamped::new(&p, d).unwrap();
    let t = std::time::Instant::now();
    let r = decay_rates(&op, &RateOptions { count: 3, tolerance: 1e-11, path, ..Default::default() });
    match r {
        Ok(r) => {
            println!("{:?} err {:?} n {} centre {:?} scale {:?} {:?}", r.values, r.errors, r.basis_size, r.centre, r.scale, t.elapsed());
            for l in &r.study.levels { println!("  {:?} {} {:?}", l.sizes, l.basis_size, l.values); }
        }
        Err(e) => println!("ERR {e}"),
    }
}

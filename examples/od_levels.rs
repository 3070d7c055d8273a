//! scratch: print the levels of an fp-gap study
use fpspectral::operator::Overdamped;
use fpspectral::spectrum::{decay_rates, RateOptions};
use fpspectral::Potential;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pot = Potential::from_spec(&a[1]).unwrap();
    let d: f64 = a[2].parse().unwrap();
    let tol: f64 = a[3].parse().unwrap();
    let count: usize = a.get(4).map(|s| s.parse().unwrap()).unwrap_or(3);
    let max_per_axis: usize = a.get(5).map(|s| s.parse().unwrap()).unwrap_or(0);
    let op = Overdamped::new(&pot, d).unwrap();
    let t = std::time::Instant::now();
    match decay_rates(&op, &RateOptions { count, tolerance: tol, max_per_axis, ..Default::default() }) {
        Ok(r) => {
            println!("centre {:?} scale {:?}", r.centre, r.scale);
            for l in &r.study.levels {
                println!("{:?} n={} {:?} rnd {:?}", l.sizes, l.basis_size, l.values, l.rounding);
            }
            println!(
                "values {:?}\nerrors {:?}\nconverged {} time {:?}",
                r.values,
                r.errors,
                r.study.converged,
                t.elapsed()
            );
        }
        Err(e) => println!("err {e} after {:?}", t.elapsed()),
    }
}

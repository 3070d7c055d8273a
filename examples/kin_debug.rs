use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::Potential;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pot = Potential::parse(&a[1]).unwrap();
    let g: f64 = a[2].parse().unwrap();
    let dv: f64 = a[3].parse().unwrap();
    let tol: f64 = a[4].parse().unwrap();
    let count: usize = a[5].parse().unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(g, dv).unwrap()).unwrap();
    println!("axes {:?}", default_axes(&problem));
    let t = std::time::Instant::now();
    let r = decay_rates(&problem, &KineticOptions { count, tolerance: tol, ..Default::default() });
    match r {
        Ok(r) => {
            println!("{:?} ± {:?} N = {} conv {} in {:.3}s", r.values, r.errors, r.basis_size, r.study.converged, t.elapsed().as_secs_f64());
            for p in &r.method.levels { println!("  kernel n={} {:.3e} {}", p.n, p.kernel, p.solver); }
            for l in &r.study.levels {
                println!("  n = {:?} N = {} values {:?} rnd {:?}", l.sizes, l.basis_size, l.values, l.rounding);
            }
        }
        Err(e) => println!("err {e}"),
    }
}

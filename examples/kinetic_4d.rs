//! The 4D phase-space target: L = x^4/4 − x^2/2 + y^2/2, g = 1, D_v = 0.5, solved non-separably
//! by the automatic resolution study to 1e-8; the exact gap is the 1D double-well kinetic gap.
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;
fn main() {
    faer::set_global_parallelism(faer::Par::rayon(2));
    let pot = Expression::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let t = std::time::Instant::now();
    let r = decay_rates(&problem, &KineticOptions { count: 1, tolerance: 1e-8, ..Default::default() }).unwrap();
    let exact = 0.3385887049929836;
    println!(
        "4D: {:?} ± {:?} N = {} rel err {:.2e} in {:.3}s",
        r.values,
        r.errors,
        r.basis_size,
        (r.values[0].0 - exact).abs() / exact,
        t.elapsed().as_secs_f64()
    );
    for l in &r.study.levels {
        println!("  n = {:?} N = {} value {:.12}", l.sizes, l.basis_size, l.values[0]);
    }
}

use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::basis::IndexSet;
use fpspectral::Potential;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pot = Potential::parse(&a[1]).unwrap();
    let g: f64 = a[2].parse().unwrap();
    let dv: f64 = a[3].parse().unwrap();
    let n: usize = a[4].parse().unwrap();
    let path = if a[5] == "dense" { KineticPath::Dense } else { KineticPath::Sparse };
    let problem = Kinetic::new(&pot, KineticParams::new(g, dv).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    let basis = basis_of_size(&problem, &axes, n, IndexSet::TotalDegree).unwrap();
    let r = rates_on(&problem, &basis, 12, path, 0.2).unwrap();
    for (l, e) in r.rates.iter().zip(&r.rounding) { println!("{:.12} {:+.3e}i ± {:.2e}", l.re, l.im, e); }
}

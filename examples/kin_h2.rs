use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::{KineticBasis, WAxis};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{rates_dense};
use fpspectral::kinetic::KineticParams;
use fpspectral::Potential;
fn main() {
    let g: f64 = std::env::args().nth(1).unwrap().parse().unwrap();
    let pot = Potential::parse("x^2/2 + y^2/2").unwrap();
    let params = KineticParams::new(g, 0.7).unwrap();
    let problem = Kinetic::new(&pot, params).unwrap();
    let s_w = params.velocity_scale();
    let axes = vec![WAxis::Hermite { centre: 0.0, scale: s_w }; 2];
    let basis = KineticBasis::new(axes, params.velocity_scale(), vec![9; 2], vec![9; 2], IndexSet::TotalDegree).unwrap();
    let gm = problem.matrix(&basis).unwrap();
    let a = gm.to_dense();
    let ev = a.eigenvalues().unwrap();
    let mut v: Vec<_> = ev.iter().map(|z| -*z).filter(|z| z.re < 1.6 && z.im >= -1e-9).collect();
    v.sort_by(|a, b| a.re.total_cmp(&b.re));
    for z in &v { println!("raw {:.12} {:+.12}i", z.re, z.im); }
    let r = rates_dense(&gm, 8).unwrap();
    for (l, e) in r.rates.iter().zip(&r.rounding) { println!("{:.12} {:+.12}i ± {:.2e}", l.re, l.im, e); }
}
#[allow(dead_code)]
fn raw() {}

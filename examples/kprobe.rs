use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::{KineticBasis, WAxis};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::Potential;
fn main() {
    let pot = Potential::parse("x^4/4 - x^2/2").unwrap();
    let params = KineticParams::new(1.0, 0.5).unwrap();
    let problem = Kinetic::new(&pot, params).unwrap();
    let axes = default_axes(&problem).unwrap();
    let WAxis::Hermite { centre, scale } = axes[0] else { panic!() };
    let exact = 0.33858870499951105;
    for f in [0.5, 0.6, 0.7, 0.85, 1.0] {
        for (kind, nw, nv) in [(IndexSet::FullTensor, 40, 30), (IndexSet::FullTensor, 60, 40), (IndexSet::FullTensor, 80, 50),(IndexSet::TotalDegree, 100, 100)] {
            let b = KineticBasis::new(vec![WAxis::Hermite { centre, scale: scale * f }], params.velocity_scale(), vec![nw], vec![nv], kind).unwrap();
            let t = std::time::Instant::now();
            let r = rates_on(&problem, &b, 1, KineticPath::Sparse, 0.05).unwrap();
            println!("f={f} {kind:?} nw={nw} nv={nv} N={} err={:.2e} {:.3}s", b.len(), (r.rates[0].re - exact).abs(), t.elapsed().as_secs_f64());
        }
    }
}

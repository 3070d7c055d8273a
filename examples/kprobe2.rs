use fpspectral::basis::IndexSet;
use fpspectral::operator::Overdamped;
use fpspectral::scaling::{choose_axes, gibbs_moments};
use fpspectral::Potential;
fn main() {
    for spec in ["x^4/4 - x^2/2", "x^2/2", "x^4/4 - x^2/2 + y^2/2", "x^2/2 + 2*exp(-x^2)"] {
        let pot = Potential::parse(spec).unwrap();
        let (_, var) = gibbs_moments(&pot, 2.0).unwrap();
        let op = Overdamped::new(&pot, 0.5).unwrap();
        for probe in [12, 20] {
            let t = std::time::Instant::now();
            let (c, s) = choose_axes(&op, 2, probe, if pot.dim() == 1 { IndexSet::FullTensor } else { IndexSet::TotalDegree }).unwrap();
            println!("{spec} probe {probe}: centre {c:?} scale {s:?} gibbs {:?} {:.3}s", var.iter().map(|v| (2.0 * v).sqrt()).collect::<Vec<_>>(), t.elapsed().as_secs_f64());
        }
    }
}

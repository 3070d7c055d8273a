//! Phase timings of the 4D kinetic resolution study (axis search, ratios, assembly, LU, Krylov).
use fpspectral::kinetic::basis::KineticBasis;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::Potential;
use std::time::Instant;
fn main() {
    faer::set_global_parallelism(faer::Par::rayon(2));
    let pot = Potential::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let t = Instant::now();
    let axes = default_axes(&problem).unwrap();
    println!("axes {:?} {:.3}s", axes, t.elapsed().as_secs_f64());
    let t = Instant::now();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    println!("ratios {:?} {:.3}s", ratios, t.elapsed().as_secs_f64());
    let ns: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    for n in ns {
        let per: Vec<usize> = ratios.iter().map(|r| ((r * n as f64).round() as usize).max(4)).collect();
        let t = Instant::now();
        let basis = KineticBasis::new(
            axes.clone(),
            problem.params.velocity_scale(),
            per.clone(),
            per.clone(),
            fpspectral::basis::IndexSet::TotalDegree,
        )
        .unwrap();
        let tb = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let g = problem.matrix(&basis).unwrap();
        let ta = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let lu = shifted_lu(&g, 0.05).unwrap();
        let tl = t.elapsed().as_secs_f64();
        drop(lu);
        let t = Instant::now();
        let r = rates_sparse(&g, 1, 0.05).unwrap();
        let ts = t.elapsed().as_secs_f64();
        println!(
            "n {n} per {per:?} N {} nnz {} basis {tb:.3} assemble {ta:.3} lu {tl:.3} lu+krylov {ts:.3} gap {:.13}",
            basis.len(),
            g.compute_nnz(),
            r.rates[0].re
        );
    }
}

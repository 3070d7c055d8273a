//! Phase timings of the 4D kinetic resolution study (L = x^4/4 − x^2/2 + y^2/2, g = 1, D_v = 0.5):
//! axis-scale search, per-axis ratios, then for each size n of the largest axis given on the
//! command line the unsplit sparse LU + Krylov and the parity-sector solve of `rates_on`.
//! `kinetic_profile 16 19 23 28 34 41`.
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::KineticBasis;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;
use std::time::Instant;
fn main() {
    faer::set_global_parallelism(faer::Par::rayon(2));
    let pot = Expression::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let t = Instant::now();
    let axes = default_axes(&problem).unwrap();
    println!("axes {:?} {:.3}s", axes, t.elapsed().as_secs_f64());
    let t = Instant::now();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    println!("ratios {:?} {:.3}s", ratios, t.elapsed().as_secs_f64());
    for n in std::env::args().skip(1).map(|a| a.parse::<usize>().unwrap()) {
        let per: Vec<usize> = ratios.iter().map(|r| ((r * n as f64).round() as usize).max(4)).collect();
        let basis = KineticBasis::new(
            axes.clone(),
            problem.params.velocity_scale(),
            per.clone(),
            per.clone(),
            IndexSet::TotalDegree,
        )
        .unwrap();
        let t = Instant::now();
        let g = problem.matrix(&basis).unwrap();
        let ta = t.elapsed().as_secs_f64();
        let t = Instant::now();
        drop(shifted_lu(&g, 0.068).unwrap());
        let tl = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let whole = rates_sparse(&g, 1, 0.068).unwrap();
        let tw = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let split = rates_on(&problem, &basis, 1, KineticPath::Sparse, 0.068).unwrap();
        let tsec = t.elapsed().as_secs_f64();
        println!(
            "n {n} per {per:?} N {} nnz {} assemble {ta:.3}s | unsplit: LU {tl:.3}s LU+Krylov {tw:.3}s | sectors: {tsec:.3}s | gap {:.13} {:.13}",
            basis.len(),
            g.compute_nnz(),
            whole.rates[0].re,
            split.rates[0].re
        );
    }
}

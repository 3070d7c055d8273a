//! Krylov experiment: shift-invert Krylov–Schur cost against want / shift / parallelism.
use dyn_stack::{MemBuffer, MemStack};
use faer::matrix_free::eigen::{partial_eigen, partial_eigen_scratch, PartialEigenParams};
use faer::prelude::*;
use faer::{c64, Mat, Par};
use fpspectral::eigen::ShiftInvert;
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
    let axes = default_axes(&problem).unwrap();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[1].parse().unwrap();
    let per: Vec<usize> = ratios.iter().map(|r| ((r * n as f64).round() as usize).max(4)).collect();
    let basis = KineticBasis::new(
        axes.clone(),
        problem.params.velocity_scale(),
        per.clone(),
        per.clone(),
        fpspectral::basis::IndexSet::TotalDegree,
    )
    .unwrap();
    let g = problem.matrix(&basis).unwrap();
    let nn = g.nrows();
    for spec in &args[2..] {
        let p: Vec<f64> = spec.split(',').map(|x| x.parse().unwrap()).collect();
        let (want, shift, extra, par, tol) =
            (p[0] as usize, p[1], p[2] as usize, if p[3] > 0.0 { Par::rayon(2) } else { Par::Seq }, p[4]);
        let t = Instant::now();
        let lu = shifted_lu(&g, shift).unwrap();
        let tl = t.elapsed().as_secs_f64();
        let op = ShiftInvert::new(lu, nn);
        let params =
            PartialEigenParams { max_restarts: 2000, max_dim: (2 * want + extra).min(nn), ..Default::default() };
        let mut buf = MemBuffer::new(partial_eigen_scratch(&op, want, par, params));
        let stack = MemStack::new(&mut buf);
        let mut vecs = Mat::<c64>::zeros(nn, want);
        let mut mus = vec![c64::new(0.0, 0.0); want];
        let v0 = Col::<f64>::from_fn(nn, |i| 1.0 + ((i * 7919) % 101) as f64 / 101.0);
        let t = Instant::now();
        let info = partial_eigen(vecs.as_mut(), &mut mus, &op, v0.as_ref(), tol, par, stack, params);
        let tk = t.elapsed().as_secs_f64();
        let mut eigs: Vec<c64> = mus.iter().map(|mu| c64::new(shift, 0.0) + mu.inv()).collect();
        eigs.sort_by(|a, b| b.re.total_cmp(&a.re));
        println!(
            "{spec}: N {nn} lu {tl:.3} krylov {tk:.3} conv {} eigs {:?}",
            info.n_converged_eigen,
            &eigs[..3.min(eigs.len())]
        );
    }
}

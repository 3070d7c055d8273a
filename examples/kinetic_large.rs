//! One sparse shift-invert solve of the 4D double-well kinetic problem (L = x^4/4 − x^2/2 + y^2/2,
//! g = 1, D_v = 0.5) at a given size n of the largest axis (per-axis sizes from `axis_ratios`, as in
//! `decay_rates`), split into its reflection-parity sectors as `rates_on` does: basis size, time, the gap and its error against the exact value.
//! `KINETIC_POTENTIAL` and `KINETIC_EXACT` select another even potential and its exact gap.
//! Run under `/usr/bin/time -v` for the peak memory: `kinetic_large 41 58 82`.
//! Beyond the LU's memory (N ≳ 4 × 10⁵) see `kinetic_refine` (no fine-level factorisation).
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::KineticBasis;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::*;
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;
use std::time::Instant;
fn main() {
    faer::set_global_parallelism(faer::Par::rayon(2));
    // KINETIC_POTENTIAL / KINETIC_EXACT override the problem, e.g. the harmonic
    // "x^2/2 + y^2/2" with exact gap (g − Re√(g² − 4ω²))/2 = 0.5.
    let spec = std::env::var("KINETIC_POTENTIAL").unwrap_or_else(|_| "x^4/4 - x^2/2 + y^2/2".into());
    let pot = Expression::parse(&spec).unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let exact: f64 = std::env::var("KINETIC_EXACT").map_or(0.3385887049929836, |e| e.parse().unwrap());
    let axes = default_axes(&problem).unwrap();
    let ratios = axis_ratios(&problem, &axes).unwrap();
    for n in std::env::args().skip(1).map(|a| a.parse::<usize>().unwrap()) {
        let per: Vec<usize> = ratios.iter().map(|r| ((r * n as f64).round() as usize).max(4)).collect();
        let t = Instant::now();
        let basis = KineticBasis::new(
            axes.clone(),
            problem.params.velocity_scale(),
            per.clone(),
            per.clone(),
            IndexSet::TotalDegree,
        )
        .unwrap();
        let split: Vec<usize> = sectors(&problem, &basis).iter().map(|b| b.len()).collect();
        let ta = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let r = rates_on(&problem, &basis, 1, KineticPath::Sparse, 0.068).unwrap();
        let ts = t.elapsed().as_secs_f64();
        println!(
            "n {n} per-axis {per:?} N {} sectors {split:?} basis {ta:.2}s solve {ts:.2}s gap {:.14} ± {:.1e} rel err {:.1e}",
            basis.len(),
            r.rates[0].re,
            r.rounding[0],
            (r.rates[0].re - exact).abs() / exact
        );
    }
}

//! Where the time of an automatic overdamped gap goes: the Gibbs moments, the axis-scale search,
//! the whole `decay_rates`, and each level of its study re-solved sector by sector (in-process
//! `Instant` timings, minimum over repeats).
//!
//! ```sh
//! cargo run --release --example fp_gap_profile -- 'x^4/4 - x^2/2 + y^2' 0.25 3 1e-10 5
//! ```

use fpspectral::operator::Overdamped;
use fpspectral::plan::{OverdampedPlan, SolverPath};
use fpspectral::scaling::{choose_axes, gibbs_moments};
use fpspectral::spectrum::{decay_rates, eigenpairs, RateOptions};
use fpspectral::{basis::HermiteBasis, Expression};
use std::time::Instant;

fn best<T>(repeats: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = None;
    let mut t_best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let v = f();
        t_best = t_best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (t_best, out.expect("one repeat"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let pot = Expression::from_spec(&arg(1, "x^4/4 - x^2/2")).expect("potential");
    let diffusion: f64 = arg(2, "0.5").parse().expect("D");
    let count: usize = arg(3, "3").parse().expect("count");
    let tolerance: f64 = arg(4, "1e-10").parse().expect("tolerance");
    let repeats: usize = arg(5, "3").parse().expect("repeats");
    let op = Overdamped::new(&pot, diffusion).expect("operator");
    let plan = OverdampedPlan::new(&pot, count, tolerance, SolverPath::Auto, 0);
    let (t_moments, _) = best(repeats, || gibbs_moments(&pot, 1.0 / diffusion).expect("moments"));
    let (t_axes, (centre, scale)) =
        best(repeats, || choose_axes(&op, count, plan.start[0], plan.index_set).expect("axes"));
    let opts = RateOptions { count, tolerance, ..Default::default() };
    let (t_total, rates) = best(repeats, || decay_rates(&op, &opts).expect("rates"));
    println!(
        "moments {:.2} ms, axes {:.2} ms (scale {:?}), decay_rates {:.2} ms",
        1e3 * t_moments,
        1e3 * t_axes,
        scale,
        1e3 * t_total
    );
    println!("final scale {:?} centre {:?}", rates.scale, rates.centre);
    let _ = centre;
    let mut sum = 0.0;
    for level in &rates.study.levels {
        let basis = HermiteBasis::new(rates.centre.clone(), rates.scale.clone(), level.sizes.clone(), plan.index_set)
            .expect("basis");
        let (t, _) = best(repeats, || {
            for s in 0..plan.sectors() {
                let sector = basis.subset(|a| plan.sector_of(a) == s);
                let k = (count + 1).min(sector.len());
                eigenpairs(&op, &sector, k - 1, SolverPath::Auto, -1e-3).expect("level");
            }
        });
        sum += t;
        println!("level {:?} N={} {:.2} ms values {:?}", level.sizes, level.basis_size, 1e3 * t, level.values);
    }
    println!("levels sum {:.2} ms; rel_error {:.2e}; errors {:?}", 1e3 * sum, rates.study.rel_error, rates.errors);
}

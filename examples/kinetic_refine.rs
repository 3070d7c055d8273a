//! The slowest kinetic decay rate on a basis beyond a sparse LU: `kinetic::iterative::refine_gap`
//! (coarse level by sparse LU in every parity sector, the gap sector refined on the fine basis by
//! inverse iteration with two-grid preconditioned GMRES). Problem L = x^4/4 − x^2/2 + y^2/2,
//! g = 1, D_v = 0.5, or `KINETIC_POTENTIAL` (and `KINETIC_EXACT`, a number or `none`).
//! `kinetic_refine COARSE FINE [FINE ...]`: sizes n of the largest axis, as in `decay_rates`.
//! Prints per fine level N, nnz, time, peak memory so far (VmHWM), inner iterations, the rate, its
//! residual, the differences to the coarse and to the previous fine level, and the error against
//! the exact gap.
use fpspectral::kinetic::iterative::{refine_gap, RefineParams, RefinedGap};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;
use std::time::Instant;

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    faer::set_global_parallelism(faer::Par::rayon(2));
    let spec = std::env::var("KINETIC_POTENTIAL").unwrap_or_else(|_| "x^4/4 - x^2/2 + y^2/2".into());
    let exact: Option<f64> = match std::env::var("KINETIC_EXACT") {
        Ok(e) if e == "none" => None,
        Ok(e) => Some(e.parse().expect("KINETIC_EXACT: a number or none")),
        Err(_) => Some(0.3385887049929836),
    };
    let pot = Expression::parse(&spec).expect("KINETIC_POTENTIAL");
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let args: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("sizes COARSE FINE...")).collect();
    if args.len() < 2 {
        eprintln!("usage: kinetic_refine COARSE FINE [FINE ...]");
        std::process::exit(2);
    }
    let mut previous: Option<f64> = None;
    for &fine in &args[1..] {
        let t = Instant::now();
        let r = match refine_gap(&problem, fine, args[0], 0.068, RefineParams::default()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        report(&spec, (fine, args[0]), &r, t.elapsed().as_secs_f64(), exact, previous);
        previous = Some(r.rate);
    }
}

fn report(spec: &str, n: (usize, usize), r: &RefinedGap, secs: f64, exact: Option<f64>, previous: Option<f64>) {
    let st = r.refined.inner;
    println!(
        "{spec}: n {}/{}, N {} (coarse {}), gap sector {} of {}: N {} nnz {} coarse N {}",
        n.0,
        n.1,
        r.sizes.0,
        r.sizes.1,
        r.sector,
        r.coarse_rates.len(),
        st.n,
        st.nnz,
        st.coarse_n
    );
    println!(
        "  {secs:.1}s, VmHWM {}, {} inverse-iteration steps, GMRES its {} (max {} per solve), worst inner rel. res {:.1e}",
        vm_hwm(),
        st.solves,
        st.iterations,
        st.max_iterations,
        st.worst_residual
    );
    let err = exact.map_or("-".into(), |e| format!("{:.1e}", (r.rate - e).abs()));
    let prev = previous.map_or("-".into(), |p| format!("{:.1e}", (r.rate - p).abs()));
    println!(
        "  gap {:.14} ± {:.1e} | residuals {:?} | coarse {:.14} (res {:.1e}) | |fine − coarse| {:.1e} | |Δ previous fine| {prev} | error vs exact {err}",
        r.rate,
        r.error,
        r.refined.residuals.iter().map(|v| format!("{v:.1e}")).collect::<Vec<_>>(),
        -r.refined.coarse,
        r.refined.coarse_residual,
        (r.refined.fine - r.refined.coarse).abs()
    );
    println!("  coarse slowest rate per sector: {:?}", r.coarse_rates);
}

//! 2D passage times: the spectral annulus solver on exact OU cases and on the lemma2 double well,
//! the log-polar finite volumes (subtraction-free elimination, Richardson in h²) down to
//! D = 0.003125, and their cross-checks. `cargo run --release --example annulus_report`.
use faer::linalg::solvers::Solve;
use fpspectral::annulus::mfpt_annulus;
use fpspectral::annulus::outer_radius;
use fpspectral::kolmogorov::{mfpt_2d, PassageProblem};
use fpspectral::logpolar::{gth_band_solve, logpolar_system, mfpt_logpolar, GridMaps, LogPolarProblem};
use fpspectral::Expression;
use std::time::Instant;

fn main() {
    let p = Expression::parse("x^2/2 + y^2/2").unwrap();
    for d in [0.5, 0.1, 0.05] {
        for start in [[1.0, 0.0], [-1.5, 1.0]] {
            let t = Instant::now();
            let s = mfpt_annulus(&p, d, start, [0.0, 0.0], 0.1, 1e-8).unwrap();
            let exact = f64::hypot(start[0], start[1]).ln() - 0.1f64.ln();
            println!(
                "OU D={d} {start:?}: rel err {:.1e}, estimate {:.1e}, levels {:?}, {:.3}s",
                (s.tau.value() - exact).abs() / exact,
                s.tau.rel_error,
                s.levels.iter().map(|l| l.ns).collect::<Vec<_>>(),
                t.elapsed().as_secs_f64()
            );
        }
    }
    let w = "(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2";
    let p = Expression::parse(w).unwrap();
    let prob = PassageProblem { lower: [-2.2, -1.8], upper: [2.2, 1.8], target: [1.0, 0.0], radius: 0.1 };
    for d in [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125] {
        let t = Instant::now();
        let lp = mfpt_logpolar(&p, d, [-1.0, 0.0], [1.0, 0.0], 0.1, 1e-8).unwrap();
        let tl = t.elapsed().as_secs_f64();
        let last = lp.levels.last().unwrap();
        println!(
            "DW D={d}: log-polar {:.12e} ± {:.1e} ({tl:.2}s, m {:?}, finest {} x {}, band {:.0} MB)",
            lp.tau.value(),
            lp.tau.rel_error,
            lp.levels.iter().map(|l| l.m).collect::<Vec<_>>(),
            last.ns,
            last.nt,
            (last.ns * last.nt * last.nt * 8) as f64 / 1e6
        );
        if d >= 0.025 {
            let t = Instant::now();
            let s = mfpt_annulus(&p, d, [-1.0, 0.0], [1.0, 0.0], 0.1, 1e-8).unwrap();
            let ts = t.elapsed().as_secs_f64();
            println!(
                "      spectral {:.12e} ± {:.1e} ({ts:.2}s, levels {:?}); log-polar − spectral rel {:.1e}",
                s.tau.value(),
                s.tau.rel_error,
                s.levels.iter().map(|l| (l.ns, l.iterations)).collect::<Vec<_>>(),
                (lp.tau.ln - s.tau.ln).abs()
            );
        }
        if d >= 0.0125 {
            let (fv, _) = mfpt_2d(&p, d, &prob, 0.04, [-1.0, 0.0]).unwrap();
            println!(
                "      box FV {:.8e} ± {:.1e}; box FV − log-polar rel {:.1e}",
                fv.value(),
                fv.rel_error,
                (fv.ln - lp.tau.ln).abs()
            );
        }
    }
    // subtraction-free elimination against faer's sparse Cholesky on the same systems
    for (d, m) in [(0.1, 40), (0.05, 50), (0.025, 60), (0.0125, 80), (0.00625, 100), (0.003125, 120)] {
        let outer = outer_radius(&p, d, [1.0, 0.0], [-1.0, 0.0]).unwrap();
        let sys = logpolar_system(
            &p,
            d,
            &LogPolarProblem { target: [1.0, 0.0], radius: 0.1, outer, start: [-1.0, 0.0] },
            m,
            GridMaps::default(),
        )
        .unwrap();
        let i = sys.start_index;
        let rhs = faer::Mat::<f64>::from_fn(sys.rhs.len(), 1, |k, _| sys.rhs[k]);
        let chol = sys.matrix.to_sparse().unwrap().sp_cholesky(faer::Side::Lower).unwrap().solve(&rhs)[(i, 0)];
        let x = gth_band_solve(sys.matrix, sys.rhs)[i];
        println!("GTH vs sparse Cholesky, D={d} m={m}: τ = {x:.12e}, Cholesky rel diff {:.1e}", (chol - x).abs() / x);
    }
}

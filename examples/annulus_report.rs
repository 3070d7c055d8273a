use fpspectral::annulus::mfpt_annulus;
use fpspectral::kolmogorov::{mfpt_2d, PassageProblem};
use fpspectral::Potential;
use std::time::Instant;

fn main() {
    let p = Potential::parse("x^2/2 + y^2/2").unwrap();
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
    let p = Potential::parse(w).unwrap();
    let prob = PassageProblem { lower: [-2.2, -1.8], upper: [2.2, 1.8], target: [1.0, 0.0], radius: 0.1 };
    for d in [0.1, 0.05, 0.025] {
        let t = Instant::now();
        let s = mfpt_annulus(&p, d, [-1.0, 0.0], [1.0, 0.0], 0.1, 1e-8).unwrap();
        let ts = t.elapsed().as_secs_f64();
        let (fv, _) = mfpt_2d(&p, d, &prob, 0.04, [-1.0, 0.0]).unwrap();
        println!(
            "DW D={d}: spectral {:.12e} ± {:.1e} ({:.2}s, levels {:?}); FV {:.8e} ± {:.1e}; FV−spectral rel {:.1e}",
            s.tau.value(),
            s.tau.rel_error,
            ts,
            s.levels.iter().map(|l| (l.ns, l.iterations)).collect::<Vec<_>>(),
            fv.value(),
            fv.rel_error,
            (fv.ln - s.tau.ln).abs()
        );
    }
}

use fpspectral::annulus::mfpt_annulus;
use fpspectral::Potential;
use std::time::Instant;

fn main() {
    let w = "(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2";
    let p = Potential::parse(w).unwrap();
    for d in [0.1, 0.05, 0.025, 0.0125] {
        let t = Instant::now();
        let r = mfpt_annulus(&p, d, [-1.0, 0.0], [1.0, 0.0], 0.1, 1e-8);
        match r {
            Ok(s) => println!(
                "D={d} tau={:.12e} rel_err={:.2e} levels={:?} {:.2}s",
                s.tau.value(),
                s.tau.rel_error,
                s.levels.iter().map(|l| (l.ns, l.iterations, l.value)).collect::<Vec<_>>(),
                t.elapsed().as_secs_f64()
            ),
            Err(e) => println!("D={d} {e} {:.2}s", t.elapsed().as_secs_f64()),
        }
    }
}

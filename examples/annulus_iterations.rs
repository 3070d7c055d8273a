//! GMRES iterations and wall time of each annulus level of the lemma2 2D well (D = 0.1, 0.05):
//! `cargo run --release --example annulus_iterations [N …]` (only the listed N, if any).
use fpspectral::annulus::{mfpt_annulus_level, outer_radius, Annulus};
use fpspectral::Expression;
use std::time::Instant;

fn main() {
    let p = Expression::parse("(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2").unwrap();
    let (start, target) = ([-1.0, 0.0], [1.0, 0.0]);
    let sizes: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    for (d, ns) in [(0.1, [80usize, 100, 124]), (0.05, [106, 132, 164])] {
        let outer = outer_radius(&p, d, target, start).unwrap();
        let prob = Annulus { target, radius: 0.1, outer };
        for n in ns {
            if !sizes.is_empty() && !sizes.contains(&n) {
                continue;
            }
            let t = Instant::now();
            let s = mfpt_annulus_level(&p, d, &prob, start, n, n).unwrap();
            println!(
                "D={d} n={n} tau={:.15e} iters={} res={:.1e} {:.2}s",
                s.value,
                s.iterations,
                s.residual,
                t.elapsed().as_secs_f64()
            );
        }
    }
}

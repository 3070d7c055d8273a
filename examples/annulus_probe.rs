use fpspectral::annulus::{mfpt_annulus_level, outer_radius, Annulus};
use fpspectral::Potential;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let spec = args.get(1).cloned().unwrap_or("(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2".into());
    let d: f64 = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(0.1);
    let p = Potential::parse(&spec).unwrap();
    let (start, target, eps) = if spec.contains("tanh") { ([-1.0, 0.0], [1.0, 0.0], 0.1) } else { ([1.0, 0.0], [0.0, 0.0], 0.1) };
    let outer = outer_radius(&p, d, target, start).unwrap();
    println!("outer {outer}");
    let prob = Annulus { target, radius: eps, outer };
    for pair in args[3..].chunks(2) {
        let (ns, nt): (usize, usize) = (pair[0].parse().unwrap(), pair[1].parse().unwrap());
        let t = Instant::now();
        let r = mfpt_annulus_level(&p, d, &prob, start, ns, nt);
        println!("{ns} {nt} {:?} {:.3}s", r.map(|r| (format!("{:.15e}", r.value), r.iterations, r.residual)), t.elapsed().as_secs_f64());
    }
}

#[allow(dead_code)]
fn study() {}

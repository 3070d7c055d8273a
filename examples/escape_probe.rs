use fpspectral::{kolmogorov, mfpt, Potential};
fn main() {
    let p = Potential::parse("(x^2-1)^2/4 + (1.5 + 0.5*tanh(x))*y^2/2").unwrap();
    let prob = kolmogorov::PassageProblem { lower: [-2.2, -1.8], upper: [2.2, 1.8], target: [1.0, 0.0], radius: 0.1 };
    for d in [0.1, 0.05, 0.025] {
        let t = std::time::Instant::now();
        let (tau, vals) = kolmogorov::mfpt_2d(&p, d, &prob, 0.04, [-1.0, 0.0]).unwrap();
        let ek = mfpt::eyring_kramers(&p, d, &[-1.0, 0.0], &[1.0, 0.0]).unwrap();
        println!(
            "D={d} tau={} rel {:.1e} vals {vals:?} ratio {} {:?}",
            tau.value(),
            tau.rel_error,
            (tau.ln - ek.ln_time).exp(),
            t.elapsed()
        );
    }
}

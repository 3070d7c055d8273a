use fpspectral::{mfpt, quadrature, Potential};
fn main() {
    let p = Potential::parse("x^4/4 - x^2/2").unwrap();
    for d in [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005] {
        let t = std::time::Instant::now();
        let m = mfpt::mfpt_1d(&p, d, -1.0, 1.0).unwrap();
        let ek = mfpt::eyring_kramers(&p, d, &[-1.0], &[1.0]).unwrap();
        println!(
            "D={d} ln tau={} relerr={:.2e} ratio={} time {:?}",
            m.ln,
            m.rel_error,
            (m.ln - ek.ln_time).exp(),
            t.elapsed()
        );
    }
    let q = Potential::parse("x^2/2").unwrap();
    for eta in [1.0, 100.0, 1e4] {
        let b = quadrature::ball_probability(&q, eta, &[0.0], 0.01).unwrap();
        println!("eta={eta} P={} rel {:.2e}", b.value(), b.rel_error);
    }
    let q2 = Potential::parse("x^2/2 + y^2/2").unwrap();
    for eta in [1.0, 100.0] {
        let t = std::time::Instant::now();
        let b = quadrature::ball_probability(&q2, eta, &[0.0, 0.0], 0.1).unwrap();
        println!(
            "2d eta={eta} P={} exact {} rel {:.2e} {:?}",
            b.value(),
            1.0 - (-eta * 0.01f64 / 2.0).exp(),
            b.rel_error,
            t.elapsed()
        );
    }
}

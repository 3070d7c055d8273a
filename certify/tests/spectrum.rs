//! Eigenvalue enclosures against exact spectra (Ornstein–Uhlenbeck: λ_k = k·a).

use certify::spectrum::{enclose, Options};

#[test]
fn ornstein_uhlenbeck_enclosures_contain_k_times_a() {
    for (a, d) in [(1.0, 0.5), (2.0, 0.1), (0.5, 1.0)] {
        let t = std::time::Instant::now();
        let e = enclose(&[0.0, 0.0, a / 2.0], d, 3, Options { basis: 40, steps: 50_000 }).expect("certified");
        for (k, enc) in e.iter().enumerate() {
            let exact = (k + 1) as f64 * a;
            assert!(
                enc.lower <= exact && exact <= enc.upper,
                "λ{} = {exact} not in [{}, {}]",
                k + 1,
                enc.lower,
                enc.upper
            );
            assert!((enc.upper - enc.lower) / exact <= 1e-9, "{enc:?}");
        }
        eprintln!("OU a={a} D={d}: {:?} in {:?}", e, t.elapsed());
    }
}

#[test]
fn double_well_enclosures_are_narrow() {
    for d in [1.0, 0.5, 0.25, 0.1] {
        let t = std::time::Instant::now();
        let e = enclose(&[0.0, 0.0, -0.5, 0.0, 0.25], d, 3, Options::default()).expect("certified");
        for enc in &e {
            assert!(enc.lower <= enc.upper && (enc.upper - enc.lower) / enc.upper <= 1e-9, "D = {d}: {enc:?}");
        }
        eprintln!("double well D={d}: {:?} in {:?}", e, t.elapsed());
    }
}

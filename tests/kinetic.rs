//! The kinetic engine against exactly known spectra, and its fast path against the dense one.

use faer::c64;
use fpspectral::basis::IndexSet;
use fpspectral::kinetic::basis::{KineticBasis, WAxis};
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{rates_dense, rates_sparse, DecayRates};
use fpspectral::kinetic::KineticParams;
use fpspectral::{Expression, Potential};

/// λ± = (g ± √(g² − 4ω²))/2, the two harmonic modes of one degree of freedom.
fn harmonic_modes(g: f64, omega: f64) -> (c64, c64) {
    let disc = c64::new(g * g - 4.0 * omega * omega, 0.0).sqrt();
    ((c64::new(g, 0.0) + disc) / 2.0, (c64::new(g, 0.0) - disc) / 2.0)
}

/// The exact slowest rates {Σ_j k_j λ+ + l_j λ−} (im folded to ≥ 0), ascending by re, no duplicates.
fn harmonic_rates(g: f64, omega: f64, d: usize, count: usize) -> Vec<c64> {
    let (lp, lm) = harmonic_modes(g, omega);
    let mut out: Vec<c64> = Vec::new();
    let k = 8;
    for a in 0..k {
        for b in 0..k {
            for c in 0..(if d > 1 { k } else { 1 }) {
                for e in 0..(if d > 1 { k } else { 1 }) {
                    if a + b + c + e == 0 {
                        continue;
                    }
                    let l = lp * (a + c) as f64 + lm * (b + e) as f64;
                    let l = c64::new(l.re, l.im.abs());
                    if !out.iter().any(|q| (q - l).norm() < 1e-9) {
                        out.push(l);
                    }
                }
            }
        }
    }
    out.sort_by(|x, y| x.re.total_cmp(&y.re).then(x.im.total_cmp(&y.im)));
    out.truncate(count);
    out
}

fn harmonic_basis(params: KineticParams, omega: f64, d: usize, n: usize) -> KineticBasis {
    let s_w = params.velocity_scale() / omega;
    let axes = vec![WAxis::Hermite { centre: 0.0, scale: s_w }; d];
    KineticBasis::new(axes, params.velocity_scale(), vec![n; d], vec![n; d], IndexSet::TotalDegree).unwrap()
}

fn harmonic_spectrum(g: f64, d: usize, n: usize, sparse: bool) -> DecayRates {
    let spec = if d == 1 { "x^2/2" } else { "x^2/2 + y^2/2" };
    let pot = Expression::parse(spec).unwrap();
    let params = KineticParams::new(g, 0.7).unwrap();
    let problem = Kinetic::new(&pot, params).unwrap();
    let basis = harmonic_basis(params, 1.0, d, n);
    let gm = problem.matrix(&basis).unwrap();
    if sparse {
        rates_sparse(&gm, 4, 0.05 * g).unwrap()
    } else {
        rates_dense(&gm, 4).unwrap()
    }
}

/// Every found rate is an exact one to `tol`, the gap is matched, and no exact rate below the
/// largest found real part is missed (equal real parts make the order among ties arbitrary).
fn assert_matches(found: &DecayRates, exact: &[c64], tol: f64) {
    let nearest = |l: c64, set: &[c64]| set.iter().map(|e| (l - e).norm()).fold(f64::INFINITY, f64::min);
    for l in &found.rates {
        let err = nearest(*l, exact);
        assert!(err < tol, "found rate {l:?} is no exact rate (distance {err:.2e})");
    }
    assert!((found.rates[0].re - exact[0].re).abs() < tol, "gap {:?} vs {:?}", found.rates[0], exact[0]);
    let top = found.rates.last().unwrap().re - tol;
    for e in exact.iter().filter(|e| e.re < top) {
        assert!(nearest(*e, &found.rates) < tol, "exact rate {e:?} missing");
    }
}

#[test]
fn harmonic_spectrum_exact_d1() {
    for g in [0.5, 1.0, 4.0] {
        let found = harmonic_spectrum(g, 1, 24, false);
        assert_matches(&found, &harmonic_rates(g, 1.0, 1, 12), 1e-10);
        assert!(found.kernel.norm() < 1e-12, "kernel {:?}", found.kernel);
    }
}

#[test]
fn harmonic_spectrum_exact_d2() {
    for g in [0.5, 1.0, 4.0] {
        let found = harmonic_spectrum(g, 2, 9, false);
        assert_matches(&found, &harmonic_rates(g, 1.0, 2, 12), 1e-10);
    }
}

#[test]
fn sparse_path_matches_dense_on_harmonic() {
    for (g, d, n) in [(0.5, 1, 24), (4.0, 1, 24), (1.0, 2, 9)] {
        let dense = harmonic_spectrum(g, d, n, false);
        let sparse = harmonic_spectrum(g, d, n, true);
        assert_matches(&sparse, &harmonic_rates(g, 1.0, d, 12), 1e-10);
        assert!((sparse.rates[0] - dense.rates[0]).norm() < 1e-10);
    }
}

#[test]
fn equal_real_parts_are_listed_alike_at_every_size() {
    // g = 0.5 < 2ω: the rates lie on vertical lines re = k·g/2 (0.5 and 0.5 + 1.94i, 0.75 + 0.97i
    // and 0.75 + 2.90i, …). Every basis size, dense or sparse, must list them in one order (by im
    // on a line), since a resolution study compares its levels rate by rate. (The sparse solve
    // of d = 2 misses 0.5 + 1.94i, beyond the 16 eigenvalues nearest its shift: a study's reach
    // check takes such a level densely.)
    for (d, sizes, paths) in [(1, [20, 24, 29, 35], &[false, true][..]), (2, [8, 9, 10, 11], &[false][..])] {
        let exact = harmonic_rates(0.5, 1.0, d, 4);
        for n in sizes {
            for &sparse in paths {
                let found = harmonic_spectrum(0.5, d, n, sparse);
                eprintln!("d = {d}, n = {n}, sparse {sparse}: {:?} ± {:?}", found.rates, found.rounding);
                assert_eq!(found.rates.len(), exact.len());
                for (k, (f, e)) in found.rates.iter().zip(&exact).enumerate() {
                    assert!((f - e).norm() < 1e-9, "d = {d}, n = {n}, sparse {sparse}: rate {k} {f} vs {e}");
                }
            }
        }
    }
}

#[test]
fn defective_point_error_is_covered() {
    // g = 2ω: λ+ = λ− = 1 and a Jordan block; report what the dense solver reaches.
    let found = harmonic_spectrum(2.0, 1, 24, false);
    let exact = harmonic_rates(2.0, 1.0, 1, 1)[0];
    let err = (found.rates[0] - exact).norm();
    eprintln!("defective g = 2ω: gap {:?}, true error {err:.2e}, stated {:.2e}", found.rates[0], found.rounding[0]);
    assert!(err <= found.rounding[0], "stated error {:.2e} does not cover {err:.2e}", found.rounding[0]);
}

use fpspectral::kinetic::spectrum::{decay_rates, KineticOptions};

#[test]
fn double_well_gap_converges() {
    let pot = Expression::parse("x^4/4 - x^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let rates = decay_rates(&problem, &KineticOptions { count: 2, tolerance: 1e-8, ..Default::default() }).unwrap();
    eprintln!("double well: {:?} ± {:?}, N = {}", rates.values, rates.errors, rates.basis_size);
    for l in &rates.study.levels {
        eprintln!("  n = {:?} N = {} values {:?}", l.sizes, l.basis_size, &l.values[..2]);
    }
    assert!(rates.study.converged);
    assert!(rates.errors[0] <= 1e-8 * rates.values[0].0);
}

#[test]
fn cosine_gap_on_circle_converges() {
    let pot = Expression::parse_periodic("-cos(x)").unwrap();
    let problem = Kinetic::periodic(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let rates = decay_rates(&problem, &KineticOptions { count: 2, tolerance: 1e-8, ..Default::default() }).unwrap();
    eprintln!("cosine: {:?} ± {:?}, N = {}", rates.values, rates.errors, rates.basis_size);
    for l in &rates.study.levels {
        eprintln!("  n = {:?} N = {} values {:?}", l.sizes, l.basis_size, &l.values[..2]);
    }
    assert!(rates.study.converged);
    assert!(rates.errors[0] <= 1e-8 * rates.values[0].0);
}

#[test]
fn sparse_path_matches_dense_on_double_well_and_circle() {
    use fpspectral::kinetic::spectrum::{basis_of_size, default_axes};
    let dw = Expression::parse("x^4/4 - x^2/2").unwrap();
    let cos = Expression::parse_periodic("-cos(x)").unwrap();
    let params = KineticParams::new(1.0, 0.5).unwrap();
    for problem in [Kinetic::new(&dw, params).unwrap(), Kinetic::periodic(&cos, params).unwrap()] {
        let axes = default_axes(&problem).unwrap();
        let basis = basis_of_size(&problem, &axes, 24, IndexSet::TotalDegree).unwrap();
        let g = problem.matrix(&basis).unwrap();
        let dense = rates_dense(&g, 3).unwrap();
        let sparse = rates_sparse(&g, 3, 0.05).unwrap();
        for k in 0..2 {
            let diff = (dense.rates[k] - sparse.rates[k]).norm();
            assert!(diff < 1e-9, "rate {k}: dense {:?} sparse {:?}", dense.rates[k], sparse.rates[k]);
        }
    }
}

#[test]
fn parity_sectors_are_exact_blocks_and_keep_the_spectrum() {
    use fpspectral::kinetic::spectrum::{default_axes, rates_on, reflection_axes, sectors, KineticPath};
    let pot = Expression::parse("x^4/4 - x^2/2 + y^2/2").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    let axes = default_axes(&problem).unwrap();
    assert_eq!(reflection_axes(&problem, &axes), vec![0, 1]);
    let basis = KineticBasis::new(
        axes.clone(),
        problem.params.velocity_scale(),
        vec![14, 6],
        vec![14, 6],
        IndexSet::TotalDegree,
    )
    .unwrap();
    // Every stored entry of G couples two functions of the same parity sector.
    let g = problem.matrix(&basis).unwrap();
    let parity = |i: usize| {
        let a = basis.indices[i];
        ((a[0] + a[2]) % 2, (a[1] + a[3]) % 2)
    };
    let (sym, vals) = (g.symbolic(), g.val());
    for j in 0..g.ncols() {
        let range = sym.col_ptr()[j]..sym.col_ptr()[j + 1];
        for (&i, &v) in sym.row_idx()[range.clone()].iter().zip(&vals[range]) {
            assert!(parity(i) == parity(j) || v == 0.0, "entry ({i}, {j}) crosses sectors");
        }
    }
    let parts = sectors(&problem, &basis);
    assert_eq!(parts.len(), 4);
    assert_eq!(parts.iter().map(|b| b.len()).sum::<usize>(), basis.len());
    // The merged sector spectrum is the spectrum of the whole matrix.
    let whole = rates_dense(&g, 4).unwrap();
    for path in [KineticPath::Dense, KineticPath::Sparse] {
        let split = rates_on(&problem, &basis, 4, path, 0.05).unwrap();
        for k in 0..4 {
            let diff = (whole.rates[k] - split.rates[k]).norm();
            assert!(diff < 1e-9, "{path:?} rate {k}: whole {:?} sectors {:?}", whole.rates[k], split.rates[k]);
        }
    }
    // An odd potential term breaks the symmetry along that axis only.
    let tilted = Expression::parse("x^4/4 - x^2/2 + 0.1*x + y^2/2").unwrap();
    let tp = Kinetic::new(&tilted, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
    assert_eq!(reflection_axes(&tp, &default_axes(&tp).unwrap()), vec![1]);
}

/// A separable non-polynomial risk in d = 2: G = G_x ⊗ I + I ⊗ G_y, so the decay rates are sums
/// of the 1D ones and the d = 2 gap is the smaller of the two 1D gaps (d = 1 engine, harmonic y).
#[test]
fn separable_non_polynomial_gap_d2() {
    let params = KineticParams::new(1.0, 0.5).unwrap();
    let opts = KineticOptions { count: 1, tolerance: 1e-6, ..Default::default() };
    let x_part = Expression::parse("x^2/2 + 2*exp(-x^2)").unwrap();
    let gap_x = decay_rates(&Kinetic::new(&x_part, params).unwrap(), &opts).unwrap();
    let (lp, _) = harmonic_modes(1.0, 0.5f64.sqrt());
    let both = Expression::parse("x^2/2 + 2*exp(-x^2) + y^2/4").unwrap();
    let gap = decay_rates(&Kinetic::new(&both, params).unwrap(), &opts).unwrap();
    eprintln!(
        "1D {:?} ± {:.1e}; y {lp:?}; 2D {:?} ± {:.1e}",
        gap_x.values[0], gap_x.errors[0], gap.values[0], gap.errors[0]
    );
    let exact = gap_x.values[0].0.min(lp.re);
    assert!(gap.study.converged);
    assert!((gap.values[0].0 - exact).abs() <= gap.errors[0] + gap_x.errors[0], "{:?} vs {exact}", gap.values[0]);
}

/// A risk non-separable in the basis axes: L = |w|²/2 + e^{−(x−y)²/2}/2 separates in the rotated
/// coordinates u = (x − y)/√2, r = (x + y)/√2 as u²/2 + e^{−u²}/2 plus r²/2 (the kinetic generator is
/// invariant under rotations of (w, v) together), so its slowest rates include the d = 1 gap of
/// u²/2 + e^{−u²}/2 and the harmonic (1 + i√3)/2 (g = ω = 1); the d = 2 study on the unrotated axes
/// must converge to both.
#[test]
fn rotated_non_polynomial_rates_d2() {
    let params = KineticParams::new(1.0, 0.5).unwrap();
    let opts = KineticOptions { count: 2, tolerance: 1e-5, ..Default::default() };
    let u_part = Expression::parse("x^2/2 + exp(-x^2)/2").unwrap();
    let gap_u = decay_rates(&Kinetic::new(&u_part, params).unwrap(), &opts).unwrap();
    let pot = Expression::parse("x^2/2 + y^2/2 + exp(-(x - y)^2/2)/2").unwrap();
    let rates = decay_rates(&Kinetic::new(&pot, params).unwrap(), &opts).unwrap();
    for l in &rates.study.levels {
        eprintln!("  n = {:?} N = {} values {:?}", l.sizes, l.basis_size, l.values);
    }
    eprintln!("1D {:?} ± {:.1e}; 2D {:?} ± {:?}", gap_u.values[0], gap_u.errors[0], rates.values, rates.errors);
    assert!(rates.study.converged);
    let exact = [(0.5, 3f64.sqrt() / 2.0), gap_u.values[0]];
    for (k, e) in exact.iter().enumerate() {
        let dist = (rates.values[k].0 - e.0).hypot(rates.values[k].1 - e.1);
        assert!(dist <= rates.errors[k] + gap_u.errors[0], "rate {k}: {:?} vs {e:?}", rates.values[k]);
    }
}

/// The quadrature force rows (non-polynomial path) against the exact banded polynomial rows on the
/// same d = 2 basis: `+ 0*exp(x)` hides the polynomial from the engine without changing L.
#[test]
fn quadrature_force_matches_polynomial_rows_d2() {
    let params = KineticParams::new(1.0, 0.5).unwrap();
    let exact = Expression::parse("x^4/4 - x^2/2 + y^2/2 + x*y/3").unwrap();
    let hidden = Expression::parse("x^4/4 - x^2/2 + y^2/2 + x*y/3 + 0*exp(x)").unwrap();
    assert!(hidden.poly().is_none());
    let (pe, ph) = (Kinetic::new(&exact, params).unwrap(), Kinetic::new(&hidden, params).unwrap());
    let axes = vec![WAxis::Hermite { centre: 0.1, scale: 0.8 }, WAxis::Hermite { centre: -0.2, scale: 1.1 }];
    let basis =
        KineticBasis::new(axes, params.velocity_scale(), vec![12, 10], vec![12, 10], IndexSet::TotalDegree).unwrap();
    let (ge, gh) = (pe.matrix(&basis).unwrap().to_dense(), ph.matrix(&basis).unwrap().to_dense());
    let diff = (&ge - &gh).norm_max();
    eprintln!("quadrature vs polynomial rows: max difference {diff:.2e}, max entry {:.2e}", ge.norm_max());
    assert!(diff < 1e-11 * ge.norm_max(), "max entry difference {diff:.2e} of {:.2e}", ge.norm_max());
}

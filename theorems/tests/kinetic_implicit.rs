//! The Crank–Nicolson evolution of (9) and the w-marginal grid against the exact Gaussian
//! solution of the harmonic risk: from the tilted start ψ_0 ∝ ψ_∞ e^{κ(w + v)}, the law stays
//! Gaussian with the stationary covariance, and its mean solves ẇ = v, v̇ = −ω²w − g v.

use fpspectral::basis::IndexSet;
use fpspectral::kinetic::evolve::{evolve_implicit, MarginalGrid};
use fpspectral::kinetic::functionals::tilted_state;
use fpspectral::kinetic::operator::Kinetic;
use fpspectral::kinetic::spectrum::{basis_of_size, default_axes};
use fpspectral::kinetic::KineticParams;
use fpspectral::Expression;

const KAPPA: f64 = 0.4;
const OMEGA: f64 = 1.3;

/// Exact w-mean at time t from the tilted start (matrix exponential of the 2×2 drift, by RK4
/// with step 1e-4: error ~1e-14).
fn exact_mean(params: KineticParams, t: f64) -> f64 {
    let (eta, g) = (params.eta(), params.friction);
    let (mut w, mut v) = (KAPPA / (eta * OMEGA * OMEGA), KAPPA / eta);
    let steps = (t / 1e-4).round() as usize;
    let h = t / steps.max(1) as f64;
    let f = |w: f64, v: f64| (v, -OMEGA * OMEGA * w - g * v);
    for _ in 0..steps {
        let k1 = f(w, v);
        let k2 = f(w + 0.5 * h * k1.0, v + 0.5 * h * k1.1);
        let k3 = f(w + 0.5 * h * k2.0, v + 0.5 * h * k2.1);
        let k4 = f(w + h * k3.0, v + h * k3.1);
        w += h / 6.0 * (k1.0 + 2.0 * k2.0 + 2.0 * k3.0 + k4.0);
        v += h / 6.0 * (k1.1 + 2.0 * k2.1 + 2.0 * k3.1 + k4.1);
    }
    w
}

/// w-mean and w-variance of the marginal, and its mass, after each interval; errors shrink as
/// O(h²) (Crank–Nicolson) when the substeps double.
fn marginal_moments(substeps: usize) -> (KineticParams, Vec<[f64; 3]>) {
    let pot = Expression::parse(&format!("{}*x^2/2", OMEGA * OMEGA)).unwrap();
    let params = KineticParams::new(0.7, 0.35).unwrap();
    let problem = Kinetic::new(&pot, params).unwrap();
    let basis = basis_of_size(&problem, &default_axes(&problem).unwrap(), 30, IndexSet::TotalDegree).unwrap();
    let grid = MarginalGrid::new(&problem, &basis, -8.0, 8.0, 4000).unwrap();
    let u0 = tilted_state(&problem, &basis, KAPPA).unwrap();
    let states = evolve_implicit(&problem.matrix(&basis).unwrap(), &u0, 0.5, 8, substeps).unwrap();
    let moments = states
        .iter()
        .map(|u| {
            let p = grid.density(&basis, u);
            let mass = grid.mean(&p, |_| 1.0);
            let mean = grid.mean(&p, |w| w);
            [mass, mean, grid.mean(&p, |w| (w - mean).powi(2))]
        })
        .collect();
    (params, moments)
}

#[test]
fn harmonic_marginal_follows_the_exact_gaussian() {
    let (params, coarse) = marginal_moments(25);
    let (_, fine) = marginal_moments(50);
    let var = 1.0 / (params.eta() * OMEGA * OMEGA);
    for (k, (c, f)) in coarse.iter().zip(&fine).enumerate() {
        let exact = exact_mean(params, 0.5 * k as f64);
        println!("t={} mean {:.3e} exact {:.3e} var {:.6} exact {:.6}", 0.5 * k as f64, f[1], exact, f[2], var);
        assert!((f[0] - 1.0).abs() < 1e-9, "mass {}", f[0]);
        // The tilted start is truncated to 30 functions: the variance is kept to ~1e-5.
        assert!((f[2] - var).abs() < 2e-5 * var, "variance {} vs {var}", f[2]);
        let (ec, ef) = ((c[1] - exact).abs(), (f[1] - exact).abs());
        assert!(ef < 2e-4 * KAPPA, "mean {} vs {exact}", f[1]);
        // Second order: halving h divides the error by ~4 (once it is above rounding).
        if ec > 1e-9 {
            assert!(ef < 0.35 * ec, "t={}: errors {ec:.2e} → {ef:.2e}", 0.5 * k as f64);
        }
    }
}

#[test]
fn weighted_state_of_a_constant_weight_is_the_stationary_state() {
    let pot = Expression::parse("0.1*(x^2-1)^2*((x-1)^2+0.25)").unwrap();
    let problem = Kinetic::new(&pot, KineticParams::new(0.1, 0.01).unwrap()).unwrap();
    let mass_error = |n: usize| {
        let basis = basis_of_size(&problem, &default_axes(&problem).unwrap(), n, IndexSet::TotalDegree).unwrap();
        let grid = MarginalGrid::new(&problem, &basis, -3.0, 3.5, 6500).unwrap();
        let u0 = grid.weighted_state(&basis, |_| 3.0).unwrap();
        assert!(u0.norm_l2() < 1e-10, "{}", u0.norm_l2());
        // A smooth cutoff weight: the t = 0 marginal's mass is 1 up to the part of √ρ outside the
        // span (√ρ is not a finite Hermite sum for a non-quadratic L), which shrinks with n.
        let u1 = grid.weighted_state(&basis, |w| 0.5 * (1.0 - (w / 0.1).tanh())).unwrap();
        let p = grid.density(&basis, &u1);
        (grid.mean(&p, |_| 1.0) - 1.0).abs()
    };
    let (coarse, fine) = (mass_error(20), mass_error(40));
    println!("mass error {coarse:.2e} (n = 20), {fine:.2e} (n = 40)");
    assert!(fine < 1e-4 && fine < coarse, "{coarse} → {fine}");
}

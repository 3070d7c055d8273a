//! Slowest decay rates of a separable kinetic problem. When L(w) = Σ_j L_j(w_j) and no monomial
//! couples two coordinates ([`separable_pairs`]), ψ_∞ ∝ Π_j e^{−η'(L_j + v_j²/2)} factorises and
//! so do the transport T = Σ_j (v_j∂_{w_j} − L_j'∂_{v_j}) and the friction part F = Σ_j F_j: the
//! generator is the Kronecker sum G = Σ_j I ⊗ G_j ⊗ I of the generators G_j of the pairs
//! (w_j, v_j). Its eigenvalues are the sums Σ_j μ_j of one eigenvalue of each G_j; every G_j has
//! the eigenvalue 0 (its own ψ_∞), so the decay rates are the sums of one rate or 0 per pair, not
//! all 0.
//!
//! * A harmonic pair, L_j = a w² + b w with a > 0, is the damped oscillator: w' = v,
//!   v' = −2a w − b − g v + noise has the drift matrix [[0, 1], [−2a, −g]] whose eigenvalues are
//!   −λ±, λ± = (g ± √(g² − 8a))/2, and the generator of a linear (Ornstein–Uhlenbeck) process has
//!   the rates n λ₊ + m λ₋ (n, m ≥ 0, not both 0), whatever D_v.
//! * Any other pair is a one-degree-of-freedom kinetic problem solved by its own resolution study
//!   ([`decay_rates`]), at the tolerance asked for.
//!
//! The `count` slowest rates of the sum are among the sums of each pair's `count` slowest rates
//! (or 0): a sum with a pair's rate of rank > `count` has a real part at least that of the pair's
//! `count`-th rate, and those `count` rates alone (the other pairs at 0) are already in the list.
//! Errors add: a sum's real part errs by the sum of the parts' real-part errors; its re + |im|
//! by the sum of the parts' errors in re + |im| when their imaginary parts add, else by its
//! real-part error plus the parts' imaginary-part errors (|Δim| ≤ |Δ(re + |im|)| + |Δre|).

use super::operator::Kinetic;
use super::plan::{separable_pairs, Pair};
use super::spectrum::{decay_rates, KineticMethod, KineticOptions, KineticRates, CLUSTER_SPREAD};
use crate::error::{EngineError, Result};
use crate::potential::Expression;
use crate::resolution::Study;
use crate::study::Status;
use faer::c64;

/// A rate with the errors of the two numbers a study tracks for it: re and re + |im|.
#[derive(Debug, Clone, Copy)]
struct Rate {
    value: c64,
    err_re: f64,
    err_sum: f64,
}

impl Rate {
    /// Error bound on |im|.
    fn err_im(&self) -> f64 {
        self.err_re + self.err_sum
    }

    /// self + other (imaginary parts adding), or self + conj(other), folded to im ≥ 0.
    fn plus(&self, other: &Rate, conjugate: bool) -> Rate {
        let err_re = self.err_re + other.err_re;
        let (value, err_sum) = if conjugate {
            (self.value + other.value.conj(), err_re + self.err_im() + other.err_im())
        } else {
            (self.value + other.value, self.err_sum + other.err_sum)
        };
        let value = if value.im < 0.0 { value.conj() } else { value };
        Rate { value, err_re, err_sum }
    }

    fn error(&self) -> f64 {
        self.err_re.hypot(self.err_im())
    }
}

/// The `count` slowest rates of the damped oscillator of L_j = a w² + b w at friction g:
/// n λ₊ + m λ₋ with 1 ≤ n + m ≤ `count` (module docs), with rounding bounds (the discriminant
/// g² − 8a is rounded by at most 2ε(g² + 8a), which moves its square root by at most the smaller
/// of √δ and δ/√|g² − 8a|). None when g² or 8a overflows.
fn harmonic_rates(a: f64, g: f64, count: usize) -> Option<Vec<Rate>> {
    let disc = g * g - 8.0 * a;
    let delta = 2.0 * f64::EPSILON * (g * g + 8.0 * a);
    if !(disc.is_finite() && delta.is_finite()) {
        return None;
    }
    let root = if disc >= 0.0 { c64::new(disc.sqrt(), 0.0) } else { c64::new(0.0, (-disc).sqrt()) };
    let root_err = delta.sqrt().min(delta / disc.abs().sqrt());
    let plus = (c64::new(g, 0.0) + root) * 0.5;
    let plus_err = 0.5 * root_err + 2.0 * f64::EPSILON * plus.norm();
    // Real roots: λ₋ = 2a/λ₊ (λ₊λ₋ = 2a), free of the cancellation in (g − √(g² − 8a))/2 when
    // 8a ≪ g²; its relative error is λ₊'s plus the division's. Complex roots: λ₋ = conj λ₊.
    let (minus, minus_err) = if disc >= 0.0 {
        let minus = 2.0 * a / plus.re;
        (c64::new(minus, 0.0), minus.abs() * (plus_err / plus.re + 2.0 * f64::EPSILON))
    } else {
        (plus.conj(), plus_err)
    };
    let mut rates = Vec::new();
    for n in 0..=count {
        for m in 0..=count - n {
            if n + m == 0 || (plus.im != 0.0 && n < m) {
                continue; // 0, or the conjugate of (m, n)
            }
            let value = plus * n as f64 + minus * m as f64;
            let err = n as f64 * plus_err + m as f64 * minus_err + 2.0 * f64::EPSILON * value.norm();
            let value = if value.im < 0.0 { value.conj() } else { value };
            rates.push(Rate { value, err_re: err, err_sum: 2.0 * err });
        }
    }
    Some(rates)
}

/// What one pair contributed: its rates, and for a solved pair its study.
struct PairRates {
    rates: Vec<Rate>,
    solved: Option<KineticRates>,
    description: String,
}

/// The slowest rates of a separable problem (module docs), or None when L is not separable or a
/// pair cannot be solved on its own (then the whole problem takes the coupled path, which
/// refuses what it must).
pub fn separable_rates(problem: &Kinetic, opts: &KineticOptions) -> Result<Option<KineticRates>> {
    let Some(pairs) = separable_pairs(problem.potential, problem.periodic) else { return Ok(None) };
    let names = ["x", "y", "z"];
    let mut parts = Vec::new();
    for pair in &pairs {
        let part = match pair {
            Pair::Harmonic { axis, a } => {
                let Some(rates) = harmonic_rates(*a, problem.params.friction, opts.count) else { return Ok(None) };
                let description =
                    format!("{}: harmonic {a:?}·{}², exact (damped oscillator)", names[*axis], names[*axis]);
                PairRates { rates, solved: None, description }
            }
            Pair::Solved { axis, expression } => {
                let Ok(potential) = Expression::parse(expression) else { return Ok(None) };
                // A pair over the memory budget: the coupled path refuses it (with its own plan).
                let solved = match decay_rates(&Kinetic::new(&potential, problem.params)?, opts) {
                    Err(EngineError::TooLarge(_)) => return Ok(None),
                    solved => solved?,
                };
                let rates = solved
                    .values
                    .iter()
                    .zip(solved.study.errors.chunks(2))
                    .map(|(&(re, im), e)| Rate { value: c64::new(re, im), err_re: e[0], err_sum: e[1] })
                    .collect();
                // The pair's part is parsed in x; it is named in the pair's own variable.
                let own = expression.replace("*x^", &format!("*{}^", names[*axis]));
                let description = format!("{}: {own}, resolution study (N = {})", names[*axis], solved.basis_size);
                PairRates { rates, solved: Some(solved), description }
            }
        };
        parts.push(part);
    }
    Ok(Some(combine(&parts, opts)))
}

/// The `count` slowest sums (module docs) as a [`KineticRates`]: the study of the first solved
/// pair (its levels, axes, status), with the combined values and errors, converged when every
/// solved pair converged and the combined relative error meets the tolerance.
fn combine(parts: &[PairRates], opts: &KineticOptions) -> KineticRates {
    let zero = Rate { value: c64::new(0.0, 0.0), err_re: 0.0, err_sum: 0.0 };
    let mut sums = vec![zero];
    for part in parts {
        let mut next = Vec::new();
        for s in &sums {
            next.push(*s);
            for r in &part.rates {
                next.push(s.plus(r, false));
                if r.value.im != 0.0 && s.value.im != 0.0 {
                    next.push(s.plus(r, true));
                }
            }
        }
        sums = next;
    }
    let mut rates = merge_equal(&sums[1..]);
    rates.sort_by(|a, b| a.value.re.total_cmp(&b.value.re).then(a.value.im.total_cmp(&b.value.im)));
    rates.truncate(opts.count);
    let solved: Vec<&KineticRates> = parts.iter().filter_map(|p| p.solved.as_ref()).collect();
    let values: Vec<f64> = rates.iter().flat_map(|r| [r.value.re, r.value.re + r.value.im.abs()]).collect();
    let errors: Vec<f64> = rates.iter().flat_map(|r| [r.err_re, r.err_sum]).collect();
    let rel_error = values.iter().zip(&errors).map(|(v, e)| e / v.abs()).fold(0.0, f64::max);
    let rel_error = if rel_error.is_nan() { f64::MAX } else { rel_error.min(f64::MAX) };
    let estimated = solved.iter().all(|s| s.study.estimated.iter().all(|&e| e));
    let converged = solved.iter().all(|s| s.study.converged) && rel_error <= opts.tolerance;
    let first = solved.first();
    let study = Study {
        levels: first.map_or_else(Vec::new, |s| s.study.levels.clone()),
        values,
        errors,
        estimated: vec![estimated; 2 * rates.len()],
        converged,
        rel_error,
        tolerance: opts.tolerance,
        stopped: solved.iter().find_map(|s| s.study.stopped.clone()),
        status: solved
            .iter()
            .map(|s| s.study.status.clone())
            .find(|s| *s != Status::Converged)
            .unwrap_or(Status::Converged),
    };
    let description = parts.iter().map(|p| p.description.as_str()).collect::<Vec<_>>().join("; ");
    let method =
        KineticMethod {
            w_axes: first.map_or_else(Vec::new, |s| s.method.w_axes.clone()),
            velocity_scale: first.map_or(0.0, |s| s.method.velocity_scale),
            index_set: opts.index_set,
            levels: first.map_or_else(Vec::new, |s| s.method.levels.clone()),
            stopped: solved.iter().map(|s| s.method.stopped.clone()).find(|s| s != "converged").unwrap_or_else(|| {
                if converged { "converged" } else { "tolerance: the sums' errors exceed it" }.into()
            }),
            separable: Some(format!("separable: {description}")),
            rotation: None,
        };
    KineticRates {
        values: rates.iter().map(|r| (r.value.re.max(0.0), r.value.im)).collect(),
        errors: rates.iter().map(Rate::error).collect(),
        basis_size: solved.iter().map(|s| s.basis_size).sum(),
        study,
        rel_error,
        method,
    }
}

/// Sums that their errors cannot tell apart (|Δ| ≤ 2 max error and ≤ [`CLUSTER_SPREAD`] of the
/// larger modulus, as the coupled path merges a multiple eigenvalue) reported once: their mean,
/// with the group's radius added to the largest error.
fn merge_equal(rates: &[Rate]) -> Vec<Rate> {
    let mut groups: Vec<Vec<Rate>> = Vec::new();
    for r in rates {
        let near = |g: &Vec<Rate>| {
            g.iter().any(|q| {
                let d = (q.value - r.value).norm();
                d <= 2.0 * q.error().max(r.error()) && d <= CLUSTER_SPREAD * q.value.norm().max(r.value.norm())
            })
        };
        match groups.iter_mut().find(|g| near(g)) {
            Some(g) => g.push(*r),
            None => groups.push(vec![*r]),
        }
    }
    groups
        .iter()
        .map(|g| {
            let mean = g.iter().fold(c64::new(0.0, 0.0), |s, q| s + q.value) / g.len() as f64;
            let radius = g.iter().map(|q| (q.value - mean).norm()).fold(0.0, f64::max);
            let err_re = g.iter().map(|q| q.err_re).fold(0.0, f64::max) + radius;
            let err_sum = g.iter().map(|q| q.err_sum).fold(0.0, f64::max) + 2.0 * radius;
            Rate { value: mean, err_re, err_sum }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinetic::KineticParams;

    fn both(spec: &str, count: usize, tolerance: f64) -> (KineticRates, KineticRates) {
        let potential = Expression::parse(spec).unwrap();
        let problem = Kinetic::new(&potential, KineticParams::new(1.0, 0.5).unwrap()).unwrap();
        let opts = KineticOptions { count, tolerance, ..Default::default() };
        let split = decay_rates(&problem, &opts).unwrap();
        let whole = decay_rates(&problem, &KineticOptions { separable: false, ..opts }).unwrap();
        (split, whole)
    }

    /// Pair by pair and on the coupled 4D basis: the same rates within the two stated errors.
    fn agree(spec: &str, count: usize, tolerance: f64) -> KineticRates {
        let (split, whole) = both(spec, count, tolerance);
        assert!(split.method.separable.is_some() && whole.method.separable.is_none());
        assert!(split.study.converged && whole.study.converged, "{spec}");
        assert_eq!(split.values.len(), whole.values.len());
        for i in 0..count {
            let ((a, b), (c, d)) = (split.values[i], whole.values[i]);
            let gap = (a - c).hypot(b - d);
            assert!(gap <= split.errors[i] + whole.errors[i], "{spec} rate {i}: {:?} vs {:?}", split, whole.values);
        }
        split
    }

    #[test]
    fn harmonic_pairs_match_the_coupled_solve_and_the_closed_form() {
        // y²: a = 1, λ± = (1 ± √(1 − 8))/2; x²/2: 0.5 ± 0.866i; sums (1, 0.866 ± 1.32…).
        let split = agree("x^2/2 + y^2 + 0.3*y", 3, 1e-9);
        assert!(split.method.levels.is_empty() && split.basis_size == 0);
        assert!((split.values[0].0 - 0.5).abs() < 1e-14 && (split.values[0].1 - 0.75f64.sqrt()).abs() < 1e-14);
        // Isotropic: the two pairs' rates coincide and are reported once, as the coupled path does.
        agree("x^2/2 + y^2/2", 3, 1e-9);
        // Overdamped y pair (g² > 8a): real rates (1 ± √(1 − 0.8))/2.
        let split = agree("x^2/2 + 0.1*y^2", 2, 1e-9);
        assert!((split.values[0].0 - (1.0 - 0.2f64.sqrt()) / 2.0).abs() < 1e-14);
    }

    #[test]
    fn a_weakly_confined_harmonic_pair_keeps_full_relative_accuracy() {
        // a = 1e-9, g = 1: λ₋ = (1 − √(1 − 8a))/2 = 2a + 4a² + 16a³ + …, where the direct formula
        // loses 9 digits to cancellation; 2a/λ₊ does not.
        let a = 1e-9;
        let rates = harmonic_rates(a, 1.0, 1).unwrap();
        let slowest = rates.iter().find(|r| r.value.re < 0.5).unwrap();
        let exact = 2.0 * a + 4.0 * a * a + 16.0 * a * a * a;
        assert!((slowest.value.re - exact).abs() <= slowest.err_re, "{:?} vs {exact}", slowest);
        assert!(slowest.err_re <= 1e-14 * exact, "{:?}", slowest);
    }

    #[test]
    fn a_double_well_pair_matches_the_coupled_solve() {
        let split = agree("x^4/4 - x^2/2 + y^2/2", 2, 1e-7);
        assert!(split.method.separable.as_deref().unwrap().contains("resolution study"));
        agree("x^4/4 - x^2/2 + y^4/4 + y^2/4", 2, 1e-6);
    }

    #[test]
    fn only_exact_separability_takes_the_pair_path() {
        let pairs = |s: &str| separable_pairs(&Expression::parse(s).unwrap(), false);
        assert!(pairs("x^4/4 - x^2/2 + y^2/2 + 1e-9*x*y").is_none());
        assert!(pairs("x^2/2").is_none());
        assert!(pairs("(x^2 + y^2)^2/4 + x^2").is_none());
        assert_eq!(
            pairs("x^2/2 - x + y^4").unwrap(),
            vec![Pair::Harmonic { axis: 0, a: 0.5 }, Pair::Solved { axis: 1, expression: "(1.0)*x^4".into() }]
        );
        assert!(pairs("x^2/2 + y^2/2 + 0.5*x*y").is_none());
        assert!(separable_pairs(&Expression::parse("x^2/2 + y^2/2").unwrap(), true).is_none());
    }
}

//! Normalised Hermite functions ψ_n(t) = (2^n n! √π)^{-1/2} H_n(t) e^{−t²/2} and Gauss–Hermite
//! quadrature in Hermite-function form.
//!
//! The three-term recurrence ψ_{n+1} = √(2/(n+1)) t ψ_n − √(n/(n+1)) ψ_{n−1} is run with a
//! separate logarithmic scale, so nothing overflows or underflows for N ≥ 1000 and |t| ≤ √(2N)+.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const RESCALE: f64 = 1e150;

/// ψ_0..ψ_{n−1} at t and their derivatives ψ_n' = √(n/2) ψ_{n−1} − √((n+1)/2) ψ_{n+1}.
pub fn values_and_derivatives(n: usize, t: f64) -> (Vec<f64>, Vec<f64>) {
    let psi = values(n + 1, t);
    let dpsi = (0..n)
        .map(|k| {
            let lower = if k > 0 { (k as f64 / 2.0).sqrt() * psi[k - 1] } else { 0.0 };
            lower - ((k as f64 + 1.0) / 2.0).sqrt() * psi[k + 1]
        })
        .collect();
    (psi[..n].to_vec(), dpsi)
}

/// ψ_0..ψ_{n−1} at t, by the scaled recurrence.
pub fn values(n: usize, t: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    let (mut prev, mut cur) = (0.0f64, std::f64::consts::PI.powf(-0.25));
    let mut log_scale = -0.5 * t * t;
    for k in 0..n {
        out.push(if cur == 0.0 { 0.0 } else { cur.signum() * (cur.abs().ln() + log_scale).exp() });
        let next = (2.0 / (k as f64 + 1.0)).sqrt() * t * cur - (k as f64 / (k as f64 + 1.0)).sqrt() * prev;
        prev = cur;
        cur = next;
        if cur.abs() > RESCALE {
            cur /= RESCALE;
            prev /= RESCALE;
            log_scale += RESCALE.ln();
        }
    }
    out
}

/// Gauss–Hermite rule in Hermite-function form: ∫ f(t) dt ≈ Σ λ_i f(t_i), exact when
/// f = e^{−t²}·(polynomial of degree ≤ 2q−1). λ_i = 1/Σ_{k<q} ψ_k(t_i)² (Christoffel numbers).
#[derive(Debug, Clone)]
pub struct GaussHermite {
    /// Nodes t_i (zeros of ψ_q), ascending.
    pub nodes: Vec<f64>,
    /// Weights λ_i for ∫ f(t) dt.
    pub weights: Vec<f64>,
}

impl GaussHermite {
    /// The q-point rule, computed once per q and process: a second caller of the same q waits
    /// for the first rather than computing it again (a deterministic function, so the stored
    /// rule is the one a fresh computation gives).
    pub fn new(q: usize) -> GaussHermite {
        type Slot = std::sync::Arc<OnceLock<GaussHermite>>;
        static CACHE: OnceLock<Mutex<HashMap<usize, Slot>>> = OnceLock::new();
        let slot = {
            let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
            cache.entry(q).or_default().clone()
        };
        slot.get_or_init(|| GaussHermite::compute(q)).clone()
    }

    /// The rule by Golub–Welsch: the nodes are the eigenvalues of the q×q Jacobi matrix T of the
    /// recurrence (zero diagonal, off-diagonal √(k/2)). They come in pairs ±t (and 0 for odd q),
    /// and the t² are the eigenvalues of the even-index block of T² ([`squared_nodes`], implicit
    /// QL on a tridiagonal of order ⌈q/2⌉, O(q²); the dense O(q³) solve of T only if QL stalls).
    /// Each t ≥ 0 is polished by Newton on ψ_q and its Christoffel number computed; the negative
    /// half is the mirror image, which is exactly what the same steps give from −t (every step
    /// is odd or even in t, and IEEE negation is exact).
    fn compute(q: usize) -> GaussHermite {
        let ladder = Ladder::new(q);
        let Some(squares) = squared_nodes(q) else {
            return polish_all(&ladder, dense_jacobi_eigenvalues(q));
        };
        // For odd q the smallest t² is the node 0 (ψ_q is odd).
        let zero = usize::from(q % 2 == 1);
        let mut positive: Vec<f64> =
            squares[zero..].iter().map(|&t2| newton_polish(&ladder, t2.max(0.0).sqrt())).collect();
        positive.sort_by(|a, b| a.total_cmp(b));
        let weights_positive: Vec<f64> = positive.iter().map(|&t| christoffel(&ladder, t)).collect();
        let centre = (zero == 1).then(|| (0.0, christoffel(&ladder, 0.0)));
        let nodes =
            positive.iter().rev().map(|t| -t).chain(centre.map(|c| c.0)).chain(positive.iter().copied()).collect();
        let weights = weights_positive
            .iter()
            .rev()
            .copied()
            .chain(centre.map(|c| c.1))
            .chain(weights_positive.iter().copied())
            .collect();
        GaussHermite { nodes, weights }
    }
}

/// The rule from starting values for all q nodes: each polished, sorted, weighted.
fn polish_all(ladder: &Ladder, start: Vec<f64>) -> GaussHermite {
    let mut nodes: Vec<f64> = start.into_iter().map(|t| newton_polish(ladder, t)).collect();
    nodes.sort_by(|a, b| a.total_cmp(b));
    let weights = nodes.iter().map(|&t| christoffel(ladder, t)).collect();
    GaussHermite { nodes, weights }
}

/// The coefficients of the recurrence ψ_{k+1} = a_k t ψ_k − b_k ψ_{k−1}, a_k = √(2/(k+1)),
/// b_k = √(k/(k+1)), for k < q: computed once per rule rather than once per node.
struct Ladder {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl Ladder {
    fn new(q: usize) -> Ladder {
        let a = (0..q).map(|k| (2.0 / (k as f64 + 1.0)).sqrt()).collect();
        let b = (0..q).map(|k| (k as f64 / (k as f64 + 1.0)).sqrt()).collect();
        Ladder { a, b }
    }
}

/// The eigenvalues of the q×q Jacobi matrix by a dense self-adjoint solve (O(q³)): the fallback of
/// [`squared_nodes`] and the reference its tests compare with.
fn dense_jacobi_eigenvalues(q: usize) -> Vec<f64> {
    let jacobi =
        faer::Mat::<f64>::from_fn(
            q,
            q,
            |i, j| {
                if i + 1 == j || j + 1 == i {
                    (i.max(j) as f64 / 2.0).sqrt()
                } else {
                    0.0
                }
            },
        );
    jacobi.self_adjoint_eigenvalues(faer::Side::Lower).expect("symmetric tridiagonal eigenvalues")
}

/// The eigenvalues t² of the even-index block of T² (ascending), T the Jacobi matrix with
/// T_{k−1,k} = β_k = √(k/2), k < q: the tridiagonal with diagonal β_{2j}² + β_{2j+1}² (β_k² = k/2,
/// β_0 = β_q = 0) and off-diagonal β_{2j+1}β_{2j+2} = √((2j+1)(2j+2))/2. T maps even indices to
/// odd ones and back, so these are the squares of the q nodes, each pair ±t once (and 0 once for
/// odd q). `None` if implicit QL stalls.
fn squared_nodes(q: usize) -> Option<Vec<f64>> {
    let beta2 = |k: usize| if k < q { k as f64 / 2.0 } else { 0.0 };
    let half = q.div_ceil(2);
    let mut diagonal: Vec<f64> = (0..half).map(|j| beta2(2 * j) + beta2(2 * j + 1)).collect();
    // off[j] couples rows j and j + 1; off[half − 1] = 0 ends every search for a split.
    let mut off: Vec<f64> = (0..half)
        .map(|j| if 2 * j + 2 < q { (((2 * j + 1) * (2 * j + 2)) as f64).sqrt() / 2.0 } else { 0.0 })
        .collect();
    implicit_ql(&mut diagonal, &mut off)?;
    diagonal.sort_by(|a, b| a.total_cmp(b));
    Some(diagonal)
}

/// The eigenvalues (in place, unordered) of the symmetric tridiagonal with `diagonal` and `off`
/// (off[i] couples i and i + 1, the last entry 0) by implicit QL with Wilkinson shifts (Golub &
/// Van Loan, Matrix Computations §8.3; the QL form of EISPACK's tql1), O(n²) flops. `None` if an
/// eigenvalue has not deflated after 60 sweeps.
fn implicit_ql(diagonal: &mut [f64], off: &mut [f64]) -> Option<()> {
    let n = diagonal.len();
    for l in 0..n {
        let mut sweeps = 0;
        loop {
            let m = (l..n - 1).find(|&m| negligible(off[m], diagonal[m], diagonal[m + 1])).unwrap_or(n - 1);
            if m == l {
                break;
            }
            sweeps += 1;
            if sweeps > 60 {
                return None;
            }
            ql_sweep(diagonal, off, l, m);
        }
    }
    Some(())
}

/// Whether the coupling e of two diagonal entries is below rounding beside them.
fn negligible(e: f64, d0: f64, d1: f64) -> bool {
    let size = d0.abs() + d1.abs();
    size + e.abs() == size
}

/// One implicit QL sweep with the Wilkinson shift from the leading 2×2 block on the unreduced
/// block l..=m: a chase of Givens rotations from row m up to row l.
fn ql_sweep(diagonal: &mut [f64], off: &mut [f64], l: usize, m: usize) {
    let g = (diagonal[l + 1] - diagonal[l]) / (2.0 * off[l]);
    let r = g.hypot(1.0);
    let mut g = diagonal[m] - diagonal[l] + off[l] / (g + r.copysign(g));
    let (mut s, mut c, mut p) = (1.0f64, 1.0f64, 0.0f64);
    for i in (l..m).rev() {
        let f = s * off[i];
        let b = c * off[i];
        let r = pythagoras(f, g);
        off[i + 1] = r;
        if r == 0.0 {
            // An exact split below row i: the block deflates without finishing the chase.
            diagonal[i + 1] -= p;
            off[m] = 0.0;
            return;
        }
        s = f / r;
        c = g / r;
        g = diagonal[i + 1] - p;
        let t = (diagonal[i] - g) * s + 2.0 * c * b;
        p = s * t;
        diagonal[i + 1] = g + p;
        g = c * t - b;
    }
    diagonal[l] -= p;
    off[l] = g;
    off[m] = 0.0;
}

/// √(f² + g²): the plain formula where it can neither overflow nor lose f² or g² to underflow
/// (every rotation here), `hypot` otherwise.
fn pythagoras(f: f64, g: f64) -> f64 {
    let r = (f * f + g * g).sqrt();
    if r > 1e-150 && r < 1e150 {
        r
    } else {
        f.hypot(g)
    }
}

/// Two Newton steps on ψ_q(t) = 0 (ψ_q' = √(2q) ψ_{q−1} at a zero).
fn newton_polish(ladder: &Ladder, mut t: f64) -> f64 {
    let q = ladder.a.len();
    for _ in 0..2 {
        let (lo, hi) = ratio_pair(ladder, t);
        let step = hi / ((2.0 * q as f64).sqrt() * lo - t * hi);
        if step.is_finite() {
            t -= step;
        }
    }
    t
}

/// (ψ_{q−1}(t), ψ_q(t)) up to a common positive factor.
fn ratio_pair(ladder: &Ladder, t: f64) -> (f64, f64) {
    let (mut prev, mut cur) = (0.0f64, 1.0f64);
    for (a, b) in ladder.a.iter().zip(&ladder.b) {
        let next = a * t * cur - b * prev;
        prev = cur;
        cur = next;
        let m = cur.abs().max(prev.abs());
        if m > RESCALE {
            cur /= m;
            prev /= m;
        }
    }
    (prev, cur)
}

/// 1/Σ_{k<q} ψ_k(t)², computed in logarithms.
fn christoffel(ladder: &Ladder, t: f64) -> f64 {
    let (mut prev, mut cur) = (0.0f64, std::f64::consts::PI.powf(-0.25));
    let mut log_scale = -0.5 * t * t;
    let mut sum = 0.0;
    for (a, b) in ladder.a.iter().zip(&ladder.b) {
        sum += cur * cur;
        let next = a * t * cur - b * prev;
        prev = cur;
        cur = next;
        if cur.abs() > RESCALE {
            cur /= RESCALE;
            prev /= RESCALE;
            sum /= RESCALE * RESCALE;
            log_scale += RESCALE.ln();
        }
    }
    (-(sum.ln() + 2.0 * log_scale)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as built before the O(q²) path: all q dense eigenvalues, polished and weighted alike.
    fn dense_rule(q: usize) -> GaussHermite {
        polish_all(&Ladder::new(q), dense_jacobi_eigenvalues(q))
    }

    /// Largest difference in units of f64::EPSILON·max(|x|, |y|, floor).
    fn max_ulps(x: &[f64], y: &[f64], floor: f64) -> f64 {
        x.iter()
            .zip(y)
            .map(|(a, b)| (a - b).abs() / (f64::EPSILON * a.abs().max(b.abs()).max(floor)))
            .fold(0.0, f64::max)
    }

    /// Nodes within 4 ulps of the dense path's (most identical) and exactly symmetric; a weight
    /// identical where its node is, otherwise off by no more than its node's change propagates (d ln λ/dt ≈ 2t at the
    /// outer nodes) plus a few roundings.
    #[test]
    fn tridiagonal_ql_gives_the_dense_rule() {
        for q in (1..=200).chain([257, 400, 613]) {
            assert!(squared_nodes(q).is_some(), "QL stalled at q = {q}");
            let (fast, dense) = (GaussHermite::compute(q), dense_rule(q));
            // Nodes near 0 compared on the scale of the node spacing near the origin, ~ π/√(2q).
            let spacing = std::f64::consts::PI / (2.0 * q as f64).sqrt();
            let node_ulps = max_ulps(&fast.nodes, &dense.nodes, spacing);
            assert!(node_ulps <= 4.0, "q = {q}: nodes differ by {node_ulps} ulps");
            assert!(
                (0..q).all(|i| fast.nodes[i] == -fast.nodes[q - 1 - i] && fast.weights[i] == fast.weights[q - 1 - i])
            );
            for i in 0..q {
                let (t, dt) = (dense.nodes[i], (fast.nodes[i] - dense.nodes[i]).abs());
                let dw = (fast.weights[i] - dense.weights[i]).abs() / dense.weights[i];
                let allowed = 2.0 * dt * (2.0 * t.abs() + 1.0) + 16.0 * f64::EPSILON;
                assert!(if dt == 0.0 { dw == 0.0 } else { dw <= allowed }, "q = {q}, node {i}: weight off by {dw}");
            }
        }
    }

    /// Σ λ_i e^{−t_i²} t_i^j against ∫ t^j e^{−t²} dt = Γ((j + 1)/2) (j even), 0 (j odd), j ≤ 2q − 1.
    #[test]
    fn rule_is_exact_on_polynomials_times_gaussian() {
        for q in 1..=40 {
            let rule = GaussHermite::compute(q);
            for j in 0..(2 * q).min(40) {
                let terms: Vec<f64> =
                    rule.nodes.iter().zip(&rule.weights).map(|(t, w)| w * (-t * t).exp() * t.powi(j as i32)).collect();
                let (sum, size) = (terms.iter().sum::<f64>(), terms.iter().map(|x| x.abs()).sum::<f64>());
                let exact = if j % 2 == 1 { 0.0 } else { half_integer_gamma(j / 2) };
                assert!((sum - exact).abs() <= 1e-13 * size, "q = {q}, j = {j}: {sum} vs {exact}");
            }
        }
    }

    /// Γ(k + 1/2) = (2k − 1)!!·√π/2^k.
    fn half_integer_gamma(k: usize) -> f64 {
        (0..k).fold(std::f64::consts::PI.sqrt(), |g, i| g * (i as f64 + 0.5))
    }
}

//! Restarted GMRES with a right preconditioner, shared by the kinetic inner solves
//! ([`crate::kinetic::iterative`]) and the spectral passage-time solver ([`crate::annulus`]).
//! Operators are closures `apply(x, out)` writing out = A x, so sparse, dense and matrix-free
//! operators all fit; preconditioners implement [`Preconditioner`] (x ← M⁻¹ x in place).

use rayon::prelude::*;

/// Settings of a GMRES solve.
#[derive(Debug, Clone, Copy)]
pub struct GmresParams {
    /// Stop at ‖b − Ax‖ ≤ tolerance·‖b‖ (true residual, checked at each restart).
    pub tolerance: f64,
    /// Krylov dimension between restarts.
    pub restart: usize,
    /// Largest total number of iterations.
    pub max_iterations: usize,
}

impl Default for GmresParams {
    fn default() -> Self {
        GmresParams { tolerance: 1e-12, restart: 40, max_iterations: 4000 }
    }
}

/// An operator: `apply(x, out)` sets out = A x.
pub type Apply<'a> = &'a (dyn Fn(&[f64], &mut [f64]) + Sync);

/// An approximate inverse M⁻¹ of the operator, applied in place.
pub trait Preconditioner: Sync {
    /// Overwrites x with M⁻¹ x.
    fn apply_in_place(&self, x: &mut [f64]);
}

/// The identity, as a preconditioner that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

impl Preconditioner for Identity {
    fn apply_in_place(&self, _x: &mut [f64]) {}
}

/// A sparse LU factorisation A = P L U Q as the preconditioner M⁻¹ = A⁻¹ (faer's triangular
/// solves, in place on x).
pub struct SparseLu(pub faer::sparse::linalg::solvers::Lu<usize, f64>);

impl Preconditioner for SparseLu {
    fn apply_in_place(&self, x: &mut [f64]) {
        use faer::linalg::solvers::Solve;
        let n = x.len();
        self.0.solve_in_place(faer::MatMut::from_column_major_slice_mut(x, n, 1));
    }
}

/// Vectors shorter than this are handled on one thread: below it rayon's fork–join costs more
/// than the arithmetic (the annulus solves, n ≤ 32 000, ran 3× slower on two threads).
const PARALLEL_FROM: usize = 1 << 16;

/// Euclidean inner product (rayon for long vectors). The per-chunk sums are added in index order,
/// so the result does not depend on the thread count or on work stealing.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    if a.len() < PARALLEL_FROM {
        return serial_dot(a, b);
    }
    let parts: Vec<f64> =
        a.par_chunks(PARALLEL_FROM).zip(b.par_chunks(PARALLEL_FROM)).map(|(x, y)| serial_dot(x, y)).collect();
    parts.iter().sum()
}

/// Inner product with eight independent accumulators (vectorises).
fn serial_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// y += α x (rayon for long vectors).
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    if y.len() < PARALLEL_FROM {
        y.iter_mut().zip(x).for_each(|(y, x)| *y += alpha * x);
    } else {
        y.par_iter_mut().zip(x.par_iter()).for_each(|(y, x)| *y += alpha * x);
    }
}

/// Solves A x = b by restarted GMRES on A M⁻¹, starting from the given x; returns the number of
/// iterations and the final relative true residual ‖b − Ax‖/‖b‖, recomputed at every restart.
pub fn gmres<M: Preconditioner + ?Sized>(
    a: Apply,
    m: &M,
    b: &[f64],
    x: &mut [f64],
    params: GmresParams,
) -> (usize, f64) {
    let n = b.len();
    let bnorm = dot(b, b).sqrt();
    if bnorm == 0.0 {
        x.iter_mut().for_each(|v| *v = 0.0);
        return (0, 0.0);
    }
    let mut r = vec![0.0; n];
    let mut iters = 0;
    loop {
        a(x, &mut r);
        r.iter_mut().zip(b).for_each(|(r, b)| *r = b - *r);
        let beta = dot(&r, &r).sqrt();
        if beta.is_nan() || beta <= params.tolerance * bnorm || iters >= params.max_iterations {
            return (iters, beta / bnorm);
        }
        let steps = params.restart.min(params.max_iterations - iters);
        let mut z = cycle(a, m, &r, beta, steps, 0.1 * params.tolerance * bnorm, &mut iters);
        m.apply_in_place(&mut z);
        axpy(1.0, &z, x);
    }
}

/// One GMRES cycle of at most `steps` Arnoldi steps on A M⁻¹ from the residual r (norm β);
/// stops early once the least-squares residual is below `stop`. Returns the correction V y, to
/// which M⁻¹ is still to be applied.
fn cycle<M: Preconditioner + ?Sized>(
    a: Apply,
    m: &M,
    r: &[f64],
    beta: f64,
    steps: usize,
    stop: f64,
    iters: &mut usize,
) -> Vec<f64> {
    let n = r.len();
    let mut v: Vec<Vec<f64>> = vec![r.iter().map(|x| x / beta).collect()];
    let mut h = vec![vec![0.0; steps]; steps + 1];
    let mut rot = vec![(1.0, 0.0); steps];
    let mut g = vec![0.0; steps + 1];
    g[0] = beta;
    let (mut z, mut w) = (vec![0.0; n], vec![0.0; n]);
    let mut k = 0;
    while k < steps {
        z.copy_from_slice(&v[k]);
        m.apply_in_place(&mut z);
        a(&z, &mut w);
        let hn = orthogonalise(&v, &mut w, |j, c| h[j][k] += c);
        h[k + 1][k] = hn;
        givens(&mut h, &mut rot, &mut g, k);
        *iters += 1;
        k += 1;
        if g[k].abs() <= stop || hn == 0.0 {
            break;
        }
        v.push(w.iter().map(|x| x / hn).collect());
    }
    let mut y = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| h[i][j] * y[j]).sum();
        y[i] = (g[i] - s) / h[i][i];
    }
    let mut u = vec![0.0; n];
    add_combination(&v, &y, &mut u);
    u
}

/// Below this ratio ‖w after‖/‖w before‖ a Gram–Schmidt pass has cancelled so much that w is
/// orthogonalised once more (Daniel–Gragg–Kaufman–Stewart criterion, η = 1/√2).
const REORTHOGONALISE_BELOW: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// Orthogonalises w against the orthonormal vectors v by classical Gram–Schmidt, repeated once
/// when the DGKS criterion ‖w‖ < η‖w₀‖ signals cancellation ("twice is enough"): each pass
/// reads every v_j twice (all inner products first, then the update) instead of the four reads of
/// two modified Gram–Schmidt passes. `record(j, c)` receives every coefficient c = ⟨w, v_j⟩;
/// returns ‖w‖ at the end.
fn orthogonalise(v: &[Vec<f64>], w: &mut [f64], mut record: impl FnMut(usize, f64)) -> f64 {
    let mut before = dot(w, w).sqrt();
    for _ in 0..2 {
        let coefficients: Vec<f64> = v.iter().map(|vj| dot(w, vj)).collect();
        for (j, &c) in coefficients.iter().enumerate() {
            record(j, c);
        }
        let negated: Vec<f64> = coefficients.iter().map(|c| -c).collect();
        add_combination(v, &negated, w);
        let after = dot(w, w).sqrt();
        if after >= REORTHOGONALISE_BELOW * before {
            return after;
        }
        before = after;
    }
    before
}

/// Entries of w updated together by [`add_combination`] (they stay in the L1 cache while every
/// v_j passes over them).
const FUSED_CHUNK: usize = 512;

/// w += Σ_j α_j v_j, each entry receiving the terms one at a time in the order j = 0, 1, … (the
/// same additions as one [`axpy`] per j, so the same bits), chunk by chunk so that w is read and
/// written once rather than once per v_j; long vectors go through [`axpy`] (rayon).
fn add_combination(v: &[Vec<f64>], alpha: &[f64], w: &mut [f64]) {
    if w.len() >= PARALLEL_FROM {
        v.iter().zip(alpha).for_each(|(vj, &a)| axpy(a, vj, w));
        return;
    }
    for (start, chunk) in (0..w.len()).step_by(FUSED_CHUNK).zip(w.chunks_mut(FUSED_CHUNK)) {
        for (vj, &a) in v.iter().zip(alpha) {
            chunk.iter_mut().zip(&vj[start..]).for_each(|(y, x)| *y += a * x);
        }
    }
}

/// Applies the previous Givens rotations to column k of the Hessenberg matrix, then the one that
/// zeroes h[k+1][k], and updates the least-squares right-hand side g.
fn givens(h: &mut [Vec<f64>], rot: &mut [(f64, f64)], g: &mut [f64], k: usize) {
    for j in 0..k {
        let (c, s) = rot[j];
        let t = c * h[j][k] + s * h[j + 1][k];
        h[j + 1][k] = -s * h[j][k] + c * h[j + 1][k];
        h[j][k] = t;
    }
    let den = h[k][k].hypot(h[k + 1][k]);
    let (c, s) = (h[k][k] / den, h[k + 1][k] / den);
    rot[k] = (c, s);
    h[k][k] = den;
    h[k + 1][k] = 0.0;
    g[k + 1] = -s * g[k];
    g[k] *= c;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_combination_equals_one_axpy_per_vector_bit_for_bit() {
        let n = 3 * FUSED_CHUNK + 37;
        let entry =
            |j: usize, i: usize| (((i * 7919 + j * 104_729) % 1009) as f64 / 1009.0 - 0.5) * 10f64.powi(j as i32 % 7);
        let v: Vec<Vec<f64>> = (0..9).map(|j| (0..n).map(|i| entry(j, i)).collect()).collect();
        let alpha: Vec<f64> = (0..9).map(|j| entry(j, j + 3) - 0.1).collect();
        let mut fused: Vec<f64> = (0..n).map(|i| entry(11, i)).collect();
        let mut reference = fused.clone();
        add_combination(&v, &alpha, &mut fused);
        v.iter().zip(&alpha).for_each(|(vj, &a)| axpy(a, vj, &mut reference));
        assert!(fused.iter().zip(&reference).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

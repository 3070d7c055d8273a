//! Phase-space quadrature (d = 1) and time evolution of the kinetic equation in the flat
//! variable u = √ψ_∞ h: ‖h‖²_* = ‖u‖², and quadratic forms in the gradients of h pointwise from
//! ∇_w h = e^{η'E/2}(∂_w u + η'∂_wL u/2), ∇_v h = e^{η'E/2}(∂_v u + η' v u/2), E = L + |v|²/2.

use super::basis::{fourier_mode, KineticBasis, WAxis};
use super::operator::Kinetic;
use crate::error::{EngineError, Result};
use crate::hermite::{values, values_and_derivatives, GaussHermite};
use faer::linalg::solvers::Solve;
use faer::sparse::SparseColMat;
use faer::{Col, Mat};

/// A tensor quadrature grid in (w, v) (d = 1) with the basis tabulated at its nodes.
#[derive(Debug, Clone)]
pub struct PhaseGrid {
    /// w nodes.
    pub w: Vec<f64>,
    /// w weights (∫ dw).
    pub w_weight: Vec<f64>,
    /// v nodes.
    pub v: Vec<f64>,
    /// v weights (∫ dv).
    pub v_weight: Vec<f64>,
    /// ∂_wL at the w nodes.
    pub force: Vec<f64>,
    /// ∂_w²L at the w nodes.
    pub hess: Vec<f64>,
    phi: Mat<f64>,
    dphi: Mat<f64>,
    chi: Mat<f64>,
    dchi: Mat<f64>,
    ddchi: Mat<f64>,
}

/// u, ∂_w u, ∂_v u at the nodes (rows: w nodes, columns: v nodes).
#[derive(Debug, Clone)]
pub struct PhaseFields {
    /// u.
    pub u: Mat<f64>,
    /// ∂_w u.
    pub u_w: Mat<f64>,
    /// ∂_v u.
    pub u_v: Mat<f64>,
    /// ∂_w∂_v u.
    pub u_wv: Mat<f64>,
    /// ∂_v² u.
    pub u_vv: Mat<f64>,
}

/// One Hermite axis: nodes, weights, φ_n and φ_n' at the nodes (q × n).
pub(crate) fn hermite_axis(centre: f64, scale: f64, n: usize, q: usize) -> (Vec<f64>, Vec<f64>, Mat<f64>, Mat<f64>) {
    let rule = GaussHermite::new(q);
    let norm = scale.sqrt().recip();
    let mut phi = Mat::zeros(q, n);
    let mut dphi = Mat::zeros(q, n);
    for (i, &t) in rule.nodes.iter().enumerate() {
        let (v, d) = values_and_derivatives(n, t);
        for k in 0..n {
            phi[(i, k)] = v[k] * norm;
            dphi[(i, k)] = d[k] * norm / scale;
        }
    }
    let x = rule.nodes.iter().map(|t| centre + scale * t).collect();
    let w = rule.weights.iter().map(|w| w * scale).collect();
    (x, w, phi, dphi)
}

/// One Fourier axis on q uniform nodes (trapezoid rule).
pub(crate) fn fourier_axis(n: usize, q: usize) -> (Vec<f64>, Vec<f64>, Mat<f64>, Mat<f64>) {
    let h = 2.0 * std::f64::consts::PI / q as f64;
    let x: Vec<f64> = (0..q).map(|i| i as f64 * h).collect();
    let phi = Mat::from_fn(q, n, |i, m| fourier_mode(m, x[i]));
    let dphi = Mat::from_fn(q, n, |i, m| {
        let k = m.div_ceil(2) as f64;
        match m {
            0 => 0.0,
            _ if m % 2 == 1 => -k * fourier_mode(m + 1, x[i]),
            _ => k * fourier_mode(m - 1, x[i]),
        }
    });
    (x, vec![h; q], phi, dphi)
}

impl PhaseGrid {
    /// A grid with `extra` more nodes than basis functions per axis (d = 1).
    pub fn new(problem: &Kinetic, basis: &KineticBasis, extra: usize) -> Result<Self> {
        if basis.dim() != 1 {
            return Err(EngineError::InvalidParameter("phase-space quadrature is implemented for d = 1".into()));
        }
        let (nw, nv) = (basis.w_sizes[0], basis.v_sizes[0]);
        let (w, w_weight, phi, dphi) = match basis.w_axes[0] {
            WAxis::Hermite { centre, scale } => hermite_axis(centre, scale, nw, nw + extra),
            WAxis::Fourier => fourier_axis(nw, 2 * nw + extra),
        };
        let (v, v_weight, chi, dchi) = hermite_axis(0.0, basis.v_scale, nv, nv + extra);
        // ψ_n'' = (t² − (2n + 1))ψ_n, divided by s².
        let s2 = basis.v_scale * basis.v_scale;
        let ddchi = Mat::from_fn(v.len(), nv, |i, n| {
            let t2 = v[i] * v[i] / s2;
            (t2 - (2 * n + 1) as f64) * chi[(i, n)] / s2
        });
        let force = w.iter().map(|&x| problem.potential.jet(&[x]).g[0]).collect();
        let hess = w.iter().map(|&x| problem.potential.jet(&[x]).h[0][0]).collect();
        Ok(PhaseGrid { w, w_weight, v, v_weight, force, hess, phi, dphi, chi, dchi, ddchi })
    }

    /// u, ∂_w u, ∂_v u at the nodes for coefficients `u` on `basis`.
    pub fn fields(&self, basis: &KineticBasis, u: &Col<f64>) -> PhaseFields {
        let mut c = Mat::<f64>::zeros(basis.w_sizes[0], basis.v_sizes[0]);
        for (i, a) in basis.indices.iter().enumerate() {
            c[(a[0], a[2])] = u[i];
        }
        // The w-factors once each: (φ c) and (φ' c) serve three and two fields (the products are
        // evaluated left to right, so the fields are the same bits as with the factor recomputed).
        let (pc, dc) = (&self.phi * &c, &self.dphi * &c);
        PhaseFields {
            u: &pc * self.chi.transpose(),
            u_w: &dc * self.chi.transpose(),
            u_v: &pc * self.dchi.transpose(),
            u_wv: &dc * self.dchi.transpose(),
            u_vv: &pc * self.ddchi.transpose(),
        }
    }

    /// ∫∫ f(i, k) dw dv over the nodes.
    pub fn integrate(&self, f: impl Fn(usize, usize) -> f64) -> f64 {
        let mut s = 0.0;
        for i in 0..self.w.len() {
            for k in 0..self.v.len() {
                s += self.w_weight[i] * self.v_weight[k] * f(i, k);
            }
        }
        s
    }

    /// (∇_w h, ∇_v h)·e^{−η'E/2} at node (i, k): ∂_w u + η'∂_wL u/2 and ∂_v u + η'v u/2.
    pub fn h_gradient(&self, f: &PhaseFields, eta: f64, i: usize, k: usize) -> (f64, f64) {
        let u = f.u[(i, k)];
        (f.u_w[(i, k)] + 0.5 * eta * self.force[i] * u, f.u_v[(i, k)] + 0.5 * eta * self.v[k] * u)
    }

    /// (∂_v∇_w h, ∂_v∇_v h)·e^{−η'E/2} at node (i, k).
    pub fn h_velocity_gradient(&self, f: &PhaseFields, eta: f64, i: usize, k: usize) -> (f64, f64) {
        let (a, b) = self.h_gradient(f, eta, i, k);
        let half = 0.5 * eta;
        let da = f.u_wv[(i, k)] + half * self.force[i] * f.u_v[(i, k)] + half * self.v[k] * a;
        let db = f.u_vv[(i, k)] + half * (f.u[(i, k)] + self.v[k] * f.u_v[(i, k)]) + half * self.v[k] * b;
        (da, db)
    }

    /// The symmetric bilinear form ⟨P∇h, ∇h'⟩_* with the 2×2 matrix P = [[p11, p12], [p12, p22]] applied
    /// to the h-gradients of two fields.
    pub fn gradient_form(&self, f: &PhaseFields, g: &PhaseFields, eta: f64, p: [f64; 3]) -> f64 {
        self.integrate(|i, k| {
            let (a1, b1) = self.h_gradient(f, eta, i, k);
            let (a2, b2) = self.h_gradient(g, eta, i, k);
            p[0] * a1 * a2 + p[1] * (a1 * b2 + a2 * b1) + p[2] * b1 * b2
        })
    }
}

/// y = A x for a sparse A.
pub fn sparse_apply(a: &SparseColMat<usize, f64>, x: &Col<f64>) -> Col<f64> {
    let mut y = Col::<f64>::zeros(a.nrows());
    let (sym, vals) = (a.symbolic(), a.val());
    for j in 0..a.ncols() {
        let xj = x[j];
        if xj == 0.0 {
            continue;
        }
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            y[sym.row_idx()[p]] += vals[p] * xj;
        }
    }
    y
}

/// Largest absolute row sum of a sparse matrix (a bound on ‖A‖).
pub fn norm_bound(a: &SparseColMat<usize, f64>) -> f64 {
    let mut rows = vec![0.0f64; a.nrows()];
    let (sym, vals) = (a.symbolic(), a.val());
    for j in 0..a.ncols() {
        for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
            rows[sym.row_idx()[p]] += vals[p].abs();
        }
    }
    rows.into_iter().fold(0.0, f64::max)
}

/// Largest h·ν of one Taylor substep, ν = √(‖G‖₁‖G‖_∞) ≥ ‖G‖₂: the partial sums stay below
/// e^{hν}‖u‖ (cancellation costs at most ~2.6 digits, and the running bound of [`Evolution`]
/// counts it), and the truncated series costs ~1.7 matvecs per unit of hν instead of ~2.5 at
/// hν ≤ 3 (Al-Mohy & Higham 2011, Table 3.1: θ_m/m grows with m).
pub const TAYLOR_REACH: f64 = 6.0;

/// The sampled states of u' = G u and, for each, a bound on the error of the computed state
/// to first order in the unit roundoff (rounding and series truncation of every substep; each
/// local error is carried to later times by e^{Gs}, a contraction in ‖·‖₂ because the numerical
/// range of G lies in the closed left half-plane, so the local bounds add).
#[derive(Debug, Clone)]
pub struct Evolution {
    /// u(t_k), k = 0..=steps.
    pub states: Vec<Col<f64>>,
    /// Bound on ‖ũ(t_k) − u(t_k)‖₂ (∞ when G has a non-finite entry).
    pub rounding: Vec<f64>,
}

/// u(t_k) for the sampled times t_k = k·dt, k = 0..=steps, of u' = G u (see [`evolve_bounded`]).
pub fn evolve(g: &SparseColMat<usize, f64>, u0: &Col<f64>, dt: f64, steps: usize) -> Vec<Col<f64>> {
    evolve_bounded(g, u0, dt, steps, TAYLOR_REACH).states
}

/// u(t_k), t_k = k·dt, of u' = G u with the error bounds of [`Evolution`]: each sampling interval
/// is split into s = ⌈ν·dt/reach⌉ substeps h, and each substep sums the Taylor series of e^{Gh}
/// applied to the vector until its tail is below the unit roundoff (the rule of `Series`).
pub fn evolve_bounded(g: &SparseColMat<usize, f64>, u0: &Col<f64>, dt: f64, steps: usize, reach: f64) -> Evolution {
    let mut states = Vec::with_capacity(steps + 1);
    let rounding = evolve_visit(g, u0, dt, steps, reach, |_, u| states.push(u.clone()));
    Evolution { states, rounding }
}

/// The computation of [`evolve_bounded`], handing each sampled state u(t_k) (k = 0..=steps) to
/// `visit` instead of keeping it (a caller that needs a functional of the states, such as their
/// norms, holds one vector instead of steps + 1); returns the error bounds of [`Evolution`].
pub fn evolve_visit(
    g: &SparseColMat<usize, f64>,
    u0: &Col<f64>,
    dt: f64,
    steps: usize,
    reach: f64,
    mut visit: impl FnMut(usize, &Col<f64>),
) -> Vec<f64> {
    let nu = (norm_bound(g) * column_norm_bound(g)).sqrt();
    let substeps = (nu * dt / reach).ceil().max(1.0) as usize;
    let h = dt / substeps as f64;
    let rows = RowMajor::of(g);
    let width = rows.as_ref().map_or(f64::INFINITY, |r| r.widest_row() as f64);
    let series = Series::new(h * nu, width);
    let mut scratch = TaylorScratch::new(u0.nrows());
    visit(0, u0);
    let mut rounding = vec![0.0];
    let mut u = u0.clone();
    let mut bound = 0.0;
    for k in 0..steps {
        for _ in 0..substeps {
            bound += match &rows {
                Some(rows) => scratch.step(rows, &mut u, h, &series),
                None => {
                    let (next, local) = taylor_step(g, &u, h, &series);
                    u = next;
                    local
                }
            };
        }
        visit(k + 1, &u);
        rounding.push(if rows.is_some() { bound } else { f64::INFINITY });
    }
    rounding
}

/// Largest absolute column sum of a sparse matrix (‖A‖₁).
fn column_norm_bound(a: &SparseColMat<usize, f64>) -> f64 {
    let (sym, vals) = (a.symbolic(), a.val());
    (0..a.ncols())
        .map(|j| (sym.col_ptr()[j]..sym.col_ptr()[j + 1]).map(|p| vals[p].abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

/// The stopping rule and the first-order error bound of one Taylor substep Σ_k (hG)^k u/k!, for
/// x = hν ≥ h‖G‖₂ = h‖|G|‖₂-bound and rows of at most r entries (u = unit roundoff,
/// γ_r = ru/(1 − ru)). Term k is computed from term k−1 with error
/// δ_k ≤ γ_r·x/k·‖t_{k−1}‖ + u‖t_k‖, which the later terms carry into the sum times
/// a_k = Σ_{j≥0} x^j k!/(k+j)!; adding term k costs u·‖partial sum‖. The series stops at term k
/// once its tail, ≤ ‖t_k‖·q/(1 − q) with q = x/(k + 1) < 1, is at most u·‖u‖; that tail is added
/// to the bound.
struct Series {
    /// hν.
    x: f64,
    /// γ_r.
    gamma: f64,
    /// a_k, k = 0..MAX_TERMS.
    carry: Vec<f64>,
}

/// Terms beyond which a substep stops whatever its tail (x ≤ reach keeps far below it).
const MAX_TERMS: usize = 120;

impl Series {
    fn new(x: f64, width: f64) -> Self {
        let unit = f64::EPSILON / 2.0;
        let gamma = width * unit / (1.0 - width * unit);
        let carry = (0..MAX_TERMS)
            .map(|k| {
                let (mut sum, mut term, mut j) = (1.0f64, 1.0f64, 1.0);
                while term > 1e-17 * sum && j < 400.0 {
                    term *= x / (k as f64 + j);
                    sum += term;
                    j += 1.0;
                }
                sum
            })
            .collect();
        Series { x, gamma, carry }
    }

    /// The bound's contribution of term k (norm `now`, previous term's norm `before`) and of
    /// adding it to a partial sum of norm at most `partial`.
    fn local(&self, k: usize, before: f64, now: f64, partial: f64) -> f64 {
        let unit = f64::EPSILON / 2.0;
        let delta = self.gamma * self.x / k as f64 * before + unit * now;
        self.carry[k.min(MAX_TERMS - 1)] * delta + unit * partial
    }

    /// The tail bound after term k of norm `now`, when it is below `floor`; else None.
    fn tail(&self, k: usize, now: f64, floor: f64) -> Option<f64> {
        let q = self.x / (k + 1) as f64;
        let tail = if now == 0.0 { 0.0 } else { now * q / (1.0 - q) };
        (q < 1.0 && tail <= floor || k + 1 >= MAX_TERMS).then_some(tail)
    }
}

/// The Taylor step of [`taylor_step`] on the rows of a finite G, without allocating: the same
/// operations in the same order (see [`RowMajor::apply_scaled`]), so the same bits.
struct TaylorScratch {
    term: Col<f64>,
    next: Col<f64>,
    /// The term with an extra entry 0 (see [`RowMajor`]).
    padded: Vec<f64>,
}

impl TaylorScratch {
    fn new(n: usize) -> Self {
        TaylorScratch { term: Col::zeros(n), next: Col::zeros(n), padded: vec![0.0; n + 1] }
    }

    /// u ← Σ_k (hG)^k u / k! as [`taylor_step`]; returns the substep's error bound.
    fn step(&mut self, g: &RowMajor, u: &mut Col<f64>, h: f64, series: &Series) -> f64 {
        self.term.copy_from(&*u);
        let base = u.norm_l2();
        let (mut before, mut partial, mut bound) = (base, base, 0.0);
        for k in 1..MAX_TERMS {
            g.apply_scaled(&self.term, h / k as f64, &mut self.next, &mut self.padded);
            std::mem::swap(&mut self.term, &mut self.next);
            *u += &self.term;
            let now = self.term.norm_l2();
            partial += now;
            bound += series.local(k, before, now, partial);
            if let Some(tail) = series.tail(k, now, 0.5 * f64::EPSILON * base) {
                return bound + tail;
            }
            before = now;
        }
        bound
    }
}

/// Rows handled together by [`RowMajor::apply_scaled`]: independent sums in flight at once.
const LANES: usize = 8;

/// A sparse matrix by rows, each row's entries in increasing column order, stored in slices of
/// [`LANES`] rows (sliced ELLPACK): slot k of a slice holds the k-th entry of each of its rows,
/// a short row padded with the entry 0 at the extra column n, where x is read as 0.
struct RowMajor {
    n: usize,
    /// Slots of slice s: `slice_ptr[s]..slice_ptr[s + 1]`.
    slice_ptr: Vec<usize>,
    col: Vec<u32>,
    val: Vec<f64>,
}

impl RowMajor {
    /// The rows of A, or `None` when an entry is not finite (then skipping the zero entries of x,
    /// as [`sparse_apply`] does, is not the same as multiplying by them).
    fn of(a: &SparseColMat<usize, f64>) -> Option<RowMajor> {
        let (sym, vals) = (a.symbolic(), a.val());
        if vals.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let n = a.nrows();
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for j in 0..a.ncols() {
            for p in sym.col_ptr()[j]..sym.col_ptr()[j + 1] {
                rows[sym.row_idx()[p]].push((j, vals[p]));
            }
        }
        let mut slice_ptr = vec![0];
        let (mut col, mut val) = (Vec::new(), Vec::new());
        for slice in rows.chunks(LANES) {
            let width = slice.iter().map(Vec::len).max().unwrap_or(0);
            for k in 0..width {
                for r in 0..LANES {
                    let (j, v) = slice.get(r).and_then(|row| row.get(k)).copied().unwrap_or((a.ncols(), 0.0));
                    col.push(u32::try_from(j).ok()?);
                    val.push(v);
                }
            }
            slice_ptr.push(slice_ptr[slice_ptr.len() - 1] + width);
        }
        Some(RowMajor { n, slice_ptr, col, val })
    }

    /// The most entries in a row (padding included): a bound on the terms of each row's sum.
    fn widest_row(&self) -> usize {
        self.slice_ptr.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0).max(1)
    }

    /// y = (A x)·c. Row i sums a_ij x_j over increasing j from +0, as [`sparse_apply`] adds into
    /// y_i column by column; the terms it skips (x_j = 0, and the padding 0·0) are ±0 here, which
    /// leave such a sum unchanged. Then each entry is multiplied by c, as `Col * f64` does.
    /// `padded` (length n + 1, last entry 0) receives x.
    fn apply_scaled(&self, x: &Col<f64>, c: f64, y: &mut Col<f64>, padded: &mut [f64]) {
        let nx = padded.len() - 1;
        padded[..nx].copy_from_slice(x.try_as_col_major().expect("an owned column is contiguous").as_slice());
        let y = y.try_as_col_major_mut().expect("an owned column is contiguous").as_slice_mut();
        pulp::Arch::new().dispatch(ScaledRows { rows: self, c, y, x: padded });
    }
}

/// The loop of [`RowMajor::apply_scaled`], compiled for the widest instruction set the machine
/// has (`pulp` dispatch; the same additions and multiplications in the same order, none fused,
/// so the same bits on every path). Column indices are clamped to the padding entry, which they
/// never exceed, so the reads need no bounds checks.
struct ScaledRows<'a> {
    rows: &'a RowMajor,
    c: f64,
    y: &'a mut [f64],
    x: &'a [f64],
}

impl pulp::WithSimd for ScaledRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let ScaledRows { rows: a, c, y, x } = self;
        let last = x.len() - 1;
        for (s, out) in y[..a.n].chunks_mut(LANES).enumerate() {
            let (lo, hi) = (a.slice_ptr[s] * LANES, a.slice_ptr[s + 1] * LANES);
            let mut acc = [0.0; LANES];
            for (cols, vals) in a.col[lo..hi].chunks_exact(LANES).zip(a.val[lo..hi].chunks_exact(LANES)) {
                for r in 0..LANES {
                    acc[r] += vals[r] * x[(cols[r] as usize).min(last)];
                }
            }
            for (yi, v) in out.iter_mut().zip(acc) {
                *yi = v * c;
            }
        }
    }
}

/// One substep u ← Σ_k (hG)^k u / k! by column scatters, with its error bound (rule of [`Series`]).
fn taylor_step(g: &SparseColMat<usize, f64>, u: &Col<f64>, h: f64, series: &Series) -> (Col<f64>, f64) {
    let mut term = u.clone();
    let mut sum = u.clone();
    let base = u.norm_l2();
    let (mut before, mut partial, mut bound) = (base, base, 0.0);
    for k in 1..MAX_TERMS {
        term = sparse_apply(g, &term) * (h / k as f64);
        sum += &term;
        let now = term.norm_l2();
        partial += now;
        bound += series.local(k, before, now, partial);
        if let Some(tail) = series.tail(k, now, 0.5 * f64::EPSILON * base) {
            return (sum, bound + tail);
        }
        before = now;
    }
    (sum, bound)
}

/// Coefficients on `big` of a vector given on `small` (zero padding; `big` must contain `small`).
pub fn pad(small: &KineticBasis, big: &KineticBasis, u: &Col<f64>) -> Result<Col<f64>> {
    let mut out = Col::<f64>::zeros(big.len());
    for (i, a) in small.indices.iter().enumerate() {
        let j = big
            .position(a)
            .ok_or_else(|| EngineError::InvalidParameter("the larger basis does not contain the smaller".into()))?;
        out[j] = u[i];
    }
    Ok(out)
}

/// u(t_k), k = 0..=steps, t_k = k·dt, of u' = G u by the Crank–Nicolson rule with `substeps`
/// equal steps h = dt/substeps per interval: (I − hG/2)u_{n+1} = (I + hG/2)u_n, through one sparse
/// LU of G − σI, σ = 2/h. Since G + σI = (G − σI) + 2σI, the step is
/// u_{n+1} = −(G − σI)^{-1}(G + σI)u_n = −(u_n + 2σx), (G − σI)x = u_n: one solve and no product
/// with G. Second order in h; A-stable (|amplification| ≤ 1 on the closed left half-plane, where
/// the numerical range of G lies), so any h is stable.
pub fn evolve_implicit(
    g: &SparseColMat<usize, f64>,
    u0: &Col<f64>,
    dt: f64,
    steps: usize,
    substeps: usize,
) -> Result<Vec<Col<f64>>> {
    let h = dt / substeps.max(1) as f64;
    let shift = 2.0 / h;
    let lu = super::spectrum::shifted_lu(g, shift)?;
    let mut out = vec![u0.clone()];
    let mut u = u0.clone();
    let mut x = Mat::<f64>::zeros(u0.nrows(), 1);
    for _ in 0..steps {
        for _ in 0..substeps.max(1) {
            x.col_mut(0).copy_from(&u);
            lu.solve_in_place(x.as_mut());
            u.iter_mut().zip(x.col(0).iter()).for_each(|(ui, xi)| *ui = -(*ui + 2.0 * shift * xi));
        }
        if u.iter().any(|c| !c.is_finite()) {
            return Err(EngineError::Numerical("the implicit time evolution produced a non-finite state".into()));
        }
        out.push(u.clone());
    }
    Ok(out)
}

/// The normalised w-density ρ = e^{−η'L}/Z and the basis w-functions φ_n on a uniform midpoint
/// grid of [a, b] (d = 1, Hermite w-axis): the w-marginal of ψ = ψ_∞ + √ψ_∞ u is
/// p(w) = ρ(w) + √ρ(w) Σ_n u_{(n, 0)} φ_n(w), since √ψ_∞ = √ρ(w)χ_0(v) and ∫χ_0χ_m dv = δ_{m0}.
#[derive(Debug, Clone)]
pub struct MarginalGrid {
    /// Midpoints.
    pub w: Vec<f64>,
    /// Spacing.
    pub h: f64,
    /// ρ at the midpoints.
    pub rho: Vec<f64>,
    /// φ_n at the midpoints (points × n_w).
    phi: Mat<f64>,
}

impl MarginalGrid {
    /// The grid of `points` midpoints on [a, b]; [a, b] must hold all but a negligible part of ρ.
    pub fn new(problem: &Kinetic, basis: &KineticBasis, a: f64, b: f64, points: usize) -> Result<Self> {
        let WAxis::Hermite { centre, scale } = basis.w_axes[0] else {
            return Err(EngineError::InvalidParameter("the w-marginal grid needs one Hermite w-axis".into()));
        };
        if basis.dim() != 1 {
            return Err(EngineError::InvalidParameter("the w-marginal grid is implemented for d = 1".into()));
        }
        let h = (b - a) / points as f64;
        let w: Vec<f64> = (0..points).map(|i| a + h * (i as f64 + 0.5)).collect();
        let eta = problem.params.eta();
        let value: Vec<f64> = w.iter().map(|&x| problem.potential.value(&[x])).collect();
        let lmin = value.iter().cloned().fold(f64::INFINITY, f64::min);
        let mut rho: Vec<f64> = value.iter().map(|l| (-eta * (l - lmin)).exp()).collect();
        let z = rho.iter().sum::<f64>() * h;
        if !(z.is_finite() && z > 0.0) {
            return Err(EngineError::Numerical("e^(-η'L) does not normalise on the marginal grid".into()));
        }
        rho.iter_mut().for_each(|r| *r /= z);
        let norm = scale.sqrt().recip();
        let nw = basis.w_sizes[0];
        let mut phi = Mat::zeros(points, nw);
        for (i, &x) in w.iter().enumerate() {
            let v = values(nw, (x - centre) / scale);
            for k in 0..nw {
                phi[(i, k)] = v[k] * norm;
            }
        }
        Ok(MarginalGrid { w, h, rho, phi })
    }

    /// p(w) at the midpoints for the state u.
    pub fn density(&self, basis: &KineticBasis, u: &Col<f64>) -> Vec<f64> {
        let mut c = Col::<f64>::zeros(basis.w_sizes[0]);
        for (i, a) in basis.indices.iter().enumerate() {
            if a[2] == 0 {
                c[a[0]] = u[i];
            }
        }
        let field = &self.phi * &c;
        (0..self.w.len()).map(|i| self.rho[i] + self.rho[i].sqrt() * field[i]).collect()
    }

    /// ∫ p f dw by the midpoint rule.
    pub fn mean(&self, density: &[f64], f: impl Fn(f64) -> f64) -> f64 {
        density.iter().zip(&self.w).map(|(p, &x)| p * f(x)).sum::<f64>() * self.h
    }

    /// Coefficients of u_0 = √ψ_∞ (χ/Z_χ − 1) for the initial density ψ_0 = ψ_∞ χ(w)/Z_χ,
    /// Z_χ = ∫ρχ dw (Maxwellian in v, ρχ/Z_χ in w): only v-index 0 is non-zero, with
    /// w-coefficients ∫ √ρ (χ/Z_χ − 1) φ_n dw by the midpoint rule.
    pub fn weighted_state(&self, basis: &KineticBasis, weight: impl Fn(f64) -> f64) -> Result<Col<f64>> {
        let chi: Vec<f64> = self.w.iter().map(|&x| weight(x)).collect();
        let z = self.rho.iter().zip(&chi).map(|(r, c)| r * c).sum::<f64>() * self.h;
        if !(z.is_finite() && z > 0.0) {
            return Err(EngineError::InvalidParameter("the initial weight has no mass under e^(-η'L)".into()));
        }
        let f = Col::<f64>::from_fn(self.w.len(), |i| self.rho[i].sqrt() * (chi[i] / z - 1.0) * self.h);
        let coeffs = self.phi.transpose() * &f;
        Ok(Col::from_fn(basis.len(), |r| {
            let a = basis.indices[r];
            if a[2] == 0 {
                coeffs[a[0]]
            } else {
                0.0
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::Triplet;

    /// A non-symmetric sparse matrix with some zero rows and columns and a state with zeros.
    fn case(n: usize) -> (SparseColMat<usize, f64>, Col<f64>) {
        let mut entries = Vec::new();
        for i in 0..n {
            for j in 0..n {
                let s = ((i * 7 + j * 13) % 17) as f64;
                if (i + 2 * j) % 5 == 0 && i % 9 != 4 {
                    entries.push(Triplet::new(i, j, (s - 8.0) / 3.0 - if i == j { 2.0 } else { 0.0 }));
                }
            }
        }
        let g = SparseColMat::try_new_from_triplets(n, n, &entries).unwrap();
        let u = Col::from_fn(n, |i| if i % 4 == 1 { 0.0 } else { ((i as f64) * 0.7).sin() });
        (g, u)
    }

    /// The sliced row-major, allocation-free step is the column-scatter step, bit for bit (row
    /// counts that do and do not fill the last slice).
    #[test]
    fn row_major_step_is_the_scatter_step() {
        for n in [1, 7, 60, 61] {
            let (g, u0) = case(n);
            let rows = RowMajor::of(&g).unwrap();
            let mut scratch = TaylorScratch::new(u0.nrows());
            let series = Series::new(0.05 * norm_bound(&g), rows.widest_row() as f64);
            let (mut fast, mut slow) = (u0.clone(), u0.clone());
            for _ in 0..6 {
                let fast_bound = scratch.step(&rows, &mut fast, 0.05, &series);
                let (next, slow_bound) = taylor_step(&g, &slow, 0.05, &series);
                slow = next;
                assert_eq!(fast_bound.to_bits(), slow_bound.to_bits(), "n = {n}");
                for i in 0..n {
                    assert_eq!(fast[i].to_bits(), slow[i].to_bits(), "n = {n}, entry {i}");
                }
            }
        }
    }
}

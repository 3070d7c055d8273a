//! Subtraction-free elimination (Grassmann–Taksar–Heyman) of a symmetric banded M-matrix with zero
//! row sums except for a non-negative excess, blocked for the cache: a block of pivots is
//! eliminated within itself, then applied to the rows below it in one sweep that reads each
//! trailing entry once per block rather than once per pivot. Every entry still receives its
//! updates one at a time in pivot order, so the result is bit-identical to the unblocked
//! rank-one elimination. Only the band of `bw + BLOCK` active rows is held in memory, plus the
//! eliminated rows from which the solution is wanted.

/// A symmetric M-matrix with zero row sums except for a non-negative excess: half-bandwidth `bw`,
/// row k holds the couplings −a_{k,k+1..=k+bw} ≥ 0 (stored positive); the diagonal is implied,
/// a_kk = excess_k + Σ_j |a_kj|.
pub struct BandLaplacian {
    /// Half-bandwidth.
    pub bw: usize,
    /// Upper couplings, row-major, `bw` per row (entry (k, d) couples k and k + 1 + d).
    pub upper: Vec<f64>,
    /// Row excess (conductance to the Dirichlet boundary, ≥ 0).
    pub excess: Vec<f64>,
}

/// Solves A x = b for the [`BandLaplacian`] A and b ≥ 0 by subtraction-free Gaussian elimination
/// (GTH): every pivot is the carried excess plus the sum of the remaining couplings, every update
/// adds non-negative numbers, so x ≥ 0 has componentwise relative accuracy ~ N·ε regardless of
/// the condition number.
pub fn gth_band_solve(a: BandLaplacian, b: Vec<f64>) -> Vec<f64> {
    let bw = a.bw;
    let rows = |k: usize, row: &mut [f64]| row.copy_from_slice(&a.upper[k * bw..(k + 1) * bw]);
    gth_band_solve_from(bw, rows, a.excess, b, 0)
}

/// Pivots eliminated together before their update of the rows below (the trailing rows are read
/// once per block).
const BLOCK: usize = 16;

/// [`gth_band_solve`] on a matrix given row by row: `row(k, out)` writes the `bw` upper couplings
/// of row k into `out` (called once per row, in increasing k). Returns x with x_k for k ≥
/// `wanted_from` (the entries before it are 0: their rows are not kept for back substitution).
pub fn gth_band_solve_from(
    bw: usize,
    mut row: impl FnMut(usize, &mut [f64]),
    mut excess: Vec<f64>,
    mut b: Vec<f64>,
    wanted_from: usize,
) -> Vec<f64> {
    let n = b.len();
    let mut pivot = vec![0.0; n];
    let mut window = Window { bw, slots: bw + BLOCK, data: vec![0.0; (bw + BLOCK) * bw] };
    let mut kept = vec![0.0; n.saturating_sub(wanted_from) * bw];
    let mut panel = vec![0.0; BLOCK * bw];
    let mut loaded = 0;
    for k0 in (0..n).step_by(BLOCK) {
        let k1 = (k0 + BLOCK).min(n);
        while loaded < n.min(k1 + bw) {
            row(loaded, window.row_mut(loaded));
            loaded += 1;
        }
        let mut block = Block { k0, k1, panel: &mut panel, pivot: &mut pivot, excess: &mut excess, b: &mut b };
        block.eliminate(&mut window);
        pulp::Arch::new().dispatch(Trailing { block: &mut block, window: &mut window, n });
        for k in k0.max(wanted_from)..k1 {
            let at = (k - wanted_from) * bw;
            kept[at..at + bw].copy_from_slice(&panel[(k - k0) * bw..(k - k0 + 1) * bw]);
        }
    }
    let mut x = vec![0.0; n];
    for k in (wanted_from..n).rev() {
        let mut acc = b[k];
        let width = bw.min(n - k - 1);
        let at = (k - wanted_from) * bw;
        for (u, xj) in kept[at..at + width].iter().zip(&x[k + 1..k + 1 + width]) {
            acc += u * xj;
        }
        x[k] = if pivot[k] > 0.0 { acc / pivot[k] } else { 0.0 };
    }
    x
}

/// The active rows of the band, row i in slot i mod `slots`.
struct Window {
    bw: usize,
    slots: usize,
    data: Vec<f64>,
}

impl Window {
    fn row_mut(&mut self, i: usize) -> &mut [f64] {
        let at = (i % self.slots) * self.bw;
        &mut self.data[at..at + self.bw]
    }
}

/// One block of pivots k0..k1 with the final rows of its pivots (`panel`, row k at k − k0).
struct Block<'a> {
    k0: usize,
    k1: usize,
    panel: &'a mut [f64],
    pivot: &'a mut [f64],
    excess: &'a mut [f64],
    b: &'a mut [f64],
}

impl Block<'_> {
    /// Eliminates the block's pivots in order, updating only the block's own rows; each pivot's
    /// final row is copied to the panel.
    fn eliminate(&mut self, window: &mut Window) {
        let bw = window.bw;
        for k in self.k0..self.k1 {
            let pk = &mut self.panel[(k - self.k0) * bw..(k - self.k0 + 1) * bw];
            pk.copy_from_slice(window.row_mut(k));
            let p = self.excess[k] + pk.iter().sum::<f64>();
            self.pivot[k] = p;
            if p == 0.0 {
                continue;
            }
            let (ek, bk) = (self.excess[k], self.b[k]);
            for (d, &c) in pk.iter().enumerate().take(self.k1 - k - 1) {
                if c == 0.0 {
                    continue;
                }
                let i = k + 1 + d;
                let l = c / p;
                self.excess[i] += l * ek;
                self.b[i] += l * bk;
                for (t, &ce) in window.row_mut(i)[..bw - d - 1].iter_mut().zip(&pk[d + 1..]) {
                    *t += l * ce;
                }
            }
        }
    }

    /// Applies the block's pivots to the rows k1..k1 + bw below it: excess, right-hand side and
    /// couplings, each entry's updates in pivot order.
    #[inline(always)]
    fn update_trailing(&mut self, window: &mut Window, n: usize) {
        let bw = window.bw;
        // (multiplier, pivot offset in the block) of the pivots reaching row i, in pivot order
        let mut reach: Vec<(f64, usize)> = Vec::with_capacity(BLOCK);
        for i in self.k1..n.min(self.k1 + bw) {
            reach.clear();
            for k in self.k0..self.k1 {
                let p = self.pivot[k];
                if p == 0.0 || i > k + bw {
                    continue;
                }
                let c = self.panel[(k - self.k0) * bw + i - k - 1];
                if c != 0.0 {
                    reach.push((c / p, k - self.k0));
                }
            }
            for &(l, t) in &reach {
                let k = self.k0 + t;
                self.excess[i] += l * self.excess[k];
                self.b[i] += l * self.b[k];
            }
            update_row(window.row_mut(i), &reach, self.panel, i - self.k0, bw);
        }
    }
}

/// [`Block::update_trailing`] compiled for the widest vectors the processor has (AVX2 here
/// rather than the SSE2 baseline). Rust never fuses a·b + c into one rounding, so every width
/// gives the same bits.
struct Trailing<'a, 'b> {
    block: &'a mut Block<'b>,
    window: &'a mut Window,
    n: usize,
}

impl pulp::WithSimd for Trailing<'_, '_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        self.block.update_trailing(self.window, self.n);
    }
}

/// Adds Σ_s l_s · panel row t_s (shifted to row i's columns) to `target` = row i, one term at a
/// time in the order of `reach`. Pivot k = k0 + t reaches the slots e < bw − (i − k0) + t: the
/// slots below the first pivot's bound take every term, eight slots at a time with the sums in
/// registers; the rest (fewer than 8 + BLOCK) term by term.
#[inline(always)]
fn update_row(target: &mut [f64], reach: &[(f64, usize)], panel: &[f64], i_rel: usize, bw: usize) {
    let Some(&(_, t_first)) = reach.first() else { return };
    // target slot e is column i + 1 + e: slot i + e − k = i_rel − t + e of pivot k's row
    let source = |t: usize, e: usize| t * bw + i_rel - t + e;
    let bound = |t: usize| (bw + t).saturating_sub(i_rel).min(bw);
    let full = bound(t_first) / 8 * 8;
    for e in (0..full).step_by(8) {
        let mut acc: [f64; 8] = target[e..e + 8].try_into().expect("eight slots");
        for &(l, t) in reach {
            let at = source(t, e);
            for (a, &u) in acc.iter_mut().zip(&panel[at..at + 8]) {
                *a += l * u;
            }
        }
        target[e..e + 8].copy_from_slice(&acc);
    }
    for &(l, t) in reach {
        let end = bound(t).max(full);
        let at = source(t, full);
        for (slot, &u) in target[full..end].iter_mut().zip(&panel[at..]) {
            *slot += l * u;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unblocked rank-one elimination, the reference the blocked one must equal bit for bit.
    fn rank_one_reference(mut a: BandLaplacian, mut b: Vec<f64>) -> Vec<f64> {
        let (n, bw) = (b.len(), a.bw);
        let mut pivot = vec![0.0; n];
        for k in 0..n {
            let row = a.upper[k * bw..(k + 1) * bw].to_vec();
            let p = a.excess[k] + row.iter().sum::<f64>();
            pivot[k] = p;
            if p == 0.0 {
                continue;
            }
            let (ek, bk) = (a.excess[k], b[k]);
            for (d, &c) in row.iter().enumerate().filter(|(_, c)| **c != 0.0) {
                let (i, l) = (k + 1 + d, c / p);
                a.excess[i] += l * ek;
                b[i] += l * bk;
                for (t, &ce) in a.upper[i * bw..i * bw + bw - d - 1].iter_mut().zip(&row[d + 1..]) {
                    *t += l * ce;
                }
            }
        }
        let mut x = vec![0.0; n];
        for k in (0..n).rev() {
            let width = bw.min(n - k - 1);
            let acc = a.upper[k * bw..k * bw + width].iter().zip(&x[k + 1..]).fold(b[k], |s, (u, x)| s + u * x);
            x[k] = if pivot[k] > 0.0 { acc / pivot[k] } else { 0.0 };
        }
        x
    }

    /// A random band Laplacian (xorshift, seeded): sparse couplings spread over 12 orders of
    /// magnitude, excess on a few rows, some rows isolated (zero pivot).
    fn random_band(n: usize, bw: usize, seed: u64) -> (BandLaplacian, Vec<f64>) {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut upper = vec![0.0; n * bw];
        for k in 0..n {
            for d in 0..bw.min(n - k - 1) {
                if next() < 0.3 {
                    upper[k * bw + d] = 10f64.powf(-12.0 * next());
                }
            }
        }
        let excess = (0..n).map(|_| if next() < 0.1 { next() } else { 0.0 }).collect();
        let b = (0..n).map(|_| next()).collect();
        (BandLaplacian { bw, upper, excess }, b)
    }

    #[test]
    fn blocked_elimination_equals_rank_one_elimination_bit_for_bit() {
        for (n, bw, seed) in [(1, 3, 1), (40, 3, 2), (100, 17, 3), (257, 40, 4), (300, 90, 5), (64, 64, 6)] {
            let (a, b) = random_band(n, bw, seed);
            let copy = BandLaplacian { bw, upper: a.upper.clone(), excess: a.excess.clone() };
            let (blocked, reference) = (gth_band_solve(a, b.clone()), rank_one_reference(copy, b));
            let same = blocked.iter().zip(&reference).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "n = {n}, bw = {bw}: blocked and rank-one eliminations differ");
        }
    }

    #[test]
    fn partial_back_substitution_keeps_the_wanted_entries() {
        let (a, b) = random_band(300, 25, 7);
        let bw = a.bw;
        let full = gth_band_solve(BandLaplacian { bw, upper: a.upper.clone(), excess: a.excess.clone() }, b.clone());
        let rows = |k: usize, row: &mut [f64]| row.copy_from_slice(&a.upper[k * bw..(k + 1) * bw]);
        let tail = gth_band_solve_from(bw, rows, a.excess.clone(), b, 200);
        assert!((200..300).all(|k| tail[k].to_bits() == full[k].to_bits()));
    }
}

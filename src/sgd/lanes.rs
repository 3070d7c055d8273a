//! The interleaved simulator: [`LANES`] chains advanced in lockstep, so that the M serial
//! additions of one chain's batch mean c̄_B = (1/M) Σ_{n∈B} c_n overlap with the other lanes'
//! (one chain's sum is a chain of dependent floating-point additions; eight independent sums
//! keep the adder busy). A lane whose chain ends takes the next chain no worker has taken yet.
//!
//! Each chain draws from its own generator in exactly the order and with exactly the
//! arithmetic of [`super::noise::BatchSampler`] (with replacement, N = 2^b: each 64-bit word
//! gives ⌊64/b⌋ indices from its low bits up; the sum in index order, divided by M in d = 1 and
//! multiplied by 1/M otherwise), so every chain's record is bit-identical to the one-chain loop
//! and independent of the lane and thread it ran on.

use super::chain::{
    chain_rng, chain_seed, run_chain, ChainRng, ChainState, Method, Observer, Problem, DIVERGENCE_BOUND,
};
use super::lane_rng::{state_of, LaneRngs};
use super::noise::Sampling;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Chains advanced together.
pub const LANES: usize = 8;

/// Per coordinate, one value per lane: coordinate i of lane l at `[i][l]`.
type ByLane = [[f64; LANES]; 3];

/// N for which the index width is fixed at compile time (the one every built-in run uses).
const TABLE: usize = 1024;

/// Draws a batch of M indices in [0, T) (T = 2^b) for every lane from its own generator — each
/// 64-bit word gives ⌊64/b⌋ indices from its low bits up — and calls `add(lane, index)` for them
/// in each lane's draw order (lanes interleaved per index).
#[inline(always)]
fn lane_sums<const T: usize, F: FnMut(usize, usize)>(batch: usize, rngs: &mut LaneRngs, mut add: F) {
    let bits = T.trailing_zeros();
    let mask = (T - 1) as u64;
    let per_word = (64 / bits) as usize;
    let mut left = batch;
    while left > 0 {
        let take = per_word.min(left);
        let mut words = rngs.next_words();
        for _ in 0..take {
            for (l, w) in words.iter_mut().enumerate() {
                add(l, (*w & mask) as usize);
                *w >>= bits;
            }
        }
        left -= take;
    }
}

/// The shifts' coordinates as contiguous columns, and how to cut a 64-bit word into indices.
pub(super) struct Columns {
    /// c_{n,i} at `cols[i][n]`.
    cols: [Vec<f64>; 3],
    /// (c_{n,1}, c_{n,2}) at `pairs[n]` when d = 2 (one 16-byte load per index).
    pairs: Vec<[f64; 2]>,
    dim: usize,
    bits: u32,
    batch: usize,
}

impl Columns {
    /// The interleaved layout when the batch is drawn with replacement from N = 2^b shifts
    /// (1 ≤ b ≤ 32), else None (the one-chain loop serves).
    pub(super) fn new(problem: &Problem) -> Option<Columns> {
        let shifts = problem.shifts;
        let n = shifts.len();
        let bits = n.is_power_of_two().then(|| n.trailing_zeros()).filter(|&b| b > 0 && b <= 32)?;
        if problem.algorithm.sampling != Sampling::WithReplacement {
            return None;
        }
        let cols = std::array::from_fn(|i| shifts.shifts.iter().map(|c| c[i]).collect());
        let pairs = if shifts.dim == 2 { shifts.shifts.iter().map(|c| [c[0], c[1]]).collect() } else { Vec::new() };
        Some(Columns { cols, pairs, dim: shifts.dim, bits, batch: problem.algorithm.batch })
    }

    /// c̄_B of every active lane, drawn from each lane's own generator (coordinate i of lane l at
    /// `out[i][l]`).
    #[inline]
    fn draw(&self, rngs: &mut LaneRngs, out: &mut ByLane) {
        // The fixed-width paths also sum for the idle lanes (their columns hold some generator
        // state; the masked indices stay in the table) and their sums are not read: cheaper than
        // testing each lane, and a running lane's sum is the same either way.
        if self.dim == 1 {
            if let Ok(c) = <&[f64; TABLE]>::try_from(&self.cols[0][..]) {
                return self.draw_full_first(c, rngs, out);
            }
        }
        if let Ok(rows) = <&[[f64; 2]; TABLE]>::try_from(&self.pairs[..]) {
            return self.draw_full_pairs(rows, rngs, out);
        }
        if self.dim == 1 {
            self.draw_first(rngs, out);
            return;
        }
        let per_word = (64 / self.bits) as usize;
        let mask = (1u64 << self.bits) - 1;
        let mut sums = [[0.0f64; 3]; LANES];
        let mut left = self.batch;
        while left > 0 {
            let take = per_word.min(left);
            let mut words = rngs.next_words();
            for _ in 0..take {
                for (s, w) in sums.iter_mut().zip(words.iter_mut()).take(rngs.len()) {
                    let n = (*w & mask) as usize;
                    s[0] += self.cols[0][n];
                    s[1] += self.cols[1][n];
                    s[2] += self.cols[2][n];
                    *w >>= self.bits;
                }
            }
            left -= take;
        }
        let inv = 1.0 / self.batch as f64;
        for (l, s) in sums.iter().enumerate() {
            for (row, si) in out.iter_mut().zip(s) {
                row[l] = si * inv;
            }
        }
    }

    /// d = 1 and N = `T`: the arithmetic of [`Columns::draw_first`] for all eight lanes, with the
    /// lane count and the index width fixed at compile time, so the eight sums stay in registers,
    /// no lane is tested and no index is bounds-checked per index.
    #[inline]
    fn draw_full_first<const T: usize>(&self, c: &[f64; T], rngs: &mut LaneRngs, out: &mut ByLane) {
        let mut sums = [0.0f64; LANES];
        lane_sums::<T, _>(self.batch, rngs, |l, n| sums[l] += c[n]);
        out[0] = sums.map(|s| s / self.batch as f64);
    }

    /// d = 2 and N = `T`, all eight lanes: the arithmetic of [`Columns::draw`] (the same
    /// additions in the same order per coordinate) on rows (c_{n,1}, c_{n,2}).
    #[inline]
    fn draw_full_pairs<const T: usize>(&self, rows: &[[f64; 2]; T], rngs: &mut LaneRngs, out: &mut ByLane) {
        let mut sums = [[0.0f64; 2]; LANES];
        lane_sums::<T, _>(self.batch, rngs, |l, n| {
            let (s, r) = (&mut sums[l], rows[n]);
            *s = [s[0] + r[0], s[1] + r[1]];
        });
        let inv = 1.0 / self.batch as f64;
        out[0] = sums.map(|s| s[0] * inv);
        out[1] = sums.map(|s| s[1] * inv);
        out[2] = [0.0; LANES];
    }

    /// d = 1: the batch mean of the first coordinates.
    #[inline]
    fn draw_first(&self, rngs: &mut LaneRngs, out: &mut ByLane) {
        let c = &self.cols[0][..];
        let per_word = (64 / self.bits) as usize;
        let mask = (1u64 << self.bits) - 1;
        let mut sums = [0.0f64; LANES];
        let mut left = self.batch;
        while left > 0 {
            let take = per_word.min(left);
            let mut words = rngs.next_words();
            for _ in 0..take {
                for (s, w) in sums.iter_mut().zip(words.iter_mut()).take(rngs.len()) {
                    *s += c[(*w & mask) as usize];
                    *w >>= self.bits;
                }
            }
            left -= take;
        }
        out[0] = sums.map(|s| s / self.batch as f64);
    }
}

/// The running lanes' states by coordinate: w_i of lane l at `w[i][l]`, z_i at `z[i][l]` (the
/// columns of idle lanes hold stale states, stepped and never read).
#[derive(Default)]
struct LaneStates {
    w: ByLane,
    z: ByLane,
}

impl LaneStates {
    /// Lane `l` takes `state`.
    fn set(&mut self, l: usize, state: &ChainState) {
        for (row, x) in self.w.iter_mut().zip(state.w).chain(self.z.iter_mut().zip(state.z)) {
            row[l] = x;
        }
    }

    /// Lane `l`'s state.
    fn get(&self, l: usize) -> ChainState {
        ChainState { w: std::array::from_fn(|i| self.w[i][l]), z: std::array::from_fn(|i| self.z[i][l]) }
    }

    /// One step of every lane's recursion with batch noise c̄_B = `noise`, the arithmetic of
    /// [`super::chain::step_state`] lane by lane: w ← w − γ(∇L(w) + c̄_B) for SGD,
    /// z ← ξz − γ(∇L(w) + c̄_B), w ← w + z with momentum. Returns per lane whether it stayed within
    /// |w| ≤ [`DIVERGENCE_BOUND`] (and is not NaN); `active` lanes are running.
    #[inline]
    fn step(&mut self, problem: &Problem, noise: &ByLane, active: usize) -> [bool; LANES] {
        let d = problem.shifts.dim;
        let lr = problem.algorithm.lr;
        let mut grad = [[0.0; LANES]; 3];
        problem.gradient.eval_lanes(&self.w, active, &mut grad);
        let mut size = [0.0f64; LANES];
        for i in 0..d {
            let (w, z, g, c) = (&mut self.w[i], &mut self.z[i], &grad[i], &noise[i]);
            match problem.algorithm.method {
                Method::Momentum { momentum: xi } => {
                    let lanes = w.iter_mut().zip(z.iter_mut()).zip(g).zip(c).zip(size.iter_mut());
                    for ((((w, z), g), c), size) in lanes {
                        *z = xi * *z - lr * (g + c);
                        *w += *z;
                        *size = size.max(w.abs());
                    }
                }
                Method::Sgd => {
                    for (((w, g), c), size) in w.iter_mut().zip(g).zip(c).zip(size.iter_mut()) {
                        *w -= lr * (g + c);
                        *size = size.max(w.abs());
                    }
                }
            }
        }
        size.map(|s| !(s.is_nan() || s > DIVERGENCE_BOUND))
    }

    /// Lane `to` takes lane `from`'s state.
    fn copy_lane(&mut self, from: usize, to: usize) {
        for row in self.w.iter_mut().chain(self.z.iter_mut()) {
            row[to] = row[from];
        }
    }
}

/// One running chain: its index, record and steps taken (its state is in [`LaneStates`]).
struct Lane<R> {
    chain: usize,
    record: R,
    step: usize,
}

/// What one chain ended with: its record, or Err(step) at divergence.
pub(super) type Outcome<R> = std::result::Result<R, usize>;

/// Runs chains through the lanes, taking the next chain index from `next` (shared by all the
/// workers of a run, so that a lane refills whenever any chain is left and lanes idle only at the
/// very end) until `chains` are taken; returns (chain, outcome) of the chains it ran.
#[allow(clippy::too_many_arguments)]
pub(super) fn run_lanes<O: Observer>(
    problem: &Problem,
    columns: &Columns,
    initial: &(dyn Fn(usize, &mut ChainRng) -> ChainState + Sync),
    next: &AtomicUsize,
    chains: usize,
    steps: usize,
    seed: u64,
    observer: &O,
    finished: &(dyn Fn() + Sync),
) -> Vec<(usize, Outcome<O::Record>)> {
    let mut out = Vec::new();
    let mut lanes: Vec<Lane<O::Record>> = Vec::with_capacity(LANES);
    let mut rngs = LaneRngs::new();
    let mut states = LaneStates::default();
    let mut noise: ByLane = [[0.0; LANES]; 3];
    loop {
        while lanes.len() < LANES {
            let chain = next.fetch_add(1, Ordering::Relaxed);
            if chain >= chains {
                break;
            }
            let mut rng: ChainRng = chain_rng(seed, chain);
            let state = initial(chain, &mut rng);
            let record = observer.start(chain);
            match state_of(&rng, chain_seed(seed, chain)) {
                _ if steps == 0 => {
                    out.push((chain, Ok(record)));
                    finished();
                }
                Some(words) => {
                    states.set(lanes.len(), &state);
                    lanes.push(Lane { chain, record, step: 0 });
                    rngs.push(words);
                }
                None => {
                    out.push((chain, run_chain(problem, initial, chain, steps, seed, observer)));
                    finished();
                }
            }
        }
        if lanes.is_empty() {
            break;
        }
        columns.draw(&mut rngs, &mut noise);
        let kept = states.step(problem, &noise, lanes.len());
        // From the last lane down, so that a finished lane's place is taken by one already stepped.
        for l in (0..lanes.len()).rev() {
            let lane = &mut lanes[l];
            lane.step += 1;
            let outcome = if !kept[l] {
                Err(lane.step)
            } else if !observer.observe(&mut lane.record, lane.step, &states.get(l)) || lane.step == steps {
                Ok(())
            } else {
                continue;
            };
            states.copy_lane(lanes.len() - 1, l);
            let done = lanes.swap_remove(l);
            rngs.swap_remove(l);
            out.push((done.chain, outcome.map(|()| done.record)));
            finished();
        }
    }
    out
}

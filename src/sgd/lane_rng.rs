//! The generators of the interleaved lanes, stored by state word: word k of lane l at `s[k][l]`.
//! One xoshiro256++ step of every lane is then the same few operations on eight-wide arrays, which
//! the compiler turns into vector instructions; each lane's stream is exactly the stream of its
//! [`ChainRng`] (the same state, the same output function rotl(s₀ + s₃, 23) + s₀, the same update).
//!
//! A chain's generator state is not public, so it is found: `chain_rng(seed, c)` starts from the
//! four SplitMix64 outputs of its seed (how `seed_from_u64` fills the state), and the state after
//! the chain's initial draws is the one, among at most [`SEARCH`] steps from there, that compares
//! equal to the generator. A chain whose state is not found runs by the one-chain loop.

use super::chain::ChainRng;
use super::lanes::LANES;
use rand::{RngCore, SeedableRng};
use rand_xoshiro::SplitMix64;

/// Most generator steps an initial law may take for its chain to run in the lanes.
const SEARCH: usize = 4096;

/// One xoshiro256++ update of a state (without the output).
#[inline(always)]
fn advance(s: &mut [u64; 4]) {
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
}

/// The generator with state `s`.
fn generator(s: &[u64; 4]) -> ChainRng {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(s) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    ChainRng::from_seed(bytes)
}

/// The state of `rng`, a generator seeded by `seed_from_u64(seed)` and stepped at most
/// [`SEARCH`] times since; None when no such state equals it.
pub(super) fn state_of(rng: &ChainRng, seed: u64) -> Option<[u64; 4]> {
    let mut split = SplitMix64::seed_from_u64(seed);
    let mut s: [u64; 4] = std::array::from_fn(|_| split.next_u64());
    for _ in 0..=SEARCH {
        if generator(&s) == *rng {
            return Some(s);
        }
        advance(&mut s);
    }
    None
}

/// The running lanes' generators, in lane order (`len` of them; the other columns are unused).
pub(super) struct LaneRngs {
    s: [[u64; LANES]; 4],
    len: usize,
}

impl LaneRngs {
    /// No lanes.
    pub(super) fn new() -> Self {
        LaneRngs { s: [[0; LANES]; 4], len: 0 }
    }

    /// Lanes running.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Appends a lane with generator state `state`.
    pub(super) fn push(&mut self, state: [u64; 4]) {
        for (column, word) in self.s.iter_mut().zip(state) {
            column[self.len] = word;
        }
        self.len += 1;
    }

    /// Removes lane `l`; the last lane takes its place (as `Vec::swap_remove`).
    pub(super) fn swap_remove(&mut self, l: usize) {
        for column in &mut self.s {
            column[l] = column[self.len - 1];
        }
        self.len -= 1;
    }

    /// The next 64-bit output of every lane (the unused columns step too, unread).
    #[inline(always)]
    pub(super) fn next_words(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0u64; LANES];
        for l in 0..LANES {
            out[l] = s0[l].wrapping_add(s3[l]).rotate_left(23).wrapping_add(s0[l]);
            let t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = s3[l].rotate_left(45);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgd::chain::chain_rng;
    use rand::Rng;

    /// After a few draws of its own, each chain's generator is found, and the lanes' outputs
    /// continue its stream exactly, also after a lane is removed.
    #[test]
    fn lanes_continue_each_chain_stream() {
        let mut rngs: Vec<ChainRng> = (0..LANES).map(|c| chain_rng(7, c)).collect();
        let mut lanes = LaneRngs::new();
        for (c, r) in rngs.iter_mut().enumerate() {
            (0..c * 3).for_each(|_| {
                r.random::<f64>();
            });
            lanes.push(state_of(r, super::super::chain::chain_seed(7, c)).expect("state found"));
        }
        for round in 0..50 {
            if round == 20 {
                lanes.swap_remove(2);
                rngs.swap_remove(2);
            }
            let words = lanes.next_words();
            for (l, r) in rngs.iter_mut().enumerate() {
                assert_eq!(words[l], r.next_u64(), "lane {l}, round {round}");
            }
        }
    }

    /// A generator stepped past the search is not found (its chain then runs alone).
    #[test]
    fn far_states_are_not_found() {
        let mut r = chain_rng(3, 1);
        (0..SEARCH + 1).for_each(|_| {
            r.next_u64();
        });
        assert!(state_of(&r, super::super::chain::chain_seed(3, 1)).is_none());
    }
}

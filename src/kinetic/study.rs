//! When the levels of a kinetic resolution study may be trusted: a level-to-level change is an
//! error estimate only in the asymptotic regime (at least three levels, and the last two changes
//! decreasing; with four levels or more, the last three, at decay rates per added function that
//! agree within 4×, so that a jump followed by small changes, e.g. a mode entering the sorted
//! list, or noise that happens to shrink, does not pass), or once the changes sit inside the
//! rounding estimates (the resolution error is then below rounding). Before that, no digit is
//! claimed: the error stated is the larger of the value itself and the spread of the whole
//! study, and the study is not converged.
//!
//! The kinetic decay-rate study runs on [`crate::study::drive`] and supplies [`assess`] as its
//! judgement of the levels ([`crate::study::Refinable::assess`]); the overdamped studies keep
//! [`crate::resolution::assess`].

use crate::resolution::{self, tail_bound, Level, Study};

/// How one tracked value's error was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Regime {
    /// The last two level changes are within the rounding estimates.
    Settled,
    /// At least three levels and the last changes decreasing at a steady rate.
    Asymptotic,
    /// Neither: the error is the larger of the value and the spread of all levels around it.
    Unresolved,
}

/// The study implied by the levels so far, its worst relative error and the regime of each
/// tracked value (None with fewer than two levels).
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Values, errors, levels; `converged` only when every value is trusted and within tolerance.
    pub study: Study,
    /// max_i error_i/|value_i|: what the tolerance is compared with.
    pub rel_error: f64,
    /// Regime of each tracked value.
    pub regimes: Vec<Regime>,
}

impl Assessment {
    /// The study with its errors, relative error and per-value `estimated` flags (a value is
    /// estimated unless [`Regime::Unresolved`]) made consistent with this assessment.
    pub fn into_estimate(self) -> Study {
        let mut study = self.study;
        study.rel_error = self.rel_error;
        study.estimated = self.regimes.iter().map(|r| *r != Regime::Unresolved).collect();
        study
    }
}

/// Errors of the finest level's values (module docs): settled ones max(δ_K, δ_{K−1}) + r_K,
/// asymptotic ones [`tail_bound`](δ_K, δ_{K−1}) + r_K, unresolved ones
/// max(|v_K|, max_j |v_K − v_j|) + r_K, with δ_k the change from level k−1 to k and r_k the
/// rounding estimate at level k.
pub fn assess(levels: &[Level], tolerance: f64) -> Option<Assessment> {
    let mut study = resolution::assess(levels, tolerance, 0.0)?;
    let k = levels.len() - 1;
    let value = |l: usize, i: usize| levels[l].values[i];
    let change = |l: usize, i: usize| (value(l, i) - value(l - 1, i)).abs();
    let noise = |l: usize, i: usize| 2.0 * (levels[l].rounding[i] + levels[l - 1].rounding[i]);
    // Decay per added function on the largest axis between changes l−1 and l.
    let n = |l: usize| levels[l].sizes[0] as f64;
    let rate = |l: usize, i: usize| (change(l - 1, i) / change(l, i)).ln() / (n(l) - n(l - 1)).max(1.0);
    // Three decreasing changes whose decay rates agree within 4× (noise that happens to shrink
    // three times rarely does so at a steady rate).
    let consistent = |l: usize, i: usize| change(l - 1, i) < change(l - 2, i) && rate(l, i) >= rate(l - 1, i) / 4.0;
    let mut regimes = Vec::new();
    let mut errors = Vec::new();
    for i in 0..levels[k].values.len() {
        let rounding = levels[k].rounding[i];
        let (regime, error) = if k >= 2 && change(k, i) <= noise(k, i) && change(k - 1, i) <= noise(k - 1, i) {
            (Regime::Settled, change(k, i).max(change(k - 1, i)) + rounding)
        } else if k >= 2 && change(k, i) < change(k - 1, i) && (k < 3 || consistent(k, i)) {
            (Regime::Asymptotic, tail_bound(change(k, i), change(k, i) / change(k - 1, i)) + rounding)
        } else {
            // No estimate is trusted: not even the magnitude is claimed (the error is at least the
            // value itself), and at least the spread of the whole study.
            let spread = (0..k).map(|l| (value(k, i) - value(l, i)).abs()).fold(0.0, f64::max);
            (Regime::Unresolved, spread.max(value(k, i).abs()) + rounding)
        };
        regimes.push(regime);
        errors.push(error);
    }
    let relative = |i: usize| errors[i] / levels[k].values[i].abs();
    let rel_error = (0..errors.len()).map(relative).fold(0.0, f64::max);
    let rel_error = if rel_error.is_nan() { f64::MAX } else { rel_error.min(f64::MAX) };
    study.converged = regimes.iter().all(|r| *r != Regime::Unresolved) && rel_error <= tolerance;
    study.errors = errors;
    Some(Assessment { study, rel_error, regimes })
}

/// True when the rounding estimate alone exceeds the tolerance for some value at the last two
/// levels (finer levels, with a larger ‖G‖, cannot bring the error below it), once there are the
/// three levels [`assess`] needs to trust a change.
pub fn rounding_bound(levels: &[Level], tolerance: f64) -> bool {
    let k = levels.len();
    k >= 3
        && (0..levels[k - 1].values.len())
            .any(|i| levels[k - 2..].iter().all(|l| l.rounding[i] > tolerance * l.values[i].abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(n: usize, v: f64, r: f64) -> Level {
        Level { sizes: vec![n], basis_size: n * n, values: vec![v], rounding: vec![r] }
    }

    #[test]
    fn two_levels_are_never_trusted() {
        let a = assess(&[level(10, 1.0, 1e-15), level(12, 1.0 + 1e-12, 1e-15)], 1e-8).unwrap();
        assert_eq!(a.regimes[0], Regime::Unresolved);
        assert!(!a.study.converged);
    }

    #[test]
    fn decaying_changes_are_trusted_and_growing_ones_are_not() {
        let good = [level(10, 1.1, 1e-15), level(12, 1.01, 1e-15), level(14, 1.001, 1e-15)];
        let a = assess(&good, 1e-2).unwrap();
        assert_eq!(a.regimes[0], Regime::Asymptotic);
        assert!(a.study.converged && a.study.errors[0] >= 1e-3);
        // Noise: three shrinking changes at very different rates (a pre-asymptotic double well).
        let noise =
            [level(161, 0.24, 1e-15), level(193, 1.68, 1e-15), level(232, 1.43, 1e-15), level(348, 1.58, 1e-15)];
        assert_eq!(assess(&noise, 1e-1).unwrap().regimes[0], Regime::Unresolved);
        let bad = [level(10, 1.0, 1e-15), level(12, 1.001, 1e-15), level(14, 0.9, 1e-15)];
        let b = assess(&bad, 1e-1).unwrap();
        assert_eq!(b.regimes[0], Regime::Unresolved);
        assert!(!b.study.converged);
        // At least the value itself: no digit is claimed.
        assert!((b.study.errors[0] - 0.9).abs() < 1e-9);
        let wide = [level(10, 1.0, 1e-15), level(12, 3.0, 1e-15)];
        assert!((assess(&wide, 1e-1).unwrap().study.errors[0] - 3.0).abs() < 1e-9);
    }

    #[test]
    fn changes_inside_rounding_are_settled() {
        let flat = [level(10, 1.0, 1e-12), level(12, 1.0 + 1e-13, 1e-12), level(14, 1.0 - 1e-13, 1e-12)];
        let a = assess(&flat, 1e-8).unwrap();
        assert_eq!(a.regimes[0], Regime::Settled);
        assert!(a.study.converged);
        assert!(rounding_bound(&flat, 1e-13));
        assert!(!rounding_bound(&flat, 1e-10));
        assert!(!rounding_bound(&flat[..2], 1e-13));
    }
}

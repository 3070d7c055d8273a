//! Maximisation of a function of one variable by golden-section search.

/// When a golden-section search stops.
#[derive(Clone, Copy, Debug)]
pub enum Stop {
    /// After this many shrinking steps.
    Iterations(usize),
    /// When the bracket is no wider than this (and after at most [`MAX_ITERATIONS`] steps).
    Width(f64),
}

/// Most steps of a [`Stop::Width`] search: the bracket shrinks by 0.618 per step, so 200 steps
/// reach any width a finite `f64` bracket can have.
pub const MAX_ITERATIONS: usize = 200;

/// The bracket a golden-section search ends with.
#[derive(Clone, Copy, Debug)]
pub struct Bracket {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// The larger of the two interior values evaluated last.
    pub best_interior: f64,
}

impl Bracket {
    /// Centre of the bracket.
    pub fn midpoint(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }
}

/// Golden-section search for the maximum of h on [a, b]: h unimodal there (otherwise a local
/// maximum is found). Each step keeps the sub-bracket around the larger interior value, at the
/// golden ratio (√5 − 1)/2 of the bracket.
pub fn golden_max(h: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64, stop: Stop) -> Bracket {
    let ratio = 0.5 * (5f64.sqrt() - 1.0);
    let (mut c, mut d) = (b - ratio * (b - a), a + ratio * (b - a));
    let (mut hc, mut hd) = (h(c), h(d));
    let (steps, width) = match stop {
        Stop::Iterations(n) => (n, 0.0),
        Stop::Width(w) => (MAX_ITERATIONS, w),
    };
    for _ in 0..steps {
        if b - a <= width {
            break;
        }
        if hc > hd {
            (b, d, hd) = (d, c, hc);
            c = b - ratio * (b - a);
            hc = h(c);
        } else {
            (a, c, hc) = (c, d, hd);
            d = a + ratio * (b - a);
            hd = h(d);
        }
    }
    Bracket { lo: a, hi: b, best_interior: hc.max(hd) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_vertex_of_a_parabola() {
        let h = |x: f64| -(x - 0.3).powi(2) + 2.0;
        let by_steps = golden_max(&h, -1.0, 2.0, Stop::Iterations(80));
        assert!((by_steps.midpoint() - 0.3).abs() < 1e-7, "{by_steps:?}");
        let by_width = golden_max(&h, -1.0, 2.0, Stop::Width(1e-12));
        assert!(by_width.hi - by_width.lo <= 1e-12);
        assert!((by_width.best_interior - 2.0).abs() <= 4.0 * f64::EPSILON);
    }

    #[test]
    fn a_zero_width_stop_ends_after_the_step_cap() {
        let b = golden_max(&|x: f64| x, 0.0, 1.0, Stop::Width(0.0));
        assert!(b.lo <= b.hi && b.hi <= 1.0);
    }
}

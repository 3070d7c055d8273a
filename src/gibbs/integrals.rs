//! Gibbs integrals over R and R^d: ln Z = ln ∫ e^{−ηL} (d = 1, 2, 3, one or several wells) and
//! 1D interval integrals, each with an error estimate from an independent second rule (1D) or a
//! refinement study (2D, 3D).

use super::domain::{gibbs_radius, laplace_shape, low_minima, lowest_point, supported_dim, wells_overlap};
use super::integrand::{GibbsWeight, LogIntegrand};
use super::rules::{
    dist2, log_disc_integral, log_integral_1d, log_shaped_integral, log_sum_exp, log_sum_parts, LogQuantity,
};
use crate::error::{positive, EngineError, Result};
use crate::potential::Potential;

/// ln ∫_a^b e^{−ηL(x)} dx in d = 1 (a = −∞ or b = +∞ allowed).
pub fn log_interval_integral(potential: &dyn Potential, eta: f64, a: f64, b: f64) -> Result<LogQuantity> {
    positive("eta", eta)?;
    let centre = lowest_point(potential);
    let r = gibbs_radius(potential, eta, &centre)?;
    let lo = a.max(centre[0] - r);
    let hi = b.min(centre[0] + r);
    let h = |x: f64| -eta * potential.value(&[x]);
    if hi <= lo {
        // interval wholly in the negligible tail: integrate it as given
        return log_integral_1d(&h, a, b);
    }
    log_integral_1d(&h, lo, hi)
}

/// ln Z = ln ∫_{R^d} e^{−ηL(w)} dw, the normalisation of the Gibbs density p∞ = e^{−ηL}/Z.
///
/// d = 2, 3: the minima of L are located ([`low_minima`]); one well is integrated by one polar
/// rule centred on it, several by `log_partition_by_wells`, so that no narrow well is missed.
pub fn log_partition(potential: &dyn Potential, eta: f64) -> Result<LogQuantity> {
    positive("eta", eta)?;
    if supported_dim(potential)? == 1 {
        return log_interval_integral(potential, eta, f64::NEG_INFINITY, f64::INFINITY);
    }
    let centre = lowest_point(potential);
    let r = gibbs_radius(potential, eta, &centre)?;
    let wells = low_minima(potential, eta, &centre, r);
    let g = GibbsWeight { potential, eta };
    let single = |m: &[f64]| log_shaped_integral(&g, m, r + dist2(m, &centre).sqrt(), &laplace_shape(potential, m));
    match wells.as_slice() {
        [] => log_disc_integral(&g, &centre, r),
        [m] => single(m),
        [m, ..] if wells_overlap(potential, eta, &wells) => {
            match log_disc_integral(&g, m, r + dist2(m, &centre).sqrt()) {
                Err(EngineError::NotConverged(_)) => log_partition_by_wells(potential, eta, &wells, &centre, r),
                other => other,
            }
        }
        _ => log_partition_by_wells(potential, eta, &wells, &centre, r),
    }
}

/// Wells whose partition weights are held on the stack (more use the heap; same values).
const SMALL_WELLS: usize = 8;

/// Leak of each partition function χ_k onto another minimum: e^{−28}.
const PARTITION_LEAK: f64 = 6.914e-13;

/// Z in d = 2, 3 with several wells: a smooth partition of unity χ_k ∝ e^{−|w − m_k|²/s²} over
/// the low minima m_k (χ_k e^{−ηL} ≤ e^{−28} e^{−ηL(m_k)} at the other minima), and one polar integral of e^{−ηL} χ_k
/// centred at each m_k. The error adds the parts' errors and the leak e^{−28} per well (mass
/// of another narrow well seen, unresolved, by a rule not centred on it).
pub(crate) fn log_partition_by_wells(
    potential: &dyn Potential,
    eta: f64,
    wells: &[Vec<f64>],
    centre: &[f64],
    r: f64,
) -> Result<LogQuantity> {
    let spacing = wells
        .iter()
        .enumerate()
        .flat_map(|(i, a)| wells[i + 1..].iter().map(move |b| dist2(a, b)))
        .fold(f64::INFINITY, f64::min);
    // A well lower by ΔL weighs e^{ηΔL} more: its leak into a higher well's part must stay e^{−28}.
    let heights: Vec<f64> = wells.iter().map(|m| eta * potential.value(m)).collect();
    let spread = heights.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - heights.iter().copied().fold(f64::INFINITY, f64::min);
    let s2 = spacing / (28.0 + spread);
    let mut parts: Vec<LogQuantity> = Vec::new();
    for (own, m) in wells.iter().enumerate() {
        let g = WellPart { potential, eta, wells, own, s2 };
        let reach = r + dist2(m, centre).sqrt();
        parts.push(log_shaped_integral(&g, m, reach, &laplace_shape(potential, m))?);
    }
    Ok(log_sum_parts(&parts, PARTITION_LEAK * wells.len() as f64))
}

/// The part of the Gibbs log-weight on one well: −ηL(w) + ln χ_k(w), χ_k(w) =
/// e^{−|w − m_k|²/s²} / Σ_j e^{−|w − m_j|²/s²}.
struct WellPart<'a> {
    potential: &'a dyn Potential,
    eta: f64,
    wells: &'a [Vec<f64>],
    /// The index k of this part's well.
    own: usize,
    s2: f64,
}

impl WellPart<'_> {
    /// −ηL(w) + ln χ_k(w) given L(w) (−|w − m_k|²/s² is computed once: the k-th exponent).
    fn with_value(&self, w: &[f64], value: f64) -> f64 {
        let mut small = [0.0; SMALL_WELLS];
        let mut large = Vec::new();
        let all = if self.wells.len() <= SMALL_WELLS {
            &mut small[..self.wells.len()]
        } else {
            large.resize(self.wells.len(), 0.0);
            &mut large[..]
        };
        for (a, k) in all.iter_mut().zip(self.wells) {
            *a = -dist2(w, k) / self.s2;
        }
        -self.eta * value + all[self.own] - log_sum_exp(all)
    }
}

impl LogIntegrand for WellPart<'_> {
    fn at(&self, w: &[f64]) -> f64 {
        self.with_value(w, self.potential.value(w))
    }
    fn batch(&self, columns: &[&[f64]], out: &mut [f64]) {
        self.potential.values(columns, out);
        let d = columns.len();
        let mut w = [0.0; 3];
        for (j, o) in out.iter_mut().enumerate() {
            for (wk, col) in w.iter_mut().zip(columns) {
                *wk = col[j];
            }
            *o = self.with_value(&w[..d], *o);
        }
    }
}

//! Extrapolation of a sequence of computed values to a limit, with error estimates.
//!
//! A quantity f(x) with an expansion f(x) = f(0) + c₁x + c₂x² + … is known at abscissae
//! x₀, x₁, …, x_n → 0 (x = h² for a second-order grid, x = D for a small-noise expansion, x = 1/η
//! for a Laplace expansion). The interpolating polynomial through the points, evaluated at x = 0,
//! is the Richardson / Neville–Aitken extrapolant; it removes the terms up to x^n.
//!
//! * [`neville`]: the value at 0 of the polynomial through all points (Neville–Aitken table).
//! * [`neville_prefixes`]: the values through the first 1, 2, …, n + 1 points (one table).
//! * [`weights_at_zero`]: the Lagrange weights ℓ_i(0), so that the extrapolant is Σ ℓ_i(0) y_i
//!   and an error e_i in y_i moves it by at most Σ |ℓ_i(0)| e_i.
//! * [`extrapolate`]: the extrapolant through all points with an error estimate: the change from
//!   the extrapolant without the point farthest from 0 (the size of the last correction), plus
//!   the propagated errors of the values.
//! * [`richardson_observed_order`]: three values on steps h, h/2, h/4 of a method whose order is
//!   not assumed: the observed ratio of differences gives the correction.

/// The value at x = 0 of the polynomial interpolating (x_i, y_i) (Neville–Aitken).
///
/// Panics if `x` and `y` differ in length or are empty; the abscissae must be distinct.
pub fn neville(x: &[f64], y: &[f64]) -> f64 {
    *neville_prefixes(x, y).last().expect("at least one point")
}

/// The Neville–Aitken extrapolants to x = 0 through the points 0..=i, for every i.
///
/// Entry i of the result uses the first i + 1 points; the table is built once, so the whole
/// sequence costs O(n²).
pub fn neville_prefixes(x: &[f64], y: &[f64]) -> Vec<f64> {
    assert_eq!(x.len(), y.len(), "one value per abscissa");
    let mut out = Vec::with_capacity(y.len());
    // table[j] holds the extrapolant through points j..=i.
    let mut table: Vec<f64> = Vec::with_capacity(y.len());
    for i in 0..y.len() {
        table.push(y[i]);
        for j in (0..i).rev() {
            table[j] = table[j + 1] + (table[j + 1] - table[j]) * x[i] / (x[j] - x[i]);
        }
        out.push(table[0]);
    }
    out
}

/// The Lagrange weights ℓ_i(0) = Π_{j≠i} x_j / (x_j − x_i): the extrapolant to 0 is Σ ℓ_i(0) y_i.
pub fn weights_at_zero(x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| (0..x.len()).filter(|&j| j != i).map(|j| x[j] / (x[j] - x[i])).product()).collect()
}

/// An extrapolated limit with its error estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The extrapolant through all points.
    pub value: f64,
    /// |value − previous| + Σ |ℓ_i(0)| e_i.
    pub error: f64,
    /// The extrapolant without the point farthest from 0 (one order lower).
    pub previous: f64,
    /// The Lagrange weights ℓ_i(0) of the points in `value`.
    pub weights: Vec<f64>,
}

/// The extrapolant to x = 0 through the points (x_i, y_i ± e_i), ordered from the farthest from
/// 0 to the nearest, with its error: the last correction |value − previous| (previous: through
/// the points 1..n, dropping x₀) plus the propagated errors Σ |ℓ_i(0)| e_i. With a single point
/// the value is y₀ and the correction unknown (infinite).
pub fn extrapolate(x: &[f64], y: &[f64], errors: &[f64]) -> Limit {
    assert_eq!(x.len(), errors.len(), "one error per abscissa");
    let value = neville(x, y);
    let weights = weights_at_zero(x);
    let propagated: f64 = weights.iter().zip(errors).map(|(w, e)| w.abs() * e).sum();
    let previous = if x.len() > 1 { neville(&x[1..], &y[1..]) } else { f64::NAN };
    let correction = if x.len() > 1 { (value - previous).abs() } else { f64::INFINITY };
    Limit { value, error: correction + propagated, previous, weights }
}

/// Richardson extrapolation of values a, b, c on steps h, h/2, h/4 with the observed order: the
/// differences shrink by r = |(a − b)/(b − c)| (held ≥ 1.5, so a stalled sequence is not
/// over-corrected), and the limit is c + (c − b)/(r − 1). Returns (limit, |correction|).
pub fn richardson_observed_order(a: f64, b: f64, c: f64) -> (f64, f64) {
    let ratio = ((a - b) / (b - c)).abs().max(1.5);
    let correction = (c - b) / (ratio - 1.0);
    (c + correction, correction.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(h) = e^h sampled at h = 1/2^k: Neville in h recovers f(0) = 1 to an order per point,
    /// within the interpolation remainder |Π h_i| · max f^{(n)} / n! = |Π h_i| e^{1/2} / n!.
    #[test]
    fn neville_recovers_the_limit_of_a_smooth_expansion() {
        let x: Vec<f64> = (1..=6).map(|k| 0.5f64.powi(k)).collect();
        let y: Vec<f64> = x.iter().map(|h| h.exp()).collect();
        let prefixes = neville_prefixes(&x, &y);
        let errors: Vec<f64> = prefixes.iter().map(|v| (v - 1.0).abs()).collect();
        let remainder = x.iter().product::<f64>() * 0.5f64.exp() / 720.0;
        assert!(errors[5] <= remainder && remainder < 2e-9, "six points: {:.1e} vs {remainder:.1e}", errors[5]);
        assert!(errors.windows(2).all(|w| w[1] < w[0]), "each point gains an order: {errors:?}");
        assert_eq!(neville(&x, &y), prefixes[5]);
    }

    /// A polynomial of degree n is reproduced exactly by n + 1 points, and the weights sum to 1.
    #[test]
    fn polynomials_are_exact_and_weights_sum_to_one() {
        let x = [0.3, 0.2, 0.1, 0.05];
        let y: Vec<f64> = x.iter().map(|t| 2.0 - 3.0 * t + 5.0 * t * t - t * t * t).collect();
        assert!((neville(&x, &y) - 2.0).abs() < 1e-13);
        let w = weights_at_zero(&x);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let through_weights: f64 = w.iter().zip(&y).map(|(a, b)| a * b).sum();
        assert!((through_weights - 2.0).abs() < 1e-12);
    }

    /// The error estimate of a three-point extrapolation of 1 + x + x² + x³ (x = D) covers the
    /// true error, which is the x³ term the quadratic misses, and is not wildly pessimistic.
    #[test]
    fn extrapolate_error_covers_the_truth() {
        let x = [0.1, 0.05, 0.025];
        let y: Vec<f64> = x.iter().map(|t| 1.0 + t + t * t + t * t * t).collect();
        let limit = extrapolate(&x, &y, &[1e-9; 3]);
        let truth_error = (limit.value - 1.0).abs();
        assert!(truth_error > 0.0 && truth_error <= limit.error, "{truth_error:.1e} vs {:.1e}", limit.error);
        assert!(limit.error < 20.0 * truth_error, "{:.1e} vs {truth_error:.1e}", limit.error);
    }

    /// A second-order method f(h) = 1 + h² + h³: the observed-order correction lands nearer the
    /// limit than the finest value, and its size bounds the remaining error.
    #[test]
    fn observed_order_richardson_of_a_second_order_sequence() {
        let f = |h: f64| 1.0 + h * h + h * h * h;
        let (limit, correction) = richardson_observed_order(f(0.1), f(0.05), f(0.025));
        assert!((limit - 1.0).abs() < (f(0.025) - 1.0).abs());
        assert!((limit - 1.0).abs() <= correction);
    }
}

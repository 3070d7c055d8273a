//! Shared exact references for the integration tests.

use std::f64::consts::PI;

/// erf by its Taylor series (|z| ≤ 2.5: alternating terms, error ≲ 1e-14).
pub fn erf(z: f64) -> f64 {
    let (mut term, mut sum) = (z, z);
    for n in 1..200 {
        term *= -z * z / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    2.0 / PI.sqrt() * sum
}

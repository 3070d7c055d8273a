//! A computed number with its error estimate.

use serde::Serialize;

/// A number with its error estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantity {
    /// Value.
    pub value: f64,
    /// Error estimate (≥ 0).
    pub error: f64,
}

impl Quantity {
    /// A value with an error estimate.
    pub fn new(value: f64, error: f64) -> Self {
        Quantity { value, error: error.abs() }
    }
    /// An exactly known value (error 0), e.g. a constant given in closed form.
    pub fn exact(value: f64) -> Self {
        Quantity { value, error: 0.0 }
    }
    /// Lower end of the interval.
    pub fn lo(&self) -> f64 {
        self.value - self.error
    }
    /// Upper end of the interval.
    pub fn hi(&self) -> f64 {
        self.value + self.error
    }
}

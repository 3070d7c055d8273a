//! One error type for the engine: every failure is a value with one clear sentence.

use thiserror::Error;

/// Everything the engine can refuse or fail at.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EngineError {
    /// The potential expression or fixture could not be read.
    #[error("malformed potential: {0}")]
    Parse(String),
    /// The potential itself is refused: L does not tend to +∞ fast enough for e^{−L} to be
    /// integrable, is not bounded below, or is NaN somewhere.
    #[error("potential is not confining: {0}")]
    NotConfining(String),
    /// A parameter is out of range (D <= 0, NaN, xi outside (0,1), ...).
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The requested basis would not fit in memory.
    #[error("basis too large: {0}")]
    TooLarge(String),
    /// The resolution study did not reach the requested tolerance.
    #[error("not converged: {0}")]
    NotConverged(String),
    /// A linear-algebra routine failed.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// A file could not be read or written.
    #[error("i/o: {0}")]
    Io(String),
}

/// A number in short form for messages: at most 6 significant digits, exponent notation outside
/// [1e-3, 1e6), so that `1e300` never prints as 301 digits.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if (1e-3..1e6).contains(&a) {
        let text = format!("{x:.6}");
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        trimmed.to_string()
    } else {
        let text = format!("{x:.5e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa =
            if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
        format!("{mantissa}e{exponent}")
    }
}

/// Result alias used across the engine.
pub type Result<T> = std::result::Result<T, EngineError>;

/// Refuses a value that is NaN or infinite, naming it.
pub fn finite(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(EngineError::InvalidParameter(format!("{name} must be a finite number, got {}", short(value))))
    }
}

/// Refuses a value that is not finite and strictly positive, naming it.
pub fn positive(name: &str, value: f64) -> Result<f64> {
    finite(name, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(EngineError::InvalidParameter(format!("{name} must be > 0, got {}", short(value))))
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers() {
        assert_eq!(short(1e300), "1e300");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(-1.234567891e-8), "-1.23457e-8");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(123456.0), "123456");
    }
}

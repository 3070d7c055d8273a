//! Re-checking every certificate of a report (`report.json` of paper-checks): each check's
//! optional `certificate` is parsed and verified with [`crate::verify`] alone.

use crate::certificate::{verify, Certificate};
use serde_json::Value;

/// The outcome for one certificate: a label and the recomputed margin or the reason it fails.
pub struct Outcome {
    /// Which check (index, id, reading).
    pub label: String,
    /// The recomputed rigorous margin, or why the certificate does not hold.
    pub result: Result<f64, String>,
}

/// Verifies every certificate in a parsed report. Err when the document is not a report.
pub fn verify_report(report: &Value) -> Result<Vec<Outcome>, String> {
    let checks = report.get("checks").and_then(Value::as_array).ok_or("the file has no \"checks\" array")?;
    let mut out = Vec::new();
    for (i, check) in checks.iter().enumerate() {
        let Some(raw) = check.get("certificate") else { continue };
        let id = check.get("id").and_then(Value::as_str).unwrap_or("?");
        let reading = check.get("reading").and_then(Value::as_str).unwrap_or("");
        let label = format!("check {i} {id} ({})", shorten(reading, 60));
        let result = serde_json::from_value::<Certificate>(raw.clone())
            .map_err(|e| format!("unreadable certificate: {e}"))
            .and_then(|c| verify(&c));
        out.push(Outcome { label, result });
    }
    Ok(out)
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

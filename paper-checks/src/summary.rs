//! The claim table (terminal and Markdown), the counts by role and the number formats shared by
//! every rendering of the report.

use theorems::check::{Check, Role, Verdict};
use theorems::findings::{ClaimFinding, ClaimVerdict, Num};

/// Widest terminal line of the claim table.
pub const WIDTH: usize = 100;

/// `x` with `digits` significant digits, without trailing zeros or float noise
/// (0.0009999999999 → "0.001", 1234567 → "1.23e6").
pub fn num(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".into();
    }
    // The exponent after rounding to `digits` significant digits (0.0009999999999 is 1.00e-3).
    let scientific = format!("{:.*e}", digits.saturating_sub(1), x);
    let (mantissa, e) = scientific.split_once('e').expect("exponent");
    let exp: i32 = e.parse().expect("exponent");
    if !(-3..6).contains(&exp) {
        return format!("{}e{e}", trim_zeros(mantissa));
    }
    let decimals = (digits as i32 - 1 - exp).max(0) as usize;
    trim_zeros(&format!("{:.*}", decimals, x))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// An error estimate with one significant digit ("2e-10"; "0" when exact).
pub fn err(e: f64) -> String {
    if e == 0.0 {
        "0".into()
    } else {
        let s = format!("{e:.0e}");
        s.replace("e0", "").replace("e-0", "e-")
    }
}

/// "v ± e".
pub fn pm(n: &Num) -> String {
    format!("{} ± {}", num(n.value, 6), err(n.error))
}

/// A relative margin as a signed percentage ("+100%", "−5.97%").
pub fn percent(x: f64) -> String {
    let p = num(100.0 * x.abs(), 3);
    format!("{}{p}%", if x < 0.0 { "−" } else { "+" })
}

/// The setting in one line: `key=value`, without basis sizes and long lists.
pub fn setting_line(setting: &std::collections::BTreeMap<String, serde_json::Value>) -> String {
    setting
        .iter()
        .filter(|(k, _)| !k.contains("basis"))
        .map(|(k, v)| {
            let shown = match v {
                serde_json::Value::Number(n) => n.as_f64().map_or(n.to_string(), |x| num(x, 6)),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{k}={shown}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `s` cut to `n` characters, with "…" where it was cut.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// The verdict label in tables.
pub fn verdict_label(f: &ClaimFinding) -> String {
    match f.verdict {
        ClaimVerdict::False => "FALSE".into(),
        v => v.label().into(),
    }
}

/// The one-line finding of the terminal table.
pub fn short_finding(f: &ClaimFinding) -> String {
    match f.verdict {
        ClaimVerdict::False => {
            let mut s = match &f.counterexample {
                Some(ce) => match (&ce.claimed, &ce.computed, &ce.margin) {
                    (Some(c), Some(t), Some(m)) => {
                        format!("claimed {} vs true {} ({})", num(c.value, 3), num(t.value, 3), percent(m.value))
                    }
                    _ => format!("fails at {}", ce.row),
                },
                None => f.rests_on.clone(),
            };
            s += &match &f.corrected {
                Some(c) => format!("; corrected: {}", c.row.split_once(':').map_or(c.row.as_str(), |x| x.1)),
                None => "; no corrected statement".into(),
            };
            s
        }
        ClaimVerdict::HoldsUnderReading => {
            let r = f.reading.as_ref().map_or("?", |r| r.id.as_str());
            let rows = f.groups.iter().find(|g| g.reading_id == r).map_or(0, |g| g.rows);
            format!("under reading {r}: {rows}/{rows} rows PASS")
        }
        _ => f.rests_on.clone(),
    }
}

/// The claim table for the terminal: one line per claim, at most [`WIDTH`] columns.
pub fn claim_table(findings: &[ClaimFinding]) -> String {
    let id_width = findings.iter().map(|f| f.id.chars().count()).max().unwrap_or(5).max(5);
    let mut out = format!("{:<id_width$} {:<19} {}\n", "claim", "verdict", "finding");
    for f in findings {
        let head = format!("{:<id_width$} {:<19} ", f.id, verdict_label(f));
        let room = WIDTH - head.chars().count();
        out += &format!("{head}{}\n", truncate(&short_finding(f), room));
    }
    out
}

/// Rows per role with their verdicts (controls by whether they behaved as expected).
pub fn role_counts(checks: &[Check]) -> String {
    let mut out = format!("{} rows by role:\n", checks.len());
    for role in Role::ALL {
        let rows: Vec<&Check> = checks.iter().filter(|c| c.role == role).collect();
        if rows.is_empty() {
            continue;
        }
        let detail = if role == Role::Control {
            let ok = rows.iter().filter(|c| c.control_ok() == Some(true)).count();
            let mut s = format!("{ok} behave as expected");
            if ok < rows.len() {
                s += &format!(", {} control failed", rows.len() - ok);
            }
            s
        } else {
            let n = |v: Verdict| rows.iter().filter(|c| c.verdict == v).count();
            [Verdict::Pass, Verdict::Fail, Verdict::Inconclusive]
                .iter()
                .filter(|v| n(**v) > 0)
                .map(|v| format!("{} {}", n(*v), v.label()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out += &format!("  {:<11} {:>4}: {detail}\n", role.label(), rows.len());
    }
    out
}

/// Escapes a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The finding in full, for Markdown: what the verdict rests on, the counterexample, the
/// corrected statement and the other readings.
pub fn long_finding(f: &ClaimFinding) -> String {
    let mut parts = vec![f.rests_on.clone()];
    if let Some(r) = &f.reading {
        parts.push(format!("reading `{}`: {}", r.id, r.text));
    }
    if let Some(ce) = &f.counterexample {
        let mut s = format!("counterexample `{}` ({})", ce.row, setting_line(&ce.setting));
        if let (Some(w), Some(c), Some(t), Some(m)) = (&ce.what, &ce.claimed, &ce.computed, &ce.margin) {
            s += &format!(": {w}: claimed {}, computed {} ({})", num(c.value, 4), num(t.value, 4), percent(m.value));
        }
        parts.push(s);
    }
    match (&f.corrected, &f.corrected_reason) {
        (Some(c), _) => parts.push(format!("corrected (`{}`, PASS in {}): {}", c.row, c.rows, c.statement)),
        (None, Some(why)) if f.verdict == ClaimVerdict::False => parts.push(format!("no corrected statement: {why}")),
        _ => {}
    }
    let others: Vec<String> = f
        .groups
        .iter()
        .filter(|g| g.role == Role::Reading && f.reading.as_ref().is_none_or(|r| r.id != g.reading_id))
        .map(|g| format!("`{}` {} ({}/{})", g.reading_id, g.verdict.label(), g.pass, g.rows))
        .collect();
    if !others.is_empty() {
        let printed = f.groups.iter().any(|g| g.role == Role::AsPrinted);
        parts.push(format!("{}: {}", if printed { "other readings" } else { "readings" }, others.join(", ")));
    }
    parts.join("; ")
}

/// The claim table in Markdown (what the README's findings table is).
pub fn claim_table_md(findings: &[ClaimFinding]) -> String {
    let mut md = String::from("| claim | verdict | evidence | finding |\n|---|---|---|---|\n");
    for f in findings {
        md += &format!(
            "| {} | **{}** | {} | {} |\n",
            f.id,
            f.verdict.label(),
            f.evidence_kind.label(),
            cell(&long_finding(f))
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(num(0.0009999999999, 3), "0.001");
        assert_eq!(num(0.30000000000000004, 6), "0.3");
        assert_eq!(num(1234567.0, 3), "1.23e6");
        assert_eq!(num(2.5e-7, 3), "2.5e-7");
        assert_eq!(num(-0.05, 3), "-0.05");
        assert_eq!(err(2.4e-10), "2e-10");
        assert_eq!(percent(-0.0597), "−5.97%");
        assert_eq!(percent(1.0), "+100%");
    }
}

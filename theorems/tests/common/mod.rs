//! Row selection for the claim tests: by claim id, role and reading id (never by prose).
#![allow(dead_code)]

use theorems::check::{Check, Role};
use theorems::findings::{find, ClaimFinding};

/// Runs claim `id` on its built-in settings.
pub fn run(id: &str) -> Vec<Check> {
    let claim = theorems::registry().into_iter().find(|c| c.id == id).expect("registered claim");
    (claim.run)(&|_: &str| {}).expect("the claim runs")
}

/// The rows of `role` and `reading_id` (at least one, or the test is wrong).
pub fn rows<'a>(checks: &'a [Check], role: Role, reading_id: &str) -> Vec<&'a Check> {
    let out: Vec<&Check> = checks.iter().filter(|c| c.role == role && c.reading_id == reading_id).collect();
    assert!(!out.is_empty(), "no {} rows '{reading_id}'", role.label());
    out
}

/// The one row of `role` and `reading_id` whose setting `key` is `value`.
pub fn row<'a>(checks: &'a [Check], role: Role, reading_id: &str, key: &str, value: serde_json::Value) -> &'a Check {
    let found: Vec<&Check> = rows(checks, role, reading_id).into_iter().filter(|c| c.setting[key] == value).collect();
    assert_eq!(found.len(), 1, "{reading_id} with {key} = {value}");
    found[0]
}

/// The claim-level finding of `id` from its rows.
pub fn finding(id: &str, checks: &[Check]) -> ClaimFinding {
    let claim = theorems::registry().into_iter().find(|c| c.id == id).expect("registered claim");
    find(claim.id, claim.title, claim.statement, checks).expect("typed rows")
}

/// Prints the rows (shown when a test fails).
pub fn show(checks: &[Check]) {
    for (c, row) in checks.iter().zip(theorems::findings::row_ids(checks)) {
        eprintln!("{row} {} {} {:?} | {}", c.role.label(), c.outcome(), c.setting, c.evidence);
    }
}

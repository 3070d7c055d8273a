//! The verdict per claim, computed from its typed rows (never written by hand).
//!
//! - A control that did not come out as expected makes the claim `inconclusive`: the test
//!   lacked power.
//! - Otherwise the rows testing the claim as printed decide: any FAIL makes it `false`, all PASS
//!   make it `holds`, else `inconclusive`.
//! - A claim with no as-printed row (its notation needs reading, e.g. the γ of (24)) is
//!   `holds-under-reading` when a reading passes in every setting (the reading is named, and every
//!   other reading is reported beside it), `false` when every reading fails, else `inconclusive`.
//!
//! A `false` claim's counterexample is its failing row with the largest relative discrepancy
//! between the value the statement predicts and the computed one; its corrected statement is the
//! first group of `corrected` rows that passes in every setting, named by its row id
//! `claim:reading_id`. Row `k` (from 1) of a group is `claim:reading_id#k`.

use crate::check::{Check, EvidenceKind, Role, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The verdict on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimVerdict {
    /// Every as-printed row passes (and every control behaves as expected).
    Holds,
    /// An as-printed row fails beyond its error (or, with no as-printed row, every reading fails).
    False,
    /// No row tests the claim as printed; a named reading passes in every setting.
    HoldsUnderReading,
    /// A control failed, or margins are within their errors.
    Inconclusive,
}

impl ClaimVerdict {
    /// The label used in reports.
    pub fn label(&self) -> &'static str {
        match self {
            ClaimVerdict::Holds => "holds",
            ClaimVerdict::False => "false",
            ClaimVerdict::HoldsUnderReading => "holds-under-reading",
            ClaimVerdict::Inconclusive => "inconclusive",
        }
    }
}

/// A number with its error, as stored in reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Num {
    /// Value.
    pub value: f64,
    /// Error estimate.
    pub error: f64,
}

impl From<crate::check::Quantity> for Num {
    fn from(q: crate::check::Quantity) -> Self {
        Num { value: q.value, error: q.error }
    }
}

/// The rows of one claim that share a reading id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Their role.
    pub role: Role,
    /// Their reading id; `claim:reading_id` names the group.
    pub reading_id: String,
    /// The reading in words.
    pub reading: String,
    /// Number of rows (settings).
    pub rows: usize,
    /// Rows that PASS.
    pub pass: usize,
    /// Rows that FAIL.
    pub fail: usize,
    /// Rows that are INCONCLUSIVE.
    pub inconclusive: usize,
    /// The verdicts combined (any FAIL fails, else any INCONCLUSIVE, else PASS).
    pub verdict: Verdict,
    /// For controls: how many did not come out as expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls_failed: Option<usize>,
    /// The weakest evidence among the rows.
    pub evidence_kind: EvidenceKind,
}

/// The strongest failing setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counterexample {
    /// Row id, `claim:reading_id#k`.
    pub row: String,
    /// The setting.
    pub setting: BTreeMap<String, serde_json::Value>,
    /// What is compared (None when the row records no single compared quantity).
    pub what: Option<String>,
    /// The value the statement predicts.
    pub claimed: Option<Num>,
    /// The computed value.
    pub computed: Option<Num>,
    /// (claimed − computed)/|computed| with its error.
    pub margin: Option<Num>,
    /// The row's evidence sentence.
    pub evidence: String,
}

/// The nearest true statement, and the rows that verify it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corrected {
    /// The statement.
    pub statement: String,
    /// Its rows, `claim:reading_id`.
    pub row: String,
    /// How many settings verify it (all PASS).
    pub rows: usize,
}

/// A reading named by a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingRef {
    /// Reading id.
    pub id: String,
    /// The reading in words.
    pub text: String,
}

/// The finding on one claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimFinding {
    /// Claim id.
    pub id: String,
    /// One line on the claim.
    pub title: String,
    /// The claim as printed, with its equation number.
    pub statement: String,
    /// The verdict.
    pub verdict: ClaimVerdict,
    /// The reading the verdict holds under (`holds-under-reading` only).
    pub reading: Option<ReadingRef>,
    /// What the verdict rests on, in words.
    pub rests_on: String,
    /// The strongest failing setting (`false` only).
    pub counterexample: Option<Counterexample>,
    /// The nearest true statement with the rows verifying it.
    pub corrected: Option<Corrected>,
    /// Why there is no corrected statement, when there is none.
    pub corrected_reason: Option<String>,
    /// What the verdict's evidence rests on (the weakest kind among the rows it rests on).
    pub evidence_kind: EvidenceKind,
    /// Every group of rows, in report order.
    pub groups: Vec<Group>,
}

/// Row ids `claim:reading_id#k` of `checks`, in order.
pub fn row_ids(checks: &[Check]) -> Vec<String> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    checks
        .iter()
        .map(|c| {
            let k = seen.entry((c.id.clone(), c.reading_id.clone())).or_insert(0);
            *k += 1;
            format!("{}:{}#{k}", c.id, c.reading_id)
        })
        .collect()
}

/// Groups `rows` by reading id, in order of first appearance.
fn groups(rows: &[&Check]) -> Result<Vec<Group>, String> {
    let mut out: Vec<Group> = Vec::new();
    for c in rows {
        let kind = c.evidence_kind.expect("typed");
        match out.iter_mut().find(|g| g.reading_id == c.reading_id) {
            Some(g) => {
                if g.role != c.role {
                    return Err(format!("{}: reading id '{}' is used with two roles", c.id, c.reading_id));
                }
                g.rows += 1;
                g.evidence_kind = g.evidence_kind.min(kind);
            }
            None => out.push(Group {
                role: c.role,
                reading_id: c.reading_id.clone(),
                reading: c.reading.clone(),
                rows: 1,
                pass: 0,
                fail: 0,
                inconclusive: 0,
                verdict: Verdict::Pass,
                controls_failed: (c.role == Role::Control).then_some(0),
                evidence_kind: kind,
            }),
        }
        let g = out.iter_mut().find(|g| g.reading_id == c.reading_id).expect("just added");
        match c.verdict {
            Verdict::Pass => g.pass += 1,
            Verdict::Fail => g.fail += 1,
            Verdict::Inconclusive => g.inconclusive += 1,
        }
        if c.control_ok() == Some(false) {
            *g.controls_failed.get_or_insert(0) += 1;
        }
        g.verdict = Verdict::all([g.verdict, c.verdict]);
    }
    Ok(out)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The finding on claim `id` from its rows (`checks` may hold other claims' rows too).
pub fn find(id: &str, title: &str, statement: &str, checks: &[Check]) -> Result<ClaimFinding, String> {
    let ids = row_ids(checks);
    let rows: Vec<(&Check, &String)> = checks.iter().zip(&ids).filter(|(c, _)| c.id == id).collect();
    if let Some(why) = rows.iter().find_map(|(c, _)| c.untyped()) {
        return Err(why);
    }
    let checks_only: Vec<&Check> = rows.iter().map(|(c, _)| *c).collect();
    let groups = groups(&checks_only)?;
    let of_role = |r: Role| rows.iter().filter(move |(c, _)| c.role == r);
    let printed: Vec<_> = of_role(Role::AsPrinted).collect();
    let failed_control = of_role(Role::Control).find(|(c, _)| c.control_ok() == Some(false));
    let controls = of_role(Role::Control).count();
    let weakest = |rs: &mut dyn Iterator<Item = &Check>| rs.filter_map(|c| c.evidence_kind).min();

    let count = |rs: &[&(&Check, &String)], v: Verdict| rs.iter().filter(|(c, _)| c.verdict == v).count();
    let mut reading = None;
    let (verdict, mut rests_on, deciding): (ClaimVerdict, String, Vec<&(&Check, &String)>) = if let Some((c, row)) =
        failed_control
    {
        let expected = c.expected.expect("control").label();
        let why = format!(
            "control {row} came out {} where {expected} was expected: the test lacked power",
            c.verdict.label()
        );
        (ClaimVerdict::Inconclusive, why, printed.clone())
    } else if !printed.is_empty() {
        let (n, fail, inc) = (printed.len(), count(&printed, Verdict::Fail), count(&printed, Verdict::Inconclusive));
        match Verdict::all(printed.iter().map(|(c, _)| c.verdict)) {
            Verdict::Fail => (
                ClaimVerdict::False,
                format!("{fail} of {} as printed FAIL beyond their errors", plural(n, "row")),
                printed.clone(),
            ),
            Verdict::Pass => {
                (ClaimVerdict::Holds, format!("all {} as printed PASS", plural(n, "row")), printed.clone())
            }
            Verdict::Inconclusive => (
                ClaimVerdict::Inconclusive,
                format!("none of {} as printed FAILS, {inc} within their errors", plural(n, "row")),
                printed.clone(),
            ),
        }
    } else {
        let readings: Vec<&Group> = groups.iter().filter(|g| g.role == Role::Reading).collect();
        let reading_rows: Vec<_> = of_role(Role::Reading).collect();
        if let Some(g) = readings.iter().find(|g| g.verdict == Verdict::Pass) {
            reading = Some(ReadingRef { id: g.reading_id.clone(), text: g.reading.clone() });
            let deciding = reading_rows.iter().filter(|(c, _)| c.reading_id == g.reading_id).copied().collect();
            let why = format!(
                "no row tests the notation as printed; under reading {id}:{} all {} PASS",
                g.reading_id,
                plural(g.rows, "row")
            );
            (ClaimVerdict::HoldsUnderReading, why, deciding)
        } else if !readings.is_empty() && readings.iter().all(|g| g.verdict == Verdict::Fail) {
            let fail = count(&reading_rows, Verdict::Fail);
            let why = format!(
                "no row tests the notation as printed; every reading fails ({fail} of {} FAIL)",
                plural(reading_rows.len(), "row")
            );
            (ClaimVerdict::False, why, reading_rows)
        } else if readings.is_empty() {
            (ClaimVerdict::Inconclusive, "no row tests the claim".into(), Vec::new())
        } else {
            (
                ClaimVerdict::Inconclusive,
                "no reading passes in every setting, and not every reading fails".into(),
                reading_rows,
            )
        }
    };
    if controls > 0 && failed_control.is_none() {
        rests_on += &format!("; {} behave as expected", plural(controls, "control"));
    }

    let counterexample = (verdict == ClaimVerdict::False)
        .then(|| {
            deciding
                .iter()
                .filter(|(c, _)| c.verdict == Verdict::Fail)
                .max_by(|(a, _), (b, _)| {
                    let size = |c: &Check| c.margin.as_ref().map_or(-1.0, |m| m.relative().value.abs());
                    // The earliest row wins a tie.
                    size(a).total_cmp(&size(b)).then(std::cmp::Ordering::Greater)
                })
                .map(|(c, row)| Counterexample {
                    row: (*row).clone(),
                    setting: c.setting.clone(),
                    what: c.margin.as_ref().map(|m| m.what.clone()),
                    claimed: c.margin.as_ref().map(|m| m.claimed.into()),
                    computed: c.margin.as_ref().map(|m| m.computed.into()),
                    margin: c.margin.as_ref().map(|m| m.relative().into()),
                    evidence: c.evidence.clone(),
                })
        })
        .flatten();

    let corrected_groups: Vec<&Group> = groups.iter().filter(|g| g.role == Role::Corrected).collect();
    let corrected = corrected_groups.iter().find(|g| g.verdict == Verdict::Pass).map(|g| Corrected {
        statement: g.reading.clone(),
        row: format!("{id}:{}", g.reading_id),
        rows: g.rows,
    });
    let corrected_reason = corrected.is_none().then(|| match verdict {
        ClaimVerdict::Holds => "the claim holds as printed".to_string(),
        ClaimVerdict::HoldsUnderReading => "the claim holds under the named reading".to_string(),
        _ if corrected_groups.is_empty() => "no corrected statement is computed for this claim".to_string(),
        _ => format!(
            "no corrected statement passes in every setting ({})",
            corrected_groups
                .iter()
                .map(|g| format!("{id}:{} {}", g.reading_id, g.verdict.label()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    });

    let evidence_kind = match (&counterexample, deciding.is_empty()) {
        (Some(ce), _) => rows.iter().find(|(_, r)| **r == ce.row).and_then(|(c, _)| c.evidence_kind),
        (None, false) => weakest(&mut deciding.iter().map(|(c, _)| *c)),
        (None, true) => weakest(&mut rows.iter().map(|(c, _)| *c)),
    }
    .unwrap_or(EvidenceKind::Statistical);

    Ok(ClaimFinding {
        id: id.into(),
        title: title.into(),
        statement: statement.into(),
        verdict,
        reading,
        rests_on,
        counterexample,
        corrected,
        corrected_reason,
        evidence_kind,
        groups,
    })
}

/// What a findings file records per claim, and what `--expect` compares: the verdict, the reading
/// it holds under, and the corrected statement with its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// Claim id.
    pub id: String,
    /// Verdict.
    pub verdict: ClaimVerdict,
    /// Reading id for `holds-under-reading`.
    pub reading: Option<String>,
    /// The corrected statement and its row id.
    pub corrected: Option<RecordedCorrection>,
}

/// A corrected statement as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedCorrection {
    /// The statement.
    pub statement: String,
    /// Its rows, `claim:reading_id`.
    pub row: String,
}

impl From<&ClaimFinding> for Recorded {
    fn from(f: &ClaimFinding) -> Self {
        Recorded {
            id: f.id.clone(),
            verdict: f.verdict,
            reading: f.reading.as_ref().map(|r| r.id.clone()),
            corrected: f
                .corrected
                .as_ref()
                .map(|c| RecordedCorrection { statement: c.statement.clone(), row: c.row.clone() }),
        }
    }
}

/// Every difference between recorded findings and computed ones, one line each. Claims that did
/// not run are compared only when `all_ran` (then a recorded claim that is missing is a
/// difference too).
pub fn differences(recorded: &[Recorded], computed: &[ClaimFinding], all_ran: bool) -> Vec<String> {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    let show_c =
        |c: &Option<RecordedCorrection>| c.as_ref().map_or("none".into(), |c| format!("{} ({})", c.row, c.statement));
    let mut out = Vec::new();
    for f in computed {
        let now = Recorded::from(f);
        let Some(was) = recorded.iter().find(|r| r.id == f.id) else {
            out.push(format!("{}: not recorded (computed verdict {})", f.id, f.verdict.label()));
            continue;
        };
        if was.verdict != now.verdict {
            out.push(format!("{}: verdict recorded {}, computed {}", f.id, was.verdict.label(), now.verdict.label()));
        }
        if was.reading != now.reading {
            out.push(format!("{}: reading recorded {}, computed {}", f.id, show(&was.reading), show(&now.reading)));
        }
        if was.corrected != now.corrected {
            out.push(format!(
                "{}: corrected statement recorded {}, computed {}",
                f.id,
                show_c(&was.corrected),
                show_c(&now.corrected)
            ));
        }
    }
    if all_ran {
        for r in recorded.iter().filter(|r| !computed.iter().any(|f| f.id == r.id)) {
            out.push(format!("{}: recorded, but no such claim was run", r.id));
        }
    }
    out
}

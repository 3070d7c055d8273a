//! The claim-level verdict rules on synthetic rows: controls, as-printed rows, readings,
//! counterexamples, corrected statements, and the `--expect` comparison.

use theorems::check::{Check, EvidenceKind, Quantity, Role, Verdict};
use theorems::findings::{differences, find, row_ids, ClaimVerdict, Recorded};

fn row(role: Role, id: &str, verdict: Verdict) -> Check {
    let mut c = Check::new("claim", &format!("reading {id}")).typed(role, id, EvidenceKind::Converged);
    c.verdict = verdict;
    c
}

fn with_margin(mut c: Check, claimed: f64, computed: f64) -> Check {
    c.set_margin("x", Quantity::exact(claimed), Quantity::new(computed, 1e-9));
    c
}

fn verdict_of(rows: &[Check]) -> ClaimVerdict {
    find("claim", "t", "s", rows).unwrap().verdict
}

#[test]
fn as_printed_rows_decide_and_the_strongest_failure_is_the_counterexample() {
    let rows = vec![
        row(Role::AsPrinted, "a", Verdict::Pass),
        with_margin(row(Role::AsPrinted, "a", Verdict::Fail), 1.5, 1.0),
        with_margin(row(Role::AsPrinted, "b", Verdict::Fail), 3.0, 1.0),
        row(Role::Reading, "r", Verdict::Pass),
        row(Role::Corrected, "c1", Verdict::Inconclusive),
        row(Role::Corrected, "c2", Verdict::Pass),
    ];
    let f = find("claim", "t", "s", &rows).unwrap();
    assert_eq!(f.verdict, ClaimVerdict::False);
    let ce = f.counterexample.unwrap();
    assert_eq!(ce.row, "claim:b#1");
    assert!((ce.margin.unwrap().value - 2.0).abs() < 1e-12);
    // The first corrected group that passes everywhere.
    assert_eq!(f.corrected.unwrap().row, "claim:c2");
    assert_eq!(row_ids(&rows)[1], "claim:a#2");
    // All as printed pass: holds, whatever a reading does.
    let holds = vec![row(Role::AsPrinted, "a", Verdict::Pass), row(Role::Reading, "r", Verdict::Fail)];
    assert_eq!(verdict_of(&holds), ClaimVerdict::Holds);
    let within = vec![row(Role::AsPrinted, "a", Verdict::Pass), row(Role::AsPrinted, "a", Verdict::Inconclusive)];
    assert_eq!(verdict_of(&within), ClaimVerdict::Inconclusive);
}

#[test]
fn a_failed_control_makes_the_claim_inconclusive() {
    let control = |v| row(Role::Control, "k", v).control(Verdict::Fail);
    let ok = vec![row(Role::AsPrinted, "a", Verdict::Pass), control(Verdict::Fail)];
    assert_eq!(verdict_of(&ok), ClaimVerdict::Holds);
    assert_eq!(ok[1].outcome(), "control behaves as expected");
    for v in [Verdict::Pass, Verdict::Inconclusive] {
        let failed = vec![row(Role::AsPrinted, "a", Verdict::Pass), control(v)];
        let f = find("claim", "t", "s", &failed).unwrap();
        assert_eq!(f.verdict, ClaimVerdict::Inconclusive);
        assert!(f.rests_on.contains("claim:k#1"), "{}", f.rests_on);
        assert_eq!(failed[1].outcome(), "control failed");
    }
}

#[test]
fn without_as_printed_rows_a_passing_reading_is_named_and_failing_readings_refute() {
    let readings = vec![row(Role::Reading, "r1", Verdict::Fail), row(Role::Reading, "r2", Verdict::Pass)];
    let f = find("claim", "t", "s", &readings).unwrap();
    assert_eq!(f.verdict, ClaimVerdict::HoldsUnderReading);
    assert_eq!(f.reading.unwrap().id, "r2");
    let failing = vec![row(Role::Reading, "r1", Verdict::Fail), row(Role::Reading, "r2", Verdict::Fail)];
    let f = find("claim", "t", "s", &failing).unwrap();
    assert_eq!(f.verdict, ClaimVerdict::False);
    assert!(f.corrected.is_none() && f.corrected_reason.unwrap().contains("no corrected statement"));
}

#[test]
fn untyped_rows_and_reused_reading_ids_are_refused() {
    let mut untyped = Check::new("claim", "r");
    untyped.verdict = Verdict::Pass;
    assert!(find("claim", "t", "s", &[untyped]).is_err());
    let bad_slug = Check::new("claim", "r").typed(Role::AsPrinted, "Not A Slug", EvidenceKind::Exact);
    assert!(find("claim", "t", "s", &[bad_slug]).is_err());
    let no_expectation = Check::new("claim", "r").typed(Role::Control, "k", EvidenceKind::Exact);
    assert!(find("claim", "t", "s", &[no_expectation]).is_err());
    let two_roles = vec![row(Role::AsPrinted, "a", Verdict::Pass), row(Role::Reading, "a", Verdict::Pass)];
    assert!(find("claim", "t", "s", &two_roles).is_err());
}

#[test]
fn differences_name_verdict_reading_and_corrected_statement() {
    let rows = vec![row(Role::AsPrinted, "a", Verdict::Fail), row(Role::Corrected, "c", Verdict::Pass)];
    let f = find("claim", "t", "s", &rows).unwrap();
    let recorded = Recorded::from(&f);
    assert!(differences(std::slice::from_ref(&recorded), std::slice::from_ref(&f), true).is_empty());
    let mut edited = recorded.clone();
    edited.verdict = ClaimVerdict::Holds;
    edited.reading = Some("r".into());
    edited.corrected = None;
    let d = differences(&[edited], std::slice::from_ref(&f), true);
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(d[0].contains("verdict recorded holds, computed false"), "{d:?}");
    // A claim recorded but not run counts only when every claim ran.
    let other = Recorded { id: "other".into(), ..recorded.clone() };
    assert_eq!(differences(&[recorded.clone(), other.clone()], std::slice::from_ref(&f), false).len(), 0);
    assert_eq!(differences(&[recorded, other], std::slice::from_ref(&f), true).len(), 1);
}

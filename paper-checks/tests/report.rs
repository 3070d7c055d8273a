//! The report as a reviewer reads it: one full run checked against the recorded findings
//! (`--expect fixtures/findings.json`), the README's findings table, and the typed rows; the
//! gate itself is shown to fail, naming the difference, when a recorded verdict is edited.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn paper_checks(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pc-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The README's findings table: the lines between the two markers.
fn readme_table() -> String {
    let text = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let begin = text.find("<!-- findings:begin -->\n").expect("README has the findings:begin marker");
    let end = text.find("<!-- findings:end -->").expect("README has the findings:end marker");
    text[begin + "<!-- findings:begin -->\n".len()..end].to_string()
}

#[test]
fn full_run_keeps_the_recorded_findings_and_the_readme_table() {
    let dir = scratch("full");
    let out = dir.join("report");
    let expect = repo().join("fixtures/findings.json");
    let (code, stdout, stderr) =
        paper_checks(&["run", "--out", out.to_str().unwrap(), "--expect", expect.to_str().unwrap()]);
    assert_eq!(code, 0, "findings changed (update fixtures/findings.json on purpose if intended):\n{stderr}");
    // The terminal starts with the claim table, every line within 100 columns.
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("claim") && first.contains("verdict"), "{first}");
    let table: Vec<&str> = stdout.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(table.len(), 1 + theorems::registry().len(), "{stdout}");
    assert!(table.iter().all(|l| l.chars().count() <= 100), "{stdout}");
    // The README's findings table is `summary --format md` of this run.
    let (code, md, err) = paper_checks(&["summary", "--format", "md", "--report", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md == readme_table(),
        "README findings table differs from `paper-checks summary --format md`; replace it with:\n{md}"
    );
    // Every row is typed; every claim has one entry; a false claim has a corrected statement or
    // a reason.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    for row in json["checks"].as_array().unwrap() {
        for key in ["role", "reading_id", "evidence_kind", "row"] {
            assert!(row[key].is_string(), "{key} missing in {}", row["row"]);
        }
        // Issue 12: every FAIL row carries a certificate or states why it has none.
        if row["verdict"] == "FAIL" {
            let noted = row["certificate_note"].as_str().is_some_and(|n| !n.trim().is_empty());
            assert!(row["certificate"].is_object() || noted, "FAIL row without certificate or reason: {}", row["row"]);
        }
    }
    check_html(&std::fs::read_to_string(out.join("report.html")).unwrap());
    let claims = json["claims"].as_array().unwrap();
    let ids: Vec<&str> = claims.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let registry: Vec<&str> = theorems::registry().iter().map(|c| c.id).collect();
    assert_eq!(ids, registry);
    for c in claims.iter().filter(|c| c["verdict"] == "false") {
        assert!(c["corrected"].is_object() || c["corrected_reason"].is_string(), "{}", c["id"]);
        assert!(c["counterexample"].is_object(), "{}", c["id"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// report.html parses, references nothing outside itself, and has a section per claim with the
/// statement, the verdict, the corrected statement and a collapsible table of rows.
fn check_html(text: &str) {
    use scraper::{Html, Selector};
    let doc = Html::parse_document(text);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", &doc.errors[..doc.errors.len().min(5)]);
    let all = Selector::parse("*").unwrap();
    for element in doc.select(&all) {
        let name = element.value().name();
        assert!(!["script", "link", "iframe", "img", "object", "embed"].contains(&name), "<{name}> in report.html");
        for (attr, value) in element.value().attrs() {
            if ["src", "href", "xlink:href", "srcset", "data", "action", "poster"].contains(&attr) {
                assert!(value.starts_with('#'), "<{name} {attr}=\"{value}\"> points outside the page");
            }
            assert!(!value.contains("url("), "<{name} {attr}> loads {value}");
        }
    }
    let style: String = doc.select(&Selector::parse("style").unwrap()).map(|s| s.inner_html()).collect();
    assert!(!style.contains("url(") && !style.contains("@import"), "the style loads something");
    for claim in theorems::registry() {
        let section = Selector::parse(&format!("section.claim[id=\"{}\"]", claim.id)).unwrap();
        let section = doc.select(&section).next().unwrap_or_else(|| panic!("no section for {}", claim.id));
        for part in ["blockquote.statement", "dl.facts", "details table.rows"] {
            assert!(section.select(&Selector::parse(part).unwrap()).next().is_some(), "{}: no {part}", claim.id);
        }
    }
    assert!(doc.select(&Selector::parse("figure svg").unwrap()).count() >= 10, "figures are inline SVG");
}

#[test]
fn an_edited_verdict_fails_the_gate_and_is_named() {
    let dir = scratch("edited");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("fixtures/findings.json")).unwrap()).unwrap();
    let mut edited = recorded.clone();
    let lemma7 = edited["claims"].as_array_mut().unwrap().iter_mut().find(|c| c["id"] == "lemma7").unwrap();
    assert_eq!(lemma7["verdict"], "false");
    lemma7["verdict"] = "holds".into();
    lemma7["corrected"] = serde_json::Value::Null;
    let file = dir.join("findings.json");
    std::fs::write(&file, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
    let out = dir.join("report");
    let (code, _, stderr) =
        paper_checks(&["run", "lemma7", "--out", out.to_str().unwrap(), "--expect", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("lemma7: verdict recorded holds, computed false"), "{stderr}");
    assert!(stderr.contains("lemma7: corrected statement recorded none, computed lemma7:mu-harmonic-gap"), "{stderr}");
    // The report is still written, and the unedited file passes on the same claim.
    assert!(out.join("report.json").exists());
    let (code, _, stderr) = paper_checks(&[
        "run",
        "lemma7",
        "--out",
        out.to_str().unwrap(),
        "--expect",
        repo().join("fixtures/findings.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_findings_file_is_refused_before_computing() {
    let dir = scratch("bad");
    let file = dir.join("findings.json");
    std::fs::write(&file, "{\"claims\": 3}").unwrap();
    let out = dir.join("report");
    let (code, _, stderr) =
        paper_checks(&["run", "lemma7", "--out", out.to_str().unwrap(), "--expect", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!out.exists());
    let (code, _, stderr) = paper_checks(&["summary", "--report", dir.join("none").to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

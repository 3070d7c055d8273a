//! `--out` never removes anything the tool did not write, and is checked before computing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paper-checks")).current_dir(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pc-out-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("work")).unwrap();
    std::fs::write(dir.join("work/keep"), b"user data").unwrap();
    std::fs::write(dir.join("sibling"), b"user data").unwrap();
    dir
}

fn assert_refused_and_kept(base: &Path, out: &str) {
    let (code, _, err) = run_in(&base.join("work"), &["run", "lemma7", "--out", out]);
    assert_eq!(code, 2, "--out {out}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(base.join("work/keep")).unwrap(), b"user data");
    assert_eq!(std::fs::read(base.join("sibling")).unwrap(), b"user data");
}

#[test]
fn current_parent_and_user_directories_are_refused_untouched() {
    let base = scratch("refuse");
    for out in [".", "..", "./", "../work", base.to_str().unwrap(), "keep"] {
        assert_refused_and_kept(&base, out);
    }
    std::fs::create_dir(base.join("work/mine")).unwrap();
    std::fs::write(base.join("work/mine/notes"), b"x").unwrap();
    assert_refused_and_kept(&base, "mine");
    assert!(base.join("work/mine/notes").exists());
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn a_previous_report_is_replaced_and_nothing_else_written() {
    let base = scratch("replace");
    let work = base.join("work");
    let (code, _, err) = run_in(&work, &["run", "lemma7", "--out", "rep"]);
    assert_eq!(code, 0, "{err}");
    assert!(work.join("rep/report.json").exists() && work.join("rep/.paper-checks-report").exists());
    let (code, _, err) = run_in(&work, &["run", "lemma5", "--out", "rep"]);
    assert_eq!(code, 0, "{err}");
    let json = std::fs::read_to_string(work.join("rep/report.json")).unwrap();
    assert!(json.contains("lemma5") && !json.contains("\"lemma7\""));
    let mut names: Vec<String> =
        std::fs::read_dir(&work).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    names.sort();
    assert_eq!(names, ["keep", "rep"]);
    // A user's file inside the report makes it no longer the tool's to replace.
    std::fs::write(work.join("rep/mine"), b"x").unwrap();
    assert_refused_and_kept(&base, "rep");
    assert!(work.join("rep/mine").exists());
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn out_is_refused_where_no_report_is_written() {
    let base = scratch("noreport");
    let (code, _, err) = run_in(&base, &["list", "--out", "x"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) =
        run_in(&base, &["--out", "x", "eval", "lemma7", "--lr", "0.1", "--momentum", "0.9", "--cl", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(!base.join("x").exists());
    std::fs::remove_dir_all(&base).unwrap();
}

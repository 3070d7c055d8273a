//! The engine knows nothing of the paper it is used to check: no file under `src/` names a lemma,
//! a theorem, an appendix or the paper (the claims live in the `theorems` crate).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn no_engine_source_names_the_paper() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    assert!(files.len() > 20, "found only {} source files under {}", files.len(), src.display());
    let mut hits = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        for (n, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            if ["lemma", "theorem", "appendix", "paper"].iter().any(|w| lower.contains(w)) {
                hits.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(hits.is_empty(), "the engine names the paper:\n{}", hits.join("\n"));
}

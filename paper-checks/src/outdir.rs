//! The report directory (`--out`): the tool never removes anything it did not write.
//!
//! A report directory carries a marker file, [`MARKER`], listing the files the tool wrote into
//! it. `--out DIR` is accepted when DIR does not exist (it is created), or when DIR is a
//! previous report: it holds the marker and nothing that the marker does not list. Anything
//! else (a directory of the user's own files, `.`, `..`, a home directory, a plain file, the
//! current directory or one of its ancestors) is refused before any computation starts.
//!
//! Writing is whole or nothing: the new report is written into a fresh hidden directory beside
//! DIR and renamed into place; a previous report is first renamed aside and then removed file
//! by file (only the files its marker lists), so an interruption leaves either the old report or
//! the new one.

use fpspectral::EngineError;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Name of the marker file that identifies a directory written by `paper-checks`.
pub const MARKER: &str = ".paper-checks-report";

/// A validated report destination.
#[derive(Debug, Clone)]
pub struct OutDir {
    /// The destination as given.
    path: PathBuf,
    /// Whether it holds a previous report that will be replaced.
    replaces: bool,
}

fn refuse(path: &Path, why: &str) -> EngineError {
    EngineError::InvalidParameter(format!("--out {}: {why}", path.display()))
}

/// Files listed by the marker of `dir`, or None when `dir` has no readable marker.
fn marker_files(dir: &Path) -> Option<BTreeSet<String>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let files = value.get("files")?.as_array()?;
    Some(files.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
}

/// True when `name` is a plain file name (no directory part), so removing `dir/name` stays in `dir`.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\\')
}

impl OutDir {
    /// Checks `path` before any computation: see the module documentation for what is accepted.
    pub fn validate(path: &Path) -> Result<OutDir, EngineError> {
        if path.as_os_str().is_empty() {
            return Err(refuse(path, "empty path"));
        }
        if path.file_name().is_none() {
            return Err(refuse(path, "give a directory name, not '.', '..' or a root"));
        }
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(OutDir { path: path.to_path_buf(), replaces: false });
            }
            Err(e) => return Err(refuse(path, &format!("cannot inspect it ({e})"))),
        };
        if meta.file_type().is_symlink() {
            return Err(refuse(path, "is a symbolic link; give a new directory or a previous report"));
        }
        if !meta.is_dir() {
            return Err(refuse(path, "exists and is not a directory"));
        }
        let canonical = fs::canonicalize(path).map_err(|e| refuse(path, &format!("cannot resolve it ({e})")))?;
        if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
            if cwd.starts_with(&canonical) {
                return Err(refuse(path, "is the current directory or one of its parents"));
            }
        }
        let Some(listed) = marker_files(path) else {
            return Err(refuse(
                path,
                "exists and is not a paper-checks report (no marker file); give a new directory name",
            ));
        };
        let entries = fs::read_dir(path).map_err(|e| refuse(path, &format!("cannot list it ({e})")))?;
        for entry in entries {
            let entry = entry.map_err(|e| refuse(path, &format!("cannot list it ({e})")))?;
            let name = entry.file_name().to_string_lossy().to_string();
            let ours = name == MARKER || listed.contains(&name);
            let plain_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
            if !ours || !plain_file {
                return Err(refuse(
                    path,
                    &format!("holds '{name}', which paper-checks did not write; move it or give a new directory"),
                ));
            }
        }
        Ok(OutDir { path: path.to_path_buf(), replaces: true })
    }

    /// The destination path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the report: `files` (name, contents) into a fresh directory beside the
    /// destination, with the marker, then moves it into place (replacing a previous report).
    pub fn write(&self, files: &[(String, Vec<u8>)]) -> Result<(), EngineError> {
        let io = |e: std::io::Error| EngineError::Io(format!("cannot write report to {}: {e}", self.path.display()));
        if let Some(bad) = files.iter().find(|(name, _)| !is_plain_name(name) || name == MARKER) {
            return Err(EngineError::Io(format!("refusing to write report file named '{}'", bad.0)));
        }
        // Re-check: the destination may have changed while the claims ran.
        let current = OutDir::validate(&self.path)?;
        let parent = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(io)?;
        let stem = self.path.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "report".into());
        let tmp = parent.join(format!(".{stem}.partial-{}", std::process::id()));
        // `create_dir` (not `_all`) fails if the name is taken: never write into something else.
        fs::create_dir(&tmp).map_err(io)?;
        let written = (|| -> std::io::Result<()> {
            for (name, bytes) in files {
                fs::write(tmp.join(name), bytes)?;
            }
            let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
            let marker = serde_json::json!({"tool": "paper-checks", "files": names});
            fs::write(tmp.join(MARKER), serde_json::to_vec_pretty(&marker).expect("JSON"))?;
            Ok(())
        })();
        if let Err(e) = written {
            remove_ours(&tmp, files.iter().map(|(n, _)| n.as_str()));
            return Err(io(e));
        }
        let old = parent.join(format!(".{stem}.previous-{}", std::process::id()));
        if current.replaces {
            let listed = marker_files(&self.path).unwrap_or_default();
            fs::rename(&self.path, &old).map_err(io)?;
            if let Err(e) = fs::rename(&tmp, &self.path) {
                let _ = fs::rename(&old, &self.path);
                remove_ours(&tmp, files.iter().map(|(n, _)| n.as_str()));
                return Err(io(e));
            }
            remove_ours(&old, listed.iter().map(String::as_str));
        } else if let Err(e) = fs::rename(&tmp, &self.path) {
            remove_ours(&tmp, files.iter().map(|(n, _)| n.as_str()));
            return Err(io(e));
        }
        Ok(())
    }
}

/// Removes from `dir` only the named files and the marker, then `dir` itself if it is empty.
fn remove_ours<'a>(dir: &Path, names: impl Iterator<Item = &'a str>) {
    for name in names.filter(|n| is_plain_name(n)) {
        let _ = fs::remove_file(dir.join(name));
    }
    let _ = fs::remove_file(dir.join(MARKER));
    let _ = fs::remove_dir(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pc-outdir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_directory_of_user_files_is_refused_and_kept() {
        let dir = scratch("user");
        fs::write(dir.join("keep"), b"mine").unwrap();
        assert!(OutDir::validate(&dir).is_err());
        assert_eq!(fs::read(dir.join("keep")).unwrap(), b"mine");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_directory_is_written_and_a_previous_report_replaced() {
        let base = scratch("new");
        let out = base.join("report");
        let first = OutDir::validate(&out).unwrap();
        first.write(&[("a.txt".into(), b"1".to_vec())]).unwrap();
        let second = OutDir::validate(&out).unwrap();
        second.write(&[("b.txt".into(), b"2".to_vec())]).unwrap();
        assert!(!out.join("a.txt").exists() && out.join("b.txt").exists());
        // Only the report and nothing else is left beside it.
        let names: Vec<_> = fs::read_dir(&base).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        // A file the user dropped into the report makes it no longer ours.
        fs::write(out.join("notes.txt"), b"mine").unwrap();
        assert!(OutDir::validate(&out).is_err());
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn dot_dotdot_and_files_are_refused() {
        assert!(OutDir::validate(Path::new(".")).is_err());
        assert!(OutDir::validate(Path::new("..")).is_err());
        assert!(OutDir::validate(Path::new("/")).is_err());
        let dir = scratch("file");
        fs::write(dir.join("f"), b"x").unwrap();
        assert!(OutDir::validate(&dir.join("f")).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}

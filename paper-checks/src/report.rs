//! Running claims and writing the report whole or not at all (see [`crate::outdir`]): the
//! claim table first (verdicts computed from the typed rows, [`theorems::findings`]), the rows
//! with `--verbose`, and the files report.json, findings.json, report.md, report.html,
//! timings.json and one SVG per figure.

use crate::outdir::OutDir;
use crate::plot::svg_text;
use crate::summary::{claim_table, claim_table_md, role_counts, setting_line, truncate};
use fpspectral::EngineError;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};
use theorems::check::Check;
use theorems::findings::{differences, find, row_ids, ClaimFinding, Recorded};
use theorems::settings::{Settable, Settings};
use theorems::Progress;

/// How a run reports.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Print every row after the claim table.
    pub verbose: bool,
    /// A findings file to compare the claim-level findings with.
    pub expect: Option<std::path::PathBuf>,
    /// The reviewer's settings (`--set`) of the one claim run; None: the built-in settings.
    pub settings: Option<Settings>,
}

/// The command that reproduces the rows of claim `id`, with the run's `--set` arguments.
pub fn reproduce(id: &str, set_args: &str) -> String {
    format!("paper-checks run {id}{set_args} --verbose")
}

/// The checks of one claim: on the reviewer's settings when given (never falling back to the
/// built-in ones), else on the built-in settings.
fn run_one(claim: &theorems::Claim, settings: Option<&Settings>, progress: Progress) -> fpspectral::Result<Vec<Check>> {
    match (settings, claim.settable) {
        (None, _) => (claim.run)(progress),
        (Some(s), Settable::Keys { run, .. }) => run(s, progress),
        (Some(_), Settable::Fixed(why)) => {
            Err(EngineError::InvalidParameter(format!("{} takes no --set: {why}", claim.id)))
        }
    }
}

/// What a run found, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Written (and, with `--expect`, every finding as recorded).
    Done,
    /// Written, but a finding differs from the recorded one.
    FindingsDiffer,
    /// Written (findings as recorded, if `--expect`), but a row rests on a study that missed its
    /// target: it is INCONCLUSIVE with its best estimate and honest error.
    NotConverged,
}

/// The recorded findings in `path` (a findings.json written by a run).
fn read_recorded(path: &Path) -> Result<Vec<Recorded>, EngineError> {
    let refuse = |why: String| EngineError::InvalidParameter(format!("--expect {}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| refuse(format!("cannot read it ({e})")))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| refuse(format!("not JSON ({e})")))?;
    serde_json::from_value(value.get("claims").cloned().unwrap_or_default())
        .map_err(|e| refuse(format!("not a findings file: no valid 'claims' array ({e})")))
}

/// Runs the named claims (all when `ids` is empty), prints the claim table, writes the report,
/// and compares the findings with `--expect` (every difference on stderr).
pub fn run_claims(ids: &[String], out: &OutDir, options: &RunOptions) -> Result<RunOutcome, EngineError> {
    let registry = theorems::registry();
    for id in ids {
        if !registry.iter().any(|c| c.id == id) {
            let known: Vec<&str> = registry.iter().map(|c| c.id).collect();
            return Err(EngineError::InvalidParameter(format!("unknown claim '{id}' (known: {})", known.join(", "))));
        }
    }
    // Read before computing: a bad findings file is refused at once.
    let recorded = options.expect.as_deref().map(read_recorded).transpose()?;
    let selected: Vec<_> = registry.iter().filter(|c| ids.is_empty() || ids.iter().any(|i| i == c.id)).collect();
    // Dense linear algebra runs sequentially inside each claim (the claims themselves run in
    // parallel): its parallel reductions made last digits depend on the thread count, and the
    // report is to be byte-identical with RAYON_NUM_THREADS=1.
    faer::set_global_parallelism(faer::Par::Seq);
    let bar = ProgressBar::new(selected.len() as u64);
    bar.set_style(ProgressStyle::with_template("{elapsed:>4} [{bar:24}] {pos}/{len} {msg}").expect("template"));
    bar.enable_steady_tick(Duration::from_millis(250));
    let start = Instant::now();
    // Claims are independent: run them on the rayon pool, keep the paper's order in the report.
    let results: Vec<(&str, f64, fpspectral::Result<Vec<Check>>)> = selected
        .par_iter()
        .map(|claim| {
            let t0 = Instant::now();
            let progress = |m: &str| bar.set_message(m.to_string());
            progress(claim.id);
            let result = run_one(claim, options.settings.as_ref(), &progress);
            bar.inc(1);
            (claim.id, t0.elapsed().as_secs_f64(), result)
        })
        .collect();
    bar.finish_and_clear();
    let mut checks: Vec<Check> = Vec::new();
    let mut timings = Vec::new();
    for (id, seconds, result) in results {
        match result {
            Ok(cs) => checks.extend(cs),
            Err(e) => return Err(EngineError::Numerical(format!("claim {id} could not be checked: {e}"))),
        }
        timings.push((id, seconds));
    }
    theorems::certificates::note_uncertified(&mut checks);
    let findings = selected
        .iter()
        .map(|c| find(c.id, c.title, c.statement, &checks))
        .collect::<Result<Vec<ClaimFinding>, String>>()
        .map_err(|e| EngineError::Numerical(format!("the report cannot be written: {e}")))?;
    emit(&claim_table(&findings));
    emit(&format!("\n{}", role_counts(&checks)));
    if options.verbose {
        emit(&format!("\n{}", table(&checks)));
    }
    write_report(&findings, &checks, &timings, start.elapsed().as_secs_f64(), options.settings.as_ref(), out)?;
    emit(&format!(
        "\nreport written to {}/ (report.html, report.json, findings.json, report.md, plots) in {:.1} s{}\n",
        out.path().display(),
        start.elapsed().as_secs_f64(),
        if options.verbose { "" } else { "; every row: --verbose" }
    ));
    let unconverged = checks.iter().filter(|c| !c.not_converged.is_empty()).count();
    if unconverged > 0 {
        eprintln!("paper-checks: {unconverged} row(s) not converged: INCONCLUSIVE with their best estimates");
    }
    let done = if unconverged > 0 { RunOutcome::NotConverged } else { RunOutcome::Done };
    let Some(recorded) = recorded else { return Ok(done) };
    let differ = differences(&recorded, &findings, ids.is_empty());
    let path = options.expect.as_deref().expect("recorded implies a path").display();
    if differ.is_empty() {
        emit(&format!("findings as recorded in {path}\n"));
        Ok(done)
    } else {
        eprintln!("paper-checks: {} finding(s) differ from {path}:", differ.len());
        for d in &differ {
            eprintln!("  {d}");
        }
        Ok(RunOutcome::FindingsDiffer)
    }
}

/// The claim findings stored in a report directory's report.json.
pub fn read_findings(dir: &Path) -> Result<Vec<ClaimFinding>, EngineError> {
    let path = dir.join("report.json");
    let refuse = |why: String| EngineError::InvalidParameter(format!("{}: {why}", path.display()));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| refuse(format!("cannot read it ({e}); run `paper-checks run --out {}` first", dir.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| refuse(format!("not JSON ({e})")))?;
    serde_json::from_value(value.get("claims").cloned().unwrap_or_default())
        .map_err(|e| refuse(format!("no valid 'claims' array ({e})")))
}

/// Writes `text` to stdout. A closed pipe (`paper-checks … | head`) ends the output quietly
/// instead of panicking as `println!` would.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

/// Runs `work` behind a spinner with the elapsed time on stderr (hidden when stderr is not a
/// terminal, so piped JSON output stays clean).
pub fn with_spinner<T>(message: &str, work: impl FnOnce() -> T) -> T {
    // Not a terminal: nothing would be drawn, so no ticker thread is started.
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}").expect("template"));
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(Duration::from_millis(250));
    let result = work();
    spinner.finish_and_clear();
    result
}

fn key_numbers(c: &Check) -> String {
    c.quantities
        .iter()
        .take(3)
        .map(|(k, q)| format!("{k}={:.4e}±{:.0e}", q.value, q.error))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every row: claim, role, reading id, outcome, setting, key numbers.
fn table(checks: &[Check]) -> String {
    let mut out = format!("{:<30} {:<11} {:<27} {:<50} key numbers\n", "row", "role", "outcome", "setting");
    for (c, row) in checks.iter().zip(row_ids(checks)) {
        out += &format!(
            "{:<30} {:<11} {:<27} {:<50} {}\n",
            truncate(&row, 30),
            c.role.label(),
            c.outcome(),
            truncate(&setting_line(&c.setting), 50),
            key_numbers(c)
        );
    }
    out
}

/// report.md: the claim table, then every row with its quantities.
fn markdown(findings: &[ClaimFinding], checks: &[Check]) -> String {
    let mut md = String::from("# Dai & Zhu, \"On Large Batch Training and Sharp Minima\": computed verdicts\n\n");
    md.push_str(&format!(
        "Generated by `paper-checks` {}; run times are in `timings.json`, the page to read is `report.html`.\n\n",
        env!("CARGO_PKG_VERSION")
    ));
    md.push_str(&claim_table_md(findings));
    md.push_str("\n## Rows\n\n| row | role | outcome | reading | setting | evidence |\n|---|---|---|---|---|---|\n");
    let cell = |s: &str| s.replace('|', "\\|");
    for (c, row) in checks.iter().zip(row_ids(checks)) {
        md.push_str(&format!(
            "| {row} | {} | **{}** | {} | {} | {} |\n",
            c.role.label(),
            c.outcome(),
            cell(&c.reading),
            cell(&setting_line(&c.setting)),
            cell(&c.evidence)
        ));
    }
    md.push_str("\n## Quantities\n");
    for (c, row) in checks.iter().zip(row_ids(checks)) {
        md.push_str(&format!(
            "\n### {row} — {}\n\nClaimed: {}\n\n| quantity | value | error |\n|---|---|---|\n",
            c.reading, c.claimed
        ));
        for (k, q) in &c.quantities {
            md.push_str(&format!("| {k} | {:.10e} | {:.1e} |\n", q.value, q.error));
        }
        for f in &c.figures {
            md.push_str(&format!("\n![{}]({}.svg)\n", f.name, f.name));
        }
    }
    md
}

/// Figure file names are made unique (two settings may draw a figure of the same name).
fn unique_figure_names(checks: &mut [Check]) {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for f in checks.iter_mut().flat_map(|c| c.figures.iter_mut()) {
        let n = seen.entry(f.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            f.name = format!("{}-{n}", f.name);
        }
    }
}

/// The checks as JSON, each with its row id and the command that reproduces it.
fn checks_json(checks: &[Check], set_args: &str) -> Vec<serde_json::Value> {
    checks
        .iter()
        .zip(row_ids(checks))
        .map(|(c, row)| {
            let mut v = serde_json::to_value(c).expect("JSON");
            let map = v.as_object_mut().expect("object");
            map.insert("row".into(), row.into());
            map.insert("reproduce".into(), reproduce(&c.id, set_args).into());
            v
        })
        .collect()
}

/// The findings file: what `--expect` compares (copy it to fixtures/findings.json to record).
pub fn findings_json(findings: &[ClaimFinding]) -> serde_json::Value {
    let recorded: Vec<Recorded> = findings.iter().map(Recorded::from).collect();
    serde_json::json!({
        "paper": PAPER,
        "note": "claim-level findings compared by `paper-checks run --expect FILE`: verdict, reading, corrected statement",
        "claims": recorded,
    })
}

const PAPER: &str = "Dai & Zhu, On Large Batch Training and Sharp Minima: A Fokker-Planck Perspective";

fn write_report(
    findings: &[ClaimFinding],
    checks: &[Check],
    timings: &[(&str, f64)],
    total: f64,
    settings: Option<&Settings>,
    out: &OutDir,
) -> Result<(), EngineError> {
    let mut checks = checks.to_vec();
    if settings.is_some() {
        // A reviewer's potential names its figures: keep their file names plain.
        for f in checks.iter_mut().flat_map(|c| c.figures.iter_mut()) {
            f.name =
                f.name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
        }
    }
    unique_figure_names(&mut checks);
    let set_args = settings.map(Settings::arguments).unwrap_or_default();
    let mut json = serde_json::json!({
        "paper": PAPER,
        "tool": format!("paper-checks {}", env!("CARGO_PKG_VERSION")),
        "claims": findings,
        "checks": checks_json(&checks, &set_args),
    });
    if let Some(s) = settings {
        // A run on the reviewer's settings says so: every key, given or default.
        json.as_object_mut().expect("object").insert("settings".into(), s.json());
    }
    // Timings vary from run to run; they live apart so that report.json is reproducible.
    let timing_json = serde_json::json!({
        "total_seconds": total,
        "claims": timings.iter().map(|(id, t)| serde_json::json!({"claim": id, "seconds": t})).collect::<Vec<_>>(),
    });
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("JSON").into_bytes();
    let mut svgs = Vec::new();
    for (c, row) in checks.iter().zip(row_ids(&checks)) {
        for f in &c.figures {
            let caption = format!("{row} ({}, {}): {}. {}", c.role.label(), c.reading, c.outcome(), c.claimed);
            let svg =
                svg_text(f, &caption).map_err(|e| EngineError::Io(format!("cannot draw figure {}: {e}", f.name)))?;
            if !svg.is_empty() {
                svgs.push((f.name.clone(), svg));
            }
        }
    }
    let mut files = vec![
        ("report.json".to_string(), pretty(&json)),
        ("findings.json".to_string(), pretty(&findings_json(findings))),
        ("report.md".to_string(), markdown(findings, &checks).into_bytes()),
        ("report.html".to_string(), crate::html::page(findings, &checks, &svgs, &set_args).into_bytes()),
        ("timings.json".to_string(), pretty(&timing_json)),
    ];
    files.extend(svgs.into_iter().map(|(name, svg)| (format!("{name}.svg"), svg.into_bytes())));
    out.write(&files)
}

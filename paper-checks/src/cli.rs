//! The command line: parsing, dispatch and exit codes (0 done, 1 a requested check failed,
//! 2 input refused, 3 not converged).

use crate::eval::{eval, first_null, Eval};
use crate::{outdir, report};
use clap::{Parser, Subcommand};
use fpspectral::{EngineError, Potential};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "paper-checks",
    version,
    about = "Checks every claim of Dai & Zhu by computation",
    after_help = "One claim on your own setting: paper-checks run CLAIM --set KEY=VALUE ... (the keys: paper-checks \
                  list --settings).\n\nExit codes: 0 done; 1 a check you asked for failed; 2 input refused (one line on stderr \
                  says why); 3 not converged (the best estimate and its honest error are still printed, \
                  with \"converged\": false, the achieved \"rel_error\" and the \"method\" used)."
)]
struct Cli {
    /// Directory for report.json, report.md and plots when all claims run (a new directory, or a
    /// previous report, which is replaced; nothing else is ever overwritten).
    #[arg(long, allow_hyphen_values = true)]
    out: Option<PathBuf>,
    /// Memory budget in GB for one computation (default: half the machine's memory).
    #[arg(long, global = true, value_name = "GB")]
    max_memory: Option<f64>,
    /// Time budget in seconds: a resolution study past it stops with its best estimate and honest
    /// error, marked not converged (exit code 3). Default: none.
    #[arg(long, global = true, value_name = "SECONDS")]
    max_time: Option<f64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Lists the implemented claims; with --settings, the keys each accepts for `run CLAIM --set`.
    List {
        /// For each claim, the keys `run CLAIM --set KEY=VALUE` accepts, with meaning, range and
        /// default (or why the claim takes none).
        #[arg(long)]
        settings: bool,
    },
    /// Runs the named claims (all when none is named), prints the claim table and writes the
    /// report (report.html, report.json, findings.json, report.md, timings.json, plots).
    /// With --set, runs ONE claim on your own setting instead of the built-in ones.
    Run {
        claims: Vec<String>,
        /// Runs the one named claim on this setting instead of the built-in ones (repeat for several
        /// keys; keys not given take the defaults shown by `list --settings`; report.json records
        /// every key under "settings"). Not with --expect, which compares the built-in findings.
        #[arg(long = "set", value_name = "KEY=VALUE", allow_hyphen_values = true)]
        set: Vec<String>,
        /// Directory for the report (a new directory, or a previous report, which is replaced;
        /// nothing else is ever overwritten).
        #[arg(long, allow_hyphen_values = true)]
        out: Option<PathBuf>,
        /// Also print every row (claim, role, reading id, outcome, setting, numbers).
        #[arg(long)]
        verbose: bool,
        /// Compare each claim's verdict, reading and corrected statement with a recorded findings
        /// file (e.g. fixtures/findings.json); exit code 1 names every difference.
        #[arg(long, value_name = "FILE")]
        expect: Option<PathBuf>,
    },
    /// Prints the claim table of a written report.
    Summary {
        /// `text` (the terminal table) or `md` (the README's findings table).
        #[arg(long, default_value = "text", value_parser = ["text", "md"])]
        format: String,
        /// The report directory to read.
        #[arg(long, default_value = DEFAULT_OUT)]
        report: PathBuf,
    },
    /// Evaluates one quantity for a potential of your own; prints JSON.
    #[command(subcommand)]
    Eval(Eval),
    /// Runs fuzz cases named on stdin inside this process (the fuzz harness's worker).
    #[command(hide = true)]
    FuzzWorker {
        /// Time budget of one case, in seconds.
        #[arg(long, default_value_t = 60.0)]
        case_seconds: f64,
    },
    /// Re-checks every certificate in a report.json with the certify crate's interval arithmetic
    /// alone: one line per certificate; exit 0 if all hold, 1 if any fails (or there is none).
    Verify {
        /// The report.json written by `paper-checks run`.
        report: PathBuf,
    },
}

/// Default report directory.
const DEFAULT_OUT: &str = "paper-checks-report";

/// Longest message printed on stderr, in characters.
const MESSAGE_LIMIT: usize = 200;

/// One line for stderr: control characters shown as escapes, at most [`MESSAGE_LIMIT`] characters.
fn one_line(text: &str) -> String {
    let clean: String = text
        .trim()
        .chars()
        .flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] })
        .collect();
    if clean.chars().count() <= MESSAGE_LIMIT {
        clean
    } else {
        clean.chars().take(MESSAGE_LIMIT - 1).collect::<String>() + "…"
    }
}

/// A command-line parse error condensed to one line: clap's first line, without its
/// "error:" prefix, and where to find help.
fn parse_error_line(e: &clap::Error) -> String {
    use clap::error::ErrorKind;
    let rendered = e.render().to_string();
    let first = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("bad arguments");
    let first = first.trim().trim_start_matches("error:").trim();
    match e.kind() {
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            "a subcommand is missing (see --help)".to_string()
        }
        _ => format!("{first} (see --help)"),
    }
}

/// Parses the process arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            eprintln!("paper-checks: {}", one_line(&parse_error_line(&e)));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    if let Some(gb) = cli.max_memory {
        if !(gb.is_finite() && gb > 0.0) {
            eprintln!("paper-checks: --max-memory must be a positive number of GB");
            return ExitCode::from(2);
        }
        fpspectral::budget::set_memory_budget((gb * 1e9) as u64);
    }
    if let Some(seconds) = cli.max_time {
        if !(seconds.is_finite() && seconds > 0.0) {
            eprintln!("paper-checks: --max-time must be a positive number of seconds");
            return ExitCode::from(2);
        }
        fpspectral::budget::set_time_budget(Some(seconds));
    }
    if let Some(Command::Verify { report }) = &cli.command {
        return verify(report, &cli.out);
    }
    match dispatch(cli) {
        Ok(outcome) => outcome.code(),
        Err(e) => {
            eprintln!("paper-checks: {}", one_line(&e.to_string()));
            ExitCode::from(error_code(&e))
        }
    }
}

/// The exit code of a command that ended in `error`: 3 when a study did not converge, else 2.
fn error_code(error: &EngineError) -> u8 {
    match error {
        EngineError::NotConverged(_) => 3,
        _ => 2,
    }
}

/// How a command that ran ended: exit code 0 (done), 1 (a check the user asked for failed) or
/// 3 (not converged: the best estimate and its honest error were printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    FindingsDiffer,
    NotConverged,
}

impl Outcome {
    fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::FindingsDiffer => 1,
            Outcome::NotConverged => 3,
        }
    }
    fn code(self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

/// Runs claims into a report directory validated before any computation.
fn run(claims: &[String], out: Option<PathBuf>, options: &report::RunOptions) -> Result<Outcome, EngineError> {
    let out = outdir::OutDir::validate(&out.unwrap_or_else(|| PathBuf::from(DEFAULT_OUT)))?;
    Ok(match report::run_claims(claims, &out, options)? {
        report::RunOutcome::Done => Outcome::Done,
        report::RunOutcome::FindingsDiffer => Outcome::FindingsDiffer,
        report::RunOutcome::NotConverged => Outcome::NotConverged,
    })
}

/// `--out` means something only where a report is written.
fn refuse_out(out: &Option<PathBuf>, command: &str) -> Result<(), EngineError> {
    match out {
        Some(_) => {
            Err(EngineError::InvalidParameter(format!("--out has no effect with '{command}' (it writes no report)")))
        }
        None => Ok(()),
    }
}

fn dispatch(cli: Cli) -> Result<Outcome, EngineError> {
    match cli.command {
        None => run(&[], cli.out, &report::RunOptions::default()),
        Some(Command::Run { claims, out, verbose, expect, set }) => {
            // Every key and value is checked before any computation and before --out is touched.
            let settings = reviewer_settings(&claims, &set, expect.is_some())?;
            run(&claims, out.or(cli.out), &report::RunOptions { verbose, expect, settings })
        }
        Some(Command::Summary { format, report: dir }) => {
            refuse_out(&cli.out, "summary")?;
            let findings = report::read_findings(&dir)?;
            let text = if format == "md" {
                crate::summary::claim_table_md(&findings)
            } else {
                crate::summary::claim_table(&findings)
            };
            report::emit(&text);
            Ok(Outcome::Done)
        }
        Some(Command::List { settings }) => {
            refuse_out(&cli.out, "list")?;
            let text = if settings {
                settings_list()
            } else {
                theorems::registry().iter().map(|c| format!("{:<16} {}\n", c.id, c.title)).collect()
            };
            report::emit(&text);
            Ok(Outcome::Done)
        }
        Some(Command::FuzzWorker { case_seconds }) => {
            crate::fuzz::worker_loop(case_seconds);
            Ok(Outcome::Done)
        }
        Some(Command::Verify { .. }) => Ok(Outcome::Done),
        Some(Command::Eval(e)) => {
            refuse_out(&cli.out, "eval")?;
            let (text, note, outcome) = report::with_spinner("eval: resolution study running", || answer(e))?;
            report::emit(&text);
            if let Some(why) = note {
                eprintln!("paper-checks: {}", one_line(&why));
            }
            Ok(outcome)
        }
    }
}

/// `--set KEY=VALUE …` parsed and checked for the one claim named: None without --set. Refused
/// (one line) with no claim or several, with --expect, for a claim that takes no setting, and for
/// an unknown key, a malformed pair or a value out of range.
fn reviewer_settings(
    claims: &[String],
    pairs: &[String],
    expect: bool,
) -> Result<Option<theorems::settings::Settings>, EngineError> {
    use theorems::settings::{Settable, Settings};
    if pairs.is_empty() {
        return Ok(None);
    }
    let refuse = |m: String| Err(EngineError::InvalidParameter(m));
    let [id] = claims else {
        return refuse(format!(
            "--set applies to exactly one claim, {} named: paper-checks run CLAIM --set KEY=VALUE",
            claims.len()
        ));
    };
    if expect {
        return refuse("--expect compares the built-in settings' findings; it cannot be combined with --set".into());
    }
    let registry = theorems::registry();
    let Some(claim) = registry.iter().find(|c| c.id == id) else {
        let known: Vec<&str> = registry.iter().map(|c| c.id).collect();
        return refuse(format!("unknown claim '{id}' (known: {})", known.join(", ")));
    };
    match claim.settable {
        Settable::Fixed(why) => refuse(format!("{id} takes no --set: {why}")),
        Settable::Keys { specs, check, .. } => {
            let settings = Settings::parse(id, specs, pairs)?;
            check(&settings)?;
            Ok(Some(settings))
        }
    }
}

/// `list --settings`: each claim's keys with meaning, range and default, or why it has none.
fn settings_list() -> String {
    use theorems::settings::Settable;
    let mut out = String::from("paper-checks run CLAIM --set KEY=VALUE [--set KEY=VALUE …] (one claim per run)\n");
    for c in theorems::registry() {
        match c.settable {
            Settable::Fixed(why) => out += &format!("\n{}: no settings ({why})\n", c.id),
            Settable::Keys { specs, .. } => {
                out += &format!("\n{}: {}\n", c.id, c.title);
                for s in specs {
                    out += &format!("  {:<12} {}; {}, default {}\n", s.key, s.meaning, s.kind.describe(), s.default);
                }
            }
        }
    }
    out
}

/// The JSON text of an `eval` answer, a line for stderr if any, and how the command ends: exit 3
/// when the answer carries `"converged": false` (it missed its tolerance; the best estimate is
/// still printed) or `"certified": false` (`--certify` asked for a proof that could not be given;
/// the line says why).
fn answer(question: Eval) -> Result<(String, Option<String>, Outcome), EngineError> {
    let value = eval(question)?;
    if let Some(field) = first_null(&value, "") {
        // serde_json writes a non-finite number as null: never print that as an answer.
        return Err(EngineError::Numerical(format!(
            "the computation produced a non-finite number ({field}); the inputs are beyond what it resolves"
        )));
    }
    let text = format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON"));
    if value.get("certified") == Some(&json!(false)) {
        let why = value["certificate_note"].as_str().unwrap_or("cannot certify").to_string();
        return Ok((text, Some(why), Outcome::NotConverged));
    }
    let converged = value.get("converged") != Some(&json!(false));
    Ok((text, None, if converged { Outcome::Done } else { Outcome::NotConverged }))
}

/// What one command run inside this process gave: its exit code and the text it would print.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Exit code, as the process would have returned it.
    pub code: u8,
    /// Standard output.
    pub stdout: String,
    /// Standard error (one line, or empty).
    pub stderr: String,
}

/// Runs `paper-checks eval …` (`args` without the program name) inside this process and returns
/// what it would have printed, printing nothing. The long fuzz run's workers use it; any other
/// subcommand is refused.
pub fn execute_eval(args: &[String]) -> Execution {
    let refused = |code: u8, message: String| Execution {
        code,
        stdout: String::new(),
        stderr: format!("paper-checks: {}\n", one_line(&message)),
    };
    let cli = match Cli::try_parse_from(std::iter::once("paper-checks".to_string()).chain(args.iter().cloned())) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => return refused(2, parse_error_line(&e)),
        Err(e) => return Execution { code: 0, stdout: e.render().to_string(), stderr: String::new() },
    };
    if cli.max_memory.is_some() || cli.max_time.is_some() {
        return refused(2, "--max-memory and --max-time are process-wide; they are not taken in process".into());
    }
    let question = match cli.command {
        Some(Command::Eval(question)) if cli.out.is_none() => question,
        _ => return refused(2, "only 'eval' runs in process".into()),
    };
    match answer(question) {
        Ok((stdout, note, outcome)) => Execution {
            code: outcome.exit_code(),
            stdout,
            stderr: note.map(|why| format!("paper-checks: {}\n", one_line(&why))).unwrap_or_default(),
        },
        Err(e) => refused(error_code(&e), e.to_string()),
    }
}

/// The refusal `paper-checks eval …` (`args` without the program name) would print when its
/// command line does not parse, or None when it parses (nothing is run). The fuzz harness's
/// input stratum uses it.
pub fn eval_parse_refusal(args: &[String]) -> Option<Execution> {
    match Cli::try_parse_from(std::iter::once("paper-checks".to_string()).chain(args.iter().cloned())) {
        Ok(_) => None,
        Err(e) => Some(Execution {
            code: if e.use_stderr() { 2 } else { 0 },
            stdout: String::new(),
            stderr: format!("paper-checks: {}\n", one_line(&parse_error_line(&e))),
        }),
    }
}

/// The checks every `eval` makes of its `--potential` (parse, expression limits, confinement),
/// in process: the potential's dimension when accepted, else the refusal as printed. The fuzz
/// harness's input stratum uses it.
pub fn check_potential(spec: &str) -> Result<usize, Execution> {
    theorems::risks::from_spec(spec).map(|p| p.dim()).map_err(|e| Execution {
        code: error_code(&e),
        stdout: String::new(),
        stderr: format!("paper-checks: {}\n", one_line(&e.to_string())),
    })
}

/// Parses `paper-checks run …` (`args` without the program name) and makes every check `run`
/// makes before computing (the `--set` keys and values, the `--out` path), inside this process,
/// without running a claim: exit code 0 when the run would start, 2 with one line when refused.
/// The fuzz harness's input stratum uses it.
pub fn check_run(args: &[String]) -> Execution {
    let ended = |code: u8, message: String| Execution {
        code,
        stdout: String::new(),
        stderr: if message.is_empty() { message } else { format!("paper-checks: {}\n", one_line(&message)) },
    };
    let cli = match Cli::try_parse_from(std::iter::once("paper-checks".to_string()).chain(args.iter().cloned())) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => return ended(2, parse_error_line(&e)),
        Err(e) => return Execution { code: 0, stdout: e.render().to_string(), stderr: String::new() },
    };
    let Some(Command::Run { claims, out, expect, set, .. }) = cli.command else {
        return ended(2, "only 'run' is checked in process".into());
    };
    let checked = reviewer_settings(&claims, &set, expect.is_some())
        .and_then(|_| outdir::OutDir::validate(&out.or(cli.out).unwrap_or_else(|| PathBuf::from(DEFAULT_OUT))));
    match checked {
        Ok(_) => ended(0, String::new()),
        Err(e) => ended(error_code(&e), e.to_string()),
    }
}

/// `paper-checks verify REPORT`: exit 0 when every certificate holds, 1 when one fails or the
/// report holds none, 2 (one line) when the file cannot be read as a report.
fn verify(path: &std::path::Path, out: &Option<PathBuf>) -> ExitCode {
    let refuse = |msg: String| {
        eprintln!("paper-checks: {}", one_line(&msg));
        ExitCode::from(2)
    };
    if out.is_some() {
        return refuse("--out has no effect with 'verify' (it writes no report)".into());
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return refuse(format!("cannot read {}: {e}", path.display())),
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return refuse(format!("{} is not JSON: {e}", path.display())),
    };
    let outcomes = match certify::report::verify_report(&value) {
        Ok(o) => o,
        Err(e) => return refuse(format!("{} is not a paper-checks report: {e}", path.display())),
    };
    let mut lines = String::new();
    let mut failed = 0;
    for o in &outcomes {
        match &o.result {
            Ok(margin) => lines.push_str(&format!("HOLDS   {}: margin ≥ {margin:.6e}\n", o.label)),
            Err(why) => {
                failed += 1;
                lines.push_str(&format!("REJECTED {}: {}\n", o.label, one_line(why)));
            }
        }
    }
    lines.push_str(&format!("{} certificates, {} hold, {failed} rejected\n", outcomes.len(), outcomes.len() - failed));
    report::emit(&lines);
    if failed > 0 || outcomes.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

//! The command line: parsing, dispatch and exit codes (0 done, 1 a requested check failed,
//! 2 input refused, 3 not converged).

use crate::eval::{eval, first_null, Eval};
use crate::{outdir, report};
use clap::{Parser, Subcommand};
use fpspectral::EngineError;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "paper-checks", version, about = "Checks every claim of Dai & Zhu by computation")]
struct Cli {
    /// Directory for report.json, report.md and plots when all claims run (a new directory, or a
    /// previous report, which is replaced; nothing else is ever overwritten).
    #[arg(long, allow_hyphen_values = true)]
    out: Option<PathBuf>,
    /// Memory budget in GB for one computation (default: half the machine's memory).
    #[arg(long, global = true, value_name = "GB")]
    max_memory: Option<f64>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Lists the implemented claims.
    List,
    /// Runs the named claims (all when none is named) and writes the report.
    Run {
        claims: Vec<String>,
        /// Directory for report.json, report.md and plots (a new directory, or a previous
        /// report, which is replaced; nothing else is ever overwritten).
        #[arg(long, allow_hyphen_values = true)]
        out: Option<PathBuf>,
    },
    /// Evaluates one quantity for a potential of your own; prints JSON.
    #[command(subcommand)]
    Eval(Eval),
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
    if let Some(Command::Verify { report }) = &cli.command {
        return verify(report, &cli.out);
    }
    match dispatch(cli) {
        Ok(outcome) => outcome.code(),
        Err(e) => {
            eprintln!("paper-checks: {}", one_line(&e.to_string()));
            match e {
                EngineError::NotConverged(_) => ExitCode::from(3),
                _ => ExitCode::from(2),
            }
        }
    }
}

/// How a command that ran ended: exit code 0 (done), 1 (a check the user asked for failed) or
/// 3 (not converged: the best estimate and its honest error were printed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    NotConverged,
}

impl Outcome {
    fn code(self) -> ExitCode {
        match self {
            Outcome::Done => ExitCode::SUCCESS,
            Outcome::NotConverged => ExitCode::from(3),
        }
    }
}

/// Runs claims into a report directory validated before any computation.
fn run(claims: &[String], out: Option<PathBuf>) -> Result<Outcome, EngineError> {
    let out = outdir::OutDir::validate(&out.unwrap_or_else(|| PathBuf::from(DEFAULT_OUT)))?;
    report::run_claims(claims, &out).map(|()| Outcome::Done)
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
        None => run(&[], cli.out),
        Some(Command::Run { claims, out }) => run(&claims, out.or(cli.out)),
        Some(Command::List) => {
            refuse_out(&cli.out, "list")?;
            let lines: Vec<String> =
                theorems::registry().iter().map(|c| format!("{:<16} {}\n", c.id, c.title)).collect();
            report::emit(&lines.concat());
            Ok(Outcome::Done)
        }
        Some(Command::Verify { .. }) => Ok(Outcome::Done),
        Some(Command::Eval(e)) => {
            refuse_out(&cli.out, "eval")?;
            let value = report::with_spinner("eval: resolution study running", || eval(e))?;
            if let Some(field) = first_null(&value, "") {
                // serde_json writes a non-finite number as null: never print that as an answer.
                return Err(EngineError::Numerical(format!(
                    "the computation produced a non-finite number ({field}); the inputs are beyond what it resolves"
                )));
            }
            report::emit(&format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON")));
            if value.get("certified") == Some(&json!(false)) {
                // --certify asked for a proof that could not be given: say why, exit 3.
                let why = value["certificate_note"].as_str().unwrap_or("cannot certify");
                eprintln!("paper-checks: {}", one_line(why));
                return Ok(Outcome::NotConverged);
            }
            // An answer that missed its tolerance carries `"converged": false`: exit code 3.
            Ok(if value.get("converged") == Some(&json!(false)) { Outcome::NotConverged } else { Outcome::Done })
        }
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

//! `paper-checks`: runs the claim checks of Dai & Zhu and writes a report; `eval` answers
//! single questions about a user's own potential.

fn main() -> std::process::ExitCode {
    paper_checks::cli::main()
}

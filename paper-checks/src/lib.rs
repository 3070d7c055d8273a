//! The reviewers' command as a library: the command line ([`cli`]), the report writer, the
//! `eval` subcommands, and the fuzz generators shared by the quick fuzz test and the long fuzz run.

pub mod cli;
mod eval;
#[doc(hidden)]
pub mod fuzz;
mod html;
mod outdir;
mod plot;
mod report;
mod summary;

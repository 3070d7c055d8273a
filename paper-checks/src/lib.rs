//! The reviewers' command as a library: the fuzz generators shared by the quick fuzz test and
//! the long fuzz run.

#[doc(hidden)]
pub mod fuzz;

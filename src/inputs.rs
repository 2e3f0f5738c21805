//! The inputs of a scan: what the command line names, walked once and classified.

use std::path::PathBuf;

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or directory.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

//! `--fix`: repairs the code in the file's own syntax, safely.
//!
//! Rules attach a [`Fix`](crate::diagnostics::Fix) (edits at spans) to a finding; the
//! generators here write those edits in each syntax. [`session::run`] applies them to the
//! texts in memory ([`apply`]), checks the edited texts again in the same run ([`verify`]),
//! keeps only the fixes that remove their finding without a new finding or parse error, and
//! writes the files atomically inside the scanned tree ([`write`](mod@write)) or prints a diff ([`diff`]).

pub mod account;
pub mod apply;
pub mod attach;
pub mod diff;
pub mod exempt;
pub mod key_statement;
pub mod notprincipal;
pub mod ownership;
pub mod ownership_controls;
pub mod session;
pub mod text;
pub mod verify;
pub mod write;

pub use attach::attach;
pub use session::{Applied, FixOutcome, NotApplied, run};

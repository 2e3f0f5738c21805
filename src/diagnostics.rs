//! What the checker reports: a [`Diagnostic`] (rule, severity, location, message, help) and
//! the [`Fix`] it may carry, as data that every reporter renders and plan mapping remaps.

use crate::source::Span;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Note,
    /// Backups may break.
    Warning,
    /// Backups break.
    Error,
}

impl Severity {
    /// `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code, e.g. `CP101`.
    pub code: &'static str,
    /// Stable name, e.g. `bucket-deny-blocks-backup`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
    /// The full documentation (Markdown).
    pub docs: &'static str,
}

/// A secondary location shown with a diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule.
    pub rule: &'static RuleInfo,
    /// Severity (the rule's default unless configured).
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The fix.
    pub help: String,
    /// The offending element.
    pub span: Span,
    /// The label shown at the span.
    pub label: String,
    /// The resource that holds the element.
    pub resource: String,
    /// The bucket or key whose backup breaks, where known.
    pub target: Option<String>,
    /// Other places worth showing.
    pub related: Vec<Related>,
    /// The repair the rule vouches for, as edits to the files (reporters render it: SARIF
    /// `fixes`, JSON `fix`); `None` when the rule offers none or none is safe here, and then
    /// [`Diagnostic::help`] says what to do by hand.
    pub fix: Option<Fix>,
    /// For an element inside a Terraform module: the chains of `module` calls that reached
    /// it, one per way (outermost call first); empty outside modules.
    pub callers: Vec<Vec<Caller>>,
}

/// A `module` call through which a diagnostic inside a module was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// The call's address: `module.logs`, `module.logs["a"]`, `module.app.module.logs`.
    pub module: String,
    /// The `module` block.
    pub span: Span,
}

/// A repair, as data: edits to the scanned files, in each file's own syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// What the fix does, in one sentence for the user.
    pub description: String,
    /// The edits, in order of position, none overlapping another.
    pub edits: Vec<Edit>,
}

/// One edit: replace the text at `span` with `text` (an empty span inserts at its start).
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Where, in a loaded file.
    pub span: Span,
    /// The text that must be there for the edit to apply: what the rule read. An edit whose
    /// text has changed since is not applied.
    pub expected: String,
    /// The new text, written in the file's syntax.
    pub text: String,
}

impl Fix {
    /// A fix of one edit.
    pub fn single(description: impl Into<String>, edit: Edit) -> Fix {
        Fix {
            description: description.into(),
            edits: vec![edit],
        }
    }
}

//! Reports: the diagnostics of a run rendered for people (`human`), programs (`json`),
//! code scanning (`sarif`), GitHub workflow annotations (`github`) and editors and grep
//! (`line`), and the exit status.

pub mod callers;
pub mod escape;
pub mod fingerprint;
pub mod fixes;
pub mod github;
pub mod human;
pub mod json;
pub mod line;
pub mod markdown;
pub mod pieces;
pub mod sarif;
pub mod select;

use crate::resource::LoadError;
use crate::rules::{Diagnostic, Severity};
use crate::source::{LineCol, Sources};

/// The outcome of a scan.
#[derive(Debug, Default)]
pub struct Report {
    /// The files read.
    pub sources: Sources,
    /// The findings, sorted by location.
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be read or parsed.
    pub load_errors: Vec<LoadError>,
    /// How many files were checked.
    pub files: usize,
    /// Things the user should know about the inputs (said once), e.g. what a plan's text
    /// leaves out.
    pub notes: Vec<String>,
    /// Warnings about the command line, not findings (they neither count nor fail the run):
    /// a `--var` or `--parameter` that nothing scanned declares, naming what is declared.
    pub run_warnings: Vec<String>,
    /// How many diagnostics inline suppressions removed.
    pub suppressed: usize,
    /// What `--min-severity` and `--baseline` left out of the report.
    pub filtered: select::Filtered,
    /// Folders named on the command line that hold nothing the tool can read (each also a
    /// load error): the run cannot be used (exit 2).
    pub nothing_to_check: Vec<std::path::PathBuf>,
    /// The configuration file applied, if any.
    pub configuration: Option<AppliedConfig>,
}

/// The configuration file a run applied, and what it turned off, for every format to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AppliedConfig {
    /// The file, as found or named.
    pub file: String,
    /// What it turns off or lowers (rules, `fail_on = "never"`, `exclude` patterns).
    pub turned_off: Vec<String>,
}

impl AppliedConfig {
    /// "configuration .clumio-preflight.toml applied; it turns off: rule CP304 off".
    pub fn describe(&self) -> String {
        let mut s = format!("configuration {} applied", display_path(&self.file));
        if self.turned_off.is_empty() {
            s.push_str("; it turns nothing off");
        } else {
            s.push_str("; it turns off: ");
            s.push_str(&self.turned_off.join(", "));
        }
        s
    }
}

/// From which severity findings fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Errors only (default).
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Note,
    /// Never (exit 0 whatever is found, unless the input is unusable).
    Never,
}

/// Counts by severity: (errors, warnings, notes).
pub fn counts(report: &Report) -> (usize, usize, usize) {
    let count = |s: Severity| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
    )
}

/// 2: some input could not be used — a file that could not be read or parsed, a path
/// refused by the boundary, a size, depth or evaluation limit that was hit — whatever the
/// findings and `fail_on` (the result is incomplete, which is never clean); else 1 when
/// there are findings at or above the fail level, else 0.
pub fn exit_status(report: &Report, fail_on: FailOn) -> u8 {
    if !report.load_errors.is_empty() || !report.nothing_to_check.is_empty() {
        return 2;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
        FailOn::Never => return 0,
    };
    u8::from(report.diagnostics.iter().any(|d| d.severity >= threshold))
}

/// Where a load error is: `file:line:col`, or the path alone.
pub fn load_error_location(sources: &Sources, e: &LoadError) -> (String, Option<LineCol>) {
    match (e.span, e.file) {
        (Some(span), _) => {
            let (start, _) = sources.range(span);
            (sources.file(span.file).name.clone(), Some(start))
        }
        (None, Some(file)) => (sources.file(file).name.clone(), None),
        (None, None) => (e.path.clone().unwrap_or_default(), None),
    }
}

/// "2 errors, 1 warning, 0 notes in 3 files".
pub fn summary_line(report: &Report) -> String {
    let (e, w, n) = counts(report);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut s = format!(
        "{}, {}, {} in {}",
        plural(e, "error"),
        plural(w, "warning"),
        plural(n, "note"),
        plural(report.files, "file")
    );
    if report.suppressed > 0 {
        s.push_str(&format!(" ({} suppressed)", report.suppressed));
    }
    if !report.load_errors.is_empty() {
        s.push_str(&format!(
            "; {} could not be read",
            plural(report.load_errors.len(), "input")
        ));
    }
    for part in report.filtered.describe() {
        s.push_str("; ");
        s.push_str(&part);
    }
    s
}

/// The working directory as given and resolved, looked up once per run (a report names
/// every finding's file, and a plan can have tens of thousands of findings).
fn working_directory() -> Option<&'static (std::path::PathBuf, std::path::PathBuf)> {
    static CWD: std::sync::OnceLock<Option<(std::path::PathBuf, std::path::PathBuf)>> =
        std::sync::OnceLock::new();
    CWD.get_or_init(|| {
        let cwd = std::env::current_dir().ok()?;
        let canonical = cwd.canonicalize().unwrap_or_else(|_| cwd.clone());
        Some((cwd, canonical))
    })
    .as_ref()
}

/// A file name as the `line`, `github` and `sarif` reports show it: relative to the working
/// directory when it is under it (an absolute path given on the command line included), else
/// as given. Names that are not paths (`<stdin>`, `--var x`) are kept.
pub fn display_path(name: &str) -> String {
    let path = std::path::Path::new(name);
    if !path.is_absolute() {
        return name.to_string();
    }
    let Some((cwd, canonical)) = working_directory() else {
        return name.to_string();
    };
    for base in [cwd, canonical] {
        if let Ok(rest) = path.strip_prefix(base)
            && !rest.as_os_str().is_empty()
        {
            let rest = rest.to_string_lossy();
            return if cfg!(windows) {
                rest.replace('\\', "/")
            } else {
                rest.into_owned()
            };
        }
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(load_errors: usize, files: usize) -> Report {
        Report {
            sources: Sources::new(),
            diagnostics: Vec::new(),
            load_errors: (0..load_errors)
                .map(|_| LoadError {
                    file: None,
                    span: None,
                    path: Some("x.tf".into()),
                    message: "evaluation limit: …".into(),
                })
                .collect(),
            files,
            notes: Vec::new(),
            suppressed: 0,
            configuration: None,
            filtered: select::Filtered::default(),
            nothing_to_check: Vec::new(),
            run_warnings: Vec::new(),
        }
    }

    #[test]
    fn an_input_not_used_is_status_2_whatever_else_was_checked_or_fail_on() {
        for fail_on in [FailOn::Error, FailOn::Warning, FailOn::Note, FailOn::Never] {
            assert_eq!(exit_status(&report(1, 0), fail_on), 2);
            assert_eq!(exit_status(&report(1, 5), fail_on), 2);
            assert_eq!(exit_status(&report(0, 5), fail_on), 0);
        }
    }
}

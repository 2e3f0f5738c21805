//! `--format line`: one `path:line:column: severity: message [CODE]` per diagnostic, for
//! editor problem matchers and grep. Paths are relative to the working directory (an
//! absolute path under it included), so that editors and GitHub find the files.
//!
//! `.github/clumio-preflight-matcher.json` holds the regular expression that reads these
//! lines; `tests/action.rs` checks that it matches every line written here.

use super::{Report, display_path, escape, load_error_location};

/// One line per diagnostic and per input that could not be read.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.load_errors {
        let (file, at) = load_error_location(&report.sources, e);
        let (line, column) = at.map_or((1, 1), |a| (a.line, a.column));
        out.push_str(&format!(
            "{}:{line}:{column}: error: {}\n",
            line_path(&file),
            one_line(&e.message)
        ));
    }
    for d in &report.diagnostics {
        let (start, _) = report.sources.range(d.span);
        out.push_str(&format!(
            "{}:{}:{}: {}: {} [{}]\n",
            line_path(&report.sources.file(d.span.file).name),
            start.line,
            start.column,
            d.severity,
            one_line(&d.message),
            d.rule.code
        ));
    }
    escape::guard_lines(out)
}

/// A message on one line: escaped (a line feed read from a file shows as `\n`), then runs of
/// white space as one space.
fn one_line(s: &str) -> String {
    escape::field(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The path that starts a line: escaped, and behind `./` when it would otherwise start with
/// white space or `:` (a folder named `::warning …` must not start a workflow command).
fn line_path(name: &str) -> String {
    let path = escape::field(&display_path(name)).into_owned();
    if path.starts_with(|c: char| c == ':' || c.is_whitespace()) {
        format!("./{path}")
    } else {
        path
    }
}

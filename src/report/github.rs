//! `--format github`: GitHub Actions workflow commands, one per diagnostic, which the runner
//! turns into annotations on the pull request:
//! `::error file=F,line=L,col=C,endLine=L,endColumn=C2,title=CODE name::message` for a span
//! on one line, `::error file=F,line=L,endLine=L2,title=…::…` for a span over several lines
//! (the runner drops a command with columns on a multi-line range), `warning` and `notice`
//! for warnings and notes. Values are escaped as the runner expects: in the message `%`,
//! `\r`, `\n`; in properties also `:` and `,`.

use super::{Report, display_path, load_error_location, summary_line};
use crate::rules::Severity;

/// Escapes the data of a workflow command (the text after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (`file=…`, `title=…`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The command name for a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// One command per diagnostic and per input that could not be read, then the summary as a
/// plain line.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for e in &report.load_errors {
        let (file, at) = load_error_location(&report.sources, e);
        let mut props = vec![format!("file={}", escape_property(&display_path(&file)))];
        if let Some(at) = at {
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.column));
        }
        props.push("title=clumio-preflight: input not checked".replace(':', "%3A"));
        out.push_str(&format!(
            "::error {}::{}\n",
            props.join(","),
            escape_data(&e.message)
        ));
    }
    for d in &report.diagnostics {
        let (start, end) = report.sources.range(d.span);
        let file = display_path(&report.sources.file(d.span.file).name);
        // The runner rejects the whole command when `col`/`endColumn` are given for a range
        // over several lines, or when `endColumn` is before `col`: columns only on one line.
        let mut props = vec![
            format!("file={}", escape_property(&file)),
            format!("line={}", start.line),
        ];
        if end.line == start.line {
            props.push(format!("col={}", start.column));
            props.push(format!("endLine={}", end.line));
            props.push(format!("endColumn={}", end.column.max(start.column)));
        } else {
            props.push(format!("endLine={}", end.line.max(start.line)));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.rule.code, d.rule.name))
        ));
        let message = format!("{}\n\nhelp: {}", d.message, d.help);
        out.push_str(&format!(
            "::{} {}::{}\n",
            command(d.severity),
            props.join(","),
            escape_data(&message)
        ));
    }
    for note in &report.notes {
        out.push_str(&format!(
            "::notice title=clumio-preflight::{}\n",
            escape_data(note)
        ));
    }
    if let Some(config) = &report.configuration {
        out.push_str(&format!(
            "::notice title=clumio-preflight configuration::{}\n",
            escape_data(&config.describe())
        ));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}

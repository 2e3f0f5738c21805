//! `--format github`: GitHub Actions workflow commands, one per diagnostic, which the runner
//! turns into annotations on the pull request:
//! `::error file=F,line=L,col=C,endLine=L,endColumn=C2,title=CODE name::message` for a span
//! on one line, `::error file=F,line=L,endLine=L2,title=…::…` for a span over several lines
//! (the runner drops a command with columns on a multi-line range), `warning` and `notice`
//! for warnings and notes. Every interpolated string is first made safe
//! ([`super::escape`]: control characters and `##[` escaped, a message's own line feeds
//! kept), then escaped as the runner expects: in the message `%`, `\r`, `\n`; in properties
//! also `:` and `,`. So every line but the summary is one of our commands.

use super::{Report, display_path, escape, load_error_location, summary_line};
use crate::rules::{Diagnostic, Severity};

/// Escapes the data of a workflow command (the text after `::`): its lines made safe
/// ([`escape::lines`]), then `%`, `\r` and `\n` as the runner expects.
pub fn escape_data(s: &str) -> String {
    percent_encode(&escape::lines(s), b"%\r\n")
}

/// Escapes a property value of a workflow command (`file=…`, `title=…`): made safe as one
/// line ([`escape::field`]), then `%`, `\r`, `\n`, `:` and `,` as the runner expects.
pub fn escape_property(s: &str) -> String {
    percent_encode(&escape::field(s), b"%\r\n:,")
}

/// `s` with each of the ASCII `bytes` as `%` and its code in two hexadecimal digits, in one
/// pass.
fn percent_encode(s: &str, bytes: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut copied = 0;
    for (at, b) in s.bytes().enumerate() {
        if bytes.contains(&b) {
            // An ASCII byte is a whole character: `at` is on a character boundary.
            out.push_str(&s[copied..at]);
            out.push_str(&format!("%{b:02X}"));
            copied = at + 1;
        }
    }
    out.push_str(&s[copied..]);
    out
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
    super::pieces::to_string(|out| write(report, out))
}

/// Writes what [`render`] makes to `out` as it is rendered, the diagnostics' commands in
/// pieces on all cores ([`super::pieces`]).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut head = String::new();
    for e in &report.load_errors {
        let (file, at) = load_error_location(&report.sources, e);
        let mut props = vec![format!("file={}", escape_property(&display_path(&file)))];
        if let Some(at) = at {
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.column));
        }
        props.push("title=clumio-preflight: input not checked".replace(':', "%3A"));
        head.push_str(&format!(
            "::error {}::{}\n",
            props.join(","),
            escape_data(&escape::field(&e.message))
        ));
    }
    out.write_all(head.as_bytes())?;
    let list = &report.diagnostics;
    super::pieces::write(
        list.len(),
        |range| Ok(list[range].iter().map(|d| diagnostic(report, d)).collect()),
        |piece| out.write_all(piece.as_bytes()),
    )?;
    let mut tail = String::new();
    for warning in &report.run_warnings {
        tail.push_str(&format!(
            "::warning title=clumio-preflight::{}\n",
            escape_data(&escape::field(warning))
        ));
    }
    for note in &report.notes {
        tail.push_str(&format!(
            "::notice title=clumio-preflight::{}\n",
            escape_data(&escape::field(note))
        ));
    }
    if let Some(config) = &report.configuration {
        tail.push_str(&format!(
            "::notice title=clumio-preflight configuration::{}\n",
            escape_data(&escape::field(&config.describe()))
        ));
    }
    tail.push_str(&escape::guard_lines(summary_line(report)));
    tail.push('\n');
    out.write_all(tail.as_bytes())
}

/// The command of one diagnostic, with its line feed.
fn diagnostic(report: &Report, d: &Diagnostic) -> String {
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
    // The message is one line (a line feed read from a file shows as `\n`); the help
    // keeps its own line breaks (a suggested fix), which the runner gets as `%0A`.
    let mut message = format!("{}\n\nhelp: {}", escape::field(&d.message), d.help);
    if let Some(fix) = super::fixes::text(&report.sources, d) {
        message.push('\n');
        message.push_str(&fix);
    }
    format!(
        "::{} {}::{}\n",
        command(d.severity),
        props.join(","),
        escape_data(&message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a\nb: c, d"), "100%25 a%0Ab: c, d");
        assert_eq!(escape_data("a\r\n::x\x1b"), "a\\r%0A::x\\x1b");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_property("a\n::b"), "a\\n%3A%3Ab");
        assert_eq!(
            escape_property("%,:\r\u{202e}##[x]"),
            "%25%2C%3A\\r\\u{202e}#\\x23[x]"
        );
    }

    #[test]
    fn commands_rendered_in_pieces_are_those_of_each_diagnostic_in_order() {
        use crate::report::json::tests::{SIZES, is_inert, report};
        for n in SIZES {
            let report = report(n);
            let text = render(&report);
            let commands: String = report
                .diagnostics
                .iter()
                .map(|d| diagnostic(&report, d))
                .collect();
            assert_eq!(text, format!("{commands}{}\n", summary_line(&report)));
            assert!(is_inert(&text));
            assert_eq!(
                text.lines().filter(|l| l.starts_with("::error ")).count(),
                n
            );
        }
    }
}

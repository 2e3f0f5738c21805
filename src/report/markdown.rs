//! `--format markdown`: a report for people in CI (a GitHub job summary, a pull-request
//! comment): the summary, a table of findings by rule and severity, then each error and
//! warning with its location as `path:line` and the fix. Notes are counted in the table, not
//! listed.
//!
//! Everything that comes from the scanned files (names, messages, fixes) is escaped so that
//! a hostile file cannot add links, images, HTML or headings to the comment: inline text has
//! every character that can start markup backslash-escaped (which also stops autolinks, mentions
//! and entities), and fixes sit in fenced code blocks whose fence is longer than any run of
//! backticks in them.

use super::{Report, display_path, load_error_location, summary_line};
use crate::rules::{Diagnostic, Severity};

/// The Markdown document for a report.
pub fn render(report: &Report) -> String {
    let mut out = String::from("## clumio-preflight\n\n");
    out.push_str(&format!("**{}**\n\n", inline(&summary_line(report))));
    let table = by_rule(report);
    if !table.is_empty() {
        out.push_str("| Rule | Severity | Findings |\n|---|---|---:|\n");
        for (d, n) in &table {
            out.push_str(&format!(
                "| {} {} | {} | {n} |\n",
                d.rule.code,
                d.rule.name,
                d.severity.as_str()
            ));
        }
        out.push('\n');
    }
    if !report.load_errors.is_empty() {
        out.push_str("### Inputs that could not be read\n\n");
        for e in &report.load_errors {
            let (file, at) = load_error_location(&report.sources, e);
            let at = at.map(|a| format!(":{}", a.line)).unwrap_or_default();
            out.push_str(&format!(
                "- {}: {}\n",
                code_span(&format!("{}{at}", display_path(&file))),
                inline(&e.message)
            ));
        }
        out.push('\n');
    }
    for (severity, heading) in [(Severity::Error, "Errors"), (Severity::Warning, "Warnings")] {
        let listed: Vec<&Diagnostic> = super::select::by_severity(report)
            .into_iter()
            .filter(|d| d.severity == severity)
            .collect();
        if listed.is_empty() {
            continue;
        }
        out.push_str(&format!("### {heading}\n\n"));
        for d in listed {
            finding(report, d, &mut out);
        }
    }
    let notes = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Note)
        .count();
    if notes > 0 {
        out.push_str(&format!(
            "{notes} note{} counted above {} not listed; `clumio-preflight --show-notes` shows {}.\n\n",
            if notes == 1 { "" } else { "s" },
            if notes == 1 { "is" } else { "are" },
            if notes == 1 { "it" } else { "them" },
        ));
    }
    if !report.run_warnings.is_empty() {
        out.push_str("### Warnings about the command line\n\n");
        for warning in &report.run_warnings {
            out.push_str(&format!("- {}\n", inline(warning)));
        }
        out.push('\n');
    }
    if !report.notes.is_empty() {
        out.push_str("### About the inputs\n\n");
        for note in &report.notes {
            out.push_str(&format!("- {}\n", inline(note)));
        }
        out.push('\n');
    }
    out
}

/// One finding: `path:line`, rule, message, the resource and the fix.
fn finding(report: &Report, d: &Diagnostic, out: &mut String) {
    let (start, _) = report.sources.range(d.span);
    let path = display_path(&report.sources.file(d.span.file).name);
    out.push_str(&format!(
        "- {} **{} {}** {}\n",
        code_span(&format!("{path}:{}", start.line)),
        d.rule.code,
        d.rule.name,
        inline(&d.message)
    ));
    for via in super::callers::via(report, d) {
        out.push_str(&format!("  {}\n", inline(&via)));
    }
    if !d.help.is_empty() {
        out.push_str("\n  Fix:\n\n");
        out.push_str(&fenced(&d.help, "  "));
    }
    if let Some(fix) = super::fixes::text(&report.sources, d) {
        out.push_str("\n  The fix as edits:\n\n");
        out.push_str(&fenced(&fix, "  "));
    }
    out.push('\n');
}

/// Count of findings per (rule, severity), in code order then severity, each with one of
/// its diagnostics to name the rule.
fn by_rule(report: &Report) -> Vec<(&Diagnostic, usize)> {
    let mut rows: Vec<(&Diagnostic, usize)> = Vec::new();
    for d in &report.diagnostics {
        match rows
            .iter_mut()
            .find(|(r, _)| r.rule.code == d.rule.code && r.severity == d.severity)
        {
            Some((_, n)) => *n += 1,
            None => rows.push((d, 1)),
        }
    }
    rows.sort_by_key(|(d, _)| (std::cmp::Reverse(d.severity), d.rule.code));
    rows
}

/// The ASCII punctuation that can start markup in GitHub Markdown (emphasis, code, links,
/// images, HTML, entities, tables, headings, lists, strikethrough, math, mentions, and the
/// `:`, `.` and `@` of autolinks); each is backslash-escaped in inline text.
const MARKUP: &str = "\\`*_{}[]()#+-.!|<>&~:@$=";

/// Text for a Markdown paragraph or table cell: markup characters backslash-escaped, line
/// breaks and tabs made spaces, other control characters shown as `\u{…}`, so it renders
/// as the same text.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c if MARKUP.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds `text` literally (no backslash escapes apply in code spans, so the
/// backtick fence is made longer than any run of backticks inside).
pub fn code_span(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    format!("{fence} {text} {fence}")
}

/// A fenced code block holding `text` literally, each line indented by `indent`.
fn fenced(text: &str, indent: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    let mut out = format!("{indent}{fence}text\n");
    for line in text.lines() {
        let line: String = line
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        out.push_str(&format!("{indent}{line}\n"));
    }
    out.push_str(&format!("{indent}{fence}\n"));
    out
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_make_links_images_or_html() {
        let hostile = "[x](https://evil.example) ![i](http://e/i.png) <img src=x> &amp; @team www.evil.example\n# h";
        let escaped = inline(hostile);
        for bad in ["[x]", "](", "![", " @team", "www.", "\n", "https://"] {
            assert!(!escaped.contains(bad), "{bad} survived in {escaped}");
        }
        assert!(escaped.contains("\\<img src\\=x\\> \\&amp;"), "{escaped}");
        assert!(
            escaped.contains("\\[x\\]\\(https\\://evil\\.example\\)"),
            "{escaped}"
        );
    }

    #[test]
    fn code_spans_and_fences_outlast_backticks_inside() {
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(code_span("main.tf:3"), "` main.tf:3 `");
        let block = fenced("x ```\n````y", "");
        assert!(block.starts_with("`````text\n"), "{block}");
        assert!(block.ends_with("\n`````\n"), "{block}");
    }
}

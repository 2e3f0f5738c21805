//! How reporters show a diagnostic's [`Fix`]: only while every edit still finds the text it
//! expects in the loaded file (else there is no fix to show, and the help says what to do);
//! in words for the text formats (human, GitHub, Markdown), as data for JSON and SARIF.

use super::display_path;
use crate::rules::{Diagnostic, Edit, Fix};
use crate::source::Sources;

/// The fix of `d` when every edit still applies: the text at its span is what it expects.
pub fn applicable<'a>(sources: &Sources, d: &'a Diagnostic) -> Option<&'a Fix> {
    let fix = d.fix.as_ref()?;
    fix.edits
        .iter()
        .all(|edit| sources.slice(edit.span) == edit.expected)
        .then_some(fix)
}

/// The fix of `d` in words, when it applies: `fix: DESCRIPTION`, then one line per edit,
/// `FILE:LINE:COLUMN: replace `OLD` with `NEW`` (`insert `NEW`` for an empty span; text of
/// several lines is shown indented on the lines after, `replace:` … `with:` …).
pub fn text(sources: &Sources, d: &Diagnostic) -> Option<String> {
    let fix = applicable(sources, d)?;
    let mut out = format!("fix: {}", fix.description);
    for edit in &fix.edits {
        out.push_str("\n  ");
        out.push_str(&edit_text(sources, edit));
    }
    Some(out)
}

/// One edit in words (after the two spaces `text` puts before it).
fn edit_text(sources: &Sources, edit: &Edit) -> String {
    let (at, _) = sources.range(edit.span);
    let file = display_path(&sources.file(edit.span.file).name);
    let place = format!("{file}:{}:{}", at.line, at.column);
    let one_line = !edit.expected.contains('\n') && !edit.text.contains('\n');
    match (edit.expected.is_empty(), one_line) {
        (true, true) => format!("{place}: insert `{}`", edit.text),
        (false, true) => format!("{place}: replace `{}` with `{}`", edit.expected, edit.text),
        (true, false) => format!("{place}: insert:\n{}", indented(&edit.text)),
        (false, false) => format!(
            "{place}: replace:\n{}\n    with:\n{}",
            indented(&edit.expected),
            indented(&edit.text)
        ),
    }
}

/// Each line of `text` indented under its edit.
fn indented(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn diagnostic(fix: Option<Fix>) -> Diagnostic {
        let rule = crate::rules::find("CP301").unwrap();
        Diagnostic {
            rule,
            severity: rule.severity,
            message: "m".into(),
            help: "h".into(),
            span: Span::new(crate::source::FileId(0), 0, 0),
            label: "l".into(),
            resource: "r".into(),
            target: None,
            related: Vec::new(),
            fix,
            callers: Vec::new(),
            help_parts: Vec::new(),
        }
    }

    #[test]
    fn a_fix_is_shown_while_its_edits_find_their_text() {
        let mut sources = Sources::default();
        let file = sources.add("main.tf", "a = \"ObjectWriter\"\n".to_string());
        let replace = Edit {
            span: Span::new(file, 5, 17),
            expected: "ObjectWriter".into(),
            text: "BucketOwnerEnforced".into(),
        };
        let insert = Edit {
            span: Span::new(file, 19, 19),
            expected: String::new(),
            text: "b = 1\nc = 2".into(),
        };
        let d = diagnostic(Some(Fix {
            description: "enforce".into(),
            edits: vec![replace.clone(), insert],
        }));
        assert_eq!(
            text(&sources, &d).unwrap(),
            "fix: enforce\n  main.tf:1:6: replace `ObjectWriter` with `BucketOwnerEnforced`\n  \
             main.tf:2:1: insert:\n      b = 1\n      c = 2"
        );
        let stale = diagnostic(Some(Fix::single(
            "enforce",
            Edit {
                expected: "BucketOwnerPreferred".into(),
                ..replace
            },
        )));
        assert!(applicable(&sources, &stale).is_none());
        assert!(text(&sources, &stale).is_none());
        assert!(text(&sources, &diagnostic(None)).is_none());
    }
}

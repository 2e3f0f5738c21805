//! `--format json`: the machine contract of SPEC.md, as typed structs so that the keys and
//! their order are fixed in one place. Keys are only ever added.

use super::{Report, counts, load_error_location};
use crate::rules::Diagnostic;
use crate::source::Sources;
use serde::Serialize;

/// The whole document.
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    diagnostics: ListSlot,
    summary: Summary,
    /// Inputs that could not be read or parsed (added to the contract; never removed).
    errors: Vec<JsonLoadError>,
    /// Notes about the inputs as a whole (added to the contract; never removed).
    notes: &'a [String],
    /// Warnings about the command line, e.g. a `--var` nothing declares (added to the
    /// contract; never removed; absent when there are none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    run_warnings: &'a [String],
    /// The configuration file applied and what it turned off, when one was (added to the
    /// contract; never removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration: Option<&'a super::AppliedConfig>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    help: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: &'a str,
    target: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    /// For a finding inside a Terraform module: the chains of `module` calls that reached
    /// it, outermost first, one chain per way (added to the contract; never removed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    callers: Vec<Vec<JsonCaller<'a>>>,
    /// The repair the rule vouches for, as edits to the files, when there is one and every
    /// edit still finds the text it expects (added to the contract; never removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

/// Replace the text from (`line`, `column`) to (`end_line`, `end_column`), which is
/// `expected`, by `text` (equal positions: insert).
#[derive(Serialize)]
struct JsonEdit<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    expected: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonCaller<'a> {
    module: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    notes: usize,
    files: usize,
    /// Diagnostics removed by inline suppressions, when there are any (added to the
    /// contract; never removed).
    #[serde(skip_serializing_if = "is_zero")]
    suppressed: usize,
    /// With `--min-severity`: the lowest severity reported, and the findings below it that
    /// were left out (added to the contract; never removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    min_severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    below_min_severity: Option<usize>,
    /// With `--baseline`: findings left out because the baseline holds them, and baseline
    /// entries that no longer occur (added to the contract; never removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale_baseline_entries: Option<usize>,
}

#[derive(Serialize)]
struct JsonLoadError {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Where a list rendered apart goes in a document (a report can hold tens of thousands of
/// diagnostics): serialized as an empty list, which [`write_with_list`] replaces by the
/// elements.
pub(super) struct ListSlot;

impl Serialize for ListSlot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(std::iter::empty::<()>())
    }
}

/// How the pretty printer writes the empty diagnostics list (the list is a member of the
/// top-level object, nested one level down).
const EMPTY_LIST: &str = "\"diagnostics\": []";

/// Writes `skeleton`, an escaped pretty-printed document whose only list written as `slot`
/// (`"key": []`) is nested `depth` levels down, to `out` with `element(i)` for every `i` in
/// `0..len` in that list: the text the pretty printer writes for the whole document, escaped
/// ([`super::escape::json`]), but rendered in pieces on all cores ([`super::pieces`]).
pub(super) fn write_with_list<S: Serialize>(
    out: &mut dyn std::io::Write,
    skeleton: &str,
    slot: &str,
    depth: usize,
    len: usize,
    element: impl Fn(usize) -> S + Sync,
) -> std::io::Result<()> {
    let at = match skeleton.find(slot) {
        Some(at) if len > 0 => at + slot.len() - 1,
        _ => return out.write_all(skeleton.as_bytes()),
    };
    out.write_all(&skeleton.as_bytes()[..at])?;
    let indent = format!("\n{}", "  ".repeat(depth + 1));
    let mut first = true;
    super::pieces::write(
        len,
        |range| render_piece(range.map(&element), &indent),
        |piece| {
            // The list's first element has no `,` before it.
            let skip = usize::from(std::mem::take(&mut first));
            out.write_all(&piece.as_bytes()[skip..])
        },
    )?;
    // The list closes one level up.
    out.write_all(&indent.as_bytes()[..indent.len() - 2])?;
    out.write_all(&skeleton.as_bytes()[at..])
}

/// The `elements` as the pretty printer writes them inside a list, each after `,` and its
/// line break and `indent`ation (the caller drops the first `,`), escaped.
fn render_piece<S: Serialize>(
    elements: impl Iterator<Item = S>,
    indent: &str,
) -> std::io::Result<String> {
    let mut out = String::new();
    let mut one = Vec::new();
    for element in elements {
        one.clear();
        serde_json::to_writer_pretty(&mut one, &element).map_err(std::io::Error::from)?;
        let text = std::str::from_utf8(&one)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        out.push(',');
        // Serialized JSON has line breaks only between its tokens (a string's are escaped):
        // indenting after each one nests the element in the list.
        for line in text.split('\n') {
            out.push_str(indent);
            out.push_str(line);
        }
    }
    Ok(super::escape::json(out))
}

/// One diagnostic in its JSON form.
fn diagnostic<'a>(sources: &'a Sources, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let (start, end) = sources.range(d.span);
    JsonDiagnostic {
        code: d.rule.code,
        name: d.rule.name,
        severity: d.severity.as_str(),
        message: &d.message,
        help: &d.help,
        file: &sources.file(d.span.file).name,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        resource: &d.resource,
        target: d.target.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| {
                let (s, e) = sources.range(r.span);
                JsonRelated {
                    message: &r.message,
                    file: &sources.file(r.span.file).name,
                    line: s.line,
                    column: s.column,
                    end_line: e.line,
                    end_column: e.column,
                }
            })
            .collect(),
        callers: d
            .callers
            .iter()
            .map(|chain| {
                chain
                    .iter()
                    .map(|c| {
                        let (at, _) = sources.range(c.span);
                        JsonCaller {
                            module: &c.module,
                            file: &sources.file(c.span.file).name,
                            line: at.line,
                            column: at.column,
                        }
                    })
                    .collect()
            })
            .collect(),
        fix: super::fixes::applicable(sources, d).map(|fix| JsonFix {
            description: &fix.description,
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    let (s, end) = sources.range(e.span);
                    JsonEdit {
                        file: &sources.file(e.span.file).name,
                        line: s.line,
                        column: s.column,
                        end_line: end.line,
                        end_column: end.column,
                        expected: &e.expected,
                        text: &e.text,
                    }
                })
                .collect(),
        }),
    }
}

/// The JSON document for a report.
pub fn render(report: &Report) -> String {
    super::pieces::to_string(|out| write(report, out))
}

/// Writes the JSON document for a report to `out` as it is serialized (the same text as
/// [`render`], never held whole: a plan with tens of thousands of findings has a report
/// several times its size).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let sources = &report.sources;
    let errors = report
        .load_errors
        .iter()
        .map(|e| {
            let (file, at) = load_error_location(sources, e);
            JsonLoadError {
                file,
                line: at.map(|a| a.line),
                column: at.map(|a| a.column),
                message: e.message.clone(),
            }
        })
        .collect();
    let (errors_n, warnings, notes) = counts(report);
    let filtered = &report.filtered;
    let doc = Document {
        version: 1,
        diagnostics: ListSlot,
        summary: Summary {
            errors: errors_n,
            warnings,
            notes,
            files: report.files,
            suppressed: report.suppressed,
            min_severity: filtered.min_severity.map(|s| s.as_str()),
            below_min_severity: filtered
                .min_severity
                .map(|_| filtered.below_min_severity.0 + filtered.below_min_severity.1),
            baselined: filtered.baseline_applied.then_some(filtered.baselined),
            stale_baseline_entries: filtered.baseline_applied.then_some(filtered.stale_baseline),
        },
        errors,
        notes: &report.notes,
        run_warnings: &report.run_warnings,
        configuration: report.configuration.as_ref(),
    };
    let skeleton = super::escape::json(serde_json::to_string_pretty(&doc)?);
    let list = &report.diagnostics;
    write_with_list(out, &skeleton, EMPTY_LIST, 1, list.len(), |i| {
        diagnostic(sources, &list[i])
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::report::escape;
    use crate::report::pieces::PIECE;
    use crate::rules::{Caller, Edit, Fix, Related};
    use crate::source::Span;

    /// Text a report must not pass on raw: a workflow command, bidi controls, ESC, C1, a
    /// line feed and quotes.
    pub(in crate::report) const HOSTILE: &str =
        "##[error]x \u{202e}\u{2066} \x1b[2J\u{9b} \"q\"\nnext";

    /// A report with `n` diagnostics on one line, all with hostile text, some with related
    /// spans, callers and fixes.
    pub(in crate::report) fn report(n: usize) -> Report {
        let mut sources = Sources::new();
        let file = sources.add(
            "plan ##[x].json",
            "{\"a\":\"ObjectWriter\"}".repeat(n.max(1)),
        );
        let rule = crate::rules::find("CP301").unwrap();
        let diagnostics = (0..n)
            .map(|i| Diagnostic {
                rule,
                severity: rule.severity,
                message: format!("bucket {i} at line 1 {HOSTILE}"),
                help: format!("help {HOSTILE}"),
                span: Span::new(file, i * 20 + 5, i * 20 + 19),
                label: "l".into(),
                resource: format!("r{} {HOSTILE}", i % 7),
                target: (i % 2 == 0).then(|| format!("t{i} {HOSTILE}")),
                related: (i % 3 == 0)
                    .then(|| Related {
                        span: Span::new(file, i * 20, i * 20 + 1),
                        message: format!("related {HOSTILE}"),
                    })
                    .into_iter()
                    .collect(),
                fix: (i % 5 == 0).then(|| {
                    Fix::single(
                        format!("fix {HOSTILE}"),
                        Edit {
                            span: Span::new(file, i * 20 + 6, i * 20 + 18),
                            expected: "ObjectWriter".into(),
                            text: format!("BucketOwnerEnforced {HOSTILE}"),
                        },
                    )
                }),
                callers: (i % 4 == 0)
                    .then(|| {
                        vec![Caller {
                            module: format!("module.m {HOSTILE}"),
                            span: Span::new(file, i * 20, i * 20 + 3),
                        }]
                    })
                    .into_iter()
                    .collect(),
                help_parts: Vec::new(),
            })
            .collect();
        Report {
            sources,
            diagnostics,
            files: 1,
            ..Report::default()
        }
    }

    /// The numbers of diagnostics a report in pieces must get right: none, fewer than a
    /// piece, several pieces, and more than a batch.
    pub(in crate::report) const SIZES: [usize; 5] = [0, 1, 3, PIECE + 1, 17 * PIECE + 7];

    /// Asserts that `text`, a document written in pieces, holds between `key` and `after` the
    /// text the pretty printer writes for `list` nested `depth` levels down, escaped, and
    /// nothing a terminal or runner acts on; returns the document parsed.
    pub(in crate::report) fn assert_list_as_serde_writes_it<S: Serialize>(
        text: &str,
        (key, after): (&str, &str),
        list: &[S],
        depth: usize,
    ) -> serde_json::Value {
        let start = text.find(key).unwrap() + key.len();
        let end = text.rfind(after).unwrap();
        let whole = serde_json::to_string_pretty(list).unwrap();
        let nested = whole.replace('\n', &format!("\n{}", "  ".repeat(depth)));
        let len = list.len();
        assert_eq!(&text[start..end], escape::json(nested), "{len} elements");
        assert!(is_inert(text));
        serde_json::from_str(text).unwrap()
    }

    /// Whether `text` holds nothing a terminal or a runner would act on.
    pub(in crate::report) fn is_inert(text: &str) -> bool {
        !text.contains("##[")
            && !text
                .chars()
                .any(|c| c != '\n' && super::super::escape::is_unsafe(c))
    }

    #[test]
    fn diagnostics_rendered_in_pieces_are_the_list_serde_writes() {
        for n in SIZES {
            let report = report(n);
            let text = render(&report);
            let list: Vec<JsonDiagnostic> = report
                .diagnostics
                .iter()
                .map(|d| diagnostic(&report.sources, d))
                .collect();
            let span = ("\"diagnostics\": ", ",\n  \"summary\"");
            let doc = assert_list_as_serde_writes_it(&text, span, &list, 1);
            assert_eq!(doc["diagnostics"].as_array().unwrap().len(), n);
            assert_eq!(doc["summary"]["errors"], n);
            if n > 0 {
                assert_eq!(doc["diagnostics"][0]["resource"], format!("r0 {HOSTILE}"));
            }
        }
    }
}

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
    diagnostics: Diagnostics<'a>,
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

/// The diagnostics of a report, each converted as it is written (a report can hold tens of
/// thousands: none is kept in its JSON form).
struct Diagnostics<'a>(&'a Report);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let report = self.0;
        let mut seq = serializer.serialize_seq(Some(report.diagnostics.len()))?;
        for d in &report.diagnostics {
            seq.serialize_element(&diagnostic(&report.sources, d))?;
        }
        seq.end()
    }
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
    let mut out = Vec::new();
    // Writing to memory fails only on a serializer error, which typed structs do not raise.
    let _ = write(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
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
        diagnostics: Diagnostics(report),
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
    let mut escaped = super::escape::JsonWriter::new(out);
    serde_json::to_writer_pretty(&mut escaped, &doc).map_err(std::io::Error::from)?;
    escaped.finish()?;
    Ok(())
}

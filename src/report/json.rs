//! `--format json`: the machine contract of SPEC.md. Keys are only ever added.

use super::{Report, counts, load_error_location};
use serde_json::{Value, json};

/// The JSON document for a report.
pub fn render(report: &Report) -> String {
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let (start, end) = report.sources.range(d.span);
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|r| {
                    let (s, e) = report.sources.range(r.span);
                    json!({
                        "message": r.message,
                        "file": report.sources.file(r.span.file).name,
                        "line": s.line, "column": s.column,
                        "end_line": e.line, "end_column": e.column,
                    })
                })
                .collect();
            json!({
                "code": d.rule.code,
                "name": d.rule.name,
                "severity": d.severity.as_str(),
                "message": d.message,
                "help": d.help,
                "file": report.sources.file(d.span.file).name,
                "line": start.line,
                "column": start.column,
                "end_line": end.line,
                "end_column": end.column,
                "resource": d.resource,
                "target": d.target,
                "related": related,
            })
        })
        .collect();
    let errors: Vec<Value> = report
        .load_errors
        .iter()
        .map(|e| {
            let (file, at) = load_error_location(&report.sources, e);
            json!({
                "file": file,
                "line": at.map(|a| a.line),
                "column": at.map(|a| a.column),
                "message": e.message,
            })
        })
        .collect();
    let (e, w, n) = counts(report);
    let doc = json!({
        "version": 1,
        "diagnostics": diagnostics,
        "errors": errors,
        "summary": { "errors": e, "warnings": w, "notes": n, "files": report.files },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

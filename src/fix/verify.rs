//! Whether applied fixes did their job, by comparing the checker's report before and after:
//! each fixed finding is gone, no finding is new, and no fixed file stopped parsing.
//! Findings are compared by rule, file, resource and target (lines move when text is
//! inserted, and messages may change with the text).

use crate::diagnostics::Diagnostic;
use crate::report::Report;
use std::collections::HashMap;

/// What identifies a finding across two runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FindingKey {
    code: &'static str,
    file: String,
    resource: String,
    target: Option<String>,
}

impl FindingKey {
    /// The key of `d`, a finding of `report`.
    pub fn of(report: &Report, d: &Diagnostic) -> FindingKey {
        FindingKey {
            code: d.rule.code,
            file: report.sources.file(d.span.file).name.clone(),
            resource: d.resource.clone(),
            target: d.target.clone(),
        }
    }
}

fn counts(report: &Report) -> HashMap<FindingKey, usize> {
    let mut out = HashMap::new();
    for d in &report.diagnostics {
        *out.entry(FindingKey::of(report, d)).or_insert(0) += 1;
    }
    out
}

fn load_errors(report: &Report) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for e in &report.load_errors {
        let name = match (e.file, &e.path) {
            (Some(f), _) => report.sources.file(f).name.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => String::new(),
        };
        *out.entry(name).or_insert(0) += 1;
    }
    out
}

/// Why the report `after` does not vouch for the fixes of the findings `fixed` (indices into
/// `before.diagnostics`), or `None` when it does.
pub fn check(before: &Report, after: &Report, fixed: &[usize]) -> Option<String> {
    let errors_before = load_errors(before);
    for (file, n) in load_errors(after) {
        if n > errors_before.get(&file).copied().unwrap_or(0) {
            let message = after
                .load_errors
                .iter()
                .map(|e| e.message.as_str())
                .next()
                .unwrap_or("");
            return Some(format!("{file} no longer loads after the fix: {message}"));
        }
    }
    let mut allowed = counts(before);
    for &i in fixed {
        let key = FindingKey::of(before, &before.diagnostics[i]);
        if let Some(n) = allowed.get_mut(&key) {
            *n = n.saturating_sub(1);
        }
    }
    let now = counts(after);
    for d in &after.diagnostics {
        let key = FindingKey::of(after, d);
        let limit = allowed.get(&key).copied().unwrap_or(0);
        if now[&key] > limit {
            let was_fixed = fixed
                .iter()
                .any(|&i| FindingKey::of(before, &before.diagnostics[i]) == key);
            return Some(if was_fixed {
                format!(
                    "the checker still reports {} on {} after it",
                    d.rule.code, d.resource
                )
            } else {
                format!(
                    "it brings a new finding: {} on {}: {}",
                    d.rule.code, d.resource, d.message
                )
            });
        }
    }
    None
}

//! What a report shows: `--min-severity` (findings below it are left out of every format and
//! of the summary's counts, which then say how many were left out) and the order people read
//! findings in (errors first, then warnings, then notes; by file and line within each).

use super::Report;
use crate::rules::{Diagnostic, Severity};

/// Findings left out of a report, said in its summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtered {
    /// The lowest severity reported, when `--min-severity` was given.
    pub min_severity: Option<Severity>,
    /// Findings below `min_severity`: (warnings, notes).
    pub below_min_severity: (usize, usize),
    /// Findings left out because the baseline holds them.
    pub baselined: usize,
    /// Baseline entries that match no finding of this run (fixed, or changed).
    pub stale_baseline: usize,
    /// Whether a baseline was applied.
    pub baseline_applied: bool,
}

impl Filtered {
    /// The clauses the summary line adds, e.g. "3 notes below --min-severity warning not shown".
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (warnings, notes) = self.below_min_severity;
        if let Some(min) = self.min_severity
            && warnings + notes > 0
        {
            let mut parts = Vec::new();
            if warnings > 0 {
                parts.push(plural(warnings, "warning"));
            }
            if notes > 0 {
                parts.push(plural(notes, "note"));
            }
            out.push(format!(
                "{} below --min-severity {min} not shown",
                parts.join(" and ")
            ));
        }
        if self.baseline_applied {
            out.push(format!(
                "{} in the baseline not shown, {} no longer {}",
                plural(self.baselined, "finding"),
                plural(self.stale_baseline, "baseline entry"),
                if self.stale_baseline == 1 {
                    "occurs"
                } else {
                    "occur"
                },
            ));
        }
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("{n} {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        (_, None) => format!("{n} {word}s"),
    }
}

/// Leaves out the findings below `min`, counting them in `report.filtered`.
pub fn apply_min_severity(report: &mut Report, min: Severity) {
    report.filtered.min_severity = Some(min);
    let (mut warnings, mut notes) = report.filtered.below_min_severity;
    report.diagnostics.retain(|d| {
        if d.severity >= min {
            return true;
        }
        match d.severity {
            Severity::Warning => warnings += 1,
            _ => notes += 1,
        }
        false
    });
    report.filtered.below_min_severity = (warnings, notes);
}

/// The findings in reading order: errors, then warnings, then notes; by file name, line and
/// column within each, then by code.
pub fn by_severity(report: &Report) -> Vec<&Diagnostic> {
    let mut out: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    out.sort_by_cached_key(|d| {
        let (start, _) = report.sources.range(d.span);
        (
            std::cmp::Reverse(d.severity),
            report.sources.file(d.span.file).name.clone(),
            start.line,
            start.column,
            d.rule.code,
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_what_was_left_out() {
        let mut f = Filtered::default();
        assert!(f.describe().is_empty());
        f.min_severity = Some(Severity::Error);
        f.below_min_severity = (1, 3);
        f.baseline_applied = true;
        f.baselined = 4;
        f.stale_baseline = 1;
        assert_eq!(
            f.describe(),
            [
                "1 warning and 3 notes below --min-severity error not shown",
                "4 findings in the baseline not shown, 1 baseline entry no longer occurs"
            ]
        );
        f.stale_baseline = 2;
        assert!(f.describe()[1].ends_with("2 baseline entries no longer occur"));
    }
}

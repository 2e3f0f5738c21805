//! Baselines: `--write-baseline FILE` records the findings of a run by their stable
//! fingerprints (the SARIF `partialFingerprints`), and `--baseline FILE` leaves those out of
//! a later run, so a team can adopt the tool on an existing repository and fail only on new
//! findings. Fingerprints hold no line numbers: lines inserted above a finding keep it
//! baselined. The file is JSON, one entry per finding, with the rule, file, resource and
//! message next to the fingerprint so that a reviewer can read what was accepted.

use crate::report::{Report, display_path, fingerprint};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The version of the file format.
const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The file format's version.
    pub version: u32,
    /// The findings accepted.
    pub findings: Vec<AcceptedFinding>,
}

/// One accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AcceptedFinding {
    /// The stable fingerprint (what is matched).
    pub fingerprint: String,
    /// The rule's code (for people reading the file).
    pub code: String,
    /// The file, as the reports show it.
    pub file: String,
    /// The resource.
    pub resource: String,
    /// The message when it was recorded.
    pub message: String,
}

impl Baseline {
    /// The baseline of every finding of `report`.
    pub fn of(report: &Report) -> Baseline {
        let findings = report
            .diagnostics
            .iter()
            .zip(fingerprint::all(report))
            .map(|(d, print)| AcceptedFinding {
                fingerprint: print,
                code: d.rule.code.to_string(),
                file: display_path(&report.sources.file(d.span.file).name),
                resource: d.resource.clone(),
                message: d.message.clone(),
            })
            .collect();
        Baseline {
            version: VERSION,
            findings,
        }
    }

    /// The file's text (pretty JSON, ending with a newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Reads a baseline file through the filesystem boundary (a regular file, at most
    /// [`MAX_INPUT_BYTES`](crate::fsbound::MAX_INPUT_BYTES)); the error says where it is wrong.
    pub fn load(path: &Path, boundary: &crate::fsbound::Boundary) -> Result<Baseline, String> {
        let shown = crate::fsbound::display(path);
        let text = boundary
            .read_text(path, crate::fsbound::MAX_INPUT_BYTES)
            .map_err(|e| format!("{shown}: error: cannot read the baseline: {e}"))?;
        Baseline::parse(&text).map_err(|e| format!("{shown}:{e}"))
    }

    /// Parses a baseline's text; the error starts with `line:column: `.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| {
            format!(
                "{}:{}: error: not a clumio-preflight baseline (written by --write-baseline): {e}",
                e.line(),
                e.column()
            )
        })?;
        if baseline.version != VERSION {
            return Err(format!(
                "1:1: error: baseline version {} is not supported (this version reads {VERSION}); write it again with --write-baseline",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Leaves out of `report` the findings this baseline holds, and counts them and the
    /// entries that matched nothing in `report.filtered`.
    pub fn apply(&self, report: &mut Report) {
        let mut remaining: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            *remaining.entry(e.fingerprint.as_str()).or_insert(0) += 1;
        }
        let prints = fingerprint::all(report);
        let keep: Vec<bool> = prints
            .iter()
            .map(|print| match remaining.get_mut(print.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect();
        let before = report.diagnostics.len();
        let mut keep = keep.into_iter();
        report.diagnostics.retain(|_| keep.next().unwrap_or(true));
        let filtered = &mut report.filtered;
        filtered.baseline_applied = true;
        filtered.baselined += before - report.diagnostics.len();
        filtered.stale_baseline += remaining.values().sum::<usize>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_located_errors() {
        let e = Baseline::parse("{\"version\": 1,\n \"findings\": 3}").unwrap_err();
        assert!(e.starts_with("2:"), "{e}");
        assert!(e.contains("not a clumio-preflight baseline"), "{e}");
        let e = Baseline::parse("{\"version\": 7, \"findings\": []}").unwrap_err();
        assert!(e.contains("version 7 is not supported"), "{e}");
    }

    #[test]
    fn round_trips() {
        let b = Baseline {
            version: 1,
            findings: vec![AcceptedFinding {
                fingerprint: "00ff:1".into(),
                code: "CP101".into(),
                file: "main.tf".into(),
                resource: "aws_s3_bucket_policy.data".into(),
                message: "m".into(),
            }],
        };
        assert_eq!(Baseline::parse(&b.to_json()).unwrap(), b);
    }
}

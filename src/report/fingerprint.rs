//! Stable fingerprints of findings: the SARIF `partialFingerprints` value and the keys of a
//! baseline file. A fingerprint hashes the rule, the file (as the reports show it), the
//! resource and the message without positions, then counts identical hashes in location
//! order (`hash:1`, `hash:2` …), so lines inserted above a finding do not change it.

use super::{Report, display_path};
use crate::rules::Diagnostic;
use std::collections::HashMap;

/// The fingerprint of each diagnostic of `diagnostics` (in the order given), whose spans
/// are in `report`'s sources.
pub fn of(report: &Report, diagnostics: &[Diagnostic]) -> Vec<String> {
    // The hashes on all cores; the counting in order.
    let hashes = crate::parallel::map(diagnostics, |d| {
        let file = display_path(&report.sources.file(d.span.file).name);
        super::sarif::fingerprint(d.rule.code, &file, &d.resource, &d.message)
    });
    let mut seen: HashMap<u64, usize> = HashMap::new();
    hashes
        .into_iter()
        .map(|hash| {
            let n = seen.entry(hash).or_insert(0);
            *n += 1;
            format!("{hash:016x}:{n}")
        })
        .collect()
}

/// The fingerprint of every diagnostic of the report, in its order.
pub fn all(report: &Report) -> Vec<String> {
    of(report, &report.diagnostics)
}

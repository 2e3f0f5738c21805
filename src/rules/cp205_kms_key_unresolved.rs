#![doc = include_str!("docs/CP205.md")]

use super::{Context, Diagnostic, Rule, RuleInfo, Severity};
use crate::model::{KeyRef};

/// CP205.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP205",
    name: "kms-key-unresolved",
    severity: Severity::Note,
    summary: "the bucket is encrypted with a key not defined in the scanned sources, so its policy cannot be checked",
    docs: include_str!("docs/CP205.md"),
    tags: super::tags::KMS,
    security_severity: "2.0",
};

/// CP205 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Notes buckets encrypted with keys the scan cannot see.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    for enc in &inv.encryptions {
        let what = match &enc.key {
            KeyRef::External(k) => {
                format!("the key {k}, which is not defined in the scanned sources")
            }
            KeyRef::Unknown(h) => format!("a key known only after apply ({})", h.why),
            _ => continue,
        };
        let bucket = inv.bucket_label(enc.bucket, &enc.bucket_expr);
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "{bucket} is encrypted with {what}; its key policy could not be checked"
            ),
            help: "scan the code that defines the key with the bucket, or check its policy with \
                   `clumio-preflight simulate KEY_POLICY.json --clumio`"
                .into(),
            span: enc.span,
            label: "key not in the scanned code".into(),
            resource: enc.resource.clone(),
            target: Some(bucket),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
}

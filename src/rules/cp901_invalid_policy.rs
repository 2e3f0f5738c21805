#![doc = include_str!("docs/CP901.md")]

use super::{Context, Diagnostic, Rule, RuleInfo, Severity};
use crate::model::{KeyPolicy, PolicyDoc};

/// CP901.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP901",
    name: "invalid-policy",
    severity: Severity::Error,
    summary: "a policy document cannot be parsed or is not a valid IAM policy (AWS would reject it)",
    docs: include_str!("docs/CP901.md"),
    tags: super::tags::CONFIGURATION,
    security_severity: "8.0",
};

/// CP901 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Reports every problem the policy parser found, in bucket and key policies.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    let bucket_docs = inv
        .policies
        .iter()
        .map(|bp| (&bp.doc, &bp.resource, inv.target_of(bp)));
    let key_docs = inv.keys.iter().filter_map(|k| match &k.policy {
        KeyPolicy::Written { doc, resource, .. } => Some((doc, resource, k.resource.clone())),
        KeyPolicy::Default => None,
    });
    for (doc, resource, target) in bucket_docs.chain(key_docs) {
        let errors = match doc {
            PolicyDoc::Parsed { errors, .. } => errors,
            PolicyDoc::Invalid(errors) => errors,
            PolicyDoc::Unknown(_) => continue,
        };
        for e in errors {
            out.push(Diagnostic {
                fix: None,
                rule: &INFO,
                severity: INFO.severity,
                message: format!("invalid policy for {target}: {}", e.message),
                help: "AWS rejects this document when it is applied (MalformedPolicy); fix the element shown".into(),
                span: e.span,
                label: "invalid here".into(),
                resource: resource.clone(),
                target: Some(target.clone()),
                related: Vec::new(),
                callers: Vec::new(),
                help_parts: Vec::new(),
            });
        }
    }
}

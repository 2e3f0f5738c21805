#![doc = include_str!("docs/CP901.md")]

use super::{Diagnostic, RuleInfo, Severity};
use crate::model::{Inventory, PolicyDoc};

/// CP901.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP901",
    name: "invalid-policy",
    severity: Severity::Error,
    summary: "a policy document cannot be parsed or is not a valid IAM policy (AWS would reject it)",
    docs: include_str!("docs/CP901.md"),
};

/// Reports every problem the policy parser found.
pub fn check(inv: &Inventory, out: &mut Vec<Diagnostic>) {
    for bp in &inv.policies {
        let errors = match &bp.doc {
            PolicyDoc::Parsed { errors, .. } => errors,
            PolicyDoc::Invalid(errors) => errors,
            PolicyDoc::Unknown(_) => continue,
        };
        for e in errors {
            out.push(Diagnostic {
                rule: &INFO,
                severity: INFO.severity,
                message: format!("invalid policy for {}: {}", inv.target_of(bp), e.message),
                help: "AWS rejects this document when it is applied (MalformedPolicy); fix the element shown".into(),
                span: e.span,
                label: "invalid here".into(),
                resource: bp.resource.clone(),
                target: Some(inv.target_of(bp)),
                related: Vec::new(),
            });
        }
    }
}

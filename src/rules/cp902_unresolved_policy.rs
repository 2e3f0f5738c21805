#![doc = include_str!("docs/CP902.md")]

use super::{Context, Diagnostic, Rule, RuleInfo, Severity};
use crate::model::{KeyPolicy, PolicyDoc};

/// CP902.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP902",
    name: "unresolved-policy",
    severity: Severity::Note,
    summary: "a policy or setting is only known after apply, so it could not be checked",
    docs: include_str!("docs/CP902.md"),
    tags: super::tags::CONFIGURATION,
    security_severity: "2.0",
};

/// CP902 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Notes the statements of a policy known only after apply (its known statements are
/// checked by the other rules).
fn partly_unknown(
    policy: &crate::policy::ast::Policy,
    resource: &str,
    target: &str,
    out: &mut Vec<Diagnostic>,
) {
    for unknown in &policy.unknown_statements {
        let hole = &unknown.value;
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "part of the policy of {target} could not be checked: statements known only after apply: {} ({}); \
                 its known statements were checked",
                hole.why, hole.id
            ),
            help: "run the check on the plan (`terraform show -json PLAN | clumio-preflight`), or give the missing \
                   values (--var, --var-file, --account-id)"
                .into(),
            span: unknown.span,
            label: "statements known only after apply".into(),
            resource: resource.to_string(),
            target: Some(target.to_string()),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
}

/// Reports every bucket or key policy whose document is not known statically, and the
/// statements of a policy that are.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    let bucket_docs = inv
        .policies
        .iter()
        .map(|bp| (&bp.doc, &bp.resource, bp.span, inv.target_of(bp)));
    let key_docs = inv.keys.iter().filter_map(|k| match &k.policy {
        KeyPolicy::Written {
            doc,
            resource,
            span,
            ..
        } => Some((doc, resource, *span, k.resource.clone())),
        KeyPolicy::Default => None,
    });
    for (doc, resource, span, target) in bucket_docs.chain(key_docs) {
        if let PolicyDoc::Parsed { policy, .. } = doc {
            partly_unknown(policy, resource, &target, out);
            continue;
        }
        let PolicyDoc::Unknown(hole) = doc else {
            continue;
        };
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!("the policy of {target} could not be checked: {} ({})", hole.why, hole.id),
            help: "run the check on the plan (`terraform show -json PLAN | clumio-preflight`), or give the missing \
                   values (--var, --var-file, --account-id)"
                .into(),
            span,
            label: "known only after apply".into(),
            resource: resource.clone(),
            target: Some(target),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
    // An ownership setting known only after apply may be ObjectWriter: say so, never pass.
    for o in &inv.ownerships {
        let Some(hole) = o.setting.holes().next() else {
            continue;
        };
        let bucket = inv.bucket_label(o.bucket, &o.bucket_expr);
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "the object ownership of {bucket} could not be checked: {}; ObjectWriter or BucketOwnerPreferred \
                 would leave objects other accounts write unreadable to the Clumio role",
                hole.why
            ),
            help: "give the missing values (--var, --var-file, --parameter), or run the check on the plan".into(),
            span: o.span,
            label: "known only after apply".into(),
            resource: o.resource.clone(),
            target: Some(bucket),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
}

#![doc = include_str!("docs/CP207.md")]

use super::key_access::{self, Grant};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};

/// CP207.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP207",
    name: "kms-decrypt-may-be-missing",
    severity: Severity::Warning,
    summary: "whether the key policy grants the Clumio role kms:Decrypt depends on a value not known statically",
    docs: include_str!("docs/CP207.md"),
    tags: super::tags::KMS,
    security_severity: "5.0",
};

/// CP207 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::KeyAccess],
    check: Some(check),
};

/// Reports keys whose grant of `kms:Decrypt` to the role hinges on unknowns.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.key_access());
    for v in verdicts {
        let Grant::Depends(on) = &v.decrypt else {
            continue;
        };
        let (span, resource) = key_access::grant_span(inv, v);
        let mut found = Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "whether the policy of {}, or a KMS grant of the code on it, lets the Clumio role decrypt the SSE-KMS objects of {} depends on {}",
                inv.keys[v.key].resource,
                key_access::bucket_label(inv, v),
                super::unknowns::depends_on(on)
            ),
            help: String::new(),
            span,
            label: "may not grant kms:Decrypt".into(),
            resource,
            target: Some(key_access::bucket_label(inv, v)),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        };
        found.set_help(fix::key_statement_help(
            format!("{}, or grant the role by name:\n", super::unknowns::settle(on)),
            profile,
            key_access::syntax(inv, v),
        ));
        out.push(found);
    }
}

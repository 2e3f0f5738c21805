#![doc = include_str!("docs/CP204.md")]

use super::key_access::{self, Grant};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};

/// CP204.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP204",
    name: "kms-grant-via-iam",
    severity: Severity::Note,
    summary: "the key policy grants the Clumio role only through the account-root delegation",
    docs: include_str!("docs/CP204.md"),
    tags: super::tags::KMS,
    security_severity: "2.0",
};

/// CP204 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::KeyAccess],
    check: Some(check),
};

/// Notes keys that grant the role `kms:Decrypt` only through the account principal.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.key_access());
    for v in verdicts.iter().filter(|v| v.decrypt == Grant::ViaIam) {
        let key = &inv.keys[v.key];
        let (span, resource) = key_access::grant_span(inv, v);
        let which = if v.default_policy {
            "has no policy, so the default key policy applies: it"
        } else {
            ""
        };
        let mut found = Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "{} {which} grants the Clumio role kms:Decrypt only through the account-root statement: backups of {} rely on \
                 the role's IAM policy (Clumio's template grants it), which is not in the scanned code",
                key.resource,
                key_access::bucket_label(inv, v)
            )
            .replace("  ", " "),
            help: String::new(),
            span,
            label: "grants through IAM delegation only".into(),
            resource,
            target: Some(key_access::bucket_label(inv, v)),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        };
        found.set_help(fix::key_statement_help(
            format!(
                "nothing to do if the Clumio role keeps its KMS policy; to stop depending on it, {}:\n",
                if v.default_policy {
                    "give the key a policy (it replaces the default one) that keeps the account-root statement and adds"
                } else {
                    "add to the key policy"
                }
            ),
            profile,
            key_access::syntax(inv, v),
        ));
        out.push(found);
    }
}

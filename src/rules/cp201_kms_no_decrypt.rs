#![doc = include_str!("docs/CP201.md")]

use super::key_access::{self, Grant};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};

/// CP201.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP201",
    name: "kms-no-decrypt",
    severity: Severity::Error,
    summary: "the key that encrypts the bucket lets the Clumio role decrypt neither directly nor through IAM delegation",
    docs: include_str!("docs/CP201.md"),
    tags: super::tags::KMS,
    security_severity: "8.0",
};

/// CP201 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::KeyAccess],
    check: Some(check),
};

/// Reports keys whose policy certainly grants the role no `kms:Decrypt`.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.key_access());
    for v in verdicts.iter().filter(|v| v.decrypt == Grant::Missing) {
        let key = &inv.keys[v.key];
        let (span, resource) = key_access::grant_span(inv, v);
        let mut found = Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "the policy of {} grants the Clumio role no kms:Decrypt, neither by name nor through the account-root \
                 statement, and no KMS grant of the code gives it, so Clumio cannot read the SSE-KMS objects of {}{}",
                key.resource,
                key_access::bucket_label(inv, v),
                v.unmet_grants
                    .iter()
                    .map(|g| format!("; {g}"))
                    .collect::<String>()
            ),
            help: String::new(),
            span,
            label: "no statement allows the Clumio role to decrypt".into(),
            resource,
            target: Some(key_access::bucket_label(inv, v)),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        };
        found.set_help(fix::key_statement_help(
            if v.unmet_grants.is_empty() {
                "add this statement to the key policy:\n"
            } else {
                "drop the grant's encryption-context constraint (or enable S3 Bucket Keys and constrain it to the bucket's ARN), \
                 or add this statement to the key policy:\n"
            },
            profile,
            key_access::syntax(inv, v),
        ));
        out.push(found);
    }
}

#![doc = include_str!("docs/CP203.md")]

use super::bucket_deny;
use super::key_access;
use super::{Context, Diagnostic, Help, Reads, Rule, RuleInfo, Severity, fix};
use crate::profile;

/// CP203.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP203",
    name: "kms-deny-may-block-backup",
    severity: Severity::Warning,
    summary: "a key-policy Deny may apply to the Clumio role's decrypts, depending on a value not known statically",
    docs: include_str!("docs/CP203.md"),
    tags: super::tags::KMS,
    security_severity: "5.0",
};

/// CP203 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::KeyAccess],
    check: Some(check),
};

/// Reports key-policy Deny statements whose effect on the role's KMS calls hinges on unknowns.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.key_access());
    for v in verdicts {
        let maybe = v.denies.iter().filter(|d| {
            !d.denied.contains(&profile::KMS_DECRYPT) && d.maybe.contains(&profile::KMS_DECRYPT)
        });
        for d in maybe {
            let st = &v.policy.statements[d.statement];
            let (_, resource) = key_access::grant_span(inv, v);
            let who = bucket_deny::sessions_blocked(&d.sessions)
                .map(|w| format!(" ({w})"))
                .unwrap_or_default();
            let mut found = Diagnostic {
                fix: None,
                rule: &INFO,
                severity: INFO.severity,
                message: format!(
                    "Deny statement \"{}\" of the policy of {} may deny kms:Decrypt made by S3 for the Clumio role on {}{who}; \
                     it depends on {}",
                    st.label(),
                    inv.keys[v.key].resource,
                    key_access::bucket_label(inv, v),
                    super::unknowns::depends_on(&d.depends_on)
                ),
                help: String::new(),
                span: st.span,
                label: "may deny kms:Decrypt".into(),
                resource,
                target: Some(key_access::bucket_label(inv, v)),
                related: Vec::new(),
                callers: Vec::new(),
                help_parts: Vec::new(),
            };
            found.set_help(Help::text(format!("{}, or ", super::unknowns::settle(&d.depends_on)))
                .then(fix::exempt_help(profile, key_access::syntax(inv, v))));
            out.push(found);
        }
    }
}

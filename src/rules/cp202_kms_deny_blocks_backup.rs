#![doc = include_str!("docs/CP202.md")]

use super::bucket_deny;
use super::key_access;
use super::{Context, Diagnostic, Help, Reads, Rule, RuleInfo, Severity, SnippetKind, fix};
use crate::profile;

/// CP202.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP202",
    name: "kms-deny-blocks-backup",
    severity: Severity::Error,
    summary: "a key-policy Deny certainly applies to the Clumio role's decrypts",
    docs: include_str!("docs/CP202.md"),
    tags: super::tags::KMS,
    security_severity: "8.0",
};

/// CP202 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::KeyAccess],
    check: Some(check),
};

/// Reports key-policy Deny statements that certainly deny the role's decrypts through S3.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.key_access());
    for v in verdicts {
        for d in v
            .denies
            .iter()
            .filter(|d| d.denied.contains(&profile::KMS_DECRYPT))
        {
            let st = &v.policy.statements[d.statement];
            let why: Vec<&str> = d
                .reasons
                .iter()
                .filter(|r| r.contains(" → "))
                .map(String::as_str)
                .collect();
            let why = if why.is_empty() {
                "no condition spares it".to_string()
            } else {
                why.join("; ")
            };
            let (_, resource) = key_access::grant_span(inv, v);
            let message = match bucket_deny::sessions_blocked(&d.sessions) {
                Some(who) => format!(
                    "Deny statement \"{}\" of the policy of {} blocks the KMS calls S3 makes for Clumio's sessions, so \
                     they cannot read the SSE-KMS objects of {}: {who}; because {why}",
                    st.label(),
                    inv.keys[v.key].resource,
                    key_access::bucket_label(inv, v)
                ),
                None => format!(
                    "Deny statement \"{}\" of the policy of {} denies {} made by S3 for the Clumio role, so Clumio cannot read \
                     the SSE-KMS objects of {}: {why}",
                    st.label(),
                    inv.keys[v.key].resource,
                    d.denied.join(" and "),
                    key_access::bucket_label(inv, v)
                ),
            };
            let label = match d.sessions.is_empty() {
                true => format!("denies {}", d.denied.join(" and ")),
                false => format!(
                    "denies {} to {}",
                    d.denied.join(" and "),
                    bucket_deny::session_names_blocked(&d.sessions)
                ),
            };
            let mut found = Diagnostic {
                fix: None,
                rule: &INFO,
                severity: INFO.severity,
                message,
                help: String::new(),
                span: st.span,
                label,
                resource,
                target: Some(key_access::bucket_label(inv, v)),
                related: Vec::new(),
                callers: Vec::new(),
                help_parts: Vec::new(),
            };
            found.set_help(Help::text("let the calls S3 makes for the role pass: add this to the Deny's conditions\n")
                .then_snippet(fix::snippet(SnippetKind::NotViaAwsService, profile, key_access::syntax(inv, v)))
                .then_text("\nor ")
                .then(fix::exempt_help(profile, key_access::syntax(inv, v))));
            out.push(found);
        }
    }
}

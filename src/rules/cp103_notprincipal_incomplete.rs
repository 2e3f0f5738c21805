#![doc = include_str!("docs/CP103.md")]

use super::bucket_deny::{self, Class};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};

/// CP103.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP103",
    name: "notprincipal-incomplete",
    severity: Severity::Error,
    summary: "a NotPrincipal Deny leaves the Clumio role denied (account, role or session ARN missing, or a permissions boundary)",
    docs: include_str!("docs/CP103.md"),
    tags: super::tags::BUCKET_POLICY,
    security_severity: "8.0",
};

/// CP103 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::BucketDenies],
    check: Some(check),
};

/// Reports `NotPrincipal` Deny statements that deny the Clumio role.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.bucket_denies());
    for v in verdicts
        .iter()
        .filter(|v| v.class == Class::NotPrincipalIncomplete)
    {
        let Some((_, st)) = bucket_deny::statement(inv, v) else {
            continue;
        };
        let bp = &inv.policies[v.policy];
        let why = if profile.permissions_boundary == Some(true) {
            "the Clumio role has a permissions boundary, and a NotPrincipal Deny always applies to such a principal".to_string()
        } else {
            let who = bucket_deny::who_is_blocked(v)
                .unwrap_or_else(|| format!("denied sessions: {}", v.sessions_denied.join(", ")));
            format!(
                "AWS checks the account, the role and the session ARN in turn, and NotPrincipal must list all three; \
                 {who}"
            )
        };
        let message = format!(
            "Deny statement \"{}\" uses NotPrincipal but still denies the Clumio role on {} ({}): {why}",
            st.label(),
            inv.target_of(bp),
            bucket_deny::action_list(&v.denied),
        );
        let help = fix::replace_notprincipal_help(profile, bp.syntax);
        out.extend(bucket_deny::diagnostic(
            inv,
            v,
            &INFO,
            message,
            help,
            "NotPrincipal does not exempt the Clumio role".into(),
        ));
    }
}

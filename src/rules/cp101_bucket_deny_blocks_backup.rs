#![doc = include_str!("docs/CP101.md")]

use super::bucket_deny::{self, Class};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};

/// CP101.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP101",
    name: "bucket-deny-blocks-backup",
    severity: Severity::Error,
    summary: "a bucket-policy Deny certainly applies to the Clumio role for an action backups need",
    docs: include_str!("docs/CP101.md"),
    tags: super::tags::BUCKET_POLICY,
    security_severity: "8.0",
};

/// CP101 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::BucketDenies],
    check: Some(check),
};

/// Reports every Deny statement that certainly denies a backup request.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.bucket_denies());
    for v in verdicts.iter().filter(|v| v.class == Class::Blocks) {
        let Some((_, st)) = bucket_deny::statement(inv, v) else {
            continue;
        };
        let bp = &inv.policies[v.policy];
        let (message, label) = match bucket_deny::who_is_blocked(v) {
            Some(who) => (
                format!(
                    "Deny statement \"{}\" blocks Clumio backups of {}: {who}; because {}",
                    st.label(),
                    inv.target_of(bp),
                    bucket_deny::condition_reasons(v)
                ),
                format!(
                    "denies {} to {}",
                    bucket_deny::action_list(&v.denied),
                    bucket_deny::blocked_session_names(v)
                ),
            ),
            None => (
                format!(
                    "Deny statement \"{}\" blocks Clumio backups of {}: {} denied to the Clumio role because {}",
                    st.label(),
                    inv.target_of(bp),
                    bucket_deny::action_list(&v.denied),
                    bucket_deny::condition_reasons(v)
                ),
                format!("denies {}", bucket_deny::action_list(&v.denied)),
            ),
        };
        let help = fix::exempt_help(profile, bp.syntax);
        out.extend(bucket_deny::diagnostic(inv, v, &INFO, message, help, label));
    }
}

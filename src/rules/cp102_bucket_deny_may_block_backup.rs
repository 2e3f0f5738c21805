#![doc = include_str!("docs/CP102.md")]

use super::bucket_deny::{self, Class};
use super::{Context, Diagnostic, Help, Reads, Rule, RuleInfo, Severity, fix};

/// CP102.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP102",
    name: "bucket-deny-may-block-backup",
    severity: Severity::Warning,
    summary: "a bucket-policy Deny applies to the Clumio role or not depending on a value not known statically",
    docs: include_str!("docs/CP102.md"),
    tags: super::tags::BUCKET_POLICY,
    security_severity: "5.0",
};

/// CP102 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::BucketDenies],
    check: Some(check),
};

/// Reports every Deny statement whose effect on backups hinges on unknowns.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.bucket_denies());
    for v in verdicts.iter().filter(|v| v.class == Class::MayBlock) {
        let Some((_, st)) = bucket_deny::statement(inv, v) else {
            continue;
        };
        let bp = &inv.policies[v.policy];
        let who = bucket_deny::who_is_blocked(v)
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        let message = format!(
            "Deny statement \"{}\" may block Clumio backups of {}: whether it denies {} to the Clumio role{who} depends on {}",
            st.label(),
            inv.target_of(bp),
            bucket_deny::action_list(&v.maybe),
            super::unknowns::depends_on(&v.depends_on)
        );
        let help = Help::text(format!("{}, or ", super::unknowns::settle(&v.depends_on)))
            .then(fix::exempt_help(profile, bp.syntax));
        let label = format!("may deny {}", bucket_deny::action_list(&v.maybe));
        out.extend(bucket_deny::diagnostic(inv, v, &INFO, message, help, label));
    }
}

#![doc = include_str!("docs/CP102.md")]

use super::bucket_deny::{self, Class, StatementVerdict};
use super::{Diagnostic, RuleInfo, Severity, fix};
use crate::model::Inventory;
use crate::profile::Profile;

/// CP102.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP102",
    name: "bucket-deny-may-block-backup",
    severity: Severity::Warning,
    summary: "a bucket-policy Deny applies to the Clumio role or not depending on a value not known statically",
    docs: include_str!("docs/CP102.md"),
};

/// Reports every Deny statement whose effect on backups hinges on unknowns.
pub fn check(
    inv: &Inventory,
    profile: &Profile,
    verdicts: &[StatementVerdict],
    out: &mut Vec<Diagnostic>,
) {
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
        let help = format!(
            "{}, or {}",
            super::unknowns::settle(&v.depends_on),
            fix::exempt_help(profile, bp.syntax)
        );
        let label = format!("may deny {}", bucket_deny::action_list(&v.maybe));
        out.extend(bucket_deny::diagnostic(inv, v, &INFO, message, help, label));
    }
}

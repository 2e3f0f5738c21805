#![doc = include_str!("docs/CP105.md")]

use super::bucket_deny::{self, Class};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};

/// CP105.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP105",
    name: "notprincipal-fragile",
    severity: Severity::Warning,
    summary: "a Deny exempts Clumio only through NotPrincipal with exact session names",
    docs: include_str!("docs/CP105.md"),
    tags: super::tags::BUCKET_POLICY,
    security_severity: "5.0",
};

/// CP105 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::BucketDenies],
    check: Some(check),
};

/// Reports `NotPrincipal` Deny statements that exempt Clumio today, but only by listing
/// exact sessions.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.bucket_denies());
    for v in verdicts
        .iter()
        .filter(|v| v.class == Class::NotPrincipalFragile)
    {
        let Some((_, st)) = bucket_deny::statement(inv, v) else {
            continue;
        };
        let bp = &inv.policies[v.policy];
        let extra = if v.depends_on.is_empty() {
            String::new()
        } else {
            format!(" (today it hinges on {})", v.depends_on.join("; "))
        };
        let message = format!(
            "Deny statement \"{}\" exempts the Clumio role from its deny on {} only through NotPrincipal with exact \
             session names: a session not listed, or a permissions boundary added to the role later, is denied{extra}",
            st.label(),
            inv.target_of(bp),
        );
        let help = fix::replace_notprincipal_help(profile, bp.syntax);
        out.extend(bucket_deny::diagnostic(
            inv,
            v,
            &INFO,
            message,
            help,
            "exemption by exact session names".into(),
        ));
    }
}

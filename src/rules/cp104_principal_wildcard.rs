#![doc = include_str!("docs/CP104.md")]

use super::bucket_deny::{self, Class};
use super::{Context, Diagnostic, Reads, Related, Rule, RuleInfo, Severity, fix};

/// CP104.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP104",
    name: "principal-wildcard",
    severity: Severity::Error,
    summary: "a Principal/NotPrincipal ARN holds a partial wildcard, which AWS never matches as a pattern",
    docs: include_str!("docs/CP104.md"),
    tags: super::tags::BUCKET_POLICY,
    security_severity: "8.0",
};

/// CP104 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::BucketDenies],
    check: Some(check),
};

/// Reports principal entries such as `arn:aws:sts::ACCT:assumed-role/R/daebaksrv-*`.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.bucket_denies());
    for v in verdicts
        .iter()
        .filter(|v| v.class == Class::PartialWildcard)
    {
        let Some((_, st)) = bucket_deny::statement(inv, v) else {
            continue;
        };
        let bp = &inv.policies[v.policy];
        let entries: Vec<String> = v
            .wildcards
            .iter()
            .map(|(_, e)| format!("\"{e}\""))
            .collect();
        let element = if st.principal.as_ref().is_some_and(|p| p.negated) {
            "NotPrincipal"
        } else {
            "Principal"
        };
        let message = format!(
            "statement \"{}\" names {} in {element}: a principal cannot hold a partial wildcard, so AWS never matches it \
             (and S3 may reject the policy with \"Invalid principal\"); the exemption it meant for {} does not exist",
            st.label(),
            entries.join(", "),
            inv.target_of(bp),
        );
        let help = fix::replace_notprincipal_help(profile, bp.syntax);
        let Some(mut d) = bucket_deny::diagnostic(
            inv,
            v,
            &INFO,
            message,
            help,
            "partial wildcard in a principal".into(),
        ) else {
            continue;
        };
        if let Some((span, text)) = v.wildcards.first() {
            d.span = *span;
            d.label = format!("\"{text}\" never matches a session");
            d.related.push(Related {
                span: st.span,
                message: "in this statement".into(),
            });
        }
        out.push(d);
    }
}

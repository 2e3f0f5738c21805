#![doc = include_str!("docs/CP104.md")]

use super::bucket_deny::{self, Class, StatementVerdict};
use super::{Diagnostic, Related, RuleInfo, Severity, fix};
use crate::model::Inventory;
use crate::profile::Profile;

/// CP104.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP104",
    name: "principal-wildcard",
    severity: Severity::Error,
    summary: "a Principal/NotPrincipal ARN holds a partial wildcard, which AWS never matches as a pattern",
    docs: include_str!("docs/CP104.md"),
};

/// Reports principal entries such as `arn:aws:sts::ACCT:assumed-role/R/daebaksrv-*`.
pub fn check(
    inv: &Inventory,
    profile: &Profile,
    verdicts: &[StatementVerdict],
    out: &mut Vec<Diagnostic>,
) {
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

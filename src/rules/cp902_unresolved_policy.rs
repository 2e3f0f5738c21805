#![doc = include_str!("docs/CP902.md")]

use super::{Diagnostic, RuleInfo, Severity};
use crate::model::{Inventory, PolicyDoc};

/// CP902.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP902",
    name: "unresolved-policy",
    severity: Severity::Note,
    summary: "a policy or setting is only known after apply, so it could not be checked",
    docs: include_str!("docs/CP902.md"),
};

/// Reports every policy whose document is not known statically.
pub fn check(inv: &Inventory, out: &mut Vec<Diagnostic>) {
    for bp in &inv.policies {
        let PolicyDoc::Unknown(hole) = &bp.doc else {
            continue;
        };
        out.push(Diagnostic {
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "the policy of {} could not be checked: {} ({})",
                inv.target_of(bp),
                hole.why,
                hole.id
            ),
            help: "run the check on the plan (`terraform show -json PLAN | clumio-preflight`), or give the missing \
                   values (--var, --var-file, --account-id)"
                .into(),
            span: bp.span,
            label: "known only after apply".into(),
            resource: bp.resource.clone(),
            target: Some(inv.target_of(bp)),
            related: Vec::new(),
        });
    }
}

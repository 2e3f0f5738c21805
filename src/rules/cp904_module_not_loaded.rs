#![doc = include_str!("docs/CP904.md")]

use super::{Context, Diagnostic, Rule, RuleInfo, Severity};

/// CP904.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP904",
    name: "module-not-loaded",
    severity: Severity::Note,
    summary: "a module's code is not on disk (terraform init has not run), so nothing it creates is checked",
    docs: include_str!("docs/CP904.md"),
    tags: super::tags::CONFIGURATION,
    security_severity: "2.0",
};

/// CP904 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Notes module calls whose code could not be read.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    for module in &inv.modules_not_loaded {
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "{} (source \"{}\") was not checked: its code is not on disk: {}; the buckets, \
                 policies and keys it creates may block Clumio backups",
                module.address, module.source, module.reason
            ),
            help: "run `terraform init` in the root module's folder so that the module is \
                   downloaded to .terraform/modules/, then check again; or check the plan: \
                   `terraform show -json PLAN | clumio-preflight`"
                .into(),
            span: module.span,
            label: "module code not loaded".into(),
            resource: module.address.clone(),
            target: None,
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
}

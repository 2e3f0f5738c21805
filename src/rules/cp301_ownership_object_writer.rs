#![doc = include_str!("docs/CP301.md")]

use super::ownership::{self, Setting};
use super::{Context, Diagnostic, Rule, RuleInfo, Severity};

/// CP301.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP301",
    name: "ownership-object-writer",
    severity: Severity::Error,
    summary: "object ownership ObjectWriter: objects written by other accounts belong to them and reading them fails with 403",
    docs: include_str!("docs/CP301.md"),
    tags: super::tags::OBJECT_OWNERSHIP,
    security_severity: "8.0",
};

/// CP301 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Reports `ObjectWriter` settings.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    for o in inv
        .ownerships
        .iter()
        .filter(|o| ownership::setting(o) == Setting::ObjectWriter)
    {
        out.push(ownership::diagnostic(
            inv,
            o,
            &INFO,
            "object ownership ObjectWriter: objects other accounts upload belong to them, and the Clumio role gets 403 \
             (\"Object and Bucket Owner Mismatch\") reading them",
        ));
    }
}

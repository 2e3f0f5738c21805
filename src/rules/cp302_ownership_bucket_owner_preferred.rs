#![doc = include_str!("docs/CP302.md")]

use super::ownership::{self, Setting};
use super::{Context, Diagnostic, Rule, RuleInfo, Severity};

/// CP302.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP302",
    name: "ownership-bucket-owner-preferred",
    severity: Severity::Warning,
    summary: "BucketOwnerPreferred: objects uploaded without bucket-owner-full-control, and older objects, stay with the writer",
    docs: include_str!("docs/CP302.md"),
    tags: super::tags::OBJECT_OWNERSHIP,
    security_severity: "5.0",
};

/// CP302 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Reports `BucketOwnerPreferred` settings.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    for o in inv
        .ownerships
        .iter()
        .filter(|o| ownership::setting(o) == Setting::Preferred)
    {
        out.push(ownership::diagnostic(
            inv,
            o,
            &INFO,
            "object ownership BucketOwnerPreferred: objects uploaded by other accounts without the bucket-owner-full-control \
             ACL, and objects older than the setting, stay with the writer, and the Clumio role gets 403 on them",
        ));
    }
}

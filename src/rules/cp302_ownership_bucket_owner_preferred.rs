#![doc = include_str!("docs/CP302.md")]

use super::ownership::{self, Setting};
use super::{Diagnostic, RuleInfo, Severity};
use crate::model::Inventory;

/// CP302.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP302",
    name: "ownership-bucket-owner-preferred",
    severity: Severity::Warning,
    summary: "BucketOwnerPreferred: objects uploaded without bucket-owner-full-control, and older objects, stay with the writer",
    docs: include_str!("docs/CP302.md"),
};

/// Reports `BucketOwnerPreferred` settings.
pub fn check(inv: &Inventory, out: &mut Vec<Diagnostic>) {
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

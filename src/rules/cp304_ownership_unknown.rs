#![doc = include_str!("docs/CP304.md")]

use super::{Context, Diagnostic, Rule, RuleInfo, Severity};
use crate::resource::Lifecycle;

/// CP304.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP304",
    name: "ownership-unknown",
    severity: Severity::Note,
    summary: "a bucket not created by this change has no ownership setting in code; old buckets default to ObjectWriter",
    docs: include_str!("docs/CP304.md"),
    tags: super::tags::OBJECT_OWNERSHIP,
    security_severity: "2.0",
};

/// CP304 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Notes buckets without an ownership setting that may predate April 2023.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    let owned: std::collections::HashSet<usize> =
        inv.ownerships.iter().filter_map(|o| o.bucket).collect();
    for (i, b) in inv.buckets.iter().enumerate() {
        if b.lifecycle == Lifecycle::Created || owned.contains(&i) {
            continue;
        }
        let when = match b.lifecycle {
            Lifecycle::Existing => "already exists",
            _ => "may already exist (the source code cannot tell)",
        };
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "{} has no object-ownership setting and {when}: a bucket created before April 2023 defaults to ObjectWriter, \
                 and objects other accounts wrote to it are unreadable to the Clumio role",
                b.resource
            ),
            help: if b.resource.contains('.') {
                "declare it: aws_s3_bucket_ownership_controls with rule { object_ownership = \"BucketOwnerEnforced\" }".into()
            } else {
                "declare it: OwnershipControls: { Rules: [{ ObjectOwnership: BucketOwnerEnforced }] }".into()
            },
            span: b.header,
            label: "no ownership setting".into(),
            resource: b.resource.clone(),
            target: Some(b.resource.clone()),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
}

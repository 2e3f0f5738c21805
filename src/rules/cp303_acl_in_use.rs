#![doc = include_str!("docs/CP303.md")]

use super::{Context, Diagnostic, Rule, RuleInfo, Severity};

/// CP303.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP303",
    name: "acl-in-use",
    severity: Severity::Warning,
    summary: "an ACL is set on the bucket, which only works with ACLs enabled",
    docs: include_str!("docs/CP303.md"),
    tags: super::tags::OBJECT_OWNERSHIP,
    security_severity: "5.0",
};

/// CP303 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Reports ACLs set on buckets.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    for acl in &inv.acls {
        let bucket = inv.bucket_label(acl.bucket, &acl.bucket_expr);
        let message = format!(
            "{} sets an ACL on {bucket} ({}): ACLs only work with ACLs enabled (ObjectWriter or BucketOwnerPreferred), \
             which lets objects belong to other accounts that the Clumio role cannot read",
            acl.resource, acl.what
        );
        let (message, help) = match super::ownership::cloudfront_logs(
            inv,
            acl.bucket,
            &acl.bucket_expr,
            INFO.code,
            &acl.resource,
        ) {
            Some((why, options)) => (format!("{message}; {why}"), options),
            None => (
                message,
                "grant access with bucket-policy statements instead of ACLs, and set object ownership to BucketOwnerEnforced"
                    .into(),
            ),
        };
        out.push(Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message,
            help,
            span: acl.span,
            label: "ACL in use".into(),
            resource: acl.resource.clone(),
            target: Some(bucket),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        });
    }
}

#![doc = include_str!("docs/CP106.md")]

use super::{Context, Diagnostic, Related, Rule, RuleInfo, Severity};

/// CP106.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP106",
    name: "duplicate-bucket-policy",
    severity: Severity::Warning,
    summary: "one bucket gets its policy from two places; the one applied last wins",
    docs: include_str!("docs/CP106.md"),
    tags: super::tags::BUCKET_POLICY,
    security_severity: "5.0",
};

/// CP106 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[],
    check: Some(check),
};

/// Reports every policy after the first that sets the same bucket's policy.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let inv = cx.inventory;
    let mut by_bucket: Vec<Vec<&crate::model::BucketPolicy>> = vec![Vec::new(); inv.buckets.len()];
    for p in &inv.policies {
        if let Some(b) = p.bucket {
            by_bucket[b].push(p);
        }
    }
    for (bucket, setters) in inv.buckets.iter().zip(&by_bucket) {
        let Some((first, rest)) = setters.split_first() else {
            continue;
        };
        for dup in rest {
            out.push(Diagnostic {
                fix: None,
                rule: &INFO,
                severity: INFO.severity,
                message: format!(
                    "the policy of {} is set both by {} and by {}: a bucket has one policy, so whichever is applied \
                     last wins and the other is silently replaced (both were checked)",
                    bucket.resource, first.resource, dup.resource
                ),
                help: "keep one source of the bucket policy: move the statements into a single aws_s3_bucket_policy \
                       and remove the inline `policy` argument (or the second policy resource)"
                    .into(),
                span: dup.span,
                label: "second source of the bucket policy".into(),
                resource: dup.resource.clone(),
                target: Some(bucket.resource.clone()),
                related: vec![Related { span: first.span, message: format!("first set by {}", first.resource) }],
                callers: Vec::new(),
                help_parts: Vec::new(),
            });
        }
    }
}

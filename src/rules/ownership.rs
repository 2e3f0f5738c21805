//! Shared pieces of the ownership rules (CP301, CP302).

use super::{Diagnostic, Edit, Fix, RuleInfo, fix};
use crate::model::{Inventory, Ownership, PolicySyntax};

/// The three object-ownership settings, or something not known statically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `ObjectWriter`.
    ObjectWriter,
    /// `BucketOwnerPreferred`.
    Preferred,
    /// `BucketOwnerEnforced`.
    Enforced,
    /// Unknown or unrecognized.
    Other,
}

/// The setting an ownership entry holds.
pub fn setting(o: &Ownership) -> Setting {
    match o.setting.as_known() {
        Some("ObjectWriter") => Setting::ObjectWriter,
        Some("BucketOwnerPreferred") => Setting::Preferred,
        Some("BucketOwnerEnforced") => Setting::Enforced,
        _ => Setting::Other,
    }
}

/// A diagnostic at the setting, with the fix in the front end's syntax (Terraform addresses
/// contain a dot; CloudFormation logical ids never do).
pub fn diagnostic(
    inv: &Inventory,
    o: &Ownership,
    rule: &'static RuleInfo,
    what: &str,
) -> Diagnostic {
    let bucket = inv.bucket_label(o.bucket, &o.bucket_expr);
    let syntax = if o.resource.contains('.') {
        PolicySyntax::HclJsonencode
    } else {
        PolicySyntax::Yaml
    };
    // A bucket that receives CloudFront standard logs needs its ACLs: no automatic fix.
    let (message, help, enforce) =
        match cloudfront_logs(inv, o.bucket, &o.bucket_expr, rule.code, &o.resource) {
            Some((why, options)) => (format!("{bucket} has {what}; {why}"), options, None),
            None => (
                format!("{bucket} has {what}"),
                fix::ownership_fix(syntax).to_string(),
                enforce_fix(o),
            ),
        };
    Diagnostic {
        rule,
        severity: rule.severity,
        message,
        help,
        span: o.span,
        label: format!("{} lets objects belong to other accounts", o.setting),
        resource: o.resource.clone(),
        target: Some(bucket),
        related: Vec::new(),
        callers: Vec::new(),
        help_parts: Vec::new(),
        fix: enforce,
    }
}

/// Replacing a known `ObjectWriter` / `BucketOwnerPreferred` with `BucketOwnerEnforced`, in
/// place: the setting's span holds the word alone (YAML) or quoted (HCL, JSON, YAML).
fn enforce_fix(o: &Ownership) -> Option<Fix> {
    let from = o.setting.as_known()?;
    if !matches!(setting(o), Setting::ObjectWriter | Setting::Preferred) {
        return None;
    }
    let span = Edit::word_in_value(o.span, from)?;
    Some(Fix::single(
        "set object ownership to BucketOwnerEnforced: the bucket owner then owns every object, old and new, and ACLs are disabled",
        Edit {
            span,
            expected: from.to_string(),
            text: "BucketOwnerEnforced".to_string(),
        },
    ))
}

/// For a bucket that receives CloudFront standard (legacy) access logs: why its ACLs are
/// there (for the message) and the options (for the help), in place of "set
/// BucketOwnerEnforced", which alone would stop the log delivery. `resource` is where the
/// finding is reported (for the suppression example).
pub fn cloudfront_logs(
    inv: &Inventory,
    bucket: Option<usize>,
    expr: &crate::value::PString,
    code: &str,
    resource: &str,
) -> Option<(String, String)> {
    let logs = inv.cloudfront_logs_of(bucket, expr)?;
    let why = format!(
        "the bucket receives CloudFront standard (legacy) access logs ({}, in {}), which CloudFront delivers through \
         the bucket ACL: the ACLs are there for the logs, so BucketOwnerEnforced alone would stop their delivery",
        logs.evidence, logs.resource
    );
    let suppression = if resource.contains('.') {
        format!(
            "`# clumio-preflight:ignore {code} CloudFront standard logs need ACLs (TICKET)` on the line above the setting"
        )
    } else {
        format!(
            "`Metadata: {{clumio-preflight: {{ignore: [{{code: {code}, reason: CloudFront standard logs need ACLs}}]}}}}` on {resource}"
        )
    };
    let options = format!(
        "options: (1) move the CloudFront logs out of this bucket (to a log bucket of their own, or to CloudFront's \
         standard logging v2, which delivers without ACLs), then set object ownership to BucketOwnerEnforced here; \
         (2) keep the ACLs and accept the risk that objects written by other accounts stay unreadable to Clumio: \
         suppress this finding with the reason, {suppression}"
    );
    Some((why, options))
}

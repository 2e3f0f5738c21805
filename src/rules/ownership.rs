//! Shared pieces of the ownership rules (CP301, CP302).

use super::{Diagnostic, RuleInfo, fix};
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
    Diagnostic {
        rule,
        severity: rule.severity,
        message: format!("{bucket} has {what}"),
        help: fix::ownership_fix(syntax).to_string(),
        span: o.span,
        label: format!("{} lets objects belong to other accounts", o.setting),
        resource: o.resource.clone(),
        target: Some(bucket),
        related: Vec::new(),
    }
}

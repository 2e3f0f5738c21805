#![doc = include_str!("docs/CP206.md")]

use super::key_access::{self, Grant};
use super::{Context, Diagnostic, Reads, Rule, RuleInfo, Severity, fix};
use crate::profile;

/// CP206.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP206",
    name: "kms-no-generate-data-key",
    severity: Severity::Warning,
    summary: "the key lets the Clumio role decrypt but not kms:GenerateDataKey*: restores into the bucket fail",
    docs: include_str!("docs/CP206.md"),
    tags: super::tags::KMS,
    security_severity: "5.0",
};

/// CP206 in the registry.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::KeyAccess],
    check: Some(check),
};

/// Reports keys that allow the role to decrypt but not to generate data keys.
pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (inv, profile, verdicts) = (cx.inventory, cx.profile, cx.key_access());
    for v in verdicts {
        let decrypt_ok = matches!(v.decrypt, Grant::Direct | Grant::ViaIam)
            && !v
                .denies
                .iter()
                .any(|d| d.denied.contains(&profile::KMS_DECRYPT));
        let generate_denied = v
            .denies
            .iter()
            .any(|d| d.denied.contains(&profile::KMS_GENERATE_DATA_KEY));
        if !decrypt_ok || (v.generate != Grant::Missing && !generate_denied) {
            continue;
        }
        let (span, resource) = key_access::grant_span(inv, v);
        let why = if generate_denied {
            "a Deny statement takes it away"
        } else {
            "no statement grants it"
        };
        let mut found = Diagnostic {
            fix: None,
            rule: &INFO,
            severity: INFO.severity,
            message: format!(
                "{} lets the Clumio role decrypt but not kms:GenerateDataKey* ({why}): backups of {} work, restores into it fail",
                inv.keys[v.key].resource,
                key_access::bucket_label(inv, v)
            ),
            help: String::new(),
            span,
            label: "kms:GenerateDataKey* not granted".into(),
            resource,
            target: Some(key_access::bucket_label(inv, v)),
            related: Vec::new(),
            callers: Vec::new(),
            help_parts: Vec::new(),
        };
        found.set_help(fix::key_statement_help("grant both actions to the role:\n", profile, key_access::syntax(inv, v)));
        out.push(found);
    }
}

//! The rules: each reads the [`Inventory`] and the backup [`Profile`] and emits
//! [`Diagnostic`]s. One module per rule, each documented in `docs/CODE.md` (also what
//! `clumio-preflight explain CODE` prints).

use crate::model::Inventory;
use crate::profile::Profile;
use crate::source::Span;
use std::fmt;

pub mod bucket_deny;
pub mod cp101_bucket_deny_blocks_backup;
pub mod cp102_bucket_deny_may_block_backup;
pub mod cp103_notprincipal_incomplete;
pub mod cp104_principal_wildcard;
pub mod cp105_notprincipal_fragile;
pub mod cp106_duplicate_bucket_policy;
pub mod cp201_kms_no_decrypt;
pub mod cp202_kms_deny_blocks_backup;
pub mod cp203_kms_deny_may_block_backup;
pub mod cp204_kms_grant_via_iam;
pub mod cp205_kms_key_unresolved;
pub mod cp206_kms_no_generate_data_key;
pub mod cp207_kms_decrypt_may_be_missing;
pub mod cp301_ownership_object_writer;
pub mod cp302_ownership_bucket_owner_preferred;
pub mod cp303_acl_in_use;
pub mod cp304_ownership_unknown;
pub mod cp901_invalid_policy;
pub mod cp902_unresolved_policy;
pub mod cp903_unused_suppression;
pub mod cp904_module_not_loaded;
pub mod fix;
pub mod key_access;
pub mod ownership;
pub mod unknowns;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Note,
    /// Backups may break.
    Warning,
    /// Backups break.
    Error,
}

impl Severity {
    /// `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code, e.g. `CP101`.
    pub code: &'static str,
    /// Stable name, e.g. `bucket-deny-blocks-backup`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
    /// The full documentation (Markdown).
    pub docs: &'static str,
}

/// A secondary location shown with a diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule.
    pub rule: &'static RuleInfo,
    /// Severity (the rule's default unless configured).
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The fix.
    pub help: String,
    /// The offending element.
    pub span: Span,
    /// The label shown at the span.
    pub label: String,
    /// The resource that holds the element.
    pub resource: String,
    /// The bucket or key whose backup breaks, where known.
    pub target: Option<String>,
    /// Other places worth showing.
    pub related: Vec<Related>,
    /// An automatic fix the rule vouches for (reporters such as SARIF attach it); `None`
    /// when the rule offers none or none is safe for this element.
    pub auto_fix: Option<AutoFix>,
    /// For an element inside a Terraform module: the chains of `module` calls that reached
    /// it, one per way (outermost call first); empty outside modules.
    pub callers: Vec<Vec<Caller>>,
}

/// A `module` call through which a diagnostic inside a module was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// The call's address: `module.logs`, `module.logs["a"]`, `module.app.module.logs`.
    pub module: String,
    /// The `module` block.
    pub span: Span,
}

/// A textual fix: replace the one occurrence of `from` in the text at the diagnostic's span
/// with `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoFix {
    /// The text replaced.
    pub from: String,
    /// Its replacement.
    pub to: String,
    /// What the fix does, for the user.
    pub description: String,
}

/// Every rule, in code order.
pub const RULES: &[&RuleInfo] = &[
    &cp101_bucket_deny_blocks_backup::INFO,
    &cp102_bucket_deny_may_block_backup::INFO,
    &cp103_notprincipal_incomplete::INFO,
    &cp104_principal_wildcard::INFO,
    &cp105_notprincipal_fragile::INFO,
    &cp106_duplicate_bucket_policy::INFO,
    &cp201_kms_no_decrypt::INFO,
    &cp202_kms_deny_blocks_backup::INFO,
    &cp203_kms_deny_may_block_backup::INFO,
    &cp204_kms_grant_via_iam::INFO,
    &cp205_kms_key_unresolved::INFO,
    &cp206_kms_no_generate_data_key::INFO,
    &cp207_kms_decrypt_may_be_missing::INFO,
    &cp301_ownership_object_writer::INFO,
    &cp302_ownership_bucket_owner_preferred::INFO,
    &cp303_acl_in_use::INFO,
    &cp304_ownership_unknown::INFO,
    &cp901_invalid_policy::INFO,
    &cp902_unresolved_policy::INFO,
    &cp903_unused_suppression::INFO,
    &cp904_module_not_loaded::INFO,
];

/// Looks a rule up by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Runs every rule over the inventory. Diagnostics come out sorted by location.
pub fn run(inventory: &Inventory, profile: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let verdicts = bucket_deny::analyze(inventory, profile);
    cp101_bucket_deny_blocks_backup::check(inventory, profile, &verdicts, &mut out);
    cp102_bucket_deny_may_block_backup::check(inventory, profile, &verdicts, &mut out);
    cp103_notprincipal_incomplete::check(inventory, profile, &verdicts, &mut out);
    cp104_principal_wildcard::check(inventory, profile, &verdicts, &mut out);
    cp105_notprincipal_fragile::check(inventory, profile, &verdicts, &mut out);
    cp106_duplicate_bucket_policy::check(inventory, &mut out);
    let keys = key_access::analyze(inventory, profile);
    cp201_kms_no_decrypt::check(inventory, profile, &keys, &mut out);
    cp202_kms_deny_blocks_backup::check(inventory, profile, &keys, &mut out);
    cp203_kms_deny_may_block_backup::check(inventory, profile, &keys, &mut out);
    cp204_kms_grant_via_iam::check(inventory, profile, &keys, &mut out);
    cp205_kms_key_unresolved::check(inventory, &mut out);
    cp206_kms_no_generate_data_key::check(inventory, profile, &keys, &mut out);
    cp207_kms_decrypt_may_be_missing::check(inventory, profile, &keys, &mut out);
    cp301_ownership_object_writer::check(inventory, &mut out);
    cp302_ownership_bucket_owner_preferred::check(inventory, &mut out);
    cp303_acl_in_use::check(inventory, &mut out);
    cp304_ownership_unknown::check(inventory, &mut out);
    cp901_invalid_policy::check(inventory, &mut out);
    cp902_unresolved_policy::check(inventory, &mut out);
    cp904_module_not_loaded::check(inventory, &mut out);
    out.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code).cmp(&(b.span.file, b.span.start, b.rule.code))
    });
    out
}

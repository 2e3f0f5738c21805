//! The rules: each reads the [`Inventory`] and the backup [`Profile`] and emits
//! [`Diagnostic`]s. One module per rule, each documented in `docs/CODE.md` (also what
//! `clumio-preflight explain CODE` prints).

pub use crate::diagnostics::{Caller, Diagnostic, Edit, Fix, Related, RuleInfo, Severity};
use crate::model::Inventory;
use crate::profile::Profile;

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

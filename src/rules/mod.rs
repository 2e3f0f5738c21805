//! The rules: each reads the [`Inventory`] and the backup [`Profile`] and emits
//! [`Diagnostic`]s. One module per rule, each documented in `docs/CODE.md` (also what
//! `clumio-preflight explain CODE` prints), and each exporting its `INFO` and its `RULE` (the
//! registry entry: info, what it reads, its check).
//!
//! Adding a rule: write its module and its `docs/CODE.md`, add the module to the list of
//! `registry!` below, and give it a scenario that makes it fire and one that keeps it quiet
//! (`tests/registry.rs` fails until it has both).

pub use crate::diagnostics::{
    Caller, Diagnostic, Edit, Fix, Help, HelpPart, Related, RuleInfo, Severity, Snippet,
    SnippetKind,
};
use crate::model::Inventory;
use crate::profile::Profile;

pub mod bucket_deny;
pub mod fix;
pub mod key_access;
pub mod ownership;
pub mod registry;
pub mod unknowns;

pub use registry::{Check, Context, Enabled, Reads, Rule};

/// The tags of the rules ([`RuleInfo::tags`]), by topic.
pub mod tags {
    /// Bucket policies (CP1xx).
    pub const BUCKET_POLICY: &[&str] = &[
        "security",
        "reliability",
        "backup",
        "clumio",
        "bucket-policy",
    ];
    /// KMS keys (CP2xx).
    pub const KMS: &[&str] = &["security", "reliability", "backup", "clumio", "kms"];
    /// Object ownership and ACLs (CP3xx).
    pub const OBJECT_OWNERSHIP: &[&str] = &[
        "security",
        "reliability",
        "backup",
        "clumio",
        "object-ownership",
    ];
    /// What could not be checked, and the checker's own configuration (CP9xx).
    pub const CONFIGURATION: &[&str] = &[
        "security",
        "reliability",
        "backup",
        "clumio",
        "configuration",
    ];
}

/// Declares the rule modules and lists them, in code order, as [`REGISTRY`] (each module's
/// `RULE`) and [`RULES`] (each module's `INFO`): the one list of rules, written once.
macro_rules! registry {
    ($($module:ident,)*) => {
        $(pub mod $module;)*

        /// Every rule, in code order: what it is, what it reads, and its check.
        pub const REGISTRY: &[Rule] = &[$($module::RULE),*];

        /// Every rule's identity and documentation, in code order (as [`REGISTRY`]).
        pub const RULES: &[&RuleInfo] = &[$(&$module::INFO),*];
    };
}

registry! {
    cp101_bucket_deny_blocks_backup,
    cp102_bucket_deny_may_block_backup,
    cp103_notprincipal_incomplete,
    cp104_principal_wildcard,
    cp105_notprincipal_fragile,
    cp106_duplicate_bucket_policy,
    cp201_kms_no_decrypt,
    cp202_kms_deny_blocks_backup,
    cp203_kms_deny_may_block_backup,
    cp204_kms_grant_via_iam,
    cp205_kms_key_unresolved,
    cp206_kms_no_generate_data_key,
    cp207_kms_decrypt_may_be_missing,
    cp301_ownership_object_writer,
    cp302_ownership_bucket_owner_preferred,
    cp303_acl_in_use,
    cp304_ownership_unknown,
    cp901_invalid_policy,
    cp902_unresolved_policy,
    cp903_unused_suppression,
    cp904_module_not_loaded,
}

/// Looks a rule up by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Runs the enabled rules of the registry over the inventory; a rule turned off is not run,
/// and an analysis only rules turned off read is not computed. Diagnostics come out sorted
/// by location.
pub fn run(inventory: &Inventory, profile: &Profile, enabled: &Enabled) -> Vec<Diagnostic> {
    run_rules(&Context::new(inventory, profile), REGISTRY, enabled)
}

/// [`run`] over any list of rules, in a given context.
fn run_rules(cx: &Context, rules: &[Rule], enabled: &Enabled) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| enabled.contains(r.info)) {
        if let Some(check) = rule.check {
            check(cx, &mut out);
        }
    }
    out.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code).cmp(&(b.span.file, b.span.start, b.rule.code))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ownership;
    use crate::profile::ProfileOptions;
    use crate::source::{FileId, Span};
    use crate::value::PString;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn profile() -> Profile {
        Profile::new(&ProfileOptions::default()).unwrap()
    }

    /// A bucket whose ownership setting is ObjectWriter (CP301 fires on it).
    fn object_writer() -> Inventory {
        let mut inv = Inventory::default();
        inv.ownerships.push(Ownership {
            bucket: None,
            bucket_expr: PString::known("acme-data"),
            resource: "aws_s3_bucket_ownership_controls.data".into(),
            span: Span::new(FileId(0), 0, 14),
            setting: PString::known("ObjectWriter"),
        });
        inv
    }

    fn codes(found: &[Diagnostic]) -> Vec<&'static str> {
        found.iter().map(|d| d.rule.code).collect()
    }

    #[test]
    fn the_registry_lists_every_rule_once_in_code_order() {
        let codes: Vec<&str> = REGISTRY.iter().map(|r| r.info.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(
            RULES.iter().map(|r| r.code).collect::<Vec<_>>(),
            codes,
            "RULES and REGISTRY list the same rules"
        );
        for rule in REGISTRY {
            assert_eq!(
                rule.check.is_none(),
                rule.reads.contains(&Reads::Suppressions),
                "{}: only a rule made from the suppressions has no check",
                rule.info.code
            );
        }
    }

    #[test]
    fn every_rule_has_tags_and_a_security_severity() {
        for rule in RULES {
            let score: f32 = rule.security_severity.parse().unwrap_or(-1.0);
            assert!((0.0..=10.0).contains(&score), "{}", rule.code);
            assert!(rule.tags.len() > 1, "{}", rule.code);
        }
    }

    #[test]
    fn each_rule_computes_exactly_the_analyses_it_declares() {
        let (inv, profile) = (Inventory::default(), profile());
        for rule in REGISTRY {
            let cx = Context::new(&inv, &profile);
            run_rules(&cx, REGISTRY, &Enabled::only([rule.info]));
            let declared: Vec<Reads> = rule
                .reads
                .iter()
                .copied()
                .filter(|r| *r != Reads::Suppressions)
                .collect();
            assert_eq!(cx.computed(), declared, "{}", rule.info.code);
        }
    }

    #[test]
    fn a_rule_turned_off_is_not_run() {
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        fn counting(_: &Context, _: &mut Vec<Diagnostic>) {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }
        let counted = [Rule {
            info: &cp301_ownership_object_writer::INFO,
            reads: &[],
            check: Some(counting),
        }];
        let (inv, profile) = (Inventory::default(), profile());
        let cx = Context::new(&inv, &profile);
        run_rules(&cx, &counted, &Enabled::all_but([counted[0].info]));
        assert_eq!(CALLS.load(Ordering::SeqCst), 0);
        run_rules(&cx, &counted, &Enabled::all());
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_rule_turned_off_reports_nothing() {
        let (inv, profile) = (object_writer(), profile());
        assert_eq!(codes(&run(&inv, &profile, &Enabled::all())), ["CP301"]);
        let off = Enabled::all_but([&cp301_ownership_object_writer::INFO]);
        assert!(run(&inv, &profile, &off).is_empty());
    }

    #[test]
    fn an_analysis_only_rules_turned_off_read_is_not_computed() {
        let (inv, profile) = (object_writer(), profile());
        let readers = |what: Reads| REGISTRY.iter().filter(move |r| r.reads.contains(&what));
        let cx = Context::new(&inv, &profile);
        let no_bucket_rules = Enabled::all_but(readers(Reads::BucketDenies).map(|r| r.info));
        run_rules(&cx, REGISTRY, &no_bucket_rules);
        assert_eq!(cx.computed(), [Reads::KeyAccess]);
        let cx = Context::new(&inv, &profile);
        let no_key_rules = Enabled::all_but(readers(Reads::KeyAccess).map(|r| r.info));
        run_rules(&cx, REGISTRY, &no_key_rules);
        assert_eq!(cx.computed(), [Reads::BucketDenies]);
        let cx = Context::new(&inv, &profile);
        let ownership_only = Enabled::only([
            &cp301_ownership_object_writer::INFO,
            &cp302_ownership_bucket_owner_preferred::INFO,
        ]);
        let found = run_rules(&cx, REGISTRY, &ownership_only);
        assert!(cx.computed().is_empty());
        assert_eq!(codes(&found), ["CP301"]);
    }
}

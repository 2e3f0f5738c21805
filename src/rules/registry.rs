//! What a rule is to the runner: its [`RuleInfo`], its [`Check`] (one signature for every
//! rule), and what it [`Reads`]; the [`Context`] every check reads, whose shared analyses are
//! computed once, and only when a rule that reads them runs; and which rules are
//! [`Enabled`].

use super::bucket_deny::{self, StatementVerdict};
use super::key_access::{self, KeyVerdict};
use super::{Diagnostic, RuleInfo};
use crate::model::Inventory;
use crate::profile::Profile;
use std::cell::OnceCell;

/// A rule's check: reads the context, appends its findings to `out`.
pub type Check = fn(&Context, &mut Vec<Diagnostic>);

/// What a rule reads besides the inventory and the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// The verdicts on the bucket policies' Deny statements ([`bucket_deny::analyze`]).
    BucketDenies,
    /// The verdicts on the keys that encrypt buckets ([`key_access::analyze`]).
    KeyAccess,
    /// The inline suppressions, after the other rules ran (see [`Rule::check`]).
    Suppressions,
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Its identity and documentation.
    pub info: &'static RuleInfo,
    /// The shared analyses and inputs it reads (none: the inventory and the profile only).
    pub reads: &'static [Reads],
    /// Its check; `None` for a rule whose findings a later stage makes from what it reads
    /// (CP903: [`crate::suppress::apply`], from the suppressions).
    pub check: Option<Check>,
}

/// What every check reads: the inventory, the profile, and the shared analyses, each
/// computed on first use and kept for the next rule.
pub struct Context<'a> {
    /// The model of one input (a Terraform root module, a plan, a template).
    pub inventory: &'a Inventory,
    /// What is known about the Clumio role.
    pub profile: &'a Profile,
    bucket_denies: OnceCell<Vec<StatementVerdict>>,
    key_access: OnceCell<Vec<KeyVerdict<'a>>>,
}

impl<'a> Context<'a> {
    /// A context with no analysis computed yet.
    pub fn new(inventory: &'a Inventory, profile: &'a Profile) -> Context<'a> {
        Context {
            inventory,
            profile,
            bucket_denies: OnceCell::new(),
            key_access: OnceCell::new(),
        }
    }

    /// The verdict on every Deny statement of the bucket policies (computed on first use).
    pub fn bucket_denies(&self) -> &[StatementVerdict] {
        self.bucket_denies
            .get_or_init(|| bucket_deny::analyze(self.inventory, self.profile))
    }

    /// The verdict on every key that encrypts a bucket (computed on first use).
    pub fn key_access(&self) -> &[KeyVerdict<'a>] {
        self.key_access
            .get_or_init(|| key_access::analyze(self.inventory, self.profile))
    }

    /// The shared analyses computed so far, in [`Reads`] order.
    pub fn computed(&self) -> Vec<Reads> {
        let mut out = Vec::new();
        if self.bucket_denies.get().is_some() {
            out.push(Reads::BucketDenies);
        }
        if self.key_access.get().is_some() {
            out.push(Reads::KeyAccess);
        }
        out
    }
}

/// Which rules run: every rule but those turned off (the configuration's `[rules]` set to
/// `off`, `--disable`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enabled {
    off: Vec<&'static str>,
}

impl Enabled {
    /// Every rule.
    pub fn all() -> Enabled {
        Enabled::default()
    }

    /// Every rule but `off`.
    pub fn all_but<'r>(off: impl IntoIterator<Item = &'r RuleInfo>) -> Enabled {
        Enabled {
            off: off.into_iter().map(|r| r.code).collect(),
        }
    }

    /// Only the rules of `on`.
    pub fn only<'r>(on: impl IntoIterator<Item = &'r RuleInfo>) -> Enabled {
        let on: Vec<&str> = on.into_iter().map(|r| r.code).collect();
        Enabled {
            off: super::RULES
                .iter()
                .map(|r| r.code)
                .filter(|code| !on.contains(code))
                .collect(),
        }
    }

    /// Whether `rule` runs.
    pub fn contains(&self, rule: &RuleInfo) -> bool {
        !self.off.contains(&rule.code)
    }
}

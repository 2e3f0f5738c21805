#![doc = include_str!("docs/CP903.md")]
//!
//! The notes are made by [`crate::suppress::apply`], which reads the suppressions; this
//! module only names the rule.

use super::{Reads, Rule, RuleInfo, Severity};

/// CP903.
pub const INFO: RuleInfo = RuleInfo {
    code: "CP903",
    name: "unused-suppression",
    severity: Severity::Note,
    summary: "an inline suppression has no reason, names no rule, or suppresses nothing",
    docs: include_str!("docs/CP903.md"),
    tags: super::tags::CONFIGURATION,
    security_severity: "2.0",
};

/// CP903 in the registry: the suppressions step reports it, after the other rules ran.
pub const RULE: Rule = Rule {
    info: &INFO,
    reads: &[Reads::Suppressions],
    check: None,
};

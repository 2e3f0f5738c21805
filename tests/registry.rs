//! The registry is complete: every rule in `rules::REGISTRY` has a scenario that makes it fire
//! and one that keeps it quiet, among the scenario folders of `testdata/terraform`,
//! `testdata/cloudformation` and `testdata/plan`.
//!
//! A scenario makes a rule fire when its `expect` file lists a diagnostic of the rule
//! (`CODE FILE:LINE…`), and keeps it quiet when its `expect` names the rule on a
//! `quiet: CODE…` line: the scenario is about that rule and reports none of its diagnostics.
//! The scenario tests (`tests/scenarios.rs`, `tests/cloudformation_scenarios.rs`,
//! `tests/plans.rs`) check that each scenario reports exactly its `expect`.

mod support;

use clumio_preflight::rules::{self, REGISTRY};
use std::collections::BTreeMap;
use support::crate_root;

/// The scenario folders, relative to the crate root.
const BASES: &[&str] = &[
    "testdata/terraform",
    "testdata/cloudformation",
    "testdata/plan",
];

/// What one scenario's `expect` says about the rules.
#[derive(Debug, Default)]
struct Declared {
    /// The codes of the diagnostics it expects.
    fires: Vec<String>,
    /// The codes of its `quiet:` line.
    quiet: Vec<String>,
}

/// What an `expect` file says: every line but the `args:` line, comments (`#`) and `error`
/// lines is a diagnostic `CODE …` or a `quiet: CODE…` line.
fn declared(text: &str) -> Declared {
    let mut out = Declared::default();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with("args:") {
            continue;
        }
        if let Some(codes) = line.strip_prefix("quiet:") {
            out.quiet
                .extend(codes.split_whitespace().map(str::to_string));
        } else if let Some(code) = line.split_whitespace().next()
            && code != "error"
        {
            out.fires.push(code.to_string());
        }
    }
    out
}

/// Every scenario folder with an `expect` file, by path relative to the crate root.
fn scenarios() -> BTreeMap<String, Declared> {
    let mut out = BTreeMap::new();
    for base in BASES {
        for entry in std::fs::read_dir(crate_root().join(base))
            .unwrap_or_else(|e| panic!("{base}: {e}"))
            .flatten()
        {
            let Ok(text) = std::fs::read_to_string(entry.path().join("expect")) else {
                continue;
            };
            let name = format!("{base}/{}", entry.file_name().to_string_lossy());
            out.insert(name, declared(&text));
        }
    }
    out
}

/// The rules of `codes` without a scenario that makes them fire, or without one that keeps
/// them quiet, each with what it lacks.
fn gaps(codes: &[&str], scenarios: &BTreeMap<String, Declared>) -> Vec<String> {
    let mut out = Vec::new();
    for code in codes {
        let fires = scenarios
            .values()
            .any(|d| d.fires.iter().any(|c| c == code));
        let quiet = scenarios
            .values()
            .any(|d| d.quiet.iter().any(|c| c == code));
        if !fires {
            out.push(format!("{code}: no scenario makes it fire"));
        }
        if !quiet {
            out.push(format!(
                "{code}: no scenario keeps it quiet (a `quiet: {code}` line in an expect file)"
            ));
        }
    }
    out
}

#[test]
fn every_rule_has_a_scenario_that_fires_it_and_one_that_keeps_it_quiet() {
    let codes: Vec<&str> = REGISTRY.iter().map(|r| r.info.code).collect();
    let gaps = gaps(&codes, &scenarios());
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));
}

#[test]
fn a_scenario_keeps_quiet_only_known_rules_it_does_not_report() {
    let mut problems = Vec::new();
    for (name, d) in &scenarios() {
        for code in &d.quiet {
            if rules::find(code).is_none_or(|r| r.code != code) {
                problems.push(format!("{name}: `quiet:` names {code}, not a rule code"));
            }
            if d.fires.contains(code) {
                problems.push(format!("{name}: {code} is both expected and quiet"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_rule_without_scenarios_is_a_gap() {
    let scenarios = BTreeMap::from([
        (
            "a".to_string(),
            declared("args:\nquiet: CP301\nCP302 main.tf:3\n# CP303 in a comment\n"),
        ),
        (
            "b".to_string(),
            declared("args: --x\nCP301 main.tf:9\nerror other.tf:2\n"),
        ),
    ]);
    assert!(gaps(&["CP301"], &scenarios).is_empty());
    assert_eq!(
        gaps(&["CP302", "CP303"], &scenarios),
        [
            "CP302: no scenario keeps it quiet (a `quiet: CP302` line in an expect file)",
            "CP303: no scenario makes it fire",
            "CP303: no scenario keeps it quiet (a `quiet: CP303` line in an expect file)",
        ]
    );
}

//! Helpers shared by the tests that run the built binary: where the crate is, the binary with
//! a clean environment, and the JSON contract every diagnostic must keep (SPEC.md).
#![allow(dead_code)] // Each test binary uses a different part.

use assert_cmd::cargo::cargo_bin_cmd;
use clumio_preflight::rules;
use serde_json::Value;
use std::path::PathBuf;

/// The crate root (scenario folders are named relative to it).
pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run in the crate root, with none of the environment variables that change
/// the profile, the colours or the exit status inherited.
pub fn cli() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(crate_root());
    for var in [
        "CLUMIO_PREFLIGHT_ACCOUNT_ID",
        "CLUMIO_PREFLIGHT_ROLE_ARN",
        "CLUMIO_PREFLIGHT_ROLE_NAME",
        "CLUMIO_PREFLIGHT_ROLE_PATH",
        "CLUMIO_PREFLIGHT_ORG_ID",
        "CLUMIO_PREFLIGHT_PERMISSIONS_BOUNDARY",
        "CLUMIO_PREFLIGHT_REGION",
        "CLUMIO_PREFLIGHT_FAIL_ON",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The fields SPEC.md's JSON contract promises on every diagnostic, with their types.
pub fn check_contract(name: &str, d: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let obj = match d.as_object() {
        Some(o) => o,
        None => {
            return vec![format!(
                "scenario {name}: a diagnostic is not an object: {d}"
            )];
        }
    };
    for key in [
        "code", "name", "severity", "message", "help", "file", "resource",
    ] {
        match obj.get(key) {
            Some(Value::String(s)) if !s.is_empty() => {}
            other => problems.push(format!(
                "`{key}` should be a non-empty string, got {other:?}"
            )),
        }
    }
    match obj.get("target") {
        Some(Value::String(_) | Value::Null) => {}
        other => problems.push(format!(
            "`target` should be a string or null, got {other:?}"
        )),
    }
    let num = |key: &str| obj.get(key).and_then(Value::as_u64);
    for key in ["line", "column", "end_line", "end_column"] {
        match num(key) {
            Some(n) if n >= 1 => {}
            _ => problems.push(format!(
                "`{key}` should be a number ≥ 1, got {:?}",
                obj.get(key)
            )),
        }
    }
    if let (Some(l), Some(c), Some(el), Some(ec)) = (
        num("line"),
        num("column"),
        num("end_line"),
        num("end_column"),
    ) && (el, ec) < (l, c)
    {
        problems.push(format!(
            "the span ends ({el}:{ec}) before it starts ({l}:{c})"
        ));
    }
    let code = obj.get("code").and_then(Value::as_str).unwrap_or_default();
    match rules::find(code) {
        Some(rule) => {
            if obj.get("name").and_then(Value::as_str) != Some(rule.name) {
                problems.push(format!("`name` of {code} should be {}", rule.name));
            }
            if obj.get("severity").and_then(Value::as_str) != Some(rule.severity.as_str()) {
                problems.push(format!(
                    "`severity` of {code} should be {}",
                    rule.severity.as_str()
                ));
            }
        }
        None => problems.push(format!("unknown code {code:?}")),
    }
    problems
        .into_iter()
        .map(|p| format!("scenario {name}: {p} in {d}"))
        .collect()
}

/// The summary counts of a JSON report agree with its diagnostics.
pub fn check_summary(name: &str, doc: &Value, diagnostics: &[Value]) -> Vec<String> {
    let summary = &doc["summary"];
    let count = |sev: &str| diagnostics.iter().filter(|d| d["severity"] == sev).count() as u64;
    let mut problems = Vec::new();
    for (key, sev) in [
        ("errors", "error"),
        ("warnings", "warning"),
        ("notes", "note"),
    ] {
        if summary[key].as_u64() != Some(count(sev)) {
            problems.push(format!(
                "scenario {name}: summary.{key} is {} but {} {sev} diagnostics were reported",
                summary[key],
                count(sev)
            ));
        }
    }
    problems
}

/// The scenario folders under `base` (relative to the crate root), sorted, but `skip`.
pub fn scenario_folders_in(base: &str, skip: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(crate_root().join(base))
        .unwrap_or_else(|e| panic!("{base}: {e}"))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !skip.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

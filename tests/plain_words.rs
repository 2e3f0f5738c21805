//! Plain words: no report of any scenario under `testdata/`, in any format, shows an internal
//! placeholder (`<aws_s3_bucket_policy.data.bucket>`, `cfn-condition:`, `ImportValue.`) or one
//! of the broken sentence templates users met (`(the flags named above)` when no flag was
//! named, `depends on … is not known`, `which rests on parameter … has no default`).

mod support;

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::{Path, PathBuf};
use support::crate_root;

const FORMATS: [&str; 6] = ["human", "json", "sarif", "github", "line", "markdown"];

/// Every scenario: folders with an `expect` file (run with its `args:`), plan and template
/// fixtures, and the multi-module layout.
fn scenarios() -> Vec<(PathBuf, Vec<String>)> {
    let root = crate_root();
    let mut out = Vec::new();
    for base in [
        "testdata/terraform",
        "testdata/cloudformation",
        "testdata/plan",
    ] {
        for entry in std::fs::read_dir(root.join(base)).unwrap().flatten() {
            let path = entry.path();
            let args = std::fs::read_to_string(path.join("expect"))
                .ok()
                .and_then(|e| {
                    e.lines()
                        .next()
                        .and_then(|l| l.strip_prefix("args:"))
                        .map(|a| a.split_whitespace().map(str::to_string).collect())
                })
                .unwrap_or_default();
            out.push((path, args));
        }
    }
    for base in [
        "testdata/plan/text",
        "testdata/frontend/terraform",
        "testdata/frontend/cloudformation",
    ] {
        for entry in std::fs::read_dir(root.join(base)).unwrap().flatten() {
            out.push((entry.path(), Vec::new()));
        }
    }
    out.push((root.join("testdata/multi-module"), Vec::new()));
    out.sort();
    out
}

/// The placeholders and broken templates found in `text`.
fn problems(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for fixed in [
        "cfn-condition:",
        "ImportValue.",
        "(the flags named above)",
        "which rests on ",
        // An unknown bucket shown as the raw expression, not in words.
        "backups of ${",
    ] {
        if text.contains(fixed) {
            found.push(fixed.to_string());
        }
    }
    // `<[a-z_]+\.` (digits too: `aws_s3_…`): an address or reference in angle brackets.
    for (at, _) in text.match_indices('<') {
        let rest = &text[at + 1..];
        let name = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        if name > 0 && rest[name..].starts_with('.') {
            found.push(text[at..(at + name + 2).min(text.len())].to_string());
        }
    }
    // "depends on X is not known": a clause where a noun phrase belongs.
    for (at, _) in text.match_indices("depends on ") {
        let rest = &text[at..];
        let sentence = &rest[..rest.find(['\n', ';', '"']).unwrap_or(rest.len())];
        if sentence.contains(" is not known") && !sentence.contains(": ") {
            found.push(sentence.to_string());
        }
    }
    found
}

/// The lines of a human report that are not quoted source code.
fn without_snippets(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let t = l.trim_start();
            let gutter = t.split_once(['│', '·']).map(|(n, _)| n.trim());
            !matches!(gutter, Some(n) if n.is_empty() || n.chars().all(|c| c.is_ascii_digit()))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(path: &Path, args: &[String], format: &str) -> String {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(crate_root());
    for (key, _) in std::env::vars() {
        if key.starts_with("CLUMIO_PREFLIGHT_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    cmd.args(["--format", format, "--no-config"]);
    if format == "human" {
        cmd.args(["--color", "never", "--show-notes"]);
    }
    let out = cmd.args(args).arg(path).output().expect("run the binary");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    if format == "human" {
        without_snippets(&text)
    } else {
        text
    }
}

#[test]
fn no_report_shows_an_internal_placeholder_or_a_broken_sentence() {
    let mut failures = Vec::new();
    let scenarios = scenarios();
    assert!(scenarios.len() > 100, "{} scenarios", scenarios.len());
    for (path, args) in &scenarios {
        for format in FORMATS {
            for problem in problems(&run(path, args, format)) {
                failures.push(format!(
                    "{} ({format}): {problem}",
                    path.strip_prefix(crate_root()).unwrap_or(path).display()
                ));
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checks_catch_what_users_met() {
    for bad in [
        "Clumio backups of <aws_s3_bucket_policy.data.bucket>: …",
        "StringNotEquals aws:SourceVpc [\"<cfn-condition:IsProd>\"]",
        "backups of <ImportValue.shared-data-bucket-name>",
        "help: settle the unknowns (the flags named above), or exempt",
        "it depends on the bucket argument is not known",
        "`a` or `b`, depending on condition IsProd, which rests on parameter Env has no default",
        "Deny statement \"#1\" blocks Clumio backups of ${var.bucket_name}: every backup action",
    ] {
        assert!(!problems(bad).is_empty(), "{bad}");
    }
    for good in [
        "arn:aws:iam::<account-id>:role/clumio/ClumioIAMRole-<role-name-suffix>",
        "depends on values not known statically: ${var.bucket_name} is not known",
        "heredoc <<EOF",
        "`a` or `b`, depending on condition IsProd, which is undecided because parameter Env has no default",
        "blocks Clumio backups of the bucket this policy is attached to (variable bucket_name, not known statically): every",
    ] {
        assert!(problems(good).is_empty(), "{good}: {:?}", problems(good));
    }
}

fn run_args(args: &[&str]) -> (i32, String, String) {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(crate_root());
    for (key, _) in std::env::vars() {
        if key.starts_with("CLUMIO_PREFLIGHT_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    let out = cmd.args(args).output().expect("run the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_mistyped_subcommand_gets_did_you_mean() {
    let (status, stdout, stderr) = run_args(&["expain", "CP101"]);
    assert_eq!(status, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("did you mean `explain`?"), "{stderr}");
    let (_, _, stderr) = run_args(&["rule"]);
    assert!(stderr.contains("did you mean `rules`?"), "{stderr}");
    // A path that exists, or that is plainly a path, is scanned as such.
    let (_, _, stderr) = run_args(&["testdata/nope"]);
    assert!(!stderr.contains("did you mean"), "{stderr}");
    let (status, stdout, _) = run_args(&["nonsense"]);
    assert_eq!(status, 2);
    assert!(
        stdout.contains("nonsense: no such file or directory"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_output_format_is_an_error_naming_the_formats() {
    let (status, _, stderr) = run_args(&[
        "--output",
        "sarf=results.sarif",
        "testdata/terraform/ip-guard",
    ]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains(
            "no format is called \"sarf\"; the formats are sarif, json, line, github, markdown"
        ),
        "{stderr}"
    );
    assert!(!crate_root().join("sarf=results.sarif").exists());
}

#[test]
fn var_values_point_at_the_declaration_and_unknown_names_are_said() {
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--var",
        "object_ownership=ObjectWriter",
        "--var",
        "object_ownershp=x",
        "testdata/terraform/ownership-from-variable",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "CP301");
    assert_eq!(
        d["file"],
        "testdata/terraform/ownership-from-variable/main.tf"
    );
    assert_eq!(d["line"], 1, "the variable's declaration: {d}");
    let warnings = json["run_warnings"].as_array().unwrap();
    assert_eq!(
        warnings,
        &[serde_json::json!(
            "--var object_ownershp was ignored: no scanned root module declares a variable \"object_ownershp\" (they declare object_ownership)"
        )],
        "only the undeclared name: {warnings:?}"
    );
    // A warning, not a finding: the counts are the findings'.
    assert_eq!(json["summary"]["warnings"], 0);
}

#[test]
fn var_names_that_exist_are_not_warned_about() {
    let (_, stdout, stderr) = run_args(&[
        "--format",
        "line",
        "--var",
        "object_ownership=ObjectWriter",
        "testdata/terraform/ownership-from-variable",
    ]);
    assert!(!stderr.contains("warning: --var"), "{stderr}");
    assert!(!stdout.contains("--var"), "{stdout}");
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--var",
        "object_ownership=ObjectWriter",
        "testdata/terraform/ownership-from-variable",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json.get("run_warnings").is_none(), "{json}");
}

#[test]
fn unknown_var_is_a_warning_in_every_format() {
    let args = |format: &'static str| {
        vec![
            "--format",
            format,
            "--color",
            "never",
            "--var",
            "object_ownershp=x",
            "testdata/terraform/ownership-from-variable",
        ]
    };
    let (_, human, _) = run_args(&args("human"));
    assert!(
        human.contains("warning: --var object_ownershp was ignored"),
        "{human}"
    );
    let (_, _, line_err) = run_args(&args("line"));
    assert!(
        line_err.contains("warning: --var object_ownershp was ignored"),
        "{line_err}"
    );
    let (_, github, _) = run_args(&args("github"));
    assert!(
        github.contains("::warning title=clumio-preflight::--var object_ownershp was ignored"),
        "{github}"
    );
    let (_, markdown, _) = run_args(&args("markdown"));
    assert!(
        markdown.contains("### Warnings about the command line"),
        "{markdown}"
    );
    let (_, sarif, _) = run_args(&args("sarif"));
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notifications.iter().any(|n| n["level"] == "warning"
            && n["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("--var object_ownershp was ignored")),
        "{notifications:?}"
    );
}

#[test]
fn list_var_values_point_at_the_declaration() {
    // A list given with --var is read as an expression; its statements are found at the
    // variable's declaration, not in a pseudo-file `--var NAME:1:1`.
    let (_, stdout, _) = run_args(&[
        "--format",
        "line",
        "--var",
        "extra_statements=[{Sid=\"FromVar\",Effect=\"Deny\",Principal=\"*\",Action=\"s3:*\",Resource=\"*\"}]",
        "testdata/terraform/partial-statement-list",
    ]);
    let from_var: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("\"FromVar\""))
        .collect();
    assert_eq!(from_var.len(), 3, "{stdout}");
    for line in from_var {
        assert!(
            line.starts_with("testdata/terraform/partial-statement-list/main.tf:3:1: error: "),
            "{line}"
        );
    }
    assert!(!stdout.contains("--var extra_statements"), "{stdout}");
}

#[test]
fn unknown_parameter_is_a_warning_naming_the_parameters() {
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--parameter",
        "Enviroment=prod",
        "testdata/cloudformation/fn-if-parameter-true",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let warnings = json["run_warnings"].as_array().expect("run_warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].as_str().unwrap();
    assert!(
        w.starts_with("--parameter Enviroment was ignored: no scanned template declares a parameter \"Enviroment\" (they declare "),
        "{w}"
    );
    assert!(w.contains("Environment"), "{w}");
    // A declared name, or no template scanned at all, gives no warning.
    for (param, path) in [
        (
            "Environment=dev",
            "testdata/cloudformation/fn-if-parameter-true",
        ),
        (
            "Enviroment=prod",
            "testdata/terraform/ownership-from-variable",
        ),
    ] {
        let args = ["--format", "json", "--parameter", param, path];
        let (_, stdout, _) = run_args(&args);
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(json.get("run_warnings").is_none(), "{args:?}: {json}");
    }
}

#[test]
fn an_unknown_policy_bucket_is_described_in_words() {
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--no-config",
        "testdata/terraform/policy-on-unknown-bucket",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let targets: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["target"].as_str())
        .collect();
    assert!(
        targets.contains(
            &"the bucket this policy is attached to (variable bucket_name, not known statically)"
        ),
        "{targets:?}"
    );
    assert!(
        targets.contains(&"the bucket this policy is attached to (data.aws_s3_bucket.existing.id, read from AWS when Terraform runs)"),
        "{targets:?}"
    );
    assert!(!targets.iter().any(|t| t.contains("${")), "{targets:?}");
    // A bucket in the code is still named by its resource.
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--no-config",
        "testdata/terraform/vpc-only-deny",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let target = json["diagnostics"][0]["target"].as_str().unwrap();
    assert!(target.starts_with("aws_s3_bucket."), "{target}");
}

#[test]
fn an_undecided_fn_if_in_a_string_reads_as_a_sentence() {
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--no-config",
        "--account-id",
        "123456789012",
        "testdata/cloudformation/fn-if-in-sub",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let message = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "`clumio/*` or `other`, depending on condition IsProd, which is undecided because parameter Env has no default (set it with --parameter Env=VALUE)"
        ),
        "{message}"
    );
    // Decided by the parameter, the sentence is gone.
    let (_, stdout, _) = run_args(&[
        "--format",
        "json",
        "--no-config",
        "--account-id",
        "123456789012",
        "--parameter",
        "Env=dev",
        "testdata/cloudformation/fn-if-in-sub",
    ]);
    assert!(!stdout.contains("undecided"), "{stdout}");
    assert!(stdout.contains("\"CP101\""), "{stdout}");
}

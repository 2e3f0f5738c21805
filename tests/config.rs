//! The configuration file `.clumio-preflight.toml`: found upward from the scanned path or
//! named with `--config`; flags beat environment variables, which beat the file; unknown keys,
//! unknown rules and bad values are errors with their line (exit 2); `[rules]` changes
//! severities or turns rules off; `exclude` skips paths.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the target's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("config-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A directory holding the Terraform of a scenario (`main.tf`) and, when given, a config.
fn project(name: &str, scenario: &str, config: Option<&str>) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::copy(
        crate_root()
            .join("testdata/terraform")
            .join(scenario)
            .join("main.tf"),
        dir.join("main.tf"),
    )
    .unwrap();
    if let Some(config) = config {
        std::fs::write(dir.join(".clumio-preflight.toml"), config).unwrap();
    }
    dir
}

struct Run {
    status: i32,
    json: Option<Value>,
    stderr: String,
}

/// Runs the binary in `dir` with `--format json` and the given environment.
fn scan(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(dir);
    for var in [
        "CLUMIO_PREFLIGHT_ACCOUNT_ID",
        "CLUMIO_PREFLIGHT_ROLE_ARN",
        "CLUMIO_PREFLIGHT_ROLE_NAME",
        "CLUMIO_PREFLIGHT_ROLE_PATH",
        "CLUMIO_PREFLIGHT_ORG_ID",
        "CLUMIO_PREFLIGHT_PERMISSIONS_BOUNDARY",
        "CLUMIO_PREFLIGHT_REGION",
        "CLUMIO_PREFLIGHT_FAIL_ON",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.arg("--format").arg("json").args(args).output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&out.stdout).ok(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `CODE severity` of each diagnostic.
fn codes(run: &Run) -> Vec<String> {
    run.json.as_ref().expect("a JSON report")["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

// exemption-wrong-account exempts `arn:aws:iam::999988887777:role/clumio/*`: with that account
// the scan is clean, with 111122223333 the Deny blocks (CP101), unknown it may (CP102).

#[test]
fn account_id_precedence_is_flag_then_environment_then_file() {
    let dir = project(
        "precedence",
        "exemption-wrong-account",
        Some("account_id = \"999988887777\"\n"),
    );
    let file_only = scan(&dir, &["."], &[]);
    assert_eq!(
        codes(&file_only),
        Vec::<String>::new(),
        "{}",
        file_only.stderr
    );

    let env = [("CLUMIO_PREFLIGHT_ACCOUNT_ID", "111122223333")];
    let env_over_file = scan(&dir, &["."], &env);
    assert_eq!(codes(&env_over_file), ["CP101 error"]);
    assert_eq!(env_over_file.status, 1);

    let flag_over_env = scan(&dir, &["--account-id", "999988887777", "."], &env);
    assert_eq!(codes(&flag_over_env), Vec::<String>::new());

    let without = scan(&dir, &["--no-config", "."], &[]);
    assert_eq!(codes(&without), ["CP102 warning"]);
}

#[test]
fn config_is_found_upward_from_the_scanned_path() {
    let root = temp_dir("upward");
    // The search stops at the repository root (the folder holding `.git`).
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(
        root.join(".clumio-preflight.toml"),
        "account_id = \"111122223333\"\n",
    )
    .unwrap();
    let sub = root.join("envs/prod");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(
        crate_root().join("testdata/terraform/exemption-wrong-account/main.tf"),
        sub.join("main.tf"),
    )
    .unwrap();
    // Scanning the sub-folder from its parent's parent, and from elsewhere by absolute path.
    assert_eq!(codes(&scan(&root, &["envs/prod"], &[])), ["CP101 error"]);
    let elsewhere = temp_dir("upward-elsewhere");
    assert_eq!(
        codes(&scan(&elsewhere, &[sub.to_str().unwrap()], &[])),
        ["CP101 error"]
    );
    // A single file: from its folder upward.
    assert_eq!(
        codes(&scan(&root, &["envs/prod/main.tf"], &[])),
        ["CP101 error"]
    );
}

#[test]
fn config_flag_names_the_file_and_no_config_ignores_it() {
    let dir = project("explicit", "exemption-wrong-account", None);
    let other = temp_dir("explicit-other");
    let config = other.join("team.toml");
    std::fs::write(&config, "account_id = \"111122223333\"\n").unwrap();
    let run = scan(&dir, &["--config", config.to_str().unwrap(), "."], &[]);
    assert_eq!(codes(&run), ["CP101 error"]);

    let missing = scan(&dir, &["--config", "nope.toml", "."], &[]);
    assert_eq!(missing.status, 2);
    assert!(
        missing
            .stderr
            .contains("nope.toml: error: cannot read the configuration file"),
        "{}",
        missing.stderr
    );

    std::fs::write(
        dir.join(".clumio-preflight.toml"),
        "account_id = \"111122223333\"\n",
    )
    .unwrap();
    assert_eq!(
        codes(&scan(&dir, &["--no-config", "."], &[])),
        ["CP102 warning"]
    );
}

#[test]
fn unknown_keys_are_errors_with_their_line() {
    let dir = project(
        "unknown-key",
        "vpc-only-deny",
        Some("# team settings\naccount_id = \"111122223333\"\nacount_id = \"x\"\n"),
    );
    let run = scan(&dir, &["."], &[]);
    assert_eq!(run.status, 2);
    assert!(run.json.is_none(), "no report on a bad configuration");
    assert!(
        run.stderr.starts_with(
            ".clumio-preflight.toml:3:1: error: unknown field `acount_id`, expected one of"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_rules_and_bad_values_are_errors_with_their_line() {
    for (name, config, expected) in [
        (
            "unknown-rule",
            "[rules]\nCP302 = \"error\"\nCP999 = \"off\"\n",
            ".clumio-preflight.toml:3:1: error: unknown rule `CP999` in [rules]",
        ),
        (
            "bad-level",
            "[rules]\nCP302 = \"loud\"\n",
            ".clumio-preflight.toml:2:9: error: unknown variant `loud`, expected one of `error`, `warning`, `note`, `off`",
        ),
        (
            "bad-fail-on",
            "fail_on = \"sometimes\"\n",
            ".clumio-preflight.toml:1:11: error: unknown variant `sometimes`",
        ),
        (
            "bad-type",
            "permissions_boundary = \"yes\"\n",
            ".clumio-preflight.toml:1:24: error: invalid type: string \"yes\", expected a boolean",
        ),
        (
            "bad-glob",
            "exclude = [\"ok/**\", \"a[b\"]\n",
            ".clumio-preflight.toml:1:21: error: invalid exclude pattern",
        ),
        (
            "nested-unknown",
            "[rules]\nCP302 = \"error\"\n[extra]\nx = 1\n",
            ".clumio-preflight.toml:3:2: error: unknown field `extra`",
        ),
        (
            "not-toml",
            "account_id = \n",
            ".clumio-preflight.toml:1:14: error: ",
        ),
    ] {
        let dir = project(name, "vpc-only-deny", Some(config));
        let run = scan(&dir, &["."], &[]);
        assert_eq!(run.status, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.starts_with(expected), "{name}: {}", run.stderr);
    }
}

#[test]
fn rules_table_changes_severities_and_turns_rules_off() {
    let dir = project(
        "rules",
        "ownership-preferred",
        Some("[rules]\nCP302 = \"error\"\nCP304 = \"off\"\n"),
    );
    let run = scan(&dir, &["."], &[]);
    assert_eq!(codes(&run), ["CP302 error"]);
    assert_eq!(run.status, 1);
    let json = run.json.unwrap();
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["warnings"], 0);

    // Names work as keys too.
    let dir = project(
        "rules-by-name",
        "ownership-preferred",
        Some("[rules]\nownership-bucket-owner-preferred = \"off\"\n"),
    );
    let run = scan(&dir, &["."], &[]);
    assert_eq!(codes(&run), Vec::<String>::new());
    assert_eq!(run.status, 0);

    let dir = project(
        "rules-twice",
        "ownership-preferred",
        Some("[rules]\nCP302 = \"off\"\nownership-bucket-owner-preferred = \"error\"\n"),
    );
    let run = scan(&dir, &["."], &[]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("rule CP302 is set twice"),
        "{}",
        run.stderr
    );
}

#[test]
fn fail_on_from_the_file_yields_to_the_environment_and_the_flag() {
    let dir = project(
        "fail-on",
        "ownership-preferred",
        Some("fail_on = \"warning\"\n"),
    );
    assert_eq!(scan(&dir, &["."], &[]).status, 1);
    assert_eq!(
        scan(&dir, &["."], &[("CLUMIO_PREFLIGHT_FAIL_ON", "error")]).status,
        0
    );
    assert_eq!(scan(&dir, &["--fail-on", "error", "."], &[]).status, 0);
    let dir = project(
        "fail-on-never",
        "vpc-only-deny",
        Some("fail_on = \"never\"\n"),
    );
    assert_eq!(scan(&dir, &["."], &[]).status, 0);
}

#[test]
fn profile_keys_reach_the_checker() {
    // The role ARN settles the role name, so the NotPrincipal scenario's verdict is certain.
    let flags = scan(
        &project("role-flag", "notprincipal-incomplete", None),
        &[
            "--role-arn",
            "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123",
            ".",
        ],
        &[],
    );
    let file = scan(
        &project(
            "role-file",
            "notprincipal-incomplete",
            Some(
                "role_arn = \"arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123\"\n",
            ),
        ),
        &["."],
        &[],
    );
    assert_eq!(codes(&flags), codes(&file));
    assert!(!codes(&file).is_empty());
}

#[test]
fn exclude_skips_paths() {
    let root = temp_dir("exclude");
    for (dir, scenario) in [
        ("live", "vpc-only-deny"),
        ("legacy", "ownership-object-writer"),
        ("envs/dev", "ownership-preferred"),
    ] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::copy(
            crate_root()
                .join("testdata/terraform")
                .join(scenario)
                .join("main.tf"),
            root.join(dir).join("main.tf"),
        )
        .unwrap();
    }
    // A template that cannot be parsed, in an excluded folder: not even read.
    std::fs::create_dir_all(root.join("legacy/cfn")).unwrap();
    std::fs::write(
        root.join("legacy/cfn/broken.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  X: [\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".clumio-preflight.toml"),
        "exclude = [\"legacy\", \"envs/dev/**\"]\n[rules]\nCP304 = \"off\"\n",
    )
    .unwrap();
    let run = scan(&root, &["."], &[]);
    let json = run.json.expect("a report");
    let files: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["live/main.tf"], "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    // Without the configuration, all three folders report.
    let run = scan(&root, &["--no-config", "."], &[]);
    let json = run.json.unwrap();
    let n = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] != "CP304")
        .count();
    assert_eq!(n, 3, "{json}");
}

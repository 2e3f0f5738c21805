//! The end-to-end scenarios of `testdata/cloudformation/<scenario>/`, mirroring the Terraform
//! ones (`tests/scenarios.rs`): each folder holds `template.yaml`, often `template.json` with
//! the same content in JSON syntax, and a file `expect`, whose first line is
//! `args: <extra flags>` and whose other lines are the exact diagnostics,
//! `CODE file/relative/to/the/folder:LINE`, one per line (none: the scan is clean). A line
//! `error FILE:LINE` instead expects that input to fail to load at that line (a syntax error);
//! `quiet: CODE…` names the rules the scenario shows quiet (`tests/registry.rs`).
//!
//! Each scenario runs the built binary with `--format json`, the `args:` flags and the folder
//! (named relative to the crate root), and checks:
//! - the diagnostics, as a multiset of (code, file relative to the folder, line), equal
//!   `expect` exactly (a folder with both templates reports each finding twice, once per
//!   file);
//! - every diagnostic has the fields of the JSON contract (SPEC.md) and names CloudFormation
//!   logical ids: `resource` is a resource of the template, and so is `target` when the bucket
//!   or key is in the template;
//! - no input failed to load, and no note says the template is only partly checked (unless
//!   expected);
//! - the exit status is 1 when an error is expected, 2 when the only input cannot be read, and
//!   0 otherwise.
//!
//! The snapshots at the end show the human (`--color never`) and JSON reports of four
//! scenarios; review a changed snapshot by eye: every label must sit on the offending lines.

mod support;

use clumio_preflight::rules::{self, Severity};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{check_contract, check_summary, cli, crate_root, scenario_folders_in};

/// Where the scenarios live, relative to the crate root.
const BASE: &str = "testdata/cloudformation";

/// Folders under [`BASE`] that are not scenarios (the front end's own fixtures, now in
/// `testdata/frontend/cloudformation`, once lived here).
const NOT_SCENARIOS: &[&str] = &["frontend"];

/// The Clumio role of the scenarios that name it.
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123";

/// A scenario's `expect` file.
struct Expect {
    args: Vec<String>,
    /// `CODE file:LINE`, sorted.
    diagnostics: Vec<String>,
    /// `file:LINE` of inputs expected to fail to load, sorted.
    errors: Vec<String>,
}

fn read_expect(name: &str) -> Expect {
    let path = crate_root().join(BASE).join(name).join("expect");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("scenario {name}: cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let args = lines
        .next()
        .and_then(|l| l.strip_prefix("args:"))
        .unwrap_or_else(|| panic!("scenario {name}: the first line of expect must be `args: …`"))
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut diagnostics = Vec::new();
    let mut errors = Vec::new();
    for line in lines
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("quiet:"))
    {
        let (code, at) = line.split_once(' ').unwrap_or((line, ""));
        let located = at
            .rsplit_once(':')
            .is_some_and(|(_, l)| l.parse::<usize>().is_ok());
        if code == "error" && located {
            errors.push(at.to_string());
        } else {
            assert!(
                rules::find(code).is_some() && located,
                "scenario {name}: expect line \"{line}\" is not `CODE file:LINE` with a known \
                 code, nor `error file:LINE`"
            );
            diagnostics.push(line.to_string());
        }
    }
    diagnostics.sort();
    errors.sort();
    Expect {
        args,
        diagnostics,
        errors,
    }
}

/// Runs the binary on `input` (relative to the crate root) in `format` with `args`.
fn run(input: &str, format: &str, args: &[String]) -> (i32, String) {
    let out = cli()
        .arg("--format")
        .arg(format)
        .args(args)
        .arg(input)
        .output()
        .unwrap_or_else(|e| panic!("{input}: cannot run the binary: {e}"));
    let status = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8(out.stdout)
        .unwrap_or_else(|_| panic!("{input}: the output is not UTF-8"));
    assert!(
        out.stderr.is_empty(),
        "{input}: unexpected standard error:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (status, stdout)
}

/// What one run of the binary gave.
struct Run {
    status: i32,
    doc: Value,
}

fn run_json(input: &str, args: &[String]) -> Run {
    let (status, stdout) = run(input, "json", args);
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{input}: the output is not JSON ({e}):\n{stdout}"));
    Run { status, doc }
}

impl Run {
    fn diagnostics(&self) -> Vec<Value> {
        self.doc["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn with_code(&self, code: &str) -> Vec<Value> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d["code"] == code)
            .collect()
    }
}

/// The logical ids of the resources of a template (YAML or JSON), read from its text: the
/// keys two levels under `Resources` (good enough for the scenarios' plain layout).
fn logical_ids(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut ids = BTreeSet::new();
    if text.trim_start().starts_with('{') {
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(resources) = doc["Resources"].as_object() {
            ids.extend(resources.keys().cloned());
        }
        return ids;
    }
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == "Resources:";
            continue;
        }
        if inside
            && let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            ids.insert(key.to_string());
        }
    }
    ids
}

/// Every diagnostic names logical ids: its `resource` is a resource of the template it is in,
/// and its `target` too, unless the bucket or key is outside the template (then it is the
/// expression naming it, like `(the value another stack exports as shared-data-bucket-name)`).
fn check_logical_ids(name: &str, d: &Value) -> Vec<String> {
    let file = d["file"].as_str().unwrap_or_default();
    let ids = logical_ids(&crate_root().join(file));
    let mut problems = Vec::new();
    let resource = d["resource"].as_str().unwrap_or_default();
    if !ids.contains(resource) {
        problems.push(format!(
            "scenario {name}: `resource` {resource:?} is not a logical id of {file} ({ids:?})"
        ));
    }
    if let Some(target) = d["target"].as_str()
        && !ids.contains(target)
        && !target.starts_with('<')
        && !target.starts_with('(')
        && !target.starts_with("${")
        && !target.starts_with("the bucket this policy is attached to (")
        && !target.contains(":::")
        && !target.starts_with("arn:")
    {
        problems.push(format!(
            "scenario {name}: `target` {target:?} is neither a logical id of {file} nor an \
             expression naming something outside it"
        ));
    }
    problems
}

/// `CODE file:LINE` of a diagnostic, with the file relative to the scenario folder.
fn short(name: &str, d: &Value) -> String {
    format!(
        "{} {}:{}",
        d["code"].as_str().unwrap_or_default(),
        relative(name, d["file"].as_str().unwrap_or_default()),
        d["line"]
    )
}

fn relative(name: &str, file: &str) -> String {
    let prefix = format!("{BASE}/{name}/");
    Path::new(file)
        .strip_prefix(&prefix)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| file.to_string())
}

/// Multiset difference, for messages.
fn differences(expected: &[String], got: &[String]) -> (Vec<String>, Vec<String>) {
    let mut missing = expected.to_vec();
    let mut extra = Vec::new();
    for g in got {
        match missing.iter().position(|m| m == g) {
            Some(i) => {
                missing.remove(i);
            }
            None => extra.push(g.clone()),
        }
    }
    (missing, extra)
}

/// Runs one scenario and panics with every mismatch, naming the scenario.
fn check_scenario(name: &str) -> Run {
    let expect = read_expect(name);
    let run = run_json(&format!("{BASE}/{name}"), &expect.args);
    let mut problems: Vec<String> = Vec::new();
    let diagnostics = run.diagnostics();

    if run.doc["version"] != 1 {
        problems.push(format!("scenario {name}: `version` should be 1"));
    }
    let mut errors: Vec<String> = run.doc["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                relative(name, e["file"].as_str().unwrap_or_default()),
                e["line"]
            )
        })
        .collect();
    errors.sort();
    if errors != expect.errors {
        problems.push(format!(
            "scenario {name}: load errors {errors:?}, expected {:?}: {}",
            expect.errors, run.doc["errors"]
        ));
    }
    if run.doc["notes"].as_array().is_some_and(|n| !n.is_empty()) {
        problems.push(format!(
            "scenario {name}: unexpected notes about the inputs: {}",
            run.doc["notes"]
        ));
    }
    for d in &diagnostics {
        problems.extend(check_contract(name, d));
        problems.extend(check_logical_ids(name, d));
    }

    let mut got: Vec<String> = diagnostics.iter().map(|d| short(name, d)).collect();
    got.sort();
    if got != expect.diagnostics {
        let (missing, extra) = differences(&expect.diagnostics, &got);
        let details: Vec<String> = diagnostics
            .iter()
            .map(|d| {
                format!(
                    "    {}: {}",
                    short(name, d),
                    d["message"].as_str().unwrap_or_default()
                )
            })
            .collect();
        problems.push(format!(
            "scenario {name}: diagnostics differ from expect\n  missing:    {missing:?}\n  unexpected: {extra:?}\n  all reported:\n{}",
            details.join("\n")
        ));
    }

    let error_expected = expect.diagnostics.iter().any(|d| {
        let code = d.split_once(' ').map_or(d.as_str(), |(c, _)| c);
        rules::find(code).is_some_and(|r| r.severity == Severity::Error)
    });
    let want_status = if !expect.errors.is_empty() && expect.diagnostics.is_empty() {
        2
    } else {
        i32::from(error_expected)
    };
    if run.status != want_status {
        problems.push(format!(
            "scenario {name}: exit status {} (expected {want_status})",
            run.status
        ));
    }
    problems.extend(check_summary(name, &run.doc, &diagnostics));

    assert!(problems.is_empty(), "{}", problems.join("\n"));
    run
}

/// The scenario folders on disk.
fn scenario_folders() -> Vec<String> {
    scenario_folders_in(BASE, NOT_SCENARIOS)
}

macro_rules! scenarios {
    ($($(#[$meta:meta])* $test:ident => $folder:literal,)*) => {
        /// Every scenario folder, as named in the tests below.
        const SCENARIOS: &[&str] = &[$($folder),*];

        $(
            $(#[$meta])*
            #[test]
            fn $test() {
                check_scenario($folder);
            }
        )*
    };
}

scenarios! {
    // Bucket policies.
    vpc_only_deny => "vpc-only-deny",
    vpc_only_deny_exempt => "vpc-only-deny-exempt",
    notprincipal_incomplete => "notprincipal-incomplete",
    notprincipal_wildcard_session => "notprincipal-wildcard-session",
    notprincipal_complete => "notprincipal-complete",
    ip_guard => "ip-guard",
    tls_only => "tls-only",
    policy_json_string => "policy-json-string",
    policy_json_string_sub => "policy-json-string-sub",
    malformed_policy => "malformed-policy",
    // Encryption keys.
    key_grants_role => "key-grants-role",
    key_grants_other_role => "key-grants-other-role",
    key_vpce_deny => "key-vpce-deny",
    key_default_policy => "key-default-policy",
    key_alias => "key-alias",
    key_outside_code => "key-outside-code",
    key_deny_region_unknown => "key-deny-region-unknown",
    key_grantee_from_parameter => "key-grantee-from-parameter",
    // Object ownership and ACLs.
    ownership_object_writer => "ownership-object-writer",
    ownership_preferred => "ownership-preferred",
    ownership_enforced => "ownership-enforced",
    ownership_missing => "ownership-missing",
    acl_log_delivery => "acl-log-delivery",
    acl_private => "acl-private",
    cloudfront_logs => "cloudfront-logs",
    // Template features.
    sam => "sam",
    fn_if_parameter_true => "fn-if-parameter-true",
    fn_if_parameter_false => "fn-if-parameter-false",
    fn_if_account_id => "fn-if-account-id",
    fn_if_undecided => "fn-if-undecided",
    fn_if_in_sub => "fn-if-in-sub",
    fn_if_statement_parts => "fn-if-statement-parts",
    fn_if_encryption_key => "fn-if-encryption-key",
    conditional_policy => "conditional-policy",
    unknown_statement_parts => "unknown-statement-parts",
    import_value => "import-value",
    syntax_error => "syntax-error",
}

#[test]
fn every_scenario_folder_has_a_test() {
    let on_disk = scenario_folders();
    let missing: Vec<&String> = on_disk
        .iter()
        .filter(|n| !SCENARIOS.contains(&n.as_str()))
        .collect();
    let gone: Vec<&&str> = SCENARIOS
        .iter()
        .filter(|n| !on_disk.iter().any(|d| d == *n))
        .collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "scenario folders without a test: {missing:?}; tests without a folder: {gone:?}"
    );
}

/// The scenarios written in both syntaxes.
fn with_json_variant() -> Vec<String> {
    scenario_folders()
        .into_iter()
        .filter(|n| {
            crate_root()
                .join(BASE)
                .join(n)
                .join("template.json")
                .exists()
        })
        .collect()
}

#[test]
fn every_scenario_has_a_yaml_template_and_a_third_a_json_one() {
    let all = scenario_folders();
    for name in &all {
        assert!(
            crate_root()
                .join(BASE)
                .join(name)
                .join("template.yaml")
                .exists(),
            "scenario {name} has no template.yaml"
        );
    }
    let json = with_json_variant();
    assert!(
        json.len() * 3 >= all.len(),
        "only {} of {} scenarios have a template.json: {json:?}",
        json.len(),
        all.len()
    );
}

/// What a diagnostic says, without where it is: equal for the YAML and JSON forms of one
/// template.
fn finding(d: &Value) -> String {
    format!(
        "{} | {} | {} | {}",
        d["code"].as_str().unwrap_or_default(),
        d["resource"].as_str().unwrap_or_default(),
        d["target"].as_str().unwrap_or("-"),
        d["message"].as_str().unwrap_or_default()
    )
}

#[test]
fn yaml_and_json_forms_of_a_template_give_the_same_findings() {
    let mut problems = Vec::new();
    for name in with_json_variant() {
        let args = read_expect(&name).args;
        let mut findings = Vec::new();
        for file in ["template.yaml", "template.json"] {
            let run = run_json(&format!("{BASE}/{name}/{file}"), &args);
            let mut f: Vec<String> = run.diagnostics().iter().map(finding).collect();
            f.sort();
            findings.push((run.status, f));
        }
        if findings[0] != findings[1] {
            problems.push(format!(
                "scenario {name}: YAML gives {:?}\n  JSON gives {:?}",
                findings[0], findings[1]
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---- What the diagnostics say ----

#[test]
fn bucket_policy_findings_name_the_policy_and_the_bucket_by_logical_id() {
    for (name, code) in [
        ("vpc-only-deny", "CP101"),
        ("notprincipal-incomplete", "CP103"),
        ("notprincipal-wildcard-session", "CP104"),
        ("notprincipal-complete", "CP105"),
        ("ip-guard", "CP102"),
        ("policy-json-string", "CP101"),
        ("policy-json-string-sub", "CP101"),
        ("malformed-policy", "CP901"),
        ("sam", "CP101"),
        ("fn-if-undecided", "CP102"),
        ("fn-if-statement-parts", "CP102"),
        ("conditional-policy", "CP102"),
        ("unknown-statement-parts", "CP102"),
        ("import-value", "CP101"),
    ] {
        let run = check_scenario(name);
        let found = run.with_code(code);
        assert!(!found.is_empty(), "scenario {name}: no {code}");
        // A bucket of another stack is described by the expression that names it, in words.
        let target = if name == "import-value" {
            "the bucket this policy is attached to (the value another stack exports as shared-data-bucket-name)"
        } else {
            "DataBucket"
        };
        for d in found {
            assert_eq!(d["resource"], "DataBucketPolicy", "scenario {name}: {d}");
            assert_eq!(d["target"], target, "scenario {name}: {d}");
        }
    }
}

#[test]
fn key_and_ownership_findings_name_their_resources_by_logical_id() {
    for (name, code, resource, target) in [
        ("key-grants-other-role", "CP201", "DataKey", "DataBucket"),
        ("key-vpce-deny", "CP202", "DataKey", "DataBucket"),
        ("key-default-policy", "CP204", "DataKey", "DataBucket"),
        ("key-outside-code", "CP205", "DataBucket", "DataBucket"),
        (
            "ownership-object-writer",
            "CP301",
            "DataBucket",
            "DataBucket",
        ),
        ("acl-log-delivery", "CP303", "LogBucket", "LogBucket"),
        ("ownership-missing", "CP304", "DataBucket", "DataBucket"),
    ] {
        let run = check_scenario(name);
        let found = run.with_code(code);
        assert!(!found.is_empty(), "scenario {name}: no {code}");
        for d in found {
            assert_eq!(d["resource"], resource, "scenario {name}: {d}");
            assert_eq!(d["target"], target, "scenario {name}: {d}");
        }
    }
}

#[test]
fn keys_named_by_alias_name_and_alias_arn_are_resolved() {
    let run = check_scenario("key-alias");
    let mut targets: Vec<String> = run
        .with_code("CP201")
        .iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(".yaml")))
        .filter_map(|d| d["target"].as_str().map(str::to_string))
        .collect();
    targets.sort();
    assert_eq!(targets, ["ArchiveBucket", "DataBucket"]);
}

#[test]
fn an_undecided_fn_if_may_block_and_names_its_condition() {
    let undecided = check_scenario("fn-if-undecided");
    for d in undecided.with_code("CP102") {
        let message = d["message"].as_str().unwrap_or_default();
        assert!(message.contains("may block"), "{message}");
        assert!(message.contains("condition IsProd"), "{message}");
        assert!(message.contains("--parameter"), "{message}");
    }
    // The undecided Fn::If around the whole document names its condition too.
    let whole = run_json(&format!("{BASE}/fn-if-account-id/template.yaml"), &[]);
    let d = &whole.doc["diagnostics"][0];
    assert_eq!(d["code"], "CP102", "{d}");
    let message = d["message"].as_str().unwrap_or_default();
    assert!(message.contains("condition IsProdAccount"), "{message}");
    assert!(message.contains("--account-id"), "{message}");
}

#[test]
fn a_parameter_or_account_id_decides_the_condition() {
    let template = format!("{BASE}/fn-if-undecided/template.yaml");
    for (args, want) in [
        (vec!["--parameter", "Environment=prod"], vec!["CP101"]),
        (vec!["--parameter", "Environment=dev"], vec![]),
        // The last value given wins.
        (
            vec![
                "--parameter",
                "Environment=prod",
                "--parameter",
                "Environment=dev",
            ],
            vec![],
        ),
    ] {
        let args: Vec<String> = args.into_iter().map(str::to_string).collect();
        let run = run_json(&template, &args);
        let codes: Vec<&str> = run
            .doc
            .get("diagnostics")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(codes, want, "{args:?}");
    }
    let template = format!("{BASE}/fn-if-account-id/template.yaml");
    for (account, want) in [("111122223333", vec!["CP101"]), ("444455556666", vec![])] {
        let args = vec!["--account-id".to_string(), account.to_string()];
        let run = run_json(&template, &args);
        let codes: Vec<String> = run
            .diagnostics()
            .iter()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect();
        assert_eq!(codes, want, "--account-id {account}");
    }
}

#[test]
fn a_key_granting_the_role_is_clean_only_when_the_role_is_known() {
    let run = check_scenario("key-grants-role");
    assert!(run.diagnostics().is_empty());
    // Without the role's ARN, the role statement cannot be matched to the Clumio role.
    let run = run_json(&format!("{BASE}/key-grants-role/template.yaml"), &[]);
    let codes: Vec<&str> = run
        .doc
        .get("diagnostics")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|d| d["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, ["CP204"]);
    assert_eq!(
        read_expect("key-grants-role").args,
        ["--role-arn", ROLE_ARN]
    );
}

#[test]
fn a_policy_written_as_json_text_is_reported_inside_the_text() {
    // The YAML block scalar: the statement's own line and column.
    let run = check_scenario("policy-json-string");
    let yaml: Vec<Value> = run
        .with_code("CP101")
        .into_iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(".yaml")))
        .collect();
    assert_eq!(
        (&yaml[0]["line"], &yaml[0]["column"]),
        (&27.into(), &13.into())
    );
    assert_eq!(yaml[0]["end_line"], 34);
    // The JSON string literal: inside the literal, at the statement's `{`.
    let json: Vec<Value> = run
        .with_code("CP101")
        .into_iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(".json")))
        .collect();
    let text = std::fs::read_to_string(
        crate_root()
            .join(BASE)
            .join("policy-json-string/template.json"),
    )
    .unwrap();
    let line = text.lines().nth(23).unwrap();
    let column = json[0]["column"].as_u64().unwrap() as usize;
    let at: String = line.chars().skip(column - 1).take(24).collect();
    assert_eq!(at, "{\\n      \\\"Sid\\\": \\\"Deny");
}

#[test]
fn a_yaml_syntax_error_is_located() {
    let run = run_json(&format!("{BASE}/syntax-error/template.yaml"), &[]);
    let e = &run.doc["errors"][0];
    assert_eq!(
        e["file"],
        "testdata/cloudformation/syntax-error/template.yaml"
    );
    assert_eq!((&e["line"], &e["column"]), (&7.into(), &6.into()));
    let message = e["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("invalid YAML"), "{message}");
    assert!(run.diagnostics().is_empty());
}

#[test]
fn the_human_report_shows_the_logical_id_and_the_offending_line() {
    let (_, text) = run(
        &format!("{BASE}/vpc-only-deny/template.yaml"),
        "human",
        &["--color".to_string(), "never".to_string()],
    );
    assert!(
        text.contains("[testdata/cloudformation/vpc-only-deny/template.yaml:18:13]"),
        "{text}"
    );
    assert!(text.contains("DataBucket"), "{text}");
}

// ---- Snapshots ----

/// The report of one template in `format` (`human` without colour, or `json`), with the flags
/// of its scenario's `expect` file.
fn report(name: &str, file: &str, format: &str) -> String {
    let mut args = read_expect(name).args;
    if format == "human" {
        args.extend(["--color".to_string(), "never".to_string()]);
    }
    let (_, out) = run(&format!("{BASE}/{name}/{file}"), format, &args);
    out
}

macro_rules! snapshots {
    ($($human:ident, $json:ident => $folder:literal / $file:literal;)*) => {
        $(
            #[test]
            fn $human() {
                insta::assert_snapshot!(
                    concat!("cfn-", $folder, ".human"),
                    report($folder, $file, "human")
                );
            }

            #[test]
            fn $json() {
                insta::assert_snapshot!(
                    concat!("cfn-", $folder, ".json"),
                    report($folder, $file, "json")
                );
            }
        )*
    };
}

snapshots! {
    human_vpc_only_deny, json_vpc_only_deny => "vpc-only-deny" / "template.yaml";
    human_policy_json_string, json_policy_json_string => "policy-json-string" / "template.yaml";
    human_key_vpce_deny, json_key_vpce_deny => "key-vpce-deny" / "template.yaml";
    human_fn_if_undecided, json_fn_if_undecided => "fn-if-undecided" / "template.yaml";
}

#[test]
fn a_cloudfront_log_bucket_gets_the_options_not_bucket_owner_enforced_alone() {
    let run = check_scenario("cloudfront-logs");
    let found = run.with_code("CP302");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("CloudFront standard (legacy) access logs"),
        "{message}"
    );
    assert!(message.contains("in Site"), "{message}");
    let help = found[0]["help"].as_str().unwrap();
    assert!(help.contains("move the CloudFront logs"), "{help}");
    assert!(
        help.contains("reason: CloudFront standard logs need ACLs"),
        "{help}"
    );
    // A bucket no distribution logs to keeps the plain advice.
    let plain = check_scenario("ownership-preferred");
    let help = plain.with_code("CP302")[0]["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!help.contains("CloudFront"), "{help}");
    assert!(help.contains("BucketOwnerEnforced"), "{help}");
}

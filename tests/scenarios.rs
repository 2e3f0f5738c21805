//! The end-to-end scenarios of `testdata/terraform/<scenario>/`: each folder is a small
//! Terraform configuration and a file `expect`, whose first line is `args: <extra flags>` and
//! whose other lines are the exact diagnostics, `CODE path/relative/to/the/folder:LINE`, one
//! per line (none: the scan is clean), and optionally `quiet: CODE…`, the rules the scenario
//! shows quiet (it reports none of them; `tests/registry.rs` needs one per rule).
//!
//! Each scenario runs the built binary with `--format json`, the `args:` flags and the folder
//! (named relative to the crate root), and checks:
//! - the diagnostics, as a multiset of (code, file relative to the folder, line), equal
//!   `expect` exactly (a module instantiated twice reports the same line twice);
//! - every diagnostic has the fields of the JSON contract (SPEC.md), and no input failed to
//!   load;
//! - the exit status is 1 when an error is expected and 0 otherwise.
//!
//! A folder without a test here fails `every_scenario_folder_has_a_test`.

mod support;

use clumio_preflight::rules::{self, Severity};
use serde_json::Value;
use std::path::Path;
use support::{check_contract, check_summary, cli, crate_root, scenario_folders_in};

/// Where the scenarios live, relative to the crate root.
const BASE: &str = "testdata/terraform";

/// Folders under [`BASE`] that are not scenarios.
const NOT_SCENARIOS: &[&str] = &["frontend"];

/// A scenario's `expect` file.
struct Expect {
    args: Vec<String>,
    /// `CODE file:LINE`, sorted.
    diagnostics: Vec<String>,
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
    let mut diagnostics: Vec<String> = lines
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| !l.starts_with("quiet:"))
        .map(str::to_string)
        .collect();
    for d in &diagnostics {
        let ok = d.split_once(' ').is_some_and(|(code, at)| {
            rules::find(code).is_some()
                && at
                    .rsplit_once(':')
                    .is_some_and(|(_, line)| line.parse::<usize>().is_ok())
        });
        assert!(
            ok,
            "scenario {name}: expect line \"{d}\" is not `CODE file:LINE` with a known code"
        );
    }
    diagnostics.sort();
    Expect { args, diagnostics }
}

/// What one run of the binary gave.
struct Run {
    status: i32,
    doc: Value,
}

fn run(name: &str, format: &str, args: &[String]) -> (i32, String) {
    let folder = format!("{BASE}/{name}");
    let out = cli()
        .arg("--format")
        .arg(format)
        .args(args)
        .arg(&folder)
        .output()
        .unwrap_or_else(|e| panic!("scenario {name}: cannot run the binary: {e}"));
    let status = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8(out.stdout)
        .unwrap_or_else(|_| panic!("scenario {name}: the output is not UTF-8"));
    assert!(
        out.stderr.is_empty(),
        "scenario {name}: unexpected standard error:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (status, stdout)
}

fn run_json(name: &str, args: &[String]) -> Run {
    let (status, stdout) = run(name, "json", args);
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("scenario {name}: the output is not JSON ({e}):\n{stdout}"));
    Run { status, doc }
}

/// `CODE file:LINE` of a diagnostic, with the file relative to the scenario folder.
fn short(name: &str, d: &Value) -> String {
    let prefix = format!("{BASE}/{name}/");
    let file = d["file"].as_str().unwrap_or_default();
    let file = Path::new(file)
        .strip_prefix(&prefix)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| file.to_string());
    format!(
        "{} {file}:{}",
        d["code"].as_str().unwrap_or_default(),
        d["line"]
    )
}

/// Runs one scenario and panics with every mismatch, naming the scenario.
fn check_scenario(name: &str) -> Run {
    let expect = read_expect(name);
    let run = run_json(name, &expect.args);
    let mut problems: Vec<String> = Vec::new();

    let diagnostics = run.doc["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if run.doc["version"] != 1 {
        problems.push(format!("scenario {name}: `version` should be 1"));
    }
    if run.doc["errors"].as_array().is_some_and(|e| !e.is_empty()) {
        problems.push(format!(
            "scenario {name}: inputs could not be loaded: {}",
            run.doc["errors"]
        ));
    }
    for d in &diagnostics {
        problems.extend(check_contract(name, d));
    }

    let mut got: Vec<String> = diagnostics.iter().map(|d| short(name, d)).collect();
    got.sort();
    if got != expect.diagnostics {
        let mut missing = expect.diagnostics.clone();
        let mut extra = Vec::new();
        for g in &got {
            match missing.iter().position(|m| m == g) {
                Some(i) => {
                    missing.remove(i);
                }
                None => extra.push(g.clone()),
            }
        }
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
    let want_status = i32::from(error_expected);
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
    exemption_wrong_account => "exemption-wrong-account",
    exemption_missing_path => "exemption-missing-path",
    exemption_wrong_case => "exemption-wrong-case",
    exemption_session_arn => "exemption-session-arn",
    exemption_root_arn => "exemption-root-arn",
    notprincipal_incomplete => "notprincipal-incomplete",
    notprincipal_wildcard_session => "notprincipal-wildcard-session",
    notprincipal_complete => "notprincipal-complete",
    ip_guard => "ip-guard",
    tls_only => "tls-only",
    org_guard => "org-guard",
    org_guard_known_org => "org-guard-known-org",
    deny_objects_only => "deny-objects-only",
    deny_bucket_only => "deny-bucket-only",
    notaction => "notaction",
    policy_document_merged_conditions => "policy-document-merged-conditions",
    heredoc => "heredoc",
    file_policy => "file-policy",
    module_for_each => "module-for-each",
    for_each_over_resource => "for-each-over-resource",
    variables_tfvars => "variables-tfvars",
    inline_v3_plus_policy_resource => "inline-v3-plus-policy-resource",
    malformed_policy => "malformed-policy",
    policy_after_apply => "policy-after-apply",
    policy_on_unknown_bucket => "policy-on-unknown-bucket",
    statement_in_allow => "statement-in-allow",
    userid_exemption_partial => "userid-exemption-partial",
    userid_exemption_all_sessions => "userid-exemption-all-sessions",
    // Encryption keys.
    sse_s3 => "sse-s3",
    aws_managed_key => "aws-managed-key",
    key_default_policy => "key-default-policy",
    key_grants_role => "key-grants-role",
    key_grants_other_role => "key-grants-other-role",
    key_root_and_admin_in_one_statement => "key-root-and-admin-in-one-statement",
    key_only_generate_data_key => "key-only-generate-data-key",
    key_only_decrypt => "key-only-decrypt",
    key_vpce_deny => "key-vpce-deny",
    key_vpce_deny_exempt => "key-vpce-deny-exempt",
    key_userid_exemption_partial => "key-userid-exemption-partial",
    key_userid_exemption_all_sessions => "key-userid-exemption-all-sessions",
    key_userid_exemption_unique_id => "key-userid-exemption-unique-id",
    key_alias => "key-alias",
    key_outside_code => "key-outside-code",
    key_grant_to_role => "key-grant-to-role",
    key_grant_context_bucket_key => "key-grant-context-bucket-key",
    key_grant_context_mismatch => "key-grant-context-mismatch",
    key_grant_unknown_grantee => "key-grant-unknown-grantee",
    key_policy_role_from_variable => "key-policy-role-from-variable",
    key_deny_region_unknown => "key-deny-region-unknown",
    key_deny_region_known => "key-deny-region-known",
    // Object ownership and ACLs.
    ownership_object_writer => "ownership-object-writer",
    ownership_preferred => "ownership-preferred",
    ownership_enforced => "ownership-enforced",
    ownership_missing => "ownership-missing",
    ownership_from_variable => "ownership-from-variable",
    acl_resource_private => "acl-resource-private",
    acl_resource_log_delivery => "acl-resource-log-delivery",
    acl_with_ownership_controls => "acl-with-ownership-controls",
    cloudfront_logs_distribution => "cloudfront-logs-distribution",
    cloudfront_logs_acl_grant => "cloudfront-logs-acl-grant",
    // Parsing what Terraform parses.
    parse_byte_order_mark => "parse-byte-order-mark",
    parse_for_continuation => "parse-for-continuation",
    // Terraform as teams write it: registry modules, links by reference, empty strings.
    module_registry_initialized => "module-registry-initialized",
    module_registry_not_initialized => "module-registry-not-initialized",
    module_cloudposse_plumbing => "module-cloudposse-plumbing",
    link_by_reference => "link-by-reference",
    empty_string_unset => "empty-string-unset",
    partial_statement_list => "partial-statement-list",
    policy_functions => "policy-functions",
    count_known_after_apply => "count-known-after-apply",
    // Inline suppressions.
    suppression_stale => "suppression-stale",
    suppression_in_use => "suppression-in-use",
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

/// The diagnostics of a scenario's run, by code.
fn with_code<'a>(run: &'a Run, code: &str) -> Vec<&'a Value> {
    run.doc["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["code"] == code).collect())
        .unwrap_or_default()
}

#[test]
fn module_instances_are_reported_with_their_module_addresses() {
    let run = check_scenario("module-for-each");
    let mut pairs: Vec<(String, String)> = with_code(&run, "CP101")
        .iter()
        .map(|d| {
            (
                d["resource"].as_str().unwrap_or_default().to_string(),
                d["target"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            (
                "module.ingest[\"a\"].aws_s3_bucket_policy.this".to_string(),
                "module.ingest[\"a\"].aws_s3_bucket.this".to_string()
            ),
            (
                "module.ingest[\"b\"].aws_s3_bucket_policy.this".to_string(),
                "module.ingest[\"b\"].aws_s3_bucket.this".to_string()
            ),
        ]
    );
}

#[test]
fn tfvars_values_override_variable_defaults() {
    // The policy's ARNs name the bucket from terraform.tfvars, so the Deny is only found with
    // the tfvars value of bucket_name (checked by the scenario); its message shows the VPC id
    // from terraform.tfvars, not the default.
    let run = check_scenario("variables-tfvars");
    let d = with_code(&run, "CP101");
    let message = d[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("vpc-0a1b2c3d"), "{message}");
    assert!(!message.contains("vpc-00000000"), "{message}");
    assert_eq!(d[0]["target"], "aws_s3_bucket.data");
}

#[test]
fn both_sources_of_a_duplicated_bucket_policy_are_checked() {
    let run = check_scenario("inline-v3-plus-policy-resource");
    let mut resources: Vec<&str> = with_code(&run, "CP101")
        .iter()
        .filter_map(|d| d["resource"].as_str())
        .collect();
    resources.sort();
    assert_eq!(
        resources,
        ["aws_s3_bucket.data", "aws_s3_bucket_policy.data"]
    );
    let dup = with_code(&run, "CP106");
    assert_eq!(dup[0]["resource"], "aws_s3_bucket_policy.data");
    assert_eq!(dup[0]["related"][0]["line"], 5);
}

#[test]
fn keys_named_by_alias_name_and_alias_arn_are_resolved() {
    let run = check_scenario("key-alias");
    let mut targets: Vec<&str> = with_code(&run, "CP201")
        .iter()
        .filter_map(|d| d["target"].as_str())
        .collect();
    targets.sort();
    assert_eq!(targets, ["aws_s3_bucket.archive", "aws_s3_bucket.data"]);
}

#[test]
fn the_human_header_points_at_the_diagnostic_not_at_a_related_span() {
    // CP104 points at the wildcard entry and shows its statement as a related span that
    // starts earlier; CP106 shows the first policy, earlier in the file, as related.
    for (name, header) in [
        (
            "notprincipal-wildcard-session",
            "[testdata/terraform/notprincipal-wildcard-session/main.tf:17:13]",
        ),
        (
            "inline-v3-plus-policy-resource",
            "[testdata/terraform/inline-v3-plus-policy-resource/main.tf:24:23]",
        ),
    ] {
        let mut args = read_expect(name).args;
        args.extend(["--color".to_string(), "never".to_string()]);
        let (_, text) = run(name, "human", &args);
        assert!(
            text.contains(header),
            "scenario {name}: no header {header} in\n{text}"
        );
    }
}

#[test]
fn the_fix_for_a_key_without_policy_is_written_for_its_terraform_resource() {
    let run = check_scenario("key-default-policy");
    let d = with_code(&run, "CP204");
    let help = d[0]["help"].as_str().unwrap_or_default();
    assert!(help.contains("keeps the account-root statement"), "{help}");
    assert!(help.contains("Principal = \"*\""), "{help}");
    assert!(
        help.contains("arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/clumio/*"),
        "{help}"
    );
}

#[test]
fn a_deny_that_blocks_some_sessions_names_the_blocked_and_the_exempt_ones() {
    let run = check_scenario("userid-exemption-partial");
    let found = with_code(&run, "CP101");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("it blocks session Ingestion-ingesttool (ingests"),
        "{message}"
    );
    assert!(
        message
            .contains("it may block sessions daebaksrv-S3Backup (reads the objects for backups)"),
        "{message}"
    );
    assert!(message.contains("unique id"), "{message}");
    assert!(!message.contains("to the Clumio role because"), "{message}");
}

#[test]
fn a_grant_whose_context_constraint_s3_never_meets_is_named_in_cp201() {
    let run = check_scenario("key-grant-context-mismatch");
    let found = with_code(&run, "CP201");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("aws_kms_grant.clumio would give the role kms:Decrypt"),
        "{message}"
    );
    assert!(message.contains("no S3 Bucket Keys"), "{message}");
    let help = found[0]["help"].as_str().unwrap();
    assert!(help.contains("encryption-context constraint"), "{help}");
}

#[test]
fn an_unknown_grantee_is_a_cp207_warning_naming_the_variable() {
    let run = check_scenario("key-grant-unknown-grantee");
    let found = with_code(&run, "CP207");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("backup_role_arn"), "{message}");
    assert!(message.contains("KMS grant"), "{message}");
}

#[test]
fn cloudfront_log_buckets_get_the_options_not_bucket_owner_enforced_alone() {
    for (name, codes) in [
        ("cloudfront-logs-distribution", &["CP301"][..]),
        ("cloudfront-logs-acl-grant", &["CP302", "CP303"][..]),
    ] {
        let run = check_scenario(name);
        for code in codes {
            let found = with_code(&run, code);
            let message = found[0]["message"].as_str().unwrap();
            assert!(
                message.contains("CloudFront standard (legacy) access logs"),
                "{name} {code}: {message}"
            );
            assert!(
                message.contains("ACLs are there for the logs"),
                "{name} {code}: {message}"
            );
            let help = found[0]["help"].as_str().unwrap();
            assert!(
                help.starts_with("options: (1) move the CloudFront logs"),
                "{name} {code}: {help}"
            );
            assert!(
                help.contains(&format!("clumio-preflight:ignore {code} ")),
                "{name} {code}: {help}"
            );
        }
    }
    // Buckets without CloudFront logs keep the plain advice.
    for (name, code) in [
        ("ownership-object-writer", "CP301"),
        ("acl-resource-log-delivery", "CP303"),
    ] {
        let run = check_scenario(name);
        let found = with_code(&run, code);
        let help = found[0]["help"].as_str().unwrap();
        assert!(!help.contains("CloudFront"), "{name}: {help}");
        assert!(help.contains("BucketOwnerEnforced"), "{name}: {help}");
    }
}

#[test]
fn a_registry_module_without_its_code_is_noted_with_its_source_and_what_to_do() {
    let run = check_scenario("module-registry-not-initialized");
    let notes = with_code(&run, "CP904");
    let message = notes[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("module.s3"), "{message}");
    assert!(
        message.contains("\"terraform-aws-modules/s3-bucket/aws\""),
        "{message}"
    );
    assert!(message.contains("terraform init"), "{message}");
}

#[test]
fn a_registry_module_is_checked_and_its_findings_point_at_the_callers_statement() {
    let run = check_scenario("module-registry-initialized");
    let d = with_code(&run, "CP101");
    assert_eq!(d[0]["target"], "module.s3.aws_s3_bucket.this[0]");
    assert_eq!(d[0]["resource"], "module.s3.aws_s3_bucket_policy.this[0]");
}

#[test]
fn a_reference_beats_a_name_and_no_finding_names_a_placeholder() {
    let run = check_scenario("link-by-reference");
    let d = with_code(&run, "CP101");
    assert_eq!(d[0]["target"], "aws_s3_bucket.data[0]");
    let message = d[0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains('<'), "{message}");
    let w = with_code(&run, "CP301");
    assert_eq!(w[0]["target"], "aws_s3_bucket.optional");
}

#[test]
fn the_unknown_part_of_a_policy_is_noted_by_name() {
    let run = check_scenario("partial-statement-list");
    for d in with_code(&run, "CP902") {
        let message = d["message"].as_str().unwrap_or_default();
        assert!(message.contains("extra_statements"), "{message}");
        assert!(
            message.contains("known statements were checked"),
            "{message}"
        );
    }
}

#[test]
fn a_key_policy_deny_that_blocks_some_sessions_names_the_blocked_and_the_exempt_ones() {
    let run = check_scenario("key-userid-exemption-partial");
    let found = with_code(&run, "CP202");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "it blocks session Ingestion-ingesttool (ingests the bucket's inventory and objects into Clumio): kms:Decrypt, kms:GenerateDataKey denied"
        ),
        "{message}"
    );
    assert!(
        message.contains("it exempts sessions daebaksrv-S3Backup (reads the objects for backups)"),
        "{message}"
    );
    assert!(!message.contains("for the Clumio role,"), "{message}");
    let run = check_scenario("key-userid-exemption-unique-id");
    let found = with_code(&run, "CP203");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message
            .contains("it may block sessions daebaksrv-S3Backup (reads the objects for backups)"),
        "{message}"
    );
    assert!(
        message.contains("it exempts session Ingestion-ingesttool"),
        "{message}"
    );
    // A Deny that treats every session alike keeps the role-wide message.
    let run = check_scenario("key-vpce-deny");
    let message = with_code(&run, "CP202")[0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("for the Clumio role, so"), "{message}");
    assert!(!message.contains("it exempts"), "{message}");
}

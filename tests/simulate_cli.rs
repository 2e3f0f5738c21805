//! `clumio-preflight simulate`, run as a binary on the policies in `testdata/policies/`:
//! single requests with `--principal` (what a session ARN implies for `aws:PrincipalAccount`
//! and `aws:PrincipalArn`), `--context` (repeated keys are multi-valued), `--absent` and
//! `--unknown`; `--clumio` on VPC, IP, TLS and `NotPrincipal` guards and on KMS key policies,
//! with and without the account and role; reading the policy from standard input; the exit-2
//! errors (empty stdin, missing file, invalid policy, bad flags); and a closed stdout
//! (`… | head`) not crashing. JSON output is parsed and its decision, per-statement answers,
//! statement positions and `depends_on` checked; one test checks the human output.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::path::PathBuf;

const ACCOUNT: &str = "111122223333";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123";
const BACKUP_SESSION: &str =
    "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/daebaksrv-S3Backup";
const PIPELINE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/pipeline-etl/run-42";

fn policies_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/policies")
}

/// The binary, run in `testdata/policies`, with none of the profile variables inherited.
fn cli() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(policies_dir());
    for var in [
        "CLUMIO_PREFLIGHT_ACCOUNT_ID",
        "CLUMIO_PREFLIGHT_ROLE_ARN",
        "CLUMIO_PREFLIGHT_ROLE_NAME",
        "CLUMIO_PREFLIGHT_ROLE_PATH",
        "CLUMIO_PREFLIGHT_ORG_ID",
        "CLUMIO_PREFLIGHT_PERMISSIONS_BOUNDARY",
        "CLUMIO_PREFLIGHT_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `simulate ARGS --format json`, asserts success, and parses the output.
fn simulate_json(args: &[&str]) -> Value {
    let out = cli()
        .arg("simulate")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    // The exit status tells scripts the decision: 0 allow, 1 deny, 3 depends.
    let expected = match (doc["decision"].as_str(), doc["exit_status"].as_u64()) {
        (Some("allow"), _) => 0,
        (Some("deny"), _) => 1,
        (Some("depends"), _) => 3,
        (Some("implicit-deny"), Some(code @ (0 | 1))) => code as i32,
        other => panic!("simulate {args:?}: unexpected decision/exit_status {other:?}: {stderr}"),
    };
    assert_eq!(
        out.status.code(),
        Some(expected),
        "simulate {args:?}: {stderr} {doc:#}"
    );
    doc
}

/// Runs `simulate ARGS`, asserts exit status 2 and an empty stdout, and returns stderr.
fn simulate_fails(args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = cli();
    cmd.arg("simulate").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "simulate {args:?}: {out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

/// A single-request simulation of `action` on `resource` by `principal`.
fn one(policy: &str, principal: &str, action: &str, resource: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        policy,
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
    ];
    args.extend_from_slice(extra);
    simulate_json(&args)
}

/// The entry of `statements` with this `sid`.
fn statement<'a>(statements: &'a Value, sid: &str) -> &'a Value {
    statements
        .as_array()
        .expect("a statements list")
        .iter()
        .find(|s| s["sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {statements:#}"))
}

/// The `--clumio` request for `action` (and, for KMS, whether S3 makes it on the role's behalf).
fn request<'a>(report: &'a Value, action: &str, via_service: bool) -> &'a Value {
    report["requests"]
        .as_array()
        .expect("a requests list")
        .iter()
        .find(|r| r["action"] == action && r["via_service"] == via_service)
        .unwrap_or_else(|| panic!("no request {action} (via {via_service}) in {report:#}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

fn position(st: &Value) -> (u64, u64) {
    (st["line"].as_u64().unwrap(), st["column"].as_u64().unwrap())
}

// ---- single requests ----

#[test]
fn session_arn_gives_principal_account_so_another_account_is_denied() {
    let other = "arn:aws:sts::444455556666:assumed-role/pipeline-etl/run-42";
    let r = one(
        "principal-conditions.json",
        other,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &[],
    );
    assert_eq!(r["decision"], "deny");
    let deny = statement(&r["statements"], "DenyOtherAccounts");
    assert_eq!(deny["applies"], "yes");
    assert_eq!(position(deny), (4, 5));
    let because = strings(&deny["because"]).join("\n");
    assert!(because.contains("\"444455556666\""), "{because}");

    let same = one(
        "principal-conditions.json",
        PIPELINE_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &["--role-path", "/"],
    );
    assert_eq!(
        statement(&same["statements"], "DenyOtherAccounts")["applies"],
        "no"
    );
}

#[test]
fn session_arn_gives_the_role_arn_as_principal_arn() {
    let r = one(
        "principal-conditions.json",
        PIPELINE_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &["--role-path", "/"],
    );
    assert_eq!(r["decision"], "allow");
    let allow = statement(&r["statements"], "AllowPipelineRole");
    assert_eq!(allow["applies"], "yes");
    assert_eq!(position(allow), (12, 5));
    let because = strings(&allow["because"]).join("\n");
    assert!(
        because.contains("\"arn:aws:iam::111122223333:role/pipeline-etl\""),
        "aws:PrincipalArn must be the role ARN, not the session ARN: {because}"
    );
}

#[test]
fn role_arn_principal_is_its_own_principal_arn() {
    let r = one(
        "principal-conditions.json",
        "arn:aws:iam::111122223333:role/pipeline-etl",
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &[],
    );
    assert_eq!(r["decision"], "allow");
    assert!(r["depends_on"].as_array().unwrap().is_empty());
}

#[test]
fn session_role_path_is_unknown_without_role_arn_or_role_path() {
    // The session ARN does not show the role's path, so aws:PrincipalArn is not certain.
    let r = one(
        "principal-conditions.json",
        PIPELINE_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &[],
    );
    assert_eq!(r["decision"], "depends");
    let deps = strings(&r["depends_on"]).join("\n");
    assert!(deps.contains("the path of role pipeline-etl"), "{deps}");
    assert!(deps.contains("--role-arn"), "{deps}");
    assert_eq!(
        statement(&r["statements"], "AllowPipelineRole")["applies"],
        "depends"
    );
}

#[test]
fn session_of_the_exempted_role_passes_the_vpc_lock_with_its_role_arn() {
    let object = "arn:aws:s3:::data-bucket/2024/01/dump.parquet";
    let exempt = one(
        "vpc-only-deny-clumio-exempt.json",
        BACKUP_SESSION,
        "s3:GetObject",
        object,
        &["--role-arn", ROLE_ARN],
    );
    assert_eq!(exempt["decision"], "allow");
    let deny = statement(&exempt["statements"], "DenyOutsideVpc");
    assert_eq!(deny["applies"], "no");
    assert_eq!(position(deny), (11, 5));

    // A role of the same name under another path is not the exempted one.
    let other_path = one(
        "vpc-only-deny-clumio-exempt.json",
        BACKUP_SESSION,
        "s3:GetObject",
        object,
        &[
            "--role-arn",
            "arn:aws:iam::111122223333:role/other/ClumioIAMRole-uw-2-abc123",
        ],
    );
    assert_eq!(other_path["decision"], "deny");
}

#[test]
fn repeated_context_key_is_multi_valued() {
    let tagged = |values: &[&str]| {
        let mut extra = Vec::new();
        for v in values {
            extra.push("--context".to_string());
            extra.push(format!("aws:TagKeys={v}"));
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        one(
            "tag-any-value.json",
            "arn:aws:iam::111122223333:user/alice",
            "s3:PutObjectTagging",
            "arn:aws:s3:::data-bucket/contract.pdf",
            &extra,
        )
    };
    // ForAnyValue matches when any of the request's values is restricted, wherever it comes.
    for values in [["legal-hold", "team"], ["team", "legal-hold"]] {
        let r = tagged(&values);
        assert_eq!(r["decision"], "deny", "{values:?}");
        let st = statement(&r["statements"], "DenyRestrictedTags");
        let because = strings(&st["because"]).join("\n");
        assert!(
            because.contains("\"legal-hold\"") && because.contains("\"team\""),
            "both values must be in the request: {because}"
        );
    }
    let r = tagged(&["team", "cost-center"]);
    assert_eq!(r["decision"], "implicit-deny");
    assert_eq!(
        statement(&r["statements"], "DenyRestrictedTags")["applies"],
        "no"
    );
}

#[test]
fn context_value_settles_a_condition_and_absent_overrides_it() {
    let object = "arn:aws:s3:::data-bucket/a.txt";
    let from_vpc = one(
        "vpc-only-deny.json",
        BACKUP_SESSION,
        "s3:GetObject",
        object,
        &["--context", "aws:SourceVpc=vpc-0a1b2c3d"],
    );
    assert_eq!(from_vpc["decision"], "implicit-deny");
    assert_eq!(
        statement(&from_vpc["statements"], "DenyOutsideVpc")["applies"],
        "no"
    );
    let absent = one(
        "vpc-only-deny.json",
        BACKUP_SESSION,
        "s3:GetObject",
        object,
        &[
            "--context",
            "aws:SourceVpc=vpc-0a1b2c3d",
            "--absent",
            "aws:SourceVpc",
        ],
    );
    assert_eq!(absent["decision"], "deny");
    let because = strings(&statement(&absent["statements"], "DenyOutsideVpc")["because"]);
    assert!(
        because.iter().any(|b| b.contains("the key is absent")),
        "{because:?}"
    );
}

#[test]
fn absent_overrides_what_the_principal_implies() {
    // aws:PrincipalAccount comes from the session ARN; --absent removes it, and a negated
    // operator on a missing key is true.
    let r = one(
        "principal-conditions.json",
        PIPELINE_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &["--role-path", "/", "--absent", "aws:PrincipalAccount"],
    );
    assert_eq!(r["decision"], "deny");
    assert_eq!(
        statement(&r["statements"], "DenyOtherAccounts")["applies"],
        "yes"
    );
}

#[test]
fn unknown_key_gives_depends_naming_the_key() {
    let r = one(
        "vpc-only-deny.json",
        BACKUP_SESSION,
        "s3:ListBucket",
        "arn:aws:s3:::data-bucket",
        &["--unknown", "aws:SourceVpc"],
    );
    assert_eq!(r["decision"], "depends");
    let deps = strings(&r["depends_on"]);
    assert_eq!(deps.len(), 1, "{deps:?}");
    assert!(deps[0].contains("aws:SourceVpc"), "{deps:?}");
    let st = statement(&r["statements"], "DenyOutsideVpc");
    assert_eq!(st["applies"], "depends");
    assert!(strings(&st["depends_on"])[0].contains("aws:SourceVpc"));
}

// ---- --clumio ----

fn clumio_with_role(policy: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        policy,
        "--clumio",
        "--account-id",
        ACCOUNT,
        "--role-arn",
        ROLE_ARN,
    ];
    args.extend_from_slice(extra);
    simulate_json(&args)
}

#[test]
fn clumio_with_account_and_role_is_denied_by_the_vpc_lock() {
    let r = clumio_with_role("vpc-only-deny.json", &[]);
    assert_eq!(r["decision"], "deny");
    assert!(r["depends_on"].as_array().unwrap().is_empty());
    let requests = r["requests"].as_array().unwrap();
    // Eight bucket-level and four object-level actions.
    assert_eq!(requests.len(), 12);
    for req in requests {
        assert_eq!(req["decision"], "deny", "{req:#}");
        let st = statement(&req["statements"], "DenyOutsideVpc");
        assert_eq!(st["applies"], "yes");
        assert_eq!(position(st), (4, 5));
    }
    let get = request(&r, "s3:GetObject", false);
    assert!(
        get["resource"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:s3:::data-bucket/"),
        "{get:#}"
    );
    assert_eq!(
        request(&r, "s3:ListBucket", false)["resource"],
        "arn:aws:s3:::data-bucket"
    );
}

#[test]
fn clumio_with_account_and_role_passes_the_fixed_vpc_lock() {
    let r = clumio_with_role("vpc-only-deny-clumio-exempt.json", &[]);
    // Nothing denies; the bucket policy grants only some actions (the rest rest on the role's
    // IAM policy), hence implicit-deny overall and allow where it grants.
    assert_eq!(r["decision"], "implicit-deny");
    for req in r["requests"].as_array().unwrap() {
        let st = statement(&req["statements"], "DenyOutsideVpc");
        assert_eq!(st["applies"], "no", "{req:#}");
        assert_eq!(position(st), (11, 5));
    }
    assert_eq!(request(&r, "s3:GetObject", false)["decision"], "allow");
    assert_eq!(request(&r, "s3:ListBucket", false)["decision"], "allow");
    assert_eq!(
        request(&r, "s3:GetBucketLocation", false)["decision"],
        "implicit-deny"
    );
}

#[test]
fn clumio_without_account_or_role_depends_on_them_for_a_specific_role_exemption() {
    let r = simulate_json(&["vpc-only-deny-clumio-exempt.json", "--clumio"]);
    assert_eq!(r["decision"], "depends");
    let deps = strings(&r["depends_on"]);
    assert!(deps.iter().any(|d| d.contains("--account-id")), "{deps:?}");
    assert!(
        deps.iter().any(|d| d.contains("--role-arn or --role-name")),
        "{deps:?}"
    );
    // Every session of the role is exempt alike: the session is not what it hinges on.
    assert!(
        !deps.iter().any(|d| d.contains("session")),
        "the exemption is by role ARN: {deps:?}"
    );
    let get = request(&r, "s3:GetObject", false);
    assert_eq!(get["decision"], "depends");
    assert_eq!(
        statement(&get["statements"], "DenyOutsideVpc")["applies"],
        "depends"
    );
}

#[test]
fn clumio_vpc_lock_without_exemption_denies_even_without_account_or_role() {
    let r = simulate_json(&["vpc-only-deny.json", "--clumio"]);
    assert_eq!(r["decision"], "deny");
    assert!(r["depends_on"].as_array().unwrap().is_empty());
}

#[test]
fn clumio_ip_guard_depends_on_clumio_egress_ip() {
    let r = clumio_with_role("ip-guard-deny.json", &[]);
    assert_eq!(r["decision"], "depends");
    let deps = strings(&r["depends_on"]);
    assert!(deps.iter().any(|d| d.contains("aws:SourceIp")), "{deps:?}");
    let st = statement(
        &request(&r, "s3:GetObject", false)["statements"],
        "DenyOutsideOfficeNetwork",
    );
    assert_eq!(st["applies"], "depends");
    assert_eq!(position(st), (4, 5));
}

#[test]
fn clumio_tls_only_guard_never_applies() {
    let r = clumio_with_role("tls-only-deny.json", &[]);
    assert_eq!(r["decision"], "implicit-deny");
    for req in r["requests"].as_array().unwrap() {
        assert_eq!(
            statement(&req["statements"], "DenyInsecureTransport")["applies"],
            "no",
            "{req:#}"
        );
    }
    let get = request(&r, "s3:GetObject", false);
    assert_eq!(get["decision"], "allow");
    assert_eq!(
        statement(&get["statements"], "AllowAccountRead")["applies"],
        "yes"
    );
}

#[test]
fn clumio_notprincipal_with_only_the_role_is_denied() {
    let r = clumio_with_role(
        "notprincipal-deny-role-only.json",
        &["--permissions-boundary=false"],
    );
    assert_eq!(r["decision"], "deny");
    for req in r["requests"].as_array().unwrap() {
        assert_eq!(
            statement(&req["statements"], "DenyAllButBackupRole")["applies"],
            "yes"
        );
    }
}

#[test]
fn clumio_notprincipal_listing_one_session_denies_the_other_sessions() {
    // Every session's request is a backup request: the sessions NotPrincipal does not list
    // are denied, so the backup is (exit status 1), shown for a denied session.
    let r = clumio_with_role(
        "notprincipal-deny-complete.json",
        &["--permissions-boundary=false"],
    );
    assert_eq!(r["decision"], "deny");
    assert!(strings(&r["depends_on"]).is_empty(), "{r:#}");
    let get = request(&r, "s3:GetObject", false);
    assert_eq!(get["decision"], "deny");
    assert!(
        !get["principal"]
            .as_str()
            .unwrap()
            .ends_with("/daebaksrv-S3Backup"),
        "{get:#}"
    );
    let st = statement(&get["statements"], "DenyAllButBackup");
    // The statement's answer still varies by session, and says which.
    assert_eq!(st["applies"], "depends");
    let because = strings(&st["because"]).join("\n");
    assert!(
        because.contains("which Clumio session makes the request (no: daebaksrv-S3Backup; yes: "),
        "{because}"
    );
    assert_eq!(position(st), (4, 5));
}

#[test]
fn clumio_notprincipal_with_permissions_boundary_is_denied() {
    let r = clumio_with_role(
        "notprincipal-deny-complete.json",
        &["--permissions-boundary"],
    );
    assert_eq!(r["decision"], "deny");
    assert!(r["depends_on"].as_array().unwrap().is_empty());
}

#[test]
fn clumio_kms_root_delegation_allows_decrypt_and_generate_data_key() {
    let r = clumio_with_role("kms-key-root-delegation.json", &[]);
    assert_eq!(r["decision"], "allow");
    for action in ["kms:Decrypt", "kms:GenerateDataKey"] {
        for via_s3 in [true, false] {
            let req = request(&r, action, via_s3);
            assert_eq!(req["decision"], "allow", "{req:#}");
            let root = statement(&req["statements"], "Enable IAM User Permissions");
            assert_eq!(root["applies"], "yes");
            assert_eq!(position(root), (5, 5));
            assert_eq!(
                statement(&req["statements"], "Allow access for Key Administrators")["applies"],
                "no"
            );
        }
    }
}

#[test]
fn clumio_kms_vpc_endpoint_deny_blocks_decrypts_made_by_s3() {
    let r = clumio_with_role("kms-key-vpce-deny.json", &[]);
    assert_eq!(r["decision"], "deny");
    let via_s3 = request(&r, "kms:Decrypt", true);
    assert_eq!(via_s3["decision"], "deny");
    let st = statement(&via_s3["statements"], "DenyOutsideVpcEndpoint");
    assert_eq!(st["applies"], "yes");
    assert_eq!(position(st), (12, 5));
}

// ---- input and errors ----

#[test]
fn policy_is_read_from_stdin_with_dash() {
    let text = std::fs::read_to_string(policies_dir().join("vpc-only-deny.json")).unwrap();
    let out = cli()
        .args([
            "simulate",
            "-",
            "--principal",
            BACKUP_SESSION,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::data-bucket/a.txt",
            "--format",
            "json",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "deny exits 1: {out:?}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["decision"], "deny");
    let st = statement(&r["statements"], "DenyOutsideVpc");
    assert_eq!(st["applies"], "yes");
    assert_eq!(position(st), (4, 5));
}

#[test]
fn empty_stdin_is_an_error_that_says_what_to_pipe() {
    for input in ["", "  \n\t\n"] {
        let err = simulate_fails(&["-", "--clumio"], Some(input));
        assert!(err.contains("<stdin>"), "{err}");
        assert!(err.contains("standard input is empty"), "{err}");
        assert!(err.contains("pipe a policy document (JSON)"), "{err}");
    }
}

#[test]
fn missing_file_is_an_error_naming_the_path() {
    let err = simulate_fails(&["no-such-policy.json", "--clumio"], None);
    assert!(
        err.starts_with("no-such-policy.json: error: cannot read the file"),
        "{err}"
    );
}

#[test]
fn invalid_policy_is_a_located_cp901_error() {
    let err = simulate_fails(&["invalid/bool-yes.json", "--clumio"], None);
    assert_eq!(
        err.trim_end(),
        "invalid/bool-yes.json:10:53: error: `Bool` on `aws:SecureTransport` expects \"true\" or \"false\", found \"yes\" [CP901]"
    );
}

#[test]
fn invalid_json_is_a_located_cp901_error() {
    let err = simulate_fails(&["invalid/json-trailing-comma.json", "--clumio"], None);
    assert!(
        err.starts_with("invalid/json-trailing-comma.json:10:62: error: invalid JSON: Trailing commas are not allowed"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("[CP901]"), "{err}");
}

#[test]
fn invalid_policy_on_stdin_is_located_in_stdin() {
    let text = std::fs::read_to_string(policies_dir().join("invalid/version-wrong.json")).unwrap();
    let err = simulate_fails(&["-", "--clumio"], Some(&text));
    assert!(
        err.starts_with("<stdin>:2:14: error: `Version` must be"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("[CP901]"), "{err}");
}

#[test]
fn bad_role_arn_is_an_error() {
    let err = simulate_fails(
        &[
            "vpc-only-deny.json",
            "--clumio",
            "--role-arn",
            "arn:aws:iam::1111:role/clumio/ClumioIAMRole-uw-2-abc123",
        ],
        None,
    );
    assert!(
        err.contains("--role-arn: expected a role ARN like"),
        "{err}"
    );
    assert!(err.contains("arn:aws:iam::1111:role/clumio/"), "{err}");
}

#[test]
fn principal_that_is_not_an_arn_is_an_error() {
    let err = simulate_fails(
        &[
            "vpc-only-deny.json",
            "--principal",
            "bob",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::data-bucket/a",
        ],
        None,
    );
    assert!(err.contains("--principal must be an ARN"), "{err}");
    assert!(err.contains("\"bob\""), "{err}");
}

#[test]
fn human_output_has_the_decision_line_and_the_statement_position() {
    let out = cli()
        .args([
            "simulate",
            "vpc-only-deny.json",
            "--principal",
            BACKUP_SESSION,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::data-bucket/a.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "deny exits 1: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"decision: deny"), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.trim()
                == "vpc-only-deny.json:4:5: Deny statement DenyOutsideVpc: applies yes"),
        "{text}"
    );
}

#[test]
fn closed_stdout_is_not_a_crash() {
    // `simulate … | head`: the reader is gone before the report is written.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clumio-preflight"))
        .current_dir(policies_dir())
        .args(["simulate", "vpc-only-deny.json", "--clumio"])
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The decision's status (deny: 1) stands even though nobody read the report.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

// ---- the request context settles the principal (issue 13, point 1) ----

#[test]
fn context_principal_arn_settles_the_session_roles_path() {
    let r = one(
        "principal-conditions.json",
        PIPELINE_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &[
            "--context",
            "aws:PrincipalArn=arn:aws:iam::111122223333:role/pipeline-etl",
        ],
    );
    assert_eq!(r["decision"], "allow", "{r:#}");
    assert!(r["depends_on"].as_array().unwrap().is_empty(), "{r:#}");
    // A role under a path: a policy naming the role ARN with that path matches.
    let r = one(
        "vpc-only-deny-clumio-exempt.json",
        BACKUP_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &["--context", &format!("aws:PrincipalArn={ROLE_ARN}")],
    );
    assert_eq!(r["decision"], "allow", "{r:#}");
    assert!(r["depends_on"].as_array().unwrap().is_empty(), "{r:#}");
}

#[test]
fn context_principal_arn_with_another_path_is_that_path() {
    // Same role name and account, another path: the exemption for /clumio/ does not match.
    let r = one(
        "vpc-only-deny-clumio-exempt.json",
        BACKUP_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &[
            "--context",
            "aws:PrincipalArn=arn:aws:iam::111122223333:role/other/ClumioIAMRole-uw-2-abc123",
        ],
    );
    assert_eq!(r["decision"], "deny", "{r:#}");
}

#[test]
fn context_principal_arn_that_contradicts_the_session_is_a_usage_error() {
    let base = [
        "principal-conditions.json",
        "--principal",
        PIPELINE_SESSION,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::data-bucket/report.csv",
        "--context",
    ];
    let other_role = "aws:PrincipalArn=arn:aws:iam::111122223333:role/other-role";
    let mut args = base.to_vec();
    args.push(other_role);
    let err = simulate_fails(&args, None);
    assert!(err.contains("role/other-role"), "{err}");
    assert!(err.contains("pipeline-etl"), "{err}");
    let other_account = "aws:PrincipalArn=arn:aws:iam::999999999999:role/pipeline-etl";
    let mut args = base.to_vec();
    args.push(other_account);
    let err = simulate_fails(&args, None);
    assert!(err.contains("999999999999"), "{err}");
    assert!(err.contains("111122223333"), "{err}");
    let not_a_role = "aws:PrincipalArn=arn:aws:iam::111122223333:user/pipeline-etl";
    let mut args = base.to_vec();
    args.push(not_a_role);
    let err = simulate_fails(&args, None);
    assert!(err.contains("not a role ARN"), "{err}");
    let mut args = base.to_vec();
    args.push("aws:PrincipalAccount=999999999999");
    let err = simulate_fails(&args, None);
    assert!(
        err.contains("999999999999") && err.contains("111122223333"),
        "{err}"
    );
}

#[test]
fn context_principal_arn_names_the_clumio_role_for_clumio() {
    let r = simulate_json(&[
        "vpc-only-deny-clumio-exempt.json",
        "--clumio",
        "--context",
        &format!("aws:PrincipalArn={ROLE_ARN}"),
    ]);
    assert_eq!(r["decision"], "implicit-deny", "{r:#}");
    let err = simulate_fails(
        &[
            "vpc-only-deny-clumio-exempt.json",
            "--clumio",
            "--account-id",
            "999999999999",
            "--context",
            &format!("aws:PrincipalArn={ROLE_ARN}"),
        ],
        None,
    );
    assert!(
        err.contains("999999999999") && err.contains(ACCOUNT),
        "{err}"
    );
}

#[test]
fn context_userid_and_org_are_used_as_given() {
    let policy = r#"{"Version":"2012-10-17","Statement":[
      {"Sid":"DenyOthers","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
       "Condition":{"StringNotLike":{"aws:userid":"AROAEXAMPLE:*"},"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#;
    let file = std::env::temp_dir().join(format!("cp-userid-{}.json", std::process::id()));
    std::fs::write(&file, policy).unwrap();
    let path = file.to_str().unwrap();
    let base = [
        path,
        "--principal",
        PIPELINE_SESSION,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
    ];
    // Without aws:userid, the session's unique id is unknown; aws:PrincipalOrgID absent.
    let r = simulate_json(&base);
    assert_eq!(r["decision"], "depends", "{r:#}");
    assert!(
        strings(&r["depends_on"]).join(" ").contains("unique id"),
        "{r:#}"
    );
    let mut args = base.to_vec();
    args.extend(["--context", "aws:userid=AROAEXAMPLE:run-42"]);
    let r = simulate_json(&args);
    assert_eq!(r["decision"], "implicit-deny", "{r:#}");
    let mut args = base.to_vec();
    args.extend([
        "--context",
        "aws:userid=AROAOTHER:run-42",
        "--context",
        "aws:PrincipalOrgID=o-abc",
    ]);
    let r = simulate_json(&args);
    assert_eq!(r["decision"], "implicit-deny", "{r:#}");
    let mut args = base.to_vec();
    args.extend([
        "--context",
        "aws:userid=AROAOTHER:run-42",
        "--context",
        "aws:PrincipalOrgID=o-other",
    ]);
    let r = simulate_json(&args);
    assert_eq!(r["decision"], "deny", "{r:#}");
    std::fs::remove_file(&file).unwrap();
}

// ---- exit status and grouping (issue 13, point 6) ----

fn status_of(args: &[&str]) -> i32 {
    cli()
        .arg("simulate")
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn exit_status_is_1_for_deny_0_for_allow_3_for_depends() {
    let req = |p: &'static str| {
        vec![
            "principal-conditions.json",
            "--principal",
            p,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::data-bucket/report.csv",
        ]
    };
    let mut allow = req(PIPELINE_SESSION);
    allow.extend(["--role-path", "/"]);
    assert_eq!(status_of(&allow), 0);
    assert_eq!(
        status_of(&req(
            "arn:aws:sts::444455556666:assumed-role/pipeline-etl/run-42"
        )),
        1
    );
    assert_eq!(status_of(&req(PIPELINE_SESSION)), 3);
    // --clumio: any backup request denied is 1, none denied 0, unknowns 3.
    assert_eq!(status_of(&["vpc-only-deny.json", "--clumio"]), 1);
    assert_eq!(
        status_of(&[
            "vpc-only-deny-clumio-exempt.json",
            "--clumio",
            "--role-arn",
            ROLE_ARN
        ]),
        0
    );
    assert_eq!(status_of(&["ip-guard-deny.json", "--clumio"]), 3);
    // A key policy that allows nothing denies (KMS needs the key policy to allow).
    let r = simulate_json(&[
        "kms-key-root-delegation.json",
        "--principal",
        "arn:aws:sts::444455556666:assumed-role/x/y",
        "--action",
        "kms:Decrypt",
        "--resource",
        "*",
    ]);
    assert_eq!(r["decision"], "implicit-deny");
    assert_eq!(r["exit_status"], 1);
}

#[test]
fn clumio_groups_requests_with_the_same_answer() {
    let r = simulate_json(&["vpc-only-deny.json", "--clumio"]);
    let groups = r["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{r:#}");
    assert_eq!(groups[0]["actions"].as_array().unwrap().len(), 12);
    assert_eq!(groups[0]["decision"], "deny");
    assert_eq!(r["requests"].as_array().unwrap().len(), 12);
    let out = cli()
        .args(["simulate", "vpc-only-deny.json", "--clumio"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("s3:") && l.ends_with(": deny"))
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains("12 requests with the same answer"), "{text}");
    // A key policy: the direct and the S3-made calls are answered separately.
    let r = simulate_json(&["kms-key-vpce-deny.json", "--clumio"]);
    let groups = r["groups"].as_array().unwrap();
    assert!(groups.len() >= 2, "{r:#}");
    let total: usize = groups
        .iter()
        .map(|g| g["actions"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, r["requests"].as_array().unwrap().len());
}

#[test]
fn clumio_userid_exemption_missing_a_session_is_a_deny_naming_the_sessions() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideVpc","Effect":"Deny",
      "Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
      "Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"},"StringNotLike":{"aws:userid":"*:daebaksrv-*"}}}]}"#;
    let out = cli()
        .args(["simulate", "-", "--clumio", "--role-arn", ROLE_ARN])
        .write_stdin(policy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("/Ingestion-ingesttool: deny"), "{text}");
    assert!(
        text.contains("(no: daebaksrv-S3Backup, daebaksrv-RestoreTargetCheck, daebaksrv-createS3CustomerSession; yes: Ingestion-ingesttool)"),
        "{text}"
    );
    // Covering every session too: nothing is denied.
    let policy = policy.replace(
        r#""*:daebaksrv-*"}"#,
        r#"["*:daebaksrv-*","*:Ingestion-ingesttool"]}"#,
    );
    let out = cli()
        .args(["simulate", "-", "--clumio", "--role-arn", ROLE_ARN])
        .write_stdin(policy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn context_principal_arn_that_contradicts_a_role_principal_is_a_usage_error() {
    let base = |context: &str| -> Vec<String> {
        [
            "vpc-only-deny-clumio-exempt.json",
            "--principal",
            ROLE_ARN,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::data-bucket/report.csv",
            "--context",
            context,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    for (other, names) in [
        (
            "arn:aws:iam::111122223333:role/clumio/AnotherRole",
            "AnotherRole",
        ),
        (
            "arn:aws:iam::111122223333:role/other/ClumioIAMRole-uw-2-abc123",
            "path /other/",
        ),
        (
            "arn:aws:iam::999999999999:role/clumio/ClumioIAMRole-uw-2-abc123",
            "999999999999",
        ),
        (
            "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/s",
            "not a role ARN",
        ),
    ] {
        let args = base(&format!("aws:PrincipalArn={other}"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = simulate_fails(&args, None);
        assert!(err.contains(other), "{err}");
        assert!(err.contains(ROLE_ARN), "{err}");
        assert!(err.contains(names), "{err}");
    }
    // The role's own ARN agrees: the simulation runs.
    let r = one(
        "vpc-only-deny-clumio-exempt.json",
        ROLE_ARN,
        "s3:GetObject",
        "arn:aws:s3:::data-bucket/report.csv",
        &["--context", &format!("aws:PrincipalArn={ROLE_ARN}")],
    );
    assert!(r["decision"].is_string(), "{r:#}");
}

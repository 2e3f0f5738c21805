//! Plans of the Terraform scenarios: `testdata/plan/<scenario>/plan.json` as `terraform show
//! -json` writes it and `plan.txt` as `terraform plan` prints it, for the configuration of
//! `testdata/terraform/<scenario>/`, and `expect`, the diagnostics of both
//! (`CODE FILE:LINE:COLUMN`, `#` lines are comments, `quiet: CODE…` names the rules the plan
//! shows quiet, for `tests/registry.rs`).
//!
//! For each scenario:
//! - the plan JSON gives the codes the scan of the sources gives, except those the plan
//!   settles differently by design (CP304 is not reported for a bucket the plan creates);
//! - the plan text gives the codes of the plan JSON, except where the text lacks what the
//!   JSON has, and then it prints a note saying so (never a silent difference);
//! - both give exactly `expect`, and the same from standard input, as `<stdin>`, at the same
//!   lines and columns;
//! - with `--source-dir`, findings point at the `.tf` line the scan of the sources reports,
//!   and keep the plan location as a related one.
//!
//! The profile flags of a scenario are the `args:` of its `testdata/terraform/<scenario>/expect`.

use assert_cmd::cargo::cargo_bin_cmd;
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::resource::{Lifecycle, Mode};
use clumio_preflight::rules;
use clumio_preflight::source::Sources;
use clumio_preflight::terraform::aws::inventory;
use clumio_preflight::terraform::plan::load_plan;
use clumio_preflight::terraform::text_plan::load_text_plan;
use serde_json::Value;
use std::path::{Path, PathBuf};

const PLANS: &str = "testdata/plan";
const SOURCES: &str = "testdata/terraform";

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run in `dir`, without the environment variables that change the profile or
/// the exit status.
fn cli_in(dir: &Path) -> assert_cmd::Command {
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
    cmd
}

fn cli() -> assert_cmd::Command {
    cli_in(&crate_root())
}

/// The `args:` of the Terraform scenario (the profile flags).
fn scenario_args(name: &str) -> Vec<String> {
    let path = crate_root().join(SOURCES).join(name).join("expect");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("args:"))
        .unwrap_or_else(|| panic!("{}: no `args:` line", path.display()))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// One diagnostic of a run.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    code: String,
    file: String,
    line: u64,
    column: u64,
    resource: String,
    message: String,
    help: String,
    /// (message, file, line, column) of each related location.
    related: Vec<(String, String, u64, u64)>,
}

/// What one run of the binary gave.
#[derive(Debug)]
struct Run {
    status: i32,
    found: Vec<Found>,
    notes: Vec<String>,
    errors: Vec<Value>,
    stderr: String,
}

impl Run {
    fn codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.found.iter().map(|f| f.code.clone()).collect();
        codes.sort();
        codes
    }

    fn with_code(&self, code: &str) -> Vec<&Found> {
        self.found.iter().filter(|f| f.code == code).collect()
    }

    fn no_errors(&self, what: &str) {
        assert!(
            self.errors.is_empty(),
            "{what}: inputs could not be read: {:?}",
            self.errors
        );
    }
}

fn parse_run(out: std::process::Output, what: &str) -> Run {
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{what}: the output is not JSON ({e}):\n{stdout}"));
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let n = |v: &Value| v.as_u64().unwrap_or_default();
    let found = doc["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| Found {
            code: s(&d["code"]),
            file: s(&d["file"]),
            line: n(&d["line"]),
            column: n(&d["column"]),
            resource: s(&d["resource"]),
            message: s(&d["message"]),
            help: s(&d["help"]),
            related: d["related"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|r| {
                    (
                        s(&r["message"]),
                        s(&r["file"]),
                        n(&r["line"]),
                        n(&r["column"]),
                    )
                })
                .collect(),
        })
        .collect();
    Run {
        status: out.status.code().unwrap_or(-1),
        found,
        notes: doc["notes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(s)
            .collect(),
        errors: doc["errors"].as_array().cloned().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary (in the crate root) with `--format json`, `args` and `inputs`.
fn scan(args: &[String], inputs: &[String]) -> Run {
    let out = cli()
        .arg("--format")
        .arg("json")
        .args(args)
        .args(inputs)
        .output()
        .expect("the binary runs");
    parse_run(out, &format!("{args:?} {inputs:?}"))
}

/// Runs the binary with `text` piped into standard input and no path.
fn scan_stdin(dir: &Path, args: &[String], text: &str) -> Run {
    let out = cli_in(dir)
        .arg("--format")
        .arg("json")
        .args(args)
        .write_stdin(text.to_string())
        .output()
        .expect("the binary runs");
    parse_run(out, &format!("<stdin> {args:?}"))
}

fn plan_path(name: &str, file: &str) -> String {
    format!("{PLANS}/{name}/{file}")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(crate_root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn scan_sources(name: &str) -> Run {
    let run = scan(&scenario_args(name), &[format!("{SOURCES}/{name}")]);
    run.no_errors(name);
    run
}

fn scan_plan(name: &str, file: &str) -> Run {
    let run = scan(&scenario_args(name), &[plan_path(name, file)]);
    run.no_errors(&plan_path(name, file));
    run
}

/// The lines of `testdata/plan/<name>/expect` for `file` (`CODE FILE:LINE:COLUMN`), sorted.
fn expected(name: &str, file: &str) -> Vec<String> {
    let mut lines: Vec<String> = read(&format!("{PLANS}/{name}/expect"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            l.split_once(' ')
                .is_some_and(|(_, at)| at.starts_with(&format!("{file}:")))
        })
        .map(str::to_string)
        .collect();
    for l in &lines {
        let code = l.split(' ').next().unwrap_or_default();
        assert!(
            rules::find(code).is_some(),
            "{name}/expect: unknown code in \"{l}\""
        );
    }
    lines.sort();
    lines
}

/// The diagnostics of a run in the form of `expect`.
fn as_expect(run: &Run, file: &str) -> Vec<String> {
    let mut lines: Vec<String> = run
        .found
        .iter()
        .map(|f| format!("{} {file}:{}:{}", f.code, f.line, f.column))
        .collect();
    lines.sort();
    lines
}

/// `all` with one occurrence of each of `remove` taken out (each must be there).
fn without(all: &[String], remove: &[&str], what: &str) -> Vec<String> {
    let mut out = all.to_vec();
    for r in remove {
        let i = out
            .iter()
            .position(|c| c == r)
            .unwrap_or_else(|| panic!("{what}: {r} was expected among {all:?}"));
        out.remove(i);
    }
    out
}

fn with(all: &[String], add: &[&str]) -> Vec<String> {
    let mut out = all.to_vec();
    out.extend(add.iter().map(|c| c.to_string()));
    out.sort();
    out
}

/// How the plans of a scenario differ from its sources, by design or for lack of
/// information.
struct Case {
    name: &'static str,
    /// Codes the scan of the sources reports and neither plan does (by design).
    plans_lack: &'static [&'static str],
    /// Codes of the plan JSON the text cannot give.
    text_lacks: &'static [&'static str],
    /// Codes the text gives instead.
    text_adds: &'static [&'static str],
    /// Notes the text prints (a part of each), saying what it lacks.
    text_notes: &'static [&'static str],
}

/// The note of a plan text that does not show a bucket the plan leaves unchanged.
const UNSHOWN_BUCKET: &str = "the text of `terraform plan` shows only the resources a plan changes: bucket \"acme-data-prod\"";

/// A bucket policy added to an existing bucket: the same everywhere, the text noting that
/// the bucket itself is not shown.
const fn policy_added(name: &'static str) -> Case {
    Case {
        name,
        plans_lack: &[],
        text_lacks: &[],
        text_adds: &[],
        text_notes: &[UNSHOWN_BUCKET],
    }
}

const VPC_ONLY_DENY: Case = policy_added("vpc-only-deny");
const VPC_ONLY_DENY_EXEMPT: Case = policy_added("vpc-only-deny-exempt");
const NOTPRINCIPAL_INCOMPLETE: Case = policy_added("notprincipal-incomplete");
const NOTPRINCIPAL_WILDCARD_SESSION: Case = policy_added("notprincipal-wildcard-session");
const IP_GUARD: Case = policy_added("ip-guard");
const TLS_ONLY: Case = policy_added("tls-only");
const MALFORMED_POLICY: Case = policy_added("malformed-policy");
const POLICY_DOCUMENT_MERGED_CONDITIONS: Case = policy_added("policy-document-merged-conditions");
const MODULE_FOR_EACH: Case = Case {
    name: "module-for-each",
    plans_lack: &[],
    text_lacks: &[],
    text_adds: &[],
    text_notes: &[
        "buckets \"acme-ingest-a\" (named by module.ingest[\"a\"].aws_s3_bucket_policy.this), \"acme-ingest-b\" (named by module.ingest[\"b\"].aws_s3_bucket_policy.this) are not in it",
    ],
};
/// The bucket and its inline policy are unchanged, so the text shows neither: one CP101 and
/// the CP106 of the two writers are missing, and the note names the bucket.
const INLINE_V3_PLUS_POLICY_RESOURCE: Case = Case {
    name: "inline-v3-plus-policy-resource",
    plans_lack: &[],
    text_lacks: &["CP101", "CP106"],
    text_adds: &[],
    text_notes: &[
        "bucket \"acme-data-prod\" (named by aws_s3_bucket_policy.data) is not in it, so its other settings (object ownership, encryption, another policy) were not checked",
    ],
};
/// The new key's ARN is `(known after apply)` in the bucket's encryption: the text cannot
/// tell which key it is (CP205 instead of the key policy's CP202).
const KEY_VPCE_DENY: Case = Case {
    name: "key-vpce-deny",
    plans_lack: &[],
    text_lacks: &["CP202"],
    text_adds: &["CP205"],
    text_notes: &[
        "which bucket or key aws_s3_bucket_server_side_encryption_configuration.data.rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id names could not be told",
    ],
};
/// As above, and the key's `policy = (known after apply)` does not say whether the key keeps
/// the default policy (CP902 on the key instead of CP204).
const KEY_DEFAULT_POLICY: Case = Case {
    name: "key-default-policy",
    plans_lack: &[],
    text_lacks: &["CP204"],
    text_adds: &["CP205", "CP902"],
    text_notes: &[
        "which bucket or key aws_s3_bucket_server_side_encryption_configuration.data.rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id names could not be told",
        "shows the policy of aws_kms_key.data as `(known after apply)`, as it shows a key that keeps the default key policy and a key whose policy is computed",
    ],
};
const OWNERSHIP_OBJECT_WRITER: Case = Case {
    name: "ownership-object-writer",
    plans_lack: &[],
    text_lacks: &[],
    text_adds: &[],
    text_notes: &[
        "bucket \"acme-data-prod\" (named by aws_s3_bucket_ownership_controls.data) is not in it",
    ],
};
/// The plan creates the bucket: no CP304 (the sources cannot tell and report it). The ACL's
/// bucket is `(known after apply)`, which the text cannot link.
const ACL_RESOURCE_LOG_DELIVERY: Case = Case {
    name: "acl-resource-log-delivery",
    plans_lack: &["CP304"],
    text_lacks: &[],
    text_adds: &[],
    text_notes: &["which bucket or key aws_s3_bucket_acl.data.bucket names could not be told"],
};
/// The bucket exists without ownership controls: CP304 from the plan JSON too; the text
/// does not show the unchanged bucket.
const OWNERSHIP_MISSING: Case = Case {
    name: "ownership-missing",
    plans_lack: &[],
    text_lacks: &["CP304"],
    text_adds: &[],
    text_notes: &[
        "bucket \"acme-data-prod\" (named by aws_s3_bucket_versioning.data) is not in it, so its other settings (object ownership, encryption, another policy) were not checked",
    ],
};

const CASES: &[&Case] = &[
    &VPC_ONLY_DENY,
    &VPC_ONLY_DENY_EXEMPT,
    &NOTPRINCIPAL_INCOMPLETE,
    &NOTPRINCIPAL_WILDCARD_SESSION,
    &IP_GUARD,
    &TLS_ONLY,
    &MALFORMED_POLICY,
    &POLICY_DOCUMENT_MERGED_CONDITIONS,
    &MODULE_FOR_EACH,
    &INLINE_V3_PLUS_POLICY_RESOURCE,
    &KEY_VPCE_DENY,
    &KEY_DEFAULT_POLICY,
    &OWNERSHIP_OBJECT_WRITER,
    &ACL_RESOURCE_LOG_DELIVERY,
    &OWNERSHIP_MISSING,
];

/// Plan folders that are not scenarios (tested below on their own).
const NOT_SCENARIOS: &[&str] = &[
    "text",
    // Terraform's output with nothing in it: an empty state and a binary plan.
    "empty",
    "policy-unknown",
    "policy-from-configuration",
    "real",
];

/// The plan JSON gives exactly `expect`, and the codes of the Terraform scenario's `expect`
/// but `plans_lack`.
fn check_json(case: &Case) {
    let name = case.name;
    let json = scan_plan(name, "plan.json");
    assert_eq!(
        as_expect(&json, "plan.json"),
        expected(name, "plan.json"),
        "{name}: plan.json against expect: {:#?}",
        json.found
    );
    let sources = scenario_codes(name);
    assert_eq!(
        json.codes(),
        without(&sources, case.plans_lack, name),
        "{name}: the codes of plan.json against those of the sources (their expect)"
    );
}

/// The codes of `testdata/terraform/<name>/expect` (what the scan of the sources gives).
fn scenario_codes(name: &str) -> Vec<String> {
    let mut codes: Vec<String> = read(&format!("{SOURCES}/{name}/expect"))
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("quiet:"))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    codes.sort();
    codes
}

/// The text gives exactly `expect`, the codes of the plan JSON but what it lacks, and says
/// what it lacks.
fn check_text(case: &Case) {
    let name = case.name;
    assert!(
        (case.text_lacks.is_empty() && case.text_adds.is_empty()) || !case.text_notes.is_empty(),
        "{name}: a text that differs from the JSON must say why"
    );
    let text = scan_plan(name, "plan.txt");
    assert_eq!(
        as_expect(&text, "plan.txt"),
        expected(name, "plan.txt"),
        "{name}: plan.txt against expect: {:#?}",
        text.found
    );
    let json = scan_plan(name, "plan.json");
    assert_eq!(
        text.codes(),
        with(
            &without(&json.codes(), case.text_lacks, name),
            case.text_adds
        ),
        "{name}: the codes of plan.txt against those of plan.json"
    );
    for note in case.text_notes {
        assert!(
            text.notes.iter().any(|n| n.contains(note)),
            "{name}: no note saying \"{note}\" among {:#?}",
            text.notes
        );
    }
    assert!(
        json.notes.is_empty(),
        "{name}: the plan JSON has nothing to excuse: {:?}",
        json.notes
    );
}

/// The plan piped into standard input (no path) gives the same diagnostics, in `<stdin>`, at
/// the lines and columns of the input.
fn check_stdin(case: &Case) {
    let name = case.name;
    for file in ["plan.json", "plan.txt"] {
        let from_file = scan_plan(name, file);
        let piped = scan_stdin(
            &crate_root(),
            &scenario_args(name),
            &read(&plan_path(name, file)),
        );
        piped.no_errors(&format!("{name}: {file} on stdin"));
        let path = plan_path(name, file);
        let expect: Vec<Found> = from_file
            .found
            .iter()
            .map(|f| {
                let mut f = f.clone();
                assert_eq!(f.file, path, "{name}: {file}");
                f.file = "<stdin>".into();
                for r in &mut f.related {
                    if r.1 == path {
                        r.1 = "<stdin>".into();
                    }
                }
                f
            })
            .collect();
        assert_eq!(piped.found, expect, "{name}: {file} on stdin");
        // The text plan's notes are located: in `<stdin>` at the same line and column.
        let notes: Vec<String> = from_file
            .notes
            .iter()
            .map(|n| n.replacen(&format!("{path}:"), "<stdin>:", 1))
            .collect();
        assert_eq!(piped.notes, notes, "{name}: {file} on stdin");
        assert_eq!(piped.status, from_file.status, "{name}: {file} on stdin");
    }
}

/// With `--source-dir`, a plan finding moved to the sources has the help the scan of the
/// sources gives there: its policy text (exemption, principal, key statement, the
/// `aws:ViaAWSService` condition) is written again in the syntax of the `.tf` file, never left
/// in the plan's JSON. Both scans run in the plan's account, so that the texts can be equal.
#[test]
fn the_help_of_a_mapped_finding_is_written_in_the_syntax_of_the_sources() {
    for name in [
        "notprincipal-incomplete",
        "notprincipal-wildcard-session",
        "key-vpce-deny",
        "vpc-only-deny",
    ] {
        let mut args = scenario_args(name);
        if !args.iter().any(|a| a == "--account-id") {
            args.extend(["--account-id".to_string(), "111122223333".to_string()]);
        }
        let sources = scan(&args, &[format!("{SOURCES}/{name}")]);
        args.extend(["--source-dir".to_string(), format!("{SOURCES}/{name}")]);
        let mapped = scan(&args, &[plan_path(name, "plan.json")]);
        let mut compared = 0;
        for m in &mapped.found {
            let Some(s) = sources
                .found
                .iter()
                .find(|s| s.code == m.code && s.file == m.file && s.line == m.line)
            else {
                continue;
            };
            assert_eq!(
                m.help, s.help,
                "{name}: {} at {}:{}",
                m.code, m.file, m.line
            );
            compared += 1;
        }
        assert!(compared > 0, "{name}: no finding to compare: {mapped:?}");
    }
}

/// Codes whose findings `--source-dir` does not move to the line the scan of the sources
/// reports: none (findings on principal entries, operators, settings and second policies
/// map too, see `non_statement_findings_point_at_the_tf_line_of_the_sources`).
const NOT_MAPPED_TO_THE_LINE: &[&str] = &[];

/// With `--source-dir`, a plan finding the sources also have points at the same `.tf` line
/// (its statement, through module calls), and keeps where the plan has it as related.
fn check_mapping(case: &Case, codes: &[&str]) {
    let name = case.name;
    let sources = scan_sources(name);
    let mut checked = 0;
    for file in ["plan.json", "plan.txt"] {
        let plain = scan_plan(name, file);
        let mut args = scenario_args(name);
        args.extend(["--source-dir".to_string(), format!("{SOURCES}/{name}")]);
        let mapped = scan(&args, &[plan_path(name, file)]);
        mapped.no_errors(name);
        // With its sources, a plan settles what it leaves unknown alone (a key the text
        // shows `(known after apply)`): it then gives the verdicts of the sources.
        assert!(
            mapped.codes() == plain.codes() || mapped.codes() == sources.codes(),
            "{name}: {file}: {:?} / {:?} / {:?}",
            mapped.codes(),
            plain.codes(),
            sources.codes()
        );
        if mapped.codes() != plain.codes() {
            // Checked against the sources by tests/plan_sources.rs.
            continue;
        }
        for (m, p) in mapped.found.iter().zip(&plain.found) {
            if !codes.contains(&m.code.as_str()) {
                continue;
            }
            let in_sources: Vec<&Found> = sources
                .found
                .iter()
                .filter(|s| s.code == m.code && s.resource == m.resource)
                .collect();
            assert!(
                !in_sources.is_empty(),
                "{name}: {file}: {} on {} is not in the sources",
                m.code,
                m.resource
            );
            assert!(
                in_sources
                    .iter()
                    .any(|s| s.file == m.file && s.line == m.line),
                "{name}: {file}: {} on {} points at {}:{}, the sources at {:?}",
                m.code,
                m.resource,
                m.file,
                m.line,
                in_sources
                    .iter()
                    .map(|s| format!("{}:{}", s.file, s.line))
                    .collect::<Vec<_>>()
            );
            let plan_file = plan_path(name, file);
            assert!(
                m.related.iter().any(|r| r.1 == plan_file
                    && r.2 == p.line
                    && r.3 == p.column
                    && r.0 == "where the plan has it"),
                "{name}: {file}: {} keeps no related location at {plan_file}:{}:{}: {:?}",
                m.code,
                p.line,
                p.column,
                m.related
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "{name}: no finding of {codes:?} was checked");
}

macro_rules! tests {
    ($check:ident: $($(#[$meta:meta])* $test:ident => $case:ident,)*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $test() {
                super::$check(&super::$case);
            }
        )*
    };
}

/// The plan JSON reports what the scan of the sources does.
mod plan_json_gives_the_codes_of_the_sources {
    tests! { check_json:
        vpc_only_deny => VPC_ONLY_DENY,
        vpc_only_deny_exempt => VPC_ONLY_DENY_EXEMPT,
        notprincipal_incomplete => NOTPRINCIPAL_INCOMPLETE,
        notprincipal_wildcard_session => NOTPRINCIPAL_WILDCARD_SESSION,
        ip_guard => IP_GUARD,
        tls_only => TLS_ONLY,
        malformed_policy => MALFORMED_POLICY,
        policy_document_merged_conditions => POLICY_DOCUMENT_MERGED_CONDITIONS,
        module_for_each => MODULE_FOR_EACH,
        inline_v3_plus_policy_resource => INLINE_V3_PLUS_POLICY_RESOURCE,
        key_vpce_deny => KEY_VPCE_DENY,
        key_default_policy => KEY_DEFAULT_POLICY,
        ownership_object_writer => OWNERSHIP_OBJECT_WRITER,
        acl_resource_log_delivery => ACL_RESOURCE_LOG_DELIVERY,
        ownership_missing => OWNERSHIP_MISSING,
    }
}

/// The plan text reports what the plan JSON does, or notes what it cannot tell.
mod plan_text_gives_the_codes_of_the_plan_json_or_says_why_not {
    tests! { check_text:
        vpc_only_deny => VPC_ONLY_DENY,
        vpc_only_deny_exempt => VPC_ONLY_DENY_EXEMPT,
        notprincipal_incomplete => NOTPRINCIPAL_INCOMPLETE,
        notprincipal_wildcard_session => NOTPRINCIPAL_WILDCARD_SESSION,
        ip_guard => IP_GUARD,
        tls_only => TLS_ONLY,
        malformed_policy => MALFORMED_POLICY,
        policy_document_merged_conditions => POLICY_DOCUMENT_MERGED_CONDITIONS,
        module_for_each => MODULE_FOR_EACH,
        inline_v3_plus_policy_resource => INLINE_V3_PLUS_POLICY_RESOURCE,
        key_vpce_deny => KEY_VPCE_DENY,
        key_default_policy => KEY_DEFAULT_POLICY,
        ownership_object_writer => OWNERSHIP_OBJECT_WRITER,
        acl_resource_log_delivery => ACL_RESOURCE_LOG_DELIVERY,
        ownership_missing => OWNERSHIP_MISSING,
    }
}

/// `cat plan.json | clumio-preflight` and `cat plan.txt | clumio-preflight`.
mod piped_plans_give_the_same_diagnostics_in_stdin {
    tests! { check_stdin:
        vpc_only_deny => VPC_ONLY_DENY,
        vpc_only_deny_exempt => VPC_ONLY_DENY_EXEMPT,
        notprincipal_incomplete => NOTPRINCIPAL_INCOMPLETE,
        notprincipal_wildcard_session => NOTPRINCIPAL_WILDCARD_SESSION,
        ip_guard => IP_GUARD,
        tls_only => TLS_ONLY,
        malformed_policy => MALFORMED_POLICY,
        policy_document_merged_conditions => POLICY_DOCUMENT_MERGED_CONDITIONS,
        module_for_each => MODULE_FOR_EACH,
        inline_v3_plus_policy_resource => INLINE_V3_PLUS_POLICY_RESOURCE,
        key_vpce_deny => KEY_VPCE_DENY,
        key_default_policy => KEY_DEFAULT_POLICY,
        ownership_object_writer => OWNERSHIP_OBJECT_WRITER,
        acl_resource_log_delivery => ACL_RESOURCE_LOG_DELIVERY,
        ownership_missing => OWNERSHIP_MISSING,
    }
}

/// The codes whose findings each scenario's mapping test checks.
const MAPPED: &[(&Case, &[&str])] = &[
    (&VPC_ONLY_DENY, &["CP101"]),
    (&NOTPRINCIPAL_INCOMPLETE, &["CP103"]),
    (&IP_GUARD, &["CP102"]),
    (&POLICY_DOCUMENT_MERGED_CONDITIONS, &["CP101"]),
    (&MODULE_FOR_EACH, &["CP101"]),
    (&INLINE_V3_PLUS_POLICY_RESOURCE, &["CP101", "CP106"]),
    (&NOTPRINCIPAL_WILDCARD_SESSION, &["CP104"]),
    (&MALFORMED_POLICY, &["CP901"]),
    (&OWNERSHIP_OBJECT_WRITER, &["CP301"]),
    (&ACL_RESOURCE_LOG_DELIVERY, &["CP303"]),
    (&KEY_VPCE_DENY, &["CP202"]),
    (&KEY_DEFAULT_POLICY, &["CP204"]),
    (&OWNERSHIP_MISSING, &["CP304"]),
];

fn check_mapped(case: &Case) {
    let codes = MAPPED
        .iter()
        .find(|(c, _)| c.name == case.name)
        .map(|(_, codes)| *codes)
        .unwrap_or_else(|| panic!("{} is not in MAPPED", case.name));
    check_mapping(case, codes);
}

/// With `--source-dir`, findings on statements and resources point at the `.tf` line.
mod findings_point_at_the_tf_line_with_source_dir {
    tests! { check_mapped:
        vpc_only_deny => VPC_ONLY_DENY,
        notprincipal_incomplete => NOTPRINCIPAL_INCOMPLETE,
        ip_guard => IP_GUARD,
        policy_document_merged_conditions => POLICY_DOCUMENT_MERGED_CONDITIONS,
        module_for_each => MODULE_FOR_EACH,
        inline_v3_plus_policy_resource => INLINE_V3_PLUS_POLICY_RESOURCE,
        key_vpce_deny => KEY_VPCE_DENY,
        key_default_policy => KEY_DEFAULT_POLICY,
        ownership_missing => OWNERSHIP_MISSING,
    }
}

#[test]
fn non_statement_findings_point_at_the_tf_line_of_the_sources() {
    for (case, code) in [
        (&NOTPRINCIPAL_WILDCARD_SESSION, "CP104"),
        (&MALFORMED_POLICY, "CP901"),
        (&OWNERSHIP_OBJECT_WRITER, "CP301"),
        (&ACL_RESOURCE_LOG_DELIVERY, "CP303"),
        (&INLINE_V3_PLUS_POLICY_RESOURCE, "CP106"),
    ] {
        check_mapping(case, &[code]);
    }
}

#[test]
fn every_plan_finding_the_sources_also_have_is_checked_for_its_tf_line_or_listed_as_not_yet() {
    // Keeps MAPPED and NOT_MAPPED_TO_THE_LINE honest. Findings only a plan has (CP205 and
    // CP902 of the text) have no line in the sources to compare with.
    for case in CASES {
        let sources = scan_sources(case.name);
        for file in ["plan.json", "plan.txt"] {
            for f in &scan_plan(case.name, file).found {
                let in_sources = sources
                    .found
                    .iter()
                    .any(|s| s.code == f.code && s.resource == f.resource);
                let mapped = MAPPED
                    .iter()
                    .any(|(c, codes)| c.name == case.name && codes.contains(&f.code.as_str()));
                assert!(
                    !in_sources || mapped || NOT_MAPPED_TO_THE_LINE.contains(&f.code.as_str()),
                    "{}: {file}: {} on {} is neither in MAPPED nor in NOT_MAPPED_TO_THE_LINE",
                    case.name,
                    f.code,
                    f.resource
                );
            }
        }
    }
}

#[test]
fn every_plan_folder_is_a_case() {
    let mut on_disk: Vec<String> = std::fs::read_dir(crate_root().join(PLANS))
        .expect("testdata/plan exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !NOT_SCENARIOS.contains(&n.as_str()))
        .collect();
    on_disk.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.name.to_string()).collect();
    cases.sort();
    assert_eq!(on_disk, cases);
    assert!(cases.len() >= 12);
    for name in &cases {
        assert!(
            crate_root().join(SOURCES).join(name).is_dir(),
            "{name} is not a Terraform scenario"
        );
    }
}

#[test]
fn vpc_only_deny_exempt_agrees_when_the_account_is_given() {
    let name = "vpc-only-deny-exempt";
    let mut args = scenario_args(name);
    args.extend(["--account-id".to_string(), "111122223333".to_string()]);
    let sources = scan(&args, &[format!("{SOURCES}/{name}")]);
    let json = scan(&args, &[plan_path(name, "plan.json")]);
    let text = scan(&args, &[plan_path(name, "plan.txt")]);
    for run in [&sources, &json, &text] {
        run.no_errors(name);
        assert_eq!(run.codes(), Vec::<String>::new(), "{run:#?}");
    }
}

#[test]
fn a_bucket_the_plan_creates_gets_no_cp304() {
    let name = "acl-resource-log-delivery";
    assert_eq!(scan_sources(name).with_code("CP304").len(), 1);
    for file in ["plan.json", "plan.txt"] {
        let run = scan_plan(name, file);
        assert!(run.with_code("CP304").is_empty(), "{file}: {run:#?}");
        // The bucket is there, linked to its ACL.
        assert_eq!(run.with_code("CP303").len(), 1, "{file}");
    }
    let json = scan_plan(name, "plan.json");
    assert!(
        json.with_code("CP303")[0]
            .message
            .contains("sets an ACL on aws_s3_bucket.data"),
        "{:?}",
        json.found
    );
}

#[test]
fn an_unchanged_bucket_without_ownership_setting_gets_cp304() {
    let json = scan_plan("ownership-missing", "plan.json");
    let d = json.with_code("CP304");
    assert_eq!(d.len(), 1, "{json:#?}");
    assert_eq!(d[0].resource, "aws_s3_bucket.data");
    assert!(d[0].message.contains("already exists"), "{}", d[0].message);
}

#[test]
fn module_findings_point_into_the_module_with_the_plan_location_related() {
    let name = "module-for-each";
    let mut args = scenario_args(name);
    args.extend(["--source-dir".to_string(), format!("{SOURCES}/{name}")]);
    let run = scan(&args, &[plan_path(name, "plan.json")]);
    run.no_errors(name);
    let mut found: Vec<(String, String, u64, String)> = run
        .with_code("CP101")
        .iter()
        .map(|d| {
            (
                d.resource.clone(),
                d.file.clone(),
                d.line,
                d.related
                    .iter()
                    .map(|r| format!("{}:{}", r.1, r.2))
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
        .collect();
    found.sort();
    let module_file = format!("{SOURCES}/{name}/modules/vpc-bucket/main.tf");
    let plan_file = plan_path(name, "plan.json");
    assert_eq!(
        found,
        [
            (
                "module.ingest[\"a\"].aws_s3_bucket_policy.this".to_string(),
                module_file.clone(),
                26,
                format!("{plan_file}:1")
            ),
            (
                "module.ingest[\"b\"].aws_s3_bucket_policy.this".to_string(),
                module_file,
                26,
                format!("{plan_file}:1")
            ),
        ]
    );
    // Each instance keeps its own place in the plan.
    let columns: Vec<u64> = run
        .with_code("CP101")
        .iter()
        .map(|d| d.related[0].3)
        .collect();
    assert_ne!(columns[0], columns[1]);
}

#[test]
fn source_dir_defaults_to_the_current_directory_holding_tf_files() {
    let name = "vpc-only-deny";
    let dir = crate_root().join(SOURCES).join(name);
    for file in ["plan.json", "plan.txt"] {
        let plain = scan_stdin(&crate_root(), &[], &read(&plan_path(name, file)));
        let run = scan_stdin(&dir, &[], &read(&plan_path(name, file)));
        run.no_errors(name);
        let d = run.with_code("CP101");
        assert_eq!(d.len(), 1, "{file}: {run:#?}");
        let at = Path::new(&d[0].file);
        assert_eq!(
            at.file_name().and_then(|f| f.to_str()),
            Some("main.tf"),
            "{file}: {d:?}"
        );
        assert_eq!(d[0].line, 10, "{file}: the statement of main.tf");
        let p = &plain.with_code("CP101")[0];
        assert_eq!(p.file, "<stdin>");
        assert!(
            d[0].related
                .iter()
                .any(|r| r.1 == "<stdin>" && r.2 == p.line && r.3 == p.column),
            "{file}: {:?}",
            d[0].related
        );
    }
}

#[test]
fn a_policy_known_after_apply_is_recovered_from_the_document_the_plan_read() {
    // `policy = data.aws_iam_policy_document.data.json`, unknown in `after`; the document is
    // in prior_state: it is checked, and the finding points into it.
    let name = "policy-from-configuration";
    let args = vec!["--account-id".to_string(), "111122223333".to_string()];
    let path = plan_path(name, "plan.json");
    let run = scan(&args, std::slice::from_ref(&path));
    run.no_errors(name);
    assert_eq!(
        as_expect(&run, "plan.json"),
        expected(name, "plan.json"),
        "{run:#?}"
    );
    let d = run.with_code("CP101");
    assert_eq!(d.len(), 1, "{run:#?}");
    assert!(
        d[0].message.contains("\"DenyReadsOutsideVpc\""),
        "{}",
        d[0].message
    );
    assert!(run.with_code("CP902").is_empty());
    let text = read(&path);
    let prior = text.find("\"prior_state\"").expect("prior_state") as u64;
    let config = text.find("\"configuration\"").expect("configuration") as u64;
    assert!(
        d[0].line == 1 && d[0].column > prior && d[0].column < config,
        "CP101 at column {} is not in prior_state ({prior}..{config})",
        d[0].column
    );
    // The same plan from the sources of policy-document-merged-conditions points at line 42.
    let mut mapped_args = args.clone();
    mapped_args.extend([
        "--source-dir".to_string(),
        format!("{SOURCES}/policy-document-merged-conditions"),
    ]);
    let mapped = scan(&mapped_args, &[path]);
    let m = mapped.with_code("CP101");
    assert_eq!(
        (m[0].file.as_str(), m[0].line),
        (
            "testdata/terraform/policy-document-merged-conditions/main.tf",
            42
        )
    );
}

#[test]
fn the_text_of_that_plan_cannot_recover_it_and_reports_cp902() {
    let name = "policy-from-configuration";
    let args = vec!["--account-id".to_string(), "111122223333".to_string()];
    let run = scan(&args, &[plan_path(name, "plan.txt")]);
    run.no_errors(name);
    assert_eq!(
        as_expect(&run, "plan.txt"),
        expected(name, "plan.txt"),
        "{run:#?}"
    );
    assert_eq!(run.codes(), ["CP902"]);
}

#[test]
fn a_policy_known_after_apply_that_no_document_gives_is_cp902_not_cp901() {
    // jsonencode({… Resource = [aws_s3_bucket.data.arn] }) for a bucket the plan creates: the
    // configuration lists the bucket's ARN among the references, which is not the policy.
    let name = "policy-unknown";
    for file in ["plan.json", "plan.txt"] {
        let run = scan(&[], &[plan_path(name, file)]);
        run.no_errors(name);
        assert_eq!(
            as_expect(&run, file),
            expected(name, file),
            "{file}: {run:#?}"
        );
        assert_eq!(run.codes(), ["CP902"], "{file}");
        assert!(
            run.found[0]
                .message
                .contains("aws_s3_bucket_policy.data.policy"),
            "{file}: {}",
            run.found[0].message
        );
    }
    let text = scan(&[], &[plan_path(name, "plan.txt")]);
    assert!(
        text.notes.iter().any(|n| n.contains(
            "which bucket or key aws_s3_bucket_ownership_controls.data.bucket names could not be told"
        )),
        "{:#?}",
        text.notes
    );
}

fn format_2_plan() -> String {
    read(&plan_path("vpc-only-deny", "plan.json")).replacen(
        "\"format_version\":\"1.2\"",
        "\"format_version\":\"2.0\"",
        1,
    )
}

#[test]
fn format_version_2_is_rejected_with_a_clear_message() {
    let text = format_2_plan();
    assert!(text.contains("\"format_version\":\"2.0\""));
    let dir = std::env::temp_dir().join(format!("clumio-plans-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("plan-2.0.json");
    std::fs::write(&file, &text).expect("write");
    let from_file = scan(&[], &[file.display().to_string()]);
    let piped = scan_stdin(&crate_root(), &[], &text);
    std::fs::remove_dir_all(&dir).ok();
    for run in [&from_file, &piped] {
        assert!(run.found.is_empty(), "{run:#?}");
        assert_eq!(run.errors.len(), 1, "{run:#?}");
        let message = run.errors[0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("plan format_version \"2.0\" is not supported")
                && message.contains("1.x"),
            "{message}"
        );
        assert_eq!(run.errors[0]["line"], 1);
    }
    assert_eq!(piped.errors[0]["file"], "<stdin>");
}

#[test]
fn format_version_2_alone_exits_with_status_2() {
    let piped = scan_stdin(&crate_root(), &[], &format_2_plan());
    assert_eq!(piped.status, 2, "{piped:#?}");
}

#[test]
fn both_front_ends_read_the_account_the_plan_ran_in() {
    let name = "vpc-only-deny-exempt";
    let mut sources = Sources::new();
    let json = sources.add("plan.json", read(&plan_path(name, "plan.json")));
    let text = sources.add("plan.txt", read(&plan_path(name, "plan.txt")));
    assert_eq!(
        load_plan(&sources, json, None).account_id.as_deref(),
        Some("111122223333")
    );
    assert_eq!(
        load_text_plan(&sources, text).account_id.as_deref(),
        Some("111122223333")
    );
    // A plan without the caller identity says nothing.
    let mut sources = Sources::new();
    let json = sources.add("plan.json", read(&plan_path("vpc-only-deny", "plan.json")));
    let text = sources.add("plan.txt", read(&plan_path("vpc-only-deny", "plan.txt")));
    assert_eq!(load_plan(&sources, json, None).account_id, None);
    assert_eq!(load_text_plan(&sources, text).account_id, None);
}

#[test]
fn unchanged_legacy_arguments_of_a_bucket_are_not_read_as_configuration() {
    // The bucket's state has the owner's ACL grant, AES256 default encryption and an empty
    // policy, none of which its configuration sets; the inline policy of
    // inline-v3-plus-policy-resource is set.
    let mut sources = Sources::new();
    let plain = sources.add("a.json", read(&plan_path("vpc-only-deny", "plan.json")));
    let inline = sources.add(
        "b.json",
        read(&plan_path("inline-v3-plus-policy-resource", "plan.json")),
    );
    let plan = load_plan(&sources, plain, None);
    let bucket = plan
        .resources
        .iter()
        .find(|r| r.address == "aws_s3_bucket.data")
        .expect("the bucket");
    assert_eq!(bucket.lifecycle, Lifecycle::Existing);
    for legacy in [
        "policy",
        "grant",
        "acl",
        "server_side_encryption_configuration",
    ] {
        assert!(bucket.attributes.get(legacy).is_none(), "{legacy}");
    }
    assert!(bucket.attributes.get("arn").is_some());
    let inv = inventory(&plan.resources, &sources);
    assert!(inv.acls.is_empty() && inv.encryptions.is_empty());
    assert_eq!(inv.policies.len(), 1);
    let plan = load_plan(&sources, inline, None);
    let bucket = plan
        .resources
        .iter()
        .find(|r| r.address == "aws_s3_bucket.data")
        .expect("the bucket");
    assert!(bucket.attributes.get("policy").is_some());
    assert_eq!(inventory(&plan.resources, &sources).policies.len(), 2);
}

#[test]
fn an_unknown_key_arn_in_a_nested_block_links_through_the_configuration() {
    // rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id is known after
    // apply; the configuration of that nested block says it is aws_kms_key.data.arn.
    let mut sources = Sources::new();
    let file = sources.add("plan.json", read(&plan_path("key-vpce-deny", "plan.json")));
    let plan = load_plan(&sources, file, None);
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let inv = inventory(&plan.resources, &sources);
    assert_eq!(inv.encryptions.len(), 1);
    let key = &inv.keys[0];
    assert_eq!(key.resource, "aws_kms_key.data");
    assert!(
        matches!(
            inv.encryptions[0].key,
            clumio_preflight::model::KeyRef::Key(0)
        ),
        "{:?}",
        inv.encryptions[0].key
    );
}

/// A plan of `n` resources that are not S3 or KMS, and the resources of vpc-only-deny.
fn large_plan(n: usize) -> String {
    let base: Value =
        serde_json::from_str(&read(&plan_path("vpc-only-deny", "plan.json"))).expect("JSON");
    let mut plan = base.clone();
    let instance = |i: usize| {
        serde_json::json!({
            "address": format!("aws_instance.app_{i}"),
            "mode": "managed",
            "type": "aws_instance",
            "name": format!("app_{i}"),
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 1,
            "values": {
                "ami": format!("ami-0abcdef{i:08}"),
                "instance_type": "t3.micro",
                "tags": {"Name": format!("app-{i}"), "Team": "platform"},
                "user_data": "#!/bin/bash\necho hello > /etc/motd\n",
                "vpc_security_group_ids": ["sg-0123456789abcdef0"],
                "root_block_device": [{"volume_size": 20, "volume_type": "gp3"}]
            },
            "sensitive_values": {"root_block_device": [{}], "tags": {}, "vpc_security_group_ids": [false]}
        })
    };
    let change = |i: usize| {
        let v = instance(i);
        serde_json::json!({
            "address": v["address"], "mode": "managed", "type": "aws_instance", "name": v["name"],
            "provider_name": v["provider_name"],
            "change": {"actions": ["create"], "before": null, "after": v["values"],
                       "after_unknown": {"arn": true, "id": true}, "before_sensitive": false,
                       "after_sensitive": v["sensitive_values"]}
        })
    };
    let config = |i: usize| {
        serde_json::json!({
            "address": format!("aws_instance.app_{i}"), "mode": "managed", "type": "aws_instance",
            "name": format!("app_{i}"), "provider_config_key": "aws",
            "expressions": {"ami": {"constant_value": format!("ami-0abcdef{i:08}")},
                            "instance_type": {"constant_value": "t3.micro"}},
            "schema_version": 1
        })
    };
    let push = |v: &mut Value, item: Value| v.as_array_mut().expect("array").push(item);
    for i in 0..n {
        push(
            &mut plan["planned_values"]["root_module"]["resources"],
            instance(i),
        );
        push(&mut plan["resource_changes"], change(i));
        push(
            &mut plan["configuration"]["root_module"]["resources"],
            config(i),
        );
    }
    serde_json::to_string(&plan).expect("JSON")
}

#[test]
fn a_plan_with_tens_of_thousands_of_other_resources_reads_only_the_relevant_ones() {
    let text = large_plan(30_000);
    assert!(text.len() > 20 << 20, "{} bytes", text.len());
    let mut sources = Sources::new();
    let file = sources.add("large.json", text);
    let started = std::time::Instant::now();
    let plan = load_plan(&sources, file, None);
    let elapsed = started.elapsed();
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let mut addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    addresses.sort();
    assert_eq!(
        addresses,
        [
            "aws_s3_bucket.data",
            "aws_s3_bucket_ownership_controls.data",
            "aws_s3_bucket_policy.data"
        ]
    );
    assert!(plan.resources.iter().all(|r| r.mode == Mode::Managed));
    let profile = Profile::new(&ProfileOptions::default()).expect("profile");
    let found = rules::run(
        &inventory(&plan.resources, &sources),
        &profile,
        &rules::Enabled::all(),
    );
    let codes: Vec<&str> = found.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["CP101"]);
    // A generous bound (unoptimised build, a loaded machine): reading 30,000 resources with
    // spans takes several times longer.
    assert!(
        elapsed < std::time::Duration::from_secs(20),
        "reading the plan took {elapsed:?}"
    );
}

#[test]
fn stderr_stays_empty_for_every_plan() {
    for case in CASES {
        for file in ["plan.json", "plan.txt"] {
            let run = scan_plan(case.name, file);
            assert!(
                run.stderr.is_empty(),
                "{}: {file}: {}",
                case.name,
                run.stderr
            );
        }
    }
}

#[test]
fn cp304_on_a_bucket_the_text_shows_updated_is_noted_as_resting_on_what_the_text_hides() {
    // The bucket is updated in place; its ownership controls, unchanged, are not shown.
    let run = scan(&[], &["testdata/plan/text/update_policy.txt".to_string()]);
    run.no_errors("update_policy.txt");
    assert_eq!(run.with_code("CP304")[0].resource, "aws_s3_bucket.data");
    let said = "CP304 on aws_s3_bucket.data (which the plan keeps) may only mean that the text \
                does not show its ownership controls";
    assert_eq!(
        run.notes.iter().filter(|n| n.contains(said)).count(),
        1,
        "{:#?}",
        run.notes
    );
    // Without hidden parts, the same is said on its own.
    let text = "Terraform will perform the following actions:\n\n  \
                # aws_s3_bucket.data will be updated in-place\n  \
                ~ resource \"aws_s3_bucket\" \"data\" {\n        \
                bucket = \"acme-data\"\n        id     = \"acme-data\"\n      \
                ~ tags   = {\n          + \"env\" = \"prod\"\n        }\n    }\n\n\
                Plan: 0 to add, 1 to change, 0 to destroy.\n";
    let piped = scan_stdin(&crate_root(), &[], text);
    piped.no_errors("inline text");
    assert_eq!(piped.codes(), ["CP304"]);
    assert!(
        piped.notes.iter().any(|n| n.contains(said)
            && n.starts_with(
                "<stdin>:4:5: the text of `terraform plan` shows only the resources a plan changes"
            )),
        "{:#?}",
        piped.notes
    );
}

#[test]
fn a_bucket_whose_update_hides_its_name_is_named_by_its_id() {
    // `bucket` is unchanged and hidden; `id`, always shown, is the bucket's name.
    let mut sources = Sources::new();
    let file = sources.add(
        "update_policy.txt",
        read("testdata/plan/text/update_policy.txt"),
    );
    let plan = load_text_plan(&sources, file);
    let bucket = plan
        .resources
        .iter()
        .find(|r| r.address == "aws_s3_bucket.data")
        .expect("the bucket");
    let name = bucket.attributes.get("bucket").and_then(|b| b.as_pstr());
    assert_eq!(name.and_then(|n| n.as_known()), Some("acme-data"));
    assert_eq!(
        sources.slice(bucket.attributes.get("bucket").unwrap().span),
        "\"acme-data\""
    );
}

#[test]
fn a_dash_reads_the_plan_from_stdin_like_a_pipe() {
    let name = "vpc-only-deny";
    for file in ["plan.json", "plan.txt"] {
        let text = read(&plan_path(name, file));
        let piped = scan_stdin(&crate_root(), &[], &text);
        let dashed = scan_stdin(&crate_root(), &["-".to_string()], &text);
        dashed.no_errors(file);
        assert_eq!(dashed.codes(), ["CP101"], "{file}");
        assert_eq!(dashed.found, piped.found, "{file}");
        assert_eq!(dashed.found[0].file, "<stdin>");
    }
}

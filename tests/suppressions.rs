//! Inline suppressions: Terraform comments (`# clumio-preflight:ignore CODE reason`, also
//! `//`, on the resource header's line or the line above; on the line above a statement),
//! CloudFormation `Metadata` entries; a suppression without a reason does not apply; one
//! that names no rule or suppresses nothing is a CP903 note; suppressed diagnostics leave
//! every format and are counted in the JSON summary.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fresh directory holding `files`.
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("suppressions-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn run(dir: &Path, format: &str, extra: &[&str]) -> (i32, String) {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(dir);
    for var in [
        "CLUMIO_PREFLIGHT_ACCOUNT_ID",
        "CLUMIO_PREFLIGHT_ROLE_ARN",
        "CLUMIO_PREFLIGHT_FAIL_ON",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(["--format", format])
        .args(extra)
        .arg(".")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn json(dir: &Path) -> Value {
    let (_, out) = run(dir, "json", &["--no-config"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// `CODE line` of each diagnostic.
fn found(doc: &Value) -> Vec<String> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["line"]))
        .collect()
}

fn messages(doc: &Value, code: &str) -> Vec<String> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

const BUCKET: &str = r#"resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}
"#;

fn ownership(value: &str, comment_above: &str, comment_trailing: &str) -> String {
    format!(
        r#"{BUCKET}
{comment_above}
resource "aws_s3_bucket_ownership_controls" "data" {{ {comment_trailing}
  bucket = aws_s3_bucket.data.id

  rule {{
    object_ownership = "{value}"
  }}
}}
"#
    )
}

#[test]
fn unsuppressed_baseline() {
    let dir = project(
        "baseline",
        &[("main.tf", &ownership("BucketOwnerPreferred", "", ""))],
    );
    let doc = json(&dir);
    assert_eq!(found(&doc), ["CP302 10"]);
    // The count is there when something was suppressed.
    assert_eq!(doc["summary"]["suppressed"], Value::Null);
}

#[test]
fn terraform_comment_above_the_resource_suppresses_inside_it() {
    let dir = project(
        "above",
        &[(
            "main.tf",
            &ownership(
                "BucketOwnerPreferred",
                "# clumio-preflight:ignore CP302 only this account writes to the bucket",
                "",
            ),
        )],
    );
    let doc = json(&dir);
    assert_eq!(found(&doc), Vec::<String>::new());
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert_eq!(doc["summary"]["warnings"], 0);
    // Gone from every format.
    for format in ["line", "github", "human"] {
        let (code, out) = run(&dir, format, &["--no-config"]);
        assert_eq!(code, 0);
        assert!(!out.contains("CP302"), "{format}: {out}");
    }
    let (_, sarif) = run(&dir, "sarif", &["--no-config"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"], Value::Array(Vec::new()));
    let (_, human) = run(&dir, "human", &["--no-config"]);
    assert!(human.contains("(1 suppressed)"), "{human}");
}

#[test]
fn terraform_trailing_comment_and_slash_comments_and_stacked_comments() {
    let trailing = ownership(
        "BucketOwnerPreferred",
        "",
        "// clumio-preflight:ignore CP302 -- legacy uploader, tracked in OPS-12",
    );
    let stacked = ownership(
        "BucketOwnerPreferred",
        "# clumio-preflight:ignore ownership-bucket-owner-preferred: legacy uploader\n# (more words about it)\n",
        "",
    );
    for (name, text) in [("trailing", trailing), ("stacked", stacked)] {
        let dir = project(name, &[("main.tf", &text)]);
        let doc = json(&dir);
        assert_eq!(found(&doc), Vec::<String>::new(), "{name}: {doc}");
        assert_eq!(doc["summary"]["suppressed"], 1, "{name}");
    }
}

#[test]
fn terraform_comment_above_a_statement_suppresses_that_statement_only() {
    let text = r#"resource "aws_s3_bucket" "data" {
  bucket = "acme-data-prod"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule { object_ownership = "BucketOwnerEnforced" }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      # clumio-preflight:ignore CP101 the VPC guard is lifted during backup windows
      {
        Sid       = "DenyOutsideVpc"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.data.arn}/*"
        Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" } }
      },
      {
        Sid       = "DenyOutsideVpce"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:ListBucket"
        Resource  = aws_s3_bucket.data.arn
        Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d" } }
      },
    ]
  })
}
"#;
    let dir = project("statement", &[("main.tf", text)]);
    let doc = json(&dir);
    assert_eq!(found(&doc), ["CP101 24"], "{doc}");
    assert!(messages(&doc, "CP101")[0].contains("DenyOutsideVpce"));
    assert_eq!(doc["summary"]["suppressed"], 1);
}

#[test]
fn a_suppression_without_a_reason_does_not_apply_and_is_reported() {
    let dir = project(
        "no-reason",
        &[(
            "main.tf",
            &ownership(
                "BucketOwnerPreferred",
                "# clumio-preflight:ignore CP302",
                "",
            ),
        )],
    );
    let doc = json(&dir);
    assert_eq!(found(&doc), ["CP903 5", "CP302 10"]);
    assert_eq!(doc["summary"]["suppressed"], Value::Null);
    let note = &doc["diagnostics"][0];
    assert_eq!(note["severity"], "note");
    assert_eq!(note["name"], "unused-suppression");
    assert_eq!(note["column"], 1);
    assert_eq!(note["resource"], "aws_s3_bucket_ownership_controls.data");
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .contains("has no reason, so it does not apply")
    );
    assert!(
        note["help"]
            .as_str()
            .unwrap()
            .contains("# clumio-preflight:ignore CP302 <why")
    );
}

#[test]
fn a_suppression_that_suppresses_nothing_is_reported() {
    let text = format!(
        "{}\n# clumio-preflight:ignore CP999 not a rule\n# clumio-preflight:ignore\n",
        ownership(
            "BucketOwnerEnforced",
            "# clumio-preflight:ignore CP302, CP303 fixed last quarter",
            ""
        )
    );
    let dir = project("unused", &[("main.tf", &text)]);
    let doc = json(&dir);
    assert_eq!(
        found(&doc),
        ["CP903 5", "CP903 5", "CP903 14", "CP903 15"],
        "{doc}"
    );
    let notes = messages(&doc, "CP903");
    assert!(
        notes[0].contains("suppression of CP302 suppresses nothing"),
        "{notes:?}"
    );
    assert!(
        notes[1].contains("suppression of CP303 suppresses nothing"),
        "{notes:?}"
    );
    assert!(notes[2].contains("`CP999` names no rule"), "{notes:?}");
    assert!(notes[3].contains("names no rule"), "{notes:?}");
    // Notes do not fail the run by default.
    let (code, _) = run(&dir, "line", &["--no-config"]);
    assert_eq!(code, 0);
}

#[test]
fn a_suppression_of_a_rule_turned_off_is_not_unused() {
    let dir = project(
        "off",
        &[
            (
                "main.tf",
                &ownership(
                    "BucketOwnerPreferred",
                    "# clumio-preflight:ignore CP302 accepted",
                    "",
                ),
            ),
            (".clumio-preflight.toml", "[rules]\nCP302 = \"off\"\n"),
        ],
    );
    let (_, out) = run(&dir, "json", &[]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(found(&doc), Vec::<String>::new(), "{doc}");
    // CP903 itself can be set like any rule.
    let dir = project(
        "cp903-error",
        &[
            (
                "main.tf",
                &ownership(
                    "BucketOwnerEnforced",
                    "# clumio-preflight:ignore CP302 stale",
                    "",
                ),
            ),
            (".clumio-preflight.toml", "[rules]\nCP903 = \"error\"\n"),
        ],
    );
    let (code, out) = run(&dir, "line", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(": error: suppression of CP302 suppresses nothing"),
        "{out}"
    );
}

const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Metadata:
      clumio-preflight:
        ignore:
          - code: CP302
            reason: only this account writes to the bucket
    Properties:
      BucketName: acme-data
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerPreferred
  LogsBucket:
    Type: AWS::S3::Bucket
    Metadata:
      clumio-preflight:
        ignore:
          - code: CP301
    Properties:
      BucketName: acme-logs
      OwnershipControls:
        Rules:
          - ObjectOwnership: ObjectWriter
  OtherBucket:
    Type: AWS::S3::Bucket
    Metadata:
      clumio-preflight:
        ignore: [{ code: CP302, reason: "left over" }]
    Properties:
      BucketName: acme-other
      OwnershipControls:
        Rules:
          - ObjectOwnership: BucketOwnerEnforced
"#;

#[test]
fn cloudformation_metadata_suppresses_with_a_reason() {
    let dir = project("cfn", &[("template.yaml", TEMPLATE)]);
    let doc = json(&dir);
    assert_eq!(found(&doc), ["CP903 20", "CP301 25", "CP903 30"], "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 1);
    let notes = messages(&doc, "CP903");
    assert!(notes[0].contains("CP301 has no reason"), "{notes:?}");
    assert!(notes[1].contains("CP302 suppresses nothing"), "{notes:?}");
    let help = doc["diagnostics"][0]["help"].as_str().unwrap();
    assert!(help.contains("reason:"), "{help}");
    assert_eq!(doc["diagnostics"][0]["resource"], "LogsBucket");
}

#[test]
fn cloudformation_json_metadata_and_malformed_entries() {
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "DataBucket": {
      "Type": "AWS::S3::Bucket",
      "Metadata": { "clumio-preflight": { "ignore": [ { "code": "CP302", "reason": "accepted" } ] } },
      "Properties": {
        "BucketName": "acme-data",
        "OwnershipControls": { "Rules": [ { "ObjectOwnership": "BucketOwnerPreferred" } ] }
      }
    },
    "Other": {
      "Type": "AWS::S3::Bucket",
      "Metadata": { "clumio-preflight": { "ignore": [ { "rule": "CP302" } ] } },
      "Properties": {
        "BucketName": "acme-other",
        "OwnershipControls": { "Rules": [ { "ObjectOwnership": "BucketOwnerEnforced" } ] }
      }
    }
  }
}
"#;
    let dir = project("cfn-json", &[("template.json", template)]);
    let doc = json(&dir);
    assert_eq!(found(&doc), ["CP903 14"], "{doc}");
    assert!(messages(&doc, "CP903")[0].contains("unknown key `rule`"));
    assert_eq!(doc["summary"]["suppressed"], 1);
}

#[test]
fn a_suppression_in_a_module_covers_every_instance() {
    let dir = project("module", &[]);
    std::fs::create_dir_all(dir.join("modules/bucket")).unwrap();
    std::fs::write(
        dir.join("modules/bucket/main.tf"),
        format!(
            "variable \"name\" {{}}\n{}",
            ownership(
                "BucketOwnerPreferred",
                "# clumio-preflight:ignore CP302 the module's buckets get only our uploads",
                ""
            )
            .replace("\"acme-data-prod\"", "var.name")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("main.tf"),
        r#"module "logs" {
  source   = "./modules/bucket"
  for_each = toset(["a", "b"])
  name     = "logs-${each.key}"
}

module "data" {
  source = "./modules/bucket"
  name   = "data"
}
"#,
    )
    .unwrap();
    let doc = json(&dir);
    assert_eq!(found(&doc), Vec::<String>::new(), "{doc}");
    assert_eq!(doc["summary"]["suppressed"], 3);
}

#[test]
fn a_stale_suppression_inside_a_block_names_the_resource_that_holds_it() {
    // The comment sits above `object_ownership`, inside `rule {}`, and suppresses nothing
    // (the setting is BucketOwnerEnforced): the note names the enclosing resource.
    let text = ownership("BucketOwnerEnforced", "", "").replace(
        "    object_ownership",
        "    # clumio-preflight:ignore CP302 legacy ACLs (TICKET-1)\n    object_ownership",
    );
    let dir = project("inside-block", &[("main.tf", &text)]);
    let doc = json(&dir);
    assert_eq!(found(&doc), ["CP903 10"], "{doc}");
    assert_eq!(
        doc["diagnostics"][0]["resource"],
        "aws_s3_bucket_ownership_controls.data"
    );
}

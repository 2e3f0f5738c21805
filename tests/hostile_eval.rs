//! Hostile inputs for the evaluators (issue 10, evaluation side). Each test builds one class
//! of input in a temporary folder, runs the built binary in every output format inside a
//! child shell with an address-space limit, and checks the safe behaviour:
//! - no panic, no abort, no out-of-memory: the run ends with the expected exit status;
//! - a limit that is hit is an error ("evaluation limit: …") printed in every format, located
//!   (`file:line:col`), and the exit status is that of an input that could not be read;
//! - the certain finding elsewhere in the same input is still reported;
//! - time: each run under [`TIME_LIMIT`] (10 s for the release binary);
//! - memory: `ulimit -v` of [`MEMORY_LIMIT_KIB`] (1 GiB, the documented bound). The binary's
//!   own baseline address space (code, thread stacks, mimalloc's arenas, which it reserves
//!   lazily) is under 40 MiB (it runs a check under `ulimit -v 40960`, see
//!   `the_address_space_limit_leaves_room_for_a_normal_run`), so the limit checks that the
//!   work itself stays within about 1 GiB; an allocation beyond it fails and the process
//!   aborts, which the exit-status check catches.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The documented memory bound, as an address-space limit in KiB.
const MEMORY_LIMIT_KIB: u64 = 1 << 20;
/// The documented time bound for inputs under 1 MB (release binary). The debug binary the
/// tests usually run is several times slower and shares the machine with the other tests,
/// so it gets four times as long; that still fails on anything quadratic here (minutes).
const TIME_LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 40 } else { 10 });
/// Every output format.
const FORMATS: &[&str] = &["human", "json", "sarif", "github", "line"];

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_clumio-preflight"))
}

/// A fresh folder holding `files` (name, content).
fn folder(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hostile-eval-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write input");
    }
    dir
}

/// One run: exit status (`None`: killed by a signal), standard output and error.
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary on `target` in `format` with the address-space limit, checking the
/// time bound.
fn run_limited(target: &Path, format: &str, limit_kib: u64) -> Run {
    let started = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {limit_kib}; exec \"$0\" \"$@\""))
        .arg(bin())
        .args(["--format", format, "--color", "never"])
        .arg(target)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run the binary");
    let took = started.elapsed();
    assert!(
        took < TIME_LIMIT,
        "{} --format {format} took {took:?}",
        target.display()
    );
    Run {
        status: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs every format; checks the exit status is `status` in each and returns the JSON
/// report and the other formats' text.
fn run_all(target: &Path, status: i32) -> (Value, Vec<(&'static str, String)>) {
    let mut json = Value::Null;
    let mut texts = Vec::new();
    for &format in FORMATS {
        let run = run_limited(target, format, MEMORY_LIMIT_KIB);
        assert_eq!(
            run.status,
            Some(status),
            "{} --format {format}: exit status (stderr: {})",
            target.display(),
            run.stderr
        );
        assert!(
            !run.stderr.contains("panicked"),
            "{}: {}",
            target.display(),
            run.stderr
        );
        if format == "json" {
            json = serde_json::from_str(&run.stdout).expect("the JSON report parses");
        }
        texts.push((format, run.stdout));
    }
    (json, texts)
}

/// The codes of the JSON report's diagnostics.
fn codes(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The JSON report's errors that are limits hit, each as `file:line:col message`.
fn limit_errors(json: &Value) -> Vec<String> {
    json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("evaluation limit: "))
        })
        .map(|e| {
            format!(
                "{}:{}:{} {}",
                e["file"].as_str().unwrap_or_default(),
                e["line"],
                e["column"],
                e["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// The limit error `needle` is in the JSON report, located on `line` of `file`, and every
/// other format prints it.
fn assert_limit_everywhere(
    json: &Value,
    texts: &[(&str, String)],
    file: &str,
    line: u64,
    needle: &str,
) {
    let errors = limit_errors(json);
    let found = json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["message"].as_str().is_some_and(|m| m.contains(needle)));
    let Some(found) = found else {
        panic!("no limit error containing {needle:?}: {errors:#?}\n{json:#}");
    };
    assert!(
        found["file"].as_str().is_some_and(|f| f.ends_with(file)),
        "{found}"
    );
    assert_eq!(found["line"].as_u64(), Some(line), "{found}");
    assert!(found["column"].as_u64().is_some(), "{found}");
    for (format, text) in texts {
        // The human report may wrap long messages; the start of the message is on one line.
        assert!(
            text.contains("evaluation limit") && text.contains(&needle[..needle.len().min(20)]),
            "--format {format} does not print the limit error {needle:?}:\n{text}"
        );
    }
}

/// A bucket with a bucket policy whose Deny certainly blocks backups (CP101 on the `Sid`
/// line), and `extra` (HCL) before it.
fn with_certain_deny(extra: &str, sid: &str) -> String {
    format!(
        r#"{extra}
resource "aws_s3_bucket" "b" {{
  bucket = "b"
}}
resource "aws_s3_bucket_ownership_controls" "b" {{
  bucket = aws_s3_bucket.b.id
  rule {{ object_ownership = "BucketOwnerEnforced" }}
}}
resource "aws_s3_bucket_policy" "p" {{
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Sid       = {sid}
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.b.arn, "${{aws_s3_bucket.b.arn}}/*"]
    }}]
  }})
}}
"#
    )
}

#[test]
fn the_address_space_limit_leaves_room_for_a_normal_run() {
    let dir = folder(
        "baseline",
        &[("main.tf", with_certain_deny("", "\"DenyEveryone\""))],
    );
    // The debug binary the tests run needs 26–27 MiB on its own (its code is mapped whole);
    // 32 MiB left too little room for a thread that starts late, and failed now and then
    // while the other tests ran.
    let run = run_limited(&dir, "json", 40 << 10);
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(codes(&json), ["CP101"]);
}

// ----- the CP202 panic: statement indices ---------------------------------------------------

/// A key policy whose statement list has an unknown element before a Deny, and an encrypted
/// bucket: CP202 names the Deny (not the statement after it) and nothing panics.
#[test]
fn an_unknown_statement_before_a_key_deny_terraform() {
    let tf = r#"variable "extra" {}
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [var.extra, {
      Sid       = "DenyAll"
      Effect    = "Deny"
      Principal = "*"
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_s3_bucket_server_side_encryption_configuration" "e" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
  }
}
"#;
    // A typo that makes a statement's key an expression is the same shape.
    let typo = tf.replace(
        "Statement = [var.extra, {",
        "Statement = [{ (var.extra) = 1 }, {",
    );
    for (name, text) in [("unknown-statement-tf", tf.to_string()), ("typo-tf", typo)] {
        let dir = folder(name, &[("main.tf", text)]);
        let (json, _) = run_all(&dir, 1);
        let cp202: Vec<&Value> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "CP202")
            .collect();
        assert_eq!(cp202.len(), 1, "{name}: {json:#}");
        assert_eq!(cp202[0]["line"], 5, "{name}: the Deny's line");
        assert!(
            cp202[0]["message"]
                .as_str()
                .unwrap()
                .contains("\"DenyAll\""),
            "{name}: {}",
            cp202[0]["message"]
        );
    }
}

#[test]
fn an_unknown_statement_before_a_key_deny_cloudformation() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Fn::Transform: {Name: AWS::Include, Parameters: {Location: "s3://bucket/statement.yaml"}}
          - Sid: DenyAll
            Effect: Deny
            Principal: "*"
            Action: "kms:*"
            Resource: "*"
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerEnforced}]
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
"#;
    let dir = folder(
        "unknown-statement-cfn",
        &[("template.yaml", template.into())],
    );
    let (json, _) = run_all(&dir.join("template.yaml"), 1);
    let cp202: Vec<&Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "CP202")
        .collect();
    assert_eq!(cp202.len(), 1, "{json:#}");
    assert_eq!(cp202[0]["line"], 10);
    assert!(
        cp202[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"DenyAll\"")
    );
}

// ----- nothing hidden ---------------------------------------------------------------------------

/// A chain of 600 locals (Terraform accepts any length) evaluates: the certain CP101 whose
/// `Sid` comes through the chain stays a CP101, not a CP902 note.
#[test]
fn a_long_chain_of_locals_evaluates() {
    let n = 600;
    let mut locals = String::from("locals {\n  l0 = \"DenyEveryone\"\n");
    for i in 1..n {
        locals.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    locals.push_str("}\n");
    let sid = format!("local.l{}", n - 1);
    let dir = folder(
        "locals-chain",
        &[("main.tf", with_certain_deny(&locals, &sid))],
    );
    let (json, _) = run_all(&dir, 1);
    assert_eq!(codes(&json), ["CP101"], "{json:#}");
    assert!(limit_errors(&json).is_empty(), "{json:#}");
    assert!(
        json["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"DenyEveryone\"")
    );
}

/// `Fn::ForEach` loops that generate more than the budget: an error at the loop, and the
/// ObjectWriter bucket after them is still checked (it used to vanish with a note: exit 0).
#[test]
fn a_foreach_product_over_the_budget_is_an_error_and_hides_nothing() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::A:
    - a
    - [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9]
    - Fn::ForEach::B:
        - b
        - [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9]
        - Fn::ForEach::C:
            - c
            - [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9]
            - Fn::ForEach::D:
                - d
                - [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9]
                - Fn::ForEach::E:
                    - e
                    - [e0, e1, e2, e3, e4, e5, e6, e7, e8, e9]
                    - Fn::ForEach::F:
                        - f
                        - [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9]
                        - "T${a}${b}${c}${d}${e}${f}":
                            Type: AWS::SNS::Topic
  Data:
    Type: AWS::S3::Bucket
    Properties:
      OwnershipControls:
        Rules:
          - ObjectOwnership: ObjectWriter
"#
    .to_string();
    let dir = folder("foreach-product", &[("template.yaml", template)]);
    let (json, texts) = run_all(&dir.join("template.yaml"), 2);
    assert_eq!(codes(&json), ["CP301"], "{json:#}");
    assert_limit_everywhere(
        &json,
        &texts,
        "template.yaml",
        4,
        "Fn::ForEach::A generates more than",
    );
}

// ----- bounded work -------------------------------------------------------------------------------

/// 400 bytes of chained `replace()` would build 8^12 bytes: refused before allocating, with
/// a located error; the policy's CP101 is still reported.
#[test]
fn chained_replace_is_refused_before_allocating() {
    let mut bomb = String::from("\"a\"");
    for _ in 0..12 {
        bomb = format!("replace({bomb}, \"a\", \"aaaaaaaa\")");
    }
    let extra = format!(
        "locals {{\n  bomb = {bomb}\n}}\nresource \"aws_s3_bucket\" \"other\" {{\n  bucket = \"other\"\n  tags = {{ big = local.bomb }}\n}}\n"
    );
    let dir = folder(
        "replace",
        &[("main.tf", with_certain_deny(&extra, "\"DenyEveryone\""))],
    );
    let (json, texts) = run_all(&dir, 2);
    assert!(codes(&json).contains(&"CP101".to_string()), "{json:#}");
    assert_limit_everywhere(
        &json,
        &texts,
        "main.tf",
        2,
        "replace() would build a value of",
    );
}

/// Templates that double a string 40 times: refused once a value would pass the size limit.
#[test]
fn doubling_templates_stop_at_the_value_size_limit() {
    let mut locals = String::from("locals {\n  d0 = \"0123456789abcdef\"\n");
    for i in 1..40 {
        locals.push_str(&format!(
            "  d{i} = \"${{local.d{0}}}${{local.d{0}}}\"\n",
            i - 1
        ));
    }
    locals.push_str("}\nresource \"aws_s3_bucket\" \"other\" {\n  bucket = \"other\"\n  tags = { big = local.d39 }\n}\n");
    let dir = folder(
        "doubling",
        &[("main.tf", with_certain_deny(&locals, "\"DenyEveryone\""))],
    );
    let (json, texts) = run_all(&dir, 2);
    assert!(codes(&json).contains(&"CP101".to_string()), "{json:#}");
    // d19 is 8 MiB: the first value over the 4 MiB limit.
    assert_limit_everywhere(
        &json,
        &texts,
        "main.tf",
        21,
        "a template would build a value of",
    );
}

/// `distinct`, `toset` and a for-expression map over 65,536 distinct keys (each quadratic
/// before: minutes).
#[test]
fn distinct_toset_and_for_maps_are_linear() {
    let mut locals = format!("locals {{\n  s0 = \"{}\"\n", "x".repeat(64));
    for i in 1..=10 {
        locals.push_str(&format!(
            "  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"\n",
            i - 1
        ));
    }
    locals.push_str(
        "  many = [for i, c in split(\"\", local.s10) : i]\n  set = toset(local.many)\n  dis = distinct(local.many)\n  map = {for i, c in split(\"\", local.s10) : i => c}\n}\nresource \"aws_s3_bucket\" \"other\" {\n  bucket = \"other\"\n  tags = { n = length(local.set), m = length(local.dis), k = length(local.map) }\n}\n",
    );
    let dir = folder(
        "distinct",
        &[("main.tf", with_certain_deny(&locals, "\"DenyEveryone\""))],
    );
    let (json, _) = run_all(&dir, 1);
    assert!(codes(&json).contains(&"CP101".to_string()), "{json:#}");
    assert!(limit_errors(&json).is_empty(), "{json:#}");
}

/// A cycle of 600 locals ends as an unknown (no deep recursion, no crash), and the certain
/// finding beside it is reported.
#[test]
fn a_long_cycle_of_locals_ends_as_an_unknown() {
    let n = 600;
    let mut locals = format!("locals {{\n  l0 = local.l{}\n", n - 1);
    for i in 1..n {
        locals.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    locals.push_str("}\nresource \"aws_s3_bucket\" \"other\" {\n  bucket = local.l300\n}\n");
    let dir = folder(
        "locals-cycle",
        &[("main.tf", with_certain_deny(&locals, "\"DenyEveryone\""))],
    );
    let (json, _) = run_all(&dir, 1);
    assert!(codes(&json).contains(&"CP101".to_string()), "{json:#}");
}

/// A mapping of 3,000 list items copied by 400 `Fn::FindInMap`s: the copies are charged by
/// what they hold (they were charged by their source length, 3 bytes a node: a 210 KB
/// template took more than 4 GB), so the budget stops it with a located error.
#[test]
fn find_in_map_copies_are_charged_by_size() {
    let items = vec!["a"; 3000].join(", ");
    let refs: String = (0..400)
        .map(|_| "        - !FindInMap [M, a, b]\n")
        .collect();
    let template = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMappings:\n  M:\n    a:\n      b: [{items}]\nResources:\n  Filler:\n    Type: AWS::S3::Bucket\n    Properties:\n      OwnershipControls:\n        Rules:\n          - ObjectOwnership: ObjectWriter\n      Tags:\n{refs}"
    );
    let dir = folder("find-in-map", &[("template.yaml", template)]);
    let (json, texts) = run_all(&dir.join("template.yaml"), 2);
    assert_limit_everywhere(
        &json,
        &texts,
        "template.yaml",
        346,
        "the template expands to more values than are resolved",
    );
}

/// A string of 32,768 unknowns copied 2,000 times: copies are charged per hole, not per
/// string (they were charged one step each: 5 GB). The budget runs out before the bucket
/// policy is evaluated, so its CP101 is not found: the limit error (exit 2) says so.
#[test]
fn strings_of_many_unknowns_are_charged_per_unknown() {
    let mut locals = String::from("variable \"x\" {}\nlocals {\n  d0 = \"${var.x}\"\n");
    for i in 1..16 {
        locals.push_str(&format!(
            "  d{i} = \"${{local.d{0}}}-${{local.d{0}}}\"\n",
            i - 1
        ));
    }
    locals.push_str(&format!(
        "  copies = [for c in split(\"\", \"{}\") : local.d15]\n}}\nresource \"aws_s3_bucket\" \"hog\" {{\n  bucket = \"hog\"\n  tags = {{ n = length(local.copies) }}\n}}\n",
        "y".repeat(2000)
    ));
    let dir = folder(
        "holes",
        &[("main.tf", with_certain_deny(&locals, "\"DenyEveryone\""))],
    );
    let (json, texts) = run_all(&dir, 2);
    assert_limit_everywhere(&json, &texts, "main.tf", 18, "used up its budget of");
}

/// A bucket whose properties the budget did not reach has an unknown ownership setting
/// (CP902, naming the limit), never "no setting" (CP304): the limit must not turn into a
/// note that the bucket is merely unconfigured.
#[test]
fn a_bucket_starved_by_the_budget_has_an_unknown_setting_not_none() {
    let items = vec!["a"; 3000].join(", ");
    let refs: String = (0..400)
        .map(|_| "        - !FindInMap [M, a, b]\n")
        .collect();
    let template = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMappings:\n  M:\n    a:\n      b: [{items}]\nResources:\n  Filler:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n{refs}  Later:\n    Type: AWS::S3::Bucket\n    Properties:\n      OwnershipControls:\n        Rules:\n          - ObjectOwnership: ObjectWriter\n"
    );
    let dir = folder("starved-bucket", &[("template.yaml", template)]);
    let (json, _texts) = run_all(&dir.join("template.yaml"), 2);
    let later: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["resource"] == "Later")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(later, ["CP902"], "{json:#}");
    assert!(!limit_errors(&json).is_empty(), "{json:#}");
}

//! Findings a team can act on: the human report lists errors, then warnings, then notes
//! (collapsed unless asked for); `--min-severity` in every format; rule selection on the
//! command line; baselines that survive line shifts; the Markdown report, whose
//! file-derived text cannot inject markup.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the target's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("triage-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the binary in `dir` with no configuration from the environment.
fn run(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("CLUMIO_PREFLIGHT_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    let out = cmd.args(args).output().expect("run the binary");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// Three scenarios with an error (CP101), warnings (CP102, CP303) and notes (CP304), whose
/// files sort in the opposite order of their severities.
const MIXED: [&str; 3] = [
    "testdata/terraform/acl-resource-log-delivery",
    "testdata/terraform/ip-guard",
    "testdata/terraform/vpc-only-deny",
];

fn codes(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// The severity markers of the human report's findings, in order.
fn markers(human: &str) -> String {
    human
        .lines()
        .filter_map(|l| match l.trim_start().chars().next() {
            Some('×') => Some('E'),
            Some('⚠') => Some('W'),
            Some('☞') => Some('N'),
            _ => None,
        })
        .collect()
}

#[test]
fn human_lists_errors_then_warnings_then_collapsed_notes_then_the_summary() {
    let mut args = vec!["--color", "never"];
    args.extend(MIXED);
    let out = run(&crate_root(), &args);
    assert_eq!(out.status, 1);
    assert_eq!(markers(&out.stdout), "EWW", "{}", out.stdout);
    let error = out.stdout.find("CP101").unwrap();
    let warning = out.stdout.find("CP102").unwrap();
    let note = out
        .stdout
        .find("note: 1 × CP304 ownership-unknown")
        .unwrap();
    assert!(error < warning && warning < note, "{}", out.stdout);
    assert!(
        out.stdout.contains("--show-notes lists it"),
        "{}",
        out.stdout
    );
    let last = out.stdout.trim_end().lines().last().unwrap();
    assert_eq!(last, "1 error, 2 warnings, 1 note in 3 files");
    // Within a severity: by file, then line.
    let acl = out
        .stdout
        .find("acl-resource-log-delivery/main.tf:8")
        .unwrap();
    let ip = out.stdout.find("ip-guard/main.tf").unwrap();
    assert!(warning > acl && acl < ip, "{}", out.stdout);
}

#[test]
fn show_notes_and_min_severity_note_expand_the_notes() {
    for flag in [["--show-notes", "--color"], ["--min-severity", "note"]] {
        let mut args = vec!["--color", "never"];
        args.extend(flag.iter().filter(|f| **f != "--color"));
        args.extend(MIXED);
        let out = run(&crate_root(), &args);
        assert_eq!(markers(&out.stdout), "EWWN", "{flag:?}: {}", out.stdout);
        assert!(!out.stdout.contains("note: 1 ×"), "{}", out.stdout);
    }
}

#[test]
fn min_severity_applies_to_every_format_and_the_summary_says_what_it_left_out() {
    let mut args = vec!["--format", "json", "--min-severity", "warning"];
    args.extend(MIXED);
    let json = run(&crate_root(), &args).json();
    assert_eq!(codes(&json), ["CP303", "CP102", "CP101"]);
    assert_eq!(json["summary"]["notes"], 0);
    assert_eq!(json["summary"]["min_severity"], "warning");
    assert_eq!(json["summary"]["below_min_severity"], 1);

    let mut args = vec!["--format", "line", "--min-severity", "error"];
    args.extend(MIXED);
    let out = run(&crate_root(), &args);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains("error: "), "{}", out.stdout);
    assert_eq!(
        out.stderr.trim(),
        "1 error, 0 warnings, 0 notes in 3 files; 2 warnings and 1 note below --min-severity error not shown"
    );

    // Below the minimum does not fail the run.
    let mut args = vec![
        "--format",
        "sarif",
        "--min-severity",
        "error",
        "--fail-on",
        "warning",
    ];
    args.extend(&MIXED[..2]);
    let out = run(&crate_root(), &args);
    assert_eq!(out.status, 0);
    assert!(!out.stdout.contains("\"ruleId\""), "{}", out.stdout);
}

#[test]
fn line_format_prints_run_notes_and_the_summary_on_stderr() {
    let plan = "testdata/plan/vpc-only-deny/plan.txt";
    let out = run(&crate_root(), &["--format", "line", plan]);
    for line in out.stdout.lines() {
        assert!(
            line.contains(": error: ") || line.contains(": warning: ") || line.contains(": note: "),
            "{line}"
        );
    }
    assert!(out.stderr.trim_end().ends_with(" files") || out.stderr.contains(" file"));
    assert!(
        out.stderr.lines().last().unwrap().contains("error"),
        "{}",
        out.stderr
    );
}

#[test]
fn rules_are_selected_on_the_command_line_over_the_configuration() {
    let dir = temp_dir("select");
    for scenario in MIXED {
        let name = Path::new(scenario).file_name().unwrap();
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::copy(
            crate_root().join(scenario).join("main.tf"),
            dir.join(name).join("main.tf"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join(".clumio-preflight.toml"),
        "[rules]\nCP304 = \"off\"\nCP303 = \"error\"\n",
    )
    .unwrap();
    let base = ["--format", "json", "."];
    let severity_of = |json: &Value, code: &str| -> Vec<String> {
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["severity"].as_str().unwrap().to_string())
            .collect()
    };
    let json = run(&dir, &base).json();
    assert!(severity_of(&json, "CP304").is_empty());
    assert_eq!(severity_of(&json, "CP303"), ["error"]);

    let json = run(
        &dir,
        &[&base[..], &["--enable", "CP304", "--disable", "cp102"]].concat(),
    )
    .json();
    assert_eq!(severity_of(&json, "CP304"), ["note"]);
    assert!(severity_of(&json, "CP102").is_empty());
    assert_eq!(
        severity_of(&json, "CP303"),
        ["error"],
        "enable keeps other levels"
    );

    let json = run(
        &dir,
        &[
            &base[..],
            &["--rule", "CP303=note", "--rule", "ownership-unknown=error"],
        ]
        .concat(),
    )
    .json();
    assert_eq!(severity_of(&json, "CP303"), ["note"]);
    assert_eq!(severity_of(&json, "CP304"), ["error"]);

    for bad in [
        ["--disable", "CP999"],
        ["--enable", "nope"],
        ["--rule", "CP101"],
        ["--rule", "CP101=loud"],
    ] {
        let out = run(&dir, &[&base[..], &bad].concat());
        assert_eq!(out.status, 2, "{bad:?}");
        assert!(out.stdout.is_empty(), "{bad:?}");
        assert!(out.stderr.contains(bad[1]), "{bad:?}: {}", out.stderr);
    }
    let out = run(&dir, &[&base[..], &["--disable", "CP999"]].concat());
    assert!(out.stderr.contains("CP101, CP102"), "{}", out.stderr);
}

const BUCKETS: &str = r#"resource "aws_s3_bucket" "one" {
  bucket = "acme-one"
}

resource "aws_s3_bucket_policy" "one" {
  bucket = aws_s3_bucket.one.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyOutsideVpc"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.one.arn, "${aws_s3_bucket.one.arn}/*"]
      Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-0a1b2c3d" } }
    }]
  })
}

resource "aws_s3_bucket_ownership_controls" "one" {
  bucket = aws_s3_bucket.one.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket" "two" {
  bucket = "acme-two"
}

resource "aws_s3_bucket_ownership_controls" "two" {
  bucket = aws_s3_bucket.two.id
  rule {
    object_ownership = "ObjectWriter"
  }
}
"#;

const THREE: &str = r#"
resource "aws_s3_bucket" "three" {
  bucket = "acme-three"
}

resource "aws_s3_bucket_ownership_controls" "three" {
  bucket = aws_s3_bucket.three.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}
"#;

#[test]
fn baseline_round_trip_survives_line_shifts_and_counts_stale_entries() {
    let dir = temp_dir("baseline");
    std::fs::write(dir.join("main.tf"), BUCKETS).unwrap();
    // Another file, whose findings stay as they are.
    std::fs::copy(
        crate_root().join("testdata/terraform/ip-guard/main.tf"),
        dir.join("other.tf"),
    )
    .unwrap();
    let first = run(
        &dir,
        &["--format", "json", "--write-baseline", "baseline.json", "."],
    );
    assert_eq!(
        first.status, 0,
        "writing a baseline accepts today's findings"
    );
    let recorded = codes(&first.json());
    assert!(recorded.contains(&"CP101".to_string()) && recorded.contains(&"CP301".to_string()));
    assert!(
        first
            .stderr
            .contains(&format!("wrote {} findings", recorded.len()))
    );
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    let entries = baseline["findings"].as_array().unwrap();
    assert_eq!(entries.len(), recorded.len());
    // The fingerprints are SARIF's.
    let sarif = run(&dir, &["--format", "sarif", "."]).json();
    let sarif_prints: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["clumioPreflight/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    let baseline_prints: Vec<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(sarif_prints, baseline_prints);

    // Unchanged: nothing new, nothing stale.
    let same = run(
        &dir,
        &["--format", "json", "--baseline", "baseline.json", "."],
    );
    assert_eq!(same.status, 0);
    let json = same.json();
    assert!(codes(&json).is_empty(), "{json}");
    assert_eq!(json["summary"]["baselined"], recorded.len());
    assert_eq!(json["summary"]["stale_baseline_entries"], 0);

    // Lines inserted above every finding, bucket two fixed, bucket three added.
    let edited = format!(
        "# Buckets of the ingest pipeline.\n# Owned by the data team.\n\n{}{THREE}",
        BUCKETS.replace("\"ObjectWriter\"", "\"BucketOwnerEnforced\"")
    );
    std::fs::write(dir.join("main.tf"), edited).unwrap();
    let after = run(
        &dir,
        &["--format", "json", "--baseline", "baseline.json", "."],
    );
    let json = after.json();
    assert_eq!(codes(&json), ["CP302"], "{json}");
    assert_eq!(
        json["diagnostics"][0]["resource"],
        "aws_s3_bucket_ownership_controls.three"
    );
    assert_eq!(json["summary"]["baselined"], recorded.len() - 1);
    assert_eq!(json["summary"]["stale_baseline_entries"], 1);
    assert_eq!(
        after.status, 0,
        "a new warning does not fail at the default level"
    );

    let human = run(
        &dir,
        &["--color", "never", "--baseline", "baseline.json", "."],
    );
    assert!(
        human.stdout.trim_end().ends_with(&format!(
            "; {} findings in the baseline not shown, 1 baseline entry no longer occurs",
            recorded.len() - 1
        )),
        "{}",
        human.stdout
    );
}

#[test]
fn a_bad_baseline_is_a_located_usage_error() {
    let dir = temp_dir("bad-baseline");
    std::fs::write(dir.join("main.tf"), BUCKETS).unwrap();
    std::fs::write(
        dir.join("b.json"),
        "{\n  \"version\": 1,\n  \"findings\": {}\n}\n",
    )
    .unwrap();
    let out = run(&dir, &["--baseline", "b.json", "."]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.starts_with("b.json:3:"), "{}", out.stderr);
    let out = run(&dir, &["--baseline", "missing.json", "."]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("cannot read the baseline"),
        "{}",
        out.stderr
    );
}

#[test]
fn markdown_has_a_table_then_errors_and_warnings_with_their_fix() {
    let mut args = vec!["--format", "markdown"];
    args.extend(MIXED);
    let out = run(&crate_root(), &args);
    assert_eq!(out.status, 1);
    let md = &out.stdout;
    assert!(
        md.contains("| CP101 bucket-deny-blocks-backup | error | 1 |"),
        "{md}"
    );
    assert!(
        md.contains("| CP304 ownership-unknown | note | 1 |"),
        "{md}"
    );
    let errors = md.find("### Errors").unwrap();
    let warnings = md.find("### Warnings").unwrap();
    assert!(errors < warnings);
    assert!(
        md.contains("` testdata/terraform/vpc-only-deny/main.tf:10 `"),
        "{md}"
    );
    assert!(md.contains("ArnNotLike"), "the fix is shown: {md}");
    assert!(md.contains("1 note counted above is not listed"), "{md}");
    // --output markdown=FILE writes the same document.
    let dir = temp_dir("markdown-output");
    let file = dir.join("summary.md");
    let mut args = vec!["--format", "json".to_string().leak()];
    let spec: &'static str = format!("markdown={}", file.display()).leak();
    args.extend(["--output", spec]);
    args.extend(MIXED);
    run(&crate_root(), &args);
    assert_eq!(std::fs::read_to_string(file).unwrap(), *md);
}

#[test]
fn markdown_escapes_what_a_hostile_file_says() {
    let dir = temp_dir("hostile");
    let hostile = std::fs::read_to_string(crate_root().join("testdata/terraform/vpc-only-deny/main.tf"))
        .unwrap()
        .replace(
            "\"DenyOutsideVpc\"",
            "\"Deny](https://evil.example) ![x](https://evil.example/x.png) <img src=x onerror=alert(1)> @org/team www.evil.example ``` `\"",
        );
    std::fs::write(dir.join("main.tf"), hostile).unwrap();
    let out = run(&dir, &["--format", "markdown", "."]);
    let md = out.stdout;
    assert!(md.contains("### Errors"), "{md}");
    assert!(
        md.contains("\\<img src\\=x"),
        "escaped, still readable: {md}"
    );
    for bad in [
        "](https",
        "![x]",
        "<img",
        " @org",
        "www.evil",
        "https://evil",
    ] {
        // Only inside the fenced fix block may such text appear literally.
        for (i, line) in md.lines().enumerate() {
            let unescaped = line
                .match_indices(bad)
                .any(|(at, _)| !line[..at].ends_with('\\'));
            if unescaped {
                let before: Vec<&str> = md.lines().take(i).collect();
                let fences = before
                    .iter()
                    .filter(|l| l.trim_start().starts_with("```"))
                    .count();
                assert!(
                    fences % 2 == 1,
                    "{bad} outside a code block on line {i}: {line}"
                );
            }
        }
    }
}

#[test]
fn a_named_folder_with_nothing_to_check_is_a_usage_error() {
    let dir = temp_dir("nothing");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/readme.md"), "# notes\n").unwrap();
    std::fs::write(dir.join("docs/data.json"), "{\"not\": \"a plan\"}\n").unwrap();
    let out = run(&dir, &["--format", "line", "docs"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stdout
            .contains("nothing to check in docs (looked for Terraform files"),
        "{}",
        out.stdout
    );
    // Another path with findings does not hide it.
    let tf = crate_root().join("testdata/terraform/ip-guard");
    let out = run(&dir, &["--format", "json", "docs", tf.to_str().unwrap()]);
    assert_eq!(out.status, 2);
    let json = out.json();
    assert_eq!(codes(&json), ["CP102"]);
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("nothing to check in docs")
    );
    // A folder with Terraform in a subfolder has something to check.
    std::fs::create_dir_all(dir.join("docs/infra")).unwrap();
    std::fs::copy(tf.join("main.tf"), dir.join("docs/infra/main.tf")).unwrap();
    assert_eq!(run(&dir, &["docs"]).status, 0);
}

#[test]
fn empty_standard_input_read_because_it_is_not_a_terminal_says_both_ways_out() {
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    let out = cmd
        .current_dir(crate_root())
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("standard input is not a terminal, so it was read"),
        "{err}"
    );
    assert!(err.contains("`clumio-preflight .`"), "{err}");
    assert!(err.contains("| clumio-preflight`"), "{err}");
}

/// The human report of `testdata/multi-module`, run from the crate root.
fn multi_module(extra: &[&str]) -> String {
    let mut args = vec!["--color", "never"];
    args.extend(extra);
    args.push("testdata/multi-module");
    run(&crate_root(), &args).stdout
}

#[test]
fn snapshot_multi_module_human() {
    insta::assert_snapshot!("multi-module.human", multi_module(&[]));
}

#[test]
fn snapshot_multi_module_human_with_notes() {
    insta::assert_snapshot!(
        "multi-module.human-show-notes",
        multi_module(&["--show-notes"])
    );
}

#[test]
fn a_finding_in_a_shared_module_is_reported_once_with_every_call_that_reached_it() {
    let out = run(
        &crate_root(),
        &["--format", "json", "testdata/multi-module"],
    );
    let json = out.json();
    let shared: Vec<&Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["code"] == "CP101" && d["resource"] == "module.data.aws_s3_bucket_policy.this"
        })
        .collect();
    assert_eq!(shared.len(), 1, "{json}");
    let chains = shared[0]["callers"].as_array().unwrap();
    let files: Vec<&str> = chains
        .iter()
        .map(|c| c[0]["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "testdata/multi-module/envs/dev/main.tf",
            "testdata/multi-module/envs/prod/main.tf"
        ]
    );
    assert_eq!(chains[0][0]["module"], "module.data");
    assert_eq!(chains[0][0]["line"], 1);
    // Reached through two calls: the chain lists both, outermost first.
    let nested = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["code"] == "CP101"
                && d["resource"] == "module.app.module.data.aws_s3_bucket_policy.this"
        })
        .unwrap();
    let chain = &nested["callers"][0];
    assert_eq!(chain[0]["module"], "module.app");
    assert_eq!(chain[1]["module"], "module.app.module.data");
    assert_eq!(
        chain[1]["file"],
        "testdata/multi-module/modules/app/main.tf"
    );
    // Outside modules: no callers key.
    let root = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["resource"] == "aws_s3_bucket_policy.logs")
        .unwrap();
    assert!(root.get("callers").is_none());

    let sarif = run(
        &crate_root(),
        &["--format", "sarif", "testdata/multi-module"],
    )
    .json();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "CP101"
                && r["properties"]["resource"] == "module.data.aws_s3_bucket_policy.this"
        })
        .unwrap();
    let related = result["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 2, "{result}");
    assert!(
        related[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("reached through this call, module.data (way 1 of 2)")
    );
}

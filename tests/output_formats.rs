//! The report formats users meet outside the terminal: SARIF (validated against the SARIF
//! 2.1.0 JSON schema shipped in `tests/schemas/`), GitHub workflow commands (escaping, columns
//! only on one line), `line` (paths relative to the working directory), `--output`, and the
//! `explain` and `rules` subcommands.

use assert_cmd::cargo::cargo_bin_cmd;
use clumio_preflight::rules::{self, RULES};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run in the crate root, without the environment that changes its verdicts and
/// without a configuration file.
fn cli() -> assert_cmd::Command {
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

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cli().args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sarif(args: &[&str]) -> Value {
    let mut all = vec!["--format", "sarif"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    assert!((0..=2).contains(&code), "exit {code}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{stdout}"))
}

/// A fresh directory under the target's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    // Per process: another `cargo test` may run at the same time in the same target folder.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("output-formats-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn schema_validator() -> jsonschema::Validator {
    let path = crate_root().join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).expect("the SARIF schema is shipped");
    // The 2.1.0 schema's language-tag pattern has a stray `]` (fixed in the SARIF 2.1.0
    // errata), which a validator that checks the schema's own regexes rejects. It only
    // constrains `language` properties, which this tool never writes; the shipped file stays
    // as published and the pattern is corrected here.
    let bad = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(bad),
        "the shipped schema is the published one"
    );
    let text = text.replace(bad, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF does not validate:\n{}",
        errors.join("\n")
    );
}

/// A text plan with the Terraform it came from: findings move to the sources, the plan's
/// place becomes a related location.
const PLAN_WITH_SOURCES: &[&str] = &[
    "testdata/plan/text/vpc_deny_create.txt",
    "--source-dir",
    "testdata/terraform/vpc-only-deny",
];

/// The inputs SARIF is validated on: every Terraform scenario (with a file that cannot be
/// parsed), CloudFormation templates, a plan with its sources (related locations), and an
/// ownership finding (a fix).
const SARIF_INPUTS: &[&[&str]] = &[
    &["testdata/terraform"],
    &["testdata/frontend/cloudformation"],
    &["testdata/cloudformation"],
    PLAN_WITH_SOURCES,
    &["testdata/terraform/ownership-preferred"],
    &["testdata/terraform/ownership-enforced"],
];

#[test]
fn sarif_validates_against_the_schema() {
    let validator = schema_validator();
    for args in SARIF_INPUTS {
        let doc = sarif(args);
        assert_valid(&validator, &doc, &args.join(" "));
    }
}

/// The schema of `--format json` (docs/json-contract.md), shipped in `tests/schemas/`.
fn json_contract_validator() -> jsonschema::Validator {
    let path = crate_root().join("tests/schemas/clumio-preflight-json.schema.json");
    let text = std::fs::read_to_string(&path).expect("the JSON contract's schema is shipped");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft7::options()
        .build(&schema)
        .expect("the JSON contract's schema compiles")
}

fn json_report(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    assert!((0..=2).contains(&code), "exit {code}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{stdout}"))
}

/// Every key `--format json` writes is in the contract's schema, with its type: over the
/// SARIF inputs (findings in modules with `callers`, a `fix`, suppressions, inputs that cannot
/// be parsed) and a run with `--min-severity`.
#[test]
fn json_validates_against_the_contract_schema() {
    let validator = json_contract_validator();
    let mut seen_fix = false;
    let mut seen_callers = false;
    let min_severity: &[&str] = &["--min-severity", "warning", "testdata/terraform"];
    for args in SARIF_INPUTS.iter().chain([&min_severity]) {
        let doc = json_report(args);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: the JSON report does not follow its schema:\n{}",
            args.join(" "),
            errors.join("\n")
        );
        for d in doc["diagnostics"].as_array().unwrap() {
            seen_fix |= d.get("fix").is_some();
            seen_callers |= d.get("callers").is_some();
        }
    }
    assert!(
        seen_fix && seen_callers,
        "the inputs exercise `fix` and `callers`"
    );
    // Not vacuous: a key the contract does not know, or a fix without edits, fails.
    let mut broken = json_report(&["testdata/terraform/ownership-preferred"]);
    broken["diagnostics"][0]["autofix"] = Value::from(true);
    assert!(!validator.is_valid(&broken), "an unknown key must fail");
    let mut broken = json_report(&["testdata/terraform/ownership-preferred"]);
    broken["diagnostics"][0]["fix"]["edits"] = Value::Array(Vec::new());
    assert!(
        !validator.is_valid(&broken),
        "a fix without edits must fail"
    );
}

/// The fix of an ownership finding is shown by every format that shows the help; none is
/// shown where the rule offers none (CloudFront logs need their ACLs).
#[test]
fn every_format_that_shows_the_help_shows_the_fix() {
    let edit = "testdata/terraform/ownership-object-writer/main.tf:10:25: replace `ObjectWriter` with `BucketOwnerEnforced`";
    for format in ["human", "markdown", "github"] {
        let (_, out, _) = run(&[
            "--format",
            format,
            "--color",
            "never",
            "testdata/terraform/ownership-object-writer",
        ]);
        // GitHub's workflow commands carry line feeds as `%0A`.
        let out = out.replace("%0A", "\n");
        assert!(
            out.contains("fix: set object ownership to BucketOwnerEnforced") && out.contains(edit),
            "{format}:\n{out}"
        );
        let (_, out, _) = run(&[
            "--format",
            format,
            "--color",
            "never",
            "testdata/terraform/cloudfront-logs-distribution",
        ]);
        assert!(!out.contains("fix: "), "{format}:\n{out}");
    }
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let validator = schema_validator();
    let doc = sarif(&["testdata/terraform/ownership-preferred"]);
    let mut broken = doc.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(
        !validator.is_valid(&broken),
        "a log without version must fail"
    );
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken), "an unknown level must fail");
    let mut broken = doc;
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&broken), "line 0 must fail");
}

#[test]
fn sarif_has_one_run_with_every_rule_and_consistent_results() {
    let doc = sarif(&["testdata/terraform"]);
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "clumio-preflight");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules_json = driver["rules"].as_array().unwrap();
    assert_eq!(rules_json.len(), RULES.len());
    for (rule, json) in RULES.iter().zip(rules_json) {
        assert_eq!(json["id"], rule.code);
        assert_eq!(json["name"], rule.name);
        assert_eq!(json["shortDescription"]["text"], rule.summary);
        assert!(!json["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert_eq!(json["help"]["text"], rule.docs);
        assert_eq!(json["help"]["markdown"], rule.docs);
        assert_eq!(
            json["defaultConfiguration"]["level"],
            rule.severity.as_str()
        );
        let expected = match rule.severity {
            rules::Severity::Error => "8.0",
            rules::Severity::Warning => "5.0",
            rules::Severity::Note => "2.0",
        };
        assert_eq!(json["properties"]["security-severity"], expected);
        let tags = json["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&Value::from("security")), "{}", rule.code);
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 40, "the scenarios give many results");
    let mut fingerprints = HashSet::new();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules_json[index]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let location = &r["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("testdata/terraform/"), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        let (sl, sc, el, ec) = (
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
            region["endLine"].as_u64().unwrap(),
            region["endColumn"].as_u64().unwrap(),
        );
        assert!(sl >= 1 && sc >= 1 && el >= sl && ec >= 1);
        assert!(el > sl || ec > sc, "a region covers something: {region}");
        let fp = r["partialFingerprints"]["clumioPreflight/v1"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            fingerprints.insert(fp.clone()),
            "duplicate fingerprint {fp}"
        );
    }
    // The run of the scenarios read every input.
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

#[test]
fn sarif_inputs_that_cannot_be_read_are_notifications() {
    // The only input could not be parsed: nothing was checked (exit 2), and the SARIF log
    // says why.
    let (code, out, _) = run(&[
        "--format",
        "sarif",
        "testdata/frontend/cloudformation/syntax-error.yaml",
    ]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("testdata/frontend/cloudformation/syntax-error.yaml:6:6: invalid YAML")
    );
    let location = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "testdata/frontend/cloudformation/syntax-error.yaml"
    );
    assert_eq!(location["region"]["startLine"], 6);
    assert_valid(&schema_validator(), &doc, "a load error");
}

#[test]
fn sarif_regions_match_the_json_report() {
    let doc = sarif(&["testdata/terraform/vpc-only-deny"]);
    let (_, json, _) = run(&["--format", "json", "testdata/terraform/vpc-only-deny"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let d = &json["diagnostics"][0];
    let region = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], d["line"]);
    assert_eq!(region["startColumn"], d["column"]);
    assert_eq!(region["endLine"], d["end_line"]);
    assert_eq!(region["endColumn"], d["end_column"]);
}

#[test]
fn sarif_related_locations_show_where_the_plan_has_it() {
    let doc = sarif(PLAN_WITH_SOURCES);
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/terraform/vpc-only-deny/main.tf"
    );
    let related = &result["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(related["message"]["text"], "where the plan has it");
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/plan/text/vpc_deny_create.txt"
    );
    assert!(
        related["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 1
    );
}

#[test]
fn sarif_ownership_findings_carry_a_fix() {
    let doc = sarif(&["testdata/terraform/ownership-preferred"]);
    let result = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CP302")
        .expect("a CP302 result")
        .clone();
    let fix = &result["fixes"][0];
    assert!(
        fix["description"]["text"]
            .as_str()
            .unwrap()
            .contains("BucketOwnerEnforced")
    );
    let replacement = &fix["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        replacement["insertedContent"]["text"],
        "BucketOwnerEnforced"
    );
    let region = &replacement["deletedRegion"];
    // `    object_ownership = "BucketOwnerPreferred"`: the value inside the quotes.
    let text = std::fs::read_to_string(
        crate_root().join("testdata/terraform/ownership-preferred/main.tf"),
    )
    .unwrap();
    let line = text
        .lines()
        .nth(region["startLine"].as_u64().unwrap() as usize - 1)
        .unwrap();
    let from = region["startColumn"].as_u64().unwrap() as usize - 1;
    let to = region["endColumn"].as_u64().unwrap() as usize - 1;
    let chars: Vec<char> = line.chars().collect();
    assert_eq!(
        chars[from..to].iter().collect::<String>(),
        "BucketOwnerPreferred"
    );
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let dir = temp_dir("fingerprints");
    let original =
        std::fs::read_to_string(crate_root().join("testdata/terraform/vpc-only-deny/main.tf"))
            .unwrap();
    let file = dir.join("main.tf");
    std::fs::write(&file, &original).unwrap();
    let fingerprints = |dir: &Path| -> Vec<(String, u64)> {
        let out = cargo_bin_cmd!("clumio-preflight")
            .current_dir(dir)
            .args(["--format", "sarif", "--no-config", "."])
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["clumioPreflight/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(&dir);
    std::fs::write(&file, format!("# a comment\n\n\n{original}")).unwrap();
    let after = fingerprints(&dir);
    assert_eq!(before.len(), 1);
    assert_eq!(before.len(), after.len());
    assert_eq!(
        before[0].0, after[0].0,
        "the fingerprint must not move with the lines"
    );
    assert_eq!(before[0].1 + 3, after[0].1);
}

#[test]
fn github_commands_escape_and_keep_columns_on_one_line() {
    let (code, out, _) = run(&[
        "--format",
        "github",
        "testdata/terraform/ownership-preferred",
        "testdata/terraform/vpc-only-deny",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    let warning = lines
        .iter()
        .find(|l| l.starts_with("::warning "))
        .expect("a warning command");
    assert!(
        warning.starts_with(
            "::warning file=testdata/terraform/ownership-preferred/main.tf,line=9,col=24,endLine=9,endColumn=46,\
             title=CP302 ownership-bucket-owner-preferred::"
        ),
        "{warning}"
    );
    // The help is on the annotation, its line breaks escaped.
    assert!(warning.contains("%0A%0Ahelp: "), "{warning}");
    // A statement over several lines: no columns (the runner drops such a command).
    let error = lines
        .iter()
        .find(|l| l.starts_with("::error "))
        .expect("an error command");
    assert!(
        error.starts_with(
            "::error file=testdata/terraform/vpc-only-deny/main.tf,line=10,endLine=19,title=CP101 bucket-deny-blocks-backup::"
        ),
        "{error}"
    );
    assert!(!error.contains("col="));
    // Every command is one line; the summary follows.
    assert_eq!(lines.iter().filter(|l| l.starts_with("::")).count(), 2);
    assert_eq!(
        lines.last().copied(),
        Some("1 error, 1 warning, 0 notes in 2 files")
    );
}

#[test]
fn github_properties_escape_commas_and_colons() {
    let dir = temp_dir("gh,escape:dir");
    std::fs::copy(
        crate_root().join("testdata/terraform/ownership-preferred/main.tf"),
        dir.join("main.tf"),
    )
    .unwrap();
    let out = cargo_bin_cmd!("clumio-preflight")
        .current_dir(dir.parent().unwrap())
        .args(["--format", "github", "--no-config", "gh,escape:dir"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("::warning file=gh%2Cescape%3Adir/main.tf,line=9,"),
        "{text}"
    );
    let title = "title=CP302 ownership-bucket-owner-preferred::";
    assert!(text.contains(title), "{text}");
}

#[test]
fn github_load_errors_are_error_commands() {
    let (code, out, _) = run(&[
        "--format",
        "github",
        "testdata/frontend/terraform/parse_error",
    ]);
    assert_eq!(
        code, 2,
        "an input that could not be parsed makes the result incomplete: {out}"
    );
    assert!(
        out.starts_with(
            "::error file=testdata/frontend/terraform/parse_error/bad.tf,line=3,col=12,title=clumio-preflight%3A input not checked::invalid HCL"
        ),
        "{out}"
    );
}

#[test]
fn line_paths_are_relative_to_the_working_directory() {
    let absolute = crate_root().join("testdata/terraform/vpc-only-deny");
    let (code, out, _) = run(&["--format", "line", absolute.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("testdata/terraform/vpc-only-deny/main.tf:10:7: error: "),
        "{out}"
    );
    assert!(out.trim_end().ends_with("[CP101]"));
    // Relative paths stay as given.
    let (_, out, _) = run(&[
        "--format",
        "line",
        "testdata/terraform/vpc-only-deny/main.tf",
    ]);
    assert!(out.starts_with("testdata/terraform/vpc-only-deny/main.tf:10:7: error: "));
}

#[test]
fn output_writes_a_file_while_the_terminal_gets_the_human_report() {
    let dir = temp_dir("output");
    let sarif_path = dir.join("out.sarif");
    let (code, out, err) = run(&[
        "--output",
        sarif_path.to_str().unwrap(),
        "testdata/terraform/vpc-only-deny",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("CP101 bucket-deny-blocks-backup"), "{out}");
    assert!(
        out.contains("1 error, 0 warnings, 0 notes in 1 file"),
        "{out}"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"][0]["ruleId"], "CP101");
}

#[test]
fn output_takes_a_format_per_file_and_repeats() {
    let dir = temp_dir("outputs");
    let json = dir.join("r.json");
    let line = dir.join("r.txt");
    let gh = dir.join("r.gh");
    let (code, out, err) = run(&[
        "--format",
        "line",
        "--output",
        &format!("json={}", json.display()),
        "--output",
        &format!("line={}", line.display()),
        "--output",
        gh.to_str().unwrap(),
        "--output-format",
        "github",
        "testdata/terraform/ownership-preferred",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(json["summary"]["warnings"], 1);
    assert_eq!(std::fs::read_to_string(&line).unwrap(), out);
    assert!(
        std::fs::read_to_string(&gh)
            .unwrap()
            .starts_with("::warning ")
    );
}

#[test]
fn output_into_a_missing_directory_is_an_invocation_error() {
    let (code, _, err) = run(&[
        "--output",
        "/nonexistent-dir/x.sarif",
        "testdata/terraform/vpc-only-deny",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot write /nonexistent-dir/x.sarif"),
        "{err}"
    );
}

#[test]
fn explain_prints_the_rule_documentation() {
    for rule in RULES {
        let (code, out, _) = run(&["explain", rule.code]);
        assert_eq!(code, 0);
        assert_eq!(out, rule.docs, "{}", rule.code);
        assert!(
            out.starts_with(&format!(
                "# {} {} ({})",
                rule.code, rule.name, rule.severity
            )),
            "{}: the documentation starts with its title",
            rule.code
        );
        assert!(out.contains("**What it checks.**"), "{}", rule.code);
        assert!(out.contains("**Fix.**"), "{}", rule.code);
        assert!(out.ends_with('\n'));
    }
    let (_, by_name, _) = run(&["explain", "unused-suppression"]);
    let (_, lower, _) = run(&["explain", "cp903"]);
    assert_eq!(by_name, lower);
    assert!(by_name.starts_with("# CP903 unused-suppression (note)"));
}

#[test]
fn explain_of_an_unknown_rule_says_where_to_look() {
    let (code, out, err) = run(&["explain", "CP999"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no rule named \"CP999\""), "{err}");
    assert!(err.contains("clumio-preflight rules"), "{err}");
}

#[test]
fn rules_lists_every_rule_with_its_severity() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), RULES.len());
    for (rule, line) in RULES.iter().zip(&lines) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[0], rule.code);
        assert_eq!(fields[1], rule.name);
        assert_eq!(fields[2], rule.severity.as_str());
        assert!(line.ends_with(rule.summary), "{line}");
    }
    // The columns line up.
    let summary_at: HashSet<usize> = RULES
        .iter()
        .zip(&lines)
        .map(|(r, l)| l.find(r.summary).unwrap())
        .collect();
    assert_eq!(summary_at.len(), 1, "{out}");
    assert!(out.contains("CP903  unused-suppression"));
}

#[test]
fn sarif_has_no_ownership_fix_for_a_bucket_that_receives_cloudfront_logs() {
    let results_with = |dir: &str, code: &str| -> Vec<Value> {
        let doc = sarif(&[dir]);
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == code)
            .cloned()
            .collect()
    };
    for (dir, code) in [
        ("testdata/terraform/cloudfront-logs-distribution", "CP301"),
        ("testdata/terraform/cloudfront-logs-acl-grant", "CP302"),
        ("testdata/cloudformation/cloudfront-logs", "CP302"),
    ] {
        let found = results_with(dir, code);
        assert!(!found.is_empty(), "{dir}: no {code}");
        for r in found {
            assert!(r.get("fixes").is_none(), "{dir} {code}: {r}");
        }
    }
    // A plain ObjectWriter bucket keeps its fix.
    let found = results_with("testdata/terraform/ownership-object-writer", "CP301");
    let fix = &found[0]["fixes"][0];
    assert_eq!(
        fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "BucketOwnerEnforced"
    );
}

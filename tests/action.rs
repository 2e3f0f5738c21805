//! The GitHub Action: `action.yml` parses, is safe by construction (no `${{ }}` inside a
//! `run:`; inputs reach the scripts only through `env:`) and names only files that exist;
//! the problem matcher's regular expression, run with node's RegExp, reads every line that
//! `--format line` writes; and the step scripts run here against the built binary, with the
//! inputs as environment variables.

use assert_cmd::cargo::cargo_bin_cmd;
use clumio_preflight::cloudformation::yaml::parse_yaml;
use clumio_preflight::source::FileId;
use clumio_preflight::value::{Kind, Node};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_clumio-preflight"))
}

/// A fresh directory under the target's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    // Per process: another `cargo test` may run at the same time in the same target folder.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("action-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => s.as_known().map(str::to_string),
        Kind::Bool(b) => Some(b.to_string()),
        Kind::Number(n) => Some(n.clone()),
        _ => None,
    }
}

fn keys(node: &Node) -> Vec<String> {
    node.as_object()
        .unwrap_or_default()
        .iter()
        .map(|m| m.key.clone())
        .collect()
}

fn action() -> Node {
    let text = std::fs::read_to_string(crate_root().join("action.yml")).expect("action.yml");
    parse_yaml(&text, FileId(0)).unwrap_or_else(|e| panic!("action.yml: {}", e.message))
}

fn steps(action: &Node) -> Vec<&Node> {
    match &action
        .get("runs")
        .and_then(|r| r.get("steps"))
        .expect("runs.steps")
        .kind
    {
        Kind::Array(items) => items.iter().collect(),
        _ => panic!("runs.steps is a list"),
    }
}

#[test]
fn action_yml_declares_the_inputs_and_outputs() {
    let action = action();
    assert_eq!(
        action.get("name").and_then(text).as_deref(),
        Some("clumio-preflight")
    );
    assert!(action.get("description").and_then(text).is_some());
    let runs = action.get("runs").unwrap();
    assert_eq!(
        runs.get("using").and_then(text).as_deref(),
        Some("composite")
    );
    let inputs = action.get("inputs").expect("inputs");
    let names: BTreeSet<String> = keys(inputs).into_iter().collect();
    let expected: BTreeSet<String> = [
        "path",
        "plan",
        "account-id",
        "role-arn",
        "role-name",
        "role-path",
        "org-id",
        "region",
        "config",
        "min-severity",
        "baseline",
        "args",
        "fail-on",
        "format",
        "sarif-file",
        "ignore-config",
        "version",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(names, expected);
    for name in &names {
        let input = inputs.get(name).unwrap();
        assert!(input.get("description").and_then(text).is_some(), "{name}");
        assert_eq!(
            input.get("required").and_then(text).as_deref(),
            Some("false"),
            "{name}"
        );
    }
    assert_eq!(
        inputs
            .get("path")
            .and_then(|i| i.get("default"))
            .and_then(text)
            .as_deref(),
        Some(".")
    );
    let outputs = action.get("outputs").expect("outputs");
    for name in ["errors", "warnings", "sarif-file"] {
        let value = outputs
            .get(name)
            .and_then(|o| o.get("value"))
            .and_then(text)
            .unwrap_or_else(|| panic!("output {name}"));
        assert_eq!(value, format!("${{{{ steps.scan.outputs.{name} }}}}"));
    }
}

#[test]
fn action_yml_is_safe_by_construction() {
    let action = action();
    let declared: BTreeSet<String> = keys(action.get("inputs").unwrap()).into_iter().collect();
    let mut used = BTreeSet::new();
    let mut runs = 0;
    for step in steps(&action) {
        let name = step.get("name").and_then(text).unwrap_or_default();
        if let Some(script) = step.get("run").and_then(text) {
            runs += 1;
            assert!(
                !script.contains("${{"),
                "step {name}: `run:` must not interpolate expressions; pass values through env:"
            );
            assert_eq!(
                step.get("shell").and_then(text).as_deref(),
                Some("bash"),
                "step {name}: composite run steps need a shell"
            );
        }
        if let Some(uses) = step.get("uses").and_then(text) {
            let (_, pin) = uses.split_once('@').expect("uses names a version");
            assert!(
                pin.len() == 40 && pin.chars().all(|c| c.is_ascii_hexdigit()),
                "step {name}: pin actions to a commit hash, not {pin}"
            );
        }
        // Every expression naming an input names a declared one.
        let mut pending: Vec<&Node> = vec![step];
        while let Some(node) = pending.pop() {
            match &node.kind {
                Kind::Object(members) => pending.extend(members.iter().map(|m| &m.value)),
                Kind::Array(items) => pending.extend(items.iter()),
                _ => {
                    let value = text(node).unwrap_or_default();
                    for part in value.split("inputs.").skip(1) {
                        let input: String = part
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                            .collect();
                        assert!(
                            declared.contains(&input),
                            "step {name}: unknown input {input}"
                        );
                        used.insert(input);
                    }
                }
            }
        }
    }
    assert_eq!(runs, 3, "the resolve, install and scan steps run scripts");
    assert_eq!(used, declared, "every input is used");
    // The scan step gets every input through env:.
    let scan = steps(&action)
        .into_iter()
        .find(|s| s.get("id").and_then(text).as_deref() == Some("scan"))
        .expect("a step with id scan");
    let env = scan.get("env").expect("scan env");
    for (var, input) in [
        ("INPUT_PATH", "path"),
        ("INPUT_PLAN", "plan"),
        ("INPUT_ACCOUNT_ID", "account-id"),
        ("INPUT_ROLE_ARN", "role-arn"),
        ("INPUT_ROLE_NAME", "role-name"),
        ("INPUT_ROLE_PATH", "role-path"),
        ("INPUT_ORG_ID", "org-id"),
        ("INPUT_REGION", "region"),
        ("INPUT_CONFIG", "config"),
        ("INPUT_MIN_SEVERITY", "min-severity"),
        ("INPUT_BASELINE", "baseline"),
        ("INPUT_ARGS", "args"),
        ("INPUT_FAIL_ON", "fail-on"),
        ("INPUT_FORMAT", "format"),
        ("INPUT_SARIF_FILE", "sarif-file"),
        ("INPUT_IGNORE_CONFIG", "ignore-config"),
    ] {
        assert_eq!(
            env.get(var).and_then(text),
            Some(format!("${{{{ inputs.{input} }}}}")),
            "{var}"
        );
    }
}

#[test]
fn action_yml_names_only_existing_files() {
    let action = action();
    let mut named = Vec::new();
    for step in steps(&action) {
        if let Some(script) = step.get("run").and_then(text) {
            for part in script.split("$GITHUB_ACTION_PATH/").skip(1) {
                let file: String = part
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
                    .collect();
                named.push(file);
            }
        }
    }
    assert!(named.len() >= 3, "{named:?}");
    // The scan script registers the matcher next to it.
    named.push(".github/clumio-preflight-matcher.json".into());
    for file in &named {
        let path = crate_root().join(file);
        assert!(
            path.is_file(),
            "action.yml names {file}, which does not exist"
        );
    }
    let script = std::fs::read_to_string(crate_root().join(".github/action/run.sh")).unwrap();
    assert!(script.contains("clumio-preflight-matcher.json"));
}

#[test]
fn step_scripts_are_valid_bash() {
    for script in [
        ".github/action/resolve.sh",
        ".github/action/install.sh",
        ".github/action/run.sh",
    ] {
        let status = Command::new("bash")
            .arg("-n")
            .arg(crate_root().join(script))
            .status()
            .expect("bash runs");
        assert!(status.success(), "{script} has a syntax error");
    }
}

/// What node's RegExp made of one line.
#[derive(Debug)]
struct Matched {
    file: String,
    line: String,
    column: String,
    severity: String,
    message: String,
    code: Option<String>,
}

/// Runs the problem matcher's pattern over `lines` with node, as VS Code and GitHub's
/// JavaScript tooling read it. `None` when node is not installed.
fn node_match(lines: &[String]) -> Option<Vec<Option<Matched>>> {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("SKIPPED: node is not installed, the problem matcher's regex was not run");
        return None;
    }
    let dir = temp_dir("matcher");
    let lines_path = dir.join("lines.json");
    std::fs::write(&lines_path, serde_json::to_string(lines).unwrap()).unwrap();
    let script = r#"
        const fs = require('fs');
        const config = JSON.parse(fs.readFileSync(process.env.MATCHER, 'utf8'));
        const lines = JSON.parse(fs.readFileSync(process.env.LINES, 'utf8'));
        // As the runner does: every registered matcher reads the line; the severity is the
        // pattern's group, else the matcher's default.
        const out = lines.map(l => {
            const found = [];
            for (const matcher of config.problemMatcher) {
                const p = matcher.pattern[0];
                const m = new RegExp(p.regexp).exec(l);
                if (!m) continue;
                found.push({ file: m[p.file], line: m[p.line], column: m[p.column],
                     severity: p.severity ? m[p.severity] : matcher.severity,
                     message: m[p.message],
                     code: m[p.code] === undefined ? null : m[p.code], owner: matcher.owner });
            }
            if (found.length > 1) throw new Error('two matchers read: ' + l);
            return found.length ? found[0] : null;
        });
        process.stdout.write(JSON.stringify(out));
    "#;
    let out = Command::new("node")
        .arg("-e")
        .arg(script)
        .env(
            "MATCHER",
            crate_root().join(".github/clumio-preflight-matcher.json"),
        )
        .env("LINES", &lines_path)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).expect("node prints JSON");
    Some(
        json.into_iter()
            .map(|v| {
                (!v.is_null()).then(|| {
                    assert!(
                        v["owner"] == "clumio-preflight" || v["owner"] == "clumio-preflight-note"
                    );
                    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                    Matched {
                        file: s("file"),
                        line: s("line"),
                        column: s("column"),
                        severity: s("severity"),
                        message: s("message"),
                        code: v["code"].as_str().map(str::to_string),
                    }
                })
            })
            .collect(),
    )
}

/// `--format line` and `--format json` for the same arguments, run in `dir`.
fn line_and_json(dir: &Path, args: &[&str]) -> (Vec<String>, Value) {
    let run = |format: &str| {
        let out = cargo_bin_cmd!("clumio-preflight")
            .current_dir(dir)
            .env_remove("CLUMIO_PREFLIGHT_FAIL_ON")
            .args(["--no-config", "--format", format])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let lines = run("line").lines().map(str::to_string).collect();
    let json = serde_json::from_str(&run("json")).unwrap();
    (lines, json)
}

#[test]
fn problem_matcher_reads_every_line_of_the_line_format() {
    // Every Terraform scenario folder (with the args of its `expect`), the CloudFormation
    // scenarios, the front-end fixtures (files that cannot be parsed among them), the plans,
    // and a file whose path holds a colon and spaces.
    let root = crate_root();
    let mut runs: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root.join("testdata/terraform"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    scenarios.sort();
    for dir in scenarios {
        let rel = dir
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let args = std::fs::read_to_string(dir.join("expect"))
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
            .and_then(|l| l.strip_prefix("args:").map(str::to_string))
            .unwrap_or_default();
        let mut all: Vec<String> = args.split_whitespace().map(str::to_string).collect();
        all.push(rel);
        runs.push((root.clone(), all));
    }
    for dir in [
        "testdata/frontend/cloudformation",
        "testdata/frontend/terraform",
        "testdata/cloudformation",
    ] {
        runs.push((root.clone(), vec![dir.into()]));
    }
    runs.push((root.clone(), vec!["testdata/plan/text".into()]));
    let odd = temp_dir("matcher-odd");
    let odd_dir = odd.join("envs: prod copy");
    std::fs::create_dir_all(&odd_dir).unwrap();
    std::fs::copy(
        root.join("testdata/terraform/ownership-preferred/main.tf"),
        odd_dir.join("main.tf"),
    )
    .unwrap();
    runs.push((odd.clone(), vec!["envs: prod copy".into()]));

    let mut lines = Vec::new();
    let mut expected = Vec::new();
    for (dir, args) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (got, json) = line_and_json(dir, &args);
        let errors = json["errors"].as_array().unwrap();
        let diagnostics = json["diagnostics"].as_array().unwrap();
        assert_eq!(got.len(), errors.len() + diagnostics.len(), "{args:?}");
        for e in errors {
            expected.push((
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap_or(1).to_string(),
                e["column"].as_u64().unwrap_or(1).to_string(),
                "error".to_string(),
                None,
            ));
        }
        for d in diagnostics {
            expected.push((
                d["file"].as_str().unwrap().to_string(),
                d["line"].to_string(),
                d["column"].to_string(),
                d["severity"].as_str().unwrap().to_string(),
                Some(d["code"].as_str().unwrap().to_string()),
            ));
        }
        lines.extend(got);
    }
    assert!(
        lines.len() > 40,
        "the scenarios give many lines: {}",
        lines.len()
    );
    assert!(
        expected.iter().any(|e| e.4.is_none()),
        "a load error line is covered"
    );
    for severity in ["error", "warning", "note"] {
        assert!(
            expected.iter().any(|e| e.3 == severity && e.4.is_some()),
            "a {severity} line is covered"
        );
    }
    assert!(
        expected.iter().any(|e| e.0.contains(": prod")),
        "a path with a colon is covered"
    );
    let Some(matched) = node_match(&lines) else {
        return;
    };
    for ((line, m), (file, l, c, severity, code)) in lines.iter().zip(&matched).zip(&expected) {
        let m = m
            .as_ref()
            .unwrap_or_else(|| panic!("the matcher does not match: {line}"));
        assert_eq!(&m.file, file, "{line}");
        assert_eq!(&m.line, l, "{line}");
        assert_eq!(&m.column, c, "{line}");
        // GitHub knows error, warning and notice: a note is annotated as a notice.
        let severity = if severity == "note" {
            "notice"
        } else {
            severity
        };
        assert_eq!(m.severity, severity, "{line}");
        assert_eq!(&m.code, code, "{line}");
        assert!(!m.message.is_empty(), "{line}");
        assert!(
            !m.message.ends_with(']') || code.is_none(),
            "code left in the message: {line}"
        );
        assert!(line.contains(&m.message), "{line}");
    }
}

/// Runs `.github/action/run.sh` in the crate root with the given inputs.
struct ScriptRun {
    status: i32,
    stdout: String,
    outputs: Vec<(String, String)>,
    summary: String,
}

fn run_script(name: &str, inputs: &[(&str, &str)]) -> ScriptRun {
    let dir = temp_dir(&format!("script-{name}"));
    let output_file = dir.join("github_output");
    let summary_file = dir.join("step_summary");
    std::fs::write(&output_file, "").unwrap();
    // `SUMMARY_BEFORE` is no input: what earlier steps left in the runner's summary file.
    let before = inputs
        .iter()
        .find(|(k, _)| *k == "SUMMARY_BEFORE")
        .map_or("", |(_, v)| *v);
    std::fs::write(&summary_file, before).unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(crate_root().join(".github/action/run.sh"))
        .current_dir(crate_root())
        .env("CLUMIO_PREFLIGHT_BIN", bin())
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file);
    for var in [
        "CLUMIO_PREFLIGHT_ACCOUNT_ID",
        "CLUMIO_PREFLIGHT_ROLE_ARN",
        "CLUMIO_PREFLIGHT_FAIL_ON",
        "INPUT_PATH",
        "INPUT_PLAN",
        "INPUT_ACCOUNT_ID",
        "INPUT_ROLE_ARN",
        "INPUT_ROLE_NAME",
        "INPUT_ROLE_PATH",
        "INPUT_ORG_ID",
        "INPUT_REGION",
        "INPUT_CONFIG",
        "INPUT_MIN_SEVERITY",
        "INPUT_BASELINE",
        "INPUT_ARGS",
        "INPUT_FAIL_ON",
        "INPUT_FORMAT",
        "INPUT_SARIF_FILE",
        "INPUT_IGNORE_CONFIG",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in inputs.iter().filter(|(k, _)| *k != "SUMMARY_BEFORE") {
        let v = v.replace("{tmp}", &dir.to_string_lossy());
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ScriptRun {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs,
        summary: std::fs::read_to_string(&summary_file).unwrap(),
    }
}

fn output<'a>(run: &'a ScriptRun, key: &str) -> &'a str {
    run.outputs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no output {key}: {:?}", run.outputs))
}

#[test]
fn scan_script_writes_sarif_annotations_and_outputs() {
    let run = run_script(
        "findings",
        &[
            ("INPUT_PATH", "testdata/terraform/vpc-only-deny"),
            ("INPUT_SARIF_FILE", "{tmp}/reports/clumio.sarif"),
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert_eq!(output(&run, "errors"), "1");
    assert_eq!(output(&run, "warnings"), "0");
    assert_eq!(output(&run, "notes"), "0");
    let sarif_path = output(&run, "sarif-file");
    assert!(sarif_path.ends_with("reports/clumio.sarif"));
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "CP101");
    // The matcher is registered around the `line` report, and the path it names exists.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let add = lines
        .iter()
        .find_map(|l| l.strip_prefix("::add-matcher::"))
        .expect("::add-matcher::");
    assert!(Path::new(add).is_file(), "{add}");
    let at = lines
        .iter()
        .position(|l| l.starts_with("::add-matcher::"))
        .unwrap();
    assert!(lines[at + 1].starts_with("testdata/terraform/vpc-only-deny/main.tf:10:7: error: "));
    assert!(lines.contains(&"::remove-matcher owner=clumio-preflight::"));
    assert!(lines.contains(&"::remove-matcher owner=clumio-preflight-note::"));
    // The step summary is the Markdown report: counts, the table by rule, each error located.
    assert!(
        run.summary.starts_with("## clumio-preflight\n"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("**1 error, 0 warnings, 0 notes"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("### Errors"), "{}", run.summary);
    assert!(
        run.summary
            .contains("testdata/terraform/vpc-only-deny/main.tf:10"),
        "{}",
        run.summary
    );
    assert!(!run.summary.contains("could not run"), "{}", run.summary);
}

#[test]
fn scan_script_ignores_the_repository_configuration_when_asked() {
    let project = temp_dir("ignore-config-project");
    std::fs::copy(
        crate_root().join("testdata/terraform/vpc-only-deny/main.tf"),
        project.join("main.tf"),
    )
    .unwrap();
    // A pull request's configuration that turns the finding off.
    std::fs::write(
        project.join(".clumio-preflight.toml"),
        "fail_on = \"never\"\n[rules]\nCP101 = \"off\"\n",
    )
    .unwrap();
    let path = project.to_string_lossy().into_owned();
    let applied = run_script("config-applied", &[("INPUT_PATH", path.as_str())]);
    assert_eq!(applied.status, 0, "{}", applied.stdout);
    assert_eq!(output(&applied, "errors"), "0");
    let ignored = run_script(
        "config-ignored",
        &[
            ("INPUT_PATH", path.as_str()),
            ("INPUT_IGNORE_CONFIG", "true"),
        ],
    );
    assert_eq!(ignored.status, 1, "{}", ignored.stdout);
    assert_eq!(output(&ignored, "errors"), "1");
    let bad = run_script("config-bad", &[("INPUT_IGNORE_CONFIG", "yes; rm -rf /")]);
    assert_eq!(bad.status, 2);
    assert!(bad.stdout.contains("ignore-config must be true or false"));
}

#[test]
fn scan_script_passes_a_clean_scan_and_honours_fail_on() {
    let clean = run_script(
        "clean",
        &[("INPUT_PATH", "testdata/terraform/vpc-only-deny-exempt")],
    );
    assert_eq!(clean.status, 0, "{}", clean.stdout);
    assert_eq!(output(&clean, "errors"), "0");
    assert_eq!(output(&clean, "sarif-file"), "");

    let never = run_script(
        "never",
        &[
            ("INPUT_PATH", "testdata/terraform/vpc-only-deny"),
            ("INPUT_FAIL_ON", "never"),
        ],
    );
    assert_eq!(never.status, 0);
    assert_eq!(output(&never, "errors"), "1");

    let warning = run_script(
        "warning",
        &[
            ("INPUT_PATH", "testdata/terraform/ownership-preferred"),
            ("INPUT_FAIL_ON", "warning"),
        ],
    );
    assert_eq!(warning.status, 1);
    assert_eq!(output(&warning, "warnings"), "1");
}

#[test]
fn scan_script_scans_a_plan_against_its_sources() {
    let run = run_script(
        "plan",
        &[
            ("INPUT_PATH", "testdata/terraform/vpc-only-deny"),
            ("INPUT_PLAN", "testdata/plan/text/vpc_deny_create.txt"),
            ("INPUT_SARIF_FILE", "{tmp}/plan.sarif"),
            ("INPUT_ACCOUNT_ID", "111122223333"),
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert_eq!(output(&run, "errors"), "1");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(output(&run, "sarif-file")).unwrap())
            .unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/terraform/vpc-only-deny/main.tf"
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/plan/text/vpc_deny_create.txt"
    );
}

#[test]
fn scan_script_github_format_annotates_without_the_matcher() {
    let run = run_script(
        "github",
        &[
            ("INPUT_PATH", "testdata/terraform/ownership-preferred"),
            ("INPUT_FORMAT", "github"),
        ],
    );
    assert_eq!(run.status, 0);
    assert!(run.stdout.lines().any(|l| l.starts_with("::warning file=")));
    assert!(!run.stdout.contains("::add-matcher::"));
    let bad = run_script("bad-format", &[("INPUT_FORMAT", "sarif; rm -rf /")]);
    assert_eq!(bad.status, 2);
    assert!(bad.stdout.contains("format must be line, github or human"));
}

#[test]
fn scan_script_keeps_hostile_inputs_as_data() {
    let dir = temp_dir("script-hostile-marker");
    let marker = dir.join("pwned");
    let path = format!("$(touch {})", marker.display());
    let run = run_script(
        "hostile",
        &[
            ("INPUT_PATH", path.as_str()),
            ("INPUT_ACCOUNT_ID", "--format=json"),
            ("INPUT_SARIF_FILE", "{tmp}/x.sarif"),
        ],
    );
    assert!(!marker.exists(), "an input was run as a command");
    // `--account-id=--format=json` is an account id (an invalid one), not a flag.
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(!run.stdout.trim_start().starts_with('{'), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::error title=clumio-preflight::the scan could not run")
    );
    assert_eq!(output(&run, "errors"), "0");
}

#[test]
fn scan_script_passes_every_input_as_one_argument() {
    // A stand-in binary that records its arguments, one per line.
    let dir = temp_dir("script-argv");
    let recorder = dir.join("record.sh");
    let argv = dir.join("argv");
    std::fs::write(
        &recorder,
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '{}'\n",
            argv.display()
        ),
    )
    .unwrap();
    let chmod = Command::new("chmod").arg("+x").arg(&recorder).status();
    assert!(chmod.unwrap().success());
    let mut cmd = Command::new("bash");
    cmd.arg(crate_root().join(".github/action/run.sh"))
        .current_dir(crate_root())
        .env("CLUMIO_PREFLIGHT_BIN", &recorder)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY");
    let marker = dir.join("pwned");
    let hostile = format!("$(touch {})", marker.display());
    for (var, value) in [
        ("INPUT_PATH", "infra dir"),
        ("INPUT_ROLE_NAME", "ClumioIAMRole-uw-2-abc"),
        ("INPUT_ROLE_PATH", "/clumio/"),
        ("INPUT_ORG_ID", "o-a1b2c3d4e5"),
        ("INPUT_REGION", "us-west-2"),
        ("INPUT_CONFIG", "ci/clumio.toml"),
        ("INPUT_MIN_SEVERITY", "warning"),
        ("INPUT_BASELINE", ".clumio-baseline.json"),
        (
            "INPUT_ARGS",
            "--var\nbucket=my bucket *\n\n--parameter=Env=prod\r\n",
        ),
    ] {
        cmd.env(var, value);
    }
    cmd.env("INPUT_ACCOUNT_ID", &hostile);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!marker.exists(), "an input was run as a command");
    let got = std::fs::read_to_string(&argv).unwrap();
    let got: Vec<&str> = got.lines().collect();
    let tail = [
        format!("--account-id={hostile}"),
        "--role-name=ClumioIAMRole-uw-2-abc".into(),
        "--role-path=/clumio/".into(),
        "--org-id=o-a1b2c3d4e5".into(),
        "--region=us-west-2".into(),
        "--config=ci/clumio.toml".into(),
        "--min-severity=warning".into(),
        "--baseline=.clumio-baseline.json".into(),
        "--var".into(),
        "bucket=my bucket *".into(),
        "--parameter=Env=prod".into(),
        "--".into(),
        "infra dir".into(),
    ];
    assert!(
        got.ends_with(&tail.iter().map(String::as_str).collect::<Vec<_>>()),
        "{got:#?}"
    );
}

#[test]
fn scan_script_extra_args_reach_the_binary_unsplit() {
    // Two lines are two arguments: `--fail-on` `never` lets the findings pass.
    let two = run_script(
        "args-two",
        &[
            ("INPUT_PATH", "testdata/terraform/vpc-only-deny"),
            ("INPUT_ARGS", "--fail-on\nnever"),
        ],
    );
    assert_eq!(two.status, 0, "{}", two.stdout);
    assert_eq!(output(&two, "errors"), "1");
    // One line with a space is one argument, which is no flag: a usage error, not two flags.
    let one = run_script(
        "args-one",
        &[
            ("INPUT_PATH", "testdata/terraform/vpc-only-deny"),
            ("INPUT_ARGS", "--fail-on never"),
        ],
    );
    assert_eq!(one.status, 2, "{}", one.stdout);
    assert!(one.summary.contains("could not run"), "{}", one.summary);
}

#[test]
fn scan_script_summary_is_the_markdown_report_appended() {
    // The runner's summary file may already hold other steps' summaries: the report is appended.
    let run = run_script(
        "summary-markdown",
        &[
            ("INPUT_PATH", "testdata/terraform"),
            ("INPUT_FAIL_ON", "never"),
            ("SUMMARY_BEFORE", "## an earlier step\n\n"),
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stdout);
    let direct = Command::new(bin())
        .current_dir(crate_root())
        .args(["--format=markdown", "--color=never", "--fail-on=never"])
        .args(["--", "testdata/terraform"])
        .output()
        .unwrap();
    let direct = String::from_utf8(direct.stdout).unwrap();
    assert!(direct.starts_with("## clumio-preflight\n"), "{direct}");
    assert_eq!(run.summary, format!("## an earlier step\n\n{direct}"));
    // Nothing left over from the old hand-built table.
    assert!(
        !run.summary.contains("| severity | location |"),
        "{}",
        run.summary
    );
}

#[test]
fn scan_script_summary_says_when_the_scan_could_not_run() {
    // A path that does not exist: exit 2, the line first, then the report naming the input.
    let run = run_script("summary-missing", &[("INPUT_PATH", "no/such/folder")]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(
        run.summary
            .starts_with("**clumio-preflight: the scan could not run (exit status 2)"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("no/such/folder"), "{}", run.summary);
}

/// Runs one of the action's scripts with a simulated runner environment; returns the exit
/// status, standard output and the `GITHUB_OUTPUT` pairs.
fn run_step(
    script: &str,
    dir: &Path,
    env: &[(&str, &str)],
) -> (i32, String, Vec<(String, String)>) {
    let output_file = dir.join("github_output");
    std::fs::write(&output_file, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(crate_root().join(".github/action").join(script))
        .env("GITHUB_OUTPUT", &output_file)
        .env("RUNNER_TEMP", dir)
        .env("GITHUB_ACTION_PATH", crate_root());
    for var in [
        "VERSION",
        "ACTION_REF",
        "ACTION_REPOSITORY",
        "MODE",
        "REPOSITORY",
        "ARCHIVE",
        "CLUMIO_PREFLIGHT_RELEASES",
        "RUNNER_OS",
        "RUNNER_ARCH",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs,
    )
}

fn get<'a>(outputs: &'a [(String, String)], key: &str) -> &'a str {
    outputs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no output {key}: {outputs:?}"))
}

fn cargo_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[test]
fn resolve_script_maps_versions_refs_and_runners() {
    let dir = temp_dir("resolve");
    let linux = [("RUNNER_OS", "Linux"), ("RUNNER_ARCH", "X64")];

    // An explicit release, for each runner with a release binary.
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
    ] {
        let env = [
            ("VERSION", "v1.2.3"),
            ("RUNNER_OS", os),
            ("RUNNER_ARCH", arch),
        ];
        let (status, stdout, out) = run_step("resolve.sh", &dir, &env);
        assert_eq!(status, 0, "{stdout}");
        assert_eq!(get(&out, "mode"), "download");
        assert_eq!(get(&out, "version"), "1.2.3");
        assert_eq!(get(&out, "target"), target);
        let ext = if os == "Windows" { "zip" } else { "tar.gz" };
        assert_eq!(
            get(&out, "archive"),
            format!("clumio-preflight-{target}.{ext}")
        );
        // Without the runner's context the repository is Cargo.toml's.
        assert_eq!(get(&out, "repository"), "clumio-preflight/clumio-preflight");
    }

    // The action used at a version tag, with github.action_ref empty (composite actions):
    // the ref and repository come from the action's path, the version from its Cargo.toml.
    let action = dir.join("_actions/acme/clumio-preflight/v0");
    std::fs::create_dir_all(&action).unwrap();
    std::fs::copy(crate_root().join("Cargo.toml"), action.join("Cargo.toml")).unwrap();
    let action_path = action.to_string_lossy().into_owned();
    let env = [
        linux[0],
        linux[1],
        ("GITHUB_ACTION_PATH", action_path.as_str()),
    ];
    let (status, stdout, out) = run_step("resolve.sh", &dir, &env);
    assert_eq!(status, 0, "{stdout}");
    assert_eq!(get(&out, "mode"), "download");
    assert_eq!(get(&out, "version"), cargo_version());
    assert_eq!(get(&out, "repository"), "acme/clumio-preflight");
    // github.action_ref wins when the runner sets it.
    let env = [linux[0], linux[1], ("ACTION_REF", "main")];
    let (_, _, out) = run_step("resolve.sh", &dir, &env);
    assert_eq!(get(&out, "mode"), "build");

    // Windows runners give the path with backslashes.
    let windows = r"D:\a\_actions\acme\clumio-preflight\v1.2.3";
    let env = [
        ("RUNNER_OS", "Windows"),
        ("RUNNER_ARCH", "X64"),
        ("VERSION", "1.2.3"),
        ("GITHUB_ACTION_PATH", windows),
    ];
    let (status, stdout, out) = run_step("resolve.sh", &dir, &env);
    assert_eq!(status, 0, "{stdout}");
    assert_eq!(get(&out, "repository"), "acme/clumio-preflight");

    // A tag that is not the checkout's version is refused rather than guessed.
    let action = dir.join("_actions/acme/clumio-preflight/v99.0.0");
    std::fs::create_dir_all(&action).unwrap();
    std::fs::copy(crate_root().join("Cargo.toml"), action.join("Cargo.toml")).unwrap();
    let action_path = action.to_string_lossy().into_owned();
    let env = [
        linux[0],
        linux[1],
        ("GITHUB_ACTION_PATH", action_path.as_str()),
    ];
    let (status, stdout, _) = run_step("resolve.sh", &dir, &env);
    assert_eq!(status, 1);
    assert!(stdout.contains("does not match the version"), "{stdout}");

    // A branch or commit builds the checkout, with a cache key of its sources.
    for reference in [
        "main",
        "feature/x",
        "0123456789abcdef0123456789abcdef01234567",
    ] {
        let env = [linux[0], linux[1], ("ACTION_REF", reference)];
        let (status, stdout, out) = run_step("resolve.sh", &dir, &env);
        assert_eq!(status, 0, "{stdout}");
        assert_eq!(get(&out, "mode"), "build", "{reference}");
        assert_eq!(get(&out, "archive"), "");
        let key = get(&out, "cache-key");
        assert!(
            key.starts_with("clumio-preflight-build-Linux-X64-"),
            "{key}"
        );
        assert!(
            key.len() > "clumio-preflight-build-Linux-X64-".len() + 8,
            "{key}"
        );
    }
    for mode in ["build", "installed"] {
        let (_, _, out) = run_step("resolve.sh", &dir, &[("VERSION", mode)]);
        assert_eq!(get(&out, "mode"), mode);
    }

    // Bad versions and runners without a release binary are clear errors.
    for (env, message) in [
        (vec![("VERSION", "1.2.3; rm -rf /")], "is not a release"),
        (
            vec![("VERSION", "--config=/etc/passwd")],
            "is not a release",
        ),
        (
            vec![
                ("VERSION", "1.2.3"),
                ("RUNNER_OS", "Linux"),
                ("RUNNER_ARCH", "ARM"),
            ],
            "no release binary for Linux/ARM",
        ),
    ] {
        let (status, stdout, _) = run_step("resolve.sh", &dir, &env);
        assert_eq!(status, 1, "{env:?}");
        assert!(
            stdout.contains("::error title=clumio-preflight::"),
            "{stdout}"
        );
        assert!(stdout.contains(message), "{stdout}");
    }
}

/// A fake release of `version` in `dir/releases`: `vVERSION/ARCHIVE` holding a
/// `clumio-preflight` that runs the built binary, and `ARCHIVE.sha256` with its real checksum.
fn fake_release(dir: &Path, version: &str, archive: &str) -> PathBuf {
    let staging = dir.join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let exe = staging.join("clumio-preflight");
    std::fs::write(
        &exe,
        format!("#!/bin/sh\nexec '{}' \"$@\"\n", bin().display()),
    )
    .unwrap();
    let releases = dir.join("releases");
    let tag = releases.join(format!("v{version}"));
    std::fs::create_dir_all(&tag).unwrap();
    let status = Command::new("tar")
        .arg("-czf")
        .arg(tag.join(archive))
        .arg("-C")
        .arg(&staging)
        .arg("clumio-preflight")
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::new("sha256sum")
        .arg(archive)
        .current_dir(&tag)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(tag.join(format!("{archive}.sha256")), out.stdout).unwrap();
    releases
}

#[test]
fn install_script_downloads_verifies_and_runs_a_release() {
    if Command::new("curl").arg("--version").output().is_err()
        || Command::new("sha256sum").arg("--version").output().is_err()
    {
        eprintln!("SKIPPED: curl or sha256sum is not installed");
        return;
    }
    let dir = temp_dir("install-download");
    let archive = "clumio-preflight-x86_64-unknown-linux-musl.tar.gz";
    let releases = fake_release(&dir, "1.2.3", archive);
    let base = format!("file://{}", releases.display());
    let env = [
        ("MODE", "download"),
        ("VERSION", "1.2.3"),
        ("REPOSITORY", "acme/clumio-preflight"),
        ("ARCHIVE", archive),
        ("CLUMIO_PREFLIGHT_RELEASES", base.as_str()),
    ];
    let (status, stdout, out) = run_step("install.sh", &dir, &env);
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.contains("SHA-256"), "{stdout}");
    assert!(
        stdout.contains("clumio-preflight 0."),
        "it ran --version: {stdout}"
    );
    let installed = get(&out, "bin").to_string();
    assert!(installed.starts_with(&dir.to_string_lossy().into_owned()));

    // The scan step runs the installed binary.
    let run = run_script(
        "downloaded",
        &[
            ("CLUMIO_PREFLIGHT_BIN", installed.as_str()),
            ("INPUT_PATH", "testdata/terraform/vpc-only-deny"),
        ],
    );
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert_eq!(output(&run, "errors"), "1");

    // A checksum that does not match: nothing is unpacked or run.
    let sum = releases.join("v1.2.3").join(format!("{archive}.sha256"));
    std::fs::write(&sum, format!("{}  {archive}\n", "0".repeat(64))).unwrap();
    let (status, stdout, out) = run_step("install.sh", &dir, &env);
    assert_eq!(status, 1, "{stdout}");
    assert!(stdout.contains("checksum mismatch"), "{stdout}");
    assert!(!stdout.contains("clumio-preflight 0."), "{stdout}");
    assert!(out.is_empty(), "{out:?}");
    assert!(
        !Path::new(&installed).exists(),
        "the old unpacked binary is gone"
    );

    // A release that does not exist.
    let env = [
        ("MODE", "download"),
        ("VERSION", "9.9.9"),
        ("ARCHIVE", archive),
        ("CLUMIO_PREFLIGHT_RELEASES", base.as_str()),
    ];
    let (status, stdout, _) = run_step("install.sh", &dir, &env);
    assert_eq!(status, 1);
    assert!(stdout.contains("cannot download"), "{stdout}");
}

#[test]
fn install_script_uses_the_installed_binary() {
    let dir = temp_dir("install-installed");
    let bin_dir = bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (status, stdout, out) = run_step(
        "install.sh",
        &dir,
        &[("MODE", "installed"), ("PATH", &path)],
    );
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.starts_with("clumio-preflight "));
    assert_eq!(get(&out, "bin"), bin().display().to_string());
    let (status, stdout, _) = run_step("install.sh", &dir, &[("MODE", "elsewhere")]);
    assert_eq!(status, 1);
    assert!(stdout.contains("unknown install mode"), "{stdout}");
}

/// The fenced blocks of README.md with the given info string.
fn readme_blocks(lang: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed == format!("```{lang}") => current = Some(String::new()),
            Some(block) if trimmed == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn readme_vscode_task_uses_the_shipped_matcher_pattern() {
    let task = readme_blocks("json")
        .into_iter()
        .find(|b| b.contains("problemMatcher"))
        .expect("README has a VS Code task");
    let task: Value = serde_json::from_str(&task).expect("the task is JSON");
    let readme_pattern = &task["tasks"][0]["problemMatcher"]["pattern"];
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(crate_root().join(".github/clumio-preflight-matcher.json"))
            .unwrap(),
    )
    .unwrap();
    // VS Code reads all three severities with one pattern; the shipped matcher for GitHub
    // splits notes into a second matcher whose default severity is `notice`.
    let mut shipped_pattern = shipped["problemMatcher"][0]["pattern"][0].clone();
    let regexp = shipped_pattern["regexp"]
        .as_str()
        .unwrap()
        .replace("(error|warning)", "(error|warning|note)");
    shipped_pattern["regexp"] = Value::String(regexp);
    assert_eq!(readme_pattern, &shipped_pattern);
    assert_eq!(
        task["tasks"][0]["problemMatcher"]["owner"],
        shipped["problemMatcher"][0]["owner"]
    );
    assert!(
        task["tasks"][0]["command"]
            .as_str()
            .unwrap()
            .contains("--format line")
    );
}

#[test]
fn readme_vim_errorformat_reads_the_line_format() {
    let vim_block = readme_blocks("vim")
        .pop()
        .expect("README has a vim snippet");
    let errorformat = vim_block
        .lines()
        .find(|l| l.starts_with("set errorformat="))
        .expect("set errorformat=")
        .to_string();
    if Command::new("vim").arg("--version").output().is_err() {
        eprintln!("SKIPPED: vim is not installed, the errorformat was not run");
        return;
    }
    let dir = temp_dir("vim");
    let (lines, json) = line_and_json(
        &crate_root(),
        &[
            "testdata/terraform/vpc-only-deny",
            "testdata/terraform/ownership-preferred",
            "testdata/terraform/ownership-missing",
            "testdata/frontend/terraform/parse_error",
        ],
    );
    let lines_path = dir.join("lines.txt");
    std::fs::write(&lines_path, lines.join("\n") + "\n").unwrap();
    let qf_path = dir.join("qf.txt");
    let status = Command::new("vim")
        .args(["-es", "-N", "-u", "NONE", "-i", "NONE"])
        .arg("-c")
        .arg(&errorformat)
        .arg("-c")
        .arg(format!("cgetfile {}", lines_path.display()))
        .arg("-c")
        .arg(format!(
            "call writefile(map(getqflist(), {{_, v -> bufname(v.bufnr) . '|' . v.lnum . '|' . v.col . '|' . v.type . '|' . v.valid}}), '{}')",
            qf_path.display()
        ))
        .arg("-c")
        .arg("qa!")
        .current_dir(crate_root())
        .status()
        .expect("vim runs");
    assert!(status.success());
    let qf = std::fs::read_to_string(&qf_path).expect("vim wrote the quickfix list");
    let mut expected: Vec<String> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}|{}|{}|e|1",
                e["file"].as_str().unwrap(),
                e["line"],
                e["column"]
            )
        })
        .collect();
    expected.extend(json["diagnostics"].as_array().unwrap().iter().map(|d| {
        format!(
            "{}|{}|{}|{}|1",
            d["file"].as_str().unwrap(),
            d["line"],
            d["column"],
            &d["severity"].as_str().unwrap()[..1]
        )
    }));
    assert_eq!(qf.lines().collect::<Vec<_>>(), expected);
    assert!(
        expected.iter().any(|e| e.ends_with("|n|1")),
        "a note is covered"
    );
}

#[test]
fn readme_workflow_uses_the_action_inputs() {
    let workflow = readme_blocks("yaml")
        .into_iter()
        .find(|b| b.contains("upload-sarif"))
        .expect("README has an example workflow");
    let node = parse_yaml(&workflow, FileId(0)).unwrap_or_else(|e| panic!("{}", e.message));
    let declared: BTreeSet<String> = keys(action().get("inputs").unwrap()).into_iter().collect();
    let job = node
        .get("jobs")
        .and_then(|j| j.as_object())
        .and_then(|m| m.first())
        .map(|m| &m.value)
        .expect("a job");
    let steps = match &job.get("steps").expect("steps").kind {
        Kind::Array(items) => items,
        _ => panic!("steps is a list"),
    };
    let ours = steps
        .iter()
        .find(|s| {
            s.get("uses")
                .and_then(text)
                .is_some_and(|u| u.contains("/clumio-preflight@"))
        })
        .expect("a step uses the action");
    let with = ours.get("with").expect("with:");
    for key in keys(with) {
        assert!(
            declared.contains(&key),
            "README uses input {key}, not in action.yml"
        );
    }
    let sarif = with.get("sarif-file").and_then(text).expect("sarif-file");
    let upload = steps
        .iter()
        .find(|s| {
            s.get("uses")
                .and_then(text)
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(
        upload
            .get("with")
            .and_then(|w| w.get("sarif_file"))
            .and_then(text),
        Some(sarif)
    );
    assert!(
        upload.get("if").and_then(text).is_some(),
        "the upload runs when the scan step failed"
    );
    assert!(workflow.contains("terraform show -json"));
    assert!(workflow.contains("security-events: write"));
}

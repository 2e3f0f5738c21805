//! The pipeline as a library function (issue 14): `pipeline::run` with inline suppressions,
//! `[rules]` severities, the command line's rule changes, `fail_on`, the baseline, and an
//! `exclude` that keeps a folder from being opened — without spawning the binary.

use clumio_preflight::baseline::Baseline;
use clumio_preflight::config::{Config, RuleLevel};
use clumio_preflight::pipeline::{self, Input, Options, Outcome};
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::report::FailOn;
use clumio_preflight::rules::{self, Severity};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A case folder in the system's temporary folder, removed when the test ends.
struct Case(PathBuf);

impl Drop for Case {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn case(name: &str) -> Case {
    let base = std::env::temp_dir().join(format!("clumio-pipeline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    Case(base)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Two buckets with object ownership ObjectWriter (CP301, an error): `logs` suppressed with a
/// reason, `data` not.
const BUCKETS: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

# clumio-preflight:ignore CP301 only this account writes here
resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "ObjectWriter"
  }
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    object_ownership = "ObjectWriter"
  }
}
"#;

fn profile() -> Profile {
    Profile::new(&ProfileOptions::default()).unwrap()
}

/// Options scanning `dir` with the configuration `config` (TOML, as if in `dir`).
fn options(dir: &Path, config: &str) -> Options {
    let config = if config.is_empty() {
        Config::default()
    } else {
        Config::parse(config, &dir.join(".clumio-preflight.toml")).unwrap()
    };
    Options {
        inputs: vec![Input::Path(dir.to_path_buf())],
        config,
        ..Options::default()
    }
}

/// `(code, severity, resource)` of every finding.
fn findings(outcome: &Outcome) -> Vec<(&'static str, Severity, String)> {
    outcome
        .report
        .diagnostics
        .iter()
        .map(|d| (d.rule.code, d.severity, d.resource.clone()))
        .collect()
}

#[test]
fn suppressions_apply_and_unsuppressed_errors_fail_the_run() {
    let dir = case("suppressed");
    write(&dir.0, "main.tf", BUCKETS);
    let outcome = pipeline::run(&options(&dir.0, ""), &profile());
    assert_eq!(
        findings(&outcome),
        [(
            "CP301",
            Severity::Error,
            "aws_s3_bucket_ownership_controls.data".to_string()
        )]
    );
    assert_eq!(outcome.report.suppressed, 1);
    assert_eq!(outcome.report.files, 1);
    assert_eq!(outcome.status, 1);
    assert!(outcome.report.configuration.is_none());
    assert!(outcome.recorded.is_none());
}

#[test]
fn a_suppression_without_reason_does_not_apply_and_is_a_cp903_note() {
    let dir = case("no-reason");
    write(
        &dir.0,
        "main.tf",
        &BUCKETS.replace("CP301 only this account writes here", "CP301"),
    );
    let outcome = pipeline::run(&options(&dir.0, ""), &profile());
    let found = findings(&outcome);
    assert_eq!(
        found.iter().filter(|f| f.0 == "CP301").count(),
        2,
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "CP903" && f.1 == Severity::Note),
        "{found:?}"
    );
    assert_eq!(outcome.report.suppressed, 0);
}

#[test]
fn rules_severities_lower_a_finding_below_fail_on() {
    let dir = case("lowered");
    write(&dir.0, "main.tf", BUCKETS);
    let outcome = pipeline::run(
        &options(&dir.0, "[rules]\nCP301 = \"warning\"\n"),
        &profile(),
    );
    assert_eq!(
        findings(&outcome),
        [(
            "CP301",
            Severity::Warning,
            "aws_s3_bucket_ownership_controls.data".to_string()
        )]
    );
    // A warning does not fail the run by default…
    assert_eq!(outcome.status, 0);
    let applied = outcome.report.configuration.as_ref().unwrap();
    assert_eq!(applied.turned_off, ["rule CP301 lowered to warning"]);
    // …it does with the configuration's `fail_on = "warning"`…
    let outcome = pipeline::run(
        &options(
            &dir.0,
            "fail_on = \"warning\"\n[rules]\nCP301 = \"warning\"\n",
        ),
        &profile(),
    );
    assert_eq!(outcome.status, 1);
    // …unless the command line's `--fail-on never` wins over it.
    let mut never = options(
        &dir.0,
        "fail_on = \"warning\"\n[rules]\nCP301 = \"warning\"\n",
    );
    never.fail_on = Some(FailOn::Never);
    assert_eq!(pipeline::run(&never, &profile()).status, 0);
}

#[test]
fn a_rule_turned_off_reports_nothing_and_its_suppressions_are_not_unused() {
    let dir = case("off");
    write(&dir.0, "main.tf", BUCKETS);
    let outcome = pipeline::run(&options(&dir.0, "[rules]\nCP301 = \"off\"\n"), &profile());
    assert_eq!(findings(&outcome), []);
    assert_eq!(outcome.status, 0);
    // The command line turns it back on (`--enable CP301`) over the file's `off`; the file's
    // own setting is what the report says the file turned off.
    let mut enabled = options(&dir.0, "[rules]\nCP301 = \"off\"\n");
    enabled.rule_overrides = vec![(rules::find("CP301").unwrap(), None)];
    let outcome = pipeline::run(&enabled, &profile());
    assert_eq!(findings(&outcome).len(), 1);
    assert_eq!(outcome.status, 1);
    assert_eq!(
        outcome.report.configuration.unwrap().turned_off,
        ["rule CP301 off"]
    );
    // `--rule CP301=note` over an empty configuration.
    let mut note = options(&dir.0, "");
    note.rule_overrides = vec![(rules::find("CP301").unwrap(), Some(RuleLevel::Note))];
    let outcome = pipeline::run(&note, &profile());
    assert_eq!(findings(&outcome)[0].1, Severity::Note);
    assert_eq!(outcome.status, 0);
}

#[test]
fn a_recorded_baseline_leaves_its_findings_out_of_the_next_run() {
    let dir = case("baseline");
    write(&dir.0, "main.tf", BUCKETS);
    let mut record = options(&dir.0, "");
    record.record_baseline = true;
    let first = pipeline::run(&record, &profile());
    // Recording accepts the findings: the run does not fail on them.
    assert_eq!(first.status, 0);
    let recorded: Baseline = first.recorded.unwrap();
    assert_eq!(recorded.findings.len(), 1);
    let mut with = options(&dir.0, "");
    with.baseline = Some(recorded);
    let second = pipeline::run(&with, &profile());
    assert_eq!(findings(&second), []);
    assert_eq!(second.report.filtered.baselined, 1);
    assert_eq!(second.status, 0);
    // `min_severity` above the finding's leaves it out too.
    let mut min = options(&dir.0, "[rules]\nCP301 = \"warning\"\n");
    min.min_severity = Some(Severity::Error);
    let third = pipeline::run(&min, &profile());
    assert_eq!(findings(&third), []);
    assert_eq!(third.status, 0);
}

/// Runs the pipeline on another thread and fails the test if it does not end in time (a
/// FIFO opened for reading blocks until a writer comes).
#[cfg(unix)]
fn run_within(options: Options, limit: Duration) -> Outcome {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(pipeline::run(&options, &profile()));
    });
    receive
        .recv_timeout(limit)
        .expect("the scan hung: an excluded file was opened")
}

#[cfg(unix)]
#[test]
fn an_excluded_folder_is_not_opened_not_even_a_fifo_named_main_tf() {
    let dir = case("exclude-fifo");
    write(&dir.0, "app/main.tf", BUCKETS);
    std::fs::create_dir_all(dir.0.join("vendor")).unwrap();
    let fifo = dir.0.join("vendor/main.tf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Fire: not excluded, the FIFO is refused (not read, so no hang) and reported.
    let outcome = run_within(options(&dir.0, ""), Duration::from_secs(120));
    assert_eq!(outcome.status, 2);
    let errors: Vec<String> = outcome
        .report
        .load_errors
        .iter()
        .map(|e| format!("{:?} {}", e.path, e.message))
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("vendor") && e.contains("FIFO")),
        "{errors:?}"
    );
    // Quiet: excluded, it is neither opened nor mentioned, and the rest is checked.
    let outcome = run_within(
        options(&dir.0, "exclude = [\"vendor\"]\n"),
        Duration::from_secs(120),
    );
    assert!(
        outcome.report.load_errors.is_empty(),
        "{:?}",
        outcome.report.load_errors
    );
    assert_eq!(outcome.report.files, 1);
    assert_eq!(findings(&outcome).len(), 1);
    assert_eq!(outcome.status, 1);
    // A plan-JSON FIFO in the excluded folder is not opened either (the one walk leaves
    // the folder out for every kind of input).
    let plan = dir.0.join("vendor/plan.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&plan)
        .status()
        .unwrap();
    assert!(made.success());
    let outcome = run_within(
        options(&dir.0, "exclude = [\"vendor\"]\n"),
        Duration::from_secs(120),
    );
    assert!(outcome.report.load_errors.is_empty());
    assert_eq!(outcome.status, 1);
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn one_walk_classifies_every_file_by_name_then_content() {
    use clumio_preflight::config::Exclude;
    use clumio_preflight::fsbound::Boundary;
    use clumio_preflight::inputs::{self, Format};
    use clumio_preflight::source::Sources;
    let dir = case("classify");
    write(&dir.0, "app/main.tf", BUCKETS);
    write(&dir.0, "app/terraform.tfvars", "");
    write(&dir.0, "vars-only/terraform.tfvars", "");
    write(
        &dir.0,
        "plans/plan.json",
        &fixture("testdata/plan/ownership-object-writer/plan.json"),
    );
    write(
        &dir.0,
        "plans/plan.txt",
        &fixture("testdata/plan/ownership-object-writer/plan.txt"),
    );
    write(
        &dir.0,
        "cfn/template.yaml",
        &fixture("testdata/cloudformation/acl-private/template.yaml"),
    );
    write(
        &dir.0,
        "state/state.json",
        &fixture("testdata/plan/real/state-deployed/state.json"),
    );
    // Unrelated files of a walked kind are skipped quietly; other names are not even read.
    write(&dir.0, "docs/notes.txt", "just notes");
    write(&dir.0, "docs/README.md", "# readme");
    let boundary = Boundary::new(std::slice::from_ref(&dir.0));
    let mut sources = Sources::new();
    let found = inputs::discover(
        &[Input::Path(dir.0.clone())],
        None,
        &Exclude::default(),
        &boundary,
        &mut sources,
    );
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let mut texts: Vec<(String, Format)> = found
        .texts
        .iter()
        .map(|(file, format)| {
            let name = sources.file(*file).name.clone();
            let rel = Path::new(&name).strip_prefix(&dir.0).unwrap();
            (rel.display().to_string(), *format)
        })
        .collect();
    texts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        texts,
        [
            ("cfn/template.yaml".to_string(), Format::CloudFormation),
            ("plans/plan.json".to_string(), Format::PlanJson),
            ("plans/plan.txt".to_string(), Format::TextPlan),
            ("state/state.json".to_string(), Format::State),
        ]
    );
    // Terraform files are grouped into module folders, not read; a folder with variable
    // files only is no module.
    let terraform = found.terraform.unwrap();
    let folders: Vec<_> = terraform.dirs.keys().cloned().collect();
    assert_eq!(folders, [dir.0.join("app")]);
    let app = &terraform.dirs[&dir.0.join("app")];
    assert_eq!(app.config, [dir.0.join("app/main.tf")]);
    assert_eq!(app.tfvars, [dir.0.join("app/terraform.tfvars")]);
    assert!(found.nothing_to_check.is_empty());
}

#[test]
fn a_suppression_on_a_resource_the_prefilter_leaves_out_still_names_it() {
    // The Terraform loader blanks resources the model never reads before parsing; the
    // suppressions read from that parse still know the resource a comment is on.
    let dir = case("left-out");
    write(
        &dir.0,
        "main.tf",
        &format!(
            "{BUCKETS}\n# clumio-preflight:ignore CP301 not a bucket at all\nresource \"aws_instance\" \"web\" {{\n  ami = \"ami-123\"\n}}\n"
        ),
    );
    let outcome = pipeline::run(&options(&dir.0, ""), &profile());
    let unused: Vec<_> = findings(&outcome)
        .into_iter()
        .filter(|f| f.0 == "CP903")
        .collect();
    assert_eq!(
        unused,
        [("CP903", Severity::Note, "aws_instance.web".to_string())]
    );
    assert_eq!(outcome.report.suppressed, 1);
}

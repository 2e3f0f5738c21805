//! `--fix` on every scenario of `testdata/terraform` and `testdata/cloudformation`, each on a
//! copy in a temporary folder: the findings it says it fixed are gone, no finding is new,
//! every file still loads, `--fix --diff` writes nothing and prints exactly the change
//! `--fix` then makes, only the files named change, and a second `--fix` changes nothing.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::{cli, crate_root, scenario_folders_in};

/// A scenario's `args:` line.
fn args_of(folder: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(folder.join("expect")).unwrap_or_default();
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("args:"))
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Copies `from` into a new temporary folder; returns the copy.
fn copy(from: &Path, tag: &str) -> PathBuf {
    let to = std::env::temp_dir().join(format!(
        "cp-fix-{}-{tag}-{}",
        std::process::id(),
        from.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&to);
    copy_tree(from, &to);
    to
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(entry.path(), std::fs::read(entry.path()).unwrap());
            }
        }
    }
    out
}

/// One run in `dir` on `.`: status, standard output, standard error.
fn run(dir: &Path, args: &[String], extra: &[&str]) -> (i32, String, String) {
    let out = cli()
        .current_dir(dir)
        .args(args)
        .args(extra)
        .arg(".")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (code, resource) of each finding of a JSON report, and its load errors.
fn findings(dir: &Path, args: &[String]) -> (Vec<(String, String)>, Vec<Value>) {
    let (_, out, err) = run(dir, args, &["--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let mut list: Vec<(String, String)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    (list, doc["errors"].as_array().cloned().unwrap_or_default())
}

/// The (code, resource) of each `fixed:` line of `--fix`'s standard error.
fn fixed_lines(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("fixed: "))
        .map(|l| {
            let rest = l.split_once(": ").unwrap().1;
            let (code, rest) = rest.split_once(" on ").unwrap();
            let resource = rest.split_once(": ").unwrap().0;
            (code.to_string(), resource.to_string())
        })
        .collect()
}

/// Runs the whole check on one scenario; returns how many findings it fixed.
fn check_scenario(base: &str, name: &str) -> usize {
    let original = crate_root().join(base).join(name);
    let args = args_of(&original);
    let dir = copy(&original, "scenario");
    let (before, errors_before) = findings(&dir, &args);
    let tree = snapshot(&dir);

    let (_, diff, dry_err) = run(&dir, &args, &["--fix", "--diff"]);
    assert_eq!(snapshot(&dir), tree, "{name}: --fix --diff wrote files");

    let (_, _, err) = run(&dir, &args, &["--fix", "--format", "json"]);
    let fixed = fixed_lines(&err);
    assert_eq!(
        fixed,
        fixed_lines(&dry_err),
        "{name}: --diff and --fix differ"
    );
    let (after, errors_after) = findings(&dir, &args);
    assert_eq!(
        errors_after.len(),
        errors_before.len(),
        "{name}: a fixed file no longer loads: {errors_after:?}"
    );
    let mut left = before.clone();
    for f in &fixed {
        let i = left
            .iter()
            .position(|b| b == f)
            .unwrap_or_else(|| panic!("{name}: fixed {f:?}, which was not found"));
        left.remove(i);
    }
    for a in &after {
        let i = left.iter().position(|b| b == a).unwrap_or_else(|| {
            panic!("{name}: {a:?} after --fix is new or was not fixed\n{err}\n{diff}")
        });
        left.remove(i);
    }

    // Only the files in the diff changed, and exactly as the diff says.
    let now = snapshot(&dir);
    let mut expected = String::new();
    for (path, old) in &tree {
        let new = &now[path];
        let shown = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if old != new {
            let d = similar::TextDiff::from_lines(
                std::str::from_utf8(old).unwrap(),
                std::str::from_utf8(new).unwrap(),
            );
            expected.push_str(
                &d.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{shown}"), &format!("b/{shown}"))
                    .to_string(),
            );
        }
    }
    assert_eq!(diff, expected, "{name}: the diff is not what --fix wrote");
    assert_eq!(
        fixed.is_empty(),
        diff.is_empty(),
        "{name}: fixes without change"
    );

    // A second --fix changes nothing.
    let (_, _, again) = run(&dir, &args, &["--fix"]);
    assert_eq!(
        snapshot(&dir),
        now,
        "{name}: the second --fix changed files"
    );
    assert!(fixed_lines(&again).is_empty(), "{name}: {again}");
    let _ = std::fs::remove_dir_all(&dir);
    fixed.len()
}

#[test]
fn fix_on_every_terraform_scenario_is_verified_and_idempotent() {
    let mut total = 0;
    for name in scenario_folders_in("testdata/terraform", &["frontend"]) {
        total += check_scenario("testdata/terraform", &name);
    }
    assert!(total >= 2, "only {total} findings fixed");
}

#[test]
fn fix_on_every_cloudformation_scenario_is_verified_and_idempotent() {
    let mut total = 0;
    for name in scenario_folders_in("testdata/cloudformation", &[]) {
        total += check_scenario("testdata/cloudformation", &name);
    }
    assert!(total >= 1, "only {total} findings fixed");
}

#[test]
fn an_ownership_fix_is_held_back_while_an_acl_needs_acls_and_the_help_says_why() {
    let dir = copy(
        &crate_root().join("testdata/terraform/acl-with-ownership-controls"),
        "acl",
    );
    let (_, out, err) = run(&dir, &[], &["--fix", "--format", "json"]);
    assert!(err.contains("fixed 0 findings"), "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let cp302 = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "CP302")
        .unwrap();
    assert!(
        cp302["help"]
            .as_str()
            .unwrap()
            .contains("no automatic fix (--fix): aws_s3_bucket_acl.data still sets an ACL"),
        "{cp302}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Done when: `--fix` on the shipped examples (copies) leaves only findings that have no safe
/// fix, each saying why, rolls nothing back, and a second `--fix` changes nothing.
#[test]
fn fix_on_the_shipped_examples_leaves_only_findings_without_a_safe_fix() {
    let dir = std::env::temp_dir().join(format!("cp-fix-examples-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(
        &crate_root().join("testdata/terraform"),
        &dir.join("terraform"),
    );
    copy_tree(
        &crate_root().join("testdata/cloudformation"),
        &dir.join("cloudformation"),
    );
    let (_, out, err) = run(&dir, &[], &["--fix", "--format", "json"]);
    assert!(!err.contains("not fixed:"), "{err}");
    assert!(fixed_lines(&err).len() >= 60, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let fixable = [
        "CP101", "CP102", "CP103", "CP104", "CP105", "CP201", "CP206", "CP301", "CP302", "CP304",
    ];
    for d in doc["diagnostics"].as_array().unwrap() {
        if !fixable.contains(&d["code"].as_str().unwrap()) {
            continue;
        }
        let help = d["help"].as_str().unwrap();
        assert!(d.get("fix").is_none(), "a fix left unapplied: {d}");
        assert!(
            help.contains("no automatic fix (--fix): ") || help.contains("CloudFront"),
            "no reason why there is no fix: {d}"
        );
    }
    let tree = snapshot(&dir);
    let (_, _, again) = run(&dir, &[], &["--fix"]);
    assert!(fixed_lines(&again).is_empty(), "{again}");
    assert_eq!(snapshot(&dir), tree);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The fixer trusts no fix: a scan whose findings carry a fix that breaks the file, or one
/// that leaves the finding in place, gets both rolled back and reported, and nothing written.
#[test]
fn a_fix_that_breaks_the_file_or_keeps_its_finding_is_rolled_back() {
    use clumio_preflight::diagnostics::{Edit, Fix};
    use clumio_preflight::pipeline::{self, Input, Options};
    use clumio_preflight::profile::{Profile, ProfileOptions};
    use clumio_preflight::source::Span;

    for (tag, text, why) in [
        ("broken", "}}} ", "no longer loads"),
        ("useless", "# a comment\n", "still reports"),
    ] {
        let dir = copy(&crate_root().join("testdata/terraform/ip-guard"), tag);
        let tree = snapshot(&dir);
        let profile = Profile::new(&ProfileOptions::default()).unwrap();
        let options = Options {
            inputs: vec![Input::Path(dir.clone())],
            ..Options::default()
        };
        let scan = |o: &Options| {
            let mut outcome = pipeline::run(o, &profile);
            for d in &mut outcome.report.diagnostics {
                let at = d.span.start as usize;
                d.fix = Some(Fix::single(
                    "a bad fix",
                    Edit {
                        span: Span::new(d.span.file, at, at),
                        expected: String::new(),
                        text: text.to_string(),
                    },
                ));
            }
            outcome
        };
        let outcome = clumio_preflight::fix::run(&options, &scan, true);
        assert!(outcome.applied.is_empty(), "{tag}: {:?}", outcome.applied);
        assert_eq!(outcome.not_applied.len(), 1, "{tag}");
        assert!(
            outcome.not_applied[0].why.starts_with("rolled back: ")
                && outcome.not_applied[0].why.contains(why),
            "{tag}: {:?}",
            outcome.not_applied
        );
        assert!(outcome.diff.is_empty());
        assert_eq!(snapshot(&dir), tree, "{tag}: a rolled-back fix was written");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Standard input is never written: its fix is reported as not applied, with why.
#[test]
fn a_finding_read_from_standard_input_is_not_fixed() {
    let template = std::fs::read_to_string(
        crate_root().join("testdata/cloudformation/ownership-preferred/template.yaml"),
    )
    .unwrap();
    let out = cli()
        .args(["--fix", "-"])
        .write_stdin(template)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not fixed: <stdin>") && err.contains("standard input"),
        "{err}"
    );
    assert!(err.contains("fixed 0 findings"), "{err}");
}

/// A plan finding is fixed in the `.tf` source plan mapping points it at (verified on the
/// source folder alone); the plan is never edited, and a second run changes nothing.
#[test]
fn a_plan_finding_is_fixed_in_its_terraform_source() {
    let dir = std::env::temp_dir().join(format!("cp-fix-plan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(
        &crate_root().join("testdata/plan/ownership-object-writer"),
        &dir.join("plan"),
    );
    copy_tree(
        &crate_root().join("testdata/terraform/ownership-object-writer"),
        &dir.join("src"),
    );
    let plan_before = std::fs::read(dir.join("plan/plan.json")).unwrap();
    let args = ["--fix", "--source-dir", "src", "plan/plan.json"];
    let out = cli().current_dir(&dir).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fixed: src/main.tf:10: CP301"), "{err}");
    let source = std::fs::read_to_string(dir.join("src/main.tf")).unwrap();
    assert!(
        source.contains("object_ownership = \"BucketOwnerEnforced\""),
        "{source}"
    );
    assert_eq!(
        std::fs::read(dir.join("plan/plan.json")).unwrap(),
        plan_before
    );
    let tree = snapshot(&dir);
    let again = cli().current_dir(&dir).args(args).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("fixed 0 findings"));
    assert_eq!(snapshot(&dir), tree);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The plans Terraform 1.11 made (`testdata/plan/real`): each CP101 / CP304 finding of the
/// plan JSON and of the plan text is fixed in the `.tf` source it maps to (also inside a
/// module instantiated twice), with the same edit as `--fix` on the sources; the plan is never
/// edited; the sources, checked again, no longer show the finding; a second run changes
/// nothing.
#[test]
fn real_plan_findings_are_fixed_in_their_terraform_sources() {
    let cases = [
        ("state-deployed", "plan.json", 3, "main.tf"),
        ("update-hidden", "plan.json", 1, "main.tf"),
        ("update-hidden", "plan.txt", 1, "main.tf"),
        (
            "module-instances",
            "plan.json",
            1,
            "modules/vpc-bucket/main.tf",
        ),
        (
            "module-instances",
            "plan.txt",
            1,
            "modules/vpc-bucket/main.tf",
        ),
    ];
    for (case, plan, fixed, tf) in cases {
        let from = crate_root().join("testdata/plan/real").join(case);
        let dir = copy(&from, &format!("real-{}", plan.replace('.', "-")));
        let plan_before = std::fs::read(dir.join(plan)).unwrap();
        // What --fix makes of the sources alone, on another copy.
        let alone = copy(&from, &format!("alone-{}", plan.replace('.', "-")));
        for p in ["plan.json", "plan.txt", "plan.color.txt", "state.json"] {
            let _ = std::fs::remove_file(alone.join(p));
        }
        cli()
            .current_dir(&alone)
            .args(["--fix", "."])
            .output()
            .unwrap();
        let out = cli()
            .current_dir(&dir)
            .args(["--fix", "--source-dir", ".", plan])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let summary = if fixed == 1 {
            "fixed 1 finding in 1 file".to_string()
        } else {
            format!("fixed {fixed} findings in 1 file")
        };
        assert!(err.contains(&summary), "{case} {plan}: {err}");
        assert!(!err.contains("not fixed"), "{case} {plan}: {err}");
        assert_eq!(std::fs::read(dir.join(plan)).unwrap(), plan_before);
        let source = std::fs::read_to_string(dir.join(tf)).unwrap();
        assert_ne!(source, std::fs::read_to_string(from.join(tf)).unwrap());
        assert_eq!(
            source,
            std::fs::read_to_string(alone.join(tf)).unwrap(),
            "{case} {plan}: the plan's fix differs from the sources' own"
        );
        // A re-plan is not possible here: the sources, checked again, are clean of what was
        // fixed.
        let again = cli()
            .current_dir(&dir)
            .args(["--format", "json", tf])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&again.stdout).unwrap();
        let left: Vec<&str> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .filter(|c| ["CP101", "CP304"].contains(c))
            .collect();
        assert!(left.is_empty(), "{case} {plan}: {left:?}");
        let tree = snapshot(&dir);
        let second = cli()
            .current_dir(&dir)
            .args(["--fix", "--source-dir", ".", plan])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&second.stderr).contains("fixed 0 findings"));
        assert_eq!(snapshot(&dir), tree);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&alone);
    }
}

/// Without its sources, a plan finding that has a fix in the sources is not fixed, and
/// standard error says why.
#[test]
fn a_plan_finding_without_sources_is_not_fixed_with_a_note() {
    let dir = std::env::temp_dir().join(format!("cp-fix-plan-alone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        crate_root().join("testdata/plan/real/update-hidden/plan.json"),
        dir.join("plan.json"),
    )
    .unwrap();
    let out = cli()
        .current_dir(&dir)
        .args(["--fix", "plan.json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not fixed: plan.json:1: CP101") && err.contains("no .tf source"),
        "{err}"
    );
    assert!(err.contains("fixed 0 findings"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Help that pastes: with a fix, the help of CP101 says what the fix does in words and shows
/// no snippet of its own (the fix shows the exact text); without a fix, a statement that
/// already has a `Condition` is shown only the operator entry to add inside it, one without
/// gets the whole `Condition`.
#[test]
fn the_exemption_help_pastes_where_it_goes() {
    let dir = std::env::temp_dir().join(format!("cp-fix-help-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"acme-data\"\n}\n\n\
         resource \"aws_s3_bucket_policy\" \"data\" {\n  bucket = aws_s3_bucket.data.id\n  \
         policy = file(\"${path.module}/policy.json\")\n}\n",
    )
    .unwrap();
    let policy = |condition: &str| {
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Sid\": \"D\", \"Effect\": \"Deny\", \
             \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [\"arn:aws:s3:::acme-data\", \
             \"arn:aws:s3:::acme-data/*\"]{condition}}}]}}\n"
        )
    };
    let help_of = |args: &[&str]| -> (String, bool) {
        let out = cli().current_dir(&dir).args(args).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let d = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "CP101")
            .expect("CP101")
            .clone();
        (d["help"].as_str().unwrap().to_string(), !d["fix"].is_null())
    };
    let guarded = policy(", \"Condition\": {\"StringNotEquals\": {\"aws:SourceVpc\": \"vpc-1\"}}");
    std::fs::write(dir.join("policy.json"), &guarded).unwrap();
    // No account: a plain JSON file cannot refer to it, so no fix.
    let (help, fixed) = help_of(&["--format", "json", "."]);
    assert!(!fixed, "{help}");
    assert!(help.contains("\"ArnNotLike\": {"), "{help}");
    assert!(!help.contains("\"Condition\""), "{help}");
    std::fs::write(dir.join("policy.json"), policy("")).unwrap();
    let (help, fixed) = help_of(&["--format", "json", "."]);
    assert!(!fixed, "{help}");
    assert!(help.contains("\"Condition\": { \"ArnNotLike\""), "{help}");
    // With the account, a fix: the help says it in words, with no snippet.
    std::fs::write(dir.join("policy.json"), &guarded).unwrap();
    let (help, fixed) = help_of(&["--format", "json", "--account-id", "111122223333", "."]);
    assert!(fixed, "{help}");
    assert!(
        help.contains("the fix below shows the exact text"),
        "{help}"
    );
    assert!(!help.contains("aws:PrincipalArn\":"), "{help}");
    assert!(!help.contains("\"Condition\""), "{help}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! Snapshots of the diffs `--fix --diff` prints, one per syntax a fix is written in: the
//! exemption merged into `jsonencode` HCL (a new operator, a value appended to a list), an
//! `aws_iam_policy_document` `condition` block, heredoc JSON, CloudFormation YAML (`!Sub`)
//! and JSON (`Fn::Sub`), and the ownership setting in HCL and YAML.

mod support;

use std::path::{Path, PathBuf};
use support::{cli, crate_root};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The `--fix --diff` output for `files` of the scenario `scenario` (copied alone into a
/// temporary folder), with `args`.
fn diff(scenario: &str, files: &[&str], args: &[&str]) -> String {
    let from = crate_root().join("testdata").join(scenario);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "cp-fix-snap-{}-{}-{}",
        std::process::id(),
        scenario.replace('/', "-"),
        files.join("-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    if files.is_empty() {
        copy_tree(&from, &dir);
    } else {
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            std::fs::copy(from.join(f), dir.join(f)).unwrap();
        }
    }
    let out = cli()
        .current_dir(&dir)
        .args(args)
        .args(["--fix", "--diff", "."])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.is_empty(), "{scenario}: no diff");
    text
}

#[test]
fn hcl_jsonencode_new_operator_and_declared_account() {
    insta::assert_snapshot!("hcl-new-operator", diff("terraform/ip-guard", &[], &[]));
}

#[test]
fn hcl_jsonencode_value_appended() {
    insta::assert_snapshot!(
        "hcl-append",
        diff(
            "terraform/exemption-missing-path",
            &[],
            &["--account-id", "111122223333"]
        )
    );
}

#[test]
fn policy_document_condition_block() {
    insta::assert_snapshot!(
        "policy-document",
        diff(
            "terraform/policy-document-merged-conditions",
            &[],
            &["--account-id", "111122223333"]
        )
    );
}

#[test]
fn heredoc_json() {
    insta::assert_snapshot!("heredoc", diff("terraform/heredoc", &[], &[]));
}

#[test]
fn cloudformation_yaml_sub() {
    insta::assert_snapshot!(
        "cfn-yaml",
        diff("cloudformation/vpc-only-deny", &["template.yaml"], &[])
    );
}

#[test]
fn cloudformation_json_fn_sub() {
    insta::assert_snapshot!(
        "cfn-json",
        diff("cloudformation/vpc-only-deny", &["template.json"], &[])
    );
}

#[test]
fn ownership_in_hcl_and_yaml() {
    insta::assert_snapshot!(
        "ownership-hcl",
        diff("terraform/ownership-object-writer", &[], &[])
    );
    insta::assert_snapshot!(
        "ownership-yaml",
        diff(
            "cloudformation/ownership-preferred",
            &["template.yaml"],
            &[]
        )
    );
}

#[test]
fn notprincipal_replaced_in_hcl_and_yaml() {
    let role = [
        "--role-arn",
        "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123",
    ];
    insta::assert_snapshot!(
        "notprincipal-hcl",
        diff("terraform/notprincipal-incomplete", &[], &role)
    );
    insta::assert_snapshot!(
        "notprincipal-yaml",
        diff(
            "cloudformation/notprincipal-complete",
            &["template.yaml"],
            &role
        )
    );
}

#[test]
fn key_policy_statement_in_hcl_and_yaml() {
    insta::assert_snapshot!("key-hcl", diff("terraform/key-grants-other-role", &[], &[]));
    insta::assert_snapshot!(
        "key-yaml",
        diff(
            "cloudformation/key-grants-other-role",
            &["template.yaml"],
            &[]
        )
    );
}

#[test]
fn ownership_declared_when_absent_in_hcl_and_yaml() {
    insta::assert_snapshot!(
        "ownership-declared-hcl",
        diff("terraform/ownership-missing", &[], &[])
    );
    insta::assert_snapshot!(
        "ownership-declared-yaml",
        diff("cloudformation/ownership-missing", &["template.yaml"], &[])
    );
}

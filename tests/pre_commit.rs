//! The pre-commit hooks (`.pre-commit-hooks.yaml`): declared as pre-commit reads them, and the
//! Terraform hook's entry, split and run as pre-commit runs it, checks each changed file's
//! module folder once.

use clumio_preflight::cloudformation::yaml::parse_yaml;
use clumio_preflight::source::FileId;
use clumio_preflight::value::{Kind, Node};
use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => s.as_known().map(str::to_string),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The hooks, as (id, field → value) pairs.
fn hooks() -> Vec<Node> {
    let yaml = std::fs::read_to_string(crate_root().join(".pre-commit-hooks.yaml")).unwrap();
    let doc = parse_yaml(&yaml, FileId(0)).unwrap_or_else(|e| panic!("{}", e.message));
    match doc.kind {
        Kind::Array(items) => items,
        _ => panic!(".pre-commit-hooks.yaml is a list of hooks"),
    }
}

fn hook(id: &str) -> Node {
    hooks()
        .into_iter()
        .find(|h| h.get("id").and_then(text).as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no hook {id}"))
}

/// Runs Python (pre-commit's language) with `code`; `None` when python3 is not installed.
fn python(code: &str, args: &[&str]) -> Option<String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn hooks_declare_what_pre_commit_needs() {
    let all = hooks();
    assert_eq!(all.len(), 2);
    for h in &all {
        for field in ["id", "name", "entry", "language", "files", "description"] {
            assert!(
                h.get(field).and_then(text).is_some(),
                "a hook lacks {field}"
            );
        }
        // pre-commit builds the binary from this repository with cargo.
        assert_eq!(h.get("language").and_then(text).as_deref(), Some("rust"));
    }
    assert!(
        hook("clumio-preflight")
            .get("entry")
            .and_then(text)
            .unwrap()
            .contains("exec clumio-preflight --format line")
    );
}

#[test]
fn file_patterns_pick_terraform_and_templates() {
    let terraform = hook("clumio-preflight")
        .get("files")
        .and_then(text)
        .unwrap();
    let cfn = hook("clumio-preflight-cloudformation")
        .get("files")
        .and_then(text)
        .unwrap();
    let code = "import re, sys\nfor name in sys.argv[2:]:\n    print(name, bool(re.search(sys.argv[1], name)))";
    let check = |pattern: &str, names: &[(&str, bool)]| {
        let mut args = vec![pattern];
        args.extend(names.iter().map(|(n, _)| *n));
        let Some(out) = python(code, &args) else {
            eprintln!("SKIPPED: python3 is not installed");
            return;
        };
        for ((name, expected), line) in names.iter().zip(out.lines()) {
            assert_eq!(
                line,
                format!("{name} {}", if *expected { "True" } else { "False" })
            );
        }
    };
    check(
        &terraform,
        &[
            ("infra/main.tf", true),
            ("infra/prod.tfvars", true),
            ("infra/main.tf.json", true),
            ("infra/README.md", false),
            ("infra/main.tf.bak", false),
        ],
    );
    check(
        &cfn,
        &[
            ("cloudformation/bucket.yaml", true),
            ("stacks/cfn/bucket.json", true),
            ("stacks/bucket.template", true),
            ("stacks/bucket.cfn.yml", true),
            (".github/workflows/ci.yml", false),
            ("package.json", false),
        ],
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn terraform_hook_checks_each_changed_folder_once() {
    let entry = hook("clumio-preflight")
        .get("entry")
        .and_then(text)
        .unwrap();
    let Some(argv) = python(
        "import shlex, sys, json\nprint(json.dumps(shlex.split(sys.argv[1])))",
        &[&entry],
    ) else {
        eprintln!("SKIPPED: python3 is not installed");
        return;
    };
    let argv: Vec<String> = serde_json::from_str(&argv).unwrap();
    // A repository with module folders (one with a space), as pre-commit sees it.
    let repo =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pre-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    let root = crate_root().join("testdata/terraform");
    let deny = std::fs::read_to_string(root.join("vpc-only-deny/main.tf")).unwrap();
    write(&repo.join("a/main.tf"), &deny);
    write(&repo.join("a/variables.tf"), "variable \"unused\" {}\n");
    write(
        &repo.join("b c/main.tf"),
        &std::fs::read_to_string(root.join("ownership-preferred/main.tf")).unwrap(),
    );
    write(&repo.join("b/main.tf"), "# not changed: never checked\n");
    // A subfolder is another module: not changed, not checked.
    write(&repo.join("a/sub/main.tf"), &deny);
    // Only the variables changed: the folder's verdicts are checked again.
    write(&repo.join("d/main.tf"), &deny);
    write(&repo.join("d/prod.tfvars"), "unused = 1\n");
    // A repository, so the scanned tree is the whole of it.
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_clumio-preflight"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // pre-commit runs ENTRY ARGS... FILES...; the hook's args come first.
    for (args, status) in [(vec![], 1), (vec!["--fail-on=never", "--no-config"], 0)] {
        let out = Command::new(&argv[0])
            .args(&argv[1..])
            .args(&args)
            .args([
                "a/main.tf",
                "a/variables.tf",
                "b c/main.tf",
                "d/prod.tfvars",
            ])
            .current_dir(&repo)
            .env("PATH", &path)
            .env_remove("CLUMIO_PREFLIGHT_FAIL_ON")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(status),
            "{args:?}: {stdout}{stderr}"
        );
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        let count = |file: &str, code: &str| {
            lines
                .iter()
                .filter(|l| l.starts_with(file) && l.ends_with(code))
                .count()
        };
        assert_eq!(count("a/main.tf:", "[CP101]"), 1, "{stdout}");
        assert_eq!(count("b c/main.tf:", "[CP302]"), 1, "{stdout}");
        assert_eq!(count("d/main.tf:", "[CP101]"), 1, "{stdout}");
    }
    let _ = std::fs::remove_dir_all(&repo);
}

#![cfg(unix)]
//! What a folder walk leaves out (issue 10): `.gitignore` hides only files git does not
//! track (the index is read, git is not run by the tool), `.ignore`-style files hide
//! nothing, and the configuration's `exclude` keeps files from being opened at all.
//!
//! The repositories are made with the `git` command (a test fixture only), with the user's
//! and the system's git configuration left out.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A case folder in the system's temporary folder, removed when the test ends.
struct Case(PathBuf);

impl std::ops::Deref for Case {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn case(name: &str) -> Case {
    let base =
        std::env::temp_dir().join(format!("clumio-walk-filters-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    Case(base)
}

fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A folder with one certain CP101 finding.
fn add_finding(dir: &Path, rel: &str) {
    let text =
        std::fs::read_to_string(crate_root().join("testdata/terraform/deny-bucket-only/main.tf"))
            .unwrap();
    write(dir, &format!("{rel}/main.tf"), text);
}

/// Runs `git` in `repo` for the fixture, without any user or system configuration.
fn git(repo: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(repo)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", repo)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(cwd: &Path, args: &[&str], format: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_clumio-preflight"))
        .current_dir(cwd)
        .args(args)
        .args(["--format", format])
        .env_remove("CLUMIO_PREFLIGHT_FAIL_ON")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The files with a CP101 finding, sorted.
fn cp101_files(run: &Run) -> Vec<String> {
    let mut files: Vec<String> = run
        .stdout
        .lines()
        .filter(|l| l.ends_with("[CP101]"))
        .map(|l| l.split(':').next().unwrap_or_default().to_string())
        .collect();
    files.sort();
    files
}

fn notes_of(cwd: &Path, args: &[&str]) -> Vec<String> {
    let out: Value = serde_json::from_str(&run(cwd, args, "json").stdout).unwrap();
    out["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// A repository where `.gitignore` ignores `node_modules/`, `build/`, `logs/*` (but
/// re-includes `logs/main.tf`) and `*.gen.tf`; `build/main.tf` is tracked all the same.
fn ignoring_repo(base: &Path) -> PathBuf {
    let repo = base.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(
        &repo,
        ".gitignore",
        "node_modules/\nbuild/\nlogs/*\n!logs/main.tf\n*.gen.tf\n",
    );
    add_finding(&repo, "app");
    add_finding(&repo, "build");
    git(&repo, &["add", ".gitignore", "app/main.tf"]);
    git(&repo, &["add", "-f", "build/main.tf"]);
    // Untracked, ignored: never walked.
    add_finding(&repo, "node_modules/pkg");
    add_finding(&repo, "build/untracked");
    let text = std::fs::read_to_string(repo.join("app/main.tf")).unwrap();
    write(&repo, "gen/x.gen.tf", &text);
    // Untracked, not ignored (re-included): walked.
    add_finding(&repo, "logs");
    repo
}

#[test]
fn gitignore_hides_untracked_files_and_never_tracked_ones() {
    let base = case("gitignore");
    let repo = ignoring_repo(&base);
    let r = run(&repo, &["."], "line");
    assert_eq!(
        cp101_files(&r),
        ["app/main.tf", "build/main.tf", "logs/main.tf"],
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(r.status, 1);
    let notes = notes_of(&repo, &["."]);
    assert!(
        notes.iter().any(|n| n
            .starts_with("3 untracked paths that .gitignore ignores were not walked (the first: ")),
        "{notes:?}"
    );
}

#[test]
fn without_a_readable_index_gitignore_hides_nothing_and_says_so() {
    let base = case("no-index");
    let repo = ignoring_repo(&base);
    std::fs::remove_file(repo.join(".git/index")).unwrap();
    let r = run(&repo, &["."], "line");
    assert_eq!(
        cp101_files(&r),
        [
            "app/main.tf",
            "build/main.tf",
            "build/untracked/main.tf",
            "gen/x.gen.tf",
            "logs/main.tf",
            "node_modules/pkg/main.tf"
        ],
        "{}",
        r.stdout
    );
    let notes = notes_of(&repo, &["."]);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with(".gitignore not applied in ")
                && n.contains("the git index could not be read (no such file or directory)")),
        "{notes:?}"
    );

    // An index that is a symlink (here to a real index elsewhere) is not followed.
    let other = case("no-index-other");
    let other_repo = ignoring_repo(&other);
    std::os::unix::fs::symlink(other_repo.join(".git/index"), repo.join(".git/index")).unwrap();
    assert_eq!(cp101_files(&run(&repo, &["."], "line")).len(), 6);

    // A corrupt index: the same.
    std::fs::remove_file(repo.join(".git/index")).unwrap();
    std::fs::write(repo.join(".git/index"), b"DIRC\0\0\0\x09garbage").unwrap();
    let r = run(&repo, &["."], "line");
    assert_eq!(cp101_files(&r).len(), 6, "{}", r.stdout);
    assert!(
        notes_of(&repo, &["."])
            .iter()
            .any(|n| n.contains("the git index could not be read (it does not decode")),
    );
}

#[test]
fn plan_candidates_in_ignored_folders_are_not_read() {
    let base = case("plans");
    let repo = base.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&repo, ".gitignore", "node_modules/\n");
    write(&repo, "node_modules/pkg/package.json", "{\"name\": \"x\"}");
    // A FIFO would hang a reader that opened it without care; here it is not even opened.
    let fifo = repo.join("node_modules/pkg/plan.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    add_finding(&repo, "infra");
    git(&repo, &["add", ".gitignore", "infra/main.tf"]);
    let r = run(&repo, &["."], "line");
    assert!(!r.stdout.contains("FIFO"), "{}", r.stdout);
    assert_eq!(cp101_files(&r), ["infra/main.tf"]);

    // Fire: without the ignore rule the FIFO is walked, and refused.
    std::fs::write(repo.join(".gitignore"), "").unwrap();
    let r = run(&repo, &["."], "line");
    assert!(
        r.stdout.contains(
            "node_modules/pkg/plan.json:1:1: error: not read: a FIFO, not a regular file"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn dot_ignore_files_and_rgignore_hide_nothing_even_with_an_index() {
    let base = case("dot-ignore");
    let repo = base.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    add_finding(&repo, "a");
    write(&repo, ".ignore", "*\n");
    write(&repo, ".rgignore", "*\n");
    write(&repo, "a/.ignore", "*\n");
    git(&repo, &["add", "a/main.tf"]);
    add_finding(&repo, "untracked");
    let r = run(&repo, &["."], "line");
    assert_eq!(cp101_files(&r), ["a/main.tf", "untracked/main.tf"]);
}

#[test]
fn a_deeper_gitignore_overrides_and_an_explicit_path_is_always_walked() {
    let base = case("deeper");
    let repo = base.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&repo, ".gitignore", "*.tf\n");
    write(&repo, "keep/.gitignore", "!*.tf\n");
    add_finding(&repo, "keep");
    add_finding(&repo, "drop");
    add_finding(&repo, "tracked");
    git(&repo, &["add", "-f", "tracked/main.tf"]);
    let r = run(&repo, &["."], "line");
    assert_eq!(cp101_files(&r), ["keep/main.tf", "tracked/main.tf"]);
    // A folder named on the command line is walked from there: its own files are still
    // untracked and ignored.
    let r = run(&repo, &["drop"], "line");
    assert_eq!(cp101_files(&r), Vec::<String>::new(), "{}", r.stdout);
    // A file named on the command line is always read.
    let r = run(&repo, &["drop/main.tf"], "line");
    assert_eq!(cp101_files(&r), ["drop/main.tf"]);

    // A folder named on the command line is walked even when a folder above it is ignored
    // (as `target/` is for test folders): only rules below it hide what is in it.
    std::fs::write(
        repo.join(".gitignore"),
        "out/
*.tf
!main.tf
",
    )
    .unwrap();
    add_finding(&repo, "out/gen");
    let r = run(&repo, &["out/gen"], "line");
    assert_eq!(cp101_files(&r), ["out/gen/main.tf"], "{}", r.stdout);
    let r = run(&repo, &["."], "line");
    assert!(!r.stdout.contains("out/gen"), "{}", r.stdout);
}

#[test]
fn excluded_folders_are_not_opened_not_even_by_the_terraform_walk() {
    let base = case("exclude");
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    add_finding(&repo, "infra");
    std::fs::create_dir_all(repo.join("vendor/big")).unwrap();
    let fifo = repo.join("vendor/main.tf");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // Larger than the 64 MiB cap on a Terraform file (sparse: no disk used).
    let big = std::fs::File::create(repo.join("vendor/big/main.tf")).unwrap();
    big.set_len(65 << 20).unwrap();
    drop(big);

    // Fire: without `exclude`, both are walked and refused.
    let r = run(&repo, &["."], "line");
    assert!(
        r.stdout
            .contains("vendor/main.tf:1:1: error: not read: a FIFO, not a regular file"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("vendor/big/main.tf:1:1: error: not read: larger than the limit of 64 MiB"),
        "{}",
        r.stdout
    );

    // Quiet: excluded, they are not opened and nothing is said about them.
    write(&repo, ".clumio-preflight.toml", "exclude = [\"vendor\"]\n");
    let r = run(&repo, &["."], "line");
    assert!(!r.stdout.contains("vendor"), "{}", r.stdout);
    assert_eq!(cp101_files(&r), ["infra/main.tf"]);
    assert_eq!(r.status, 1);
}

/// `main.tf` with the finding's `Sid` set to `sid` (an expression).
fn finding_with_sid(sid: &str) -> String {
    std::fs::read_to_string(crate_root().join("testdata/terraform/deny-bucket-only/main.tf"))
        .unwrap()
        .replace("\"DenyBucketAccessOutsideVpc\"", sid)
}

#[test]
fn fileset_lists_matching_files_inside_the_tree_sorted() {
    let base = case("fileset");
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(&repo, ".git/secret.json", "{}");
    write(&repo, "infra/policies/b.json", "{}");
    write(&repo, "infra/policies/a.json", "{}");
    write(&repo, "infra/policies/sub/c.json", "{}");
    write(&repo, "infra/policies/notes.txt", "x");
    write(
        &repo,
        "infra/main.tf",
        finding_with_sid("join(\"+\", fileset(path.module, \"policies/**/*.json\"))"),
    );
    let r = run(&repo, &["infra"], "line");
    assert!(
        r.stdout
            .contains("Deny statement \"policies/a.json+policies/b.json+policies/sub/c.json\""),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(r.status, 1);

    // Outside the tree or inside .git: a located error, and the value is unknown.
    for (dir, refusal) in [
        ("\"../..\"", "not read: outside the scanned tree"),
        ("\"../.git\"", "not read: inside a .git directory"),
    ] {
        write(
            &repo,
            "infra/main.tf",
            finding_with_sid(&format!("join(\"+\", fileset({dir}, \"*\"))")),
        );
        std::fs::write(base.join("outside.json"), "{}").unwrap();
        let r = run(&repo, &["infra"], "line");
        let expected = format!("infra/main.tf:11:31: error: fileset({dir}): {refusal}",);
        assert!(r.stdout.contains(&expected), "{expected}\n{}", r.stdout);
        assert!(!r.stdout.contains("secret.json") && !r.stdout.contains("outside.json"));
    }
}

#[test]
fn fileset_with_too_many_matches_is_a_located_limit_error() {
    let base = case("fileset-cap");
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("many")).unwrap();
    for i in 0..=10_000 {
        std::fs::write(repo.join(format!("many/f{i}")), "").unwrap();
    }
    write(
        &repo,
        "infra/main.tf",
        finding_with_sid("join(\"+\", fileset(\"../many\", \"*\"))"),
    );
    let r = run(&repo, &["infra"], "line");
    assert!(
        r.stdout.contains(
            "infra/main.tf:11:31: error: evaluation limit: fileset(\"../many\", \"*\") matches more than 10000 files"
        ),
        "{}",
        r.stdout
    );
    assert_ne!(r.status, 0);
}

#[test]
fn index_version_4_is_read_and_a_split_index_is_not() {
    let base = case("index-versions");
    let repo = ignoring_repo(&base);
    git(&repo, &["update-index", "--index-version", "4"]);
    let r = run(&repo, &["."], "line");
    assert_eq!(
        cp101_files(&r),
        ["app/main.tf", "build/main.tf", "logs/main.tf"],
        "{}",
        r.stdout
    );

    git(&repo, &["update-index", "--split-index"]);
    let r = run(&repo, &["."], "line");
    assert_eq!(cp101_files(&r).len(), 6, "{}", r.stdout);
    assert!(
        notes_of(&repo, &["."])
            .iter()
            .any(|n| n.contains("it is a split index, which is not read")),
    );
}

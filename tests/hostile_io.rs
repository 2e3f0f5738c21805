#![cfg(unix)]
//! Hostile inputs on the reading side (issue 10): each case is built in a fresh folder
//! outside this repository — a `repo/` with its own `.git/` (holding a fake token) and,
//! beside it, an `outside/` folder with a secret — and the binary runs on it in every
//! format. Asserted: no secret in any output, the located error, the exit status, and that
//! the other files were still checked.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const FORMATS: [&str; 5] = ["human", "json", "sarif", "github", "line"];
const SECRET_FILE: &str = "SECRET_IN_OUTSIDE_FILE";
const SECRET_TOKEN: &str = "SECRET_GIT_TOKEN";
const SECRET_ENV: &str = "SECRET_IN_ENVIRONMENT";

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A case folder, removed when the test ends.
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

/// A case folder in the system's temporary folder (not inside this repository, whose
/// `.git` would otherwise be the root): `repo/.git/config` holds a token, `outside/secret`
/// a secret.
fn case(name: &str) -> Case {
    let base =
        std::env::temp_dir().join(format!("clumio-hostile-io-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("repo/.git")).unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(
        base.join("repo/.git/config"),
        format!(
            "[remote \"origin\"]\n\turl = https://x-access-token:{SECRET_TOKEN}@github.com/a/b\n"
        ),
    )
    .unwrap();
    std::fs::write(base.join("outside/secret"), format!("{SECRET_FILE}\n")).unwrap();
    Case(base)
}

fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A folder with one certain CP101 finding (a Deny of bucket actions).
fn add_finding(dir: &Path, rel: &str) {
    let text =
        std::fs::read_to_string(crate_root().join("testdata/terraform/deny-bucket-only/main.tf"))
            .unwrap();
    write(dir, &format!("{rel}/main.tf"), text);
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
        .env("GITHUB_TOKEN", SECRET_ENV)
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

/// Runs in every format: no secret anywhere, the same exit status in all; the `line` run.
fn run_all(cwd: &Path, args: &[&str]) -> Run {
    let mut status = None;
    for format in FORMATS {
        let r = run(cwd, args, format);
        for secret in [SECRET_FILE, SECRET_TOKEN, SECRET_ENV, "x-access-token"] {
            assert!(
                !r.stdout.contains(secret) && !r.stderr.contains(secret),
                "{format} output leaks {secret}:\n{}\n{}",
                r.stdout,
                r.stderr
            );
        }
        match status {
            None => status = Some(r.status),
            Some(s) => assert_eq!(s, r.status, "{format}: {}", r.stdout),
        }
    }
    run(cwd, args, "line")
}

fn json(cwd: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run(cwd, args, "json").stdout).unwrap()
}

fn has_line(run: &Run, expected: &str) {
    assert!(
        run.stdout.lines().any(|l| l == expected),
        "expected the line\n  {expected}\nin\n{}{}",
        run.stdout,
        run.stderr
    );
}

fn cp101_count(run: &Run) -> usize {
    run.stdout
        .lines()
        .filter(|l| l.ends_with("[CP101]"))
        .count()
}

#[test]
fn file_and_templatefile_outside_the_tree_or_in_git_are_refused() {
    let base = case("file");
    let repo = base.join("repo");
    add_finding(&repo, "good");
    std::os::unix::fs::symlink("../../outside/secret", repo.join("infra/link.txt"))
        .or_else(|_| {
            std::fs::create_dir_all(repo.join("infra"))?;
            std::os::unix::fs::symlink("../../outside/secret", repo.join("infra/link.txt"))
        })
        .unwrap();
    write(
        &repo,
        "infra/main.tf",
        r#"locals {
  a = file("/proc/self/environ")
  b = file("../../outside/secret")
  c = file("link.txt")
  d = file("../.git/config")
  e = templatefile("/proc/self/environ", {})
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
  tags = { a = local.a, b = local.b, c = local.c, d = local.d, e = local.e }
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "X${local.b}", Effect = "Deny", Principal = "*", Action = "s3:PutObject", Resource = "*" }]
  })
}
"#,
    );
    let r = run_all(&repo, &["."]);
    has_line(
        &r,
        "infra/main.tf:2:7: error: file(\"/proc/self/environ\"): not read: outside the scanned tree",
    );
    has_line(
        &r,
        "infra/main.tf:3:7: error: file(\"../../outside/secret\"): not read: outside the scanned tree",
    );
    has_line(
        &r,
        "infra/main.tf:4:7: error: file(\"link.txt\"): not read: outside the scanned tree",
    );
    has_line(
        &r,
        "infra/main.tf:5:7: error: file(\"../.git/config\"): not read: inside a .git directory",
    );
    has_line(
        &r,
        "infra/main.tf:6:7: error: templatefile(\"/proc/self/environ\"): not read: outside the scanned tree",
    );
    // The walk met the symlink to the outside too (a `.txt` may be a plan's text).
    has_line(
        &r,
        "infra/link.txt:1:1: error: not read: outside the scanned tree",
    );
    assert_eq!(
        cp101_count(&r),
        1,
        "the other folder is still checked:\n{}",
        r.stdout
    );
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");

    // Scanned from elsewhere by absolute path: the same refusals, nothing leaked.
    let r = run_all(&base, &[repo.join("infra").to_str().unwrap()]);
    assert!(
        r.stdout.contains("not read: outside the scanned tree"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_git_file_or_an_in_tree_symlink_into_git_is_refused_when_named_or_walked() {
    let base = case("gitdir");
    let repo = base.join("repo");
    add_finding(&repo, "good");
    std::os::unix::fs::symlink(".git/config", repo.join("config.json")).unwrap();
    let r = run_all(&repo, &["."]);
    has_line(
        &r,
        "config.json:1:1: error: not read: inside a .git directory",
    );
    assert_eq!(cp101_count(&r), 1);
    let r = run_all(&repo, &[".git/config", "good"]);
    has_line(
        &r,
        ".git/config:1:1: error: not read: inside a .git directory",
    );
    assert_eq!(cp101_count(&r), 1);
}

#[test]
fn module_sources_escaping_the_repository_are_refused() {
    let base = case("module");
    let repo = base.join("repo");
    add_finding(&repo, "good");
    write(
        &base,
        "outside/mod/main.tf",
        format!(
            "# {SECRET_FILE}\nresource \"aws_s3_bucket\" \"x\" {{\n  bucket = \"{SECRET_FILE}\"\n}}\n"
        ),
    );
    write(
        &repo,
        "infra/main.tf",
        "module \"escape\" {\n  source = \"../../outside/mod\"\n}\nmodule \"far\" {\n  source = \"../../../../../../../../etc\"\n}\n",
    );
    let r = run_all(&repo, &["infra", "good"]);
    has_line(
        &r,
        "infra/main.tf:1:1: error: module source \"../../outside/mod\" (../outside/mod): not read: outside the scanned tree",
    );
    assert!(
        r.stdout
            .contains("module source \"../../../../../../../../etc\""),
        "{}",
        r.stdout
    );
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");
}

#[test]
fn a_fifo_a_device_and_a_symlink_to_dev_zero_are_refused_without_hanging() {
    let base = case("special");
    let repo = base.join("repo");
    add_finding(&repo, "good");
    let fifo = repo.join("plan.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    write(&repo, "fifo-tf/x.tf", "");
    std::fs::remove_file(repo.join("fifo-tf/x.tf")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(repo.join("fifo-tf/x.tf"))
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", repo.join("zero.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", repo.join("zero.tf")).unwrap();

    let started = std::time::Instant::now();
    let r = run_all(&repo, &["plan.json", "zero.json", "good"]);
    has_line(
        &r,
        "plan.json:1:1: error: not read: a FIFO, not a regular file",
    );
    has_line(
        &r,
        "zero.json:1:1: error: not read: outside the scanned tree",
    );
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");
    // Named itself, a device is still not a regular file.
    let r = run_all(&repo, &["/dev/zero", "good"]);
    has_line(
        &r,
        "/dev/zero:1:1: error: not read: a device, not a regular file",
    );
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");

    // Walked: the same refusals, and the walk goes on.
    let r = run_all(&repo, &["."]);
    has_line(
        &r,
        "plan.json:1:1: error: not read: a FIFO, not a regular file",
    );
    has_line(
        &r,
        "fifo-tf/x.tf:1:1: error: not read: a FIFO, not a regular file",
    );
    has_line(
        &r,
        "zero.json:1:1: error: not read: outside the scanned tree",
    );
    has_line(&r, "zero.tf:1:1: error: not read: outside the scanned tree");
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn non_utf8_content_and_names_are_located_errors() {
    let base = case("utf8");
    let repo = base.join("repo");
    add_finding(&repo, "good");
    write(
        &repo,
        "infra/main.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"a\xffb\"\n}\n",
    );
    let mut plan =
        std::fs::read(crate_root().join("testdata/plan/vpc-only-deny/plan.txt")).unwrap();
    plan.splice(0..0, b"\xfe\n".iter().copied());
    write(&repo, "plans/plan.txt", &plan);
    write(
        &repo,
        "tpl/main.tf",
        "resource \"aws_s3_bucket\" \"t\" {\n  bucket = templatefile(\"t.tpl\", {})\n}\n",
    );
    write(&repo, "tpl/t.tpl", b"ok\n\xc3(\n");
    {
        use std::os::unix::ffi::OsStrExt;
        let json = std::ffi::OsStr::from_bytes(b"plan\xfe.json");
        std::fs::write(repo.join(json), "{}").unwrap();
        let name = std::ffi::OsStr::from_bytes(b"bad\xfename.tf");
        std::fs::write(repo.join("names").join(name), "x").unwrap_or_else(|_| {
            std::fs::create_dir_all(repo.join("names")).unwrap();
            std::fs::write(repo.join("names").join(name), "x").unwrap();
        });
    }
    // A walked file of no known format is unrelated, whatever its bytes; named, it is an error.
    write(&repo, "docs/notes.txt", b"caf\xe9 au lait\n");
    let named = run_all(&repo, &["docs/notes.txt", "good"]);
    has_line(
        &named,
        "docs/notes.txt:1:4: error: not UTF-8 text: plans and templates must be UTF-8",
    );
    assert_eq!(cp101_count(&named), 1);
    let r = run_all(&repo, &["."]);
    has_line(
        &r,
        "infra/main.tf:2:14: error: not UTF-8 text: Terraform files must be UTF-8",
    );
    has_line(
        &r,
        "plans/plan.txt:1:1: error: not UTF-8 text: plans and templates must be UTF-8",
    );
    assert!(!r.stdout.contains("docs/notes.txt"), "{}", r.stdout);
    has_line(&r, "tpl/t.tpl:2:1: error: templatefile(): not UTF-8 text");
    has_line(
        &r,
        "plan\u{fffd}.json:1:1: error: not read: the file name is not UTF-8",
    );
    has_line(
        &r,
        "names/bad\u{fffd}name.tf:1:1: error: not read: the file name is not UTF-8",
    );
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");
}

#[test]
fn unreadable_candidates_are_errors_not_skipped() {
    // Tests run as root, for whom `chmod 000` does not stop a read: a dangling symlink is the
    // unreadable file here (the read fails the same way, through the same code).
    let base = case("unreadable");
    let repo = base.join("repo");
    add_finding(&repo, "good");
    std::os::unix::fs::symlink("gone.tf", repo.join("good/broken.tf")).unwrap();
    std::os::unix::fs::symlink("loop-b.tf", repo.join("good/loop-a.tf")).unwrap();
    std::os::unix::fs::symlink("loop-a.tf", repo.join("good/loop-b.tf")).unwrap();
    let r = run_all(&repo, &["."]);
    has_line(
        &r,
        "good/broken.tf:1:1: error: cannot read: a symlink that leads nowhere (dangling or a loop)",
    );
    has_line(
        &r,
        "good/loop-a.tf:1:1: error: cannot read: a symlink that leads nowhere (dangling or a loop)",
    );
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");
}

#[test]
fn in_tree_symlinks_are_followed_once_and_loops_end() {
    let base = case("symlinks");
    let repo = base.join("repo");
    add_finding(&repo, "real");
    std::fs::create_dir_all(repo.join("linked")).unwrap();
    // A symlinked file in another folder, a symlinked folder, and a loop back to the root.
    std::os::unix::fs::symlink("../real/main.tf", repo.join("linked/main.tf")).unwrap();
    std::os::unix::fs::symlink("real", repo.join("alias")).unwrap();
    std::os::unix::fs::symlink("..", repo.join("real/loop")).unwrap();
    let r = run_all(&repo, &["."]);
    // The real file is checked once, however many ways lead to it.
    assert_eq!(cp101_count(&r), 1, "{}", r.stdout);
    assert_eq!(r.status, 1);

    // Only the symlinked file: followed.
    let only = base.join("repo2");
    std::fs::create_dir_all(only.join(".git")).unwrap();
    add_finding(&only, "real");
    std::fs::create_dir_all(only.join("scan")).unwrap();
    std::os::unix::fs::symlink("../real/main.tf", only.join("scan/main.tf")).unwrap();
    std::os::unix::fs::symlink("../real", only.join("scan/dir")).unwrap();
    let r = run_all(&only, &["scan"]);
    assert_eq!(cp101_count(&r), 1, "{}", r.stdout);
}

#[test]
fn ignore_files_hide_nothing_and_dot_terraform_stays_skipped() {
    let base = case("ignore");
    let repo = base.join("repo");
    add_finding(&repo, "a");
    add_finding(&repo, "b");
    write(&repo, ".ignore", "*\n");
    write(&repo, ".gitignore", "*\n");
    write(&repo, "a/.ignore", "*\n");
    write(&repo, ".rgignore", "*\n");
    add_finding(&repo, ".terraform/modules/cached");
    let r = run_all(&repo, &["."]);
    assert_eq!(cp101_count(&r), 2, "{}", r.stdout);
}

#[test]
fn a_folder_with_nothing_to_check_says_so() {
    let base = case("empty");
    let repo = base.join("repo");
    write(&repo, "docs/readme.md", "hello\n");
    let r = run_all(&repo, &["docs"]);
    has_line(
        &r,
        "docs:1:1: error: nothing to check in docs (looked for Terraform files *.tf and *.tf.json, plans from `terraform show -json`, state, the text of `terraform plan`, and CloudFormation templates in *.json, *.yaml, *.yml, *.template and *.txt files, outside .git, .terraform and .terragrunt-cache)",
    );
    assert_eq!(r.status, 2);
}

#[test]
fn configuration_above_the_repository_is_not_applied() {
    let base = case("config");
    let repo = base.join("repo");
    add_finding(&repo, "infra");
    let hostile = "fail_on = \"never\"\n[rules]\nCP101 = \"off\"\n";
    write(&base, ".clumio-preflight.toml", hostile);
    let r = run_all(&repo, &["infra"]);
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 1);
    assert!(!r.stderr.contains("configuration"), "{}", r.stderr);

    // Without a repository, the scanned folder is the limit.
    let plain = base.join("plain");
    add_finding(&plain, "infra");
    write(&plain, ".clumio-preflight.toml", hostile);
    let r = run_all(&plain, &["infra"]);
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 1);
}

#[test]
fn every_format_says_which_configuration_applied_and_what_it_turned_off() {
    let base = case("config-said");
    let repo = base.join("repo");
    add_finding(&repo, "infra");
    write(
        &repo,
        ".clumio-preflight.toml",
        "fail_on = \"never\"\nexclude = [\"legacy/**\"]\n[rules]\nCP304 = \"off\"\nCP101 = \"warning\"\n",
    );
    let said = "rule CP101 lowered to warning, rule CP304 off, fail_on = \"never\": findings never fail the run, exclude \"legacy/**\"";
    let doc = json(&repo, &["infra"]);
    assert_eq!(doc["configuration"]["file"], ".clumio-preflight.toml");
    assert_eq!(
        doc["configuration"]["turned_off"].as_array().unwrap().len(),
        4
    );
    let sarif: Value = serde_json::from_str(&run(&repo, &["infra"], "sarif").stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["properties"]["configuration"]["file"],
        ".clumio-preflight.toml"
    );
    let github = run(&repo, &["infra"], "github");
    assert!(
        github.stdout.contains(&format!("::notice title=clumio-preflight configuration::configuration .clumio-preflight.toml applied; it turns off: {said}")),
        "{}",
        github.stdout
    );
    for format in ["human", "line"] {
        let r = run(&repo, &["infra"], format);
        assert!(r.stderr.contains(said), "{format}: {}", r.stderr);
    }
    // `--no-config`: nothing applied, nothing said.
    let r = run(&repo, &["--no-config", "infra"], "line");
    assert_eq!(r.status, 1);
    assert!(!r.stderr.contains("configuration"));
    assert!(
        json(&repo, &["--no-config", "infra"])
            .get("configuration")
            .is_none()
    );
}

#[test]
fn configuration_limits_hold() {
    let base = case("config-limits");
    let repo = base.join("repo");
    add_finding(&repo, "infra");
    let mut big = String::from("exclude = [\n");
    while big.len() <= 1 << 20 {
        big.push_str("  \"a/**/b*{c,d}/**/e\",\n");
    }
    big.push_str("]\n");
    write(&repo, ".clumio-preflight.toml", &big);
    let r = run(&repo, &["infra"], "line");
    assert_eq!(r.status, 2);
    assert!(
        r.stderr
            .contains("not read: larger than the limit of 1 MiB"),
        "{}",
        r.stderr
    );

    let mut many = String::from("exclude = [\n");
    for i in 0..257 {
        many.push_str(&format!("  \"p{i}/**\",\n"));
    }
    many.push_str("]\n");
    write(&repo, ".clumio-preflight.toml", &many);
    let r = run(&repo, &["infra"], "line");
    assert_eq!(r.status, 2);
    assert!(
        r.stderr.contains("too many exclude patterns: at most 256"),
        "{}",
        r.stderr
    );
}

#[test]
fn cr_only_and_crlf_plan_text_is_detected_and_checked() {
    let base = case("cr");
    let repo = base.join("repo");
    let lf =
        std::fs::read_to_string(crate_root().join("testdata/plan/vpc-only-deny/plan.txt")).unwrap();
    write(&repo, "lf.txt", &lf);
    write(&repo, "cr.txt", lf.replace('\n', "\r"));
    write(&repo, "crlf.txt", lf.replace('\n', "\r\n"));
    let expected: Vec<String> = run(&repo, &["lf.txt"], "line")
        .stdout
        .lines()
        .map(|l| l.replacen("lf.txt", "", 1))
        .collect();
    assert!(expected.iter().any(|l| l.ends_with("[CP101]")));
    for name in ["cr.txt", "crlf.txt"] {
        let r = run_all(&repo, &[name]);
        let got: Vec<String> = r.stdout.lines().map(|l| l.replacen(name, "", 1)).collect();
        assert_eq!(
            got, expected,
            "{name}: same findings at the same lines and columns"
        );
        assert_eq!(r.status, 1);
    }
}

#[test]
fn a_file_gives_the_verdicts_of_its_folder_and_overlaps_count_once() {
    let base = case("unit");
    let repo = base.join("repo");
    write(
        &repo,
        "infra/main.tf",
        r#"resource "aws_s3_bucket" "b" {
  bucket = "b"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Principal = "*", Action = var.denied, Resource = "*" }]
  })
}
"#,
    );
    write(
        &repo,
        "infra/variables.tf",
        "variable \"denied\" {\n  type = string\n}\n",
    );
    write(&repo, "infra/terraform.tfvars", "denied = \"s3:*\"\n");
    add_finding(&repo, "infra/sub");
    let diagnostics = |args: &[&str]| {
        let doc = json(&repo, args);
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["file"].as_str().unwrap().starts_with("infra/main.tf")
                    || d["file"] == "infra/variables.tf"
            })
            .map(|d| format!("{}:{}:{} {}", d["file"], d["line"], d["column"], d["code"]))
            .collect::<Vec<_>>()
    };
    let folder = diagnostics(&["infra"]);
    assert!(folder.iter().any(|d| d.contains("CP101")), "{folder:?}");
    assert_eq!(diagnostics(&["infra/main.tf"]), folder);
    // The file alone does not take in its subfolders.
    let alone = run(&repo, &["infra/main.tf"], "line");
    assert!(!alone.stdout.contains("infra/sub/"), "{}", alone.stdout);

    // Overlapping inputs: checked once.
    let plan = std::fs::read(crate_root().join("testdata/plan/vpc-only-deny/plan.txt")).unwrap();
    write(&repo, "infra/plan.txt", plan);
    let once = run(&repo, &["infra"], "line");
    assert_eq!(cp101_count(&once), 3, "{}", once.stdout);
    for args in [
        &["infra", "infra"][..],
        &["infra/main.tf", "infra"][..],
        &["infra", "./infra/main.tf", "infra/sub"][..],
        &["infra/sub", "infra"][..],
        &["infra/plan.txt", "infra", "./infra/plan.txt"][..],
        &["infra", "infra/plan.txt"][..],
    ] {
        let r = run(&repo, args, "line");
        let mut got: Vec<&str> = r.stdout.lines().collect();
        let mut want: Vec<&str> = once.stdout.lines().collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{args:?}");
    }
}

#[test]
fn named_var_files_and_configs_that_are_symlinks_out_of_the_tree_are_refused() {
    let base = case("named");
    let repo = base.join("repo");
    add_finding(&repo, "infra");
    write(
        &base,
        "outside/prod.tfvars",
        format!("x = \"{SECRET_FILE}\"\n"),
    );
    std::os::unix::fs::symlink("../outside/prod.tfvars", repo.join("ci.tfvars")).unwrap();
    std::os::unix::fs::symlink("../outside/secret", repo.join("ci.toml")).unwrap();
    let r = run_all(&repo, &["--var-file", "ci.tfvars", "infra"]);
    has_line(
        &r,
        "ci.tfvars:1:1: error: not read: outside the scanned tree",
    );
    assert_eq!(cp101_count(&r), 1);
    assert_eq!(r.status, 2, "an input not read makes the result incomplete");
    let r = run_all(&repo, &["--config", "ci.toml", "infra"]);
    assert_eq!(r.status, 2);
    assert!(
        r.stderr.contains(
            "ci.toml: error: cannot read the configuration file: not read: outside the scanned tree"
        ),
        "{}",
        r.stderr
    );
    // A file outside the tree, named as itself, is the command line's choice: read.
    let outside = base.join("outside/prod.tfvars");
    let r = run(
        &repo,
        &["--var-file", outside.to_str().unwrap(), "infra"],
        "line",
    );
    assert_eq!(cp101_count(&r), 1);
    assert!(!r.stdout.contains("not read"), "{}", r.stdout);
}

/// `--baseline` goes through the boundary like `--config`: a FIFO is refused without
/// hanging, a link in the tree pointing outside is refused without quoting the target, and
/// a regular baseline file still works.
#[test]
fn a_baseline_is_read_only_as_a_regular_file_inside_the_rules() {
    let case = case("baseline");
    let repo = case.join("repo");
    add_finding(&repo, "app");
    let fifo = repo.join("baseline.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = std::time::Instant::now();
    let fifo_run = run(&repo, &["app", "--baseline", "baseline.json"], "line");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(fifo_run.status, 2, "{}", fifo_run.stderr);
    assert!(
        fifo_run.stderr.contains("cannot read the baseline"),
        "{}",
        fifo_run.stderr
    );
    std::os::unix::fs::symlink(case.join("outside/secret"), repo.join("link.json")).unwrap();
    let link_run = run(&repo, &["app", "--baseline", "link.json"], "line");
    assert_eq!(link_run.status, 2, "{}", link_run.stderr);
    assert!(
        !link_run.stderr.contains(SECRET_FILE),
        "{}",
        link_run.stderr
    );
    let write = run(&repo, &["app", "--write-baseline", "ok.json"], "line");
    assert_eq!(write.status, 0, "{}", write.stderr);
    let reuse = run(&repo, &["app", "--baseline", "ok.json"], "line");
    assert_eq!(reuse.status, 0, "{}{}", reuse.stdout, reuse.stderr);
    assert_eq!(cp101_count(&reuse), 0, "{}", reuse.stdout);
}

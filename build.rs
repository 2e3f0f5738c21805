//! Build script: records the git commit for `--version` when the crate is built from its own
//! git checkout (`0.1.0 (1a2b3c4d5e6f 2026-12-06)`); a build from the published crate has none.
//!
//! `CLUMIO_PREFLIGHT_GIT_COMMIT` overrides it (a container or release build without `.git`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=CLUMIO_PREFLIGHT_GIT_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Always named, present or not: `cargo package` verifies the crate from a copy without
    // .git and may share this script's output with the checkout's build; a path that does not
    // exist there makes cargo run the script again for the checkout.
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join(".git").display()
    );
    let commit = match std::env::var("CLUMIO_PREFLIGHT_GIT_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => Some(commit.trim().to_string()),
        _ => git_commit(&manifest_dir),
    };
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let full = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=CLUMIO_PREFLIGHT_VERSION={full}");
}

/// `SHORT_HASH DATE` of HEAD, when `dir` is the top of a git work tree (never a repository
/// that merely contains it, such as a home directory holding cargo's registry).
fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    // Rebuild when HEAD moves: a commit, checkout or reset rewrites these.
    if let Some(git_dir) = git(dir, &["rev-parse", "--absolute-git-dir"]) {
        for file in ["HEAD", "logs/HEAD"] {
            println!("cargo:rerun-if-changed={git_dir}/{file}");
        }
    }
    let hash = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let date = git(dir, &["log", "-1", "--format=%cs"]).unwrap_or_default();
    Some(format!("{hash} {date}").trim().to_string())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

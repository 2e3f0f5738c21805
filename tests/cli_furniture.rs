//! The command line's furniture: shell completions, the manual page, `--version` with the git
//! commit, and `-q/--quiet`.

mod support;

use std::process::Command;
use support::{cli, crate_root};

fn stdout_of(args: &[&str]) -> (i32, String, String) {
    let out = cli().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn completions_cover_every_shell_and_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (status, script, stderr) = stdout_of(&["completions", shell]);
        assert_eq!(status, 0, "{shell}: {stderr}");
        for word in [
            "clumio-preflight",
            "simulate",
            "explain",
            "fail-on",
            "quiet",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (status, _, stderr) = stdout_of(&["completions", "tcsh"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("tcsh"), "{stderr}");
}

#[test]
fn bash_completion_is_valid_bash() {
    let (_, script, _) = stdout_of(&["completions", "bash"]);
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("completion-{}.bash", std::process::id()));
    std::fs::write(&file, script).unwrap();
    let status = Command::new("bash").arg("-n").arg(&file).status().unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(status.success());
}

#[test]
fn man_page_is_roff_with_the_options() {
    let (status, page, stderr) = stdout_of(&["man"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(page.contains(".TH clumio-preflight 1"), "{page}");
    assert!(page.contains(".SH NAME"));
    for option in [r"\-\-fail\-on", r"\-\-quiet", r"\-\-account\-id"] {
        assert!(page.contains(option), "the manual page lacks {option}");
    }
    // Hidden from the help: it is a build tool, not a command for users.
    let (_, help, _) = stdout_of(&["--help"]);
    assert!(!help.contains("\n  man "), "{help}");
    assert!(help.contains("completions"));
}

#[test]
fn version_names_the_git_commit_when_built_from_git() {
    let (status, version, _) = stdout_of(&["--version"]);
    assert_eq!(status, 0);
    let expected_prefix = format!("clumio-preflight {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected_prefix), "{version}");
    let head = Command::new("git")
        .arg("-C")
        .arg(crate_root())
        .args(["rev-parse", "--short=12", "HEAD"])
        .output();
    match head {
        Ok(out) if out.status.success() => {
            let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert!(
                version.contains(&format!("({hash} ")),
                "{version} does not name HEAD {hash}"
            );
        }
        // Built from the published crate: the version alone.
        _ => assert_eq!(version.trim(), expected_prefix),
    }
}

#[test]
fn quiet_prints_only_the_summary_and_keeps_the_exit_status() {
    let dir = "testdata/terraform/ownership-object-writer";
    let (loud_status, loud, _) = stdout_of(&[dir, "--color=never"]);
    let (status, quiet, stderr) = stdout_of(&["-q", dir]);
    assert_eq!(status, loud_status, "{stderr}");
    assert_eq!(status, 1, "the example has an error");
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    assert!(quiet.starts_with("1 error"), "{quiet}");
    assert!(
        loud.trim_end().ends_with(quiet.trim_end()),
        "the summary is the human report's last line: {loud}"
    );
    let (status, quiet, _) = stdout_of(&["--quiet", "--format", "line", dir]);
    assert_eq!((status, quiet.lines().count()), (1, 1));
}

#[test]
fn quiet_still_writes_output_files_and_refuses_machine_formats() {
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("quiet-{}.json", std::process::id()));
    let out = cli()
        .args([
            "-q",
            "testdata/terraform/ownership-object-writer",
            "--output",
        ])
        .arg(format!("json={}", file.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let _ = std::fs::remove_file(&file);
    assert_eq!(json["summary"]["errors"], 1);
    let (status, stdout, stderr) = stdout_of(&["-q", "--format", "json", "testdata/terraform"]);
    assert_eq!((status, stdout.as_str()), (2, ""));
    assert!(stderr.contains("--quiet"), "{stderr}");
}

//! Output that cannot be executed (issue 10): each hostile input is built in a temporary
//! folder and scanned in every format. Whatever the input, no output line starts a GitHub
//! workflow command (`::` after white space) except the `github` format's own commands, no
//! line holds a legacy `##[` command, no raw control character (other than the line feed
//! between records and tab) or bidi control reaches standard output or error, and the
//! finding is still reported (escaped, not dropped). Identity inputs that do not have AWS's
//! form are usage errors (exit 2) that name their source.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use support::cli;

/// Raw bytes a terminal acts on: clear screen, a window title (OSC), concealed text, the
/// 8-bit CSI, a right-to-left override, and a legacy runner command.
const TERMINAL_TRAPS: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7} \u{1b}[8mhidden\u{1b}[0m \u{9b}31m \u{202e}txt ##[stop-commands]tok";

/// A fresh empty folder under the system's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "clumio-hostile-{}-{}-{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A bucket with ObjectWriter ownership (CP301), with `around` on the lines around the
/// finding so that human snippets show it.
fn object_writer_tf(around: &str) -> String {
    format!(
        "resource \"aws_s3_bucket\" \"data\" {{\n  bucket = \"acme\"\n}}\n\n\
         resource \"aws_s3_bucket_ownership_controls\" \"data\" {{\n  # {around}\n  \
         bucket = aws_s3_bucket.data.id\n  rule {{\n    object_ownership = \"ObjectWriter\" # {around}\n  \
         }}\n}}\n"
    )
}

const FORMATS: [&str; 5] = ["human", "line", "github", "json", "sarif"];

/// Whether the GitHub runner would read `line` as a workflow command.
fn starts_command(line: &str) -> bool {
    line.trim_start().starts_with("::")
}

/// One of the `github` format's own commands: `::error|warning|notice PROPS::DATA`, whose
/// properties hold no `:` (they are escaped) and whose data holds no line break.
fn is_own_command(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("::") else {
        return false;
    };
    let Some((head, _data)) = rest.split_once("::") else {
        return false;
    };
    let name = head.split(' ').next().unwrap_or_default();
    ["error", "warning", "notice"].contains(&name) && !head.contains(':')
}

/// A character the output must never hold raw.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2028}' | '\u{2029}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Removes the colour sequences (`ESC [ … m`) the human report writes itself.
fn strip_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        if tail[end..].starts_with('m') {
            rest = &tail[end + 1..];
        } else {
            out.push_str("\u{1b}[");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Every safety property of one output stream.
fn assert_safe(what: &str, format: &str, text: &str) {
    for (i, line) in text.lines().enumerate() {
        let own = format == "github" && is_own_command(line);
        assert!(
            own || !starts_command(line),
            "{what} [{format}] line {} starts a workflow command: {line:?}",
            i + 1
        );
        assert!(
            !line.contains("##["),
            "{what} [{format}] line {} holds a legacy command: {line:?}",
            i + 1
        );
        if let Some(c) = line.chars().find(|&c| is_unsafe(c)) {
            panic!(
                "{what} [{format}] line {} holds raw {:?}: {line:?}",
                i + 1,
                c
            );
        }
    }
    assert!(
        !text.contains('\r'),
        "{what} [{format}]: raw carriage return"
    );
}

/// Runs the scan of `target` from `cwd` in every format (human also in colour) and checks
/// the safety properties; `expect` must be found in every report.
fn scan_everywhere(what: &str, cwd: &Path, target: &str, expect: &str) {
    for format in FORMATS {
        let out = cli()
            .current_dir(cwd)
            .args([
                target,
                "--no-config",
                "--color",
                "never",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        // 1: findings; 2 when the only file could not be read (a module that is not there).
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{what} [{format}]: {:?} {stdout}{stderr}",
            out.status
        );
        assert_safe(what, format, &stdout);
        assert_safe(what, format, &stderr);
        match format {
            "json" | "sarif" => {
                let doc: Value = serde_json::from_str(&stdout).unwrap();
                let text = doc.to_string();
                assert!(
                    text.contains(expect),
                    "{what} [{format}]: {expect} not in {text}"
                );
            }
            _ => assert!(
                stdout.contains(expect),
                "{what} [{format}]: {expect} not in {stdout}"
            ),
        }
    }
    let out = cli()
        .current_dir(cwd)
        .args([
            target,
            "--no-config",
            "--color",
            "always",
            "--format",
            "human",
        ])
        .output()
        .unwrap();
    let stdout = strip_colours(&String::from_utf8(out.stdout).unwrap());
    assert_safe(what, "human in colour", &stdout);
    assert!(stdout.contains(expect), "{what} [human in colour]");
}

#[test]
fn a_folder_named_like_a_workflow_command() {
    let dir = temp_dir("folder");
    let folder = "::warning file=README.md,line=1::x";
    write(
        &dir.join(folder).join("main.tf"),
        &object_writer_tf(TERMINAL_TRAPS),
    );
    // Run inside the folder's parent, so that relative paths start with the folder's name.
    scan_everywhere("folder", &dir, ".", "CP301");
    let out = cli()
        .current_dir(&dir)
        .args([".", "--no-config", "--format", "line"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("./::warning file=README.md,line=1::x/main.tf:9:"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_name_with_a_line_feed_and_control_characters() {
    let dir = temp_dir("newline-name");
    write(
        &dir.join("a\n::error file=x.tf::pwned \u{1b}[2J.tf"),
        &object_writer_tf("plain"),
    );
    scan_everywhere("file name", &dir, ".", "CP301");
    let out = cli()
        .current_dir(&dir)
        .args([".", "--no-config", "--format", "line"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(r"a\n::error file=x.tf::pwned \x1b[2J.tf:9:"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_module_source_with_a_line_feed() {
    let dir = temp_dir("module");
    write(
        &dir.join("main.tf"),
        &format!(
            "{}\nmodule \"m\" {{\n  source = \"./nowhere\\n::error file=b.tf::module \\u001b]0;t\\u0007\"\n}}\n",
            object_writer_tf("x")
        ),
    );
    scan_everywhere("module source", &dir, ".", "nowhere");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_cloudformation_transform_name_with_a_line_feed() {
    let dir = temp_dir("transform");
    write(
        &dir.join("template.yaml"),
        &format!(
            "Transform: \"Evil\\n::error file=c::transform\\e[2J ##[error]x\"\n# {TERMINAL_TRAPS}\n\
             Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      \
             OwnershipControls:\n        Rules:\n          # {TERMINAL_TRAPS}\n          \
             - ObjectOwnership: ObjectWriter\n"
        ),
    );
    scan_everywhere("transform", &dir, ".", "CP301");
    // The note naming the transform is in every format that prints notes, escaped.
    for (format, shown) in [
        (
            "human",
            r"Transform `Evil\n::error file=c::transform\x1b[2J #\x23[error]x`",
        ),
        (
            "github",
            r"Transform `Evil\n::error file=c::transform\x1b[2J #\x23[error]x`",
        ),
        (
            "json",
            r"Transform `Evil\n::error file=c::transform\u001b[2J #\u0023[error]x`",
        ),
    ] {
        let out = cli()
            .current_dir(&dir)
            .args([".", "--no-config", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains(shown), "[{format}] {stdout}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn policy_strings_with_escapes_and_commands() {
    let dir = temp_dir("sid");
    let policy = format!(
        "{}\nresource \"aws_s3_bucket_policy\" \"data\" {{\n  bucket = aws_s3_bucket.data.id\n  \
         policy = jsonencode({{\n    Statement = [{{\n      \
         Sid = \"x\\u001b[2J\\n::error file=a::sid ##[error]legacy\\u009b\\u202e\"\n      \
         Effect = \"Deny\"\n      Principal = \"*\"\n      Action = \"s3:*\"\n      \
         Resource = \"*\"\n      # {TERMINAL_TRAPS}\n      \
         Condition = {{ StringNotEquals = {{ \"aws:SourceVpc\" = \"vpc-1\" }} }}\n    }}]\n  }})\n}}\n",
        object_writer_tf("y")
    );
    write(&dir.join("main.tf"), &policy);
    scan_everywhere("sid", &dir, ".", "CP101");
    // The machine formats keep the exact string: JSON's escapes decode to it.
    let out = cli()
        .current_dir(&dir)
        .args([".", "--no-config", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "CP101")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("x\u{1b}[2J\n::error file=a::sid ##[error]legacy\u{9b}\u{202e}"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn human_snippets_keep_columns_with_control_characters() {
    let dir = temp_dir("columns");
    // The control characters are in a comment before the finding on its own line: the
    // underline must still start under `"ObjectWriter"`.
    write(
        &dir.join("main.tf"),
        "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"acme\"\n}\n\n\
         resource \"aws_s3_bucket_ownership_controls\" \"data\" {\n  bucket = aws_s3_bucket.data.id\n  \
         rule {\n    /* ab */ object_ownership = \"ObjectWriter\"\n  }\n}\n",
    );
    let out = cli()
        .current_dir(&dir)
        .args([".", "--no-config", "--color", "never", "--format", "human"])
        .output()
        .unwrap();
    let plain = String::from_utf8(out.stdout).unwrap();
    let text = std::fs::read_to_string(dir.join("main.tf"))
        .unwrap()
        .replace("/* ab */", "/* \u{1b}\u{7} */");
    write(&dir.join("main.tf"), &text);
    let out = cli()
        .current_dir(&dir)
        .args([".", "--no-config", "--color", "never", "--format", "human"])
        .output()
        .unwrap();
    let hostile = String::from_utf8(out.stdout).unwrap();
    assert_safe("columns", "human", &hostile);
    // Same report, same columns, with the two characters shown as one picture each.
    assert_eq!(hostile, plain.replace("/* ab */", "/* ␛␇ */"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs a scan of an empty folder with `args` and `env`, expecting a usage error.
fn usage_error(args: &[&str], env: &[(&str, &str)], config: Option<&str>) -> String {
    let dir = temp_dir("identity");
    let mut cmd = cli();
    cmd.current_dir(&dir);
    if let Some(text) = config {
        write(&dir.join(".clumio-preflight.toml"), text);
        cmd.args(["--config", ".clumio-preflight.toml"]);
    } else {
        cmd.arg("--no-config");
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.arg(".").args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_safe("identity", "stderr", &stderr);
    let _ = std::fs::remove_dir_all(dir);
    stderr
}

#[test]
fn invalid_identity_flags_are_usage_errors_naming_the_flag() {
    let cases: [(&str, &str, &str); 7] = [
        ("--role-name", "x\n::error::y", "an IAM role name"),
        ("--role-name", &"r".repeat(65), "an IAM role name"),
        ("--role-path", "/a b/", "an IAM path"),
        ("--region", "us-east-1\u{1b}[2J", "an AWS region"),
        ("--account-id", "12345", "12 digits"),
        ("--org-id", "o-short", "AWS Organizations id"),
        (
            "--role-arn",
            "arn:aws:iam::123456789012:role/a\nb",
            "a role ARN",
        ),
    ];
    for (flag, value, expected) in cases {
        let stderr = usage_error(&[flag, value], &[], None);
        assert!(
            stderr.starts_with(&format!("error: {flag}: expected ")),
            "{stderr}"
        );
        assert!(stderr.contains(expected), "{stderr}");
    }
    let stderr = usage_error(&["--role-name", "x\n::error::y"], &[], None);
    assert!(stderr.contains(r#"got "x\n::error::y""#), "{stderr}");
}

#[test]
fn invalid_identity_environment_is_a_usage_error_naming_the_variable() {
    let stderr = usage_error(
        &[],
        &[("CLUMIO_PREFLIGHT_ROLE_PATH", "/\u{1b}]0;t\u{7}/")],
        None,
    );
    assert!(
        stderr.starts_with(
            "error: environment variable CLUMIO_PREFLIGHT_ROLE_PATH: expected an IAM path"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(r#"got "/\x1b]0;t\x07/""#), "{stderr}");
}

#[test]
fn invalid_identity_configuration_is_a_usage_error_at_its_line() {
    let stderr = usage_error(
        &[],
        &[],
        Some("fail_on = \"error\"\nrole_path = \"/\\n::stop-commands::tok/\"\n"),
    );
    assert!(
        stderr.starts_with(".clumio-preflight.toml:2:13: error: role_path: expected an IAM path"),
        "{stderr}"
    );
    let stderr = usage_error(&[], &[], Some("region = \"mars\"\n"));
    assert!(
        stderr.starts_with(".clumio-preflight.toml:1:10: error: region: expected an AWS region"),
        "{stderr}"
    );
}

#[test]
fn valid_identity_inputs_are_accepted() {
    let dir = temp_dir("valid-identity");
    write(&dir.join("main.tf"), &object_writer_tf("x"));
    let out = cli()
        .current_dir(&dir)
        .args([
            ".",
            "--no-config",
            "--role-arn",
            "arn:aws-us-gov:iam::123456789012:role/a+b/c.d/Clumio=R,1@x_y-z",
            "--region",
            "us-gov-west-1",
            "--org-id",
            "o-a1b2c3d4e5",
            "--format",
            "line",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn simulate_checks_identity_inputs_too() {
    let out = cli()
        .args(["simulate", "-", "--clumio", "--region", "nowhere"])
        .write_stdin("{}")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: --region: expected an AWS region"),
        "{stderr}"
    );
}

#[test]
fn values_clap_rejects_are_echoed_escaped() {
    let out = cli()
        .args(["--format", "x\u{1b}[2J\n::error::y"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_safe("clap", "stderr", &stderr);
    assert!(stderr.contains("invalid value 'x"), "{stderr}");
}

#[test]
fn the_fix_diff_quotes_hostile_lines_escaped() {
    // The lines around an ObjectWriter fix hold terminal escapes and a runner command: the
    // diff `--fix --diff` prints quotes them, escaped like every other text from a file.
    let dir = temp_dir("fix-diff");
    write(&dir.join("main.tf"), &object_writer_tf(TERMINAL_TRAPS));
    let out = cli()
        .current_dir(&dir)
        .args(["--fix", "--diff", "--no-config", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("+    object_ownership = \"BucketOwnerEnforced\""),
        "{stdout}"
    );
    assert_safe("fix diff", "diff", &stdout);
    assert_safe("fix diff", "diff", &String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

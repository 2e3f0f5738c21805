//! Snapshots of the human (`--color never`) and JSON reports of representative scenarios of
//! `testdata/terraform/`, run with the folder named relative to the crate root so that the
//! paths in the snapshots are stable, and with the flags of the scenario's `expect` file.
//! Review a changed snapshot by eye: every label must sit on the offending lines.

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::PathBuf;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The report of a scenario in `format` (`human` without colour, or `json`).
fn report(name: &str, format: &str) -> String {
    let folder = format!("testdata/terraform/{name}");
    let expect = std::fs::read_to_string(crate_root().join(&folder).join("expect"))
        .unwrap_or_else(|e| panic!("scenario {name}: cannot read expect: {e}"));
    let args: Vec<&str> = expect
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("args:"))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let mut cmd = cargo_bin_cmd!("clumio-preflight");
    cmd.current_dir(crate_root());
    for var in [
        "CLUMIO_PREFLIGHT_ACCOUNT_ID",
        "CLUMIO_PREFLIGHT_ROLE_ARN",
        "CLUMIO_PREFLIGHT_ROLE_NAME",
        "CLUMIO_PREFLIGHT_ROLE_PATH",
        "CLUMIO_PREFLIGHT_ORG_ID",
        "CLUMIO_PREFLIGHT_PERMISSIONS_BOUNDARY",
        "CLUMIO_PREFLIGHT_REGION",
        "CLUMIO_PREFLIGHT_FAIL_ON",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.arg("--format").arg(format);
    if format == "human" {
        cmd.arg("--color").arg("never");
    }
    let out = cmd
        .args(&args)
        .arg(&folder)
        .output()
        .unwrap_or_else(|e| panic!("scenario {name}: cannot run the binary: {e}"));
    String::from_utf8(out.stdout).expect("the report is UTF-8")
}

macro_rules! snapshots {
    ($($human:ident, $json:ident => $folder:literal;)*) => {
        $(
            #[test]
            fn $human() {
                insta::assert_snapshot!(concat!($folder, ".human"), report($folder, "human"));
            }

            #[test]
            fn $json() {
                insta::assert_snapshot!(concat!($folder, ".json"), report($folder, "json"));
            }
        )*
    };
}

snapshots! {
    human_vpc_only_deny, json_vpc_only_deny => "vpc-only-deny";
    human_notprincipal_incomplete, json_notprincipal_incomplete => "notprincipal-incomplete";
    human_ip_guard, json_ip_guard => "ip-guard";
    human_key_vpce_deny, json_key_vpce_deny => "key-vpce-deny";
    human_ownership_object_writer, json_ownership_object_writer => "ownership-object-writer";
    human_file_policy, json_file_policy => "file-policy";
    human_userid_exemption_partial, json_userid_exemption_partial => "userid-exemption-partial";
}

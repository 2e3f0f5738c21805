//! The traps a naive checker falls into (AWS-SEMANTICS.md, "Traps a naive checker falls
//! into", traps 1-26 and 33), one named test each, asserting exactly the verdict given there.
//!
//! Unless a trap says otherwise the caller is the Clumio session
//! `assumed-role/ClumioIAMRole-uw-2-tok/daebaksrv-S3Backup` of
//! `arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-tok`, calling S3 from outside the
//! customer's VPC, and the policy is a bucket-policy Deny with `"Principal":"*"`,
//! `"Action":"s3:*"` and Resource `bucket` + `bucket/*`. DENIED means the Deny applies `Yes`,
//! NOT denied means it applies `No`, UNKNOWN/WARN means `Depends`.

mod common;

use clumio_preflight::policy::ast::PolicyKind;
use clumio_preflight::policy::decision::{Decision, KeyState};
use clumio_preflight::policy::tri::Tri;
use clumio_preflight::profile::{
    BUCKET_ACTIONS, KMS_DECRYPT, KMS_GENERATE_DATA_KEY, OBJECT_ACTIONS, SESSION_NAMES,
};
use clumio_preflight::simulate::{SimulateArgs, simulate};
use clumio_preflight::value::PString;
use common::*;

/// Every action a backup needs, bucket-level then object-level.
fn backup_actions() -> impl Iterator<Item = &'static str> {
    BUCKET_ACTIONS.iter().chain(OBJECT_ACTIONS).copied()
}

/// Asserts the Deny of `policy` applies as `expected` to every backup action of `session`.
fn assert_deny_for_backup(
    policy: &clumio_preflight::policy::Policy,
    session: &str,
    expected: &Tri,
) {
    let profile = profile();
    for action in backup_actions() {
        let req = s3(&profile, session, action);
        let got = deny_applies(policy, &req);
        match expected {
            Tri::Depends(_) => assert!(
                is_depends(&got),
                "{action} by {session}: expected depends, got {got:?}\n{:#?}",
                explain(policy, &req)
            ),
            _ => assert_eq!(
                &got,
                expected,
                "{action} by {session}\n{:#?}",
                explain(policy, &req)
            ),
        }
    }
}

fn assert_denied(policy: &clumio_preflight::policy::Policy) {
    assert_deny_for_backup(policy, SESSION, &Tri::Yes);
}

fn assert_not_denied(policy: &clumio_preflight::policy::Policy) {
    assert_deny_for_backup(policy, SESSION, &Tri::No);
}

fn clumio_args(kind: PolicyKind) -> SimulateArgs {
    SimulateArgs {
        clumio: true,
        kind: Some(kind),
        ..Default::default()
    }
}

#[test]
fn trap_01_article_vpc_lock_denies() {
    let policy = bucket_policy(&trap_deny(
        r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-x"}}"#,
    ));
    for session in SESSION_NAMES {
        assert_deny_for_backup(&policy, session, &Tri::Yes);
    }
    // The whole backup, as `simulate --clumio` runs it, is denied.
    let sim = simulate(&policy, &clumio_args(PolicyKind::Bucket), &profile()).unwrap();
    assert_eq!(sim.decision, Decision::Deny);
}

#[test]
fn trap_02_if_exists_still_denies() {
    let policy = bucket_policy(&trap_deny(
        r#"{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-x"}}"#,
    ));
    assert_denied(&policy);
}

#[test]
fn trap_03_session_arn_in_principal_arn_denies() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:sts::{ACCT}:assumed-role/{ROLE_NAME}/daebaksrv-*"}}}}"#
    )));
    assert_denied(&policy);
    // Only the role entry exempts Clumio; the session entries next to it do nothing.
    let with_role = bucket_policy(&trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":["arn:aws:sts::{ACCT}:assumed-role/{ROLE_NAME}/daebaksrv-*","{ROLE_ARN}"]}}}}"#
    )));
    assert_not_denied(&with_role);
}

#[test]
fn trap_04_root_arn_exemption_denies() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":["arn:aws:iam::{ACCT}:root"]}}}}"#
    )));
    assert_denied(&policy);
}

#[test]
fn trap_05_path_forgotten_denies() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:iam::{ACCT}:role/ClumioIAMRole-*"}}}}"#
    )));
    assert_denied(&policy);
    // The working forms exempt it.
    for pattern in ["role/clumio/ClumioIAMRole-*", "role/*ClumioIAMRole-*"] {
        let policy = bucket_policy(&trap_deny(&format!(
            r#"{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:iam::{ACCT}:{pattern}"}}}}"#
        )));
        assert_not_denied(&policy);
    }
}

#[test]
fn trap_06_old_role_name_denies() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:iam::{ACCT}:role/clumio/ClumioRole-us-west-2-tok"}}}}"#
    )));
    assert_denied(&policy);
}

#[test]
fn trap_07_case_mismatch_denies() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:iam::{ACCT}:role/clumio/clumioiamrole-uw-2-tok"}}}}"#
    )));
    assert_denied(&policy);
}

#[test]
fn trap_08_wildcard_session_in_not_principal_denies() {
    let statement = deny_with(
        &format!(
            r#""NotPrincipal":{{"AWS":["arn:aws:iam::{ACCT}:root","{ROLE_ARN}","arn:aws:sts::{ACCT}:assumed-role/{ROLE_NAME}/daebaksrv-*"]}}"#
        ),
        r#""Action":"s3:*""#,
        "",
    );
    let policy = bucket_policy(&statement);
    for session in SESSION_NAMES {
        assert_deny_for_backup(&policy, session, &Tri::Yes);
    }
    // The evaluation says why: the partial wildcard never matches.
    let ev = explain(&policy, &s3(&profile(), SESSION, "s3:GetObject"));
    assert!(
        ev.statements[0]
            .because
            .iter()
            .any(|b| b.contains("partial wildcard")),
        "{ev:#?}"
    );
}

#[test]
fn trap_09_not_principal_without_session_denies() {
    let policy = bucket_policy(&deny_with(
        &format!(r#""NotPrincipal":{{"AWS":["arn:aws:iam::{ACCT}:root","{ROLE_ARN}"]}}"#),
        r#""Action":"s3:*""#,
        "",
    ));
    assert_denied(&policy);
}

fn not_principal_all_three() -> clumio_preflight::policy::Policy {
    bucket_policy(&deny_with(
        &format!(
            r#""NotPrincipal":{{"AWS":["arn:aws:iam::{ACCT}:root","{ROLE_ARN}","{SESSION_ARN}"]}}"#
        ),
        r#""Action":"s3:*""#,
        "",
    ))
}

#[test]
fn trap_10_not_principal_with_permissions_boundary_denies() {
    let policy = not_principal_all_three();
    let with_boundary = profile_with(|o| o.permissions_boundary = Some(true));
    for action in backup_actions() {
        let req = s3(&with_boundary, SESSION, action);
        assert_eq!(deny_applies(&policy, &req), Tri::Yes, "{action}");
    }
    // Without a boundary the exact three ARNs exempt the session; when nobody said, it
    // depends on the boundary.
    let without = profile_with(|o| o.permissions_boundary = Some(false));
    assert_eq!(
        deny_applies(&policy, &s3(&without, SESSION, "s3:GetObject")),
        Tri::No
    );
    let unsaid = profile();
    let t = deny_applies(&policy, &s3(&unsaid, SESSION, "s3:GetObject"));
    assert!(is_depends(&t), "{t:?}");
    assert!(
        t.unknowns()
            .iter()
            .any(|u| u.contains("--permissions-boundary"))
    );
}

#[test]
fn trap_11_incomplete_session_list_denies_ingestion() {
    let sessions: Vec<String> = SESSION_NAMES
        .iter()
        .filter(|s| s.starts_with("daebaksrv-"))
        .map(|s| format!(r#""arn:aws:sts::{ACCT}:assumed-role/{ROLE_NAME}/{s}""#))
        .collect();
    assert_eq!(sessions.len(), 3);
    let policy = bucket_policy(&deny_with(
        &format!(
            r#""NotPrincipal":{{"AWS":["arn:aws:iam::{ACCT}:root","{ROLE_ARN}",{}]}}"#,
            sessions.join(",")
        ),
        r#""Action":"s3:*""#,
        "",
    ));
    let no_boundary = profile_with(|o| o.permissions_boundary = Some(false));
    for action in backup_actions() {
        let ingest = s3(&no_boundary, "Ingestion-ingesttool", action);
        assert_eq!(deny_applies(&policy, &ingest), Tri::Yes, "{action}");
        let backup = s3(&no_boundary, SESSION, action);
        assert_eq!(deny_applies(&policy, &backup), Tri::No, "{action}");
    }
}

#[test]
fn trap_12_account_principal_tls_guard_not_denied() {
    let policy = bucket_policy(&deny_with(
        &format!(r#""Principal":{{"AWS":"{ACCT}"}}"#),
        r#""Action":"s3:*""#,
        r#"{"Bool":{"aws:SecureTransport":"false"}}"#,
    ));
    assert_not_denied(&policy);
    // The principal itself matches: the condition is what keeps the Deny off.
    let ev = explain(&policy, &s3(&profile(), SESSION, "s3:GetObject"));
    assert!(
        ev.statements[0]
            .because
            .iter()
            .any(|b| b.starts_with("Principal names")),
        "{ev:#?}"
    );
}

#[test]
fn trap_12_account_principal_ip_guard_denies() {
    let policy = bucket_policy(&deny_with(
        &format!(r#""Principal":{{"AWS":"{ACCT}"}}"#),
        r#""Action":"s3:*""#,
        r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
    ));
    assert_denied(&policy);
}

#[test]
fn trap_13_tls_only_policy_not_denied() {
    let policy = bucket_policy(&trap_deny(r#"{"Bool":{"aws:SecureTransport":"false"}}"#));
    assert_not_denied(&policy);
    let sim = simulate(&policy, &clumio_args(PolicyKind::Bucket), &profile()).unwrap();
    assert_eq!(sim.decision, Decision::ImplicitDeny);
}

fn resource_scoped_deny(resource: &str) -> clumio_preflight::policy::Policy {
    bucket_policy(&format!(
        r#"{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{resource}","Condition":{{"StringNotEquals":{{"aws:SourceVpc":"vpc-x"}}}}}}"#
    ))
}

#[test]
fn trap_14_bucket_only_resource_denies_bucket_actions_not_objects() {
    let policy = resource_scoped_deny("arn:aws:s3:::bucket");
    let p = profile();
    for action in [
        "s3:ListBucket",
        "s3:ListBucketVersions",
        "s3:GetBucketLocation",
        "s3:GetInventoryConfiguration",
        "s3:PutInventoryConfiguration",
    ] {
        assert_eq!(
            deny_applies(&policy, &s3(&p, SESSION, action)),
            Tri::Yes,
            "{action}"
        );
    }
    assert_eq!(
        deny_applies(&policy, &s3(&p, SESSION, "s3:GetObject")),
        Tri::No
    );
}

#[test]
fn trap_14_objects_only_resource_denies_reads_not_bucket_actions() {
    let policy = resource_scoped_deny("arn:aws:s3:::bucket/*");
    let p = profile();
    for action in OBJECT_ACTIONS {
        assert_eq!(
            deny_applies(&policy, &s3(&p, SESSION, action)),
            Tri::Yes,
            "{action}"
        );
    }
    for action in BUCKET_ACTIONS {
        assert_eq!(
            deny_applies(&policy, &s3(&p, SESSION, action)),
            Tri::No,
            "{action}"
        );
    }
}

#[test]
fn trap_15_not_action_denies_unlisted_backup_actions() {
    let policy = bucket_policy(&deny_with(
        r#""Principal":"*""#,
        r#""NotAction":["s3:GetObject","s3:ListBucket"]"#,
        r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-x"}}"#,
    ));
    let p = profile();
    for action in [
        "s3:GetObjectVersion",
        "s3:ListBucketVersions",
        "s3:GetObjectTagging",
        "s3:GetInventoryConfiguration",
        "s3:PutInventoryConfiguration",
    ] {
        assert_eq!(
            deny_applies(&policy, &s3(&p, SESSION, action)),
            Tri::Yes,
            "{action}"
        );
    }
    for action in ["s3:GetObject", "s3:ListBucket"] {
        assert_eq!(
            deny_applies(&policy, &s3(&p, SESSION, action)),
            Tri::No,
            "{action}"
        );
    }
}

#[test]
fn trap_15_action_match_ignores_case() {
    let policy = bucket_policy(&deny_with(
        r#""Principal":"*""#,
        r#""Action":"S3:GET*""#,
        r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-x"}}"#,
    ));
    let p = profile();
    assert_eq!(
        deny_applies(&policy, &s3(&p, SESSION, "s3:GetObject")),
        Tri::Yes
    );
    assert_eq!(
        deny_applies(&policy, &s3(&p, SESSION, "s3:ListBucket")),
        Tri::No
    );
}

#[test]
fn trap_16_conditions_are_anded_not_denied() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"StringNotEquals":{{"aws:SourceVpc":"vpc-x"}},"ArnNotLike":{{"aws:PrincipalArn":"{ROLE_ARN}"}}}}"#
    )));
    assert_not_denied(&policy);
}

#[test]
fn trap_17_principal_account_guard_not_denied() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"StringNotEquals":{{"aws:PrincipalAccount":"{ACCT}"}}}}"#
    )));
    assert_not_denied(&policy);
}

#[test]
fn trap_17_org_guard_depends_on_membership() {
    let policy = bucket_policy(&trap_deny(
        r#"{"StringNotEquals":{"aws:PrincipalOrgID":"o-x"}}"#,
    ));
    // In o-x: not denied.
    let in_org = profile_with(|o| o.org_id = Some("o-x".into()));
    assert_deny_for_backup_with(&policy, &in_org, |_| {}, &Tri::No);
    // In no organization the key is absent: denied.
    assert_deny_for_backup_with(
        &policy,
        &profile(),
        |req| req.context.set("aws:PrincipalOrgID", KeyState::Absent),
        &Tri::Yes,
    );
    // In another organization: denied.
    let other = profile_with(|o| o.org_id = Some("o-y".into()));
    assert_deny_for_backup_with(&policy, &other, |_| {}, &Tri::Yes);
    // Not said: it depends, naming --org-id.
    let req = s3(&profile(), SESSION, "s3:GetObject");
    let t = deny_applies(&policy, &req);
    assert!(is_depends(&t), "{t:?}");
    assert!(t.unknowns().iter().any(|u| u.contains("--org-id")), "{t:?}");
}

fn assert_deny_for_backup_with(
    policy: &clumio_preflight::policy::Policy,
    profile: &clumio_preflight::profile::Profile,
    adjust: impl Fn(&mut clumio_preflight::policy::Request),
    expected: &Tri,
) {
    for action in backup_actions() {
        let mut req = s3(profile, SESSION, action);
        adjust(&mut req);
        assert_eq!(&deny_applies(policy, &req), expected, "{action}");
    }
}

#[test]
fn trap_18_tag_exemption_is_unknown() {
    let policy = bucket_policy(&trap_deny(
        r#"{"StringNotEquals":{"aws:PrincipalTag/Vendor":"Clumio"}}"#,
    ));
    assert_deny_for_backup(&policy, SESSION, &Tri::depends("x"));
    // Settled either way once the tag is known.
    assert_deny_for_backup_with(
        &policy,
        &profile(),
        |req| {
            req.context
                .set_value("aws:PrincipalTag/Vendor", PString::known("Clumio"))
        },
        &Tri::No,
    );
    assert_deny_for_backup_with(
        &policy,
        &profile(),
        |req| req.context.set("aws:PrincipalTag/Vendor", KeyState::Absent),
        &Tri::Yes,
    );
}

#[test]
fn trap_19_userid_exemption_is_undecidable() {
    let policy = bucket_policy(&trap_deny(&format!(
        r#"{{"StringNotLike":{{"aws:userid":["AROAEXAMPLE:*","{ACCT}"]}}}}"#
    )));
    assert_deny_for_backup(&policy, SESSION, &Tri::depends("x"));
    let t = deny_applies(&policy, &s3(&profile(), SESSION, "s3:GetObject"));
    assert!(
        t.unknowns().iter().any(|u| u.contains("unique id")),
        "{t:?}"
    );
}

#[test]
fn trap_20_for_all_values_on_missing_key_denies() {
    let policy = bucket_policy(&trap_deny(
        r#"{"ForAllValues:StringNotEquals":{"aws:CalledVia":["x"]}}"#,
    ));
    assert_denied(&policy);
}

const ROOT_STATEMENT: &str = r#"{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#;

#[test]
fn trap_21_kms_root_statement_only_is_ok() {
    let policy = key_policy(ROOT_STATEMENT);
    let p = profile();
    for action in [KMS_DECRYPT, KMS_GENERATE_DATA_KEY] {
        for via_s3 in [true, false] {
            let req = kms(&p, action, via_s3);
            assert_eq!(
                allow_applies(&policy, &req),
                Tri::Yes,
                "{action} via_s3={via_s3}"
            );
            assert_eq!(decision(&policy, &req), Decision::Allow, "{action}");
        }
    }
}

#[test]
fn trap_22_kms_custom_policy_without_root_or_role_fails() {
    let policy = key_policy(&format!(
        r#"{{"Sid":"Admins","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCT}:role/KeyAdmin"}},"Action":"kms:*","Resource":"*"}},
           {{"Sid":"Users","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCT}:role/app/AppRole"}},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}}"#
    ));
    let p = profile();
    for via_s3 in [true, false] {
        let req = kms(&p, KMS_DECRYPT, via_s3);
        assert_eq!(allow_applies(&policy, &req), Tri::No);
        assert_eq!(decision(&policy, &req), Decision::ImplicitDeny);
    }
}

#[test]
fn trap_23_kms_generate_data_key_only_fails_decrypt() {
    let policy = key_policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE_ARN}"}},"Action":"kms:GenerateDataKey*","Resource":"*"}}"#
    ));
    let p = profile();
    let decrypt = kms(&p, KMS_DECRYPT, true);
    assert_eq!(decision(&policy, &decrypt), Decision::ImplicitDeny);
    // Writes (restores) would work.
    let generate = kms(&p, KMS_GENERATE_DATA_KEY, true);
    assert_eq!(decision(&policy, &generate), Decision::Allow);
}

const KMS_VPC_LOCK: &str = r#"{"Sid":"VpcOnly","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-x"}}}"#;

#[test]
fn trap_24_kms_vpc_lock_denies_s3_calls() {
    let policy = key_policy(&format!("{ROOT_STATEMENT},{KMS_VPC_LOCK}"));
    let p = profile();
    for action in [KMS_DECRYPT, KMS_GENERATE_DATA_KEY] {
        let req = kms(&p, action, true);
        assert_eq!(deny_applies(&policy, &req), Tri::Yes, "{action}");
        assert_eq!(decision(&policy, &req), Decision::Deny, "{action}");
    }
}

#[test]
fn trap_24_via_aws_service_exemption_lets_s3_through() {
    let policy = key_policy(&format!(
        r#"{ROOT_STATEMENT},{{"Sid":"VpcOnly","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{{"StringNotEquals":{{"aws:SourceVpce":"vpce-x"}},"Bool":{{"aws:ViaAWSService":"false"}}}}}}"#
    ));
    let p = profile();
    let via_s3 = kms(&p, KMS_DECRYPT, true);
    assert_eq!(deny_applies(&policy, &via_s3), Tri::No);
    assert_eq!(decision(&policy, &via_s3), Decision::Allow);
    // The role's own direct KMS calls are still locked out.
    let direct = kms(&p, KMS_DECRYPT, false);
    assert_eq!(deny_applies(&policy, &direct), Tri::Yes);
}

#[test]
fn trap_25_encryption_context_with_bucket_key_fails() {
    let policy = key_policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE_ARN}"}},"Action":"kms:Decrypt","Resource":"*","Condition":{{"StringLike":{{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::bucket/*"}}}}}}"#
    ));
    let p = profile();
    // With Bucket Keys the encryption context is the bucket ARN.
    let mut bucket_key = kms(&p, KMS_DECRYPT, true);
    bucket_key.context.set_value(
        "kms:EncryptionContext:aws:s3:arn",
        PString::known("arn:aws:s3:::bucket"),
    );
    assert_eq!(allow_applies(&policy, &bucket_key), Tri::No);
    assert_eq!(decision(&policy, &bucket_key), Decision::ImplicitDeny);
    // Without Bucket Keys (object ARN as context) the same statement allows.
    let mut per_object = kms(&p, KMS_DECRYPT, true);
    per_object.context.set_value(
        "kms:EncryptionContext:aws:s3:arn",
        PString::known("arn:aws:s3:::bucket/data/file.csv"),
    );
    assert_eq!(allow_applies(&policy, &per_object), Tri::Yes);
}

// Trap 26 (`aws/s3` key: `sse_algorithm = "aws:kms"` with no key id) is not an engine matter:
// there is no key policy to evaluate, so it is decided by the bucket-encryption rules.

#[test]
fn trap_33_missing_version_keeps_variables_literal() {
    let statement = trap_deny(&format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:iam::{ACCT}:role/${{aws:PrincipalTag/team}}/*"}}}}"#
    ));
    let tagged = |req: &mut clumio_preflight::policy::Request| {
        req.context
            .set_value("aws:PrincipalTag/team", PString::known("clumio"))
    };
    // No Version: `${aws:PrincipalTag/team}` is literal text, so the exemption never matches.
    let unversioned = parse(
        &format!(r#"{{"Statement":[{statement}]}}"#),
        PolicyKind::Bucket,
    );
    assert!(!unversioned.variables_enabled);
    assert_deny_for_backup_with(&unversioned, &profile(), tagged, &Tri::Yes);
    // With Version 2012-10-17 it expands to `role/clumio/*` and exempts the role.
    let versioned = bucket_policy(&statement);
    assert_deny_for_backup_with(&versioned, &profile(), tagged, &Tri::No);
}

//! Shared helpers for the engine test suites (`traps`, `operators`, `properties`): parsing
//! policy text, the Clumio profile of AWS-SEMANTICS.md's traps, and requests built from it.

#![allow(dead_code)]

use clumio_preflight::located_json::{OffsetMap, parse_json};
use clumio_preflight::policy::ast::{Policy, PolicyKind};
use clumio_preflight::policy::decision::{
    Decision, Evaluation, KeyState, Request, RequestContext, RequestPrincipal, evaluate,
};
use clumio_preflight::policy::parse::{PolicyError, parse_policy};
use clumio_preflight::policy::tri::Tri;
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::source::FileId;
use clumio_preflight::value::PString;

/// The customer account of the traps (`ACCT`).
pub const ACCT: &str = "111122223333";
/// The Clumio role name deployed by template v0.18+ (`R`).
pub const ROLE_NAME: &str = "ClumioIAMRole-uw-2-tok";
/// The Clumio role ARN, with its `/clumio/` path.
pub const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-tok";
/// The backup session.
pub const SESSION: &str = "daebaksrv-S3Backup";
/// The session ARN of the backup session (no path in session ARNs).
pub const SESSION_ARN: &str =
    "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-tok/daebaksrv-S3Backup";
/// The bucket of the traps.
pub const BUCKET: &str = "bucket";
/// A key ARN for KMS requests.
pub const KEY_ARN: &str =
    "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Parses `text` as a policy of `kind`, returning the policy and every parse error.
pub fn try_parse(text: &str, kind: PolicyKind) -> (Option<Policy>, Vec<PolicyError>) {
    let doc = parse_json(text, &OffsetMap::direct(FileId(0), 0))
        .unwrap_or_else(|e| panic!("test policy is not JSON: {}\n{text}", e.message));
    parse_policy(&doc, kind)
}

/// Parses `text` as a policy of `kind`; panics when AWS would reject it.
pub fn parse(text: &str, kind: PolicyKind) -> Policy {
    let (policy, errors) = try_parse(text, kind);
    assert!(
        errors.is_empty(),
        "unexpected policy errors: {:?}\n{text}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    policy.expect("a policy")
}

/// A versioned bucket policy with the given statements (JSON objects, comma-separated).
pub fn bucket_policy(statements: &str) -> Policy {
    parse(
        &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
        PolicyKind::Bucket,
    )
}

/// A versioned key policy with the given statements.
pub fn key_policy(statements: &str) -> Policy {
    parse(
        &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
        PolicyKind::Key,
    )
}

/// The traps' standard Deny: `"Principal":"*"`, `"Action":"s3:*"`, Resource bucket and
/// bucket/*, with `condition` (a JSON object, or empty for none).
pub fn trap_deny(condition: &str) -> String {
    deny_with(r#""Principal":"*""#, r#""Action":"s3:*""#, condition)
}

/// A Deny on the traps' bucket and its objects with the given principal and action elements
/// (each a `"Key": value` JSON fragment) and condition.
pub fn deny_with(principal: &str, action: &str, condition: &str) -> String {
    let cond = if condition.is_empty() {
        String::new()
    } else {
        format!(r#","Condition":{condition}"#)
    };
    format!(
        r#"{{"Sid":"Guard","Effect":"Deny",{principal},{action},"Resource":["arn:aws:s3:::{BUCKET}","arn:aws:s3:::{BUCKET}/*"]{cond}}}"#
    )
}

/// The options of the traps: account and role ARN known, nothing else said.
pub fn options() -> ProfileOptions {
    ProfileOptions {
        account_id: Some(ACCT.into()),
        role_arn: Some(ROLE_ARN.into()),
        ..Default::default()
    }
}

/// The traps' profile.
pub fn profile() -> Profile {
    profile_with(|_| {})
}

/// The traps' profile with some options changed.
pub fn profile_with(change: impl FnOnce(&mut ProfileOptions)) -> Profile {
    let mut opts = options();
    change(&mut opts);
    Profile::new(&opts).expect("valid profile options")
}

/// Whether an S3 action works on the bucket ARN (otherwise on an object ARN).
pub fn is_bucket_action(action: &str) -> bool {
    !action.to_ascii_lowercase().starts_with("s3:getobject")
        && !action.to_ascii_lowercase().starts_with("s3:putobject")
}

/// A direct S3 request by `session` of the profile's (single) role: bucket-level actions on
/// the bucket ARN, object-level ones on "some object" of the bucket.
pub fn s3(profile: &Profile, session: &str, action: &str) -> Request {
    let role = &profile.roles[0];
    let bucket = PString::known(BUCKET);
    let resource = if is_bucket_action(action) {
        profile.bucket_arn(&bucket)
    } else {
        profile.object_arn(&bucket)
    };
    profile.s3_request(role, session, action, resource)
}

/// A KMS request on [`KEY_ARN`] by the backup session, made by S3 on its behalf (`via_s3`)
/// or by the role itself.
pub fn kms(profile: &Profile, action: &str, via_s3: bool) -> Request {
    profile.kms_request(
        &profile.roles[0],
        SESSION,
        action,
        PString::known(KEY_ARN),
        via_s3,
    )
}

/// Whether any Deny statement of `policy` applies to `request`.
pub fn deny_applies(policy: &Policy, request: &Request) -> Tri {
    effect_applies(policy, request, "Deny")
}

/// Whether any Allow statement of `policy` applies to `request`.
pub fn allow_applies(policy: &Policy, request: &Request) -> Tri {
    effect_applies(policy, request, "Allow")
}

fn effect_applies(policy: &Policy, request: &Request, effect: &str) -> Tri {
    let ev = evaluate(policy, request);
    Tri::any(
        ev.statements
            .iter()
            .filter(|s| s.effect.as_str() == effect)
            .map(|s| s.applies.clone()),
    )
}

/// The overall decision for `request`.
pub fn decision(policy: &Policy, request: &Request) -> Decision {
    evaluate(policy, request).decision
}

/// The full evaluation, for messages.
pub fn explain(policy: &Policy, request: &Request) -> Evaluation {
    evaluate(policy, request)
}

/// Whether a verdict is `Depends` (on anything).
pub fn is_depends(t: &Tri) -> bool {
    matches!(t, Tri::Depends(_))
}

/// A request by `principal_arn` for `action` on `resource` with a context in which every key
/// not set by `setup` is absent (the `simulate` default).
pub fn request(
    principal_arn: &str,
    action: &str,
    resource: &str,
    setup: impl FnOnce(&mut RequestContext),
) -> Request {
    let mut context = RequestContext::new(KeyState::Absent);
    setup(&mut context);
    Request {
        principal: RequestPrincipal::from_arn(principal_arn),
        action: action.into(),
        resource: PString::known(resource),
        context,
    }
}

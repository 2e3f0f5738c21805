//! Unit tests of the IAM matching rules the evaluator implements (AWS-SEMANTICS.md 1.3-1.7):
//! every condition-operator family (String, Numeric, Date, Bool, Binary, IP, ARN, Null), the
//! `…IfExists` suffix and the `ForAnyValue:`/`ForAllValues:` qualifiers on absent, empty and
//! multi-valued keys, case-insensitive key names, AND across operators and keys, OR across
//! values (AND for negated operators), policy variables (Version, escapes, defaults, missing
//! values), action and resource matching, and Principal/NotPrincipal (account principals,
//! partial wildcards, NotPrincipal's account+role+session rule, permissions boundaries).

mod common;

use clumio_preflight::policy::ast::{OPERATORS, OpBase, PolicyKind};
use clumio_preflight::policy::decision::{Decision, KeyState, RequestContext, evaluate};
use clumio_preflight::policy::tri::Tri;
use clumio_preflight::profile::KMS_DECRYPT;
use clumio_preflight::value::{Hole, PString};
use common::*;

// ---------------------------------------------------------------------------------------
// Helpers

/// Whether an Allow statement with `condition` applies to a request whose context is set by
/// `setup` (every other key absent).
fn when(condition: &str, setup: impl FnOnce(&mut RequestContext)) -> Tri {
    when_versioned(Some("2012-10-17"), condition, setup)
}

fn when_versioned(
    version: Option<&str>,
    condition: &str,
    setup: impl FnOnce(&mut RequestContext),
) -> Tri {
    let version = version.map_or(String::new(), |v| format!(r#""Version":"{v}","#));
    let policy = parse(
        &format!(
            r#"{{{version}"Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{condition}}}]}}"#
        ),
        PolicyKind::Generic,
    );
    let req = request(SESSION_ARN, "s3:GetObject", "arn:aws:s3:::bucket/k", setup);
    evaluate(&policy, &req).statements[0].applies.clone()
}

/// Sets `key` to the given values.
fn with<'a>(key: &'a str, values: &'a [&'a str]) -> impl FnOnce(&mut RequestContext) + 'a {
    move |ctx| {
        ctx.set(
            key,
            KeyState::Present(values.iter().map(|v| PString::known(*v)).collect()),
        )
    }
}

/// Leaves every key absent.
fn absent(_: &mut RequestContext) {}

/// Makes `key` unknown.
fn unknown(key: &str) -> impl FnOnce(&mut RequestContext) + '_ {
    move |ctx| ctx.set(key, KeyState::Unknown("test".into()))
}

fn assert_depends(t: Tri) {
    assert!(is_depends(&t), "expected depends, got {t:?}");
}

/// Whether an Allow statement with the given principal element (a `"Principal": …` or
/// `"NotPrincipal": …` fragment) applies to the backup session.
fn principal_applies(element: &str, boundary: Option<bool>) -> Tri {
    principal_applies_to(element, SESSION_ARN, boundary)
}

fn principal_applies_to(element: &str, caller: &str, boundary: Option<bool>) -> Tri {
    let effect = if element.contains("NotPrincipal") {
        "Deny"
    } else {
        "Allow"
    };
    let policy = parse(
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}",{element},"Action":"s3:GetObject","Resource":"*"}}]}}"#
        ),
        PolicyKind::Bucket,
    );
    let mut req = request(caller, "s3:GetObject", "arn:aws:s3:::bucket/k", absent);
    // A session ARN carries no role path: name the role (with its path) explicitly.
    req.principal.role_arn = Some(PString::known(ROLE_ARN));
    req.principal.permissions_boundary = boundary;
    evaluate(&policy, &req).statements[0].applies.clone()
}

/// Whether a statement with `action` and `resource` elements (JSON fragments) applies to
/// `requested` on `resource_arn`.
fn matches(elements: &str, requested: &str, resource_arn: &str) -> Tri {
    let policy = parse(
        &format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny",{elements}}}]}}"#),
        PolicyKind::Generic,
    );
    let req = request(SESSION_ARN, requested, resource_arn, absent);
    evaluate(&policy, &req).statements[0].applies.clone()
}

/// A valid policy value for an operator family.
fn sample_value(base: OpBase) -> &'static str {
    use clumio_preflight::policy::ast::Comparison as C;
    match base.comparison() {
        C::Numeric(_) => "5",
        C::Date(_) => "2024-01-01T00:00:00Z",
        C::Bool | C::Null => "true",
        C::Ip => "10.0.0.0/8",
        C::Arn => "arn:aws:iam::111122223333:role/x",
        _ => "x",
    }
}

// ---------------------------------------------------------------------------------------
// String operators

#[test]
fn string_equals_is_exact_and_case_sensitive() {
    let c = r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#;
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-1"])), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceVpc", &["VPC-1"])), Tri::No);
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-10"])), Tri::No);
    assert_eq!(when(c, absent), Tri::No);
}

#[test]
fn string_equals_treats_wildcards_as_text() {
    let c = r#"{"StringEquals":{"aws:SourceVpc":"vpc-*"}}"#;
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-1"])), Tri::No);
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-*"])), Tri::Yes);
}

#[test]
fn string_not_equals_is_true_for_other_values_and_missing_keys() {
    let c = r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}"#;
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-1"])), Tri::No);
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-2"])), Tri::Yes);
    assert_eq!(when(c, absent), Tri::Yes);
    assert_depends(when(c, unknown("aws:SourceVpc")));
}

#[test]
fn string_equals_ignore_case_and_its_negation() {
    let c = r#"{"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":"Backup"}}"#;
    assert_eq!(
        when(c, with("aws:PrincipalTag/team", &["bACKUP"])),
        Tri::Yes
    );
    assert_eq!(
        when(c, with("aws:PrincipalTag/team", &["backups"])),
        Tri::No
    );
    assert_eq!(when(c, absent), Tri::No);
    let n = r#"{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/team":"Backup"}}"#;
    assert_eq!(when(n, with("aws:PrincipalTag/team", &["BACKUP"])), Tri::No);
    assert_eq!(when(n, with("aws:PrincipalTag/team", &["other"])), Tri::Yes);
    assert_eq!(when(n, absent), Tri::Yes);
}

#[test]
fn string_like_globs_anywhere_and_is_case_sensitive() {
    let c = r#"{"StringLike":{"s3:prefix":"home/*/d?ta*"}}"#;
    assert_eq!(when(c, with("s3:prefix", &["home/alice/data"])), Tri::Yes);
    assert_eq!(when(c, with("s3:prefix", &["home/a/b/dota/x"])), Tri::Yes);
    assert_eq!(when(c, with("s3:prefix", &["home/alice/dta"])), Tri::No);
    assert_eq!(when(c, with("s3:prefix", &["HOME/alice/data"])), Tri::No);
    assert_eq!(when(c, absent), Tri::No);
    // `*` matches the empty run, also across `:`.
    let star = r#"{"StringLike":{"aws:PrincipalArn":"arn:aws:*"}}"#;
    assert_eq!(
        when(star, with("aws:PrincipalArn", &["arn:aws:"])),
        Tri::Yes
    );
    assert_eq!(
        when(star, with("aws:PrincipalArn", &["arn:aws:iam::1:role/x"])),
        Tri::Yes
    );
}

#[test]
fn string_not_like_is_true_for_non_matching_and_missing_keys() {
    let c = r#"{"StringNotLike":{"s3:prefix":"logs/*"}}"#;
    assert_eq!(when(c, with("s3:prefix", &["logs/2024"])), Tri::No);
    assert_eq!(when(c, with("s3:prefix", &["data/2024"])), Tri::Yes);
    assert_eq!(when(c, absent), Tri::Yes);
}

// ---------------------------------------------------------------------------------------
// Numeric operators

#[test]
fn numeric_operators_compare_numbers_not_text() {
    let k = "s3:max-keys";
    let case = |op: &str, policy: &str, req: &str| {
        when(
            &format!(r#"{{"{op}":{{"{k}":"{policy}"}}}}"#),
            with(k, &[req]),
        )
    };
    assert_eq!(case("NumericEquals", "10", "10.0"), Tri::Yes);
    assert_eq!(case("NumericEquals", "10", "11"), Tri::No);
    assert_eq!(case("NumericNotEquals", "10", "11"), Tri::Yes);
    assert_eq!(case("NumericNotEquals", "10", "10"), Tri::No);
    // 9 < 10 as numbers (as text "9" > "10").
    assert_eq!(case("NumericLessThan", "10", "9"), Tri::Yes);
    assert_eq!(case("NumericLessThan", "10", "10"), Tri::No);
    assert_eq!(case("NumericLessThanEquals", "10", "10"), Tri::Yes);
    assert_eq!(case("NumericLessThanEquals", "10", "11"), Tri::No);
    assert_eq!(case("NumericGreaterThan", "10", "100"), Tri::Yes);
    assert_eq!(case("NumericGreaterThan", "10", "10"), Tri::No);
    assert_eq!(case("NumericGreaterThanEquals", "10", "10"), Tri::Yes);
    assert_eq!(case("NumericGreaterThanEquals", "10", "-3"), Tri::No);
    // A request value that is not a number never compares.
    assert_eq!(case("NumericLessThan", "10", "few"), Tri::No);
}

#[test]
fn numeric_values_may_be_json_numbers_and_missing_keys_follow_the_rule() {
    let c = r#"{"NumericLessThanEquals":{"s3:max-keys":100}}"#;
    assert_eq!(when(c, with("s3:max-keys", &["100"])), Tri::Yes);
    assert_eq!(when(c, absent), Tri::No);
    let n = r#"{"NumericNotEquals":{"s3:max-keys":100}}"#;
    assert_eq!(when(n, absent), Tri::Yes);
}

// ---------------------------------------------------------------------------------------
// Date operators

#[test]
fn date_operators_compare_instants() {
    let k = "aws:CurrentTime";
    let case = |op: &str, policy: &str, req: &str| {
        when(
            &format!(r#"{{"{op}":{{"{k}":"{policy}"}}}}"#),
            with(k, &[req]),
        )
    };
    let t = "2024-06-01T12:00:00Z";
    assert_eq!(case("DateEquals", t, "2024-06-01T12:00:00Z"), Tri::Yes);
    assert_eq!(case("DateEquals", t, "2024-06-01T12:00:01Z"), Tri::No);
    assert_eq!(case("DateNotEquals", t, "2024-06-01T12:00:01Z"), Tri::Yes);
    assert_eq!(case("DateNotEquals", t, t), Tri::No);
    assert_eq!(case("DateLessThan", t, "2024-05-31T23:59:59Z"), Tri::Yes);
    assert_eq!(case("DateLessThan", t, t), Tri::No);
    assert_eq!(case("DateLessThanEquals", t, t), Tri::Yes);
    assert_eq!(
        case("DateLessThanEquals", t, "2025-01-01T00:00:00Z"),
        Tri::No
    );
    assert_eq!(case("DateGreaterThan", t, "2025-01-01T00:00:00Z"), Tri::Yes);
    assert_eq!(case("DateGreaterThan", t, t), Tri::No);
    assert_eq!(case("DateGreaterThanEquals", t, t), Tri::Yes);
    assert_eq!(
        case("DateGreaterThanEquals", t, "2020-01-01T00:00:00Z"),
        Tri::No
    );
    // Offsets name the same instant.
    assert_eq!(case("DateEquals", t, "2024-06-01T14:00:00+02:00"), Tri::Yes);
}

#[test]
fn dates_may_be_epoch_seconds_or_bare_dates() {
    let k = "aws:EpochTime";
    let case = |op: &str, policy: &str, req: &str| {
        when(
            &format!(r#"{{"{op}":{{"{k}":"{policy}"}}}}"#),
            with(k, &[req]),
        )
    };
    // 1700000000 is 2023-11-14T22:13:20Z.
    assert_eq!(
        case("DateEquals", "1700000000", "2023-11-14T22:13:20Z"),
        Tri::Yes
    );
    assert_eq!(
        case("DateEquals", "2023-11-14T22:13:20Z", "1700000000"),
        Tri::Yes
    );
    assert_eq!(case("DateLessThan", "1700000001", "1700000000"), Tri::Yes);
    assert_eq!(case("DateGreaterThan", "1700000001", "1700000000"), Tri::No);
    // A bare date is midnight UTC.
    assert_eq!(
        case("DateEquals", "2024-01-31", "2024-01-31T00:00:00Z"),
        Tri::Yes
    );
    assert_eq!(
        case("DateLessThan", "2024-01-31", "2024-01-30T23:59:59Z"),
        Tri::Yes
    );
    assert_eq!(
        case("DateLessThan", "2024-01-31", "2024-01-31T00:00:01Z"),
        Tri::No
    );
    // Missing keys: positive false, negated true; unparsable request values never compare.
    assert_eq!(
        when(r#"{"DateLessThan":{"aws:EpochTime":"2024-01-31"}}"#, absent),
        Tri::No
    );
    assert_eq!(
        when(
            r#"{"DateNotEquals":{"aws:EpochTime":"2024-01-31"}}"#,
            absent
        ),
        Tri::Yes
    );
    assert_eq!(case("DateLessThan", "2024-01-31", "yesterday"), Tri::No);
}

// ---------------------------------------------------------------------------------------
// Bool and Binary

#[test]
fn bool_compares_true_and_false_including_json_booleans() {
    for c in [
        r#"{"Bool":{"aws:SecureTransport":"false"}}"#,
        r#"{"Bool":{"aws:SecureTransport":false}}"#,
    ] {
        assert_eq!(when(c, with("aws:SecureTransport", &["false"])), Tri::Yes);
        assert_eq!(when(c, with("aws:SecureTransport", &["true"])), Tri::No);
        assert_eq!(when(c, absent), Tri::No);
    }
    let t = r#"{"Bool":{"aws:MultiFactorAuthPresent":true}}"#;
    assert_eq!(
        when(t, with("aws:MultiFactorAuthPresent", &["true"])),
        Tri::Yes
    );
    assert_eq!(
        when(t, with("aws:MultiFactorAuthPresent", &["false"])),
        Tri::No
    );
}

#[test]
fn binary_equals_compares_base64_text() {
    let c = r#"{"BinaryEquals":{"s3:x-amz-content":"QmluYXJ5VmFsdWU="}}"#;
    assert_eq!(
        when(c, with("s3:x-amz-content", &["QmluYXJ5VmFsdWU="])),
        Tri::Yes
    );
    assert_eq!(when(c, with("s3:x-amz-content", &["T3RoZXI="])), Tri::No);
    assert_eq!(when(c, absent), Tri::No);
}

// ---------------------------------------------------------------------------------------
// IP operators

#[test]
fn ip_address_matches_ipv4_blocks_and_bare_addresses() {
    let c = r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.7"]}}"#;
    assert_eq!(when(c, with("aws:SourceIp", &["203.0.113.200"])), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceIp", &["203.0.114.1"])), Tri::No);
    // A bare address is a /32.
    assert_eq!(when(c, with("aws:SourceIp", &["198.51.100.7"])), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceIp", &["198.51.100.8"])), Tri::No);
    assert_eq!(when(c, absent), Tri::No);
}

#[test]
fn ip_address_matches_ipv6_blocks_and_bare_addresses() {
    let c = r#"{"IpAddress":{"aws:SourceIp":["2001:db8::/32","2001:db9::1"]}}"#;
    assert_eq!(
        when(c, with("aws:SourceIp", &["2001:db8:1234::5"])),
        Tri::Yes
    );
    assert_eq!(when(c, with("aws:SourceIp", &["2001:db9::1"])), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceIp", &["2001:db9::2"])), Tri::No);
    // Families never mix.
    assert_eq!(when(c, with("aws:SourceIp", &["203.0.113.1"])), Tri::No);
    let v4 = r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#;
    assert_eq!(when(v4, with("aws:SourceIp", &["2001:db8::1"])), Tri::No);
}

#[test]
fn not_ip_address_needs_every_block_to_miss_and_is_true_for_missing_keys() {
    let c = r#"{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}"#;
    assert_eq!(when(c, with("aws:SourceIp", &["192.168.1.1"])), Tri::No);
    assert_eq!(when(c, with("aws:SourceIp", &["10.9.9.9"])), Tri::No);
    assert_eq!(when(c, with("aws:SourceIp", &["8.8.8.8"])), Tri::Yes);
    assert_eq!(when(c, absent), Tri::Yes);
}

#[test]
fn clumio_source_ip_is_public_or_absent() {
    let p = profile();
    let deny = |cond: &str| bucket_policy(&trap_deny(cond));
    let on = |cond: &str| deny_applies(&deny(cond), &s3(&p, SESSION, "s3:GetObject"));
    // Never inside a private block: settled whether the key is absent or present.
    assert_eq!(
        on(r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#),
        Tri::Yes
    );
    assert_eq!(
        on(r#"{"NotIpAddress":{"aws:SourceIp":["172.16.0.0/12","fc00::/7"]}}"#),
        Tri::Yes
    );
    assert_eq!(
        on(r#"{"IpAddress":{"aws:SourceIp":"192.168.0.0/16"}}"#),
        Tri::No
    );
    // A public block may hold it; presence itself is open (Open Q3).
    assert_depends(on(r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#));
    assert_depends(on(r#"{"NotIpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#));
    assert_depends(on(r#"{"Null":{"aws:SourceIp":"true"}}"#));
    assert_depends(on(r#"{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#));
    // S3's KMS calls on the role's behalf: the source address is undocumented.
    let kms_deny = key_policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
    );
    assert_depends(deny_applies(&kms_deny, &kms(&p, KMS_DECRYPT, true)));
    assert_eq!(
        deny_applies(&kms_deny, &kms(&p, KMS_DECRYPT, false)),
        Tri::Yes
    );
}

// ---------------------------------------------------------------------------------------
// ARN operators

#[test]
fn arn_like_matches_each_of_the_six_parts_on_its_own() {
    let arn_like = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:svc:*:1111:x/*"}}"#;
    let string_like = r#"{"StringLike":{"aws:SourceArn":"arn:aws:svc:*:1111:x/*"}}"#;
    let plain = "arn:aws:svc:us-east-1:1111:x/y";
    assert_eq!(when(arn_like, with("aws:SourceArn", &[plain])), Tri::Yes);
    assert_eq!(when(string_like, with("aws:SourceArn", &[plain])), Tri::Yes);
    // Here StringLike's `*` spans `us-east-1:2222`; ArnLike's stays in the region part.
    let shifted = "arn:aws:svc:us-east-1:2222:1111:x/y";
    assert_eq!(
        when(string_like, with("aws:SourceArn", &[shifted])),
        Tri::Yes
    );
    assert_eq!(when(arn_like, with("aws:SourceArn", &[shifted])), Tri::No);
}

#[test]
fn arn_wildcards_cross_slashes_in_the_resource_part() {
    let c = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket/*/test/*"}}"#;
    assert_eq!(
        when(
            c,
            with("aws:SourceArn", &["arn:aws:s3:::bucket/1/2/test/x"])
        ),
        Tri::Yes
    );
    assert_eq!(
        when(c, with("aws:SourceArn", &["arn:aws:s3:::bucket/1/2/tests"])),
        Tri::No
    );
    let q = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b?cket"}}"#;
    assert_eq!(
        when(q, with("aws:SourceArn", &["arn:aws:s3:::bucket"])),
        Tri::Yes
    );
}

#[test]
fn arn_equals_behaves_like_arn_like_and_not_equals_like_not_like() {
    let pattern = "arn:aws:iam::*:role/clumio/*";
    for (op, yes, no) in [
        ("ArnEquals", Tri::Yes, Tri::No),
        ("ArnLike", Tri::Yes, Tri::No),
        ("ArnNotEquals", Tri::No, Tri::Yes),
        ("ArnNotLike", Tri::No, Tri::Yes),
    ] {
        let c = format!(r#"{{"{op}":{{"aws:PrincipalArn":"{pattern}"}}}}"#);
        assert_eq!(when(&c, with("aws:PrincipalArn", &[ROLE_ARN])), yes, "{op}");
        assert_eq!(
            when(
                &c,
                with(
                    "aws:PrincipalArn",
                    &["arn:aws:iam::111122223333:role/other/R"]
                )
            ),
            no,
            "{op}"
        );
    }
}

#[test]
fn arn_matching_is_case_sensitive_and_needs_an_arn() {
    let c = format!(r#"{{"ArnLike":{{"aws:PrincipalArn":"{ROLE_ARN}"}}}}"#);
    let upper = ROLE_ARN.replace("ClumioIAMRole", "CLUMIOIAMROLE");
    assert_eq!(when(&c, with("aws:PrincipalArn", &[&upper])), Tri::No);
    assert_eq!(when(&c, with("aws:PrincipalArn", &["not-an-arn"])), Tri::No);
    let n = format!(r#"{{"ArnNotLike":{{"aws:PrincipalArn":"{ROLE_ARN}"}}}}"#);
    assert_eq!(
        when(&n, with("aws:PrincipalArn", &["not-an-arn"])),
        Tri::Yes
    );
    assert_eq!(when(&n, absent), Tri::Yes);
    assert_eq!(when(&c, absent), Tri::No);
}

#[test]
fn arn_operators_with_an_unknown_arn_depend() {
    // A policy value that is wholly unknown (e.g. a role ARN known only after apply) could be
    // any ARN: neither a certain match nor a certain miss.
    let policy = bucket_policy(&trap_deny(
        r#"{"ArnNotLike":{"aws:PrincipalArn":"PLACEHOLDER"}}"#,
    ));
    let mut policy = policy;
    policy.statements[0].conditions[0].values[0].value = PString::hole(Hole::unknown(
        "role-arn",
        "the role ARN (known after apply)",
    ));
    let t = deny_applies(&policy, &s3(&profile(), SESSION, "s3:GetObject"));
    assert_depends(t.clone());
    assert!(
        t.unknowns().iter().any(|u| u.contains("known after apply")),
        "{t:?}"
    );
    // Same for a request value that is wholly unknown.
    let c = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket"}}"#;
    assert_depends(when(c, |ctx| {
        ctx.set_value(
            "aws:SourceArn",
            PString::hole(Hole::unknown("src", "the source ARN")),
        )
    }));
    // An unknown that cannot produce a match stays a certain miss.
    let c = r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket"}}"#;
    assert_eq!(
        when(c, |ctx| {
            ctx.set_value(
                "aws:SourceArn",
                PString::known("arn:aws:sqs:")
                    .with_hole(Hole::unknown("rest", "the rest of the ARN")),
            )
        }),
        Tri::No
    );
}

// ---------------------------------------------------------------------------------------
// Null, …IfExists, set qualifiers, missing keys

#[test]
fn null_true_means_absent_and_false_means_present() {
    let t = r#"{"Null":{"aws:SourceVpce":"true"}}"#;
    assert_eq!(when(t, absent), Tri::Yes);
    assert_eq!(when(t, with("aws:SourceVpce", &["vpce-1"])), Tri::No);
    let f = r#"{"Null":{"aws:SourceVpce":false}}"#;
    assert_eq!(when(f, with("aws:SourceVpce", &["vpce-1"])), Tri::Yes);
    assert_eq!(when(f, absent), Tri::No);
    assert_depends(when(f, unknown("aws:SourceVpce")));
}

#[test]
fn every_operator_on_a_missing_key_follows_the_positive_false_negated_true_rule() {
    for (name, base) in OPERATORS {
        if *base == OpBase::Null {
            continue;
        }
        let c = format!(
            r#"{{"{name}":{{"test:Missing":"{}"}}}}"#,
            sample_value(*base)
        );
        let expected = Tri::from_bool(base.is_negated());
        assert_eq!(when(&c, absent), expected, "{name}");
    }
}

#[test]
fn every_if_exists_operator_is_true_on_a_missing_key() {
    for (name, base) in OPERATORS {
        if *base == OpBase::Null {
            continue;
        }
        let c = format!(
            r#"{{"{name}IfExists":{{"test:Missing":"{}"}}}}"#,
            sample_value(*base)
        );
        assert_eq!(when(&c, absent), Tri::Yes, "{name}IfExists");
    }
}

#[test]
fn if_exists_compares_a_present_key() {
    let c = r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#;
    assert_eq!(when(c, with("aws:SourceVpce", &["vpce-1"])), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceVpce", &["vpce-2"])), Tri::No);
    let n = r#"{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#;
    assert_eq!(when(n, with("aws:SourceVpce", &["vpce-1"])), Tri::No);
    assert_eq!(when(n, absent), Tri::Yes);
}

#[test]
fn set_qualified_if_exists_is_true_on_a_missing_key() {
    for op in [
        "ForAnyValue:StringEqualsIfExists",
        "ForAllValues:StringEqualsIfExists",
        "ForAnyValue:StringNotLikeIfExists",
    ] {
        let c = format!(r#"{{"{op}":{{"aws:TagKeys":["a"]}}}}"#);
        assert_eq!(when(&c, absent), Tri::Yes, "{op}");
    }
    // Present, they compare as usual.
    let c = r#"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}"#;
    assert_eq!(when(c, with("aws:TagKeys", &["b", "c"])), Tri::No);
    assert_eq!(when(c, with("aws:TagKeys", &["b", "a"])), Tri::Yes);
}

#[test]
fn for_any_value_is_false_for_missing_or_empty_keys() {
    let c = r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#;
    assert_eq!(when(c, absent), Tri::No);
    assert_eq!(when(c, with("aws:TagKeys", &[])), Tri::No);
    assert_eq!(when(c, with("aws:TagKeys", &["x", "b"])), Tri::Yes);
    assert_eq!(when(c, with("aws:TagKeys", &["x", "y"])), Tri::No);
    // Negated: some request value matches none of the policy values.
    let n = r#"{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}"#;
    assert_eq!(when(n, with("aws:TagKeys", &["a", "z"])), Tri::Yes);
    assert_eq!(when(n, with("aws:TagKeys", &["a"])), Tri::No);
    assert_eq!(when(n, absent), Tri::No);
}

#[test]
fn for_all_values_is_true_for_missing_or_empty_keys() {
    let c = r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#;
    assert_eq!(when(c, absent), Tri::Yes);
    assert_eq!(when(c, with("aws:TagKeys", &[])), Tri::Yes);
    assert_eq!(when(c, with("aws:TagKeys", &["a", "b"])), Tri::Yes);
    assert_eq!(when(c, with("aws:TagKeys", &["a", "c"])), Tri::No);
    // Negated: every request value matches none of the policy values.
    let n = r#"{"ForAllValues:StringNotEquals":{"aws:CalledVia":["x"]}}"#;
    assert_eq!(when(n, with("aws:CalledVia", &["y", "z"])), Tri::Yes);
    assert_eq!(when(n, with("aws:CalledVia", &["y", "x"])), Tri::No);
    assert_eq!(when(n, absent), Tri::Yes);
    assert_depends(when(n, unknown("aws:CalledVia")));
}

#[test]
fn set_qualifiers_work_with_like_operators() {
    let c = r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team-*","env"]}}"#;
    assert_eq!(when(c, with("aws:TagKeys", &["team-a", "env"])), Tri::Yes);
    assert_eq!(when(c, with("aws:TagKeys", &["team-a", "owner"])), Tri::No);
}

// ---------------------------------------------------------------------------------------
// Keys, AND and OR

#[test]
fn condition_key_names_ignore_case() {
    let c = r#"{"StringEquals":{"AWS:SOURCEVPC":"vpc-1"}}"#;
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-1"])), Tri::Yes);
    let d = r#"{"StringEquals":{"aws:sourcevpc":"vpc-1"}}"#;
    assert_eq!(when(d, with("AWS:SourceVPC", &["vpc-1"])), Tri::Yes);
    assert_eq!(when(d, with("AWS:SourceVPC", &["VPC-1"])), Tri::No);
}

#[test]
fn operators_in_a_block_are_anded() {
    let c = r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"},"Bool":{"aws:SecureTransport":"true"}}"#;
    let both = |ctx: &mut RequestContext| {
        ctx.set_value("aws:SourceVpc", "vpc-1".into());
        ctx.set_value("aws:SecureTransport", "true".into());
    };
    assert_eq!(when(c, both), Tri::Yes);
    let one = |ctx: &mut RequestContext| {
        ctx.set_value("aws:SourceVpc", "vpc-1".into());
        ctx.set_value("aws:SecureTransport", "false".into());
    };
    assert_eq!(when(c, one), Tri::No);
}

#[test]
fn keys_under_one_operator_are_anded() {
    let c = r#"{"StringEquals":{"aws:SourceVpc":"vpc-1","aws:SourceVpce":"vpce-1"}}"#;
    let both = |ctx: &mut RequestContext| {
        ctx.set_value("aws:SourceVpc", "vpc-1".into());
        ctx.set_value("aws:SourceVpce", "vpce-1".into());
    };
    assert_eq!(when(c, both), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceVpc", &["vpc-1"])), Tri::No);
}

#[test]
fn values_are_ored_for_positive_operators() {
    let c = r#"{"StringEquals":{"aws:SourceVpce":["vpce-a","vpce-b"]}}"#;
    assert_eq!(when(c, with("aws:SourceVpce", &["vpce-b"])), Tri::Yes);
    assert_eq!(when(c, with("aws:SourceVpce", &["vpce-c"])), Tri::No);
}

#[test]
fn values_must_all_miss_for_negated_operators() {
    let c = r#"{"StringNotEquals":{"aws:SourceVpce":["vpce-a","vpce-b"]}}"#;
    assert_eq!(when(c, with("aws:SourceVpce", &["vpce-b"])), Tri::No);
    assert_eq!(when(c, with("aws:SourceVpce", &["vpce-c"])), Tri::Yes);
    let arns = format!(
        r#"{{"ArnNotLike":{{"aws:PrincipalArn":["arn:aws:iam::{ACCT}:role/other","arn:aws:iam::{ACCT}:role/clumio/*"]}}}}"#
    );
    assert_eq!(when(&arns, with("aws:PrincipalArn", &[ROLE_ARN])), Tri::No);
}

#[test]
fn an_unknown_key_makes_a_condition_depend_but_not_an_and_with_a_false_one() {
    let c = r#"{"StringNotEquals":{"aws:PrincipalTag/team":"x"},"Bool":{"aws:SecureTransport":"false"}}"#;
    let setup = |ctx: &mut RequestContext| {
        ctx.set("aws:PrincipalTag/team", KeyState::Unknown("tag".into()));
        ctx.set_value("aws:SecureTransport", "true".into());
    };
    assert_eq!(when(c, setup), Tri::No);
    assert_depends(when(
        r#"{"StringNotEquals":{"aws:PrincipalTag/team":"x"}}"#,
        unknown("aws:PrincipalTag/team"),
    ));
}

// ---------------------------------------------------------------------------------------
// Policy variables

const PREFIX_VAR: &str = r#"{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}"#;

#[test]
fn variables_expand_with_version_2012_10_17() {
    let setup = |prefix: &'static str| {
        move |ctx: &mut RequestContext| {
            ctx.set_value("aws:username", "alice".into());
            ctx.set_value("s3:prefix", prefix.into());
        }
    };
    assert_eq!(when(PREFIX_VAR, setup("home/alice/notes")), Tri::Yes);
    assert_eq!(when(PREFIX_VAR, setup("home/bob/notes")), Tri::No);
    // The variable's key name ignores case.
    let upper = r#"{"StringLike":{"s3:prefix":"home/${AWS:UserName}/*"}}"#;
    assert_eq!(when(upper, setup("home/alice/notes")), Tri::Yes);
}

#[test]
fn variables_are_literal_text_without_version_or_with_2008_10_17() {
    for version in [None, Some("2008-10-17")] {
        let setup = |prefix: &'static str| {
            move |ctx: &mut RequestContext| {
                ctx.set_value("aws:username", "alice".into());
                ctx.set_value("s3:prefix", prefix.into());
            }
        };
        assert_eq!(
            when_versioned(version, PREFIX_VAR, setup("home/alice/notes")),
            Tri::No,
            "{version:?}"
        );
        assert_eq!(
            when_versioned(version, PREFIX_VAR, setup("home/${aws:username}/notes")),
            Tri::Yes,
            "{version:?}"
        );
    }
}

#[test]
fn variable_escapes_are_literal_characters() {
    let star = r#"{"StringLike":{"s3:prefix":"a${*}b"}}"#;
    assert_eq!(when(star, with("s3:prefix", &["a*b"])), Tri::Yes);
    assert_eq!(when(star, with("s3:prefix", &["axxb"])), Tri::No);
    let q = r#"{"StringLike":{"s3:prefix":"a${?}b"}}"#;
    assert_eq!(when(q, with("s3:prefix", &["a?b"])), Tri::Yes);
    assert_eq!(when(q, with("s3:prefix", &["axb"])), Tri::No);
    let dollar = r#"{"StringEquals":{"s3:prefix":"cost${$}"}}"#;
    assert_eq!(when(dollar, with("s3:prefix", &["cost$"])), Tri::Yes);
}

#[test]
fn variable_defaults_apply_only_when_the_key_is_missing() {
    let c = r#"{"StringEquals":{"s3:prefix":"${aws:username, 'nobody'}"}}"#;
    assert_eq!(when(c, with("s3:prefix", &["nobody"])), Tri::Yes);
    let named = |ctx: &mut RequestContext| {
        ctx.set_value("aws:username", "alice".into());
        ctx.set_value("s3:prefix", "nobody".into());
    };
    assert_eq!(when(c, named), Tri::No);
}

#[test]
fn a_variable_without_value_matches_nothing_positively_and_depends_when_negated() {
    // aws:username is absent (roles never carry it).
    let pos = r#"{"StringEquals":{"s3:prefix":"${aws:username}"}}"#;
    assert_eq!(when(pos, with("s3:prefix", &[""])), Tri::No);
    let like = r#"{"StringLike":{"s3:prefix":"${aws:username}*"}}"#;
    assert_eq!(when(like, with("s3:prefix", &["anything"])), Tri::No);
    let neg = r#"{"StringNotEquals":{"s3:prefix":"${aws:username}"}}"#;
    let t = when(neg, with("s3:prefix", &["x"]));
    assert_depends(t.clone());
    assert!(
        t.unknowns().iter().any(|u| u.contains("aws:username")),
        "{t:?}"
    );
    // A multi-valued key has no single value either.
    let multi = |ctx: &mut RequestContext| {
        ctx.set(
            "aws:TagKeys",
            KeyState::Present(vec!["a".into(), "b".into()]),
        );
        ctx.set_value("s3:prefix", "a".into());
    };
    assert_eq!(
        when(r#"{"StringEquals":{"s3:prefix":"${aws:TagKeys}"}}"#, multi),
        Tri::No
    );
    // A variable whose key is unknown makes the comparison depend.
    let unknown_var = |ctx: &mut RequestContext| {
        ctx.set("aws:PrincipalTag/team", KeyState::Unknown("tag".into()));
        ctx.set_value("s3:prefix", "x".into());
    };
    assert_depends(when(
        r#"{"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team}"}}"#,
        unknown_var,
    ));
}

#[test]
fn a_variable_without_value_in_resource_matches_nothing() {
    let policy = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:username}/*"}]}"#,
        PolicyKind::Generic,
    );
    let at = |setup: &dyn Fn(&mut RequestContext)| {
        let req = request(
            SESSION_ARN,
            "s3:GetObject",
            "arn:aws:s3:::bucket/alice/file",
            setup,
        );
        evaluate(&policy, &req).statements[0].applies.clone()
    };
    assert_eq!(at(&|_| {}), Tri::No);
    assert_eq!(
        at(&|ctx| ctx.set_value("aws:username", "alice".into())),
        Tri::Yes
    );
    assert_eq!(
        at(&|ctx| ctx.set_value("aws:username", "bob".into())),
        Tri::No
    );
    assert_depends(at(&|ctx| {
        ctx.set("aws:username", KeyState::Unknown("u".into()))
    }));
}

// ---------------------------------------------------------------------------------------
// Action and Resource

#[test]
fn actions_match_ignoring_case_with_wildcards_anywhere() {
    let r = r#""Resource":"*""#;
    for (action, requested, expected) in [
        ("S3:GET*", "s3:GetObject", Tri::Yes),
        ("s3:getobject", "s3:GetObject", Tri::Yes),
        ("s3:*Object*", "s3:GetObjectTagging", Tri::Yes),
        ("s3:Get?bject", "s3:GetObject", Tri::Yes),
        ("iam:*AccessKey*", "iam:ListAccessKeys", Tri::Yes),
        ("s3:Put*", "s3:GetObject", Tri::No),
        ("s3:*", "kms:Decrypt", Tri::No),
        ("*", "kms:Decrypt", Tri::Yes),
    ] {
        let elements = format!(r#""Action":"{action}",{r}"#);
        assert_eq!(
            matches(&elements, requested, "arn:aws:s3:::bucket/k"),
            expected,
            "{action} vs {requested}"
        );
    }
}

#[test]
fn not_action_covers_every_unlisted_action() {
    let elements = r#""NotAction":["s3:Get*","s3:ListBucket"],"Resource":"*""#;
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::b/k"),
        Tri::No
    );
    assert_eq!(
        matches(elements, "S3:LISTBUCKET", "arn:aws:s3:::b"),
        Tri::No
    );
    assert_eq!(
        matches(elements, "s3:ListBucketVersions", "arn:aws:s3:::b"),
        Tri::Yes
    );
    assert_eq!(matches(elements, "kms:Decrypt", "*"), Tri::Yes);
}

#[test]
fn resources_match_object_keys_case_sensitively() {
    let elements = r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/Logs/*""#;
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::bucket/Logs/a"),
        Tri::Yes
    );
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::bucket/logs/a"),
        Tri::No
    );
}

#[test]
fn resource_wildcards_cross_slashes_and_the_bucket_arn_is_not_an_object() {
    let elements = r#""Action":"s3:*","Resource":"arn:aws:s3:::bucket/*/test/*""#;
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::bucket/1/2/test/x"),
        Tri::Yes
    );
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::bucket/1/x"),
        Tri::No
    );
    let objects = r#""Action":"s3:*","Resource":"arn:aws:s3:::bucket/*""#;
    assert_eq!(
        matches(objects, "s3:ListBucket", "arn:aws:s3:::bucket"),
        Tri::No
    );
    assert_eq!(
        matches(objects, "s3:GetObject", "arn:aws:s3:::bucket2/x"),
        Tri::No
    );
    let star = r#""Action":"s3:*","Resource":"*""#;
    assert_eq!(
        matches(star, "s3:ListBucket", "arn:aws:s3:::bucket"),
        Tri::Yes
    );
}

#[test]
fn not_resource_covers_every_unlisted_resource() {
    let elements = r#""Action":"s3:GetObject","NotResource":"arn:aws:s3:::bucket/public/*""#;
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::bucket/private/x"),
        Tri::Yes
    );
    assert_eq!(
        matches(elements, "s3:GetObject", "arn:aws:s3:::bucket/public/x"),
        Tri::No
    );
}

#[test]
fn some_object_is_hit_by_a_prefix_deny_and_by_a_not_resource_deny_outside_it() {
    let p = profile();
    let req = s3(&p, SESSION, "s3:GetObject");
    let prefix = bucket_policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/logs/*"}"#,
    );
    assert_eq!(deny_applies(&prefix, &req), Tri::Yes);
    let outside = bucket_policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bucket/logs/*"}"#,
    );
    assert_eq!(deny_applies(&outside, &req), Tri::Yes);
    let everything = bucket_policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::bucket/*"}"#,
    );
    assert_eq!(deny_applies(&everything, &req), Tri::No);
}

// ---------------------------------------------------------------------------------------
// Principal and NotPrincipal

#[test]
fn an_account_principal_covers_every_identity_in_the_account() {
    for element in [
        format!(r#""Principal":{{"AWS":"{ACCT}"}}"#),
        format!(r#""Principal":{{"AWS":"arn:aws:iam::{ACCT}:root"}}"#),
        format!(r#""Principal":{{"AWS":["arn:aws:iam::{ACCT}:root"]}}"#),
    ] {
        assert_eq!(
            principal_applies(&element, Some(false)),
            Tri::Yes,
            "{element}"
        );
    }
    for element in [
        r#""Principal":{"AWS":"444455556666"}"#,
        r#""Principal":{"AWS":"arn:aws:iam::444455556666:root"}"#,
    ] {
        assert_eq!(
            principal_applies(element, Some(false)),
            Tri::No,
            "{element}"
        );
    }
}

#[test]
fn everyone_principals_match() {
    assert_eq!(
        principal_applies(r#""Principal":"*""#, Some(false)),
        Tri::Yes
    );
    assert_eq!(
        principal_applies(r#""Principal":{"AWS":"*"}"#, Some(false)),
        Tri::Yes
    );
}

#[test]
fn role_and_session_principals() {
    let role = format!(r#""Principal":{{"AWS":"{ROLE_ARN}"}}"#);
    assert_eq!(principal_applies(&role, Some(false)), Tri::Yes);
    let session = format!(r#""Principal":{{"AWS":"{SESSION_ARN}"}}"#);
    assert_eq!(principal_applies(&session, Some(false)), Tri::Yes);
    let other_session = SESSION_ARN.replace(SESSION, "Ingestion-ingesttool");
    assert_eq!(
        principal_applies_to(&session, &other_session, Some(false)),
        Tri::No
    );
    // A role principal must match the path and case exactly.
    let no_path = format!(r#""Principal":{{"AWS":"arn:aws:iam::{ACCT}:role/{ROLE_NAME}"}}"#);
    assert_eq!(principal_applies(&no_path, Some(false)), Tri::No);
    // Service principals never name the role.
    let service = r#""Principal":{"Service":"s3.amazonaws.com"}"#;
    assert_eq!(principal_applies(service, Some(false)), Tri::No);
}

#[test]
fn partial_wildcards_in_principals_never_match() {
    for element in [
        format!(r#""Principal":{{"AWS":"arn:aws:iam::{ACCT}:role/clumio/*"}}"#),
        format!(r#""Principal":{{"AWS":"arn:aws:sts::{ACCT}:assumed-role/{ROLE_NAME}/*"}}"#),
        format!(
            r#""Principal":{{"AWS":"arn:aws:sts::{ACCT}:assumed-role/{ROLE_NAME}/daebaksrv-S3Backu?"}}"#
        ),
    ] {
        assert_eq!(
            principal_applies(&element, Some(false)),
            Tri::No,
            "{element}"
        );
    }
}

#[test]
fn not_principal_exempts_only_with_account_role_and_session() {
    let root = format!("arn:aws:iam::{ACCT}:root");
    let not = |entries: &[&str]| {
        let list: Vec<String> = entries.iter().map(|e| format!(r#""{e}""#)).collect();
        format!(r#""NotPrincipal":{{"AWS":[{}]}}"#, list.join(","))
    };
    assert_eq!(
        principal_applies(&not(&[&root, ROLE_ARN, SESSION_ARN]), Some(false)),
        Tri::No
    );
    // The bare account id counts as the account.
    assert_eq!(
        principal_applies(&not(&[ACCT, ROLE_ARN, SESSION_ARN]), Some(false)),
        Tri::No
    );
    for missing_one in [
        vec![ROLE_ARN, SESSION_ARN],
        vec![root.as_str(), SESSION_ARN],
        vec![root.as_str(), ROLE_ARN],
    ] {
        assert_eq!(
            principal_applies(&not(&missing_one), Some(false)),
            Tri::Yes,
            "{missing_one:?}"
        );
    }
    // NotPrincipal "*" exempts everyone.
    assert_eq!(
        principal_applies(r#""NotPrincipal":"*""#, Some(false)),
        Tri::No
    );
}

#[test]
fn a_permissions_boundary_makes_a_not_principal_deny_apply() {
    let root = format!("arn:aws:iam::{ACCT}:root");
    let element = format!(r#""NotPrincipal":{{"AWS":["{root}","{ROLE_ARN}","{SESSION_ARN}"]}}"#);
    assert_eq!(principal_applies(&element, Some(true)), Tri::Yes);
    assert_eq!(principal_applies(&element, Some(false)), Tri::No);
    let t = principal_applies(&element, None);
    assert_depends(t.clone());
    // A boundary never matters for Principal (only NotPrincipal).
    let plain = format!(r#""Principal":{{"AWS":"{ROLE_ARN}"}}"#);
    assert_eq!(principal_applies(&plain, Some(true)), Tri::Yes);
    assert_eq!(principal_applies(&plain, None), Tri::Yes);
}

#[test]
fn an_unknown_account_makes_account_principals_depend() {
    let p = profile_with(|o| {
        o.account_id = None;
        o.role_arn = None;
    });
    let policy = bucket_policy(&deny_with(
        &format!(r#""Principal":{{"AWS":"{ACCT}"}}"#),
        r#""Action":"s3:*""#,
        "",
    ));
    let req = p.s3_request(
        &p.roles[0],
        SESSION,
        "s3:ListBucket",
        p.bucket_arn(&"bucket".into()),
    );
    let t = deny_applies(&policy, &req);
    assert_depends(t.clone());
    assert!(
        t.unknowns().iter().any(|u| u.contains("--account-id")),
        "{t:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Decisions

#[test]
fn an_explicit_deny_overrides_an_allow() {
    let policy = bucket_policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE_ARN}"}},"Action":"s3:*","Resource":"*"}},
           {{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#
    ));
    let p = profile();
    assert_eq!(
        decision(&policy, &s3(&p, SESSION, "s3:GetObject")),
        Decision::Deny
    );
    assert_eq!(
        decision(&policy, &s3(&p, SESSION, "s3:ListBucket")),
        Decision::Allow
    );
    let none = bucket_policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        decision(&none, &s3(&p, SESSION, "s3:GetObject")),
        Decision::ImplicitDeny
    );
}

#[test]
fn a_deny_that_may_apply_makes_the_decision_depend() {
    let policy = bucket_policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{ROLE_ARN}"}},"Action":"s3:*","Resource":"*"}},
           {}"#,
        trap_deny(r#"{"StringNotEquals":{"aws:PrincipalTag/Vendor":"Clumio"}}"#)
    ));
    let p = profile();
    let ev = evaluate(&policy, &s3(&p, SESSION, "s3:GetObject"));
    assert_eq!(ev.decision, Decision::Depends);
    assert!(!ev.depends_on.is_empty());
}

// ---------------------------------------------------------------------------------------
// Keys with a known set of values (issue 13, point 2): in the Clumio profile, a key that
// takes one value of a documented set is decided where every value gives the same answer.

/// Whether a Deny with `condition` applies to Clumio's direct S3 GetObject (`kms` false) or
/// to S3's Decrypt made on its behalf (`kms` true), role and account known.
fn clumio_when(condition: &str, kms: bool) -> Tri {
    use clumio_preflight::profile::{Profile, ProfileOptions};
    let profile = Profile::new(&ProfileOptions {
        role_arn: Some(ROLE_ARN.into()),
        region: Some("us-west-2".into()),
        ..ProfileOptions::default()
    })
    .unwrap();
    let role = &profile.roles[0];
    let (action, req) = if kms {
        let r = profile.kms_request(role, SESSION, KMS_DECRYPT, PString::known(KEY_ARN), true);
        ("kms:Decrypt", r)
    } else {
        let bucket = PString::known(BUCKET);
        let r = profile.s3_request(role, SESSION, "s3:GetObject", profile.object_arn(&bucket));
        ("s3:GetObject", r)
    };
    let policy = parse(
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"{action}","Resource":"*","Condition":{condition}}}]}}"#
        ),
        PolicyKind::Generic,
    );
    evaluate(&policy, &req).statements[0].applies.clone()
}

#[test]
fn tls_version_below_1_2_never_applies_to_clumio() {
    assert_eq!(
        clumio_when(r#"{"NumericLessThan":{"s3:TlsVersion":"1.2"}}"#, false),
        Tri::No
    );
    assert_eq!(
        clumio_when(
            r#"{"NumericGreaterThanEquals":{"s3:TlsVersion":"1.2"}}"#,
            false
        ),
        Tri::Yes
    );
    assert_eq!(
        clumio_when(r#"{"NumericLessThan":{"s3:TlsVersion":"1.1"}}"#, false),
        Tri::No
    );
}

#[test]
fn tls_version_below_1_3_depends_and_says_so() {
    let t = clumio_when(r#"{"NumericLessThan":{"s3:TlsVersion":"1.3"}}"#, false);
    let why = t.unknowns().join(" ");
    assert!(why.contains("s3:TlsVersion"), "{t:?}");
    assert!(why.contains("one of 1.2, 1.3"), "{t:?}");
    let t = clumio_when(r#"{"NumericEquals":{"s3:TlsVersion":"1.3"}}"#, false);
    assert_depends(t);
}

#[test]
fn kms_keys_with_a_documented_value_set_are_decided_where_all_values_agree() {
    // S3 uses symmetric encryption keys with the default algorithm.
    assert_eq!(
        clumio_when(
            r#"{"StringNotEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}"#,
            true
        ),
        Tri::No
    );
    assert_eq!(
        clumio_when(
            r#"{"StringEquals":{"kms:KeySpec":"SYMMETRIC_DEFAULT"}}"#,
            true
        ),
        Tri::Yes
    );
    // kms:KeyOrigin is one of four values: a test every value passes is decided, one that
    // only some pass depends.
    assert_eq!(
        clumio_when(
            r#"{"StringLike":{"kms:KeyOrigin":["AWS_*","EXTERNAL*"]}}"#,
            true
        ),
        Tri::Yes
    );
    assert_depends(clumio_when(
        r#"{"StringEquals":{"kms:KeyOrigin":"AWS_KMS"}}"#,
        true,
    ));
    assert_eq!(
        clumio_when(r#"{"Bool":{"kms:MultiRegion":["true","false"]}}"#, true),
        Tri::Yes
    );
}

// ---------------------------------------------------------------------------------------
// Several tests on one key whose value is one of a known set (or absent-or-known): decided
// together, once per alternative, not as independent unknowns.

#[test]
fn tests_on_one_key_of_a_known_set_are_decided_together() {
    // No single value is both in 10.0.0.0/8 and a number above 5: never applies, although
    // each test alone depends on which value the key holds.
    let both =
        r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"NumericGreaterThan":{"aws:SourceIp":"5"}}"#;
    let one_of = |values: &'static [&'static str]| {
        move |ctx: &mut RequestContext| {
            ctx.set_one_of(
                "aws:SourceIp",
                values.iter().map(|v| PString::known(*v)).collect(),
                "test",
            )
        }
    };
    assert_eq!(when(both, one_of(&["10.0.0.1", "6"])), Tri::No);
    // Where one value passes both tests and another fails one, it still depends.
    let either =
        r#"{"StringLike":{"aws:SourceIp":"1*"},"NumericGreaterThan":{"aws:SourceIp":"5"}}"#;
    assert!(matches!(
        when(either, one_of(&["10", "2"])),
        Tri::Depends(_)
    ));
    // Every value passes both: applies.
    assert_eq!(when(either, one_of(&["10", "12"])), Tri::Yes);
}

#[test]
fn tests_on_one_absent_or_known_key_are_decided_together() {
    // Absent: the StringEquals test fails; present with "x": the Null test fails. Each alone
    // depends on whether the key is there; together they never hold.
    let both = r#"{"Null":{"aws:SourceVpc":"true"},"StringEquals":{"aws:SourceVpc":"x"}}"#;
    let absent_or_x = |ctx: &mut RequestContext| {
        ctx.set_absent_or("aws:SourceVpc", vec![PString::known("x")], "test")
    };
    assert_eq!(when(both, absent_or_x), Tri::No);
}

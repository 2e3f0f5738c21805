//! CP901 (invalid-policy): every malformed policy under `testdata/policies/invalid/` (one
//! defect each) is reported once, with the exact message and at the exact line:column of the
//! offending element (not the document start); JSON syntax errors are located too. The
//! keep-quiet tests check that policies AWS accepts (single-object `Statement`, scalar-or-list
//! elements, every principal form, JSON booleans and numbers in conditions, old or missing
//! `Version`, key-policy statements without `Resource`, unique ids, policy variables) parse
//! without any error.

use clumio_preflight::located_json::{OffsetMap, parse_json};
use clumio_preflight::policy::PolicyError;
use clumio_preflight::policy::ast::{Policy, PolicyKind, PrincipalKind};
use clumio_preflight::policy::parse::parse_policy;
use clumio_preflight::source::Sources;
use std::path::Path;

/// What the error's span must cover.
enum Covers {
    /// Exactly this text.
    Exact(&'static str),
    /// Text starting with this (for errors about a whole statement).
    Prefix(&'static str),
}

struct Case {
    file: &'static str,
    kind: PolicyKind,
    message: &'static str,
    line: usize,
    column: usize,
    covers: Covers,
}

const BUCKET: PolicyKind = PolicyKind::Bucket;

/// One test per malformed file: `name: file, kind, message, (line, column), covers;`. Also
/// defines `CASE_FILES`, the files these tests cover.
macro_rules! invalid_cases {
    ($($name:ident: $file:literal, $kind:expr, $message:expr, ($line:literal, $column:literal), $covers:expr;)*) => {
        $(
            #[test]
            fn $name() {
                use Covers::*;
                check(&Case {
                    file: $file,
                    kind: $kind,
                    message: $message,
                    line: $line,
                    column: $column,
                    covers: $covers,
                });
            }
        )*
        const CASE_FILES: &[&str] = &[$($file),*];
    };
}

invalid_cases! {
    missing_effect: "missing-effect.json", BUCKET,
        "the statement has no `Effect`; it must be \"Allow\" or \"Deny\"",
        (4, 5), Prefix("{\n      \"Sid\": \"AllowAnalyticsRead\"");
    effect_lowercase_deny: "effect-lowercase-deny.json", BUCKET,
        "`Effect` must be \"Allow\" or \"Deny\" (case-sensitive), found \"deny\"",
        (6, 17), Exact("\"deny\"");
    effect_permit: "effect-permit.json", BUCKET,
        "`Effect` must be \"Allow\" or \"Deny\" (case-sensitive), found \"Permit\"",
        (6, 17), Exact("\"Permit\"");
    action_and_notaction: "action-and-notaction.json", BUCKET,
        "the statement has both `Action` and `NotAction`; AWS expects exactly one of them",
        (9, 7), Exact("\"NotAction\"");
    no_action: "no-action.json", BUCKET,
        "the statement has neither `Action` nor `NotAction`; AWS requires one of them in a bucket-policy statement (for example \"Action\": \"s3:GetObject\")",
        (4, 5), Prefix("{\n      \"Sid\": \"DenyOutsideVpc\"");
    resource_and_notresource: "resource-and-notresource.json", BUCKET,
        "the statement has both `Resource` and `NotResource`; AWS expects exactly one of them",
        (10, 7), Exact("\"NotResource\"");
    bucket_missing_resource: "bucket-missing-resource.json", BUCKET,
        "the statement has neither `Resource` nor `NotResource`; AWS requires one of them in a bucket-policy statement (for example \"Resource\": \"arn:aws:s3:::BUCKET/*\")",
        (4, 5), Prefix("{\n      \"Sid\": \"DenyOutsideVpc\"");
    principal_and_notprincipal: "principal-and-notprincipal.json", BUCKET,
        "the statement has both `Principal` and `NotPrincipal`; AWS expects exactly one of them",
        (8, 7), Exact("\"NotPrincipal\"");
    bucket_missing_principal: "bucket-missing-principal.json", BUCKET,
        "the statement has no `Principal`; AWS requires one in a bucket policy (for example \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, or \"*\")",
        (4, 5), Prefix("{\n      \"Sid\": \"DenyUnencryptedUploads\"");
    principal_type_iam: "principal-type-iam.json", BUCKET,
        "unknown principal type `IAM`; AWS expects AWS, Service, Federated or CanonicalUser",
        (7, 21), Exact("\"IAM\"");
    aws_principal_bob: "aws-principal-bob.json", BUCKET,
        "invalid AWS principal \"bob\": AWS expects \"*\", a 12-digit account id, or an IAM/STS ARN (`arn:aws:iam::ACCOUNT:role/NAME`)",
        (10, 11), Exact("\"bob\"");
    operator_stringequalz: "operator-stringequalz.json", BUCKET,
        "unknown condition operator `StringEqualz` (did you mean `StringEquals`?); AWS expects a String…, Numeric…, Date…, Arn… operator, Bool, BinaryEquals, IpAddress, NotIpAddress or Null, optionally with `IfExists` and a `ForAnyValue:`/`ForAllValues:` prefix",
        (11, 9), Exact("\"StringEqualz\"");
    operator_nullifexists: "operator-nullifexists.json", BUCKET,
        "`NullIfExists` is not a condition operator: `Null` already tests whether the key is present and takes no `IfExists` suffix; use `Null`",
        (11, 9), Exact("\"NullIfExists\"");
    numeric_not_a_number: "numeric-not-a-number.json", BUCKET,
        "`NumericLessThan` on `s3:TlsVersion` expects a number, found \"one point two\"",
        (10, 58), Exact("\"one point two\"");
    ipaddress_bad_cidr: "ipaddress-bad-cidr.json", BUCKET,
        "`NotIpAddress` on `aws:SourceIp` expects an IP address or CIDR block (e.g. 203.0.113.0/24), found \"198.51.100.0/33\"",
        (12, 46), Exact("\"198.51.100.0/33\"");
    bool_yes: "bool-yes.json", BUCKET,
        "`Bool` on `aws:SecureTransport` expects \"true\" or \"false\", found \"yes\"",
        (10, 53), Exact("\"yes\"");
    date_bad: "date-bad.json", BUCKET,
        "`DateGreaterThan` on `aws:CurrentTime` expects a date (ISO 8601, e.g. 2024-01-31T00:00:00Z, or epoch seconds), found \"2024-13-45T00:00:00Z\"",
        (10, 60), Exact("\"2024-13-45T00:00:00Z\"");
    numeric_policy_variable: "numeric-policy-variable.json", BUCKET,
        "`NumericLessThan` on `s3:max-keys` does not allow policy variables, found \"${aws:PrincipalTag/max-keys}\"; AWS expects a literal number",
        (10, 56), Exact("\"${aws:PrincipalTag/max-keys}\"");
    resource_malformed_arn: "resource-malformed-arn.json", BUCKET,
        "resource \"arn:aws:s3\" is a malformed ARN: AWS expects six `:`-separated parts, `arn:partition:service:region:account:resource` (for example \"arn:aws:s3:::BUCKET/*\")",
        (9, 53), Exact("\"arn:aws:s3\"");
    resource_wildcard_service: "resource-wildcard-service.json", BUCKET,
        "resource \"arn:aws:s*:::acme-prod-data/*\": the service part of an ARN cannot be empty or hold wildcards; AWS expects a service name such as `s3` or `kms`",
        (9, 19), Exact("\"arn:aws:s*:::acme-prod-data/*\"");
    action_without_colon: "action-without-colon.json", BUCKET,
        "action \"s3GetObject\" is not of the form `service:ActionName` (for example \"s3:GetObject\")",
        (8, 35), Exact("\"s3GetObject\"");
    version_wrong: "version-wrong.json", BUCKET,
        "`Version` must be \"2012-10-17\" (or the old \"2008-10-17\"), found \"2012-10-18\"",
        (2, 14), Exact("\"2012-10-18\"");
    top_level_statment_typo: "top-level-statment-typo.json", BUCKET,
        "unknown element `Statment` in the policy (did you mean `Statement`?); AWS expects only Version, Id, Statement",
        (3, 3), Exact("\"Statment\"");
    statement_condtion_typo: "statement-condtion-typo.json", BUCKET,
        "unknown element `Condtion` in a statement (did you mean `Condition`?); AWS expects only Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition",
        (10, 7), Exact("\"Condtion\"");
    duplicate_key: "duplicate-key.json", BUCKET,
        "duplicate element `Action` in a statement: AWS rejects the document; each element may appear only once",
        (10, 7), Exact("\"Action\"");
    statement_as_string: "statement-as-string.json", BUCKET,
        "`Statement` must be an object or a list of objects, found a string",
        (3, 16), Prefix("\"{\\\"Effect\\\": \\\"Deny\\\"");
    statement_empty_list: "statement-empty-list.json", BUCKET,
        "`Statement` is an empty list; AWS expects at least one statement",
        (4, 16), Exact("[]");
    action_empty_list: "action-empty-list.json", BUCKET,
        "`Action` is an empty list; AWS expects at least one action",
        (8, 17), Exact("[]");
    kms_notprincipal_with_allow: "kms-notprincipal-with-allow.json", PolicyKind::Key,
        "`NotPrincipal` with \"Effect\": \"Allow\" is not supported by AWS; name the principals to allow with `Principal`",
        (15, 23), Exact("{\"AWS\": \"arn:aws:iam::111122223333:role/contractor\"}");
    condition_value_object: "condition-value-object.json", BUCKET,
        "the value of `aws:SourceVpc` under `StringNotEquals` is an object; AWS expects a string, number or boolean, or a list of them",
        (12, 28), Exact("{\"Ref\": \"VpcId\"}");
}

fn invalid_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/policies/invalid"
    ))
}

/// Parses `text` (named `name`) as a policy of `kind`; panics on a JSON syntax error.
fn parse(sources: &mut Sources, name: &str, text: &str, kind: PolicyKind) -> ParseResult {
    let id = sources.add(name, text);
    let doc = parse_json(text, &OffsetMap::direct(id, 0))
        .unwrap_or_else(|e| panic!("{name}: unexpected JSON error {e:?}"));
    parse_policy(&doc, kind)
}

type ParseResult = (Option<Policy>, Vec<PolicyError>);

/// Parses the case's file and checks its one error: message, position and what it covers.
fn check(case: &Case) {
    let mut sources = Sources::new();
    let text = std::fs::read_to_string(invalid_dir().join(case.file)).unwrap();
    let (_, errors) = parse(&mut sources, case.file, &text, case.kind);
    assert_eq!(
        errors.len(),
        1,
        "expected exactly one error, got {errors:#?}"
    );
    let err = &errors[0];
    assert_eq!(err.message, case.message);
    let (start, _) = sources.range(err.span);
    let covered = sources.slice(err.span);
    assert_eq!(
        (start.line, start.column),
        (case.line, case.column),
        "error at the wrong place (it covers {covered:?})"
    );
    match case.covers {
        Covers::Exact(want) => assert_eq!(covered, want),
        Covers::Prefix(want) => assert!(covered.starts_with(want), "span covers {covered:?}"),
    }
}

#[test]
fn every_file_in_the_invalid_folder_has_a_case() {
    let json_errors = ["json-trailing-comma.json", "json-comment.json"];
    for entry in std::fs::read_dir(invalid_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            CASE_FILES.contains(&name.as_str()) || json_errors.contains(&name.as_str()),
            "{name} is in testdata/policies/invalid but no test checks it"
        );
    }
    assert!(CASE_FILES.len() >= 18);
}

#[test]
fn trailing_comma_is_a_json_error_at_the_comma() {
    let text = std::fs::read_to_string(invalid_dir().join("json-trailing-comma.json")).unwrap();
    let mut sources = Sources::new();
    let id = sources.add("json-trailing-comma.json", text.as_str());
    let err = parse_json(&text, &OffsetMap::direct(id, 0)).unwrap_err();
    assert_eq!(err.message, "Trailing commas are not allowed");
    let (start, _) = sources.range(err.span);
    assert_eq!((start.line, start.column), (10, 62));
    assert_eq!(sources.slice(err.span), ",");
}

#[test]
fn comment_is_a_json_error_at_the_comment() {
    let text = std::fs::read_to_string(invalid_dir().join("json-comment.json")).unwrap();
    let mut sources = Sources::new();
    let id = sources.add("json-comment.json", text.as_str());
    let err = parse_json(&text, &OffsetMap::direct(id, 0)).unwrap_err();
    assert_eq!(err.message, "Comments are not allowed");
    let (start, _) = sources.range(err.span);
    assert_eq!((start.line, start.column), (5, 7));
    assert!(sources.slice(err.span).starts_with("//"));
}

#[test]
fn misspelt_required_elements_are_reported_once_not_also_as_missing() {
    let text =
        r#"{"Statement": [{"Efect": "Deny", "Principal": "*", "Acton": "s3:*", "Resource": "*"}]}"#;
    let mut sources = Sources::new();
    let (_, errors) = parse(&mut sources, "typos.json", text, BUCKET);
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(errors.len(), 2, "{messages:#?}");
    assert!(
        messages[0].starts_with("unknown element `Efect` in a statement (did you mean `Effect`?)")
    );
    assert!(
        messages[1].starts_with("unknown element `Acton` in a statement (did you mean `Action`?)")
    );
}

#[test]
fn operator_hint_repairs_the_set_qualifier_and_keeps_ifexists() {
    let text = r#"{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"ForAnyValues:StringEquals": {"aws:TagKeys": "a"},
                      "StringNotEqualzIfExists": {"aws:SourceVpc": "vpc-1"}}}}"#;
    let mut sources = Sources::new();
    let (_, errors) = parse(&mut sources, "ops.json", text, BUCKET);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0]
            .message
            .starts_with("unknown condition operator `ForAnyValues:StringEquals` (did you mean `ForAnyValue:StringEquals`?)"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[1]
            .message
            .starts_with("unknown condition operator `StringNotEqualzIfExists` (did you mean `StringNotEqualsIfExists`?)"),
        "{}",
        errors[1].message
    );
}

#[test]
fn empty_principal_object_is_rejected() {
    let text = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": []}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#;
    let mut sources = Sources::new();
    let (_, errors) = parse(&mut sources, "p.json", text, BUCKET);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0]
            .message
            .starts_with("`Principal` names no principal")
    );
    assert_eq!(sources.slice(errors[0].span), r#"{"AWS": []}"#);
}

#[test]
fn parsing_goes_on_past_a_bad_statement() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Bad", "Effect": "Allow", "Principal": "*", "Action": "s3GetObject", "Resource": "*"},
    {"Sid": "Good", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
    {"Sid": "AlsoBad", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "bucket"}
  ]
}"#;
    let mut sources = Sources::new();
    let (policy, errors) = parse(&mut sources, "multi.json", text, BUCKET);
    let lines: Vec<usize> = errors
        .iter()
        .map(|e| sources.range(e.span).0.line)
        .collect();
    assert_eq!(lines, vec![4, 6], "{errors:#?}");
    let kept: Vec<String> = policy
        .unwrap()
        .statements
        .iter()
        .map(|s| s.label())
        .collect();
    assert_eq!(kept, vec!["Good"]);
}

#[test]
fn error_in_a_policy_embedded_in_a_string_points_into_the_outer_file() {
    // A bucket policy as an escaped string, as in plan JSON or a CloudFormation template.
    let outer = "{\n  \"policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"deny\\\", \\\"Principal\\\": \\\"*\\\", \\\"Action\\\": \\\"s3:*\\\", \\\"Resource\\\": \\\"*\\\"}]}\"\n}";
    let mut sources = Sources::new();
    let id = sources.add("plan.json", outer);
    let doc = parse_json(outer, &OffsetMap::direct(id, 0)).unwrap();
    let literal = doc.get("policy").unwrap();
    let raw = sources.slice(literal.span).to_string();
    let (inner, map) = OffsetMap::from_json_literal(&raw, id, literal.span.start as usize).unwrap();
    let (_, errors) = parse_policy(&parse_json(&inner, &map).unwrap(), BUCKET);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(sources.slice(errors[0].span), "\\\"deny\\\"");
    let (start, _) = sources.range(errors[0].span);
    let col = outer.lines().nth(1).unwrap().find("\\\"deny").unwrap() + 1;
    assert_eq!((start.line, start.column), (2, col));
}

// ---- keep quiet: what AWS accepts must produce no error ----

/// Parses `text` as `kind`, asserts no error, and returns the policy.
fn accepted(text: &str, kind: PolicyKind) -> Policy {
    let mut sources = Sources::new();
    let (policy, errors) = parse(&mut sources, "ok.json", text, kind);
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}\n{text}");
    policy.expect("a policy")
}

#[test]
fn statement_as_a_single_object_is_accepted() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": {"Sid": "One", "Effect": "Deny", "Principal": "*",
            "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::acme-prod-data"}}"#,
        BUCKET,
    );
    assert_eq!(p.statements.len(), 1);
    assert_eq!(p.statements[0].label(), "One");
}

#[test]
fn elements_may_be_a_scalar_or_a_list() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/a"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
             "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}},
            {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"]},
             "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
             "Condition": {"StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}}
        ]}"#,
        BUCKET,
    );
    let counts: Vec<(usize, usize, usize, usize)> = p
        .statements
        .iter()
        .map(|s| {
            (
                s.principal.as_ref().unwrap().entries.len(),
                s.action.items.len(),
                s.resource.as_ref().unwrap().items.len(),
                s.conditions[0].values.len(),
            )
        })
        .collect();
    assert_eq!(counts, vec![(1, 1, 1, 1), (2, 2, 2, 2)]);
}

#[test]
fn principal_star_and_aws_star_are_accepted() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
        ]}"#,
        BUCKET,
    );
    let kinds: Vec<PrincipalKind> = p
        .statements
        .iter()
        .map(|s| s.principal.as_ref().unwrap().entries[0].kind)
        .collect();
    assert_eq!(kinds, vec![PrincipalKind::Everyone, PrincipalKind::Aws]);
}

#[test]
fn account_id_and_unique_id_principals_are_accepted() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"AWS": ["111122223333", "AROA3XFRBF535PLBIFPI4", "AIDACKCEVSQ6C2EXAMPLE"]},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#,
        BUCKET,
    );
    assert_eq!(p.statements[0].principal.as_ref().unwrap().entries.len(), 3);
}

#[test]
fn service_federated_and_canonical_user_principals_are_accepted() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "CloudTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail/AWSLogs/111122223333/*"},
            {"Sid": "Saml", "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "Oai", "Effect": "Allow",
             "Principal": {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ]}"#,
        BUCKET,
    );
    let kinds: Vec<PrincipalKind> = p
        .statements
        .iter()
        .map(|s| s.principal.as_ref().unwrap().entries[0].kind)
        .collect();
    assert_eq!(
        kinds,
        vec![
            PrincipalKind::Service,
            PrincipalKind::Federated,
            PrincipalKind::CanonicalUser
        ]
    );
}

#[test]
fn json_booleans_and_numbers_in_conditions_are_accepted() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": false},
                          "NumericLessThan": {"s3:TlsVersion": 1.2},
                          "Null": {"aws:SourceVpc": true}}}}"#,
        BUCKET,
    );
    let values: Vec<&str> = p.statements[0]
        .conditions
        .iter()
        .map(|c| c.values[0].value.as_known().unwrap())
        .collect();
    assert_eq!(values, vec!["false", "1.2", "true"]);
}

#[test]
fn sid_with_spaces_is_accepted() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}}"#,
        PolicyKind::Key,
    );
    assert_eq!(p.statements[0].label(), "Enable IAM User Permissions");
}

#[test]
fn old_version_and_no_version_are_accepted_without_variables() {
    let statement = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"#;
    let old = accepted(
        &format!(r#"{{"Version": "2008-10-17", "Statement": {statement}}}"#),
        BUCKET,
    );
    assert_eq!(old.version.unwrap().value, "2008-10-17");
    assert!(!old.variables_enabled);
    let none = accepted(&format!(r#"{{"Statement": {statement}}}"#), BUCKET);
    assert!(none.version.is_none());
    assert!(!none.variables_enabled);
}

#[test]
fn key_policy_statement_without_resource_is_accepted_only_for_key_policies() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Sid": "NoResource", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:Decrypt"}}"#;
    let p = accepted(text, PolicyKind::Key);
    assert!(p.statements[0].resource.is_none());
    // The same statement in a bucket policy is rejected: the contrast keeps this test honest.
    let mut sources = Sources::new();
    let (_, errors) = parse(&mut sources, "b.json", text, BUCKET);
    assert_eq!(errors.len(), 1, "{errors:#?}");
}

#[test]
fn policy_variable_in_resource_is_accepted_and_enabled() {
    let p = accepted(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::home-dirs/home/${aws:username}/*",
            "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}}}"#,
        BUCKET,
    );
    assert!(p.variables_enabled);
    assert_eq!(
        p.statements[0].resource.as_ref().unwrap().items[0]
            .value
            .as_known(),
        Some("arn:aws:s3:::home-dirs/home/${aws:username}/*")
    );
}

#[test]
fn every_valid_testdata_policy_parses_cleanly() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/policies"));
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let kind = if text.contains("\"kms:") {
            PolicyKind::Key
        } else {
            BUCKET
        };
        accepted(&text, kind);
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} valid policies found");
}

//! Property tests of the three-valued engine:
//! (a) `policy::glob::Pattern` on fully known strings, compiled or matched as text, agrees
//!     with a plain reference glob matcher (wildcard, exact and case-insensitive options, and
//!     ARN part-wise matching);
//! (b) a random small policy evaluated against a context in which every key is present or
//!     absent (no unknowns, no unknown holes) is never `Depends`;
//! (c) making a context key unknown, or replacing a known substring of the caller's account
//!     or of the resource by a hole, never turns a certain answer into the opposite one (it
//!     may only become `Depends`), and a key known to be "absent, or present with these
//!     values" is decided only where both cases agree;
//! (d) `simulate` with a session principal whose request context names every key
//!     (`aws:PrincipalArn` with the role's path, `aws:userid`, the rest present or absent)
//!     never answers `depends`, and a key known to hold one value of a set is decided only
//!     where every value agrees;
//! (e) `StatementMemo`, which decides each element of a statement once per input, answers
//!     every request as the evaluator does, in whatever order the requests come.

mod common;

use clumio_preflight::policy::ast::{Policy, PolicyKind};
use clumio_preflight::policy::decision::{
    Decision, Evaluation, KeyState, Request, RequestContext, RequestPrincipal, StatementMemo,
    evaluate, statement_applies,
};
use clumio_preflight::policy::glob::{Pattern, PatternOptions};
use clumio_preflight::policy::tri::Tri;
use clumio_preflight::profile::{Profile, ProfileOptions};
use clumio_preflight::simulate::{SimulateArgs, simulate};
use clumio_preflight::value::{Hole, PString};
use common::{ACCT, ROLE_ARN, SESSION, SESSION_ARN, try_parse};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------
// (a) glob matching against a reference

/// The textbook recursive glob: `*` any run, `?` one character, everything else itself.
fn reference_glob(p: &[char], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => {
            reference_glob(rest, s) || (!s.is_empty() && reference_glob(p, &s[1..]))
        }
        Some(('?', rest)) => !s.is_empty() && reference_glob(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && reference_glob(rest, &s[1..]),
    }
}

fn glob_str(p: &str, s: &str) -> bool {
    let p: Vec<char> = p.chars().collect();
    let s: Vec<char> = s.chars().collect();
    reference_glob(&p, &s)
}

/// ARN matching by hand: both sides split at their first five colons into six parts, each
/// part globbed on its own.
fn reference_arn(p: &str, s: &str) -> bool {
    let pp: Vec<&str> = p.splitn(6, ':').collect();
    let sp: Vec<&str> = s.splitn(6, ':').collect();
    pp.len() == 6 && sp.len() == 6 && pp.iter().zip(&sp).all(|(a, b)| glob_str(a, b))
}

fn known(s: &str) -> PString {
    PString::known(s)
}

/// Six-ish colon-separated parts, so that ARN splitting is exercised often.
fn arnish(part: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(part, 4..=7).prop_map(|parts| parts.join(":"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn glob_agrees_with_the_reference(p in "[ab/:*?]{0,8}", s in "[ab/:]{0,10}") {
        let pattern = Pattern::new(&known(&p), PatternOptions::GLOB);
        prop_assert_eq!(pattern.matches(&known(&s), true), Tri::from_bool(glob_str(&p, &s)));
    }

    #[test]
    fn exact_patterns_take_wildcards_literally(p in "[ab*?]{0,5}", s in "[ab*?]{0,5}") {
        let pattern = Pattern::new(&known(&p), PatternOptions::EXACT);
        prop_assert_eq!(pattern.matches(&known(&s), true), Tri::from_bool(p == s));
    }

    #[test]
    fn case_insensitive_glob_folds_both_sides(p in "[aAbB*?]{0,6}", s in "[aAbB]{0,8}") {
        let pattern = Pattern::new(&known(&p), PatternOptions::GLOB_NOCASE);
        let expected = glob_str(&p.to_lowercase(), &s.to_lowercase());
        prop_assert_eq!(pattern.matches(&known(&s), true), Tri::from_bool(expected));
    }

    #[test]
    fn arn_matching_agrees_with_the_partwise_reference(
        p in arnish("[ab/*?]{0,3}"),
        s in arnish("[ab/]{0,3}"),
    ) {
        let pattern = Pattern::new(&known(&p), PatternOptions::GLOB);
        prop_assert_eq!(pattern.matches_arn(&known(&s), true), Tri::from_bool(reference_arn(&p, &s)));
    }

    #[test]
    fn known_texts_match_as_the_reference_does(
        p in arnish("[aAbBé/*?]{0,3}"),
        other in arnish("[aAbBé/]{0,3}"),
        flips in prop::collection::vec(any::<bool>(), 24),
        fill in "[aAbB:]{0,2}",
    ) {
        // A near miss of the pattern: its wildcards filled in, some letters in the other case.
        let near: String = p
            .chars()
            .enumerate()
            .map(|(i, c)| match c {
                '*' => fill.clone(),
                '?' => "b".to_string(),
                c if flips[i % flips.len()] && c.is_lowercase() => c.to_uppercase().collect(),
                c if flips[i % flips.len()] => c.to_lowercase().collect(),
                c => c.to_string(),
            })
            .collect();
        // The text fast path (ASCII or not) against the reference, folded or not.
        for s in [&other, &near] {
            for (options, fold) in [(PatternOptions::GLOB, false), (PatternOptions::GLOB_NOCASE, true)] {
                let (rp, rs) = match fold {
                    true => (p.to_lowercase(), s.to_lowercase()),
                    false => (p.clone(), s.clone()),
                };
                let quick = |arn| Pattern::match_known_texts(&known(&p), options, false, &known(s), arn);
                prop_assert_eq!(quick(false), Some(glob_str(&rp, &rs)), "{} ~ {} {:?}", p, s, options);
                prop_assert_eq!(quick(true), Some(reference_arn(&rp, &rs)), "{} ~arn {} {:?}", p, s, options);
            }
        }
    }

    #[test]
    fn an_arn_match_is_also_a_string_match(p in arnish("[ab/*?]{0,3}"), s in arnish("[ab/]{0,3}")) {
        let pattern = Pattern::new(&known(&p), PatternOptions::GLOB);
        if pattern.matches_arn(&known(&s), true) == Tri::Yes {
            prop_assert_eq!(pattern.matches(&known(&s), true), Tri::Yes);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Random policies and contexts

const STRING_OPS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
];
const STRING_VALUES: &[&str] = &[
    "vpc-1",
    "VPC-1",
    "vpc-*",
    "a?",
    "",
    "clumio",
    "${aws:PrincipalTag/team}",
    "${aws:username, 'x'}",
    "${*}",
    "arn:aws:iam::111122223333:role/clumio/*",
];
const ARN_OPS: &[&str] = &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"];
const ARN_VALUES: &[&str] = &[
    "arn:aws:iam::111122223333:role/clumio/*",
    "arn:aws:iam::*:role/*",
    "arn:aws:iam::111122223333:root",
    "arn:aws:s3:::bucket",
    "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}/*",
    "not-an-arn",
];
const NUMERIC_OPS: &[&str] = &[
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
];
const NUMERIC_VALUES: &[&str] = &["5", "10", "-1.5"];
const DATE_OPS: &[&str] = &[
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
];
const DATE_VALUES: &[&str] = &["2024-01-01T00:00:00Z", "1700000000", "2024-01-31"];
const BOOL_VALUES: &[&str] = &["true", "false"];
const BINARY_VALUES: &[&str] = &["QQ==", "Qg=="];
const IP_OPS: &[&str] = &["IpAddress", "NotIpAddress"];
const IP_VALUES: &[&str] = &["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"];

/// Operator families with the policy values that suit them.
const FAMILIES: &[(&[&str], &[&str])] = &[
    (STRING_OPS, STRING_VALUES),
    (ARN_OPS, ARN_VALUES),
    (NUMERIC_OPS, NUMERIC_VALUES),
    (DATE_OPS, DATE_VALUES),
    (&["Bool"], BOOL_VALUES),
    (&["BinaryEquals"], BINARY_VALUES),
    (IP_OPS, IP_VALUES),
    (&["Null"], BOOL_VALUES),
];

/// The condition keys of the random contexts. `aws:PrincipalTag/team` is the one policy
/// variables refer to without a default; it is always present with one value, so that no
/// variable lacks a value (a negated operator on such a variable is `Depends` by design).
const KEYS: &[&str] = &[
    "aws:SourceVpc",
    "aws:PrincipalArn",
    "aws:TagKeys",
    "aws:CurrentTime",
    "s3:max-keys",
    "aws:SecureTransport",
    "aws:VpcSourceIp",
    "aws:username",
    "s3:x-amz-content",
    "aws:PrincipalTag/team",
];
const VAR_KEY: &str = "aws:PrincipalTag/team";

/// Request values: strings, ARNs, dates, numbers, booleans, addresses, base64.
const REQUEST_VALUES: &[&str] = &[
    "vpc-1",
    "VPC-1",
    "a",
    "",
    "clumio",
    "x",
    "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-tok",
    "arn:aws:iam::111122223333:root",
    "arn:aws:s3:::bucket",
    "2024-01-01T00:00:00Z",
    "1700000000",
    "5",
    "10",
    "true",
    "false",
    "10.1.2.3",
    "2001:db8::1",
    "QQ==",
];

const PRINCIPALS: &[&str] = &[
    r#""Principal":"*""#,
    r#""Principal":{"AWS":"*"}"#,
    r#""Principal":{"AWS":"111122223333"}"#,
    r#""Principal":{"AWS":"arn:aws:iam::111122223333:root"}"#,
    r#""Principal":{"AWS":"arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-tok"}"#,
    r#""Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-tok/daebaksrv-S3Backup"}"#,
    r#""Principal":{"AWS":"arn:aws:iam::444455556666:root"}"#,
    r#""Principal":{"AWS":"arn:aws:iam::111122223333:role/clumio/*"}"#,
    r#""Principal":{"Service":"s3.amazonaws.com"}"#,
    r#""NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-tok","arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-tok/daebaksrv-S3Backup"]}"#,
    r#""NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-tok"]}"#,
    r#""NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"}"#,
];

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "S3:LIST*",
    "s3:*",
    "*",
    "kms:Decrypt",
    "s3:Put?bject",
];

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/logs/*",
    "arn:aws:s3:::b*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
    "arn:aws:s3:::other/*",
];

#[derive(Debug, Clone)]
struct Cond {
    op: String,
    key: &'static str,
    values: Vec<&'static str>,
}

fn cond_strategy() -> impl Strategy<Value = Cond> {
    (
        0..FAMILIES.len(),
        0..8usize,
        any::<bool>(),
        0..3u8,
        select(KEYS),
        prop::collection::vec(0..64usize, 1..=3),
    )
        .prop_map(|(family, op, if_exists, qualifier, key, picks)| {
            let (ops, pool) = FAMILIES[family];
            let base = ops[op % ops.len()];
            let mut op = base.to_string();
            if base != "Null" {
                if if_exists {
                    op.push_str("IfExists");
                }
                match qualifier {
                    1 => op.insert_str(0, "ForAnyValue:"),
                    2 => op.insert_str(0, "ForAllValues:"),
                    _ => {}
                }
            }
            let values = picks.iter().map(|i| pool[i % pool.len()]).collect();
            Cond { op, key, values }
        })
}

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    principal: Option<&'static str>,
    not_action: bool,
    actions: Vec<&'static str>,
    not_resource: bool,
    resources: Vec<&'static str>,
    conditions: Vec<Cond>,
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!(r#""{i}""#)).collect();
    format!("[{}]", quoted.join(","))
}

impl Stmt {
    fn json(&self) -> String {
        let mut parts = vec![format!(
            r#""Effect":"{}""#,
            if self.deny { "Deny" } else { "Allow" }
        )];
        if let Some(p) = self.principal {
            // NotPrincipal goes with Deny only (AWS rejects it with Allow).
            if self.deny || !p.starts_with(r#""NotPrincipal""#) {
                parts.push(p.to_string());
            }
        }
        parts.push(format!(
            r#""{}":{}"#,
            if self.not_action {
                "NotAction"
            } else {
                "Action"
            },
            list(&self.actions)
        ));
        parts.push(format!(
            r#""{}":{}"#,
            if self.not_resource {
                "NotResource"
            } else {
                "Resource"
            },
            list(&self.resources)
        ));
        if !self.conditions.is_empty() {
            // One block per operator; a repeated operator/key keeps the last values.
            let mut blocks: BTreeMap<&str, BTreeMap<&str, &[&str]>> = BTreeMap::new();
            for c in &self.conditions {
                blocks
                    .entry(c.op.as_str())
                    .or_default()
                    .insert(c.key, &c.values);
            }
            let ops: Vec<String> = blocks
                .iter()
                .map(|(op, keys)| {
                    let keys: Vec<String> = keys
                        .iter()
                        .map(|(k, vs)| format!(r#""{k}":{}"#, list(vs)))
                        .collect();
                    format!(r#""{op}":{{{}}}"#, keys.join(","))
                })
                .collect();
            parts.push(format!(r#""Condition":{{{}}}"#, ops.join(",")));
        }
        format!("{{{}}}", parts.join(","))
    }
}

fn stmt_strategy() -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        prop::option::of(select(PRINCIPALS)),
        any::<bool>(),
        prop::collection::vec(select(ACTIONS), 1..=2),
        any::<bool>(),
        prop::collection::vec(select(RESOURCES), 1..=2),
        prop::collection::vec(cond_strategy(), 0..=3),
    )
        .prop_map(
            |(deny, principal, not_action, actions, not_resource, resources, conditions)| Stmt {
                deny,
                principal,
                not_action,
                actions,
                not_resource,
                resources,
                conditions,
            },
        )
}

fn policy_strategy() -> impl Strategy<Value = String> {
    (prop::collection::vec(stmt_strategy(), 1..=3), any::<bool>()).prop_map(
        |(statements, versioned)| {
            let body: Vec<String> = statements.iter().map(Stmt::json).collect();
            let version = if versioned {
                r#""Version":"2012-10-17","#
            } else {
                ""
            };
            format!(r#"{{{version}"Statement":[{}]}}"#, body.join(","))
        },
    )
}

/// One key's state in a fully known context: `None` absent, else its values.
type KnownState = Option<Vec<&'static str>>;

fn context_strategy() -> impl Strategy<Value = Vec<KnownState>> {
    let state = prop::option::of(prop::collection::vec(select(REQUEST_VALUES), 1..=3));
    let var = select(&["clumio", "Clumio", "x"][..]).prop_map(|v| Some(vec![v]));
    (prop::collection::vec(state, KEYS.len() - 1), var).prop_map(|(mut states, var)| {
        states.push(var);
        states
    })
}

/// The request: action, resource (its known text and whether it ends in the "any object
/// key" hole), and whether the caller has a permissions boundary.
#[derive(Debug, Clone)]
struct Shape {
    action: &'static str,
    resource: &'static str,
    any_key: bool,
    boundary: bool,
}

fn shape_strategy() -> impl Strategy<Value = Shape> {
    (
        select(&["s3:GetObject", "s3:ListBucket", "kms:Decrypt"][..]),
        select(
            &[
                "arn:aws:s3:::bucket",
                "arn:aws:s3:::bucket/logs/a.txt",
                "arn:aws:s3:::bucket/",
                "arn:aws:s3:::bucket/clumio/x",
            ][..],
        ),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(action, resource, any_key, boundary)| Shape {
            action,
            resource,
            any_key,
            boundary,
        })
}

fn parse_ok(text: &str) -> Policy {
    let (policy, errors) = try_parse(text, PolicyKind::Generic);
    assert!(
        errors.is_empty(),
        "generated an invalid policy: {:?}\n{text}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    policy.expect("a policy")
}

/// Text with every occurrence of the account's `range` replaced by one shared hole.
fn hole_account(text: &str, range: (usize, usize)) -> PString {
    let hole = Hole::unknown("account-part", "part of the account id");
    let mut out = PString::default();
    let mut pieces = text.split(ACCT).peekable();
    while let Some(piece) = pieces.next() {
        out.push_str(piece);
        if pieces.peek().is_some() {
            out.push_str(&ACCT[..range.0]);
            out.push_hole(hole.clone());
            out.push_str(&ACCT[range.1..]);
        }
    }
    out
}

/// Builds the request; `account_hole` replaces part of the account everywhere it appears
/// (caller, role, context values), `resource_hole` part of the resource text.
fn build_request(
    shape: &Shape,
    states: &[KnownState],
    account_hole: Option<(usize, usize)>,
    resource_hole: Option<(usize, usize)>,
) -> Request {
    let text = |s: &str| match account_hole {
        Some(range) => hole_account(s, range),
        None => PString::known(s),
    };
    let mut context = RequestContext::new(KeyState::Absent);
    for (key, state) in KEYS.iter().zip(states) {
        match state {
            None => context.set(key, KeyState::Absent),
            Some(values) => context.set(
                key,
                KeyState::Present(values.iter().map(|v| text(v)).collect()),
            ),
        }
    }
    let mut resource = match resource_hole {
        Some((i, j)) => PString::known(&shape.resource[..i])
            .with_hole(Hole::unknown("resource-part", "part of the resource"))
            .with_str(&shape.resource[j..]),
        None => PString::known(shape.resource),
    };
    if shape.any_key && shape.resource.ends_with('/') {
        resource.push_hole(Hole::any_key());
    }
    Request {
        principal: RequestPrincipal {
            arn: text(SESSION_ARN),
            account: text(ACCT),
            role_arn: Some(text(ROLE_ARN)),
            permissions_boundary: Some(shape.boundary),
            boundary_why: "boundary".into(),
        },
        action: shape.action.into(),
        resource,
        context,
    }
}

/// Every `(i, j)` with a non-empty, colon-free `text[i..j]`.
fn colon_free_range(text: &str, a: usize, b: usize) -> Option<(usize, usize)> {
    let len = text.len();
    let i = a % len;
    let j = i + 1 + b % (len - i);
    (!text[i..j].contains(':')).then_some((i, j))
}

/// Certain answers of `base` stay the same in `perturbed` (which may only add Depends).
fn assert_no_flip(
    base: &Evaluation,
    perturbed: &Evaluation,
    what: &str,
) -> Result<(), TestCaseError> {
    for (b, p) in base.statements.iter().zip(&perturbed.statements) {
        if !matches!(p.applies, Tri::Depends(_)) {
            prop_assert_eq!(
                &b.applies,
                &p.applies,
                "statement {} after {}",
                b.index,
                what
            );
        }
    }
    if perturbed.decision != Decision::Depends {
        prop_assert_eq!(base.decision, perturbed.decision, "decision after {}", what);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_fully_known_request_is_never_depends(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
    ) {
        let policy = parse_ok(&text);
        let ev = evaluate(&policy, &build_request(&shape, &states, None, None));
        for s in &ev.statements {
            prop_assert!(!matches!(s.applies, Tri::Depends(_)), "statement {} of {}: {:?}", s.index, text, s);
        }
        prop_assert_ne!(ev.decision, Decision::Depends);
    }

    #[test]
    fn an_unknown_key_never_flips_a_certain_answer(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
        which in 0..KEYS.len(),
    ) {
        let policy = parse_ok(&text);
        let base = evaluate(&policy, &build_request(&shape, &states, None, None));
        let mut req = build_request(&shape, &states, None, None);
        req.context.set(KEYS[which], KeyState::Unknown("made unknown".into()));
        let perturbed = evaluate(&policy, &req);
        assert_no_flip(&base, &perturbed, &format!("making {} unknown", KEYS[which]))?;
    }

    #[test]
    fn a_hole_in_the_account_never_flips_a_certain_answer(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
        a in 0..12usize,
        b in 0..12usize,
    ) {
        let policy = parse_ok(&text);
        let range = colon_free_range(ACCT, a, b).expect("digits hold no colon");
        let base = evaluate(&policy, &build_request(&shape, &states, None, None));
        let perturbed = evaluate(&policy, &build_request(&shape, &states, Some(range), None));
        assert_no_flip(&base, &perturbed, &format!("holing account[{}..{}]", range.0, range.1))?;
    }

    #[test]
    fn a_hole_in_the_resource_never_flips_a_certain_answer(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
        a in 0..64usize,
        b in 0..64usize,
    ) {
        let policy = parse_ok(&text);
        // Unknowns inside an ARN stand for a part's text, never for its colons.
        let Some(range) = colon_free_range(shape.resource, a, b) else {
            return Ok(());
        };
        let base = evaluate(&policy, &build_request(&shape, &states, None, None));
        let perturbed = evaluate(&policy, &build_request(&shape, &states, None, Some(range)));
        assert_no_flip(&base, &perturbed, &format!("holing {:?} of {}", range, shape.resource))?;
    }

    #[test]
    fn absent_or_present_is_decided_only_where_both_agree(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
        which in 0..KEYS.len() - 1,
        values in prop::collection::vec(select(REQUEST_VALUES), 1..=2),
    ) {
        let policy = parse_ok(&text);
        let key = KEYS[which];
        let with_state = |state: Option<&[&'static str]>| {
            let mut states = states.clone();
            states[which] = state.map(<[&str]>::to_vec);
            evaluate(&policy, &build_request(&shape, &states, None, None))
        };
        let absent = with_state(None);
        let present = with_state(Some(&values));
        let mut req = build_request(&shape, &states, None, None);
        req.context.set_absent_or(key, values.iter().map(|v| PString::known(*v)).collect(), "either");
        let either = evaluate(&policy, &req);
        assert_no_flip(&absent, &either, &format!("{key} absent-or-present vs absent"))?;
        assert_no_flip(&present, &either, &format!("{key} absent-or-present vs present"))?;
    }
}

#[test]
fn the_generators_make_valid_and_varied_policies() {
    // The properties above are only meaningful if the generated policies parse and the
    // statements come out both ways.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    assert_eq!(KEYS.last(), Some(&VAR_KEY));
    let mut runner = TestRunner::deterministic();
    let (mut yes, mut no) = (0, 0);
    for _ in 0..200 {
        let text = policy_strategy().new_tree(&mut runner).unwrap().current();
        let states = context_strategy().new_tree(&mut runner).unwrap().current();
        let shape = shape_strategy().new_tree(&mut runner).unwrap().current();
        let policy = parse_ok(&text);
        let ev = evaluate(&policy, &build_request(&shape, &states, None, None));
        for s in &ev.statements {
            match s.applies {
                Tri::Yes => yes += 1,
                Tri::No => no += 1,
                Tri::Depends(_) => {}
            }
        }
    }
    assert!(yes >= 20 && no >= 20, "yes {yes}, no {no}");
}

// ---------------------------------------------------------------------------------------
// (d) `simulate` on fully known requests, and keys with a known set of values

/// `simulate`'s arguments for a session of the Clumio role whose request context names
/// every key: `aws:PrincipalArn` (the role ARN with its path), `aws:userid`, and the random
/// keys present with their values or `--absent`.
fn simulate_args(shape: &Shape, states: &[KnownState]) -> SimulateArgs {
    let mut args = SimulateArgs {
        principal: Some(SESSION_ARN.into()),
        action: Some(shape.action.into()),
        resource: Some(shape.resource.into()),
        permissions_boundary: Some(shape.boundary),
        ..SimulateArgs::default()
    };
    args.context
        .push(("aws:PrincipalArn".into(), ROLE_ARN.into()));
    args.context
        .push(("aws:userid".into(), format!("AROAEXAMPLEID:{SESSION}")));
    for (key, state) in KEYS.iter().zip(states) {
        if key.eq_ignore_ascii_case("aws:PrincipalArn") {
            continue;
        }
        match state {
            None => args.absent.push((*key).into()),
            Some(values) => args.context.extend(
                values
                    .iter()
                    .map(|v| ((*key).to_string(), (*v).to_string())),
            ),
        }
    }
    args
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn simulate_never_answers_depends_on_a_fully_known_request(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
    ) {
        let policy = parse_ok(&text);
        let profile = Profile::new(&ProfileOptions::default()).unwrap();
        let sim = simulate(&policy, &simulate_args(&shape, &states), &profile)
            .map_err(|e| TestCaseError::fail(e.0))?;
        prop_assert_ne!(sim.decision, Decision::Depends, "{}: {:?}", text, sim.depends_on);
        for s in &sim.outcomes[0].evaluation.statements {
            prop_assert!(!matches!(s.applies, Tri::Depends(_)), "statement {} of {}: {:?}", s.index, text, s);
        }
    }

    #[test]
    fn one_of_a_known_set_is_decided_only_where_every_value_agrees(
        text in policy_strategy(),
        states in context_strategy(),
        shape in shape_strategy(),
        which in 0..KEYS.len() - 1,
        values in prop::collection::vec(select(REQUEST_VALUES), 1..=3),
    ) {
        let policy = parse_ok(&text);
        let key = KEYS[which];
        let mut req = build_request(&shape, &states, None, None);
        req.context.set_one_of(key, values.iter().map(|v| PString::known(*v)).collect(), "which");
        let either = evaluate(&policy, &req);
        let mut all_same = true;
        let mut first: Option<Evaluation> = None;
        for v in &values {
            let mut states = states.clone();
            states[which] = Some(vec![*v]);
            let one = evaluate(&policy, &build_request(&shape, &states, None, None));
            assert_no_flip(&one, &either, &format!("{key} one of {values:?} vs {v}"))?;
            if let Some(f) = &first {
                all_same &= f.decision == one.decision;
            } else {
                first = Some(one);
            }
        }
        // Where every value gives the same decision, the set gives it too.
        if all_same {
            prop_assert_eq!(either.decision, first.unwrap().decision);
        }
    }
}

// ---------------------------------------------------------------------------------------
// (e) the memo answers as the evaluator does

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_statement_memo_answers_as_the_evaluator_does(
        text in policy_strategy(),
        callers in prop::collection::vec((context_strategy(), any::<bool>(), any::<bool>()), 1..=3),
        shapes in prop::collection::vec(shape_strategy(), 1..=6),
        order in prop::collection::vec(any::<prop::sample::Index>(), 1..=24),
    ) {
        let policy = parse_ok(&text);
        // Each caller's requests share its principal and context; they differ in action and
        // resource (with or without holes), as the rules' requests do.
        let requests: Vec<(usize, Request)> = callers
            .iter()
            .enumerate()
            .flat_map(|(ci, (states, account_hole, boundary))| {
                shapes.iter().map(move |shape| {
                    let shape = Shape { boundary: *boundary, ..shape.clone() };
                    let hole = account_hole.then_some((3, 7));
                    (ci, build_request(&shape, states, hole, None))
                })
            })
            .collect();
        for st in &policy.statements {
            let mut memo = StatementMemo::new(&policy, st);
            for index in &order {
                let (caller, request) = &requests[index.index(requests.len())];
                let expected = evaluate(&policy, request).statements[st.index].applies.clone();
                prop_assert_eq!(&statement_applies(&policy, st, request), &expected);
                prop_assert_eq!(memo.applies(*caller, request), expected, "{} {:?}", text, request);
                let bare = clumio_preflight::policy::ast::Statement {
                    principal: None,
                    conditions: Vec::new(),
                    ..st.clone()
                };
                prop_assert_eq!(memo.scope(*caller, request), statement_applies(&policy, &bare, request));
            }
        }
    }
}

//! The shared analysis behind CP201–CP207: for every bucket encrypted with a key defined in
//! the code, can the Clumio role use that key through S3?
//!
//! S3 calls KMS on the role's behalf when the role reads (Decrypt) or writes
//! (GenerateDataKey) SSE-KMS objects; those calls carry `aws:ViaAWSService = true`,
//! `kms:ViaService = s3.<region>.amazonaws.com`, `kms:CallerAccount` and the encryption
//! context (the object ARN, or the bucket ARN with S3 Bucket Keys). Key policies deny by
//! default: the role needs an Allow in the key policy, either naming it directly or naming the
//! account (which delegates to the role's IAM policy), and no Deny may apply. A KMS grant
//! (`aws_kms_grant`) to the role, or to its account, for the operation counts as well, when
//! its encryption-context constraints hold for S3's context.

use super::bucket_deny::SessionVerdict;
use super::unknowns;
use crate::model::{
    ContextConstraint, Encryption, Inventory, KeyPolicy, KeyRef, KmsGrant, PolicyDoc, PolicySyntax,
};
use crate::policy::Tri;
use crate::policy::ast::{
    Effect, Element, Located, Policy, PrincipalElement, PrincipalEntry, PrincipalKind, Statement,
};
use crate::policy::decision::{
    KeyState, Request, RequestContext, StatementMemo, evaluate_statement,
};
use crate::policy::glob::{Pattern, PatternOptions};
use crate::profile::{self, Profile};
use crate::source::Span;
use crate::value::PString;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// How the role is granted one KMS action by a key policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Grant {
    /// An Allow names the role (or its sessions, or everyone with conditions that hold).
    Direct,
    /// Only the account principal is allowed: the role's IAM policy decides.
    ViaIam,
    /// Whether a statement grants it depends on unknowns.
    Depends(Vec<String>),
    /// Nothing grants it.
    Missing,
}

/// A Deny statement of a key policy that applies to the role's KMS calls through S3.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDeny {
    /// Index into [`KeyVerdict::policy`]'s `statements` (not the written position
    /// [`Statement::index`]: unknown or invalid elements are not in that list, and a statement
    /// with an unknown `Effect` is in it twice).
    pub statement: usize,
    /// The actions certainly denied.
    pub denied: Vec<&'static str>,
    /// The actions maybe denied.
    pub maybe: Vec<&'static str>,
    /// What the maybe-verdicts hinge on.
    pub depends_on: Vec<String>,
    /// The evaluator's reasons for one denied request.
    pub reasons: Vec<String>,
    /// Per Clumio session, what the statement denies it; empty when it treats every
    /// session alike (as for bucket policies, [`SessionVerdict`]).
    pub sessions: Vec<SessionVerdict>,
}

/// The verdict for one bucket encrypted with one key of the code.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyVerdict<'a> {
    /// Index into [`Inventory::encryptions`].
    pub encryption: usize,
    /// Index into [`Inventory::keys`].
    pub key: usize,
    /// The policy evaluated: the key's written one (borrowed from the inventory), or the
    /// default key policy.
    pub policy: Cow<'a, Policy>,
    /// Whether the policy is the default key policy.
    pub default_policy: bool,
    /// How `kms:Decrypt` is granted.
    pub decrypt: Grant,
    /// How `kms:GenerateDataKey` is granted.
    pub generate: Grant,
    /// Deny statements that apply.
    pub denies: Vec<KeyDeny>,
    /// KMS grants on the key that would give the role `kms:Decrypt` but for constraints S3's
    /// encryption context never meets, each as a sentence.
    pub unmet_grants: Vec<String>,
}

/// The default key policy: the account-root statement that enables IAM policies.
pub fn default_policy(profile: &Profile, span: Span) -> Policy {
    let mut root = PString::known(format!("arn:{}:iam::", profile.partition));
    root.push(&profile.account);
    root.push_str(":root");
    let loc = |s: PString| Located::new(s, span);
    Policy {
        version: Some(Located::new("2012-10-17".into(), span)),
        variables_enabled: true,
        statements: vec![Statement {
            index: 0,
            sid: Some(Located::new("Enable IAM User Permissions".into(), span)),
            effect: Located::new(Effect::Allow, span),
            principal: Some(PrincipalElement {
                negated: false,
                entries: vec![PrincipalEntry {
                    kind: PrincipalKind::Aws,
                    value: loc(root),
                }],
                span,
            }),
            action: Element {
                negated: false,
                items: vec![loc("kms:*".into())],
                span,
            },
            resource: Some(Element {
                negated: false,
                items: vec![loc("*".into())],
                span,
            }),
            conditions: Vec::new(),
            span,
        }],
        unknown_statements: Vec::new(),
        span,
    }
}

fn is_account_entry(e: &PrincipalEntry) -> bool {
    let v = &e.value.value;
    match v.as_known() {
        Some(t) => (t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit())) || t.ends_with(":root"),
        None => v.to_string().ends_with(":root"),
    }
}

/// The statement with only the principal entries `keep` selects (None when none is left).
fn with_entries(
    st: &Statement,
    keep: impl Fn(&PrincipalEntry) -> bool,
) -> Option<Cow<'_, Statement>> {
    let p = st.principal.as_ref()?;
    let kept = p.entries.iter().filter(|e| keep(e)).count();
    if kept == 0 {
        return None;
    }
    if kept == p.entries.len() {
        // Every entry kept (the usual case): the statement itself.
        return Some(Cow::Borrowed(st));
    }
    let entries: Vec<PrincipalEntry> = p.entries.iter().filter(|e| keep(e)).cloned().collect();
    let mut narrowed = st.clone();
    narrowed.principal = Some(PrincipalElement {
        negated: p.negated,
        entries,
        span: p.span,
    });
    Some(Cow::Owned(narrowed))
}

/// The requests S3 makes to KMS for the role (one per role candidate and session).
/// Fills in `requests` (from [`Profile::kms_requests_via_s3`]) for the bucket of `enc`
/// encrypted with the key `key_arn`: the key, and the encryption context S3 sends.
fn fill_requests(
    requests: &mut [Vec<Request>],
    profile: &Profile,
    inv: &Inventory,
    enc: &Encryption,
    key_arn: &PString,
) {
    let context_arn = s3_context_arn(profile, inv, enc);
    for r in requests.iter_mut().flatten() {
        r.resource.clone_from(key_arn);
        set_encryption_context(&mut r.context, &context_arn);
    }
}

/// The `aws:s3:arn` of the encryption context S3 sends with its KMS calls for the bucket
/// of `enc`: the object's ARN (any object), or with S3 Bucket Keys the bucket's ARN.
fn s3_context_arn(profile: &Profile, inv: &Inventory, enc: &Encryption) -> PString {
    let bucket = match enc.bucket {
        Some(i) => inv.buckets[i].name.clone(),
        None => enc.bucket_expr.clone(),
    };
    if enc.bucket_key {
        profile.bucket_arn(&bucket)
    } else {
        profile.object_arn(&bucket)
    }
}

/// Whether `grant` lets S3 use key `ki` for the role's `action` (`kms:Decrypt`, …) on
/// every object of the bucket whose encryption context names `context_arn`: as
/// (naming the role itself, naming its account, whose IAM policies then decide).
pub fn grant_applies(
    grant: &KmsGrant,
    ki: usize,
    inv: &Inventory,
    profile: &Profile,
    action: &str,
    context_arn: &PString,
) -> (Tri, Tri) {
    let key = match grant.key {
        Some(k) if k == ki => Tri::Yes,
        Some(_) => Tri::No,
        None if grant.key_expr.as_known().is_none() => Tri::depends(format!(
            "whether {} is a grant on {} (its key_id is known only after apply)",
            grant.resource, inv.keys[ki].resource
        )),
        None => Tri::No,
    };
    let operation = action.strip_prefix("kms:").unwrap_or(action);
    let wanted = PString::known(operation);
    let operations = match &grant.operations {
        Ok(ops) => Tri::any(
            ops.iter()
                .map(|op| Pattern::new(op, PatternOptions::EXACT).matches(&wanted, true)),
        ),
        Err(hole) => Tri::depends(hole.why.to_string()),
    };
    let constraints = constraints_hold(grant, context_arn);
    let scope = key.and(operations).and(constraints);
    if scope == Tri::No {
        return (Tri::No, Tri::No);
    }
    let exact = |a: &PString, b: &PString| Pattern::new(a, PatternOptions::EXACT).matches(b, true);
    let per_role: Vec<Tri> = profile
        .roles
        .iter()
        .map(|role| exact(&grant.grantee, &role.arn))
        .collect();
    let role = unknowns::merge_roles(&per_role);
    let mut root = PString::known(format!("arn:{}:iam::", profile.partition));
    root.push(&profile.account);
    root.push_str(":root");
    let account = exact(&grant.grantee, &root).or(exact(&grant.grantee, &profile.account));
    (scope.clone().and(role), scope.and(account))
}

/// Whether every encryption-context constraint of `grant` holds for S3's context.
fn constraints_hold(grant: &KmsGrant, context_arn: &PString) -> Tri {
    Tri::all(
        grant
            .constraints
            .iter()
            .map(|c| constraint_holds(c, context_arn)),
    )
}

/// For each grant on key `ki` that would give the role `action` but for its
/// encryption-context constraints, which S3's context never meets: a sentence saying so.
fn unmet_constraints(
    inv: &Inventory,
    ki: usize,
    enc: &Encryption,
    profile: &Profile,
    action: &str,
) -> Vec<String> {
    let context_arn = s3_context_arn(profile, inv, enc);
    let unconstrained = |g: &KmsGrant| KmsGrant {
        constraints: Vec::new(),
        ..g.clone()
    };
    inv.grants
        .iter()
        .filter(|g| constraints_hold(g, &context_arn) == Tri::No)
        .filter(|g| {
            let (role, account) =
                grant_applies(&unconstrained(g), ki, inv, profile, action, &context_arn);
            role.or(account) != Tri::No
        })
        .map(|g| {
            let s3 = if enc.bucket_key {
                format!("the bucket's ARN {context_arn} (S3 Bucket Keys)")
            } else {
                format!("each object's ARN {context_arn} (no S3 Bucket Keys)")
            };
            format!(
                "{} would give the role {action}, but its encryption-context constraint never matches S3's context, whose aws:s3:arn is {s3}",
                g.resource
            )
        })
        .collect()
}

/// Whether an encryption-context constraint of a grant holds for S3's context, which has
/// exactly one pair, `aws:s3:arn` = `context_arn`, for every object of the bucket.
fn constraint_holds(constraint: &ContextConstraint, context_arn: &PString) -> Tri {
    let pair_holds = |(name, value): &(String, PString)| {
        if name == "aws:s3:arn" {
            // Grants compare exactly; it must hold for every object, not one.
            Pattern::new(value, PatternOptions::EXACT).matches(context_arn, false)
        } else {
            Tri::No
        }
    };
    match constraint {
        ContextConstraint::Equals(pairs) if pairs.len() == 1 => pair_holds(&pairs[0]),
        ContextConstraint::Equals(_) => Tri::No,
        ContextConstraint::Subset(pairs) => Tri::all(pairs.iter().map(pair_holds)),
        ContextConstraint::Unknown(hole) => Tri::depends(hole.why.to_string()),
    }
}

/// The grants of the code on key `ki` for `action`, folded: (to the role, to its account).
fn grants_for(
    inv: &Inventory,
    ki: usize,
    enc: &Encryption,
    profile: &Profile,
    action: &str,
) -> (Tri, Tri) {
    let context_arn = s3_context_arn(profile, inv, enc);
    inv.grants
        .iter()
        .map(|g| grant_applies(g, ki, inv, profile, action, &context_arn))
        .fold((Tri::No, Tri::No), |(r, a), (gr, ga)| (r.or(gr), a.or(ga)))
}

/// The key policy's answer combined with the code's KMS grants: a grant to the role is as
/// good as a key-policy statement naming it, one to its account as the root delegation.
fn with_grants(policy: Grant, (role, account): (Tri, Tri)) -> Grant {
    match (policy, role, account) {
        (Grant::Direct, _, _) | (_, Tri::Yes, _) => Grant::Direct,
        (Grant::ViaIam, _, _) | (_, _, Tri::Yes) => Grant::ViaIam,
        (Grant::Missing, Tri::No, Tri::No) => Grant::Missing,
        (Grant::Missing, r, a) => Grant::Depends(r.or(a).unknowns()),
        (Grant::Depends(mut on), r, a) => {
            on.extend(r.or(a).unknowns());
            on.sort();
            on.dedup();
            Grant::Depends(on)
        }
    }
}

fn set_encryption_context(ctx: &mut RequestContext, arn: &PString) {
    ctx.set(
        "kms:EncryptionContext:aws:s3:arn",
        KeyState::Present(vec![arn.clone()]),
    );
}

/// Whether the memo's statement applies to the requests: sessions combine with OR (a denied
/// session is a failing job), role-name candidates that disagree make it depend on the
/// role's name. Also the answer for each session (in [`profile::SESSION_NAMES`] order) over
/// the roles, and the first request it may apply to (whose evaluation explains the answer;
/// only the Deny analysis asks for the reasons). The requests of every KMS action share
/// callers (role candidate, session): S3's KMS calls for a session carry the same principal
/// and keys whatever the action.
fn applies<'r>(
    memo: &mut StatementMemo,
    per_role: &'r [Vec<Request>],
) -> (Tri, Option<&'r Request>, Vec<Tri>) {
    let mut first_applying = None;
    // Callers the statement cannot tell apart get the answer of the first of them.
    let (role_sensitive, session_sensitive) = memo.caller_sensitivity();
    let mut answers: Vec<Vec<Tri>> = Vec::with_capacity(per_role.len());
    for (ri, sessions) in per_role.iter().enumerate() {
        let mut row: Vec<Tri> = Vec::with_capacity(sessions.len());
        for (si, r) in sessions.iter().enumerate() {
            let applies = match (ri, si) {
                (1.., _) if !role_sensitive => answers[0][si].clone(),
                (_, 1..) if !session_sensitive => row[0].clone(),
                _ => memo.applies(ri * sessions.len() + si, r),
            };
            if applies != Tri::No && first_applying.is_none() {
                first_applying = Some(r);
            }
            row.push(applies);
        }
        answers.push(row);
    }
    let per_session: Vec<Tri> = (0..answers.first().map_or(0, Vec::len))
        .map(|si| {
            let column: Vec<Tri> = answers.iter().map(|role| role[si].clone()).collect();
            unknowns::merge_roles(&column)
        })
        .collect();
    let verdicts: Vec<Tri> = answers
        .iter()
        .map(|sessions| Tri::any(sessions.iter().cloned()))
        .collect();
    let first = verdicts[0].clone();
    let merged = if verdicts.iter().all(|t| *t == first) {
        first
    } else {
        let mut set: BTreeSet<String> = verdicts.iter().flat_map(|t| t.unknowns()).collect();
        set.insert("the Clumio role's name (--role-arn or --role-name)".into());
        Tri::Depends(set)
    };
    (merged, first_applying, per_session)
}

/// How the policy's Allow statements grant each action, one [`Grant`] per request set of
/// `per_action` (its requests per role candidate and session).
fn grants<const N: usize>(policy: &Policy, per_action: [&[Vec<Request>]; N]) -> [Grant; N] {
    let allows = policy
        .statements
        .iter()
        .filter(|s| s.effect.value == Effect::Allow);
    let mut direct: [Tri; N] = std::array::from_fn(|_| Tri::No);
    let mut via_iam: [Tri; N] = std::array::from_fn(|_| Tri::No);
    for st in allows {
        for (entries, answers) in [
            (with_entries(st, |e| !is_account_entry(e)), &mut direct),
            (with_entries(st, is_account_entry), &mut via_iam),
        ] {
            let Some(st) = entries else { continue };
            let mut memo = StatementMemo::new(policy, &st);
            for (answer, per_role) in answers.iter_mut().zip(per_action) {
                if *answer != Tri::Yes {
                    *answer = std::mem::replace(answer, Tri::No).or(applies(&mut memo, per_role).0);
                }
            }
        }
    }
    std::array::from_fn(|i| match (&direct[i], &via_iam[i]) {
        (Tri::Yes, _) => Grant::Direct,
        (_, Tri::Yes) => Grant::ViaIam,
        (Tri::No, Tri::No) => Grant::Missing,
        (a, b) => Grant::Depends(a.clone().or(b.clone()).unknowns()),
    })
}

/// Analyzes every (encrypted bucket, key in the code) pair whose key policy is readable.
pub fn analyze<'a>(inv: &'a Inventory, profile: &Profile) -> Vec<KeyVerdict<'a>> {
    if !inv
        .encryptions
        .iter()
        .any(|e| matches!(e.key, KeyRef::Key(_)))
    {
        return Vec::new();
    }
    // S3's KMS requests for the role, filled in for each encryption in turn.
    profile.with_working_requests(|w| analyze_with(inv, profile, &mut w.kms))
}

fn analyze_with<'a>(
    inv: &'a Inventory,
    profile: &Profile,
    [decrypt_requests, generate_requests]: &mut [Vec<Vec<Request>>; 2],
) -> Vec<KeyVerdict<'a>> {
    let mut out = Vec::new();
    for (ei, enc) in inv.encryptions.iter().enumerate() {
        let KeyRef::Key(ki) = enc.key else { continue };
        let key = &inv.keys[ki];
        let (policy, default_policy) = match &key.policy {
            KeyPolicy::Default => (Cow::Owned(default_policy(profile, key.header)), true),
            KeyPolicy::Written {
                doc: PolicyDoc::Parsed { policy, errors },
                ..
            } if errors.is_empty() => (Cow::Borrowed(policy), false),
            // Unreadable or unknown policies are CP901 / CP902.
            KeyPolicy::Written { .. } => continue,
        };
        fill_requests(decrypt_requests, profile, inv, enc, &key.arn);
        fill_requests(generate_requests, profile, inv, enc, &key.arn);
        let (decrypt_requests, generate_requests) = (&*decrypt_requests, &*generate_requests);
        let mut denies = Vec::new();
        for (position, st) in policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.effect.value == Effect::Deny)
        {
            let mut d = KeyDeny {
                statement: position,
                denied: Vec::new(),
                maybe: Vec::new(),
                depends_on: Vec::new(),
                reasons: Vec::new(),
                sessions: Vec::new(),
            };
            let mut sessions = SessionVerdict::for_every_session();
            let mut depends = BTreeSet::new();
            let mut memo = StatementMemo::new(&policy, st);
            for (action, reqs) in [
                (profile::KMS_DECRYPT, decrypt_requests),
                (profile::KMS_GENERATE_DATA_KEY, generate_requests),
            ] {
                let (tri, first_applying, per_session) = applies(&mut memo, reqs);
                let explain = |d: &mut KeyDeny| {
                    if d.reasons.is_empty()
                        && let Some(r) = first_applying
                    {
                        d.reasons = evaluate_statement(&policy, st, r).because;
                    }
                };
                for (session, answer) in sessions.iter_mut().zip(per_session) {
                    match answer {
                        Tri::Yes => session.denied.push(action.to_string()),
                        Tri::Depends(set) => {
                            session.maybe.push(action.to_string());
                            session.depends_on.extend(set);
                        }
                        Tri::No => {}
                    }
                }
                match tri {
                    Tri::Yes => {
                        d.denied.push(action);
                        explain(&mut d);
                    }
                    Tri::Depends(set) => {
                        d.maybe.push(action);
                        depends.extend(set);
                        explain(&mut d);
                    }
                    Tri::No => {}
                }
            }
            d.depends_on = depends.into_iter().collect();
            let alike = sessions
                .iter()
                .all(|s| s.denied == sessions[0].denied && s.maybe == sessions[0].maybe);
            if !alike {
                d.sessions = sessions;
            }
            if !d.denied.is_empty() || !d.maybe.is_empty() {
                denies.push(d);
            }
        }
        let [decrypt, generate] = grants(&policy, [decrypt_requests, generate_requests]);
        out.push(KeyVerdict {
            encryption: ei,
            key: ki,
            decrypt: with_grants(
                decrypt,
                grants_for(inv, ki, enc, profile, profile::KMS_DECRYPT),
            ),
            generate: with_grants(
                generate,
                grants_for(inv, ki, enc, profile, profile::KMS_GENERATE_DATA_KEY),
            ),
            unmet_grants: unmet_constraints(inv, ki, enc, profile, profile::KMS_DECRYPT),
            policy,
            default_policy,
            denies,
        });
    }
    out
}

/// The syntax of the key's written policy. For a key without one: `jsonencode` for a
/// Terraform key (addresses contain a dot, CloudFormation logical ids never do), JSON for a
/// CloudFormation key (the template may be YAML or JSON).
pub fn syntax(inv: &Inventory, v: &KeyVerdict<'_>) -> PolicySyntax {
    let key = &inv.keys[v.key];
    match &key.policy {
        KeyPolicy::Written { syntax, .. } => *syntax,
        KeyPolicy::Default if key.resource.contains('.') => PolicySyntax::HclJsonencode,
        KeyPolicy::Default => PolicySyntax::Json,
    }
}

/// Where a finding about the key's grants points: the policy attribute, or the key.
pub fn grant_span(inv: &Inventory, v: &KeyVerdict<'_>) -> (Span, String) {
    let key = &inv.keys[v.key];
    match &key.policy {
        KeyPolicy::Written { span, resource, .. } => (*span, resource.clone()),
        KeyPolicy::Default => (key.header, key.resource.clone()),
    }
}

/// What the bucket of a verdict is called.
pub fn bucket_label(inv: &Inventory, v: &KeyVerdict<'_>) -> String {
    let enc = &inv.encryptions[v.encryption];
    inv.bucket_label(enc.bucket, &enc.bucket_expr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileOptions;
    use crate::value::Hole;

    const ROLE: &str = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123";

    fn profile() -> Profile {
        Profile::new(&ProfileOptions {
            role_arn: Some(ROLE.into()),
            ..ProfileOptions::default()
        })
        .unwrap()
    }

    fn inventory() -> Inventory {
        let mut inv = Inventory::default();
        inv.keys.push(crate::model::Key {
            resource: "aws_kms_key.data".into(),
            arn: PString::known("arn:aws:kms:us-west-2:111122223333:key/k"),
            refs: vec!["aws_kms_key.data.key_id".into()],
            aliases: Vec::new(),
            policy: KeyPolicy::Default,
            span: Span::new(crate::source::FileId(0), 0, 0),
            header: Span::new(crate::source::FileId(0), 0, 0),
        });
        inv
    }

    fn grant(grantee: &str, ops: &[&str], constraints: Vec<ContextConstraint>) -> KmsGrant {
        KmsGrant {
            resource: "aws_kms_grant.g".into(),
            header: Span::new(crate::source::FileId(0), 0, 0),
            key: Some(0),
            key_expr: PString::known("k"),
            grantee: PString::known(grantee),
            operations: Ok(ops.iter().map(|o| PString::known(*o)).collect()),
            constraints,
        }
    }

    fn applies(g: &KmsGrant, context: &PString) -> (Tri, Tri) {
        grant_applies(g, 0, &inventory(), &profile(), "kms:Decrypt", context)
    }

    fn arn_pair(v: &str) -> Vec<(String, PString)> {
        vec![("aws:s3:arn".into(), PString::known(v))]
    }

    #[test]
    fn a_key_statement_matching_one_role_name_form_depends_on_the_role_name() {
        use crate::located_json::{OffsetMap, parse_json};
        use crate::policy::parse::parse_policy;
        // The role's name not given: one candidate per published name form.
        let profile = Profile::new(&ProfileOptions {
            account_id: Some("111122223333".into()),
            ..ProfileOptions::default()
        })
        .unwrap();
        // Any principal of the account whose role ARN is like `arns`.
        let key_policy = |arns: &str| {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"kms:Decrypt","Resource":"*","Condition":{{"ArnLike":{{"aws:PrincipalArn":{arns}}}}}}}]}}"#
            );
            let doc = parse_json(&text, &OffsetMap::direct(crate::source::FileId(0), 0)).unwrap();
            parse_policy(&doc, crate::policy::ast::PolicyKind::Key)
                .0
                .unwrap()
        };
        let requests = profile.kms_requests_via_s3(profile::KMS_DECRYPT);
        let [one] = grants(
            &key_policy(r#""arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-*""#),
            [&requests],
        );
        assert!(
            matches!(&one, Grant::Depends(on) if on.iter().any(|w| w.contains("role's name"))),
            "{one:?}"
        );
        let [both] = grants(
            &key_policy(
                r#"["arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-*","arn:aws:iam::111122223333:role/clumio/ClumioRole-*"]"#,
            ),
            [&requests],
        );
        assert_eq!(both, Grant::Direct);
    }

    #[test]
    fn a_grant_to_the_role_or_its_account_for_decrypt_counts() {
        let objects = profile().object_arn(&PString::known("b"));
        assert_eq!(
            applies(&grant(ROLE, &["Decrypt"], vec![]), &objects),
            (Tri::Yes, Tri::No)
        );
        let root = "arn:aws:iam::111122223333:root";
        assert_eq!(
            applies(&grant(root, &["Decrypt"], vec![]), &objects),
            (Tri::No, Tri::Yes)
        );
        // Another role, or only other operations: nothing.
        let other = "arn:aws:iam::111122223333:role/clumio/Other";
        assert_eq!(
            applies(&grant(other, &["Decrypt"], vec![]), &objects),
            (Tri::No, Tri::No)
        );
        assert_eq!(
            applies(
                &grant(ROLE, &["Encrypt", "GenerateDataKey"], vec![]),
                &objects
            ),
            (Tri::No, Tri::No)
        );
        // The role's session is not the role: a grant to one session does not cover backups.
        let session =
            "arn:aws:sts::111122223333:assumed-role/ClumioIAMRole-uw-2-abc123/daebaksrv-S3Backup";
        assert_eq!(
            applies(&grant(session, &["Decrypt"], vec![]), &objects).0,
            Tri::No
        );
    }

    #[test]
    fn grant_constraints_are_checked_against_s3s_encryption_context() {
        let p = profile();
        let bucket = PString::known("b");
        let objects = p.object_arn(&bucket);
        let bucket_arn = p.bucket_arn(&bucket);
        let equals_bucket = vec![ContextConstraint::Equals(arn_pair("arn:aws:s3:::b"))];
        // With S3 Bucket Keys the context is the bucket ARN; without, each object's ARN.
        assert_eq!(
            applies(
                &grant(ROLE, &["Decrypt"], equals_bucket.clone()),
                &bucket_arn
            )
            .0,
            Tri::Yes
        );
        assert_eq!(
            applies(&grant(ROLE, &["Decrypt"], equals_bucket), &objects).0,
            Tri::No
        );
        // One object's ARN does not cover every object.
        let one_object = vec![ContextConstraint::Subset(arn_pair(
            "arn:aws:s3:::b/report.csv",
        ))];
        assert_eq!(
            applies(&grant(ROLE, &["Decrypt"], one_object), &objects).0,
            Tri::No
        );
        // S3 sends only aws:s3:arn: a constraint on another pair never holds; an empty subset
        // always does.
        let other_pair = vec![ContextConstraint::Subset(vec![(
            "department".into(),
            PString::known("x"),
        )])];
        assert_eq!(
            applies(&grant(ROLE, &["Decrypt"], other_pair), &bucket_arn).0,
            Tri::No
        );
        let mut two = arn_pair("arn:aws:s3:::b");
        two.push(("department".into(), PString::known("x")));
        let equals_two = vec![ContextConstraint::Equals(two)];
        assert_eq!(
            applies(&grant(ROLE, &["Decrypt"], equals_two), &bucket_arn).0,
            Tri::No
        );
        let empty = vec![ContextConstraint::Subset(Vec::new())];
        assert_eq!(
            applies(&grant(ROLE, &["Decrypt"], empty), &objects).0,
            Tri::Yes
        );
    }

    #[test]
    fn unknown_parts_of_a_grant_make_it_depend() {
        let objects = profile().object_arn(&PString::known("b"));
        let unknown = Hole::unknown("g.constraints", "the constraints of g");
        let g = grant(
            ROLE,
            &["Decrypt"],
            vec![ContextConstraint::Unknown(unknown.clone())],
        );
        assert!(matches!(applies(&g, &objects).0, Tri::Depends(_)));
        let g = KmsGrant {
            operations: Err(unknown.clone()),
            ..grant(ROLE, &[], vec![])
        };
        assert!(matches!(applies(&g, &objects).0, Tri::Depends(_)));
        let g = KmsGrant {
            grantee: PString::hole(unknown.clone()),
            ..grant(ROLE, &["Decrypt"], vec![])
        };
        assert!(matches!(applies(&g, &objects).0, Tri::Depends(_)));
        // A key known only after apply may be this key.
        let g = KmsGrant {
            key: None,
            key_expr: PString::hole(unknown),
            ..grant(ROLE, &["Decrypt"], vec![])
        };
        assert!(matches!(applies(&g, &objects).0, Tri::Depends(_)));
        // A grant answer that depends turns a missing key-policy grant into "depends" (CP207),
        // never "missing" (CP201).
        assert!(matches!(
            with_grants(Grant::Missing, (Tri::depends("x"), Tri::No)),
            Grant::Depends(_)
        ));
        assert_eq!(
            with_grants(Grant::Missing, (Tri::Yes, Tri::No)),
            Grant::Direct
        );
        assert_eq!(
            with_grants(Grant::Missing, (Tri::No, Tri::Yes)),
            Grant::ViaIam
        );
        assert_eq!(
            with_grants(Grant::Missing, (Tri::No, Tri::No)),
            Grant::Missing
        );
    }
}

//! The shared analysis behind CP201–CP207: for every bucket encrypted with a key defined in
//! the code, can the Clumio role use that key through S3?
//!
//! S3 calls KMS on the role's behalf when the role reads (Decrypt) or writes
//! (GenerateDataKey) SSE-KMS objects; those calls carry `aws:ViaAWSService = true`,
//! `kms:ViaService = s3.<region>.amazonaws.com`, `kms:CallerAccount` and the encryption
//! context (the object ARN, or the bucket ARN with S3 Bucket Keys). Key policies deny by
//! default: the role needs an Allow in the key policy, either naming it directly or naming the
//! account (which delegates to the role's IAM policy), and no Deny may apply.

use crate::model::{Encryption, Inventory, KeyPolicy, KeyRef, PolicyDoc, PolicySyntax};
use crate::policy::Tri;
use crate::policy::ast::{
    Effect, Element, Located, Policy, PrincipalElement, PrincipalEntry, PrincipalKind, Statement,
};
use crate::policy::eval::{Context, KeyState, Request, evaluate_statement, statement_applies};
use crate::profile::{self, Profile};
use crate::source::Span;
use crate::value::PString;
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
    /// The statement's index.
    pub statement: usize,
    /// The actions certainly denied.
    pub denied: Vec<&'static str>,
    /// The actions maybe denied.
    pub maybe: Vec<&'static str>,
    /// What the maybe-verdicts hinge on.
    pub depends_on: Vec<String>,
    /// The evaluator's reasons for one denied request.
    pub reasons: Vec<String>,
}

/// The verdict for one bucket encrypted with one key of the code.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyVerdict {
    /// Index into [`Inventory::encryptions`].
    pub encryption: usize,
    /// Index into [`Inventory::keys`].
    pub key: usize,
    /// The policy evaluated (the written one, or the default key policy).
    pub policy: Policy,
    /// Whether the policy is the default key policy.
    pub default_policy: bool,
    /// How `kms:Decrypt` is granted.
    pub decrypt: Grant,
    /// How `kms:GenerateDataKey` is granted.
    pub generate: Grant,
    /// Deny statements that apply.
    pub denies: Vec<KeyDeny>,
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
fn with_entries(st: &Statement, keep: impl Fn(&PrincipalEntry) -> bool) -> Option<Statement> {
    let p = st.principal.as_ref()?;
    let entries: Vec<PrincipalEntry> = p.entries.iter().filter(|e| keep(e)).cloned().collect();
    if entries.is_empty() {
        return None;
    }
    Some(Statement {
        principal: Some(PrincipalElement {
            entries,
            ..p.clone()
        }),
        ..st.clone()
    })
}

/// The requests S3 makes to KMS for the role (one per role candidate and session).
fn requests(
    profile: &Profile,
    inv: &Inventory,
    enc: &Encryption,
    key_arn: &PString,
    action: &str,
) -> Vec<Vec<Request>> {
    let bucket = match enc.bucket {
        Some(i) => inv.buckets[i].name.clone(),
        None => enc.bucket_expr.clone(),
    };
    let context_arn = if enc.bucket_key {
        profile.bucket_arn(&bucket)
    } else {
        profile.object_arn(&bucket)
    };
    profile
        .roles
        .iter()
        .map(|role| {
            profile::SESSION_NAMES
                .iter()
                .map(|session| {
                    let mut r = profile.kms_request(role, session, action, key_arn.clone(), true);
                    set_encryption_context(&mut r.context, &context_arn);
                    r
                })
                .collect()
        })
        .collect()
}

fn set_encryption_context(ctx: &mut Context, arn: &PString) {
    ctx.set(
        "kms:EncryptionContext:aws:s3:arn",
        KeyState::Present(vec![arn.clone()]),
    );
}

/// Whether `st` applies to the requests: sessions combine with OR (a denied session is a
/// failing job), role-name candidates that disagree make it depend on the role's name.
fn applies(policy: &Policy, st: &Statement, per_role: &[Vec<Request>]) -> (Tri, Vec<String>) {
    let mut reasons = None;
    let verdicts: Vec<Tri> = per_role
        .iter()
        .map(|sessions| {
            Tri::any(sessions.iter().map(|r| {
                let applies = statement_applies(policy, st, r);
                if applies != Tri::No && reasons.is_none() {
                    reasons = Some(evaluate_statement(policy, st, r).because);
                }
                applies
            }))
        })
        .collect();
    let first = verdicts[0].clone();
    let merged = if verdicts.iter().all(|t| *t == first) {
        first
    } else {
        let mut set: BTreeSet<String> = verdicts.iter().flat_map(|t| t.unknowns()).collect();
        set.insert("the Clumio role's name (--role-arn or --role-name)".into());
        Tri::Depends(set)
    };
    (merged, reasons.unwrap_or_default())
}

fn grant(policy: &Policy, per_role: &[Vec<Request>]) -> Grant {
    let allows = policy
        .statements
        .iter()
        .filter(|s| s.effect.value == Effect::Allow);
    let mut direct = Tri::No;
    let mut via_iam = Tri::No;
    for st in allows {
        if let Some(d) = with_entries(st, |e| !is_account_entry(e)) {
            direct = direct.or(applies(policy, &d, per_role).0);
        }
        if let Some(a) = with_entries(st, is_account_entry) {
            via_iam = via_iam.or(applies(policy, &a, per_role).0);
        }
    }
    match (direct, via_iam) {
        (Tri::Yes, _) => Grant::Direct,
        (_, Tri::Yes) => Grant::ViaIam,
        (Tri::No, Tri::No) => Grant::Missing,
        (a, b) => Grant::Depends(a.or(b).unknowns()),
    }
}

/// Analyzes every (encrypted bucket, key in the code) pair whose key policy is readable.
pub fn analyze(inv: &Inventory, profile: &Profile) -> Vec<KeyVerdict> {
    let mut out = Vec::new();
    for (ei, enc) in inv.encryptions.iter().enumerate() {
        let KeyRef::Key(ki) = enc.key else { continue };
        let key = &inv.keys[ki];
        let (policy, default_policy) = match &key.policy {
            KeyPolicy::Default => (default_policy(profile, key.header), true),
            KeyPolicy::Written {
                doc: PolicyDoc::Parsed { policy, errors },
                ..
            } if errors.is_empty() => (policy.clone(), false),
            // Unreadable or unknown policies are CP901 / CP902.
            KeyPolicy::Written { .. } => continue,
        };
        let decrypt_requests = requests(profile, inv, enc, &key.arn, profile::KMS_DECRYPT);
        let generate_requests =
            requests(profile, inv, enc, &key.arn, profile::KMS_GENERATE_DATA_KEY);
        let mut denies = Vec::new();
        for st in policy
            .statements
            .iter()
            .filter(|s| s.effect.value == Effect::Deny)
        {
            let mut d = KeyDeny {
                statement: st.index,
                denied: Vec::new(),
                maybe: Vec::new(),
                depends_on: Vec::new(),
                reasons: Vec::new(),
            };
            let mut depends = BTreeSet::new();
            for (action, reqs) in [
                (profile::KMS_DECRYPT, &decrypt_requests),
                (profile::KMS_GENERATE_DATA_KEY, &generate_requests),
            ] {
                let (tri, reasons) = applies(&policy, st, reqs);
                match tri {
                    Tri::Yes => {
                        d.denied.push(action);
                        if d.reasons.is_empty() {
                            d.reasons = reasons;
                        }
                    }
                    Tri::Depends(set) => {
                        d.maybe.push(action);
                        depends.extend(set);
                        if d.reasons.is_empty() {
                            d.reasons = reasons;
                        }
                    }
                    Tri::No => {}
                }
            }
            d.depends_on = depends.into_iter().collect();
            if !d.denied.is_empty() || !d.maybe.is_empty() {
                denies.push(d);
            }
        }
        out.push(KeyVerdict {
            encryption: ei,
            key: ki,
            decrypt: grant(&policy, &decrypt_requests),
            generate: grant(&policy, &generate_requests),
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
pub fn syntax(inv: &Inventory, v: &KeyVerdict) -> PolicySyntax {
    let key = &inv.keys[v.key];
    match &key.policy {
        KeyPolicy::Written { syntax, .. } => *syntax,
        KeyPolicy::Default if key.resource.contains('.') => PolicySyntax::HclJsonencode,
        KeyPolicy::Default => PolicySyntax::Json,
    }
}

/// Where a finding about the key's grants points: the policy attribute, or the key.
pub fn grant_span(inv: &Inventory, v: &KeyVerdict) -> (Span, String) {
    let key = &inv.keys[v.key];
    match &key.policy {
        KeyPolicy::Written { span, resource, .. } => (*span, resource.clone()),
        KeyPolicy::Default => (key.header, key.resource.clone()),
    }
}

/// What the bucket of a verdict is called.
pub fn bucket_label(inv: &Inventory, v: &KeyVerdict) -> String {
    let enc = &inv.encryptions[v.encryption];
    inv.bucket_label(enc.bucket, &enc.bucket_expr)
}

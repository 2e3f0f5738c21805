//! The shared analysis behind CP101–CP105: for every statement of every bucket policy,
//! which backup requests of the Clumio role it denies, certainly or depending on unknowns.
//!
//! Every role-name candidate is evaluated with every known session. A session denied is a
//! backup (or inventory) job failing, so sessions combine with OR; only one role candidate is
//! real, so candidates that disagree make the verdict depend on the role's name.

use crate::model::{Inventory, PolicyDoc};
use crate::policy::ast::{Effect, PrincipalKind, Statement};
use crate::policy::eval::{Request, evaluate_statement, statement_applies};
use crate::policy::{Policy, Tri};
use crate::profile::{self, Profile};
use crate::source::Span;
use crate::value::PString;
use std::collections::BTreeSet;

/// What a statement does to Clumio's backups, most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    /// A principal entry holds a partial wildcard (CP104).
    PartialWildcard,
    /// A `NotPrincipal` Deny that denies the role (CP103).
    NotPrincipalIncomplete,
    /// A `NotPrincipal` Deny that exempts the role only through exact names (CP105).
    NotPrincipalFragile,
    /// A Deny that certainly denies a backup request (CP101).
    Blocks,
    /// A Deny that may deny a backup request (CP102).
    MayBlock,
    /// Nothing to report.
    Clean,
}

/// The verdict on one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementVerdict {
    /// Index into [`Inventory::policies`].
    pub policy: usize,
    /// Index into the policy's statements.
    pub statement: usize,
    /// The classification.
    pub class: Class,
    /// Backup actions certainly denied.
    pub denied: Vec<String>,
    /// Backup actions denied or not depending on unknowns.
    pub maybe: Vec<String>,
    /// What the maybe-verdicts hinge on.
    pub depends_on: Vec<String>,
    /// The evaluator's reasons for one denied (or maybe denied) request.
    pub reasons: Vec<String>,
    /// Sessions certainly denied (NotPrincipal statements).
    pub sessions_denied: Vec<String>,
    /// Principal entries with a partial wildcard.
    pub wildcards: Vec<(Span, String)>,
}

/// The statement a verdict is about.
pub fn statement<'a>(
    inv: &'a Inventory,
    v: &StatementVerdict,
) -> Option<(&'a Policy, &'a Statement)> {
    match &inv.policies[v.policy].doc {
        PolicyDoc::Parsed { policy, .. } => policy.statements.get(v.statement).map(|s| (policy, s)),
        _ => None,
    }
}

/// Analyzes every statement of every parsed bucket policy.
pub fn analyze(inv: &Inventory, profile: &Profile) -> Vec<StatementVerdict> {
    let indices: Vec<usize> = (0..inv.policies.len()).collect();
    crate::parallel::map_chunks(&indices, |&pi| analyze_policy(inv, profile, pi))
        .into_iter()
        .flatten()
        .collect()
}

/// The verdicts on every statement of one bucket policy.
fn analyze_policy(inv: &Inventory, profile: &Profile, pi: usize) -> Vec<StatementVerdict> {
    let bp = &inv.policies[pi];
    let PolicyDoc::Parsed { policy, .. } = &bp.doc else {
        return Vec::new();
    };
    let bucket = inv.bucket_name_of(bp);
    // One request per role candidate and session, reused for every action.
    let mut requests: Vec<Vec<Request>> = profile
        .roles
        .iter()
        .map(|role| {
            profile::SESSION_NAMES
                .iter()
                .map(|s| profile.s3_request(role, s, "", profile.bucket_arn(&bucket)))
                .collect()
        })
        .collect();
    policy
        .statements
        .iter()
        .enumerate()
        .map(|(si, st)| analyze_statement(policy, st, &bucket, profile, &mut requests, (pi, si)))
        .collect()
}

fn wildcard_entries(st: &Statement) -> Vec<(Span, String)> {
    let Some(p) = &st.principal else {
        return Vec::new();
    };
    p.entries
        .iter()
        .filter(|e| e.kind == PrincipalKind::Aws)
        .filter(|e| e.value.value.as_known() != Some("*"))
        .filter(|e| e.value.value.contains_known("*") || e.value.value.contains_known("?"))
        .map(|e| (e.value.span, e.value.value.to_string()))
        .collect()
}

/// Statement without principal and conditions: does it cover the action and resource?
fn scope(policy: &Policy, st: &Statement, request: &Request) -> Tri {
    let bare = Statement {
        principal: None,
        conditions: Vec::new(),
        ..st.clone()
    };
    statement_applies(policy, &bare, request)
}

fn analyze_statement(
    policy: &Policy,
    st: &Statement,
    bucket: &PString,
    profile: &Profile,
    requests: &mut [Vec<Request>],
    (pi, si): (usize, usize),
) -> StatementVerdict {
    let mut v = StatementVerdict {
        policy: pi,
        statement: si,
        class: Class::Clean,
        denied: Vec::new(),
        maybe: Vec::new(),
        depends_on: Vec::new(),
        reasons: Vec::new(),
        sessions_denied: Vec::new(),
        wildcards: wildcard_entries(st),
    };
    if !v.wildcards.is_empty() {
        v.class = Class::PartialWildcard;
    }
    if st.effect.value != Effect::Deny {
        return v;
    }
    let jobs = profile::BUCKET_ACTIONS
        .iter()
        .map(|a| (*a, profile.bucket_arn(bucket)))
        .chain(
            profile::OBJECT_ACTIONS
                .iter()
                .map(|a| (*a, profile.object_arn(bucket))),
        );
    let mut depends: BTreeSet<String> = BTreeSet::new();
    let mut sessions_denied: BTreeSet<String> = BTreeSet::new();
    let mut in_scope = Tri::No;
    let mut denied_reason: Option<Vec<String>> = None;
    let mut maybe_reason: Option<Vec<String>> = None;
    let (role_sensitive, session_sensitive) = st.caller_sensitivity();
    for (action, resource) in jobs {
        let mut per_role: Vec<Tri> = Vec::new();
        for (ri, sessions) in requests.iter_mut().enumerate() {
            if ri > 0 && !role_sensitive {
                // The same answer as for the first role candidate.
                per_role.push(per_role[0].clone());
                continue;
            }
            let mut role_verdict = Tri::No;
            for (si, request) in sessions.iter_mut().enumerate() {
                if si > 0 && !session_sensitive {
                    break;
                }
                request.action.clear();
                request.action.push_str(action);
                request.resource.clone_from(&resource);
                if ri == 0 && si == 0 {
                    in_scope = in_scope.or(scope(policy, st, request));
                }
                let applies = statement_applies(policy, st, request);
                // Explain only the first request of each kind: reasons cost more than answers.
                match &applies {
                    Tri::Yes => {
                        if session_sensitive {
                            sessions_denied.insert(profile::SESSION_NAMES[si].to_string());
                        } else {
                            sessions_denied
                                .extend(profile::SESSION_NAMES.iter().map(|s| s.to_string()));
                        }
                        denied_reason
                            .get_or_insert_with(|| evaluate_statement(policy, st, request).because);
                    }
                    Tri::Depends(_) => {
                        maybe_reason
                            .get_or_insert_with(|| evaluate_statement(policy, st, request).because);
                    }
                    Tri::No => {}
                }
                role_verdict = role_verdict.or(applies);
            }
            per_role.push(role_verdict);
        }
        let first = per_role[0].clone();
        let merged = if per_role.iter().all(|t| *t == first) {
            first
        } else {
            let mut set: BTreeSet<String> = per_role.iter().flat_map(|t| t.unknowns()).collect();
            set.insert("the Clumio role's name (--role-arn or --role-name)".into());
            Tri::Depends(set)
        };
        match merged {
            Tri::Yes => v.denied.push(action.to_string()),
            Tri::Depends(set) => {
                depends.extend(set);
                v.maybe.push(action.to_string());
            }
            Tri::No => {}
        }
    }
    v.depends_on = depends.into_iter().collect();
    v.sessions_denied = sessions_denied.into_iter().collect();
    let negated = st.principal.as_ref().is_some_and(|p| p.negated);
    v.reasons = if !v.denied.is_empty() {
        denied_reason.unwrap_or_default()
    } else {
        maybe_reason.or(denied_reason).unwrap_or_default()
    };
    if v.class == Class::PartialWildcard {
        return v;
    }
    v.class = match (negated, v.denied.is_empty(), v.maybe.is_empty()) {
        (true, false, _) => Class::NotPrincipalIncomplete,
        (true, true, _) if in_scope != Tri::No => Class::NotPrincipalFragile,
        (false, false, _) => Class::Blocks,
        (false, true, false) => Class::MayBlock,
        _ => Class::Clean,
    };
    v
}

/// The condition findings among the evaluator's reasons (the part a user needs to read).
pub fn condition_reasons(v: &StatementVerdict) -> String {
    let picked: Vec<&str> = v
        .reasons
        .iter()
        .filter(|r| r.contains(" → "))
        .map(String::as_str)
        .collect();
    if picked.is_empty() {
        "the statement has no condition that spares the Clumio role".to_string()
    } else {
        picked.join("; ")
    }
}

/// `s3:ListBucket, s3:GetObject` or "every backup action (…)".
pub fn action_list(actions: &[String]) -> String {
    let all = profile::BUCKET_ACTIONS.len() + profile::OBJECT_ACTIONS.len();
    if actions.len() == all {
        "every backup action (s3:ListBucket, s3:GetObject, …)".to_string()
    } else {
        actions.join(", ")
    }
}

/// A diagnostic about the statement of `v`.
pub fn diagnostic(
    inv: &Inventory,
    v: &StatementVerdict,
    rule: &'static super::RuleInfo,
    message: String,
    help: String,
    label: String,
) -> Option<super::Diagnostic> {
    let (_, st) = statement(inv, v)?;
    let bp = &inv.policies[v.policy];
    Some(super::Diagnostic {
        rule,
        severity: rule.severity,
        message,
        help,
        span: st.span,
        label,
        resource: bp.resource.clone(),
        target: Some(inv.target_of(bp)),
        related: Vec::new(),
    })
}

//! The shared analysis behind CP101–CP105: for every statement of every bucket policy,
//! which backup requests of the Clumio role it denies, certainly or depending on unknowns.
//!
//! Every role-name candidate is evaluated with every known session. A session denied is a
//! backup (or inventory) job failing, so sessions combine with OR; only one role candidate is
//! real, so candidates that disagree make the verdict depend on the role's name.

use super::unknowns;
use crate::model::{Inventory, PolicyDoc};
use crate::policy::ast::{Effect, PrincipalKind, Statement};
use crate::policy::decision::{Request, StatementMemo, evaluate_statement};
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
    /// Per Clumio session, in [`profile::SESSION_NAMES`] order, the backup actions denied
    /// and maybe denied to it. Empty when the statement treats every session alike.
    pub sessions: Vec<SessionVerdict>,
    /// Principal entries with a partial wildcard.
    pub wildcards: Vec<(Span, String)>,
}

/// What one statement does to one Clumio session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionVerdict {
    /// The session name.
    pub name: &'static str,
    /// Backup actions certainly denied to it.
    pub denied: Vec<String>,
    /// Backup actions denied to it or not depending on unknowns.
    pub maybe: Vec<String>,
    /// What the maybe-verdicts hinge on.
    pub depends_on: BTreeSet<String>,
}

impl SessionVerdict {
    /// One empty verdict per Clumio session, in the profile's order.
    pub fn for_every_session() -> Vec<SessionVerdict> {
        profile::SESSION_NAMES
            .iter()
            .map(|name| SessionVerdict {
                name,
                denied: Vec::new(),
                maybe: Vec::new(),
                depends_on: BTreeSet::new(),
            })
            .collect()
    }
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
    // The thread's working requests, reused for every policy (each job sets the action and
    // the resource).
    crate::parallel::map(&indices, |&pi| {
        profile.with_working_requests(|w| analyze_policy(inv, profile, pi, &mut w.s3))
    })
    .into_iter()
    .flatten()
    .collect()
}

/// The verdicts on every statement of one bucket policy.
fn analyze_policy(
    inv: &Inventory,
    profile: &Profile,
    pi: usize,
    requests: &mut [Vec<Request>],
) -> Vec<StatementVerdict> {
    let bp = &inv.policies[pi];
    let PolicyDoc::Parsed { policy, .. } = &bp.doc else {
        return Vec::new();
    };
    let bucket = inv.bucket_name_of(bp);
    let arns = [profile.bucket_arn(&bucket), profile.object_arn(&bucket)];
    policy
        .statements
        .iter()
        .enumerate()
        .map(|(si, st)| analyze_statement(policy, st, &arns, requests, (pi, si)))
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

fn analyze_statement(
    policy: &Policy,
    st: &Statement,
    arns: &[PString; 2],
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
        sessions: Vec::new(),
        wildcards: wildcard_entries(st),
    };
    if !v.wildcards.is_empty() {
        v.class = Class::PartialWildcard;
    }
    if st.effect.value != Effect::Deny {
        return v;
    }
    // Bucket actions on the bucket's ARN, object actions on "some object" in it.
    let jobs = profile::BUCKET_ACTIONS
        .iter()
        .map(|a| (*a, &arns[0]))
        .chain(profile::OBJECT_ACTIONS.iter().map(|a| (*a, &arns[1])));
    let mut depends: BTreeSet<String> = BTreeSet::new();
    let mut noted = Noted {
        in_scope: Tri::No,
        sessions_denied: BTreeSet::new(),
        denied_reason: None,
        maybe_reason: None,
    };
    let (role_sensitive, session_sensitive) = st.caller_sensitivity();
    let mut sessions = SessionVerdict::for_every_session();
    // Each element of the statement decided once per input, not once per request.
    let mut memo = StatementMemo::new(policy, st);
    // The requests of two actions the statement's Action answers alike, on the same
    // resource, get the same answers (the memo's callers are the same for every action): each
    // such group is decided once, for its first action, and its answers reused.
    let mut groups: Vec<(Tri, &PString, ActionAnswers)> = Vec::new();
    for (action, resource) in jobs {
        let action_answer = memo.action_answer(action);
        let known = groups
            .iter()
            .position(|(a, r, _)| *a == action_answer && std::ptr::eq(*r, resource));
        // What an answer depends on is the same for every action of its group: noted once.
        let (answers, first_of_group) = match known {
            Some(i) => (&groups[i].2, false),
            None => {
                let answers = decide_action(
                    policy,
                    st,
                    &mut memo,
                    (action, resource),
                    requests,
                    (role_sensitive, session_sensitive),
                    &mut noted,
                );
                groups.push((action_answer, resource, answers));
                (&groups[groups.len() - 1].2, true)
            }
        };
        // A statement that treats every session alike gives them the same answers: no
        // session's are kept ([`StatementVerdict::sessions`]).
        let per_session = if session_sensitive {
            answers.per_session.as_slice()
        } else {
            &[]
        };
        for (session, merged) in sessions.iter_mut().zip(per_session) {
            match merged {
                Tri::Yes => session.denied.push(action.to_string()),
                Tri::Depends(set) => {
                    session.maybe.push(action.to_string());
                    if first_of_group {
                        session.depends_on.extend(set.iter().cloned());
                    }
                }
                Tri::No => {}
            }
        }
        match &answers.over_roles {
            Tri::Yes => v.denied.push(action.to_string()),
            Tri::Depends(set) => {
                if first_of_group {
                    depends.extend(set.iter().cloned());
                }
                v.maybe.push(action.to_string());
            }
            Tri::No => {}
        }
    }
    v.depends_on = depends.into_iter().collect();
    v.sessions_denied = noted.sessions_denied.into_iter().collect();
    let alike = sessions
        .iter()
        .all(|s| s.denied == sessions[0].denied && s.maybe == sessions[0].maybe);
    if !alike {
        v.sessions = sessions;
    }
    let negated = st.principal.as_ref().is_some_and(|p| p.negated);
    v.reasons = if !v.denied.is_empty() {
        noted.denied_reason.unwrap_or_default()
    } else {
        noted
            .maybe_reason
            .or(noted.denied_reason)
            .unwrap_or_default()
    };
    if v.class == Class::PartialWildcard {
        return v;
    }
    v.class = match (negated, v.denied.is_empty(), v.maybe.is_empty()) {
        (true, false, _) => Class::NotPrincipalIncomplete,
        (true, true, _) if noted.in_scope != Tri::No => Class::NotPrincipalFragile,
        (false, false, _) => Class::Blocks,
        (false, true, false) => Class::MayBlock,
        _ => Class::Clean,
    };
    v
}

/// A statement's answers for one action: per session, over every role candidate, and over
/// every session and role candidate.
struct ActionAnswers {
    per_session: Vec<Tri>,
    over_roles: Tri,
}

/// What [`decide_action`] notes for the whole statement as it goes: whether the statement
/// covers the action and resource at all, the sessions it denies, and the reasons of its
/// first certain and first possible denial.
struct Noted {
    in_scope: Tri,
    sessions_denied: BTreeSet<String>,
    denied_reason: Option<Vec<String>>,
    maybe_reason: Option<Vec<String>>,
}

/// Decides `st` for `action` on `resource` for every role candidate and session of
/// `requests` (each request's action and resource set here).
fn decide_action(
    policy: &Policy,
    st: &Statement,
    memo: &mut StatementMemo,
    (action, resource): (&str, &PString),
    requests: &mut [Vec<Request>],
    (role_sensitive, session_sensitive): (bool, bool),
    noted: &mut Noted,
) -> ActionAnswers {
    let session_count = profile::SESSION_NAMES.len();
    let mut per_role: Vec<Tri> = Vec::new();
    // Per session, the answer for each role candidate.
    let mut per_session: Vec<Vec<Tri>> = vec![Vec::new(); session_count];
    for (ri, role_requests) in requests.iter_mut().enumerate() {
        if ri > 0 && !role_sensitive {
            // The same answer as for the first role candidate.
            per_role.push(per_role[0].clone());
            for answers in &mut per_session {
                let first = answers[0].clone();
                answers.push(first);
            }
            continue;
        }
        let mut role_verdict = Tri::No;
        for (si, request) in role_requests.iter_mut().enumerate() {
            if si > 0 && !session_sensitive {
                let first = per_session[0][ri].clone();
                per_session[si].push(first);
                continue;
            }
            request.action.clear();
            request.action.push_str(action);
            if request.resource != *resource {
                request.resource.clone_from(resource);
            }
            // One caller per role candidate and session: its principal and keys.
            let caller = ri * session_count + si;
            if ri == 0 && si == 0 {
                // Does it cover the action and resource, whoever asks?
                noted.in_scope =
                    std::mem::replace(&mut noted.in_scope, Tri::No).or(memo.scope(caller, request));
            }
            let applies = memo.applies(caller, request);
            // Explain only the first request of each kind: reasons cost more than answers.
            match &applies {
                Tri::Yes => {
                    if session_sensitive {
                        noted
                            .sessions_denied
                            .insert(profile::SESSION_NAMES[si].to_string());
                    } else {
                        noted
                            .sessions_denied
                            .extend(profile::SESSION_NAMES.iter().map(|s| s.to_string()));
                    }
                    noted
                        .denied_reason
                        .get_or_insert_with(|| evaluate_statement(policy, st, request).because);
                }
                Tri::Depends(_) => {
                    noted
                        .maybe_reason
                        .get_or_insert_with(|| evaluate_statement(policy, st, request).because);
                }
                Tri::No => {}
            }
            per_session[si].push(applies.clone());
            role_verdict = role_verdict.or(applies);
        }
        per_role.push(role_verdict);
    }
    ActionAnswers {
        per_session: per_session
            .iter()
            .map(|answers| unknowns::merge_roles(answers))
            .collect(),
        over_roles: unknowns::merge_roles(&per_role),
    }
}

/// What a Clumio session does, as far as its name tells (Clumio does not document it).
pub fn session_role(name: &str) -> &'static str {
    match name {
        "daebaksrv-S3Backup" => "reads the objects for backups",
        "daebaksrv-RestoreTargetCheck" => "checks a bucket before restoring into it",
        "daebaksrv-createS3CustomerSession" => "sets up Clumio's access to the account's buckets",
        "Ingestion-ingesttool" => "ingests the bucket's inventory and objects into Clumio",
        _ => "a Clumio session",
    }
}

fn session_phrase(names: &[&str]) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| format!("{n} ({})", session_role(n)))
        .collect();
    let noun = if names.len() == 1 {
        "session"
    } else {
        "sessions"
    };
    format!("{noun} {}", items.join(", "))
}

/// Who among Clumio's sessions a statement blocks, when it does not treat them alike: the
/// blocked sessions with what each is denied, the sessions it may block, and the exempt
/// ones, each with what it does. `None` when every session gets the same answer.
pub fn who_is_blocked(v: &StatementVerdict) -> Option<String> {
    sessions_blocked(&v.sessions)
}

/// [`who_is_blocked`] for any statement's per-session answers (bucket or key policy):
/// `None` when `sessions` is empty (every session gets the same answer).
pub fn sessions_blocked(sessions: &[SessionVerdict]) -> Option<String> {
    if sessions.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let blocked: Vec<&SessionVerdict> = sessions.iter().filter(|s| !s.denied.is_empty()).collect();
    let same_denied = blocked.iter().all(|s| s.denied == blocked[0].denied);
    if !blocked.is_empty() {
        if same_denied {
            let names: Vec<&str> = blocked.iter().map(|s| s.name).collect();
            parts.push(format!(
                "it blocks {}: {} denied",
                session_phrase(&names),
                action_list(&blocked[0].denied)
            ));
        } else {
            let each: Vec<String> = blocked
                .iter()
                .map(|s| {
                    format!(
                        "{}: {} denied",
                        session_phrase(&[s.name]),
                        action_list(&s.denied)
                    )
                })
                .collect();
            parts.push(format!("it blocks {}", each.join("; ")));
        }
    }
    let maybe: Vec<&SessionVerdict> = sessions
        .iter()
        .filter(|s| s.denied.is_empty() && !s.maybe.is_empty())
        .collect();
    if !maybe.is_empty() {
        let names: Vec<&str> = maybe.iter().map(|s| s.name).collect();
        let on: BTreeSet<&str> = maybe
            .iter()
            .flat_map(|s| s.depends_on.iter().map(String::as_str))
            .collect();
        let on: Vec<&str> = on.into_iter().collect();
        parts.push(format!(
            "it may block {}, depending on {}",
            session_phrase(&names),
            on.join("; ")
        ));
    }
    let exempt: Vec<&str> = sessions
        .iter()
        .filter(|s| s.denied.is_empty() && s.maybe.is_empty())
        .map(|s| s.name)
        .collect();
    if !exempt.is_empty() {
        parts.push(format!("it exempts {}", session_phrase(&exempt)));
    }
    Some(parts.join("; "))
}

/// The sessions a statement certainly blocks, by name (`session A, B`), or "the Clumio
/// role" when it treats every session alike.
pub fn blocked_session_names(v: &StatementVerdict) -> String {
    session_names_blocked(&v.sessions)
}

/// [`blocked_session_names`] for any statement's per-session answers.
pub fn session_names_blocked(sessions: &[SessionVerdict]) -> String {
    let names: Vec<&str> = sessions
        .iter()
        .filter(|s| !s.denied.is_empty())
        .map(|s| s.name)
        .collect();
    match names.len() {
        0 => "the Clumio role".to_string(),
        1 => format!("session {}", names[0]),
        _ => format!("sessions {}", names.join(", ")),
    }
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

/// At most this many actions are listed by name; more are cut to the first few and a count.
const LISTED_ACTIONS: usize = 5;

/// `s3:ListBucket, s3:GetObject`; "every backup action (…)" only when every one of them is
/// in `actions`; past `LISTED_ACTIONS`, the first few and a count of the rest.
pub fn action_list(actions: &[String]) -> String {
    let all = profile::BUCKET_ACTIONS.len() + profile::OBJECT_ACTIONS.len();
    let every = profile::BUCKET_ACTIONS
        .iter()
        .chain(profile::OBJECT_ACTIONS)
        .all(|a| actions.iter().any(|x| x == a));
    if every {
        "every backup action (s3:ListBucket, s3:GetObject, …)".to_string()
    } else if actions.len() > LISTED_ACTIONS {
        let shown = LISTED_ACTIONS - 1;
        format!(
            "{} and {} more of the {all} backup actions",
            actions[..shown].join(", "),
            actions.len() - shown
        )
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
    help: super::Help,
    label: String,
) -> Option<super::Diagnostic> {
    let (_, st) = statement(inv, v)?;
    let bp = &inv.policies[v.policy];
    let mut d = super::Diagnostic {
        fix: None,
        rule,
        severity: rule.severity,
        message,
        help: String::new(),
        span: st.span,
        label,
        resource: bp.resource.clone(),
        target: Some(inv.target_of(bp)),
        related: Vec::new(),
        callers: Vec::new(),
        help_parts: Vec::new(),
    };
    d.set_help(help);
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::decision::statement_applies;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn actions_decided_once_per_group_answer_as_each_request_decided_alone() {
        let text = r#"{"Version":"2012-10-17","Statement":[
          {"Effect":"Deny","Principal":"*","Action":["s3:Get*"],"Resource":"arn:aws:s3:::b/*",
           "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}},
          {"Effect":"Deny","Principal":"*","NotAction":["s3:GetObject","s3:ListBucket"],
           "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
           "Condition":{"StringNotLike":{"aws:userid":"*:daebaksrv-S3Backup"}}},
          {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/clumio/x"},
           "Action":"s3:*","Resource":"arn:aws:s3:::b"},
          {"Effect":"Deny","Principal":"*","Action":["s3:List*","s3:GetObjectTagging"],
           "Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}
        ]}"#;
        let map = crate::located_json::OffsetMap::direct(crate::source::FileId(0), 0);
        let doc = crate::located_json::parse_json(text, &map).unwrap();
        let (policy, errors) =
            crate::policy::parse::parse_policy(&doc, crate::policy::ast::PolicyKind::Bucket);
        assert!(errors.is_empty(), "{errors:?}");
        let policy = policy.unwrap();
        for options in [
            profile::ProfileOptions::default(),
            profile::ProfileOptions {
                role_arn: Some("arn:aws:iam::111122223333:role/clumio/x".into()),
                ..Default::default()
            },
        ] {
            let profile = Profile::new(&options).unwrap();
            let bucket = PString::known("b");
            let arns = [profile.bucket_arn(&bucket), profile.object_arn(&bucket)];
            for (si, st) in policy.statements.iter().enumerate() {
                let v = profile.with_working_requests(|w| {
                    analyze_statement(&policy, st, &arns, &mut w.s3, (0, si))
                });
                // Each action's requests decided alone, without the memo or the groups.
                let (mut denied, mut maybe) = (Vec::new(), Vec::new());
                let jobs = profile::BUCKET_ACTIONS
                    .iter()
                    .map(|a| (*a, &arns[0]))
                    .chain(profile::OBJECT_ACTIONS.iter().map(|a| (*a, &arns[1])));
                for (action, resource) in jobs {
                    let per_role: Vec<Tri> = profile
                        .s3_requests()
                        .iter()
                        .map(|sessions| {
                            Tri::any(sessions.iter().map(|r| {
                                let mut r = r.clone();
                                r.action = action.to_string();
                                r.resource = resource.clone();
                                statement_applies(&policy, st, &r)
                            }))
                        })
                        .collect();
                    match unknowns::merge_roles(&per_role) {
                        Tri::Yes => denied.push(action.to_string()),
                        Tri::Depends(_) => maybe.push(action.to_string()),
                        Tri::No => {}
                    }
                }
                let who = options.role_arn.is_some();
                assert_eq!(v.denied, denied, "statement {si}, role given: {who}");
                assert_eq!(v.maybe, maybe, "statement {si}, role given: {who}");
            }
        }
    }

    #[test]
    fn every_backup_action_only_when_all_are_denied() {
        let all: Vec<String> = profile::BUCKET_ACTIONS
            .iter()
            .chain(profile::OBJECT_ACTIONS)
            .map(|s| s.to_string())
            .collect();
        assert!(action_list(&all).starts_with("every backup action"));
        let most = &all[..all.len() - 1];
        let text = action_list(most);
        assert!(!text.contains("every"), "{text}");
        assert!(
            text.ends_with("and 7 more of the 12 backup actions"),
            "{text}"
        );
        assert!(
            text.starts_with("s3:ListBucket, s3:ListBucketVersions"),
            "{text}"
        );
        assert_eq!(
            action_list(&strings(&["s3:GetObject", "s3:GetObjectVersion"])),
            "s3:GetObject, s3:GetObjectVersion"
        );
    }

    fn verdict(sessions: Vec<SessionVerdict>) -> StatementVerdict {
        StatementVerdict {
            policy: 0,
            statement: 0,
            class: Class::Blocks,
            denied: Vec::new(),
            maybe: Vec::new(),
            depends_on: Vec::new(),
            reasons: Vec::new(),
            sessions_denied: Vec::new(),
            sessions,
            wildcards: Vec::new(),
        }
    }

    fn session(name: &'static str, denied: &[&str], maybe: &[&str]) -> SessionVerdict {
        SessionVerdict {
            name,
            denied: strings(denied),
            maybe: strings(maybe),
            depends_on: if maybe.is_empty() {
                BTreeSet::new()
            } else {
                BTreeSet::from(["the role's unique id".to_string()])
            },
        }
    }

    #[test]
    fn who_is_blocked_names_blocked_maybe_and_exempt_sessions_with_their_jobs() {
        let v = verdict(vec![
            session("daebaksrv-S3Backup", &[], &[]),
            session("daebaksrv-RestoreTargetCheck", &[], &["s3:ListBucket"]),
            session("daebaksrv-createS3CustomerSession", &[], &[]),
            session("Ingestion-ingesttool", &["s3:GetObject"], &[]),
        ]);
        let text = who_is_blocked(&v).unwrap();
        assert!(
            text.starts_with(
                "it blocks session Ingestion-ingesttool (ingests the bucket's inventory and objects into Clumio): s3:GetObject denied"
            ),
            "{text}"
        );
        assert!(
            text.contains("it may block session daebaksrv-RestoreTargetCheck (checks a bucket before restoring into it), depending on the role's unique id"),
            "{text}"
        );
        assert!(
            text.contains("it exempts sessions daebaksrv-S3Backup (reads the objects for backups), daebaksrv-createS3CustomerSession"),
            "{text}"
        );
        assert_eq!(blocked_session_names(&v), "session Ingestion-ingesttool");
        // Different denials per session are listed per session.
        let v = verdict(vec![
            session("daebaksrv-S3Backup", &["s3:GetObject"], &[]),
            session("Ingestion-ingesttool", &["s3:ListBucket"], &[]),
        ]);
        let text = who_is_blocked(&v).unwrap();
        assert!(text.contains("daebaksrv-S3Backup (reads the objects for backups): s3:GetObject denied; session Ingestion-ingesttool"), "{text}");
        // Sessions treated alike: no per-session text.
        assert_eq!(who_is_blocked(&verdict(Vec::new())), None);
        assert_eq!(
            blocked_session_names(&verdict(Vec::new())),
            "the Clumio role"
        );
    }
}

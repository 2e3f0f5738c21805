//! `clumio-preflight simulate`: evaluate one policy for one request (or for every request a
//! Clumio backup makes) and explain the decision statement by statement. The request context
//! settles the principal (`--context aws:PrincipalArn=ROLE_ARN` gives a session's role its path
//! and account, as `--role-arn` does); the decision is also the exit status (0 allow, 1 deny,
//! 3 depends); `--clumio` groups requests with the same answer.

use crate::located_json::{OffsetMap, parse_json};
use crate::policy::ast::{Policy, PolicyKind};
use crate::policy::decision::{
    Decision, Evaluation, KeyState, Request, RequestContext, RequestPrincipal, evaluate,
};
use crate::policy::parse::parse_policy;
use crate::policy::tri::Tri;
use crate::profile::{self, Profile};
use crate::source::{FileId, Sources};
use crate::value::{Hole, PString};
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;

/// What `simulate` was asked.
#[derive(Debug, Clone, Default)]
pub struct SimulateArgs {
    /// `--principal`.
    pub principal: Option<String>,
    /// `--action`.
    pub action: Option<String>,
    /// `--resource`.
    pub resource: Option<String>,
    /// `--context KEY=VALUE`, in order.
    pub context: Vec<(String, String)>,
    /// `--absent KEY`.
    pub absent: Vec<String>,
    /// `--unknown KEY`.
    pub unknown: Vec<String>,
    /// `--clumio`: every request a backup makes, from the profile.
    pub clumio: bool,
    /// `--permissions-boundary` for a `--principal`.
    pub permissions_boundary: Option<bool>,
    /// `--role-path`, when given: the path of the `--principal` session's role.
    pub role_path: Option<String>,
    /// The policy kind, or `None` to detect it (KMS actions mean a key policy).
    pub kind: Option<PolicyKind>,
}

/// One evaluated request.
#[derive(Debug, Clone)]
pub struct RequestOutcome {
    /// The request (for a merged Clumio request: the one shown).
    pub request: Request,
    /// Its evaluation.
    pub evaluation: Evaluation,
}

/// The result of a simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The overall decision.
    pub decision: Decision,
    /// One outcome per request.
    pub outcomes: Vec<RequestOutcome>,
    /// What the overall decision hinges on.
    pub depends_on: Vec<String>,
    /// Whether the policy was read as a KMS key policy (nothing allowing is then a denial).
    pub key_policy: bool,
}

/// `simulate`'s exit status when the decision is `allow` (or an `implicit-deny` of a bucket
/// or identity policy: that policy denies nothing, other policies decide).
pub const EXIT_ALLOW: u8 = 0;
/// `simulate`'s exit status when the decision is `deny` (with `--clumio`: some backup request
/// is denied), or an `implicit-deny` of a key policy (KMS needs the key policy to allow).
pub const EXIT_DENY: u8 = 1;
/// `simulate`'s exit status when the decision is `depends`.
pub const EXIT_DEPENDS: u8 = 3;

impl Simulation {
    /// The exit status for scripts: [`EXIT_ALLOW`], [`EXIT_DENY`] or [`EXIT_DEPENDS`]
    /// (2 is kept for unusable input or arguments).
    pub fn exit_status(&self) -> u8 {
        match self.decision {
            Decision::Allow => EXIT_ALLOW,
            Decision::Deny => EXIT_DENY,
            Decision::ImplicitDeny if self.key_policy => EXIT_DENY,
            Decision::ImplicitDeny => EXIT_ALLOW,
            Decision::Depends => EXIT_DEPENDS,
        }
    }

    /// The `--clumio` requests grouped by their answer: requests whose decision, `depends_on`
    /// and per-statement answers are the same form one group, in first-seen order.
    pub fn groups(&self) -> Vec<Vec<&RequestOutcome>> {
        let mut groups: Vec<(String, Vec<&RequestOutcome>)> = Vec::new();
        for o in &self.outcomes {
            let key = answer_key(o);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(o),
                None => groups.push((key, vec![o])),
            }
        }
        groups.into_iter().map(|(_, members)| members).collect()
    }
}

/// What makes two requests' answers the same: the decision, what it depends on, whether S3
/// makes the call, and each statement's answer.
fn answer_key(o: &RequestOutcome) -> String {
    let statements: Vec<String> = o
        .evaluation
        .statements
        .iter()
        .map(|s| format!("{}:{:?}", s.index, s.applies))
        .collect();
    format!(
        "{}|{}|{}|{}",
        o.evaluation.decision.word(),
        o.evaluation.depends_on.join(";"),
        via_service(o),
        statements.join(",")
    )
}

fn via_service(o: &RequestOutcome) -> bool {
    o.request.context.get("aws:ViaAWSService") == &KeyState::Present(vec!["true".into()])
}

/// A simulate failure: the policy or the arguments could not be used (exit status 2).
#[derive(Debug, Clone, PartialEq)]
pub struct SimulateError(pub String);

/// Parses the policy text of `file` (the file is already in `sources`).
pub fn load_policy(
    sources: &Sources,
    file: FileId,
    kind: Option<PolicyKind>,
) -> Result<Policy, SimulateError> {
    let src = sources.file(file);
    let doc = parse_json(&src.text, &OffsetMap::direct(file, 0)).map_err(|e| {
        let (at, _) = sources.range(e.span);
        SimulateError(format!(
            "{}:{at}: error: invalid JSON: {}; a policy document must be strict JSON [CP901]",
            src.name, e.message
        ))
    })?;
    let kind = kind.unwrap_or_else(|| detect_kind(&src.text));
    let (policy, errors) = parse_policy(&doc, kind);
    if !errors.is_empty() {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| {
                let (at, _) = sources.range(e.span);
                format!("{}:{at}: error: {} [CP901]", src.name, e.message)
            })
            .collect();
        return Err(SimulateError(lines.join("\n")));
    }
    policy.ok_or_else(|| SimulateError(format!("{}: error: not a policy document", src.name)))
}

/// A key policy names KMS actions; anything else is read as a generic policy.
fn detect_kind(text: &str) -> PolicyKind {
    if text.contains("\"kms:") {
        PolicyKind::Key
    } else {
        PolicyKind::Generic
    }
}

fn is_key_policy(policy: &Policy) -> bool {
    policy
        .statements
        .iter()
        .flat_map(|s| &s.action.items)
        .any(|a| {
            a.value
                .known_prefix()
                .to_ascii_lowercase()
                .starts_with("kms:")
        })
}

fn apply_overrides(ctx: &mut RequestContext, args: &SimulateArgs) {
    let mut given: BTreeSet<String> = BTreeSet::new();
    for (key, value) in &args.context {
        let lower = key.to_ascii_lowercase();
        if given.insert(lower) {
            ctx.set(key, KeyState::Present(Vec::new()));
        }
        ctx.add_value(key, PString::known(value.clone()));
    }
    for key in &args.absent {
        ctx.set(key, KeyState::Absent);
    }
    for key in &args.unknown {
        ctx.set(
            key,
            KeyState::Unknown(format!("given as unknown (--unknown {key})")),
        );
    }
}

/// Runs the simulation described by `args` against `policy`.
pub fn simulate(
    policy: &Policy,
    args: &SimulateArgs,
    profile: &Profile,
) -> Result<Simulation, SimulateError> {
    if args.clumio {
        let profile = clumio_profile(args, profile)?;
        return Ok(simulate_clumio(policy, args, &profile));
    }
    let principal = args
        .principal
        .as_deref()
        .ok_or_else(|| SimulateError("simulate needs --principal ARN (or --clumio)".into()))?;
    if !principal.starts_with("arn:") || principal.splitn(6, ':').count() != 6 {
        return Err(SimulateError(format!(
            "--principal must be an ARN such as arn:aws:sts::111122223333:assumed-role/R/session, got \"{principal}\""
        )));
    }
    let action = args.action.clone().ok_or_else(|| {
        SimulateError("simulate needs --action (e.g. s3:GetObject), or --clumio".into())
    })?;
    let resource = args
        .resource
        .clone()
        .ok_or_else(|| SimulateError("simulate needs --resource ARN, or --clumio".into()))?;
    let mut p = RequestPrincipal::from_arn(principal);
    let session = parse_session_arn(principal);
    if let Some(s) = &session {
        check_context_account(s, args)?;
    }
    check_role_context(principal, args)?;
    if let Some(role_arn) = context_role_arn(session.as_ref(), args, profile)? {
        p.role_arn = Some(PString::known(role_arn));
    } else if let Some(role_arn) = session_role_arn(principal, args, profile) {
        p.role_arn = Some(role_arn);
    }
    if let Some(b) = args.permissions_boundary {
        p.permissions_boundary = Some(b);
    }
    let mut ctx = RequestContext::new(KeyState::Absent);
    // What the principal ARN implies; --context/--absent/--unknown override it.
    ctx.set_value("aws:PrincipalAccount", p.account.clone());
    ctx.set_value(
        "aws:PrincipalArn",
        p.role_arn.clone().unwrap_or_else(|| p.arn.clone()),
    );
    if let Some(s) = &session {
        // A role session always carries `aws:userid` = `<role unique id>:<session name>`;
        // the unique id is assigned when the role is created (AWS-SEMANTICS.md 1.2).
        ctx.set_value(
            "aws:userid",
            PString::hole(Hole::segment(
                "role-unique-id",
                format!(
                    "the unique id (AROA…) of role {}, assigned when it was created (--context aws:userid=AROA…:{})",
                    s.role, s.session
                ),
            ))
            .with_str(&format!(":{}", s.session)),
        );
    }
    apply_overrides(&mut ctx, args);
    let request = Request {
        principal: p,
        action,
        resource: PString::known(resource),
        context: ctx,
    };
    let evaluation = evaluate(policy, &request);
    Ok(Simulation {
        decision: evaluation.decision,
        key_policy: match args.kind {
            Some(kind) => kind == PolicyKind::Key,
            None => is_key_policy(policy),
        },
        depends_on: evaluation.depends_on.clone(),
        outcomes: vec![RequestOutcome {
            request,
            evaluation,
        }],
    })
}

/// The parts of a role-session ARN `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
#[derive(Debug, Clone, PartialEq)]
struct SessionArn {
    account: String,
    role: String,
    session: String,
}

fn parse_session_arn(principal: &str) -> Option<SessionArn> {
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    let [_, _, "sts", _, account, resource] = parts.as_slice() else {
        return None;
    };
    let (role, session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
    Some(SessionArn {
        account: (*account).to_string(),
        role: role.to_string(),
        session: session.to_string(),
    })
}

/// The value of `key` given with `--context` (the last one when repeated).
fn context_value<'a>(args: &'a SimulateArgs, key: &str) -> Option<&'a str> {
    args.context
        .iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// `--context aws:PrincipalAccount=ID` must be the session's own account.
fn check_context_account(session: &SessionArn, args: &SimulateArgs) -> Result<(), SimulateError> {
    match context_value(args, "aws:PrincipalAccount") {
        Some(given) if given != session.account => Err(SimulateError(format!(
            "--context aws:PrincipalAccount={given} contradicts the principal's account {} (from --principal)",
            session.account
        ))),
        _ => Ok(()),
    }
}

/// For a role principal (not a session), `--context aws:PrincipalArn=ARN` must be that
/// role's own ARN: another role name, path, account or partition is a usage error naming both.
fn check_role_context(principal: &str, args: &SimulateArgs) -> Result<(), SimulateError> {
    let (Some(role), Some(given)) = (
        profile::parse_role_arn(principal),
        context_value(args, "aws:PrincipalArn"),
    ) else {
        return Ok(());
    };
    let describe = |r: &profile::RoleArn| {
        format!(
            "role {} with path {} in account {} (partition {})",
            r.name, r.path, r.account, r.partition
        )
    };
    match profile::parse_role_arn(given) {
        Some(named) if named == role => Ok(()),
        Some(named) => Err(SimulateError(format!(
            "--context aws:PrincipalArn={given} ({}) contradicts --principal {principal} ({}): a role's aws:PrincipalArn is its own ARN",
            describe(&named),
            describe(&role)
        ))),
        None => Err(SimulateError(format!(
            "--context aws:PrincipalArn={given} is not a role ARN, but --principal {principal} is a role: its aws:PrincipalArn is its own ARN"
        ))),
    }
}

/// For a role session, the role ARN that `--context aws:PrincipalArn=ARN` gives: it fixes the
/// role, its path and its account exactly as `--role-arn` does. A role name or account that
/// differs from the session's, or from `--role-arn`, is a usage error naming both values.
fn context_role_arn(
    session: Option<&SessionArn>,
    args: &SimulateArgs,
    profile: &Profile,
) -> Result<Option<String>, SimulateError> {
    let (Some(session), Some(given)) = (session, context_value(args, "aws:PrincipalArn")) else {
        return Ok(None);
    };
    let role = profile::parse_role_arn(given).ok_or_else(|| {
        SimulateError(format!(
            "--context aws:PrincipalArn={given} is not a role ARN, but the principal is a session of role {} (a session's aws:PrincipalArn is its role's ARN, e.g. arn:aws:iam::{}:role/PATH/{})",
            session.role, session.account, session.role
        ))
    })?;
    if role.name != session.role || role.account != session.account {
        return Err(SimulateError(format!(
            "--context aws:PrincipalArn={given} (role {} in account {}) contradicts the principal, a session of role {} in account {}",
            role.name, role.account, session.role, session.account
        )));
    }
    if let Some(flag) = &profile.options.role_arn
        && flag != given
        && profile::parse_role_arn(flag).is_some_and(|f| f.name == role.name)
    {
        return Err(SimulateError(format!(
            "--context aws:PrincipalArn={given} contradicts --role-arn {flag}"
        )));
    }
    if let Some(path) = &args.role_path
        && *path != role.path
    {
        return Err(SimulateError(format!(
            "--context aws:PrincipalArn={given} (path {}) contradicts --role-path {path}",
            role.path
        )));
    }
    Ok(Some(given.to_string()))
}

/// For a role-session `principal`, the ARN of its role with the role's path. A session ARN
/// (`arn:aws:sts::ACCT:assumed-role/NAME/SESSION`) carries no path, while `aws:PrincipalArn`
/// and role principals use the role ARN with it: the path comes from `--role-arn` (or
/// `--role-name` with `--role-path`) when they name the same role, else it stays unknown.
/// `None` when `principal` is not a session ARN.
fn session_role_arn(principal: &str, args: &SimulateArgs, profile: &Profile) -> Option<PString> {
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    let [_, partition, "sts", _, account, resource] = parts.as_slice() else {
        return None;
    };
    let (name, _session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
    let same_role = |role: &profile::RoleCandidate| {
        role.name.as_known() == Some(name) && profile.account.as_known() == Some(*account)
    };
    if let [role] = profile.roles.as_slice()
        && same_role(role)
    {
        return Some(role.arn.clone());
    }
    let prefix = format!("arn:{partition}:iam::{account}:role/");
    if let Some(path) = &args.role_path {
        let inner = path.trim_start_matches('/');
        return Some(PString::known(format!("{prefix}{inner}{name}")));
    }
    Some(
        PString::known(prefix)
            .with_hole(Hole::unknown(
                "role-path",
                format!(
                    "the path of role {name}, which its session ARN does not show (--role-arn ARN or --role-path PATH)"
                ),
            ))
            .with_str(name),
    )
}

/// The profile for `--clumio`: `--context aws:PrincipalArn=ARN` names the Clumio role exactly
/// as `--role-arn` does (a different `--role-arn` or `--account-id` is a usage error).
fn clumio_profile(args: &SimulateArgs, profile: &Profile) -> Result<Profile, SimulateError> {
    let Some(given) = context_value(args, "aws:PrincipalArn") else {
        return Ok(profile.clone());
    };
    if let Some(flag) = &profile.options.role_arn
        && flag != given
    {
        return Err(SimulateError(format!(
            "--context aws:PrincipalArn={given} contradicts --role-arn {flag}"
        )));
    }
    let opts = profile::ProfileOptions {
        role_arn: Some(given.to_string()),
        ..profile.options.clone()
    };
    let named = Profile::new(&opts).map_err(|e| {
        SimulateError(format!(
            "--context aws:PrincipalArn={given} cannot be the Clumio role: {}",
            e.0.replace("--role-arn", "the role ARN")
        ))
    })?;
    if let Some(given_account) = context_value(args, "aws:PrincipalAccount")
        && named.account.as_known() != Some(given_account)
    {
        return Err(SimulateError(format!(
            "--context aws:PrincipalAccount={given_account} contradicts --context aws:PrincipalArn={given}"
        )));
    }
    Ok(named)
}

/// The bucket the simulation is about: `--resource`, else the one bucket the policy names.
fn clumio_bucket(policy: &Policy, args: &SimulateArgs) -> PString {
    let from_arn = |arn: &str| {
        arn.strip_prefix("arn:")
            .and_then(|r| r.splitn(5, ':').nth(4))
            .map(|r| r.split('/').next().unwrap_or(r).to_string())
    };
    if let Some(r) = &args.resource {
        if let Some(b) = from_arn(r) {
            return PString::known(b);
        }
        return PString::known(r.clone());
    }
    let named: BTreeSet<String> = policy
        .statements
        .iter()
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| &r.items)
        .filter_map(|i| i.value.as_known())
        .filter(|t| t.contains(":s3:::"))
        .filter_map(from_arn)
        .filter(|b| !b.contains(['*', '?', '$']))
        .collect();
    if named.len() == 1 {
        return PString::known(named.into_iter().next().unwrap_or_default());
    }
    PString::hole(Hole::unknown(
        "bucket",
        "the bucket (--resource arn:aws:s3:::BUCKET)",
    ))
}

fn simulate_clumio(policy: &Policy, args: &SimulateArgs, profile: &Profile) -> Simulation {
    let key_policy = match args.kind {
        Some(kind) => kind == PolicyKind::Key,
        None => is_key_policy(policy),
    };
    let mut jobs: Vec<(String, PString, Option<bool>)> = Vec::new();
    if key_policy {
        let key = PString::known(args.resource.clone().unwrap_or_else(|| "*".into()));
        for action in [profile::KMS_DECRYPT, profile::KMS_GENERATE_DATA_KEY] {
            jobs.push((action.into(), key.clone(), Some(true)));
            jobs.push((action.into(), key.clone(), Some(false)));
        }
    } else {
        let bucket = clumio_bucket(policy, args);
        for action in profile::BUCKET_ACTIONS {
            jobs.push((action.to_string(), profile.bucket_arn(&bucket), None));
        }
        for action in profile::OBJECT_ACTIONS {
            jobs.push((action.to_string(), profile.object_arn(&bucket), None));
        }
    }
    let mut outcomes = Vec::new();
    for (action, resource, via_s3) in jobs {
        let mut evaluated = Vec::new();
        for role in &profile.roles {
            for session in profile::SESSION_NAMES {
                let mut request = match via_s3 {
                    None => profile.s3_request(role, session, &action, resource.clone()),
                    Some(via) => profile.kms_request(role, session, &action, resource.clone(), via),
                };
                apply_overrides(&mut request.context, args);
                let evaluation = evaluate(policy, &request);
                evaluated.push(RequestOutcome {
                    request,
                    evaluation,
                });
            }
        }
        outcomes.push(merge(evaluated, profile::SESSION_NAMES.len()));
    }
    let decision = overall(outcomes.iter().map(|o| o.evaluation.decision));
    let depends_on: BTreeSet<String> = outcomes
        .iter()
        .flat_map(|o| o.evaluation.depends_on.clone())
        .collect();
    Simulation {
        decision,
        key_policy,
        outcomes,
        depends_on: if decision == Decision::Depends {
            depends_on.into_iter().collect()
        } else {
            Vec::new()
        },
    }
}

/// Merges the evaluations of one action across role-name candidates and sessions
/// (`evaluated` is role-major: `sessions` consecutive outcomes per role). A Deny of some
/// session for every role candidate is a Deny (that session's backup request fails); the same
/// decision everywhere stands; otherwise the decision depends on which role name or which
/// session it is (only what actually varies is named, with the sessions behind each answer).
/// Likewise each statement whose answer varies. The outcome shown is the worst one.
fn merge(mut evaluated: Vec<RequestOutcome>, sessions: usize) -> RequestOutcome {
    let rank = |d: Decision| match d {
        Decision::Deny => 0,
        Decision::Depends => 1,
        Decision::ImplicitDeny => 2,
        Decision::Allow => 3,
    };
    let decisions: Vec<&'static str> = evaluated
        .iter()
        .map(|o| o.evaluation.decision.word())
        .collect();
    // Per statement, the answer it got in each evaluation (all evaluations have the same
    // statements, in order).
    let answers: Vec<Vec<Tri>> = (0..evaluated
        .first()
        .map_or(0, |o| o.evaluation.statements.len()))
        .map(|i| {
            evaluated
                .iter()
                .filter_map(|o| o.evaluation.statements.get(i))
                .map(|s| s.applies.clone())
                .collect()
        })
        .collect();
    let others: BTreeSet<String> = evaluated
        .iter()
        .flat_map(|o| o.evaluation.depends_on.clone())
        .collect();
    evaluated.sort_by_key(|o| rank(o.evaluation.decision));
    let mut shown = evaluated.swap_remove(0);
    // Every session's request is a backup request: one certainly denied fails a job, so a
    // Deny for some session (whichever the role's name) is the answer, shown for that session.
    let denied_for_every_role = decisions
        .chunks(sessions.max(1))
        .all(|chunk| chunk.contains(&Decision::Deny.word()));
    let reasons = if denied_for_every_role {
        Vec::new()
    } else {
        variation(&decisions, sessions)
    };
    if !reasons.is_empty() {
        shown.evaluation.decision = Decision::Depends;
        let mut all = others;
        all.extend(reasons);
        shown.evaluation.depends_on = all.into_iter().collect();
    }
    for (st, answers) in shown.evaluation.statements.iter_mut().zip(answers) {
        if answers.iter().all(|a| *a == st.applies) {
            continue;
        }
        let mut unknowns: BTreeSet<String> = answers.iter().flat_map(|a| a.unknowns()).collect();
        let words: Vec<&'static str> = answers.iter().map(|a| a.word()).collect();
        let reasons = variation(&words, sessions);
        if !reasons.is_empty() {
            let seen: BTreeSet<&str> = words.iter().copied().collect();
            let seen: Vec<&str> = seen.into_iter().collect();
            st.because.push(format!(
                "it applies {} depending on {}",
                seen.join(" or "),
                reasons.join(" and ")
            ));
        }
        unknowns.extend(reasons);
        st.applies = Tri::Depends(unknowns);
    }
    shown
}

/// What a list of answers (role-major, `sessions` per role) varies with: the role name, the
/// session, both, or nothing.
fn variation(answers: &[&'static str], sessions: usize) -> Vec<String> {
    let per_role: Vec<BTreeSet<&str>> = answers
        .chunks(sessions.max(1))
        .map(|c| c.iter().copied().collect())
        .collect();
    let mut reasons = Vec::new();
    if per_role.iter().any(|set| *set != per_role[0]) {
        reasons.push("the Clumio role's name (--role-arn or --role-name)".to_string());
    }
    if let Some(chunk) = answers
        .chunks(sessions.max(1))
        .find(|c| c.iter().any(|a| *a != c[0]))
    {
        // Name the sessions behind each answer: "deny: Ingestion-ingesttool; allow: …".
        let mut by_answer: Vec<(&str, Vec<&str>)> = Vec::new();
        for (answer, name) in chunk.iter().zip(profile::SESSION_NAMES) {
            match by_answer.iter_mut().find(|(a, _)| a == answer) {
                Some((_, names)) => names.push(name),
                None => by_answer.push((answer, vec![name])),
            }
        }
        let listed: Vec<String> = by_answer
            .iter()
            .map(|(a, names)| format!("{a}: {}", names.join(", ")))
            .collect();
        reasons.push(format!(
            "which Clumio session makes the request ({})",
            listed.join("; ")
        ));
    }
    reasons
}

fn overall(decisions: impl Iterator<Item = Decision>) -> Decision {
    let all: Vec<Decision> = decisions.collect();
    if all.contains(&Decision::Deny) {
        Decision::Deny
    } else if all.contains(&Decision::Depends) {
        Decision::Depends
    } else if !all.is_empty() && all.iter().all(|d| *d == Decision::Allow) {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

fn statements_json(sources: &Sources, evaluation: &Evaluation) -> Vec<Json> {
    evaluation
        .statements
        .iter()
        .map(|s| {
            let (at, _) = sources.range(s.span);
            json!({
                "sid": s.sid,
                "effect": s.effect.as_str(),
                "applies": s.applies.word(),
                "because": s.because,
                "depends_on": s.applies.unknowns(),
                "line": at.line,
                "column": at.column,
            })
        })
        .collect()
}

/// The JSON report: `{"decision", "exit_status", "statements", "depends_on"}` for one
/// request, plus with `--clumio` `"requests"` (one entry per action) and `"groups"` (the
/// requests with the same answer: their actions, decision and `depends_on`).
pub fn render_json(sources: &Sources, sim: &Simulation, clumio: bool) -> String {
    let mut out = json!({
        "decision": sim.decision.word(),
        "exit_status": sim.exit_status(),
        "depends_on": sim.depends_on,
    });
    if clumio {
        let requests: Vec<Json> = sim
            .outcomes
            .iter()
            .map(|o| {
                json!({
                    "principal": o.request.principal.arn.to_string(),
                    "action": o.request.action,
                    "resource": o.request.resource.to_string(),
                    "via_service": via_service(o),
                    "decision": o.evaluation.decision.word(),
                    "depends_on": o.evaluation.depends_on,
                    "statements": statements_json(sources, &o.evaluation),
                })
            })
            .collect();
        out["requests"] = Json::Array(requests);
        let groups: Vec<Json> = sim
            .groups()
            .into_iter()
            .map(|members| {
                let first = members[0];
                json!({
                    "actions": members.iter().map(|o| o.request.action.clone()).collect::<Vec<_>>(),
                    "resources": members.iter().map(|o| o.request.resource.to_string()).collect::<BTreeSet<_>>(),
                    "via_service": via_service(first),
                    "decision": first.evaluation.decision.word(),
                    "depends_on": first.evaluation.depends_on,
                })
            })
            .collect();
        out["groups"] = Json::Array(groups);
    } else if let Some(o) = sim.outcomes.first() {
        out["statements"] = Json::Array(statements_json(sources, &o.evaluation));
    }
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// The human report: the decision, then each group of requests with the same answer (one
/// request without `--clumio`) and each statement with its reasons.
pub fn render_human(sources: &Sources, file: FileId, sim: &Simulation) -> String {
    use std::fmt::Write;
    let name = &sources.file(file).name;
    let mut out = String::new();
    for members in sim.groups() {
        let o = members[0];
        let via = if via_service(o) {
            " (made by S3 on the caller's behalf)"
        } else {
            ""
        };
        let actions: Vec<&str> = members.iter().map(|m| m.request.action.as_str()).collect();
        let resources: BTreeSet<String> = members
            .iter()
            .map(|m| m.request.resource.to_string())
            .collect();
        let resources: Vec<String> = resources.into_iter().collect();
        let _ = writeln!(
            out,
            "{} on {} by {}{via}: {}",
            actions.join(", "),
            resources.join(" and "),
            o.request.principal.arn,
            o.evaluation.decision.word()
        );
        if members.len() > 1 {
            let _ = writeln!(
                out,
                "  ({} requests with the same answer; the reasons are shown for {})",
                members.len(),
                o.request.action
            );
        }
        for s in &o.evaluation.statements {
            let (at, _) = sources.range(s.span);
            let label = s
                .sid
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("#{}", s.index + 1));
            let _ = writeln!(
                out,
                "  {name}:{at}: {} statement {label}: applies {}",
                s.effect.as_str(),
                s.applies.word()
            );
            for b in &s.because {
                let _ = writeln!(out, "      {b}");
            }
        }
        if !o.evaluation.depends_on.is_empty() {
            let _ = writeln!(out, "  depends on: {}", o.evaluation.depends_on.join("; "));
        }
    }
    let _ = writeln!(out, "decision: {}", sim.decision.word());
    if !sim.depends_on.is_empty() {
        let _ = writeln!(out, "depends on: {}", sim.depends_on.join("; "));
    }
    out
}

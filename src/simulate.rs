//! `clumio-preflight simulate`: evaluate one policy for one request (or for every request a
//! Clumio backup makes) and explain the decision statement by statement.

use crate::json::{OffsetMap, parse_json};
use crate::policy::ast::{Policy, PolicyKind};
use crate::policy::eval::{
    Context, Decision, Evaluation, KeyState, Request, RequestPrincipal, evaluate,
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
pub struct Outcome {
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
    pub outcomes: Vec<Outcome>,
    /// What the overall decision hinges on.
    pub depends_on: Vec<String>,
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

fn apply_overrides(ctx: &mut Context, args: &SimulateArgs) {
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
        return Ok(simulate_clumio(policy, args, profile));
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
    if let Some(role_arn) = session_role_arn(principal, args, profile) {
        p.role_arn = Some(role_arn);
    }
    if let Some(b) = args.permissions_boundary {
        p.permissions_boundary = Some(b);
    }
    let mut ctx = Context::new(KeyState::Absent);
    // What the principal ARN implies; --context/--absent/--unknown override it.
    ctx.set_value("aws:PrincipalAccount", p.account.clone());
    ctx.set_value(
        "aws:PrincipalArn",
        p.role_arn.clone().unwrap_or_else(|| p.arn.clone()),
    );
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
        depends_on: evaluation.depends_on.clone(),
        outcomes: vec![Outcome {
            request,
            evaluation,
        }],
    })
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
                evaluated.push(Outcome {
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
        outcomes,
        depends_on: if decision == Decision::Depends {
            depends_on.into_iter().collect()
        } else {
            Vec::new()
        },
    }
}

/// Merges the evaluations of one action across role-name candidates and sessions
/// (`evaluated` is role-major: `sessions` consecutive outcomes per role). The same decision
/// everywhere stands; otherwise the decision depends on which role name or which session it
/// is (only what actually varies is named). Likewise each statement whose answer varies.
/// The outcome shown is the worst one.
fn merge(mut evaluated: Vec<Outcome>, sessions: usize) -> Outcome {
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
    let reasons = variation(&decisions, sessions);
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
    if per_role.iter().any(|set| set.len() > 1) {
        reasons.push("which Clumio session makes the request".to_string());
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

/// The JSON report: `{"decision", "statements", "depends_on"}` for one request, plus
/// `"requests"` (one entry per action) with `--clumio`.
pub fn render_json(sources: &Sources, sim: &Simulation, clumio: bool) -> String {
    let mut out = json!({
        "decision": sim.decision.word(),
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
                    "via_service": o.request.context.get("aws:ViaAWSService") == &KeyState::Present(vec!["true".into()]),
                    "decision": o.evaluation.decision.word(),
                    "depends_on": o.evaluation.depends_on,
                    "statements": statements_json(sources, &o.evaluation),
                })
            })
            .collect();
        out["requests"] = Json::Array(requests);
    } else if let Some(o) = sim.outcomes.first() {
        out["statements"] = Json::Array(statements_json(sources, &o.evaluation));
    }
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// The human report: the decision, then each request and each statement with its reasons.
pub fn render_human(sources: &Sources, file: FileId, sim: &Simulation) -> String {
    use std::fmt::Write;
    let name = &sources.file(file).name;
    let mut out = String::new();
    for o in &sim.outcomes {
        let via = if o.request.context.get("aws:ViaAWSService")
            == &KeyState::Present(vec!["true".into()])
        {
            " (made by S3 on the caller's behalf)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{} on {} by {}{via}: {}",
            o.request.action,
            o.request.resource,
            o.request.principal.arn,
            o.evaluation.decision.word()
        );
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

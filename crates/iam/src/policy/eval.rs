//! Three-valued evaluation of a request against a policy, with the reasons that decided it.
//!
//! Every statement gets Yes / No / Depends for "does it apply to this request", following
//! IAM's rules (AWS-SEMANTICS.md section 1): case-insensitive actions, per-part ARN
//! wildcards, account principals covering every identity of the account, `NotPrincipal`
//! checking account, role and session, missing keys making positive operators false and
//! negated ones true, `…IfExists`, `Null`, set qualifiers, and policy variables.

use super::ast::*;
use super::glob::{CompileError, Pattern, PatternOptions, VarValue};
use super::tri::Tri;
use crate::source::Span;
use crate::value::{Hole, PString};
use std::collections::BTreeSet;

/// What the request context holds for one condition key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyState {
    /// The key is present with these values (one for single-valued keys).
    Present(Vec<PString>),
    /// The key is not in the request.
    Absent,
    /// Whether and with what value the key is present is not known; the text says why.
    Unknown(String),
}

/// The id of a [`Hole`] that stands for a public IP address nobody knows, such as the
/// `aws:SourceIp` of Clumio's direct calls: its public egress address, since a request
/// through a VPC endpoint carries no `aws:SourceIp` at all (AWS-SEMANTICS.md 1.2). Such an
/// address is never inside a private, loopback or link-local block.
pub const PUBLIC_IP_HOLE: &str = "public-ip";

/// The condition keys of a request. Key names compare ignoring case. A request has a few
/// dozen keys at most, so they are kept in order and looked up by a scan (no hashing, no
/// allocation per lookup).
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    keys: Vec<(String, KeyState)>,
    /// For keys whose state is [`KeyState::Unknown`]: the values they hold when present.
    if_present: Vec<(String, Vec<PString>)>,
    /// For keys whose state is [`KeyState::Unknown`]: the documented set of values the key
    /// takes (it is present with exactly one of them).
    one_of: Vec<(String, Vec<PString>)>,
    /// What a key that was never set holds.
    pub(crate) default: KeyState,
    /// Why a key holds what it holds, for explanations (e.g. why it is absent).
    reasons: Vec<(String, String)>,
}

impl Context {
    /// A context in which every key not set is `default`.
    pub fn new(default: KeyState) -> Self {
        Context {
            keys: Vec::new(),
            if_present: Vec::new(),
            one_of: Vec::new(),
            default,
            reasons: Vec::new(),
        }
    }

    /// Records why `key` holds what it holds; explanations quote it.
    pub fn explain(&mut self, key: &str, why: impl Into<String>) {
        self.reasons.push((key.to_string(), why.into()));
    }

    /// Why `key` holds what it holds, when recorded.
    pub(crate) fn reason(&self, key: &str) -> Option<&str> {
        self.reasons
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, w)| w.as_str())
    }

    fn slot(&self, key: &str) -> Option<usize> {
        self.keys
            .iter()
            .position(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    /// Sets `key` to `state`.
    pub fn set(&mut self, key: &str, state: KeyState) {
        self.forget_alternatives(key);
        match self.slot(key) {
            Some(i) => self.keys[i].1 = state,
            None => self.keys.push((key.to_string(), state)),
        }
    }

    /// Makes `key` unknown in a known way: either absent, or present with `values` (which
    /// may hold holes); `why` says what settles it. A condition that comes out the same
    /// either way is decided.
    pub fn set_absent_or(&mut self, key: &str, values: Vec<PString>, why: impl Into<String>) {
        self.set(key, KeyState::Unknown(why.into()));
        self.if_present.push((key.to_string(), values));
    }

    /// For a key set with [`Context::set_absent_or`], the values it holds when present.
    pub(crate) fn if_present(&self, key: &str) -> Option<&[PString]> {
        self.if_present
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    fn forget_alternatives(&mut self, key: &str) {
        self.if_present
            .retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.one_of.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    /// Makes `key` present with one value out of a known set (`values`, e.g. the TLS versions
    /// AWS endpoints accept); `why` says what settles which. A condition that comes out the
    /// same for every value is decided.
    pub fn set_one_of(&mut self, key: &str, values: Vec<PString>, why: impl Into<String>) {
        self.set(key, KeyState::Unknown(why.into()));
        self.one_of.push((key.to_string(), values));
    }

    /// For a key set with [`Context::set_one_of`], the values it may take.
    pub(crate) fn one_of(&self, key: &str) -> Option<&[PString]> {
        self.one_of
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    /// Adds one value to `key`, making it multi-valued when it already has one.
    pub fn add_value(&mut self, key: &str, value: PString) {
        self.forget_alternatives(key);
        match self.slot(key) {
            Some(i) => match &mut self.keys[i].1 {
                KeyState::Present(values) => values.push(value),
                other => *other = KeyState::Present(vec![value]),
            },
            None => self
                .keys
                .push((key.to_string(), KeyState::Present(vec![value]))),
        }
    }

    /// Sets `key` to one present value.
    pub fn set_value(&mut self, key: &str, value: PString) {
        self.set(key, KeyState::Present(vec![value]));
    }

    /// What the request holds for `key`.
    pub fn get(&self, key: &str) -> &KeyState {
        self.slot(key).map_or(&self.default, |i| &self.keys[i].1)
    }
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPrincipal {
    /// The caller's ARN (for a role session: `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`).
    pub arn: PString,
    /// The account the caller belongs to.
    pub account: PString,
    /// For a role session, the role's ARN with its path (`arn:aws:iam::ACCT:role/PATH/NAME`).
    pub role_arn: Option<PString>,
    /// Whether the caller carries a permissions boundary; `None` when unknown.
    pub permissions_boundary: Option<bool>,
    /// What settles an unknown permissions boundary (e.g. the flag to pass).
    pub boundary_why: String,
}

impl RequestPrincipal {
    /// Derives account and role from a known principal ARN (session, role, user or root).
    pub fn from_arn(arn: &str) -> RequestPrincipal {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let account = parts.get(4).copied().unwrap_or_default().to_string();
        let partition = parts.get(1).copied().unwrap_or("aws");
        let resource = parts.get(5).copied().unwrap_or_default();
        let role_arn = resource
            .strip_prefix("assumed-role/")
            .and_then(|rest| rest.split_once('/'))
            .map(|(role, _)| PString::known(format!("arn:{partition}:iam::{account}:role/{role}")))
            .or_else(|| resource.starts_with("role/").then(|| PString::known(arn)));
        RequestPrincipal {
            arn: PString::known(arn),
            account: PString::known(account),
            role_arn,
            permissions_boundary: Some(false),
            boundary_why: "whether the role has a permissions boundary (--permissions-boundary)"
                .into(),
        }
    }

    fn is_session(&self) -> bool {
        self.arn.known_prefix().contains(":assumed-role/")
            || self.arn.contains_known(":assumed-role/")
    }
}

/// One request to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The caller.
    pub principal: RequestPrincipal,
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN (an object ARN may end in the "any object key" hole).
    pub resource: PString,
    /// The condition keys.
    pub context: Context,
}

/// The overall outcome of a request against a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An Allow certainly applies and no Deny may.
    Allow,
    /// A Deny certainly applies.
    Deny,
    /// Nothing applies: denied by default.
    ImplicitDeny,
    /// The outcome hinges on unknowns.
    Depends,
}

impl Decision {
    /// The word used in output.
    pub fn word(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::ImplicitDeny => "implicit-deny",
            Decision::Depends => "depends",
        }
    }
}

/// Whether one statement applies, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementResult {
    /// Position of the statement in the policy.
    pub index: usize,
    /// The `Sid`, when present.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
    /// Whether it applies to the request.
    pub applies: Tri,
    /// The findings that decided it, element by element.
    pub because: Vec<String>,
    /// The statement.
    pub span: Span,
}

/// The result of evaluating a request against a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The overall decision.
    pub decision: Decision,
    /// One result per statement.
    pub statements: Vec<StatementResult>,
    /// What the decision hinges on, when it is `Depends`.
    pub depends_on: Vec<String>,
}

/// Evaluates `request` against `policy`.
pub fn evaluate(policy: &Policy, request: &Request) -> Evaluation {
    let statements: Vec<StatementResult> = policy
        .statements
        .iter()
        .map(|st| evaluate_statement(policy, st, request))
        .collect();
    let fold = |effect: Effect| {
        Tri::any(
            statements
                .iter()
                .filter(|s| s.effect == effect)
                .map(|s| s.applies.clone()),
        )
    };
    let deny = fold(Effect::Deny);
    let allow = fold(Effect::Allow);
    let (decision, depends_on) = match (&deny, &allow) {
        (Tri::Yes, _) => (Decision::Deny, Vec::new()),
        (Tri::Depends(d), Tri::Depends(a)) => (Decision::Depends, d.union(a).cloned().collect()),
        (Tri::Depends(d), _) => (Decision::Depends, d.iter().cloned().collect()),
        (Tri::No, Tri::Yes) => (Decision::Allow, Vec::new()),
        (Tri::No, Tri::Depends(a)) => (Decision::Depends, a.iter().cloned().collect()),
        (Tri::No, Tri::No) => (Decision::ImplicitDeny, Vec::new()),
    };
    Evaluation {
        decision,
        statements,
        depends_on,
    }
}

/// The reasons of an evaluation: collected, or, when only the answer is wanted, not even
/// formatted (the rules evaluate thousands of requests and explain a few).
struct Why {
    on: bool,
    lines: Vec<String>,
}

impl Why {
    fn push(&mut self, line: impl FnOnce() -> String) {
        if self.on {
            self.lines.push(line());
        }
    }
}

/// Whether one statement applies to `request`, with reasons.
pub fn evaluate_statement(policy: &Policy, st: &Statement, request: &Request) -> StatementResult {
    statement_result(policy, st, request, true)
}

/// Whether one statement applies to `request` (the answer only, without reasons).
pub fn statement_applies(policy: &Policy, st: &Statement, request: &Request) -> Tri {
    statement_result(policy, st, request, false).applies
}

fn statement_result(
    policy: &Policy,
    st: &Statement,
    request: &Request,
    explain: bool,
) -> StatementResult {
    let mut because = Why {
        on: explain,
        lines: Vec::new(),
    };
    let mut applies = Tri::Yes;
    // Each element is evaluated only while the statement may still apply, so the reasons
    // name what decided it.
    type Step<'a> = &'a dyn Fn(&mut Why) -> Tri;
    let steps: [Step; 4] = [
        &|b| principal_applies(st, request, b),
        &|b| action_applies(&st.action, &request.action, b),
        &|b| resource_applies(policy, st, request, b),
        &|b| conditions_apply(policy, st, request, b),
    ];
    for step in steps {
        applies = applies.and(step(&mut because));
        if applies == Tri::No {
            break;
        }
    }
    StatementResult {
        index: st.index,
        sid: st.sid.as_ref().map(|s| s.value.clone()),
        effect: st.effect.value,
        applies,
        because: because.lines,
        span: st.span,
    }
}

fn quote_list(items: &[Located<PString>]) -> String {
    let v: Vec<String> = items.iter().map(|i| format!("\"{}\"", i.value)).collect();
    v.join(", ")
}

fn action_applies(action: &Element, requested: &str, because: &mut Why) -> Tri {
    let req = PString::known(requested);
    let hit = Tri::any(
        action
            .items
            .iter()
            .map(|p| Pattern::new(&p.value, PatternOptions::GLOB_NOCASE).matches(&req, true)),
    );
    let word = if action.negated {
        "NotAction"
    } else {
        "Action"
    };
    let verdict = if action.negated {
        !hit.clone()
    } else {
        hit.clone()
    };
    because.push(|| match (&hit, action.negated) {
        (Tri::Yes, false) => format!("{word} [{}] matches {requested}", quote_list(&action.items)),
        (Tri::No, false) => format!(
            "{word} [{}] does not match {requested}",
            quote_list(&action.items)
        ),
        (Tri::Yes, true) => format!(
            "{word} [{}] lists {requested}, so the statement skips it",
            quote_list(&action.items)
        ),
        (Tri::No, true) => format!(
            "{word} [{}] does not list {requested}, so the statement covers it",
            quote_list(&action.items)
        ),
        (Tri::Depends(_), _) => format!(
            "{word} [{}] may match {requested}",
            quote_list(&action.items)
        ),
    });
    verdict
}

fn resource_applies(policy: &Policy, st: &Statement, request: &Request, because: &mut Why) -> Tri {
    let Some(resource) = &st.resource else {
        because.push(|| {
            "the statement has no Resource, so it never applies (KMS accepts it but ignores it)"
                .into()
        });
        return Tri::No;
    };
    let vars = var_resolver(&request.context);
    let vars_opt: Option<&dyn Fn(&str) -> VarValue> =
        policy.variables_enabled.then_some(&vars as _);
    // Resource: "some object" is enough; NotResource: it must exclude every object.
    let exists = !resource.negated;
    let hit = Tri::any(resource.items.iter().map(|item| {
        if item.value.as_known() == Some("*") {
            return Tri::Yes;
        }
        let decide = |vars: Option<&dyn Fn(&str) -> VarValue>| match Pattern::compile(
            &item.value,
            PatternOptions::GLOB,
            vars,
        ) {
            Ok(p) => p.matches_arn(&request.resource, exists),
            Err(CompileError::NoValue(_)) => Tri::No,
        };
        if policy.variables_enabled {
            maybe_absent_vars(&request.context, &item.value, decide)
        } else {
            decide(vars_opt)
        }
    }));
    let word = if resource.negated {
        "NotResource"
    } else {
        "Resource"
    };
    let target = &request.resource;
    because.push(|| match (&hit, resource.negated) {
        (Tri::Yes, false) => format!("{word} [{}] covers {target}", quote_list(&resource.items)),
        (Tri::No, false) => format!(
            "{word} [{}] does not cover {target}",
            quote_list(&resource.items)
        ),
        (Tri::Yes, true) => format!("{word} [{}] excludes {target}", quote_list(&resource.items)),
        (Tri::No, true) => format!(
            "{word} [{}] does not exclude {target}",
            quote_list(&resource.items)
        ),
        (Tri::Depends(_), _) => format!(
            "{word} [{}] may cover {target}",
            quote_list(&resource.items)
        ),
    });
    if resource.negated { !hit } else { hit }
}

/// Decides with the request's variable values; when a variable's key may also be absent
/// ([`Context::set_absent_or`]), the answer stands only if it is the same without a value.
fn maybe_absent_vars(
    ctx: &Context,
    text: &PString,
    decide: impl Fn(Option<&dyn Fn(&str) -> VarValue>) -> Tri,
) -> Tri {
    let vars = var_resolver(ctx);
    if !text.contains_known("${") {
        return decide(Some(&vars));
    }
    let names = variable_names(text);
    if let Some(answer) = over_one_of(ctx, &names, &vars, &decide) {
        return answer;
    }
    let with_values = decide(Some(&vars));
    // Keys that may be missing: unknown ones, and those set "absent or present".
    let maybe_absent: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|k| matches!(ctx.get(k), KeyState::Unknown(_)) || ctx.if_present(k).is_some())
        .collect();
    if maybe_absent.is_empty() {
        return with_values;
    }
    let without = |name: &str| {
        if maybe_absent.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            VarValue::NoValue
        } else {
            vars(name)
        }
    };
    let without_values = decide(Some(&without));
    if with_values == without_values {
        return with_values;
    }
    let mut why: std::collections::BTreeSet<String> = with_values.unknowns().into_iter().collect();
    why.extend(without_values.unknowns());
    for k in maybe_absent {
        if let KeyState::Unknown(w) = ctx.get(k) {
            why.insert(format!("{k}: {w}"));
        }
    }
    Tri::Depends(why)
}

/// Decides a match given how policy variables resolve.
type Decider<'a> = dyn Fn(Option<&dyn Fn(&str) -> VarValue>) -> Tri + 'a;

/// For variables whose keys hold one value of a known set ([`Context::set_one_of`]): the
/// answer for every combination of their values, decided when all agree. `None` when no
/// variable is such a key.
fn over_one_of(
    ctx: &Context,
    names: &[String],
    vars: &dyn Fn(&str) -> VarValue,
    decide: &Decider,
) -> Option<Tri> {
    let mut sets: Vec<(&str, &[PString])> = Vec::new();
    for name in names {
        if let Some(values) = ctx.one_of(name)
            && !sets.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            sets.push((name.as_str(), values));
        }
    }
    if sets.is_empty() {
        return None;
    }
    let combinations: usize = sets.iter().map(|(_, v)| v.len().max(1)).product();
    let mut answers: Vec<Tri> = Vec::new();
    for mut n in 0..combinations.min(64) {
        let mut chosen: Vec<(&str, &PString)> = Vec::new();
        for (key, values) in &sets {
            if let Some(v) = values.get(n % values.len().max(1)) {
                chosen.push((key, v));
            }
            n /= values.len().max(1);
        }
        let with = |name: &str| match chosen.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            Some((_, v)) => VarValue::Value((*v).clone()),
            None => vars(name),
        };
        answers.push(decide(Some(&with)));
    }
    Some(match answers.first() {
        Some(first)
            if combinations <= 64
                && !matches!(first, Tri::Depends(_))
                && answers.iter().all(|a| a == first) =>
        {
            first.clone()
        }
        _ => {
            let mut why: BTreeSet<String> = answers.iter().flat_map(Tri::unknowns).collect();
            for (key, _) in &sets {
                if let KeyState::Unknown(w) = ctx.get(key) {
                    why.insert(format!("{key}: {w}"));
                }
            }
            Tri::Depends(why)
        }
    })
}

/// The keys of the `${key}` / `${key, 'default'}` policy variables in the known text.
fn variable_names(text: &PString) -> Vec<String> {
    let mut names = Vec::new();
    for part in text.parts() {
        let crate::value::Part::Lit(lit) = part else {
            continue;
        };
        let mut rest = lit.as_str();
        while let Some(i) = rest.find("${") {
            let after = &rest[i + 2..];
            let Some(close) = after.find('}') else { break };
            let name = after[..close].split(',').next().unwrap_or_default().trim();
            if !matches!(name, "*" | "?" | "$") {
                names.push(name.to_string());
            }
            rest = &after[close + 1..];
        }
    }
    names
}

fn var_resolver(ctx: &Context) -> impl Fn(&str) -> VarValue + '_ {
    move |name: &str| match ctx.get(name) {
        KeyState::Present(values) if values.len() == 1 => VarValue::Value(values[0].clone()),
        KeyState::Present(_) | KeyState::Absent => VarValue::NoValue,
        KeyState::Unknown(why) => VarValue::Value(PString::hole(Hole::unknown(
            format!("key:{}", name.to_ascii_lowercase()),
            why.clone(),
        ))),
    }
}

/// Does an `{"AWS": …}`-style entry name the caller (or its account, role, session)?
#[derive(Debug)]
struct PrincipalHits {
    any: Tri,
    account: Tri,
    role: Tri,
    caller: Tri,
}

fn exact(a: &PString, b: &PString) -> Tri {
    Pattern::new(a, PatternOptions::EXACT).matches(b, true)
}

fn entry_hits(
    entry: &PrincipalEntry,
    p: &RequestPrincipal,
    notes: &mut Vec<String>,
) -> PrincipalHits {
    let none = || PrincipalHits {
        any: Tri::No,
        account: Tri::No,
        role: Tri::No,
        caller: Tri::No,
    };
    let v = &entry.value.value;
    match entry.kind {
        PrincipalKind::Everyone => {
            return PrincipalHits {
                any: Tri::Yes,
                account: Tri::Yes,
                role: Tri::Yes,
                caller: Tri::Yes,
            };
        }
        PrincipalKind::Aws => {}
        _ => return none(),
    }
    if v.as_known() == Some("*") {
        return PrincipalHits {
            any: Tri::Yes,
            account: Tri::Yes,
            role: Tri::Yes,
            caller: Tri::Yes,
        };
    }
    if v.contains_known("*") || v.contains_known("?") {
        notes.push(format!(
            "principal \"{v}\" holds a partial wildcard, which AWS never matches as a pattern"
        ));
        return none();
    }
    // The account, written as a bare id or as its root ARN.
    let account_form = match v.as_known() {
        Some(t) if t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) => {
            Some(PString::known(t))
        }
        _ => root_account(v),
    };
    if let Some(acct) = account_form {
        let hit = exact(&acct, &p.account);
        return PrincipalHits {
            any: hit.clone(),
            account: hit,
            role: Tri::No,
            caller: Tri::No,
        };
    }
    let role = p.role_arn.as_ref().map_or(Tri::No, |r| exact(v, r));
    let caller = exact(v, &p.arn);
    PrincipalHits {
        any: role.clone().or(caller.clone()),
        account: Tri::No,
        role,
        caller,
    }
}

/// `arn:PARTITION:iam::ACCOUNT:root` → the account part.
fn root_account(v: &PString) -> Option<PString> {
    let prefix = v.known_prefix();
    if !prefix.starts_with("arn:") {
        return None;
    }
    let text = v.to_string();
    if !text.ends_with(":root") {
        return None;
    }
    // Rebuild the account piece from the parts between the fourth and fifth colon.
    let mut out = PString::default();
    let mut colons = 0;
    for part in v.parts() {
        match part {
            crate::value::Part::Lit(s) => {
                for c in s.chars() {
                    if c == ':' {
                        colons += 1;
                    } else if colons == 4 {
                        out.push_str(&c.to_string());
                    }
                }
            }
            crate::value::Part::Hole(h) => {
                if colons == 4 {
                    out.push_hole(h.clone());
                }
            }
        }
    }
    (colons == 5 && text.contains(":iam::")).then_some(out)
}

fn principal_applies(st: &Statement, request: &Request, because: &mut Why) -> Tri {
    let Some(element) = &st.principal else {
        because.push(|| {
            "no Principal element: the statement applies to the caller it is attached to".into()
        });
        return Tri::Yes;
    };
    let p = &request.principal;
    let mut notes = Vec::new();
    let hits: Vec<PrincipalHits> = element
        .entries
        .iter()
        .map(|e| entry_hits(e, p, &mut notes))
        .collect();
    for note in notes {
        because.push(|| note);
    }
    let any = |f: fn(&PrincipalHits) -> Tri| Tri::any(hits.iter().map(f));
    if !element.negated {
        let hit = any(|h| h.any.clone());
        let everyone = hits
            .iter()
            .any(|h| h.any == Tri::Yes && h.role == Tri::Yes && h.account == Tri::Yes);
        let by_account = hits.iter().any(|h| h.account == Tri::Yes);
        because.push(|| match &hit {
            Tri::Yes if everyone => format!("Principal \"*\" covers everyone, including {}", p.arn),
            Tri::Yes if by_account => format!(
                "Principal names the account of {} (an account principal covers every identity in it)",
                p.arn
            ),
            Tri::Yes => format!("Principal names {}", p.arn),
            Tri::No => format!("Principal does not name {}", p.arn),
            Tri::Depends(_) => format!("Principal may name {}", p.arn),
        });
        return hit;
    }
    // NotPrincipal: AWS may check the account, the role and the session in turn; the caller
    // is exempt only if every one of them is listed.
    let exempt = if p.is_session() {
        any(|h| h.account.clone())
            .and(any(|h| h.role.clone()))
            .and(any(|h| h.caller.clone()))
    } else {
        any(|h| h.account.clone()).and(any(|h| h.caller.clone()))
    };
    let everyone = any(|h| {
        if h.any == Tri::Yes && h.account == Tri::Yes && h.role == Tri::Yes {
            Tri::Yes
        } else {
            Tri::No
        }
    });
    if everyone == Tri::Yes {
        because.push(|| "NotPrincipal \"*\" exempts everyone".into());
        return Tri::No;
    }
    let mut applies = !exempt.clone();
    match (&exempt, p.permissions_boundary) {
        (Tri::No, _) => because.push(|| format!(
            "NotPrincipal does not list all of the account, the role and the session of {}, so the statement applies to it",
            p.arn
        )),
        (_, Some(true)) => {
            because.push(|| "the caller has a permissions boundary: a NotPrincipal Deny always applies to it".into());
            applies = Tri::Yes;
        }
        (_, None) => {
            because.push(|| format!(
                "NotPrincipal exempts {} unless the role has a permissions boundary",
                p.arn
            ));
            applies = applies.or(Tri::depends(p.boundary_why.clone()));
        }
        (Tri::Yes, Some(false)) => because.push(|| format!("NotPrincipal exempts {}", p.arn)),
        (Tri::Depends(_), Some(false)) => because.push(|| format!("NotPrincipal may exempt {}", p.arn)),
    }
    applies
}

fn conditions_apply(policy: &Policy, st: &Statement, request: &Request, because: &mut Why) -> Tri {
    let mut result = Tri::Yes;
    for cond in &st.conditions {
        let (tri, seen) = condition_verdict(policy, cond, &request.context);
        because.push(|| describe(cond, &tri, &seen, request.context.reason(&cond.key.value)));
        result = result.and(tri);
        if result == Tri::No {
            break;
        }
    }
    result
}

/// What a condition test saw in the request, for its explanation.
enum Seen<'a> {
    /// A fixed sentence.
    Text(&'static str),
    /// The key's value(s).
    Values(&'a [PString]),
    /// The key's unknown presence or value.
    Unknown,
    /// The key is absent or holds its possible values, with the same answer either way.
    AbsentOr,
    /// The key holds one of a known set of values, with the same answer for each.
    OneOf(&'a [PString]),
    /// The key holds one of a known set of values, with different answers.
    OneOfDiffers(&'a [PString]),
}

fn describe(cond: &Condition, tri: &Tri, seen: &Seen, reason: Option<&str>) -> String {
    let head = format!(
        "{} {} [{}]",
        cond.operator.name(),
        cond.key.value,
        quote_list(&cond.values)
    );
    let what = match seen {
        Seen::Text(t) => t.to_string(),
        Seen::Values([v]) => format!("request value \"{v}\""),
        Seen::Values(vs) => format!("request values [{}]", join(vs)),
        Seen::Unknown => "its presence or value for this request is unknown".to_string(),
        Seen::AbsentOr => {
            "the same whether the key is absent or holds its possible values".to_string()
        }
        Seen::OneOf(vs) => format!("the same for each value the key can take ([{}])", join(vs)),
        Seen::OneOfDiffers(vs) => format!(
            "the answer differs between the values the key can take ([{}])",
            join(vs)
        ),
    };
    // The reason goes right after what was seen: "the key is absent (why), so …".
    let what = match (reason, what.split_once(", so ")) {
        (Some(why), Some((seen, so))) => format!("{seen} ({why}), so {so}"),
        (Some(why), None) => format!("{what} ({why})"),
        (None, _) => what,
    };
    format!("{head}: {what} → {}", tri.word())
}

fn condition_verdict<'c>(policy: &Policy, cond: &Condition, ctx: &'c Context) -> (Tri, Seen<'c>) {
    let key = &cond.key.value;
    let state = ctx.get(key);
    if let (KeyState::Unknown(why), Some(values)) = (state, ctx.one_of(key)) {
        // Present with one value of a known set: decided when every value gives one answer.
        let answers: Vec<Tri> = values
            .iter()
            .map(|v| condition_on(policy, cond, ctx, &KeyState::Present(vec![v.clone()])).0)
            .collect();
        return match answers.first() {
            Some(first)
                if !matches!(first, Tri::Depends(_)) && answers.iter().all(|a| a == first) =>
            {
                (first.clone(), Seen::OneOf(values))
            }
            _ => {
                let mut set: BTreeSet<String> = answers.iter().flat_map(Tri::unknowns).collect();
                let listed: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                set.insert(format!("{key}: {why} (one of {})", listed.join(", ")));
                (Tri::Depends(set), Seen::OneOfDiffers(values))
            }
        };
    }
    if let (KeyState::Unknown(why), Some(values)) = (state, ctx.if_present(key)) {
        // Absent, or present with known-shaped values: decided when both agree.
        let (absent, _) = condition_on(policy, cond, ctx, &KeyState::Absent);
        let (present, _) = condition_on(policy, cond, ctx, &KeyState::Present(values.to_vec()));
        return match (absent, present) {
            (Tri::Yes, Tri::Yes) => (Tri::Yes, Seen::AbsentOr),
            (Tri::No, Tri::No) => (Tri::No, Seen::AbsentOr),
            _ => (Tri::depends(format!("{key}: {why}")), Seen::Unknown),
        };
    }
    condition_on(policy, cond, ctx, state)
}

/// Evaluates one condition test for the key in `state` (variables resolve from `ctx`).
fn condition_on<'c>(
    policy: &Policy,
    cond: &Condition,
    ctx: &Context,
    state: &'c KeyState,
) -> (Tri, Seen<'c>) {
    let op = cond.operator;
    let key = &cond.key.value;
    let unknown = |why: &str| Tri::depends(format!("{key}: {why}"));
    if op.base == OpBase::Null {
        return match state {
            KeyState::Present(_) => (
                Tri::any(cond.values.iter().map(|v| bool_is(&v.value, false))),
                Seen::Text("the key is present"),
            ),
            KeyState::Absent => (
                Tri::any(cond.values.iter().map(|v| bool_is(&v.value, true))),
                Seen::Text("the key is absent"),
            ),
            KeyState::Unknown(why) => (unknown(why), Seen::Unknown),
        };
    }
    let vars = var_resolver(ctx);
    let vars_opt: Option<&dyn Fn(&str) -> VarValue> =
        (policy.variables_enabled && op.base.allows_variables()).then_some(&vars as _);
    let negated = op.base.is_negated();
    // "Request value v matches one of the policy values" for the positive comparison.
    let positive = |v: &PString| {
        Tri::any(cond.values.iter().map(|pv| match vars_opt {
            Some(_) => maybe_absent_vars(ctx, &pv.value, |vars| {
                compare(op.base, v, &pv.value, vars, negated)
            }),
            None => compare(op.base, v, &pv.value, None, negated),
        }))
    };
    let single = |v: &PString| if negated { !positive(v) } else { positive(v) };
    match (op.set, state) {
        (_, KeyState::Unknown(why)) => (unknown(why), Seen::Unknown),
        // `…IfExists` makes a missing key true, also under a set qualifier.
        (_, KeyState::Absent) if op.if_exists => (
            Tri::Yes,
            Seen::Text("the key is absent, so …IfExists is true"),
        ),
        (Some(SetQualifier::ForAnyValue), KeyState::Absent) => (
            Tri::No,
            Seen::Text("the key is absent, so ForAnyValue is false"),
        ),
        (Some(SetQualifier::ForAllValues), KeyState::Absent) => (
            Tri::Yes,
            Seen::Text("the key is absent, so ForAllValues is true"),
        ),
        (Some(SetQualifier::ForAnyValue), KeyState::Present(vs)) => {
            (Tri::any(vs.iter().map(single)), Seen::Values(vs))
        }
        (Some(SetQualifier::ForAllValues), KeyState::Present(vs)) => {
            (Tri::all(vs.iter().map(single)), Seen::Values(vs))
        }
        (None, KeyState::Absent) if negated => (
            Tri::Yes,
            Seen::Text("the key is absent, so a negated operator is true"),
        ),
        (None, KeyState::Absent) => (
            Tri::No,
            Seen::Text("the key is absent, so the operator is false"),
        ),
        (None, KeyState::Present(vs)) => {
            let hit = Tri::any(vs.iter().map(positive));
            (if negated { !hit } else { hit }, Seen::Values(vs))
        }
    }
}

fn join(vs: &[PString]) -> String {
    let v: Vec<String> = vs.iter().map(|s| format!("\"{s}\"")).collect();
    v.join(", ")
}

fn bool_is(v: &PString, expected: bool) -> Tri {
    match v.as_known() {
        Some(t) => Tri::from_bool(t.eq_ignore_ascii_case(if expected { "true" } else { "false" })),
        None => Tri::depends(
            v.holes()
                .map(|h| h.why.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

fn holes_why(values: &[&PString]) -> Tri {
    let set: BTreeSet<String> = values
        .iter()
        .flat_map(|v| v.holes().map(|h| h.why.to_string()))
        .collect();
    Tri::Depends(set)
}

/// Positive comparison of request value `v` with policy value `pv`.
fn compare(
    base: OpBase,
    v: &PString,
    pv: &PString,
    vars: Option<&dyn Fn(&str) -> VarValue>,
    negated: bool,
) -> Tri {
    let pattern = |opts: PatternOptions| match Pattern::compile(pv, opts, vars) {
        Ok(p) => Ok(p),
        // A variable with no value: positive operators do not match; for negated ones AWS's
        // documents disagree, so the answer depends on undocumented behaviour.
        Err(CompileError::NoValue(name)) => Err(if negated {
            Tri::depends(format!(
                "policy variable ${{{name}}} has no value in this request (AWS behaviour undocumented)"
            ))
        } else {
            Tri::No
        }),
    };
    let known = |a: &PString| a.as_known().map(str::trim).map(str::to_string);
    match base.comparison() {
        Comparison::Equals => {
            pattern(PatternOptions::EXACT).map_or_else(|t| t, |p| p.matches(v, true))
        }
        Comparison::EqualsIgnoreCase => {
            pattern(PatternOptions::EXACT_NOCASE).map_or_else(|t| t, |p| p.matches(v, true))
        }
        Comparison::Like => {
            pattern(PatternOptions::GLOB).map_or_else(|t| t, |p| p.matches(v, true))
        }
        Comparison::Arn => {
            pattern(PatternOptions::GLOB).map_or_else(|t| t, |p| p.matches_arn(v, true))
        }
        Comparison::Binary => Pattern::new(pv, PatternOptions::EXACT).matches(v, true),
        Comparison::Bool => match (known(v), known(pv)) {
            (Some(a), Some(b)) => Tri::from_bool(a.eq_ignore_ascii_case(&b)),
            _ => holes_why(&[v, pv]),
        },
        Comparison::Numeric(ord) => match (known(v), known(pv)) {
            (Some(a), Some(b)) => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(a), Ok(b)) => Tri::from_bool(ordered(a.partial_cmp(&b), ord)),
                _ => Tri::No,
            },
            _ => holes_why(&[v, pv]),
        },
        Comparison::Date(ord) => match (known(v), known(pv)) {
            (Some(a), Some(b)) => match (parse_date(&a), parse_date(&b)) {
                (Some(a), Some(b)) => Tri::from_bool(ordered(Some(a.cmp(&b)), ord)),
                _ => Tri::No,
            },
            _ => holes_why(&[v, pv]),
        },
        Comparison::Ip => match (known(v), known(pv)) {
            (Some(a), Some(b)) => match (a.parse::<std::net::IpAddr>(), parse_cidr(&b)) {
                (Ok(ip), Some(net)) => Tri::from_bool(net.contains(&ip)),
                _ => Tri::No,
            },
            (None, Some(b))
                if is_public_ip_hole(v) && parse_cidr(&b).is_some_and(|n| !is_public(&n)) =>
            {
                Tri::No
            }
            _ => holes_why(&[v, pv]),
        },
        Comparison::Null => Tri::No,
    }
}

/// Whether `v` is exactly the unknown public address ([`PUBLIC_IP_HOLE`]).
fn is_public_ip_hole(v: &PString) -> bool {
    matches!(v.parts(), [crate::value::Part::Hole(h)] if &*h.id == PUBLIC_IP_HOLE)
}

/// Whether a block may hold public addresses: false when it lies entirely inside the
/// private (RFC 1918, RFC 4193), loopback or link-local ranges.
fn is_public(net: &ipnet::IpNet) -> bool {
    const NON_PUBLIC: &[&str] = &[
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    ];
    !NON_PUBLIC
        .iter()
        .filter_map(|r| r.parse::<ipnet::IpNet>().ok())
        .any(|r| r.contains(net))
}

fn ordered(cmp: Option<std::cmp::Ordering>, ord: Ordering) -> bool {
    use std::cmp::Ordering as O;
    match (cmp, ord) {
        (None, _) => false,
        (Some(c), Ordering::Equal) => c == O::Equal,
        (Some(c), Ordering::Less) => c == O::Less,
        (Some(c), Ordering::LessOrEqual) => c != O::Greater,
        (Some(c), Ordering::Greater) => c == O::Greater,
        (Some(c), Ordering::GreaterOrEqual) => c != O::Less,
    }
}

/// Parses an IAM date: ISO 8601 / RFC 3339 timestamps, bare dates (midnight UTC), or epoch
/// seconds.
pub(crate) fn parse_date(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    if let Ok(secs) = text.parse::<i64>() {
        return jiff::Timestamp::from_second(secs).ok();
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return jiff::tz::TimeZone::UTC.to_timestamp(dt).ok();
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return jiff::tz::TimeZone::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok();
    }
    None
}

/// Parses a CIDR block; a bare address means /32 (IPv4) or /128 (IPv6).
pub(crate) fn parse_cidr(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>().ok().or_else(|| {
        text.parse::<std::net::IpAddr>()
            .ok()
            .map(ipnet::IpNet::from)
    })
}

//! Three-valued evaluation of a request against a policy, with the reasons that decided it.
//!
//! Every statement gets Yes / No / Depends for "does it apply to this request", following
//! IAM's rules (AWS-SEMANTICS.md section 1): case-insensitive actions, per-part ARN
//! wildcards, account principals covering every identity of the account, `NotPrincipal`
//! checking account, role and session, missing keys making positive operators false and
//! negated ones true, `…IfExists`, `Null`, set qualifiers, and policy variables.

mod condition;
mod memo;
mod principal;
mod request;
mod variables;

use condition::conditions_apply;
pub(crate) use condition::{parse_cidr, parse_date};
pub use memo::StatementMemo;
use principal::principal_applies;
pub use request::{KeyState, PUBLIC_IP_HOLE, Request, RequestContext, RequestPrincipal};
use variables::{maybe_absent_vars, var_resolver};

use super::ast::*;
use super::glob::{CompileError, Pattern, PatternOptions, VarValue};
use super::tri::Tri;
use crate::source::Span;
use crate::value::PString;

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
    // name what decided it. For the answer alone the cheapest elements go first: `and`
    // commutes, so the order changes the work, never the answer.
    type Step<'a> = &'a dyn Fn(&mut Why) -> Tri;
    let principal: Step = &|b| principal_applies(st, request, b);
    let action: Step = &|b| action_applies(&st.action, &request.action, b);
    let resource: Step = &|b| resource_applies(policy, st, request, b);
    let conditions: Step = &|b| conditions_apply(policy, st, request, b);
    let steps = if explain {
        [principal, action, resource, conditions]
    } else {
        [action, resource, principal, conditions]
    };
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
            .map(|p| Pattern::matches_text(&p.value, PatternOptions::GLOB_NOCASE, &req, true)),
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
        let decide = |vars: Option<&dyn Fn(&str) -> VarValue>| {
            let (text, options) = (&item.value, PatternOptions::GLOB);
            if let Some(hit) =
                Pattern::match_known_texts(text, options, vars.is_some(), &request.resource, true)
            {
                return Tri::from_bool(hit);
            }
            match Pattern::compile(text, options, vars) {
                Ok(p) => p.matches_arn(&request.resource, exists),
                Err(CompileError::NoValue(_)) => Tri::No,
            }
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

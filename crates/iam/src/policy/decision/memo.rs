//! One statement decided for many requests, each element once per distinct input.
//!
//! A statement applies when its principal, action, resource and conditions all do, and each
//! element reads one part of the request: the principal the caller, the action the action,
//! the resource the resource (and, through policy variables, the caller's keys), the
//! conditions the caller's keys. The rules ask one statement about every Clumio action for
//! every caller, so most of those answers repeat; [`StatementMemo`] keeps them.

use super::*;

/// The answers of [`statement_applies`] for one statement, with each element's answer kept
/// for its input.
pub struct StatementMemo<'a> {
    policy: &'a Policy,
    st: &'a Statement,
    /// Whether a resource reads the caller's keys (policy variables).
    resource_reads_caller: bool,
    actions: Vec<(String, Tri)>,
    /// (caller, or `usize::MAX` when the resource does not read the caller; resource) → answer.
    resources: Vec<((usize, PString), Tri)>,
    /// Per caller: the principal's and the conditions' answers, once computed.
    callers: Vec<(Option<Tri>, Option<Tri>)>,
    /// [`Statement::caller_sensitivity`], once asked.
    sensitivity: Option<(bool, bool)>,
}

impl<'a> StatementMemo<'a> {
    /// A memo for `st` of `policy`, empty.
    pub fn new(policy: &'a Policy, st: &'a Statement) -> Self {
        let resource_reads_caller = policy.variables_enabled
            && st
                .resource
                .as_ref()
                .is_some_and(|r| r.items.iter().any(|i| i.value.contains_known("${")));
        StatementMemo {
            policy,
            st,
            resource_reads_caller,
            actions: Vec::new(),
            resources: Vec::new(),
            callers: Vec::new(),
            sensitivity: None,
        }
    }

    /// [`Statement::caller_sensitivity`] of the statement, worked out once.
    pub fn caller_sensitivity(&mut self) -> (bool, bool) {
        *self
            .sensitivity
            .get_or_insert_with(|| self.st.caller_sensitivity())
    }

    /// Whether the statement applies to `request` (the answer of [`statement_applies`]).
    /// `caller` names the request's principal and condition keys: requests given the same
    /// `caller` must have the same principal and context (they may differ in action and
    /// resource).
    pub fn applies(&mut self, caller: usize, request: &Request) -> Tri {
        let action = self.action(request);
        if action == Tri::No {
            return Tri::No;
        }
        let answer = action.and(self.resource(caller, request));
        if answer == Tri::No {
            return Tri::No;
        }
        if self.callers.len() <= caller {
            self.callers.resize(caller + 1, (None, None));
        }
        let principal = self.callers[caller]
            .0
            .get_or_insert_with(|| principal_applies(self.st, request, &mut quiet()))
            .clone();
        let answer = answer.and(principal);
        if answer == Tri::No {
            return Tri::No;
        }
        let conditions = self.callers[caller]
            .1
            .get_or_insert_with(|| conditions_apply(self.policy, self.st, request, &mut quiet()))
            .clone();
        answer.and(conditions)
    }

    /// Whether the statement's action and resource cover the request, ignoring principal
    /// and conditions.
    pub fn scope(&mut self, caller: usize, request: &Request) -> Tri {
        let action = self.action(request);
        if action == Tri::No {
            return Tri::No;
        }
        action.and(self.resource(caller, request))
    }

    fn action(&mut self, request: &Request) -> Tri {
        self.action_answer(&request.action)
    }

    /// Whether the statement's Action (or NotAction) covers `action`, whoever asks and on
    /// whatever resource.
    pub fn action_answer(&mut self, action: &str) -> Tri {
        if let Some((_, t)) = self.actions.iter().find(|(a, _)| *a == action) {
            return t.clone();
        }
        let t = action_applies(&self.st.action, action, &mut quiet());
        self.actions.push((action.to_string(), t.clone()));
        t
    }

    fn resource(&mut self, caller: usize, request: &Request) -> Tri {
        let caller = if self.resource_reads_caller {
            caller
        } else {
            usize::MAX
        };
        if let Some((_, t)) = self
            .resources
            .iter()
            .find(|((c, r), _)| *c == caller && *r == request.resource)
        {
            return t.clone();
        }
        let t = resource_applies(self.policy, self.st, request, &mut quiet());
        self.resources
            .push(((caller, request.resource.clone()), t.clone()));
        t
    }
}

/// Reasons off: the memo keeps answers only.
fn quiet() -> Why {
    Why {
        on: false,
        lines: Vec::new(),
    }
}

//! The evaluation budget and its bookkeeping: steps, limit errors, copies and bindings.

use super::*;

/// The size of `node` for the budget: nodes and holes plus string bytes / 64, counted up to
/// `limit`.
pub(super) fn weight(node: &Node, limit: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        total += 1;
        if total > limit {
            break;
        }
        match &n.kind {
            Kind::Str(s) => {
                for part in s.parts() {
                    total += match part {
                        Part::Lit(text) => text.len() as u64 / 64,
                        // A hole is a record of its own: a string of many holes is large.
                        Part::Hole(_) => 1,
                    };
                }
            }
            Kind::Array(items) => stack.extend(items),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    total
}

impl<'m> Evaluator<'m, '_> {
    // ----- bookkeeping -------------------------------------------------------------------

    pub(super) fn charge(&mut self, cost: u64) -> bool {
        if self.exhausted || self.steps < cost {
            self.steps = 0;
            self.exhausted = true;
            return false;
        }
        self.steps -= cost;
        true
    }

    /// The value of something not evaluated because the budget ran out; remembers where that
    /// first happened for the error.
    pub(super) fn budget_node(&mut self, span: Span) -> Node {
        self.exhausted_at.get_or_insert(span);
        Node::new(
            Kind::Unknown(Hole::unknown(
                "evaluation-budget",
                "evaluation stopped: the step budget of this root module was used up",
            )),
            span,
        )
    }

    /// Records that a limit was hit at `span` (an error of the run, located) and returns the
    /// error value that stands for what was not evaluated. At most [`MAX_LIMIT_ERRORS`] are
    /// kept per root module; the last one says how many more there were.
    fn limit(&mut self, span: Span, message: String) -> Node {
        let message = format!("evaluation limit: {message}");
        if self.limits.len() < MAX_LIMIT_ERRORS {
            self.limits.push(LoadError {
                file: Some(span.file),
                span: Some(span),
                path: None,
                message: message.clone(),
            });
        } else if self.limits.len() == MAX_LIMIT_ERRORS {
            self.limits.push(LoadError {
                file: Some(span.file),
                span: Some(span),
                path: None,
                message: format!("{message} (more limits were hit after this one)"),
            });
        }
        error(span, message)
    }

    /// Nesting deeper than [`MAX_DEPTH`]: an error of the run.
    pub(super) fn too_deep(&mut self, span: Span, what: &str) -> Node {
        self.limit(
            span,
            format!("{what} nested more than {MAX_DEPTH} levels deep is not evaluated"),
        )
    }

    /// Charges `units` for a new value with a text of `bytes` bytes about to be built at
    /// `span`; `Err` (an error of the run, nothing allocated) when the text would be longer
    /// than [`MAX_VALUE_BYTES`] or the budget does not cover the units.
    pub(super) fn afford(
        &mut self,
        bytes: u64,
        units: u64,
        span: Span,
        what: &str,
    ) -> Result<(), Node> {
        if bytes > MAX_VALUE_BYTES {
            return Err(self.limit(
                span,
                format!(
                    "{what} would build a value of {bytes} bytes, more than the {MAX_VALUE_BYTES} \
                     bytes one value may have"
                ),
            ));
        }
        if self.charge(units) {
            Ok(())
        } else {
            Err(self.budget_node(span))
        }
    }

    /// Charges `w` (the [`weight`] of a stored value at `span`) and only then copies it with
    /// `clone`: nothing is allocated for a copy the budget does not cover.
    pub(super) fn copy_weighed(
        &mut self,
        w: u64,
        span: Span,
        clone: impl FnOnce(&Self) -> Node,
    ) -> Node {
        if self.charge(w) {
            clone(self)
        } else {
            self.budget_node(span)
        }
    }
}

impl<'m> Evaluator<'m, '_> {
    /// Charges for copying `node` out of a memo table.
    pub(super) fn copy(&mut self, node: &Node) -> Node {
        let w = weight(node, self.steps.saturating_add(1));
        if self.charge(w) {
            node.clone()
        } else {
            self.budget_node(node.span)
        }
    }

    pub(super) fn binding(&self, name: &str) -> Option<&Node> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    pub(super) fn with_bindings<T>(
        &mut self,
        bindings: Vec<(String, Node)>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved = std::mem::replace(&mut self.bindings, bindings);
        let result = f(self);
        self.bindings = saved;
        result
    }

    pub(super) fn module(&self, inst: usize) -> &'m Module {
        &self.modules[self.insts[inst].module]
    }
}

//! Conditions: `Fn::If`, the `Conditions` section and the condition functions (`Fn::Equals`,
//! `Fn::And`, …).

use super::*;

/// Whether two partly known strings certainly differ (their known ends disagree).
fn certainly_differ(a: &PString, b: &PString) -> bool {
    let (pa, pb) = (a.known_prefix(), b.known_prefix());
    if !pa.starts_with(pb) && !pb.starts_with(pa) {
        return true;
    }
    let suffix = |s: &PString| -> String {
        match s.parts().last() {
            Some(Part::Lit(t)) => t.clone(),
            _ => String::new(),
        }
    };
    let (sa, sb) = (suffix(a), suffix(b));
    !sa.ends_with(&sb) && !sb.ends_with(&sa)
}

impl<'t> Resolver<'t> {
    pub(super) fn fn_if(&mut self, m: &Member, span: Span, depth: usize) -> Option<Node> {
        let arg = &m.value;
        let Kind::Array(args) = &arg.kind else {
            return Some(self.unknown(
                "Fn::If",
                span,
                "Fn::If needs [condition, value if true, value if false]",
            ));
        };
        let [cond, when_true, when_false] = args.as_slice() else {
            return Some(self.unknown(
                "Fn::If",
                span,
                "Fn::If needs [condition, value if true, value if false]",
            ));
        };
        let decided = match known_text(cond) {
            Some(name) => self.condition(&name, cond.span, depth + 1),
            None => None,
        };
        match decided {
            Some(true) => self.resolve(when_true, depth + 1),
            Some(false) => self.resolve(when_false, depth + 1),
            None => {
                let a = self
                    .resolve(when_true, depth + 1)
                    .unwrap_or_else(|| no_value(when_true.span));
                let b = self
                    .resolve(when_false, depth + 1)
                    .unwrap_or_else(|| no_value(when_false.span));
                let name = known_text(cond).unwrap_or_default();
                let why = self.condition_why(&name);
                Some(undecided_if(
                    cond.clone(),
                    a,
                    b,
                    why,
                    m.key_span,
                    arg.span,
                    span,
                ))
            }
        }
    }

    /// The value of the named condition, when it can be decided ([`Resolver::condition_why`]
    /// says what an undecided one rests on).
    pub(crate) fn condition(&mut self, name: &str, at: Span, depth: usize) -> Option<bool> {
        let mark = self.pending_why.len();
        let value = self.condition_at(name, at, depth);
        self.pending_why.truncate(mark);
        value
    }

    /// [`Resolver::condition`] inside the evaluation of another condition: what an undecided
    /// one rests on is added to the reasons of the one being evaluated.
    fn condition_at(&mut self, name: &str, at: Span, depth: usize) -> Option<bool> {
        match self.cond_cache.get(name) {
            Some(Some(Some(v))) => return Some(*v),
            Some(Some(None)) => {
                let why = self.cond_why.get(name).cloned().unwrap_or_default();
                self.pending_why.extend(why);
                return None;
            }
            Some(None) => {
                self.pending_why
                    .push(format!("condition {name}, which refers to itself"));
                return None;
            }
            None => {}
        }
        let Some(node) = self.conditions.get(name).copied() else {
            self.note(
                at,
                format!("condition `{name}` is not defined in Conditions"),
            );
            self.pending_why
                .push(format!("condition {name}, which is not defined"));
            return None;
        };
        self.cond_cache.insert(name.to_string(), None);
        let mark = self.pending_why.len();
        let value = self.eval_condition(node, depth + 1);
        if value.is_none() {
            let mut why: Vec<String> = Vec::new();
            for w in self.pending_why.drain(mark..) {
                if !why.contains(&w) {
                    why.push(w);
                }
            }
            self.pending_why.extend(why.iter().cloned());
            self.cond_why.insert(name.to_string(), why);
        }
        self.cond_cache.insert(name.to_string(), Some(value));
        value
    }

    /// What an undecided condition rests on, for messages: the unknowns it reads.
    pub(crate) fn condition_why(&self, name: &str) -> String {
        match self.cond_why.get(name) {
            Some(why) if !why.is_empty() => why.join("; "),
            _ => "it cannot be decided statically".to_string(),
        }
    }

    fn eval_condition(&mut self, node: &Node, depth: usize) -> Option<bool> {
        if depth > MAX_RESOLVE_DEPTH {
            self.pending_why
                .push("a condition nested too deeply to evaluate".into());
            return None;
        }
        let mark = self.pending_why.len();
        let value = self.eval_condition_at(node, depth);
        if value.is_some() {
            // Unknowns that did not matter (`Fn::Or` with a true operand) are not reasons.
            self.pending_why.truncate(mark);
        }
        value
    }

    fn eval_condition_at(&mut self, node: &Node, depth: usize) -> Option<bool> {
        if let Some([m]) = node.as_object() {
            match m.key.as_str() {
                "Condition" => {
                    let Some(name) = known_text(&m.value) else {
                        self.pending_why
                            .push("a condition whose name is not a string".into());
                        return None;
                    };
                    return self.condition_at(&name, m.value.span, depth + 1);
                }
                "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                    return self.eval_function(&m.key, &m.value, depth + 1);
                }
                _ => {}
            }
        }
        let value = self.resolve(node, depth + 1);
        let decided = match value.as_ref().map(|v| &v.kind) {
            Some(Kind::Bool(b)) => Some(*b),
            Some(Kind::Str(s)) => match s.as_known() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            _ => None,
        };
        if decided.is_none() {
            self.push_why(value.as_ref(), "a condition that is not true or false");
        }
        decided
    }

    /// Records why a condition's operand is not known.
    fn push_why(&mut self, value: Option<&Node>, otherwise: &str) {
        let why = value
            .and_then(first_hole)
            .map_or_else(|| otherwise.to_string(), |h| h.why.to_string());
        self.pending_why.push(why);
    }

    pub(super) fn eval_function(&mut self, name: &str, arg: &Node, depth: usize) -> Option<bool> {
        let Kind::Array(args) = &arg.kind else {
            return None;
        };
        match name {
            "Fn::Equals" => {
                let [a, b] = args.as_slice() else {
                    return None;
                };
                let a = self.resolve(a, depth + 1);
                let b = self.resolve(b, depth + 1);
                let (Some(x), Some(y)) = (&a, &b) else {
                    self.pending_why.push("Fn::Equals of AWS::NoValue".into());
                    return None;
                };
                let value = equals(x, y);
                if value.is_none() {
                    for v in [&a, &b] {
                        if v.as_ref().and_then(first_hole).is_some() {
                            self.push_why(v.as_ref(), "");
                        }
                    }
                }
                value
            }
            "Fn::Not" => {
                let [a] = args.as_slice() else {
                    return None;
                };
                self.eval_condition(a, depth + 1).map(|v| !v)
            }
            "Fn::And" | "Fn::Or" => {
                let want = name == "Fn::Or";
                let mut unknown = false;
                for a in args {
                    match self.eval_condition(a, depth + 1) {
                        Some(v) if v == want => return Some(want),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if unknown { None } else { Some(!want) }
            }
            _ => None,
        }
    }
}

/// Whether two resolved values are equal, when that can be decided (`Fn::Equals` compares
/// texts: `1` equals `"1"`).
fn equals(a: &Node, b: &Node) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (Kind::Array(x), Kind::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => all = None,
                }
            }
            all
        }
        _ => {
            let (x, y) = (to_pstring(a)?, to_pstring(b)?);
            match (x.as_known(), y.as_known()) {
                (Some(p), Some(q)) => Some(p == q),
                _ if certainly_differ(&x, &y) => Some(false),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partly_known_strings_that_disagree_differ() {
        let h = Hole::unknown("x", "x");
        let a = PString::known("prod-").with_hole(h.clone());
        assert!(certainly_differ(&a, &PString::known("dev-1")));
        assert!(!certainly_differ(&a, &PString::known("prod-1")));
        let b = PString::hole(h).with_str("-eu");
        assert!(certainly_differ(&b, &PString::known("x-us")));
    }
}

//! Expressions: literals, operators, conditionals, `for` expressions, indexing and JSON syntax.

use super::budget::weight;
use super::*;

impl Evaluator<'_, '_> {
    // ----- expressions -------------------------------------------------------------------

    pub(super) fn expr(&mut self, e: &Expression, cx: Cx) -> Node {
        let span = cx.span(e.span());
        if !self.charge(1) {
            return self.budget_node(span);
        }
        if self.depth >= MAX_DEPTH {
            return self.too_deep(span, "an expression");
        }
        self.depth += 1;
        let value = self.expr_inner(e, cx, span);
        self.depth -= 1;
        value
    }

    fn expr_inner(&mut self, e: &Expression, cx: Cx, span: Span) -> Node {
        match e {
            Expression::Null(_) => Node::new(Kind::Null, span),
            Expression::Bool(b) => Node::new(Kind::Bool(*b.value()), span),
            Expression::Number(n) => Node::new(Kind::Number(n.value().to_string()), span),
            Expression::String(s) => string_node(s.value().clone(), span),
            Expression::Array(items) => {
                let items = items.iter().map(|item| self.expr(item, cx)).collect();
                Node::new(Kind::Array(items), span)
            }
            Expression::Object(object) => {
                let mut members: Vec<Member> = Vec::new();
                // Position of each key in `members` (a repeated key overrides: linear, not
                // quadratic, in the number of keys).
                let mut at: HashMap<String, usize> = HashMap::new();
                for (key, value) in object.iter() {
                    let (key, key_span) = match key {
                        ObjectKey::Ident(ident) => {
                            (ident.as_str().to_string(), cx.span(ident.span()))
                        }
                        ObjectKey::Expression(k) => {
                            let node = self.expr(k, cx);
                            match known_text(&node) {
                                Some(text) => (text, node.span),
                                None if is_error(&node) => return node,
                                None => return unknown(hole_of(&node), span),
                            }
                        }
                    };
                    let value = self.expr(value.expr(), cx);
                    match at.get(&key) {
                        Some(&i) => {
                            members[i].value = value;
                            members[i].key_span = key_span;
                        }
                        None => {
                            at.insert(key.clone(), members.len());
                            members.push(Member {
                                key,
                                key_span,
                                value,
                            });
                        }
                    }
                }
                Node::new(Kind::Object(members), span)
            }
            Expression::StringTemplate(t) => self.template(t, cx, span),
            Expression::HeredocTemplate(h) => {
                let span = self.heredoc_span(h, cx).unwrap_or(span);
                self.template(&h.template, cx, span)
            }
            Expression::Parenthesis(p) => self.expr(p.inner(), cx),
            Expression::Variable(v) => match self.binding(v.as_str()) {
                Some(node) => {
                    let w = weight(node, self.steps.saturating_add(1));
                    let name = v.as_str();
                    self.copy_weighed(w, node.span, |ev| {
                        ev.binding(name)
                            .cloned()
                            .unwrap_or_else(|| Node::new(Kind::Null, span))
                    })
                }
                None => self.reference(v.as_str(), &[], cx, span),
            },
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr, cx);
                match truth(&cond) {
                    Ok(true) => self.expr(&c.true_expr, cx),
                    Ok(false) => self.expr(&c.false_expr, cx),
                    Err(node) => Node::new(node.kind, span),
                }
            }
            Expression::FuncCall(f) => self.call(f, cx, span),
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> =
                    t.operators.iter().map(|op| op.value()).collect();
                match &t.expr {
                    Expression::Variable(v) if self.binding(v.as_str()).is_none() => {
                        self.reference(v.as_str(), &ops, cx, span)
                    }
                    base => {
                        let base = self.expr(base, cx);
                        self.apply(base, &ops, cx, span)
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let value = self.expr(&op.expr, cx);
                unary(*op.operator.value(), value, span)
            }
            Expression::BinaryOp(op) => self.binary(op, cx, span),
            Expression::ForExpr(f) => self.for_expr(f, cx, span),
        }
    }

    /// The span of exactly the text of a plain `<<EOF` heredoc without interpolation, so a
    /// document inside maps straight into the file; `None` otherwise.
    fn heredoc_span(&self, h: &hcl_edit::template::HeredocTemplate, cx: Cx) -> Option<Span> {
        if cx.coarse.is_some() || h.indent().is_some() {
            return None;
        }
        let literal = match h.template.as_single_element() {
            Some(Element::Literal(l)) => l,
            _ => return None,
        };
        let span = cx.span(Some(literal.span()?));
        (self.sources().slice(span) == literal.value().as_str()).then_some(span)
    }

    fn binary(&mut self, op: &hcl_edit::expr::BinaryOp, cx: Cx, span: Span) -> Node {
        let operator = *op.operator.value();
        let lhs = self.expr(&op.lhs_expr, cx);
        // Short-circuit what is decided by the left side alone.
        match (operator, &lhs.kind) {
            (BinaryOperator::And, Kind::Bool(false)) => return Node::new(Kind::Bool(false), span),
            (BinaryOperator::Or, Kind::Bool(true)) => return Node::new(Kind::Bool(true), span),
            _ => {}
        }
        let rhs = self.expr(&op.rhs_expr, cx);
        binary(operator, &lhs, &rhs, span)
    }

    fn for_expr(&mut self, f: &ForExpr, cx: Cx, span: Span) -> Node {
        let collection = self.expr(&f.intro.collection_expr, cx);
        let items = match entries(&collection, span) {
            Ok(items) => items,
            Err(node) => return node,
        };
        let mark = self.bindings.len();
        let mut list = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        // Position of each key in `members`.
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut result = None;
        for (key, value) in items {
            if !self.charge(1) {
                result = Some(self.budget_node(span));
                break;
            }
            if let Some(key_var) = &f.intro.key_var {
                self.bindings.push((key_var.as_str().to_string(), key));
            }
            self.bindings
                .push((f.intro.value_var.as_str().to_string(), value));
            let keep = match &f.cond {
                None => Ok(true),
                Some(cond) => truth(&self.expr(&cond.expr, cx)),
            };
            match keep {
                Ok(true) => {}
                Ok(false) => {
                    self.bindings.truncate(mark);
                    continue;
                }
                Err(node) => {
                    result = Some(Node::new(node.kind, span));
                    self.bindings.truncate(mark);
                    break;
                }
            }
            match &f.key_expr {
                None => list.push(self.expr(&f.value_expr, cx)),
                Some(key_expr) => {
                    let k = self.expr(key_expr, cx);
                    let Some(text) = known_text(&k) else {
                        result = Some(Node::new(
                            if is_error(&k) {
                                k.kind
                            } else {
                                Kind::Unknown(hole_of(&k))
                            },
                            span,
                        ));
                        self.bindings.truncate(mark);
                        break;
                    };
                    let v = self.expr(&f.value_expr, cx);
                    let existing = at.get(&text).map(|&i| &mut members[i]);
                    match (existing, f.grouping) {
                        (Some(m), true) => {
                            if let Kind::Array(group) = &mut m.value.kind {
                                group.push(v);
                            }
                        }
                        (Some(m), false) => m.value = v,
                        (None, grouping) => {
                            at.insert(text.clone(), members.len());
                            members.push(Member {
                                key: text,
                                key_span: k.span,
                                value: if grouping {
                                    Node::new(Kind::Array(vec![v]), span)
                                } else {
                                    v
                                },
                            });
                        }
                    }
                }
            }
            self.bindings.truncate(mark);
        }
        self.bindings.truncate(mark);
        if let Some(node) = result {
            return node;
        }
        match f.key_expr {
            None => Node::new(Kind::Array(list), span),
            Some(_) => Node::new(Kind::Object(members), span),
        }
    }
}

impl Evaluator<'_, '_> {
    // ----- Terraform JSON syntax ---------------------------------------------------------

    /// Evaluates a value of Terraform JSON syntax: strings are templates.
    pub(super) fn json(&mut self, node: &Node, cx: Cx) -> Node {
        if !self.charge(1) {
            return self.budget_node(node.span);
        }
        if self.depth >= MAX_DEPTH {
            return self.too_deep(node.span, "a value");
        }
        self.depth += 1;
        let value = match &node.kind {
            Kind::Str(s) => match s.as_known() {
                Some(text) if text.contains("${") || text.contains("%{") => {
                    match hcl_edit::parser::parse_template(text) {
                        Ok(template) => {
                            let cx = Cx {
                                coarse: Some(node.span),
                                ..cx
                            };
                            self.template(&template, cx, node.span)
                        }
                        Err(err) => {
                            error(node.span, format!("invalid template: {}", err.message()))
                        }
                    }
                }
                _ => node.clone(),
            },
            Kind::Array(items) => Node::new(
                Kind::Array(items.iter().map(|i| self.json(i, cx)).collect()),
                node.span,
            ),
            Kind::Object(members) => Node::new(
                Kind::Object(
                    members
                        .iter()
                        .map(|m| Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value: self.json(&m.value, cx),
                        })
                        .collect(),
                ),
                node.span,
            ),
            _ => node.clone(),
        };
        self.depth -= 1;
        value
    }
}

/// A condition's value: `Err` carries the unknown or error it depends on.
pub(super) fn truth(node: &Node) -> Result<bool, Node> {
    match &node.kind {
        Kind::Bool(b) => Ok(*b),
        Kind::Str(s) => match s.as_known() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(error(node.span, format!("\"{other}\" is not a bool"))),
            None => Err(unknown(s_hole(s), node.span)),
        },
        Kind::Unknown(_) => Err(node.clone()),
        _ => Err(error(
            node.span,
            format!("a condition must be a bool, not {}", node.shape()),
        )),
    }
}

pub(super) fn index_into(node: &Node, index: &Node, span: Span) -> Node {
    match (&node.kind, &index.kind) {
        (_, Kind::Unknown(hole)) => unknown(hole.clone(), span),
        (Kind::Array(items), _) => {
            let i = match &index.kind {
                Kind::Number(n) => functions::parse_number(n),
                Kind::Str(s) => s.as_known().and_then(functions::parse_number),
                _ => None,
            };
            // Past a splice (an unknown number of elements), positions are unknown.
            if let Some(i) = i
                && let Some(h) = items
                    .iter()
                    .take((i.max(0.0) as usize).saturating_add(1))
                    .find_map(functions::splice_hole)
            {
                return unknown(h.clone(), span);
            }
            match i {
                Some(i) if i >= 0.0 && i.fract() == 0.0 && (i as usize) < items.len() => {
                    items[i as usize].clone()
                }
                Some(i) => error(span, format!("index {i} is out of range")),
                None if first_hole(index).is_some() => unknown(hole_of(index), span),
                None => error(span, "a list index must be a number"),
            }
        }
        (Kind::Object(_), _) => match known_text(index) {
            Some(key) => match node.get(&key) {
                Some(value) => value.clone(),
                None => error(span, format!("no key \"{key}\"")),
            },
            None if first_hole(index).is_some() => unknown(hole_of(index), span),
            None => error(span, "a map key must be a string"),
        },
        _ => error(span, format!("cannot index {}", node.shape())),
    }
}

fn unary(op: UnaryOperator, value: Node, span: Span) -> Node {
    match (op, &value.kind) {
        (_, Kind::Unknown(_)) => Node::new(value.kind, span),
        (UnaryOperator::Not, Kind::Bool(b)) => Node::new(Kind::Bool(!b), span),
        (UnaryOperator::Neg, Kind::Number(n)) => match functions::parse_number(n) {
            Some(v) => functions::number_node(-v, span),
            None => error(span, format!("bad number {n}")),
        },
        _ => error(
            span,
            format!("operator {op:?} does not apply to {}", value.shape()),
        ),
    }
}

fn binary(op: BinaryOperator, lhs: &Node, rhs: &Node, span: Span) -> Node {
    use BinaryOperator as B;
    let num = |n: &Node| -> Option<f64> {
        match &n.kind {
            Kind::Number(x) => functions::parse_number(x),
            Kind::Str(s) => s.as_known().and_then(functions::parse_number),
            _ => None,
        }
    };
    match op {
        B::Eq | B::NotEq => match functions::values_equal(lhs, rhs) {
            Some(eq) => Node::new(Kind::Bool(eq == (op == B::Eq)), span),
            None => unknown(
                first_hole(lhs)
                    .or_else(|| first_hole(rhs))
                    .unwrap_or_else(|| Hole::unknown("unknown", "an unknown value")),
                span,
            ),
        },
        B::And | B::Or => match (truth(lhs), truth(rhs)) {
            (Ok(a), Ok(b)) => {
                Node::new(Kind::Bool(if op == B::And { a && b } else { a || b }), span)
            }
            (Ok(false), Err(_)) | (Err(_), Ok(false)) if op == B::And => {
                Node::new(Kind::Bool(false), span)
            }
            (Ok(true), Err(_)) | (Err(_), Ok(true)) if op == B::Or => {
                Node::new(Kind::Bool(true), span)
            }
            (Err(node), _) | (_, Err(node)) => Node::new(node.kind, span),
        },
        _ => {
            for side in [lhs, rhs] {
                if is_error(side) {
                    return Node::new(side.kind.clone(), span);
                }
                if let Some(hole) = first_hole(side) {
                    return unknown(hole, span);
                }
            }
            let (Some(a), Some(b)) = (num(lhs), num(rhs)) else {
                return error(
                    span,
                    format!("arithmetic on {} and {}", lhs.shape(), rhs.shape()),
                );
            };
            let value = match op {
                B::Plus => a + b,
                B::Minus => a - b,
                B::Mul => a * b,
                B::Div if b != 0.0 => a / b,
                B::Mod if b != 0.0 => a % b,
                B::Div | B::Mod => return error(span, "division by zero"),
                B::Less => return Node::new(Kind::Bool(a < b), span),
                B::LessEq => return Node::new(Kind::Bool(a <= b), span),
                B::Greater => return Node::new(Kind::Bool(a > b), span),
                B::GreaterEq => return Node::new(Kind::Bool(a >= b), span),
                B::Eq | B::NotEq | B::And | B::Or => unreachable!("handled above"),
            };
            if value.is_finite() {
                functions::number_node(value, span)
            } else {
                error(span, "the result is not a finite number")
            }
        }
    }
}

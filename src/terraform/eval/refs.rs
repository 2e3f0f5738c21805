//! Named values and references: locals, variables, module outputs, resources, data sources.

use super::budget::weight;
use super::expr::index_into;
use super::*;

impl<'m> Evaluator<'m, '_> {
    // ----- named values ------------------------------------------------------------------

    /// Evaluates a stored expression in instance `inst` (bindings as they are).
    pub(super) fn eval(&mut self, expr: &Expr, inst: usize) -> Node {
        let cx = Cx {
            inst,
            file: expr.file,
            coarse: None,
        };
        match &expr.kind {
            ExprKind::Hcl(e) => self.expr(e, cx),
            ExprKind::Json(n) => self.json(n, cx),
            ExprKind::Literal(n) => self.copy(n),
            ExprKind::Relocated(e, at) => {
                let mut node = self.expr(e, cx);
                relocate(&mut node, *at);
                node
            }
        }
    }

    fn local(&mut self, inst: usize, name: &str, span: Span) -> Node {
        match self.insts[inst].locals.get(name) {
            Some(Slot::Done(node)) => {
                let w = weight(node, self.steps.saturating_add(1));
                return self.copy_weighed(w, node.span, |ev| {
                    match ev.insts[inst].locals.get(name) {
                        Some(Slot::Done(node)) => node.clone(),
                        _ => Node::new(Kind::Null, span),
                    }
                });
            }
            Some(Slot::Busy) => {
                let id = format!("{}local.{name}", self.insts[inst].prefix);
                let why = format!("{id} refers to itself (a cycle of locals)");
                return Node::new(Kind::Unknown(Hole::unknown(id, why)), span);
            }
            None => {}
        }
        let Some(expr) = self.module(inst).locals.get(name) else {
            return error(span, format!("there is no local value named \"{name}\""));
        };
        self.insts[inst].locals.insert(name.to_string(), Slot::Busy);
        self.prepare_locals(inst, name, span);
        let value = self.with_bindings(Vec::new(), |ev| ev.eval(expr, inst));
        self.insts[inst]
            .locals
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    /// Evaluates the locals that `name` (marked busy) reads, directly or through other
    /// locals, those read last first, so that when `name` is evaluated every local it reads is
    /// already done (or busy: a cycle, which ends as an unknown as before): a
    /// chain of locals of any length is evaluated one link at a time instead of nesting one
    /// evaluation inside the next. The references are found in the text of each definition
    /// (a mention that is not a reference only evaluates a local early, which is harmless:
    /// Terraform evaluates every local anyway).
    fn prepare_locals(&mut self, inst: usize, name: &str, span: Span) {
        let module = self.module(inst);
        let Some((first, _)) = module.locals.get_key_value(name) else {
            return;
        };
        let mut order: Vec<&'m str> = Vec::new();
        let mut seen: std::collections::HashSet<&'m str> = std::collections::HashSet::new();
        let mut stack: Vec<(&'m str, bool)> = vec![(first.as_str(), false)];
        while let Some((local, expanded)) = stack.pop() {
            if expanded {
                order.push(local);
                continue;
            }
            // `name` itself is already marked busy by the caller.
            if !seen.insert(local)
                || (local != first.as_str() && self.insts[inst].locals.contains_key(local))
            {
                continue;
            }
            let Some(expr) = module.locals.get(local) else {
                continue;
            };
            stack.push((local, true));
            for read in local_mentions(self.sources(), expr) {
                if let Some((key, _)) = module.locals.get_key_value(read)
                    && !seen.contains(key.as_str())
                {
                    stack.push((key.as_str(), false));
                }
            }
        }
        // The last one is `name` itself, which the caller evaluates.
        order.pop();
        for local in order {
            if !self.insts[inst].locals.contains_key(local) {
                self.local(inst, local, span);
            }
        }
    }

    fn var(&mut self, inst: usize, name: &str, span: Span) -> Node {
        let prefix = self.insts[inst].prefix.clone();
        match self.insts[inst].vars.get(name) {
            Some(Slot::Done(node)) => {
                let w = weight(node, self.steps.saturating_add(1));
                return self.copy_weighed(w, node.span, |ev| match ev.insts[inst].vars.get(name) {
                    Some(Slot::Done(node)) => node.clone(),
                    _ => Node::new(Kind::Null, span),
                });
            }
            Some(Slot::Busy) => {
                let id = format!("{prefix}var.{name}");
                let why = format!("{id} refers to itself (a cycle)");
                return Node::new(Kind::Unknown(Hole::unknown(id, why)), span);
            }
            None => {}
        }
        let Some(decl) = self.module(inst).variable(name) else {
            return error(span, format!("there is no variable named \"{name}\""));
        };
        self.insts[inst].vars.insert(name.to_string(), Slot::Busy);
        let given: Option<(Expr, usize, Bindings)> = match &self.insts[inst].parent {
            None => self
                .root
                .values
                .get(name)
                .map(|e| (e.clone(), inst, Vec::new())),
            Some(parent) => {
                let call = &self.module(parent.inst).calls[parent.call];
                call.body
                    .attribute(name)
                    .map(|e| (e, parent.inst, parent.bindings.clone()))
            }
        };
        let value = match (given, &decl.default) {
            (Some((expr, at, bindings)), _) => {
                self.with_bindings(bindings, |ev| ev.eval(&expr, at))
            }
            (None, Some(default)) => self.with_bindings(Vec::new(), |ev| ev.eval(default, inst)),
            (None, None) => {
                let id = format!("{prefix}var.{name}");
                let why = if prefix.is_empty() {
                    format!("variable {name} has no value (set it in a .tfvars file or with --var)")
                } else {
                    format!(
                        "variable {name} of {} has no value",
                        prefix.trim_end_matches('.')
                    )
                };
                hole_node(Hole::unknown(id, why), decl.is_string, span)
            }
        };
        self.insts[inst]
            .vars
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    fn output(&mut self, inst: usize, name: &str, span: Span) -> Node {
        match self.insts[inst].outputs.get(name) {
            Some(Slot::Done(node)) => {
                let w = weight(node, self.steps.saturating_add(1));
                return self.copy_weighed(w, node.span, |ev| {
                    match ev.insts[inst].outputs.get(name) {
                        Some(Slot::Done(node)) => node.clone(),
                        _ => Node::new(Kind::Null, span),
                    }
                });
            }
            Some(Slot::Busy) => {
                let id = format!("{}output.{name}", self.insts[inst].prefix);
                let why = format!("{id} refers to itself (a cycle)");
                return Node::new(Kind::Unknown(Hole::unknown(id, why)), span);
            }
            None => {}
        }
        let Some(expr) = self.module(inst).outputs.get(name) else {
            return error(
                span,
                format!("{}has no output \"{name}\"", self.insts[inst].prefix),
            );
        };
        self.insts[inst]
            .outputs
            .insert(name.to_string(), Slot::Busy);
        let value = self.with_bindings(Vec::new(), |ev| ev.eval(expr, inst));
        self.insts[inst]
            .outputs
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }
}

impl Evaluator<'_, '_> {
    // ----- references --------------------------------------------------------------------

    /// Evaluates the reference `root.ops…` that is not a local binding.
    pub(super) fn reference(
        &mut self,
        root: &str,
        ops: &[&TraversalOperator],
        cx: Cx,
        span: Span,
    ) -> Node {
        let inst = cx.inst;
        match root {
            "var" | "local" => {
                let Some((name, rest)) = first_attr(ops) else {
                    return error(span, format!("{root} must be followed by .NAME"));
                };
                let value = if root == "var" {
                    self.var(inst, name, span)
                } else {
                    self.local(inst, name, span)
                };
                self.apply(value, rest, cx, span)
            }
            "module" => self.module_ref(ops, cx, span),
            "data" => {
                let Some((rtype, rest)) = first_attr(ops) else {
                    return error(span, "data must be followed by .TYPE.NAME");
                };
                let Some((name, rest)) = first_attr(rest) else {
                    return error(span, "data must be followed by .TYPE.NAME");
                };
                self.resource_ref(Mode::Data, rtype, name, rest, cx, span)
            }
            "path" => {
                let Some((name, rest)) = first_attr(ops) else {
                    return error(span, "path must be followed by .module, .root or .cwd");
                };
                let value = match name {
                    "module" => self.insts[inst].rel.display().to_string(),
                    "root" => ".".to_string(),
                    "cwd" => self.root.dir.display().to_string(),
                    _ => return error(span, format!("path.{name} does not exist")),
                };
                let value = string_node(value, span);
                self.apply(value, rest, cx, span)
            }
            "terraform" => match first_attr(ops) {
                Some(("workspace", rest)) => {
                    let value = string_node("default", span);
                    self.apply(value, rest, cx, span)
                }
                _ => unknown(Hole::unknown("terraform", "a terraform.* value"), span),
            },
            "count" | "each" => error(
                span,
                format!(
                    "{root} is only available in a block with {}",
                    if root == "count" { "count" } else { "for_each" }
                ),
            ),
            "self" => unknown(
                Hole::unknown("self", "self is only known inside a provisioner"),
                span,
            ),
            rtype => match first_attr(ops) {
                Some((name, rest)) => self.resource_ref(Mode::Managed, rtype, name, rest, cx, span),
                None => error(span, format!("unknown name \"{rtype}\"")),
            },
        }
    }

    /// A reference to a resource or data source attribute: a hole named by its address,
    /// except the data sources whose values the options give.
    fn resource_ref(
        &mut self,
        mode: Mode,
        rtype: &str,
        name: &str,
        ops: &[&TraversalOperator],
        cx: Cx,
        span: Span,
    ) -> Node {
        if mode == Mode::Data
            && rtype == "aws_iam_policy_document"
            && let Some(doc) = self.policy_document_ref(name, ops, cx, span)
        {
            return doc;
        }
        // Optional instance key.
        let mut rest = ops;
        let mut key = String::new();
        if let Some(op) = rest.first()
            && matches!(
                op,
                TraversalOperator::Index(_)
                    | TraversalOperator::LegacyIndex(_)
                    | TraversalOperator::AttrSplat(_)
                    | TraversalOperator::FullSplat(_)
            )
        {
            key = self.render_op(op, cx);
            rest = &rest[1..];
            // `aws_s3_bucket.b[*].id` of known instances: the list of each instance's value.
            // With a `count` known only after apply the resource is one instance without a
            // key (as [`Self::resources`] makes it): the list of that instance's value.
            let splat = matches!(
                op,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)
            );
            let instances = if splat {
                self.splat_instances(mode, rtype, name, cx, span)
            } else {
                None
            };
            if let Some(Node {
                kind: Kind::Array(items),
                ..
            }) = instances
            {
                let items = items
                    .into_iter()
                    .map(|item| self.apply(item, rest, cx, span))
                    .collect();
                return Node::new(Kind::Array(items), span);
            }
        }
        if mode == Mode::Data
            && let Some((attr, after)) = first_attr(rest)
            && let Some(value) = self.known_data(rtype, attr, span)
        {
            return self.apply(value, after, cx, span);
        }
        if key.is_empty()
            && rest.is_empty()
            && let Some(instances) = self.whole_resource(mode, rtype, name, cx, span)
        {
            return instances;
        }
        let mut id = self.insts[cx.inst].prefix.clone();
        if mode == Mode::Data {
            id.push_str("data.");
        }
        id.push_str(&format!("{rtype}.{name}{key}"));
        let mut last_attr = None;
        for op in rest {
            id.push_str(&self.render_op(op, cx));
            last_attr = match op {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            };
        }
        let why = match mode {
            Mode::Managed => format!("{id} is known only after apply"),
            Mode::Data => format!("{id} is read by the data source, not known statically"),
        };
        // A splat makes a list; otherwise a known string attribute is a string.
        let string =
            !id.contains("[*]") && last_attr.is_some_and(|a| STRING_ATTRIBUTES.contains(&a));
        hole_node(Hole::unknown(id, why), string, span)
    }

    /// A whole resource with `count` / `for_each` of known keys (`for_each =
    /// aws_s3_bucket.data`): a list or map of its instances, each an unknown named by the
    /// instance's address, so that `each.value.id` is the hole `aws_s3_bucket.data["a"].id`.
    fn whole_resource(
        &mut self,
        mode: Mode,
        rtype: &str,
        name: &str,
        cx: Cx,
        span: Span,
    ) -> Option<Node> {
        let module = self.module(cx.inst);
        let block = module
            .resources
            .iter()
            .find(|b| b.mode == mode && b.rtype == rtype && b.name == name)?;
        let Expansion::Keys(keys) = self.expand(&block.body, cx.inst, span) else {
            return None;
        };
        let mut base = self.insts[cx.inst].prefix.clone();
        if mode == Mode::Data {
            base.push_str("data.");
        }
        base.push_str(&format!("{rtype}.{name}"));
        let instance = |key: &InstanceKey| {
            let id = format!("{base}{}", key.render());
            let why = format!("{id} is known only after apply");
            Node::new(Kind::Unknown(Hole::unknown(id, why)), span)
        };
        if keys.iter().all(|(k, _)| matches!(k, InstanceKey::Int(_))) {
            return Some(Node::new(
                Kind::Array(keys.iter().map(|(k, _)| instance(k)).collect()),
                span,
            ));
        }
        let members = keys
            .iter()
            .map(|(k, _)| {
                let name = match k {
                    InstanceKey::Str(s) => s.clone(),
                    InstanceKey::Int(i) => i.to_string(),
                };
                Member {
                    key: name,
                    key_span: span,
                    value: instance(k),
                }
            })
            .collect();
        Some(Node::new(Kind::Object(members), span))
    }

    /// The instances a splat of a resource goes over: the known instances, or the one instance
    /// without a key of a resource whose `count` is known only after apply.
    fn splat_instances(
        &mut self,
        mode: Mode,
        rtype: &str,
        name: &str,
        cx: Cx,
        span: Span,
    ) -> Option<Node> {
        if let Some(list) = self.whole_resource(mode, rtype, name, cx, span) {
            return Some(list);
        }
        let block = self
            .module(cx.inst)
            .resources
            .iter()
            .find(|b| b.mode == mode && b.rtype == rtype && b.name == name)?;
        if !block.body.has_attribute("count")
            || !matches!(
                self.expand(&block.body, cx.inst, span),
                Expansion::Unknown(_)
            )
        {
            return None;
        }
        let mut id = self.insts[cx.inst].prefix.clone();
        if mode == Mode::Data {
            id.push_str("data.");
        }
        id.push_str(&format!("{rtype}.{name}"));
        let why = format!("{id} is known only after apply");
        Some(Node::new(
            Kind::Array(vec![Node::new(Kind::Unknown(Hole::unknown(id, why)), span)]),
            span,
        ))
    }

    /// The data source attributes the options settle: account id, partition, region.
    fn known_data(&mut self, rtype: &str, attr: &str, span: Span) -> Option<Node> {
        match (rtype, attr) {
            ("aws_caller_identity", "account_id" | "id") => Some(match &self.opts.account_id {
                Some(id) => string_node(id.clone(), span),
                None => Node::new(
                    Kind::Str(PString::hole(crate::profile::account_hole())),
                    span,
                ),
            }),
            ("aws_partition", "partition" | "id") => Some(string_node("aws", span)),
            ("aws_partition", "dns_suffix") => Some(string_node("amazonaws.com", span)),
            ("aws_region", "name" | "region" | "id") => Some(match &self.opts.region {
                Some(region) => string_node(region.clone(), span),
                None => Node::new(
                    Kind::Str(PString::hole(Hole::segment(
                        "region",
                        "the AWS region (--region)",
                    ))),
                    span,
                ),
            }),
            _ => None,
        }
    }

    /// `module.NAME.OUTPUT` or `module.NAME[KEY].OUTPUT`.
    fn module_ref(&mut self, ops: &[&TraversalOperator], cx: Cx, span: Span) -> Node {
        let Some((name, rest)) = first_attr(ops) else {
            return error(span, "module must be followed by .NAME");
        };
        let prefix = self.insts[cx.inst].prefix.clone();
        let call = self.module(cx.inst).calls.iter().find(|c| c.name == name);
        let Some(call) = call else {
            return error(span, format!("there is no module call named \"{name}\""));
        };
        let mut rest = rest;
        let mut key_text = String::new();
        let child = match self.insts[cx.inst].children.get(name).cloned() {
            Some(Children::One(child)) => Some(child),
            Some(Children::Keyed(keyed)) => match rest.first() {
                Some(op @ (TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))) => {
                    key_text = self.render_op(op, cx);
                    rest = &rest[1..];
                    keyed
                        .iter()
                        .find(|(k, _)| k.render() == key_text)
                        .map(|(_, child)| *child)
                }
                _ => None,
            },
            None => None,
        };
        let Some((output, after)) = first_attr(rest) else {
            let id = format!("{prefix}module.{name}{key_text}");
            return unknown(
                Hole::unknown(id.clone(), format!("{id} as a whole is not evaluated")),
                span,
            );
        };
        match child {
            Some(child) => {
                let value = self.output(child, output, span);
                self.apply(value, after, cx, span)
            }
            None => {
                let id = format!("{prefix}module.{name}{key_text}.{output}");
                let why = match &call.source {
                    Some(source) if call.target.is_none() => {
                        format!("{id} comes from module source \"{source}\", which is not scanned")
                    }
                    _ => format!("{id} is not known statically"),
                };
                unknown(Hole::unknown(id, why), span)
            }
        }
    }

    /// `.attr`, `[0]`, `["k"]`, `[*]` as written in an address; an unknown index is `[?]`.
    pub(super) fn render_op(&mut self, op: &TraversalOperator, cx: Cx) -> String {
        match op {
            TraversalOperator::GetAttr(a) => format!(".{}", a.as_str()),
            TraversalOperator::LegacyIndex(i) => format!("[{}]", i.value()),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => "[*]".to_string(),
            TraversalOperator::Index(e) => {
                let index = self.expr(e, cx);
                match &index.kind {
                    Kind::Number(n) => match functions::parse_number(n) {
                        Some(v) => format!("[{}]", functions::format_number(v)),
                        None => format!("[{n}]"),
                    },
                    Kind::Str(s) => match s.as_known() {
                        Some(text) => format!("[{}]", quote(text)),
                        None => "[?]".to_string(),
                    },
                    _ => "[?]".to_string(),
                }
            }
        }
    }

    /// Applies attribute accesses, indexes and splats to `node`.
    pub(super) fn apply(
        &mut self,
        node: Node,
        ops: &[&TraversalOperator],
        cx: Cx,
        span: Span,
    ) -> Node {
        let mut node = node;
        for (i, op) in ops.iter().enumerate() {
            if let Kind::Unknown(hole) = &node.kind {
                return self.extend_hole(hole.clone(), &ops[i..], cx, span);
            }
            node = match op {
                TraversalOperator::GetAttr(attr) => match &node.kind {
                    Kind::Object(_) => match node.get(attr.as_str()) {
                        Some(value) => value.clone(),
                        None => return error(span, format!("no attribute \"{}\"", attr.as_str())),
                    },
                    _ => {
                        return error(
                            span,
                            format!(
                                "cannot read attribute \"{}\" of {}",
                                attr.as_str(),
                                node.shape()
                            ),
                        );
                    }
                },
                TraversalOperator::Index(e) => {
                    let index = self.expr(e, cx);
                    index_into(&node, &index, span)
                }
                TraversalOperator::LegacyIndex(n) => {
                    let index = functions::number_node(*n.value() as f64, span);
                    index_into(&node, &index, span)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    let items = match node.kind {
                        Kind::Array(items) => items,
                        Kind::Null => Vec::new(),
                        _ => vec![node],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(item, rest, cx, span));
                    }
                    return Node::new(Kind::Array(out), span);
                }
            };
        }
        node
    }

    /// Reading into an unknown reference names what is read: `local.b.arn` where `local.b`
    /// is the resource `aws_s3_bucket.b` is the hole `aws_s3_bucket.b.arn`. Other unknowns
    /// (errors, functions, the account id, …) stay as they are.
    fn extend_hole(&mut self, hole: Hole, ops: &[&TraversalOperator], cx: Cx, span: Span) -> Node {
        let fixed = [
            "evaluation-budget",
            "unknown",
            "account-id",
            "region",
            "self",
            "terraform",
        ];
        if hole.id.starts_with(functions::ERROR_PREFIX)
            || hole.id.contains("()@")
            || fixed.contains(&&*hole.id)
        {
            return unknown(hole, span);
        }
        let mut id = hole.id.to_string();
        let mut last_attr = None;
        for op in ops {
            id.push_str(&self.render_op(op, cx));
            last_attr = match op {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            };
        }
        let why = hole.why.replace(&*hole.id, &id);
        let string =
            !id.contains("[*]") && last_attr.is_some_and(|a| STRING_ATTRIBUTES.contains(&a));
        hole_node(Hole::unknown(id, why), string, span)
    }
}

/// Moves `node` and everything in it to `at`.
fn relocate(node: &mut Node, at: Span) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        node.span = at;
        match &mut node.kind {
            Kind::Array(items) => stack.extend(items.iter_mut()),
            Kind::Object(members) => {
                for member in members.iter_mut() {
                    member.key_span = at;
                    stack.push(&mut member.value);
                }
            }
            _ => {}
        }
    }
}

/// The names `NAME` of the mentions `local.NAME` in the text of `expr`.
fn local_mentions<'a>(sources: &'a Sources, expr: &Expr) -> Vec<&'a str> {
    let range = match &expr.kind {
        ExprKind::Hcl(e) | ExprKind::Relocated(e, _) => e.span(),
        ExprKind::Json(n) => Some(n.span.start as usize..n.span.end as usize),
        ExprKind::Literal(_) => None,
    };
    let text = sources.file(expr.file).text.as_str();
    let Some(text) = range.and_then(|r| text.get(r)) else {
        return Vec::new();
    };
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("local.") {
        let start = from + at + "local.".len();
        let before = (from + at).checked_sub(1).map(|i| bytes[i]);
        let end = bytes[start..]
            .iter()
            .position(|&b| !ident(b))
            .map_or(bytes.len(), |n| start + n);
        if !before.is_some_and(|b| ident(b) || b == b'.') && end > start {
            out.push(&text[start..end]);
        }
        from = end.max(start);
    }
    out
}

/// The name of a leading `.attr`, and the operators after it.
fn first_attr<'a, 'o>(
    ops: &'a [&'o TraversalOperator],
) -> Option<(&'o str, &'a [&'o TraversalOperator])> {
    match ops.first() {
        Some(TraversalOperator::GetAttr(a)) => Some((a.as_str(), &ops[1..])),
        _ => None,
    }
}

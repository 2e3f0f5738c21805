//! Resources: evaluating `resource` / `data` block bodies (HCL and JSON syntax, `dynamic`
//! blocks).

use super::*;

impl Evaluator<'_, '_> {
    // ----- resources ---------------------------------------------------------------------

    pub(super) fn resources(&mut self) -> Vec<Resource> {
        let mut out = Vec::new();
        for inst in 0..self.insts.len() {
            let module = self.module(inst);
            for block in &module.resources {
                let prefix = self.insts[inst].prefix.clone();
                let base = match block.mode {
                    Mode::Data => format!("{prefix}data.{}.{}", block.rtype, block.name),
                    Mode::Managed => format!("{prefix}{}.{}", block.rtype, block.name),
                };
                let instances = match self.expand(&block.body, inst, block.span) {
                    Expansion::One => vec![(base, Vec::new())],
                    Expansion::Unknown(bindings) => vec![(base, bindings)],
                    Expansion::Keys(keys) => keys
                        .into_iter()
                        .map(|(key, bindings)| (format!("{base}{}", key.render()), bindings))
                        .collect(),
                };
                for (address, bindings) in instances {
                    let attributes = self
                        .with_bindings(bindings, |ev| ev.body(&block.body, inst, true, block.span));
                    out.push(Resource {
                        mode: block.mode,
                        rtype: block.rtype.clone(),
                        address,
                        module: prefix.clone(),
                        attributes,
                        span: block.span,
                        header: block.header,
                        lifecycle: Lifecycle::Unknown,
                    });
                }
            }
        }
        out
    }

    /// The arguments and nested blocks of `body` as an object at `span`; `top` drops the
    /// meta-arguments of a resource block.
    pub(super) fn body(&mut self, body: &BlockBody, inst: usize, top: bool, span: Span) -> Node {
        let cx = Cx {
            inst,
            file: body.file,
            coarse: None,
        };
        match &body.kind {
            BodyKind::Hcl(b) => self.body_hcl(b, cx, top, span),
            BodyKind::Json(n) => self.body_json(n, cx, top),
        }
    }

    fn body_hcl(&mut self, body: &Body, cx: Cx, top: bool, span: Span) -> Node {
        if self.depth >= MAX_DEPTH {
            return self.too_deep(span, "blocks");
        }
        self.depth += 1;
        let mut members = Members::default();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    if top && META_ATTRIBUTES.contains(&key) {
                        continue;
                    }
                    let value = self.expr(&attr.value, cx);
                    members.attr(Member {
                        key: key.to_string(),
                        key_span: cx.span(attr.key.span()),
                        value,
                    });
                }
                Structure::Block(block) => {
                    let name = block.ident.as_str();
                    if top && META_BLOCKS.contains(&name) {
                        continue;
                    }
                    if name == "dynamic" {
                        self.dynamic_hcl(block, cx, &mut members);
                    } else {
                        let node = self.body_hcl(&block.body, cx, false, cx.span(block.span()));
                        members.block(name, cx.span(block.ident.span()), node);
                    }
                }
            }
        }
        self.depth -= 1;
        Node::new(Kind::Object(members.finish()), span)
    }

    /// Expands `dynamic "name" { for_each = …  iterator = …  content { … } }`.
    fn dynamic_hcl(&mut self, block: &Block, cx: Cx, members: &mut Members) {
        let Some(label) = block.labels.first() else {
            return;
        };
        let name = label.as_str();
        let key_span = cx.span(label.span());
        let Some(for_each) = block.body.get_attribute("for_each") else {
            return;
        };
        let Some(content) = block.body.get_blocks("content").next() else {
            return;
        };
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|a| a.value.as_variable().map(|v| v.as_str().to_string()))
            .unwrap_or_else(|| name.to_string());
        let collection = self.expr(&for_each.value, cx);
        let span = cx.span(content.span());
        match entries(&collection, collection.span) {
            Err(node) => members.unknown_blocks(name, key_span, hole_of(&node)),
            Ok(items) => {
                for (key, value) in items {
                    if !self.charge(1) {
                        members.unknown_blocks(name, key_span, hole_of(&self.budget_node(span)));
                        break;
                    }
                    let it = object(vec![("key", key), ("value", value)], span);
                    self.bindings.push((iterator.clone(), it));
                    let node = self.body_hcl(&content.body, cx, false, span);
                    self.bindings.pop();
                    members.block(name, key_span, node);
                }
            }
        }
    }

    fn body_json(&mut self, node: &Node, cx: Cx, top: bool) -> Node {
        let Some(object_members) = node.as_object() else {
            return self.json(node, cx);
        };
        if self.depth >= MAX_DEPTH {
            return self.too_deep(node.span, "blocks");
        }
        self.depth += 1;
        let mut members = Members::default();
        for m in object_members {
            let key = m.key.as_str();
            if key == "//"
                || (top && (META_ATTRIBUTES.contains(&key) || META_BLOCKS.contains(&key)))
            {
                continue;
            }
            if key == "dynamic" {
                for (label, label_span, spec) in crate::terraform::hcl::json_entries(&m.value) {
                    self.dynamic_json(label, label_span, spec, cx, &mut members);
                }
            } else if is_json_block(key, &m.value) {
                let blocks: Vec<&Node> = match &m.value.kind {
                    Kind::Array(items) => items.iter().collect(),
                    _ => vec![&m.value],
                };
                for block in blocks {
                    let value = self.body_json(block, cx, false);
                    members.block(key, m.key_span, value);
                }
            } else {
                let value = self.json(&m.value, cx);
                members.attr(Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value,
                });
            }
        }
        self.depth -= 1;
        Node::new(Kind::Object(members.finish()), node.span)
    }

    fn dynamic_json(
        &mut self,
        name: &str,
        key_span: Span,
        spec: &Node,
        cx: Cx,
        members: &mut Members,
    ) {
        let (Some(for_each), Some(content)) = (spec.get("for_each"), spec.get("content")) else {
            return;
        };
        let iterator = spec
            .get("iterator")
            .and_then(Node::as_pstr)
            .and_then(|s| s.as_known())
            .unwrap_or(name)
            .to_string();
        let collection = self.json(for_each, cx);
        match entries(&collection, collection.span) {
            Err(node) => members.unknown_blocks(name, key_span, hole_of(&node)),
            Ok(items) => {
                for (key, value) in items {
                    if !self.charge(1) {
                        members.unknown_blocks(
                            name,
                            key_span,
                            hole_of(&self.budget_node(content.span)),
                        );
                        break;
                    }
                    let it = object(vec![("key", key), ("value", value)], content.span);
                    self.bindings.push((iterator.clone(), it));
                    let node = self.body_json(content, cx, false);
                    self.bindings.pop();
                    members.block(name, key_span, node);
                }
            }
        }
    }
}

/// Whether a JSON-syntax member is a nested block (an object or a list of objects).
fn is_json_block(key: &str, value: &Node) -> bool {
    if JSON_MAP_ATTRIBUTES.contains(&key) {
        return false;
    }
    match &value.kind {
        Kind::Object(_) => true,
        Kind::Array(items) => !items.is_empty() && items.iter().all(|i| i.as_object().is_some()),
        _ => false,
    }
}

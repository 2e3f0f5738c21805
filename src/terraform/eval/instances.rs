//! Module instances: building the tree of module calls and expanding `count` / `for_each`.

use super::*;

impl Evaluator<'_, '_> {
    // ----- module instances --------------------------------------------------------------

    /// Creates the module instances called from `inst`, depth first.
    pub(super) fn build(&mut self, inst: usize, depth: usize) {
        let module = self.module(inst);
        for (index, call) in module.calls.iter().enumerate() {
            let Some(target) = call.target else {
                if let (Some(reason), Some(source)) = (&call.not_loaded, &call.source) {
                    self.not_loaded.push(crate::model::ModuleNotLoaded {
                        address: format!("{}module.{}", self.insts[inst].prefix, call.name),
                        source: source.clone(),
                        reason: reason.clone(),
                        span: call.span,
                    });
                }
                continue;
            };
            if depth >= MAX_MODULE_DEPTH || self.ancestors(inst).contains(&target) {
                self.errors.push(LoadError {
                    file: Some(call.span.file),
                    span: Some(call.span),
                    path: Some(self.modules[target].dir.display().to_string()),
                    message: format!(
                        "module \"{}\" calls a module that is already being expanded (a cycle of module calls); not followed",
                        call.name
                    ),
                });
                continue;
            }
            let rel = self.module_rel(inst, call.source.as_deref(), target);
            let base = format!("{}module.{}", self.insts[inst].prefix, call.name);
            let expansion = self.expand(&call.body, inst, call.span);
            let mut created = Vec::new();
            let children = match expansion {
                Expansion::One | Expansion::Unknown(_) => {
                    let bindings = match expansion {
                        Expansion::Unknown(b) => b,
                        _ => Vec::new(),
                    };
                    let child =
                        self.new_instance(target, format!("{base}."), &rel, inst, index, bindings);
                    created.push(child);
                    Children::One(child)
                }
                Expansion::Keys(keys) => {
                    let mut keyed = Vec::new();
                    for (key, bindings) in keys {
                        let prefix = format!("{base}{}.", key.render());
                        let child = self.new_instance(target, prefix, &rel, inst, index, bindings);
                        created.push(child);
                        keyed.push((key, child));
                    }
                    Children::Keyed(keyed)
                }
            };
            self.insts[inst]
                .children
                .insert(call.name.clone(), children);
            for child in created {
                self.build(child, depth + 1);
            }
        }
    }

    /// `path.module` of a module called from `inst` with `source`: the local source joined
    /// to the caller's, or where `terraform init` put a remote module (relative to the root).
    fn module_rel(&self, inst: usize, source: Option<&str>, target: usize) -> PathBuf {
        match source {
            Some(source) if !walk::is_local_source(source) => {
                let dir = &self.modules[target].dir;
                walk::normalize(dir.strip_prefix(&self.root.dir).unwrap_or(dir))
            }
            source => walk::normalize(&self.insts[inst].rel.join(source.unwrap_or("."))),
        }
    }

    fn new_instance(
        &mut self,
        module: usize,
        prefix: String,
        rel: &Path,
        parent: usize,
        call: usize,
        bindings: Vec<(String, Node)>,
    ) -> usize {
        self.insts.push(Instance::new(
            module,
            prefix,
            rel.to_path_buf(),
            Some(Parent {
                inst: parent,
                call,
                bindings,
            }),
        ));
        self.insts.len() - 1
    }

    fn ancestors(&self, inst: usize) -> Vec<usize> {
        let mut out = vec![self.insts[inst].module];
        let mut at = inst;
        while let Some(parent) = &self.insts[at].parent {
            at = parent.inst;
            out.push(self.insts[at].module);
        }
        out
    }

    /// The instances `count` / `for_each` of `body` create, evaluated in `inst`.
    pub(super) fn expand(&mut self, body: &BlockBody, inst: usize, span: Span) -> Expansion {
        if let Some(expr) = body.attribute("count") {
            let value = self.eval(&expr, inst);
            let n = match &value.kind {
                Kind::Number(n) => functions::parse_number(n),
                Kind::Str(s) => s.as_known().and_then(functions::parse_number),
                _ => None,
            };
            let unknown_index = |hole: Hole| {
                Expansion::Unknown(vec![(
                    "count".to_string(),
                    object(
                        vec![("index", Node::new(Kind::Unknown(hole), value.span))],
                        value.span,
                    ),
                )])
            };
            return match n {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && (n as usize) <= MAX_INSTANCES => {
                    let n = n as usize;
                    if !self.charge(n as u64) {
                        return unknown_index(hole_of(&self.budget_node(span)));
                    }
                    Expansion::Keys(
                        (0..n)
                            .map(|i| {
                                let index = functions::number_node(i as f64, value.span);
                                (
                                    InstanceKey::Int(i),
                                    vec![(
                                        "count".to_string(),
                                        object(vec![("index", index)], value.span),
                                    )],
                                )
                            })
                            .collect(),
                    )
                }
                Some(_) => unknown_index(hole_of(&error(
                    value.span,
                    format!("count must be a whole number from 0 to {MAX_INSTANCES}"),
                ))),
                None => unknown_index(hole_of(&value)),
            };
        }
        let Some(expr) = body.attribute("for_each") else {
            return Expansion::One;
        };
        let value = self.eval(&expr, inst);
        let unknown_each = |hole: Hole, span: Span| {
            Expansion::Unknown(vec![(
                "each".to_string(),
                object(
                    vec![
                        (
                            "key",
                            Node::new(Kind::Str(PString::hole(hole.clone())), span),
                        ),
                        ("value", Node::new(Kind::Unknown(hole), span)),
                    ],
                    span,
                ),
            )])
        };
        let pairs: Vec<(String, Node, Node)> = match &value.kind {
            Kind::Object(members) => {
                let mut sorted: Vec<&Member> = members.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                sorted
                    .into_iter()
                    .map(|m| {
                        (
                            m.key.clone(),
                            string_node(m.key.clone(), m.key_span),
                            m.value.clone(),
                        )
                    })
                    .collect()
            }
            Kind::Array(items) => {
                let mut pairs = Vec::new();
                for item in items {
                    match known_text(item) {
                        Some(text) if matches!(item.kind, Kind::Str(_)) => {
                            pairs.push((text, item.clone(), item.clone()))
                        }
                        _ => {
                            let hole = match item.kind {
                                Kind::Str(_) | Kind::Unknown(_) => hole_of(item),
                                _ => {
                                    hole_of(&error(item.span, "for_each over a set needs strings"))
                                }
                            };
                            return unknown_each(hole, value.span);
                        }
                    }
                }
                pairs
            }
            Kind::Null => {
                return unknown_each(hole_of(&error(value.span, "for_each is null")), value.span);
            }
            _ => return unknown_each(hole_of(&value), value.span),
        };
        if pairs.len() > MAX_INSTANCES || !self.charge(pairs.len() as u64) {
            return unknown_each(
                hole_of(&error(
                    value.span,
                    format!(
                        "for_each has more than {MAX_INSTANCES} instances or used up the budget"
                    ),
                )),
                value.span,
            );
        }
        let mut seen = std::collections::HashSet::new();
        Expansion::Keys(
            pairs
                .into_iter()
                .filter(|(key, _, _)| seen.insert(key.clone()))
                .map(|(key, key_node, value_node)| {
                    let each = object(vec![("key", key_node), ("value", value_node)], value.span);
                    (InstanceKey::Str(key), vec![("each".to_string(), each)])
                })
                .collect(),
        )
    }
}

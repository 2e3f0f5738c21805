//! Reading a plan: the top-level sections kept as raw text, the relevant resource entries
//! parsed (with spans) on all cores, and the document assembled from them in order.

use super::*;

/// The top level of a plan, with every section kept as raw text (serde, borrowing).
#[derive(Deserialize)]
pub(super) struct RawPlan<'a> {
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource_changes: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    planned_values: Option<RawValues<'a>>,
    #[serde(borrow)]
    prior_state: Option<RawState<'a>>,
    #[serde(borrow)]
    configuration: Option<RawConfiguration<'a>>,
    /// State JSON: what is deployed.
    #[serde(borrow)]
    values: Option<RawValues<'a>>,
    /// The root module's variables, as the plan was made with them.
    #[serde(borrow)]
    variables: Option<std::collections::BTreeMap<String, RawVariable<'a>>>,
}

#[derive(Deserialize)]
pub(super) struct RawVariable<'a> {
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct RawState<'a> {
    #[serde(borrow)]
    values: Option<RawValues<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawValues<'a> {
    #[serde(borrow)]
    root_module: Option<RawModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    child_modules: Vec<RawModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawConfiguration<'a> {
    #[serde(borrow)]
    root_module: Option<RawConfigModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawConfigModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    module_calls: std::collections::BTreeMap<String, RawModuleCall<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawModuleCall<'a> {
    #[serde(borrow)]
    module: Option<RawConfigModule<'a>>,
}

/// The `type` of a resource entry (raw JSON text of an object, already validated by the
/// serde pass). Terraform writes `type` third, after `address` and `mode`, so the entry is
/// only scanned up to that key (strings and nesting followed exactly), not read whole.
pub(super) fn entry_type(raw: &str) -> Option<Cow<'_, str>> {
    entry_string(raw, "\"type\"")
}

/// Whether a resource entry is a data source: its `mode` (written second) is `"data"`,
/// read as [`super::changes::mode_of`] reads it (the first `mode` key).
pub(super) fn entry_is_data(raw: &str) -> bool {
    entry_string(raw, "\"mode\"").is_some_and(|m| m == "data")
}

/// The string value of the first top-level key `quoted_key` (with its quotes) of an entry,
/// scanned only up to that key; `None` when it is missing or not a string.
fn entry_string<'r>(raw: &'r str, quoted_key: &str) -> Option<Cow<'r, str>> {
    let b = raw.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                if depth == 1 && raw.get(start..i) == Some(quoted_key) {
                    let rest = raw[i..].trim_start();
                    if let Some(value) = rest.strip_prefix(':') {
                        let value = value.trim_start();
                        let v = value.as_bytes();
                        if v.first() != Some(&b'"') {
                            return None;
                        }
                        let mut j = 1;
                        while j < v.len() && v[j] != b'"' {
                            j += if v[j] == b'\\' { 2 } else { 1 };
                        }
                        return serde_json::from_str(value.get(..j + 1)?).ok();
                    }
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses one resource entry with spans at its offset in the file.
#[derive(Clone, Copy)]
pub(super) struct EntryParser {
    file: FileId,
    base: usize,
}

/// What is read of a section's resource entries.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Entry {
    /// Resource changes: the members never read are dropped as soon as an entry is parsed
    /// ([`super::changes::drop_unread_change_members`]).
    Change,
    /// Values and configuration: every entry, kept whole.
    Whole,
    /// The prior state: only the data sources (read while planning), kept whole.
    Data,
}

impl EntryParser {
    fn parse(&self, raw: &RawValue, entry: Entry) -> Result<Node, LoadError> {
        let offset = raw.get().as_ptr() as usize - self.base;
        let mut node =
            parse_json(raw.get(), &OffsetMap::direct(self.file, offset)).map_err(|e| {
                error(
                    self.file,
                    Some(e.span),
                    format!("invalid plan JSON: {}", e.message),
                )
            })?;
        if let Entry::Change = entry {
            super::changes::drop_unread_change_members(&mut node);
        }
        Ok(node)
    }
}

/// Where the assembly is: the first walk only lists the entries to parse (in document
/// order), which are then parsed on all cores; the second walk, the same code in the same
/// order, takes their nodes.
pub(super) enum Stage<'t> {
    Collect(Vec<(&'t RawValue, Entry)>),
    Build(std::vec::IntoIter<Result<Node, LoadError>>),
}

/// Builds the located document from the raw sections: entries of resources the model reads
/// are parsed with spans at their offset in the file; the containers get the whole file's span.
pub(super) struct Assembler<'t> {
    parser: EntryParser,
    whole: Span,
    stage: std::cell::RefCell<Stage<'t>>,
}

impl<'t> Assembler<'t> {
    fn new(text: &str, file: FileId) -> Self {
        Assembler {
            parser: EntryParser {
                file,
                base: text.as_ptr() as usize,
            },
            whole: Span::new(file, 0, text.len()),
            stage: std::cell::RefCell::new(Stage::Collect(Vec::new())),
        }
    }

    /// Parses the entries the first walk listed, on all cores, for the second walk.
    fn parse_collected(&self) {
        let mut stage = self.stage.borrow_mut();
        if let Stage::Collect(wanted) = &*stage {
            let parser = self.parser;
            let parsed = crate::parallel::map(wanted, |&(raw, entry)| parser.parse(raw, entry));
            *stage = Stage::Build(parsed.into_iter());
        }
    }

    fn located(&self, raw: &'t RawValue, entry: Entry) -> Result<Node, LoadError> {
        match &mut *self.stage.borrow_mut() {
            Stage::Collect(wanted) => {
                wanted.push((raw, entry));
                Ok(Node::new(Kind::Null, self.whole))
            }
            // Both walks take the same entries in the same order; were they ever to differ,
            // the entry is parsed here.
            Stage::Build(parsed) => parsed
                .next()
                .unwrap_or_else(|| self.parser.parse(raw, entry)),
        }
    }

    fn obj(&self, members: Vec<(&str, Node)>) -> Node {
        let members = members
            .into_iter()
            .map(|(k, v)| Member {
                key: k.to_string(),
                key_span: self.whole,
                value: v,
            })
            .collect();
        Node::new(Kind::Object(members), self.whole)
    }

    fn list(&self, items: Vec<Node>) -> Node {
        Node::new(Kind::Array(items), self.whole)
    }

    /// The entries of resources the model reads (of data sources only for [`Entry::Data`]),
    /// parsed with spans.
    fn resources(&self, raws: &[&'t RawValue], entry: Entry) -> Result<Node, LoadError> {
        let items = raws
            .iter()
            .filter(|r| entry_type(r.get()).is_some_and(|t| relevant_type(&t)))
            .filter(|r| entry != Entry::Data || entry_is_data(r.get()))
            .map(|r| self.located(r, entry))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.list(items))
    }

    /// A `planned_values` / `prior_state` / state `values` module and its children, their
    /// entries read as `entry` says.
    fn module(&self, m: &RawModule<'t>, depth: usize, entry: Entry) -> Result<Node, LoadError> {
        let children = if depth > 64 {
            Vec::new()
        } else {
            m.child_modules
                .iter()
                .map(|c| self.module(c, depth + 1, entry))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(self.obj(vec![
            ("resources", self.resources(&m.resources, entry)?),
            ("child_modules", self.list(children)),
        ]))
    }

    /// A `configuration` module and its module calls.
    fn config(&self, m: &RawConfigModule<'t>, depth: usize) -> Result<Node, LoadError> {
        let mut calls: Vec<(&str, Node)> = Vec::new();
        if depth <= 64 {
            for (name, call) in &m.module_calls {
                if let Some(module) = &call.module {
                    calls.push((
                        name.as_str(),
                        self.obj(vec![("module", self.config(module, depth + 1)?)]),
                    ));
                }
            }
        }
        Ok(self.obj(vec![
            ("resources", self.resources(&m.resources, Entry::Whole)?),
            ("module_calls", self.obj(calls)),
        ]))
    }
}

/// Reads the plan with serde (fast, borrowing, no spans), then parses with spans only the
/// entries of resources the model reads (on all cores), and assembles them into one located
/// document of the usual shape. Syntax errors are located by the span-keeping parser.
pub(super) fn relevant_document(text: &str, file: FileId) -> Result<Node, LoadError> {
    let raw: RawPlan = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let located = parse_json(text, &OffsetMap::direct(file, 0)).err();
            let (span, message) = match located {
                Some(j) => (Some(j.span), format!("invalid plan JSON: {}", j.message)),
                None => (
                    None,
                    format!(
                        "not a plan of the expected shape: {e} (line {}, column {})",
                        e.line(),
                        e.column()
                    ),
                ),
            };
            return Err(error(file, span, message));
        }
    };
    let a = Assembler::new(text, file);
    // The first walk cannot fail: it only lists the entries.
    assemble(text, &raw, &a)?;
    a.parse_collected();
    assemble(text, &raw, &a)
}

/// One walk over the plan's sections (see [`Stage`]).
pub(super) fn assemble<'t>(
    text: &str,
    raw: &RawPlan<'t>,
    a: &Assembler<'t>,
) -> Result<Node, LoadError> {
    let file = a.parser.file;
    let mut top: Vec<(&str, Node)> = Vec::new();
    if let Some(v) = &raw.format_version {
        let span = text
            .find("\"format_version\"")
            .map_or(a.whole, |i| Span::new(file, i, i + 16));
        top.push((
            "format_version",
            Node::new(Kind::Str(PString::known(v.to_string())), span),
        ));
    }
    if let Some(changes) = &raw.resource_changes {
        top.push(("resource_changes", a.resources(changes, Entry::Change)?));
    }
    // The planned values are read only when a plan has no resource changes: then they are
    // not parsed at all.
    if let Some(root) = raw
        .planned_values
        .as_ref()
        .and_then(|p| p.root_module.as_ref())
        .filter(|_| raw.resource_changes.is_none())
    {
        top.push((
            "planned_values",
            a.obj(vec![("root_module", a.module(root, 0, Entry::Whole)?)]),
        ));
    }
    let prior = raw
        .prior_state
        .as_ref()
        .and_then(|p| p.values.as_ref())
        .and_then(|v| v.root_module.as_ref());
    if let Some(root) = prior {
        // Only the data sources read while planning are taken from the prior state.
        let values = a.obj(vec![("root_module", a.module(root, 0, Entry::Data)?)]);
        top.push(("prior_state", a.obj(vec![("values", values)])));
    }
    if let Some(root) = raw
        .configuration
        .as_ref()
        .and_then(|c| c.root_module.as_ref())
    {
        top.push((
            "configuration",
            a.obj(vec![("root_module", a.config(root, 0)?)]),
        ));
    }
    if let Some(root) = raw.values.as_ref().and_then(|v| v.root_module.as_ref()) {
        top.push((
            "values",
            a.obj(vec![("root_module", a.module(root, 0, Entry::Whole)?)]),
        ));
    }
    if let Some(vars) = &raw.variables {
        let mut members = Vec::new();
        for (name, var) in vars {
            if let Some(value) = var.value {
                members.push((name.as_str(), a.located(value, Entry::Whole)?));
            }
        }
        top.push(("variables", a.obj(members)));
    }
    Ok(a.obj(top))
}
